//! What the harness costs beside the libraries it wraps, measured in one
//! run on the same keys: for each case and pairing, the harness's handshake
//! path (prepared endpoints driven by the core, normalised, with the
//! transcript) and a bare loop written against the two libraries' own APIs
//! (configurations prebuilt, the same in-memory pipe (a loopback
//! connection where JSSE is a side, below), the same first
//! exchange and close, no harness code). Then the whole shipped scenario set,
//! wall time and real handshakes per second over every core, the set-up
//! steps and a model prediction. `just bench` runs it; it asserts nothing.
//!
//! Each line reads `CASE PAIRING harness=<µs> bare=<µs> ratio=<r>`: the
//! median, over alternating batches (after untimed warm-up batches), of
//! the mean cost of one handshake.
//! For the JSSE pairings `bare` is the same two libraries driven directly
//! over a loopback connection: the JVM drives its `SSLEngine` over its end
//! of the socket, and the other library (rustls, OpenSSL, or another
//! engine in the JVM) drives the other end through its own API. The JVM's
//! start-up is printed on its own line first.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openssl::pkey::PKey;
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSessionCacheMode,
    SslVerifyMode, SslVersion,
};
use openssl::x509::X509;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use tls_harness::backend::{Backend, Pairing};
use tls_harness::endpoint::{jsse, pairing_unsupported, Prepared, Setup};
use tls_harness::handshake::{self, block_on};
use tls_harness::model;
use tls_harness::moment::Moment;
use tls_harness::outcome::{Outcome, Side};
use tls_harness::pki::{Identity, Pki};
use tls_harness::run::{run_files, RunOptions};
use tls_harness::scenario::{toml_files, Catalog, Profile, Scenario};
use tls_harness::suite::{registry, rustls_suite};
use tls_harness::version::ProtocolVersion;

/// Handshakes per batch, and batches per side (alternating).
const ROUNDS: u32 = 100;
const BATCHES: usize = 7;
/// Untimed batches per side before those, alternating too: a JVM still
/// compiles the code of a case's suite and version for its first few
/// hundred handshakes, and its compiler threads share the two cores with
/// whichever loop is being timed.
const WARM_UP_BATCHES: usize = 3;
const DEADLINE: Duration = Duration::from_secs(10);

/// One suite and one version per case, so that both loops negotiate the
/// same thing.
const CASES: &str = r#"
[profile.bench-tls12-client]
name = "bench-tls12-client"
product = "bench"
release = "1"
connection = "https"
role = "client"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]

[profile.bench-tls12-rsa-server]
name = "bench-tls12-rsa-server"
product = "bench"
release = "1"
connection = "https"
role = "server"
host = "bench.test"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]

[profile.bench-tls13-client]
name = "bench-tls13-client"
product = "bench"
release = "1"
connection = "https"
role = "client"
versions = ["1.3"]
suites = ["TLS_AES_128_GCM_SHA256"]

[profile.bench-tls13-ecdsa-server]
name = "bench-tls13-ecdsa-server"
product = "bench"
release = "1"
connection = "https"
role = "server"
host = "bench.test"
versions = ["1.3"]
suites = ["TLS_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }]

[profile.bench-tls10-client]
name = "bench-tls10-client"
product = "bench"
release = "1"
connection = "https"
role = "client"
versions = ["1.0"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]

[profile.bench-tls10-server]
name = "bench-tls10-server"
product = "bench"
release = "1"
connection = "https"
role = "server"
host = "bench.test"
versions = ["1.0"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]

# Groups and signature schemes narrowed on both sides: the NIST curves (not
# the default x25519; JSSE presents an EC certificate only on a curve of
# its own groups) and two schemes, in an order every stack can keep.
[profile.bench-tls13-narrow-client]
name = "bench-tls13-narrow-client"
product = "bench"
release = "1"
connection = "https"
role = "client"
versions = ["1.3"]
suites = ["TLS_AES_128_GCM_SHA256"]
groups = ["secp256r1", "secp384r1"]
signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]

