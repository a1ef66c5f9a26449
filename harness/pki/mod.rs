//! The deterministic test PKI: RSA, ECDSA and DSA keys from a fixed pool,
//! self-signed certificates and CA-signed chains (root → intermediates →
//! leaf), byte-identical from run to run and from machine to machine.
//!
//! - Keys: `keys` holds the pool of public test keys (`test-keys/`,
//!   embedded into the binary) and maps a key slot to one of them; nothing
//!   is generated at run time.
//! - Signatures: `sign` has one deterministic signer per key algorithm
//!   (RSA PKCS#1 v1.5, ECDSA and DSA with RFC 6979 nonces).
//! - Certificates: rcgen makes every certificate whose subject key is RSA or
//!   ECDSA; rcgen has no DSA, so OpenSSL builds certificates for DSA keys and
//!   `sign::resign` signs them. The serial number is a hash of what the
//!   certificate says, and every certificate is valid from
//!   2000-01-01T00:00:00Z to 2049-12-31T23:59:59Z unless its spec says
//!   otherwise.
//!
//! Pool keys are parsed once per process, CAs made once per process and
//! spec, leaves once per process, spec and issuer; [`fingerprint`] names a
//! certificate by its SHA-256.

mod keys;
mod sign;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509Name, X509};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose,
    SanType, SerialNumber,
};
use x509_parser::asn1_rs::{FromDer, Integer};
use x509_parser::num_bigint::BigUint;
use x509_parser::prelude::{SubjectPublicKeyInfo, X509Name as ParsedName};
use x509_parser::public_key::PublicKey;

/// Why a key or certificate could not be made or read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PkiError {
    /// A CA id that was never added.
    #[error("unknown CA `{0}` (a CA must be added before anything it issues)")]
    UnknownCa(String),
    /// A CA id added twice.
    #[error("CA `{0}` is defined twice")]
    DuplicateCa(String),
    /// Something this PKI deliberately cannot make (or a test key it cannot
    /// read or sign with).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A subject that is neither a bare common name nor `CN=…, O=…`.
    #[error("invalid subject `{subject}`: {reason}")]
    InvalidSubject {
        /// The subject as written.
        subject: String,
        /// What is wrong with it.
        reason: String,
    },
    /// rcgen failed to make a key or certificate.
    #[error("rcgen: {0}")]
    Rcgen(String),
    /// OpenSSL failed to make or load a key or certificate.
    #[error("OpenSSL: {0}")]
    OpenSsl(String),
    /// A certificate that x509-parser cannot parse.
    #[error("cannot parse certificate: {0}")]
    Parse(String),
}

impl From<rcgen::Error> for PkiError {
    fn from(error: rcgen::Error) -> Self {
        PkiError::Rcgen(error.to_string())
    }
}

impl From<ErrorStack> for PkiError {
    fn from(error: ErrorStack) -> Self {
        PkiError::OpenSsl(error.to_string())
    }
}

/// Key algorithm and size of a key or certificate, as scenario files name it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    // kebab-case leaves digits attached ("rsa2048"): name those variants.
    /// RSA with a 2048-bit modulus.
    #[serde(rename = "rsa-2048")]
    Rsa2048,
    /// RSA with a 4096-bit modulus.
    #[serde(rename = "rsa-4096")]
    Rsa4096,
    /// ECDSA on NIST P-256 (secp256r1).
    EcdsaP256,
    /// ECDSA on NIST P-384 (secp384r1).
    EcdsaP384,
    /// DSA with 2048-bit parameters (OpenSSL only; cannot be a CA here).
    #[serde(rename = "dsa-2048")]
    Dsa2048,
    /// RSA with a 1024-bit modulus: what legacy servers still present, and
    /// what OpenSSL 3.0 at security level 2 and rustls refuse.
    #[serde(rename = "rsa-1024")]
    Rsa1024,
    /// ECDSA on NIST P-521 (secp521r1).
    EcdsaP521,
}

impl KeyType {
    /// Every key type, in declaration order.
    pub const ALL: [KeyType; 7] = [
        KeyType::Rsa2048,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Dsa2048,
        KeyType::Rsa1024,
        KeyType::EcdsaP521,
    ];

