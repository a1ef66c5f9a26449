//! The file format as serde reads it: every struct denies unknown keys, and
//! every value that is checked later keeps its span so errors can point at
//! it. [`super::resolve`] turns these into the validated types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A whole file: CAs, profiles and scenarios, all optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFile {
    /// `self-contained = true`: the file defines every profile and CA it
    /// uses and is resolved against no catalog (a repro bundle).
    pub self_contained: Option<Spanned<bool>>,
    /// `[ca.ID]`: certificate authorities.
    #[serde(default)]
    pub ca: BTreeMap<Spanned<String>, RawCa>,
    /// `[profile.ID]`: endpoint profiles.
    #[serde(default)]
    pub profile: BTreeMap<Spanned<String>, RawProfile>,
    /// `[[scenario]]`: pairings with expectations.
    #[serde(default)]
    pub scenario: Vec<RawScenario>,
}

/// `[ca.ID]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCa {
    /// Common name of the CA.
    pub subject: String,
    /// Key type, `rsa-2048` by default.
    pub key: Option<Spanned<String>>,
    /// Parent CA id; absent for a self-signed root.
    pub issuer: Option<Spanned<String>>,
    /// The hash it signs what it issues with (`sha1`, `sha256`, `sha384`,
    /// `sha512`); absent: its key's own.
    pub signature_hash: Option<Spanned<String>>,
    /// Where the facts come from; for people, the harness only accepts it.
    #[allow(dead_code)]
    pub source: Option<String>,
}

/// `[profile.ID]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProfile {
    // The five identity keys are required; they are options here so that
    // resolution can name every missing one at once, with the profile's id.
    /// Display name in the vendor's notation: "UCCX 11.5(1)SU1".
    pub name: Option<String>,
    /// Product id: `uccx`, `salesforce`.
    pub product: Option<Spanned<String>>,
    /// Release in the vendor's notation.
    pub release: Option<String>,
    /// `client` or `server`.
    pub role: Option<Spanned<String>>,
    /// Connection kind: `https`, `jdbc`, `inbound`, `outbound`, `cti`, ...
    pub connection: Option<Spanned<String>>,
    /// Where the facts come from (a page and heading under `docs/`, such as
    /// `docs/products/uccx.md#upcoming-releases`).
    pub source: Option<String>,
    /// The TLS stack the product itself ships, when it is one the harness
    /// runs (`rustls`, `openssl`, `jsse`): `explain` follows its rules by
    /// default.
    pub stack: Option<Spanned<String>>,
    /// The JDK release a JSSE side runs (`"17.0.2"`, one of
    /// `jdk::RELEASES`); unset, the harness's own JDK with legacy settings.
    pub jdk: Option<Spanned<String>>,
    /// `default` (the release's own security settings, the default) or
    /// `legacy` (the era's relaxed ones); only with `jdk`.
    pub jdk_security: Option<Spanned<String>>,
    /// Enabled protocol versions (`"1.0"` .. `"1.3"`); may come from
    /// `layer`s instead.
    pub versions: Option<Spanned<Vec<Spanned<String>>>>,
    /// Cipher suites in preference order, IANA or OpenSSL names; may come
    /// from `layer`s instead.
    pub suites: Option<Spanned<Vec<Spanned<String>>>>,
    /// Key-exchange groups in preference order, by IANA name (`x25519`,
    /// `secp256r1`, `ffdhe2048`, `X25519MLKEM768`).
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    /// Client only: the groups that get a key share in the first hello.
    pub key_shares: Option<Spanned<Vec<Spanned<String>>>>,
    /// ALPN protocols offered (client) or accepted (server), in order.
    pub alpn: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: `refuse` (default) or `ignore` a client whose ALPN
    /// protocols share none with the server's.
    pub alpn_mismatch: Option<Spanned<String>>,
    /// Signature schemes in preference order, by IANA name.
    pub signature_schemes: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: the size in bits of its finite-field DHE group.
    pub dh_bits: Option<Spanned<u32>>,
    /// The smallest keys it accepts from its peer:
    /// `{ rsa = 2048, dh = 2048, ec = 224 }`.
    pub minimum_key_bits: Option<Spanned<RawMinimumKeys>>,
    /// Settings levels, most general first; the most specific level that
    /// sets a value wins, field by field.
    pub layer: Option<Vec<Spanned<RawLayer>>>,
    /// Server only: the server's suite order wins (default true).
    pub server_preference: Option<Spanned<bool>>,
    /// Certificates presented: a server's (default one RSA-2048 from
    /// `harness-root`), a client's (default none).
    pub certificate: Option<Vec<Spanned<RawCertificate>>>,
    /// CA ids trusted to sign the peer's certificate.
    pub trust: Option<Vec<Spanned<String>>>,
    /// Server only: `none`, `request` or `require`.
    pub client_auth: Option<Spanned<String>>,
    /// Server only: the DNS name its certificate carries.
    pub host: Option<Spanned<String>>,
    /// Client only: a second hello with other versions when the first fails.
    pub fallback: Option<Spanned<RawFallback>>,
    /// Server only: when an ECDSA certificate is presented: `when-usable`
    /// (default), `only-if-ecdsa-signed`, `never`.
    pub ecdsa_presentation: Option<Spanned<String>>,
    /// Client only: certificates accepted although their issuer is not
    /// trusted (a browser's "accept the risk" exceptions).
    pub accepted_exceptions: Option<Vec<Spanned<RawException>>>,
    /// Client only: strict transport security; no exception is honoured.
    pub hsts: Option<Spanned<bool>>,
    /// Server only: client certificate common names the application accepts
    /// after the handshake (a ClientIdentity list).
    pub client_identities: Option<Spanned<Vec<String>>>,
    /// Changes from a date on, in date order.
    pub change: Option<Vec<Spanned<RawChange>>>,
}

