//! `import-hello`: the hello each catalog client profile sends, imported,
//! gives back its versions and suites; the hellos of the real `openssl
//! s_client` (its `-msg` hex) and `curl` (a dumpcap capture), imported,
//! meet a catalog server as the real clients did; captures put together
//! here are reassembled; and mutated hellos give errors, never a panic.

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod support;

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use proptest::prelude::*;
use tls_harness::backend::{Backend, Pairing};
use tls_harness::endpoint::{unsupported, usable_suites, Prepared, Setup};
use tls_harness::exit_codes;
use tls_harness::handshake::in_memory_blocking;
use tls_harness::import::{import, profile_toml, Identity, ImportError, Imported, InputFormat};
use tls_harness::moment::Moment;
use tls_harness::net::serve::prepare;
use tls_harness::outcome::{Outcome, Side};
use tls_harness::pki::{issuers, Pki};
use tls_harness::run::{RunOptions, Runner, Status};
use tls_harness::scenario::{Profile, Role, Scenario};
use tls_harness::suite::registry;

use support::{
    catalog, harness_command, make_pki, skip, start_server, TempDir, CURL, DUMPCAP, OPENSSL,
};
use tls_harness::version::ProtocolVersion;

/// Any server will do to make a client send its first flight.
const SOME_SERVER: &str = "uccx-11-6-1-server";

/// Every byte `client` on `backend` sent to a catalog server (its hello
/// first), in memory.
fn do_client_flight(client: &Profile, backend: Backend, scsv: bool, pki: &Pki) -> Vec<u8> {
    let server = &catalog().profiles[SOME_SERVER];
    let (server, _) = prepare(server, pki, Moment::now(), Some(Backend::OpenSsl)).expect("server");
    let setup = Setup {
        profile: client,
        identities: Vec::new(),
        trust: vec![pki.ca_der("harness-root").expect("root")],
        server_name: "uccx-11-6-1.example.com",
        fallback_scsv: scsv,
        verify_at: Moment::now(),
    };
    let client = Prepared::new(backend, Side::Client, &setup);
    let handshake = in_memory_blocking(&client, &server, Duration::from_secs(5)).expect("runtime");
    handshake.transcript.sent_by(Side::Client)
}

/// The imported profile, loaded by the scenario loader in a scenario
/// against `server` on `pairing`.
#[track_caller]
fn make_scenario(imported: &Imported, server: &str, pairing: Pairing) -> (Scenario, String) {
    let who = Identity {
        trust: vec![root_of(server)],
        ..Identity::default()
    };
    let text = profile_toml(imported, &who, catalog()).expect("a profile");
    let file = format!(
        "{text}\n[[scenario]]\nid = \"imported\"\nclient = \"imported-client\"\nserver = \"{server}\"\npairings = [\"{}\"]\n",
        pairing.id()
    );
    let loaded = catalog()
        .parse_scenario_file(Path::new("imported.toml"), &file)
        .unwrap_or_else(|e| panic!("the imported profile does not load: {e:?}\n{file}"));
    (loaded.scenarios[0].clone(), text)
}

/// The root CA of `server`'s first certificate: what the real client is
/// given to trust, and the imported profile too.
fn root_of(server: &str) -> String {
    let profile = &catalog().profiles[server];
    let chain = issuers(&profile.certificates[0].issuer, &catalog().cas);
    chain
        .last()
        .cloned()
        .unwrap_or_else(|| "harness-root".into())
}

#[track_caller]
fn check_round_trip(profile: &Profile, backend: Backend, scsv: bool, pki: &Pki) {
    let who = format!("{} on {}", profile.id, backend.as_str());
    let flight = do_client_flight(profile, backend, scsv, pki);
    let imported = import(&flight, None, &who).unwrap_or_else(|e| panic!("{who}: {e}"));
    assert_eq!(imported.format, InputFormat::Raw);
    let (scenario, text) = make_scenario(&imported, SOME_SERVER, Pairing::ALL[0]);
    let got = &scenario.client;
    let codes: Vec<u16> = got.suites.iter().map(|c| c.suite.code).collect();
    // What the backend offers: the suites it implements that are valid at
    // an enabled version (OpenSSL leaves TLS 1.2 suites out of a TLS 1.0
    // hello).
    let offered: Vec<u16> = usable_suites(backend, profile)
        .filter(|c| {
            let suite = registry().by_code(*c).expect("a registry suite");
            profile.versions.iter().any(|v| suite.valid_for(*v))
        })
        .collect();
    assert_eq!(codes, offered, "{who}: suites\n{text}");
    if imported.hello.supported_versions.is_empty() {
        // Only the highest version is on the wire (legacy_version).
        let highest = *profile.versions.iter().max().expect("versions");
        assert_eq!(imported.hello.legacy_version, highest.wire(), "{who}");
        assert_eq!(got.versions, vec![highest], "{who}: versions\n{text}");
        assert!(text.contains("no supported_versions extension"), "{text}");
    } else {
        assert_eq!(got.versions, profile.versions, "{who}: versions\n{text}");
    }
    assert_eq!(text.contains("TLS_FALLBACK_SCSV"), scsv, "{who}\n{text}");
    assert!(
        text.contains("# server-name = \"uccx-11-6-1.example.com\""),
        "{text}"
    );
}

#[test]
fn every_catalog_client_hello_imports_as_the_versions_and_suites_it_offers() {
    let pki = make_pki(&catalog().cas);
    let mut checked = 0;
    let mut without_supported_versions = 0;
    for profile in catalog()
        .profiles
        .values()
        .filter(|p| p.role == Role::Client)
    {
        let profile = profile.at(Moment::now());
        let hellos = std::iter::once((profile.clone(), false)).chain(
            profile
                .fallback_hello()
                .map(|p| (p, profile.fallback.as_ref().is_some_and(|f| f.scsv))),
        );
        for (hello, scsv) in hellos {
            for backend in Backend::ALL {
                if unsupported(backend, &hello).is_some() || (scsv && backend == Backend::Rustls) {
                    continue;
                }
                check_round_trip(&hello, backend, scsv, &pki);
                checked += 1;
                if hello.versions.iter().all(|v| *v < ProtocolVersion::Tls13)
                    && backend == Backend::OpenSsl
                {
                    without_supported_versions += 1;
                }
            }
        }
    }
    eprintln!(
        "{checked} hellos imported ({without_supported_versions} OpenSSL hellos without TLS 1.3)"
    );
    assert!(checked >= 40, "only {checked} hellos");
}

