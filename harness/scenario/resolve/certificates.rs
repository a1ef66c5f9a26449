//! The certificates a profile presents and the CAs it trusts.

use toml::Spanned;

use super::{Resolver, Source};
use crate::moment::Moment;
use crate::pki::{CaSpec, Issuer, KeyType, Validity};
use crate::scenario::profile::{CertificateDef, Role, BUILTIN_ROOT};
use crate::scenario::raw::{RawCertificate, RawProfile};

/// Whose certificates are read: what their defaults depend on.
pub(super) struct Holder<'a> {
    /// The profile's id: a client certificate's default subject.
    pub id: &'a str,
    /// The profile's role, if it is a valid one.
    pub role: Option<Role>,
    /// The server's host: a server certificate's default subject.
    pub host: &'a str,
}

impl Resolver {
    /// The certificates `p` presents: a server needs one, at most one per
    /// key algorithm, and gets an RSA-2048 one from the built-in root if it
    /// names none.
    pub(super) fn certificates(
        &mut self,
        s: &Source,
        p: &RawProfile,
        cas: &[CaSpec],
        key: &str,
        holder: &Holder<'_>,
    ) -> Vec<CertificateDef> {
        let mut certificates = Vec::new();
        match &p.certificate {
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    let k = format!("{key}.certificate[{i}]");
                    if let Some(def) = self.certificate(s, c.get_ref(), cas, &k, holder) {
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
                if holder.role == Some(Role::Server) && list.is_empty() {
                    self.err(
                        s,
                        0..0,
                        format!("{key}.certificate"),
                        "a server needs a certificate".into(),
                        None,
                    );
                }
            }
            None if holder.role == Some(Role::Server) => certificates.push(CertificateDef::new(
                KeyType::Rsa2048,
                Issuer::Ca(BUILTIN_ROOT.to_string()),
                holder.host.to_string(),
            )),
            None => {}
        }
        certificates
    }

    /// One certificate.
    fn certificate(
        &mut self,
        s: &Source,
        c: &RawCertificate,
        cas: &[CaSpec],
        key: &str,
        holder: &Holder<'_>,
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
        let subject = c.subject.clone().unwrap_or_else(|| match holder.role {
            Some(Role::Client) => holder.id.to_string(),
            _ => holder.host.to_string(),
        });
        Some(CertificateDef {
            key: key_type,
            issuer,
            subject,
            sans: c.sans.clone().unwrap_or_default(),
            validity: self.validity(s, c, key),
            send_chain: c.send_chain.unwrap_or(true),
        })
    }

    /// When a certificate is valid: its dates, which must not end before
    /// they begin.
    fn validity(&mut self, s: &Source, c: &RawCertificate, key: &str) -> Validity {
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
        validity
    }

    /// The CA ids `p` trusts: the built-in root unless it names others.
    pub(super) fn trust(
        &mut self,
        s: &Source,
        p: &RawProfile,
        cas: &[CaSpec],
        key: &str,
    ) -> Vec<String> {
        match &p.trust {
            Some(list) => list
                .iter()
                .enumerate()
                .filter(|(i, t)| self.ca_ref(s, t, cas, format!("{key}.trust[{i}]")))
                .map(|(_, t)| t.get_ref().clone())
                .collect(),
            None => vec![BUILTIN_ROOT.to_string()],
        }
    }
}
