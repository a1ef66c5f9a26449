//! The version: what the server enables, what it chooses from the hello
//! (RFC 8446 §4.2.1 with supported_versions, RFC 5246 Appendix E.1
//! without), TLS_FALLBACK_SCSV (RFC 7507), and the client reading the
//! ServerHello (its own versions, the downgrade sentinel of RFC 8446
//! §4.1.3).

use crate::outcome::{Alert, ErrorKind, Outcome, Side, SideError};
use crate::pki::KeyAlgorithm;
use crate::version::ProtocolVersion;

use super::certificate::Cert;
use super::hello::ClientHello;
use super::suite::runnable_suites;
use super::{failed, quirks, suites_text, versions_text, Negotiation, Rules};

/// The server, said in words, and the versions it counts as enabled.
pub(super) fn server_versions(
    n: &mut Negotiation<'_>,
    presentable: &[Cert],
) -> Vec<ProtocolVersion> {
    let (server, s_rules) = (n.server, n.stacks.server);
    let mut versions = server.versions.clone();
    let server_runs = runnable_suites(s_rules, server);
    let not_run: Vec<u16> = server
        .suites
        .iter()
        .map(|c| c.suite.code)
        .filter(|c| !server_runs.contains(c))
        .collect();
    n.say(format!(
        "The server, {} ({}), enables {} and the suites {}{}.",
        server.name,
        s_rules.name(),
        versions_text(&versions),
        suites_text(&server_runs),
        if not_run.is_empty() {
            String::new()
        } else {
            format!(
                "; it also lists {}, which {} does not implement",
                suites_text(&not_run),
                s_rules.name()
            )
        }
    ));
    let own_schemes = super::signature::listed(s_rules, server);
    let tls13_capable = |c: &&Cert| match c.key.algorithm() {
        KeyAlgorithm::Dsa => false,
        KeyAlgorithm::Rsa => true,
        KeyAlgorithm::Ecdsa => own_schemes.iter().any(|s| s.fits(c.key, true)),
    };
    if quirks::tls13_needs_a_certificate(s_rules)
        && versions.contains(&ProtocolVersion::Tls13)
        && !presentable.iter().any(|c| tls13_capable(&c))
    {
        versions.retain(|v| *v != ProtocolVersion::Tls13);
        n.say("OpenSSL counts TLS 1.3 as off: the server has no certificate TLS 1.3 can use.");
    }
    versions
}

/// The version the server chooses from `hello`, or its refusal.
pub(super) fn choose(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    server_versions: &[ProtocolVersion],
) -> Result<ProtocolVersion, Box<Outcome>> {
    if quirks::client_sends_supported_versions(n.stacks.client, hello.max) {
        by_supported_versions(n, hello, server_versions)
    } else {
        by_legacy_version(n, hello.max, server_versions)
    }
}

/// RFC 8446 §4.2.1: the highest version both enable.
fn by_supported_versions(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    server_versions: &[ProtocolVersion],
) -> Result<ProtocolVersion, Box<Outcome>> {
    let common = hello
        .versions
        .iter()
        .rev()
        .find(|v| server_versions.contains(v))
        .copied();
    let Some(v) = common else {
        // A hello whose best is below TLS 1.2 has no signature_algorithms,
        // supported_versions or not (JSSE sends it at every version).
        let alert = if hello.max < ProtocolVersion::Tls12 {
            quirks::alert_for_old_legacy_hello(n.stacks.server)
        } else {
            Alert::PROTOCOL_VERSION
        };
        n.say(format!("No version of the client's supported_versions is enabled on the server: it refuses with {}.", alert.name()));
        return Err(failed(
            Side::Server,
            Some(alert),
            ErrorKind::NoCommonVersion,
            None,
        ));
    };
    n.say(if hello.max < ProtocolVersion::Tls13 {
        format!(
            "{} sends supported_versions even without TLS 1.3, so the server knows the client's exact versions; {v} is the highest both enable and the server chooses it.",
            n.stacks.client.name()
        )
    } else {
        format!(
            "The client lists its versions in supported_versions; {v} is the highest both enable and the server chooses it."
        )
    });
    Ok(v)
}

