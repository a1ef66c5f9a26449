//! tshark checks the harness: every shipped scenario is run with captures
//! on, and Wireshark's own dissector, reading the captures, must see what
//! the harness normalised. For each real handshake attempt: the negotiated
//! version (the ServerHello's supported_versions extension at TLS 1.3,
//! else its version) and cipher suite of an established handshake, with
//! its key-exchange group (a finite-field group by size is not compared),
//! the server's signature scheme (ServerKeyExchange or, decrypted,
//! CertificateVerify; not where a CertificateRequest shares the frame,
//! whose list tshark prints under the same field) and ALPN protocol; the
//! fatal alert of a failed one (none when the outcome names none), and
//! the server's certificate wherever the outcome names one: the SHA-256 of
//! the leaf tshark decoded (decrypted, at TLS 1.3) must be the outcome's
//! fingerprint. The keys come only from the captures' Decryption Secrets
//! Block: tshark gets no `-o` option.
//!
//! JSSE exports no secrets, so the TLS 1.3 Certificate of a jsse-jsse
//! capture stays encrypted (tshark must then decode none); and where JSSE
//! received an encrypted alert it does not name (the outcome has no
//! alert), tshark, with the other side's keys, reads exactly one.
//!
//! tshark starts in about 0.2 s, too slow to run once per handshake, so
//! the handshakes of each scenario file are framed into one capture (the
//! same library code as the per-handshake files, a client port each) and
//! tshark reads each file's capture once, several at a time. A second test
//! writes the real per-handshake files as `run --pcap` does and opens a few
//! with a bare `tshark -r FILE`.
//!
//! Without tshark (`apt-get install tshark`) the tests print `skipped:
//! tshark not installed` and pass, except on CI (`CI` set), where they
//! fail: `.ci/run` installs it.

use std::collections::BTreeMap;
use std::net::SocketAddrV4;
use std::path::Path;
use std::process::Command;

mod support;

use support::{catalog, harness_command, root, spawn_serve, TempDir, TSHARK};
use tls_harness::backend::Pairing;
use tls_harness::capture::{self, Conversation, Layout, CLIENT_IP, FIXED_START, SERVER};
use tls_harness::handshake::Handshake;
use tls_harness::keylog::Secrets;
use tls_harness::outcome::Outcome;
use tls_harness::pki;
use tls_harness::run::{run_files, PairingRun, RunOptions, ScenarioRun};
use tls_harness::scenario::{toml_files, ScenarioFile};

/// Every shipped scenario file (the catalog's files are not scenarios).
fn shipped_files() -> Vec<ScenarioFile> {
    let mut paths = toml_files(&root().join("scenarios")).expect("scenarios/ reads");
    paths.retain(|p| !p.starts_with(root().join("scenarios/catalog")));
    paths.sort();
    paths
        .iter()
        .map(|p| {
            catalog()
                .load_scenario_file(p)
                .expect("a shipped file loads")
        })
        .collect()
}

/// Every shipped scenario file run with each handshake's transcript and
/// secrets kept.
fn captured_runs(only: Option<&[Pairing]>) -> Vec<(ScenarioFile, Vec<ScenarioRun>)> {
    let files = shipped_files();
    let options = RunOptions {
        capture: true,
        only: only.map(<[Pairing]>::to_vec),
        ..RunOptions::default()
    };
    let runs = run_files(&files, &options).expect("the shipped scenarios run");
    files.into_iter().zip(runs).collect()
}

/// One handshake attempt and the outcome the harness gave it.
struct Attempt<'a> {
    name: String,
    handshake: &'a Handshake,
    outcome: &'a Outcome,
}

/// Each real attempt of a pairing with its outcome: the first hello's
/// is `fallback_from` when the client retried.
fn attempts<'a>(scenario: &'a ScenarioRun, pairing: &'a PairingRun) -> Vec<Attempt<'a>> {
    let tls_harness::run::Status::Ran {
        outcome,
        fallback_from,
        ..
    } = &pairing.status
    else {
        return Vec::new();
    };
    let outcomes: Vec<&Outcome> = match fallback_from {
        Some(first) => vec![first, outcome],
        None => vec![outcome],
    };
    assert_eq!(
        outcomes.len(),
        pairing.handshakes.len(),
        "{} {}: one kept handshake per attempt",
        scenario.scenario,
        pairing.pairing
    );
    pairing
        .handshakes
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(i, (handshake, outcome))| Attempt {
            name: format!(
                "{} {}{}",
                scenario.scenario,
                pairing.pairing,
                if i == 0 { "" } else { " (fallback)" }
            ),
            handshake,
            outcome,
        })
        .collect()
}

