//! The one place where library errors become the harness's [`ErrorKind`]:
//! [`from_rustls`] for rustls, [`from_openssl`] for OpenSSL, [`from_jsse`]
//! for JSSE. All decide on typed errors, numeric codes and alerts only; reason strings differ between
//! OpenSSL builds ("sslv3 alert ..." in 3.0, "ssl/tls alert ..." in 3.6) and
//! are kept for people, not for decisions.

use std::io;

use rustls::{CertificateError, PeerIncompatible};

use crate::outcome::{Alert, ErrorKind, SideError};

/// Classifies an I/O error from tokio-rustls, whose TLS errors come wrapped
/// in `io::Error`.
pub fn from_rustls_io(err: &io::Error) -> SideError {
    if let Some(tls) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        return from_rustls(tls);
    }
    from_io(err)
}

/// Classifies a transport error that carries no TLS error.
pub fn from_io(err: &io::Error) -> SideError {
    SideError::new(from_io_kind(err.kind()), err.to_string())
}

fn from_io_kind(kind: io::ErrorKind) -> ErrorKind {
    match kind {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted => ErrorKind::PeerClosed,
        io::ErrorKind::InvalidData => ErrorKind::DecodeError,
        io::ErrorKind::TimedOut => ErrorKind::Timeout,
        other => ErrorKind::Other(format!("io:{other:?}")),
    }
}

/// Classifies a rustls error.
pub fn from_rustls(err: &rustls::Error) -> SideError {
    use rustls::Error as E;
    let kind = match err {
        E::AlertReceived(desc) => ErrorKind::AlertReceived(Alert(u8::from(*desc))),
        E::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCipherSuitesInCommon => ErrorKind::NoSharedCipher,
            PeerIncompatible::NoKxGroupsInCommon => ErrorKind::NoSharedGroup,
            PeerIncompatible::NoSignatureSchemesInCommon
            | PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
                ErrorKind::NoSharedSignatureScheme
            }
            // A TLS 1.0/1.1 ClientHello reaches rustls as a hello without
            // supported_versions and, below 1.2, without
            // signature_algorithms; rustls reports the missing extension.
            PeerIncompatible::ServerDoesNotSupportTls12Or13
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
            | PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::SignatureAlgorithmsExtensionRequired
            | PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled => ErrorKind::NoCommonVersion,
            other => ErrorKind::Other(format!("rustls:PeerIncompatible::{other:?}")),
        },
        E::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => ErrorKind::UntrustedCertificate,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                ErrorKind::CertificateNameMismatch
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                ErrorKind::CertificateExpired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                ErrorKind::CertificateNotYetValid
            }
            _ => ErrorKind::BadCertificate,
        },
        E::NoCertificatesPresented => ErrorKind::CertificateRequired,
        E::NoApplicationProtocol => ErrorKind::NoApplicationProtocol,
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            ErrorKind::UnexpectedMessage
        }
        E::InvalidMessage(_) | E::PeerSentOversizedRecord | E::DecryptError => {
            ErrorKind::DecodeError
        }
        other => ErrorKind::Other(format!("rustls:{}", variant_name(other))),
    };
    SideError::new(kind, err.to_string())
}

