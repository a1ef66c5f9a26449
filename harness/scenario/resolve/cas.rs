//! `[ca.ID]` tables: the test PKI's certificate authorities, ordered parents
//! first, with unknown and circular issuers refused.

use toml::Spanned;

use super::{Resolver, Source};
use crate::pki::{CaSpec, KeyType};
use crate::scenario::error;
use crate::scenario::raw::RawCa;

impl Resolver {
    /// Adds the CAs of `sources` to `known`, parents before children.
    pub(in crate::scenario) fn cas(
        &mut self,
        sources: &[Source],
        mut known: Vec<CaSpec>,
    ) -> Vec<CaSpec> {
        let mut pending: Vec<(&Source, &Spanned<String>, &RawCa, CaSpec)> = Vec::new();
        for s in sources {
            for (id, ca) in &s.raw.ca {
                let key = format!("ca.{}", id.get_ref());
                self.check_id(s, id, key.clone());
                if known.iter().any(|c| c.id == *id.get_ref())
                    || pending.iter().any(|p| p.3.id == *id.get_ref())
                {
                    self.err(
                        s,
                        id.span(),
                        key,
                        format!("CA `{}` is defined twice", id.get_ref()),
                        None,
                    );
                    continue;
                }
                let key_type = match &ca.key {
                    Some(k) => match self.key_type(s, k, format!("{key}.key")) {
                        Some(t) => t,
                        None => continue,
                    },
                    None => KeyType::Rsa2048,
                };
                if key_type == KeyType::Dsa2048 {
                    let span = ca.key.as_ref().map_or(id.span(), Spanned::span);
                    self.err(
                        s,
                        span,
                        format!("{key}.key"),
                        "a CA cannot have a DSA key here".into(),
                        Some(
                            "the test PKI signs with RSA or ECDSA CAs; DSA keys can be leaves"
                                .into(),
                        ),
                    );
                    continue;
                }
                let spec = CaSpec {
                    id: id.get_ref().clone(),
                    subject: ca.subject.clone(),
                    key: key_type,
                    issuer: ca.issuer.as_ref().map(|i| i.get_ref().clone()),
                };
                pending.push((s, id, ca, spec));
            }
        }
        // Parents first; whatever cannot be placed has an unknown or
        // circular issuer.
        loop {
            let before = pending.len();
            pending.retain(|(_, _, _, spec)| {
                let ready = spec
                    .issuer
                    .as_ref()
                    .is_none_or(|p| known.iter().any(|c| &c.id == p));
                if ready {
                    known.push(spec.clone());
                }
                !ready
            });
            if pending.len() == before {
                break;
            }
        }
        let all_ids: Vec<String> = known
            .iter()
            .map(|c| c.id.clone())
            .chain(pending.iter().map(|p| p.3.id.clone()))
            .collect();
        for (s, id, ca, _) in pending {
            let issuer = ca
                .issuer
                .as_ref()
                .expect("only CAs with an issuer can be pending");
            let names: Vec<&str> = all_ids.iter().map(String::as_str).collect();
            let (message, help) = if all_ids.contains(issuer.get_ref()) {
                (
                    format!("CA `{}` is part of an issuer cycle", id.get_ref()),
                    None,
                )
            } else {
                (
                    format!("unknown CA `{}`", issuer.get_ref()),
                    error::suggestion(issuer.get_ref(), &names),
                )
            };
            self.err(
                s,
                issuer.span(),
                format!("ca.{}.issuer", id.get_ref()),
                message,
                help,
            );
        }
        known
    }
}
