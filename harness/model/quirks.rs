//! Where a backend departs from the RFCs or from the other backend: each
//! departure is one named function here, documented with what was measured,
//! so that the rest of the model can follow the RFCs and ask this module
//! only where a stack differs. `Rules::Reference` always answers with the
//! RFC behaviour.
//!
//! Sources: docs/backends.md (our measurements), rustls 0.23's
//! server and client state machines, OpenSSL 3.0's `ssl/statem` and
//! `crypto/x509/x509_vfy.c`, and the harness's own backends in
//! `harness/endpoint/` (the rustls server's certificate resolver is ours).

use crate::outcome::{Alert, Outcome};
use crate::version::ProtocolVersion;

use super::Rules;

/// `certificate_required` (116), RFC 8446 §6.2.
pub const CERTIFICATE_REQUIRED: Alert = Alert(116);
/// `inappropriate_fallback` (86), RFC 7507.
pub const INAPPROPRIATE_FALLBACK: Alert = Alert(86);
/// `unknown_ca` (48).
pub const UNKNOWN_CA: Alert = Alert(48);
/// `bad_certificate` (42).
pub const BAD_CERTIFICATE: Alert = Alert(42);
/// `certificate_expired` (45).
pub const CERTIFICATE_EXPIRED: Alert = Alert(45);

/// The alert a server sends when a legacy ClientHello (no
/// supported_versions, highest version below TLS 1.2) meets a server that
/// speaks nothing that low.
///
/// RFC 5246 Appendix E.1: `protocol_version` (70). **rustls** answers
/// `handshake_failure` (40): such a hello lacks the signature_algorithms
/// extension, and rustls refuses it for that before it looks at the
/// version (docs/backends.md#alerts-for-a-tls-10-only-hello).
pub fn alert_for_old_legacy_hello(server: Rules) -> Alert {
    match server {
        Rules::Rustls => Alert::HANDSHAKE_FAILURE,
        Rules::Reference | Rules::Jsse | Rules::OpenSsl => Alert::PROTOCOL_VERSION,
    }
}

/// What a server makes of the alert a client sends when it aborts on
/// reading the ServerHello (a version it does not enable, a downgrade
/// mark): `alert`, as RFC 5246 §7.2 has it.
///
/// An **OpenSSL** server facing an **OpenSSL** client does not see the
/// alert: it has switched its record layer to the version it chose, the
/// client's alert comes under another record version, and the server
/// reports a record of the wrong version (`SSL_R_WRONG_VERSION_NUMBER`, a
/// decode error in the taxonomy).
pub fn server_reads_hello_refusal(
    client: Rules,
    server: Rules,
    alert: Alert,
) -> crate::outcome::ErrorKind {
    use crate::outcome::ErrorKind;
    match (client, server) {
        (Rules::OpenSsl, Rules::OpenSsl) => ErrorKind::DecodeError,
        _ => ErrorKind::AlertReceived(alert),
    }
}

/// Whether an endpoint that must verify its peer refuses to start with no
/// trust anchors at all.
///
/// **rustls**' WebPKI verifier builders fail without a root
/// (`VerifierBuilderError::NoRootAnchors`), so the endpoint never sends or
/// answers a hello: a configuration error, and its peer sees the
/// connection close. So does **JSSE**: `PKIXBuilderParameters` refuses an
/// empty anchor set ("the trustAnchors parameter must be non-empty") when
/// the trust manager is made. OpenSSL starts, and fails the verification
/// later.
pub fn refuses_empty_trust(rules: Rules) -> bool {
    matches!(rules, Rules::Rustls | Rules::Jsse)
}

/// Whether a client whose best version is `client_max` sends the
/// supported_versions extension (RFC 8446 §4.2.1), and so tells the server
/// exactly which versions it takes.
///
/// TLS 1.3 clients must. **rustls** sends it even when it enables TLS 1.2
/// alone; OpenSSL and a standard TLS 1.2 client send a legacy hello, from
/// which a server may pick any lower version (RFC 5246 Appendix E.1).
///
/// **JSSE** always sends it, at every version (OpenJDK's extension is
/// available from TLS 1.0 up; measured: a JSSE client enabling TLS 1.2
/// alone, or TLS 1.1 alone, is refused by a TLS 1.0-only server, which
/// reads only that version in the extension, instead of being offered
/// 1.0).
pub fn client_sends_supported_versions(client: Rules, client_max: ProtocolVersion) -> bool {
    client_max == ProtocolVersion::Tls13 || matches!(client, Rules::Rustls | Rules::Jsse)
}

/// Whether a server counts TLS 1.3 as enabled only while it holds a
/// certificate TLS 1.3 can use (RSA, or ECDSA with its curve's scheme in
/// the server's own signature schemes; not DSA).
///
/// **OpenSSL** (`is_tls13_capable`, `tls_check_sigalg_curve`) does: a
/// server whose certificates are all withheld, DSA, or ECDSA without their
/// curve's scheme negotiates as if TLS 1.3 were off. rustls and the
/// reference decide the version first.
pub fn tls13_needs_a_certificate(server: Rules) -> bool {
    matches!(server, Rules::OpenSsl)
}

/// What a server with no certificate to present says, once the version is
/// chosen, if it does not simply find no suite it can serve.
///
/// **rustls**: the certificate resolver found nothing, a general error,
/// and it sends `access_denied` (49). OpenSSL and the reference find no
/// suite a certificate can serve: `handshake_failure`.
pub fn refusal_without_certificate(server: Rules) -> Option<(crate::outcome::ErrorKind, Alert)> {
    match server {
        Rules::Rustls => Some((
            crate::outcome::ErrorKind::Other("rustls:General".into()),
            Alert(49),
        )),
        Rules::Reference | Rules::Jsse | Rules::OpenSsl => None,
    }
}

/// What a server says that shares a suite with the client at `version`
/// but has no certificate that can serve it, if it does not simply report
/// no shared suite.
///
/// **JSSE** at TLS 1.3 chooses the suite first and the certificate after
/// its ServerHello: it aborts then with `handshake_failure`, encrypted ("No
/// available authentication scheme", a bare `SSLHandshakeException`;
/// measured with a withheld and with a DSA-only certificate). At TLS 1.2,
/// and with no shared suite, it finds no suite, as the reference does.
pub fn tls13_refusal_after_server_hello(
    server: Rules,
    version: ProtocolVersion,
) -> Option<(crate::outcome::ErrorKind, Alert)> {
    (server == Rules::Jsse && version == ProtocolVersion::Tls13).then(|| {
        (
            crate::outcome::ErrorKind::Other("jsse:SSLHandshakeException".into()),
            Alert::HANDSHAKE_FAILURE,
        )
    })
}