/// What tshark saw of one conversation.
#[derive(Debug, Default)]
struct Seen {
    /// The last ServerHello's version, supported_version and suite.
    server_hello: Option<(u16, Option<u16>, u16)>,
    /// Fatal alerts, in order.
    fatal_alerts: Vec<u8>,
    /// The first certificate of the server's Certificate message (DER).
    server_leaf: Option<Vec<u8>>,
    /// The key-exchange group of the last ServerHello's key_share or of
    /// the ServerKeyExchange's named curve.
    group: Option<u16>,
    /// The scheme of the server's ServerKeyExchange or CertificateVerify;
    /// not read from a flight that also carries a CertificateRequest,
    /// whose list tshark prints under the same field.
    signature: Option<u16>,
    /// A server flight carried a CertificateRequest beside its signature.
    signature_unread: bool,
    /// The ALPN protocol of the ServerHello or EncryptedExtensions.
    alpn: Option<String>,
}

impl Seen {
    fn version(&self) -> Option<u16> {
        self.server_hello
            .map(|(v, supported, _)| supported.unwrap_or(v))
    }
}

const FIELDS: [&str; 12] = [
    "tcp.srcport",
    "tcp.dstport",
    "tls.handshake.type",
    "tls.handshake.version",
    "tls.handshake.extensions.supported_version",
    "tls.handshake.ciphersuite",
    "tls.alert_message.level",
    "tls.alert_message.desc",
    "tls.handshake.extensions_key_share_group",
    "tls.handshake.server_named_curve",
    "tls.handshake.sig_hash_alg",
    "tls.handshake.extensions_alpn_str",
];

/// Runs tshark over `capture` (no options but the fields to print) and
/// gathers what it saw per client port.
fn read_with_tshark(tshark: &Path, capture: &Path) -> BTreeMap<u16, Seen> {
    let mut command = Command::new(tshark);
    command
        .arg("-r")
        .arg(capture)
        .args(["-Y", "tls", "-T", "fields"]);
    command.args([
        "-E",
        "separator=|",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=;",
    ]);
    for field in FIELDS.iter().chain(["tls.handshake.certificate"].iter()) {
        command.args(["-e", field]);
    }
    let output = command.output().expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark failed on {}: {}",
        capture.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut seen: BTreeMap<u16, Seen> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let cells: Vec<&str> = line.split('|').collect();
        let list = |i: usize| -> Vec<&str> {
            cells
                .get(i)
                .map(|c| c.split(';').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
        let (Some(src), Some(dst)) = (number_dec(&list(0)), number_dec(&list(1))) else {
            continue;
        };
        let from_server = src == SERVER.port();
        let entry = seen.entry(if from_server { dst } else { src }).or_default();
        let types = list(2);
        if from_server && types.contains(&"2") {
            let versions = list(3);
            let version = versions.first().and_then(|v| hex(v));
            let supported = list(4).last().and_then(|v| hex(v));
            let suite = list(5).last().and_then(|v| hex(v));
            if let (Some(version), Some(suite)) = (version, suite) {
                entry.server_hello = Some((version, supported, suite));
            }
        }
        for (level, desc) in list(6).iter().zip(list(7)) {
            if *level == "2" {
                entry.fatal_alerts.extend(desc.parse::<u8>().ok());
            }
        }
        if from_server {
            read_negotiated(entry, &types, &list);
        }
        if from_server && types.contains(&"11") && entry.server_leaf.is_none() {
            entry.server_leaf = list(FIELDS.len())
                .first()
                .and_then(|c| hex::decode(c.replace(':', "")).ok());
        }
    }
    seen
}

/// The group, signature scheme and ALPN protocol of one server frame.
fn read_negotiated<'a>(entry: &mut Seen, types: &[&str], list: &impl Fn(usize) -> Vec<&'a str>) {
    let hex = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    if types.contains(&"2") {
        if let Some(group) = list(8).last().and_then(|g| g.parse().ok()) {
            entry.group = Some(group);
        }
    }
    if let Some(curve) = list(9).first().and_then(|c| hex(c)) {
        entry.group = Some(curve);
    }
    if types.contains(&"12") || types.contains(&"15") {
        if types.contains(&"13") {
            entry.signature_unread = true;
        } else {
            entry.signature = list(10).first().and_then(|s| hex(s));
        }
    }
    if types.contains(&"2") || types.contains(&"8") {
        if let Some(alpn) = list(11).first() {
            entry.alpn = Some((*alpn).to_string());
        }
    }
}

