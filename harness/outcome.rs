//! The normalised result of one handshake, independent of the backends that
//! ran it: what was negotiated, or which side failed with which alert.
//!
//! Nothing in here names a rustls, OpenSSL or JSSE type; the mapping from their
//! errors into [`ErrorKind`] lives in [`crate::taxonomy`].

use std::fmt;

use serde::{Serialize, Serializer};

use crate::pki::CertSummary;
use crate::version::ProtocolVersion;

/// The two ends of a connection.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The endpoint that sends the ClientHello.
    Client,
    /// The endpoint that answers it.
    Server,
}

impl Side {
    /// The other end.
    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Client => "client",
            Side::Server => "server",
        })
    }
}

/// A TLS alert description ([RFC 8446 §6](https://www.rfc-editor.org/rfc/rfc8446#section-6)
/// and the older ones of RFC 5246 §7.2), named as the IANA registry names it
/// (`protocol_version`). The names come from tls-parser's alert table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Alert(pub u8);

impl Alert {
    /// `handshake_failure` (40).
    pub const HANDSHAKE_FAILURE: Alert = Alert(40);
    /// `protocol_version` (70).
    pub const PROTOCOL_VERSION: Alert = Alert(70);

    /// The registry name in snake case, or `alert_N` for an unassigned value.
    pub fn name(self) -> String {
        let debug = tls_parser::TlsAlertDescription(self.0).to_string();
        if debug.starts_with(|c: char| c.is_ascii_uppercase()) && !debug.contains('(') {
            snake_case(&debug)
        } else {
            format!("alert_{}", self.0)
        }
    }

    /// The alert whose registry name is `name` (`"unknown_ca"`), if any.
    pub fn from_name(name: &str) -> Option<Alert> {
        (0..=u8::MAX).map(Alert).find(|a| a.name() == name)
    }

    /// Every assigned alert name, for error messages and suggestions.
    pub fn known_names() -> Vec<String> {
        (0..=u8::MAX)
            .map(Alert)
            .map(Alert::name)
            .filter(|n| !n.starts_with("alert_"))
            .collect()
    }
}

fn established_summary(e: &Established) -> String {
    let mut s = format!("{} {}", e.version, e.suite.name);
    if let Some(c) = &e.server_certificate {
        s.push_str(&format!(" ({}", c.leaf.key));
        if c.accepted_by_exception {
            s.push_str(", accepted by exception");
        }
        s.push(')');
    }
    s
}

fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

impl Serialize for Alert {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// Why one side gave up, in the harness's own taxonomy. Built from numeric
/// error codes and typed errors, never from reason strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The peer sent this fatal alert.
    AlertReceived(Alert),
    /// No protocol version both sides enable.
    NoCommonVersion,
    /// No cipher suite both sides enable (for the negotiated version).
    NoSharedCipher,
    /// No key-exchange group in common.
    NoSharedGroup,
    /// No signature scheme in common.
    NoSharedSignatureScheme,
    /// The client's ALPN protocols share none with the server's
    /// ([RFC 7301 §3.2](https://www.rfc-editor.org/rfc/rfc7301#section-3.2)).
    NoApplicationProtocol,
    /// The peer's certificate chains to no trust anchor.
    UntrustedCertificate,
    /// The peer's certificate is not valid for the name asked for.
    CertificateNameMismatch,
    /// The peer's certificate has expired at the instant it was verified.
    CertificateExpired,
    /// The peer's certificate is not yet valid at the instant it was
    /// verified (a clock behind, or a certificate issued after it).
    CertificateNotYetValid,
    /// The peer's certificate is unusable for another reason.
    BadCertificate,
    /// The peer's key-exchange group is smaller than this side accepts
    /// (OpenSSL's `dh key too small`, JSSE's insufficient_security).
    InsufficientSecurity,
    /// A client certificate was required and none came.
    CertificateRequired,
    /// The client's fallback hello was refused (TLS_FALLBACK_SCSV).
    InappropriateFallback,
    /// A message arrived that the state machine did not allow.
    UnexpectedMessage,
    /// Bytes that do not parse as TLS.
    DecodeError,
    /// The peer closed the transport without an alert.
    PeerClosed,
    /// The peer sent a fatal alert encrypted, which this side read but
    /// whose description its library does not report (JSSE at TLS 1.3).
    EncryptedAlertReceived,
    /// The handshake did not finish before the deadline.
    Timeout,
    /// The local configuration could not be built.
    Configuration,
    /// Anything else, with the library's numeric code (`openssl:0x0A000102`,
    /// `rustls:General`).
    Other(String),
}