impl RawProfile {
    /// Where errors about the profile as a whole point: its `role` value,
    /// or the start of the file when it has none (resolution reports a
    /// missing role before anything asks for this).
    pub fn anchor(&self) -> std::ops::Range<usize> {
        self.role.as_ref().map_or(0..0, Spanned::span)
    }
}

/// `[[profile.ID.layer]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLayer {
    /// The level's name: "system (JSSE)", "one CTI interface".
    pub name: String,
    /// Where the values come from.
    pub source: Option<String>,
    /// Versions set at this level.
    pub versions: Option<Spanned<Vec<Spanned<String>>>>,
    /// Suites set at this level.
    pub suites: Option<Spanned<Vec<Spanned<String>>>>,
    /// Key-exchange groups in preference order, by IANA name (`x25519`,
    /// `secp256r1`, `ffdhe2048`, `X25519MLKEM768`).
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    /// Client only: the groups that get a key share in the first hello.
    pub key_shares: Option<Spanned<Vec<Spanned<String>>>>,
    /// ALPN protocols offered (client) or accepted (server), in order.
    pub alpn: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: `refuse` (default) or `ignore` a client whose ALPN
    /// protocols share none with the server's.
    pub alpn_mismatch: Option<Spanned<String>>,
    /// Signature schemes in preference order, by IANA name.
    pub signature_schemes: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: the size in bits of its finite-field DHE group.
    pub dh_bits: Option<Spanned<u32>>,
    /// The smallest keys it accepts from its peer:
    /// `{ rsa = 2048, dh = 2048, ec = 224 }`.
    pub minimum_key_bits: Option<Spanned<RawMinimumKeys>>,
}

/// One accepted exception.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawException {
    /// Common name of the excepted certificate.
    pub subject: String,
    /// Its key type.
    pub key: Spanned<String>,
}

/// `[profile.ID.fallback]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFallback {
    /// The versions of the retry.
    pub versions: Spanned<Vec<Spanned<String>>>,
    /// Offer TLS_FALLBACK_SCSV on the retry (RFC 7507).
    pub scsv: Option<bool>,
}

/// `[[profile.ID.change]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawChange {
    /// From when: a TOML date or datetime.
    pub at: Spanned<toml::value::Datetime>,
    /// What happened then, in words.
    pub note: Option<String>,
    /// The JDK release from then on (an upgrade); its security settings
    /// stay the profile's.
    pub jdk: Option<Spanned<String>>,
    /// The versions from then on.
    pub versions: Option<Spanned<Vec<Spanned<String>>>>,
    /// The suites from then on.
    pub suites: Option<Spanned<Vec<Spanned<String>>>>,
    /// Key-exchange groups in preference order, by IANA name (`x25519`,
    /// `secp256r1`, `ffdhe2048`, `X25519MLKEM768`).
    pub groups: Option<Spanned<Vec<Spanned<String>>>>,
    /// Client only: the groups that get a key share in the first hello.
    pub key_shares: Option<Spanned<Vec<Spanned<String>>>>,
    /// ALPN protocols offered (client) or accepted (server), in order.
    pub alpn: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: `refuse` (default) or `ignore` a client whose ALPN
    /// protocols share none with the server's.
    pub alpn_mismatch: Option<Spanned<String>>,
    /// Signature schemes in preference order, by IANA name.
    pub signature_schemes: Option<Spanned<Vec<Spanned<String>>>>,
    /// Server only: the size in bits of its finite-field DHE group.
    pub dh_bits: Option<Spanned<u32>>,
    /// The smallest keys it accepts from its peer:
    /// `{ rsa = 2048, dh = 2048, ec = 224 }`.
    pub minimum_key_bits: Option<Spanned<RawMinimumKeys>>,
}

