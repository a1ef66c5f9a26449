//! `probe`: one client profile against a real server on a socket, through
//! the same core as every in-memory run: the same prepared endpoint, the
//! same fallback retry, the same normalised outcome (from the client's side
//! alone, with the server's alerts read off the wire).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::net::TcpStream;

use crate::backend::Backend;
use crate::capture::{self, files::file_name, CaptureError};
use crate::endpoint::{self, Exchange, Prepared, Setup};
use crate::handshake::{block_on, normalise, secrets_of, within, RuntimeError};
use crate::keylog::{self, Secrets};
use crate::moment::Moment;
use crate::outcome::{Outcome, Side};
use crate::pki::{self, CertSummary, Pki, PkiError};
use crate::run::CaptureFiles;
use crate::scenario::Profile;
use crate::wire::{Tap, Transcript};

/// How to probe.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// The name to ask for and verify; the target's host by default.
    pub server_name: Option<String>,
    /// Trust anchors (DER) besides the profile's own CAs.
    pub trust: Vec<Vec<u8>>,
    /// The instant certificates are verified at.
    pub at: Moment,
    /// The backend to run the client on; the first that can, by default.
    pub backend: Option<Backend>,
    /// For connecting, and for each side's handshake and exchange.
    pub deadline: Duration,
    /// Write each attempt as a pcapng file, with its keys, in this
    /// directory: `<profile>.pcapng`, and `<profile>.fallback.pcapng` for
    /// the retry.
    pub pcap: Option<PathBuf>,
}

/// What one probe came to.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Probe {
    /// The client profile.
    pub client: String,
    /// The backend that ran it.
    pub backend: Backend,
    /// `HOST:PORT`.
    pub target: String,
    /// The normalised outcome (of the retry, if the client fell back).
    pub outcome: Outcome,
    /// The first attempt, when it failed and the client retried with its
    /// fallback hello.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<Outcome>,
    /// Every certificate the server sent, leaf first.
    pub chain: Vec<CertSummary>,
    /// The capture files written (`--pcap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureFiles>,
}

