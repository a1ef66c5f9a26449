//! The in-memory transport between the two endpoints, and a tap that keeps
//! every byte that crossed it.
//!
//! The transcript answers what only the wire can answer uniformly for both
//! backends: the plaintext alerts each side sent, and the key-exchange group
//! the server chose (TLS 1.3 key_share in the ServerHello, or the named curve
//! of a TLS 1.2 ServerKeyExchange). Records are parsed with tls-parser.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tls_parser::{
    parse_tls_extensions, parse_tls_message_handshake, TlsExtension, TlsMessage,
    TlsMessageHandshake, TlsRecordType,
};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use crate::outcome::{Alert, Side};

/// Bytes in flight between the two ends before a writer waits.
const PIPE_CAPACITY: usize = 64 * 1024;

/// Everything both sides wrote, in the order they wrote it.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    chunks: Arc<Mutex<Vec<Chunk>>>,
    /// The records and plaintext handshake messages of each side, de-framed
    /// once for as many chunks as were written then.
    framed: Arc<Mutex<FramedCache>>,
}

/// The de-framed view, with the number of chunks it was made from.
type FramedCache = Option<(usize, Arc<Framed>)>;

/// Bytes one side wrote in one call.
type Chunk = (Side, Vec<u8>);

/// Records as (content type, payload), or handshake messages as (type, the
/// whole message with its header).
pub type Units = Vec<(u8, Vec<u8>)>;

/// What each side sent, de-framed: `[client, server]`.
#[derive(Debug, Default)]
struct Framed {
    records: [Units; 2],
    handshake: [Units; 2],
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

impl Transcript {
    /// A transcript of writes already made elsewhere (a capture's TCP
    /// streams, in the order the packets carried them).
    pub fn of_chunks(chunks: Vec<(Side, Vec<u8>)>) -> Transcript {
        let transcript = Transcript::default();
        for (side, bytes) in chunks {
            transcript.record(side, &bytes);
        }
        transcript
    }

    fn record(&self, from: Side, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut chunks = self.chunks.lock().unwrap_or_else(PoisonError::into_inner);
        chunks.push((from, bytes.to_vec()));
    }

    /// Every write in the order it happened: which side wrote it and the
    /// bytes (on a socket, what was read from the peer counts as the
    /// peer's write).
    pub fn chunks(&self) -> Vec<(Side, Vec<u8>)> {
        self.chunks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The random of the client's first ClientHello: what names this
    /// handshake in a key log (RFC 8446 §4.1.2; a ClientHello after a
    /// HelloRetryRequest repeats it). `None` before a whole hello was sent.
    pub fn client_random(&self) -> Option<[u8; 32]> {
        // A ClientHello: 4-byte header, 2-byte legacy version, 32-byte random.
        let hello = self.handshake_message(Side::Client, 1)?;
        hello.get(6..38)?.try_into().ok()
    }

    /// All bytes one side sent, concatenated.
    pub fn sent_by(&self, side: Side) -> Vec<u8> {
        let chunks = self.chunks.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bytes = Vec::new();
        for (_, b) in chunks.iter().filter(|(from, _)| *from == side) {
            bytes.extend_from_slice(b);
        }
        bytes
    }

    /// Both sides' records and handshake messages, de-framed at most once
    /// for the chunks written so far.
    fn framed(&self) -> Arc<Framed> {
        let written = self
            .chunks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        let mut cache = self.framed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((seen, framed)) = cache.as_ref() {
            if *seen == written {
                return Arc::clone(framed);
            }
        }
        let records = [Side::Client, Side::Server].map(|side| deframe(&self.sent_by(side)));
        let handshake = [&records[0], &records[1]].map(|r| plaintext_handshake(r));
        let framed = Arc::new(Framed { records, handshake });
        *cache = Some((written, Arc::clone(&framed)));
        framed
    }

    /// Calls `f` with the TLS records one side sent, as (content type,
    /// payload), up to the first bytes that do not form a record.
    pub fn with_records<T>(&self, side: Side, f: impl FnOnce(&[(u8, Vec<u8>)]) -> T) -> T {
        f(&self.framed().records[index(side)])
    }

    /// The fatal alerts one side sent in the clear (before encryption
    /// started). Encrypted alerts are not visible here; the peer's own error
    /// says which alert it received.
    pub fn plaintext_alerts(&self, side: Side) -> Vec<Alert> {
        let framed = self.framed();
        let records = &framed.records[index(side)];
        let mut alerts = Vec::new();
        for (kind, payload) in &records[..in_the_clear(records)] {
            if let (TlsRecordType::Alert, [2, description]) = (TlsRecordType(*kind), &payload[..]) {
                alerts.push(Alert(*description));
            }
        }
        alerts
    }

    /// The first plaintext handshake message of type `kind` that `side`
    /// sent (1 ClientHello, 2 ServerHello, ...), header included.
    pub fn handshake_message(&self, side: Side, kind: u8) -> Option<Vec<u8>> {
        self.framed().handshake[index(side)]
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, m)| m.clone())
    }

