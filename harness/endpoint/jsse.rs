//! The JSSE backend: Java's own `SSLEngine` (OpenJDK), client and server,
//! in the JVM of the runtime the profile names ([`jvm`]; shared between
//! harness processes unless told otherwise). The engine has no socket: each turn
//! hands it what the peer wrote and writes out what it produced, over the
//! harness's wire like the other backends, so transcripts, alerts and
//! captures work unchanged.
//!
//! An `SSLContext` is built once per distinct endpoint set-up
//! ([`Endpoint`]; one set up as before shares it): a
//! PKCS#12 key store of the profile's certificates under a `SunX509` key
//! manager (which picks the certificate by the key type the suite or the
//! peer's signature algorithms need), a `PKIX` trust manager anchored at
//! the profile's CAs and verifying at the scenario's instant, and each
//! engine enables exactly the profile's versions and suites. Clients check
//! the server's name with `HTTPS` endpoint identification against the name
//! they send in SNI; engines are made without a peer host, so no session
//! is ever resumed.

pub mod jvm;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{exchange, usable_suites, Backend, Exchange, Setup, SideReport};
use crate::outcome::{Alert, ErrorKind, SideError};
use crate::pki::KeyAlgorithm;
use crate::scenario::{AlpnMismatch, ClientAuth};
use crate::suite::registry;
use crate::taxonomy::{from_jsse, JsseError};
use crate::version::ProtocolVersion;
use jvm::{Frame, JvmError, Op, Reader};

/// JSSE's own name for an IANA suite name: three 3DES suites keep their
/// SSL 3.0 names (`SSL_RSA_WITH_3DES_EDE_CBC_SHA`).
pub fn jsse_suite_name(iana: &str) -> String {
    const SSL_NAMED: [&str; 3] = [
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
    ];
    match iana.strip_prefix("TLS_") {
        Some(rest) if SSL_NAMED.contains(&iana) => format!("SSL_{rest}"),
        _ => iana.to_string(),
    }
}

/// How long starting this process's JVM took (finding the JDK, compiling
/// the Java side if needed, starting it and its first answer), when this
/// call is the first to need it; afterwards about nothing. Or why it
/// cannot run.
pub fn start_up() -> Result<std::time::Duration, JvmError> {
    let started = std::time::Instant::now();
    jvm::get()?;
    Ok(started.elapsed())
}

/// Starts this process's JVM on a thread of its own, so that it is up
/// when the first JSSE handshake needs it.
pub fn start_in_background() {
    let _ = std::thread::Builder::new()
        .name("jsse-start".into())
        .spawn(|| jvm::get().map(|_| ()));
}

/// `rounds` handshakes (and a ping and pong) between an engine of
/// `client`'s context and one of `server`'s, each driven directly by the
/// JVM over its end of a loopback connection, with no harness in between:
/// the bench's bare loop. The time the JVM measured.
pub fn bare_handshakes(
    client: &Endpoint,
    server: &Endpoint,
    rounds: u32,
) -> Result<std::time::Duration, JvmError> {
    if !std::ptr::eq(client.context.jvm, server.context.jvm) {
        return Err(JvmError::Protocol(
            "the bare loop runs two endpoints of one JVM".into(),
        ));
    }
    let frame = Frame::new(Op::Bare)
        .int(client.context.id)
        .int(server.context.id);
    timed(client.context.jvm, frame, rounds)
}

/// `rounds` connections from the JVM to 127.0.0.1:`port`, each an engine
/// of `end`'s context driven directly over a blocking socket (handshake,
/// ping or pong, close_notify): the bench's bare loop against another
/// library listening there. The time the JVM measured.
pub fn bare_peer_handshakes(
    end: &Endpoint,
    port: u16,
    rounds: u32,
) -> Result<std::time::Duration, JvmError> {
    let frame = Frame::new(Op::BarePeer)
        .int(end.context.id)
        .int(i32::from(port));
    timed(end.context.jvm, frame, rounds)
}

