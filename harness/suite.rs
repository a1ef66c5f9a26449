//! The cipher-suite registry: every TLS cipher suite IANA has assigned, with
//! its OpenSSL name, the protocol versions it is valid for, its key exchange
//! and authentication, and whether each backend implements it.
//!
//! Nothing here is a hand-typed table. The data comes from three sources:
//!
//! * **IANA** names, code points and algorithms: the table of the `tls-parser`
//!   crate (`tls_parser::CIPHERS`), generated from the IANA TLS Cipher Suites
//!   registry. Signalling values (`*_SCSV`) are not suites and are left out.
//! * **OpenSSL** names, asked of the linked OpenSSL when the registry is
//!   built: a suite has an OpenSSL name iff that OpenSSL can run it (the
//!   cipher string `ALL:COMPLEMENTOFALL:@SECLEVEL=0` selects it, or for TLS
//!   1.3 its AEAD is available).
//! * **rustls**: a suite is implemented iff it is in the cipher suites of
//!   rustls' default aws-lc-rs provider.
//!
//! Versions, key exchange and authentication are derived from tls-parser's
//! fields by the rules documented on [`Suite::versions`],
//! [`KeyExchange`] and [`Authentication`]. The tests check every derived
//! field against what OpenSSL and rustls report.

use std::collections::HashMap;
use std::sync::OnceLock;

use openssl::cipher::Cipher;
use openssl::error::ErrorStack;
use openssl::ssl::{Ssl, SslContext, SslMethod};
use rustls::SupportedCipherSuite;
use tls_parser::{
    TlsCipherAu as Au, TlsCipherKx as Kx, TlsCipherMac as Mac, TlsCipherSuite, TlsPRF as Prf,
};

use crate::version::ProtocolVersion;

/// `TLS_FALLBACK_SCSV` (RFC 7507): a signalling value, not a suite, so never
/// in the registry.
pub const FALLBACK_SCSV: u16 = 0x5600;

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746): a signalling value, not a
/// suite, so never in the registry.
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;

/// Key exchange of a suite.
///
/// Derived from tls-parser's `kx`, with two corrections: tls-parser records
/// the anonymous suites `DH_anon` and `ECDH_anon` as static `DH`/`ECDH`, but
/// both are ephemeral (RFC 5246 §7.4.3, RFC 8422 §2.3), so they are [`Dhe`]
/// and [`Ecdhe`] here, as OpenSSL reports them.
///
/// [`Dhe`]: KeyExchange::Dhe
/// [`Ecdhe`]: KeyExchange::Ecdhe
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyExchange {
    /// TLS 1.3: the key exchange is negotiated separately from the suite.
    Any,
    /// Ephemeral finite-field Diffie-Hellman (`DHE_*`, `DH_anon_*`).
    Dhe,
    /// Static ECDH (`ECDH_ECDSA_*`, `ECDH_RSA_*`): the server certificate
    /// carries the ECDH key.
    Ecdh,
    /// Ephemeral ECDH (`ECDHE_*`, `ECDH_anon_*`).
    Ecdhe,
    /// Static RSA key transport (`TLS_RSA_WITH_*`).
    Rsa,
    /// Anything else: the PSK families (`PSK`, `DHE_PSK`, `ECDHE_PSK`,
    /// `RSA_PSK`), static DH (`DH_DSS`, `DH_RSA`), SRP, Kerberos, ECCPWD and
    /// `TLS_NULL_WITH_NULL_NULL`.
    Other,
}

/// Server authentication a suite demands of the certificate.
///
/// Derived from tls-parser's `au`. Where a suite authenticates the server by
/// certificate as well as by a shared secret, the certificate wins: `RSA_PSK`
/// (RFC 4279 §4) is [`Rsa`] and `SRP_SHA_RSA`/`SRP_SHA_DSS` (RFC 5054) are
/// [`Rsa`]/[`Dss`], as OpenSSL reports them.
///
/// [`Rsa`]: Authentication::Rsa
/// [`Dss`]: Authentication::Dss
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Authentication {
    /// TLS 1.3: authentication is negotiated separately from the suite.
    Any,
    /// No authentication (`DH_anon`, `ECDH_anon`, `TLS_NULL_WITH_NULL_NULL`).
    Anonymous,
    /// A DSA certificate.
    Dss,
    /// An ECDSA certificate.
    Ecdsa,
    /// A pre-shared key, no certificate (`PSK`, `DHE_PSK`, `ECDHE_PSK`).
    Psk,
    /// An RSA certificate.
    Rsa,
    /// Anything else: SRP without certificate, Kerberos, ECCPWD.
    Other,
}

