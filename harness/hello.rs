//! What a ClientHello offered, read off the wire: for the connection log of
//! `serve` ([`client_hello`]) and for `import-hello` ([`parse_client_hello`]).
//!
//! The framing (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2: the length of every
//! vector) is walked here, so that a broken hello is reported at the byte
//! where it breaks; the contents of each extension are read with
//! tls-parser, whose errors carry no position.

use serde::Serialize;
use tls_parser::{parse_tls_extension, SNIType, TlsExtension};

use crate::outcome::Side;
use crate::suite::suite_name;
use crate::wire::Transcript;

/// The offer of one ClientHello, in the order the client sent it, by name.
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

/// One ClientHello as code points, in the order the client sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version` (`0x0303` for TLS 1.2).
    pub legacy_version: u16,
    /// `supported_versions`; empty when the extension is absent.
    pub supported_versions: Vec<u16>,
    /// `cipher_suites`, signalling values and GREASE included.
    pub suites: Vec<u16>,
    /// `supported_groups`.
    pub groups: Vec<u16>,
    /// `signature_algorithms`.
    pub signature_algorithms: Vec<u16>,
    /// The host name of `server_name`, if any.
    pub server_name: Option<String>,
    /// ALPN protocol names.
    pub alpn: Vec<String>,
    /// The groups of `key_share`'s entries, in order.
    pub key_shares: Vec<u16>,
    /// The extension types, in order.
    pub extensions: Vec<u16>,
}

