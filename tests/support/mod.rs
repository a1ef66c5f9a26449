//! Helpers the test binaries share: a `serve` in a thread of its own, a
//! child process that cannot outlive its test, the shipped catalog and its
//! PKI. Each test binary uses a part of it (`mod support;`), so unused
//! items are expected here.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tls_harness::backend::Backend;
use tls_harness::moment::Moment;
use tls_harness::net::serve::prepare;
use tls_harness::net::{serve, Connection, ServeOptions};
use tls_harness::pki::Pki;
use tls_harness::scenario::{Catalog, Profile};

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped catalog.
pub fn make_catalog() -> Catalog {
    Catalog::load(&root().join("scenarios/catalog")).expect("the shipped catalog loads")
}

/// A PKI holding every CA of `catalog`.
pub fn make_pki(catalog: &Catalog) -> Pki {
    let mut pki = Pki::new();
    for ca in &catalog.cas {
        pki.add_ca(ca.clone()).expect("CA");
    }
    pki
}

/// A server profile on 127.0.0.1:0 in a thread of its own.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    /// One entry per connection, as `serve` logs them.
    pub log: Arc<Mutex<Vec<Connection>>>,
    /// Ends after the connections asked for (or a minute); gives how many
    /// it served.
    pub thread: std::thread::JoinHandle<u64>,
}

/// Serves `profile` as it stood at `at` on `backend` for `connections`
/// connections, with a 5 s deadline each and a minute in all.
pub fn start_server(
    profile: &Profile,
    backend: Backend,
    pki: &Pki,
    connections: u64,
    at: Moment,
) -> Served {
    let (server, _) = prepare(profile, pki, at, Some(backend)).expect("server");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("address");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let options = ServeOptions {
        deadline: Duration::from_secs(5),
        max_connections: Some(connections),
        duration: Some(Duration::from_secs(60)),
        concurrency: 16,
        client_identities: profile.client_identities.clone(),
        pcap: None,
    };
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let log: Arc<dyn Fn(Connection) + Send + Sync> =
                Arc::new(move |c| sink.lock().unwrap().push(c));
            serve(listener, Arc::new(server), options, log).await
        })
    });
    Served { addr, log, thread }
}

/// A child process killed and waited for when dropped, so that a failing
/// test leaves no server behind.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the `tls-harness` binary with `args` from the repository's root,
/// with no catalog named in the environment.
pub fn tls_harness(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tls-harness"))
        .args(args)
        .current_dir(root())
        .env_remove("TLS_HARNESS_CATALOG")
        .output()
        .expect("the binary runs")
}

/// Writes `text` to `name` in the test directory `dir` under the target's
/// temporary directory, and returns its path.
pub fn write_case(dir: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Fails unless `out` exited with `want`, showing what it printed.
#[track_caller]
pub fn check_status(out: &std::process::Output, want: i32) {
    assert_eq!(
        out.status.code(),
        Some(want),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
