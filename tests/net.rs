//! Real sockets on 127.0.0.1: `probe` of a client profile against `serve`
//! of a server profile gives the outcome `run` gives in memory for the same
//! pair and pairing, as far as the client can see it.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

mod support;

use support::{
    harness_command, make_pki, spawn_serve, start_server, start_server_with, Child, Served,
    TempDir, OPENSSL,
};
use tls_harness::backend::Pairing;
use tls_harness::moment::Moment;
use tls_harness::net::{probe, ProbeError, ProbeOptions, ServeOptions};
use tls_harness::outcome::{ErrorKind, Outcome};
use tls_harness::run::{RunOptions, Runner, Status};
use tls_harness::scenario::Catalog;

/// What the client of a pairing can know of an outcome: the server's own
/// errors and the client certificate it saw stay with the server.
fn client_view(outcome: &Outcome) -> Outcome {
    let mut o = outcome.without_raw();
    match &mut o {
        Outcome::Established(e) => e.client_certificate = None,
        Outcome::IdentityRefused(_) => {}
        Outcome::Failed(f) => f.server_error = None,
    }
    o
}

#[track_caller]
fn check_probe_agrees_with_run(
    catalog: &Catalog,
    client: &str,
    server: &str,
    pairing: Pairing,
) -> Outcome {
    let (c, s) = (&catalog.profiles[client], &catalog.profiles[server]);
    let runner = Runner::new(&catalog.cas, RunOptions::default(), "catalog").expect("runner");
    let run = runner.pair(c, s, &[pairing]).expect("run");
    let Status::Ran {
        outcome: in_memory, ..
    } = &run.pairings[0].status
    else {
        panic!(
            "{client} → {server} on {pairing:?} did not run: {:?}",
            run.pairings[0]
        );
    };
    let pki = make_pki(&catalog.cas);
    let attempts = 1 + u64::from(c.fallback.is_some());
    let Served { addr, log, thread } =
        start_server(s, pairing.server, &pki, attempts, Moment::now());
    let options = ProbeOptions {
        server_name: Some(s.host.clone()),
        trust: Vec::new(),
        at: Moment::now(),
        backend: Some(pairing.client),
        deadline: Duration::from_secs(5),
        pcap: None,
    };
    let probed = probe(c, &pki, &addr.to_string(), &options).expect("probe");
    // A client that did not fall back leaves the server waiting for a
    // second connection that will not come; a last probe ends it.
    if probed.fallback_from.is_none() && attempts == 2 {
        let _ = probe(c, &pki, &addr.to_string(), &options);
    }
    thread.join().expect("server thread");
    assert_eq!(
        client_view(&probed.outcome),
        client_view(in_memory),
        "{client} → {server} on {}",
        pairing.id()
    );
    assert!(!log.lock().unwrap().is_empty(), "the server logged nothing");
    probed.outcome
}

#[test]
fn probe_against_serve_gives_the_in_memory_outcome_for_a_grid_of_catalog_pairs() {
    let catalog = support::catalog();
    let pairs = [
        ("api-client-modern", "uccx-11-6-1-server"),
        ("api-client-legacy-tls10", "uccx-11-6-1-server"),
        ("uccx-11-5-1-client", "salesforce-production"),
        ("api-client-modern", "salesforce-production"),
    ];
    let (mut established, mut failed) = (0, 0);
    for (client, server) in pairs {
        for pairing in Pairing::ALL {
            let (c, s) = (&catalog.profiles[client], &catalog.profiles[server]);
            let at = Moment::now();
            if tls_harness::endpoint::pairing_unsupported(pairing, &c.at(at), &s.at(at)).is_some() {
                continue;
            }
            match check_probe_agrees_with_run(catalog, client, server, pairing) {
                Outcome::Established(_) => established += 1,
                _ => failed += 1,
            }
        }
    }
    assert!(
        established >= 4 && failed >= 2,
        "{established} established and {failed} failed: the grid must hold both"
    );
}

