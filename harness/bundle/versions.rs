//! `versions.json`: what built and ran the bundle, so a rerun elsewhere can
//! tell a difference of outcome from a difference of build.

use serde::Serialize;

/// The versions of the harness and the three stacks it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Versions {
    /// This crate's version.
    pub tls_harness: String,
    /// The git commit it was built from (`git rev-parse HEAD` at build
    /// time), or "unknown" when built outside a repository.
    pub commit: String,
    /// The rustls version linked (from Cargo.lock at build time).
    pub rustls: String,
    /// The linked OpenSSL's version string.
    pub openssl: String,
    /// The JVM's `java.version` that ran JSSE, or why none could run.
    pub java: String,
}

impl Versions {
    /// This binary's.
    pub fn of_this_build() -> Versions {
        Versions {
            tls_harness: env!("CARGO_PKG_VERSION").to_string(),
            commit: env!("TLS_HARNESS_COMMIT").to_string(),
            rustls: env!("TLS_HARNESS_RUSTLS_VERSION").to_string(),
            openssl: openssl::version::version().to_string(),
            java: match crate::endpoint::jsse::jvm::get() {
                Ok(jvm) => jvm.version.clone(),
                Err(why) => format!("none: {why}"),
            },
        }
    }
}