/// Which spelling a scenario used for a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameForm {
    /// The IANA name: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    Iana,
    /// The OpenSSL name: `ECDHE-RSA-AES128-GCM-SHA256`.
    OpenSsl,
}

/// One cipher suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    /// The IANA code point, as sent on the wire.
    pub code: u16,
    /// The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana: &'static str,
    /// The OpenSSL name, e.g. `ECDHE-RSA-AES128-GCM-SHA256`; `None` when the
    /// linked OpenSSL cannot run the suite.
    pub openssl: Option<String>,
    /// The protocol versions the suite is valid for, oldest first. Derived
    /// from tls-parser's fields:
    ///
    /// 1. TLS 1.3 suites (tls-parser `kx` `Tls13`: `0x13xx`, and also the SM4
    ///    and integrity-only suites of RFC 8998 and RFC 9150): TLS 1.3 only.
    /// 2. Export suites (`_EXPORT` in the name): TLS 1.0 only; TLS 1.1 forbids
    ///    negotiating them (RFC 4346 appendix A.5).
    /// 3. AEAD suites (GCM, CCM, ChaCha20-Poly1305), and suites with a
    ///    SHA-256 or SHA-384 MAC or PRF: TLS 1.2 only, as they need TLS 1.2's
    ///    AEAD records or its PRF. Except PSK-authenticated CBC and NULL
    ///    suites (RFC 5487, 5489, 6367), which their RFCs also allow with TLS
    ///    1.0 and 1.1, with that version's PRF; OpenSSL agrees.
    /// 4. Everything else: TLS 1.0, 1.1 and 1.2.
    pub versions: Vec<ProtocolVersion>,
    /// The key exchange.
    pub key_exchange: KeyExchange,
    /// The server authentication.
    pub authentication: Authentication,
    /// Whether rustls' aws-lc-rs provider implements the suite.
    pub rustls: bool,
}

impl Suite {
    /// The code point as IANA writes it: `0xC02F`.
    pub fn code_hex(&self) -> String {
        format!("0x{:04X}", self.code)
    }

    /// Whether the suite may be negotiated at version `v`.
    pub fn valid_for(&self, v: ProtocolVersion) -> bool {
        self.versions.contains(&v)
    }

    /// Whether the linked OpenSSL can run the suite.
    pub fn implemented_by_openssl(&self) -> bool {
        self.openssl.is_some()
    }

    /// Whether `backend` implements the suite: rustls' provider has it,
    /// the linked OpenSSL runs it, JSSE lists it ([`JSSE_SUITES`]).
    pub fn implemented_by(&self, backend: crate::backend::Backend) -> bool {
        match backend {
            crate::backend::Backend::Rustls => self.rustls,
            crate::backend::Backend::OpenSsl => self.implemented_by_openssl(),
            crate::backend::Backend::Jsse => JSSE_SUITES.contains(&self.iana),
        }
    }

    /// Whether this is a TLS 1.3 suite (TLS 1.3 suites are valid for nothing
    /// else).
    pub fn is_tls13(&self) -> bool {
        self.valid_for(ProtocolVersion::Tls13)
    }
}

/// Every cipher suite, looked up by code point or by name. Built once per
/// process by [`registry()`].
#[derive(Debug)]
pub struct Registry {
    /// Every suite, ordered by code point.
    suites: Vec<Suite>,
    /// Index into `suites` by IANA name.
    by_iana: HashMap<&'static str, usize>,
    /// Index into `suites` by OpenSSL name.
    by_openssl: HashMap<String, usize>,
}

/// Whether suite `code` agrees its key by finite-field DHE: a
/// ServerKeyExchange's parameters do not say so themselves (a DHE prime of
/// 768 to 1023 bytes begins as a named curve does). `None` for a suite the
/// registry does not know.
pub fn finite_field(code: u16) -> Option<bool> {
    registry()
        .by_code(code)
        .map(|s| s.key_exchange == KeyExchange::Dhe)
}

