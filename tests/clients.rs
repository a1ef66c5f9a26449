//! The captured real clients of the catalog (scenarios/catalog/real-clients.toml:
//! Chromium, Firefox, curl, Python's ssl, the JDK's HttpClient and
//! gnutls-cli, each made by `import-hello` from its own hello) meet real
//! servers: `serve` of server profiles on each of the three backends
//! (the shipped catalog's and the test's own, tests/tools/clients-catalog),
//! and `openssl s_server` with version, suite, group, signature-scheme,
//! DHE and certificate variations. Every real client runs for real
//! (tests/tools/clients.py), and what it reached (failed, or established
//! with a version, a suite and, where the client names it, a group) must
//! equal:
//!
//! - what `probe` reaches with the client's profile against the same
//!   server, wherever a backend of the harness can send that client's
//!   hello (where none can, probe says why, and the test checks that the
//!   reason is the one docs/real-clients.md gives for that client);
//! - against `serve` of a profile, the negotiation model's prediction for
//!   the client's profile and that server profile, the client taken to
//!   follow the RFCs (or the rules of the stack it is built on) and the
//!   server its backend.
//!
//! A missing client or Python is a printed skip, and a failure on CI,
//! where `.ci/run` installs them.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{json, Value};
use support::peer::{peer_server_of, write_peer_leaves, PeerCert};
use support::{
    catalog, harness_command, make_pki, root, run_tool_script, start_server_with, Child, TempDir,
    Tool, CHROMIUM, CURL, FIREFOX, GNUTLS_CLI, JAVA, OPENSSL, PEERS_PYTHON,
};
use tls_harness::backend::Backend;
use tls_harness::model::{predict, Rules, Stacks};
use tls_harness::moment::Moment;
use tls_harness::net::{ProbeError, ProbeOptions, ServeOptions};
use tls_harness::pki::{CaSpec, Pki};
use tls_harness::run::ad_hoc;
use tls_harness::scenario::{Catalog, Profile};

/// One captured client: its name in tests/tools/clients.py, its catalog
/// profile, the tool it needs, whose rules the model takes it to follow
/// (OpenSSL's for the clients built on it: their security level is part
/// of their profile), and, when no backend can send its hello, the words
/// probe's reason must hold.
struct RealClient {
    name: &'static str,
    profile: &'static str,
    tool: Option<&'static Tool>,
    rules: Rules,
    cannot_probe: Option<&'static str>,
}

const CLIENTS: [RealClient; 6] = [
    RealClient {
        name: "chromium",
        profile: "real-chromium",
        tool: Some(&CHROMIUM),
        // rustls has no CBC or static-RSA suites, OpenSSL 3.0 no ML-KEM.
        rules: Rules::Reference,
        cannot_probe: Some("openssl has no X25519MLKEM768"),
    },
    RealClient {
        name: "firefox",
        profile: "real-firefox",
        tool: Some(&FIREFOX),
        rules: Rules::Reference,
        cannot_probe: Some("openssl has no X25519MLKEM768"),
    },
    RealClient {
        name: "curl",
        profile: "real-curl",
        tool: Some(&CURL),
        rules: Rules::OpenSsl,
        cannot_probe: None,
    },
    RealClient {
        name: "python",
        profile: "real-python",
        tool: None,
        rules: Rules::OpenSsl,
        cannot_probe: None,
    },
    RealClient {
        name: "jdk",
        profile: "real-jdk-httpclient",
        tool: Some(&JAVA),
        rules: Rules::Jsse,
        cannot_probe: None,
    },
    RealClient {
        name: "gnutls",
        profile: "real-gnutls-cli",
        tool: Some(&GNUTLS_CLI),
        rules: Rules::Reference,
        // Two key shares: only JSSE sends those, and JSSE has no CCM.
        cannot_probe: Some("jsse has no TLS_AES_128_CCM_SHA256"),
    },
];

