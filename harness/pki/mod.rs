//! The test PKI, generated at run time: RSA, ECDSA and DSA keys, self-signed
//! certificates and CA-signed chains (root → intermediates → leaf).
//!
//! rcgen makes the RSA and ECDSA keys and every certificate whose subject key
//! is RSA or ECDSA; rcgen has no DSA, so DSA keys and certificates for DSA keys
//! are made with OpenSSL. Keys are made once per process and (key type, slot),
//! certificates once per process and spec. Certificates are deterministic
//! apart from keys and signatures: the serial number is a hash of what the
//! certificate says, and every certificate is valid from 2000-01-01T00:00:00Z
//! to 2049-12-31T23:59:59Z.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::dsa::Dsa;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Params};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509Name, X509};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, RsaKeySize, SanType, SerialNumber,
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
    /// Something this PKI deliberately cannot make.
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
}

impl KeyType {
    /// Every key type, in declaration order.
    pub const ALL: [KeyType; 5] = [
        KeyType::Rsa2048,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Dsa2048,
    ];

    /// The name scenario files use: `"rsa-2048"`, `"ecdsa-p256"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa-2048",
            KeyType::Rsa4096 => "rsa-4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
            KeyType::Dsa2048 => "dsa-2048",
        }
    }

    /// The algorithm family.
    pub fn algorithm(self) -> KeyAlgorithm {
        match self {
            KeyType::Rsa2048 | KeyType::Rsa4096 => KeyAlgorithm::Rsa,
            KeyType::EcdsaP256 | KeyType::EcdsaP384 => KeyAlgorithm::Ecdsa,
            KeyType::Dsa2048 => KeyAlgorithm::Dsa,
        }
    }

    /// The signature algorithm of a certificate this key signs, as
    /// [`CertSummary::signature`] names it: the key's family with the hash
    /// of [`KeyType::digest`].
    pub fn signature_name(self) -> &'static str {
        match self {
            KeyType::Rsa2048 | KeyType::Rsa4096 => "sha256-rsa",
            KeyType::EcdsaP256 => "ecdsa-sha256",
            KeyType::EcdsaP384 => "ecdsa-sha384",
            KeyType::Dsa2048 => "dsa-sha256",
        }
    }

    /// The hash a key of this type signs certificates with; rcgen's choice for
    /// its own keys, repeated here for certificates OpenSSL signs.
    fn digest(self) -> MessageDigest {
        match self {
            KeyType::EcdsaP384 => MessageDigest::sha384(),
            _ => MessageDigest::sha256(),
        }
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
    /// Key slot: leaves with the same key type and slot share a key.
    pub key_slot: String,
    /// When the certificate is valid.
    pub validity: Validity,
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
#[derive(Clone, Debug)]
pub struct Identity {
    /// Key type of the leaf.
    pub key_type: KeyType,
    /// Key type of whoever signed the leaf (`key_type` when self-signed).
    pub issuer_key: KeyType,
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
    key: KeyPair,
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
        static LEAVES: Cache<(LeafSpec, Option<Vec<u8>>), Identity> = OnceLock::new();
        let issuer = match &spec.issuer {
            Issuer::SelfSigned => None,
            Issuer::Ca(id) => Some(self.ca(id)?),
        };
        let cache_key = (spec.clone(), issuer.map(|ca| ca.der.clone()));
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

/// The private key (PKCS#8 DER) of type `key_type` in `slot`, made on first use.
fn key_pkcs8(key_type: KeyType, slot: &str) -> Result<Vec<u8>, PkiError> {
    static KEYS: Cache<(KeyType, String), Vec<u8>> = OnceLock::new();
    cached(&KEYS, (key_type, slot.to_owned()), || {
        let rsa = |size| KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size);
        let key = match key_type {
            KeyType::Rsa2048 => rsa(RsaKeySize::_2048)?,
            KeyType::Rsa4096 => rsa(RsaKeySize::_4096)?,
            KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
            KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)?,
            KeyType::Dsa2048 => return dsa_key(),
        };
        Ok(key.serialize_der())
    })
}