/// The registry, built on first use (this asks OpenSSL about every suite, a
/// few milliseconds).
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::build)
}

impl Registry {
    fn build() -> Self {
        let mut iana: Vec<&'static TlsCipherSuite> = tls_parser::CIPHERS
            .values()
            .filter(|s| !s.name.ends_with("_SCSV"))
            .collect();
        iana.sort_by_key(|s| s.id.0);
        // Invariant: creating an SSL_CTX and SSL and decoding a cipher list
        // fail only if OpenSSL cannot allocate or has no usable default
        // provider; no handshake of the harness could run then either.
        let openssl = openssl_names(iana.iter().map(|s| s.id.0))
            .expect("the linked OpenSSL cannot create a TLS context");
        let rustls: Vec<u16> = rustls_suites()
            .iter()
            .map(|s| u16::from(s.suite()))
            .collect();

        let suites: Vec<Suite> = iana
            .into_iter()
            .map(|s| Suite {
                code: s.id.0,
                iana: s.name,
                openssl: openssl.get(&s.id.0).map(|name| name.to_string()),
                versions: versions(s),
                key_exchange: key_exchange(s),
                authentication: authentication(s),
                rustls: rustls.contains(&s.id.0),
            })
            .collect();
        let by_iana = suites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.iana, i))
            .collect();
        let by_openssl = suites
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.openssl.clone()?, i)))
            .collect();
        Registry {
            suites,
            by_iana,
            by_openssl,
        }
    }

    /// The suite with this code point.
    pub fn by_code(&self, code: u16) -> Option<&Suite> {
        let i = self.suites.binary_search_by_key(&code, |s| s.code).ok()?;
        Some(&self.suites[i])
    }

    /// Looks a name up as IANA name first, then as OpenSSL name. Exact match
    /// (case-sensitive).
    pub fn lookup(&self, name: &str) -> Option<(&Suite, NameForm)> {
        if let Some(&i) = self.by_iana.get(name) {
            return Some((&self.suites[i], NameForm::Iana));
        }
        let &i = self.by_openssl.get(name)?;
        Some((&self.suites[i], NameForm::OpenSsl))
    }

    /// The nearest known name (IANA or OpenSSL spelling, whichever is
    /// nearer) for a misspelt one, for "did you mean" help; `None` if nothing
    /// is reasonably close.
    ///
    /// Nearness is the normalized Levenshtein similarity, ignoring case.
    pub fn suggest(&self, name: &str) -> Option<String> {
        // 1.0 is equal. A missing `WITH_` plus one missing `_` in a 37-letter
        // IANA name scores 0.84; two swapped digits score above 0.9; unrelated
        // words score below 0.4.
        const MIN_SIMILARITY: f64 = 0.75;
        let wanted = name.to_ascii_uppercase();
        let names = self
            .suites
            .iter()
            .flat_map(|s| std::iter::once(s.iana).chain(s.openssl.as_deref()));
        let mut best: Option<(f64, &str)> = None;
        for candidate in names {
            let score = strsim::normalized_levenshtein(&wanted, &candidate.to_ascii_uppercase());
            if score >= MIN_SIMILARITY && best.is_none_or(|(top, _)| score > top) {
                best = Some((score, candidate));
            }
        }
        best.map(|(_, candidate)| candidate.to_owned())
    }

    /// Every suite, ordered by code point.
    pub fn iter(&self) -> impl Iterator<Item = &Suite> {
        self.suites.iter()
    }
}

/// The suite of rustls' aws-lc-rs provider with this code point, if rustls
/// implements it.
pub fn rustls_suite(code: u16) -> Option<SupportedCipherSuite> {
    rustls_suites()
        .into_iter()
        .find(|s| u16::from(s.suite()) == code)
}

/// The suites rustls implements: those of its default aws-lc-rs provider.
fn rustls_suites() -> Vec<SupportedCipherSuite> {
    rustls::crypto::aws_lc_rs::default_provider().cipher_suites
}