#[test]
fn the_server_log_names_what_the_client_hello_offered() {
    let catalog = support::catalog();
    let pki = make_pki(&catalog.cas);
    let server = &catalog.profiles["uccx-11-6-1-server"];
    let pairing = Pairing::IN_PROCESS[0];
    let Served { addr, log, thread } = start_server(server, pairing.server, &pki, 1, Moment::now());
    let options = ProbeOptions {
        server_name: Some(server.host.clone()),
        trust: Vec::new(),
        at: Moment::now(),
        backend: Some(pairing.client),
        deadline: Duration::from_secs(5),
        pcap: None,
    };
    let client = &catalog.profiles["api-client-modern"];
    probe(client, &pki, &addr.to_string(), &options).expect("probe");
    thread.join().expect("server thread");
    let log = log.lock().unwrap();
    let hello = log[0].client_hello.as_ref().expect("a parsed ClientHello");
    assert_eq!(hello.server_name.as_deref(), Some(server.host.as_str()));
    let offered: Vec<&str> = client.suites.iter().map(|c| c.suite.iana).collect();
    let sent: Vec<&str> = hello.suites.iter().map(String::as_str).collect();
    assert_eq!(
        sent,
        [&offered[..], &["TLS_EMPTY_RENEGOTIATION_INFO_SCSV"]].concat(),
        "the client's suites in its order, then rustls' renegotiation signal"
    );
    assert!(
        matches!(log[0].outcome, Outcome::Established(_)),
        "{:?}",
        log[0].outcome
    );
}

#[test]
fn a_probe_of_a_closed_port_is_unreachable_not_a_failed_handshake() {
    let catalog = support::catalog();
    let pki = make_pki(&catalog.cas);
    // A port that was just free and is closed again.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let options = ProbeOptions {
        server_name: Some("closed.example.com".into()),
        trust: Vec::new(),
        at: Moment::now(),
        backend: None,
        deadline: Duration::from_secs(2),
        pcap: None,
    };
    let client = &catalog.profiles["api-client-modern"];
    match probe(client, &pki, &addr.to_string(), &options) {
        Err(ProbeError::Unreachable { target, .. }) => assert_eq!(target, addr.to_string()),
        other => panic!("expected unreachable, got {other:?}"),
    }
}

/// What a hostile client does once connected.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    /// Sends bytes that are not TLS.
    Garbage,
    /// Says nothing.
    Silent,
    /// Starts a record and stops.
    Stalls,
}

/// Connects to `addr`, plays `hostile`, and then neither sends nor closes
/// until the server has closed the connection (a minute at most, against
/// a hang). The client's own address, as the server's log names it; `None`
/// if it could not connect.
async fn play(hostile: Hostile, addr: SocketAddr) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let me = stream.local_addr().ok()?.to_string();
    match hostile {
        Hostile::Garbage => {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        }
        Hostile::Silent => {}
        // A handshake record header announcing 512 bytes, then ten of them.
        Hostile::Stalls => {
            let _ = stream
                .write_all(&[22, 3, 1, 2, 0, 1, 0, 1, 252, 3, 3, 0, 0, 0, 0])
                .await;
        }
    }
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut rest)).await;
    Some(me)
}

