//! The signature schemes: the one the server signs its key exchange
//! (TLS 1.2) or CertificateVerify (TLS 1.3) with, the one a client signs
//! its CertificateVerify with, and the refusal when the server has none
//! ([RFC 8446 §4.2.3](https://www.rfc-editor.org/rfc/rfc8446#section-4.2.3)
//! and §4.4.3; [RFC 5246 §7.4.1.4.1](https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1)).
//!
//! A signer takes a scheme both lists name that its key can sign with:
//! at TLS 1.3 no PKCS#1 v1.5, SHA-1 or DSA, and ECDSA only on the curve
//! the scheme names. Whose order decides, and which keys sign with which
//! schemes beyond that, differ by stack ([`quirks::signs_in_own_order`],
//! [`quirks::can_sign`]).

use crate::outcome::{ErrorKind, Outcome, Presented, Side};
use crate::pki::{KeyAlgorithm, KeyType};
use crate::scenario::Profile;
use crate::scheme::{self, Scheme};
use crate::suite::{Authentication, KeyExchange, Suite};
use crate::version::ProtocolVersion;

use super::certificate::Cert;
use super::hello::ClientHello;
use super::{failed, quirks, Negotiation, Rules};

/// The schemes an endpoint lists under `rules`, in its order: its
/// profile's, else its stack's default (a standard stack: OpenSSL's).
pub(super) fn listed(rules: Rules, profile: &Profile) -> Vec<&'static Scheme> {
    let own = profile.handshake.signature_schemes.as_deref();
    let level = quirks::security_level(profile);
    let mut list = match rules.backend() {
        Some(b) => scheme::effective(b, own),
        None => own.map_or_else(|| scheme::named(&scheme::OPENSSL_DEFAULT), <[_]>::to_vec),
    };
    list.retain(|s| !quirks::drops_scheme_at_level(rules, s.hash, level));
    list
}

/// The scheme `signer` signs with, holding a `key` key, from its own list
/// and its peer's.
fn choose(
    (signer, as_server, server_preference): (Rules, bool, bool),
    (own, peer): (&[&'static Scheme], &[&'static Scheme]),
    key: KeyType,
    version: ProtocolVersion,
) -> Option<&'static Scheme> {
    let tls13 = version == ProtocolVersion::Tls13;
    let (order, other) = if quirks::signs_in_own_order(signer, as_server, server_preference) {
        (own, peer)
    } else {
        (peer, own)
    };
    order
        .iter()
        .copied()
        .find(|s| other.contains(s) && s.fits(key, tls13) && quirks::can_sign(signer, s, key))
}

/// The suites a client offers given its own schemes: one that leaves out
/// suites whose authentication no scheme of its list serves
/// ([`quirks::drops_suites_without_a_scheme`]) and has none left cannot
/// send a hello.
pub(super) fn signable_suites(
    n: &mut Negotiation<'_>,
    offered: Vec<u16>,
) -> Result<Vec<u16>, Box<Outcome>> {
    let client = n.stacks.client;
    if !quirks::drops_suites_without_a_scheme(client)
        || n.client.handshake.signature_schemes.is_none()
    {
        return Ok(offered);
    }
    let own = listed(client, n.client);
    let served = |a: KeyAlgorithm| own.iter().any(|s| s.fits_algorithm(a));
    let kept: Vec<u16> = offered
        .iter()
        .copied()
        .filter(|c| match super::by_code(*c).map(|s| s.authentication) {
            Some(Authentication::Rsa) => served(KeyAlgorithm::Rsa),
            Some(Authentication::Ecdsa) => served(KeyAlgorithm::Ecdsa),
            Some(Authentication::Dss) => served(KeyAlgorithm::Dsa),
            _ => true,
        })
        .collect();
    if !kept.is_empty() {
        return Ok(kept);
    }
    n.say("OpenSSL leaves out every suite whose certificate no scheme of the client's list could verify: none is left, and the client gives up with internal_error before its hello.");
    let mut refusal = failed(
        Side::Client,
        Some(quirks::INTERNAL_ERROR),
        ErrorKind::NoSharedCipher,
        None,
    );
    if let (Outcome::Failed(f), Some(kind)) = (
        refusal.as_mut(),
        quirks::alert_before_hello(n.stacks.server),
    ) {
        f.server_error = Some(crate::outcome::SideError { kind, raw: None });
    }
    Err(refusal)
}