/// One certificate of a profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCertificate {
    /// Key type: `rsa-2048`, `ecdsa-p256`, ...
    pub key: Spanned<String>,
    /// `self` or a CA id; `harness-root` by default.
    pub issuer: Option<Spanned<String>>,
    /// Common name; the server's host or the client profile id by default.
    pub subject: Option<String>,
    /// More DNS names for subjectAltName (a server's host is always there).
    pub sans: Option<Vec<String>>,
    /// Valid from (TOML date or datetime); 2000-01-01 by default.
    pub not_before: Option<Spanned<toml::value::Datetime>>,
    /// Valid until; 2049-12-31T23:59:59Z by default.
    pub not_after: Option<Spanned<toml::value::Datetime>>,
    /// Send the issuing CAs with the certificate (default true); false
    /// sends the leaf alone.
    pub send_chain: Option<bool>,
}

/// `[[scenario]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScenario {
    /// Unique within the file; names the snapshot entries.
    pub id: Spanned<String>,
    /// What the scenario shows, in a sentence.
    pub description: Option<String>,
    /// Where the expected behaviour is documented.
    pub source: Option<String>,
    /// Client profile id.
    pub client: Spanned<String>,
    /// Server profile id.
    pub server: Spanned<String>,
    /// Pin backend pairings (`rustls-openssl` = rustls client, OpenSSL
    /// server); all four by default.
    pub pairings: Option<Vec<Spanned<String>>>,
    /// The name the client asks for and verifies; the server's host by
    /// default.
    pub server_name: Option<String>,
    /// Run at this date instead of `--at` (profiles with dated changes).
    pub at: Option<Spanned<toml::value::Datetime>>,
    /// What should happen.
    pub expect: Option<RawExpect>,
}

/// `[scenario.expect]`, and per-pairing overrides under
/// `[scenario.expect.pairing.<client>-<server>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawExpect {
    /// `established` or `failed`.
    pub result: Option<Spanned<String>>,
    /// Negotiated version.
    pub version: Option<Spanned<String>>,
    /// Negotiated suite.
    pub suite: Option<Spanned<String>>,
    /// Key type of the certificate the server presented.
    pub server_key: Option<Spanned<String>>,
    /// Key-exchange group (`x25519`, `dh-2048`, `none` for static RSA).
    pub group: Option<Spanned<String>>,
    /// Whether the server sent a HelloRetryRequest.
    pub hello_retry: Option<bool>,
    /// The ALPN protocol settled on (`none` for none).
    pub alpn: Option<String>,
    /// The scheme the server signed with (`none` for none).
    pub signature_scheme: Option<Spanned<String>>,
    /// The alert on the wire.
    pub alert: Option<Spanned<String>>,
    /// The side that aborted.
    pub failed_side: Option<Spanned<String>>,
    /// Whether the client fell back to its retry hello.
    pub fallback: Option<bool>,
    /// Overrides for one pairing, where the backends differ by design.
    #[serde(default)]
    pub pairing: BTreeMap<Spanned<String>, Spanned<RawExpect>>,
}

/// The handshake keys (groups, key shares, schemes, ALPN, key sizes) of one level, as a file
/// writes them: a profile, a layer or a dated change.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawHandshake<'r> {
    /// `groups`.
    pub groups: Option<&'r Spanned<Vec<Spanned<String>>>>,
    /// `key-shares`.
    pub key_shares: Option<&'r Spanned<Vec<Spanned<String>>>>,
    /// `alpn`.
    pub alpn: Option<&'r Spanned<Vec<Spanned<String>>>>,
    /// `alpn-mismatch`.
    pub alpn_mismatch: Option<&'r Spanned<String>>,
    /// `signature-schemes`.
    pub signature_schemes: Option<&'r Spanned<Vec<Spanned<String>>>>,
    /// `dh-bits`.
    pub dh_bits: Option<&'r Spanned<u32>>,
    /// `minimum-key-bits`.
    pub minimum_key_bits: Option<&'r Spanned<RawMinimumKeys>>,
}

/// `minimum-key-bits = { rsa = 2048, dh = 2048, ec = 224 }`: a field left
/// out sets no minimum.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMinimumKeys {
    /// RSA (and DSA) keys.
    pub rsa: Option<u32>,
    /// Finite-field DHE groups.
    pub dh: Option<u32>,
    /// ECDSA keys.
    pub ec: Option<u32>,
}

macro_rules! raw_handshake {
    ($($t:ty),*) => {$(
        impl $t {
            /// Its handshake keys.
            pub fn handshake(&self) -> RawHandshake<'_> {
                RawHandshake {
                    groups: self.groups.as_ref(),
                    key_shares: self.key_shares.as_ref(),
                    alpn: self.alpn.as_ref(),
                    alpn_mismatch: self.alpn_mismatch.as_ref(),
                    signature_schemes: self.signature_schemes.as_ref(),
                    dh_bits: self.dh_bits.as_ref(),
                    minimum_key_bits: self.minimum_key_bits.as_ref(),
                }
            }
        }
    )*};
}
raw_handshake!(RawProfile, RawLayer, RawChange);
