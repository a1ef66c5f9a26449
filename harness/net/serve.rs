//! `serve`: one server profile on a real TCP socket, each connection driven
//! through the same prepared endpoint and core as the in-memory runs, under
//! the deadline, many at once, each logged as one JSON line.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::capture::{self, files::file_name};
use crate::endpoint::{Exchange, Prepared};
use crate::handshake::{normalise, secrets_of, within};
use crate::hello::{client_hello, Offered};
use crate::keylog;
use crate::outcome::{Outcome, Side};
use crate::wire::Tap;

/// The most entries of each list of a ClientHello a log line shows (a
/// real client's longest, its suites, has a few dozen).
const LOGGED_PER_LIST: usize = 200;

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Each connection's handshake and exchange must finish within this;
    /// a peer that has not is closed.
    pub deadline: Duration,
    /// Stop after this many connections (and their ends).
    pub max_connections: Option<u64>,
    /// Stop accepting after this long.
    pub duration: Option<Duration>,
    /// Connections served at once; more wait in the listen queue.
    pub concurrency: usize,
    /// The server's ClientIdentity list, checked after the handshake.
    pub client_identities: Option<Vec<String>>,
    /// Write each connection as a pcapng file, with its keys, in this
    /// directory: `NNNNNN-ADDRESS_PORT.pcapng` (connection number, peer).
    pub pcap: Option<PathBuf>,
}

/// One connection, as logged.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Connection {
    /// The client's address.
    pub peer: String,
    /// What its ClientHello offered, when it sent one that parses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_hello: Option<Offered>,
    /// The normalised outcome, from the server's side.
    pub outcome: Outcome,
    /// From accepting to closing, in milliseconds.
    pub duration_ms: f64,
    /// The capture file written for it (`--pcap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
    /// Why its capture could not be written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_error: Option<String>,
}

/// Serves `server` on `listener` until `options` say stop or the process
/// is asked to ([`stop_signal`]); `log` gets each connection as it ends.
/// Returns how many connections were served.
pub async fn serve(
    listener: TcpListener,
    server: Arc<Prepared>,
    options: ServeOptions,
    log: Arc<dyn Fn(Connection) + Send + Sync>,
) -> u64 {
    serve_until(listener, server, options, log, stop_signal()).await
}

/// [`serve`], stopping to accept when `stop` resolves; the connections in
/// flight finish first.
pub async fn serve_until(
    listener: TcpListener,
    server: Arc<Prepared>,
    options: ServeOptions,
    log: Arc<dyn Fn(Connection) + Send + Sync>,
    stop: impl Future<Output = ()>,
) -> u64 {
    let _recording = keylog::recording();
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let stop_at = options.duration.map(|d| tokio::time::Instant::now() + d);
    let mut stop = std::pin::pin!(stop);
    let mut running = JoinSet::new();
    let mut served = 0;
    while options.max_connections.is_none_or(|max| served < max) {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = until(stop_at) => break,
            _ = &mut stop => break,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors, say: wait before trying again
            // rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        served += 1;
        let (server, options, log) = (server.clone(), options.clone(), log.clone());
        running.spawn(async move {
            log(connection(stream, (served, peer), &server, &options).await);
            drop(permit);
        });
        // Reap finished connections so the set stays as small as the load.
        while running.try_join_next().is_some() {}
    }
    while running.join_next().await.is_some() {}
    served
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, which `timeout`, service
/// managers and container runtimes send. SIGTERM is watched from this
/// call on (inside a Tokio runtime), so a caller that says it is listening
/// after making it loses no signal.
pub fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Sleeps until `at`, or forever.
async fn until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One client, start to close; `number` counts connections from 1.
async fn connection(
    stream: TcpStream,
    (number, peer): (u64, SocketAddr),
    server: &Prepared,
    options: &ServeOptions,
) -> Connection {
    let (started, wall) = (Instant::now(), SystemTime::now());
    let (tap, transcript) = Tap::socket(stream, Side::Server);
    let report = within(options.deadline, server.run(tap, Exchange::Http)).await;
    let secrets = secrets_of(&transcript);
    let outcome = normalise(None, Some(&report), &transcript, &secrets)
        .refuse_unlisted_identity(options.client_identities.as_deref());
    let mut logged = Connection {
        peer: peer.to_string(),
        client_hello: client_hello(&transcript).map(|o| o.abridged(LOGGED_PER_LIST)),
        outcome,
        duration_ms: started.elapsed().as_secs_f64() * 1e3,
        capture: None,
        capture_error: None,
    };
    if let Some(dir) = &options.pcap {
        let name = file_name(&format!("{number:06}-{}_{}.pcapng", peer.ip(), peer.port()));
        let path = dir.join(name);
        match capture::write_live(&path, &transcript, &secrets, peer.port(), wall) {
            Ok(()) => logged.capture = Some(path.display().to_string()),
            Err(e) => logged.capture_error = Some(e.to_string()),
        }
    }
    logged
}

/// A server profile (as it stands at `at`) made ready to serve: its
/// certificates issued from `pki` as `run` issues them, on `backend` or the
/// first backend that can implement it.
pub fn prepare(
    profile: &crate::scenario::Profile,
    pki: &crate::pki::Pki,
    at: crate::moment::Moment,
    backend: Option<crate::backend::Backend>,
) -> Result<(Prepared, crate::backend::Backend), super::ProbeError> {
    let profile = profile.at(at);
    let backend = super::probe::pick_backend(&profile, backend)?;
    let issued = crate::endpoint::issue(&profile, pki)?;
    let setup = crate::endpoint::Setup {
        profile: &profile,
        identities: issued.identities,
        trust: issued.trust,
        server_name: &profile.host,
        fallback_scsv: false,
        verify_at: at,
    };
    Ok((Prepared::new(backend, Side::Server, &setup), backend))
}