#[test]
fn a_fallback_hello_with_scsv_says_so() {
    let pki = make_pki(&catalog().cas);
    let profile = &catalog().profiles["uccx-11-5-1-su1-client"];
    check_round_trip(profile, Backend::OpenSsl, true, &pki);
}

// ---- real clients ----

/// Waits for `child` at most `limit`, then kills it.
fn wait_for(mut child: Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// What a real client's outcome and an in-memory one have in common: the
/// result, version and suite, or which side failed with which alert.
fn gist(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Established(e) => format!("established {} {}", e.version, e.suite.name),
        Outcome::IdentityRefused(_) => "identity-refused".into(),
        Outcome::Failed(f) => format!(
            "failed by {:?} with {:?}",
            f.failed_side,
            f.alert.map(|a| a.name())
        ),
    }
}

/// The imported profile against `server` in memory (OpenSSL server, the
/// first client backend that can implement it).
#[track_caller]
fn do_in_memory(imported: &Imported, server: &str) -> Outcome {
    let probe = make_scenario(imported, server, Pairing::ALL[0]).0;
    let backend = Backend::ALL
        .into_iter()
        .find(|b| unsupported(*b, &probe.client).is_none())
        .expect("a backend for the imported profile");
    let pairing = Pairing {
        client: backend,
        server: Backend::OpenSsl,
    };
    let (scenario, _) = make_scenario(imported, server, pairing);
    let runner = Runner::new(&catalog().cas, RunOptions::default(), "catalog").expect("runner");
    let run = runner.run(&scenario).expect("run");
    match &run.pairings[0].status {
        Status::Ran { outcome, .. } => (**outcome).clone(),
        other => panic!("did not run: {other:?}"),
    }
}

/// Servers the real clients meet: TLS 1.2 with ECDHE, TLS 1.0 with RSA key
/// exchange, and one that requires a client certificate they do not have.
const REAL_CLIENT_SERVERS: [&str; 3] = ["uccx-11-6-1-server", "exchange-2010", "xsp-cti-8012"];

#[test]
fn the_hello_of_openssl_s_client_meets_catalog_servers_as_s_client_did() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let pki = make_pki(&catalog().cas);
    let dir = TempDir::new("s_client");
    for id in REAL_CLIENT_SERVERS {
        let profile = &catalog().profiles[id];
        let served = start_server(profile, Backend::OpenSsl, &pki, 1, Moment::now());
        let ca = dir.join(format!("{id}-ca.pem"));
        std::fs::write(&ca, ca_pem(&pki, &root_of(id))).expect("CA file");
        let child = Command::new(&openssl)
            .args([
                "s_client",
                "-msg",
                "-verify_return_error",
                "-connect",
                &served.addr.to_string(),
            ])
            .args(["-servername", &profile.host, "-CAfile"])
            .arg(&ca)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("s_client");
        let output = wait_for(child, Duration::from_secs(10));
        served.thread.join().expect("server");
        let real = served.log.lock().unwrap()[0].outcome.clone();
        let imported = import(&output.stdout, None, "s_client -msg").expect("s_client's hello");
        assert_eq!(imported.format, InputFormat::Hex);
        let simulated = do_in_memory(&imported, id);
        eprintln!("s_client → {id}: {}", gist(&real));
        assert_eq!(gist(&simulated), gist(&real), "s_client → {id}");
    }
}

fn ca_pem(pki: &Pki, id: &str) -> Vec<u8> {
    let der = pki.ca_der(id).expect("CA");
    openssl::x509::X509::from_der(&der)
        .and_then(|c| c.to_pem())
        .expect("PEM")
}

/// How long dumpcap may keep the test waiting for what it is to say next:
/// a guard against a hang, far above what any machine needs. Nothing here
/// waits for time to pass; each wait ends when dumpcap says what it waits
/// for.
const DUMPCAP_HANG_GUARD: Duration = Duration::from_secs(60);

