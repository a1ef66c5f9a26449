//! One question to a live server: a connection, a hello the harness built,
//! and the server's answer read until it says enough (an alert, its
//! ServerHelloDone, a HelloRetryRequest, or at TLS 1.3 its Finished,
//! decrypted with the secret of our own key share), until it closes, or
//! until the deadline. The connection is then dropped: no handshake is
//! completed.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::hello::{self, Offer};
use crate::flight;
use crate::import::{observe, Observed};
use crate::keylog::{Secret, Secrets};
use crate::outcome::{Alert, Side};
use crate::tls13::Schedule;
use crate::wire::{extensions, server_hello_extensions, Transcript};

/// How the server answered.
#[derive(Clone, Debug)]
pub enum Answer {
    /// With a ServerHello (or a HelloRetryRequest): what it chose and
    /// sent, read as a captured connection is.
    Hello(Box<Observed>),
    /// With an alert and nothing more.
    Alert(Alert),
    /// It closed the connection, or reset it, without a word.
    Closed,
    /// It sent bytes that are not a TLS answer.
    Garbage(String),
}

/// Why a question has no answer at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AskError {
    /// The connection was refused, or did not open in time.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// Connected, but it said nothing in time.
    #[error("no answer within {0} ms")]
    Silent(u128),
}

/// Handshake types that end what is read.
const SERVER_HELLO_DONE: u8 = 14;
const FINISHED: u8 = 20;
/// The key_share extension's type.
const KEY_SHARE: u16 = 51;

/// Asks `target` with a hello offering `offer`, within `deadline`.
pub async fn ask(target: &str, offer: &Offer, deadline: Duration) -> Result<Answer, AskError> {
    let (_, reading) = converse(target, offer, (Instant::now() + deadline, deadline)).await?;
    Ok(reading.answer())
}

/// Connects, sends the hello of `offer` and reads the answer until it
/// says enough, all by `until` (`deadline` after the question began): the
/// connection, still open, and what was read.
pub(super) async fn converse(
    target: &str,
    offer: &Offer,
    (until, deadline): (Instant, Duration),
) -> Result<(TcpStream, Reading), AskError> {
    let connect = tokio::time::timeout_at(until, TcpStream::connect(target));
    let mut stream = match connect.await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Err(AskError::Connect(e.to_string())),
        Err(_) => {
            return Err(AskError::Connect(format!(
                "no connection within {} ms",
                deadline.as_millis()
            )))
        }
    };
    let mut reading = Reading::new(hello::build(offer));
    let talk = async {
        stream.write_all(&reading.client).await.map_err(|_| ())?;
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return Ok(()),
                Ok(n) => reading.server.extend_from_slice(&buffer[..n]),
            }
            if reading.enough() {
                return Ok(());
            }
            if reading.server.len() > MAX_ANSWER {
                return Err(());
            }
        }
    };
    match tokio::time::timeout_at(until, talk).await {
        Err(_) if reading.server.is_empty() => Err(AskError::Silent(deadline.as_millis())),
        _ => Ok((stream, reading)),
    }
}

/// More than any server's first flight.
pub(super) const MAX_ANSWER: usize = 1 << 20;

/// How [`ask`] reads `server`, the bytes a server sent in reply to a hello
/// offering `offer`, arriving in pieces of `piece` bytes: what the fuzz
/// target of a live server's answers calls, with no socket.
pub fn answer_to(offer: &Offer, server: &[u8], piece: usize) -> Answer {
    let mut reading = Reading::new(hello::build(offer));
    for chunk in server.chunks(piece.max(1)) {
        reading.server.extend_from_slice(chunk);
        if reading.enough() || reading.server.len() > MAX_ANSWER {
            break;
        }
    }
    reading.answer()
}

/// One question's bytes, and what reading them needs.
pub(super) struct Reading {
    /// The record holding our hello.
    pub client: Vec<u8>,
    /// All the server sent.
    pub server: Vec<u8>,
    keys: Vec<(u16, aws_lc_rs::agreement::EphemeralPrivateKey)>,
    /// The key schedule, once the server's key share made it.
    pub schedule: Option<Schedule>,
    /// The server handshake traffic secret, once it could be made.
    pub secret: Option<Vec<u8>>,
}

