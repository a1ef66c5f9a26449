//! Certificate verification (RFC 5280, RFC 6125): the chain to a trust
//! anchor, the name, the validity period, and a client's accepted
//! exceptions, in the order each verifier checks them.

use crate::moment::Moment;
use crate::outcome::{Alert, ErrorKind, Outcome, Presented, Side};
use crate::scenario::Profile;
use crate::version::ProtocolVersion;

use super::certificate::Cert;
use super::quirks::{self, CertFault};
use super::{failed, Negotiation, Rules};

/// Why a peer refused a certificate: the error, the alert it sends, the
/// reason in words, and whether an accepted exception had already
/// overridden an untrusted issuer (OpenSSL goes on checking after one).
pub(super) type Refusal = (ErrorKind, Alert, String, bool);

/// The client verifies the server's certificate; what the outcome reports
/// of it, or the client's refusal.
pub(super) fn server_certificate(
    n: &mut Negotiation<'_>,
    cert: &Cert,
    version: ProtocolVersion,
) -> Result<Presented, Box<Outcome>> {
    let (client, world) = (n.client, n.world);
    let verdict = verify(
        cert,
        &client.trust,
        Some(world.server_name),
        world.at,
        (n.stacks.client, version),
        client,
    );
    let by_exception = match verdict {
        Ok(by_exception) => by_exception,
        Err((kind, alert, why, by_exception)) => {
            if by_exception {
                n.say("The client's accepted exception overrides the untrusted issuer, but OpenSSL goes on checking the certificate.");
            }
            n.say(format!(
                "The client refuses the certificate: {why}; it aborts with {}.",
                alert.name()
            ));
            return Err(failed(
                Side::Client,
                Some(alert),
                kind,
                Some(cert.presented(by_exception)),
            ));
        }
    };
    n.say(if by_exception {
        format!(
            "The client does not trust its issuer, but has accepted this very certificate ({} {}) as an exception.",
            cert.summary.subject, cert.key
        )
    } else {
        format!(
            "The client trusts it: it chains to one of {} and is valid for {}.",
            client.trust.join(", "),
            world.server_name
        )
    });
    Ok(cert.presented(by_exception))
}

/// Verifies `cert` for `verifier`, which trusts `trust` (CA ids) at `at`,
/// for `name` if given (a client verifying a server); `Ok(true)` when only
/// the client's accepted exception let it through.
pub(super) fn verify(
    cert: &Cert,
    trust: &[String],
    name: Option<&str>,
    at: Moment,
    (rules, version): (Rules, ProtocolVersion),
    verifier: &Profile,
) -> Result<bool, Refusal> {
    // Only a client has accepted exceptions.
    let client = name.is_some().then_some(verifier);
    let chains = chains(cert, trust, rules);
    let in_time = at.unix() >= cert.validity.not_before && at.unix() <= cert.validity.not_after;
    let named = name.is_none_or(|n| cert.dns_names.iter().any(|d| d.eq_ignore_ascii_case(n)));
    let mut by_exception = false;
    // A name to check: a client verifying its server.
    let verifier_side = if name.is_some() {
        Side::Client
    } else {
        Side::Server
    };
    for &fault in quirks::fault_order(rules) {
        match fault {
            CertFault::Expired if !in_time => {
                let early = at.unix() < cert.validity.not_before;
                return Err((
                    if early {
                        ErrorKind::CertificateNotYetValid
                    } else {
                        ErrorKind::CertificateExpired
                    },
                    if early {
                        quirks::not_yet_valid_alert(
                            (rules, verifier_side),
                            version,
                            anchored_as_sent(cert, trust),
                        )
                    } else {
                        quirks::certificate_fault_alert(
                            (rules, verifier_side),
                            quirks::CERTIFICATE_EXPIRED,
                            version,
                            anchored_as_sent(cert, trust),
                        )
                    },
                    format!(
                        "at {at} it is {}",
                        if early {
                            "not yet valid"
                        } else {
                            "outside its validity period"
                        }
                    ),
                    by_exception,
                ));
            }
            CertFault::Untrusted if !chains => {
                if !excepted(cert, client) {
                    return Err(untrusted(cert, trust, (rules, version), client));
                }
                by_exception = true;
                if quirks::exception_skips_later_checks(rules) {
                    return match weak_signing_key(cert, (rules, trust), verifier) {
                        Some(why) => Err((
                            ErrorKind::BadCertificate,
                            quirks::weak_certificate_alert((rules, verifier_side), version),
                            why,
                            true,
                        )),
                        None => Ok(true),
                    };
                }
            }
            CertFault::Signature if version >= ProtocolVersion::Tls12 => {
                if let Some(refused) = unlisted_signature(cert, trust, rules, verifier) {
                    return Err((
                        ErrorKind::BadCertificate,
                        quirks::chain_signature_alert(verifier_side, version),
                        format!("the chain is signed with {refused}, which its signature schemes do not list"),
                        by_exception,
                    ));
                }
            }
            CertFault::WeakKey | CertFault::WeakChain => {
                if let Some(why) = weakness(cert, fault, (rules, trust), verifier) {
                    return Err((
                        ErrorKind::BadCertificate,
                        quirks::weak_certificate_alert((rules, verifier_side), version),
                        why,
                        by_exception,
                    ));
                }
            }
            CertFault::Name if !named => {
                let why = format!(
                    "it is not valid for {} (names: {})",
                    name.unwrap_or_default(),
                    cert.dns_names.join(", ")
                );
                return Err((
                    ErrorKind::CertificateNameMismatch,
                    quirks::certificate_fault_alert(
                        (rules, verifier_side),
                        quirks::BAD_CERTIFICATE,
                        version,
                        false,
                    ),
                    why,
                    by_exception,
                ));
            }
            _ => {}
        }
    }
    Ok(by_exception)
}