/// dumpcap capturing one port on the loopback interface into a file, and
/// what it says on stderr: its lines, and the `Packets: N` count it prints
/// (after a `\r`, with no newline) each time it has flushed packets to the
/// file. Killed when dropped.
struct Dumpcap {
    _child: support::Child,
    said: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Dumpcap {
    /// dumpcap on `port` of lo writing `file`, once it has opened the
    /// capture. It prints `File: FILE` only after it opened the interface,
    /// set the filter and flushed the file's header; its `Capturing on`
    /// line comes before all of that, so a connection made just after it
    /// may go unseen. `Err` if dumpcap ends first: it cannot capture here.
    fn start(dumpcap: &Path, port: u16, file: &Path) -> Result<Dumpcap, String> {
        let mut child = Command::new(dumpcap)
            .args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dumpcap");
        let stderr = child.stderr.take().expect("dumpcap's stderr");
        let (tell, said) = mpsc::channel();
        // Ends when dumpcap does, or when no one listens any more.
        std::thread::spawn(move || {
            const COUNT: &[u8] = b"Packets: ";
            let mut piece = Vec::new();
            for byte in BufReader::new(stderr).bytes().map_while(Result::ok) {
                let end = byte == b'\r' || byte == b'\n';
                if !end {
                    piece.push(byte);
                }
                // A count is followed by a space and then nothing until the
                // next one: it is whole at the space after its digits.
                let count =
                    byte == b' ' && piece.starts_with(COUNT) && piece.len() > COUNT.len() + 1;
                if !end && !count {
                    continue;
                }
                let text = String::from_utf8_lossy(&piece).trim().to_string();
                piece.clear();
                if !text.is_empty() && tell.send(text).is_err() {
                    return;
                }
            }
        });
        let mut dumpcap = Dumpcap {
            _child: support::Child(child),
            said,
            log: Vec::new(),
        };
        let guard = Instant::now() + DUMPCAP_HANG_GUARD;
        while let Some(line) = dumpcap.next(guard) {
            if line.starts_with("File: ") {
                return Ok(dumpcap);
            }
        }
        Err(format!(
            "dumpcap cannot capture on lo (it needs root or CAP_NET_RAW): {}",
            dumpcap.log.join(" | ")
        ))
    }

    /// What dumpcap says next; `None` once it has ended. Fails the test if
    /// it is still silent at `guard`.
    fn next(&mut self, guard: Instant) -> Option<&str> {
        match self
            .said
            .recv_timeout(guard.saturating_duration_since(Instant::now()))
        {
            Ok(line) => {
                self.log.push(line);
                self.log.last().map(String::as_str)
            }
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!(
                "dumpcap said nothing more in {} s: {}",
                DUMPCAP_HANG_GUARD.as_secs(),
                self.log.join(" | ")
            ),
        }
    }

    /// The ClientHello of the connection `file` captured, once the file
    /// holds it: each time dumpcap reports packets it has just flushed
    /// them, so the file is read again then. `Err` says why not, with
    /// what dumpcap said, if dumpcap ends first.
    fn hello(&mut self, file: &Path) -> Result<Imported, String> {
        let guard = Instant::now() + DUMPCAP_HANG_GUARD;
        let mut why = "dumpcap reported no packet".to_string();
        while let Some(line) = self.next(guard) {
            if !line.starts_with("Packets: ") {
                continue;
            }
            let bytes = std::fs::read(file).expect("the capture");
            match import(&bytes, None, &file.display().to_string()) {
                Ok(imported) => return Ok(imported),
                Err(e) => why = e.to_string(),
            }
        }
        Err(format!("{why}; dumpcap said: {}", self.log.join(" | ")))
    }
}

#[test]
fn the_hello_of_curl_captured_by_dumpcap_meets_catalog_servers_as_curl_did() {
    let Some(curl) = CURL.find() else {
        return;
    };
    let Some(dumpcap) = DUMPCAP.find() else {
        return;
    };
    let dir = TempDir::new("curl");
    let pki = make_pki(&catalog().cas);
    for id in REAL_CLIENT_SERVERS {
        let host = &catalog().profiles[id].host;
        let (real, imported) = match curl_through_dumpcap(&curl, &dumpcap, &dir, &pki, id) {
            Ok(done) => done,
            Err(why) => {
                skip(&why);
                return;
            }
        };
        assert_eq!(imported.format, InputFormat::Pcapng);
        assert_eq!(imported.hello.server_name.as_deref(), Some(host.as_str()));
        let simulated = do_in_memory(&imported, id);
        eprintln!("curl → {id}: {}", gist(&real));
        assert_eq!(gist(&simulated), gist(&real), "curl → {id}");
    }
}

/// Serves catalog server `id` once and runs curl against it while dumpcap,
/// started first, captures the port: curl's outcome as the server logged
/// it and the hello imported from the capture; `Err` when dumpcap cannot
/// capture here.
fn curl_through_dumpcap(
    curl: &Path,
    dumpcap: &Path,
    dir: &TempDir,
    pki: &Pki,
    id: &str,
) -> Result<(Outcome, Imported), String> {
    let profile = &catalog().profiles[id];
    let served = start_server(profile, Backend::OpenSsl, pki, 1, Moment::now());
    let capture = dir.join(format!("{id}.pcapng"));
    let mut dumpcap = Dumpcap::start(dumpcap, served.addr.port(), &capture)?;
    let host = &profile.host;
    let port = served.addr.port();
    let ca = dir.join(format!("{id}-ca.pem"));
    std::fs::write(&ca, ca_pem(pki, &root_of(id))).expect("CA file");
    let child = Command::new(curl)
        .args(["-s", "-o", "/dev/null", "--max-time", "5", "--cacert"])
        .arg(&ca)
        .args(["--resolve", &format!("{host}:{port}:127.0.0.1")])
        .arg(format!("https://{host}:{port}/"))
        .stdin(Stdio::null())
        .spawn()
        .expect("curl");
    wait_for(child, Duration::from_secs(10));
    served.thread.join().expect("server");
    let real = served.log.lock().unwrap()[0].outcome.clone();
    let imported = dumpcap
        .hello(&capture)
        .unwrap_or_else(|why| panic!("curl → {id}: no ClientHello in the capture: {why}"));
    Ok((real, imported))
}

// ---- import-capture: connections of real tools, captured by dumpcap ----

impl Dumpcap {
    /// Waits until `file` holds the whole connection (both sides closed,
    /// or one reset it) to server `port`: each time dumpcap reports
    /// packets it has just flushed them, so the file is read again then.
    fn whole_connection(&mut self, file: &Path, port: u16) -> Result<(), String> {
        self.whole_connections(file, port, 1)
    }

    /// [`Dumpcap::whole_connection`] for `count` connections.
    fn whole_connections(&mut self, file: &Path, port: u16, count: usize) -> Result<(), String> {
        let guard = Instant::now() + DUMPCAP_HANG_GUARD;
        while let Some(line) = self.next(guard) {
            if !line.starts_with("Packets: ") {
                continue;
            }
            let bytes = std::fs::read(file).expect("the capture");
            let found = tls_harness::import::connections(&bytes, true);
            let ended = found.is_ok_and(|f| {
                let ended = f
                    .connections
                    .iter()
                    .filter(|c| c.server.port() == port && c.ended);
                ended.count() >= count
            });
            if ended {
                return Ok(());
            }
        }
        Err(format!("dumpcap ended first: {}", self.log.join(" | ")))
    }
}

/// One connection of real `openssl s_client` and `s_server` to capture:
/// the server's and client's extra arguments, whether the client keeps a
/// key log, whether it trusts the server's CA, and what `import-capture`
/// must read from it (lines of the scenario file).
struct Captured {
    name: &'static str,
    /// The client is curl (its key log by SSLKEYLOGFILE), not s_client.
    curl: bool,
    server: &'static [&'static str],
    client: &'static [&'static str],
    keylog: bool,
    trusted: bool,
    shows: &'static [&'static str],
}