/// Where and why a ClientHello does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset} of the ClientHello: {message}")]
pub struct HelloError {
    /// Offset into the handshake message (its 4-byte header included).
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

/// The client's hello in `transcript`, if the client sent one that parses.
pub fn client_hello(transcript: &Transcript) -> Option<Offered> {
    let message = transcript.handshake_message(Side::Client, 1)?;
    parse_client_hello(&message).ok().map(|h| h.offered())
}

impl Offered {
    /// The offer with each list cut to its first `max` entries, and a last
    /// entry saying how many more there were (`… and 19744 more`): a
    /// hostile hello of 64 KiB does not become a log line of a megabyte.
    pub fn abridged(mut self, max: usize) -> Offered {
        for list in [
            &mut self.supported_versions,
            &mut self.suites,
            &mut self.groups,
            &mut self.signature_algorithms,
            &mut self.alpn,
        ] {
            if list.len() > max {
                let more = list.len() - max;
                list.truncate(max);
                list.push(format!("… and {more} more"));
            }
        }
        self
    }
}

impl ClientHello {
    /// The offer by name, as `serve` logs it.
    pub fn offered(&self) -> Offered {
        Offered {
            legacy_version: format!("{:#06x}", self.legacy_version),
            supported_versions: self
                .supported_versions
                .iter()
                .map(|v| format!("{v:#06x}"))
                .collect(),
            suites: self.suites.iter().map(|c| offered_suite(*c)).collect(),
            groups: self.groups.iter().map(|g| group_name(*g)).collect(),
            signature_algorithms: self
                .signature_algorithms
                .iter()
                .map(|s| scheme_name(*s))
                .collect(),
            server_name: self.server_name.clone(),
            alpn: self.alpn.clone(),
        }
    }
}

/// Whether `code` is a GREASE value (RFC 8701 §2: `0x?A?A`, both bytes
/// equal).
pub fn is_grease(code: u16) -> bool {
    code & 0x0F0F == 0x0A0A && code >> 8 == code & 0xFF
}

/// A suite's IANA name, the two signalling values by theirs (RFC 5746,
/// RFC 7507), GREASE (RFC 8701) as such.
pub fn offered_suite(code: u16) -> String {
    match code {
        0x00FF => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
        0x5600 => "TLS_FALLBACK_SCSV".into(),
        c if is_grease(c) => format!("GREASE {c:#06X}"),
        c => suite_name(c),
    }
}

/// A group's name as rustls spells it (`X25519`, `secp256r1`).
pub fn group_name(code: u16) -> String {
    format!("{:?}", rustls::NamedGroup::from(code))
}

/// A signature scheme's name as rustls spells it (`RSA_PSS_SHA256`).
pub fn scheme_name(code: u16) -> String {
    format!("{:?}", rustls::SignatureScheme::from(code))
}

/// Reads a ClientHello handshake message (its 4-byte header first).
pub fn parse_client_hello(message: &[u8]) -> Result<ClientHello, HelloError> {
    let mut r = Reader::new(message, 0);
    let kind = r.u8("handshake type")?;
    if kind != 1 {
        let why = format!("handshake type {kind} is not a ClientHello (1)");
        return Err(error_at(0, why));
    }
    let mut body = r.vector(3, "ClientHello")?;
    r.done("the ClientHello")?;
    let mut hello = ClientHello {
        legacy_version: body.u16("legacy_version")?,
        ..ClientHello::default()
    };
    body.take(32, "random")?;
    let session = body.vector(1, "legacy_session_id")?;
    if session.bytes.len() > 32 {
        let why = format!(
            "legacy_session_id of {} bytes; at most 32 are allowed",
            session.bytes.len()
        );
        return Err(error_at(session.start - 1, why));
    }
    let suites = body.vector(2, "cipher_suites")?;
    if suites.bytes.is_empty() {
        return Err(error_at(suites.start - 2, "cipher_suites is empty".into()));
    }
    hello.suites = suites.u16s("cipher_suites")?;
    let compression = body.vector(1, "legacy_compression_methods")?;
    if compression.bytes.is_empty() {
        let why = "legacy_compression_methods is empty".into();
        return Err(error_at(compression.start - 1, why));
    }
    if body.left() > 0 {
        let mut list = body.vector(2, "extensions")?;
        while list.left() > 0 {
            read_extension(&mut list, &mut hello)?;
        }
    }
    body.done("the extensions")?;
    Ok(hello)
}

/// The extensions whose contents are read: server_name, supported_groups,
/// signature_algorithms, ALPN, supported_versions, key_share. Others are
/// framed only, so an extension the harness does not know cannot make a
/// hello unreadable.
const READ: [u16; 6] = [0, 10, 13, 16, 43, 51];

/// One extension: its header framed here, its contents read by tls-parser.
fn read_extension(list: &mut Reader<'_>, hello: &mut ClientHello) -> Result<(), HelloError> {
    let (offset, from) = (list.at(), list.pos);
    let kind = list.u16("extension type")?;
    list.vector(2, &format!("extension {}", extension_name(kind)))?;
    hello.extensions.push(kind);
    if !READ.contains(&kind) {
        return Ok(());
    }
    let added = match parse_tls_extension(&list.bytes[from..list.pos]) {
        Ok(([], extension)) => add(hello, extension),
        _ => None,
    };
    match added {
        Some(()) => Ok(()),
        None => {
            let why = format!("extension {} does not parse", extension_name(kind));
            Err(error_at(offset, why))
        }
    }
}

/// An extension type with its name, where the harness reads it.
fn extension_name(kind: u16) -> String {
    let name = match kind {
        0 => "server_name",
        10 => "supported_groups",
        13 => "signature_algorithms",
        16 => "application_layer_protocol_negotiation",
        43 => "supported_versions",
        51 => "key_share",
        _ => return format!("type {kind}"),
    };
    format!("{name} ({kind})")
}

/// Adds what `extension` says to `hello`; `None` when its contents do not
/// parse (tls-parser leaves key_share's to the caller).
fn add(hello: &mut ClientHello, extension: TlsExtension<'_>) -> Option<()> {
    match extension {
        TlsExtension::KeyShare(entries) => hello.key_shares = key_share_groups(entries)?,
        TlsExtension::SupportedVersions(v) => {
            hello.supported_versions = v.iter().map(|v| v.0).collect();
        }
        TlsExtension::EllipticCurves(groups) => {
            hello.groups = groups.iter().map(|g| g.0).collect();
        }
        TlsExtension::SignatureAlgorithms(schemes) => hello.signature_algorithms = schemes,
        TlsExtension::SNI(names) => {
            hello.server_name = names
                .iter()
                .find(|(kind, _)| *kind == SNIType::HostName)
                .map(|(_, name)| String::from_utf8_lossy(name).into_owned());
        }
        TlsExtension::ALPN(protocols) => {
            hello.alpn = protocols
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
        }
        _ => {}
    }
    Some(())
}

/// The groups of a ClientHello's `client_shares` (RFC 8446 §4.2.8): a
/// 2-byte length, then entries of a group, a 2-byte length and the key.
fn key_share_groups(bytes: &[u8]) -> Option<Vec<u16>> {
    let be16 = |b: &[u8], at: usize| Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]));
    let length = usize::from(be16(bytes, 0)?);
    let mut entries = bytes.get(2..)?;
    if entries.len() != length {
        return None;
    }
    let mut groups = Vec::new();
    while !entries.is_empty() {
        groups.push(be16(entries, 0)?);
        let key = usize::from(be16(entries, 2)?);
        entries = entries.get(4 + key..)?;
    }
    Some(groups)
}

