//! What each side signed its handshake with, read off the wire: the
//! signature scheme of the server's key exchange or CertificateVerify, and
//! of the client's CertificateVerify when it sent a certificate.
//!
//! Below TLS 1.3 these are in the clear (the ServerKeyExchange's
//! `signed_params`, RFC 5246 §7.4.3 and RFC 8422 §5.4, and the client's
//! CertificateVerify, RFC 5246 §7.4.8). At TLS 1.3 they are in the
//! encrypted handshake flight (RFC 8446 §4.4.3): the harness decrypts it
//! with the handshake traffic secrets a side logged ([`crate::keylog`]) and
//! the record protection of [`crate::tls13`] (aws-lc-rs: OpenSSL 3's EVP
//! fetches each algorithm on every use, about 50 µs a handshake, measured
//! in the bench). The CCM suites stay unread. A flight without its secret
//! (a JSSE side logs none) stays unread: the scheme is `None`.
//!
//! Uses the crate's transcript, key log and TLS 1.3 record protection only.

use crate::keylog::Secrets;
use crate::outcome::{Alert, Side};
use crate::suite::finite_field;
use crate::tls13::RecordKeys;
use crate::version::ProtocolVersion;
use crate::wire::{key_exchange_parameters, Transcript, Units};

/// CertificateVerify's handshake type.
const CERTIFICATE_VERIFY: u8 = 15;
/// ServerKeyExchange's handshake type.
const SERVER_KEY_EXCHANGE: u8 = 12;
/// CertificateRequest's handshake type.
const CERTIFICATE_REQUEST: u8 = 13;
/// Finished's handshake type: the end of a flight.
const FINISHED: u8 = 20;

/// The signature scheme code points each side signed with, where it
/// signed and the wire shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signatures {
    /// The server's (ServerKeyExchange or CertificateVerify).
    pub server: Option<u16>,
    /// The client's CertificateVerify.
    pub client: Option<u16>,
}

/// The schemes of a handshake that negotiated `version` and `suite`.
pub fn signatures(
    transcript: &Transcript,
    secrets: &Secrets,
    version: ProtocolVersion,
    suite: u16,
) -> Signatures {
    match version {
        ProtocolVersion::Tls13 => {
            let server = tls13_flight(transcript, secrets, suite, Side::Server);
            // The client signs only when asked: its flight is not
            // decrypted for nothing.
            let client = server
                .requested
                .then(|| tls13_flight(transcript, secrets, suite, Side::Client));
            Signatures {
                server: server.scheme,
                client: client.and_then(|c| c.scheme),
            }
        }
        ProtocolVersion::Tls12 => Signatures {
            server: transcript
                .handshake_message(Side::Server, SERVER_KEY_EXCHANGE)
                .and_then(|m| {
                    let (_, signature) = key_exchange_parameters(m.get(4..)?, finite_field(suite))?;
                    first_u16(signature)
                }),
            client: transcript
                .handshake_message(Side::Client, CERTIFICATE_VERIFY)
                .and_then(|m| first_u16(m.get(4..)?)),
        },
        // Before TLS 1.2 a signature names no scheme (MD5+SHA-1 or SHA-1).
        _ => Signatures::default(),
    }
}

fn first_u16(bytes: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]))
}

/// What one side's decrypted TLS 1.3 flight says.
#[derive(Default)]
struct Flight {
    /// Its CertificateVerify's scheme.
    scheme: Option<u16>,
    /// It carried a CertificateRequest (the server's).
    requested: bool,
}

/// `side`'s TLS 1.3 flight, decrypted with its handshake traffic secret,
/// read up to its CertificateVerify or Finished.
fn tls13_flight(transcript: &Transcript, secrets: &Secrets, suite: u16, side: Side) -> Flight {
    let mut flight = Flight::default();
    flight.scheme = read_flight(transcript, secrets, suite, side, &mut flight.requested);
    flight
}

fn read_flight(
    transcript: &Transcript,
    secrets: &Secrets,
    suite: u16,
    side: Side,
    requested: &mut bool,
) -> Option<u16> {
    let label = match side {
        Side::Server => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        Side::Client => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    };
    let keys = keys_of(secrets, label, suite)?;
    transcript.with_records(side, |records| read_decrypted(records, &keys, requested))
}

/// The record keys of the secret `label` names, for `suite`.
fn keys_of(secrets: &Secrets, label: &str, suite: u16) -> Option<RecordKeys> {
    let secret = secrets.iter().find(|s| s.label == label)?;
    RecordKeys::derive(suite, &secret.secret)
}

/// Reads the encrypted records of `records` with `keys` up to a
/// CertificateVerify (its scheme) or a Finished (none).
fn read_decrypted(
    records: &[(u8, Vec<u8>)],
    keys: &RecordKeys,
    requested: &mut bool,
) -> Option<u16> {
    for (kind, body) in decrypted_messages(records, keys) {
        match kind {
            CERTIFICATE_VERIFY => return first_u16(&body[4..]),
            FINISHED => return None,
            CERTIFICATE_REQUEST => *requested = true,
            _ => {}
        }
    }
    None
}