/// Whether a client's hello carries the supported_groups extension, given
/// the suites it offers.
///
/// RFC 8422 §4 has clients send it with ECC suites. **OpenSSL** sends it
/// only when it offers an ECDHE, ECDSA or TLS 1.3 suite (`use_ecc`), as does
/// the reference; **rustls** always sends it.
pub fn client_sends_supported_groups(client: Rules, offered: &[u16]) -> bool {
    use crate::suite::{registry, Authentication, KeyExchange};
    matches!(client, Rules::Rustls)
        || offered
            .iter()
            .filter_map(|c| registry().by_code(*c))
            .any(|s| {
                s.is_tls13()
                    || s.key_exchange == KeyExchange::Ecdhe
                    || s.authentication == Authentication::Ecdsa
            })
}

/// Whether a server gives up with "no key-exchange group in common" before
/// it looks at the suites, when the hello shares no group with it that the
/// version can use (a hello without supported_groups shares none).
///
/// **rustls** does, at every version (`choose_suite_and_kx_group`: it has
/// no finite-field groups, so every suite it implements needs a shared
/// group). OpenSSL, JSSE and the reference skip the ECDHE suites at TLS
/// 1.2 and go on to the others.
pub fn server_needs_a_shared_group(server: Rules) -> bool {
    matches!(server, Rules::Rustls)
}

/// Whether a TLS 1.2 server takes the ECDHE curve in its own order rather
/// than the client's: **OpenSSL** does when it prefers its own suite order
/// (`tls1_shared_group` under `SSL_OP_CIPHER_SERVER_PREFERENCE`); rustls,
/// JSSE and the reference follow the client's supported_groups.
pub fn tls12_curve_order_is_servers(server: Rules, server_preference: bool) -> bool {
    server == Rules::OpenSsl && server_preference
}

/// Whether a TLS 1.2 DHE server takes its finite-field group from the
/// client's supported_groups (RFC 7919 §4): **JSSE** does (the first
/// ffdhe group both list, else 2048 bits); OpenSSL uses the parameters the
/// harness loads (ffdhe2048) whatever the client lists.
pub fn dhe_group_from_client_list(server: Rules) -> bool {
    server == Rules::Jsse
}

/// Whether a TLS 1.3 server first looks for a key share the client sent
/// for a group it supports, in the order of the client's key shares, and
/// takes it without a HelloRetryRequest. OpenSSL, JSSE and the reference
/// do; **rustls** chooses the first group of the client's supported_groups
/// it supports and asks for a share with a HelloRetryRequest when none came
/// for it, even when another shared group had one.
pub fn tls13_group_by_key_share(server: Rules) -> bool {
    server != Rules::Rustls
}

/// Whose order picks the group of a HelloRetryRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloRetryGroup {
    /// The first of the client's supported_groups the server supports.
    ClientsFirst,
    /// The first of the server's own groups that the client lists.
    ServersFirst,
}

/// The order a TLS 1.3 server picks a group in when no key share decides:
/// **OpenSSL** its own (`final_key_share`, server preference or not);
/// rustls, JSSE and the reference the client's.
pub fn tls13_group_order(server: Rules) -> HelloRetryGroup {
    match server {
        Rules::OpenSsl => HelloRetryGroup::ServersFirst,
        _ => HelloRetryGroup::ClientsFirst,
    }
}

/// How a TLS 1.3 server refuses a hello that shares no group with it:
/// handshake_failure (RFC 8446 §4.1.1), except **JSSE**, which throws
/// "No common named group" with unexpected_message (10), an alert that
/// names another fault.
pub fn no_shared_group_refusal(server: Rules) -> (crate::outcome::ErrorKind, Alert) {
    match server {
        Rules::Jsse => (
            crate::outcome::ErrorKind::UnexpectedMessage,
            UNEXPECTED_MESSAGE,
        ),
        _ => (
            crate::outcome::ErrorKind::NoSharedGroup,
            Alert::HANDSHAKE_FAILURE,
        ),
    }
}

/// `unexpected_message` (10).
pub const UNEXPECTED_MESSAGE: Alert = Alert(10);

/// `no_application_protocol` (120).
pub const NO_APPLICATION_PROTOCOL: Alert = Alert(120);

/// Whether a server settles ALPN before it chooses a suite, so that an
/// ALPN mismatch is refused even when no suite is shared: **JSSE** does
/// (it reads the hello's extensions first); rustls and OpenSSL choose the
/// suite first.
pub fn alpn_before_suite(server: Rules) -> bool {
    server == Rules::Jsse
}

/// Whether a TLS 1.3 server refuses an ALPN mismatch only after its
/// ServerHello, so that its alert goes encrypted: **rustls** does (it
/// settles ALPN while writing EncryptedExtensions); OpenSSL and JSSE
/// refuse while reading the ClientHello, in the clear.
pub fn alpn_refusal_after_server_hello(server: Rules, version: ProtocolVersion) -> bool {
    server == Rules::Rustls && version == ProtocolVersion::Tls13
}

/// Whether a client checks the downgrade sentinel of RFC 8446 §4.1.3 in
/// the ServerHello's random (a server that speaks a higher version than it
/// negotiated says so there), for a hello that carried TLS_FALLBACK_SCSV.
///
/// A TLS 1.3 client must check it; a retry hello capped below TLS 1.3 is
/// not one, and the reference does not. **OpenSSL** in its fallback mode
/// (`SSL_MODE_SEND_FALLBACK_SCSV`) checks it against TLS 1.3 all the same,
/// and aborts with `illegal_parameter`, reporting an inappropriate fallback.
/// That is what an OpenSSL fallback meets from a rustls server, which
/// ignores the signalling value but sets the sentinel.
pub fn fallback_client_checks_downgrade_sentinel(client: Rules) -> bool {
    matches!(client, Rules::OpenSsl)
}

/// `illegal_parameter` (47).
pub const ILLEGAL_PARAMETER: Alert = Alert(47);