    /// The suite of the server's last ServerHello when it chose TLS 1.3
    /// (its supported_versions extension is 0x0304), after any
    /// HelloRetryRequest; `None` below TLS 1.3 or without a ServerHello.
    pub fn tls13_suite(&self) -> Option<u16> {
        let framed = self.framed();
        let mut found = None;
        for (_, message) in &framed.handshake[index(Side::Server)] {
            let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)))) =
                parse_tls_message_handshake(message)
            else {
                continue;
            };
            let tls13 = extensions(hello.ext.unwrap_or_default())
                .any(|(kind, data)| kind == SUPPORTED_VERSIONS && data == [3, 4]);
            found = tls13.then_some(hello.cipher.0);
        }
        found
    }

    /// Whether the server's first ServerHello was a HelloRetryRequest.
    pub fn hello_retry(&self) -> bool {
        // type 2, 3-byte length, 2-byte legacy version, then the random.
        self.handshake_message(Side::Server, 2)
            .is_some_and(|m| m.get(6..38) == Some(&HELLO_RETRY_RANDOM[..]))
    }

    /// The key-exchange group the server chose, read off the wire: the
    /// ServerHello's key_share (TLS 1.3, after any HelloRetryRequest) or the
    /// named curve of the ServerKeyExchange (TLS 1.2 and below, ECDHE). For
    /// finite-field DHE at TLS 1.2 the group is unnamed on the wire and is
    /// reported by prime size (`dh-2048`). Static RSA has none.
    pub fn key_exchange_group(&self) -> Option<String> {
        let framed = self.framed();
        let mut group = None;
        let mut finite_field = None;
        for (_, message) in &framed.handshake[index(Side::Server)] {
            let Ok((_, parsed)) = parse_tls_message_handshake(message) else {
                continue;
            };
            let TlsMessage::Handshake(handshake) = parsed else {
                continue;
            };
            match handshake {
                TlsMessageHandshake::ServerHello(hello) => {
                    finite_field = crate::suite::finite_field(hello.cipher.0);
                    let ext = hello.ext.unwrap_or_default();
                    if let Ok((_, exts)) = parse_tls_extensions(ext) {
                        for e in exts {
                            if let TlsExtension::KeyShare(share) = e {
                                if share.len() >= 2 {
                                    group =
                                        Some(group_name(u16::from_be_bytes([share[0], share[1]])));
                                }
                            }
                        }
                    }
                }
                TlsMessageHandshake::ServerKeyExchange(ske) => {
                    group = key_exchange_parameters(ske.parameters, finite_field).map(|(g, _)| g);
                }
                _ => {}
            }
        }
        group
    }
}

/// The supported_versions extension's type.
const SUPPORTED_VERSIONS: u16 = 43;

/// The (type, data) of each whole extension in `bytes`.
pub fn extensions(mut bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]);
        let len = usize::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]));
        let data = bytes.get(4..4 + len)?;
        bytes = &bytes[4 + len..];
        Some((kind, data))
    })
}

/// The extensions block of a ServerHello message (header included): after
/// its version (2), random (32), session id (1 + n), suite (2) and
/// compression (1), the bytes its 2-byte length covers.
pub fn server_hello_extensions(message: &[u8]) -> Option<&[u8]> {
    let session = usize::from(*message.get(38)?);
    let rest = message.get(4 + 2 + 32 + 1 + session + 2 + 1..)?;
    let len = usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?]));
    rest.get(2..2 + len)
}

/// The TLS records in `bytes`, as (content type, payload), up to the first
/// bytes that do not form one ([`crate::record::all`]).
fn deframe(bytes: &[u8]) -> Units {
    crate::record::all(bytes)
        .into_iter()
        .map(|r| (r.kind, r.payload.to_vec()))
        .collect()
}