[profile.bench-tls13-narrow-server]
name = "bench-tls13-narrow-server"
product = "bench"
release = "1"
connection = "https"
role = "server"
host = "bench.test"
versions = ["1.3"]
suites = ["TLS_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }]
groups = ["secp256r1", "secp384r1"]
signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]

[[scenario]]
id = "tls12-rsa"
client = "bench-tls12-client"
server = "bench-tls12-rsa-server"

[[scenario]]
id = "tls13-ecdsa"
client = "bench-tls13-client"
server = "bench-tls13-ecdsa-server"

[[scenario]]
id = "tls13-narrowed"
client = "bench-tls13-narrow-client"
server = "bench-tls13-narrow-server"

[[scenario]]
id = "tls10-openssl"
client = "bench-tls10-client"
server = "bench-tls10-server"
"#;

fn main() {
    // `cargo bench` passes --bench; a test runner listing or running every
    // target (`cargo test --all-targets`, nextest) gets nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let catalog = Catalog::load(&root.join("scenarios/catalog")).expect("catalog loads");
    let file = catalog
        .parse_scenario_file(Path::new("bench.toml"), CASES)
        .expect("bench scenarios load");
    println!(
        "load catalog and bench cases: {:.1} ms",
        ms(started.elapsed())
    );

    let started = Instant::now();
    let mut pki = Pki::new();
    for ca in &file.cas {
        pki.add_ca(ca.clone()).expect("CA");
    }
    let issued: Vec<_> = file
        .scenarios
        .iter()
        .map(|s| Keys::issue(s, &pki))
        .collect();
    println!("make CAs and certificates: {:.1} ms", ms(started.elapsed()));

    // `cargo bench --bench handshake -- WORD` runs only the cases whose
    // `CASE PAIRING` contains WORD, and nothing else.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    match jsse::start_up() {
        Ok(took) => println!("jsse JVM start-up: {:.1} ms", ms(took)),
        Err(why) => println!("jsse JVM start-up: cannot run ({why})"),
    }
    println!("\nper handshake, {BATCHES} alternating batches of {ROUNDS}, one thread:");
    for (scenario, keys) in file.scenarios.iter().zip(&issued) {
        for pairing in Pairing::ALL {
            let name = format!("{} {}", scenario.id, pairing.id());
            if filter.as_ref().is_none_or(|f| name.contains(f.as_str())) {
                compare(scenario, keys, pairing);
            }
        }
    }
    if filter.is_some() {
        return;
    }
    whole_catalog(root);
    set_up_costs(&file.scenarios[0], &issued[0], &file.cas);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One scenario's certificates and trust anchor.
struct Keys {
    client: Vec<Identity>,
    server: Vec<Identity>,
    root: Vec<u8>,
}

impl Keys {
    fn issue(scenario: &Scenario, pki: &Pki) -> Keys {
        let issue = |p: &Profile| -> Vec<Identity> {
            p.leaf_specs()
                .iter()
                .map(|l| pki.issue(l).expect("leaf"))
                .collect()
        };
        Keys {
            client: issue(&scenario.client),
            server: issue(&scenario.server),
            root: pki.ca_der("harness-root").expect("root"),
        }
    }

    fn setup<'a>(&self, scenario: &'a Scenario, role: Side) -> Setup<'a> {
        let (profile, identities) = match role {
            Side::Client => (&scenario.client, &self.client),
            Side::Server => (&scenario.server, &self.server),
        };
        Setup {
            profile,
            identities: identities.clone(),
            trust: vec![self.root.clone()],
            server_name: &scenario.server_name,
            fallback_scsv: false,
            verify_at: Moment::now(),
        }
    }
}