/// Whether a client whose best version is `client_max` checks the
/// downgrade sentinel when the server answers a lower version.
///
/// RFC 8446 §4.1.3: TLS 1.3 clients must, TLS 1.2 clients should; the
/// reference, rustls and OpenSSL do, whatever their best. **JSSE** checks
/// it only when it enables TLS 1.2 or 1.3 itself (measured: a JSSE client
/// enabling TLS 1.0 and 1.1 takes a marked TLS 1.0 ServerHello; one
/// enabling 1.0 to 1.2 refuses a marked TLS 1.1 one).
pub fn client_checks_downgrade_sentinel(client: Rules, client_max: ProtocolVersion) -> bool {
    client != Rules::Jsse || client_max >= ProtocolVersion::Tls12
}

/// The versions a client's hello offers, from the versions it enables.
///
/// RFC 8446 lists any set in supported_versions. **OpenSSL** works with a
/// range: with a hole in the enabled versions (1.0 and 1.2 without 1.1) it
/// keeps the *lowest* contiguous run and drops everything above the hole
/// (`ssl_get_min_max_version`), so {1.0, 1.2, 1.3} offers TLS 1.0 alone.
/// A server checks each version on its own and is not affected.
pub fn client_versions(client: Rules, enabled: &[ProtocolVersion]) -> Vec<ProtocolVersion> {
    match client {
        Rules::OpenSsl => {
            let mut run: Vec<ProtocolVersion> = Vec::new();
            for v in ProtocolVersion::ALL {
                if enabled.contains(&v) {
                    run.push(v);
                } else if !run.is_empty() {
                    break;
                }
            }
            run
        }
        Rules::Reference | Rules::Jsse | Rules::Rustls => enabled.to_vec(),
    }
}

/// Whether a server that negotiated `version` marks its random as a
/// downgrade (RFC 8446 §4.1.3), given the versions it can use.
///
/// At TLS 1.2, every stack marks it when it could have spoken TLS 1.3.
/// Below TLS 1.2 the RFC has a server that speaks TLS 1.2 or higher mark it;
/// **OpenSSL** marks it only when TLS 1.2 itself is enabled
/// (`check_for_downgrade`), so a server with {1.0, 1.3} does not. rustls
/// never negotiates below TLS 1.2.
pub fn server_sets_downgrade_sentinel(
    server: Rules,
    version: ProtocolVersion,
    usable: &[ProtocolVersion],
) -> bool {
    use ProtocolVersion::{Tls12, Tls13};
    match version {
        Tls13 => false,
        Tls12 => usable.contains(&Tls13),
        _ => match server {
            Rules::OpenSsl => usable.contains(&Tls12),
            Rules::Reference | Rules::Jsse | Rules::Rustls => usable.iter().any(|v| *v >= Tls12),
        },
    }
}

/// The error a client reports when it finds the downgrade mark.
pub fn downgrade_error(client: Rules) -> crate::outcome::ErrorKind {
    use crate::outcome::ErrorKind;
    match client {
        // SSL_R_INAPPROPRIATE_FALLBACK, the reason OpenSSL reuses.
        Rules::OpenSsl | Rules::Reference => ErrorKind::InappropriateFallback,
        // PeerMisbehaved::AttemptedDowngradeToTls12WhenTls13IsSupported.
        Rules::Rustls => ErrorKind::Other("rustls:PeerMisbehaved".into()),
        // "A potential protocol version downgrade attack", sent as
        // illegal_parameter (measured).
        Rules::Jsse => ErrorKind::Other("jsse:illegal-parameter".into()),
    }
}

/// Whether the server may answer a legacy hello (no supported_versions)
/// with a version below the client's `legacy_version`.
///
/// RFC 5246 Appendix E.1 lets it choose any lower version it supports.
/// **rustls** speaks only TLS 1.2 and 1.3, so a legacy hello below 1.2 is
/// refused (see [`alert_for_old_legacy_hello`]) and one at 1.2 gets 1.2 or
/// nothing.
pub fn server_speaks_below_tls12(server: Rules) -> bool {
    !matches!(server, Rules::Rustls)
}

/// The alert a server sends when it requires a client certificate and
/// none came, at `version`.
///
/// RFC 8446 §4.4.2.4: `certificate_required` at TLS 1.3; RFC 5246 §7.4.6:
/// `handshake_failure` below. **rustls** sends `certificate_required` at
/// TLS 1.2 too (docs/backends.md#a-missing-client-certificate). **JSSE**
/// sends `bad_certificate` at every version ("Empty client certificate
/// chain", measured at TLS 1.2 and 1.3; docs/backends.md#jsse).
pub fn alert_for_missing_client_certificate(server: Rules, version: ProtocolVersion) -> Alert {
    match (server, version) {
        (Rules::Jsse, _) => BAD_CERTIFICATE,
        (_, ProtocolVersion::Tls13) | (Rules::Rustls, _) => CERTIFICATE_REQUIRED,
        _ => Alert::HANDSHAKE_FAILURE,
    }
}

/// Whether the server checks TLS_FALLBACK_SCSV (RFC 7507) and refuses a
/// fallback hello whose version is below its own best.
///
/// OpenSSL does. **rustls** has no code for the signalling value on either
/// side: its server ignores it. So does a **JSSE** server (measured: an
/// OpenSSL fallback hello with the value goes on to be negotiated).
pub fn server_checks_fallback_scsv(server: Rules) -> bool {
    !matches!(server, Rules::Rustls | Rules::Jsse)
}

/// Whether a certificate path may end at a trust anchor that is not a
/// self-signed root (an intermediate loaded as an anchor).
///
/// RFC 5280 §6.1 takes any trust anchor; so does webpki (**rustls**).
/// **OpenSSL** without `X509_V_FLAG_PARTIAL_CHAIN` (the default, and the
/// harness's) keeps building to a self-signed root and fails when that root
/// is not in its store.
pub fn accepts_partial_chain(verifier: Rules) -> bool {
    !matches!(verifier, Rules::OpenSsl)
}