/// The handshake messages of the encrypted records of `records` opened
/// with `keys`, as (type, the whole message), up to the first Finished,
/// the first record the keys cannot open, or the first that is not a
/// handshake record.
fn decrypted_messages(records: &[(u8, Vec<u8>)], keys: &RecordKeys) -> Units {
    let mut stream = Vec::new();
    let mut messages = Units::new();
    let encrypted = records.iter().filter(|(kind, _)| *kind == 23);
    for (seq, (_, payload)) in encrypted.enumerate() {
        let Some((22, plain)) = keys.open(seq as u64, payload) else {
            break;
        };
        stream.extend(plain);
        while stream.len() >= 4 {
            let len = u32::from_be_bytes([0, stream[1], stream[2], stream[3]]) as usize;
            if stream.len() < 4 + len {
                break;
            }
            let message: Vec<u8> = stream.drain(..4 + len).collect();
            let finished = message[0] == FINISHED;
            messages.push((message[0], message));
            if finished {
                return messages;
            }
        }
    }
    messages
}

/// `side`'s TLS 1.3 handshake flight (EncryptedExtensions to Finished
/// for the server; Certificate to Finished for the client), decrypted
/// with the handshake traffic secret it logged, as (type, the whole
/// message). `None` without that secret or for a suite not read.
pub fn tls13_messages(
    transcript: &Transcript,
    secrets: &Secrets,
    suite: u16,
    side: Side,
) -> Option<Units> {
    let label = match side {
        Side::Server => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        Side::Client => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    };
    let keys = keys_of(secrets, label, suite)?;
    Some(transcript.with_records(side, |records| decrypted_messages(records, &keys)))
}

/// The fatal alert `side` sent encrypted in a TLS 1.3 handshake (RFC 8446
/// §5.2: an alert is a record whose inner content type is 21), read with
/// the traffic secrets the sender logged: its handshake secret, then its
/// first application secret once a record no longer opens with the first.
/// `None` when it sent none, or logged no secret (a JSSE side).
pub fn encrypted_alert(transcript: &Transcript, secrets: &Secrets, side: Side) -> Option<Alert> {
    let suite = transcript.tls13_suite()?;
    let labels = match side {
        Side::Server => ["SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"],
        Side::Client => ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"],
    };
    let keys: Vec<Option<RecordKeys>> = labels
        .iter()
        .map(|label| keys_of(secrets, label, suite))
        .collect();
    transcript.with_records(side, |records| alert_in(records, &keys))
}

/// The first fatal alert among `records`, opened with each of `keys` in
/// turn: the next key from the first record the one before cannot open,
/// its sequence numbers from 0 again (RFC 8446 §5.3).
fn alert_in(records: &[(u8, Vec<u8>)], keys: &[Option<RecordKeys>]) -> Option<Alert> {
    let (mut epoch, mut seq) = (0, 0u64);
    for (_, payload) in records.iter().filter(|(kind, _)| *kind == 23) {
        let opened = loop {
            match keys.get(epoch)?.as_ref()?.open(seq, payload) {
                Some(opened) => break opened,
                // The sender has moved on to its next secret.
                None => (epoch, seq) = (epoch + 1, 0),
            }
        };
        seq += 1;
        if let (ALERT, [2, description]) = (opened.0, opened.1.as_slice()) {
            return Some(Alert(*description));
        }
    }
    None
}

/// An alert's content type.
const ALERT: u8 = 21;

/// Whether the harness decrypts TLS 1.3 records of `suite` (not the CCM
/// suites).
pub fn reads_suite(suite: u16) -> bool {
    matches!(suite, 0x1301..=0x1303)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seals `content` of inner type `kind` as record `seq` under `keys`,
    /// as (content type, payload): what a sender writes.
    fn seal(keys: &RecordKeys, seq: u64, kind: u8, content: &[u8]) -> (u8, Vec<u8>) {
        let record = keys.seal(seq, kind, content).expect("seal");
        (record[0], record[5..].to_vec())
    }

    /// A sender's flight under its handshake secret, then an alert under
    /// its first application secret: the alert is read across the switch,
    /// and not without the second secret or with the wrong one.
    #[test]
    fn an_alert_is_read_after_the_switch_to_application_keys() {
        let keys = |byte| RecordKeys::derive(0x1301, &[byte; 32]).expect("keys");
        let (handshake, application) = (keys(1), keys(2));
        let records = [
            (20, vec![1]), // a compatibility change_cipher_spec, in the clear
            seal(&handshake, 0, 22, b"EncryptedExtensions"),
            seal(&handshake, 1, 22, b"Finished"),
            seal(&application, 0, 23, b"data"),
            seal(&application, 1, ALERT, &[2, 116]),
        ];
        let both = [Some(keys(1)), Some(keys(2))];
        assert_eq!(alert_in(&records, &both), Some(Alert(116)));
        assert_eq!(alert_in(&records, &[Some(keys(1)), None]), None);
        assert_eq!(alert_in(&records, &[Some(keys(3)), Some(keys(2))]), None);
        // A close_notify (a warning) is not a failure's alert.
        let warning = [seal(&handshake, 0, ALERT, &[1, 0])];
        assert_eq!(alert_in(&warning, &both), None);
    }
}