    /// The name scenario files use: `"rsa-2048"`, `"ecdsa-p256"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa-2048",
            KeyType::Rsa4096 => "rsa-4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::Dsa2048 => "dsa-2048",
            KeyType::Rsa1024 => "rsa-1024",
            KeyType::EcdsaP521 => "ecdsa-p521",
        }
    }

    /// The key's size in bits as security policies count it: the modulus
    /// for RSA, the prime p for DSA, the field for ECDSA.
    pub fn bits(self) -> u32 {
        match self {
            KeyType::Rsa1024 => 1024,
            KeyType::Rsa2048 | KeyType::Dsa2048 => 2048,
            KeyType::Rsa4096 => 4096,
            KeyType::EcdsaP256 => 256,
            KeyType::EcdsaP384 => 384,
            KeyType::EcdsaP521 => 521,
        }
    }

    /// The algorithm family.
    pub fn algorithm(self) -> KeyAlgorithm {
        match self {
            KeyType::Rsa1024 | KeyType::Rsa2048 | KeyType::Rsa4096 => KeyAlgorithm::Rsa,
            KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::EcdsaP521 => KeyAlgorithm::Ecdsa,
            KeyType::Dsa2048 => KeyAlgorithm::Dsa,
        }
    }

    /// The curve of an ECDSA key, by its TLS group name (`secp256r1`).
    pub fn curve(self) -> Option<&'static str> {
        match self {
            KeyType::EcdsaP256 => Some("secp256r1"),
            KeyType::EcdsaP384 => Some("secp384r1"),
            KeyType::EcdsaP521 => Some("secp521r1"),
            _ => None,
        }
    }

    /// The hash a key of this type signs certificates with unless its CA
    /// names another: SHA-256, or the curve's for P-384 and P-521.
    pub fn hash(self) -> SignatureHash {
        match self {
            KeyType::EcdsaP384 => SignatureHash::Sha384,
            KeyType::EcdsaP521 => SignatureHash::Sha512,
            _ => SignatureHash::Sha256,
        }
    }

    /// The TLS signature scheme of the signature a key of this type makes
    /// on a certificate with `hash` (TLS names X.509 signatures by scheme in
    /// `signature_algorithms_cert`): `rsa_pkcs1_sha256`, `ecdsa_sha1`, ...
    pub fn certificate_scheme(self, hash: SignatureHash) -> &'static str {
        use SignatureHash::{Sha1, Sha256, Sha384, Sha512};
        match (self.algorithm(), hash) {
            (KeyAlgorithm::Rsa, Sha1) => "rsa_pkcs1_sha1",
            (KeyAlgorithm::Rsa, Sha256) => "rsa_pkcs1_sha256",
            (KeyAlgorithm::Rsa, Sha384) => "rsa_pkcs1_sha384",
            (KeyAlgorithm::Rsa, Sha512) => "rsa_pkcs1_sha512",
            (KeyAlgorithm::Ecdsa, Sha1) => "ecdsa_sha1",
            (KeyAlgorithm::Ecdsa, Sha256) => "ecdsa_secp256r1_sha256",
            (KeyAlgorithm::Ecdsa, Sha384) => "ecdsa_secp384r1_sha384",
            (KeyAlgorithm::Ecdsa, Sha512) => "ecdsa_secp521r1_sha512",
            (KeyAlgorithm::Dsa, Sha1) => "dsa_sha1",
            (KeyAlgorithm::Dsa, _) => "dsa_sha256",
        }
    }

    /// The signature algorithm of a certificate this key signs with `hash`,
    /// as [`CertSummary::signature`] names it (`sha256-rsa`, `ecdsa-sha1`).
    pub fn signature_name(self, hash: SignatureHash) -> &'static str {
        lookup(SIGNATURES, signature_oid(self.algorithm(), hash)).unwrap_or("unknown")
    }
}

/// The hash of a signature a CA puts on what it issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureHash {
    /// SHA-1: what OpenSSL 3.0 refuses in a chain above security level 0
    /// (`ca md too weak`) and rustls never accepts.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl SignatureHash {
    /// Every hash, weakest first.
    pub const ALL: [SignatureHash; 4] = [
        SignatureHash::Sha1,
        SignatureHash::Sha256,
        SignatureHash::Sha384,
        SignatureHash::Sha512,
    ];

    /// The name scenario files use: `"sha1"`, `"sha256"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureHash::Sha1 => "sha1",
            SignatureHash::Sha256 => "sha256",
            SignatureHash::Sha384 => "sha384",
            SignatureHash::Sha512 => "sha512",
        }
    }

    /// The digest as OpenSSL names it.
    fn openssl(self) -> MessageDigest {
        match self {
            SignatureHash::Sha1 => MessageDigest::sha1(),
            SignatureHash::Sha256 => MessageDigest::sha256(),
            SignatureHash::Sha384 => MessageDigest::sha384(),
            SignatureHash::Sha512 => MessageDigest::sha512(),
        }
    }
}

