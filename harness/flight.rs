//! What each side signed its handshake with, read off the wire: the
//! signature scheme of the server's key exchange or CertificateVerify, and
//! of the client's CertificateVerify when it sent a certificate.
//!
//! Below TLS 1.3 these are in the clear (the ServerKeyExchange's
//! `signed_params`, RFC 5246 §7.4.3 and RFC 8422 §5.4, and the client's
//! CertificateVerify, RFC 5246 §7.4.8). At TLS 1.3 they are in the
//! encrypted handshake flight (RFC 8446 §4.4.3): the harness decrypts it
//! with the handshake traffic secrets a side logged ([`crate::keylog`]),
//! by RFC 8446 §7.1 and §7.3 (HKDF-Expand-Label for the key and IV) and
//! §5.2–5.3 (the AEAD record and its per-record nonce), with aws-lc-rs
//! (OpenSSL 3's EVP fetches each algorithm on every use: about 50 µs a
//! handshake, measured in the bench). The CCM suites, which aws-lc-rs does
//! not offer as a TLS AEAD here, stay unread. A flight without
//! its secret (a JSSE side logs none) stays unread: the scheme is `None`.
//!
//! Uses the crate's transcript and key log only.

use aws_lc_rs::{aead, hkdf};

use crate::keylog::Secrets;
use crate::outcome::{Alert, Side};
use crate::version::ProtocolVersion;
use crate::wire::{Transcript, Units};

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
                .and_then(|m| key_exchange_scheme(m.get(4..)?)),
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

/// The scheme after a ServerKeyExchange's parameters: a named curve's
/// `03 <group> <u8 len> point`, or DHE's three `<u16 len>` numbers.
fn key_exchange_scheme(body: &[u8]) -> Option<u16> {
    let after = match body {
        [3, _, _, len, rest @ ..] => rest.get(usize::from(*len)..)?,
        _ => {
            let mut rest = body;
            for _ in 0..3 {
                let len = usize::from(first_u16(rest)?);
                rest = rest.get(2 + len..)?;
            }
            rest
        }
    };
    first_u16(after)
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

/// One direction's record protection under one traffic secret.
struct RecordKeys {
    key: aead::LessSafeKey,
    iv: [u8; aead::NONCE_LEN],
}

/// An output length for HKDF-Expand.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl RecordKeys {
    /// The key and IV of `secret` for TLS 1.3 suite `suite` (RFC 8446 §7.3);
    /// `None` for a suite whose AEAD aws-lc-rs does not offer here (CCM).
    fn derive(suite: u16, secret: &[u8]) -> Option<RecordKeys> {
        let (algorithm, hash) = match suite {
            0x1301 => (&aead::AES_128_GCM, hkdf::HKDF_SHA256),
            0x1302 => (&aead::AES_256_GCM, hkdf::HKDF_SHA384),
            0x1303 => (&aead::CHACHA20_POLY1305, hkdf::HKDF_SHA256),
            _ => return None,
        };
        // A traffic secret is as long as the suite's hash (RFC 8446 §7.1);
        // a key log line that says otherwise is not one to derive from.
        if secret.len() != hash.hmac_algorithm().digest_algorithm().output_len() {
            return None;
        }
        let prk = hkdf::Prk::new_less_safe(hash, secret);
        let key = expand_label(&prk, "key", algorithm.key_len())?;
        let iv = expand_label(&prk, "iv", aead::NONCE_LEN)?;
        Some(RecordKeys {
            key: aead::LessSafeKey::new(aead::UnboundKey::new(algorithm, &key).ok()?),
            iv: iv.try_into().ok()?,
        })
    }

    /// Decrypts record number `seq` (its payload, without the header):
    /// the inner content type and the content.
    fn open(&self, seq: u64, payload: &[u8]) -> Option<(u8, Vec<u8>)> {
        let mut nonce = self.iv;
        for (n, s) in nonce.iter_mut().rev().zip(seq.to_be_bytes().iter().rev()) {
            *n ^= s;
        }
        let len = u16::try_from(payload.len()).ok()?.to_be_bytes();
        let header = [23, 3, 3, len[0], len[1]];
        let mut buffer = payload.to_vec();
        let plain = self
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(header),
                &mut buffer,
            )
            .ok()?;
        let end = plain.iter().rposition(|b| *b != 0)?;
        Some((plain[end], plain[..end].to_vec()))
    }
}

