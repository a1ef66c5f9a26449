//! The JVMs that run JSSE's `SSLEngine`s, one per runtime a process uses
//! (the harness's own JDK, and each JDK release a profile names): found,
//! compiled for and started or connected to on first use, then kept.
//! Requests are tagged with ids and run in the JVM on a thread per core;
//! answers come back in the order they finish, and each caller waits for
//! its own under a deadline (the waiting callers read them themselves:
//! `jvm/answers.rs`). `Engines.java` beside this file is the other
//! end.
//!
//! Harness processes share that JVM, unless [`SHARED_ENV`] is `0`: the
//! first starts it in the background beside the compiled classes, the
//! others (the next `run`, every test process) find its port there and
//! talk to it over their own connection, and it exits once no process has
//! used it for [`SHARED_IDLE_SECONDS`]. A JVM's first thousand handshakes
//! run mostly interpreted while its compilers warm up: a shared JVM pays
//! that once, not on every command. With `0`, each process starts its own
//! JVM over its stdin and stdout, which ends with the process.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::jdk::{Jdk, JdkSecurity};

mod answers;

use answers::{Answers, Source};

/// The Java source of the JVM side.
const SOURCE: &str = include_str!("Engines.java");

/// The security properties the JVM runs with (`-Djava.security.properties`),
/// appended to the JDK's own: what JSSE of the products' era allowed. TLS
/// 1.0 and 1.1, static ECDH, 3DES and SHA-1 certificates are no longer
/// disabled; an engine still enables only the versions and suites its
/// profile lists. The in-memory PKCS#12 store that holds an endpoint's keys
/// for JSSE's key manager is never written anywhere, so its key protection
/// runs one PBKDF2 iteration, not 10,000 on every endpoint set-up.
/// Documented in docs/backends.md#jsse.
pub const SECURITY_PROPERTIES: &str = "\
jdk.tls.disabledAlgorithms=SSLv3, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, anon, NULL
jdk.tls.legacyAlgorithms=
jdk.certpath.disabledAlgorithms=MD2, MD5, RSA keySize < 1024, DSA keySize < 1024, EC keySize < 224
keystore.pkcs12.keyPbeIterationCount=1
keystore.pkcs12.macIterationCount=1
";

/// The security properties of a JVM that keeps its release's own
/// settings: only the in-memory key store's protection (see
/// [`SECURITY_PROPERTIES`]), which no handshake sees.
pub const OWN_SETTINGS_PROPERTIES: &str = "\
keystore.pkcs12.keyPbeIterationCount=1
keystore.pkcs12.macIterationCount=1
";

/// The oldest JDK line the Java side is compiled for (`javac --release`).
const OLDEST_LINE: &str = "11";

/// The environment variable naming the `java` to run (`javac` is looked
/// for beside it); unset, `java` and `javac` come from `JAVA_HOME/bin` or
/// the `PATH`.
pub const JAVA_ENV: &str = "TLS_HARNESS_JAVA";

/// The environment variable that, set to `0`, gives each harness process
/// its own JVM instead of the shared one (see the module's top).
pub const SHARED_ENV: &str = "TLS_HARNESS_SHARED_JVM";

/// How long the shared JVM waits, with no process connected, before it
/// exits.
pub const SHARED_IDLE_SECONDS: u32 = 20;

/// How long a process waits for the shared JVM to start and answer.
const SHARED_START_DEADLINE: Duration = Duration::from_secs(30);

/// How long a process waits for a shared JVM it started before it starts
/// another: one that found the last JVM still holding the lock as that
/// one exited has left at once.
const RESPAWN_AFTER: Duration = Duration::from_secs(2);

/// The id of a request the JVM does not answer ([`Jvm::tell`]).
const UNANSWERED: u32 = 0;

/// How long one request may take before the JVM counts as hung.
const REQUEST_DEADLINE: Duration = Duration::from_secs(20);