/// OpenSSL's names for those of `codes` the linked OpenSSL can run: the
/// suites its cipher string `ALL:COMPLEMENTOFALL:@SECLEVEL=0` selects, plus
/// the TLS 1.3 suites whose AEAD its providers offer.
///
/// The `openssl` crate has no safe way to read a context's cipher list, so
/// this puts OpenSSL the same question one cipher at a time:
/// `SSL_bytes_to_cipher_list` maps code points to every cipher OpenSSL was
/// compiled with, including some its providers cannot run (IDEA, SEED and
/// GOST on Debian's 3.0). A TLS 1.2-and-below cipher is runnable iff the
/// cipher string `<name>:@SECLEVEL=0` selects it, which is exactly membership
/// in `ALL:COMPLEMENTOFALL` (all ciphers OpenSSL has not disabled). Cipher
/// strings do not govern TLS 1.3 suites; OpenSSL drops a configured TLS 1.3
/// suite when it cannot fetch the suite's AEAD, and so does this.
fn openssl_names(
    codes: impl Iterator<Item = u16>,
) -> Result<HashMap<u16, &'static str>, ErrorStack> {
    let context = SslContext::builder(SslMethod::tls())?.build();
    let mut ssl = Ssl::new(&context)?;
    let wire: Vec<u8> = codes.flat_map(u16::to_be_bytes).collect();
    let compiled_in = ssl.bytes_to_cipher_list(&wire, false)?.suites;
    let mut names = HashMap::new();
    for cipher in &compiled_in {
        let runnable = if cipher.version() == "TLSv1.3" {
            cipher
                .cipher_nid()
                .and_then(|aead| aead.short_name().ok())
                .is_some_and(|aead| Cipher::fetch(None, aead, None).is_ok())
        } else {
            ssl.set_cipher_list(&format!("{}:@SECLEVEL=0", cipher.name()))
                .is_ok()
        };
        if runnable {
            names.insert(u16::from_be_bytes(cipher.protocol_id()), cipher.name());
        }
    }
    Ok(names)
}

/// The rule documented on [`Suite::versions`].
fn versions(s: &TlsCipherSuite) -> Vec<ProtocolVersion> {
    use ProtocolVersion::{Tls10, Tls11, Tls12, Tls13};
    let sha2 = matches!(s.mac, Mac::HmacSha256 | Mac::HmacSha384)
        || matches!(s.prf, Prf::Sha256 | Prf::Sha384);
    if s.kx == Kx::Tls13 {
        vec![Tls13]
    } else if s.name.contains("_EXPORT") {
        vec![Tls10]
    } else if s.mac == Mac::Aead || (sha2 && s.au != Au::Psk) {
        vec![Tls12]
    } else {
        vec![Tls10, Tls11, Tls12]
    }
}

/// The rule documented on [`KeyExchange`].
fn key_exchange(s: &TlsCipherSuite) -> KeyExchange {
    match (s.kx, s.au) {
        (Kx::Tls13, _) => KeyExchange::Any,
        // tls-parser follows the IANA name `TLS_PSK_DHE_*` (0xC0AA, 0xC0AB)
        // and records kx PSK, au DHE there.
        (Kx::Psk, _) | (_, Au::Psk) => KeyExchange::Other,
        (Kx::Dhe, _) | (Kx::Dh, Au::Null) => KeyExchange::Dhe,
        (Kx::Ecdhe | Kx::Aecdh, _) | (Kx::Ecdh, Au::Null) => KeyExchange::Ecdhe,
        (Kx::Ecdh, _) => KeyExchange::Ecdh,
        (Kx::Rsa, _) => KeyExchange::Rsa,
        _ => KeyExchange::Other,
    }
}

/// The rule documented on [`Authentication`].
fn authentication(s: &TlsCipherSuite) -> Authentication {
    match (s.kx, s.au) {
        (_, Au::Tls13) => Authentication::Any,
        (Kx::Rsa, Au::Psk) | (_, Au::Rsa | Au::Srp_Rsa) => Authentication::Rsa,
        (Kx::Psk, _) | (_, Au::Psk) => Authentication::Psk,
        (_, Au::Null) => Authentication::Anonymous,
        (_, Au::Dss | Au::Srp_Dss) => Authentication::Dss,
        (_, Au::Ecdsa) => Authentication::Ecdsa,
        _ => Authentication::Other,
    }
}

/// The suites an OpenJDK 17 `SSLEngine` supports under the harness's
/// security properties (`SSLEngine.getSupportedCipherSuites()`, by IANA
/// name, without the renegotiation signalling value), in its order: what
/// the backend and the model take JSSE to implement, with or without a
/// JVM at hand. `tests/jsse.rs` checks it against the running JVM.
pub const JSSE_SUITES: [&str; 55] = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
    "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
];

