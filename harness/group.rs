//! The key-exchange groups (IANA's TLS Supported Groups registry,
//! [RFC 8446 §4.2.7](https://www.rfc-editor.org/rfc/rfc8446#section-4.2.7)):
//! the ones a profile can name, and what each stack does with them.
//!
//! Which groups a backend implements is asked of the backend where it can
//! say: rustls' from its aws-lc-rs provider's groups, OpenSSL's by setting
//! each one as a groups list on the linked library. JSSE's (OpenJDK 17
//! has no API that lists them) are [`JSSE_GROUPS`], which `tests/jsse.rs`
//! checks against the running JVM by handshakes. Each stack's default list,
//! the one a profile that names no `groups` gets, is data here too, so that
//! the model reads it without a backend.

use std::sync::OnceLock;

use openssl::ssl::{SslContext, SslMethod};

use crate::backend::Backend;

/// What kind of key exchange a group is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKind {
    /// An elliptic curve (ECDHE): usable at TLS 1.2 by ECDHE suites and at
    /// TLS 1.3.
    Ec,
    /// A finite-field group of RFC 7919: DHE at TLS 1.2 and TLS 1.3.
    Ffdhe,
    /// A post-quantum KEM, alone or in hybrid with a curve: TLS 1.3 only.
    Kem,
}

/// One named group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    /// The code point, as sent on the wire.
    pub code: u16,
    /// IANA's name: `x25519`, `secp256r1`, `ffdhe2048`, `X25519MLKEM768`.
    pub name: &'static str,
    /// Its kind.
    pub kind: GroupKind,
    /// The name OpenSSL's groups lists use (`P-256`).
    pub openssl_name: &'static str,
    /// Whether rustls' aws-lc-rs provider implements it.
    pub rustls: bool,
    /// Whether the linked OpenSSL implements it.
    pub openssl: bool,
    /// Whether JSSE (OpenJDK 17) implements it ([`JSSE_GROUPS`]).
    pub jsse: bool,
}

/// The groups a profile can name: (code, IANA name, kind, OpenSSL name).
const KNOWN: [(u16, &str, GroupKind, &str); 14] = [
    (0x0017, "secp256r1", GroupKind::Ec, "P-256"),
    (0x0018, "secp384r1", GroupKind::Ec, "P-384"),
    (0x0019, "secp521r1", GroupKind::Ec, "P-521"),
    (0x001D, "x25519", GroupKind::Ec, "X25519"),
    (0x001E, "x448", GroupKind::Ec, "X448"),
    (0x0100, "ffdhe2048", GroupKind::Ffdhe, "ffdhe2048"),
    (0x0101, "ffdhe3072", GroupKind::Ffdhe, "ffdhe3072"),
    (0x0102, "ffdhe4096", GroupKind::Ffdhe, "ffdhe4096"),
    (0x0103, "ffdhe6144", GroupKind::Ffdhe, "ffdhe6144"),
    (0x0104, "ffdhe8192", GroupKind::Ffdhe, "ffdhe8192"),
    (0x0201, "MLKEM768", GroupKind::Kem, "MLKEM768"),
    (0x0202, "MLKEM1024", GroupKind::Kem, "MLKEM1024"),
    (
        0x11EB,
        "SecP256r1MLKEM768",
        GroupKind::Kem,
        "SecP256r1MLKEM768",
    ),
    (0x11EC, "X25519MLKEM768", GroupKind::Kem, "X25519MLKEM768"),
];

/// The groups OpenJDK 17's JSSE implements, by IANA name.
pub const JSSE_GROUPS: [&str; 10] = [
    "x25519",
    "secp256r1",
    "secp384r1",
    "secp521r1",
    "x448",
    "ffdhe2048",
    "ffdhe3072",
    "ffdhe4096",
    "ffdhe6144",
    "ffdhe8192",
];

/// rustls' default list as the harness builds it (aws-lc-rs without the
/// `prefer-post-quantum` feature): the hybrid comes last.
pub const RUSTLS_DEFAULT: [&str; 4] = ["x25519", "secp256r1", "secp384r1", "X25519MLKEM768"];

/// OpenSSL 3.0's default list (`ssl/t1_lib.c`, `supported_groups_default`).
pub const OPENSSL_DEFAULT: [&str; 10] = [
    "x25519",
    "secp256r1",
    "x448",
    "secp521r1",
    "secp384r1",
    "ffdhe2048",
    "ffdhe3072",
    "ffdhe4096",
    "ffdhe6144",
    "ffdhe8192",
];

/// JSSE 17's default list and order (`jdk.tls.namedGroups` unset).
pub const JSSE_DEFAULT: [&str; 10] = JSSE_GROUPS;

/// Whether `backend` implements `group`.
pub fn implemented_by(backend: Backend, group: &Group) -> bool {
    match backend {
        Backend::Rustls => group.rustls,
        Backend::OpenSsl => group.openssl,
        Backend::Jsse => group.jsse,
    }
}

