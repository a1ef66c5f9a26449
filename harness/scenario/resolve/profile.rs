//! `[profile.ID]` tables.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::{Resolver, Source};
use crate::moment::Moment;
use crate::pki::{CaSpec, Issuer, KeyType, Validity};
use crate::scenario::error;
use crate::scenario::layers::{BROADWORKS_DEFAULT_SUITES, DEFAULT_SUITES_LEVEL, PROFILE_LEVEL};
use crate::scenario::profile::{
    CertException, CertificateDef, Change, ClientAuth, EcdsaPresentation, Fallback, Layer, Profile,
    Role, SuiteChoice, BUILTIN_ROOT,
};
use crate::scenario::raw::{RawCertificate, RawProfile};
use crate::suite::registry;

impl Resolver {
    /// Adds the profiles of `s` to `into`; ids must be new.
    pub(in crate::scenario) fn profiles(
        &mut self,
        s: &Source,
        cas: &[CaSpec],
        into: &mut BTreeMap<String, Arc<Profile>>,
    ) {
        for (id, p) in &s.raw.profile {
            let key = format!("profile.{}", id.get_ref());
            self.check_id(s, id, key.clone());
            if let Some(existing) = into.get(id.get_ref()) {
                let message = format!(
                    "profile `{}` is already defined in {}",
                    id.get_ref(),
                    existing.defined_in.display()
                );
                self.err(
                    s,
                    id.span(),
                    key,
                    message,
                    Some("profile ids are unique across the catalog".into()),
                );
                continue;
            }
            match self.profile(s, id.get_ref(), p, cas, &key) {
                Some(profile) => {
                    into.insert(id.get_ref().clone(), Arc::new(profile));
                }
                None => {
                    self.broken.insert(id.get_ref().clone());
                }
            }
        }
    }

