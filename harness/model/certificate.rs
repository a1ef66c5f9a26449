//! The certificates as the model sees them (from their definitions and the
//! CA specs, never from a key), and which of them a server presents.

use crate::outcome::Presented;
use crate::pki::{self, CaSpec, CertSummary, KeyAlgorithm, KeyType, SignatureHash, Validity};
use crate::scenario::{CertificateDef, Profile};
use crate::suite::Authentication;

use super::{by_code, Negotiation};

/// What the model knows of one certificate, derived from its definition and
/// the CA specs, never from a key.
#[derive(Clone, Debug)]
pub(super) struct Cert {
    pub key: KeyType,
    pub issuer_key: KeyType,
    /// The hash its issuer signed it with.
    pub issuer_hash: SignatureHash,
    pub summary: CertSummary,
    pub dns_names: Vec<String>,
    pub validity: Validity,
    /// The issuing CAs, nearest first, up to the root (empty: self-signed).
    pub path: Vec<String>,
    /// The CAs sent with it (the path without its root, or nothing).
    pub sent: Vec<String>,
    /// The key of each CA of `path`, in that order.
    pub path_keys: Vec<KeyType>,
    /// The signature scheme on each CA of `sent`, in that order.
    pub sent_signers: Vec<&'static str>,
}

impl Cert {
    /// The signature scheme on the leaf, as `signature_algorithms_cert`
    /// names it.
    pub fn signature_scheme(&self) -> &'static str {
        self.issuer_key.certificate_scheme(self.issuer_hash)
    }

    /// The certificate as the outcome reports it.
    pub fn presented(&self, by_exception: bool) -> Presented {
        Presented {
            leaf: self.summary.clone(),
            chain_length: 1 + self.sent.len(),
            accepted_by_exception: by_exception,
            fingerprint: None,
        }
    }

    /// `rsa-2048 certificate server.example.com (issued by Harness Root)`.
    pub fn describe(&self) -> String {
        let issuer = if self.path.is_empty() {
            "self-signed".to_string()
        } else {
            format!("issued by {}", self.summary.issuer)
        };
        format!(
            "{} certificate {} ({issuer})",
            self.key, self.summary.subject
        )
    }
}

/// The certificates of `profile` as the model sees them, in profile order.
pub(super) fn certificates(profile: &Profile, cas: &[CaSpec]) -> Vec<Cert> {
    profile
        .certificates
        .iter()
        .zip(profile.leaf_specs())
        .map(|(def, spec)| cert(def, spec.dns_names, cas))
        .collect()
}

/// One certificate of a profile, with the names its leaf spec gives it.
fn cert(def: &CertificateDef, dns_names: Vec<String>, cas: &[CaSpec]) -> Cert {
    let path = pki::issuers(&def.issuer, cas);
    let issuer_spec = path.first().and_then(|id| cas.iter().find(|c| c.id == *id));
    let issuer_key = issuer_spec.map_or(def.key, |c| c.key);
    let issuer_hash = issuer_spec.map_or(def.key.hash(), CaSpec::hash);
    let issuer_subject = issuer_spec.map_or(def.subject.as_str(), |c| c.subject.as_str());
    let cn = |s: &str| pki::common_name(s).unwrap_or_else(|| s.to_string());
    let sent = if def.send_chain && !path.is_empty() {
        path[..path.len() - 1].to_vec()
    } else {
        Vec::new()
    };
    let scheme_of = |id: &String| {
        let ca = cas.iter().find(|c| c.id == *id)?;
        Some(ca.key.certificate_scheme(ca.hash()))
    };
    let sent_signers = (0..sent.len())
        .filter_map(|i| scheme_of(path.get(i + 1).unwrap_or(&path[i])))
        .collect();
    let path_keys = path
        .iter()
        .filter_map(|id| cas.iter().find(|c| c.id == *id).map(|c| c.key))
        .collect();
    Cert {
        path_keys,
        sent_signers,
        key: def.key,
        issuer_key,
        issuer_hash,
        summary: CertSummary {
            key: def.key.as_str().to_string(),
            subject: cn(&def.subject),
            issuer: cn(issuer_subject),
            self_signed: pki::same_subject(&def.subject, issuer_subject),
            signature: issuer_key.signature_name(issuer_hash).to_string(),
        },
        dns_names,
        validity: def.validity,
        path,
        sent,
    }
}

/// The certificates `server` keeps in its keystore without presenting
/// them, and why, as `run` reports them.
pub fn withheld(server: &Profile, cas: &[CaSpec]) -> Vec<String> {
    server
        .certificates
        .iter()
        .zip(certificates(server, cas))
        .filter_map(|(def, c)| {
            let why = server.withholds(c.key, c.issuer_key)?;
            Some(format!(
                "{} certificate {}: not presented ({why})",
                c.key, def.subject
            ))
        })
        .collect()
}

/// What the server can present: its certificates less those its
/// presentation policy keeps back
/// (docs/products/uccx.md#ecdsa-certificates-signed-with-an-rsa-key), ECDSA
/// first.
pub(super) fn presentable(n: &mut Negotiation<'_>) -> Vec<Cert> {
    let mut presentable = Vec::new();
    for c in certificates(n.server, n.world.cas) {
        match n.server.withholds(c.key, c.issuer_key) {
            Some(why) => n.say(format!(
                "The server keeps its {} in the keystore but does not present it: {why}.",
                c.describe()
            )),
            None => presentable.push(c),
        }
    }
    presentable.sort_by_key(|c| c.key.algorithm() != KeyAlgorithm::Ecdsa);
    presentable
}

/// The harness's rustls resolver: the first certificate (ECDSA first) for
/// which a suite both sides list authenticates with its key (a TLS 1.3
/// suite authenticates with any), else the first.
pub(super) fn first_usable<'c>(
    certs: &'c [Cert],
    shared: &[u16],
    signs: impl Fn(&Cert) -> bool,
) -> Option<&'c Cert> {
    let auth_ok = |alg: KeyAlgorithm| {
        shared.iter().filter_map(|c| by_code(*c)).any(|s| {
            matches!(
                (s.authentication, alg),
                (Authentication::Any, _)
                    | (Authentication::Ecdsa, KeyAlgorithm::Ecdsa)
                    | (Authentication::Rsa, KeyAlgorithm::Rsa)
            )
        })
    };
    certs
        .iter()
        .find(|c| auth_ok(c.key.algorithm()) && signs(c))
        .or(certs.first())
}