/// The order in which a verifier reports the first of several certificate
/// faults.
///
/// webpki (**rustls**, and the reference) checks the leaf's validity period
/// before it looks for an issuer, and the name last. **OpenSSL**'s
/// `verify_chain` builds the chain first, checks the host name next and the
/// validity periods last (`internal_verify`).
///
/// **JSSE**'s `X509TrustManagerImpl` runs the PKIX validation first (a path
/// to an anchor, then each certificate's validity: an expired self-signed
/// leaf is untrusted, measured) and checks the host name last.
///
/// JSSE's path validation checks each certificate's signature algorithm
/// against its constraints after its validity period; the others check no
/// such thing ([`checks_chain_signatures`] says who checks; the others'
/// orders put it last, where it finds nothing).
///
/// Keys and hashes too weak for the verifier's [`peer_policy`]: **OpenSSL**
/// checks the leaf's key before anything else and the CAs' keys and
/// signatures right after building the chain (`X509_verify_cert`,
/// `check_auth_level`); JSSE's `AlgorithmChecker` is part of its path
/// validation, beside the signature check; webpki (**rustls**) refuses a
/// weak chain while it builds the path, and a small leaf key only when it
/// verifies the handshake signature made with it, after the name.
pub fn fault_order(verifier: Rules) -> &'static [CertFault] {
    use CertFault::{Expired, Name, Signature, Untrusted, WeakChain, WeakKey};
    match verifier {
        Rules::OpenSsl => &[WeakKey, Untrusted, WeakChain, Name, Expired, Signature],
        Rules::Jsse => &[Untrusted, Expired, Signature, WeakChain, WeakKey, Name],
        Rules::Reference | Rules::Rustls => {
            &[Expired, Untrusted, WeakChain, Name, WeakKey, Signature]
        }
    }
}

/// Whether a client's accepted exception, once it overrides an untrusted
/// issuer, also skips the checks that would come after it.
///
/// The harness's **rustls** verifier accepts the excepted certificate
/// outright, name and all. **OpenSSL**'s verify callback overrides only the
/// untrusted-issuer errors; a wrong name or an expired leaf still fails.
pub fn exception_skips_later_checks(client: Rules) -> bool {
    matches!(client, Rules::Rustls | Rules::Reference)
}

/// A fault a verifier can find in a certificate, in the order of
/// [`fault_order`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertFault {
    /// Its validity period does not hold the verification instant.
    Expired,
    /// It does not chain to a trust anchor.
    Untrusted,
    /// It is not valid for the name the client asked for.
    Name,
    /// Its key is smaller than the verifier accepts ([`peer_policy`]).
    WeakKey,
    /// A CA's key is smaller than the verifier accepts, or a signature on
    /// the chain uses a hash it refuses ([`peer_policy`]).
    WeakChain,
    /// A certificate of its chain is signed with a scheme the verifier's
    /// own list does not name ([`checks_chain_signatures`]).
    Signature,
}

/// Whether a client offers a suite of its list that its enabled versions
/// cannot use.
///
/// **rustls** offers every suite of its provider, so a client restricted to
/// TLS 1.2 still offers the TLS 1.3 suites listed
/// (docs/backends.md#tls-13-suites-in-a-tls-12-hello). OpenSSL
/// and the reference leave out suites that no enabled version can
/// negotiate (`ssl_cipher_disabled`).
pub fn client_offers_unusable_suites(client: Rules) -> bool {
    matches!(client, Rules::Rustls)
}

/// How a server with several certificates picks the one it presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertChoice {
    /// Choose the suite first, by preference, among those some certificate
    /// can serve, then the certificate the suite needs (OpenSSL's slots at
    /// TLS 1.2, RFC 5246 §7.4.2). At TLS 1.3 the first ECDSA certificate,
    /// since both stacks' signature_algorithms lists put ECDSA first.
    SuiteFirst,
    /// Choose the certificate first, then a suite it can serve: the
    /// harness's rustls resolver (`FirstUsable`) presents the first
    /// certificate, ECDSA first, for which some suite both sides list —
    /// any listed TLS 1.3 suite counts, whatever the version — authenticates
    /// with its key, and rustls then picks among the suites that key can
    /// serve.
    CertificateFirst,
}

/// How `server` picks among several certificates.
pub fn cert_choice(server: Rules) -> CertChoice {
    match server {
        Rules::Rustls => CertChoice::CertificateFirst,
        Rules::Reference | Rules::Jsse | Rules::OpenSsl => CertChoice::SuiteFirst,
    }
}

/// The alert a verifier sends for a certificate fault, given the one the
/// RFCs name for it (`unknown_ca`, `bad_certificate`,
/// `certificate_expired`).
///
/// **JSSE** sends `certificate_unknown` (46) for an untrusted issuer and a
/// wrong name (its trust manager throws a bare `CertificateException`),
/// and for an expired certificate at TLS 1.3; below TLS 1.3 it names an
/// expired one `certificate_expired`, from the path validator's reason
/// (measured at TLS 1.1, 1.2 and 1.3).
///
/// Only when the chain as sent reaches an anchor (a CA sent is one, or the
/// last certificate sent is issued by one): OpenJDK's `PKIXValidator`
/// then validates it and the validator's reason reaches the alert; a chain
/// it must build first fails in the builder, `certificate_unknown`
/// (measured).
///
/// And only a client does so; a JSSE server refuses an expired client
/// certificate with `certificate_unknown` too (measured at TLS 1.0).
pub fn certificate_fault_alert(
    (verifier, side): (Rules, crate::outcome::Side),
    rfc: Alert,
    version: ProtocolVersion,
    anchored_as_sent: bool,
) -> Alert {
    match verifier {
        Rules::Jsse
            if rfc == CERTIFICATE_EXPIRED
                && side == crate::outcome::Side::Client
                && version < ProtocolVersion::Tls13
                && anchored_as_sent =>
        {
            rfc
        }
        Rules::Jsse => CERTIFICATE_UNKNOWN,
        Rules::Reference | Rules::Rustls | Rules::OpenSsl => rfc,
    }
}

/// The alert a verifier sends for a certificate that is not yet valid.
/// The RFCs name `certificate_expired` ("expired or not currently valid",
/// RFC 5246 §7.2.2), and rustls sends it. **OpenSSL** sends
/// `bad_certificate` (`ssl_verify_alarm_type` has no case for
/// `X509_V_ERR_CERT_NOT_YET_VALID`). **JSSE** sends `bad_certificate`
/// where it names the path validator's reason (a client below TLS 1.3,
/// the chain as sent anchored; see [`certificate_fault_alert`]), else
/// `certificate_unknown`. Measured on all nine pairings at TLS 1.2 and
/// 1.3: scenarios/backends/presented-certificate.toml.
pub fn not_yet_valid_alert(
    (verifier, side): (Rules, crate::outcome::Side),
    version: ProtocolVersion,
    anchored_as_sent: bool,
) -> Alert {
    match verifier {
        Rules::OpenSsl => BAD_CERTIFICATE,
        Rules::Jsse => {
            match certificate_fault_alert(
                (verifier, side),
                CERTIFICATE_EXPIRED,
                version,
                anchored_as_sent,
            ) {
                CERTIFICATE_EXPIRED => BAD_CERTIFICATE,
                other => other,
            }
        }
        Rules::Reference | Rules::Rustls => CERTIFICATE_EXPIRED,
    }
}

