//! The ClientHello handshake message out of what a client sent: TLS records
//! (RFC 8446 §5.1), reassembled when the hello spans several, or a bare
//! handshake message as `openssl s_client -msg` prints it.

use crate::record::{self, MAX_PLAINTEXT};

/// Where (a byte offset into the input) and what is wrong.
pub(super) type Problem = record::Problem;

/// The first handshake message of `stream`, which must be a ClientHello,
/// header included.
pub(super) fn hello_message(stream: &[u8]) -> Result<Vec<u8>, Problem> {
    match stream {
        [] => Err((0, "no bytes: the input is empty".into())),
        [0x16, ..] => from_records(stream),
        [0x01, ..] => bare_message(stream),
        [first, _, 0x01, ..] if first & 0x80 != 0 => Err((
            0,
            "an SSL 2.0-format ClientHello (RFC 5246 Appendix E.2); only TLS records are read"
                .into(),
        )),
        [kind, ..] => Err((
            0,
            format!(
                "{} where a handshake record (22) or a ClientHello (1) was expected",
                what_byte(*kind)
            ),
        )),
    }
}

/// What a first byte would be, by its record type.
fn what_byte(kind: u8) -> String {
    match record_type_name(kind) {
        Some(name) => format!("record type {kind} ({name})"),
        None => format!("{kind:#04x}"),
    }
}

fn record_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        20 => "change_cipher_spec",
        21 => "alert",
        22 => "handshake",
        23 => "application_data",
        24 => "heartbeat",
        _ => return None,
    })
}

/// A handshake message given without a record around it.
fn bare_message(stream: &[u8]) -> Result<Vec<u8>, Problem> {
    let len = declared_length(stream).ok_or_else(|| {
        (
            0,
            format!(
                "ClientHello truncated: its 4-byte header, {} bytes given",
                stream.len()
            ),
        )
    })?;
    match stream.len() - 4 {
        left if left < len => Err((
            1,
            format!("ClientHello truncated: length {len} exceeds the {left} bytes left"),
        )),
        _ => Ok(stream[..4 + len].to_vec()),
    }
}

/// The 24-bit length of a handshake message header.
fn declared_length(message: &[u8]) -> Option<usize> {
    match message {
        [_, a, b, c, ..] => Some(usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c)),
        _ => None,
    }
}

/// Handshake records from the start of `stream`, their payloads joined
/// until the first handshake message is complete.
fn from_records(stream: &[u8]) -> Result<Vec<u8>, Problem> {
    let mut joined = Vec::new();
    let mut at = 0;
    loop {
        if let Some(len) = declared_length(&joined) {
            if joined.len() >= 4 + len {
                if joined[0] != 1 {
                    let why = format!(
                        "handshake type {} where a ClientHello (1) was expected",
                        joined[0]
                    );
                    return Err((5, why));
                }
                joined.truncate(4 + len);
                return Ok(joined);
            }
        }
        let payload = record(stream, at, joined.len())?;
        joined.extend_from_slice(payload);
        at += 5 + payload.len();
    }
}

/// The payload of the handshake record at `at`; `joined` handshake bytes
/// were read before it. The framing is [`record::read`]'s; what a
/// ClientHello's records must be besides (handshake, not empty, no larger
/// than plaintext) is checked here.
fn record(stream: &[u8], at: usize, joined: usize) -> Result<&[u8], Problem> {
    if stream.len() <= at {
        let why = match joined {
            0 => "ClientHello truncated: the input ends before any handshake byte".to_string(),
            n => format!("ClientHello truncated: the input ends after {n} bytes of it"),
        };
        return Err((at, why));
    }
    if stream[at] != 22 {
        return Err((
            at,
            format!(
                "{} where a handshake record was expected",
                what_byte(stream[at])
            ),
        ));
    }
    let read = record::read(stream, at, MAX_PLAINTEXT)?;
    if read.payload.is_empty() {
        let why = format!("record length 0; a handshake record holds 1 to {MAX_PLAINTEXT} bytes");
        return Err((at + 3, why));
    }
    Ok(read.payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: [u8; 6] = [1, 0, 0, 2, 0xAA, 0xBB];

    #[test]
    fn a_hello_split_over_two_records_is_joined() {
        let mut stream = vec![22, 3, 1, 0, 3, 1, 0, 0];
        stream.extend([22, 3, 1, 0, 3, 2, 0xAA, 0xBB, 23, 3, 3]);
        assert_eq!(hello_message(&stream).unwrap(), HELLO);
    }

    #[test]
    fn a_bare_message_is_taken_as_it_is() {
        assert_eq!(hello_message(&HELLO).unwrap(), HELLO);
        let err = hello_message(&HELLO[..5]).unwrap_err();
        assert_eq!(
            err,
            (
                1,
                "ClientHello truncated: length 2 exceeds the 1 bytes left".into()
            )
        );
    }

    #[test]
    fn foreign_records_are_named() {
        let err = hello_message(&[23, 3, 3, 0, 1, 0]).unwrap_err();
        assert_eq!(err.1, "record type 23 (application_data) where a handshake record (22) or a ClientHello (1) was expected");
        let err = hello_message(&[22, 3, 1, 0, 2, 1, 0, 21, 3, 1, 0, 2, 2, 40]).unwrap_err();
        assert_eq!(
            err,
            (
                7,
                "record type 21 (alert) where a handshake record was expected".into()
            )
        );
        let err = hello_message(&[22, 3, 3, 0, 4, 2, 0, 0, 0]).unwrap_err();
        assert_eq!(
            err.1,
            "handshake type 2 where a ClientHello (1) was expected"
        );
    }
}