/// A new DSA key (PKCS#8 DER) from the process's 2048-bit DSA parameters.
fn dsa_key() -> Result<Vec<u8>, PkiError> {
    static PARAMS: OnceLock<Result<Dsa<Params>, PkiError>> = OnceLock::new();
    let params = PARAMS
        .get_or_init(|| Ok(Dsa::generate_params(2048)?))
        .as_ref()
        .map_err(PkiError::clone)?;
    let params = Dsa::from_pqg(
        params.p().to_owned()?,
        params.q().to_owned()?,
        params.g().to_owned()?,
    )?;
    Ok(PKey::from_dsa(params.generate_key()?)?.private_key_to_pkcs8()?)
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
/// subject, the issuer's subject, the role and the key type; not the key):
/// the first 16 bytes of a SHA-256 over `parts`, top bits set to `01` so the
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
    let serial = serial_number(&[&spec.subject, issuer_subject, "ca", spec.key.as_str()]);
    let mut params = base_params(
        &Subject::parse(&spec.subject)?,
        &serial,
        parent.is_some(),
        Validity::default(),
    )?;
    params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::try_from(key_pkcs8(spec.key, &format!("ca:{}", spec.id))?)?;
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
    let serial = serial_number(&serial_parts);
    let key = key_pkcs8(spec.key, &spec.key_slot)?;
    let leaf_der = match spec.key.algorithm() {
        KeyAlgorithm::Dsa => openssl_leaf(spec, &subject, &serial, &key, issuer)?,
        KeyAlgorithm::Rsa | KeyAlgorithm::Ecdsa => {
            rcgen_leaf(spec, &subject, &serial, &key, issuer)?
        }
    };
    Ok(Identity {
        key_type: spec.key,
        issuer_key: issuer.map_or(spec.key, |ca| ca.spec.key),
        leaf_der,
        chain_der: issuer.map(|ca| ca.chain.clone()).unwrap_or_default(),
        key_pkcs8_der: key,
    })
}