/// Prints one `CASE PAIRING harness= bare= ratio=` line.
fn compare(scenario: &Scenario, keys: &Keys, pairing: Pairing) {
    if let Some(why) = pairing_unsupported(pairing, &scenario.client, &scenario.server) {
        println!("{} {} unsupported: {why}", scenario.id, pairing.id());
        return;
    }
    let client = Prepared::new(
        pairing.client,
        Side::Client,
        &keys.setup(scenario, Side::Client),
    );
    let server = Prepared::new(
        pairing.server,
        Side::Server,
        &keys.setup(scenario, Side::Server),
    );
    let harness = || {
        let h = handshake::in_memory_blocking(&client, &server, DEADLINE).expect("runtime");
        assert!(
            matches!(h.outcome, Outcome::Established(_)),
            "{} {}: {:?}",
            scenario.id,
            pairing.id(),
            h.outcome
        );
    };
    let bare = match bare_loop(scenario, keys, pairing) {
        Ok(bare) => bare,
        Err(why) => {
            println!("{} {} {why}", scenario.id, pairing.id());
            return;
        }
    };
    for _ in 0..WARM_UP_BATCHES {
        batch(&harness);
        bare();
    }
    let (mut h, mut b) = (Vec::new(), Vec::new());
    for _ in 0..BATCHES {
        h.push(batch(&harness));
        b.push(bare());
    }
    let (h, b) = (median(h), median(b));
    println!(
        "{} {} harness={h:.0} bare={b:.0} ratio={:.2}",
        scenario.id,
        pairing.id(),
        h / b
    );
}

/// The bare loop of `pairing`: a batch of it, in mean microseconds per
/// handshake.
fn bare_loop(
    scenario: &Scenario,
    keys: &Keys,
    pairing: Pairing,
) -> Result<Box<dyn Fn() -> f64>, &'static str> {
    let jsse_sides = [pairing.client, pairing.server]
        .iter()
        .filter(|b| **b == Backend::Jsse)
        .count();
    Ok(match jsse_sides {
        0 => {
            let bare = Bare::new(scenario, keys, pairing);
            Box::new(move || batch(&|| block_on(bare.handshake()).expect("runtime")))
        }
        1 => {
            let mixed = Mixed::new(scenario, keys, pairing);
            Box::new(move || mixed.batch())
        }
        _ => {
            let (client, server) =
                jsse_pair(scenario, keys).ok_or("no bare JSSE loop: JSSE cannot run both ends")?;
            Box::new(move || {
                let took = jsse::bare_handshakes(&client, &server, ROUNDS).expect("the JVM runs");
                took.as_secs_f64() * 1e6 / f64::from(ROUNDS)
            })
        }
    })
}

/// JSSE endpoints for both ends of `scenario`, for the bare JSSE loop.
fn jsse_pair(scenario: &Scenario, keys: &Keys) -> Option<(jsse::Endpoint, jsse::Endpoint)> {
    let both = Pairing {
        client: Backend::Jsse,
        server: Backend::Jsse,
    };
    if pairing_unsupported(both, &scenario.client, &scenario.server).is_some() {
        return None;
    }
    let client = jsse::Endpoint::client(&keys.setup(scenario, Side::Client)).ok()?;
    let server = jsse::Endpoint::server(&keys.setup(scenario, Side::Server)).ok()?;
    Some((client, server))
}