impl std::fmt::Display for SignatureHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OID of a certificate signature by a key of `algorithm` with `hash`
/// (RFC 4055, RFC 5758, RFC 3279).
fn signature_oid(algorithm: KeyAlgorithm, hash: SignatureHash) -> &'static str {
    use SignatureHash::{Sha1, Sha256, Sha384, Sha512};
    match (algorithm, hash) {
        (KeyAlgorithm::Rsa, Sha1) => "1.2.840.113549.1.1.5",
        (KeyAlgorithm::Rsa, Sha256) => "1.2.840.113549.1.1.11",
        (KeyAlgorithm::Rsa, Sha384) => "1.2.840.113549.1.1.12",
        (KeyAlgorithm::Rsa, Sha512) => "1.2.840.113549.1.1.13",
        (KeyAlgorithm::Ecdsa, Sha1) => "1.2.840.10045.4.1",
        (KeyAlgorithm::Ecdsa, Sha256) => "1.2.840.10045.4.3.2",
        (KeyAlgorithm::Ecdsa, Sha384) => "1.2.840.10045.4.3.3",
        (KeyAlgorithm::Ecdsa, Sha512) => "1.2.840.10045.4.3.4",
        (KeyAlgorithm::Dsa, Sha1) => "1.2.840.10040.4.3",
        (KeyAlgorithm::Dsa, _) => "2.16.840.1.101.3.4.3.2",
    }
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The algorithm family of a [`KeyType`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// DSA.
    Dsa,
    /// ECDSA.
    Ecdsa,
    /// RSA.
    Rsa,
}

/// A CA to create. `issuer: None` = self-signed root.
///
/// The CA's key lives in the key slot `ca:<id>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CaSpec {
    /// Name other specs use to refer to this CA.
    pub id: String,
    /// Subject: a bare common name, or `CN=…, O=…`.
    pub subject: String,
    /// Key type of the CA (not DSA).
    pub key: KeyType,
    /// Id of the CA that signs this one; `None` for a self-signed root.
    pub issuer: Option<String>,
    /// The hash it signs what it issues with; `None`: its key's own
    /// ([`KeyType::hash`]).
    pub signature_hash: Option<SignatureHash>,
}

impl CaSpec {
    /// The hash this CA signs with.
    pub fn hash(&self) -> SignatureHash {
        self.signature_hash.unwrap_or(self.key.hash())
    }
}

/// Who signs a leaf.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Issuer {
    /// The leaf signs itself.
    SelfSigned,
    /// The CA with this id signs the leaf.
    Ca(String),
}

/// What a leaf certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A TLS server (EKU serverAuth).
    Server,
    /// A TLS client (EKU clientAuth).
    Client,
}

/// A leaf certificate to create.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LeafSpec {
    /// Subject: a bare common name, or `CN=…, O=…`.
    pub subject: String,
    /// DNS names for the subjectAltName extension.
    pub dns_names: Vec<String>,
    /// Key type of the leaf.
    pub key: KeyType,
    /// Who signs the leaf.
    pub issuer: Issuer,
    /// Server or client certificate.
    pub purpose: Purpose,
    /// Key slot: leaves with the same key type and slot share a key (and
    /// different slots may too; see the `keys` module).
    pub key_slot: String,
    /// When the certificate is valid.
    pub validity: Validity,
    /// Key usage keyAgreement too: an EC server certificate for static
    /// ECDH (`TLS_ECDH_*`), whose key is the key exchange (RFC 8422 §5.10;
    /// JSSE refuses it otherwise: "KeyUsage does not allow key agreement").
    pub key_agreement: bool,
}

/// A certificate's validity period, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Validity {
    /// notBefore.
    pub not_before: i64,
    /// notAfter.
    pub not_after: i64,
}

impl Default for Validity {
    /// 2000-01-01T00:00:00Z to 2049-12-31T23:59:59Z: wide enough that no
    /// run, in CI or by hand, meets an expiry it did not ask for.
    fn default() -> Self {
        Validity {
            not_before: 946_684_800,
            not_after: 2_524_607_999,
        }
    }
}

/// A certificate with its private key, ready for either backend.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Key type of the leaf.
    pub key_type: KeyType,
    /// Key type of whoever signed the leaf (`key_type` when self-signed).
    pub issuer_key: KeyType,
    /// The hash the leaf is signed with.
    pub issuer_hash: SignatureHash,
    /// The leaf certificate (DER).
    pub leaf_der: Vec<u8>,
    /// Intermediates above the leaf, nearest first, root excluded (DER).
    pub chain_der: Vec<Vec<u8>>,
    /// The leaf's private key (PKCS#8 DER).
    pub key_pkcs8_der: Vec<u8>,
}