/// `frame` with `rounds` appended, asked of `jvm`: the nanoseconds it
/// answers, as a duration.
fn timed(jvm: &jvm::Jvm, frame: Frame, rounds: u32) -> Result<std::time::Duration, JvmError> {
    let rounds = i32::try_from(rounds).map_err(|_| JvmError::Protocol("too many rounds".into()))?;
    let answer = jvm.request(&frame.int(rounds))?;
    let nanos = Reader::new(&answer).long()?;
    Ok(std::time::Duration::from_nanos(
        u64::try_from(nanos).unwrap_or_default(),
    ))
}

/// A context in a JVM, forgotten there when the last endpoint using it
/// goes.
struct Context {
    jvm: &'static jvm::Jvm,
    id: i32,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Context({} in Java {})", self.id, self.jvm.version)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        self.jvm.tell(&Frame::new(Op::FreeContext).int(self.id));
    }
}

/// The contexts made so far, by the request that made them: an endpoint
/// set up as one before (another pairing of the same scenario, another
/// scenario of the same profile at the same instant) shares its context,
/// as a product's one `SSLContext` serves all its connections. At most
/// [`CONTEXTS_KEPT`]; past that the oldest are forgotten.
static CONTEXTS: Mutex<VecDeque<(Vec<u8>, Arc<Context>)>> = Mutex::new(VecDeque::new());

/// How many contexts [`CONTEXTS`] keeps.
const CONTEXTS_KEPT: usize = 256;

/// The context `frame` asks `jvm` for: the one made before, or a new one.
fn context_of(jvm: &'static jvm::Jvm, frame: Frame) -> Result<Arc<Context>, JvmError> {
    let key = frame.bytes_so_far().to_vec();
    let kept = |contexts: &VecDeque<(Vec<u8>, Arc<Context>)>| {
        contexts
            .iter()
            .find(|(k, c)| *k == key && std::ptr::eq(c.jvm, jvm))
            .map(|(_, context)| Arc::clone(context))
    };
    if let Some(context) = kept(&CONTEXTS.lock().unwrap_or_else(PoisonError::into_inner)) {
        return Ok(context);
    }
    let answer = jvm.request(&frame)?;
    let context = Arc::new(Context {
        jvm,
        id: Reader::new(&answer).int()?,
    });
    let forgotten = {
        let mut contexts = CONTEXTS.lock().unwrap_or_else(PoisonError::into_inner);
        contexts.push_back((key, Arc::clone(&context)));
        (contexts.len() > CONTEXTS_KEPT).then(|| contexts.pop_front())
    };
    // Forgotten in the JVM (a message) outside the lock.
    drop(forgotten);
    Ok(context)
}

/// A JSSE endpoint ready to run: its `SSLContext` in the JVM.
#[derive(Clone, Debug)]
pub struct Endpoint {
    context: Arc<Context>,
    server: bool,
}

fn config_error(what: JvmError) -> SideError {
    SideError::new(
        ErrorKind::Configuration,
        format!("JSSE configuration: {what}"),
    )
}

/// The named groups and signature schemes a JSSE engine must refuse:
/// those of the JDK's ([`crate::group::JSSE_GROUPS`],
/// [`crate::scheme::JSSE_SCHEMES`]) that the profile's `groups` and
/// `signature-schemes` leave out; none for a list the profile does not
/// name (the JDK's defaults).
fn denied_names(profile: &crate::scenario::Profile) -> Vec<&'static str> {
    let h = &profile.handshake;
    let groups = h.groups.as_ref().map(|listed| {
        crate::group::JSSE_GROUPS
            .into_iter()
            .filter(|name| !listed.iter().any(|g| g.name == *name))
    });
    let schemes = h.signature_schemes.as_ref().map(|listed| {
        crate::scheme::JSSE_SCHEMES
            .into_iter()
            .filter(|name| !listed.iter().any(|s| s.name == *name))
            .map(crate::scheme::jsse_name)
    });
    groups
        .into_iter()
        .flatten()
        .chain(schemes.into_iter().flatten())
        .collect()
}

