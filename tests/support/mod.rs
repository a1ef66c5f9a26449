//! Helpers the test binaries share, each written once: the repository and
//! its catalog, temporary directories, the outside tools a test needs, the
//! `tls-harness` binary and a `serve` process of it, a `serve` in a thread
//! of its own, and a child process that cannot outlive its test.
// Cargo compiles this file into every test binary that says `mod support;`,
// and each binary uses only a part of it: the rest would warn as dead code
// in that binary. The alternative, a copy of each helper per binary, is
// what this file is here to end.
#![allow(dead_code)]

pub mod peer;

use std::io::{BufRead, BufReader, Lines};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tls_harness::backend::Backend;
use tls_harness::moment::Moment;
use tls_harness::net::serve::prepare;
use tls_harness::net::{serve, Connection, ServeOptions};
use tls_harness::pki::{CaSpec, Pki};
use tls_harness::scenario::{Catalog, Profile};

// ---- the repository and its catalog ----

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped catalog, loaded once per test binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::load(&root().join("scenarios/catalog")).unwrap_or_else(|e| {
            panic!(
                "the shipped catalog does not load: {:?}",
                miette::Report::new(e)
            )
        })
    })
}

/// A PKI holding the CAs `cas` (a catalog's, or a scenario file's).
pub fn make_pki(cas: &[CaSpec]) -> Pki {
    let mut pki = Pki::new();
    for ca in cas {
        pki.add_ca(ca.clone()).expect("CA");
    }
    pki
}

// ---- temporary directories ----

/// A directory of its own for one test under the system's temporary
/// directory (outside the repository), emptied first and removed when
/// dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `tls-harness-BINARY-PID-NAME`: `name` need only differ between the
    /// directories of one test binary alive at once.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "tls-harness-{}-{}-{name}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `name` inside the directory.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---- outside tools ----

/// Whether this is a CI run (`CI` set and not empty; `.ci/run` sets it),
/// where every outside tool a test needs is installed, so none is skipped.
pub fn on_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Says why a test, or a part of it, is skipped (a `skipped:` line); on
/// CI, where nothing is skipped, fails instead.
#[track_caller]
pub fn skip(why: &str) {
    assert!(!on_ci(), "{why}; CI must have it (`CI` is set)");
    eprintln!("skipped: {why}");
}

/// An outside tool a test needs: its name on PATH, the variable that may
/// name its file instead, and how to install it. The tools the tests use
/// are the constants below.
pub struct Tool {
    pub name: &'static str,
    pub env: Option<&'static str>,
    pub install: &'static str,
}

impl Tool {
    /// The file `env` names if that variable is set (relative to the
    /// repository's root), else `name` on PATH; `None`, after [`skip`]
    /// said how to install the tool, when it is missing.
    #[track_caller]
    pub fn find(&self) -> Option<PathBuf> {
        let from_env = self.env.and_then(std::env::var_os).map(PathBuf::from);
        let found = match from_env {
            Some(path) => {
                let path = root().join(path);
                path.is_file().then_some(path)
            }
            None => std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(self.name))
                    .find(|p| p.is_file())
            }),
        };
        if found.is_none() {
            let install = match self.env.and_then(|e| Some((e, std::env::var(e).ok()?))) {
                Some((e, path)) => format!("{e}={path} is no file; {}", self.install),
                None => self.install.to_string(),
            };
            skip(&format!("{} not installed ({install})", self.name));
        }
        found
    }
}

const fn apt(name: &'static str, install: &'static str) -> Tool {
    Tool {
        name,
        env: None,
        install,
    }
}

pub const OPENSSL: Tool = apt("openssl", "apt-get install openssl");
pub const CURL: Tool = apt("curl", "apt-get install curl");
/// For a Java program of a test's own; the JSSE backend finds its JDK
/// itself ([`jdk_found`]).
pub const JAVA: Tool = apt("java", "apt-get install openjdk-17-jdk-headless");
pub const TSHARK: Tool = apt("tshark", "apt-get install tshark");
/// Debian's tshark brings it.
pub const DUMPCAP: Tool = apt("dumpcap", "apt-get install tshark");
pub const TAR: Tool = apt("tar", "apt-get install tar");
/// The file `SSLYZE` names, else sslyze on PATH.
pub const SSLYZE: Tool = Tool {
    name: "sslyze",
    env: Some("SSLYZE"),
    install: "`just peers` makes target/peers-venv with it, or pip install sslyze",
};

/// The Python that `just peer-tools` makes (target/peers-venv), with
/// tlslite-ng (tests/tools/hostile.py) and websockets
/// (tests/tools/browsers.py), or one `PEERS_PYTHON` names.
pub const PEERS_PYTHON: Tool = Tool {
    name: "peers-python",
    env: Some("PEERS_PYTHON"),
    install: "`just peer-tools` makes target/peers-venv with it, or pip install tlslite-ng==0.8.2 websockets",
};
/// Debian's Chromium (tests/browsers.rs).
pub const CHROMIUM: Tool = apt("chromium", "apt-get install chromium libnss3-tools");
/// Debian's Firefox ESR (tests/browsers.rs).
pub const FIREFOX: Tool = apt("firefox-esr", "apt-get install firefox-esr");
/// GnuTLS's client (tests/clients.rs).
pub const GNUTLS_CLI: Tool = apt("gnutls-cli", "apt-get install gnutls-bin");