/// A set of CAs by id, from which leaves are issued.
///
/// CAs are made when added; a CA with the same spec and the same issuer is
/// made once per process, however many `Pki`s add it.
#[derive(Debug, Default)]
pub struct Pki {
    cas: Vec<Arc<Ca>>,
}

/// A CA certificate and what is needed to sign with it.
#[derive(Debug)]
struct Ca {
    spec: CaSpec,
    params: CertificateParams,
    key: Arc<keys::PooledKey>,
    der: Vec<u8>,
    /// This CA and its ancestors, nearest first, self-signed root excluded.
    chain: Vec<Vec<u8>>,
}

impl Pki {
    /// An empty PKI: no CAs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (and makes) a CA. Its issuer must already be added.
    pub fn add_ca(&mut self, spec: CaSpec) -> Result<(), PkiError> {
        static CAS: Cache<(CaSpec, Option<Vec<u8>>), Arc<Ca>> = OnceLock::new();
        if self.cas.iter().any(|ca| ca.spec.id == spec.id) {
            return Err(PkiError::DuplicateCa(spec.id));
        }
        if spec.key.algorithm() == KeyAlgorithm::Dsa {
            return Err(PkiError::Unsupported(format!(
                "CA `{}` has a DSA key; CAs must use RSA or ECDSA",
                spec.id
            )));
        }
        let parent = spec.issuer.as_deref().map(|id| self.ca(id)).transpose()?;
        let cache_key = (spec.clone(), parent.map(|ca| ca.der.clone()));
        let ca = cached(&CAS, cache_key, || make_ca(spec, parent))?;
        self.cas.push(ca);
        Ok(())
    }

    /// The certificate (DER) of the CA `id`.
    pub fn ca_der(&self, id: &str) -> Result<Vec<u8>, PkiError> {
        Ok(self.ca(id)?.der.clone())
    }

    /// The specs of the CAs, in the order they were added (what the
    /// negotiation model reasons about instead of the certificates).
    pub fn ca_specs(&self) -> Vec<CaSpec> {
        self.cas.iter().map(|ca| ca.spec.clone()).collect()
    }

    /// Ids of the CAs, in the order they were added.
    pub fn ca_ids(&self) -> impl Iterator<Item = &str> {
        self.cas.iter().map(|ca| ca.spec.id.as_str())
    }

    /// Issues a leaf certificate. Its `chain_der` holds the issuing CA and its
    /// ancestors except the self-signed root.
    pub fn issue(&self, spec: &LeafSpec) -> Result<Identity, PkiError> {
        // The issuer's certificate and the hash it signs with: two CAs of
        // the same certificate may sign with different hashes.
        type IssuedBy = Option<(Vec<u8>, SignatureHash)>;
        static LEAVES: Cache<(LeafSpec, IssuedBy), Identity> = OnceLock::new();
        let issuer = match &spec.issuer {
            Issuer::SelfSigned => None,
            Issuer::Ca(id) => Some(self.ca(id)?),
        };
        let cache_key = (
            spec.clone(),
            issuer.map(|ca| (ca.der.clone(), ca.spec.hash())),
        );
        cached(&LEAVES, cache_key, || make_leaf(spec, issuer))
    }

    fn ca(&self, id: &str) -> Result<&Ca, PkiError> {
        self.cas
            .iter()
            .find(|ca| ca.spec.id == id)
            .map(|ca| &**ca)
            .ok_or_else(|| PkiError::UnknownCa(id.to_owned()))
    }
}

/// A process-wide cache whose entries are made once, outside the map's lock
/// (so that making one slow key does not hold up the others). Failures are
/// cached too: making keys and certificates does not fail transiently.
type Cache<K, V> = OnceLock<Mutex<HashMap<K, Arc<OnceLock<Result<V, PkiError>>>>>>;

fn cached<K: Eq + Hash, V: Clone>(
    cache: &Cache<K, V>,
    key: K,
    make: impl FnOnce() -> Result<V, PkiError>,
) -> Result<V, PkiError> {
    let entry = {
        let mut map = cache
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry(key).or_default())
    };
    entry.get_or_init(make).clone()
}

/// A certificate subject: a common name and an optional organisation.
struct Subject {
    common_name: String,
    organization: Option<String>,
}