/// Whether a server can sign its ServerKeyExchange with a DSA key at
/// `version`.
///
/// **JSSE** cannot below TLS 1.2 ("Unsupported signature algorithm: DSA",
/// `internal_error`; measured with the harness's DSA-2048 key, for which
/// SHA-1, the only hash TLS 1.0 and 1.1 sign DSA with, is too weak in
/// OpenJDK 17): the client has its certificate, the key exchange never
/// comes. OpenSSL and the reference sign.
pub fn signs_with_dsa(server: Rules, version: ProtocolVersion) -> bool {
    !(server == Rules::Jsse && version < ProtocolVersion::Tls12)
}

/// Whether a server serves a static-ECDH suite with any EC certificate,
/// whoever signed it.
///
/// RFC 4492 §2 has ECDH_RSA need a certificate signed with RSA and
/// ECDH_ECDSA one signed with ECDSA; RFC 5246 §7.4.2 lifts that at TLS 1.2
/// where signature_algorithms allows the issuer's signature. **JSSE** does
/// so at TLS 1.2 (measured: ECDH_RSA with an ECDSA-signed P-256
/// certificate completes); below TLS 1.2 it is not measured and the model
/// keeps RFC 4492.
pub fn static_ecdh_takes_any_issuer(server: Rules, version: ProtocolVersion) -> bool {
    server == Rules::Jsse && version == ProtocolVersion::Tls12
}

/// `internal_error` (80).
pub const INTERNAL_ERROR: Alert = Alert(80);

/// `certificate_unknown` (46).
pub const CERTIFICATE_UNKNOWN: Alert = Alert(46);

/// Whether a client presents its certificate only when the server's
/// CertificateRequest names the issuer of one of the certificates it
/// would send (the leaf or one of the CAs sent with it).
///
/// RFC 5246 §7.4.4 lets a client choose by the list; the reference,
/// rustls and OpenSSL (as the harness drives them) send their certificate
/// whatever it says. **JSSE**'s `SunX509` key manager chooses a client
/// alias only among chains with an issuer in the list, and otherwise sends
/// none (measured: a leaf from a CA the server does not trust is not sent,
/// and the handshake goes on without one).
pub fn client_picks_certificate_by_issuer_list(client: Rules) -> bool {
    matches!(client, Rules::Jsse)
}

/// Whether a side's library names the alert it received when the alert
/// came encrypted (TLS 1.3, after the ServerHello).
///
/// rustls and OpenSSL do. **JSSE** says "Received fatal alert: NAME" only
/// in its message, which the harness does not read: the error is
/// `encrypted-alert-received`, and no alert is on the wire in the clear.
pub fn names_encrypted_alerts(receiver: Rules) -> bool {
    !matches!(receiver, Rules::Jsse)
}

/// Whether a TLS 1.3 client that refuses the server's certificate sends its
/// alert in the clear.
///
/// RFC 8446 §5 has it encrypted under the handshake keys. **OpenSSL**
/// sends it in the clear (it switches its write keys only after it
/// processed the server's Finished; measured: a JSSE server reads the
/// alert).
pub fn client_refusal_in_clear(client: Rules) -> bool {
    matches!(client, Rules::OpenSsl)
}

/// Whether a signer takes the first scheme in its own list that its peer
/// also lists (rather than the first of its peer's): **rustls** does in both
/// roles (its signing key's own order, `choose_scheme`); **OpenSSL** as a
/// server only when it prefers its own order (`SSL_OP_CIPHER_SERVER_PREFERENCE`
/// orders its shared sigalgs too, `tls1_set_shared_sigalgs`), and as a
/// client never (it takes the CertificateRequest's order); **JSSE** never
/// (`SignatureScheme.getSignerOfPreferableAlgorithm` walks the peer's
/// list). The reference signs in the server's order when the server
/// prefers its own.
pub fn signs_in_own_order(signer: Rules, as_server: bool, server_preference: bool) -> bool {
    match signer {
        Rules::Rustls => true,
        Rules::Jsse => false,
        Rules::OpenSsl | Rules::Reference => as_server && server_preference,
    }
}

/// Whether a signer's `key` signs with `scheme` beyond what the protocol
/// allows (`Scheme::fits`). **rustls** binds an ECDSA key to its curve's
/// scheme at every version and has no SHA-1 or SHA-224 ECDSA signer;
/// **JSSE** binds the curve-named ECDSA schemes at every version, and its
/// DSA signer refuses a digest shorter than the key's 256-bit q (no
/// `dsa_sha1` or `dsa_sha224` with a DSA-2048 key). OpenSSL and the
/// reference sign with any scheme the version allows for the key.
pub fn can_sign(signer: Rules, scheme: &crate::scheme::Scheme, key: crate::pki::KeyType) -> bool {
    use crate::scheme::Signs;
    match (signer, scheme.signs) {
        (Rules::Rustls, Signs::Ecdsa(curve)) => curve.is_some() && curve == key.curve(),
        (Rules::Jsse, Signs::Ecdsa(Some(curve))) => key.curve() == Some(curve),
        (Rules::Jsse, Signs::Dsa) => !matches!(scheme.hash, "sha1" | "sha224"),
        _ => true,
    }
}

/// How a server that finds no signature scheme for its certificate gives
/// up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeRefusal {
    /// Its error.
    pub error: crate::outcome::ErrorKind,
    /// The alert it sends (none: it closes the connection).
    pub alert: Option<Alert>,
    /// Whether its ServerHello went first (at TLS 1.3 the alert is then
    /// encrypted).
    pub after_server_hello: bool,
    /// Whether its Certificate went first.
    pub certificate_sent: bool,
}

