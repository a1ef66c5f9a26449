//! `[ca.ID]` tables: the test PKI's certificate authorities, ordered parents
//! first, with unknown and circular issuers refused.

use toml::Spanned;

use super::{Resolver, Source};
use crate::pki::{CaSpec, KeyType};
use crate::scenario::error;
use crate::scenario::raw::RawCa;

/// A CA read from a file whose issuer may not be placed yet.
type Pending<'s> = (&'s Source, &'s Spanned<String>, &'s RawCa, CaSpec);

impl Resolver {
    /// Adds the CAs of `sources` to `known`, parents before children.
    pub(in crate::scenario) fn cas(
        &mut self,
        sources: &[Source],
        mut known: Vec<CaSpec>,
    ) -> Vec<CaSpec> {
        let mut pending = self.declared_cas(sources, &known);
        place_parents_first(&mut pending, &mut known);
        self.unplaced_cas(pending, &known);
        known
    }

    /// The CAs `sources` declare, checked one by one, in file order.
    fn declared_cas<'s>(&mut self, sources: &'s [Source], known: &[CaSpec]) -> Vec<Pending<'s>> {
        let mut pending: Vec<Pending<'s>> = Vec::new();
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
                if let Some(spec) = self.ca(s, id, ca, &key) {
                    pending.push((s, id, ca, spec));
                }
            }
        }
        pending
    }

    /// One CA, its key type checked.
    fn ca(&mut self, s: &Source, id: &Spanned<String>, ca: &RawCa, key: &str) -> Option<CaSpec> {
        let key_type = match &ca.key {
            Some(k) => self.key_type(s, k, format!("{key}.key"))?,
            None => KeyType::Rsa2048,
        };
        if key_type == KeyType::Dsa2048 {
            let span = ca.key.as_ref().map_or(id.span(), Spanned::span);
            self.err(
                s,
                span,
                format!("{key}.key"),
                "a CA cannot have a DSA key here".into(),
                Some("the test PKI signs with RSA or ECDSA CAs; DSA keys can be leaves".into()),
            );
            return None;
        }
        let signature_hash = match &ca.signature_hash {
            Some(h) => Some(self.signature_hash(s, h, format!("{key}.signature-hash"))?),
            None => None,
        };
        Some(CaSpec {
            id: id.get_ref().clone(),
            subject: ca.subject.clone(),
            key: key_type,
            issuer: ca.issuer.as_ref().map(|i| i.get_ref().clone()),
            signature_hash,
        })
    }

    /// Reports the CAs that could not be placed: each has an unknown or a
    /// circular issuer.
    fn unplaced_cas(&mut self, pending: Vec<Pending<'_>>, known: &[CaSpec]) {
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
    }
}

/// Moves every pending CA whose issuer is known into `known`, parents
/// first, until no more can be placed; what stays pending has an unknown or
/// circular issuer.
fn place_parents_first(pending: &mut Vec<Pending<'_>>, known: &mut Vec<CaSpec>) {
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
}
