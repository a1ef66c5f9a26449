//! The handshake core: two prepared endpoints ([`Prepared`]), a transport
//! and a deadline in; the normalised [`Outcome`] and the [`Transcript`] of
//! every byte out. Scenario runs, the matrices, the property tests and the
//! benchmark all drive handshakes through here; only the transport differs.
//!
//! Normalising is the one place that turns two sides' views into one
//! outcome: which side decided to abort, and which alert crossed the wire
//! (read off the transcript where it was sent in the clear, else from the
//! error the peer received, else decrypted off the transcript with the
//! secrets its sender logged).

use std::cell::OnceCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::runtime::Runtime;

use crate::endpoint::{Exchange, Prepared, SideReport};
use crate::flight;
use crate::keylog::{self, Secrets};
use crate::outcome::{
    ErrorKind, Established, Failed, Outcome, Presented, Side, SideError, SuiteName,
};
use crate::pki;
use crate::scheme;
use crate::version::ProtocolVersion;
use crate::wire::{self, Transcript};

/// What one handshake came to.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// Both sides' views, normalised.
    pub outcome: Outcome,
    /// Every byte each side wrote.
    pub transcript: Transcript,
    /// The secrets both sides logged (a JSSE side logs none).
    pub secrets: Secrets,
}

/// Takes the secrets of the handshake in `transcript` out of the
/// process-wide store (empty when nothing is recording or the client sent
/// no whole ClientHello). Every handshake the harness drives records them:
/// they tell the outcome what the encrypted TLS 1.3 flight signed with
/// ([`flight`]).
pub fn secrets_of(transcript: &Transcript) -> Secrets {
    if !keylog::is_recording() {
        // The normal path: no transcript parsing for keys nobody logged.
        return Secrets::default();
    }
    transcript
        .client_random()
        .map(|random| keylog::take(&random))
        .unwrap_or_default()
}

/// Runs one side under a deadline; a side that has not finished by then
/// reports [`ErrorKind::Timeout`].
pub async fn within(deadline: Duration, side: impl Future<Output = SideReport>) -> SideReport {
    match tokio::time::timeout(deadline, side).await {
        Ok(report) => report,
        Err(_) => SideReport::failed(SideError::new(
            ErrorKind::Timeout,
            format!("no result within {} ms", deadline.as_millis()),
        )),
    }
}

/// One handshake between two prepared endpoints over the in-memory wire,
/// normalised, with what crossed it. Each side has `deadline` for its
/// handshake and first exchange.
pub async fn in_memory(client: &Prepared, server: &Prepared, deadline: Duration) -> Handshake {
    HANDSHAKES.fetch_add(1, Ordering::Relaxed);
    let _recording = keylog::recording();
    let (client_io, server_io, transcript) = wire::pipe();
    let (c, s) = tokio::join!(
        within(deadline, client.run(client_io, Exchange::Ping)),
        within(deadline, server.run(server_io, Exchange::Ping))
    );
    let secrets = secrets_of(&transcript);
    Handshake {
        outcome: normalise(Some(&c), Some(&s), &transcript, &secrets),
        secrets,
        transcript,
    }
}

/// Real handshakes this process has driven.
static HANDSHAKES: AtomicU64 = AtomicU64::new(0);

/// How many real handshakes this process has driven so far, for figures
/// such as handshakes per second.
pub fn count() -> u64 {
    HANDSHAKES.load(Ordering::Relaxed)
}

/// [`in_memory`] on this thread's runtime, for callers that are not async.
pub fn in_memory_blocking(
    client: &Prepared,
    server: &Prepared,
    deadline: Duration,
) -> Result<Handshake, RuntimeError> {
    block_on(in_memory(client, server, deadline))
}

/// The async runtime could not start (the process is out of threads or
/// file descriptors).
#[derive(Debug, thiserror::Error)]
#[error("cannot start the async runtime: {0}")]
pub struct RuntimeError(#[from] pub std::io::Error);

/// Runs `future` to completion on this thread's own single-threaded
/// runtime, made on first use. Each thread that runs handshakes (one per
/// core, see [`crate::run::Runner`]) has its own, so handshakes on
/// different threads never wait for each other.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, RuntimeError> {
    thread_local! {
        static RUNTIME: OnceCell<Runtime> = const { OnceCell::new() };
    }
    RUNTIME.with(|cell| {
        let runtime = match cell.get() {
            Some(runtime) => runtime,
            None => {
                let made = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                cell.get_or_init(|| made)
            }
        };
        Ok(runtime.block_on(future))
    })
}

fn presented(chain: &[Vec<u8>], by_exception: bool) -> Option<Presented> {
    let (leaf, fingerprint) = leaf_facts(chain.first()?)?;
    Some(Presented {
        leaf,
        chain_length: chain.len(),
        accepted_by_exception: by_exception,
        fingerprint: Some(fingerprint),
    })
}