/// RFC 5246 Appendix E.1: the server's best version at or below the
/// hello's `client_max`.
fn by_legacy_version(
    n: &mut Negotiation<'_>,
    client_max: ProtocolVersion,
    server_versions: &[ProtocolVersion],
) -> Result<ProtocolVersion, Box<Outcome>> {
    let s_rules = n.stacks.server;
    let choice =
        if client_max < ProtocolVersion::Tls12 && !quirks::server_speaks_below_tls12(s_rules) {
            None
        } else {
            server_versions
                .iter()
                .rev()
                .find(|v| **v <= client_max)
                .copied()
                .filter(|v| quirks::server_speaks_below_tls12(s_rules) || *v >= client_max)
        };
    let Some(v) = choice else {
        let alert = if client_max < ProtocolVersion::Tls12 {
            quirks::alert_for_old_legacy_hello(s_rules)
        } else {
            Alert::PROTOCOL_VERSION
        };
        n.say(format!(
            "The client's hello asks for at most {client_max}; the server speaks nothing at or below it, so it refuses with {}{}.",
            alert.name(),
            if alert == Alert::HANDSHAKE_FAILURE {
                " (rustls refuses a hello without signature_algorithms so; OpenSSL would send protocol_version)"
            } else {
                ""
            }
        ));
        return Err(failed(
            Side::Server,
            Some(alert),
            ErrorKind::NoCommonVersion,
            None,
        ));
    };
    n.say(format!(
        "The client's hello (no supported_versions) asks for at most {client_max}; the server chooses {v}, its best version at or below it."
    ));
    Ok(v)
}

/// RFC 7507: a fallback hello (`scsv`) below the server's best is refused.
pub(super) fn check_fallback(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    scsv: bool,
) -> Result<(), Box<Outcome>> {
    if !scsv {
        return Ok(());
    }
    // The configured best: OpenSSL compares with its maximum even when it
    // counts TLS 1.3 as off for want of a certificate.
    let best = n.server.versions.last().copied().unwrap_or(version);
    if !quirks::server_checks_fallback_scsv(n.stacks.server) {
        n.say("The hello carries TLS_FALLBACK_SCSV, which rustls does not check.");
    } else if version < best {
        n.say(format!(
            "The hello carries TLS_FALLBACK_SCSV and asks for {version}, below the server's best ({best}): the server refuses it with inappropriate_fallback (RFC 7507)."
        ));
        return Err(failed(
            Side::Server,
            Some(quirks::INAPPROPRIATE_FALLBACK),
            ErrorKind::InappropriateFallback,
            None,
        ));
    } else {
        n.say(format!(
            "The hello carries TLS_FALLBACK_SCSV; {version} is the server's best, so the fallback is legitimate."
        ));
    }
    Ok(())
}

/// The client reads the ServerHello: a version it does not enable (a
/// legacy hello tells the server only the client's best), or a random
/// marked as a downgrade (RFC 8446 §4.1.3).
pub(super) fn client_reads_server_hello(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
    server_versions: &[ProtocolVersion],
    scsv: bool,
) -> Result<(), Box<Outcome>> {
    let (c_rules, s_rules) = (n.stacks.client, n.stacks.server);
    if !hello.versions.contains(&version) {
        n.say(format!(
            "The client does not enable {version} and aborts with protocol_version."
        ));
        return Err(hello_refused(
            c_rules,
            s_rules,
            Alert::PROTOCOL_VERSION,
            ErrorKind::NoCommonVersion,
        ));
    }
    // A server that speaks more than it negotiated marks its random, and a
    // client that asked for more aborts.
    let best = n.server.versions.last().copied().unwrap_or(version);
    let sentinel = quirks::server_sets_downgrade_sentinel(s_rules, version, server_versions);
    let asked_for_more = (hello.max > version
        && quirks::client_checks_downgrade_sentinel(c_rules, hello.max))
        || (scsv && quirks::fallback_client_checks_downgrade_sentinel(c_rules));
    if !(sentinel && asked_for_more) {
        return Ok(());
    }
    n.say(format!(
        "The server speaks {best} but answered {version}, and marks its random so (RFC 8446 §4.1.3); the client {}, takes that for a downgrade and aborts with illegal_parameter.",
        if hello.max > version {
            format!("asked for up to {}", hello.max)
        } else {
            "is OpenSSL sending a fallback hello, which checks the mark all the same".to_string()
        }
    ));
    Err(hello_refused(
        c_rules,
        s_rules,
        quirks::ILLEGAL_PARAMETER,
        quirks::downgrade_error(c_rules),
    ))
}

/// The client aborts on reading the ServerHello, with `alert`.
fn hello_refused(c_rules: Rules, s_rules: Rules, alert: Alert, cause: ErrorKind) -> Box<Outcome> {
    let mut refused = failed(Side::Client, Some(alert), cause, None);
    if let Outcome::Failed(f) = refused.as_mut() {
        f.server_error = Some(SideError {
            kind: quirks::server_reads_hello_refusal(c_rules, s_rules, alert),
            raw: None,
        });
    }
    refused
}
