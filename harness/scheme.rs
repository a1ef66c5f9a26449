//! The signature schemes (IANA's TLS SignatureScheme registry,
//! [RFC 8446 §4.2.3](https://www.rfc-editor.org/rfc/rfc8446#section-4.2.3),
//! with the TLS 1.2 hash/signature pairs of
//! [RFC 5246 §7.4.1.4.1](https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1)):
//! the ones a profile can name, which key signs with each, and what each
//! stack does with them.
//!
//! Which schemes rustls verifies is asked of its aws-lc-rs provider, which
//! ones the linked OpenSSL knows by setting each as a sigalgs list; JSSE's
//! (OpenJDK 17 has no API that lists them) are [`JSSE_SCHEMES`], in the
//! order its ClientHello sends them. Each
//! stack's default list, the one a profile that names no
//! `signature-schemes` offers, is data here too, and `tests/import.rs`
//! (`default_signature_schemes_are_what_each_stack_sends`) checks each
//! against the stack's real ClientHello.

use std::sync::OnceLock;

use openssl::ssl::{SslContext, SslMethod};

use crate::backend::Backend;
use crate::pki::{KeyAlgorithm, KeyType};

/// What kind of key signs with a scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signs {
    /// An RSA key (`rsaEncryption`), PKCS#1 v1.5.
    RsaPkcs1,
    /// An RSA key (`rsaEncryption`), PSS (`rsa_pss_rsae_*`).
    RsaPssRsae,
    /// An RSASSA-PSS key (`rsa_pss_pss_*`); the harness has none.
    RsaPssPss,
    /// An ECDSA key; at TLS 1.3 only on the curve the scheme names (by
    /// its group name, `secp256r1`).
    Ecdsa(Option<&'static str>),
    /// A DSA key (TLS 1.2 only).
    Dsa,
    /// An EdDSA key (Ed25519, Ed448); the harness has none.
    EdDsa,
    /// An ML-DSA key (post-quantum, TLS 1.3 only); the harness has none.
    MlDsa,
}

/// One signature scheme.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// The code point, as sent on the wire.
    pub code: u16,
    /// IANA's name: `rsa_pss_rsae_sha256`.
    pub name: &'static str,
    /// The name OpenSSL's sigalgs lists take: IANA's, or `ECDSA+SHA1`
    /// where OpenSSL has no name for the code point.
    pub openssl_name: String,
    /// What signs with it.
    pub signs: Signs,
    /// Its hash, by name: `sha256`, `sha1`, `none` for EdDSA.
    pub hash: &'static str,
    /// Whether rustls (aws-lc-rs) verifies it.
    pub rustls: bool,
    /// Whether the linked OpenSSL knows it.
    pub openssl: bool,
    /// Whether JSSE (OpenJDK 17) knows it ([`JSSE_SCHEMES`]).
    pub jsse: bool,
}

impl Scheme {
    /// Whether TLS 1.3 allows it in a CertificateVerify (RFC 8446 §4.2.3:
    /// no PKCS#1 v1.5, no SHA-1 or SHA-224, no DSA; ECDSA bound to a curve).
    pub fn tls13(&self) -> bool {
        match self.signs {
            Signs::RsaPssRsae | Signs::RsaPssPss | Signs::EdDsa | Signs::MlDsa => true,
            Signs::Ecdsa(curve) => curve.is_some(),
            Signs::RsaPkcs1 | Signs::Dsa => false,
        }
    }

    /// Whether a key of algorithm `algorithm` signs with it at some version.
    pub fn fits_algorithm(&self, algorithm: KeyAlgorithm) -> bool {
        matches!(
            (self.signs, algorithm),
            (Signs::RsaPkcs1 | Signs::RsaPssRsae, KeyAlgorithm::Rsa)
                | (Signs::Ecdsa(_), KeyAlgorithm::Ecdsa)
                | (Signs::Dsa, KeyAlgorithm::Dsa)
        )
    }

    /// Whether a key of type `key` signs with it at TLS 1.3 (`tls13`) or
    /// below.
    pub fn fits(&self, key: KeyType, tls13: bool) -> bool {
        if tls13 && !self.tls13() {
            return false;
        }
        match (self.signs, key.algorithm()) {
            (Signs::RsaPkcs1 | Signs::RsaPssRsae, KeyAlgorithm::Rsa) => true,
            (Signs::Ecdsa(curve), KeyAlgorithm::Ecdsa) => !tls13 || curve == key.curve(),
            (Signs::Dsa, KeyAlgorithm::Dsa) => true,
            _ => false,
        }
    }
}

