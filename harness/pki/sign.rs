//! Deterministic signatures: one signer per key algorithm, used for every
//! certificate the harness issues, so that the same certificate comes out
//! byte-identical on every run and machine.
//!
//! - RSA: PKCS#1 v1.5 ([RFC 8017 §8.2]), deterministic by construction,
//!   through OpenSSL, which (unlike aws-lc-rs) also signs with the 1024-bit
//!   keys legacy servers are tested with.
//! - ECDSA: RustCrypto's `p256`, `p384` and `p521` crates, which take the
//!   nonce from [RFC 6979] (aws-lc-rs and OpenSSL randomise it), with
//!   DER-encoded signatures. Chosen because they are the maintained
//!   pure-Rust implementations whose `SigningKey` is deterministic.
//! - DSA: RustCrypto's `dsa` crate, RFC 6979 nonces, SHA-256, DER-encoded
//!   signatures (OpenSSL randomises DSA nonces); the maintained Rust DSA.
//!   Since 0.7 its `SigningKey` needs the `hazmat` feature, DSA being
//!   deprecated (FIPS 186-5): legacy peers are what this harness tests.
//!
//! Each signature is made with a [`SignatureHash`]: a key's own hash
//! ([`KeyType::hash`]) unless a CA says otherwise (`signature-hash =
//! "sha1"` makes the SHA-1 chains old deployments still have).
//!
//! rcgen signs certificates through [`RcgenKey`], rcgen's
//! [`rcgen::SigningKey`] over a [`Signer`], where it can name the
//! algorithm. The others (DSA keys, SHA-1, an ECDSA hash that is not the
//! curve's) are built by OpenSSL; [`resign`] replaces OpenSSL's signature
//! with the [`Signer`]'s.
//!
//! [RFC 8017 §8.2]: https://www.rfc-editor.org/rfc/rfc8017#section-8.2
//! [RFC 6979]: https://www.rfc-editor.org/rfc/rfc6979

use dsa::pkcs8::DecodePrivateKey as _;
use dsa::signature::hazmat::PrehashSigner as _;
use dsa::signature::{SignatureEncoding as _, Signer as _};
use openssl::pkey::{PKey, Private};
use rcgen::{PublicKeyData, SignatureAlgorithm};
use x509_parser::asn1_rs::{Any, FromDer as _};

use super::{KeyAlgorithm, KeyType, PkiError, SignatureHash};