/// A server that checks, before it looks at the suites, that both sides
/// list some scheme ([`quirks::refusal_without_shared_scheme`]), refuses
/// when they do not.
pub(super) fn refuse_early(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
) -> Result<(), Box<Outcome>> {
    let Some(error) = quirks::refusal_without_shared_scheme(n.stacks.server, version) else {
        return Ok(());
    };
    if version < ProtocolVersion::Tls12 || hello.max < ProtocolVersion::Tls12 {
        return Ok(());
    }
    let own = listed(n.stacks.server, n.server);
    let peer = listed(n.stacks.client, n.client);
    if own.iter().any(|s| peer.contains(s)) {
        return Ok(());
    }
    n.say(format!(
        "The two sides list no signature scheme in common: {} refuses the hello with handshake_failure before it looks at the suites.",
        n.stacks.server.name()
    ));
    Err(failed(
        Side::Server,
        Some(crate::outcome::Alert::HANDSHAKE_FAILURE),
        error,
        None,
    ))
}

/// The server's certificates as it considers them: those it may use
/// ([`usable_leaves`]), and at TLS 1.3, where the suite names no key
/// algorithm, in order of the first scheme, in the order the server signs
/// in, that fits each; a certificate with none goes last.
///
/// What fits: a scheme the key can sign a CertificateVerify with, or,
/// for a server that picks by key algorithm
/// ([`quirks::picks_certificate_by_algorithm`], JSSE), any scheme of the
/// key's algorithm, one that signs certificates only (rsa_pkcs1_sha256)
/// and one for another curve among them, so long as the algorithm has some
/// TLS 1.3 scheme both list (JSSE's `T13CertificateProducer` passes over a
/// key type it could sign no CertificateVerify with). Measured: JSSE
/// presents its RSA certificate to a client listing rsa_pkcs1_sha256,
/// ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, and its ECDSA one when the
/// last is left out.
pub(super) fn by_preference(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    presentable: &[Cert],
) -> Result<Vec<Cert>, Box<Outcome>> {
    let mut certs = usable_leaves(n, version, presentable)?;
    let server = n.stacks.server;
    // rustls' resolver keeps its own order ([`signs_with_some_offered`]).
    if certs.len() < 2 || version != ProtocolVersion::Tls13 || server == Rules::Rustls {
        return Ok(certs);
    }
    let own = listed(server, n.server);
    let peer = listed(n.stacks.client, n.client);
    let (order, other) = if quirks::signs_in_own_order(server, true, n.server.server_preference) {
        (&own, &peer)
    } else {
        (&peer, &own)
    };
    let shared = |s: &Scheme| other.contains(&s);
    let verifiable = |a: KeyAlgorithm| {
        order
            .iter()
            .any(|s| shared(s) && s.tls13() && s.fits_algorithm(a))
    };
    let fits = |s: &Scheme, c: &Cert| {
        if quirks::picks_certificate_by_algorithm(server) {
            s.fits_algorithm(c.key.algorithm()) && verifiable(c.key.algorithm())
        } else {
            s.fits(c.key, true) && quirks::can_sign(server, s, c.key)
        }
    };
    let rank = |c: &Cert| {
        order
            .iter()
            .position(|s| shared(s) && fits(s, c))
            .unwrap_or(usize::MAX)
    };
    certs.sort_by_key(rank);
    Ok(certs)
}

