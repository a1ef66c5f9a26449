//! `import-hello`: a captured ClientHello turned into a client profile.
//!
//! Data flows one way: the input's bytes, in the [`InputFormat`] their first
//! bytes say (or the caller names); for a capture, the client's TCP stream
//! (`capture`); for hex text, the bytes it spells (`input`); the ClientHello
//! message out of its records (`records`); its fields, read by
//! [`crate::hello::parse_client_hello`]; and the profile as TOML text
//! that the scenario loader reads ([`profile_toml`]).

mod capture;
mod input;
mod observed;
mod profile;
mod records;
mod reproduce;

pub use capture::{connections, Connection, Connections};
pub use input::InputFormat;
pub use observed::{observe, Chosen, Ending, Observed, Seen};
pub use profile::{profile_toml, Identity};
pub use reproduce::{chain_toml, scenario_toml, Chain, Naming};

use crate::hello::{parse_client_hello, ClientHello, HelloError};

/// A ClientHello read from an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Its fields.
    pub hello: ClientHello,
    /// Where it came from: the input's name, and for a capture the TCP
    /// connection (`capture.pcapng, TCP 10.0.0.1:50000 → 10.0.0.2:443`).
    pub origin: String,
    /// How the input was read.
    pub format: InputFormat,
}

/// Why an input gives no ClientHello, or no profile; each names the input
/// and where in it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The capture file is unreadable or holds no ClientHello.
    #[error("{origin}: {message}")]
    Capture {
        /// The input's name.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// Hex text that does not spell bytes.
    #[error("{origin}: line {line}: {message}")]
    Hex {
        /// The input's name.
        origin: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The bytes are not TLS records with a ClientHello, or a bare one.
    #[error("{origin}: byte {offset}: {message}")]
    Records {
        /// The input's name (and TCP connection).
        origin: String,
        /// Offset into the input's bytes (a capture's: the client's stream).
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// The ClientHello itself does not parse.
    #[error("{origin}: {source}")]
    Hello {
        /// The input's name (and TCP connection).
        origin: String,
        /// Where in the message, and what.
        source: HelloError,
    },
    /// The hello parses but offers nothing a profile can hold.
    #[error("{origin}: {message}")]
    Profile {
        /// The input's name (and TCP connection).
        origin: String,
        /// What is missing.
        message: String,
    },
}

/// Reads the ClientHello in `bytes`, named `origin` in errors; `format`
/// `None` detects it ([`InputFormat::detect`]).
pub fn import(
    bytes: &[u8],
    format: Option<InputFormat>,
    origin: &str,
) -> Result<Imported, ImportError> {
    let format = format.unwrap_or_else(|| InputFormat::detect(bytes));
    let capture_error = |message| ImportError::Capture {
        origin: origin.to_string(),
        message,
    };
    let (stream, origin) = match format {
        InputFormat::Pcap | InputFormat::Pcapng => {
            let found = capture::client_stream(bytes, format == InputFormat::Pcapng)
                .map_err(capture_error)?;
            (found.bytes, format!("{origin}, {}", found.label))
        }
        InputFormat::Hex => (hex(bytes, origin)?, origin.to_string()),
        InputFormat::Raw => (bytes.to_vec(), origin.to_string()),
    };
    let message =
        records::hello_message(&stream).map_err(|(offset, message)| ImportError::Records {
            origin: origin.clone(),
            offset,
            message,
        })?;
    let hello = parse_client_hello(&message).map_err(|source| ImportError::Hello {
        origin: origin.clone(),
        source,
    })?;
    Ok(Imported {
        hello,
        origin,
        format,
    })
}

/// The bytes of hex text.
fn hex(bytes: &[u8], origin: &str) -> Result<Vec<u8>, ImportError> {
    let error = |line, message| ImportError::Hex {
        origin: origin.to_string(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        error(
            line,
            "not UTF-8 text; --input-format raw reads bytes".into(),
        )
    })?;
    input::hex_bytes(text).map_err(|(line, message)| error(line, message))
}

/// A capture read into a scenario file.
#[derive(Clone, Debug)]
pub struct CapturedScenario {
    /// The scenario file's text.
    pub text: String,
    /// The connection it reproduces, with its place among the capture's
    /// (`2 of 3: TCP ...`).
    pub connection: String,
    /// Whether secrets for it were found (in the file or the key log).
    pub keys: bool,
}

/// Reads connection `stream` (from 1) of the pcap or pcapng `bytes`, with
/// the secrets of `key_log` (NSS key log text) and of the file's own
/// Decryption Secrets Blocks, into a scenario file named by `naming`.
pub fn import_capture(
    bytes: &[u8],
    origin: &str,
    key_log: &str,
    stream: Option<usize>,
    naming: &Naming,
    catalog: &crate::scenario::Catalog,
) -> Result<CapturedScenario, ImportError> {
    // The origin goes into comments of the file: one line.
    let origin = &origin.replace(['\n', '\r'], " ");
    let capture_error = |message: String| ImportError::Capture {
        origin: origin.to_string(),
        message,
    };
    let format = InputFormat::detect(bytes);
    if !matches!(format, InputFormat::Pcap | InputFormat::Pcapng) {
        return Err(capture_error(format!(
            "not a pcap or pcapng file (its first bytes read as {}); import-hello reads a hello in other forms",
            format.as_str()
        )));
    }
    let found = connections(bytes, format == InputFormat::Pcapng).map_err(capture_error)?;
    let count = found.connections.len();
    let index = stream.unwrap_or(1);
    let Some(connection) = index.checked_sub(1).and_then(|i| found.connections.get(i)) else {
        return Err(capture_error(format!(
            "--stream {index}: the capture holds {count} TLS connection(s), numbered from 1"
        )));
    };
    let mut label = format!("connection {index} of {count}: {}", connection.label);
    let log = format!("{}\n{key_log}", found.key_log);
    let read = |connection: &Connection, label: &str| {
        read_connection(connection, &log, &format!("{origin}, {label}"))
            .map_err(|message| capture_error(format!("{label}: {message}")))
    };
    let (observed, keys) = read(connection, &label)?;
    let retry = found
        .connections
        .get(index)
        .filter(|next| is_retry(connection, &observed, next));
    let fallback = match retry {
        Some(next) => {
            let next_label = format!("connection {} of {count}: {}", index + 1, next.label);
            label = format!("{label}, and its retry, {next_label}");
            Some(read(next, &next_label)?.0)
        }
        None => None,
    };
    let started = connection
        .started
        .and_then(|t| i64::try_from(t.as_secs()).ok())
        .and_then(crate::moment::Moment::from_unix);
    let place = format!("{origin}, {label}");
    let text = scenario_toml(
        &observed,
        fallback.as_ref(),
        &place,
        started,
        naming,
        catalog,
    )?;
    Ok(CapturedScenario {
        text,
        connection: label,
        keys,
    })
}

/// What `connection` shows, read with the secrets of `key_log` for its
/// ClientHello, and whether there were any; else what is missing.
fn read_connection(
    connection: &Connection,
    key_log: &str,
    place: &str,
) -> Result<(Observed, bool), String> {
    let transcript = crate::wire::Transcript::of_chunks(connection.chunks.clone());
    if transcript.sent_by(crate::outcome::Side::Server).is_empty() {
        return Err("the server sent nothing, so there is no outcome to reproduce (was the capture stopped, or filtered to one direction?)".into());
    }
    let random = transcript.client_random().unwrap_or_default();
    let secrets: Vec<crate::keylog::Secret> = key_log
        .lines()
        .filter_map(crate::keylog::parse_line)
        .filter(|s| s.client_random == random)
        .collect();
    let secrets = crate::keylog::Secrets::new(secrets);
    let mut observed = observe(&transcript, &secrets)
        .ok_or_else(|| format!("{place}: the client's stream holds no whole ClientHello"))?;
    // A capture that stops before the connection did shows no ending: a
    // failure with no alert is then not an observation.
    if let Ending::Failed { alert, .. } = &mut observed.ending {
        if !connection.ended && *alert == Seen::Known(None) {
            *alert = Seen::Unknown("the capture stops before the connection ends");
        }
    }
    Ok((observed, !secrets.is_empty()))
}

/// Whether `next` is the client's retry after `first` failed: the same
/// client host to the same server, with a hello that offers less.
fn is_retry(first: &Connection, observed: &Observed, next: &Connection) -> bool {
    let failed = matches!(observed.ending, Ending::Failed { .. });
    let same_ends = first.client.ip() == next.client.ip() && first.server == next.server;
    let transcript = crate::wire::Transcript::of_chunks(next.chunks.clone());
    let hello = transcript
        .handshake_message(crate::outcome::Side::Client, 1)
        .and_then(|m| crate::hello::parse_client_hello(&m).ok());
    let highest = |h: &crate::hello::ClientHello| {
        h.supported_versions
            .iter()
            .copied()
            .filter(|v| !crate::hello::is_grease(*v))
            .max()
            .unwrap_or(h.legacy_version)
    };
    failed && same_ends && hello.is_some_and(|h| highest(&h) < highest(&observed.hello))
}