/// Faults of versions, groups, schemes, certificates and client
/// authentication, at TLS 1.2 and 1.3, with and without keys.
const CAPTURED: [Captured; 12] = [
    Captured {
        curl: false,
        name: "tls13-hello-retry-with-keys",
        server: &["-tls1_3", "-groups", "secp384r1"],
        client: &[],
        keylog: true,
        trusted: true,
        shows: &[
            "result = \"established\"",
            "group = \"secp384r1\"",
            "key = \"rsa-2048\"",
        ],
    },
    Captured {
        curl: true,
        name: "curl-tls13-with-keys",
        server: &["-alpn", "http/1.1"],
        client: &[],
        keylog: true,
        trusted: true,
        shows: &[
            "result = \"established\"",
            "version = \"1.3\"",
            "alpn = \"http/1.1\"",
        ],
    },
    Captured {
        curl: true,
        name: "curl-untrusted-tls12",
        server: &["-tls1_2"],
        client: &[],
        keylog: false,
        trusted: false,
        shows: &["failed-side = \"client\"", "alert = \"unknown_ca\""],
    },
    Captured {
        curl: false,
        name: "tls12-established",
        server: &["-tls1_2"],
        client: &[],
        keylog: false,
        trusted: true,
        shows: &["result = \"established\"", "version = \"1.2\""],
    },
    Captured {
        curl: false,
        name: "tls13-established-with-keys",
        server: &[],
        client: &[],
        keylog: true,
        trusted: true,
        shows: &[
            "result = \"established\"",
            "version = \"1.3\"",
            "key = \"rsa-2048\"",
        ],
    },
    Captured {
        curl: false,
        name: "tls13-established-without-keys",
        server: &[],
        client: &[],
        keylog: false,
        trusted: true,
        shows: &[
            "result = \"established\"",
            "# the result is told by record sizes",
        ],
    },
    Captured {
        curl: false,
        name: "version-refused",
        server: &["-tls1_3"],
        client: &["-tls1_2"],
        keylog: false,
        trusted: true,
        shows: &["failed-side = \"server\"", "alert = \"protocol_version\""],
    },
    Captured {
        curl: false,
        name: "no-shared-group",
        server: &["-tls1_3", "-groups", "secp384r1"],
        client: &["-groups", "X25519"],
        keylog: false,
        trusted: true,
        shows: &["failed-side = \"server\"", "alert = \"handshake_failure\""],
    },
    Captured {
        curl: false,
        name: "no-shared-scheme",
        server: &["-tls1_2"],
        client: &["-sigalgs", "ECDSA+SHA256"],
        keylog: false,
        trusted: true,
        shows: &["failed-side = \"server\"", "alert = \"handshake_failure\""],
    },
    Captured {
        curl: false,
        name: "untrusted-certificate-tls12",
        server: &["-tls1_2"],
        client: &[],
        keylog: false,
        trusted: false,
        shows: &["failed-side = \"client\"", "alert = \"unknown_ca\""],
    },
    Captured {
        curl: false,
        name: "untrusted-certificate-tls13-with-keys",
        server: &[],
        client: &[],
        keylog: true,
        trusted: false,
        shows: &["failed-side = \"client\"", "alert = \"unknown_ca\""],
    },
    Captured {
        curl: false,
        name: "client-certificate-required-tls12",
        server: &["-tls1_2", "-Verify", "1"],
        client: &[],
        keylog: false,
        trusted: true,
        shows: &["client-auth = \"require\"", "failed-side = \"server\""],
    },
];

#[test]
fn import_capture_of_openssl_connections_reproduces_each_on_openssl() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let Some(dumpcap) = DUMPCAP.find() else {
        return;
    };
    let dir = TempDir::new("import-capture");
    support::peer::write_peer_material(&dir, support::peer::PeerCert::Rsa);
    // A root that issued nothing here, for the client that must refuse.
    let other = dir.join("harness-root.pem");
    std::fs::write(&other, ca_pem(&make_pki(&catalog().cas), "harness-root")).expect("CA file");
    // Each case has its own server, port and dumpcap: they run at once.
    let skipped = std::thread::scope(|scope| {
        let running: Vec<_> = CAPTURED
            .iter()
            .map(|case| scope.spawn(|| reproduce_captured(&openssl, &dumpcap, &dir, &other, case)))
            .collect();
        let done: Vec<Result<(), String>> = running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        done.into_iter().find_map(Result::err)
    });
    if let Some(why) = skipped {
        skip(&why);
    }
}

/// Captures `case`, imports the capture and runs the scenario file on
/// openssl-openssl: it must show `case.shows` and reproduce the outcome.
/// `Err` when dumpcap cannot capture here.
fn reproduce_captured(
    openssl: &Path,
    dumpcap: &Path,
    dir: &TempDir,
    other: &Path,
    case: &Captured,
) -> Result<(), String> {
    let file = capture_openssl(openssl, dumpcap, dir, other, case)?;
    let keys = dir.join(format!("{}.keys", case.name));
    let scenario = dir.join(format!("{}.toml", case.name));
    import_and_rerun(&file, case.keylog.then_some(&keys), &scenario, case.shows);
    Ok(())
}