fn rcgen_leaf(
    spec: &LeafSpec,
    subject: &Subject,
    serial: &[u8],
    key: &[u8],
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
    params.extended_key_usages = vec![match spec.purpose {
        Purpose::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Purpose::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    rcgen_sign(&params, &KeyPair::try_from(key)?, issuer)
}

/// Signs with rcgen: by `issuer`, or self-signed. The signature algorithm
/// follows the signing key (RSA: SHA-256, P-256: SHA-256, P-384: SHA-384).
fn rcgen_sign(
    params: &CertificateParams,
    subject_key: &KeyPair,
    issuer: Option<&Ca>,
) -> Result<Vec<u8>, PkiError> {
    let cert = match issuer {
        Some(ca) => params.signed_by(
            subject_key,
            &rcgen::Issuer::from_params(&ca.params, &ca.key),
        )?,
        None => params.self_signed(subject_key)?,
    };
    Ok(cert.der().to_vec())
}

/// A leaf for a DSA key, which rcgen cannot express: the same fields as
/// [`rcgen_leaf`] writes, built and signed with OpenSSL.
fn openssl_leaf(
    spec: &LeafSpec,
    subject: &Subject,
    serial: &[u8],
    key: &[u8],
    issuer: Option<&Ca>,
) -> Result<Vec<u8>, PkiError> {
    let key = PKey::private_key_from_pkcs8(key)?;
    let issuer_cert = issuer.map(|ca| X509::from_der(&ca.der)).transpose()?;
    let (signing_key, digest) = match issuer {
        Some(ca) => (
            PKey::private_key_from_pkcs8(ca.key.serialized_der())?,
            ca.spec.key.digest(),
        ),
        None => (key.clone(), spec.key.digest()),
    };
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
    cert.set_pubkey(&key)?;
    cert.append_extension(BasicConstraints::new().critical().build()?)?;
    cert.append_extension(KeyUsage::new().critical().digital_signature().build()?)?;
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
    cert.sign(&signing_key, digest)?;
    Ok(cert.build().to_der()?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::X509StoreContext;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::client::WebPkiServerVerifier;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::RootCertStore;
    use std::time::Duration;
    use x509_parser::prelude::X509Certificate;

    fn ca(id: &str, subject: &str, key: KeyType, issuer: Option<&str>) -> CaSpec {
        CaSpec {
            id: id.into(),
            subject: subject.into(),
            key,
            issuer: issuer.map(Into::into),
        }
    }

    fn leaf(key: KeyType, issuer: Issuer, purpose: Purpose) -> LeafSpec {
        LeafSpec {
            subject: format!("{key} {purpose:?}"),
            dns_names: vec!["leaf.example".into()],
            key,
            issuer,
            purpose,
            key_slot: "leaf".into(),
            validity: Validity::default(),
        }
    }

    /// RSA root → RSA intermediate; a sibling RSA root with the same name but
    /// its own key; ECDSA P-256 and P-384 roots.
    fn test_pki() -> Pki {
        let mut pki = Pki::new();
        for spec in [
            ca("root", "Test Root", KeyType::Rsa2048, None),
            ca("sibling", "Test Root", KeyType::Rsa2048, None),
            ca(
                "inter",
                "CN=Test Intermediate, O=Harness",
                KeyType::Rsa2048,
                Some("root"),
            ),
            ca("ec-root", "EC Root", KeyType::EcdsaP256, None),
            ca("p384-root", "P-384 Root", KeyType::EcdsaP384, None),
        ] {
            pki.add_ca(spec).unwrap();
        }
        pki
    }

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        x509_parser::parse_x509_certificate(der).unwrap().1
    }

    fn openssl_verifies(root: &[u8], chain: &[Vec<u8>], leaf: &[u8]) -> bool {
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(X509::from_der(root).unwrap()).unwrap();
        let store = store.build();
        let mut untrusted = Stack::new().unwrap();
        for cert in chain {
            untrusted.push(X509::from_der(cert).unwrap()).unwrap();
        }
        let leaf = X509::from_der(leaf).unwrap();
        let mut context = X509StoreContext::new().unwrap();
        context
            .init(&store, &leaf, &untrusted, |c| c.verify_cert())
            .unwrap()
    }

    fn webpki_verifies(root: &[u8], identity: &Identity) -> Result<(), rustls::Error> {
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(root.to_vec())).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap();
        let chain: Vec<_> = identity
            .chain_der
            .iter()
            .map(|c| CertificateDer::from(c.clone()))
            .collect();
        let new_year_2026 = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
        verifier
            .verify_server_cert(
                &CertificateDer::from(identity.leaf_der.clone()),
                &chain,
                &ServerName::try_from("leaf.example").unwrap(),
                &[],
                new_year_2026,
            )
            .map(drop)
    }

    #[test]
    fn chain_verifies_only_under_its_own_root() {
        let pki = test_pki();
        let spec = leaf(
            KeyType::EcdsaP256,
            Issuer::Ca("inter".into()),
            Purpose::Server,
        );
        let identity = pki.issue(&spec).unwrap();
        assert_eq!(identity.chain_der, vec![pki.ca_der("inter").unwrap()]);
        assert_eq!(identity.issuer_key, KeyType::Rsa2048);

        let root = pki.ca_der("root").unwrap();
        assert!(openssl_verifies(
            &root,
            &identity.chain_der,
            &identity.leaf_der
        ));
        webpki_verifies(&root, &identity).unwrap();

        let sibling = pki.ca_der("sibling").unwrap();
        assert!(!openssl_verifies(
            &sibling,
            &identity.chain_der,
            &identity.leaf_der
        ));
        assert!(webpki_verifies(&sibling, &identity).is_err());
    }

    #[test]
    fn summary_names_key_issuer_and_signature() {
        let pki = test_pki();
        let spec = leaf(
            KeyType::EcdsaP256,
            Issuer::Ca("inter".into()),
            Purpose::Server,
        );
        let summary = summarize(&pki.issue(&spec).unwrap().leaf_der).unwrap();
        assert_eq!(
            summary,
            CertSummary {
                key: "ecdsa-p256".into(),
                subject: "ecdsa-p256 Server".into(),
                issuer: "Test Intermediate".into(),
                self_signed: false,
                signature: "sha256-rsa".into(),
            }
        );

        let dsa = leaf(KeyType::Dsa2048, Issuer::SelfSigned, Purpose::Server);
        let summary = summarize(&pki.issue(&dsa).unwrap().leaf_der).unwrap();
        assert_eq!(
            (summary.key.as_str(), summary.self_signed),
            ("dsa-2048", true)
        );
        assert_eq!(summary.signature, "dsa-sha256");

        let root = summarize(&pki.ca_der("root").unwrap()).unwrap();
        assert_eq!((root.key.as_str(), root.self_signed), ("rsa-2048", true));
        assert!(summarize(b"not a certificate").is_err());
    }

    #[test]
    fn same_slot_same_key_other_slot_other_key() {
        let public = |slot| {
            let key = PKey::private_key_from_pkcs8(&key_pkcs8(KeyType::Rsa2048, slot).unwrap());
            key.unwrap().public_key_to_der().unwrap()
        };
        assert_eq!(public("cache-a"), public("cache-a"));
        assert_ne!(public("cache-a"), public("cache-b"));
    }

    /// Two PKIs whose CAs have the same names but different ids (so different
    /// keys) issue certificates that differ only in keys and signatures.
    #[test]
    fn certificates_are_deterministic_apart_from_keys() {
        let pkis: Vec<(Pki, &str)> = ["det-1", "det-2"]
            .into_iter()
            .map(|id| {
                let mut pki = Pki::new();
                pki.add_ca(ca(id, "Det Root", KeyType::EcdsaP256, None))
                    .unwrap();
                (pki, id)
            })
            .collect();
        for key in [KeyType::EcdsaP256, KeyType::Dsa2048] {
            let issued: Vec<_> = pkis
                .iter()
                .map(|(pki, id)| {
                    let spec = LeafSpec {
                        key_slot: format!("det-{id}"),
                        ..leaf(key, Issuer::Ca((*id).into()), Purpose::Client)
                    };
                    pki.issue(&spec).unwrap().leaf_der
                })
                .collect();
            let (a, b) = (parse(&issued[0]), parse(&issued[1]));
            assert_ne!(a.public_key().raw, b.public_key().raw);
            assert_eq!(a.raw_serial(), b.raw_serial());
            for cert in [&a, &b] {
                let validity = cert.validity();
                let span = (
                    validity.not_before.timestamp(),
                    validity.not_after.timestamp(),
                );
                assert_eq!(span, (946_684_800, 2_524_607_999)); // 2000-01-01 to 2049-12-31T23:59:59
            }
            assert_eq!(a.subject().as_raw(), b.subject().as_raw());
            assert_eq!(a.issuer().as_raw(), b.issuer().as_raw());
            assert_eq!(summarize(&issued[0]), summarize(&issued[1]));
            // Both builders (rcgen for ECDSA, OpenSSL for DSA) write the
            // validity as UTCTime, and a 16-byte positive serial.
            for der in &issued {
                let contains = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
                assert!(contains(b"\x17\x0d000101000000Z\x17\x0d491231235959Z"));
                assert_eq!(parse(der).raw_serial().len(), 16);
            }
        }
        let roots: Vec<_> = pkis
            .iter()
            .map(|(pki, id)| pki.ca_der(id).unwrap())
            .collect();
        assert_eq!(parse(&roots[0]).raw_serial(), parse(&roots[1]).raw_serial());
        // Pinned, so that a change to the derivation (which changes snapshots) is seen.
        assert_eq!(
            parse(&roots[0]).raw_serial_as_string(),
            "57:cb:e6:0c:1f:e0:8d:ab:fc:34:7a:5d:ee:05:fa:5e"
        );
        assert_ne!(roots[0], roots[1]);
    }

    #[test]
    fn every_key_type_can_be_issued_by_rsa_and_ecdsa_roots() {
        let pki = test_pki();
        let roots = [
            ("root", "sha256-rsa"),
            ("ec-root", "ecdsa-sha256"),
            ("p384-root", "ecdsa-sha384"),
        ];
        for key in KeyType::ALL {
            for (root, signature) in roots {
                let identity = pki
                    .issue(&leaf(key, Issuer::Ca(root.into()), Purpose::Server))
                    .unwrap();
                let summary = summarize(&identity.leaf_der).unwrap();
                assert_eq!(
                    (summary.key.as_str(), summary.signature.as_str()),
                    (key.as_str(), signature)
                );
                let root_der = pki.ca_der(root).unwrap();
                assert!(
                    openssl_verifies(&root_der, &identity.chain_der, &identity.leaf_der),
                    "{key} under {root}"
                );

                let private = PKey::private_key_from_pkcs8(&identity.key_pkcs8_der).unwrap();
                let public = X509::from_der(&identity.leaf_der)
                    .unwrap()
                    .public_key()
                    .unwrap();
                assert!(
                    private.public_eq(&public),
                    "{key}: key does not match certificate"
                );
                if key.algorithm() != KeyAlgorithm::Dsa {
                    webpki_verifies(&root_der, &identity).unwrap();
                    let der = PrivateKeyDer::Pkcs8(identity.key_pkcs8_der.clone().into());
                    rustls::crypto::aws_lc_rs::sign::any_supported_type(&der).unwrap();
                }
            }
        }
    }

    #[test]
    fn extensions_follow_role_and_key() {
        use x509_parser::oid_registry::{
            OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER as AKI,
            OID_X509_EXT_SUBJECT_KEY_IDENTIFIER as SKI,
        };
        let pki = test_pki();
        let der = pki.ca_der("inter").unwrap();
        let ca = parse(&der);
        let constraints = ca.basic_constraints().unwrap().unwrap();
        assert!(constraints.critical && constraints.value.ca);
        let usage = ca.key_usage().unwrap().unwrap().value;
        assert!(usage.key_cert_sign() && usage.crl_sign() && !usage.digital_signature());
        assert_eq!(ca.subject().to_string(), "O=Harness, CN=Test Intermediate");

        for key in [KeyType::Rsa2048, KeyType::EcdsaP384, KeyType::Dsa2048] {
            for purpose in [Purpose::Server, Purpose::Client] {
                let spec = leaf(key, Issuer::Ca("root".into()), purpose);
                let der = pki.issue(&spec).unwrap().leaf_der;
                let cert = parse(&der);
                let eku = cert.extended_key_usage().unwrap().unwrap().value;
                let server = purpose == Purpose::Server;
                assert_eq!((eku.server_auth, eku.client_auth), (server, !server));
                let usage = cert.key_usage().unwrap().unwrap().value;
                assert!(usage.digital_signature() && !usage.key_cert_sign());
                let rsa = key.algorithm() == KeyAlgorithm::Rsa;
                assert_eq!(usage.key_encipherment(), server && rsa, "{key} {purpose:?}");
                assert!(!cert.is_ca());
                let san = cert.subject_alternative_name().unwrap().unwrap().value;
                assert_eq!(san.general_names.len(), 1);
                for id in [AKI, SKI] {
                    assert!(cert.get_extension_unique(&id).unwrap().is_some());
                }
            }
        }
    }

    #[test]
    fn key_type_names_match_serde() {
        use serde::de::{value::Error, value::StrDeserializer, Deserialize};
        for key in KeyType::ALL {
            let parsed = KeyType::deserialize(StrDeserializer::<Error>::new(key.as_str()));
            assert_eq!(parsed, Ok(key));
        }
    }

    #[test]
    fn bad_specs_give_the_right_errors() {
        let mut pki = test_pki();
        let orphan = ca("orphan", "Orphan", KeyType::Rsa2048, Some("nowhere"));
        assert_eq!(
            pki.add_ca(orphan),
            Err(PkiError::UnknownCa("nowhere".into()))
        );
        let dsa = pki.add_ca(ca("dsa", "DSA CA", KeyType::Dsa2048, None));
        assert!(matches!(dsa, Err(PkiError::Unsupported(_))), "{dsa:?}");
        let twice = pki.add_ca(ca("root", "Again", KeyType::EcdsaP256, None));
        assert_eq!(twice, Err(PkiError::DuplicateCa("root".into())));
        let bad_subject = pki.add_ca(ca("bad", "CN=x, OU=y", KeyType::EcdsaP256, None));
        assert!(matches!(bad_subject, Err(PkiError::InvalidSubject { .. })));
        let unknown = pki.issue(&leaf(
            KeyType::EcdsaP256,
            Issuer::Ca("nowhere".into()),
            Purpose::Server,
        ));
        assert_eq!(unknown.unwrap_err(), PkiError::UnknownCa("nowhere".into()));
        assert_eq!(
            pki.ca_ids().collect::<Vec<_>>(),
            ["root", "sibling", "inter", "ec-root", "p384-root"]
        );
    }
}