fn key_algorithm(a: KeyAlgorithm) -> &'static str {
    match a {
        KeyAlgorithm::Rsa => "RSA",
        KeyAlgorithm::Ecdsa => "EC",
        KeyAlgorithm::Dsa => "DSA",
    }
}

impl Endpoint {
    /// Builds a client's context from `setup`.
    pub fn client(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        Endpoint::new(setup, false)
    }

    /// Builds a server's context from `setup`.
    pub fn server(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        Endpoint::new(setup, true)
    }

    fn new(setup: &Setup<'_>, server: bool) -> Result<Endpoint, SideError> {
        let jvm = jvm::for_jdk(setup.profile.jdk).map_err(config_error)?;
        let profile = setup.profile;
        let protocols: Vec<&str> = profile.versions.iter().map(|v| v.jsse_name()).collect();
        let suites: Vec<String> = usable_suites(Backend::Jsse, profile)
            .filter_map(|code| registry().by_code(code).map(|s| jsse_suite_name(s.iana)))
            .collect();
        let client_auth = match profile.client_auth {
            ClientAuth::None => 0,
            ClientAuth::Request => 1,
            ClientAuth::Require => 2,
        };
        let frame = Frame::new(Op::Context)
            .byte(u8::from(server))
            .list(&protocols)
            .list(&suites)
            .byte(if server { client_auth } else { 0 })
            .bytes(if server {
                b""
            } else {
                setup.server_name.as_bytes()
            })
            .byte(u8::from(server && profile.server_preference))
            .list(&denied_names(profile))
            .list(profile.alpn())
            .byte(u8::from(
                server && profile.alpn_mismatch() == AlpnMismatch::Ignore,
            ));
        let minimum = profile.handshake.minimum_key_bits.unwrap_or_default();
        let mut frame = frame
            .int(minimum.rsa as i32)
            .int(minimum.dh as i32)
            .int(minimum.ec as i32)
            .long(setup.verify_at.unix())
            .int(setup.identities.len() as i32);
        for id in &setup.identities {
            let mut chain = vec![id.leaf_der.clone()];
            chain.extend(id.chain_der.iter().cloned());
            frame = frame
                .bytes(key_algorithm(id.key_type.algorithm()).as_bytes())
                .bytes(&id.key_pkcs8_der)
                .list(&chain);
        }
        let frame = frame.list(&setup.trust);
        Ok(Endpoint {
            context: context_of(jvm, frame).map_err(config_error)?,
            server,
        })
    }

    /// One handshake and then `exchange` over `io`.
    pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        mut io: S,
        exchange: Exchange,
    ) -> SideReport {
        // A server's engine has nothing to say before the client's hello:
        // it is made with the hello, in one round trip.
        let input = if self.server {
            match read(&mut io).await {
                Ok(input) => input,
                Err(e) => return SideReport::failed(e),
            }
        } else {
            Vec::new()
        };
        let first = Turn {
            input,
            ..handed_ahead(self.server, exchange)
        };
        let (engine, mut fed) = match Engine::open(&self.context, &first) {
            Ok(opened) => opened,
            // The engine refused to start (`No appropriate protocol`): the
            // profile's settings. Anything else is the bridge's fault.
            Err(e @ JvmError::Refused(_)) => return SideReport::failed(config_error(e)),
            Err(e) => return SideReport::failed(harness_error(e)),
        };
        loop {
            let written = write(&mut io, &fed.net).await;
            match fed.state {
                State::Done {
                    version,
                    suite,
                    chain,
                    alpn,
                } => {
                    let handshake = Ok((version, suite));
                    let after = match written {
                        Ok(()) => {
                            let negotiated = (version, suite);
                            exchange_after(&engine, &mut io, exchange, fed.plain, negotiated).await
                        }
                        Err(e) => Some(e),
                    };
                    return SideReport {
                        alpn,
                        ..report(handshake, after, chain)
                    };
                }
                State::Failed { error, chain } => return report(Err(error), None, chain),
                State::Going => {}
            }
            if let Err(e) = written {
                return SideReport::failed(e);
            }
            let turn = Turn {
                input: match read(&mut io).await {
                    Ok(bytes) => bytes,
                    Err(e) => return SideReport::failed(e),
                },
                ..Turn::default()
            };
            fed = match engine.feed(&turn).await {
                Ok(fed) => fed,
                Err(e) => return SideReport::failed(harness_error(e)),
            };
        }
    }
}