/// How `server` refuses a client whose signature schemes its key cannot
/// sign with at `version`; `family_offered`: some scheme both list is of
/// the key's algorithm (an ECDSA scheme for the wrong curve, say).
///
/// **OpenSSL** and the reference refuse while they read the ClientHello
/// (`tls_choose_sigalg`), with handshake_failure. **rustls** does too at
/// TLS 1.2, but at TLS 1.3 only once its ServerHello is out (it signs when
/// it writes the CertificateVerify). **JSSE** at TLS 1.3 picks its
/// certificate by key algorithm alone: when a scheme of that algorithm is
/// offered it sends the certificate and fails at the CertificateVerify
/// with internal_error ("No supported CertificateVerify signature
/// algorithm"), otherwise with handshake_failure ("No available
/// authentication scheme") after its ServerHello; at TLS 1.2 (where it
/// passes over a certificate when no scheme is shared at all,
/// [`skips_certificate_at_tls12`]) it fails after its certificate with
/// internal_error.
/// rustls at TLS 1.2 refuses early only when no scheme it knows is offered;
/// otherwise it fails writing the ServerKeyExchange, with no alert (a
/// `General` error), before its first flight is out. Measured:
/// scenarios/backends/signature-schemes.toml.
pub fn scheme_refusal(
    server: Rules,
    version: ProtocolVersion,
    family_offered: bool,
) -> SchemeRefusal {
    use crate::outcome::ErrorKind;
    let tls13 = version == ProtocolVersion::Tls13;
    let plain = SchemeRefusal {
        error: ErrorKind::NoSharedSignatureScheme,
        alert: Some(Alert::HANDSHAKE_FAILURE),
        after_server_hello: false,
        certificate_sent: false,
    };
    match server {
        Rules::Rustls if !tls13 && family_offered => SchemeRefusal {
            error: ErrorKind::Other("rustls:General".into()),
            alert: None,
            ..plain
        },
        Rules::Rustls => SchemeRefusal {
            after_server_hello: tls13,
            ..plain
        },
        Rules::Jsse if family_offered || !tls13 => SchemeRefusal {
            error: ErrorKind::Other(
                if tls13 {
                    "jsse:SSLException"
                } else {
                    "jsse:internal-error"
                }
                .into(),
            ),
            alert: Some(INTERNAL_ERROR),
            after_server_hello: true,
            certificate_sent: true,
        },
        Rules::Jsse => SchemeRefusal {
            error: ErrorKind::Other("jsse:SSLHandshakeException".into()),
            after_server_hello: tls13,
            ..plain
        },
        Rules::OpenSsl | Rules::Reference => plain,
    }
}

/// Whether a verifier checks that each certificate of its peer's chain
/// (but a trust anchor) is signed with a scheme of its own list
/// (signature_algorithms_cert, or signature_algorithms without it:
/// RFC 8446 §4.2.3, RFC 5246 §7.4.2). **JSSE** does, from TLS 1.2 on
/// (`SSLAlgorithmConstraints` over its local schemes, in its path
/// validation), and refuses with unsupported_certificate. rustls and
/// OpenSSL verify the chain by their own algorithm lists whatever they
/// offer.
pub fn checks_chain_signatures(client: Rules) -> bool {
    client == Rules::Jsse
}

/// Whether a TLS 1.2 server passes over the suites of a certificate with
/// a key of `algorithm`, as if it held none, given the schemes both sides
/// list (`shared`). **OpenSSL** does for an ECDSA certificate when no
/// shared scheme is an ECDSA one (`ssl_set_masks` wants `CERT_PKEY_SIGN`
/// for aECDSA alone; RSA and DSA need only a valid certificate).
/// Otherwise they, rustls and JSSE choose the suite and fail when they
/// come to sign.
pub fn skips_certificate_at_tls12(
    server: Rules,
    algorithm: crate::pki::KeyAlgorithm,
    shared: &[&crate::scheme::Scheme],
) -> bool {
    match server {
        Rules::OpenSsl => {
            algorithm == crate::pki::KeyAlgorithm::Ecdsa
                && !shared.iter().any(|s| s.fits_algorithm(algorithm))
        }
        Rules::Jsse | Rules::Rustls | Rules::Reference => false,
    }
}

/// Whether an endpoint picks its certificate by key algorithm alone (the
/// first scheme both list of an algorithm it holds a key for, whatever the
/// curve): **JSSE** does, a TLS 1.3 server and a client answering a
/// CertificateRequest (`X509Authentication` by the scheme's key
/// algorithm; a client with none sends no certificate), and then may find
/// no scheme for an ECDSA key's curve. The others pick a certificate that
/// can sign with the scheme.
pub fn picks_certificate_by_algorithm(server: Rules) -> bool {
    server == Rules::Jsse
}

/// How a server refuses a hello, before it looks at the suites, when the
/// two sides list no signature scheme in common; `None`: it does not.
/// **OpenSSL** does at TLS 1.2 (`tls1_set_server_sigalgs`: "no shared
/// signature algorithms"), even where no suite would have been shared
/// either; at TLS 1.3 it chooses the suite first. **JSSE** finds no
/// certificate it may use for any suite, and says "no cipher suites in
/// common" (measured at TLS 1.2 and 1.3). rustls decides on the suite
/// first.
pub fn refusal_without_shared_scheme(
    server: Rules,
    version: ProtocolVersion,
) -> Option<crate::outcome::ErrorKind> {
    use crate::outcome::ErrorKind;
    match server {
        Rules::OpenSsl if version == ProtocolVersion::Tls12 => {
            Some(ErrorKind::NoSharedSignatureScheme)
        }
        Rules::Jsse => Some(ErrorKind::NoSharedCipher),
        _ => None,
    }
}

/// The schemes whose offer makes a server get as far as signing before it
/// finds it cannot ([`scheme_refusal`]'s `family_offered`): **rustls**
/// checks the client's list against every scheme it knows, not the
/// profile's; the others against their own list.
pub fn schemes_checked_early(
    server: Rules,
    own: Vec<&'static crate::scheme::Scheme>,
) -> Vec<&'static crate::scheme::Scheme> {
    match server {
        Rules::Rustls => crate::scheme::rustls_default(),
        _ => own,
    }
}

/// Whether a TLS 1.2 server picks a signature scheme for its certificate
/// with every suite that has one, static RSA included, and refuses when
/// none fits though it would sign nothing: **OpenSSL** does
/// (`tls_choose_sigalg` for every `SSL_aCERT` suite). The others look for
/// a scheme only when they sign.
pub fn picks_a_scheme_for_every_certificate_suite(server: Rules) -> bool {
    server == Rules::OpenSsl
}

/// Whether a client leaves out of its hello the suites whose
/// authentication (RSA, ECDSA, DSA) no scheme of its own list serves, at
/// every version: **OpenSSL** does (`ssl_set_client_disabled`), and with
/// none left fails with internal_error before it sends a hello. The others
/// offer their suites whatever their schemes.
pub fn drops_suites_without_a_scheme(client: Rules) -> bool {
    client == Rules::OpenSsl
}

/// What a server makes of an alert that comes where its ClientHello
/// should, when it is not the alert itself: **OpenSSL** reports an
/// unexpected message; the others the alert (`None`).
pub fn alert_before_hello(server: Rules) -> Option<crate::outcome::ErrorKind> {
    (server == Rules::OpenSsl).then_some(crate::outcome::ErrorKind::UnexpectedMessage)
}