/// How many records at the start of `records` are in the clear: up to the
/// first that is neither handshake nor alert, past a ChangeCipherSpec only
/// where a plaintext hello or alert follows it. At TLS 1.3 a side in
/// middlebox-compatibility mode sends a ChangeCipherSpec after a
/// HelloRetryRequest, or before its second ClientHello (RFC 8446 §D.4),
/// and the handshake goes on in the clear; below TLS 1.3 what follows one
/// is encrypted.
fn in_the_clear(records: &[(u8, Vec<u8>)]) -> usize {
    let clear = |(kind, payload): &(u8, Vec<u8>)| match (TlsRecordType(*kind), &payload[..]) {
        (TlsRecordType::Alert, [1 | 2, _]) => true,
        (TlsRecordType::Handshake, [1 | 2, a, b, c, rest @ ..]) => {
            u32::from_be_bytes([0, *a, *b, *c]) as usize <= rest.len()
        }
        _ => false,
    };
    for (i, record) in records.iter().enumerate() {
        match TlsRecordType(record.0) {
            TlsRecordType::Handshake | TlsRecordType::Alert => {}
            TlsRecordType::ChangeCipherSpec if records.get(i + 1).is_some_and(clear) => {}
            _ => return i,
        }
    }
    records.len()
}

/// The plaintext handshake messages of `records`, reassembled across
/// records, as (type, full message bytes including the 4-byte header),
/// over the records in the clear ([`in_the_clear`]).
fn plaintext_handshake(records: &[(u8, Vec<u8>)]) -> Units {
    let mut stream = Vec::new();
    for (kind, payload) in &records[..in_the_clear(records)] {
        if TlsRecordType(*kind) == TlsRecordType::Handshake {
            stream.extend_from_slice(payload);
        }
    }
    let mut messages = Vec::new();
    let mut rest = stream.as_slice();
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        if rest.len() < 4 + len {
            break;
        }
        messages.push((rest[0], rest[..4 + len].to_vec()));
        rest = &rest[4 + len..];
    }
    messages
}

/// A ServerKeyExchange's parameters read (its body, without the message
/// header): the group they name, and the bytes after them (the signature,
/// where there is one). A named curve's are `03 <u16 group> <u8 len>
/// point` (RFC 8422 §5.4), DHE's three `<u16 len>` numbers p, g and Ys
/// (RFC 5246 §7.4.3), its group named by the size of p (`dh-2048`). Which
/// of the two is the chosen suite's (`finite_field`); only for a suite the
/// registry does not know is it guessed from the first byte, which a DHE
/// prime of 768 to 1023 bytes (ffdhe6144) shares with a named curve.
pub fn key_exchange_parameters(body: &[u8], finite_field: Option<bool>) -> Option<(String, &[u8])> {
    if !finite_field.unwrap_or(body.first() != Some(&3)) {
        let [3, hi, lo, len, rest @ ..] = body else {
            return None;
        };
        let after = rest.get(usize::from(*len)..)?;
        return Some((group_name(u16::from_be_bytes([*hi, *lo])), after));
    }
    let mut p = None;
    let mut rest = body;
    for _ in 0..3 {
        let [hi, lo, more @ ..] = rest else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        p.get_or_insert(more.get(..len)?);
        rest = more.get(len..)?;
    }
    let p = p?;
    let leading = p.iter().take_while(|b| **b == 0).count();
    Some((format!("dh-{}", (p.len() - leading) * 8), rest))
}

/// A group's IANA name (`x25519`, `secp256r1`).
fn group_name(code: u16) -> String {
    crate::group::name_of(code)
}

/// The random of a ServerHello that is a HelloRetryRequest
/// ([RFC 8446 §4.1.3](https://www.rfc-editor.org/rfc/rfc8446#section-4.1.3)):
/// SHA-256 of "HelloRetryRequest".
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// One end of a connection, recording what it writes (and, on a socket,
/// what it reads: the peer's bytes, under the peer's side). In memory, each
/// end records its own writes; both ends share one transcript.
#[derive(Debug)]
pub struct Tap<S = DuplexStream> {
    inner: S,
    side: Side,
    transcript: Transcript,
    /// Also record what is read (a socket, where the peer is not tapped).
    reads: bool,
}

/// Makes a connected pair of transports (client end, server end) that
/// record into one transcript.
pub fn pipe() -> (Tap, Tap, Transcript) {
    let (client, server) = tokio::io::duplex(PIPE_CAPACITY);
    let transcript = Transcript::default();
    (
        Tap::new(client, Side::Client, transcript.clone()),
        Tap::new(server, Side::Server, transcript.clone()),
        transcript,
    )
}

impl<S> Tap<S> {
    /// Wraps `inner`, whose writes are `side`'s, recording into `transcript`.
    pub fn new(inner: S, side: Side, transcript: Transcript) -> Self {
        Tap {
            inner,
            side,
            transcript,
            reads: false,
        }
    }