/// The schemes a profile can name: (code, IANA name, signer, hash).
const KNOWN: [(u16, &str, Signs, &str); 26] = [
    (0x0201, "rsa_pkcs1_sha1", Signs::RsaPkcs1, "sha1"),
    (0x0202, "dsa_sha1", Signs::Dsa, "sha1"),
    (0x0203, "ecdsa_sha1", Signs::Ecdsa(None), "sha1"),
    (0x0301, "rsa_pkcs1_sha224", Signs::RsaPkcs1, "sha224"),
    (0x0302, "dsa_sha224", Signs::Dsa, "sha224"),
    (0x0303, "ecdsa_sha224", Signs::Ecdsa(None), "sha224"),
    (0x0401, "rsa_pkcs1_sha256", Signs::RsaPkcs1, "sha256"),
    (0x0402, "dsa_sha256", Signs::Dsa, "sha256"),
    (
        0x0403,
        "ecdsa_secp256r1_sha256",
        Signs::Ecdsa(Some("secp256r1")),
        "sha256",
    ),
    (0x0501, "rsa_pkcs1_sha384", Signs::RsaPkcs1, "sha384"),
    (0x0502, "dsa_sha384", Signs::Dsa, "sha384"),
    (
        0x0503,
        "ecdsa_secp384r1_sha384",
        Signs::Ecdsa(Some("secp384r1")),
        "sha384",
    ),
    (0x0601, "rsa_pkcs1_sha512", Signs::RsaPkcs1, "sha512"),
    (0x0602, "dsa_sha512", Signs::Dsa, "sha512"),
    (
        0x0603,
        "ecdsa_secp521r1_sha512",
        Signs::Ecdsa(Some("secp521r1")),
        "sha512",
    ),
    (0x0804, "rsa_pss_rsae_sha256", Signs::RsaPssRsae, "sha256"),
    (0x0805, "rsa_pss_rsae_sha384", Signs::RsaPssRsae, "sha384"),
    (0x0806, "rsa_pss_rsae_sha512", Signs::RsaPssRsae, "sha512"),
    (0x0807, "ed25519", Signs::EdDsa, "none"),
    (0x0808, "ed448", Signs::EdDsa, "none"),
    (0x0809, "rsa_pss_pss_sha256", Signs::RsaPssPss, "sha256"),
    (0x080A, "rsa_pss_pss_sha384", Signs::RsaPssPss, "sha384"),
    (0x080B, "rsa_pss_pss_sha512", Signs::RsaPssPss, "sha512"),
    (0x0904, "mldsa44", Signs::MlDsa, "none"),
    (0x0905, "mldsa65", Signs::MlDsa, "none"),
    (0x0906, "mldsa87", Signs::MlDsa, "none"),
];

/// The schemes OpenJDK 17's JSSE knows, by IANA name, in its own order
/// (`sun.security.ssl.SignatureScheme`).
pub const JSSE_SCHEMES: [&str; 21] = [
    "ecdsa_secp256r1_sha256",
    "ecdsa_secp384r1_sha384",
    "ecdsa_secp521r1_sha512",
    "ed25519",
    "ed448",
    "rsa_pss_rsae_sha256",
    "rsa_pss_rsae_sha384",
    "rsa_pss_rsae_sha512",
    "rsa_pss_pss_sha256",
    "rsa_pss_pss_sha384",
    "rsa_pss_pss_sha512",
    "rsa_pkcs1_sha256",
    "rsa_pkcs1_sha384",
    "rsa_pkcs1_sha512",
    "dsa_sha256",
    "ecdsa_sha224",
    "rsa_pkcs1_sha224",
    "dsa_sha224",
    "ecdsa_sha1",
    "rsa_pkcs1_sha1",
    "dsa_sha1",
];

/// rustls' list as its aws-lc-rs provider offers it (its verifier's
/// `supported_verify_schemes`, in that order).
pub fn rustls_default() -> Vec<&'static Scheme> {
    rustls::crypto::aws_lc_rs::default_provider()
        .signature_verification_algorithms
        .supported_schemes()
        .into_iter()
        .filter_map(|s| by_code(u16::from(s)))
        .collect()
}

/// OpenSSL 3.0's default list at security level 0 (the level the harness
/// runs it at), as its ClientHello sends it (`ssl/t1_lib.c`).
pub const OPENSSL_DEFAULT: [&str; 23] = [
    "ecdsa_secp256r1_sha256",
    "ecdsa_secp384r1_sha384",
    "ecdsa_secp521r1_sha512",
    "ed25519",
    "ed448",
    "rsa_pss_pss_sha256",
    "rsa_pss_pss_sha384",
    "rsa_pss_pss_sha512",
    "rsa_pss_rsae_sha256",
    "rsa_pss_rsae_sha384",
    "rsa_pss_rsae_sha512",
    "rsa_pkcs1_sha256",
    "rsa_pkcs1_sha384",
    "rsa_pkcs1_sha512",
    "ecdsa_sha224",
    "ecdsa_sha1",
    "rsa_pkcs1_sha224",
    "rsa_pkcs1_sha1",
    "dsa_sha224",
    "dsa_sha1",
    "dsa_sha256",
    "dsa_sha384",
    "dsa_sha512",
];

/// The name JSSE gives `scheme` (its `SignatureScheme` names are IANA's
/// but for RSA with SHA-224, `rsa_sha224`).
pub fn jsse_name(scheme: &str) -> &str {
    match scheme {
        "rsa_pkcs1_sha224" => "rsa_sha224",
        other => other,
    }
}