/// A certificate's summary and fingerprint, worked out once per process
/// for each of the first [`REMEMBERED`] certificates seen: a run presents
/// the same few certificates in every handshake, and parsing one costs as
/// much as a tenth of a loopback handshake.
fn leaf_facts(der: &[u8]) -> Option<(pki::CertSummary, String)> {
    type Seen = Mutex<HashMap<Vec<u8>, (pki::CertSummary, String)>>;
    static SEEN: OnceLock<Seen> = OnceLock::new();
    let seen = SEEN.get_or_init(Seen::default);
    let lock = || seen.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(facts) = lock().get(der) {
        return Some(facts.clone());
    }
    let facts = (pki::summarize(der).ok()?, pki::fingerprint(der));
    let mut map = lock();
    if map.len() < REMEMBERED {
        map.insert(der.to_vec(), facts.clone());
    }
    Some(facts)
}

/// How many certificates [`leaf_facts`] remembers.
const REMEMBERED: usize = 1024;

/// Turns what each side saw, and what crossed the wire, into one outcome.
/// A side the harness did not run (the real peer of a socket) is `None`:
/// the outcome is then the other side's view, with the peer's alerts read
/// off the wire.
pub fn normalise(
    client: Option<&SideReport>,
    server: Option<&SideReport>,
    transcript: &Transcript,
    secrets: &Secrets,
) -> Outcome {
    let (c_err, s_err) = (
        client.and_then(SideReport::error),
        server.and_then(SideReport::error),
    );
    let views = |r: Option<&SideReport>| r.map(|r| r.handshake.as_ref().ok().copied());
    let server_certificate = client.and_then(|c| presented(&c.peer_chain, c.by_exception));
    if c_err.is_none() && s_err.is_none() {
        match (views(client), views(server)) {
            (Some(Some(c)), Some(Some(s))) if c != s => {
                return disagreeing(c, s, server_certificate);
            }
            (Some(Some((version, suite))), _) | (None, Some(Some((version, suite)))) => {
                let signed = flight::signatures(transcript, secrets, version, suite);
                return Outcome::Established(Established {
                    version,
                    suite: SuiteName::from_code(suite),
                    group: transcript.key_exchange_group(),
                    hello_retry: transcript.hello_retry(),
                    signature_scheme: signed.server.map(scheme::name_of),
                    client_signature_scheme: signed.client.map(scheme::name_of),
                    alpn: client.or(server).and_then(|r| r.alpn.clone()),
                    server_certificate,
                    client_certificate: server.and_then(|s| presented(&s.peer_chain, false)),
                });
            }
            _ => {}
        }
    }
    let failed_side = failed_side(c_err, s_err, transcript);
    let received = |e: Option<&SideError>| match e.map(|e| &e.kind) {
        Some(ErrorKind::AlertReceived(a)) => Some(*a),
        _ => None,
    };
    let alert = failed_side
        .and_then(|side| transcript.plaintext_alerts(side).first().copied())
        .or_else(|| match failed_side {
            Some(Side::Client) => received(s_err),
            Some(Side::Server) => received(c_err),
            None => None,
        })
        // A receiver that does not name an encrypted alert (JSSE): read it
        // off the wire with the sender's secrets, where it logged them.
        .or_else(|| {
            let (sender, receiver) = match failed_side? {
                Side::Client => (Side::Client, s_err),
                Side::Server => (Side::Server, c_err),
            };
            let unnamed = receiver.is_some_and(|e| e.kind == ErrorKind::EncryptedAlertReceived);
            unnamed
                .then(|| flight::encrypted_alert(transcript, secrets, sender))
                .flatten()
        })
        .or_else(|| received(c_err).or(received(s_err)));
    Outcome::Failed(Failed {
        failed_side,
        alert,
        client_error: c_err.cloned(),
        server_error: s_err.cloned(),
        server_certificate,
    })
}

/// Both sides completed, but not on the same thing: a fault of the harness.
fn disagreeing(
    (version, suite): (ProtocolVersion, u16),
    server_view: (ProtocolVersion, u16),
    server_certificate: Option<Presented>,
) -> Outcome {
    let disagreement = SideError::new(
        ErrorKind::Other("harness:sides-disagree".into()),
        format!("client saw {version} {suite:#06X}, server saw {server_view:?}"),
    );
    Outcome::Failed(Failed {
        failed_side: None,
        alert: None,
        client_error: Some(disagreement),
        server_error: None,
        server_certificate,
    })
}

/// The side that decided to abort: the one whose error is its own (not an
/// alert it received, a closed pipe or the clock); failing that, the side
/// that sent the alert the other received.
fn failed_side(
    client: Option<&SideError>,
    server: Option<&SideError>,
    transcript: &Transcript,
) -> Option<Side> {
    let local = |e: Option<&SideError>| e.is_some_and(|e| e.kind.is_local());
    let received =
        |e: Option<&SideError>| matches!(e.map(|e| &e.kind), Some(ErrorKind::AlertReceived(_)));
    match (local(client), local(server)) {
        (true, false) => Some(Side::Client),
        (false, true) => Some(Side::Server),
        (true, true) => {
            let sent = |side| !transcript.plaintext_alerts(side).is_empty();
            if sent(Side::Client) && !sent(Side::Server) {
                Some(Side::Client)
            } else {
                Some(Side::Server)
            }
        }
        (false, false) if received(client) => Some(Side::Server),
        (false, false) if received(server) => Some(Side::Client),
        (false, false) => None,
    }
}