fn report(
    handshake: Result<(ProtocolVersion, u16), SideError>,
    after: Option<SideError>,
    peer_chain: Vec<Vec<u8>>,
) -> SideReport {
    SideReport {
        handshake,
        after,
        peer_chain,
        by_exception: false,
        alpn: None,
    }
}

fn harness_error(e: JvmError) -> SideError {
    SideError::new(ErrorKind::Other("jsse:jvm".into()), e.to_string())
}

async fn write<S: AsyncWrite + Unpin>(io: &mut S, bytes: &[u8]) -> Result<(), SideError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let done = io.write_all(bytes).await;
    let done = match done {
        Ok(()) => io.flush().await,
        Err(e) => Err(e),
    };
    done.map_err(|e| crate::taxonomy::from_io(&e))
}

/// What the peer wrote next; a closed transport is [`ErrorKind::PeerClosed`].
async fn read<S: AsyncRead + Unpin>(io: &mut S) -> Result<Vec<u8>, SideError> {
    let mut buf = vec![0u8; 16 * 1024];
    match io.read(&mut buf).await {
        Ok(0) => Err(SideError::new(
            ErrorKind::PeerClosed,
            "the peer closed the connection",
        )),
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => Err(crate::taxonomy::from_io(&e)),
    }
}

/// The exchange after the handshake, as [`Exchange`] describes it: the
/// client writes `ping` (or an HTTP request) and reads the answer, then
/// closes with close_notify; the server reads, answers and drains.
async fn exchange_after<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &Engine,
    io: &mut S,
    exchange: Exchange,
    early: Vec<u8>,
    negotiated: (ProtocolVersion, u16),
) -> Option<SideError> {
    let result = if engine.server {
        // An answer the engine was not handed ahead: an HTTP page.
        let answer = handed_ahead(true, exchange)
            .app
            .is_empty()
            .then(|| exchange::page(Some(negotiated)).into_bytes());
        serve(engine, io, early, answer, exchange).await
    } else {
        ask(engine, io, exchange, early).await
    };
    result.err()
}

/// Whether `got` is all the client reads of the server's answer: `pong`,
/// or an HTTP answer as long as a client reads (it reads to the end
/// otherwise).
fn answer_complete(exchange: Exchange, got: &[u8]) -> bool {
    match exchange {
        Exchange::Ping => got.len() >= PONG.len(),
        Exchange::Http => got.len() >= exchange::MAX_REQUEST,
    }
}

/// Whether `got` is all the server reads of the client's request.
fn request_complete(exchange: Exchange, got: &[u8]) -> bool {
    match exchange {
        Exchange::Ping => got.len() >= PING.len(),
        Exchange::Http => exchange::request_ends(got) || got.len() >= exchange::MAX_REQUEST,
    }
}

/// What a client asks and a server answers in [`Exchange::Ping`].
const PING: &[u8] = b"ping";
const PONG: &[u8] = b"pong";