impl Subject {
    /// Reads a bare common name (`Test Root`) or `CN=Test Root, O=Example`.
    fn parse(text: &str) -> Result<Self, PkiError> {
        let invalid = |reason: &str| PkiError::InvalidSubject {
            subject: text.to_owned(),
            reason: reason.to_owned(),
        };
        if !text.contains('=') {
            return match text.trim() {
                "" => Err(invalid("empty")),
                name => Ok(Subject {
                    common_name: name.to_owned(),
                    organization: None,
                }),
            };
        }
        let (mut common_name, mut organization) = (None, None);
        for attribute in text.split(',') {
            let (kind, value) = attribute
                .split_once('=')
                .ok_or_else(|| invalid("expected ATTRIBUTE=value"))?;
            let field = match kind.trim() {
                "CN" => &mut common_name,
                "O" => &mut organization,
                _ => return Err(invalid("only CN and O are supported")),
            };
            if field.replace(value.trim().to_owned()).is_some() {
                return Err(invalid("attribute given twice"));
            }
        }
        match common_name {
            Some(common_name) if !common_name.is_empty() => Ok(Subject {
                common_name,
                organization,
            }),
            _ => Err(invalid("no CN")),
        }
    }

    fn rcgen(&self) -> DistinguishedName {
        let mut name = DistinguishedName::new();
        if let Some(organization) = &self.organization {
            name.push(DnType::OrganizationName, organization.as_str());
        }
        name.push(DnType::CommonName, self.common_name.as_str());
        name
    }

    fn openssl(&self) -> Result<X509Name, ErrorStack> {
        let mut name = X509Name::builder()?;
        if let Some(organization) = &self.organization {
            name.append_entry_by_text("O", organization)?;
        }
        name.append_entry_by_text("CN", &self.common_name)?;
        Ok(name.build())
    }
}

/// The common name of a subject as scenario files write it (`Test Root`
/// or `CN=Test Root, O=Example`), or `None` if the text is not a subject.
pub fn common_name(subject: &str) -> Option<String> {
    Subject::parse(subject).ok().map(|s| s.common_name)
}

/// Whether two subjects as scenario files write them are the same name
/// (what makes a certificate's issuer equal its subject).
pub fn same_subject(a: &str, b: &str) -> bool {
    match (Subject::parse(a), Subject::parse(b)) {
        (Ok(a), Ok(b)) => a.common_name == b.common_name && a.organization == b.organization,
        _ => false,
    }
}

/// A serial number that depends only on what the certificate says (the
/// subject, the issuer's subject, the role, the key's type and the slot it
/// comes from, names and validity), so that two certificates that differ
/// never share an issuer and serial (RFC 5280 §4.1.2.2; NSS refuses a
/// second certificate with the same pair, as Firefox showed): the first 16 bytes of a SHA-256 over `parts`, top bits set to `01` so the
/// number is positive and always encodes in 16 bytes.
fn serial_number(parts: &[&str]) -> [u8; 16] {
    let mut hasher = openssl::sha::Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    let mut serial = [0; 16];
    serial.copy_from_slice(&hasher.finish()[..16]);
    serial[0] = serial[0] & 0x3f | 0x40;
    serial
}

/// Parameters common to CA and leaf certificates made with rcgen.
fn base_params(
    subject: &Subject,
    serial: &[u8],
    ca_issued: bool,
    validity: Validity,
) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.rcgen();
    params.serial_number = Some(SerialNumber::from_slice(serial));
    let time = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t).map_err(|e| PkiError::Rcgen(e.to_string()))
    };
    params.not_before = time(validity.not_before)?;
    params.not_after = time(validity.not_after)?;
    params.use_authority_key_identifier_extension = ca_issued;
    Ok(params)
}

fn make_ca(spec: CaSpec, parent: Option<&Ca>) -> Result<Arc<Ca>, PkiError> {
    let issuer_subject = parent.map_or(&spec.subject, |ca| &ca.spec.subject);
    let slot = format!("ca:{}", spec.id);
    let serial = serial_number(&[
        &spec.subject,
        issuer_subject,
        "ca",
        spec.key.as_str(),
        &slot,
    ]);
    let mut params = base_params(
        &Subject::parse(&spec.subject)?,
        &serial,
        parent.is_some(),
        Validity::default(),
    )?;
    params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = keys::key(spec.key, &slot)?;
    let der = rcgen_sign(&params, &key, parent)?;
    let chain = match parent {
        None => Vec::new(),
        Some(parent) => std::iter::once(der.clone())
            .chain(parent.chain.iter().cloned())
            .collect(),
    };
    Ok(Arc::new(Ca {
        spec,
        params,
        key,
        der,
        chain,
    }))
}