#[test]
fn import_capture_reads_a_refused_client_and_its_retry_as_a_fallback() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let Some(dumpcap) = DUMPCAP.find() else {
        return;
    };
    let dir = TempDir::new("import-capture-fallback");
    support::peer::write_peer_material(&dir, support::peer::PeerCert::Rsa);
    let legacy = "DEFAULT:@SECLEVEL=0";
    let (_server, port) = support::peer::do_s_server(&openssl, &dir, &["-tls1", "-cipher", legacy]);
    let file = dir.join("fallback.pcapng");
    let mut capture = match Dumpcap::start(&dumpcap, port, &file) {
        Ok(capture) => capture,
        Err(why) => return skip(&why),
    };
    let tries: [&[&str]; 2] = [
        &["-tls1_2"],
        &["-tls1", "-fallback_scsv", "-cipher", legacy],
    ];
    for args in tries {
        let child = Command::new(&openssl)
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s_client");
        wait_for(child, Duration::from_secs(10));
    }
    if let Err(why) = capture.whole_connections(&file, port, 2) {
        return skip(&why);
    }
    let scenario = dir.join("fallback.toml");
    let shows = [
        "versions = [\"1.2\"]\n",
        "fallback = { versions = [\"1.0\"], scsv = true }",
        "fallback = true",
        "version = \"1.0\"",
    ];
    import_and_rerun(&file, None, &scenario, &shows);
}

/// Imports `file` (with the key log `keys`) into `scenario`, which must
/// hold each of `shows`, and runs it on openssl-openssl: the capture's
/// outcome must be reproduced there.
fn import_and_rerun(
    file: &Path,
    keys: Option<&std::path::PathBuf>,
    scenario: &Path,
    shows: &[&str],
) {
    let name = file.display().to_string();
    let mut import = vec!["import-capture".to_string(), name.clone()];
    if let Some(keys) = keys {
        import.extend(["--keylog".into(), keys.display().to_string()]);
    }
    import.extend(["-o".into(), scenario.display().to_string()]);
    let args: Vec<&str> = import.iter().map(String::as_str).collect();
    support::check_status(&support::tls_harness(&args), exit_codes::OK);
    let text = std::fs::read_to_string(scenario).expect("the scenario file");
    for line in shows {
        assert!(text.contains(line), "{name}: no `{line}` in\n{text}");
    }
    let scenario = scenario.display().to_string();
    let run = support::tls_harness(&["run", &scenario, "--pairing", "openssl-openssl"]);
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && said.contains("1 as expected"),
        "{name}: the capture's outcome is not reproduced on openssl-openssl:\n{said}\n{text}"
    );
}

/// curl asking `s_server -www` for its page at peer.test, trusting
/// `trusted`, writing its key log to `keys` (SSLKEYLOGFILE).
fn curl_command(port: u16, trusted: &Path, keys: &Path) -> Result<Command, String> {
    let curl = CURL.find().ok_or("no curl")?;
    let mut command = Command::new(curl);
    command
        .args([
            "-s",
            "-o",
            "/dev/null",
            "--max-time",
            "5",
            "--http1.1",
            "--cacert",
        ])
        .arg(trusted)
        .args(["--resolve", &format!("peer.test:{port}:127.0.0.1")])
        .arg(format!("https://peer.test:{port}/"))
        .env("SSLKEYLOGFILE", keys);
    Ok(command)
}

/// Captures one `s_client` → `s_server` connection of `case` with
/// dumpcap: the capture file; `Err` when dumpcap cannot capture here.
fn capture_openssl(
    openssl: &Path,
    dumpcap: &Path,
    dir: &TempDir,
    other: &Path,
    case: &Captured,
) -> Result<std::path::PathBuf, String> {
    let (_server, port) = support::peer::do_s_server(openssl, dir, case.server);
    let file = dir.join(format!("{}.pcapng", case.name));
    let mut capture = Dumpcap::start(dumpcap, port, &file)?;
    let trusted = match case.trusted {
        true => dir.join("ca.pem"),
        false => other.to_path_buf(),
    };
    let keys = dir.join(format!("{}.keys", case.name));
    let mut client = match case.curl {
        true => curl_command(port, &trusted, &keys)?,
        false => Command::new(openssl),
    };
    if case.curl {
        if !case.keylog {
            client.env_remove("SSLKEYLOGFILE");
        }
    } else {
        client
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args([
                "-servername",
                "peer.test",
                "-verify",
                "5",
                "-verify_return_error",
            ])
            .arg("-CAfile")
            .arg(&trusted)
            .args(case.client);
        if case.keylog {
            client.arg("-keylogfile").arg(&keys);
        }
    }
    let child = client
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("s_client");
    wait_for(child, Duration::from_secs(10));
    capture.whole_connection(&file, port)?;
    Ok(file)
}

// ---- captures put together here ----

/// A TLS 1.3 hello from rustls, made once.
fn sample_flight() -> &'static [u8] {
    static FLIGHT: OnceLock<Vec<u8>> = OnceLock::new();
    FLIGHT.get_or_init(|| {
        let profile = &catalog().profiles["api-client-modern"];
        do_client_flight(profile, Backend::Rustls, false, &make_pki(&catalog().cas))
    })
}

/// The length of the first record (the hello) of a flight, header included.
fn hello_record(flight: &[u8]) -> &[u8] {
    let len = usize::from(u16::from_be_bytes([flight[3], flight[4]]));
    &flight[..5 + len]
}

/// TCP segments of `payload` from client to server (and a SYN first),
/// each `segment` bytes long, as Ethernet frames; `order` permutes them.
fn make_frames(payload: &[u8], segment: usize, ipv6: bool, order: &[usize]) -> Vec<Vec<u8>> {
    let isn = 4_000_000_000u32; // wraps inside the stream
    let builder = |seq: u32, syn: bool| {
        let b = PacketBuilder::ethernet2([1; 6], [2; 6]);
        let b = if ipv6 {
            b.ipv6([0xFE; 16], [0xFD; 16], 64)
        } else {
            b.ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        };
        let b = b.tcp(50_000, 443, seq, 65_535);
        if syn {
            b.syn()
        } else {
            b.ack(1)
        }
    };
    let mut frames = Vec::new();
    let syn = builder(isn, true);
    let mut frame = Vec::new();
    syn.write(&mut frame, &[]).expect("frame");
    frames.push(frame);
    let chunks: Vec<&[u8]> = payload.chunks(segment).collect();
    for &i in order {
        let seq = isn.wrapping_add(1).wrapping_add((i * segment) as u32);
        let mut frame = Vec::new();
        builder(seq, false)
            .write(&mut frame, chunks[i])
            .expect("frame");
        frames.push(frame);
    }
    frames
}