/// What an engine is handed with its first turn, so that later turns need
/// no round trip of their own: a client its request, written in the turn
/// that finishes the handshake, and for a ping its close_notify, written
/// in the turn that reads the pong; a server its pong, written in the
/// turn that reads the ping. An HTTP answer names what was negotiated and
/// its length is not known: those wait for their own turns.
fn handed_ahead(server: bool, exchange: Exchange) -> Turn {
    let ping = PING.len() as i32;
    match (server, exchange) {
        (false, Exchange::Ping) => Turn {
            app: PING.to_vec(),
            close_after: Some(ping),
            ..Turn::default()
        },
        (false, Exchange::Http) => Turn {
            app: exchange::REQUEST.to_vec(),
            ..Turn::default()
        },
        (true, Exchange::Ping) => Turn {
            app: PONG.to_vec(),
            after: ping,
            ..Turn::default()
        },
        (true, Exchange::Http) => Turn::default(),
    }
}

async fn ask<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &Engine,
    io: &mut S,
    exchange: Exchange,
    early: Vec<u8>,
) -> Result<(), SideError> {
    // The request went out with the handshake's last turn, and a ping's
    // close_notify goes out with the turn that reads the pong
    // (`handed_ahead`).
    let mut got = early;
    while !answer_complete(exchange, &got) {
        let turn = Turn {
            input: match read(io).await {
                // An HTTP answer ends where the server closes.
                Err(e) if e.kind == ErrorKind::PeerClosed && exchange == Exchange::Http => break,
                read => read?,
            },
            ..Turn::default()
        };
        let fed = engine.feed(&turn).await.map_err(harness_error)?;
        write(io, &fed.net).await?;
        if let State::Failed { error, .. } = fed.state {
            return Err(error);
        }
        got.extend(fed.plain);
        // An HTTP answer ends at the server's close_notify too.
        if fed.peer_closed && exchange == Exchange::Http {
            break;
        }
    }
    let right = match exchange {
        Exchange::Ping => got.starts_with(PONG),
        Exchange::Http => exchange::is_http(&got),
    };
    if !right {
        let why = match exchange {
            Exchange::Ping => "server answered the wrong bytes",
            Exchange::Http => exchange::NOT_HTTP,
        };
        return Err(SideError::new(ErrorKind::DecodeError, why));
    }
    if handed_ahead(false, exchange).close_after.is_none() {
        let fed = engine.feed(&Turn::close()).await.map_err(harness_error)?;
        write(io, &fed.net).await?;
    }
    let _ = io.shutdown().await;
    Ok(())
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    engine: &Engine,
    io: &mut S,
    early: Vec<u8>,
    answer: Option<Vec<u8>>,
    exchange: Exchange,
) -> Result<(), SideError> {
    // Application data that came with the handshake's last flight.
    let mut got = early;
    // Without an answer here, the engine answers in the turn that reads
    // the request: a whole read goes in one turn, as it writes the answer
    // before it reads on.
    let by_itself = answer.is_none();
    let mut answered = by_itself && request_complete(exchange, &got);
    let mut pending = VecDeque::new();
    loop {
        let input = if !answered && request_complete(exchange, &got) {
            Vec::new()
        } else if let Some(record) = pending.pop_front() {
            record
        } else {
            match read(io).await {
                Ok(bytes) if by_itself => bytes,
                Ok(bytes) => {
                    pending = by_record(bytes);
                    pending.pop_front().unwrap_or_default()
                }
                // Closed once it had what it wanted, or (a real peer) closed
                // before asking anything: its handshake stands.
                Err(e)
                    if e.kind == ErrorKind::PeerClosed
                        && (answered || exchange == Exchange::Http) =>
                {
                    return Ok(())
                }
                Err(e) => return Err(e),
            }
        };
        let turn = Turn {
            input,
            ..Turn::default()
        };
        let fed = engine.feed(&turn).await.map_err(harness_error)?;
        got.extend(&fed.plain);
        let mut net = fed.net;
        if let State::Failed { error, .. } = fed.state {
            write(io, &net).await?;
            return Err(error);
        }
        if !answered && request_complete(exchange, &got) {
            answered = true;
            if let Some(answer) = &answer {
                let turn = Turn {
                    app: answer.clone(),
                    close_after: (exchange == Exchange::Http).then_some(0),
                    ..Turn::default()
                };
                net.extend(engine.feed(&turn).await.map_err(harness_error)?.net);
            }
        }
        if fed.peer_closed {
            // The peer has gone with close_notify. JSSE answers one by
            // itself below TLS 1.3 only; a server on a socket closes with
            // its own, as the other backends and `s_server -www` do. It may
            // meet a closed pipe.
            if exchange == Exchange::Http {
                net.extend(
                    engine
                        .feed(&Turn::close())
                        .await
                        .map_err(harness_error)?
                        .net,
                );
            }
            let _ = write(io, &net).await;
            return Ok(());
        }
        write(io, &net).await?;
        if answered && exchange == Exchange::Http {
            let _ = io.shutdown().await;
            return Ok(());
        }
    }
}