fn make_leaf(spec: &LeafSpec, issuer: Option<&Ca>) -> Result<Identity, PkiError> {
    let subject = Subject::parse(&spec.subject)?;
    let issuer_subject = issuer.map_or(&spec.subject, |ca| &ca.spec.subject);
    let role = match spec.purpose {
        Purpose::Server => "server",
        Purpose::Client => "client",
    };
    let mut serial_parts = vec![
        spec.subject.as_str(),
        issuer_subject,
        role,
        spec.key.as_str(),
    ];
    serial_parts.extend(spec.dns_names.iter().map(String::as_str));
    let validity = format!("{}-{}", spec.validity.not_before, spec.validity.not_after);
    serial_parts.extend([spec.key_slot.as_str(), &validity]);
    let serial = serial_number(&serial_parts);
    let key = keys::key(spec.key, &spec.key_slot)?;
    let hash = issuer.map_or(spec.key.hash(), |ca| ca.spec.hash());
    let signing = issuer.map_or(&*key, |ca| &*ca.key);
    let rcgen_can =
        key.signer.rcgen(spec.key.hash()).is_some() && signing.signer.rcgen(hash).is_some();
    let leaf_der = if rcgen_can {
        rcgen_leaf(spec, &subject, &serial, &key, issuer)?
    } else {
        openssl_leaf(spec, &subject, &serial, &key, issuer)?
    };
    Ok(Identity {
        key_type: spec.key,
        issuer_key: issuer.map_or(spec.key, |ca| ca.spec.key),
        issuer_hash: hash,
        leaf_der,
        chain_der: issuer.map(|ca| ca.chain.clone()).unwrap_or_default(),
        key_pkcs8_der: key.pkcs8.to_vec(),
    })
}

fn rcgen_leaf(
    spec: &LeafSpec,
    subject: &Subject,
    serial: &[u8],
    key: &keys::PooledKey,
    issuer: Option<&Ca>,
) -> Result<Vec<u8>, PkiError> {
    let mut params = base_params(subject, serial, issuer.is_some(), spec.validity)?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.subject_alt_names = spec
        .dns_names
        .iter()
        .map(|name| Ok(SanType::DnsName(name.clone().try_into()?)))
        .collect::<Result<_, rcgen::Error>>()?;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // Static-RSA key exchange encrypts the premaster secret to the server key.
    if spec.purpose == Purpose::Server && spec.key.algorithm() == KeyAlgorithm::Rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    if spec.key_agreement && spec.key.algorithm() == KeyAlgorithm::Ecdsa {
        params.key_usages.push(KeyUsagePurpose::KeyAgreement);
    }
    params.extended_key_usages = vec![match spec.purpose {
        Purpose::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Purpose::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    rcgen_sign(&params, key, issuer)
}

/// Signs with rcgen: by `issuer` with its hash, or self-signed with the
/// key's own, always through the signing key's [`sign::Signer`].
fn rcgen_sign(
    params: &CertificateParams,
    subject_key: &keys::PooledKey,
    issuer: Option<&Ca>,
) -> Result<Vec<u8>, PkiError> {
    let own = subject_key.key_type;
    let subject_key = subject_key.signer.rcgen(own.hash()).ok_or_else(|| {
        PkiError::Unsupported(format!("rcgen cannot make certificates for {own} keys"))
    })?;
    let cert = match issuer {
        Some(ca) => {
            let key = ca.key.signer.rcgen(ca.spec.hash()).ok_or_else(|| {
                PkiError::Unsupported(format!(
                    "CA {} signs with {}: it can sign leaves here, not CAs",
                    ca.spec.id,
                    ca.spec.hash()
                ))
            })?;
            params.signed_by(&subject_key, &rcgen::Issuer::from_params(&ca.params, key))?
        }
        None => params.self_signed(&subject_key)?,
    };
    Ok(cert.der().to_vec())
}

/// A leaf rcgen cannot express (a DSA key, or an issuer signing with SHA-1
/// or with a hash that is not its curve's): the same fields as
/// [`rcgen_leaf`] writes, built with OpenSSL and signed by the issuer's
/// [`sign::Signer`]. OpenSSL signs too, because its builder writes the
/// certificate only signed, and with the issuer's key, because that names
/// the right algorithm in the `tbsCertificate`; [`sign::resign`] throws
/// that (randomised, for ECDSA and DSA) signature away.
fn openssl_leaf(
    spec: &LeafSpec,
    subject: &Subject,
    serial: &[u8],
    key: &keys::PooledKey,
    issuer: Option<&Ca>,
) -> Result<Vec<u8>, PkiError> {
    let issuer_cert = issuer.map(|ca| X509::from_der(&ca.der)).transpose()?;
    let signing_key = issuer.map_or(key, |ca| &ca.key);
    let key = key.openssl()?;
    let name = subject.openssl()?;
    let mut cert = X509::builder()?;
    cert.set_version(2)?;
    let serial = BigNum::from_slice(serial)?.to_asn1_integer()?;
    cert.set_serial_number(&serial)?;
    cert.set_subject_name(&name)?;
    cert.set_issuer_name(issuer_cert.as_ref().map_or(&*name, |ca| ca.subject_name()))?;
    let (not_before, not_after) = (
        Asn1Time::from_unix(spec.validity.not_before)?,
        Asn1Time::from_unix(spec.validity.not_after)?,
    );
    cert.set_not_before(&not_before)?;
    cert.set_not_after(&not_after)?;
    cert.set_pubkey(key)?;
    cert.append_extension(BasicConstraints::new().critical().build()?)?;
    let mut usage = KeyUsage::new();
    usage.critical().digital_signature();
    if spec.purpose == Purpose::Server && spec.key.algorithm() == KeyAlgorithm::Rsa {
        usage.key_encipherment();
    }
    if spec.key_agreement && spec.key.algorithm() == KeyAlgorithm::Ecdsa {
        usage.key_agreement();
    }
    cert.append_extension(usage.build()?)?;
    let mut eku = ExtendedKeyUsage::new();
    match spec.purpose {
        Purpose::Server => eku.server_auth(),
        Purpose::Client => eku.client_auth(),
    };
    cert.append_extension(eku.build()?)?;
    if !spec.dns_names.is_empty() {
        let mut san = SubjectAlternativeName::new();
        for name in &spec.dns_names {
            san.dns(name);
        }
        let san = san.build(&cert.x509v3_context(None, None))?;
        cert.append_extension(san)?;
    }
    let ski = SubjectKeyIdentifier::new().build(&cert.x509v3_context(None, None))?;
    cert.append_extension(ski)?;
    if let Some(issuer_cert) = issuer_cert.as_deref() {
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&cert.x509v3_context(Some(issuer_cert), None))?;
        cert.append_extension(aki)?;
    }
    let hash = issuer.map_or(signing_key.key_type.hash(), |ca| ca.spec.hash());
    cert.sign(signing_key.openssl()?, hash.openssl())?;
    sign::resign(&cert.build().to_der()?, &signing_key.signer, hash)
}

/// The SHA-256 fingerprint of a certificate (DER): 64 lowercase hex digits,
/// no colons. The harness's certificates are deterministic, so a
/// fingerprint names the same certificate on every run and machine.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(openssl::sha::sha256(der))
}