/// Why a probe has no outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// No backend can implement the profile (or not the one asked for).
    #[error("{0}")]
    Unsupported(String),
    /// Nothing answered: refused, timed out, or the name did not resolve.
    #[error("cannot reach {target}: {why}")]
    Unreachable {
        /// `HOST:PORT`.
        target: String,
        /// What the system said.
        why: String,
    },
    /// The client's certificates could not be made.
    #[error("cannot make certificates: {0}")]
    Pki(#[from] PkiError),
    /// The async runtime would not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A capture could not be written.
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

/// The backend for `profile`: `wanted`, or the first that can implement it.
pub fn pick_backend(profile: &Profile, wanted: Option<Backend>) -> Result<Backend, ProbeError> {
    let candidates = wanted.map_or(Backend::EVERY.to_vec(), |b| vec![b]);
    let mut reasons = Vec::new();
    for backend in candidates {
        match endpoint::unsupported(backend, profile) {
            None => return Ok(backend),
            Some(why) => reasons.push(format!("{why} ({} {})", profile.role, profile.id)),
        }
    }
    Err(ProbeError::Unsupported(reasons.join("; ")))
}

/// Runs `profile` (as it stands at `options.at`) against `target`.
pub fn probe(
    profile: &Profile,
    pki: &Pki,
    target: &str,
    options: &ProbeOptions,
) -> Result<Probe, ProbeError> {
    let profile = profile.at(options.at);
    let backend = pick_backend(&profile, options.backend)?;
    let issued = endpoint::issue(&profile, pki)?;
    let host = target.rsplit_once(':').map_or(target, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let server_name = options.server_name.as_deref().unwrap_or(host);
    let setup = |hello: &Profile, fallback_scsv| {
        let setup = Setup {
            profile: hello,
            identities: issued.identities.clone(),
            trust: [issued.trust.clone(), options.trust.clone()].concat(),
            server_name,
            fallback_scsv,
            verify_at: options.at,
        };
        Prepared::new(backend, Side::Client, &setup)
    };
    let _recording = keylog::recording();
    let first = block_on(recorded(&setup(&profile, false), target, options.deadline))??;
    let mut wires = vec![first.wire];
    let (outcome, chain, fallback_from) = match (&first.outcome, profile.fallback_hello()) {
        (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
            let scsv = profile.fallback.as_ref().is_some_and(|f| f.scsv);
            let second = block_on(recorded(&setup(&retry, scsv), target, options.deadline))??;
            wires.push(second.wire);
            (second.outcome, second.chain, Some(first.outcome))
        }
        _ => (first.outcome, first.chain, None),
    };
    let capture = match &options.pcap {
        Some(dir) => Some(write_captures(dir, &profile.id, &wires)?),
        None => None,
    };
    Ok(Probe {
        client: profile.id.clone(),
        backend,
        target: target.to_owned(),
        outcome,
        fallback_from,
        chain: chain
            .iter()
            .filter_map(|der| pki::summarize(der).ok())
            .collect(),
        capture,
    })
}

/// Writes each attempt's capture into `dir`, the first as `<id>.pcapng`,
/// a retry as `<id>.fallback.pcapng`.
fn write_captures(dir: &Path, id: &str, wires: &[Wire]) -> Result<CaptureFiles, CaptureError> {
    let mut paths = Vec::new();
    for (i, wire) in wires.iter().enumerate() {
        let name = if i == 0 {
            format!("{id}.pcapng")
        } else {
            format!("{id}.fallback.pcapng")
        };
        let path = dir.join(file_name(&name));
        let port = wire.local.port();
        capture::write_live(&path, &wire.transcript, &wire.secrets, port, wire.started)?;
        paths.push(path.display().to_string());
    }
    let fallback_from = (paths.len() > 1).then(|| paths.remove(0));
    Ok(CaptureFiles {
        file: paths.pop().unwrap_or_default(),
        fallback_from,
    })
}

/// What crossed one connection, with the keys to read it.
struct Wire {
    transcript: Transcript,
    secrets: Secrets,
    local: SocketAddr,
    started: SystemTime,
}

/// One attempt: its outcome, the chain the server sent, and its wire.
struct Recorded {
    outcome: Outcome,
    chain: Vec<Vec<u8>>,
    wire: Wire,
}

/// One connection and handshake with a prepared client: the outcome and
/// the chain the server sent. [`probe`] is this with the profile's fallback
/// retry; load tests call it directly, many at once.
pub async fn attempt(
    client: &Prepared,
    target: &str,
    deadline: Duration,
) -> Result<(Outcome, Vec<Vec<u8>>), ProbeError> {
    recorded(client, target, deadline)
        .await
        .map(|r| (r.outcome, r.chain))
}

/// [`attempt`], keeping what crossed the wire.
async fn recorded(
    client: &Prepared,
    target: &str,
    deadline: Duration,
) -> Result<Recorded, ProbeError> {
    let unreachable = |why: String| ProbeError::Unreachable {
        target: target.to_owned(),
        why,
    };
    let started = SystemTime::now();
    let stream = match tokio::time::timeout(deadline, TcpStream::connect(target)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Err(unreachable(e.to_string())),
        Err(_) => {
            return Err(unreachable(format!(
                "no connection within {} ms",
                deadline.as_millis()
            )))
        }
    };
    let local = stream
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let (tap, transcript) = Tap::socket(stream, Side::Client);
    let report = within(deadline, client.run(tap, Exchange::Http)).await;
    let secrets = secrets_of(&transcript);
    let outcome = normalise(Some(&report), None, &transcript, &secrets);
    Ok(Recorded {
        outcome,
        chain: report.peer_chain,
        wire: Wire {
            transcript,
            secrets,
            local,
            started,
        },
    })
}