/// The registry's name for a code point, for reports (`0x1301` when it
/// has none).
pub fn suite_name(code: u16) -> String {
    registry()
        .by_code(code)
        .map_or_else(|| format!("0x{code:04X}"), |s| s.iana.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProtocolVersion::{Tls10, Tls11, Tls12, Tls13};

    #[test]
    fn rustls_suites_are_registered_as_rustls_names_them() {
        let provider = rustls_suites();
        for theirs in &provider {
            let code = u16::from(theirs.suite());
            let ours = registry()
                .by_code(code)
                .unwrap_or_else(|| panic!("rustls suite {code:#06X} is not registered"));
            let name = theirs
                .suite()
                .as_str()
                .expect("rustls names its own suites");
            // rustls spells the TLS 1.3 suites TLS13_*, IANA spells them TLS_*.
            assert_eq!(ours.iana, name.replacen("TLS13_", "TLS_", 1));
            assert!(ours.rustls, "{} is not marked as a rustls suite", ours.iana);
            let version = ProtocolVersion::from_wire(u16::from(theirs.version().version));
            let version = version.expect("rustls speaks only TLS 1.2 and 1.3");
            assert!(
                ours.valid_for(version),
                "{} not valid for {version}",
                ours.iana
            );
            assert!(rustls_suite(code) == Some(*theirs));
        }
        for ours in registry().iter().filter(|s| s.rustls) {
            let in_provider = provider.iter().any(|s| u16::from(s.suite()) == ours.code);
            assert!(
                in_provider,
                "{} is marked rustls but not in the provider",
                ours.iana
            );
        }
        assert!(rustls_suite(0x002F).is_none());
    }

    /// The value of `key=` among the fields of an OpenSSL cipher description.
    fn field<'a>(description: &'a str, key: &str) -> &'a str {
        description
            .split_whitespace()
            .find_map(|f| f.strip_prefix(key))
            .unwrap_or("")
    }

    #[test]
    fn openssl_ciphers_are_registered_as_openssl_describes_them() {
        let runnable = openssl_names(0..=u16::MAX).expect("OpenSSL lists its ciphers");
        assert!(
            runnable.len() > 100,
            "only {} OpenSSL ciphers",
            runnable.len()
        );
        let context = SslContext::builder(SslMethod::tls()).unwrap().build();
        let wire: Vec<u8> = runnable.keys().flat_map(|c| c.to_be_bytes()).collect();
        let ciphers = Ssl::new(&context)
            .unwrap()
            .bytes_to_cipher_list(&wire, false)
            .unwrap()
            .suites;
        assert_eq!(ciphers.len(), runnable.len());

        let mut wrong = Vec::new();
        for cipher in &ciphers {
            let code = u16::from_be_bytes(cipher.protocol_id());
            let Some(ours) = registry().by_code(code) else {
                wrong.push(format!("{code:#06X} {} is not registered", cipher.name()));
                continue;
            };
            let description = cipher.description();
            let version = match cipher.version() {
                "SSLv3" => Some(Tls10),
                v => ProtocolVersion::parse(v),
            };
            let key_exchange = match field(&description, "Kx=") {
                "ECDH" => KeyExchange::Ecdhe,
                "DH" => KeyExchange::Dhe,
                "RSA" => KeyExchange::Rsa,
                "any" => KeyExchange::Any,
                _ => KeyExchange::Other, // PSK, DHEPSK, ECDHEPSK, RSAPSK, SRP, GOST
            };
            let authentication = match field(&description, "Au=") {
                "RSA" => Authentication::Rsa,
                "ECDSA" => Authentication::Ecdsa,
                "DSS" => Authentication::Dss,
                "any" => Authentication::Any,
                "None" => Authentication::Anonymous,
                "PSK" => Authentication::Psk,
                _ => Authentication::Other, // SRP, GOST
            };
            let checks = [
                ("IANA name", cipher.standard_name() == Some(ours.iana)),
                (
                    "OpenSSL name",
                    ours.openssl.as_deref() == Some(cipher.name()),
                ),
                ("first version", ours.versions.first() == version.as_ref()),
                ("key exchange", ours.key_exchange == key_exchange),
                ("authentication", ours.authentication == authentication),
            ];
            for (what, _) in checks.iter().filter(|(_, ok)| !ok) {
                wrong.push(format!("{what}: {ours:?} vs {}", description.trim()));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn product_suites_are_present() {
        let expected = [
            ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F),
            ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B),
            ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027),
            ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023),
            ("TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", 0x00A2),
            ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E),
            ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x0067),
            ("TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", 0x0040),
            ("TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", 0xC031),
            ("TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02D),
            ("TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", 0xC029),
            ("TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", 0xC025),
            ("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F),
            ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9),
        ];
        for (name, code) in expected {
            let (suite, form) = registry().lookup(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!((suite.code, form), (code, NameForm::Iana), "{name}");
            assert_eq!(registry().by_code(code), Some(suite));
        }
        for code in [0xC031, 0xC02D, 0xC029, 0xC025] {
            let suite = registry().by_code(code).unwrap();
            assert_eq!(suite.key_exchange, KeyExchange::Ecdh, "{}", suite.iana);
            assert_eq!(suite.openssl, None, "{}", suite.iana);
            assert!(!suite.rustls, "{}", suite.iana);
        }
    }

    #[test]
    fn derived_fields_follow_the_documented_rules() {
        let suite = |name| registry().lookup(name).unwrap().0;
        let gcm = suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(gcm.code_hex(), "0xC02F");
        assert_eq!(gcm.versions, [Tls12]);
        assert_eq!(gcm.authentication, Authentication::Rsa);
        assert!(gcm.rustls && gcm.implemented_by_openssl() && !gcm.is_tls13());
        assert_eq!(
            suite("TLS_RSA_WITH_AES_128_CBC_SHA").versions,
            [Tls10, Tls11, Tls12]
        );
        assert_eq!(suite("TLS_RSA_EXPORT_WITH_RC4_40_MD5").versions, [Tls10]);
        assert_eq!(
            suite("TLS_PSK_WITH_AES_128_CBC_SHA256").versions,
            [Tls10, Tls11, Tls12]
        );
        let tls13 = suite("TLS_AES_128_GCM_SHA256");
        assert_eq!(tls13.versions, [Tls13]);
        assert!(tls13.is_tls13());
        assert_eq!(
            (tls13.key_exchange, tls13.authentication),
            (KeyExchange::Any, Authentication::Any)
        );
        let anon = suite("TLS_ECDH_anon_WITH_AES_128_CBC_SHA");
        assert_eq!(
            (anon.key_exchange, anon.authentication),
            (KeyExchange::Ecdhe, Authentication::Anonymous)
        );
        let rsa_psk = suite("TLS_RSA_PSK_WITH_AES_128_GCM_SHA256");
        assert_eq!(
            (rsa_psk.key_exchange, rsa_psk.authentication),
            (KeyExchange::Other, Authentication::Rsa)
        );

        assert!(registry().by_code(FALLBACK_SCSV).is_none());
        assert!(registry().by_code(EMPTY_RENEGOTIATION_INFO_SCSV).is_none());
        assert!(registry().lookup("TLS_FALLBACK_SCSV").is_none());
        let codes: Vec<u16> = registry().iter().map(|s| s.code).collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "not ordered by code point"
        );
        assert!(codes.len() > 300, "only {} suites", codes.len());
    }

    #[test]
    fn lookup_accepts_both_spellings_and_suggest_fixes_typos() {
        let iana = registry()
            .lookup("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
            .unwrap();
        let openssl = registry().lookup("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
        assert_eq!(openssl.1, NameForm::OpenSsl);
        assert_eq!(openssl.0, iana.0);
        assert!(registry().lookup("ecdhe-rsa-aes128-gcm-sha256").is_none());

        let suggest = |name| registry().suggest(name);
        let iana_name = Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string());
        assert_eq!(suggest("TLS_ECDHE_RSA_AES128_GCM_SHA256"), iana_name);
        assert_eq!(suggest("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265"), iana_name);
        assert_eq!(
            suggest("ECDHE-RSA-AES128-GCM-SHA265"),
            Some("ECDHE-RSA-AES128-GCM-SHA256".to_string())
        );
        assert_eq!(suggest("hello"), None);
    }
}
