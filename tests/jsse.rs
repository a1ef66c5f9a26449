//! The JSSE backend: real `SSLEngine`s in a real JVM, on the five pairings
//! with JSSE on a side, through the `run` command; and, with the JDK
//! lookup pointed at nothing, every JSSE pairing reported unsupported with
//! the reason. Without a JDK the tests that need one print `skipped: ...`
//! and pass, except on CI.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use serde_json::Value;
use support::{harness_command, jdk_found, root, write_case};

const JSSE_PAIRINGS: &str =
    r#"["jsse-jsse", "jsse-rustls", "rustls-jsse", "jsse-openssl", "openssl-jsse"]"#;

/// `tls-harness run`, options to follow.
fn harness() -> Command {
    let mut c = harness_command();
    c.arg("run");
    c
}

/// A scenario file of this test binary's, with the JSSE pairings for
/// `PAIRINGS`.
fn scenario_file(name: &str, text: &str) -> PathBuf {
    let text = text.replace("PAIRINGS", JSSE_PAIRINGS);
    write_case("jsse-cases", &format!("{name}.toml"), &text)
}

/// `run FILE --format json`: the exit status and each row as (scenario,
/// pairing, row).
fn run(cmd: &mut Command, file: &Path) -> (Option<i32>, Vec<(String, String, Value)>) {
    let out = cmd
        .arg(file)
        .args(["--format", "json"])
        .output()
        .expect("tls-harness runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "run printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut rows = Vec::new();
    for f in json["files"].as_array().into_iter().flatten() {
        for s in f["scenarios"].as_array().into_iter().flatten() {
            for p in s["pairings"].as_array().into_iter().flatten() {
                rows.push((
                    s["scenario"].as_str().unwrap_or_default().to_string(),
                    p["pairing"].as_str().unwrap_or_default().to_string(),
                    p.clone(),
                ));
            }
        }
    }
    (out.status.code(), rows)
}

const MODERN: &str = r#"
[[scenario]]
id = "modern-client-to-tls12-server"
source = "docs/backends.md#jsse"
client = "api-client-modern"
server = "uccx-11-6-1-server"
pairings = PAIRINGS
expect = { result = "established", version = "1.2", suite = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" }

[[scenario]]
id = "tls10-caller-to-tls12-server"
source = "docs/backends.md#jsse"
client = "api-client-legacy-tls10"
server = "uccx-11-6-1-server"
pairings = ["jsse-jsse", "jsse-openssl", "openssl-jsse"]
expect = { result = "failed", failed-side = "server", alert = "protocol_version" }
"#;

#[test]
fn jsse_pairings_run_real_handshakes_that_hold_and_agree_with_the_model() {
    if !jdk_found() {
        return;
    }
    let file = scenario_file("modern", MODERN);
    let (status, rows) = run(&mut harness(), &file);
    assert_eq!(rows.len(), 8, "{rows:#?}");
    for (scenario, pairing, row) in &rows {
        let ran = &row["ran"];
        assert!(
            ran.is_object(),
            "{scenario} on {pairing} did not run: {row:#}"
        );
        assert_eq!(
            ran["expectation"]["verdict"], "held",
            "{scenario} on {pairing}: {row:#}"
        );
        assert!(
            ran["model"]["disagrees"].is_null(),
            "{scenario} on {pairing}: the model disagrees: {row:#}"
        );
    }
    assert_eq!(status, Some(0));
}

#[test]
fn the_declared_jsse_suites_are_what_the_jvm_supports() {
    use tls_harness::endpoint::jsse::{jsse_suite_name, jvm};
    use tls_harness::suite::JSSE_SUITES as SUITES;
    if !jdk_found() {
        return;
    }
    let jvm = jvm::get().expect("the JVM, started");
    let live: Vec<&str> = jvm
        .suites
        .iter()
        .map(String::as_str)
        .filter(|s| !s.ends_with("_SCSV"))
        .collect();
    let declared: Vec<String> = SUITES.iter().map(|s| jsse_suite_name(s)).collect();
    assert_eq!(live, declared, "JSSE {}", jvm.version);
    // Every declared suite is in the registry, and all fourteen
    // `TLS_ECDH_*` suites are among them (the two 3DES ones included).
    for s in SUITES {
        assert!(
            tls_harness::suite::registry().lookup(s).is_some(),
            "{s} is not in the registry"
        );
    }
    let ecdh = SUITES.iter().filter(|s| s.starts_with("TLS_ECDH_")).count();
    assert_eq!(ecdh, 14, "{SUITES:?}");
    assert!(
        jvm.protocols.iter().any(|p| p == "TLSv1"),
        "{:?}",
        jvm.protocols
    );
}

#[test]
fn without_a_jdk_jsse_pairings_are_unsupported_with_the_reason() {
    let file = scenario_file("no-jdk", MODERN);
    let mut cmd = harness();
    cmd.env("TLS_HARNESS_JAVA", "/nonexistent/java");
    let (status, rows) = run(&mut cmd, &file);
    let real: Vec<_> = rows.iter().filter(|(_, p, _)| p != "reference").collect();
    assert_eq!(real.len(), 8, "{rows:#?}");
    for (scenario, pairing, row) in real {
        let reason = row["unsupported"]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("jsse cannot run: no JDK") && reason.contains("/nonexistent/java"),
            "{scenario} on {pairing}: {row:#}"
        );
    }
    // Nothing ran; the model's reference row stands in, and holds.
    assert_eq!(status, Some(0));
}

#[test]
fn run_gives_every_scenario_the_jsse_rows_and_marks_the_products_own_stacks() {
    if !jdk_found() {
        return;
    }
    let file = root().join("scenarios/broadworks/webex-cti.toml");
    let (status, rows) = run(&mut harness(), &file);
    assert_eq!(status, Some(0), "{rows:#?}");
    for (scenario, pairing, row) in &rows {
        if row.get("ran").is_some() {
            assert_eq!(
                row["ran"]["expectation"]["verdict"], "held",
                "{scenario} {pairing}"
            );
            assert_eq!(row["ran"]["model"], "agrees", "{scenario} {pairing}");
        }
    }
    let jsse_rows = rows.iter().filter(|(_, p, _)| p.contains("jsse"));
    assert_eq!(
        jsse_rows.count(),
        5 * rows.iter().filter(|r| r.1 == "rustls-rustls").count()
    );
    let cti: Vec<_> = rows
        .iter()
        .filter(|(s, _, _)| s == "cti-interface-with-only-static-ecdh-suites")
        .collect();
    let pairings: Vec<&str> = cti.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(pairings.len(), 9, "{pairings:?}");
    // The XSP CTI interface ships JSSE (`stack = "jsse"`); the Webex client
    // names no stack, so every pairing with a JSSE server is faithful.
    for (_, pairing, row) in cti {
        let faithful = pairing.ends_with("-jsse");
        assert_eq!(
            row["products-stacks"].as_bool().unwrap_or(false),
            faithful,
            "{row:#}"
        );
        if faithful {
            assert_eq!(row["ran"]["expectation"]["verdict"], "held", "{row:#}");
            assert_eq!(row["ran"]["model"], "agrees", "{row:#}");
        }
    }
    // No simulated row is left for it: JSSE runs it, and the server refuses
    // (the Webex client offers none of its static-ECDH suites).
    assert!(!pairings.contains(&"reference"), "{pairings:?}");
    for (_, pairing, row) in rows.iter().filter(|(s, p, _)| {
        s == "cti-interface-with-only-static-ecdh-suites" && p.ends_with("-jsse")
    }) {
        assert_eq!(
            row["ran"]["outcome"]["alert"], "handshake_failure",
            "{pairing}: {row:#}"
        );
    }
}

/// Static ECDH, which no other backend implements: an EC certificate with
/// keyAgreement, issued by an RSA CA for ECDH_RSA and by an ECDSA CA for
/// ECDH_ECDSA, completes; at TLS 1.2 so does ECDH_RSA with an ECDSA-signed
/// one.
const STATIC_ECDH: &str = r#"[ca.ec-root]
subject = "EC Root"
key = "ecdsa-p256"

[profile.ecdh-client]
name = "ECDH client"
product = "third-party"
release = "1"
role = "client"
connection = "cti"
versions = ["1.2"]
suites = ["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"]
trust = ["harness-root", "ec-root"]

[profile.ecdh-rsa-server]
name = "ECDH_RSA server"
product = "third-party"
release = "1"
role = "server"
connection = "cti"
host = "server.example.com"
versions = ["1.2"]
suites = ["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }]

[profile.ecdh-ecdsa-server]
name = "ECDH_ECDSA server"
product = "third-party"
release = "1"
role = "server"
connection = "cti"
host = "server.example.com"
versions = ["1.2"]
suites = ["TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]

[[scenario]]
id = "ecdh-rsa"
client = "ecdh-client"
server = "ecdh-rsa-server"
pairings = ["jsse-jsse"]
expect = { result = "established", version = "1.2", server-key = "ecdsa-p256" }

[[scenario]]
id = "ecdh-ecdsa"
client = "ecdh-client"
server = "ecdh-ecdsa-server"
pairings = ["jsse-jsse"]
expect = { result = "established", version = "1.2", server-key = "ecdsa-p256" }

[[scenario]]
id = "ecdh-rsa-suite-with-an-ecdsa-signed-certificate"
client = "ecdh-client"
server = "ecdh-rsa-server-wrong-issuer"
pairings = ["jsse-jsse"]
# At TLS 1.2 the issuer's algorithm is the signature_algorithms' business
# (RFC 5246 §7.4.2 lifts RFC 4492's rule): JSSE takes it, as the model does.
expect = { result = "established", suite = "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256" }

[profile.ecdh-rsa-server-wrong-issuer]
name = "ECDH_RSA server whose EC certificate an EC CA signed"
product = "third-party"
release = "1"
role = "server"
connection = "cti"
host = "server.example.com"
versions = ["1.2"]
suites = ["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]
"#;

#[test]
fn static_ecdh_handshakes_complete_on_jsse_with_the_certificates_they_need() {
    if !jdk_found() {
        return;
    }
    let file = scenario_file("static-ecdh", STATIC_ECDH);
    let (status, rows) = run(&mut harness(), &file);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    for (scenario, _, row) in &rows {
        assert_eq!(
            row["ran"]["expectation"]["verdict"], "held",
            "{scenario}: {row:#}"
        );
        assert_eq!(row["ran"]["model"], "agrees", "{scenario}: {row:#}");
    }
    let suite = |id: &str| {
        rows.iter()
            .find(|(s, _, _)| s == id)
            .map(|(_, _, r)| r["ran"]["outcome"]["suite"]["name"].clone())
    };
    assert_eq!(
        suite("ecdh-rsa").unwrap(),
        "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(
        suite("ecdh-ecdsa").unwrap(),
        "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(status, Some(0));
}

/// Two `run`s share one JVM: the first starts it in the background, the
/// second finds it; with `TLS_HARNESS_SHARED_JVM=0` a run starts its own.
/// The `java` here is a script that logs each start (its process id and
/// arguments) and runs the real one, so this JVM is this test's alone.
#[test]
fn harness_processes_share_one_jvm_unless_told_not_to() {
    use std::os::unix::fs::PermissionsExt;
    if !jdk_found() {
        return;
    }
    let jvm = tls_harness::endpoint::jsse::jvm::locate().expect("java and javac");
    let dir = support::TempDir::new("shared-jvm");
    let starts = dir.join("starts.log");
    let java = dir.join("java");
    std::fs::write(
        &java,
        format!(
            "#!/bin/sh\necho \"$$ $*\" >> {}\nexec {} \"$@\"\n",
            starts.display(),
            jvm.0.display()
        ),
    )
    .expect("the java script");
    std::fs::set_permissions(&java, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::os::unix::fs::symlink(&jvm.1, dir.join("javac")).expect("javac beside it");
    let file = scenario_file("shared", MODERN);
    let run_with = |shared: Option<&str>| {
        let mut cmd = harness();
        cmd.env("TLS_HARNESS_JAVA", &java)
            .args(["--pairing", "jsse-jsse"]);
        if let Some(v) = shared {
            cmd.env("TLS_HARNESS_SHARED_JVM", v);
        }
        let (status, rows) = run(&mut cmd, &file);
        assert_eq!(status, Some(0), "{rows:#?}");
        assert!(
            rows.iter().all(|(_, _, r)| r["ran"].is_object()),
            "{rows:#?}"
        );
    };
    let log = || std::fs::read_to_string(&starts).unwrap_or_default();
    run_with(None);
    run_with(None);
    let shared: Vec<String> = log().lines().map(str::to_string).collect();
    // Kill the shared JVM now, whatever is asserted next.
    for line in &shared {
        let pid = line.split(' ').next().unwrap_or_default();
        let _ = Command::new("kill").arg(pid).status();
    }
    assert_eq!(shared.len(), 1, "one JVM for both runs: {shared:?}");
    assert!(shared[0].contains("Engines --shared"), "{shared:?}");
    run_with(Some("0"));
    let all: Vec<String> = log().lines().map(str::to_string).collect();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all[1].ends_with("Engines"),
        "its own JVM, over its stdin and stdout: {all:?}"
    );
}

/// A handshake with its ping and close costs each JSSE side three JVM
/// round trips at TLS 1.3 and four at TLS 1.0 (1/n-1 split records
/// included): its engine is made with its first turn, and what it writes
/// after the handshake (request and close_notify, or answer) it is handed
/// ahead, so that no turn is spent on them alone. Before: five a side at
/// TLS 1.3, six at TLS 1.0. Counted from the JVM's trace of each request.
#[test]
fn a_jsse_handshake_and_its_ping_take_three_or_four_round_trips_a_side() {
    if !jdk_found() {
        return;
    }
    const CASES: &str = r#"
[profile.c]
name = "Client"
product = "round-trips"
release = "1"
role = "client"
connection = "https"
versions = ["VERSION"]
suites = ["SUITE"]

[profile.s]
name = "Server"
product = "round-trips"
release = "1"
role = "server"
connection = "https"
host = "server.example.com"
versions = ["VERSION"]
suites = ["SUITE"]

[[scenario]]
id = "one-handshake"
client = "c"
server = "s"
pairings = ["PAIRING"]
expect = { result = "established" }
"#;
    for (version, suite, per_side) in [
        ("1.3", "TLS_AES_128_GCM_SHA256", 3),
        ("1.0", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 4),
    ] {
        for (pairing, sides) in [("jsse-jsse", 2), ("jsse-openssl", 1), ("openssl-jsse", 1)] {
            let text = CASES
                .replace("VERSION", version)
                .replace("SUITE", suite)
                .replace("PAIRING", pairing);
            let file = write_case(
                "jsse-cases",
                &format!("trips-{version}-{pairing}.toml"),
                &text,
            );
            let out = harness()
                .env("TLS_HARNESS_SHARED_JVM", "0")
                .env("TLS_HARNESS_JSSE_TRACE", "1")
                .arg(&file)
                .output()
                .expect("tls-harness runs");
            let trace = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{pairing} at {version}: {trace}"
            );
            // Op::Open = 3 and Op::Feed = 4 (jvm.rs): an engine's turns.
            let turns = trace
                .lines()
                .filter(|l| *l == "jsse request 3" || *l == "jsse request 4")
                .count();
            assert_eq!(
                turns,
                per_side * sides,
                "{pairing} at TLS {version}: {turns} turns"
            );
        }
    }
}