/// `bytes` cut at its record boundaries, what follows the last whole
/// record as one piece more: the engine reads all it is handed, so a
/// server fed a request and the close_notify behind it in one turn would
/// be closed before it could answer (which rustls and OpenSSL, reading
/// as they go, do).
fn by_record(bytes: Vec<u8>) -> VecDeque<Vec<u8>> {
    let mut pieces: VecDeque<Vec<u8>> = crate::record::all(&bytes)
        .iter()
        .map(|r| bytes[r.at..r.end()].to_vec())
        .collect();
    let whole: usize = pieces.iter().map(Vec::len).sum();
    if whole < bytes.len() {
        pieces.push_back(bytes[whole..].to_vec());
    }
    pieces
}

/// What one turn hands the engine: what the peer wrote, what to write
/// once the handshake is done and `after` bytes of plaintext have been
/// read, and whether to close once that is out and `close_after` bytes
/// have been read (`Some(0)`: now). What the engine cannot do yet it
/// keeps for a later turn.
#[derive(Debug, Default)]
struct Turn {
    input: Vec<u8>,
    app: Vec<u8>,
    after: i32,
    close_after: Option<i32>,
}

impl Turn {
    fn close() -> Turn {
        Turn {
            close_after: Some(0),
            ..Turn::default()
        }
    }

    /// `frame` with this turn after it, as `Engines.feed` reads it.
    fn after_frame(&self, frame: Frame) -> Frame {
        frame
            .bytes(&self.input)
            .bytes(&self.app)
            .int(self.after)
            .int(self.close_after.unwrap_or(-1))
    }
}

/// Where an engine stands after a turn.
#[derive(Debug)]
enum State {
    Going,
    Done {
        version: ProtocolVersion,
        suite: u16,
        chain: Vec<Vec<u8>>,
        alpn: Option<String>,
    },
    Failed {
        error: SideError,
        chain: Vec<Vec<u8>>,
    },
}

/// What a turn gave back.
#[derive(Debug)]
struct Fed {
    state: State,
    net: Vec<u8>,
    plain: Vec<u8>,
    peer_closed: bool,
}

/// One engine in its context's JVM, forgotten there when dropped.
struct Engine {
    jvm: &'static jvm::Jvm,
    id: i32,
    server: bool,
}

impl Engine {
    /// A new engine of `context`, and what its first turn gave back.
    fn open(context: &Context, turn: &Turn) -> Result<(Engine, Fed), JvmError> {
        let jvm = context.jvm;
        let frame = turn.after_frame(Frame::new(Op::Open).int(context.id));
        let answer = jvm.request(&frame)?;
        let mut r = Reader::new(&answer);
        let id = r.int()?;
        let server = r.byte()? == 1;
        let engine = Engine { jvm, id, server };
        let fed = parse_fed(r.rest())?;
        Ok((engine, fed))
    }

    /// One turn. The JVM answers at once (an engine never waits for its
    /// peer), so the call blocks this task only for the engine's own work.
    async fn feed(&self, turn: &Turn) -> Result<Fed, JvmError> {
        let frame = turn.after_frame(Frame::new(Op::Feed).int(self.id));
        let answer = self.jvm.request(&frame)?;
        parse_fed(&answer)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.jvm.tell(&Frame::new(Op::Free).int(self.id));
    }
}