/// Runs the Python `script` (under tests/tools) with `args`, hands it
/// `job` (JSON) on stdin and reads its JSON answer, failing the test if it
/// has not finished within `deadline` or fails.
pub fn run_tool_script(
    python: &Path,
    script: &str,
    args: &[&std::ffi::OsStr],
    job: &serde_json::Value,
    deadline: Duration,
) -> serde_json::Value {
    use std::io::Write;
    let mut child = Child(
        Command::new(python)
            .arg(root().join("tests/tools").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python starts"),
    );
    let mut stdin = child.0.stdin.take().expect("stdin");
    stdin
        .write_all(job.to_string().as_bytes())
        .expect("the job");
    drop(stdin);
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(std::io::read_to_string(stdout)));
    let text = rx
        .recv_timeout(deadline)
        .unwrap_or_else(|_| panic!("{script} {args:?} did not finish within {deadline:?}"))
        .expect("its output");
    let status = child.0.wait().expect("it ends");
    assert!(status.success(), "{script} {args:?} failed: {status}");
    serde_json::from_str(&text).expect("a JSON answer")
}

/// Whether the JSSE backend can run here: this process starts its JVM
/// with the lookup the harness makes (`TLS_HARNESS_JAVA` included). If it
/// cannot, [`skip`] says why.
#[track_caller]
pub fn jdk_found() -> bool {
    match tls_harness::endpoint::jsse::start_up() {
        Ok(_) => true,
        Err(why) => {
            skip(&format!("no JDK for the JSSE backend ({why})"));
            false
        }
    }
}

// ---- the binary ----

/// The `tls-harness` binary, run from the repository's root with no
/// catalog named in the environment; arguments to follow.
pub fn harness_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tls-harness"));
    command
        .current_dir(root())
        .env_remove("TLS_HARNESS_CATALOG");
    command
}

/// Runs the `tls-harness` binary with `args` ([`harness_command`]) and
/// gives what it printed.
pub fn tls_harness(args: &[&str]) -> std::process::Output {
    harness_command()
        .args(args)
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

/// A child process killed and waited for when dropped, so that a failing
/// test leaves no server behind.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `tls-harness serve` process ([`spawn_serve`]), killed and waited for
/// when dropped.
pub struct ServeProcess {
    /// Where it listens: 127.0.0.1 and the port the system picked.
    pub addr: SocketAddr,
    /// Its standard output after the listening line: one JSON line per
    /// connection, unless `--log` sent them elsewhere.
    pub log: Lines<BufReader<ChildStdout>>,
    /// The CA certificates a client must trust (PEM), as serve wrote them.
    pub ca: PathBuf,
    /// The process; ends before its directory goes.
    pub child: Child,
    _dir: TempDir,
}

impl ServeProcess {
    /// The next connection's log line.
    #[track_caller]
    pub fn next_connection(&mut self) -> serde_json::Value {
        let line = self
            .log
            .next()
            .expect("serve logs the connection")
            .expect("serve's stdout");
        serde_json::from_str(&line).expect("a JSON log line")
    }
}

/// Starts `tls-harness serve PROFILE ARGS` ([`harness_command`]) on its
/// default address, 127.0.0.1 with port 0, so that the system picks a
/// free port, writing the CA a client must trust ([`ServeProcess::ca`]).
/// Returns once serve printed `listening on ADDR`: it is ready then,
/// which its output says, so nothing waits on a clock.
#[track_caller]
pub fn spawn_serve(profile: &str, args: &[&str]) -> ServeProcess {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let dir = TempDir::new(&format!(
        "serve-{}",
        STARTED.fetch_add(1, Ordering::Relaxed)
    ));
    let ca = dir.join("ca.pem");
    let mut child = Child(
        harness_command()
            .args(["serve", profile, "--ca-out"])
            .arg(&ca)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("tls-harness serve starts"),
    );
    let mut log = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let first = log
        .next()
        .expect("serve prints a first line (or it exited; see its stderr)")
        .expect("serve's stdout");
    let addr: SocketAddr = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a listening line: {first}"))
        .parse()
        .expect("an address");
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST, "{addr}");
    ServeProcess {
        addr,
        log,
        ca,
        child,
        _dir: dir,
    }
}

// ---- serve in this process ----

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
    let options = ServeOptions {
        deadline: Duration::from_secs(5),
        max_connections: Some(connections),
        duration: Some(Duration::from_secs(60)),
        concurrency: 16,
        client_identities: profile.client_identities.clone(),
        pcap: None,
    };
    start_server_with(profile, backend, pki, at, options)
}

/// [`start_server`] with `options` of the caller's.
pub fn start_server_with(
    profile: &Profile,
    backend: Backend,
    pki: &Pki,
    at: Moment,
    options: ServeOptions,
) -> Served {
    let (server, _) = prepare(profile, pki, at, Some(backend)).expect("server");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("address");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
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
