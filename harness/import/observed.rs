//! What one captured connection shows: the client's hello, what the
//! server chose and sent, and how the handshake ended; each value read off
//! the wire, or marked unknown with the reason.
//!
//! Below TLS 1.3 the whole handshake is in the clear. At TLS 1.3 the
//! server's flight (its certificates, CertificateRequest, ALPN) and any
//! alert after the ServerHello are encrypted: they are read with the
//! handshake and traffic secrets of a key log ([`crate::flight`]). Without
//! them, how the handshake ended is told by record sizes alone (an alert
//! is the only 19-byte record a side sends before its Finished), and the
//! rest stays unknown.

use tls_parser::{parse_tls_message_handshake, TlsMessage, TlsMessageHandshake};

use crate::flight;
use crate::hello::{parse_client_hello, ClientHello};
use crate::keylog::Secrets;
use crate::outcome::{Alert, Side};
use crate::record;
use crate::version::ProtocolVersion;
use crate::wire::{extensions, server_hello_extensions, Transcript, Units};

/// Handshake message types read here.
const SERVER_HELLO: u8 = 2;
const ENCRYPTED_EXTENSIONS: u8 = 8;
const CERTIFICATE: u8 = 11;
const CERTIFICATE_REQUEST: u8 = 13;
const FINISHED: u8 = 20;
/// Record content types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const APPLICATION_DATA: u8 = 23;
/// The size of an encrypted TLS 1.3 alert record's payload: two bytes of
/// alert, the inner content type and a 16-byte AEAD tag (every TLS 1.3
/// suite's tag is 16 bytes; CCM_8 is not offered by any stack here).
const ENCRYPTED_ALERT_LEN: usize = 2 + 1 + 16;
/// The ALPN extension's type.
const ALPN: u16 = 16;
/// The supported_versions extension's type.
const SUPPORTED_VERSIONS: u16 = 43;

/// A value seen on the wire, or why it is not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen<T> {
    /// Read off the wire.
    Known(T),
    /// Not on the wire as captured: why.
    Unknown(&'static str),
}

impl<T: Default> Default for Seen<T> {
    fn default() -> Self {
        Seen::Known(T::default())
    }
}

/// Why TLS 1.3's encrypted flight is not read.
const NO_KEYS: &str = "encrypted at TLS 1.3, with no secret at hand to read it";

/// Why a decrypted flight says nothing.
const UNREAD: &str = "encrypted at TLS 1.3, and no message of it could be decrypted (cut short, or another handshake's secret)";

/// The version and suite the server chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// From supported_versions, else the ServerHello's version.
    pub version: ProtocolVersion,
    /// The suite's code point.
    pub suite: u16,
}

/// How the handshake ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Both sides finished it, and neither sent a fatal alert.
    Established,
    /// A side gave up.
    Failed {
        /// The side that sent the alert, or stopped; `None` when the wire
        /// does not say.
        side: Option<Side>,
        /// The alert it sent: `Known(None)` when it sent none.
        alert: Seen<Option<Alert>>,
    },
}

/// Everything one captured connection says.
#[derive(Clone, Debug)]
pub struct Observed {
    /// The client's first hello.
    pub hello: ClientHello,
    /// What the server chose; `None` when it sent no ServerHello.
    pub chosen: Option<Chosen>,
    /// The key-exchange group, as outcomes name it.
    pub group: Option<String>,
    /// The server answered with a HelloRetryRequest.
    pub hello_retry: bool,
    /// The scheme the server signed with.
    pub server_scheme: Option<u16>,
    /// The scheme of the client's CertificateVerify.
    pub client_scheme: Option<u16>,
    /// The server's certificate chain, leaf first, as DER.
    pub server_chain: Seen<Vec<Vec<u8>>>,
    /// The client's certificate chain, when it sent one (empty: it sent
    /// an empty Certificate).
    pub client_chain: Seen<Option<Vec<Vec<u8>>>>,
    /// The server sent a CertificateRequest.
    pub requested: Seen<bool>,
    /// The protocol the server chose by ALPN.
    pub alpn: Seen<Option<String>>,
    /// How it ended.
    pub ending: Ending,
    /// How the ending was read: `None` from the alerts and messages
    /// themselves, else what it was told from.
    pub ending_from: Option<&'static str>,
}

/// Reads `transcript` (a connection's two streams), with `secrets` for
/// TLS 1.3; `None` when the client sent no whole ClientHello.
pub fn observe(transcript: &Transcript, secrets: &Secrets) -> Option<Observed> {
    let hello = parse_client_hello(&transcript.handshake_message(Side::Client, 1)?).ok()?;
    let chosen = chosen(transcript);
    let mut seen = Observed {
        hello,
        chosen,
        group: transcript.key_exchange_group(),
        hello_retry: transcript.hello_retry(),
        server_scheme: None,
        client_scheme: None,
        server_chain: Seen::Unknown("the server sent no certificate before the handshake ended"),
        client_chain: Seen::Known(None),
        requested: Seen::Known(false),
        alpn: Seen::Known(None),
        ending: Ending::Established,
        ending_from: None,
    };
    if let Some(chosen) = chosen {
        let signed = flight::signatures(transcript, secrets, chosen.version, chosen.suite);
        seen.server_scheme = signed.server;
        seen.client_scheme = signed.client;
        match chosen.version {
            ProtocolVersion::Tls13 => read_tls13(&mut seen, transcript, secrets, chosen.suite),
            _ => read_clear(&mut seen, transcript),
        }
    }
    (seen.ending, seen.ending_from) = ending(transcript, secrets, chosen);
    Some(seen)
}