/// Whether a server's refusal for want of a signature scheme sends
/// nothing at all, so the client never reads a ServerHello (nor the
/// downgrade mark in it): below TLS 1.3, a refusal with no alert and no
/// certificate, which is rustls failing to write its ServerKeyExchange
/// (`incompatible signing key`) while its first flight is still unsent.
/// Found by the oracle of `tests/model.rs` (an OpenSSL client's fallback
/// hello meeting a rustls server whose ECDSA key has only RSA-PSS schemes).
pub fn scheme_refusal_sends_nothing(version: ProtocolVersion, refusal: &Outcome) -> bool {
    version < ProtocolVersion::Tls13
        && matches!(refusal, Outcome::Failed(f) if f.alert.is_none() && f.server_certificate.is_none())
}

/// Whether a server's refusal for want of a signature scheme comes before
/// its answer to the client's ALPN: below TLS 1.3 a refusal made while
/// reading the ClientHello (an alert and no certificate: OpenSSL's
/// `tls_choose_sigalg` runs before `tls_handle_alpn`, rustls' check of the
/// offered schemes before its ALPN choice) does; one made while writing
/// the certificate flight, and every refusal at TLS 1.3, comes after
/// (measured on all three stacks by the oracle of `tests/model.rs`).
pub fn scheme_refusal_precedes_alpn(version: ProtocolVersion, refusal: &Outcome) -> bool {
    version < ProtocolVersion::Tls13
        && matches!(refusal, Outcome::Failed(f) if f.alert.is_some() && f.server_certificate.is_none())
}

/// The error of a client whose certificate can sign with no scheme of
/// the server's CertificateRequest, which only a client that picks its
/// certificate by key algorithm alone ([`picks_certificate_by_algorithm`])
/// sends: **JSSE** fails, with internal_error at TLS 1.2 and at TLS 1.3
/// an `SSLException` ("No supported CertificateVerify signature
/// algorithm"), both measured. rustls and OpenSSL send no certificate
/// then (measured at TLS 1.2 and 1.3).
pub fn no_client_scheme_error(version: ProtocolVersion) -> crate::outcome::ErrorKind {
    use crate::outcome::ErrorKind;
    match version {
        ProtocolVersion::Tls13 => ErrorKind::Other("jsse:SSLException".into()),
        _ => ErrorKind::Other("jsse:internal-error".into()),
    }
}

/// Whether a client below TLS 1.2 sends no certificate when the
/// CertificateRequest's certificate types leave out its key's: JSSE does,
/// as RFC 4346 §7.4.6 asks; **OpenSSL** sends its certificate whatever the
/// types (an ECDSA one to a server naming only RSA, measured at TLS 1.1).
pub fn honours_certificate_types(client: Rules) -> bool {
    client != Rules::OpenSsl
}

/// Whether a server's CertificateRequest below TLS 1.2 names only the
/// certificate types (RSA, DSA, ECDSA) its own signature schemes can
/// verify: **OpenSSL** does (`ssl3_get_req_cert_type`), so a client whose
/// key is of another type sends no certificate. rustls speaks no TLS 1.1;
/// JSSE names every type.
pub fn certificate_types_from_schemes(server: Rules) -> bool {
    server == Rules::OpenSsl
}

/// Whether a client sends signature_algorithms_cert (RFC 8446 §4.2.3), the
/// same list as its signature_algorithms: **JSSE** does, at TLS 1.2 too;
/// rustls and OpenSSL (unconfigured) send none.
pub fn sends_signature_algorithms_cert(client: Rules) -> bool {
    client == Rules::Jsse
}

/// Whether a server takes a certificate whose own signature is not in the
/// client's signature_algorithms_cert as unusable: **OpenSSL** does
/// (`check_cert_usable`), and with its only certificate unusable refuses
/// as when no scheme fits. rustls and JSSE present it.
pub fn server_checks_leaf_against_cert_list(server: Rules) -> bool {
    server == Rules::OpenSsl
}

/// Whether a client's verifier sees the server's certificate as soon as
/// it arrives: **rustls** verifies it only when the server's flight is
/// complete (its CertificateVerify at TLS 1.3, ServerHelloDone below), so
/// a server that gives up after sending it leaves a rustls client with no
/// certificate seen. OpenSSL and JSSE verify on arrival.
pub fn verifies_certificate_on_arrival(client: Rules) -> bool {
    client != Rules::Rustls
}

/// The alert a verifier that checks chain signatures refuses one with: a
/// client unsupported_certificate below TLS 1.3, certificate_unknown at
/// TLS 1.3; a server certificate_unknown (JSSE's trust manager, measured).
pub fn chain_signature_alert(side: crate::outcome::Side, version: ProtocolVersion) -> Alert {
    if side == crate::outcome::Side::Client && version < ProtocolVersion::Tls13 {
        UNSUPPORTED_CERTIFICATE
    } else {
        CERTIFICATE_UNKNOWN
    }
}

/// `unsupported_certificate` (43).
pub const UNSUPPORTED_CERTIFICATE: Alert = Alert(43);

/// Whether a stack logs its TLS secrets, so that the harness can read
/// what its encrypted TLS 1.3 flight signed with, and an alert it sent
/// encrypted ([`crate::flight::encrypted_alert`]): **JSSE** (OpenJDK 17)
/// logs none, so an alert one JSSE side sends another at TLS 1.3 is read
/// nowhere; rustls and OpenSSL do, and a reference side stands for a peer
/// whose flight is known.
pub fn logs_secrets(rules: Rules) -> bool {
    rules != Rules::Jsse
}

/// What a verifier refuses of its peer's keys and chain: the smallest keys
/// it accepts, and whether it refuses SHA-1 signatures on a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerPolicy {
    /// The smallest RSA, DH and EC keys it accepts.
    pub keys: crate::keysize::MinimumKeys,
    /// Whether a certificate signed with SHA-1 (but a trust anchor's own
    /// signature) is refused.
    pub refuses_sha1: bool,
}