/// Why the JVM cannot run, or why a request to it failed. Cloneable (the
/// reason the JVM could not start is kept and given to every caller), so
/// an I/O error's source is shared.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JvmError {
    /// [`JAVA_ENV`] names no `java` with a `javac` beside it.
    #[error("no JDK: {JAVA_ENV}={} is not a java with javac beside it", .0.display())]
    NotAJdk(PathBuf),
    /// Neither `JAVA_HOME/bin` nor the `PATH` holds `java` and `javac`.
    #[error("no JDK found (java and javac on JAVA_HOME or PATH)")]
    NoJdk,
    /// The JDK release a profile names is not installed: where the
    /// harness looked.
    #[error("{0}")]
    NotInstalled(String),
    /// The runtime installed for a release runs another one.
    #[error("{java} runs Java {runs}, not {wanted}")]
    WrongRelease {
        /// The runtime's `java`.
        java: PathBuf,
        /// Its `java.version`.
        runs: String,
        /// The release it is installed as.
        wanted: &'static str,
    },
    /// `javac` refused the Java side: its diagnostics.
    #[error("javac failed: {0}")]
    Compile(String),
    /// Setting the JVM up failed on a file, a process or a thread: what
    /// was being done (a path, `cannot start JAVA`), and the system's
    /// error.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The system's error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The JVM's process is gone: its pipes closed (how the bridge found
    /// out, and the system's error when there was one).
    #[error("{what}{}", .source.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Died {
        /// How the bridge found out (`the JVM is gone`).
        what: &'static str,
        /// The system's error, when there was one.
        #[source]
        source: Option<Arc<std::io::Error>>,
    },
    /// No shared JVM answered within the deadline of starting one.
    #[error(
        "the shared JVM ({SHARED_ENV}) did not answer within {} s of starting{}; its log is {}",
        .waited.as_secs(),
        .last.as_ref().map(|e| format!(" (last: {e})")).unwrap_or_default(),
        .log.display()
    )]
    SharedNotStarted {
        /// How long the process waited.
        waited: Duration,
        /// What the last attempt to talk to it said.
        last: Option<String>,
        /// Where the shared JVM writes its errors.
        log: PathBuf,
    },
    /// The JVM did not answer a request within this deadline.
    #[error("the JVM did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    /// The JVM refused a request: its exception, class and message.
    #[error("{0}")]
    Refused(String),
    /// A frame on the bridge that one side cannot read (an answer shorter
    /// than its fields, a protocol or suite the harness does not know) or
    /// a request that cannot be written.
    #[error("{0}")]
    Protocol(String),
}

impl JvmError {
    fn io(what: impl Into<String>, source: std::io::Error) -> JvmError {
        JvmError::Io {
            what: what.into(),
            source: Arc::new(source),
        }
    }

    fn died(what: &'static str, source: Option<std::io::Error>) -> JvmError {
        JvmError::Died {
            what,
            source: source.map(Arc::new),
        }
    }
}

/// The running JVM and what its engines support.
pub struct Jvm {
    channel: Channel,
    /// `java.version` of the JVM.
    pub version: String,
    /// `SSLEngine.getSupportedProtocols()` under the JVM's settings.
    pub protocols: Vec<String>,
    /// `SSLEngine.getSupportedCipherSuites()` under the JVM's settings.
    pub suites: Vec<String>,
    /// `jdk.tls.disabledAlgorithms` under the JVM's settings.
    pub disabled_algorithms: String,
}

struct Channel {
    requests: Mutex<Box<dyn Write + Send>>,
    answers: Answers,
    next_id: AtomicU32,
    /// This process's own JVM; none for the shared one.
    _child: Option<Child>,
    /// The connection to the shared JVM, shut when the channel goes.
    socket: Option<TcpStream>,
}

