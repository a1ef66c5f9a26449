//! Settings levels of a layered profile (PRODUCTS.md §5): each level may
//! set versions and suites; the most specific level that sets a field wins,
//! field by field, and the resolved value names the level it came from.

/// The cipher list new XSP/ADP installs put at system level (PRODUCTS.md
/// §5), in its order: what a layered profile gets when no level sets
/// suites. The last four are static ECDH, which no backend implements.
pub const BROADWORKS_DEFAULT_SUITES: [&str; 12] = [
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
];

/// The source a layered profile's suites name when no level set them.
pub const DEFAULT_SUITES_LEVEL: &str = "system default list (PRODUCTS.md §5)";

/// The level of a profile's own keys, the most specific of all.
pub const PROFILE_LEVEL: &str = "profile";