fn number_dec(list: &[&str]) -> Option<u16> {
    list.first().and_then(|s| s.parse().ok())
}

/// Where tshark's view of `attempt` differs from its outcome.
fn differences(attempt: &Attempt<'_>, seen: Option<&Seen>) -> Vec<String> {
    let silent = attempt.handshake.transcript.chunks().is_empty();
    let Some(seen) = seen else {
        // A client that failed before its hello (its configuration) sent
        // nothing: there is nothing for tshark to see.
        return match (silent, attempt.outcome) {
            (true, Outcome::Failed(f)) if f.alert.is_none() => Vec::new(),
            _ => vec!["tshark saw no TLS".into()],
        };
    };
    let mut out = Vec::new();
    let (established, alert) = match attempt.outcome {
        Outcome::Established(e) => (Some(e), None),
        Outcome::IdentityRefused(r) => (Some(&r.handshake), None),
        Outcome::Failed(f) => (None, f.alert.map(|a| a.0)),
    };
    if let Some(e) = established {
        let suite = u16::from_str_radix(e.suite.code.trim_start_matches("0x"), 16).ok();
        if seen.version() != Some(e.version.wire()) || seen.server_hello.map(|h| h.2) != suite {
            out.push(format!(
                "tshark saw ServerHello {:?}, the outcome says {} {}",
                seen.server_hello, e.version, e.suite.code
            ));
        }
        if !seen.fatal_alerts.is_empty() {
            out.push(format!("tshark saw fatal alerts {:?}", seen.fatal_alerts));
        }
        // Without keys (jsse-jsse) a TLS 1.3 flight stays encrypted.
        let unread = seen.version() == Some(0x0304) && attempt.handshake.secrets.is_empty();
        out.extend(negotiated_differences(e, seen, unread));
    } else if seen.fatal_alerts.first().copied() != alert {
        out.push(format!(
            "tshark saw fatal alerts {:?}, the outcome says {alert:?}",
            seen.fatal_alerts
        ));
    }
    let named = attempt
        .outcome
        .server_certificate()
        .and_then(|p| p.fingerprint.clone());
    let decoded = seen.server_leaf.as_deref().map(pki::fingerprint);
    let tls13 = seen.version() == Some(0x0304);
    if tls13 && attempt.handshake.secrets.is_empty() {
        // JSSE exports no secrets: a jsse-jsse TLS 1.3 capture has no keys,
        // and its Certificate stays encrypted.
        if decoded.is_some() {
            out.push("tshark decrypted a TLS 1.3 Certificate without keys".into());
        }
    } else if named.is_some() && named != decoded {
        out.push(format!(
            "the outcome names certificate {named:?}, tshark decoded {decoded:?}{}",
            if tls13 { " (TLS 1.3: decrypted)" } else { "" }
        ));
    }
    out
}

/// Where tshark's group, signature scheme and ALPN protocol differ from an
/// established outcome's. A finite-field group (`dh-2048`) is named by
/// size only and not compared; nor is ALPN in a TLS 1.3 flight tshark has
/// no keys for.
fn negotiated_differences(
    e: &tls_harness::outcome::Established,
    seen: &Seen,
    encrypted_unread: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let group = seen.group.map(tls_harness::group::name_of);
    if !e.group.as_deref().is_some_and(|g| g.starts_with("dh-")) && group != e.group {
        out.push(format!(
            "tshark saw group {group:?}, the outcome says {:?}",
            e.group
        ));
    }
    let signature = seen.signature.map(tls_harness::scheme::name_of);
    if !seen.signature_unread && signature != e.signature_scheme {
        out.push(format!(
            "tshark saw signature scheme {signature:?}, the outcome says {:?}",
            e.signature_scheme
        ));
    }
    if !encrypted_unread && seen.alpn != e.alpn {
        out.push(format!(
            "tshark saw ALPN {:?}, the outcome says {:?}",
            seen.alpn, e.alpn
        ));
    }
    out
}

