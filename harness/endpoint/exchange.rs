//! What the two ends say once the handshake completes: the same for every
//! backend, so that an outcome never depends on which one ran.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::outcome::{ErrorKind, Side, SideError};
use crate::version::ProtocolVersion;

/// The bytes a [`Exchange::Ping`] client sends.
const PING: &[u8] = b"ping";
/// The server's answer.
const PONG: &[u8] = b"pong";
/// The most of an HTTP request a server reads before it answers, and of
/// an answer a client reads.
pub(crate) const MAX_REQUEST: usize = 8 * 1024;
/// What an [`Exchange::Http`] client asks.
pub(crate) const REQUEST: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// The first exchange after a completed handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// The harness's own, between its two stacks: the client writes `ping`
    /// and reads `pong`, then closes; the server answers and waits for the
    /// close, so that neither side's late writes (TLS 1.3 tickets) meet a
    /// closed pipe.
    Ping,
    /// HTTP/1.0, with real peers on a socket: the client asks `GET /` and
    /// reads the answer to its end; the server reads the request, answers
    /// with a short page that states what was negotiated and closes with
    /// close_notify, as `openssl s_server -www` does.
    Http,
}

impl Exchange {
    /// Runs the exchange as `role` over a stream whose handshake settled on
    /// `negotiated`; the error that ended it, if any.
    pub(crate) async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        self,
        stream: &mut S,
        role: Side,
        negotiated: Option<(ProtocolVersion, u16)>,
        classify: impl Fn(&io::Error) -> SideError,
    ) -> Option<SideError> {
        let result = match (self, role) {
            (Exchange::Ping, Side::Client) => ping(stream).await,
            (Exchange::Ping, Side::Server) => pong(stream, &classify).await,
            (Exchange::Http, Side::Client) => get(stream, &classify).await,
            (Exchange::Http, Side::Server) => answer(stream, negotiated, &classify).await,
        };
        result.err().map(|e| classify(&e))
    }
}

async fn ping<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> io::Result<()> {
    let mut buf = [0u8; 4];
    stream.write_all(PING).await?;
    stream.flush().await?;
    stream.read_exact(&mut buf).await?;
    if buf != PONG {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "server answered the wrong bytes",
        ));
    }
    stream.shutdown().await
}

async fn pong<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    classify: &impl Fn(&io::Error) -> SideError,
) -> io::Result<()> {
    let mut buf = [0u8; 4];
    stream.read_exact(&mut buf).await?;
    stream.write_all(PONG).await?;
    stream.flush().await?;
    drain(stream, classify).await
}

/// Reads to the end; a peer that closes without close_notify once it has
/// what it wanted has not failed.
async fn drain<S: AsyncRead + Unpin>(
    stream: &mut S,
    classify: &impl Fn(&io::Error) -> SideError,
) -> io::Result<()> {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest).await {
        Err(e) if classify(&e).kind != ErrorKind::PeerClosed => Err(e),
        _ => Ok(()),
    }
}

async fn get<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    classify: &impl Fn(&io::Error) -> SideError,
) -> io::Result<()> {
    stream.write_all(REQUEST).await?;
    stream.flush().await?;
    let mut answer = Vec::new();
    let read = (&mut *stream)
        .take(MAX_REQUEST as u64)
        .read_to_end(&mut answer)
        .await;
    if let Err(e) = read {
        if classify(&e).kind != ErrorKind::PeerClosed || answer.is_empty() {
            return Err(e);
        }
    }
    if !is_http(&answer) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, NOT_HTTP));
    }
    Ok(())
}

/// Why an [`Exchange::Http`] client failed when the answer was not one.
pub(crate) const NOT_HTTP: &str = "the server's answer is not HTTP";

/// Whether a server's `answer` is an HTTP response.
pub(crate) fn is_http(answer: &[u8]) -> bool {
    answer.starts_with(b"HTTP/1.")
}

/// Reads a request and answers it. A client that closes before its
/// request is whole gets no answer (after a close_notify, RFC 5246 §7.2.1
/// discards pending writes): its handshake stands, and the server closes
/// with its own close_notify.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    negotiated: Option<(ProtocolVersion, u16)>,
    classify: &impl Fn(&io::Error) -> SideError,
) -> io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request_ends(&request) && request.len() < MAX_REQUEST {
        let n = match stream.read(&mut buf).await {
            Ok(n) => n,
            Err(e) if classify(&e).kind == ErrorKind::PeerClosed => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            // The client has gone: whether this close_notify still reaches
            // it changes nothing.
            let _ = stream.shutdown().await;
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    stream.write_all(page(negotiated).as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// The page an [`Exchange::Http`] server answers with: what was
/// negotiated.
pub(crate) fn page(negotiated: Option<(ProtocolVersion, u16)>) -> String {
    let said = match negotiated {
        Some((version, suite)) => format!("{version} {}", crate::suite::suite_name(suite)),
        None => "nothing negotiated".to_string(),
    };
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntls-harness: {said}\n"
    )
}

/// Whether `request` holds a whole request head: an empty line, whether
/// lines end in CRLF or in a bare LF (RFC 9112 §2.2 lets a recipient take
/// a bare LF as a line's end, and clients that send one exist).
pub(crate) fn request_ends(request: &[u8]) -> bool {
    request.windows(2).any(|w| w == b"\n\n") || request.windows(3).any(|w| w == b"\n\r\n")
}

#[cfg(test)]
mod tests {
    use super::request_ends;

    #[test]
    fn a_request_ends_at_an_empty_line_whatever_ends_its_lines() {
        assert!(request_ends(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(request_ends(b"GET / HTTP/1.0\n\n"));
        assert!(request_ends(b"GET / HTTP/1.0\r\nHost: a\n\r\n"));
        assert!(!request_ends(b"GET / HTTP/1.0\r\nHost: a\r\n"));
        assert!(!request_ends(b"GET / HTTP/1.0\n"));
    }
}
