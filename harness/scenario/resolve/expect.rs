//! `[scenario.expect]` tables and their per-pairing overrides.

use std::collections::BTreeMap;

use toml::Spanned;

use super::{Resolver, Source};
use crate::outcome::{Alert, Side};
use crate::scenario::error;
use crate::scenario::expect::{Expectation, Expected, ExpectedResult};
use crate::scenario::raw::RawExpect;
use crate::suite::{registry, Suite};
use crate::version::ProtocolVersion;

impl Resolver {
    /// A scenario's expectation: the fields for every pairing and the
    /// overrides for some, none of them contradictory; `None` if it has a
    /// problem.
    pub(super) fn expectation(
        &mut self,
        s: &Source,
        e: &RawExpect,
        key: &str,
    ) -> Option<Expectation> {
        let errors_before = self.errors.len();
        let base = self.expected(s, e, key);
        let mut by_pairing = BTreeMap::new();
        for (name, over) in &e.pairing {
            let k = format!("{key}.pairing.{}", name.get_ref());
            let Some(p) = self.pairing(s, name, k.clone()) else {
                continue;
            };
            if !over.get_ref().pairing.is_empty() {
                self.err(
                    s,
                    over.span(),
                    k.clone(),
                    "pairing overrides do not nest".into(),
                    None,
                );
            }
            let fields = self.expected(s, over.get_ref(), &k);
            if let Some(why) = base.overlay(&fields).contradiction() {
                self.err(
                    s,
                    over.span(),
                    k,
                    format!("contradictory expectation: {why}"),
                    None,
                );
            }
            by_pairing.insert(p, fields);
        }
        if self.errors.len() == errors_before {
            if let Some(why) = base.contradiction() {
                let span = e.result.as_ref().map_or(0..0, Spanned::span);
                self.err(
                    s,
                    span,
                    key.to_string(),
                    format!("contradictory expectation: {why}"),
                    None,
                );
            }
        }
        (self.errors.len() == errors_before).then_some(Expectation { base, by_pairing })
    }

    /// The fields of one expectation table, each checked alone.
    fn expected(&mut self, s: &Source, e: &RawExpect, key: &str) -> Expected {
        Expected {
            result: e.result.as_ref().and_then(|v| self.result(s, v, key)),
            version: e.version.as_ref().and_then(|v| self.version(s, v, key)),
            suite: e.suite.as_ref().and_then(|v| self.suite(s, v, key)),
            server_key: e
                .server_key
                .as_ref()
                .and_then(|v| self.key_type(s, v, format!("{key}.server-key"))),
            group: e
                .group
                .as_ref()
                .and_then(|v| self.expected_group(s, v, key)),
            hello_retry: e.hello_retry,
            alpn: e
                .alpn
                .as_ref()
                .map(|a| Some(a.clone()).filter(|a| a != "none")),
            signature_scheme: e
                .signature_scheme
                .as_ref()
                .and_then(|v| self.expected_scheme(s, v, key)),
            alert: e.alert.as_ref().and_then(|v| self.alert(s, v, key)),
            failed_side: e.failed_side.as_ref().and_then(|v| self.side(s, v, key)),
            fallback: e.fallback,
        }
    }

    /// A signature scheme by IANA name (any case), or `none`.
    fn expected_scheme(
        &mut self,
        s: &Source,
        v: &Spanned<String>,
        key: &str,
    ) -> Option<Option<String>> {
        let name = v.get_ref();
        if name == "none" {
            return Some(None);
        }
        if let Some(found) = crate::scheme::lookup(name) {
            return Some(Some(found.name.to_string()));
        }
        let mut names = crate::scheme::names();
        names.push("none");
        let help = error::suggestion(name, &names);
        self.err(
            s,
            v.span(),
            format!("{key}.signature-scheme"),
            format!("unknown signature scheme `{name}`"),
            help,
        );
        None
    }

    /// A group as outcomes name it: a registry name (any case), `dh-BITS`
    /// for finite-field DHE at TLS 1.2, or `none`.
    fn expected_group(
        &mut self,
        s: &Source,
        v: &Spanned<String>,
        key: &str,
    ) -> Option<Option<String>> {
        let name = v.get_ref();
        if name == "none" {
            return Some(None);
        }
        let dh = name
            .strip_prefix("dh-")
            .is_some_and(|b| b.parse::<u32>().is_ok());
        if dh {
            return Some(Some(name.clone()));
        }
        match crate::group::lookup(name) {
            Some(g) => Some(Some(g.name.to_string())),
            None => {
                let mut names = crate::group::names();
                names.push("none");
                let help = error::suggestion(name, &names);
                self.err(
                    s,
                    v.span(),
                    format!("{key}.group"),
                    format!("unknown group `{name}`"),
                    help,
                );
                None
            }
        }
    }

    fn result(&mut self, s: &Source, v: &Spanned<String>, key: &str) -> Option<ExpectedResult> {
        match v.get_ref().as_str() {
            "established" => Some(ExpectedResult::Established),
            "failed" => Some(ExpectedResult::Failed),
            "identity-refused" => Some(ExpectedResult::IdentityRefused),
            other => {
                let help = error::suggestion(other, &["established", "failed", "identity-refused"]);
                self.err(
                    s,
                    v.span(),
                    format!("{key}.result"),
                    format!("unknown result `{other}`"),
                    help,
                );
                None
            }
        }
    }

    fn version(&mut self, s: &Source, v: &Spanned<String>, key: &str) -> Option<ProtocolVersion> {
        let version = ProtocolVersion::parse(v.get_ref());
        if version.is_none() {
            self.err(
                s,
                v.span(),
                format!("{key}.version"),
                format!("unknown protocol version `{}`", v.get_ref()),
                Some("versions are \"1.0\", \"1.1\", \"1.2\" and \"1.3\"".into()),
            );
        }
        version
    }

    fn suite(&mut self, s: &Source, v: &Spanned<String>, key: &str) -> Option<&'static Suite> {
        let suite = registry().lookup(v.get_ref()).map(|(suite, _)| suite);
        if suite.is_none() {
            let help = registry()
                .suggest(v.get_ref())
                .map(|n| format!("did you mean `{n}`?"));
            self.err(
                s,
                v.span(),
                format!("{key}.suite"),
                format!("unknown cipher suite `{}`", v.get_ref()),
                help,
            );
        }
        suite
    }

    /// An alert's name, or `none`: no alert that the harness can read.
    fn alert(&mut self, s: &Source, v: &Spanned<String>, key: &str) -> Option<Option<Alert>> {
        if v.get_ref() == "none" {
            return Some(None);
        }
        let alert = Alert::from_name(v.get_ref());
        if alert.is_none() {
            let names = Alert::known_names();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let help = error::nearest(v.get_ref(), refs).map(|n| format!("did you mean `{n}`?"));
            self.err(
                s,
                v.span(),
                format!("{key}.alert"),
                format!("unknown alert `{}`", v.get_ref()),
                help,
            );
        }
        alert.map(Some)
    }

    fn side(&mut self, s: &Source, v: &Spanned<String>, key: &str) -> Option<Side> {
        match v.get_ref().as_str() {
            "client" => Some(Side::Client),
            "server" => Some(Side::Server),
            other => {
                let help = error::suggestion(other, &["client", "server"]);
                self.err(
                    s,
                    v.span(),
                    format!("{key}.failed-side"),
                    format!("unknown side `{other}`"),
                    help,
                );
                None
            }
        }
    }
}