    fn profile(
        &mut self,
        s: &Source,
        id: &str,
        p: &RawProfile,
        cas: &[CaSpec],
        key: &str,
    ) -> Option<Profile> {
        let errors_before = self.errors.len();
        let role = Role::parse(p.role.get_ref());
        if role.is_none() {
            let help = error::suggestion(p.role.get_ref(), &["client", "server"]);
            self.err(
                s,
                p.role.span(),
                format!("{key}.role"),
                format!("unknown role `{}`", p.role.get_ref()),
                help,
            );
        }
        for (field, v) in [("product", &p.product), ("connection", &p.connection)] {
            self.check_id(s, v, format!("{key}.{field}"));
        }

        // Every level, most general first; the profile's own keys are the
        // most specific level.
        type Level<'r> = (
            &'r str,
            Option<&'r Spanned<Vec<Spanned<String>>>>,
            Option<&'r Spanned<Vec<Spanned<String>>>>,
            String,
        );
        let mut levels: Vec<Level<'_>> = p
            .layer
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, l)| {
                (
                    l.get_ref().name.as_str(),
                    l.get_ref().versions.as_ref(),
                    l.get_ref().suites.as_ref(),
                    format!("{key}.layer[{i}]"),
                )
            })
            .collect();
        levels.push((
            PROFILE_LEVEL,
            p.versions.as_ref(),
            p.suites.as_ref(),
            key.to_string(),
        ));
        let mut layers: Vec<Layer> = p
            .layer
            .iter()
            .flatten()
            .map(|l| Layer {
                name: l.get_ref().name.clone(),
                source: l.get_ref().source.clone(),
                versions: None,
                suites: None,
            })
            .collect();
        let mut versions = None;
        for (i, (name, list, _, k)) in levels.iter().enumerate() {
            if let Some(list) = list {
                let parsed = self.versions(s, list, &format!("{k}.versions"));
                if let Some(layer) = layers.get_mut(i) {
                    layer.versions = Some(parsed.clone());
                }
                versions = Some((parsed, name.to_string()));
            }
        }
        let Some((versions, versions_from)) = versions else {
            self.err(
                s,
                p.role.span(),
                key.to_string(),
                "no protocol versions".into(),
                Some("set `versions` on the profile or on one of its layers".into()),
            );
            return None;
        };
        let fallback = p.fallback.as_ref().map(|f| Fallback {
            versions: self.versions(
                s,
                &f.get_ref().versions,
                &format!("{key}.fallback.versions"),
            ),
            scsv: f.get_ref().scsv.unwrap_or(false),
        });
        let mut reachable = versions.clone();
        reachable.extend(fallback.iter().flat_map(|f| f.versions.iter().copied()));
        // Only the winning list must fit the versions; an overridden level's
        // list is checked for names alone.
        let winner = levels.iter().rposition(|l| l.2.is_some());
        let mut suites = None;
        for (i, (name, _, list, k)) in levels.iter().enumerate() {
            if let Some(list) = list {
                let fit = if Some(i) == winner {
                    reachable.as_slice()
                } else {
                    &[]
                };
                let parsed = self.suites(s, list, fit, &format!("{k}.suites"));
                if let Some(layer) = layers.get_mut(i) {
                    layer.suites = Some(parsed.clone());
                }
                suites = Some((parsed, name.to_string(), list.span()));
            }
        }
        // A layered profile that sets suites at no level gets the default
        // list that new installs put at system level (PRODUCTS.md §5).
        let suites = suites.or_else(|| {
            (!layers.is_empty()).then(|| {
                let list = BROADWORKS_DEFAULT_SUITES
                    .iter()
                    .filter_map(|name| {
                        let (suite, form) = registry().lookup(name)?;
                        Some(SuiteChoice {
                            suite,
                            written: name.to_string(),
                            form,
                        })
                    })
                    .collect();
                (list, DEFAULT_SUITES_LEVEL.to_string(), p.role.span())
            })
        });
        let Some((suites, suites_from, suites_span)) = suites else {
            self.err(
                s,
                p.role.span(),
                key.to_string(),
                "no cipher suites".into(),
                Some("set `suites` on the profile or on one of its layers".into()),
            );
            return None;
        };
        if self.errors.len() == errors_before {
            self.check_coverage(s, &reachable, &suites, suites_span, key);
        }
        let mut changes: Vec<Change> = Vec::new();
        for (i, c) in p.change.iter().flatten().enumerate() {
            let k = format!("{key}.change[{i}]");
            let raw = c.get_ref();
            let at = match Moment::from_toml(raw.at.get_ref()) {
                Ok(at) => at,
                Err(why) => {
                    self.err(
                        s,
                        raw.at.span(),
                        format!("{k}.at"),
                        format!("bad date: {why}"),
                        None,
                    );
                    continue;
                }
            };
            if changes.last().is_some_and(|prev| prev.at >= at) {
                self.err(
                    s,
                    raw.at.span(),
                    format!("{k}.at"),
                    "changes must be in date order".into(),
                    None,
                );
            }
            let before = self.errors.len();
            let new_versions = raw
                .versions
                .as_ref()
                .map(|v| self.versions(s, v, &format!("{k}.versions")));
            let state_versions = new_versions
                .clone()
                .or_else(|| changes.iter().rev().find_map(|c| c.versions.clone()))
                .unwrap_or_else(|| versions.clone());
            let new_suites = raw
                .suites
                .as_ref()
                .map(|l| self.suites(s, l, &state_versions, &format!("{k}.suites")));
            if self.errors.len() == before {
                let state_suites = new_suites
                    .clone()
                    .or_else(|| changes.iter().rev().find_map(|c| c.suites.clone()))
                    .unwrap_or_else(|| suites.clone());
                self.check_coverage(s, &state_versions, &state_suites, c.span(), &k);
            }
            changes.push(Change {
                at,
                note: raw.note.clone(),
                versions: new_versions,
                suites: new_suites,
            });
        }
        if role == Some(Role::Server) {
            if let Some(f) = &p.fallback {
                self.err(
                    s,
                    f.span(),
                    format!("{key}.fallback"),
                    "`fallback` applies to clients only".into(),
                    Some("this profile has role = \"server\"".into()),
                );
            }
        }

        // Keys that only make sense for one role.
        let server_only: [(&str, Option<Range<usize>>); 5] = [
            (
                "server-preference",
                p.server_preference.as_ref().map(Spanned::span),
            ),
            ("client-auth", p.client_auth.as_ref().map(Spanned::span)),
            ("host", p.host.as_ref().map(Spanned::span)),
            (
                "ecdsa-presentation",
                p.ecdsa_presentation.as_ref().map(Spanned::span),
            ),
            (
                "client-identities",
                p.client_identities.as_ref().map(Spanned::span),
            ),
        ];
        if role == Some(Role::Server) {
            let client_only = [
                (
                    "accepted-exceptions",
                    p.accepted_exceptions
                        .as_ref()
                        .and_then(|e| e.first())
                        .map(Spanned::span),
                ),
                ("hsts", p.hsts.as_ref().map(Spanned::span)),
            ];
            for (field, span) in client_only {
                if let Some(span) = span {
                    self.err(
                        s,
                        span,
                        format!("{key}.{field}"),
                        format!("`{field}` applies to clients only"),
                        Some("this profile has role = \"server\"".into()),
                    );
                }
            }
        }
        let ecdsa_presentation = match p.ecdsa_presentation.as_ref() {
            None => EcdsaPresentation::WhenUsable,
            Some(v) => match EcdsaPresentation::parse(v.get_ref()) {
                Some(policy) => policy,
                None => {
                    let help = error::suggestion(v.get_ref(), &EcdsaPresentation::NAMES);
                    self.err(
                        s,
                        v.span(),
                        format!("{key}.ecdsa-presentation"),
                        format!("unknown policy `{}`", v.get_ref()),
                        help,
                    );
                    EcdsaPresentation::WhenUsable
                }
            },
        };
        let mut accepted_exceptions = Vec::new();
        for (i, e) in p.accepted_exceptions.iter().flatten().enumerate() {
            if let Some(key_type) = self.key_type(
                s,
                &e.get_ref().key,
                format!("{key}.accepted-exceptions[{i}].key"),
            ) {
                accepted_exceptions.push(CertException {
                    subject: e.get_ref().subject.clone(),
                    key: key_type,
                });
            }
        }
        let hsts = p.hsts.as_ref().is_some_and(|h| *h.get_ref());
        let client_identities = p.client_identities.as_ref().map(|l| l.get_ref().clone());
        if role == Some(Role::Client) {
            for (field, span) in server_only {
                if let Some(span) = span {
                    self.err(
                        s,
                        span,
                        format!("{key}.{field}"),
                        format!("`{field}` applies to servers only"),
                        Some("this profile has role = \"client\"".into()),
                    );
                }
            }
        }
        let client_auth = match p.client_auth.as_ref() {
            None => ClientAuth::None,
            Some(v) => match v.get_ref().as_str() {
                "none" => ClientAuth::None,
                "request" => ClientAuth::Request,
                "require" => ClientAuth::Require,
                other => {
                    let help = error::suggestion(other, &["none", "request", "require"]);
                    self.err(
                        s,
                        v.span(),
                        format!("{key}.client-auth"),
                        format!("unknown client-auth `{other}`"),
                        help,
                    );
                    ClientAuth::None
                }
            },
        };
        let host = p
            .host
            .as_ref()
            .map_or_else(|| format!("{id}.test"), |h| h.get_ref().clone());

        let mut certificates = Vec::new();
        match &p.certificate {
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    let k = format!("{key}.certificate[{i}]");
                    if let Some(def) = self.certificate(s, c.get_ref(), cas, &k, role, id, &host) {
                        if certificates
                            .iter()
                            .any(|d: &CertificateDef| d.key.algorithm() == def.key.algorithm())
                        {
                            self.err(
                                s,
                                c.span(),
                                k,
                                "two certificates with the same key algorithm".into(),
                                Some(
                                    "a server holds at most one certificate per key algorithm"
                                        .into(),
                                ),
                            );
                        }
                        certificates.push(def);
                    }
                }
                if role == Some(Role::Server) && list.is_empty() {
                    self.err(
                        s,
                        0..0,
                        format!("{key}.certificate"),
                        "a server needs a certificate".into(),
                        None,
                    );
                }
            }
            None if role == Some(Role::Server) => certificates.push(CertificateDef::new(
                KeyType::Rsa2048,
                Issuer::Ca(BUILTIN_ROOT.to_string()),
                host.clone(),
            )),
            None => {}
        }

        let trust = match &p.trust {
            Some(list) => list
                .iter()
                .enumerate()
                .filter(|(i, t)| self.ca_ref(s, t, cas, format!("{key}.trust[{i}]")))
                .map(|(_, t)| t.get_ref().clone())
                .collect(),
            None => vec![BUILTIN_ROOT.to_string()],
        };

        if self.errors.len() != errors_before {
            return None;
        }
        Some(Profile {
            id: id.to_string(),
            name: p.name.clone(),
            product: p.product.get_ref().clone(),
            release: p.release.clone(),
            role: role?,
            connection: p.connection.get_ref().clone(),
            source: p.source.clone(),
            versions,
            suites,
            changes,
            fallback,
            layers,
            versions_from,
            suites_from,
            ecdsa_presentation,
            accepted_exceptions,
            hsts,
            client_identities,
            server_preference: p.server_preference.as_ref().is_none_or(|b| *b.get_ref()),
            certificates,
            trust,
            client_auth,
            host,
            defined_in: s.path.clone(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn certificate(
        &mut self,
        s: &Source,
        c: &RawCertificate,
        cas: &[CaSpec],
        key: &str,
        role: Option<Role>,
        id: &str,
        host: &str,
    ) -> Option<CertificateDef> {
        let key_type = self.key_type(s, &c.key, format!("{key}.key"))?;
        let issuer = match &c.issuer {
            None => Issuer::Ca(BUILTIN_ROOT.to_string()),
            Some(i) if i.get_ref() == "self" => Issuer::SelfSigned,
            Some(i) => {
                if !self.ca_ref(s, i, cas, format!("{key}.issuer")) {
                    return None;
                }
                Issuer::Ca(i.get_ref().clone())
            }
        };
        let subject = c.subject.clone().unwrap_or_else(|| match role {
            Some(Role::Client) => id.to_string(),
            _ => host.to_string(),
        });
        let mut validity = Validity::default();
        for (field, value, slot) in [
            ("not-before", &c.not_before, &mut validity.not_before),
            ("not-after", &c.not_after, &mut validity.not_after),
        ] {
            if let Some(v) = value {
                match Moment::from_toml(v.get_ref()) {
                    Ok(m) => *slot = m.unix(),
                    Err(why) => self.err(
                        s,
                        v.span(),
                        format!("{key}.{field}"),
                        format!("bad date: {why}"),
                        None,
                    ),
                }
            }
        }
        if validity.not_before > validity.not_after {
            let span = c
                .not_after
                .as_ref()
                .or(c.not_before.as_ref())
                .map_or(0..0, Spanned::span);
            self.err(
                s,
                span,
                format!("{key}.not-after"),
                "the certificate ends before it begins".into(),
                None,
            );
        }
        Some(CertificateDef {
            key: key_type,
            issuer,
            subject,
            sans: c.sans.clone().unwrap_or_default(),
            validity,
            send_chain: c.send_chain.unwrap_or(true),
        })
    }
}