impl ErrorKind {
    /// True when the error was decided by this side itself rather than
    /// learned from the peer (an alert received, a closed transport) or the
    /// clock.
    pub fn is_local(&self) -> bool {
        !matches!(
            self,
            ErrorKind::AlertReceived(_)
                | ErrorKind::EncryptedAlertReceived
                | ErrorKind::PeerClosed
                | ErrorKind::Timeout
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::AlertReceived(a) => write!(f, "received {a}"),
            ErrorKind::Other(code) => write!(f, "other ({code})"),
            other => {
                let json = serde_json::to_value(other).map_err(|_| fmt::Error)?;
                f.write_str(json.as_str().unwrap_or("?"))
            }
        }
    }
}

/// One side's error: the taxonomy decides, the raw text is for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SideError {
    /// The classified error.
    pub kind: ErrorKind,
    /// The library's own words, kept for reading; never snapshotted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl SideError {
    /// An error with its raw text.
    pub fn new(kind: ErrorKind, raw: impl Into<String>) -> Self {
        SideError {
            kind,
            raw: Some(raw.into()),
        }
    }
}

/// A cipher suite as an outcome names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuiteName {
    /// IANA name.
    pub name: String,
    /// Code point, `0xC02F`.
    pub code: String,
}

impl SuiteName {
    /// The suite at this code point, named from the registry.
    pub fn from_code(code: u16) -> SuiteName {
        let name = crate::suite::registry()
            .by_code(code)
            .map(|s| s.iana.to_string())
            .unwrap_or_else(|| "unknown".to_string());
        SuiteName {
            name,
            code: format!("0x{code:04X}"),
        }
    }
}

/// A certificate chain one side presented, as the other side received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Presented {
    /// The end-entity certificate.
    #[serde(flatten)]
    pub leaf: CertSummary,
    /// Certificates sent, leaf included.
    pub chain_length: usize,
    /// Accepted only through one of the client's accepted exceptions.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accepted_by_exception: bool,
    /// SHA-256 of the leaf as it crossed the wire (lowercase hex). The
    /// harness's certificates are deterministic, so this names the same
    /// certificate on every run and machine; the negotiation model, which
    /// reasons about what a certificate says and not its bytes, leaves it
    /// out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// A handshake that completed and carried application data both ways.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Established {
    /// The negotiated version.
    pub version: ProtocolVersion,
    /// The negotiated suite.
    pub suite: SuiteName,
    /// The key-exchange group, read off the wire (none for static RSA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The server answered the first hello with a HelloRetryRequest
    /// (TLS 1.3: no key share for the group it chose).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hello_retry: bool,
    /// The scheme the server signed its key exchange (TLS 1.2) or its
    /// CertificateVerify (TLS 1.3) with, read off the wire; none where it
    /// signed nothing (static RSA, TLS 1.1 and below) or the TLS 1.3
    /// flight had no secret to read it with (a JSSE-only pairing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_scheme: Option<String>,
    /// The scheme of the client's CertificateVerify, when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_signature_scheme: Option<String>,
    /// The ALPN protocol both sides settled on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
    /// The server's certificate as the client saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_certificate: Option<Presented>,
    /// The client's certificate as the server saw it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<Presented>,
}

/// A handshake (or the first exchange after it) that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Failed {
    /// The side that decided to abort; none when neither did (a timeout).
    pub failed_side: Option<Side>,
    /// The fatal alert that crossed the wire, if one did.
    pub alert: Option<Alert>,
    /// The client's error, if it saw one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_error: Option<SideError>,
    /// The server's error, if it saw one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_error: Option<SideError>,
    /// The server's certificate, when the client got as far as seeing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_certificate: Option<Presented>,
}

impl Failed {
    /// The failing side's error kind, the one that names the cause.
    pub fn cause(&self) -> Option<&ErrorKind> {
        let pick = |side: Side| match side {
            Side::Client => self.client_error.as_ref(),
            Side::Server => self.server_error.as_ref(),
        };
        self.failed_side
            .and_then(pick)
            .or(self.server_error.as_ref())
            .or(self.client_error.as_ref())
            .map(|e| &e.kind)
    }

    /// A failure a client answers with its fallback hello: one in the
    /// negotiation, before it saw the server's certificate (a certificate it
    /// refused is no reason to offer older versions), and not a timeout.
    pub fn is_negotiation_failure(&self) -> bool {
        self.server_certificate.is_none() && self.cause() != Some(&ErrorKind::Timeout)
    }
}