/// Hostile clients among well-formed ones: every well-formed client is
/// served; every hostile connection is logged as failed, and the silent
/// and the stalled, which never send what would end their handshake,
/// with a timeout, no sooner than the deadline. Nothing here depends on how
/// fast the machine is: only the deadline can end a silent client's
/// connection, and it is long enough for any well-formed handshake.
#[test]
fn serve_closes_hostile_clients_at_the_deadline_and_serves_everyone_else() {
    let catalog = support::catalog();
    let pki = make_pki(&catalog.cas);
    let server = &catalog.profiles["uccx-11-6-1-server"];
    let (good, hostile) = (40_u64, 12_u64);
    let pairing = Pairing::IN_PROCESS[0];
    let deadline = Duration::from_secs(2);
    let options = ServeOptions {
        deadline,
        max_connections: Some(good + hostile),
        duration: Some(Duration::from_secs(60)),
        concurrency: 32,
        client_identities: None,
        pcap: None,
    };
    let Served { addr, log, thread } =
        start_server_with(server, pairing.server, &pki, Moment::now(), options);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let kinds = [Hostile::Garbage, Hostile::Silent, Hostile::Stalls];
    let players: Vec<_> = (0..hostile as usize)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            (kind, runtime.spawn(play(kind, addr)))
        })
        .collect();
    let client = &catalog.profiles["api-client-modern"];
    let probe_options = ProbeOptions {
        server_name: Some(server.host.clone()),
        trust: Vec::new(),
        at: Moment::now(),
        backend: Some(pairing.client),
        deadline: Duration::from_secs(5),
        pcap: None,
    };
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    (0..good / 4)
                        .map(|_| {
                            probe(client, &pki, &addr.to_string(), &probe_options)
                                .unwrap()
                                .outcome
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert_eq!(thread.join().unwrap(), good + hostile);
    let players: Vec<(Hostile, String)> = players
        .into_iter()
        .map(|(kind, p)| {
            let peer = runtime.block_on(p).unwrap();
            (kind, peer.expect("a hostile client connects"))
        })
        .collect();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Established(_))),
        "every well-formed client connects"
    );
    let log = log.lock().unwrap();
    assert_eq!(
        log.len() as u64,
        good + hostile,
        "every connection is logged"
    );
    let served = log
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Established(_)))
        .count();
    assert_eq!(served as u64, good, "every well-formed client is served");
    for (kind, peer) in &players {
        let logged = log
            .iter()
            .find(|c| &c.peer == peer)
            .unwrap_or_else(|| panic!("{kind:?} client {peer} is not logged"));
        let Outcome::Failed(failed) = &logged.outcome else {
            panic!("{kind:?} client was not refused: {logged:#?}");
        };
        // The garbage is refused as not TLS (or, on a machine so loaded
        // that the deadline passed before its bytes came, at the deadline).
        if let Hostile::Silent | Hostile::Stalls = kind {
            let cause = failed.server_error.as_ref().map(|e| &e.kind);
            assert_eq!(cause, Some(&ErrorKind::Timeout), "{kind:?}: {logged:#?}");
            assert!(
                logged.duration_ms >= deadline.as_secs_f64() * 1e3,
                "{kind:?} closed before the deadline: {logged:#?}"
            );
        }
    }
}

#[test]
fn the_serve_and_probe_commands_talk_over_a_socket_with_the_written_ca() {
    let mut served = spawn_serve(
        "uccx-11-6-1-server",
        &["--max-connections", "1", "--duration", "30"],
    );
    let addr = served.addr.to_string();
    let probe = harness_command()
        .args(["probe", "api-client-modern", &addr, "--format", "json"])
        .args(["--server-name", "uccx-11-6-1.example.com", "--trust"])
        .arg(&served.ca)
        .output()
        .unwrap();
    assert_eq!(
        probe.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&probe.stdout).unwrap();
    assert_eq!(json["outcome"]["result"], "established");
    assert_eq!(json["chain"][0]["subject"], "uccx-11-6-1.example.com");
    let logged = served.next_connection();
    assert_eq!(logged["outcome"]["result"], "established");
    assert_eq!(
        served.child.0.wait().unwrap().code(),
        Some(0),
        "serve stops after one connection"
    );
    let unreachable = harness_command()
        .args(["probe", "api-client-modern", &addr, "--deadline-ms", "2000"])
        .output()
        .unwrap();
    assert_eq!(
        unreachable.status.code(),
        Some(tls_harness::exit_codes::UNREACHABLE)
    );
}

