//! Key sizes: the finite-field groups a DHE server can use (`dh-bits`), and
//! the smallest keys an endpoint accepts from its peer (`minimum-key-bits`),
//! with the OpenSSL security levels that express such a policy.
//!
//! This is data both the backends and the model read: which sizes exist,
//! and which OpenSSL level a policy is (OpenSSL sets minimum key sizes only
//! through its security level, `SSL_CTX_set_security_level`).

/// The sizes of finite-field DHE group a server can be given, in bits:
/// RFC 2409's 1024-bit Oakley group 2, RFC 3526's 1536-, 3072- and
/// 4096-bit MODP groups, and RFC 7919's ffdhe2048 (the default).
pub const DH_SIZES: [u32; 5] = [1024, 1536, 2048, 3072, 4096];

/// The DHE size a server uses when its profile names none.
pub const DEFAULT_DH_BITS: u32 = 2048;

/// The smallest keys an endpoint accepts from its peer, in bits; 0 where
/// it sets no minimum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MinimumKeys {
    /// RSA modulus (and DSA prime) of the peer's certificates.
    pub rsa: u32,
    /// Prime of the peer's finite-field DHE group.
    pub dh: u32,
    /// Field of the peer's ECDSA keys.
    pub ec: u32,
}

/// OpenSSL 3.0's security levels 1 to 3 as minimum keys (level 0 sets
/// none): `SSL_CTX_set_security_level(3)`, "Level 1: 80 bits ... RSA, DSA
/// and DH keys shorter than 1024 bits and ECC keys shorter than 160 bits
/// are prohibited", level 2 112 bits (2048, 224), level 3 128 bits (3072,
/// 256).
pub const OPENSSL_LEVELS: [(u32, MinimumKeys); 3] = [
    (1, MinimumKeys::new(1024, 1024, 160)),
    (2, MinimumKeys::new(2048, 2048, 224)),
    (3, MinimumKeys::new(3072, 3072, 256)),
];

impl MinimumKeys {
    /// A policy of these minima.
    pub const fn new(rsa: u32, dh: u32, ec: u32) -> Self {
        MinimumKeys { rsa, dh, ec }
    }

    /// The OpenSSL security level that is exactly this policy.
    pub fn openssl_level(self) -> Option<u32> {
        OPENSSL_LEVELS
            .iter()
            .find(|(_, keys)| *keys == self)
            .map(|(level, _)| *level)
    }

    /// The policy of OpenSSL's security `level` (0: none).
    pub fn of_openssl_level(level: u32) -> Self {
        OPENSSL_LEVELS
            .iter()
            .find(|(l, _)| *l == level)
            .map_or_else(Self::default, |(_, keys)| *keys)
    }

    /// Whether a certificate key of this type is too small for the policy.
    pub fn refuses_key(self, key: crate::pki::KeyType) -> bool {
        use crate::pki::KeyAlgorithm;
        let minimum = match key.algorithm() {
            KeyAlgorithm::Rsa | KeyAlgorithm::Dsa => self.rsa,
            KeyAlgorithm::Ecdsa => self.ec,
        };
        key.bits() < minimum
    }

    /// `rsa = 2048, dh = 2048, ec = 224`, as files write it.
    pub fn describe(self) -> String {
        format!("rsa = {}, dh = {}, ec = {}", self.rsa, self.dh, self.ec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::KeyType;

    #[test]
    fn a_policy_is_an_openssl_level_only_when_it_equals_one() {
        assert_eq!(MinimumKeys::new(2048, 2048, 224).openssl_level(), Some(2));
        assert_eq!(MinimumKeys::new(2048, 1024, 224).openssl_level(), None);
        assert_eq!(MinimumKeys::of_openssl_level(0), MinimumKeys::default());
        assert_eq!(MinimumKeys::of_openssl_level(1).rsa, 1024);
    }

    #[test]
    fn keys_below_the_minimum_are_refused() {
        let level2 = MinimumKeys::of_openssl_level(2);
        assert!(level2.refuses_key(KeyType::Rsa1024));
        assert!(!level2.refuses_key(KeyType::Rsa2048));
        assert!(!level2.refuses_key(KeyType::EcdsaP256));
        assert!(MinimumKeys::of_openssl_level(3).refuses_key(KeyType::Rsa2048));
        assert!(!MinimumKeys::default().refuses_key(KeyType::Rsa1024));
    }
}