/// Mean microseconds per call over one batch.
fn batch(f: &impl Fn()) -> f64 {
    let started = Instant::now();
    for _ in 0..ROUNDS {
        f();
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A pairing of JSSE and another library, both driven directly: the other
/// end through its own API on a loopback socket, the JSSE end by the JVM
/// itself over its side of the connection
/// ([`jsse::bare_peer_handshakes`]).
struct Mixed {
    end: BareEnd,
    jsse: jsse::Endpoint,
    client: bool,
    name: String,
}

impl Mixed {
    fn new(scenario: &Scenario, keys: &Keys, pairing: Pairing) -> Mixed {
        let client = pairing.client != Backend::Jsse;
        let (backend, role) = if client {
            (pairing.client, Side::Client)
        } else {
            (pairing.server, Side::Server)
        };
        let other = match role {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        };
        let setup = keys.setup(scenario, other);
        let jsse = match other {
            Side::Client => jsse::Endpoint::client(&setup),
            Side::Server => jsse::Endpoint::server(&setup),
        };
        Mixed {
            end: bare_end(backend, role, scenario, keys),
            jsse: jsse.expect("a JSSE endpoint"),
            client,
            name: scenario.server_name.clone(),
        }
    }

    /// Mean microseconds per handshake over one batch, as the other end
    /// saw it from its first accept to its last close.
    fn batch(&self) -> f64 {
        let run = async {
            let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
                .await
                .expect("listen");
            let port = listener.local_addr().expect("port").port();
            let jsse = self.jsse.clone();
            let jvm = std::thread::spawn(move || jsse::bare_peer_handshakes(&jsse, port, ROUNDS));
            let started = Instant::now();
            for _ in 0..ROUNDS {
                let accepted = tokio::time::timeout(DEADLINE, listener.accept()).await;
                let (stream, _) = accepted
                    .expect("the JVM's end connects within the deadline")
                    .expect("accept");
                stream.set_nodelay(true).expect("nodelay");
                side(&self.end, stream, self.client, &self.name).await;
            }
            let took = started.elapsed();
            jvm.join().expect("the JVM's thread").expect("the JVM runs");
            took.as_secs_f64() * 1e6 / f64::from(ROUNDS)
        };
        block_on(run).expect("runtime")
    }
}

/// One end of a bare loop: `backend` as `role`, through its own API.
fn bare_end(backend: Backend, role: Side, scenario: &Scenario, keys: &Keys) -> BareEnd {
    match (backend, role) {
        (Backend::Rustls, Side::Client) => {
            BareEnd::RustlsClient(rustls_client(&scenario.client, keys))
        }
        (Backend::Rustls, Side::Server) => {
            BareEnd::RustlsServer(rustls_server(&scenario.server, keys))
        }
        (Backend::OpenSsl, Side::Client) => {
            BareEnd::OpenSsl(openssl_context(&scenario.client, keys, false))
        }
        (Backend::OpenSsl, Side::Server) => {
            BareEnd::OpenSsl(openssl_context(&scenario.server, keys, true))
        }
        // compare() drives JSSE ends in the JVM.
        (Backend::Jsse, _) => unreachable!("no bare JSSE end in Rust"),
    }
}

/// Both libraries driven through their own APIs: configurations built once
/// from the same keys, versions and suite as the case, tickets, session
/// caches and resumption off as in the harness.
enum BareEnd {
    RustlsClient(Arc<rustls::ClientConfig>),
    RustlsServer(Arc<rustls::ServerConfig>),
    OpenSsl(SslContext),
}

struct Bare {
    client: BareEnd,
    server: BareEnd,
    name: String,
}

impl Bare {
    fn new(scenario: &Scenario, keys: &Keys, pairing: Pairing) -> Bare {
        Bare {
            client: bare_end(pairing.client, Side::Client, scenario, keys),
            server: bare_end(pairing.server, Side::Server, scenario, keys),
            name: scenario.server_name.clone(),
        }
    }

    async fn handshake(&self) {
        let (c, s) = tokio::io::duplex(64 * 1024);
        tokio::join!(
            side(&self.client, c, true, &self.name),
            side(&self.server, s, false, &self.name)
        );
    }
}

/// One end's handshake and first exchange over `io`.
async fn side<S: AsyncRead + AsyncWrite + Unpin>(end: &BareEnd, io: S, client: bool, name: &str) {
    match end {
        BareEnd::RustlsClient(config) => {
            let name = ServerName::try_from(name.to_string()).expect("name");
            let connector = tokio_rustls::TlsConnector::from(config.clone());
            exchange(
                connector.connect(name, io).await.expect("rustls client"),
                true,
            )
            .await;
        }
        BareEnd::RustlsServer(config) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(config.clone());
            exchange(acceptor.accept(io).await.expect("rustls server"), false).await;
        }
        BareEnd::OpenSsl(ctx) => {
            let mut ssl = Ssl::new(ctx).expect("ssl");
            if client {
                ssl.set_hostname(name).expect("sni");
                ssl.param_mut().set_host(name).expect("host");
            }
            let mut stream = tokio_openssl::SslStream::new(ssl, io).expect("stream");
            let mut pinned = std::pin::Pin::new(&mut stream);
            if client {
                pinned.as_mut().connect().await.expect("openssl client");
            } else {
                pinned.as_mut().accept().await.expect("openssl server");
            }
            exchange(stream, client).await;
        }
    }
}

/// The same first exchange as the harness: ping, pong, close.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, client: bool) {
    let mut buf = [0u8; 4];
    if client {
        stream.write_all(b"ping").await.expect("write");
        stream.flush().await.expect("flush");
        stream.read_exact(&mut buf).await.expect("read");
        stream.shutdown().await.expect("close");
    } else {
        stream.read_exact(&mut buf).await.expect("read");
        stream.write_all(b"pong").await.expect("write");
        stream.flush().await.expect("flush");
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
    }
}