impl Reading {
    fn new(built: hello::Built) -> Reading {
        Reading {
            client: built.record,
            server: Vec::new(),
            keys: built.keys,
            schedule: None,
            secret: None,
        }
    }

    pub fn transcript(&self) -> Transcript {
        Transcript::of_chunks(vec![
            (Side::Client, self.client.clone()),
            (Side::Server, self.server.clone()),
        ])
    }

    pub fn secrets(&self, transcript: &Transcript) -> Secrets {
        let (Some(secret), Some(random)) = (&self.secret, transcript.client_random()) else {
            return Secrets::default();
        };
        Secrets::new(vec![Secret {
            label: "SERVER_HANDSHAKE_TRAFFIC_SECRET".into(),
            client_random: random,
            secret: secret.clone(),
        }])
    }

    /// Whether the server has said all this question asks.
    fn enough(&mut self) -> bool {
        // Not a TLS record (20 to 24): no TLS answer is coming.
        if self.server.first().is_some_and(|b| !(20..=24).contains(b)) {
            return true;
        }
        let transcript = self.transcript();
        if !transcript.plaintext_alerts(Side::Server).is_empty() || transcript.hello_retry() {
            return true;
        }
        if transcript
            .handshake_message(Side::Server, SERVER_HELLO_DONE)
            .is_some()
        {
            return true;
        }
        let Some(suite) = transcript.tls13_suite() else {
            return false;
        };
        if self.secret.is_none() {
            self.secret = self.handshake_secret(&transcript, suite);
        }
        let secrets = self.secrets(&transcript);
        match flight::tls13_messages(&transcript, &secrets, suite, Side::Server) {
            Some(messages) => messages.iter().any(|(kind, _)| *kind == FINISHED),
            // No secret: nothing more will be readable.
            None => true,
        }
    }

    /// The server handshake traffic secret from the server's key share
    /// and ours for its group.
    fn handshake_secret(&mut self, transcript: &Transcript, suite: u16) -> Option<Vec<u8>> {
        let client_hello = transcript.handshake_message(Side::Client, 1)?;
        let server_hello = transcript.handshake_message(Side::Server, 2)?;
        let (group, public) = server_share(&server_hello)?;
        let at = self.keys.iter().position(|(g, _)| *g == group)?;
        let (_, key) = self.keys.remove(at);
        let shared = hello::shared_secret(group, key, &public)?;
        let schedule = Schedule::new(suite, &shared)?;
        let secret =
            schedule.handshake_secret("s hs traffic", &[client_hello, server_hello].concat());
        self.schedule = Some(schedule);
        secret
    }

    pub fn answer(&self) -> Answer {
        let transcript = self.transcript();
        if let Some(observed) =
            observe(&transcript, &self.secrets(&transcript)).filter(|o| o.chosen.is_some())
        {
            return Answer::Hello(Box::new(observed));
        }
        if let Some(alert) = transcript.plaintext_alerts(Side::Server).first() {
            return Answer::Alert(*alert);
        }
        match self.server.as_slice() {
            [] => Answer::Closed,
            bytes => {
                let shown: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
                Answer::Garbage(format!(
                    "{} bytes, beginning {}",
                    bytes.len(),
                    shown.join(" ")
                ))
            }
        }
    }
}

/// The group and public key of a ServerHello's key_share (RFC 8446
/// §4.2.8), from the message with its header.
fn server_share(message: &[u8]) -> Option<(u16, Vec<u8>)> {
    let block = server_hello_extensions(message)?;
    let (_, data) = extensions(block).find(|(kind, _)| *kind == KEY_SHARE)?;
    let [g1, g2, l1, l2, key @ ..] = data else {
        return None;
    };
    let key_len = usize::from(u16::from_be_bytes([*l1, *l2]));
    Some((u16::from_be_bytes([*g1, *g2]), key.get(..key_len)?.to_vec()))
}