fn parse_fed(answer: &[u8]) -> Result<Fed, JvmError> {
    let mut r = Reader::new(answer);
    let state = r.byte()?;
    let net = r.bytes()?;
    let plain = r.bytes()?;
    let peer_closed = r.byte()? == 1;
    let state = match state {
        0 => State::Going,
        1 => {
            let protocol = r.string()?;
            let suite_name = r.string()?;
            let chain = r.list()?;
            let alpn = Some(r.string()?).filter(|p| !p.is_empty());
            let version = ProtocolVersion::ALL
                .into_iter()
                .find(|v| v.jsse_name() == protocol)
                .ok_or_else(|| {
                    JvmError::Protocol(format!("JSSE negotiated an unknown protocol {protocol}"))
                })?;
            let iana = match suite_name.strip_prefix("SSL_") {
                Some(rest) => format!("TLS_{rest}"),
                None => suite_name.clone(),
            };
            let suite = registry()
                .lookup(&iana)
                .map(|(s, _)| s.code)
                .ok_or_else(|| {
                    JvmError::Protocol(format!("JSSE negotiated an unknown suite {suite_name}"))
                })?;
            State::Done {
                version,
                suite,
                chain,
                alpn,
            }
        }
        _ => {
            let classes = r.strings()?;
            let cert_path_reason = r.string()?;
            let received = u8::try_from(r.int()?).ok().map(Alert);
            let message = r.string()?;
            let chain = r.list()?;
            let without_client_certificate = r.byte()? == 1;
            let silent = r.byte()? == 1;
            let error = JsseError {
                without_client_certificate,
                classes,
                cert_path_reason,
                received,
                sent: plaintext_alert(&net),
                silent,
            };
            State::Failed {
                error: from_jsse(&error, message),
                chain,
            }
        }
    };
    Ok(Fed {
        state,
        net,
        plain,
        peer_closed,
    })
}

/// The description of the first alert record in the clear in `net`.
fn plaintext_alert(net: &[u8]) -> Option<Alert> {
    let mut rest = net;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let body = rest.get(5..5 + len)?;
        if rest[0] == 21 && len == 2 {
            return Some(Alert(body[1]));
        }
        rest = &rest[5 + len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_cut_at_its_record_boundaries_and_the_rest_kept_whole() {
        // Application data (3 bytes), an alert, and the first 4 bytes of a
        // record still on its way.
        let bytes = [23, 3, 3, 0, 3, 1, 2, 3, 21, 3, 3, 0, 2, 1, 0, 23, 3, 3, 0];
        let pieces: Vec<Vec<u8>> = by_record(bytes.to_vec()).into();
        assert_eq!(
            pieces,
            [&bytes[..8], &bytes[8..15], &bytes[15..]].map(<[u8]>::to_vec)
        );
        assert_eq!(by_record(b"GET /".to_vec()), [b"GET /".to_vec()]);
        assert!(by_record(Vec::new()).is_empty());
    }

    #[test]
    fn an_http_request_is_whole_at_its_empty_line_and_a_ping_at_four_bytes() {
        assert!(request_complete(Exchange::Http, b"GET / HTTP/1.0\n\n"));
        assert!(!request_complete(
            Exchange::Http,
            b"GET / HTTP/1.0\r\nHost: a\r\n"
        ));
        assert!(request_complete(Exchange::Ping, b"ping"));
        assert!(!request_complete(Exchange::Ping, b"pin"));
        // A client reads an HTTP answer to its end, or to the most it reads.
        assert!(!answer_complete(Exchange::Http, b"HTTP/1.0 200 OK\r\n\r\n"));
        assert!(answer_complete(
            Exchange::Http,
            &[b'x'; exchange::MAX_REQUEST]
        ));
        assert!(answer_complete(Exchange::Ping, b"pong"));
    }
}