/// Catalog server profiles `serve` runs for the clients: TLS 1.2 only, TLS
/// 1.3 with a required client certificate, TLS 1.0 only, and a
/// self-signed certificate no client trusts.
const SHIPPED: [&str; 4] = [
    "cloud-api-tls12-only",
    "xsp-cti-8012-tls13-only",
    "exchange-2013",
    "uccx-11-5-1-tomcat-self-signed",
];

const OWN_CATALOG: &str = "tests/tools/clients-catalog";

/// The test's own server profiles (tests/tools/clients-catalog), each
/// limiting one thing a client's hello decides; loaded once.
fn own_catalog() -> &'static Catalog {
    static OWN_SERVERS: OnceLock<Catalog> = OnceLock::new();
    OWN_SERVERS.get_or_init(|| Catalog::load(&root().join(OWN_CATALOG)).expect("it loads"))
}

/// `openssl s_server` variations: what each limits, the certificate it
/// serves, its arguments.
const S_SERVERS: [(&str, PeerCert, &[&str]); 10] = [
    ("s_server defaults", PeerCert::Rsa, &[]),
    (
        "TLS 1.2, one AES-256-GCM suite",
        PeerCert::Rsa,
        &["-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"],
    ),
    (
        "TLS 1.2, one CBC suite with SHA-1",
        PeerCert::Rsa,
        &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"],
    ),
    ("secp384r1 alone", PeerCert::Rsa, &["-groups", "P-384"]),
    (
        "x448 or secp521r1 alone",
        PeerCert::Rsa,
        &["-groups", "X448:P-521"],
    ),
    ("ECDSA P-384 certificate", PeerCert::P384, &[]),
    (
        "TLS 1.2 signing with SHA-1 only",
        PeerCert::Rsa,
        &[
            "-tls1_2",
            "-sigalgs",
            "RSA+SHA1",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        ],
    ),
    (
        "TLS 1.2 DHE alone, 2048-bit group",
        PeerCert::Rsa,
        &[
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256",
            "-dhparam",
            "dh2048.pem",
        ],
    ),
    (
        "RSA-1024 certificate",
        PeerCert::Rsa1024,
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
    ),
    (
        "TLS 1.0 alone",
        PeerCert::Rsa,
        &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    ),
];

/// A server the clients meet: what it is, where, and what `serve` runs
/// when it is `serve`.
struct Server {
    label: String,
    host: String,
    port: u16,
    served: Option<Served>,
}

/// A server profile `serve` runs, on which backend, and the CAs of its
/// catalog.
struct Served {
    profile: Arc<Profile>,
    backend: Backend,
    cas: &'static [CaSpec],
}

impl Server {
    fn url(&self) -> String {
        format!("https://{}:{}/", self.host, self.port)
    }
}

/// Serves each of [`SHIPPED`] and every profile of [`own_catalog`] on
/// every backend that can be it, each in a thread of this process: the
/// library's `serve`, which the binary runs (tests/peers.rs meets the
/// binary), with one JVM for every JSSE server rather than one a process.
/// A backend that cannot be a profile is printed with its reason.
fn start_served() -> Vec<Server> {
    let (shipped_pki, own_pki) = (make_pki(&catalog().cas), make_pki(&own_catalog().cas));
    let shipped = SHIPPED.iter().map(|id| (catalog(), &shipped_pki, *id));
    let own = own_catalog().profiles.keys();
    let own = own.map(|id| (own_catalog(), &own_pki, id.as_str()));
    let mut servers = Vec::new();
    for (from, pki, id) in shipped.chain(own) {
        let profile = from.profiles[id].clone();
        for backend in Backend::EVERY {
            if let Some(why) = tls_harness::endpoint::unsupported(backend, &profile) {
                eprintln!("not run: {id} on {backend}: {why}");
                continue;
            }
            let options = ServeOptions {
                deadline: Duration::from_secs(10),
                max_connections: None,
                duration: Some(Duration::from_secs(280)),
                concurrency: 16,
                client_identities: profile.client_identities.clone(),
                pcap: None,
            };
            let serve = start_server_with(&profile, backend, pki, Moment::now(), options);
            servers.push(Server {
                label: format!("serve {id} on {backend}"),
                host: profile.host.clone(),
                port: serve.addr.port(),
                served: Some(Served {
                    profile: profile.clone(),
                    backend,
                    cas: &from.cas,
                }),
            });
        }
    }
    servers
}