/// A certificate (DER) as PEM text.
pub fn pem(der: &[u8]) -> Result<String, PkiError> {
    let pem = openssl::x509::X509::from_der(der)?.to_pem()?;
    String::from_utf8(pem).map_err(|e| PkiError::Parse(e.to_string()))
}

/// The CAs above a certificate with `issuer`, nearest first, up to the
/// root (or to the first CA seen twice).
pub fn issuers(issuer: &Issuer, cas: &[CaSpec]) -> Vec<String> {
    let mut path = Vec::new();
    let mut next = match issuer {
        Issuer::SelfSigned => None,
        Issuer::Ca(id) => Some(id.clone()),
    };
    while let Some(id) = next.take() {
        if path.contains(&id) {
            break;
        }
        next = cas
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.issuer.clone());
        path.push(id);
    }
    path
}

/// What a peer's certificate says, for normalised outcomes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CertSummary {
    /// Subject key: `"rsa-2048"`, `"ecdsa-p256"`, `"dsa-2048"`, `"rsa-3072"`,
    /// ..., or `"unknown"`.
    pub key: String,
    /// The subject's common name, or the full DN if it has none.
    pub subject: String,
    /// The issuer's common name, or the full DN if it has none.
    pub issuer: String,
    /// Whether the issuer name equals the subject name.
    pub self_signed: bool,
    /// Signature algorithm: `"sha256-rsa"`, `"ecdsa-sha256"`,
    /// `"ecdsa-sha384"`, `"dsa-sha256"`, ..., or `"unknown"`.
    pub signature: String,
}