/// Whether a side of this failure received an alert that came encrypted
/// and that its library does not name (JSSE).
#[test]
fn tshark_sees_every_shipped_handshake_as_the_harness_normalised_it() {
    let Some(tshark) = TSHARK.find() else {
        return;
    };
    let dir = TempDir::new("merged");
    let runs = captured_runs(None);
    // One capture per lane, each holding whole scenario files; client ports
    // count up across them.
    let lanes = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut port = capture::files::FIRST_CLIENT_PORT;
    let mut jobs = Vec::new();
    for (index, group) in runs.chunks(runs.len().div_ceil(lanes)).enumerate() {
        let mut conversations = Vec::new();
        let mut secrets = Secrets::default();
        let mut by_port = Vec::new();
        for s in group.iter().flat_map(|(_, scenarios)| scenarios) {
            for p in &s.pairings {
                for attempt in attempts(s, p) {
                    conversations.push(Conversation {
                        transcript: &attempt.handshake.transcript,
                        client: SocketAddrV4::new(CLIENT_IP, port),
                        server: SERVER,
                        start: FIXED_START,
                    });
                    secrets = secrets.merged(&attempt.handshake.secrets);
                    by_port.push((port, attempt));
                    port += 1;
                }
            }
        }
        let path = dir.join(format!("{index}.pcapng"));
        capture::write_file(&path, &capture::pcapng(&conversations, &secrets))
            .expect("the merged capture is written");
        jobs.push((path, by_port));
    }
    let handshakes: usize = jobs.iter().map(|(_, a)| a.len()).sum();
    assert!(handshakes > 200, "only {handshakes} handshakes ran");
    let started = std::time::Instant::now();
    let seen: Vec<BTreeMap<u16, Seen>> = std::thread::scope(|scope| {
        let lanes: Vec<_> = jobs
            .iter()
            .map(|(path, _)| scope.spawn(|| read_with_tshark(&tshark, path)))
            .collect();
        lanes
            .into_iter()
            .map(|lane| lane.join().expect("a tshark lane"))
            .collect()
    });
    let mut problems = Vec::new();
    let mut tls13_certificates = 0;
    for ((_, by_port), seen) in jobs.iter().zip(&seen) {
        for (port, attempt) in by_port {
            let view = seen.get(port);
            if view.is_some_and(|v| v.version() == Some(0x0304) && v.server_leaf.is_some()) {
                tls13_certificates += 1;
            }
            for d in differences(attempt, view) {
                problems.push(format!("{}: {d}", attempt.name));
            }
        }
    }
    eprintln!(
        "tshark read {handshakes} handshakes in {} captures in {:.1} s; {tls13_certificates} decrypted TLS 1.3 certificates",
        jobs.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "tshark and the harness disagree:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        tls13_certificates > 20,
        "only {tls13_certificates} TLS 1.3 certificates decrypted"
    );
}

