//! Client authentication: RFC 8446 §4.4.2.4 and RFC 5246 §7.4.6.

use crate::outcome::{ErrorKind, Outcome, Presented, Side};
use crate::scenario::ClientAuth;
use crate::version::ProtocolVersion;

use super::certificate::{certificates, Cert};
use super::verify::verify;
use super::{failed, quirks, Negotiation};

/// The client certificate the server accepts at `version` (none when it
/// asks for none or the client has none and may), or the server's refusal.
/// `server_certificate` is what the server presented before.
pub(super) fn authenticate(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    server_certificate: &Presented,
) -> Result<Option<Presented>, Box<Outcome>> {
    let policy = n.server.client_auth;
    if policy == ClientAuth::None {
        return Ok(None);
    }
    let mut offered = certificates(n.client, n.world.cas).into_iter().next();
    if quirks::client_picks_certificate_by_issuer_list(n.stacks.client) {
        offered = offered.filter(|c| named_issuer(c, &n.server.trust));
        if offered.is_none() && !certificates(n.client, n.world.cas).is_empty() {
            n.say("The server's CertificateRequest names no issuer of the client's certificate, so JSSE's key manager sends none.");
        }
    }
    if let Some(c) = &offered {
        if !super::signature::client_key_requested(n, version, c.key) {
            n.say("The server's CertificateRequest asks for no certificate of the client's key algorithm, so the client sends none.");
            offered = None;
        }
    }
    let level = quirks::security_level(n.client);
    if offered.is_some()
        && version < ProtocolVersion::Tls12
        && !quirks::signs_below_tls12(n.stacks.client, level)
    {
        n.say(format!(
            "OpenSSL at security level {level} cannot sign a CertificateVerify at {version}, so the client sends no certificate."
        ));
        offered = None;
    }
    match offered {
        None if policy == ClientAuth::Require => {
            let alert = quirks::alert_for_missing_client_certificate(n.stacks.server, version);
            n.say(format!(
                "The server requires a client certificate and the client has none: it aborts with {}.",
                alert.name()
            ));
            Err(failed(
                Side::Server,
                Some(alert),
                ErrorKind::CertificateRequired,
                Some(server_certificate.clone()),
            ))
        }
        None => {
            n.say(
                "The server asks for a client certificate; the client has none, which it allows.",
            );
            Ok(None)
        }
        Some(c) => verify_client(n, &c, server_certificate, version),
    }
}

/// Whether the server's list of CA names (its trust anchors) holds the
/// issuer of `c` or of a CA sent with it; an empty list names everyone.
fn named_issuer(c: &Cert, trust: &[String]) -> bool {
    trust.is_empty()
        || c.path
            .iter()
            .take(c.sent.len() + 1)
            .any(|ca| trust.contains(ca))
}

/// The server verifies the client's certificate `c`.
fn verify_client(
    n: &mut Negotiation<'_>,
    c: &Cert,
    server_certificate: &Presented,
    version: ProtocolVersion,
) -> Result<Option<Presented>, Box<Outcome>> {
    let trust = &n.server.trust;
    let (at, rules) = (n.world.at, n.stacks.server);
    match verify(c, trust, None, at, (rules, version), n.server) {
        Ok(_) => {
            n.say(format!(
                "The client sends its {}; the server trusts it (anchors: {}).",
                c.describe(),
                trust.join(", ")
            ));
            Ok(Some(c.presented(false)))
        }
        Err((kind, alert, why, _)) => {
            n.say(format!(
                "The client sends its {}; the server refuses it: {why}; it aborts with {}.",
                c.describe(),
                alert.name()
            ));
            Err(failed(
                Side::Server,
                Some(alert),
                kind,
                Some(server_certificate.clone()),
            ))
        }
    }
}
