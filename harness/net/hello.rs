//! What a ClientHello offered, read off the wire with tls-parser: for the
//! connection log of `serve`.

use serde::Serialize;
use tls_parser::{
    parse_tls_extensions, parse_tls_message_handshake, SNIType, TlsExtension, TlsMessage,
    TlsMessageHandshake,
};

use crate::endpoint::suite_name;
use crate::outcome::Side;
use crate::wire::Transcript;

/// The offer of one ClientHello, in the order the client sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Offered {
    /// `legacy_version`, as `0x0303`.
    pub legacy_version: String,
    /// `supported_versions`, as `0x0304` and so on; empty when absent.
    pub supported_versions: Vec<String>,
    /// Cipher suites by IANA name (`0x....` when unassigned, GREASE too).
    pub suites: Vec<String>,
    /// `supported_groups`, by name.
    pub groups: Vec<String>,
    /// `signature_algorithms`, by name.
    pub signature_algorithms: Vec<String>,
    /// The server name asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// ALPN protocols.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alpn: Vec<String>,
}

/// The client's hello in `transcript`, if the client sent one that parses.
pub fn client_hello(transcript: &Transcript) -> Option<Offered> {
    let message = transcript.handshake_message(Side::Client, 1)?;
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)))) =
        parse_tls_message_handshake(&message)
    else {
        return None;
    };
    let mut offered = Offered {
        legacy_version: format!("{:#06x}", hello.version.0),
        suites: hello.ciphers.iter().map(|c| offered_suite(c.0)).collect(),
        ..Offered::default()
    };
    let extensions = hello
        .ext
        .and_then(|e| parse_tls_extensions(e).ok())
        .map(|(_, list)| list)
        .unwrap_or_default();
    for extension in extensions {
        add(&mut offered, extension);
    }
    Some(offered)
}

/// A suite's IANA name, the two signalling values by theirs (RFC 5746,
/// RFC 7507), GREASE (RFC 8701) as such.
fn offered_suite(code: u16) -> String {
    match code {
        0x00FF => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
        0x5600 => "TLS_FALLBACK_SCSV".into(),
        c if c & 0x0F0F == 0x0A0A && c >> 8 == c & 0xFF => format!("GREASE {c:#06X}"),
        c => suite_name(c),
    }
}

fn add(offered: &mut Offered, extension: TlsExtension<'_>) {
    match extension {
        TlsExtension::SupportedVersions(v) => {
            offered.supported_versions = v.iter().map(|v| format!("{:#06x}", v.0)).collect();
        }
        TlsExtension::EllipticCurves(groups) => {
            offered.groups = groups
                .iter()
                .map(|g| format!("{:?}", rustls::NamedGroup::from(g.0)))
                .collect();
        }
        TlsExtension::SignatureAlgorithms(schemes) => {
            offered.signature_algorithms = schemes
                .iter()
                .map(|s| format!("{:?}", rustls::SignatureScheme::from(*s)))
                .collect();
        }
        TlsExtension::SNI(names) => {
            offered.server_name = names
                .iter()
                .find(|(kind, _)| *kind == SNIType::HostName)
                .map(|(_, name)| String::from_utf8_lossy(name).into_owned());
        }
        TlsExtension::ALPN(protocols) => {
            offered.alpn = protocols
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
        }
        _ => {}
    }
}
