//! The suites: which a stack can run, which the client offers, which a
//! certificate can serve, and the server's choice of suite and certificate
//! (RFC 5246 §7.4.2).

use crate::outcome::{Alert, ErrorKind, Outcome, Side};
use crate::pki::{KeyAlgorithm, KeyType};
use crate::scenario::Profile;
use crate::suite::{Authentication, KeyExchange, Suite};
use crate::version::ProtocolVersion;

use super::certificate::{first_usable, Cert};
use super::hello::ClientHello;
use super::quirks::{self, CertChoice};
use super::{by_code, failed, suites_text, Negotiation, Rules};

/// The suites of `profile` that `rules` can run, in its order.
pub(super) fn runnable_suites(rules: Rules, profile: &Profile) -> Vec<u16> {
    profile
        .suites
        .iter()
        .filter(|c| rules.backend().is_none_or(|b| c.suite.implemented_by(b)))
        .map(|c| c.suite.code)
        .collect()
}

/// The suites a client's hello lists.
pub(super) fn offered_suites(
    rules: Rules,
    profile: &Profile,
    versions: &[ProtocolVersion],
) -> Vec<u16> {
    let (Some(min), Some(max)) = (versions.first(), versions.last()) else {
        return Vec::new();
    };
    runnable_suites(rules, profile)
        .into_iter()
        .filter(|code| {
            quirks::client_offers_unusable_suites(rules)
                || by_code(*code).is_some_and(|s| s.versions.iter().any(|v| v >= min && v <= max))
        })
        .collect()
}

/// Whether a certificate with `key`, signed with `issuer_key`, can serve
/// `suite` at `version` (RFC 5246 §7.4.2, RFC 4492 §2 for static ECDH).
pub(super) fn serves(
    suite: &Suite,
    version: ProtocolVersion,
    key: KeyType,
    issuer_key: KeyType,
) -> bool {
    if version == ProtocolVersion::Tls13 {
        return key.algorithm() != KeyAlgorithm::Dsa;
    }
    let alg = key.algorithm();
    match suite.key_exchange {
        // Static ECDH: the certificate's EC key is the key exchange, and
        // the suite names who signed it.
        KeyExchange::Ecdh => {
            alg == KeyAlgorithm::Ecdsa
                && match suite.authentication {
                    Authentication::Rsa => issuer_key.algorithm() == KeyAlgorithm::Rsa,
                    Authentication::Ecdsa => issuer_key.algorithm() == KeyAlgorithm::Ecdsa,
                    _ => false,
                }
        }
        // Static RSA (whose suites authenticate with RSA: the key decrypts
        // the premaster secret) and (EC)DHE: the key's algorithm must be
        // the suite's authentication.
        _ => match suite.authentication {
            Authentication::Rsa => alg == KeyAlgorithm::Rsa,
            Authentication::Ecdsa => alg == KeyAlgorithm::Ecdsa,
            Authentication::Dss => alg == KeyAlgorithm::Dsa,
            Authentication::Anonymous => true,
            _ => false,
        },
    }
}