#[test]
fn scan_names_the_clients_that_break_when_a_server_drops_tls_1_0() {
    use tls_harness::net::{scan, Like, ScanStatus};
    let catalog = support::catalog();
    let pki = make_pki(&catalog.cas);
    let production = &catalog.profiles["salesforce-production"];
    let clients: Vec<_> = [
        "api-client-legacy-tls10",
        "api-client-modern",
        "uccx-10-5-client",
    ]
    .iter()
    .map(|id| catalog.profiles[*id].clone())
    .collect();
    // Salesforce production as it stood the day before it dropped TLS 1.0,
    // compared with the profile as it stands today. Each client runs on
    // each backend that can: 2 + 3 + 2 connections (rustls has no TLS 1.0
    // for the two old clients), twice over.
    let before = Moment::parse("2017-07-21").unwrap();
    let Served { addr, thread, .. } =
        start_server(production, Pairing::IN_PROCESS[3].server, &pki, 14, before);
    let options = ProbeOptions {
        server_name: Some(production.host.clone()),
        trust: Vec::new(),
        at: Moment::now(),
        backend: None,
        deadline: Duration::from_secs(5),
        pcap: None,
    };
    let like = Like {
        profile: production,
        cas: &catalog.cas,
    };
    let rows = |like| -> Vec<(String, &str, Vec<String>)> {
        scan(&clients, &pki, &addr.to_string(), &options, like)
            .into_iter()
            .filter_map(|r| match r.status {
                ScanStatus::Ran {
                    unlike, outcome, ..
                } => {
                    assert!(matches!(*outcome, Outcome::Established(_)), "{outcome:?}");
                    Some((r.client, r.backend.as_str(), unlike.unwrap_or_default()))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        rows(None).len(),
        7,
        "every client connects to the old server"
    );
    let breaks: Vec<(String, &str, Vec<String>)> = rows(Some(like))
        .into_iter()
        .filter(|(_, _, d)| !d.is_empty())
        .collect();
    let why = || vec!["result: model failed, real established".to_string()];
    let legacy = "api-client-legacy-tls10".to_string();
    let uccx = "uccx-10-5-client".to_string();
    assert_eq!(
        breaks,
        [
            (legacy.clone(), "openssl", why()),
            (legacy, "jsse", why()),
            (uccx.clone(), "openssl", why()),
            (uccx, "jsse", why()),
        ]
    );
    thread.join().unwrap();
}

/// The peak resident memory of process `pid`, in KiB (Linux).
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `just flood`: one `serve` process, `TLS_HARNESS_FLOOD` = `GOOD,AT_ONCE,HOSTILE`
/// (default 1000,200,100) well-formed handshakes that many at a time with
/// hostile connections mixed in. Prints handshakes per second and the
/// server's peak memory; asserts that every well-formed handshake completed
/// and every hostile connection was closed.
#[test]
#[ignore = "a load run: `just flood`"]
fn flood_of_handshakes_and_hostile_clients_against_one_serve_process() {
    use tls_harness::endpoint::{Prepared, Setup};
    use tls_harness::outcome::Side;
    let spec = std::env::var("TLS_HARNESS_FLOOD").unwrap_or_else(|_| "1000,200,100".into());
    let n: Vec<usize> = spec
        .split(',')
        .map(|x| x.parse().expect("GOOD,AT_ONCE,HOSTILE"))
        .collect();
    let (good, at_once, hostile) = (n[0], n[1], n[2]);
    let dir = TempDir::new("flood");
    let log = dir.join("connections.jsonl");
    let mut server = spawn_serve(
        "uccx-11-6-1-server",
        &[
            "--duration",
            "300",
            "--deadline-ms",
            "2000",
            "--concurrency",
            &at_once.max(1).to_string(),
            "--log",
            log.to_str().expect("a UTF-8 path"),
        ],
    );
    let addr = server.addr;

    let catalog = support::catalog();
    let pki = make_pki(&catalog.cas);
    let profile = &catalog.profiles["api-client-modern"];
    let setup = Setup {
        profile,
        identities: Vec::new(),
        trust: vec![pki.ca_der("harness-root").unwrap()],
        server_name: "uccx-11-6-1.example.com",
        fallback_scsv: false,
        verify_at: Moment::now(),
    };
    let client = Arc::new(Prepared::new(
        Pairing::IN_PROCESS[0].client,
        Side::Client,
        &setup,
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let established = runtime.block_on(async {
        let slots = Arc::new(tokio::sync::Semaphore::new(at_once));
        let kinds = [Hostile::Garbage, Hostile::Silent, Hostile::Stalls];
        let mut tasks = tokio::task::JoinSet::new();
        let every = ((good + hostile) / hostile.max(1)).max(1);
        for i in 0..good + hostile {
            let (slots, client) = (slots.clone(), client.clone());
            // Hostile connections spread evenly among the good ones.
            let bad = hostile > 0 && i % every == 0 && i / every < hostile;
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                if bad {
                    let _ = play(kinds[i % 3], addr).await;
                    return None;
                }
                let target = addr.to_string();
                let attempt =
                    tls_harness::net::probe::attempt(&client, &target, Duration::from_secs(10));
                Some(matches!(attempt.await, Ok((Outcome::Established(_), _))))
            });
        }
        let mut established = 0;
        while let Some(done) = tasks.join_next().await {
            if done.unwrap() == Some(true) {
                established += 1;
            }
        }
        established
    });
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_memory_kib(server.child.0.id());
    // Stopped as a service manager would, serve finishes and logs the
    // connections in flight before it exits.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &server.child.0.id().to_string()])
        .status();
    assert!(stopped.is_ok_and(|s| s.success()), "kill -TERM serve");
    let status = server.child.0.wait().expect("serve exits");
    assert_eq!(status.code(), Some(0), "serve stops on SIGTERM");
    let logged: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed = logged
        .iter()
        .filter(|c| c["outcome"]["result"] != "established")
        .count();
    eprintln!(
        "flood: {established} of {good} handshakes established in {seconds:.2} s ({:.0} per second, {at_once} at a time), {hostile} hostile connections, {} logged, {failed} of them not established; serve peak memory {} MiB",
        established as f64 / seconds,
        logged.len(),
        peak.map_or("?".to_string(), |k| format!("{:.1}", k as f64 / 1024.0)),
    );
    assert_eq!(established, good, "every well-formed handshake completes");
    assert_eq!(logged.len(), good + hostile, "every connection is logged");
    assert_eq!(
        failed, hostile,
        "every hostile connection is closed and logged as failed"
    );
}

/// SIGTERM (what `timeout`, service managers and container runtimes send)
/// stops `serve` as Ctrl-C does: no new connections, the one in flight
/// finished and logged, exit status 0. The connection is held open by a
/// real client after its handshake, so nothing here waits on a clock.
#[test]
fn sigterm_stops_serve_after_the_connection_in_flight() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let mut serve = spawn_serve("uccx-11-6-1-server", &[]);
    let mut client = Child(
        Command::new(openssl)
            .args(["s_client", "-connect", &serve.addr.to_string(), "-ign_eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("s_client starts"),
    );
    let mut out = BufReader::new(client.0.stdout.take().expect("stdout")).lines();
    // s_client prints its session summary once the handshake is done.
    out.by_ref()
        .map(|l| l.expect("s_client's output"))
        .find(|l| l.starts_with("SSL handshake has read"))
        .expect("s_client completes its handshake");
    // The shell's own kill: no procps needed.
    let term = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", serve.child.0.id())])
        .status()
        .expect("sh runs");
    assert!(term.success());
    let mut stdin = client.0.stdin.take().expect("stdin");
    stdin
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .expect("the request goes");
    let answered = out
        .map(|l| l.expect("s_client's output"))
        .any(|l| l.starts_with("HTTP/1.0 200 OK"));
    assert!(
        answered,
        "serve answered the connection in flight after SIGTERM"
    );
    let logged = serve.next_connection();
    assert_eq!(logged["outcome"]["result"], "established", "{logged}");
    let status = serve.child.0.wait().expect("serve ends");
    assert_eq!(
        status.code(),
        Some(0),
        "serve exits 0 after SIGTERM, not 143"
    );
}