/// The server's last ServerHello's version and suite.
fn chosen(transcript: &Transcript) -> Option<Chosen> {
    let message = transcript.handshake_message(Side::Server, SERVER_HELLO)?;
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)))) =
        parse_tls_message_handshake(&message)
    else {
        return None;
    };
    if let Some(suite) = transcript.tls13_suite() {
        return Some(Chosen {
            version: ProtocolVersion::Tls13,
            suite,
        });
    }
    let tls13 = extensions(hello.ext.unwrap_or_default())
        .any(|(kind, data)| kind == SUPPORTED_VERSIONS && data == [3, 4]);
    let version = match tls13 {
        true => ProtocolVersion::Tls13,
        false => ProtocolVersion::from_wire(hello.version.0)?,
    };
    Some(Chosen {
        version,
        suite: hello.cipher.0,
    })
}

/// Below TLS 1.3: the certificates, CertificateRequest and ALPN in the
/// clear.
fn read_clear(seen: &mut Observed, transcript: &Transcript) {
    let server = |kind| transcript.handshake_message(Side::Server, kind);
    if let Some(chain) = server(CERTIFICATE).and_then(|m| chain(&m, false)) {
        seen.server_chain = Seen::Known(chain);
    }
    seen.requested = Seen::Known(server(CERTIFICATE_REQUEST).is_some());
    if let Some(chain) = transcript
        .handshake_message(Side::Client, CERTIFICATE)
        .and_then(|m| chain(&m, false))
    {
        seen.client_chain = Seen::Known(Some(chain));
    }
    let hello = server(SERVER_HELLO).unwrap_or_default();
    seen.alpn = Seen::Known(server_hello_extensions(&hello).and_then(alpn_of));
}

/// At TLS 1.3: the same, from the flights the secrets decrypt.
fn read_tls13(seen: &mut Observed, transcript: &Transcript, secrets: &Secrets, suite: u16) {
    let server = flight::tls13_messages(transcript, secrets, suite, Side::Server);
    // The flight opens with EncryptedExtensions: without it nothing of
    // the flight was read, which is no observation of an absence.
    let why = match &server {
        None => Some(NO_KEYS),
        Some(m) if !m.iter().any(|(k, _)| *k == ENCRYPTED_EXTENSIONS) => Some(UNREAD),
        Some(_) => None,
    };
    if let Some(why) = why {
        seen.server_chain = Seen::Unknown(why);
        seen.requested = Seen::Unknown(why);
        seen.alpn = Seen::Unknown(why);
        seen.client_chain = Seen::Unknown(why);
        return;
    }
    let server = server.unwrap_or_default();
    let find = |messages: &Units, kind| {
        messages
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, m)| m.clone())
    };
    if let Some(chain) = find(&server, CERTIFICATE).and_then(|m| chain(&m, true)) {
        seen.server_chain = Seen::Known(chain);
    }
    let requested = find(&server, CERTIFICATE_REQUEST).is_some();
    seen.requested = Seen::Known(requested);
    let encrypted_extensions = find(&server, ENCRYPTED_EXTENSIONS).unwrap_or_default();
    let alpn = encrypted_extensions
        .get(4..)
        .and_then(length_prefixed)
        .and_then(alpn_of);
    seen.alpn = Seen::Known(alpn);
    if requested {
        seen.client_chain = match flight::tls13_messages(transcript, secrets, suite, Side::Client) {
            Some(client) => Seen::Known(find(&client, CERTIFICATE).and_then(|m| chain(&m, true))),
            None => Seen::Unknown(NO_KEYS),
        };
    }
}

/// The DER certificates of a Certificate message (with its header); at
/// TLS 1.3 each entry has extensions and the list a request context
/// (RFC 8446 §4.4.2, RFC 5246 §7.4.2).
fn chain(message: &[u8], tls13: bool) -> Option<Vec<Vec<u8>>> {
    let mut body = message.get(4..)?;
    if tls13 {
        let context = usize::from(*body.first()?);
        body = body.get(1 + context..)?;
    }
    let list_len = u24(body)?;
    let mut list = body.get(3..3 + list_len)?;
    let mut chain = Vec::new();
    while !list.is_empty() {
        let len = u24(list)?;
        chain.push(list.get(3..3 + len)?.to_vec());
        list = &list[3 + len..];
        if tls13 {
            let ext = usize::from(u16::from_be_bytes([*list.first()?, *list.get(1)?]));
            list = list.get(2 + ext..)?;
        }
    }
    Some(chain)
}