/// The server's choice of suite at `version`, and of the certificate it
/// presents with it; or its refusal.
pub(super) fn choose(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
    presentable: &[Cert],
) -> Result<(&'static Suite, Cert), Box<Outcome>> {
    refuse_without_certificate(n, presentable)?;
    super::group::refuse_early(n, hello, version)?;
    super::signature::refuse_early(n, hello, version)?;
    let server_suites = runnable_suites(n.stacks.server, n.server);
    let shared: Vec<u16> = hello
        .offered
        .iter()
        .copied()
        .filter(|c| server_suites.contains(c))
        .collect();
    let valid: Vec<&'static Suite> = order(n.server, &server_suites, &shared)
        .into_iter()
        .filter_map(by_code)
        .filter(|s| s.valid_for(version))
        .collect();
    let valid = without_unserved_ecdhe(n, hello, version, valid);
    let presentable = &super::signature::by_preference(n, version, presentable)?;
    let chosen = match quirks::cert_choice(n.stacks.server) {
        CertChoice::SuiteFirst => suite_first(n.stacks.server, version, &valid, presentable),
        CertChoice::CertificateFirst => certificate_first(n, version, &valid, presentable, &shared),
    };
    let Some((suite, cert)) = chosen else {
        if !valid.is_empty() {
            if let Some((kind, alert)) =
                quirks::tls13_refusal_after_server_hello(n.stacks.server, version)
            {
                n.say(format!(
                    "JSSE chooses {} and then finds no certificate that can sign at {version}: it aborts after its ServerHello with {}.",
                    valid[0].iana,
                    alert.name()
                ));
                let refusal = failed(Side::Server, Some(alert), kind, None);
                return Err(super::encrypted(n.stacks, version, refusal));
            }
        }
        n.say(format!(
            "No suite is left that both sides list, that {version} allows and that the server's certificates can serve (shared: {}): the server refuses with handshake_failure.",
            suites_text(&shared)
        ));
        return Err(failed(
            Side::Server,
            Some(Alert::HANDSHAKE_FAILURE),
            ErrorKind::NoSharedCipher,
            None,
        ));
    };
    n.say(format!(
        "The server chooses {} ({}), the first in {} order that {version} allows and its certificates can serve, and presents its {}.",
        suite.iana,
        suite.code_hex(),
        if n.server.server_preference {
            "its own preference"
        } else {
            "the client's preference"
        },
        cert.describe()
    ));
    Ok((suite, cert))
}

/// A server with nothing to present may give up before it looks at the
/// suites.
fn refuse_without_certificate(
    n: &mut Negotiation<'_>,
    presentable: &[Cert],
) -> Result<(), Box<Outcome>> {
    if !presentable.is_empty() {
        return Ok(());
    }
    let Some((kind, alert)) = quirks::refusal_without_certificate(n.stacks.server) else {
        return Ok(());
    };
    n.say(format!(
        "The server has no certificate to present; rustls's certificate resolver finds none and the server aborts with {}.",
        alert.name()
    ));
    Err(failed(Side::Server, Some(alert), kind, None))
}

/// At TLS 1.2 an ECDHE suite needs a curve both sides list: without one,
/// the server passes over the ECDHE suites (RFC 8422 §5.1).
fn without_unserved_ecdhe(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
    valid: Vec<&'static Suite>,
) -> Vec<&'static Suite> {
    let ecdhe = |s: &&Suite| s.key_exchange == KeyExchange::Ecdhe;
    if version == ProtocolVersion::Tls13
        || !valid.iter().any(ecdhe)
        || super::group::tls12_curve(n, hello).is_some()
    {
        return valid;
    }
    n.say("The server shares no curve with the client's supported_groups, so it passes over the ECDHE suites.");
    valid.into_iter().filter(|s| !ecdhe(s)).collect()
}

/// `shared` in the order of whoever's preference wins.
fn order(server: &Profile, server_suites: &[u16], shared: &[u16]) -> Vec<u16> {
    if server.server_preference {
        server_suites
            .iter()
            .copied()
            .filter(|c| shared.contains(c))
            .collect()
    } else {
        shared.to_vec()
    }
}