/// Summarises a certificate (DER).
pub fn summarize(der: &[u8]) -> Result<CertSummary, PkiError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| PkiError::Parse(e.to_string()))?;
    let signature = cert.signature_algorithm.algorithm.to_id_string();
    Ok(CertSummary {
        key: key_name(cert.public_key()).unwrap_or_else(|| "unknown".to_owned()),
        subject: name_summary(cert.subject()),
        issuer: name_summary(cert.issuer()),
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        signature: lookup(SIGNATURES, &signature)
            .unwrap_or("unknown")
            .to_owned(),
    })
}

/// What a certificate looks like, as far as the PKI can make one like it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertShape {
    /// Key, subject, issuer, signature.
    pub summary: CertSummary,
    /// Its subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// Its validity, in seconds since the Unix epoch.
    pub not_before: i64,
    /// The end of its validity, in seconds since the Unix epoch.
    pub not_after: i64,
}

/// The shape of a certificate (DER).
pub fn shape(der: &[u8]) -> Result<CertShape, PkiError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|e| PkiError::Parse(e.to_string()))?;
    let dns_names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(CertShape {
        summary: summarize(der)?,
        dns_names,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// The key type of the PKI nearest to a key named as [`CertSummary::key`]
/// names it (`rsa-3072`, `ecdsa-p256`), and whether it is that key
/// exactly: the same algorithm with the nearest size at or above it (else
/// the largest), RSA for an unknown algorithm.
pub fn nearest_key(name: &str) -> (KeyType, bool) {
    if let Some(exact) = KeyType::ALL.iter().find(|k| k.as_str() == name) {
        return (*exact, true);
    }
    let (family, bits) = name.rsplit_once('-').unwrap_or((name, ""));
    let bits: u32 = bits.trim_start_matches('p').parse().unwrap_or(0);
    let mut same: Vec<KeyType> = KeyType::ALL
        .into_iter()
        .filter(|k| k.as_str().starts_with(family))
        .collect();
    if same.is_empty() {
        same = vec![KeyType::Rsa1024, KeyType::Rsa2048, KeyType::Rsa4096];
    }
    same.sort_by_key(|k| k.bits());
    let pick = same.iter().find(|k| k.bits() >= bits).or(same.last());
    (*pick.expect("every family has a key type"), false)
}

const SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.4", "md5-rsa"),
    ("1.2.840.113549.1.1.5", "sha1-rsa"),
    ("1.2.840.113549.1.1.11", "sha256-rsa"),
    ("1.2.840.113549.1.1.12", "sha384-rsa"),
    ("1.2.840.113549.1.1.13", "sha512-rsa"),
    ("1.2.840.113549.1.1.10", "rsa-pss"),
    ("1.2.840.10045.4.1", "ecdsa-sha1"),
    ("1.2.840.10045.4.3.2", "ecdsa-sha256"),
    ("1.2.840.10045.4.3.3", "ecdsa-sha384"),
    ("1.2.840.10045.4.3.4", "ecdsa-sha512"),
    ("1.2.840.10040.4.3", "dsa-sha1"),
    ("2.16.840.1.101.3.4.3.2", "dsa-sha256"),
    ("1.3.101.112", "ed25519"),
    ("1.3.101.113", "ed448"),
];

const CURVES: &[(&str, &str)] = &[
    ("1.2.840.10045.3.1.7", "ecdsa-p256"),
    ("1.3.132.0.34", "ecdsa-p384"),
    ("1.3.132.0.35", "ecdsa-p521"),
];

fn lookup(table: &[(&str, &'static str)], oid: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(id, _)| *id == oid)
        .map(|(_, name)| *name)
}

fn key_name(spki: &SubjectPublicKeyInfo<'_>) -> Option<String> {
    let parameters = spki.algorithm.parameters.as_ref();
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => match spki.parsed().ok()? {
            PublicKey::RSA(rsa) => Some(format!("rsa-{}", bits(rsa.modulus))),
            _ => None,
        },
        "1.2.840.10045.2.1" => {
            let curve = parameters?.as_oid().ok()?.to_id_string();
            lookup(CURVES, &curve).map(str::to_owned)
        }
        "1.2.840.10040.4.1" => {
            // Dss-Parms ::= SEQUENCE { p, q, g }: the key size is that of p.
            let (_, p) = Integer::from_der(parameters?.data).ok()?;
            Some(format!("dsa-{}", bits(p.as_ref())))
        }
        _ => None,
    }
}

/// Size in bits of an unsigned big-endian integer.
fn bits(unsigned: &[u8]) -> u64 {
    BigUint::from_bytes_be(unsigned).bits()
}

fn name_summary(name: &ParsedName<'_>) -> String {
    name.iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map_or_else(|| name.to_string(), str::to_owned)
}
