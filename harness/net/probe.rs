//! `probe`: one client profile against a real server on a socket, through
//! the same core as every in-memory run: the same prepared endpoint, the
//! same fallback retry, the same normalised outcome (from the client's side
//! alone, with the server's alerts read off the wire).

use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpStream;

use crate::backend::Backend;
use crate::endpoint::{self, Exchange, Prepared, Setup};
use crate::handshake::{block_on, normalise, within, RuntimeError};
use crate::moment::Moment;
use crate::outcome::{Outcome, Side};
use crate::pki::{self, CertSummary, Pki, PkiError};
use crate::scenario::Profile;
use crate::wire::Tap;

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
}

/// The backend for `profile`: `wanted`, or the first that can implement it.
pub fn pick_backend(profile: &Profile, wanted: Option<Backend>) -> Result<Backend, String> {
    let candidates = wanted.map_or(Backend::ALL.to_vec(), |b| vec![b]);
    let mut reasons = Vec::new();
    for backend in candidates {
        match endpoint::unsupported(backend, profile) {
            None => return Ok(backend),
            Some(why) => reasons.push(format!("{why} ({} {})", profile.role, profile.id)),
        }
    }
    Err(reasons.join("; "))
}

/// Runs `profile` (as it stands at `options.at`) against `target`.
pub fn probe(
    profile: &Profile,
    pki: &Pki,
    target: &str,
    options: &ProbeOptions,
) -> Result<Probe, ProbeError> {
    let profile = profile.at(options.at);
    let backend = pick_backend(&profile, options.backend).map_err(ProbeError::Unsupported)?;
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
    let (first, chain) = block_on(attempt(&setup(&profile, false), target, options.deadline))??;
    let (outcome, chain, fallback_from) = match (&first, profile.fallback_hello()) {
        (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
            let scsv = profile.fallback.as_ref().is_some_and(|f| f.scsv);
            let (second, chain) =
                block_on(attempt(&setup(&retry, scsv), target, options.deadline))??;
            (second, chain, Some(first))
        }
        _ => (first, chain, None),
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
    })
}

/// One connection and handshake with a prepared client: the outcome and
/// the chain the server sent. [`probe`] is this with the profile's fallback
/// retry; load tests call it directly, many at once.
pub async fn attempt(
    client: &Prepared,
    target: &str,
    deadline: Duration,
) -> Result<(Outcome, Vec<Vec<u8>>), ProbeError> {
    let unreachable = |why: String| ProbeError::Unreachable {
        target: target.to_owned(),
        why,
    };
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
    let (tap, transcript) = Tap::socket(stream, Side::Client);
    let report = within(deadline, client.run(tap, Exchange::Http)).await;
    let outcome = normalise(Some(&report), None, &transcript);
    Ok((outcome, report.peer_chain))
}