/// HKDF-Expand-Label(secret, label, "", len) (RFC 8446 §7.1).
fn expand_label(prk: &hkdf::Prk, label: &str, len: usize) -> Option<Vec<u8>> {
    expand_label_with(prk, label, &[], len)
}

/// HKDF-Expand-Label(secret, label, context, len) (RFC 8446 §7.1).
fn expand_label_with(prk: &hkdf::Prk, label: &str, context: &[u8], len: usize) -> Option<Vec<u8>> {
    let full = format!("tls13 {label}");
    let mut info = u16::try_from(len).ok()?.to_be_bytes().to_vec();
    info.push(u8::try_from(full.len()).ok()?);
    info.extend_from_slice(full.as_bytes());
    info.push(u8::try_from(context.len()).ok()?);
    info.extend_from_slice(context);
    let mut out = vec![0; len];
    prk.expand(&[&info], Len(len)).ok()?.fill(&mut out).ok()?;
    Some(out)
}

/// The server handshake traffic secret of a TLS 1.3 handshake without a
/// PSK (RFC 8446 §7.1): from the (EC)DHE shared secret and the
/// ClientHello and ServerHello messages (headers included), for `suite`.
/// What a client that made its own key share needs to read the server's
/// flight with [`tls13_messages`].
pub fn server_handshake_secret(suite: u16, shared: &[u8], hellos: &[u8]) -> Option<Vec<u8>> {
    let (hash, digest) = match suite {
        0x1301 | 0x1303 => (hkdf::HKDF_SHA256, &aws_lc_rs::digest::SHA256),
        0x1302 => (hkdf::HKDF_SHA384, &aws_lc_rs::digest::SHA384),
        _ => return None,
    };
    let len = digest.output_len();
    let zeros = vec![0u8; len];
    let early = hkdf::Salt::new(hash, &zeros).extract(&zeros);
    let empty = aws_lc_rs::digest::digest(digest, &[]);
    let derived = expand_label_with(&early, "derived", empty.as_ref(), len)?;
    let handshake = hkdf::Salt::new(hash, &derived).extract(shared);
    let transcript = aws_lc_rs::digest::digest(digest, hellos);
    expand_label_with(&handshake, "s hs traffic", transcript.as_ref(), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8448 §3 (Simple 1-RTT Handshake): the server handshake traffic
    /// secret and the key and IV derived from it.
    #[test]
    fn expand_label_matches_rfc_8448() {
        let secret =
            hex::decode("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
                .expect("hex");
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
        let key = expand_label(&prk, "key", 16).expect("key");
        let iv = expand_label(&prk, "iv", 12).expect("iv");
        assert_eq!(hex::encode(key), "3fce516009c21727d0f2e4e86ee403bc");
        assert_eq!(hex::encode(iv), "5d313eb2671276ee13000b30");
    }

    /// Seals `content` of inner type `kind` as record `seq` under `keys`
    /// (RFC 8446 §5.2): what a sender writes.
    fn seal(keys: &RecordKeys, seq: u64, kind: u8, content: &[u8]) -> (u8, Vec<u8>) {
        let mut nonce = keys.iv;
        for (n, s) in nonce.iter_mut().rev().zip(seq.to_be_bytes().iter().rev()) {
            *n ^= s;
        }
        let mut buffer = [content, &[kind]].concat();
        let len = u16::try_from(buffer.len() + 16)
            .expect("short")
            .to_be_bytes();
        keys.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from([23, 3, 3, len[0], len[1]]),
                &mut buffer,
            )
            .expect("seal");
        (23, buffer)
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

    #[test]
    fn key_exchange_parameters_are_skipped_to_their_signature() {
        // Named curve x25519, a 2-byte point, then rsa_pss_rsae_sha256.
        assert_eq!(
            key_exchange_scheme(&[3, 0, 0x1d, 2, 9, 9, 8, 4]),
            Some(0x0804)
        );
        // DHE: p = 1 byte, g = 1 byte, Ys = 1 byte, then rsa_pkcs1_sha256.
        let dhe = [0, 1, 7, 0, 1, 2, 0, 1, 5, 4, 1];
        assert_eq!(key_exchange_scheme(&dhe), Some(0x0401));
        assert_eq!(key_exchange_scheme(&[3, 0]), None);
    }
}
