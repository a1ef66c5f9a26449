//! Whether a TLS 1.3 server that asks for a client certificate demands
//! one: the harness finishes the handshake itself with an empty
//! Certificate (RFC 8446 §4.4.2: "If the client does not send any
//! certificates ... the server MAY at its discretion either continue the
//! handshake without client authentication, or abort it"), its Finished,
//! and a request, all under the secrets of its own key share; then reads
//! what the server does: a fatal alert is a demand, a session ticket or
//! data is not.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::ask::{converse, AskError, Reading, MAX_ANSWER};
use super::hello::Offer;
use crate::flight;
use crate::outcome::{Alert, Side};
use crate::record;
use crate::tls13::RecordKeys;

/// What a server that was sent no client certificate did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Demand {
    /// It did not ask for one.
    NotAsked,
    /// It aborted with this alert.
    Demanded(Alert),
    /// It went on: a session ticket or data came.
    NotDemanded,
    /// Not known, and why.
    Unknown(&'static str),
}

/// Handshake types read or written here.
const CERTIFICATE: u8 = 11;
const CERTIFICATE_REQUEST: u8 = 13;
const FINISHED: u8 = 20;

/// Asks `target` with `offer` (TLS 1.3 with key shares), finishes the
/// handshake without a certificate, and says what the server did.
pub async fn demand(target: &str, offer: &Offer, deadline: Duration) -> Result<Demand, AskError> {
    // One deadline for the whole question, connection included.
    let until = Instant::now() + deadline;
    let (mut stream, mut reading) = converse(target, offer, (until, deadline)).await?;
    let flight = match client_flight(&reading) {
        Ok(flight) => flight,
        Err(known) => return Ok(known),
    };
    if stream.write_all(&flight.bytes).await.is_err() {
        return Ok(Demand::Unknown("it closed before the client's flight"));
    }
    let listen = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            if let Some(done) = after_handshake(&reading, &flight.server_keys) {
                return done;
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => {
                    return after_handshake(&reading, &flight.server_keys).unwrap_or(
                        Demand::Unknown("it closed without a word after the empty certificate"),
                    )
                }
                Ok(n) => reading.server.extend_from_slice(&buffer[..n]),
            }
            if reading.server.len() > MAX_ANSWER {
                return Demand::Unknown("it sent more than any handshake needs");
            }
        }
    };
    Ok(tokio::time::timeout_at(until, listen)
        .await
        .unwrap_or(Demand::Unknown(
            "it said nothing after the empty certificate",
        )))
}

/// The client's second flight, and the keys to read the server's answer.
struct Flight {
    /// A change_cipher_spec, the empty Certificate and Finished, and a
    /// request.
    bytes: Vec<u8>,
    /// The server's handshake keys, then its first application keys.
    server_keys: [RecordKeys; 2],
}

/// The flight answering the server's, or what is known without one.
fn client_flight(reading: &Reading) -> Result<Flight, Demand> {
    const UNREAD: Demand = Demand::Unknown("its TLS 1.3 flight could not be read");
    let transcript = reading.transcript();
    let suite = transcript.tls13_suite().ok_or(UNREAD)?;
    let schedule = reading.schedule.as_ref().ok_or(UNREAD)?;
    let secrets = reading.secrets(&transcript);
    let server =
        flight::tls13_messages(&transcript, &secrets, suite, Side::Server).ok_or(UNREAD)?;
    let request = server
        .iter()
        .find(|(kind, _)| *kind == CERTIFICATE_REQUEST)
        .ok_or(Demand::NotAsked)?;
    if !server.iter().any(|(kind, _)| *kind == FINISHED) {
        return Err(UNREAD);
    }
    let client_hello = transcript
        .handshake_message(Side::Client, 1)
        .ok_or(UNREAD)?;
    let server_hello = transcript
        .handshake_message(Side::Server, 2)
        .ok_or(UNREAD)?;
    let hellos = [client_hello, server_hello].concat();
    let through_server: Vec<u8> = [
        hellos.clone(),
        server.iter().flat_map(|(_, m)| m.clone()).collect(),
    ]
    .concat();
    // The request's context, echoed in the Certificate (RFC 8446 §4.4.2).
    let context_len = usize::from(*request.1.get(4).ok_or(UNREAD)?);
    let context = request.1.get(4..5 + context_len).ok_or(UNREAD)?;
    let certificate = message(CERTIFICATE, &[context, &[0, 0, 0]].concat());
    let client_secret = schedule
        .handshake_secret("c hs traffic", &hellos)
        .ok_or(UNREAD)?;
    let with_certificate = [through_server.as_slice(), &certificate].concat();
    let verify = schedule
        .finished(&client_secret, &with_certificate)
        .ok_or(UNREAD)?;
    let finished = message(FINISHED, &verify);
    let keys = |secret: Option<Vec<u8>>| {
        secret
            .and_then(|s| RecordKeys::derive(suite, &s))
            .ok_or(UNREAD)
    };
    let client_handshake = keys(Some(client_secret))?;
    let client_application = keys(schedule.application_secret("c ap traffic", &through_server))?;
    let server_handshake = keys(reading.secret.clone())?;
    let server_application = keys(schedule.application_secret("s ap traffic", &through_server))?;
    let mut bytes = vec![20, 3, 3, 0, 1, 1];
    for record in [
        client_handshake.seal(0, 22, &certificate),
        client_handshake.seal(1, 22, &finished),
        client_application.seal(0, 23, b"GET / HTTP/1.0\r\n\r\n"),
    ] {
        bytes.extend(record.ok_or(UNREAD)?);
    }
    Ok(Flight {
        bytes,
        server_keys: [server_handshake, server_application],
    })
}

/// A handshake message of `kind` with `body`.
fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = (body.len() as u32).to_be_bytes();
    [&[kind, len[1], len[2], len[3]][..], body].concat()
}

/// What the server's records after its handshake flight say so far:
/// each record is opened with its handshake keys while they open it, then
/// with its application keys from sequence 0.
fn after_handshake(reading: &Reading, keys: &[RecordKeys; 2]) -> Option<Demand> {
    let records = record::all(&reading.server);
    let encrypted = records.iter().filter(|r| r.kind == 23);
    let (mut epoch, mut seq) = (0, 0u64);
    for r in encrypted {
        let opened = loop {
            match keys.get(epoch)?.open(seq, r.payload) {
                Some(opened) => break opened,
                None if epoch == 0 => (epoch, seq) = (1, 0),
                None => return None,
            }
        };
        seq += 1;
        match (epoch, opened) {
            (_, (21, alert)) if alert.first() == Some(&2) => {
                return Some(Demand::Demanded(Alert(*alert.get(1)?)));
            }
            (1, (22 | 23, _)) => return Some(Demand::NotDemanded),
            _ => {}
        }
    }
    None
}
