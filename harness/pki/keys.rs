//! The fixed pool of test keys and which key a key slot gets.
//!
//! Every key the harness uses comes from the PEM files of `test-keys/`
//! (public test material, see its README), embedded into the binary: no key
//! is generated at run time and nothing is read from disk. ECDSA keys come
//! from a pool like the others rather than from a scalar derived from the
//! slot name: one mechanism for every key type, every key visible in the
//! repository and checkable with `openssl pkey`.
//!
//! A slot's key is the pool entry at SHA-256(slot) mod pool size (the first
//! eight bytes of the digest, big-endian), except for the slots in
//! [`PINNED`]: the CAs the shipped scenarios and the generated model cases
//! use, which get entries of their own so that no two of them share a key.
//! Other slots may share a key with each other or with a pinned CA, as keys
//! are shared in real deployments; nothing in the harness relies on two
//! slots having different keys, except where a test says so.
//!
//! Each pool entry is parsed at most once per process, when first used.

use std::sync::{Arc, OnceLock};

use openssl::pkey::{PKey, Private};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivatePkcs8KeyDer;

use super::sign::Signer;
use super::{cached, Cache, KeyType, PkiError};

/// The pool files, one PKCS#8 PEM block per key, in pool order.
fn pem(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::Rsa2048 => include_str!("test-keys/rsa-2048.pem"),
        KeyType::Rsa4096 => include_str!("test-keys/rsa-4096.pem"),
        KeyType::EcdsaP256 => include_str!("test-keys/ecdsa-p256.pem"),
        KeyType::EcdsaP384 => include_str!("test-keys/ecdsa-p384.pem"),
        KeyType::Dsa2048 => include_str!("test-keys/dsa-2048.pem"),
        KeyType::Rsa1024 => include_str!("test-keys/rsa-1024.pem"),
        KeyType::EcdsaP521 => include_str!("test-keys/ecdsa-p521.pem"),
    }
}

/// Slots that do not hash: the CA keys of the shipped catalog, of the
/// scenario files and of the generated cases of `tests/model.rs`, each with
/// a pool entry no other of them has. Hashing alone would give two pairs of
/// these RSA-2048 CAs one key each (`ca:bw-root` and
/// `ca:webexclientissuing2023`, `ca:enterprise-root` and `ca:partner-root`).
/// The test `shipped_cas_have_pairwise_distinct_keys` finds a shipped CA
/// missing here whose hashed key another one already has.
const PINNED: &[(KeyType, &str, usize)] = &[
    (KeyType::Rsa2048, "ca:harness-root", 0),
    (KeyType::Rsa2048, "ca:enterprise-root", 1),
    (KeyType::Rsa2048, "ca:webexclientroot2023", 2),
    (KeyType::Rsa2048, "ca:webexclientissuing2023", 3),
    (KeyType::Rsa2048, "ca:bw-root", 4),
    (KeyType::Rsa2048, "ca:bw-issuing", 5),
    (KeyType::Rsa2048, "ca:stranger-root", 6),
    (KeyType::Rsa2048, "ca:partner-root", 7),
    (KeyType::Rsa2048, "ca:regression-issuing", 8),
    (KeyType::Rsa2048, "ca:gen-rsa-issuing", 9),
    (KeyType::EcdsaP256, "ca:gen-ec-root", 0),
    (KeyType::EcdsaP384, "ca:enterprise-ec-issuing", 0),
    (KeyType::EcdsaP384, "ca:issuing-ca", 1),
];

/// The keys of a pool, PKCS#8 DER, in pool order; decoded once per process.
pub(super) fn pool(key_type: KeyType) -> &'static [Vec<u8>] {
    static POOLS: [OnceLock<Vec<Vec<u8>>>; KeyType::ALL.len()] =
        [const { OnceLock::new() }; KeyType::ALL.len()];
    POOLS[key_type as usize].get_or_init(|| {
        PrivatePkcs8KeyDer::pem_slice_iter(pem(key_type).as_bytes())
            // The files are committed and checked by the test
            // `every_pooled_key_parses_and_has_its_type`.
            .map(|key| key.expect("test-keys PEM files are well formed"))
            .map(|key| key.secret_pkcs8_der().to_vec())
            .collect()
    })
}

/// The index in the pool of `key_type` of the key of `slot`.
pub(super) fn index(key_type: KeyType, slot: &str) -> usize {
    if let Some(&(_, _, pinned)) = PINNED
        .iter()
        .find(|(pinned_type, pinned_slot, _)| *pinned_type == key_type && *pinned_slot == slot)
    {
        return pinned;
    }
    let digest = openssl::sha::sha256(slot.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    // A pool has at most a few dozen keys: both conversions are lossless.
    (u64::from_be_bytes(first) % pool(key_type).len() as u64) as usize
}

/// A key of the pool, parsed.
pub(super) struct PooledKey {
    /// Its type.
    pub(super) key_type: KeyType,
    /// The private key, PKCS#8 DER, as in the pool file.
    pub(super) pkcs8: &'static [u8],
    /// The key's one signer (see [`Signer`]).
    pub(super) signer: Signer,
    openssl: OnceLock<Result<PKey<Private>, PkiError>>,
}

impl PooledKey {
    /// The key as OpenSSL holds it, for building certificates with OpenSSL
    /// (which never signs what the harness hands out); parsed on first use.
    pub(super) fn openssl(&self) -> Result<&PKey<Private>, PkiError> {
        self.openssl
            .get_or_init(|| Ok(PKey::private_key_from_pkcs8(self.pkcs8)?))
            .as_ref()
            .map_err(PkiError::clone)
    }
}

impl std::fmt::Debug for PooledKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, even test keys.
        f.debug_struct("PooledKey")
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// The key of `slot`, parsed once per process and pool entry.
pub(super) fn key(key_type: KeyType, slot: &str) -> Result<Arc<PooledKey>, PkiError> {
    entry(key_type, index(key_type, slot))
}

/// The pool entry `index` of `key_type`, parsed once per process.
pub(super) fn entry(key_type: KeyType, index: usize) -> Result<Arc<PooledKey>, PkiError> {
    static KEYS: Cache<(KeyType, usize), Arc<PooledKey>> = OnceLock::new();
    cached(&KEYS, (key_type, index), || {
        let pkcs8 = pool(key_type)
            .get(index)
            .ok_or_else(|| PkiError::Unsupported(format!("no {key_type} test key number {index}")))?
            .as_slice();
        Ok(Arc::new(PooledKey {
            key_type,
            pkcs8,
            signer: Signer::from_pkcs8(key_type, pkcs8)?,
            openssl: OnceLock::new(),
        }))
    })
}