/// The groups an endpoint on `backend` offers or accepts: its profile's
/// list where it names one, else the backend's default.
pub fn effective(backend: Backend, listed: Option<&[&'static Group]>) -> Vec<&'static Group> {
    match listed {
        Some(list) => list.to_vec(),
        None => named(match backend {
            Backend::Rustls => &RUSTLS_DEFAULT,
            Backend::OpenSsl => &OPENSSL_DEFAULT,
            Backend::Jsse => &JSSE_DEFAULT,
        }),
    }
}

/// The groups a client on `backend` sends a key share for in its first
/// TLS 1.3 hello, given its groups in order:
///
/// * rustls: the first, and with a hybrid first also the hybrid's
///   classical half when that is listed on its own (rustls'
///   `client/hs.rs`: the second share comes "for free");
/// * OpenSSL 3.0: the first;
/// * JSSE 17: the first of each kind (x25519/x448, the NIST curves,
///   the finite-field groups), two at most (`KeyShareExtension`).
pub fn first_shares(backend: Backend, groups: &[&'static Group]) -> Vec<&'static Group> {
    let Some(&first) = groups.first() else {
        return Vec::new();
    };
    match backend {
        Backend::OpenSsl => vec![first],
        Backend::Rustls => {
            let half = match first.name {
                "X25519MLKEM768" => lookup("x25519"),
                "SecP256r1MLKEM768" => lookup("secp256r1"),
                _ => None,
            };
            std::iter::once(first)
                .chain(half.filter(|h| groups.contains(h)))
                .collect()
        }
        Backend::Jsse => {
            let mut shares: Vec<&'static Group> = Vec::new();
            for g in groups {
                if shares.len() < 2 && !shares.iter().any(|s| jsse_spec(s) == jsse_spec(g)) {
                    shares.push(g);
                }
            }
            shares
        }
    }
}

/// JSSE's `NamedGroupSpec`: which groups count as one kind for its key
/// shares.
fn jsse_spec(g: &Group) -> u8 {
    match (g.kind, g.name) {
        (GroupKind::Ec, "x25519" | "x448") => 0,
        (GroupKind::Ec, _) => 1,
        (GroupKind::Ffdhe, _) => 2,
        (GroupKind::Kem, _) => 3,
    }
}

/// Every group a profile can name, ordered by code point.
pub fn groups() -> &'static [Group] {
    static GROUPS: OnceLock<Vec<Group>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let rustls: Vec<u16> = rustls::crypto::aws_lc_rs::ALL_KX_GROUPS
            .iter()
            .map(|g| u16::from(g.name()))
            .collect();
        KNOWN
            .iter()
            .map(|&(code, name, kind, openssl_name)| Group {
                code,
                name,
                kind,
                openssl_name,
                rustls: rustls.contains(&code),
                openssl: openssl_has(openssl_name),
                jsse: JSSE_GROUPS.contains(&name),
            })
            .collect()
    })
}

/// Whether the linked OpenSSL takes `name` as a groups list.
fn openssl_has(name: &str) -> bool {
    SslContext::builder(SslMethod::tls())
        .and_then(|mut b| b.set_groups_list(name))
        .is_ok()
}

/// The group with this code point.
pub fn by_code(code: u16) -> Option<&'static Group> {
    groups().iter().find(|g| g.code == code)
}

/// The group a file names: IANA's name, in any case, or OpenSSL's.
pub fn lookup(name: &str) -> Option<&'static Group> {
    groups()
        .iter()
        .find(|g| g.name.eq_ignore_ascii_case(name) || g.openssl_name.eq_ignore_ascii_case(name))
}

/// The name an outcome gives the group with this code point: IANA's, or
/// `0xNNNN` for one the registry does not list.
pub fn name_of(code: u16) -> String {
    by_code(code).map_or_else(|| format!("0x{code:04X}"), |g| g.name.to_string())
}

/// Every name a file may use, for suggestions.
pub fn names() -> Vec<&'static str> {
    groups().iter().map(|g| g.name).collect()
}

/// Groups by IANA names that are known to be in the registry.
pub fn named(names: &[&str]) -> Vec<&'static Group> {
    names.iter().filter_map(|n| lookup(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_agree_with_rustls_names() {
        for g in groups() {
            let debug = format!("{:?}", rustls::NamedGroup::from(g.code));
            assert!(
                debug.eq_ignore_ascii_case(g.name) || debug.eq_ignore_ascii_case(g.openssl_name),
                "{} is {debug} to rustls",
                g.name
            );
        }
    }

    #[test]
    fn backends_report_what_they_implement() {
        let x25519 = lookup("X25519").expect("known");
        assert!(x25519.rustls && x25519.openssl && x25519.jsse);
        let p521 = lookup("secp521r1").expect("known");
        assert!(!p521.rustls && p521.openssl && p521.jsse);
        let hybrid = lookup("X25519MLKEM768").expect("known");
        assert!(hybrid.rustls && !hybrid.jsse);
        assert!(!lookup("ffdhe2048").expect("known").rustls);
        assert_eq!(lookup("P-384").map(|g| g.name), Some("secp384r1"));
    }

    #[test]
    fn default_lists_name_known_groups() {
        for list in [&RUSTLS_DEFAULT[..], &OPENSSL_DEFAULT, &JSSE_DEFAULT] {
            assert_eq!(named(list).len(), list.len());
        }
    }
}