impl Drop for Channel {
    fn drop(&mut self) {
        if let Some(socket) = &self.socket {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The process's JVM of the harness's own JDK, started on first call; the
/// reason none can run (no JDK, a failed compile or start) otherwise, the
/// same on every call.
pub fn get() -> Result<&'static Jvm, JvmError> {
    for_jdk(None)
}

/// The process's JVM of `jdk` (`None`: the harness's own JDK, legacy
/// settings), started on first call, as [`get`].
pub fn for_jdk(jdk: Option<Jdk>) -> Result<&'static Jvm, JvmError> {
    type Slot = OnceLock<Result<Jvm, JvmError>>;
    static JVMS: Mutex<Vec<(Option<Jdk>, &'static Slot)>> = Mutex::new(Vec::new());
    let slot = {
        let mut jvms = lock(&JVMS);
        match jvms.iter().find(|(j, _)| *j == jdk) {
            Some((_, slot)) => *slot,
            None => {
                // One per runtime the process uses, kept for its life.
                let slot: &'static Slot = Box::leak(Box::default());
                jvms.push((jdk, slot));
                slot
            }
        }
    };
    slot.get_or_init(|| start(jdk))
        .as_ref()
        .map_err(Clone::clone)
}

fn start(jdk: Option<Jdk>) -> Result<Jvm, JvmError> {
    let (own_java, javac) = locate()?;
    let dir = compile(&javac)?;
    let java = match jdk {
        Some(j) => j.java().map_err(JvmError::NotInstalled)?,
        None => own_java,
    };
    let (name, text) = match jdk.map(|j| j.security) {
        Some(JdkSecurity::Default) => ("own.security", OWN_SETTINGS_PROPERTIES),
        None | Some(JdkSecurity::Legacy) => ("harness.security", SECURITY_PROPERTIES),
    };
    let properties = dir.join(name);
    if !properties.exists() {
        write_atomically(&properties, text.as_bytes())?;
    }
    let compilers = match jdk {
        Some(_) => Compilers::C1Only,
        None => Compilers::Tiered,
    };
    let jvm = launch(&java, &dir, &properties, compilers)?;
    match jdk {
        Some(j) if jvm.version != j.release.version => Err(JvmError::WrongRelease {
            java,
            runs: jvm.version,
            wanted: j.release.version,
        }),
        _ => Ok(jvm),
    }
}

/// Which JIT compilers a JVM runs. Neither changes what a handshake does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compilers {
    /// C1 and C2: the harness's own JVM, which serves most of a run's JSSE
    /// handshakes and stays up between runs, so C2's costly compiling pays
    /// back in fast crypto arithmetic.
    Tiered,
    /// C1 alone: a JDK release's JVM, which serves a handful of handshakes
    /// a run and never warms up. Measured cold on 2 cores: the two
    /// JDK-release files' JVMs used 2.75 s of CPU instead of 3.8 s, and a
    /// cold `run` of every shipped scenario took 3.4 s instead of 3.9 s.
    C1Only,
}

/// Starts (or, shared, finds) the JVM of `java` on the classes in `dir`
/// with `properties`.
fn launch(
    java: &Path,
    dir: &Path,
    properties: &Path,
    compilers: Compilers,
) -> Result<Jvm, JvmError> {
    let command = || {
        let mut command = Command::new(java);
        command
            .arg(format!(
                "-Djava.security.properties={}",
                properties.display()
            ))
            .args(["-XX:+UseSerialGC", "-Xshare:auto"]);
        if compilers == Compilers::C1Only {
            command.arg("-XX:TieredStopAtLevel=1");
        }
        command.arg("-cp").arg(dir).arg("Engines");
        command
    };
    if std::env::var_os(SHARED_ENV).is_none_or(|v| v != "0") {
        return start_shared(command, &shared_dir(dir, java, properties)?, java);
    }
    let (requests, stdin) = request_channel(REQUEST_DEADLINE)
        .map_err(|e| JvmError::io("cannot make the JVM's request channel", e))?;
    let (answers, stdout) =
        UnixStream::pair().map_err(|e| JvmError::io("cannot make the JVM's answer channel", e))?;
    let child = command()
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::from(OwnedFd::from(stdout)))
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| JvmError::io(format!("cannot start {}", java.display()), e))?;
    Jvm::over(Box::new(requests), Box::new(answers), Some(child), None)
}

/// What a private JVM reads its requests from, as its stdin: one end of a
/// socket pair rather than a pipe, so that writing a request has a
/// deadline (a pipe's write has none: a JVM that stopped reading would
/// block its caller for good). Our end, and the end the JVM gets. Its
/// stdout is a socket pair too, so that reading an answer has one.
fn request_channel(deadline: Duration) -> std::io::Result<(UnixStream, OwnedFd)> {
    let (ours, theirs) = UnixStream::pair()?;
    ours.set_write_timeout(Some(deadline))?;
    Ok((ours, theirs.into()))
}