/// A cursor over `bytes`, which start at offset `start` of the message.
#[derive(Clone, Copy)]
struct Reader<'a> {
    bytes: &'a [u8],
    start: usize,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], start: usize) -> Self {
        Reader {
            bytes,
            start,
            pos: 0,
        }
    }

    /// The offset in the message of the next byte.
    fn at(&self) -> usize {
        self.start + self.pos
    }

    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], HelloError> {
        let left = self.left();
        if n > left {
            return Err(error_at(
                self.at(),
                format!("ClientHello truncated: {what} needs {n} bytes, {left} left"),
            ));
        }
        let taken = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(taken)
    }

    fn u8(&mut self, what: &str) -> Result<u8, HelloError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, HelloError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A vector with a `width`-byte length in front, as a reader of its
    /// own.
    fn vector(&mut self, width: usize, what: &str) -> Result<Reader<'a>, HelloError> {
        let header = self.at();
        let len = self
            .take(width, &format!("the length of {what}"))?
            .iter()
            .fold(0usize, |n, b| n << 8 | usize::from(*b));
        let left = self.left();
        if len > left {
            return Err(error_at(
                header,
                format!("ClientHello truncated: {what} length {len} exceeds the {left} bytes left"),
            ));
        }
        let start = self.at();
        Ok(Reader::new(self.take(len, what)?, start))
    }

    /// The rest as 16-bit values.
    fn u16s(mut self, what: &str) -> Result<Vec<u16>, HelloError> {
        if self.bytes.len() % 2 != 0 {
            let n = self.bytes.len();
            return Err(error_at(
                self.start - 2,
                format!("{what} length {n} is odd"),
            ));
        }
        let mut out = Vec::new();
        while self.left() > 0 {
            out.push(self.u16(what)?);
        }
        Ok(out)
    }

    /// Nothing may follow.
    fn done(&self, after: &str) -> Result<(), HelloError> {
        match self.left() {
            0 => Ok(()),
            n => Err(error_at(self.at(), format!("{n} bytes after {after}"))),
        }
    }
}

fn error_at(offset: usize, message: String) -> HelloError {
    HelloError { offset, message }
}

#[cfg(test)]
mod tests {
    use super::{key_share_groups, ClientHello};

    #[test]
    fn an_abridged_offer_keeps_the_first_entries_and_counts_the_rest() {
        let hello = ClientHello {
            suites: (0x0100..0x0100 + 300).collect(),
            groups: vec![0x001d, 0x0017],
            ..ClientHello::default()
        };
        let offered = hello.offered().abridged(200);
        assert_eq!(offered.suites.len(), 201);
        assert_eq!(offered.suites[200], "… and 100 more");
        assert_eq!(offered.suites[0], hello.offered().suites[0]);
        assert_eq!(offered.groups, hello.offered().groups);
    }

    #[test]
    fn key_share_entries_are_read_by_group_and_a_bad_length_is_refused() {
        // x25519 with a 2-byte key, secp256r1 with a 1-byte key.
        let shares = [0, 11, 0x00, 0x1d, 0, 2, 0xaa, 0xbb, 0x00, 0x17, 0, 1, 0xcc];
        assert_eq!(key_share_groups(&shares), Some(vec![0x001d, 0x0017]));
        assert_eq!(key_share_groups(&[0, 0]), Some(vec![]));
        // The outer length says one byte more than there is.
        assert_eq!(key_share_groups(&[0, 10, 0x00, 0x1d, 0, 0]), None);
        // An entry whose key runs past the end.
        assert_eq!(key_share_groups(&[0, 5, 0x00, 0x1d, 0, 9, 0xaa]), None);
        assert_eq!(key_share_groups(&[0]), None);
    }
}
