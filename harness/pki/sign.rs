//! Deterministic signatures: one signer per key algorithm, used for every
//! certificate the harness issues, so that the same certificate comes out
//! byte-identical on every run and machine.
//!
//! - RSA: PKCS#1 v1.5 with SHA-256 ([RFC 8017 §8.2]), deterministic by
//!   construction, through rcgen's [`KeyPair`] (aws-lc-rs, already the
//!   harness's crypto provider).
//! - ECDSA: RustCrypto's `p256` and `p384` crates, which take the nonce
//!   from [RFC 6979] (aws-lc-rs randomises it), with the curve's hash
//!   (SHA-256 for P-256, SHA-384 for P-384) and DER-encoded signatures.
//!   Chosen because they are the maintained pure-Rust implementations whose
//!   `SigningKey` is deterministic by default.
//! - DSA: RustCrypto's `dsa` crate, RFC 6979 nonces, SHA-256, DER-encoded
//!   signatures (OpenSSL randomises DSA nonces); the maintained Rust DSA.
//!   Since 0.7 its `SigningKey` needs the `hazmat` feature, DSA being
//!   deprecated (FIPS 186-5): legacy peers are what this harness tests.
//!
//! rcgen signs RSA- and ECDSA-keyed certificates through [`RcgenKey`], rcgen's
//! [`rcgen::SigningKey`] over a [`Signer`]. DSA-keyed certificates are
//! built by OpenSSL (rcgen has no DSA); [`resign`] replaces OpenSSL's
//! signature with the [`Signer`]'s.
//!
//! [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
//! [RFC 6979]: https://www.rfc-editor.org/rfc/rfc6979

use dsa::pkcs8::DecodePrivateKey as _;
use dsa::signature::{SignatureEncoding as _, Signer as _};
use rcgen::{KeyPair, PublicKeyData, SignatureAlgorithm};
use x509_parser::asn1_rs::{Any, FromDer as _};

use super::{KeyType, PkiError};

/// A private key ready to sign deterministically.
pub(super) enum Signer {
    /// RSA, PKCS#1 v1.5 with SHA-256.
    Rsa(KeyPair),
    /// ECDSA on P-256 with SHA-256, RFC 6979.
    EcdsaP256 {
        /// The private key.
        key: p256::ecdsa::SigningKey,
        /// The public point, uncompressed SEC1.
        public: Vec<u8>,
    },
    /// ECDSA on P-384 with SHA-384, RFC 6979.
    EcdsaP384 {
        /// The private key.
        key: p384::ecdsa::SigningKey,
        /// The public point, uncompressed SEC1.
        public: Vec<u8>,
    },
    /// DSA with SHA-256, RFC 6979.
    Dsa(Box<dsa::SigningKey>),
}

