//! `[[scenario]]` entries: the profiles they pair, the backend pairings
//! they run, their date and their expectation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use toml::Spanned;

use super::{Resolver, Source};
use crate::backend::Pairing;
use crate::moment::Moment;
use crate::scenario::error;
use crate::scenario::profile::{Profile, Role};
use crate::scenario::raw::RawScenario;
use crate::scenario::scenarios::Scenario;

impl Resolver {
    /// The `[[scenario]]`s of `s`, ids unique within the file, profiles
    /// named from `profiles`.
    pub(in crate::scenario) fn scenarios(
        &mut self,
        s: &Source,
        profiles: &BTreeMap<String, Arc<Profile>>,
    ) -> Vec<Scenario> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, raw) in s.raw.scenario.iter().enumerate() {
            let key = format!("scenario[{i}]");
            self.check_id(s, &raw.id, format!("{key}.id"));
            if !seen.insert(raw.id.get_ref().clone()) {
                self.err(
                    s,
                    raw.id.span(),
                    format!("{key}.id"),
                    format!(
                        "scenario id `{}` is used twice in this file",
                        raw.id.get_ref()
                    ),
                    None,
                );
            }
            if let Some(scn) = self.scenario(s, raw, profiles, &key) {
                out.push(scn);
            }
        }
        out
    }

    /// The profile `v` names, which must play `want`.
    fn profile_ref(
        &mut self,
        s: &Source,
        v: &Spanned<String>,
        want: Role,
        profiles: &BTreeMap<String, Arc<Profile>>,
        key: String,
    ) -> Option<Arc<Profile>> {
        match profiles.get(v.get_ref()) {
            Some(p) if p.role == want => Some(p.clone()),
            Some(p) => {
                self.err(
                    s,
                    v.span(),
                    key,
                    format!("profile `{}` has role {}, not {want}", p.id, p.role),
                    None,
                );
                None
            }
            // Its own errors are reported already; "unknown" would mislead.
            None if self.broken.contains(v.get_ref()) => None,
            None => {
                let same_role: Vec<&str> = profiles
                    .values()
                    .filter(|p| p.role == want)
                    .map(|p| p.id.as_str())
                    .collect();
                let help = error::nearest(v.get_ref(), same_role.iter().copied())
                    .map(|n| format!("did you mean `{n}`?"))
                    .or_else(|| Some("`tls-harness list` shows the profiles".into()));
                self.err(
                    s,
                    v.span(),
                    key,
                    format!("unknown {want} profile `{}`", v.get_ref()),
                    help,
                );
                None
            }
        }
    }

    /// One scenario; `None` if it names no usable profiles.
    fn scenario(
        &mut self,
        s: &Source,
        raw: &RawScenario,
        profiles: &BTreeMap<String, Arc<Profile>>,
        key: &str,
    ) -> Option<Scenario> {
        let client = self.profile_ref(
            s,
            &raw.client,
            Role::Client,
            profiles,
            format!("{key}.client"),
        );
        let server = self.profile_ref(
            s,
            &raw.server,
            Role::Server,
            profiles,
            format!("{key}.server"),
        );
        let pairings = match &raw.pairings {
            None => Pairing::ALL.to_vec(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, v) in list.iter().enumerate() {
                    match self.pairing(s, v, format!("{key}.pairings[{i}]")) {
                        Some(p) if !out.contains(&p) => out.push(p),
                        _ => {}
                    }
                }
                out
            }
        };
        let expect = raw
            .expect
            .as_ref()
            .and_then(|e| self.expectation(s, e, &format!("{key}.expect")));
        let at = raw
            .at
            .as_ref()
            .and_then(|at| match Moment::from_toml(at.get_ref()) {
                Ok(m) => Some(m),
                Err(why) => {
                    self.err(
                        s,
                        at.span(),
                        format!("{key}.at"),
                        format!("bad date: {why}"),
                        None,
                    );
                    None
                }
            });
        let (client, server) = (client?, server?);
        let server_name = raw
            .server_name
            .clone()
            .unwrap_or_else(|| server.host.clone());
        Some(Scenario {
            id: raw.id.get_ref().clone(),
            line: s.text[..raw.id.span().start.min(s.text.len())]
                .matches('\n')
                .count()
                + 1,
            description: raw.description.clone(),
            source: raw.source.clone(),
            client,
            server,
            pairings,
            server_name,
            expect,
            at,
        })
    }
}