    /// Wraps one end of a socket whose other end is not ours: what it
    /// writes is `side`'s, what it reads is the peer's, and both go into a
    /// transcript of their own.
    pub fn socket(inner: S, side: Side) -> (Self, Transcript) {
        let transcript = Transcript::default();
        let tap = Tap {
            inner,
            side,
            transcript: transcript.clone(),
            reads: true,
        };
        (tap, transcript)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if this.reads && matches!(poll, Poll::Ready(Ok(()))) {
            this.transcript
                .record(this.side.peer(), &buf.filled()[before..]);
        }
        poll
    }
}

// Forwards every write path, vectored writes included: tokio-rustls writes
// its final alert with a vectored write, and a tap that drops it leaves the
// peer with a bare EOF (docs/backends.md#transport-wrappers-and-vectored-writes).
impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.transcript.record(this.side, &buf[..*n]);
        }
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = &poll {
            let mut left = *n;
            for b in bufs {
                let take = left.min(b.len());
                this.transcript.record(this.side, &b[..take]);
                left -= take;
                if left == 0 {
                    break;
                }
            }
        }
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn tap_records_plain_and_vectored_writes_and_finds_alerts() {
        let (mut client, _server, transcript) = pipe();
        // A plaintext fatal alert record: handshake_failure.
        client.write_all(&[21, 3, 3, 0, 2, 2, 40]).await.unwrap();
        let a = [21u8, 3, 3];
        let b = [0u8, 2, 2, 70];
        let written = client
            .write_vectored(&[io::IoSlice::new(&a), io::IoSlice::new(&b)])
            .await
            .unwrap();
        assert_eq!(written, 7);
        assert_eq!(transcript.sent_by(Side::Client).len(), 14);
        assert_eq!(
            transcript.plaintext_alerts(Side::Client),
            vec![Alert(40), Alert(70)]
        );
        assert!(transcript.plaintext_alerts(Side::Server).is_empty());
    }

    #[test]
    fn named_curve_and_dhe_parameters_are_read_by_the_suite() {
        let read = |body: &[u8], suite_says| {
            key_exchange_parameters(body, suite_says).map(|(g, after)| (g, after.to_vec()))
        };
        // x25519, a 2-byte point, then a signature's first bytes.
        let x25519 = [3, 0x00, 0x1d, 2, 9, 9, 8, 4];
        for suite_says in [Some(false), None] {
            assert_eq!(
                read(&x25519, suite_says),
                Some(("x25519".into(), vec![8, 4]))
            );
        }
        // DHE with a `bytes`-byte p, 1-byte g and Ys, then a signature.
        let dhe = |bytes: usize| {
            let mut body = u16::try_from(bytes)
                .expect("a short prime")
                .to_be_bytes()
                .to_vec();
            body.extend(std::iter::repeat_n(0xFF, bytes));
            body.extend([0, 1, 2, 0, 1, 5, 4, 1]);
            body
        };
        for suite_says in [Some(true), None] {
            let read = read(&dhe(256), suite_says);
            assert_eq!(read, Some(("dh-2048".into(), vec![4, 1])));
        }
        // ffdhe6144's 768-byte prime begins 03 00, as a named curve does:
        // the suite decides.
        let ffdhe6144 = read(&dhe(768), Some(true));
        assert_eq!(ffdhe6144, Some(("dh-6144".into(), vec![4, 1])));
        assert_eq!(read(&x25519, Some(true)), None, "DHE numbers cut short");
        assert_eq!(read(&[3, 0], None), None);
    }

    /// A HelloRetryRequest, a compatibility ChangeCipherSpec and the second
    /// ServerHello are all read; so is a plaintext alert after the
    /// ChangeCipherSpec. Below TLS 1.3 nothing after a ChangeCipherSpec is.
    #[test]
    fn the_clear_goes_past_a_compatibility_change_cipher_spec_only() {
        let hello = |kind: u8| (22, vec![kind, 0, 0, 2, 3, 3]);
        let ccs = (20, vec![1]);
        let retried = [hello(2), ccs.clone(), hello(2), (23, vec![9; 40])];
        assert_eq!(in_the_clear(&retried), 3);
        assert_eq!(plaintext_handshake(&retried).len(), 2);
        let refused = [hello(2), ccs.clone(), (21, vec![2, 40])];
        assert_eq!(in_the_clear(&refused), 3);
        // TLS 1.2: a Finished encrypted after the ChangeCipherSpec.
        let tls12 = [hello(16), ccs, (22, vec![0x5a; 40])];
        assert_eq!(in_the_clear(&tls12), 1);
        assert_eq!(plaintext_handshake(&tls12).len(), 1);
    }
}