/// The policy `rules` applies to its peer's keys, given its profile's
/// `minimum-key-bits`.
///
/// - **OpenSSL** 3.0: its security level (0 unless the profile's policy
///   is a level, `crate::keysize::OPENSSL_LEVELS`); from level 1 on it
///   refuses SHA-1 signatures on a chain (`ca md too weak`, measured).
/// - **JSSE**: the profile's minima, but never below the harness's
///   `jdk.tls.disabledAlgorithms` and `jdk.certpath.disabledAlgorithms`
///   (`RSA keySize < 1024`, `DH keySize < 1024`, `EC keySize < 224`); its
///   certpath constraints refuse SHA-1 only under a JDK root (`SHA1 jdkCA`),
///   so not here (measured).
/// - **rustls** sets no policy: webpki verifies RSA signatures with keys of
///   2048 to 8192 bits only and has no SHA-1 (measured: an RSA-1024 server
///   or client key and a SHA-1 chain are refused with decrypt_error).
/// - The reference takes the profile's minima and allows SHA-1.
pub fn peer_policy(rules: Rules, profile: &crate::scenario::Profile) -> PeerPolicy {
    use crate::keysize::MinimumKeys;
    let own = profile.handshake.minimum_key_bits;
    match rules {
        Rules::OpenSsl => {
            let level = own.and_then(MinimumKeys::openssl_level).unwrap_or(0);
            PeerPolicy {
                keys: MinimumKeys::of_openssl_level(level),
                refuses_sha1: level >= 1,
            }
        }
        Rules::Jsse => {
            let own = own.unwrap_or_default();
            PeerPolicy {
                keys: MinimumKeys::new(own.rsa.max(1024), own.dh.max(1024), own.ec.max(224)),
                refuses_sha1: false,
            }
        }
        Rules::Rustls => PeerPolicy {
            keys: MinimumKeys::new(2048, 0, 0),
            refuses_sha1: true,
        },
        Rules::Reference => PeerPolicy {
            keys: own.unwrap_or_default(),
            refuses_sha1: false,
        },
    }
}

/// The alert a verifier refuses a certificate with whose key is too small
/// or whose chain is signed too weakly for its [`peer_policy`]:
/// **OpenSSL** bad_certificate (`ee key too small`, `ca md too weak`);
/// **JSSE** as for a chain signature it does not list
/// ([`chain_signature_alert`]); **rustls** decrypt_error (webpki's
/// refusal of the key or the signature); all measured at TLS 1.2 and 1.3
/// on both sides.
pub fn weak_certificate_alert(
    (verifier, side): (Rules, crate::outcome::Side),
    version: ProtocolVersion,
) -> Alert {
    match verifier {
        Rules::Jsse => chain_signature_alert(side, version),
        Rules::Rustls => DECRYPT_ERROR,
        Rules::OpenSsl | Rules::Reference => BAD_CERTIFICATE,
    }
}

/// `decrypt_error` (51).
pub const DECRYPT_ERROR: Alert = Alert(51);
/// `insufficient_security` (71).
pub const INSUFFICIENT_SECURITY: Alert = Alert(71);

/// The alert a client refuses a DHE group smaller than its policy with:
/// **OpenSSL** handshake_failure (`dh key too small`), JSSE and the
/// reference insufficient_security (RFC 5246 §7.2.2; measured).
pub fn small_dh_alert(client: Rules) -> Alert {
    match client {
        Rules::OpenSsl => Alert::HANDSHAKE_FAILURE,
        _ => INSUFFICIENT_SECURITY,
    }
}

/// Whether a stack drops a signature scheme of `hash` from its list at
/// OpenSSL security `level`: SHA-1 from level 1, SHA-224 from level 3
/// (**OpenSSL** 3.0 counts them 64 and 112 bits; the others have no
/// levels).
pub fn drops_scheme_at_level(rules: Rules, hash: &str, level: u32) -> bool {
    rules == Rules::OpenSsl && ((hash == "sha1" && level >= 1) || (hash == "sha224" && level >= 3))
}

/// Whether a verifier refuses a key too small for its [`peer_policy`] when
/// it verifies the handshake signature made with it, rather than with the
/// certificate: **rustls** does (webpki's RSA algorithms take 2048 bits
/// and up), so an accepted exception, which ends its certificate checks,
/// does not spare an RSA-1024 key (measured: decrypt_error).
pub fn refuses_small_keys_when_verifying_signatures(verifier: Rules) -> bool {
    verifier == Rules::Rustls
}

/// The OpenSSL security level a profile's `minimum-key-bits` is (0: none,
/// or a policy that is no level).
pub fn security_level(profile: &crate::scenario::Profile) -> u32 {
    profile
        .handshake
        .minimum_key_bits
        .and_then(crate::keysize::MinimumKeys::openssl_level)
        .unwrap_or(0)
}

/// Whether an endpoint can sign, or accept a signature, below TLS 1.2 at
/// its security level: **OpenSSL** 3.0 cannot at level 1 and above (the
/// MD5-SHA1 and SHA-1 signatures of TLS 1.0 and 1.1 count under 80
/// bits). Measured: a server at level 1 or 2 aborts every TLS 1.0 and 1.1
/// handshake, static RSA included, with internal_error before its
/// ServerHello ("no suitable signature algorithm"); a client at level 1
/// or 2 aborts with internal_error when a signed ServerKeyExchange comes
/// ("legacy sigalg disallowed or unsupported"), and completes with static
/// RSA; asked for a certificate, it sends none (found by the oracle of
/// `tests/model.rs`: it cannot sign the CertificateVerify).
pub fn signs_below_tls12(rules: Rules, level: u32) -> bool {
    !(rules == Rules::OpenSsl && level >= 1)
}

/// Whether a verifier holds a trust anchor's own key to its
/// [`peer_policy`]: **OpenSSL** does (`check_auth_level`, an RSA-1024 root
/// at level 2: bad_certificate) and **rustls** must (webpki verifies the
/// anchor's signature with RSA keys of 2048 bits and up: decrypt_error);
/// **JSSE**'s per-engine constraints never see the anchor's key (an
/// RSA-1024 root under a 2048-bit minimum is accepted), all measured; the
/// reference does not (RFC 5280 §6.1 takes the anchor as given).
pub fn checks_anchor_key(verifier: Rules) -> bool {
    matches!(verifier, Rules::OpenSsl | Rules::Rustls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_drops_sha1_from_level_1_and_sha224_from_level_3() {
        let drops = |hash, level| drops_scheme_at_level(Rules::OpenSsl, hash, level);
        assert!(!drops("sha1", 0));
        assert!(drops("sha1", 1));
        assert!(!drops("sha224", 2));
        assert!(drops("sha224", 3));
        assert!(!drops("sha256", 3));
        assert!(!drops_scheme_at_level(Rules::Jsse, "sha1", 3));
    }
}