/// Where the shared JVM of `java` keeps its lock, port and log: one per
/// runtime, beside the classes it runs.
fn shared_dir(classes: &Path, java: &Path, properties: &Path) -> Result<PathBuf, JvmError> {
    let mut h = DefaultHasher::new();
    std::fs::canonicalize(java)
        .unwrap_or_else(|_| java.to_path_buf())
        .hash(&mut h);
    properties.hash(&mut h);
    let dir = classes.join(format!("jvm-{:016x}", h.finish()));
    std::fs::create_dir_all(&dir).map_err(|e| JvmError::io(dir.display().to_string(), e))?;
    Ok(dir)
}

/// Connects to the shared JVM of `dir`, starting it if none answers.
fn start_shared(command: impl Fn() -> Command, dir: &Path, java: &Path) -> Result<Jvm, JvmError> {
    let deadline = Instant::now() + SHARED_START_DEADLINE;
    let mut spawned: Option<Instant> = None;
    let mut last = None;
    loop {
        if let Some(connection) = connect_shared(dir) {
            match Jvm::over_socket(connection) {
                Ok(jvm) => return Ok(jvm),
                // A JVM that was exiting as this process connected closes
                // at once: start another.
                Err(e) => last = Some(e.to_string()),
            }
        }
        if Instant::now() > deadline {
            return Err(JvmError::SharedNotStarted {
                waited: SHARED_START_DEADLINE,
                last,
                log: dir.join("jvm.log"),
            });
        }
        if spawned.is_none_or(|at| at.elapsed() > RESPAWN_AFTER) {
            spawn_shared(command(), dir, java)?;
            spawned = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts the shared JVM in the background: its own process group (so
/// that a signal to this process's group leaves it alone), no terminal,
/// its errors in `dir/jvm.log`. One that finds another holding the lock
/// exits at once; a thread reaps it.
fn spawn_shared(mut command: Command, dir: &Path, java: &Path) -> Result<(), JvmError> {
    let log_path = dir.join("jvm.log");
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| JvmError::io(log_path.display().to_string(), e))?;
    let mut child = command
        .arg("--shared")
        .arg(dir)
        .arg(SHARED_IDLE_SECONDS.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| JvmError::io(format!("cannot start {}", java.display()), e))?;
    std::thread::Builder::new()
        .name("jsse-shared-reaper".into())
        .spawn(move || child.wait())
        .map_err(|e| JvmError::io("cannot start the reaper", e))?;
    Ok(())
}

/// A connection to the shared JVM that `dir/jvm.port` names, its secret
/// sent; none when there is no such file or nothing listens there.
fn connect_shared(dir: &Path) -> Option<TcpStream> {
    let text = std::fs::read_to_string(dir.join("jvm.port")).ok()?;
    let (port, secret) = text.trim().split_once(' ')?;
    let port: u16 = port.parse().ok()?;
    let secret = hex::decode(secret).ok()?;
    let address = (Ipv4Addr::LOCALHOST, port).into();
    let mut connection = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    connection.set_nodelay(true).ok()?;
    connection.write_all(&secret).ok()?;
    Some(connection)
}

impl Jvm {
    /// The shared JVM at the other end of `connection`, once it has said
    /// what it is. Writes have the request deadline too.
    fn over_socket(connection: TcpStream) -> Result<Jvm, JvmError> {
        let half = |what| move |e| JvmError::io(what, e);
        connection
            .set_write_timeout(Some(REQUEST_DEADLINE))
            .map_err(half("cannot set the shared JVM's deadline"))?;
        let reader = connection
            .try_clone()
            .map_err(half("cannot read the shared JVM"))?;
        let socket = connection
            .try_clone()
            .map_err(half("cannot keep the shared JVM's connection"))?;
        Jvm::over(Box::new(connection), Box::new(reader), None, Some(socket))
    }

    /// The JVM at the other end of `requests` and `answers`, once it has
    /// said what it is.
    fn over(
        requests: Box<dyn Write + Send>,
        answers: Box<dyn Source>,
        child: Option<Child>,
        socket: Option<TcpStream>,
    ) -> Result<Jvm, JvmError> {
        let channel = Channel {
            requests: Mutex::new(requests),
            answers: Answers::new(answers),
            next_id: AtomicU32::new(1),
            _child: child,
            socket,
        };
        Jvm::hello(channel)
    }

    fn hello(channel: Channel) -> Result<Jvm, JvmError> {
        let mut jvm = Jvm {
            channel,
            version: String::new(),
            protocols: Vec::new(),
            suites: Vec::new(),
            disabled_algorithms: String::new(),
        };
        let hello = jvm.request(&Frame::new(Op::Hello))?;
        let mut r = Reader::new(&hello);
        jvm.version = r.string()?;
        jvm.protocols = r.strings()?;
        jvm.suites = r.strings()?;
        jvm.disabled_algorithms = r.string()?;
        Ok(jvm)
    }
}

/// `java` and `javac`, from [`JAVA_ENV`], `JAVA_HOME` or the `PATH`.
pub fn locate() -> Result<(PathBuf, PathBuf), JvmError> {
    if let Some(java) = std::env::var_os(JAVA_ENV) {
        let java = PathBuf::from(java);
        let javac = java.with_file_name("javac");
        if !java.is_file() || !javac.is_file() {
            return Err(JvmError::NotAJdk(java));
        }
        return Ok((java, javac));
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("JAVA_HOME")
        .map(|h| PathBuf::from(h).join("bin"))
        .into_iter()
        .collect();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
    match (find("java"), find("javac")) {
        (Some(java), Some(javac)) => Ok((java, javac)),
        _ => Err(JvmError::NoJdk),
    }
}

/// Compiles [`SOURCE`] once per source text into `target/jsse/HASH/` of
/// the package (or the temporary directory for an installed binary), and
/// returns the class directory.
fn compile(javac: &Path) -> Result<PathBuf, JvmError> {
    let mut h = DefaultHasher::new();
    SOURCE.hash(&mut h);
    SECURITY_PROPERTIES.hash(&mut h);
    OWN_SETTINGS_PROPERTIES.hash(&mut h);
    OLDEST_LINE.hash(&mut h);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let base = if target.is_dir() {
        target.join("jsse")
    } else {
        std::env::temp_dir().join("tls-harness-jsse")
    };
    let dir = base.join(format!("{:016x}", h.finish()));
    if dir.join("Engines.class").is_file() {
        return Ok(dir);
    }
    // Compile aside and rename into place: processes may race here.
    let scratch = base.join(format!("tmp-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|e| JvmError::io(scratch.display().to_string(), e))?;
    let source = scratch.join("Engines.java");
    std::fs::write(&source, SOURCE).map_err(|e| JvmError::io(source.display().to_string(), e))?;
    let out = Command::new(javac)
        .args(["--release", OLDEST_LINE, "-d"])
        .arg(&scratch)
        .arg(&source)
        .output()
        .map_err(|e| JvmError::io(format!("cannot run {}", javac.display()), e))?;
    if !out.status.success() {
        return Err(JvmError::Compile(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    match std::fs::rename(&scratch, &dir) {
        Ok(()) => Ok(dir),
        Err(_) if dir.join("Engines.class").is_file() => {
            let _ = std::fs::remove_dir_all(&scratch);
            Ok(dir)
        }
        Err(e) => Err(JvmError::io(dir.display().to_string(), e)),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), JvmError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| JvmError::io(path.display().to_string(), e))
}

impl Jvm {
    /// Sends one request whose answer nobody waits for (forgetting an
    /// engine or a context): a handshake does not wait a round trip for
    /// its clean-up. A JVM that is gone has nothing left to forget.
    pub fn tell(&self, frame: &Frame) {
        let _ = self.write(UNANSWERED, frame);
    }

    /// Writes `frame` as request `id`. A write that fails or passes its
    /// deadline may have left part of a request behind: the JVM counts as
    /// gone from then on, for every caller.
    fn write(&self, id: u32, frame: &Frame) -> Result<(), JvmError> {
        let body = &frame.0;
        let mut bytes = Vec::with_capacity(body.len() + 8);
        bytes.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        bytes.extend_from_slice(&id.to_be_bytes());
        bytes.extend_from_slice(body);
        let mut requests = lock(&self.channel.requests);
        if let Some(gone) = self.channel.answers.gone() {
            return Err(gone);
        }
        requests
            .write_all(&bytes)
            .and_then(|()| requests.flush())
            .map_err(|e| {
                let gone = JvmError::died("the JVM stopped taking requests", Some(e));
                self.channel.answers.set_gone(gone.clone());
                gone
            })
    }

    /// Sends one request and waits for its answer: the payload, or the
    /// JVM's exception (class and message) for a refused request. Callers
    /// on other threads are answered meanwhile.
    pub fn request(&self, frame: &Frame) -> Result<Vec<u8>, JvmError> {
        let channel = &self.channel;
        let id = match channel.next_id.fetch_add(1, Ordering::Relaxed) {
            UNANSWERED => channel.next_id.fetch_add(1, Ordering::Relaxed),
            id => id,
        };
        // A JVM already gone fails here.
        channel.answers.expect(id)?;
        if let Err(e) = self.write(id, frame) {
            channel.answers.forget(id);
            return Err(e);
        }
        let answer = channel.answers.wait(id, REQUEST_DEADLINE)?;
        match answer.split_first() {
            Some((0, rest)) => Ok(rest.to_vec()),
            Some((_, rest)) => Err(JvmError::Refused(Reader::new(rest).string()?)),
            None => Err(JvmError::Protocol("the JVM sent an empty answer".into())),
        }
    }
}

/// The JVM's operations (`OP_*` in `Engines.java`).
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Version and supported protocols and suites.
    Hello = 1,
    /// Build an `SSLContext` and its engine settings; answers its id.
    Context = 2,
    /// A new engine of a context and its first turn (as [`Op::Feed`]);
    /// answers its id, whether it is a server, then the turn's answer.
    Open = 3,
    /// Bytes in, an engine run as far as it goes, bytes out.
    Feed = 4,
    /// Forget an engine.
    Free = 5,
    /// Forget a context.
    FreeContext = 6,
    /// The bench's bare loop: handshakes between two contexts' engines
    /// over loopback connections inside the JVM; answers the nanoseconds.
    Bare = 7,
    /// The bench's bare loop against another library: a context's engines
    /// over loopback connections to a port; answers the nanoseconds.
    BarePeer = 8,
}

/// A request being written.
#[derive(Debug)]
pub struct Frame(Vec<u8>);

impl Frame {
    /// An empty request for `op`.
    pub fn new(op: Op) -> Frame {
        Frame(vec![op as u8])
    }

    /// Appends a byte.
    pub fn byte(mut self, b: u8) -> Frame {
        self.0.push(b);
        self
    }

    /// Appends a big-endian `int`.
    pub fn int(mut self, i: i32) -> Frame {
        self.0.extend_from_slice(&i.to_be_bytes());
        self
    }

    /// Appends a big-endian `long`.
    pub fn long(mut self, i: i64) -> Frame {
        self.0.extend_from_slice(&i.to_be_bytes());
        self
    }

    /// Appends a length-prefixed byte string.
    pub fn bytes(self, b: &[u8]) -> Frame {
        let mut f = self.int(b.len() as i32);
        f.0.extend_from_slice(b);
        f
    }

    /// The request as written so far.
    pub fn bytes_so_far(&self) -> &[u8] {
        &self.0
    }

    /// Appends a list of byte strings.
    pub fn list<T: AsRef<[u8]>>(self, items: &[T]) -> Frame {
        let f = self.int(items.len() as i32);
        items.iter().fold(f, |f, item| f.bytes(item.as_ref()))
    }
}

/// An answer being read.
#[derive(Debug)]
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader(bytes)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], JvmError> {
        if self.0.len() < n {
            return Err(JvmError::Protocol(
                "the JVM's answer is shorter than its fields".into(),
            ));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        self.0
    }

    /// A byte.
    pub fn byte(&mut self) -> Result<u8, JvmError> {
        Ok(self.take(1)?[0])
    }

    /// A big-endian `int`.
    pub fn int(&mut self) -> Result<i32, JvmError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A big-endian `long`.
    pub fn long(&mut self) -> Result<i64, JvmError> {
        let b = self.take(8)?;
        let mut eight = [0u8; 8];
        eight.copy_from_slice(b);
        Ok(i64::from_be_bytes(eight))
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<Vec<u8>, JvmError> {
        let n = usize::try_from(self.int()?)
            .map_err(|_| JvmError::Protocol("a negative length".into()))?;
        Ok(self.take(n)?.to_vec())
    }

    /// A length-prefixed UTF-8 string.
    pub fn string(&mut self) -> Result<String, JvmError> {
        Ok(String::from_utf8_lossy(&self.bytes()?).into_owned())
    }

    /// A list of strings.
    pub fn strings(&mut self) -> Result<Vec<String>, JvmError> {
        let n = self.int()?;
        (0..n).map(|_| self.string()).collect()
    }

    /// A list of byte strings.
    pub fn list(&mut self) -> Result<Vec<Vec<u8>>, JvmError> {
        let n = self.int()?;
        (0..n).map(|_| self.bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Each kind of failure says what the bridge said before it had kinds.
    #[test]
    fn errors_read_as_they_always_have() {
        let gone = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let cases = [
            (
                JvmError::NotAJdk(PathBuf::from("/opt/jdk/bin/java")),
                "no JDK: TLS_HARNESS_JAVA=/opt/jdk/bin/java is not a java with javac beside it"
                    .to_string(),
            ),
            (
                JvmError::NoJdk,
                "no JDK found (java and javac on JAVA_HOME or PATH)".into(),
            ),
            (
                JvmError::Compile("Engines.java:1: error".into()),
                "javac failed: Engines.java:1: error".into(),
            ),
            (
                JvmError::io("cannot start /opt/jdk/bin/java", gone()),
                format!("cannot start /opt/jdk/bin/java: {}", gone()),
            ),
            (
                JvmError::died("the JVM is gone", Some(gone())),
                format!("the JVM is gone: {}", gone()),
            ),
            (
                JvmError::died("the JVM is gone", None),
                "the JVM is gone".into(),
            ),
            (
                JvmError::Timeout(REQUEST_DEADLINE),
                "the JVM did not answer within 20 s".into(),
            ),
            (
                JvmError::Refused("java.lang.IllegalArgumentException: no such engine".into()),
                "java.lang.IllegalArgumentException: no such engine".into(),
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn a_short_answer_is_a_protocol_error() {
        let e = Reader::new(&[0, 0])
            .int()
            .expect_err("two bytes are no int");
        assert!(matches!(e, JvmError::Protocol(_)), "{e:?}");
        assert_eq!(e.to_string(), "the JVM's answer is shorter than its fields");
        let negative = (-1i32).to_be_bytes();
        let e = Reader::new(&negative)
            .bytes()
            .expect_err("a negative length");
        assert_eq!(e.to_string(), "a negative length");
    }

    /// A private JVM that stops reading its requests: the request that
    /// finds it so fails once its write deadline passes, and every request
    /// after it fails at once, instead of blocking its caller for good.
    #[test]
    fn a_jvm_that_stops_reading_fails_requests_instead_of_blocking() {
        let (ours, theirs) = request_channel(Duration::from_millis(200)).expect("a socket pair");
        let (answers, _jvm_out) = UnixStream::pair().expect("a socket pair");
        let jvm = Jvm {
            channel: Channel {
                requests: Mutex::new(Box::new(ours)),
                answers: Answers::new(Box::new(answers)),
                next_id: AtomicU32::new(1),
                _child: None,
                socket: None,
            },
            version: String::new(),
            protocols: Vec::new(),
            suites: Vec::new(),
            disabled_algorithms: String::new(),
        };
        // Far more than a socket's buffer holds; `theirs` is never read.
        let big = Frame::new(Op::Feed).bytes(&vec![0; 16 << 20]);
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let first = jvm.request(&big).expect_err("nobody reads");
            let gone = jvm.channel.answers.gone().is_some();
            let next = jvm.request(&Frame::new(Op::Hello)).expect_err("gone");
            let callers = jvm.channel.answers.callers();
            let _ = done.send((first.to_string(), gone, next.to_string(), callers));
        });
        let (first, gone, next, callers) = finished
            .recv_timeout(Duration::from_secs(60))
            .expect("a request blocked on a JVM that reads nothing");
        assert!(
            first.starts_with("the JVM stopped taking requests: "),
            "{first}"
        );
        assert!(gone, "the JVM counts as gone after a failed write");
        assert_eq!(next, first);
        assert_eq!(callers, 0, "no caller is left waiting");
        drop(theirs);
    }

    #[test]
    fn an_io_error_keeps_its_source() {
        let e = JvmError::io("/tmp/x", std::io::Error::other("disk full"));
        let source = std::error::Error::source(&e).expect("a source");
        assert_eq!(source.to_string(), "disk full");
    }
}