/// The provider with the profile's suites and groups. The bare loops leave
/// rustls' signature schemes at its default: with one certificate and one
/// scheme of each side's list fitting it, the same scheme is negotiated
/// (the harness's narrowed verifier and signer are part of its cost).
fn rustls_provider(profile: &Profile) -> Arc<rustls::crypto::CryptoProvider> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider.cipher_suites = profile
        .suites
        .iter()
        .filter_map(|c| rustls_suite(c.suite.code))
        .collect();
    if let Some(groups) = &profile.handshake.groups {
        provider.kx_groups = groups
            .iter()
            .filter_map(|g| {
                rustls::crypto::aws_lc_rs::ALL_KX_GROUPS
                    .iter()
                    .copied()
                    .find(|k| u16::from(k.name()) == g.code)
            })
            .collect();
    }
    Arc::new(provider)
}

fn rustls_versions(profile: &Profile) -> Vec<&'static rustls::SupportedProtocolVersion> {
    profile
        .versions
        .iter()
        .filter_map(|v| match v {
            ProtocolVersion::Tls12 => Some(&rustls::version::TLS12),
            ProtocolVersion::Tls13 => Some(&rustls::version::TLS13),
            _ => None,
        })
        .collect()
}

fn rustls_client(profile: &Profile, keys: &Keys) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(keys.root.clone()))
        .expect("root");
    let mut config = rustls::ClientConfig::builder_with_provider(rustls_provider(profile))
        .with_protocol_versions(&rustls_versions(profile))
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

fn rustls_server(profile: &Profile, keys: &Keys) -> Arc<rustls::ServerConfig> {
    let id = &keys.server[0];
    let chain = std::iter::once(&id.leaf_der)
        .chain(&id.chain_der)
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_pkcs8_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(rustls_provider(profile))
        .with_protocol_versions(&rustls_versions(profile))
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("certificate");
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    Arc::new(config)
}