impl Signer {
    /// Reads a PKCS#8 private key of type `key_type`.
    pub(super) fn from_pkcs8(key_type: KeyType, pkcs8: &[u8]) -> Result<Self, PkiError> {
        let invalid = |error: &dyn std::fmt::Display| {
            PkiError::Unsupported(format!("bad {key_type} test key: {error}"))
        };
        Ok(match key_type {
            KeyType::Rsa2048 | KeyType::Rsa4096 => Signer::Rsa(KeyPair::try_from(pkcs8)?),
            KeyType::EcdsaP256 => {
                let key =
                    p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| invalid(&e))?;
                let public = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                Signer::EcdsaP256 { key, public }
            }
            KeyType::EcdsaP384 => {
                let key =
                    p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| invalid(&e))?;
                let public = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                Signer::EcdsaP384 { key, public }
            }
            KeyType::Dsa2048 => Signer::Dsa(Box::new(
                dsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| invalid(&e))?,
            )),
        })
    }

    /// Signs `message` (hashing it first): the PKCS#1 v1.5 signature for
    /// RSA, a DER `Ecdsa-Sig-Value` or `Dss-Sig-Value` for ECDSA and DSA
    /// ([RFC 3279 §2.2]), as X.509 carries them.
    ///
    /// [RFC 3279 §2.2]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        let failed = |error: dsa::signature::Error| {
            PkiError::Unsupported(format!("signing failed: {error}"))
        };
        match self {
            Signer::Rsa(key) => Ok(rcgen::SigningKey::sign(key, message)?),
            Signer::EcdsaP256 { key, .. } => {
                let signature: p256::ecdsa::DerSignature = key.try_sign(message).map_err(failed)?;
                Ok(signature.to_vec())
            }
            Signer::EcdsaP384 { key, .. } => {
                let signature: p384::ecdsa::DerSignature = key.try_sign(message).map_err(failed)?;
                Ok(signature.to_vec())
            }
            Signer::Dsa(key) => {
                let signature: dsa::Signature = key.try_sign(message).map_err(failed)?;
                Ok(signature.to_vec())
            }
        }
    }

    /// The OID of the signature algorithm this signer makes (what a
    /// certificate it signs names in `signatureAlgorithm`).
    fn signature_oid(&self) -> &'static str {
        match self {
            Signer::Rsa(_) => "1.2.840.113549.1.1.11",
            Signer::EcdsaP256 { .. } => "1.2.840.10045.4.3.2",
            Signer::EcdsaP384 { .. } => "1.2.840.10045.4.3.3",
            Signer::Dsa(_) => "2.16.840.1.101.3.4.3.2",
        }
    }

    /// This signer as rcgen's signing key; DSA, which rcgen cannot express,
    /// is refused.
    pub(super) fn rcgen(&self) -> Result<RcgenKey<'_>, PkiError> {
        let (algorithm, public): (_, &[u8]) = match self {
            Signer::Rsa(key) => (key.algorithm(), key.der_bytes()),
            Signer::EcdsaP256 { public, .. } => (&rcgen::PKCS_ECDSA_P256_SHA256, public),
            Signer::EcdsaP384 { public, .. } => (&rcgen::PKCS_ECDSA_P384_SHA384, public),
            Signer::Dsa(_) => {
                return Err(PkiError::Unsupported(
                    "rcgen cannot make certificates for DSA keys".to_owned(),
                ))
            }
        };
        Ok(RcgenKey {
            signer: self,
            algorithm,
            public,
        })
    }
}

/// A [`Signer`] with an RSA or ECDSA key, as rcgen takes signing keys (the
/// subject key of a certificate, or its issuer's).
pub(super) struct RcgenKey<'a> {
    signer: &'a Signer,
    algorithm: &'static SignatureAlgorithm,
    /// The public key as `subjectPublicKey` holds it.
    public: &'a [u8],
}

impl PublicKeyData for RcgenKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.public
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.algorithm
    }
}

impl rcgen::SigningKey for RcgenKey<'_> {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.signer
            .sign(message)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

/// Replaces the signature of a certificate (DER) with `signer`'s over its
/// `tbsCertificate` ([RFC 5280 §4.1.1]): `SEQUENCE { tbsCertificate,
/// signatureAlgorithm, BIT STRING signature }`, the algorithm kept as it
/// was. The certificate must name `signer`'s algorithm.
///
/// [RFC 5280 §4.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1
pub(super) fn resign(der: &[u8], signer: &Signer) -> Result<Vec<u8>, PkiError> {
    let parse = |e: &dyn std::fmt::Display| PkiError::Parse(e.to_string());
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| parse(&e))?;
    let named = cert.signature_algorithm.algorithm.to_id_string();
    let inner = cert.tbs_certificate.signature.algorithm.to_id_string();
    if named != signer.signature_oid() || inner != named {
        return Err(PkiError::Unsupported(format!(
            "certificate names signature {named} (TBS: {inner}), signer makes {}",
            signer.signature_oid()
        )));
    }
    let tbs = cert.tbs_certificate.as_ref();
    let (_, outer) = Any::from_der(der).map_err(|e| parse(&e))?;
    let after_tbs = outer
        .data
        .strip_prefix(tbs)
        .ok_or_else(|| parse(&"tbsCertificate is not the certificate's first field"))?;
    let (rest, _) = Any::from_der(after_tbs).map_err(|e| parse(&e))?;
    let algorithm = &after_tbs[..after_tbs.len() - rest.len()];

    let mut bit_string = vec![0]; // no unused bits
    bit_string.extend(signer.sign(tbs)?);
    let mut content = tbs.to_vec();
    content.extend_from_slice(algorithm);
    content.extend(tlv(0x03, &bit_string));
    Ok(tlv(0x30, &content))
}

/// A DER tag-length-value with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        // Lossless: below 0x80.
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        // Lossless: a usize has at most 16 bytes.
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}