/// A key too small to verify the handshake signature with, where the
/// verifier checks it then rather than with the certificate
/// ([`quirks::refuses_small_keys_when_verifying_signatures`]): an accepted
/// exception does not spare it.
fn weak_signing_key(
    cert: &Cert,
    (rules, trust): (Rules, &[String]),
    verifier: &Profile,
) -> Option<String> {
    if !quirks::refuses_small_keys_when_verifying_signatures(rules) {
        return None;
    }
    weakness(cert, CertFault::WeakKey, (rules, trust), verifier)
}

/// What of `cert` is too weak for `verifier`'s [`quirks::peer_policy`]:
/// its own key ([`CertFault::WeakKey`]), or a CA's key or a SHA-1
/// signature on the chain ([`CertFault::WeakChain`]); a trust anchor's
/// key only where the verifier checks it
/// ([`quirks::checks_anchor_key`]).
fn weakness(
    cert: &Cert,
    fault: CertFault,
    (rules, trust): (Rules, &[String]),
    verifier: &Profile,
) -> Option<String> {
    let policy = quirks::peer_policy(rules, verifier);
    if fault == CertFault::WeakKey {
        return policy.keys.refuses_key(cert.key).then(|| {
            format!(
                "its {} key is smaller than it accepts ({})",
                cert.key,
                policy.keys.describe()
            )
        });
    }
    let sha1 = cert.issuer_hash == crate::pki::SignatureHash::Sha1 && !cert.path.is_empty();
    if policy.refuses_sha1 && sha1 {
        return Some("its issuer signed it with SHA-1, which it refuses".to_string());
    }
    let anchors_checked = quirks::checks_anchor_key(rules);
    cert.path
        .iter()
        .zip(&cert.path_keys)
        .filter(|(ca, _)| anchors_checked || !trust.contains(ca))
        .map(|(_, k)| k)
        .find(|k| policy.keys.refuses_key(**k))
        .map(|k| {
            format!(
                "an issuing CA's {k} key is smaller than it accepts ({})",
                policy.keys.describe()
            )
        })
}

/// The first signature on the chain as sent (the leaf's, then each CA's
/// that is not itself trusted) whose scheme a verifier checking them
/// ([`quirks::checks_chain_signatures`]) does not list.
fn unlisted_signature(
    cert: &Cert,
    trust: &[String],
    rules: Rules,
    verifier: &Profile,
) -> Option<&'static str> {
    if !quirks::checks_chain_signatures(rules) {
        return None;
    }
    let listed = super::signature::listed(rules, verifier);
    let sent = cert
        .sent
        .iter()
        .zip(&cert.sent_signers)
        .filter(|(ca, _)| !trust.contains(ca))
        .map(|(_, scheme)| *scheme);
    std::iter::once(cert.signature_scheme())
        .chain(sent)
        .find(|s| !listed.iter().any(|l| l.name == *s))
}

/// Whether the chain as sent reaches an anchor: a CA sent with the leaf is
/// one, or the last certificate sent is issued by one.
fn anchored_as_sent(cert: &Cert, trust: &[String]) -> bool {
    cert.sent.iter().any(|ca| trust.contains(ca))
        || cert
            .path
            .get(cert.sent.len())
            .is_some_and(|ca| trust.contains(ca))
}

/// Whether `cert` chains to one of `trust` by the verifier's rules.
fn chains(cert: &Cert, trust: &[String], rules: Rules) -> bool {
    if quirks::accepts_partial_chain(rules) {
        // Some CA on the path is an anchor, and everything below it was sent.
        (0..cert.path.len()).any(|k| {
            trust.contains(&cert.path[k]) && cert.path[..k].iter().all(|c| cert.sent.contains(c))
        })
    } else {
        // Every CA up to the self-signed root is sent or in the store, and
        // the root is in the store.
        !cert.path.is_empty()
            && cert
                .path
                .iter()
                .all(|c| cert.sent.contains(c) || trust.contains(c))
            && cert.path.last().is_some_and(|root| trust.contains(root))
    }
}

/// Whether `client` (none: a server verifying a client) has accepted this
/// very certificate as an exception, and HSTS does not forbid it.
fn excepted(cert: &Cert, client: Option<&Profile>) -> bool {
    client.is_some_and(|p| {
        !p.hsts
            && p.accepted_exceptions
                .iter()
                .any(|e| e.subject == cert.summary.subject && e.key == cert.key)
    })
}

/// The refusal of a certificate that chains to no anchor, with the path
/// in words.
fn untrusted(
    cert: &Cert,
    trust: &[String],
    (rules, version): (Rules, ProtocolVersion),
    client: Option<&Profile>,
) -> Refusal {
    let none_or = |list: &[String], sep: &str| {
        if list.is_empty() {
            "none".to_string()
        } else {
            list.join(sep)
        }
    };
    let mut why = if cert.path.is_empty() {
        "it is self-signed and not a trust anchor".to_string()
    } else {
        format!(
            "it does not chain to a trust anchor (issuers {}; sent {}; trusted {})",
            cert.path.join(" → "),
            none_or(&cert.sent, ", "),
            none_or(trust, ", ")
        )
    };
    if !quirks::accepts_partial_chain(rules) && cert.path.iter().any(|c| trust.contains(c)) {
        why.push_str("; OpenSSL needs the self-signed root itself in its store");
    }
    if client.is_some_and(|p| p.hsts) {
        why.push_str("; under HSTS no exception can be accepted");
    }
    (
        ErrorKind::UntrustedCertificate,
        quirks::certificate_fault_alert((rules, Side::Client), quirks::UNKNOWN_CA, version, false),
        why,
        false,
    )
}