/// Ethernet frames re-framed for another link type: Linux cooked capture
/// v1 and v2, BSD loopback, raw IP.
fn relink(frames: &[Vec<u8>], link: DataLink) -> Vec<Vec<u8>> {
    frames
        .iter()
        .map(|f| {
            let (ether_type, ip) = (&f[12..14], &f[14..]);
            let header: Vec<u8> = match link {
                DataLink::LINUX_SLL => [&[0, 4, 0, 1, 0, 6][..], &[1; 8], ether_type].concat(),
                DataLink::LINUX_SLL2 => [ether_type, &[0; 6], &[0, 1, 4, 6], &[1; 8]].concat(),
                DataLink::NULL if ether_type == [0x86, 0xDD] => 10u32.to_le_bytes().to_vec(),
                DataLink::NULL => 2u32.to_le_bytes().to_vec(),
                _ => Vec::new(),
            };
            [header.as_slice(), ip].concat()
        })
        .collect()
}

fn make_pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    make_pcap_of(frames, DataLink::ETHERNET)
}

fn make_pcap_of(frames: &[Vec<u8>], link: DataLink) -> Vec<u8> {
    let header = PcapHeader {
        datalink: link,
        ..PcapHeader::default()
    };
    let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap");
    for f in frames {
        writer
            .write_packet(&PcapPacket::new(Duration::ZERO, f.len() as u32, f))
            .expect("packet");
    }
    writer.into_writer()
}

fn make_pcapng(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut writer = PcapNgWriter::new(Vec::new()).expect("pcapng");
    let interface = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 0,
        options: vec![],
    };
    writer.write_pcapng_block(interface).expect("interface");
    for f in frames {
        let packet = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::ZERO,
            original_len: f.len() as u32,
            data: f.as_slice().into(),
            options: vec![],
        };
        writer.write_pcapng_block(packet).expect("packet");
    }
    writer.into_inner()
}

#[test]
fn import_capture_refuses_what_it_cannot_reproduce_with_the_bad_input_status() {
    let dir = TempDir::new("import-capture-bad");
    let frames = make_frames(hello_record(sample_flight()), 100, false, &[0, 1, 2]);
    let whole = make_pcapng(&frames);
    let cases: [(&str, Vec<u8>, &[&str], &str); 4] = [
        (
            "truncated.pcapng",
            whole[..60].to_vec(),
            &[],
            "the file ends inside it (truncated)",
        ),
        (
            "hello-only.pcapng",
            whole.clone(),
            &[],
            "connection 1 of 1: TCP 10.0.0.1:50000 → 10.0.0.2:443: the server sent nothing",
        ),
        (
            "one.pcapng",
            whole,
            &["--stream", "2"],
            "--stream 2: the capture holds 1 TLS connection(s), numbered from 1",
        ),
        (
            "hello.hex",
            hex::encode(sample_flight()).into_bytes(),
            &[],
            "not a pcap or pcapng file (its first bytes read as hex)",
        ),
    ];
    for (name, bytes, extra, says) in cases {
        let file = dir.join(name);
        std::fs::write(&file, bytes).expect("input");
        let out = harness_command()
            .arg("import-capture")
            .arg(&file)
            .args(extra)
            .output()
            .expect("run");
        support::check_status(&out, exit_codes::BAD_INPUT);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: wrote {:?}", out.stdout);
    }
}

#[test]
fn a_hello_over_reordered_and_retransmitted_segments_is_put_back_together() {
    let flight = sample_flight();
    let want = import(flight, None, "flight").expect("flight").hello;
    let n = hello_record(flight).len().div_ceil(100);
    // Last segment first, and the second sent twice.
    let mut order: Vec<usize> = (0..n).rev().collect();
    assert!(n >= 2, "the hello fits one segment");
    order.push(1);
    for ipv6 in [false, true] {
        let frames = make_frames(hello_record(flight), 100, ipv6, &order);
        for (bytes, format) in [
            (make_pcap(&frames), InputFormat::Pcap),
            (make_pcapng(&frames), InputFormat::Pcapng),
        ] {
            let got = import(&bytes, None, "capture").expect("the capture's hello");
            assert_eq!(got.format, format);
            assert_eq!(got.hello, want, "ipv6 {ipv6}, {format}");
            let from = if ipv6 {
                "[fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe]:50000"
            } else {
                "10.0.0.1:50000"
            };
            assert!(
                got.origin.starts_with(&format!("capture, TCP {from} → ")),
                "{}",
                got.origin
            );
        }
    }
}

/// Two connections one after the other from the same client port to the
/// same server (a port reused, as a client that binds its port does): two
/// connections, each with its own hello, the second labelled as such.
/// Before, they were one stream, the second hello's bytes taken for
/// retransmissions of the first's.
#[test]
fn a_reused_port_keeps_its_connections_apart() {
    let first = hello_record(sample_flight()).to_vec();
    let uccx = &catalog().profiles["uccx-11-5-1-su1-client"];
    let flight = do_client_flight(uccx, Backend::OpenSsl, false, &make_pki(&catalog().cas));
    let second = hello_record(&flight).to_vec();
    assert_ne!(first, second);
    let in_order = |hello: &[u8]| (0..hello.len().div_ceil(100)).collect::<Vec<_>>();
    let frames = [
        make_frames(&first, 100, false, &in_order(&first)),
        make_frames(&second, 100, false, &in_order(&second)),
    ]
    .concat();
    let found = tls_harness::import::connections(&make_pcap(&frames), false).expect("read");
    let sent: Vec<(String, Vec<u8>)> = found
        .connections
        .iter()
        .map(|c| {
            let client = c.chunks.iter().filter(|(side, _)| *side == Side::Client);
            (
                c.label.clone(),
                client.flat_map(|(_, b)| b.clone()).collect(),
            )
        })
        .collect();
    let label = "TCP 10.0.0.1:50000 → 10.0.0.2:443";
    assert_eq!(
        sent,
        [
            (label.to_string(), first),
            (format!("{label} (connection 2 on these ports)"), second)
        ]
    );
}