/// Starts each of [`S_SERVERS`], with the certificates `dir` holds.
fn start_s_servers(openssl: &Path, dir: &TempDir, guards: &mut Vec<Child>) -> Vec<Server> {
    let mut servers = Vec::new();
    for (label, cert, args) in S_SERVERS {
        let (child, port) = peer_server_of(openssl, dir, cert, args);
        guards.push(child);
        servers.push(Server {
            label: format!("s_server: {label}"),
            host: "peer.test".into(),
            port,
            served: None,
        });
    }
    servers
}

/// One PEM file with every CA a client trusts: the catalogs' and the
/// s_servers' root, each once.
fn trust_file(dir: &TempDir) -> PathBuf {
    let mut ders = vec![
        openssl::x509::X509::from_pem(&std::fs::read(dir.join("ca.pem")).unwrap())
            .and_then(|x| x.to_der())
            .expect("the peer root"),
    ];
    for from in [catalog(), own_catalog()] {
        let pki = make_pki(&from.cas);
        ders.extend(from.cas.iter().map(|ca| pki.ca_der(&ca.id).expect("a CA")));
    }
    let mut pem = Vec::new();
    for der in ders.iter().collect::<BTreeSet<_>>() {
        let x509 = openssl::x509::X509::from_der(der).expect("DER");
        pem.extend(x509.to_pem().expect("PEM"));
    }
    let path = dir.join("trust.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

/// Runs tests/tools/clients.py for `client` against every server, with a
/// deadline: its version and one visit per server.
fn drive(python: &Path, client: &str, trust: &Path, servers: &[&Server]) -> (String, Vec<Value>) {
    let hosts: BTreeSet<_> = servers.iter().map(|s| s.host.clone()).collect();
    let urls: Vec<_> = servers.iter().map(|s| s.url()).collect();
    let job = json!({"trust": trust, "hosts": hosts, "urls": urls});
    let args = ["run".as_ref(), client.as_ref()];
    let answer = run_tool_script(python, "clients.py", &args, &job, Duration::from_secs(240));
    let visits = answer["visits"].as_array().expect("visits").clone();
    assert_eq!(visits.len(), servers.len(), "one visit per server");
    let version = answer["client"].as_str().unwrap_or("?").to_string();
    (version, visits)
}

/// An outcome as the comparison reads it: `failed`, or `established`
/// with version and suite, and the group when `with_group`. Takes a real
/// client's visit, probe's outcome and the model's alike (same keys).
fn gist(outcome: &Value, with_group: bool) -> String {
    if outcome["result"] != "established" {
        return "failed".into();
    }
    let text = |v: &Value| v.as_str().unwrap_or("none").to_string();
    let suite = match &outcome["suite"] {
        Value::Object(s) => text(&s["name"]),
        other => text(other),
    };
    let mut words = vec!["established".into(), text(&outcome["version"]), suite];
    if with_group {
        words.push(text(&outcome["group"]));
    }
    words.join(" ")
}

/// A real client's visit with its group as the harness names it: a
/// TLS 1.2 DHE group crosses the wire as a bare prime, which the harness
/// names by its size (`dh-2048`), where gnutls-cli names a prime it
/// recognises (`ffdhe2048`, RFC 7919) and `CUSTOM2048` another.
fn in_harness_words(visit: &Value) -> Value {
    let mut visit = visit.clone();
    let group = visit["group"].as_str().unwrap_or("");
    let bits = group
        .strip_prefix("ffdhe")
        .or_else(|| group.strip_prefix("CUSTOM"));
    if let (Some(bits), Some("1.2" | "1.1" | "1.0")) = (bits, visit["version"].as_str()) {
        visit["group"] = format!("dh-{bits}").into();
    }
    visit
}

/// `probe` of `profile` against `server` (the library's, in this process,
/// so that JSSE's JVM starts once and not once a probe; `check_scan` runs
/// the binary): its outcome, or why no backend can be that client.
fn probe(profile: &str, server: &Server, trust: &Path) -> Result<Value, String> {
    static PKI: OnceLock<Pki> = OnceLock::new();
    let pki = PKI.get_or_init(|| make_pki(&catalog().cas));
    let pem = std::fs::read(trust).expect("the trust file");
    let anchors = openssl::x509::X509::stack_from_pem(&pem).expect("PEM");
    let options = ProbeOptions {
        server_name: Some(server.host.clone()),
        trust: anchors.iter().map(|x| x.to_der().expect("DER")).collect(),
        at: Moment::now(),
        backend: None,
        deadline: Duration::from_secs(10),
        pcap: None,
    };
    let target = format!("127.0.0.1:{}", server.port);
    match tls_harness::net::probe(&catalog().profiles[profile], pki, &target, &options) {
        Ok(probed) => Ok(serde_json::to_value(&probed.outcome).expect("an outcome is JSON")),
        Err(ProbeError::Unsupported(why)) => Err(why),
        Err(other) => panic!("{profile} against {target}: {other}"),
    }
}

/// The model's outcome for `profile` following `rules` against `served`,
/// the client trusting every CA of the server's catalog, as the real
/// client does.
fn model(profile: &Profile, rules: Rules, served: &Served) -> Value {
    let mut client = profile.clone();
    client.trust = served.cas.iter().map(|c| c.id.clone()).collect();
    let scenario = ad_hoc(&Arc::new(client), &served.profile, &[]);
    let stacks = Stacks {
        client: rules,
        server: served.backend.into(),
    };
    let predicted = predict(&scenario, served.cas, stacks, Moment::now());
    serde_json::to_value(&predicted.outcome).expect("an outcome is JSON")
}

/// What one client did against every server, compared: what it prints,
/// the lines of the pairs that disagree, and how many pairs were
/// compared with probe, with the model, and could not be probed.
struct Checked {
    report: String,
    disagreements: Vec<String>,
    counts: [usize; 3],
}

/// Runs `client` against `servers` and compares each pair ([`Checked`]).
fn check_client(client: &RealClient, python: &Path, trust: &Path, servers: &[&Server]) -> Checked {
    let profile = catalog().profiles[client.profile].clone();
    let mut counts = [0; 3];
    if let Some(expected) = client.cannot_probe {
        // What stops every backend is in the profile, not the server: one
        // server shows it.
        let why = probe(client.profile, servers[0], trust).expect_err("no backend can be it");
        assert!(why.contains(expected), "{}: {why}", client.profile);
        counts[2] += servers.len();
    }
    let (version, visits) = drive(python, client.name, trust, servers);
    let mut report = format!("{} ({version}), profile {}\n", client.name, profile.release);
    let mut disagreements = Vec::new();
    for (server, visit) in servers.iter().zip(&visits) {
        assert_eq!(visit["url"].as_str(), Some(server.url().as_str()));
        let with_group = !visit["group"].is_null();
        let real = gist(&in_harness_words(visit), with_group);
        let mut line = format!("  {:<52} real: {real}", server.label);
        if client.cannot_probe.is_none() {
            let probed = probe(client.profile, server, trust)
                .unwrap_or_else(|why| panic!("{}: probe cannot run it: {why}", client.profile));
            let probed = gist(&probed, with_group);
            line += &format!("; probe: {probed}");
            counts[0] += 1;
            if probed != real {
                disagreements.push(format!("{} vs {}: probe {probed}", client.name, line));
            }
        }
        if let Some(served) = &server.served {
            let predicted = gist(&model(&profile, client.rules, served), with_group);
            line += &format!("; model: {predicted}");
            counts[1] += 1;
            if predicted != real {
                disagreements.push(format!("{} vs {}: model {predicted}", client.name, line));
            }
        }
        if real == "failed" {
            line += &format!(" ({})", visit["error"].as_str().unwrap_or(""));
        }
        report += &line;
        report.push('\n');
    }
    Checked {
        report,
        disagreements,
        counts,
    }
}

/// `scan --clients 'real-*'` runs every captured client against `server`:
/// each on every backend, each that a backend can be reaching what probe
/// reaches, each other one with its reason.
fn check_scan(server: &Server, trust: &Path) {
    let out = harness_command()
        .args(["scan", &format!("127.0.0.1:{}", server.port)])
        .args(["--clients", "real-*", "--server-name", &server.host])
        .args(["--format", "json", "--trust"])
        .arg(trust)
        .output()
        .expect("scan runs");
    let rows: Vec<Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("scan's JSON: {e}: {out:?}"));
    for client in &CLIENTS {
        let mine: Vec<&Value> = rows
            .iter()
            .filter(|r| r["client"] == client.profile)
            .collect();
        assert_eq!(mine.len(), 3, "{}: one row per backend", client.profile);
        let ran: Vec<String> = mine
            .iter()
            .filter_map(|r| r["ran"]["outcome"].as_object())
            .map(|o| gist(&Value::Object(o.clone()), false))
            .collect();
        match client.cannot_probe {
            Some(_) => assert!(ran.is_empty(), "{}: {ran:?}", client.profile),
            None => {
                let probed = probe(client.profile, server, trust).expect("probe runs it");
                assert_eq!(ran, [gist(&probed, false)], "{}", client.profile);
            }
        }
    }
}

/// Where the clients meet their servers: the served ones, the root of
/// the s_servers' certificates, and the trust file with every CA.
struct World<'a> {
    served: &'a [Server],
    dir: &'a TempDir,
    trust: &'a Path,
    openssl: &'a Path,
    python: &'a Path,
}