fn openssl_context(profile: &Profile, keys: &Keys, server: bool) -> SslContext {
    let method = if server {
        SslMethod::tls_server()
    } else {
        SslMethod::tls_client()
    };
    let mut b = SslContextBuilder::new(method).expect("context");
    b.set_security_level(0);
    let version = |v: ProtocolVersion| match v {
        ProtocolVersion::Tls10 => SslVersion::TLS1,
        ProtocolVersion::Tls11 => SslVersion::TLS1_1,
        ProtocolVersion::Tls12 => SslVersion::TLS1_2,
        ProtocolVersion::Tls13 => SslVersion::TLS1_3,
    };
    let v = version(profile.versions[0]);
    b.set_min_proto_version(Some(v)).expect("min");
    b.set_max_proto_version(Some(v)).expect("max");
    b.set_options(SslOptions::NO_TICKET);
    b.set_session_cache_mode(SslSessionCacheMode::OFF);
    let suite = registry()
        .by_code(profile.suites[0].suite.code)
        .and_then(|s| s.openssl.clone())
        .expect("an OpenSSL suite");
    if profile.versions[0] == ProtocolVersion::Tls13 {
        b.set_ciphersuites(&suite).expect("suites");
    } else {
        b.set_ciphersuites("").expect("no TLS 1.3 suites");
        b.set_cipher_list(&suite).expect("suites");
    }
    if let Some(groups) = &profile.handshake.groups {
        let names: Vec<&str> = groups.iter().map(|g| g.openssl_name).collect();
        b.set_groups_list(&names.join(":")).expect("groups");
    }
    if let Some(schemes) = &profile.handshake.signature_schemes {
        let names: Vec<&str> = schemes.iter().map(|s| s.openssl_name.as_str()).collect();
        b.set_sigalgs_list(&names.join(":")).expect("sigalgs");
    }
    b.cert_store_mut()
        .add_cert(X509::from_der(&keys.root).expect("root"))
        .expect("store");
    b.set_mode(SslMode::NO_AUTO_CHAIN);
    if server {
        let id = &keys.server[0];
        b.set_certificate(&X509::from_der(&id.leaf_der).expect("leaf"))
            .expect("certificate");
        b.set_private_key(&PKey::private_key_from_pkcs8(&id.key_pkcs8_der).expect("key"))
            .expect("key");
        b.set_verify(SslVerifyMode::NONE);
    } else {
        b.set_verify(SslVerifyMode::PEER);
    }
    b.build()
}

/// Every shipped scenario file, run as `tls-harness run` runs them: wall
/// time, CPU time and real handshakes per second over every core.
fn whole_catalog(root: &Path) {
    let catalog = Catalog::load(&root.join("scenarios/catalog")).expect("catalog");
    let paths = toml_files(&root.join("scenarios")).expect("scenario files");
    let files: Vec<_> = paths
        .iter()
        .filter(|p| !p.starts_with(root.join("scenarios/catalog")))
        .map(|p| catalog.load_scenario_file(p).expect("scenario file"))
        .collect();
    let options = RunOptions::default();
    let (started, cpu, before) = (Instant::now(), cpu_time(), handshake::count());
    run_files(&files, &options).expect("run");
    let (wall, cpu) = (started.elapsed(), cpu_time() - cpu);
    let handshakes = handshake::count() - before;
    println!(
        "\nwhole shipped scenario set: {} files, {handshakes} handshakes in {:.0} ms wall, {:.0} ms CPU: {:.0} handshakes/s",
        files.len(),
        ms(wall),
        ms(cpu),
        handshakes as f64 / wall.as_secs_f64()
    );
}

/// This process's CPU time (user and system), from /proc.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 Hz).
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// What preparing an endpoint costs per backend and role, and a model
/// prediction beside it.
fn set_up_costs(scenario: &Scenario, keys: &Keys, cas: &[tls_harness::pki::CaSpec]) {
    println!("\nset-up, mean of {ROUNDS}:");
    for backend in Backend::ALL {
        for role in [Side::Client, Side::Server] {
            let setup = keys.setup(scenario, role);
            let started = Instant::now();
            for _ in 0..ROUNDS {
                std::hint::black_box(Prepared::new(backend, role, &setup));
            }
            println!(
                "prepare {backend} {role}: {:.0} µs",
                started.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS)
            );
        }
    }
    let now = Moment::now();
    for pairing in Pairing::ALL {
        let started = Instant::now();
        for _ in 0..ROUNDS {
            std::hint::black_box(model::predict(scenario, cas, pairing.into(), now));
        }
        println!(
            "model prediction {}: {:.1} µs",
            pairing.id(),
            started.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS)
        );
    }
}