#[test]
fn captures_on_cooked_loopback_and_raw_ip_links_are_read() {
    let flight = sample_flight();
    let want = import(flight, None, "flight").expect("flight").hello;
    let n = hello_record(flight).len().div_ceil(500);
    for ipv6 in [false, true] {
        let frames = make_frames(hello_record(flight), 500, ipv6, &(0..n).collect::<Vec<_>>());
        for link in [
            DataLink::LINUX_SLL,
            DataLink::LINUX_SLL2,
            DataLink::NULL,
            DataLink::RAW,
        ] {
            let capture = make_pcap_of(&relink(&frames, link), link);
            let got = import(&capture, None, "capture").unwrap_or_else(|e| panic!("{link:?}: {e}"));
            assert_eq!(got.hello, want, "{link:?}, ipv6 {ipv6}");
        }
    }
}

#[test]
fn a_capture_with_a_gap_or_no_hello_says_what_it_holds() {
    let flight = hello_record(sample_flight());
    let n = flight.len().div_ceil(100);
    let gap: Vec<usize> = (0..n).filter(|i| *i != 1).collect();
    let bytes = make_pcapng(&make_frames(flight, 100, false, &gap));
    let err = import(&bytes, None, "gap.pcapng").unwrap_err();
    assert!(
        matches!(&err, ImportError::Records { message, .. } if message.contains("truncated")),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("gap.pcapng, TCP 10.0.0.1:50000 → 10.0.0.2:443: byte "),
        "{err}"
    );
    let bytes = make_pcap(&make_frames(b"GET / HTTP/1.0\r\n\r\n", 100, false, &[0]));
    let err = import(&bytes, None, "http.pcap").unwrap_err();
    assert_eq!(
        err.to_string(),
        "http.pcap: no TCP payload with a TLS handshake record (2 packets)"
    );
}

// ---- bad input ----

#[test]
fn a_truncated_hello_is_named_with_the_byte_and_the_field() {
    let record = hello_record(sample_flight());
    // Cut inside cipher_suites: record header 5, handshake header 4,
    // version 2, random 32, session id 1 + 32.
    let err = import(&record[..5 + 4 + 2 + 32 + 33 + 3], None, "cut").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cut: byte 3: record truncated: length "),
        "{text}"
    );
    let message = &record[5..];
    let err = import(
        &message[..4 + 2 + 32 + 33 + 3],
        Some(InputFormat::Raw),
        "bare",
    )
    .unwrap_err();
    assert!(
        text_contains(&err, "bare: byte 1: ClientHello truncated: length "),
        "{err}"
    );
    let mut short = message.to_vec();
    let suites_at = 4 + 2 + 32 + 33;
    short[suites_at] = 0xFF;
    let err = import(&short, None, "long-suites").unwrap_err();
    assert!(
        text_contains(&err, &format!("long-suites: byte {suites_at} of the ClientHello: ClientHello truncated: cipher_suites length ")),
        "{err}"
    );
}

fn text_contains(err: &ImportError, part: &str) -> bool {
    err.to_string().contains(part)
}

#[test]
fn foreign_bytes_are_named() {
    let err = import(&[23, 3, 3, 0, 2, 1, 2], None, "appdata").unwrap_err();
    assert_eq!(
        err.to_string(),
        "appdata: byte 0: record type 23 (application_data) where a handshake record (22) or a ClientHello (1) was expected"
    );
    let err = import(b"hello there\n", None, "words").unwrap_err();
    assert_eq!(
        err.to_string(),
        "words: line 1: column 1: `hello` is not hex bytes"
    );
    let err = import(&[], None, "empty").unwrap_err();
    assert_eq!(
        err.to_string(),
        "empty: byte 0: no bytes: the input is empty"
    );
}

/// How a test hello is spoiled.
#[derive(Clone, Debug)]
enum Mutation {
    /// Cut at this point.
    Truncate(prop::sample::Index),
    /// XOR one byte with a non-zero value.
    Flip(prop::sample::Index, u8),
    /// Overwrite a length field of the record or the hello.
    Length(prop::sample::Index, u16),
    /// Other bytes first.
    Prepend(Vec<u8>),
    /// Nothing but these.
    Garbage(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), 1u8..).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<prop::sample::Index>(), any::<u16>()).prop_map(|(i, v)| Mutation::Length(i, v)),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Prepend),
        prop::collection::vec(any::<u8>(), 0..512).prop_map(Mutation::Garbage),
    ]
}

/// The offsets of the 2-byte length fields of a record holding a hello
/// (record length, the low bytes of the handshake length, session id
/// length with the first suite byte, cipher_suites, extensions).
fn length_fields(record: &[u8]) -> Vec<usize> {
    let sid = 5 + 4 + 2 + 32;
    let suites = sid + 1 + usize::from(record[sid]);
    let suites_len = usize::from(u16::from_be_bytes([record[suites], record[suites + 1]]));
    let compression = suites + 2 + suites_len;
    let extensions = compression + 1 + usize::from(record[compression]);
    vec![3, 7, sid, suites, extensions, extensions + 4]
}

fn apply(record: &[u8], m: &Mutation) -> Vec<u8> {
    let mut bytes = record.to_vec();
    match m {
        Mutation::Truncate(i) => bytes.truncate(i.index(record.len())),
        Mutation::Flip(i, x) => bytes[i.index(record.len())] ^= x,
        Mutation::Length(i, v) => {
            let at = *i.get(&length_fields(record));
            bytes[at..at + 2].copy_from_slice(&v.to_be_bytes());
        }
        Mutation::Prepend(head) => bytes.splice(0..0, head.iter().copied()).for_each(drop),
        Mutation::Garbage(g) => bytes = g.clone(),
    }
    bytes
}