/// The certificates a server may use at all: at TLS 1.2 it may pass over
/// a certificate for want of a shared scheme
/// ([`quirks::skips_certificate_at_tls12`]); at TLS 1.3 over one whose
/// own signature the client's signature_algorithms_cert leaves out
/// ([`quirks::server_checks_leaf_against_cert_list`]).
fn usable_leaves(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    presentable: &[Cert],
) -> Result<Vec<Cert>, Box<Outcome>> {
    let mut certs = presentable.to_vec();
    if version < ProtocolVersion::Tls12 {
        return Ok(certs);
    }
    let (server, client) = (n.stacks.server, n.stacks.client);
    let own = listed(server, n.server);
    let peer = listed(client, n.client);
    let leaf_listed = |c: &Cert| {
        let signature = c.signature_scheme();
        peer.iter().any(|s| s.name == signature)
    };
    if version == ProtocolVersion::Tls13
        && quirks::server_checks_leaf_against_cert_list(server)
        && quirks::sends_signature_algorithms_cert(client)
        && certs
            .iter()
            .any(|c| leaf_listed(c) && c.key.algorithm() != KeyAlgorithm::Dsa)
    {
        // At TLS 1.3 the check is part of the choice of certificate; with
        // none passing it, [`leaf_accepted`] refuses.
        certs.retain(leaf_listed);
    }
    if version == ProtocolVersion::Tls12 {
        let shared: Vec<&Scheme> = own.iter().copied().filter(|s| peer.contains(s)).collect();
        certs.retain(|c| !quirks::skips_certificate_at_tls12(server, c.key.algorithm(), &shared));
    }
    Ok(certs)
}