/// A private key ready to sign deterministically.
pub(super) enum Signer {
    /// RSA, PKCS#1 v1.5, by OpenSSL (any modulus size; aws-lc-rs refuses
    /// keys under 2048 bits). PKCS#1 v1.5 has no randomness, so any
    /// implementation makes the same bytes.
    Rsa {
        /// The private key.
        key: PKey<Private>,
        /// The public key as `subjectPublicKey` holds it (PKCS#1).
        public: Vec<u8>,
    },
    /// ECDSA on P-256, RFC 6979.
    EcdsaP256 {
        /// The private key.
        key: p256::ecdsa::SigningKey,
        /// The public point, uncompressed SEC1.
        public: Vec<u8>,
    },
    /// ECDSA on P-384, RFC 6979.
    EcdsaP384 {
        /// The private key.
        key: p384::ecdsa::SigningKey,
        /// The public point, uncompressed SEC1.
        public: Vec<u8>,
    },
    /// ECDSA on P-521, RFC 6979.
    EcdsaP521 {
        /// The private key.
        key: Box<p521::ecdsa::SigningKey>,
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
            KeyType::Rsa1024 | KeyType::Rsa2048 | KeyType::Rsa4096 => {
                let key = PKey::private_key_from_pkcs8(pkcs8)?;
                let public = key.rsa()?.public_key_to_der_pkcs1()?;
                Signer::Rsa { key, public }
            }
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
            KeyType::EcdsaP521 => {
                let key =
                    p521::ecdsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| invalid(&e))?;
                let public = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                Signer::EcdsaP521 {
                    key: Box::new(key),
                    public,
                }
            }
            KeyType::Dsa2048 => Signer::Dsa(Box::new(
                dsa::SigningKey::from_pkcs8_der(pkcs8).map_err(|e| invalid(&e))?,
            )),
        })
    }

    /// Signs `message`, hashing it with `hash` first: the PKCS#1 v1.5
    /// signature for RSA, a DER `Ecdsa-Sig-Value` or `Dss-Sig-Value` for
    /// ECDSA and DSA ([RFC 3279 §2.2]), as X.509 carries them. ECDSA signs
    /// the digest as a prehash, so any of the hashes goes with any curve
    /// (the RFC 6979 nonce still follows the curve's own hash). DSA signs
    /// with SHA-256 only.
    ///
    /// [RFC 3279 §2.2]: https://www.rfc-editor.org/rfc/rfc3279#section-2.2
    pub(super) fn sign(&self, message: &[u8], hash: SignatureHash) -> Result<Vec<u8>, PkiError> {
        let failed = |error: dsa::signature::Error| {
            PkiError::Unsupported(format!("signing with {hash} failed: {error}"))
        };
        let digest = || openssl::hash::hash(hash.openssl(), message);
        match self {
            Signer::Rsa { key, .. } => {
                let mut signer = openssl::sign::Signer::new(hash.openssl(), key)?;
                Ok(signer.sign_oneshot_to_vec(message)?)
            }
            Signer::EcdsaP256 { key, .. } => {
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash(&digest()?).map_err(failed)?;
                Ok(signature.to_der().to_vec())
            }
            Signer::EcdsaP384 { key, .. } => {
                let signature: p384::ecdsa::Signature =
                    key.sign_prehash(&digest()?).map_err(failed)?;
                Ok(signature.to_der().to_vec())
            }
            Signer::EcdsaP521 { key, .. } => {
                let signature: p521::ecdsa::Signature =
                    key.sign_prehash(&digest()?).map_err(failed)?;
                Ok(signature.to_der().to_vec())
            }
            Signer::Dsa(_) if hash != SignatureHash::Sha256 => Err(PkiError::Unsupported(format!(
                "DSA signs with sha256 here, not {hash}"
            ))),
            Signer::Dsa(key) => {
                let signature: dsa::Signature = key.try_sign(message).map_err(failed)?;
                Ok(signature.to_vec())
            }
        }
    }

    /// The family of this signer's key.
    fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Signer::Rsa { .. } => KeyAlgorithm::Rsa,
            Signer::Dsa(_) => KeyAlgorithm::Dsa,
            _ => KeyAlgorithm::Ecdsa,
        }
    }

    /// This signer as rcgen's signing key, signing with `hash`; `None` where
    /// rcgen cannot name the algorithm (SHA-1, an ECDSA hash other than the
    /// curve's, DSA): such certificates are built with OpenSSL.
    pub(super) fn rcgen(&self, hash: SignatureHash) -> Option<RcgenKey<'_>> {
        use SignatureHash::{Sha256, Sha384, Sha512};
        let (algorithm, public): (&'static SignatureAlgorithm, &[u8]) = match (self, hash) {
            (Signer::Rsa { public, .. }, Sha256) => (&rcgen::PKCS_RSA_SHA256, public),
            (Signer::Rsa { public, .. }, Sha384) => (&rcgen::PKCS_RSA_SHA384, public),
            (Signer::Rsa { public, .. }, Sha512) => (&rcgen::PKCS_RSA_SHA512, public),
            (Signer::EcdsaP256 { public, .. }, Sha256) => (&rcgen::PKCS_ECDSA_P256_SHA256, public),
            (Signer::EcdsaP384 { public, .. }, Sha384) => (&rcgen::PKCS_ECDSA_P384_SHA384, public),
            (Signer::EcdsaP521 { public, .. }, Sha512) => (&rcgen::PKCS_ECDSA_P521_SHA512, public),
            _ => return None,
        };
        Some(RcgenKey {
            signer: self,
            hash,
            algorithm,
            public,
        })
    }
}

/// A [`Signer`] with an RSA or ECDSA key, as rcgen takes signing keys (the
/// subject key of a certificate, or its issuer's).
pub(super) struct RcgenKey<'a> {
    signer: &'a Signer,
    hash: SignatureHash,
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
            .sign(message, self.hash)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

/// Replaces the signature of a certificate (DER) with `signer`'s over its
/// `tbsCertificate` with `hash` ([RFC 5280 §4.1.1]): `SEQUENCE {
/// tbsCertificate, signatureAlgorithm, BIT STRING signature }`, the
/// algorithm kept as it was. The certificate must name that algorithm.
///
/// [RFC 5280 §4.1.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.1
pub(super) fn resign(
    der: &[u8],
    signer: &Signer,
    hash: SignatureHash,
) -> Result<Vec<u8>, PkiError> {
    let parse = |e: &dyn std::fmt::Display| PkiError::Parse(e.to_string());
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| parse(&e))?;
    let named = cert.signature_algorithm.algorithm.to_id_string();
    let inner = cert.tbs_certificate.signature.algorithm.to_id_string();
    let expected = super::signature_oid(signer.algorithm(), hash);
    if named != expected || inner != named {
        return Err(PkiError::Unsupported(format!(
            "certificate names signature {named} (TBS: {inner}), signer makes {expected}"
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
    bit_string.extend(signer.sign(tbs, hash)?);
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