/// Import and then the profile: either works or says why, naming the input.
fn check_no_panic(bytes: &[u8], format: Option<InputFormat>) -> Result<String, String> {
    let result = import(bytes, format, "case")
        .and_then(|i| profile_toml(&i, &Identity::default(), catalog()));
    result.map_err(|e| {
        let text = e.to_string();
        assert!(
            text.starts_with("case") && text.len() > "case: ".len() + 10,
            "{text}"
        );
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_hello_is_imported_or_refused_with_a_message(m in mutation()) {
        let record = hello_record(sample_flight());
        let bytes = apply(record, &m);
        let result = check_no_panic(&bytes, Some(InputFormat::Raw));
        if let Mutation::Truncate(_) = m {
            prop_assert!(result.is_err(), "a truncated hello was imported");
        }
        // The same bytes as hex text and inside a capture.
        let _ = check_no_panic(hex::encode(&bytes).as_bytes(), None);
        let frames = make_frames(&bytes, 300, false, &[0, 1, 2, 3, 4, 5][..bytes.len().div_ceil(300).min(6)]);
        let _ = check_no_panic(&make_pcapng(&frames), None);
    }

    #[test]
    fn a_mutated_capture_is_imported_or_refused_with_a_message(
        m in mutation(),
        ng in any::<bool>(),
    ) {
        let record = hello_record(sample_flight());
        let frames = make_frames(record, 200, false, &(0..record.len().div_ceil(200)).collect::<Vec<_>>());
        let capture = if ng { make_pcapng(&frames) } else { make_pcap(&frames) };
        let bytes = match &m {
            // Length fields of the hello are not those of the capture.
            Mutation::Length(i, v) => {
                let mut b = capture.clone();
                let at = i.index(b.len() - 1);
                b[at..at + 2].copy_from_slice(&v.to_be_bytes());
                b
            }
            other => apply(&capture, other),
        };
        let format = if ng { InputFormat::Pcapng } else { InputFormat::Pcap };
        let _ = check_no_panic(&bytes, Some(format));
    }
}

// ---- the command ----

#[test]
fn the_command_writes_a_profile_and_refuses_garbage_with_the_bad_input_status() {
    let dir = TempDir::new("command");
    let input = dir.join("hello.hex");
    std::fs::write(&input, hex::encode(sample_flight())).expect("hex");
    let out = dir.join("profile.toml");
    let status = harness_command()
        .arg("import-hello")
        .arg(&input)
        .args([
            "--id",
            "my-client",
            "--product",
            "acme",
            "--release",
            "2.1",
            "-o",
        ])
        .arg(&out)
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(exit_codes::OK));
    let text = std::fs::read_to_string(&out).expect("the profile");
    assert!(
        text.contains("[profile.my-client]\n") && text.contains("release = \"2.1\""),
        "{text}"
    );
    catalog()
        .parse_scenario_file(&out, &text)
        .expect("the written profile loads");

    let mut child = harness_command()
        .args(["import-hello", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&[0x17, 3, 3, 0, 0])
        .expect("write");
    let output = child.wait_with_output().expect("output");
    assert_eq!(output.status.code(), Some(exit_codes::BAD_INPUT));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("standard input: byte 0: record type 23 (application_data)"),
        "{stderr}"
    );

    let output = harness_command()
        .args(["import-hello", "x", "--input-format", "pdf"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(exit_codes::USAGE));
}

/// Each stack's default signature schemes, as the harness (and the model)
/// take them from `harness/scheme.rs`, are what its real ClientHello sends,
/// in that order: a stack update that changes them fails here.
#[test]
fn default_signature_schemes_are_what_each_stack_sends() {
    let profile = &catalog().profiles["api-client-modern"];
    assert!(profile.handshake.signature_schemes.is_none());
    let pki = make_pki(&catalog().cas);
    for backend in [Backend::Rustls, Backend::OpenSsl, Backend::Jsse] {
        if let Some(why) = unsupported(backend, profile) {
            skip(&format!("{backend}: {why}"));
            continue;
        }
        let flight = do_client_flight(profile, backend, false, &pki);
        let record = hello_record(&flight);
        let hello = tls_harness::hello::parse_client_hello(&record[5..]).expect("a hello");
        let want: Vec<u16> = tls_harness::scheme::effective(backend, None)
            .iter()
            .map(|s| s.code)
            .collect();
        assert_eq!(hello.signature_algorithms, want, "{backend}'s default list");
    }
}

/// An imported hello's groups, signature schemes and ALPN protocols become
/// the profile's keys, in the client's order, and the profile loads with
/// them: the lists the loaded profile holds are the ones the hello sent.
#[test]
fn imported_groups_schemes_and_alpn_are_keys() {
    let mut profile = Profile::clone(&catalog().profiles["api-client-modern"]);
    profile.handshake.alpn = Some(vec!["h2".into(), "http/1.1".into()]);
    let flight = do_client_flight(&profile, Backend::Rustls, false, &make_pki(&catalog().cas));
    let imported = import(&flight, None, "flight").expect("the hello");
    let text = profile_toml(&imported, &Identity::default(), catalog()).expect("a profile");
    for key in [
        "groups = [",
        "key-shares = [",
        "signature-schemes = [",
        "alpn = [\"h2\", \"http/1.1\"]",
    ] {
        assert!(text.contains(key), "no `{key}` in:\n{text}");
    }
    let loaded = catalog()
        .parse_scenario_file(Path::new("imported.toml"), &text)
        .unwrap_or_else(|e| panic!("the imported profile does not load: {e:?}\n{text}"));
    let h = &loaded.profiles[0].handshake;
    let codes = |l: Option<Vec<u16>>| l.unwrap_or_default();
    assert_eq!(
        codes(
            h.groups
                .as_ref()
                .map(|g| g.iter().map(|g| g.code).collect())
        ),
        imported.hello.groups
    );
    assert_eq!(
        codes(
            h.signature_schemes
                .as_ref()
                .map(|s| s.iter().map(|s| s.code).collect())
        ),
        imported.hello.signature_algorithms
    );
    assert_eq!(
        codes(
            h.key_shares
                .as_ref()
                .map(|g| g.iter().map(|g| g.code).collect())
        ),
        imported.hello.key_shares
    );
    assert!(
        !imported.hello.key_shares.is_empty(),
        "rustls sends a key share"
    );
}