/// RFC 5246 §7.4.2: the first suite by preference that some certificate can
/// serve, and that certificate. (A server holds at most one certificate per
/// key algorithm; scenario files refuse two.)
fn suite_first(
    rules: Rules,
    version: ProtocolVersion,
    valid: &[&'static Suite],
    certs: &[Cert],
) -> Option<(&'static Suite, Cert)> {
    let any_issuer = |s: &Suite| {
        s.key_exchange == KeyExchange::Ecdh && quirks::static_ecdh_takes_any_issuer(rules, version)
    };
    valid.iter().find_map(|s| {
        certs
            .iter()
            .find(|c| {
                serves(s, version, c.key, c.issuer_key)
                    || (any_issuer(s) && c.key.algorithm() == KeyAlgorithm::Ecdsa)
            })
            .map(|c| (*s, c.clone()))
    })
}

/// The rustls resolver's way: the certificate first ([`first_usable`]),
/// then the first suite by preference that it can serve.
fn certificate_first(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    valid: &[&'static Suite],
    certs: &[Cert],
    shared: &[u16],
) -> Option<(&'static Suite, Cert)> {
    let cert = first_usable(certs, shared, |c| {
        super::signature::signs_with_some_offered(n, version, c)
    })?;
    if certs.len() > 1 {
        n.say(format!(
            "rustls's certificate resolver picks its {} first: it is the first, ECDSA first, for which a suite both sides list authenticates with its key.",
            cert.describe()
        ));
    }
    valid
        .iter()
        .find(|s| serves(s, version, cert.key, cert.issuer_key))
        .map(|s| (*s, cert.clone()))
}

#[cfg(test)]
mod tests {
    use super::serves;
    use crate::pki::KeyType::{self, Dsa2048, EcdsaP256, EcdsaP384, Rsa2048};
    use crate::suite::registry;
    use crate::version::ProtocolVersion::{self, Tls12, Tls13};

    /// Which of RSA, ECDSA and DSA leaves (issued by an RSA CA unless
    /// `issuer` says otherwise) serve `name` at `version`.
    fn servers(name: &str, version: ProtocolVersion, issuer: KeyType) -> [bool; 3] {
        let suite = registry().lookup(name).expect("a registered suite").0;
        [Rsa2048, EcdsaP256, Dsa2048].map(|key| serves(suite, version, key, issuer))
    }

    #[test]
    fn static_rsa_is_served_by_an_rsa_key_alone() {
        let s = "TLS_RSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(s, Tls12, Rsa2048), [true, false, false]);
    }

    #[test]
    fn ephemeral_suites_are_served_by_the_key_they_authenticate_with() {
        let ecdhe_rsa = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(ecdhe_rsa, Tls12, Rsa2048), [true, false, false]);
        let ecdhe_ecdsa = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(ecdhe_ecdsa, Tls12, Rsa2048), [false, true, false]);
        let dhe_dss = "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(dhe_dss, Tls12, Rsa2048), [false, false, true]);
        let dhe_rsa = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(dhe_rsa, Tls12, Rsa2048), [true, false, false]);
    }

    #[test]
    fn anonymous_suites_need_no_particular_key() {
        let anon = "TLS_ECDH_anon_WITH_AES_128_CBC_SHA";
        assert_eq!(servers(anon, Tls12, Rsa2048), [true, true, true]);
    }

    #[test]
    fn psk_suites_are_served_by_no_certificate() {
        let psk = "TLS_PSK_WITH_AES_128_CBC_SHA256";
        assert_eq!(servers(psk, Tls12, Rsa2048), [false, false, false]);
    }

    #[test]
    fn static_ecdh_needs_an_ecdsa_key_signed_as_the_suite_names() {
        let ecdh_rsa = "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(ecdh_rsa, Tls12, Rsa2048), [false, true, false]);
        assert_eq!(servers(ecdh_rsa, Tls12, EcdsaP384), [false, false, false]);
        let ecdh_ecdsa = "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256";
        assert_eq!(servers(ecdh_ecdsa, Tls12, EcdsaP384), [false, true, false]);
        assert_eq!(servers(ecdh_ecdsa, Tls12, Rsa2048), [false, false, false]);
    }

    #[test]
    fn tls13_suites_are_served_by_any_key_but_dsa() {
        let s = "TLS_AES_128_GCM_SHA256";
        assert_eq!(servers(s, Tls13, Rsa2048), [true, true, false]);
    }
}