fn u24(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [a, b, c, ..] => Some(usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c)),
        _ => None,
    }
}

/// The bytes after a 2-byte length that covers them.
fn length_prefixed(bytes: &[u8]) -> Option<&[u8]> {
    let len = usize::from(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]));
    bytes.get(2..2 + len)
}

/// The one protocol of an ALPN extension in `extensions`.
fn alpn_of(block: &[u8]) -> Option<String> {
    let (_, data) = extensions(block).find(|(kind, _)| *kind == ALPN)?;
    let list = length_prefixed(data)?;
    let len = usize::from(*list.first()?);
    Some(String::from_utf8_lossy(list.get(1..1 + len)?).into_owned())
}

/// How the handshake ended, and what that was told from when not from
/// alerts and messages the wire shows.
fn ending(
    transcript: &Transcript,
    secrets: &Secrets,
    chosen: Option<Chosen>,
) -> (Ending, Option<&'static str>) {
    let tls13 = chosen.is_some_and(|c| c.version == ProtocolVersion::Tls13);
    for side in [Side::Client, Side::Server] {
        let alert = transcript
            .plaintext_alerts(side)
            .first()
            .copied()
            .or_else(|| {
                tls13
                    .then(|| flight::encrypted_alert(transcript, secrets, side))
                    .flatten()
            });
        if let Some(alert) = alert {
            return (failed(Some(side), Some(alert)), None);
        }
    }
    let records = ordered_records(transcript);
    let sent = |side: Side, kind: u8| records.iter().any(|r| r.0 == side && r.1 == kind);
    match chosen {
        None => (failed(None, None), None),
        Some(_) if !tls13 => {
            let both =
                sent(Side::Client, CHANGE_CIPHER_SPEC) && sent(Side::Server, CHANGE_CIPHER_SPEC);
            (
                if both {
                    Ending::Established
                } else {
                    failed(None, None)
                },
                None,
            )
        }
        Some(c) => tls13_ending(transcript, secrets, c.suite, &records),
    }
}

fn failed(side: Option<Side>, alert: Option<Alert>) -> Ending {
    Ending::Failed {
        side,
        alert: Seen::Known(alert),
    }
}

/// A TLS 1.3 handshake with no alert read: established once the client
/// finished (its decrypted flight ends in Finished). Without its secret,
/// told by record sizes: a side whose first encrypted record after the
/// ServerHello is alert-sized gave up with an alert the capture hides.
fn tls13_ending(
    transcript: &Transcript,
    secrets: &Secrets,
    suite: u16,
    records: &[(Side, u8, usize)],
) -> (Ending, Option<&'static str>) {
    if let Some(client) = flight::tls13_messages(transcript, secrets, suite, Side::Client) {
        let finished = client.iter().any(|(k, _)| *k == FINISHED);
        return match finished {
            true => (Ending::Established, None),
            false => (failed(Some(Side::Client), None), None),
        };
    }
    const SIZES: &str = "told by record sizes: the capture holds no secrets for TLS 1.3";
    let encrypted = |side: Side| {
        records
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.0 == side && r.1 == APPLICATION_DATA)
    };
    let unread = Ending::Failed {
        side: Some(Side::Client),
        alert: Seen::Unknown(NO_KEYS),
    };
    let Some((client_first, (_, _, len))) = encrypted(Side::Client).next() else {
        return (failed(None, None), Some(SIZES));
    };
    if *len == ENCRYPTED_ALERT_LEN {
        return (unread, Some(SIZES));
    }
    // After the client's flight, a server that only ever sends alert-sized
    // records gave up; one that sends tickets or data did not.
    let after: Vec<usize> = encrypted(Side::Server)
        .filter(|(at, _)| *at > client_first)
        .map(|(_, r)| r.2)
        .collect();
    if !after.is_empty() && after.iter().all(|len| *len == ENCRYPTED_ALERT_LEN) {
        let by_server = Ending::Failed {
            side: Some(Side::Server),
            alert: Seen::Unknown(NO_KEYS),
        };
        return (by_server, Some(SIZES));
    }
    (Ending::Established, Some(SIZES))
}

/// Every whole record of the connection as (sender, content type,
/// payload length), in the order the packets carried them.
fn ordered_records(transcript: &Transcript) -> Vec<(Side, u8, usize)> {
    let mut streams: [(Vec<u8>, usize); 2] = Default::default();
    let mut out = Vec::new();
    for (side, bytes) in transcript.chunks() {
        let (stream, read) = &mut streams[usize::from(side == Side::Server)];
        stream.extend_from_slice(&bytes);
        while let Ok(r) = record::read(stream, *read, record::MAX_PROTECTED + 1024) {
            out.push((side, r.kind, r.payload.len()));
            *read = r.end();
        }
    }
    out
}