/// A handshake that completed, after which the server's application
/// refused the client's identity (its certificate's common name is not on
/// the server's list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct IdentityRefused {
    /// The completed handshake.
    #[serde(flatten)]
    pub handshake: Established,
    /// The identity the client presented, if any.
    pub identity: Option<String>,
}

/// What one real handshake came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub enum Outcome {
    /// Both sides completed the handshake and exchanged data.
    Established(Established),
    /// It failed; see which side and why.
    Failed(Failed),
    /// It completed, and then the application refused the client.
    IdentityRefused(IdentityRefused),
}

impl Outcome {
    /// The application's check after a completed handshake: a server with a
    /// ClientIdentity list (`allowed`) refuses a client whose certificate's
    /// common name is not on it.
    pub fn refuse_unlisted_identity(self, allowed: Option<&[String]>) -> Outcome {
        let (Some(allowed), Outcome::Established(e)) = (allowed, &self) else {
            return self;
        };
        let identity = e
            .client_certificate
            .as_ref()
            .map(|c| c.leaf.subject.clone());
        if identity.as_ref().is_some_and(|id| allowed.contains(id)) {
            return self;
        }
        Outcome::IdentityRefused(IdentityRefused {
            handshake: e.clone(),
            identity,
        })
    }

    /// The outcome without raw library text, for snapshots: raw strings
    /// differ between OpenSSL builds and say nothing the taxonomy does not.
    pub fn without_raw(&self) -> Outcome {
        let mut out = self.clone();
        if let Outcome::Failed(f) = &mut out {
            for e in [&mut f.client_error, &mut f.server_error]
                .into_iter()
                .flatten()
            {
                e.raw = None;
            }
        }
        out
    }

    /// The same without certificate fingerprints: what a prediction, which
    /// knows what certificates say and not their bytes, is compared with.
    pub fn without_fingerprints(&self) -> Outcome {
        let mut out = self.clone();
        let presented = match &mut out {
            Outcome::Established(e) => [&mut e.server_certificate, &mut e.client_certificate],
            Outcome::IdentityRefused(r) => [
                &mut r.handshake.server_certificate,
                &mut r.handshake.client_certificate,
            ],
            Outcome::Failed(f) => [&mut f.server_certificate, &mut None],
        };
        for p in presented.into_iter().flatten() {
            p.fingerprint = None;
        }
        out
    }

    /// The server's certificate as the client saw it, whatever happened.
    pub fn server_certificate(&self) -> Option<&Presented> {
        match self {
            Outcome::Established(e) => e.server_certificate.as_ref(),
            Outcome::IdentityRefused(r) => r.handshake.server_certificate.as_ref(),
            Outcome::Failed(f) => f.server_certificate.as_ref(),
        }
    }

    /// One line for tables: `TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (rsa-2048)`
    /// or `server failed: no-common-version, alert protocol_version (70)`.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Established(e) => established_summary(e),
            Outcome::IdentityRefused(r) => format!(
                "{}, then identity {} refused",
                established_summary(&r.handshake),
                r.identity.as_deref().unwrap_or("(none)")
            ),
            Outcome::Failed(f) => {
                let who = f
                    .failed_side
                    .map_or("failed".to_string(), |s| format!("{s} failed"));
                let cause = f.cause().map_or("unknown".to_string(), ToString::to_string);
                match f.alert {
                    Some(a) => format!("{who}: {cause}, alert {a}"),
                    None => format!("{who}: {cause}, no alert"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_follow_the_iana_registry() {
        assert_eq!(Alert(70).name(), "protocol_version");
        assert_eq!(Alert(40).name(), "handshake_failure");
        assert_eq!(Alert(48).name(), "unknown_ca");
        assert_eq!(Alert(116).name(), "certificate_required");
        assert_eq!(Alert(86).name(), "inappropriate_fallback");
        assert_eq!(Alert::from_name("bad_certificate"), Some(Alert(42)));
        assert_eq!(Alert::from_name("no_such_alert"), None);
    }

    #[test]
    fn failed_summary_names_side_cause_and_alert() {
        let f = Outcome::Failed(Failed {
            failed_side: Some(Side::Server),
            alert: Some(Alert::PROTOCOL_VERSION),
            client_error: Some(SideError::new(ErrorKind::AlertReceived(Alert(70)), "x")),
            server_error: Some(SideError::new(ErrorKind::NoCommonVersion, "y")),
            server_certificate: None,
        });
        assert_eq!(
            f.summary(),
            "server failed: no-common-version, alert protocol_version (70)"
        );
        let snap = serde_json::to_string(&f.without_raw()).unwrap();
        assert!(!snap.contains("\"raw\""), "{snap}");
    }
}