/// `tshark -r FILE` and nothing else: its summary lines.
fn bare_tshark(tshark: &Path, file: &Path) -> String {
    let output = Command::new(tshark)
        .arg("-r")
        .arg(file)
        .output()
        .expect("tshark runs");
    assert!(output.status.success(), "tshark -r {}", file.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The first row (and its file) whose attempt `pick` accepts.
fn find_row(
    runs: &[(ScenarioFile, Vec<ScenarioRun>)],
    pick: impl Fn(&PairingRun, &Outcome) -> bool,
) -> (&PairingRun, &str) {
    runs.iter()
        .flat_map(|(_, s)| s)
        .flat_map(|s| s.pairings.iter().map(move |p| (s, p)))
        .find_map(|(s, p)| {
            let ran = attempts(s, p);
            let last = ran.last()?;
            pick(p, last.outcome).then_some((p, p.capture.as_ref()?.file.as_str()))
        })
        .expect("a shipped scenario of that kind")
}

#[test]
fn per_handshake_files_open_with_a_bare_tshark_r() {
    let Some(tshark) = TSHARK.find() else {
        return;
    };
    let dir = TempDir::new("files");
    // The file layout and a bare `tshark -r`: the in-process pairings are
    // enough (the test above reads every pairing's handshakes).
    let mut runs = captured_runs(Some(&Pairing::IN_PROCESS));
    let mut layout = Layout::new(dir.path());
    let mut written = 0;
    for (file, scenarios) in &mut runs {
        written += layout
            .write_file_runs(&file.path, scenarios)
            .expect("the captures are written");
    }
    let kept: usize = runs
        .iter()
        .flat_map(|(_, s)| s)
        .flat_map(|s| &s.pairings)
        .map(|p| p.handshakes.len())
        .sum();
    assert_eq!(written, kept, "one file per handshake attempt");

    let (_, tls13) = find_row(
        &runs,
        |_, o| matches!(o, Outcome::Established(e) if e.version.as_str() == "1.3"),
    );
    let text = bare_tshark(&tshark, Path::new(tls13));
    assert!(text.contains("Client Hello"), "{tls13}:\n{text}");
    assert!(text.contains("Server Hello"), "{tls13}:\n{text}");
    assert!(
        text.contains("Certificate, Certificate Verify, Finished"),
        "{tls13}: the TLS 1.3 Certificate is not decrypted:\n{text}"
    );

    let (_, refused) = find_row(
        &runs,
        |_, o| matches!(o, Outcome::Failed(f) if f.alert.is_some()),
    );
    let text = bare_tshark(&tshark, Path::new(refused));
    assert!(
        text.contains("Alert (Level: Fatal, Description: "),
        "{refused}: no fatal alert:\n{text}"
    );

    let (retried, retry) = find_row(&runs, |p, _| p.handshakes.len() == 2);
    let first = retried
        .capture
        .as_ref()
        .and_then(|c| c.fallback_from.as_deref());
    assert!(retry.ends_with(".fallback.pcapng"), "{retry}");
    for file in [Some(retry), first] {
        let file = file.expect("the first hello's capture is named");
        let text = bare_tshark(&tshark, Path::new(file));
        assert!(text.contains("Client Hello"), "{file}:\n{text}");
    }

    // The same handshakes laid out again make the same bytes, file by file.
    let again = TempDir::new("again");
    let mut layout = Layout::new(again.path());
    let mut twice = runs.clone();
    for (file, scenarios) in &mut twice {
        layout
            .write_file_runs(&file.path, scenarios)
            .expect("the captures are written again");
    }
    let files = |runs: &[(ScenarioFile, Vec<ScenarioRun>)]| -> Vec<String> {
        runs.iter()
            .flat_map(|(_, s)| s)
            .flat_map(|s| &s.pairings)
            .filter_map(|p| p.capture.as_ref())
            .flat_map(|c| c.fallback_from.iter().chain([&c.file]).cloned())
            .collect()
    };
    for (one, two) in files(&runs).iter().zip(files(&twice)) {
        assert_eq!(
            std::fs::read(one).expect("a capture"),
            std::fs::read(&two).expect("its second writing"),
            "{one} differs from {two}"
        );
    }
}

#[test]
fn serve_and_probe_captures_decrypt_the_http_exchange_with_a_bare_tshark_r() {
    let Some(tshark) = TSHARK.find() else {
        return;
    };
    let dir = TempDir::new("live");
    let serve_pcap = dir.join("serve");
    let serve_pcap = serve_pcap.to_str().expect("a UTF-8 path");
    let mut served = spawn_serve(
        "uccx-11-6-1-server",
        &[
            "--max-connections",
            "1",
            "--duration",
            "30",
            "--pcap",
            serve_pcap,
        ],
    );
    let addr = served.addr.to_string();
    let probe = harness_command()
        .args(["probe", "api-client-modern", &addr, "--format", "json"])
        .args(["--server-name", "uccx-11-6-1.example.com", "--trust"])
        .arg(&served.ca)
        .arg("--pcap")
        .arg(dir.join("probe"))
        .output()
        .expect("probe runs");
    assert_eq!(probe.status.code(), Some(0), "{probe:?}");
    let probed: serde_json::Value = serde_json::from_slice(&probe.stdout).expect("JSON");
    let logged = served.next_connection();
    let port = served.addr.port();
    let served_file = logged["capture"].as_str().expect("serve names its capture");
    assert!(
        served_file.ends_with(".pcapng") && served_file.contains("000001-127.0.0.1_"),
        "{served_file}"
    );
    let probed_file = probed["capture"]["file"]
        .as_str()
        .expect("probe names its capture");
    for file in [served_file, probed_file] {
        let text = bare_tshark(&tshark, Path::new(file));
        assert!(text.contains("Client Hello"), "{file}:\n{text}");
        assert!(
            text.contains("GET / HTTP/1.0"),
            "{file} (server on port {port}): the exchange is not decrypted:\n{text}"
        );
    }
}