/// A server that checks its certificate's own signature against the
/// client's signature_algorithms_cert
/// ([`quirks::server_checks_leaf_against_cert_list`]) finds the one it
/// chose unusable, whatever the suite, and refuses.
pub(super) fn leaf_accepted(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    cert: &Cert,
) -> Result<(), Box<Outcome>> {
    let (server, client) = (n.stacks.server, n.stacks.client);
    if version < ProtocolVersion::Tls12
        || !quirks::server_checks_leaf_against_cert_list(server)
        || !quirks::sends_signature_algorithms_cert(client)
    {
        return Ok(());
    }
    let signature = cert.signature_scheme();
    if listed(client, n.client).iter().any(|s| s.name == signature) {
        return Ok(());
    }
    n.say(format!(
        "The client's signature_algorithms_cert does not list {signature}, the signature on the server's certificate: OpenSSL takes it as unusable and refuses with handshake_failure."
    ));
    Err(failed(
        Side::Server,
        Some(crate::outcome::Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedSignatureScheme,
        None,
    ))
}

/// Whether the server's `cert` can sign with some scheme the client
/// offers, as rustls' resolver asks of each key before it takes it
/// (`choose_scheme`; with no key that can, it takes its first).
pub(super) fn signs_with_some_offered(
    n: &Negotiation<'_>,
    version: ProtocolVersion,
    cert: &Cert,
) -> bool {
    let own = listed(n.stacks.server, n.server);
    let peer = listed(n.stacks.client, n.client);
    let tls13 = version == ProtocolVersion::Tls13;
    own.iter().any(|s| {
        peer.contains(s)
            && s.fits(cert.key, tls13)
            && quirks::can_sign(n.stacks.server, s, cert.key)
    })
}

/// Whether the server signs at all: at TLS 1.3 always, at TLS 1.2 for an
/// ephemeral key exchange with a certificate; below TLS 1.2 no scheme is
/// named.
fn server_signs(version: ProtocolVersion, suite: &Suite) -> bool {
    match version {
        ProtocolVersion::Tls13 => true,
        ProtocolVersion::Tls12 => {
            matches!(suite.key_exchange, KeyExchange::Ecdhe | KeyExchange::Dhe)
                && !matches!(suite.authentication, Authentication::Anonymous)
        }
        _ => false,
    }
}

/// A client that accepts no signature below TLS 1.2
/// ([`quirks::signs_below_tls12`]) refuses a signed ServerKeyExchange at
/// TLS 1.0 or 1.1.
pub(super) fn client_reads_key_exchange(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    suite: &Suite,
    presented: &crate::outcome::Presented,
) -> Result<(), Box<Outcome>> {
    let level = quirks::security_level(n.client);
    let signed = matches!(suite.key_exchange, KeyExchange::Ecdhe | KeyExchange::Dhe)
        && suite.authentication != Authentication::Anonymous;
    if version >= ProtocolVersion::Tls12
        || !signed
        || quirks::signs_below_tls12(n.stacks.client, level)
    {
        return Ok(());
    }
    n.say(format!(
        "OpenSSL at security level {level} accepts no signature at {version}: the client refuses the signed ServerKeyExchange with internal_error."
    ));
    Err(failed(
        Side::Client,
        Some(quirks::INTERNAL_ERROR),
        ErrorKind::NoSharedSignatureScheme,
        Some(presented.clone()),
    ))
}

/// The scheme the server signs with, holding a `key` certificate; or its
/// refusal when it has none the client accepts.
pub(super) fn server(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    suite: &Suite,
    cert: &Cert,
) -> Result<Option<&'static Scheme>, Box<Outcome>> {
    let level = quirks::security_level(n.server);
    if version < ProtocolVersion::Tls12 && !quirks::signs_below_tls12(n.stacks.server, level) {
        n.say(format!(
            "OpenSSL at security level {level} has no signature algorithm at {version} (MD5-SHA1 and SHA-1 are too weak): the server aborts with internal_error before its ServerHello."
        ));
        return Err(failed(
            Side::Server,
            Some(quirks::INTERNAL_ERROR),
            ErrorKind::NoSharedSignatureScheme,
            None,
        ));
    }
    let signs = server_signs(version, suite);
    let picks_anyway = version == ProtocolVersion::Tls12
        && suite.authentication != Authentication::Anonymous
        && quirks::picks_a_scheme_for_every_certificate_suite(n.stacks.server);
    if !signs && !picks_anyway {
        return Ok(None);
    }
    let own = listed(n.stacks.server, n.server);
    let peer = listed(n.stacks.client, n.client);
    if let Some(s) = choose(
        (n.stacks.server, true, n.server.server_preference),
        (&own, &peer),
        cert.key,
        version,
    ) {
        if !signs {
            return Ok(None);
        }
        n.say(format!(
            "The server signs with {} ({} key).",
            s.name, cert.key
        ));
        return Ok(Some(s));
    }
    let tls13 = version == ProtocolVersion::Tls13;
    let checked = quirks::schemes_checked_early(n.stacks.server, own);
    let family_offered = checked.iter().any(|s| {
        peer.contains(s) && (!tls13 || s.tls13()) && s.fits_algorithm(cert.key.algorithm())
    });
    let refusal = quirks::scheme_refusal(n.stacks.server, version, family_offered);
    n.say(format!(
        "No signature scheme the client offers can be made with the server's {} key at {version}: the server aborts with {}{}.",
        cert.key,
        refusal.alert.map_or("no alert".to_string(), |a| a.name()),
        if refusal.certificate_sent { ", after it has sent its certificate" } else { "" }
    ));
    let seen = refusal.certificate_sent && quirks::verifies_certificate_on_arrival(n.stacks.client);
    let mut outcome = failed(
        Side::Server,
        refusal.alert,
        refusal.error,
        seen.then(|| cert.presented(false)),
    );
    if seen {
        refused_on_arrival(n, cert, version, &mut outcome);
    }
    if refusal.alert.is_none() {
        if let Outcome::Failed(f) = outcome.as_mut() {
            f.client_error = Some(crate::outcome::SideError {
                kind: ErrorKind::PeerClosed,
                raw: None,
            });
        }
    }
    Err(if refusal.after_server_hello {
        super::encrypted(n.stacks, version, outcome)
    } else {
        outcome
    })
}

/// A client that verifies the certificate a failing server sent, and
/// refuses it, fails on its own: its error is its refusal, not the
/// server's alert; at TLS 1.3, where that alert is encrypted, no one
/// reads it.
fn refused_on_arrival(
    n: &mut Negotiation<'_>,
    cert: &Cert,
    version: ProtocolVersion,
    outcome: &mut Outcome,
) {
    let Outcome::Failed(f) = outcome else {
        return;
    };
    match super::verify::server_certificate(n, cert, version) {
        Ok(presented) => f.server_certificate = Some(presented),
        Err(refused) => {
            if let Outcome::Failed(r) = *refused {
                f.client_error = r.client_error;
                f.server_certificate = r.server_certificate;
                if version == ProtocolVersion::Tls13 {
                    f.alert = None;
                }
            }
        }
    }
}