fn variant_name(err: &rustls::Error) -> String {
    let debug = format!("{err:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// OpenSSL's library number for libssl (`ERR_LIB_SSL`).
const LIB_SSL: u64 = 20;
/// `ERR_REASON_MASK` in OpenSSL 3.
const REASON_MASK: u64 = 0x7F_FFFF;
/// `SSL_AD_REASON_OFFSET`: reason codes 1000 + N mean "received alert N".
const ALERT_REASON_OFFSET: u64 = 1000;

/// libssl reason codes (`SSL_R_*` in `openssl/sslerr.h`, OpenSSL 3.0).
mod reason {
    pub const NO_SUITABLE_KEY_SHARE: u64 = 101;
    pub const NO_SUITABLE_SIGNATURE_ALGORITHM: u64 = 118;
    pub const NO_APPLICATION_PROTOCOL: u64 = 235;
    pub const CERTIFICATE_VERIFY_FAILED: u64 = 134;
    pub const VERSION_TOO_HIGH: u64 = 166;
    pub const NO_CIPHERS_AVAILABLE: u64 = 181;
    pub const NO_PROTOCOLS_AVAILABLE: u64 = 191;
    pub const NO_SHARED_CIPHER: u64 = 193;
    pub const PACKET_LENGTH_TOO_LONG: u64 = 198;
    pub const PEER_DID_NOT_RETURN_A_CERTIFICATE: u64 = 199;
    pub const RECORD_LENGTH_MISMATCH: u64 = 213;
    pub const BAD_PACKET: u64 = 240;
    pub const UNEXPECTED_MESSAGE: u64 = 244;
    pub const UNKNOWN_PROTOCOL: u64 = 252;
    pub const UNSUPPORTED_PROTOCOL: u64 = 258;
    pub const WRONG_VERSION_NUMBER: u64 = 267;
    pub const UNEXPECTED_EOF_WHILE_READING: u64 = 294;
    pub const INAPPROPRIATE_FALLBACK: u64 = 373;
    pub const NO_SHARED_SIGNATURE_ALGORITHMS: u64 = 376;
    pub const LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED: u64 = 333;
    pub const DH_KEY_TOO_SMALL: u64 = 394;
    pub const VERSION_TOO_LOW: u64 = 396;
    pub const NO_SHARED_GROUPS: u64 = 410;
    pub const BAD_RECORD_TYPE: u64 = 443;
    pub const HTTPS_PROXY_REQUEST: u64 = 155;
    pub const HTTP_REQUEST: u64 = 156;
    pub const LENGTH_MISMATCH: u64 = 159;
    pub const BAD_LENGTH: u64 = 271;
}

/// X.509 verification results (`X509_V_ERR_*`), for `verify_result()`.
mod verify {
    pub const UNABLE_TO_GET_ISSUER_CERT: i32 = 2;
    pub const CERT_NOT_YET_VALID: i32 = 9;
    pub const CERT_HAS_EXPIRED: i32 = 10;
    pub const DEPTH_ZERO_SELF_SIGNED_CERT: i32 = 18;
    pub const SELF_SIGNED_CERT_IN_CHAIN: i32 = 19;
    pub const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i32 = 20;
    pub const UNABLE_TO_VERIFY_LEAF_SIGNATURE: i32 = 21;
    pub const HOSTNAME_MISMATCH: i32 = 62;
}

/// Classifies an OpenSSL error: the packed error codes of its stack (first
/// libssl error wins) and, for certificate failures, the X.509 verify
/// result (`0` when verification passed or did not run).
pub fn from_openssl(codes: &[u64], verify_result: i32, raw: String) -> SideError {
    let ssl_reason = codes
        .iter()
        .find(|c| (*c >> 23) & 0xFF == LIB_SSL)
        .map(|c| c & REASON_MASK);
    let kind = match ssl_reason {
        Some(r) if (ALERT_REASON_OFFSET..ALERT_REASON_OFFSET + 256).contains(&r) => {
            ErrorKind::AlertReceived(Alert((r - ALERT_REASON_OFFSET) as u8))
        }
        Some(reason::CERTIFICATE_VERIFY_FAILED) => from_verify_result(verify_result),
        Some(
            reason::UNSUPPORTED_PROTOCOL
            | reason::VERSION_TOO_LOW
            | reason::VERSION_TOO_HIGH
            | reason::NO_PROTOCOLS_AVAILABLE,
        ) => ErrorKind::NoCommonVersion,
        Some(reason::NO_SHARED_CIPHER | reason::NO_CIPHERS_AVAILABLE) => ErrorKind::NoSharedCipher,
        Some(reason::NO_SHARED_GROUPS | reason::NO_SUITABLE_KEY_SHARE) => ErrorKind::NoSharedGroup,
        Some(
            reason::NO_SHARED_SIGNATURE_ALGORITHMS
            | reason::NO_SUITABLE_SIGNATURE_ALGORITHM
            | reason::LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED,
        ) => {
            ErrorKind::NoSharedSignatureScheme
        }
        Some(reason::PEER_DID_NOT_RETURN_A_CERTIFICATE) => ErrorKind::CertificateRequired,
        Some(reason::DH_KEY_TOO_SMALL) => ErrorKind::InsufficientSecurity,
        Some(reason::NO_APPLICATION_PROTOCOL) => ErrorKind::NoApplicationProtocol,
        Some(reason::INAPPROPRIATE_FALLBACK) => ErrorKind::InappropriateFallback,
        Some(reason::UNEXPECTED_MESSAGE) => ErrorKind::UnexpectedMessage,
        Some(
            reason::PACKET_LENGTH_TOO_LONG
            | reason::RECORD_LENGTH_MISMATCH
            | reason::BAD_PACKET
            | reason::UNKNOWN_PROTOCOL
            | reason::BAD_RECORD_TYPE
            // A record header whose version bytes are not TLS: garbage,
            // not a negotiation (that reports UNSUPPORTED_PROTOCOL).
            | reason::WRONG_VERSION_NUMBER
            // Plain HTTP where a record belongs.
            | reason::HTTP_REQUEST
            | reason::HTTPS_PROXY_REQUEST
            // A hello whose own lengths do not add up.
            | reason::LENGTH_MISMATCH
            | reason::BAD_LENGTH,
        ) => ErrorKind::DecodeError,
        Some(reason::UNEXPECTED_EOF_WHILE_READING) => ErrorKind::PeerClosed,
        Some(r) => ErrorKind::Other(format!("openssl:ssl-reason-{r}")),
        None if verify_result != 0 => from_verify_result(verify_result),
        None => match codes.first() {
            Some(c) => ErrorKind::Other(format!("openssl:0x{c:08X}")),
            None => ErrorKind::PeerClosed,
        },
    };
    SideError::new(kind, raw)
}

/// What the JVM reports of a failed `SSLEngine` (see
/// `harness/endpoint/jsse/Engines.java`): typed facts, never its message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsseError {
    /// The exception's class and its causes' classes, outermost first
    /// (`javax.net.ssl.SSLHandshakeException`, ...).
    pub classes: Vec<String>,
    /// The `CertPathValidatorException` reason among the causes
    /// (`EXPIRED`, `NO_TRUST_ANCHOR`), or empty.
    pub cert_path_reason: String,
    /// The alert the peer sent in the clear, as the engine read it.
    pub received: Option<Alert>,
    /// The alert this engine sent in the clear, read from its output.
    pub sent: Option<Alert>,
    /// A server that requires a client certificate failed holding none.
    pub without_client_certificate: bool,
    /// The engine wrote nothing after it failed: it received a fatal alert
    /// (JSSE sends none back) that came encrypted.
    pub silent: bool,
}

/// Classifies a JSSE failure: certificate faults by the exception classes
/// and the path validator's reason, negotiation faults by the alert JSSE
/// sent (all of them are a bare `SSLHandshakeException`), an alert it
/// received by the alert; `raw` is the exception's message, for people.
pub fn from_jsse(err: &JsseError, raw: String) -> SideError {
    let has = |class: &str| err.classes.iter().any(|c| c == class);
    let kind = if let Some(alert) = err.received {
        ErrorKind::AlertReceived(alert)
    } else if err.cert_path_reason == "EXPIRED" {
        ErrorKind::CertificateExpired
    } else if err.cert_path_reason == "NOT_YET_VALID" {
        ErrorKind::CertificateNotYetValid
    } else if err.cert_path_reason == "NO_TRUST_ANCHOR"
        || has("sun.security.provider.certpath.SunCertPathBuilderException")
        // PKIX with an empty anchor set: nothing can be trusted.
        || has("java.security.InvalidAlgorithmParameterException")
    {
        ErrorKind::UntrustedCertificate
    } else if err
        .classes
        .last()
        .is_some_and(|c| c == "java.security.cert.CertificateException")
        && err.classes.len() > 1
    {
        // X509TrustManagerImpl's host name check throws a bare
        // CertificateException, with no cause of its own.
        ErrorKind::CertificateNameMismatch
    } else if has("java.security.cert.CertificateException")
        || has("sun.security.validator.ValidatorException")
    {
        ErrorKind::BadCertificate
    } else if err.without_client_certificate
        && !err.silent
        && matches!(err.sent, None | Some(Alert(42)))
    {
        // "Empty client certificate chain": bad_certificate, encrypted at
        // TLS 1.3.
        ErrorKind::CertificateRequired
    } else if let Some(alert) = err.sent {
        from_jsse_alert(alert)
    } else if err.silent {
        ErrorKind::EncryptedAlertReceived
    } else {
        let last = err
            .classes
            .last()
            .map_or("?", |c| c.rsplit('.').next().unwrap_or(c));
        ErrorKind::Other(format!("jsse:{last}"))
    };
    SideError::new(kind, raw)
}

/// A JSSE failure that is not about a certificate, by the alert it sent.
fn from_jsse_alert(alert: Alert) -> ErrorKind {
    match alert.0 {
        70 => ErrorKind::NoCommonVersion,
        40 => ErrorKind::NoSharedCipher,
        116 => ErrorKind::CertificateRequired,
        120 => ErrorKind::NoApplicationProtocol,
        86 => ErrorKind::InappropriateFallback,
        71 => ErrorKind::InsufficientSecurity,
        10 => ErrorKind::UnexpectedMessage,
        50 => ErrorKind::DecodeError,
        47 => ErrorKind::Other("jsse:illegal-parameter".into()),
        80 => ErrorKind::Other("jsse:internal-error".into()),
        other => ErrorKind::Other(format!("jsse:sent-alert-{other}")),
    }
}

fn from_verify_result(result: i32) -> ErrorKind {
    match result {
        // 2: a trust anchor that is not a self-signed root ends the chain
        // (OpenSSL without X509_V_FLAG_PARTIAL_CHAIN).
        verify::UNABLE_TO_GET_ISSUER_CERT
        | verify::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | verify::UNABLE_TO_VERIFY_LEAF_SIGNATURE
        | verify::DEPTH_ZERO_SELF_SIGNED_CERT
        | verify::SELF_SIGNED_CERT_IN_CHAIN => ErrorKind::UntrustedCertificate,
        verify::HOSTNAME_MISMATCH => ErrorKind::CertificateNameMismatch,
        verify::CERT_HAS_EXPIRED => ErrorKind::CertificateExpired,
        verify::CERT_NOT_YET_VALID => ErrorKind::CertificateNotYetValid,
        _ => ErrorKind::BadCertificate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssl_code(reason: u64) -> u64 {
        (LIB_SSL << 23) | reason
    }

    #[test]
    fn only_the_256_reasons_from_1000_are_alerts() {
        assert_eq!(
            from_openssl(&[ssl_code(1255)], 0, String::new()).kind,
            ErrorKind::AlertReceived(Alert(255))
        );
        // One past them is a reason like any other (a mutant of the bound
        // survived without this).
        assert_eq!(
            from_openssl(&[ssl_code(1256)], 0, String::new()).kind,
            ErrorKind::Other("openssl:ssl-reason-1256".into())
        );
    }

    #[test]
    fn a_bare_certificate_exception_is_a_wrong_name_only_as_a_cause() {
        let err = |classes: &[&str]| JsseError {
            classes: classes.iter().map(|c| c.to_string()).collect(),
            ..JsseError::default()
        };
        let bare = "java.security.cert.CertificateException";
        let caused = err(&["javax.net.ssl.SSLHandshakeException", bare]);
        assert_eq!(
            from_jsse(&caused, String::new()).kind,
            ErrorKind::CertificateNameMismatch
        );
        // Thrown alone, it names no fault of its own.
        assert_eq!(
            from_jsse(&err(&[bare]), String::new()).kind,
            ErrorKind::BadCertificate
        );
    }

    #[test]
    fn openssl_alert_reasons_become_received_alerts() {
        // 0x0A00042E: "tlsv1 alert protocol version" (reason 1000 + 70).
        assert_eq!(ssl_code(1070), 0x0A00_042E);
        let e = from_openssl(&[0x0A00_042E], 0, String::new());
        assert_eq!(e.kind, ErrorKind::AlertReceived(Alert(70)));
        let e = from_openssl(&[ssl_code(1116)], 0, String::new());
        assert_eq!(e.kind, ErrorKind::AlertReceived(Alert(116)));
    }

    #[test]
    fn a_verify_result_without_a_libssl_reason_still_names_the_fault() {
        // Only a non-libssl error queued (a libcrypto X509 code), and the
        // verifier's result says why.
        let crypto_only = [0x0580_0086];
        assert_eq!(
            from_openssl(&crypto_only, 10, String::new()).kind,
            ErrorKind::CertificateExpired
        );
        // With no verify result the stack's first code is named as is.
        assert_eq!(
            from_openssl(&crypto_only, 0, String::new()).kind,
            ErrorKind::Other("openssl:0x05800086".into())
        );
        assert_eq!(
            from_openssl(&[], 0, String::new()).kind,
            ErrorKind::PeerClosed
        );
    }

    #[test]
    fn openssl_verify_failures_use_the_verify_result() {
        let failed = [ssl_code(reason::CERTIFICATE_VERIFY_FAILED)];
        assert_eq!(
            from_openssl(&failed, 20, String::new()).kind,
            ErrorKind::UntrustedCertificate
        );
        assert_eq!(
            from_openssl(&failed, 62, String::new()).kind,
            ErrorKind::CertificateNameMismatch
        );
        // An intermediate anchored without its root.
        assert_eq!(
            from_openssl(&failed, 2, String::new()).kind,
            ErrorKind::UntrustedCertificate
        );
    }

    #[test]
    fn bytes_that_are_no_tls_hello_are_a_decode_error() {
        for r in [
            reason::HTTP_REQUEST,
            reason::LENGTH_MISMATCH,
            reason::WRONG_VERSION_NUMBER,
        ] {
            assert_eq!(
                from_openssl(&[ssl_code(r)], 0, String::new()).kind,
                ErrorKind::DecodeError,
                "reason {r}"
            );
        }
    }

    #[test]
    fn openssl_version_and_cipher_reasons() {
        for r in [reason::UNSUPPORTED_PROTOCOL, reason::VERSION_TOO_LOW] {
            assert_eq!(
                from_openssl(&[ssl_code(r)], 0, String::new()).kind,
                ErrorKind::NoCommonVersion
            );
        }
        assert_eq!(
            from_openssl(&[ssl_code(reason::NO_SHARED_CIPHER)], 0, String::new()).kind,
            ErrorKind::NoSharedCipher
        );
        // An error from another library is not mistaken for libssl's.
        assert!(matches!(
            from_openssl(&[(6 << 23) | 193], 0, String::new()).kind,
            ErrorKind::Other(_)
        ));
    }

    #[test]
    fn rustls_errors_map_by_type() {
        let e = from_rustls(&rustls::Error::AlertReceived(
            rustls::AlertDescription::UnknownCA,
        ));
        assert_eq!(e.kind, ErrorKind::AlertReceived(Alert(48)));
        let e = from_rustls(&rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        assert_eq!(e.kind, ErrorKind::UntrustedCertificate);
        let e = from_rustls(&rustls::Error::PeerIncompatible(
            PeerIncompatible::NoCipherSuitesInCommon,
        ));
        assert_eq!(e.kind, ErrorKind::NoSharedCipher);
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::NoCertificatesPresented,
        );
        assert_eq!(
            from_rustls_io(&wrapped).kind,
            ErrorKind::CertificateRequired
        );
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(from_rustls_io(&eof).kind, ErrorKind::PeerClosed);
    }
}