/// Runs every client at once, each with s_servers of its own (an
/// s_server serves one connection at a time, and a browser may hold one
/// open until it quits): what each came to, in [`CLIENTS`]' order.
fn check_all(world: &World<'_>, clients: &[&RealClient]) -> Vec<Checked> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = clients
            .iter()
            .map(|client| {
                scope.spawn(move || {
                    let mut guards = Vec::new();
                    let s_servers = start_s_servers(world.openssl, world.dir, &mut guards);
                    let servers: Vec<&Server> = world.served.iter().chain(&s_servers).collect();
                    check_client(client, world.python, world.trust, &servers)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[test]
fn captured_clients_reach_what_their_profiles_reach() {
    let (Some(python), Some(openssl)) = (PEERS_PYTHON.find(), OPENSSL.find()) else {
        return;
    };
    let dir = TempDir::new("real-clients");
    write_peer_leaves(&dir, &[PeerCert::Rsa, PeerCert::P384, PeerCert::Rsa1024]);
    let trust = trust_file(&dir);
    let served = start_served();
    let present: Vec<&RealClient> = CLIENTS
        .iter()
        .filter(|c| c.tool.is_none_or(|t| t.find().is_some()))
        .collect();
    let world = World {
        served: &served,
        dir: &dir,
        trust: &trust,
        openssl: &openssl,
        python: &python,
    };
    let checked = check_all(&world, &present);
    let mut counts = [0; 3];
    for c in &checked {
        eprint!("{}", c.report);
        counts = [0, 1, 2].map(|i| counts[i] + c.counts[i]);
    }
    eprintln!(
        "{} servers; {} pairs compared with probe, {} with the model; {} pairs no backend can probe",
        served.len() + S_SERVERS.len(),
        counts[0],
        counts[1],
        counts[2]
    );
    let disagreements: Vec<&str> = checked
        .iter()
        .flat_map(|c| c.disagreements.iter().map(String::as_str))
        .collect();
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    let mut s_guards = Vec::new();
    let s_servers = start_s_servers(&openssl, &dir, &mut s_guards);
    assert!(s_servers[0].label.ends_with("s_server defaults"));
    check_scan(&s_servers[0], &trust);
}