/// Whether `backend` knows `scheme`.
pub fn implemented_by(backend: Backend, scheme: &Scheme) -> bool {
    match backend {
        Backend::Rustls => scheme.rustls,
        Backend::OpenSsl => scheme.openssl,
        Backend::Jsse => scheme.jsse,
    }
}

/// Every scheme a profile can name, in registry order.
pub fn schemes() -> &'static [Scheme] {
    static SCHEMES: OnceLock<Vec<Scheme>> = OnceLock::new();
    SCHEMES.get_or_init(|| {
        let rustls: Vec<u16> = rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
            .into_iter()
            .map(u16::from)
            .collect();
        KNOWN
            .iter()
            .map(|&(code, name, signs, hash)| {
                let openssl_name = openssl_name(name, signs, hash);
                Scheme {
                    code,
                    name,
                    openssl: openssl_has(&openssl_name),
                    openssl_name,
                    signs,
                    hash,
                    rustls: rustls.contains(&code),
                    jsse: JSSE_SCHEMES.contains(&name),
                }
            })
            .collect()
    })
}

/// OpenSSL 3.0 names the TLS 1.3 schemes and the RSA ones as IANA does,
/// but the curve-less ECDSA, the DSA and RSA with SHA-224 pairs only as
/// `ALGORITHM+HASH`.
fn openssl_name(name: &str, signs: Signs, hash: &str) -> String {
    let algorithm = match signs {
        Signs::Ecdsa(None) => "ECDSA",
        Signs::Dsa => "DSA",
        Signs::RsaPkcs1 if hash == "sha224" => "RSA",
        _ => return name.to_string(),
    };
    format!("{algorithm}+{}", hash.to_ascii_uppercase())
}

/// Whether the linked OpenSSL takes `name` as a sigalgs list.
fn openssl_has(name: &str) -> bool {
    SslContext::builder(SslMethod::tls())
        .and_then(|mut b| b.set_sigalgs_list(name))
        .is_ok()
}

/// The scheme with this code point.
pub fn by_code(code: u16) -> Option<&'static Scheme> {
    schemes().iter().find(|s| s.code == code)
}

/// The scheme a file names, in any case.
pub fn lookup(name: &str) -> Option<&'static Scheme> {
    schemes().iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The name an outcome gives the scheme with this code point: IANA's, or
/// `0xNNNN` for one the registry does not list.
pub fn name_of(code: u16) -> String {
    by_code(code).map_or_else(|| format!("0x{code:04X}"), |s| s.name.to_string())
}

/// Every name a file may use, for suggestions.
pub fn names() -> Vec<&'static str> {
    schemes().iter().map(|s| s.name).collect()
}

/// Schemes by IANA names that are known to be in the registry.
pub fn named(names: &[&str]) -> Vec<&'static Scheme> {
    names.iter().filter_map(|n| lookup(n)).collect()
}

/// The schemes an endpoint on `backend` offers and signs with: its
/// profile's list where it names one, else the backend's default.
pub fn effective(backend: Backend, listed: Option<&[&'static Scheme]>) -> Vec<&'static Scheme> {
    match listed {
        Some(list) => list.to_vec(),
        None => match backend {
            Backend::Rustls => rustls_default(),
            Backend::OpenSsl => named(&OPENSSL_DEFAULT),
            Backend::Jsse => named(&JSSE_SCHEMES),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_agree_with_rustls_names() {
        for s in schemes() {
            let debug = format!("{:?}", rustls::SignatureScheme::from(s.code));
            assert!(!debug.starts_with("Unknown"), "{} is {debug}", s.name);
        }
    }

    #[test]
    fn backends_report_what_they_know() {
        let pss = lookup("RSA_PSS_RSAE_SHA256").expect("known");
        assert!(pss.rustls && pss.openssl && pss.jsse);
        let sha1 = lookup("rsa_pkcs1_sha1").expect("known");
        assert!(!sha1.rustls && sha1.openssl && sha1.jsse);
        let ecdsa_sha1 = lookup("ecdsa_sha1").expect("known");
        assert!(ecdsa_sha1.openssl && ecdsa_sha1.openssl_name == "ECDSA+SHA1");
        assert!(lookup("dsa_sha224").expect("known").openssl);
        assert!(!lookup("dsa_sha256").expect("known").rustls);
        for list in [&OPENSSL_DEFAULT[..], &JSSE_SCHEMES] {
            assert_eq!(named(list).len(), list.len());
        }
        assert!(rustls_default().len() >= 9);
    }

    #[test]
    fn tls13_binds_ecdsa_to_its_curve_and_rsa_to_pss() {
        let p256 = lookup("ecdsa_secp256r1_sha256").expect("known");
        assert!(p256.fits(KeyType::EcdsaP384, false));
        assert!(!p256.fits(KeyType::EcdsaP384, true));
        assert!(p256.fits(KeyType::EcdsaP256, true));
        let pkcs1 = lookup("rsa_pkcs1_sha256").expect("known");
        assert!(pkcs1.fits(KeyType::Rsa2048, false) && !pkcs1.fits(KeyType::Rsa2048, true));
    }
}