/// The scheme of the client's CertificateVerify, when it sent a
/// certificate (at TLS 1.2 and 1.3); the server's list is the one its
/// CertificateRequest carries.
pub(super) fn client(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    certificate: Option<&Presented>,
) -> Result<Option<&'static Scheme>, Box<Outcome>> {
    let Some(leaf) = certificate.filter(|_| version >= ProtocolVersion::Tls12) else {
        return Ok(None);
    };
    let Some(key) = KeyType::ALL
        .into_iter()
        .find(|k| k.as_str() == leaf.leaf.key)
    else {
        return Ok(None);
    };
    let own = listed(n.stacks.client, n.client);
    let peer = listed(n.stacks.server, n.server);
    let Some(chosen) = choose(
        (n.stacks.client, false, n.server.server_preference),
        (&own, &peer),
        key,
        version,
    ) else {
        // Only a client that picked its certificate by key algorithm alone
        // sent one it cannot sign for (`client_key_requested`): JSSE.
        n.say(format!(
            "The client's {key} key can sign with no scheme of the server's CertificateRequest: JSSE fails with internal_error."
        ));
        return Err(failed(
            Side::Client,
            Some(quirks::INTERNAL_ERROR),
            quirks::no_client_scheme_error(version),
            None,
        ));
    };
    n.say(format!(
        "The client signs its CertificateVerify with {}.",
        chosen.name
    ));
    Ok(Some(chosen))
}

/// Whether the client sends its `key` certificate: one that picks its
/// certificate by the key algorithms of the schemes both list
/// ([`quirks::picks_certificate_by_algorithm`], at TLS 1.2 and above) when
/// it finds one for that algorithm; the others only with a scheme both list
/// that the key can sign with (rustls and OpenSSL send no certificate
/// without one, measured at TLS 1.2 and 1.3); below TLS 1.2, when the
/// CertificateRequest's certificate types name the key's algorithm
/// ([`quirks::certificate_types_from_schemes`]) or the client sends its
/// certificate whatever the types ([`quirks::honours_certificate_types`]).
pub(super) fn client_key_requested(
    n: &Negotiation<'_>,
    version: ProtocolVersion,
    key: KeyType,
) -> bool {
    if version < ProtocolVersion::Tls12 {
        return !quirks::certificate_types_from_schemes(n.stacks.server)
            || !quirks::honours_certificate_types(n.stacks.client)
            || listed(n.stacks.server, n.server)
                .iter()
                .any(|s| s.fits_algorithm(key.algorithm()));
    }
    let own = listed(n.stacks.client, n.client);
    let peer = listed(n.stacks.server, n.server);
    if !quirks::picks_certificate_by_algorithm(n.stacks.client) {
        // It sends its certificate only with a scheme to sign for it.
        let signer = (n.stacks.client, false, n.server.server_preference);
        return choose(signer, (&own, &peer), key, version).is_some();
    }
    let tls13 = version == ProtocolVersion::Tls13;
    own.iter()
        .any(|s| peer.contains(s) && (!tls13 || s.tls13()) && s.fits_algorithm(key.algorithm()))
}

/// The scheme as the outcome shows it: at TLS 1.3 only where a side
/// logged the secrets that decrypt the flight it is in, and the harness
/// decrypts the suite's records ([`crate::flight::reads_suite`]).
pub(super) fn shown(
    n: &Negotiation<'_>,
    (version, suite): (ProtocolVersion, u16),
    s: Option<&Scheme>,
) -> Option<String> {
    let readable = version != ProtocolVersion::Tls13
        || (crate::flight::reads_suite(suite)
            && (quirks::logs_secrets(n.stacks.client) || quirks::logs_secrets(n.stacks.server)));
    s.filter(|_| readable).map(|s| s.name.to_string())
}
