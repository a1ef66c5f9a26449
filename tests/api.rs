//! Tests of the library and command line that are not one scenario file:
//! bad input, exit statuses, deadlines, garbage from a peer.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{catalog, check_status, jdk_found, make_pki, tls_harness, write_case, TempDir};
use tls_harness::endpoint::{Exchange, Prepared, Setup, SideReport};
use tls_harness::exit_codes;
use tls_harness::handshake::within;
use tls_harness::outcome::{ErrorKind, Side};
use tls_harness::pki::Pki;
use tls_harness::scenario::{InputError, ScenarioFile};
use tls_harness::wire::pipe;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Loads `text` as a scenario file named `case.toml` and returns its one
/// error.
#[track_caller]
fn check_single_error(text: &str) -> InputError {
    let errors = match catalog().parse_scenario_file(Path::new("case.toml"), text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.errors,
    };
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.into_iter().next().unwrap()
}

const GOOD_SCENARIO: &str = r#"
[[scenario]]
id = "ok"
client = "api-client-modern"
server = "uccx-11-6-1-server"
"#;

#[test]
fn good_scenario_parses() {
    let file = catalog()
        .parse_scenario_file(Path::new("case.toml"), GOOD_SCENARIO)
        .unwrap();
    assert_eq!(file.scenarios.len(), 1);
    assert_eq!(file.scenarios[0].server_name, "uccx-11-6-1.example.com");
}

#[test]
fn typo_in_a_key_names_file_line_key_and_the_right_key() {
    let e = check_single_error("[[scenario]]\nid = \"x\"\nclient = \"api-client-modern\"\nsever = \"uccx-11-6-1-server\"\n");
    assert_eq!(e.file, PathBuf::from("case.toml"));
    assert_eq!(e.line, 4, "{}", e.one_line());
    assert!(e.message.contains("unknown field `sever`"), "{}", e.message);
    assert!(
        e.key.as_deref().is_some_and(|k| k.ends_with("sever")),
        "{:?}",
        e.key
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `server`?"));
}

#[test]
fn unknown_suite_suggests_the_nearest_iana_name() {
    let e = check_single_error(
        r#"
[profile.my-client]
name = "x"
product = "x"
release = "1"
role = "client"
connection = "https"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_AES128_GCM_SHA256"]
"#,
    );
    assert_eq!(e.line, 9);
    assert_eq!(e.key.as_deref(), Some("profile.my-client.suites[0]"));
    assert!(e.message.contains("unknown cipher suite"), "{}", e.message);
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`?")
    );
}

/// A profile with `extra` lines after its versions and suites.
fn profile_with(role: &str, extra: &str) -> String {
    format!(
        "\n[profile.p]\nname = \"x\"\nproduct = \"x\"\nrelease = \"1\"\nrole = \"{role}\"\nconnection = \"https\"\nversions = [\"1.3\"]\nsuites = [\"TLS_AES_128_GCM_SHA256\"]\n{extra}\n"
    )
}

#[test]
fn unknown_group_names_its_line_and_the_nearest_group() {
    let e = check_single_error(&profile_with(
        "client",
        r#"groups = ["x25519", "secp256k1"]"#,
    ));
    assert_eq!(e.line, 10);
    assert_eq!(e.key.as_deref(), Some("profile.p.groups[1]"));
    assert!(
        e.message.contains("unknown group `secp256k1`"),
        "{}",
        e.message
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `secp256r1`?"));
}

#[test]
fn a_key_share_outside_the_groups_and_role_keys_of_the_other_role_are_refused() {
    let e = check_single_error(&profile_with(
        "client",
        "groups = [\"x25519\"]\nkey-shares = [\"secp384r1\"]",
    ));
    assert_eq!(e.key.as_deref(), Some("profile.p.key-shares"));
    assert!(
        e.message.contains("not one of the profile's groups"),
        "{}",
        e.message
    );
    let e = check_single_error(&profile_with("server", r#"key-shares = ["x25519"]"#));
    assert!(e.message.contains("only a client profile"), "{}", e.message);
    let e = check_single_error(&profile_with("client", r#"alpn-mismatch = "ignore""#));
    assert!(e.message.contains("only a server profile"), "{}", e.message);
    let e = check_single_error(&profile_with("server", r#"alpn-mismatch = "ignor""#));
    assert_eq!(e.help.as_deref(), Some("did you mean `ignore`?"));
}

#[test]
fn groups_and_alpn_follow_layers_and_dated_changes() {
    let text = profile_with(
        "client",
        "groups = [\"x25519\"]\nalpn = [\"h2\"]\n\n[[profile.p.layer]]\nname = \"system\"\ngroups = [\"secp256r1\"]\nalpn = [\"http/1.1\"]\n\n[[profile.p.change]]\nat = 2030-01-01\ngroups = [\"secp384r1\"]",
    );
    let file = tls_harness::scenario::Catalog::empty()
        .parse_scenario_file(std::path::Path::new("p.toml"), &text)
        .expect("the file loads");
    let p = &file.profiles[0];
    let names = |p: &tls_harness::scenario::Profile| {
        p.handshake
            .groups
            .iter()
            .flatten()
            .map(|g| g.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(p), ["x25519"], "the profile's own level wins");
    assert_eq!(p.alpn(), ["h2"]);
    assert_eq!(
        p.handshake_from,
        [
            ("groups", "profile".to_string()),
            ("alpn", "profile".to_string())
        ]
    );
    assert_eq!(
        p.layers[0].handshake.describe("groups").as_deref(),
        Some("secp256r1")
    );
    let later = p.at(tls_harness::moment::Moment::parse("2031-01-01").expect("a date"));
    assert_eq!(names(&later), ["secp384r1"]);
    assert_eq!(later.alpn(), ["h2"], "a change keeps what it does not set");
}

#[test]
fn unknown_signature_scheme_names_its_line_and_the_nearest_scheme() {
    let e = check_single_error(&profile_with(
        "server",
        r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pss_sha384"]"#,
    ));
    assert_eq!(e.line, 10);
    assert_eq!(e.key.as_deref(), Some("profile.p.signature-schemes[1]"));
    assert!(
        e.message
            .contains("unknown signature scheme `rsa_pss_sha384`"),
        "{}",
        e.message
    );
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `rsa_pss_pss_sha384`?")
    );
    let e = check_single_error(&profile_with(
        "server",
        r#"signature-schemes = ["ed25519", "ED25519"]"#,
    ));
    assert!(e.message.contains("listed twice"), "{}", e.message);
}

#[test]
fn signature_schemes_follow_layers_and_dated_changes() {
    let text = profile_with(
        "client",
        "[[profile.p.layer]]\nname = \"system\"\nsignature-schemes = [\"rsa_pkcs1_sha256\"]\n\n[[profile.p.change]]\nat = 2030-01-01\nsignature-schemes = [\"ecdsa_secp256r1_sha256\"]",
    );
    let file = tls_harness::scenario::Catalog::empty()
        .parse_scenario_file(std::path::Path::new("p.toml"), &text)
        .expect("the file loads");
    let p = &file.profiles[0];
    let names = |p: &tls_harness::scenario::Profile| {
        p.handshake
            .signature_schemes
            .iter()
            .flatten()
            .map(|s| s.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(p),
        ["rsa_pkcs1_sha256"],
        "the layer's value, none below it"
    );
    assert_eq!(
        p.handshake_from,
        [("signature-schemes", "system".to_string())]
    );
    let later = p.at(tls_harness::moment::Moment::parse("2031-01-01").expect("a date"));
    assert_eq!(names(&later), ["ecdsa_secp256r1_sha256"]);
}

#[test]
fn key_size_keys_name_their_line_and_what_is_allowed() {
    let e = check_single_error(&profile_with("server", "dh-bits = 1000"));
    assert_eq!(e.line, 10);
    assert_eq!(e.key.as_deref(), Some("profile.p.dh-bits"));
    assert!(
        e.message.contains("no DHE group of 1000 bits"),
        "{}",
        e.message
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("1024, 1536, 2048, 3072, 4096")),
        "{:?}",
        e.help
    );
    let e = check_single_error(&profile_with("client", "dh-bits = 2048"));
    assert!(e.message.contains("only a server profile"), "{}", e.message);
    let e = check_single_error(&profile_with(
        "client",
        "minimum-key-bits = { rsa = 2048, dsa = 2048 }",
    ));
    assert_eq!(e.line, 10);
    assert!(e.message.contains("dsa"), "{}", e.message);
    let e = check_single_error("\n[ca.old]\nsubject = \"Old\"\nsignature-hash = \"sha-1\"\n");
    assert_eq!(e.key.as_deref(), Some("ca.old.signature-hash"));
    assert!(
        e.message.contains("unknown signature hash `sha-1`"),
        "{}",
        e.message
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `sha1`?"));
}

#[test]
fn key_sizes_follow_layers_and_dated_changes() {
    let text = profile_with(
        "server",
        "dh-bits = 1024\n\n[[profile.p.layer]]\nname = \"system\"\nminimum-key-bits = { rsa = 2048, dh = 2048, ec = 224 }\n\n[[profile.p.change]]\nat = 2030-01-01\ndh-bits = 2048\nminimum-key-bits = { rsa = 1024, dh = 1024, ec = 160 }",
    );
    let file = tls_harness::scenario::Catalog::empty()
        .parse_scenario_file(std::path::Path::new("p.toml"), &text)
        .expect("the file loads");
    let p = &file.profiles[0];
    assert_eq!(p.dh_bits(), 1024);
    let level = |p: &tls_harness::scenario::Profile| {
        p.handshake.minimum_key_bits.and_then(|m| m.openssl_level())
    };
    assert_eq!(level(p), Some(2), "the layer's policy");
    assert_eq!(
        p.handshake_from,
        [
            ("dh-bits", "profile".to_string()),
            ("minimum-key-bits", "system".to_string())
        ]
    );
    assert_eq!(
        p.layers[0]
            .handshake
            .describe("minimum-key-bits")
            .as_deref(),
        Some("rsa = 2048, dh = 2048, ec = 224")
    );
    let later = p.at(tls_harness::moment::Moment::parse("2031-01-01").expect("a date"));
    assert_eq!((later.dh_bits(), level(&later)), (2048, Some(1)));
}

/// What each backend cannot set of the key-size keys, or refuses of its
/// own keys, is unsupported with a reason that says so.
#[test]
fn key_sizes_a_backend_cannot_set_are_unsupported_with_the_reason() {
    use tls_harness::backend::Backend;
    use tls_harness::endpoint::unsupported;
    let load = |role: &str, extra: &str| {
        let file = tls_harness::scenario::Catalog::empty()
            .parse_scenario_file(std::path::Path::new("p.toml"), &profile_with(role, extra))
            .expect("the file loads");
        file.profiles[0].clone()
    };
    let reason =
        |backend, p: &tls_harness::scenario::Profile| unsupported(backend, p).unwrap_or_default();
    let off_level = load("client", "minimum-key-bits = { rsa = 2048 }");
    assert!(reason(Backend::OpenSsl, &off_level).contains("only as a security level"));
    assert_eq!(unsupported(Backend::Rustls, &off_level), None);
    let level2 = "minimum-key-bits = { rsa = 2048, dh = 2048, ec = 224 }";
    assert_eq!(unsupported(Backend::OpenSsl, &load("client", level2)), None);
    let own_small = load(
        "server",
        &format!("{level2}\ncertificate = [{{ key = \"rsa-1024\" }}]"),
    );
    assert!(reason(Backend::OpenSsl, &own_small).contains("ee key too small"));
    assert!(reason(Backend::Rustls, &own_small).contains("under 2048 bits"));
    let old = profile_with("client", level2)
        .replace(r#"versions = ["1.3"]"#, r#"versions = ["1.1", "1.3"]"#)
        .replace(
            r#"suites = ["#,
            r#"suites = ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "#,
        );
    let old = tls_harness::scenario::Catalog::empty()
        .parse_scenario_file(std::path::Path::new("p.toml"), &old)
        .expect("the file loads")
        .profiles[0]
        .clone();
    // It can be set: it then fails TLS 1.0 and 1.1 handshakes (the model's
    // quirks::signs_below_tls12).
    assert_eq!(unsupported(Backend::OpenSsl, &old), None);
    let dhe = "versions = [\"1.2\"]\nsuites = [\"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\"]";
    let small_dh = |extra: &str| {
        let text = format!(
            "\n[profile.p]\nname = \"x\"\nproduct = \"x\"\nrelease = \"1\"\nrole = \"server\"\nconnection = \"https\"\n{dhe}\ndh-bits = 1024\n{extra}\n"
        );
        tls_harness::scenario::Catalog::empty()
            .parse_scenario_file(std::path::Path::new("p.toml"), &text)
            .expect("the file loads")
            .profiles[0]
            .clone()
    };
    assert!(reason(Backend::OpenSsl, &small_dh(level2)).contains("dh key too small"));
    assert_eq!(unsupported(Backend::OpenSsl, &small_dh("")), None);
    if jdk_found() {
        assert!(reason(Backend::Jsse, &small_dh("")).contains("jdk.tls.ephemeralDHKeySize"));
    }
    assert!(reason(
        Backend::Rustls,
        &load("client", "minimum-key-bits = { rsa = 3072 }")
    )
    .contains("rustls sets no minimum keys"));
}

#[test]
fn unknown_profile_id_suggests_a_profile_of_the_right_role() {
    let e = check_single_error(&GOOD_SCENARIO.replace("uccx-11-6-1-server", "uccx-11-6-server"));
    assert_eq!(e.line, 5);
    assert_eq!(e.key.as_deref(), Some("scenario[0].server"));
    assert!(
        e.message
            .contains("unknown server profile `uccx-11-6-server`"),
        "{}",
        e.message
    );
    assert_eq!(
        e.help.as_deref(),
        Some("did you mean `uccx-11-6-1-server`?")
    );
}

#[test]
fn a_client_profile_in_the_server_slot_is_refused() {
    let e = check_single_error(&GOOD_SCENARIO.replace("uccx-11-6-1-server", "uccx-11-6-1-client"));
    assert!(
        e.message.contains("has role client, not server"),
        "{}",
        e.message
    );
}

#[test]
fn enabling_a_version_without_a_suite_for_it_is_a_contradiction() {
    let e = check_single_error(
        r#"
[profile.odd]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "https"
versions = ["1.2", "1.3"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
"#,
    );
    assert!(
        e.message
            .contains("TLS 1.3 is enabled but no listed suite is valid for it"),
        "{}",
        e.message
    );
    assert_eq!(e.line, 9);
}

#[test]
fn an_established_expectation_with_an_alert_is_a_contradiction() {
    let text =
        format!("{GOOD_SCENARIO}expect = {{ result = \"established\", alert = \"unknown_ca\" }}\n");
    let e = check_single_error(&text);
    assert!(
        e.message.contains("contradictory expectation"),
        "{}",
        e.message
    );
}

#[test]
fn server_only_keys_on_a_client_are_refused() {
    let e = check_single_error(
        r#"
[profile.c]
name = "x"
product = "x"
release = "1"
role = "client"
connection = "https"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
client-auth = "require"
"#,
    );
    assert_eq!(e.key.as_deref(), Some("profile.c.client-auth"));
    assert!(
        e.message.contains("applies to servers only"),
        "{}",
        e.message
    );
}

#[test]
fn malformed_toml_is_reported_with_its_line() {
    let e = check_single_error("[[scenario]]\nid = \"x\nclient = 1\n");
    assert_eq!(e.line, 2, "{}", e.one_line());
}

#[test]
fn openssl_suite_names_are_accepted_and_reported_as_written() {
    let legacy = &catalog().profiles["api-client-legacy-tls10"];
    assert_eq!(legacy.suites[0].written, "AES128-SHA");
    assert_eq!(legacy.suites[0].suite.iana, "TLS_RSA_WITH_AES_128_CBC_SHA");
}

// ---- the command line ----

#[test]
fn cli_exits_with_bad_input_status_and_names_file_and_line() {
    let path = write_case(
        "api-cases",
        "typo.toml",
        &GOOD_SCENARIO.replace("client =", "clinet ="),
    );
    let out = tls_harness(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(exit_codes::BAD_INPUT));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("typo.toml:4"), "{stderr}");
    assert!(stderr.contains("did you mean `client`?"), "{stderr}");
    assert!(
        stderr.lines().count() < 25,
        "error should fit one screen:\n{stderr}"
    );
}

#[test]
fn cli_reports_bad_input_as_json_when_asked() {
    let path = write_case(
        "api-cases",
        "unknown-id.toml",
        &GOOD_SCENARIO.replace("api-client-modern", "nobody"),
    );
    let out = tls_harness(&["run", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(exit_codes::BAD_INPUT));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"], "bad-input");
    assert_eq!(json["problems"][0]["key"], "scenario[0].client");
    assert_eq!(json["problems"][0]["line"], 4);
}

#[test]
fn cli_exits_one_when_an_expectation_does_not_hold() {
    let text = format!("{GOOD_SCENARIO}pairings = [\"openssl-openssl\"]\nexpect = {{ result = \"established\", version = \"1.3\" }}\n");
    let out = tls_harness(&[
        "run",
        write_case("api-cases", "wrong.toml", &text)
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(exit_codes::EXPECTATION_FAILED));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("expected version TLS 1.3, got TLS 1.2"),
        "{stdout}"
    );
}

#[test]
fn cli_runs_a_good_file_and_prints_every_pairing() {
    let text =
        format!("{GOOD_SCENARIO}expect = {{ result = \"established\", version = \"1.2\" }}\n");
    let out = tls_harness(&[
        "run",
        write_case("api-cases", "good.toml", &text)
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(exit_codes::OK),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for pairing in tls_harness::backend::Pairing::ALL {
        let id = pairing.id();
        assert!(stdout.contains(&id), "{id} missing:\n{stdout}");
    }
    // Without a JDK the five JSSE rows are reported unsupported.
    let ran = match tls_harness::endpoint::jsse::start_up() {
        Ok(_) => "9 handshakes and 0 simulations: 9 as expected",
        Err(_) => "4 handshakes and 0 simulations: 4 as expected",
    };
    assert!(stdout.contains(ran), "{stdout}");
    assert!(stdout.contains("agrees"), "model column missing:\n{stdout}");
}

#[test]
fn cli_rejects_an_unknown_pairing_as_usage_error() {
    let out = tls_harness(&["run", "--pairing", "rustls-boringssl"]);
    assert_eq!(out.status.code(), Some(exit_codes::USAGE));
}

#[test]
fn cli_lists_profiles_and_scenarios_as_json() {
    let out = tls_harness(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"uccx-11-5-1-su1-server"), "{ids:?}");
    assert!(json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "11-5-1-production-after-cutover"));
}

// ---- peers that misbehave ----

fn make_client_file() -> (ScenarioFile, Pki) {
    let file = catalog()
        .parse_scenario_file(Path::new("case.toml"), GOOD_SCENARIO)
        .unwrap();
    let pki = make_pki(&file.cas);
    (file, pki)
}

/// Runs one backend's client against a raw peer that `peer` plays.
async fn do_client_against<F, Fut>(
    backend: tls_harness::backend::Backend,
    peer: F,
    deadline: Duration,
) -> SideReport
where
    F: FnOnce(tls_harness::wire::Tap) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (file, pki) = make_client_file();
    let scenario = &file.scenarios[0];
    let setup = Setup {
        profile: &scenario.client,
        identities: Vec::new(),
        trust: vec![pki.ca_der("harness-root").unwrap()],
        server_name: &scenario.server_name,
        fallback_scsv: false,
        verify_at: tls_harness::moment::Moment::now(),
    };
    let (client_io, server_io, _) = pipe();
    let client = Prepared::new(backend, Side::Client, &setup);
    let (report, ()) = tokio::join!(
        within(deadline, client.run(client_io, Exchange::Ping)),
        peer(server_io)
    );
    report
}

#[track_caller]
fn check_error(report: &SideReport, want: ErrorKind) {
    let got = report.error().map(|e| &e.kind);
    assert_eq!(got, Some(&want), "{report:?}");
}

/// A peer that takes whatever the client sends and never answers: it
/// neither writes nor closes until the client has gone. Nothing but the
/// client's deadline can end such a handshake, so the test needs no clock
/// of its own, however loaded the machine.
async fn never_answer(mut io: tls_harness::wire::Tap) {
    let mut sent = [0u8; 4096];
    while matches!(io.read(&mut sent).await, Ok(n) if n > 0) {}
}

#[tokio::test]
async fn a_silent_peer_ends_in_a_timeout_not_a_hang() {
    use tls_harness::backend::Backend;
    for backend in Backend::EVERY {
        if backend == Backend::Jsse && !jdk_found() {
            continue;
        }
        let report = do_client_against(backend, never_answer, Duration::from_millis(300)).await;
        check_error(&report, ErrorKind::Timeout);
    }
}

#[tokio::test]
async fn garbage_from_the_peer_is_a_decode_error() {
    for backend in tls_harness::backend::Backend::ALL {
        let report = do_client_against(
            backend,
            |mut io| async move {
                let mut hello = [0u8; 512];
                let _ = io.read(&mut hello).await;
                let _ = io.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                let _ = io.shutdown().await;
            },
            Duration::from_secs(5),
        )
        .await;
        check_error(&report, ErrorKind::DecodeError);
    }
}

#[tokio::test]
async fn a_peer_that_hangs_up_is_peer_closed() {
    for backend in tls_harness::backend::Backend::ALL {
        let report = do_client_against(
            backend,
            |io| async move { drop(io) },
            Duration::from_secs(5),
        )
        .await;
        check_error(&report, ErrorKind::PeerClosed);
        assert!(report.peer_chain.is_empty());
    }
}

#[test]
fn linked_openssl_is_the_snapshot_reference() {
    // Snapshots record alerts that differ between OpenSSL 3.0 and 3.6
    // (docs/backends.md#openssl-30-and-36); the README names Debian's 3.0 as the reference.
    let version = openssl::version::number();
    let (major, minor) = ((version >> 28) & 0xF, (version >> 20) & 0xFF);
    assert_eq!(
        (major, minor),
        (3, 0),
        "snapshots are pinned to OpenSSL 3.0 but {} is linked",
        openssl::version::version()
    );
}

// ---- layered settings and explain-config ----

#[test]
fn explain_config_names_the_level_of_each_setting() {
    let out = tls_harness(&[
        "explain-config",
        "xsp-cti-8012-all-levels",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(exit_codes::OK),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["versions"], serde_json::json!(["1.2"]));
    assert_eq!(json["versions-from"], "CTI interface 8012");
    assert_eq!(json["suites-from"], "all CTI interfaces");
    let levels: Vec<&str> = json["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        [
            "system (JSSE)",
            "system transport (OpenSSL)",
            "all CTI interfaces",
            "CTI interface 8012"
        ]
    );
}

#[test]
fn explain_config_reports_suites_no_backend_implements() {
    // Static DH: in the registry, implemented by none of the three.
    let file = support::write_case(
        "explain-config",
        "static-dh.toml",
        r#"
[profile.static-dh-server]
name = "A static-DH server"
product = "demo"
release = "1"
role = "server"
connection = "https"
host = "dh.example.com"
versions = ["1.2"]
suites = ["TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "rsa-2048", issuer = "self" }]
"#,
    );
    let file = file.to_string_lossy();
    let out = tls_harness(&["explain-config", "static-dh-server", &file]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("implemented by no backend (kept in the configuration, never offered): TLS_DH_RSA_WITH_AES_128_GCM_SHA256\n"),
        "{stdout}"
    );
    // JSSE implements static ECDH: the XSP's default list has nothing that
    // no backend implements.
    let out = tls_harness(&["explain-config", "xsp-cti-8012"]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("system (JSSE)"), "{stdout}");
    assert!(!stdout.contains("implemented by no backend"), "{stdout}");
}

#[test]
fn a_layered_profile_needs_versions_at_some_level() {
    let e = check_single_error(
        r#"
[profile.layered]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "cti"

[[profile.layered.layer]]
name = "system"
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
"#,
    );
    assert_eq!(e.message, "no protocol versions");
    assert!(
        e.help.as_deref().unwrap_or_default().contains("layers"),
        "{:?}",
        e.help
    );
}

#[test]
fn an_overridden_level_is_not_held_to_the_winning_versions() {
    // The system level lists a TLS 1.3 suite; the interface sets both
    // versions and suites for TLS 1.2 only. Only the winning list must fit.
    let text = r#"
[profile.layered]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "cti"

[[profile.layered.layer]]
name = "system"
versions = ["1.3"]
suites = ["TLS_AES_128_GCM_SHA256"]

[[profile.layered.layer]]
name = "interface"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
"#;
    let file = catalog().parse_scenario_file(Path::new("case.toml"), text);
    assert!(
        file.is_ok(),
        "{:?}",
        file.err().map(|e| e
            .errors
            .iter()
            .map(InputError::one_line)
            .collect::<Vec<_>>())
    );
}

#[test]
fn client_only_keys_on_a_server_are_refused() {
    let e = check_single_error(
        r#"
[profile.s]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "https"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
hsts = true
"#,
    );
    assert_eq!(e.key.as_deref(), Some("profile.s.hsts"));
}

#[test]
fn a_certificate_that_ends_before_it_begins_is_refused() {
    let e = check_single_error(
        r#"
[profile.s]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "https"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "rsa-2048", not-before = 2021-01-01, not-after = 2020-01-01 }]
"#,
    );
    assert!(e.message.contains("ends before it begins"), "{}", e.message);
}

#[test]
fn matrix_prints_markdown_and_json_grids() {
    let out = tls_harness(&[
        "matrix",
        "--client",
        "uccx-11-5-1-client",
        "--client",
        "uccx-11-6-1-client",
        "--server",
        "salesforce-*",
        "--at",
        "2018-01-01",
        "--format",
        "markdown",
    ]);
    assert_eq!(
        out.status.code(),
        Some(exit_codes::OK),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("| client \\ server"), "{stdout}");
    assert!(lines[1].starts_with("|--"), "{stdout}");
    let row = lines
        .iter()
        .find(|l| l.starts_with("| uccx-11-5-1-client"))
        .expect("row");
    assert!(row.contains("✗ protocol_version"), "{row}");

    let out = tls_harness(&["matrix", "--support", "socialminer", "--format", "json"]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outbound = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["release"] == "11.5(1)SU1" && r["connection"] == "outbound")
        .expect("SocialMiner 11.5(1)SU1 outbound row");
    // TLS 1.0 is reached only by the retry hello
    // (docs/products/socialminer.md#the-tls-10-fallback).
    assert_eq!(
        outbound["as-client"]["versions"][0],
        serde_json::json!({"version": "1.0", "fallback": true})
    );
}

// ---- the negotiation model on the command line ----

#[test]
fn simulate_adds_a_reference_row_and_checks_expectations() {
    let out = tls_harness(&["simulate", "scenarios/broadworks/webex-cti.toml"]);
    assert_eq!(
        out.status.code(),
        Some(exit_codes::OK),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("reference"), "{stdout}");
    assert!(
        stdout.contains("simulated: server failed: no-shared-cipher, alert handshake_failure"),
        "{stdout}"
    );
    // No handshake ran.
    assert!(stdout.contains(" 0 handshakes and "), "{stdout}");
}

#[test]
fn simulate_fails_an_expectation_the_model_does_not_meet() {
    let path = write_case(
        "api-cases",
        "simulate-wrong.toml",
        r#"
[[scenario]]
id = "tls10-caller-to-11-6"
client = "api-client-legacy-tls10"
server = "uccx-11-6-1-server"
expect = { result = "established" }
"#,
    );
    let out = tls_harness(&["simulate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(exit_codes::EXPECTATION_FAILED));
}

#[test]
fn explain_walks_through_a_static_ecdh_only_interface() {
    let out = tls_harness(&["explain", "cti-interface-with-only-static-ecdh-suites"]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Modelled with the products' own stacks: client by the RFCs (its profile names no stack), server jsse."),
        "{stdout}"
    );
    assert!(
        stdout.contains("TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"),
        "{stdout}"
    );
    assert!(stdout.contains("No suite is left"), "{stdout}");
    assert!(
        stdout.contains("Outcome: server failed: no-shared-cipher, alert handshake_failure (40)"),
        "{stdout}"
    );
}

#[test]
fn explain_a_tls10_client_against_a_tls12_only_server_names_each_stacks_alert() {
    let openssl = tls_harness(&[
        "explain",
        "legacy-tls10-caller-to-11-6-1",
        "--pairing",
        "openssl-openssl",
    ]);
    assert_eq!(openssl.status.code(), Some(exit_codes::OK));
    let text = String::from_utf8_lossy(&openssl.stdout);
    assert!(text.contains("offers TLS 1.0"), "{text}");
    assert!(text.contains("enables TLS 1.2"), "{text}");
    assert!(text.contains("alert protocol_version (70)"), "{text}");

    let rustls = tls_harness(&[
        "explain",
        "legacy-tls10-caller-to-11-6-1",
        "--pairing",
        "openssl-rustls",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&rustls.stdout).unwrap();
    assert_eq!(json["rules"], "openssl-rustls");
    assert_eq!(json["prediction"]["outcome"]["alert"], "handshake_failure");
    assert!(json["prediction"]["steps"].as_array().unwrap().len() >= 3);
}

#[test]
fn a_layered_profile_without_suites_gets_the_system_default_list() {
    let file = catalog()
        .parse_scenario_file(
            Path::new("case.toml"),
            r#"
[profile.bare-interface]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "cti"
host = "xsp.example.com"

[[profile.bare-interface.layer]]
name = "system (JSSE)"
versions = ["1.2"]

[[scenario]]
id = "s"
client = "webex-cti-client"
server = "bare-interface"
"#,
        )
        .unwrap();
    let server = &file.scenarios[0].server;
    assert_eq!(
        server.suites_from,
        tls_harness::scenario::DEFAULT_SUITES_LEVEL
    );
    let names: Vec<&str> = server.suites.iter().map(|s| s.written.as_str()).collect();
    assert_eq!(names, tls_harness::scenario::BROADWORKS_DEFAULT_SUITES);
}

#[test]
fn a_bad_date_names_the_key_without_serde_internals() {
    let e = check_single_error(
        "[[scenario]]\nid = \"x\"\nclient = \"api-client-modern\"\nserver = \"uccx-11-6-1-server\"\nat = \"yesterday\"\n",
    );
    assert_eq!(e.line, 5, "{}", e.one_line());
    let key = e.key.clone().unwrap_or_default();
    assert!(key.ends_with(".at"), "{key}");
    assert!(!key.contains("serde"), "{key}");
}

/// A server profile with a misspelt suite, and a scenario that uses it.
const SUITE_TYPO_FILE: &str = r#"
[profile.typo-server]
name = "x"
product = "x"
release = "1"
role = "server"
connection = "https"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_AES128_GCM_SHA256"]

[[scenario]]
id = "s"
client = "api-client-modern"
server = "typo-server"
"#;

#[test]
fn a_broken_profile_is_one_error_not_also_an_unknown_profile() {
    let e = check_single_error(SUITE_TYPO_FILE);
    assert!(e.message.contains("unknown cipher suite"), "{}", e.message);
}

#[test]
fn cli_exits_with_bad_input_status_for_an_unknown_suite() {
    let path = write_case("api-cases", "unknown-suite.toml", SUITE_TYPO_FILE);
    let out = tls_harness(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(exit_codes::BAD_INPUT));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown-suite.toml:9"), "{stderr}");
    assert!(stderr.contains("profile.typo-server.suites"), "{stderr}");
    assert!(
        stderr.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown server profile"), "{stderr}");
}

#[test]
fn simulate_reports_the_same_settings_and_withheld_certificates_as_run() {
    let file = "scenarios/finesse/agent-experience.toml";
    let json = |command: &str| -> serde_json::Value {
        let out = tls_harness(&[command, "--format", "json", file]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (real, simulated) = (json("run"), json("simulate"));
    let header = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["files"][0]["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| serde_json::json!([s["scenario"], s["withheld"], s["settings-from"]]))
            .collect()
    };
    let real_header = header(&real);
    assert!(
        real_header.iter().any(|h| h[1].is_array()),
        "the file should withhold some certificate: {real_header:?}"
    );
    assert_eq!(real_header, header(&simulated));
}

// ---- the handshake core ----

const TWO_SERVERS: &str = r#"
[profile.two-servers-a]
name = "a"
product = "x"
release = "1"
role = "server"
connection = "https"
host = "a.example.com"
versions = ["1.2", "1.3"]
suites = ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]

[profile.two-servers-b]
name = "b"
product = "x"
release = "1"
role = "server"
connection = "https"
host = "a.example.com"
versions = ["1.2", "1.3"]
suites = ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "harness-root", sans = ["a.example.com"] }]

[[scenario]]
id = "a"
client = "api-client-modern"
server = "two-servers-a"

[[scenario]]
id = "b"
client = "api-client-modern"
server = "two-servers-b"
"#;

/// A prepared endpoint for `role` of `scenario`, issued from `pki`.
fn make_prepared(
    backend: tls_harness::backend::Backend,
    role: Side,
    scenario: &tls_harness::scenario::Scenario,
    pki: &Pki,
) -> Prepared {
    let profile = match role {
        Side::Client => &scenario.client,
        Side::Server => &scenario.server,
    };
    let setup = Setup {
        profile,
        identities: profile
            .leaf_specs()
            .iter()
            .map(|l| pki.issue(l).unwrap())
            .collect(),
        trust: vec![pki.ca_der("harness-root").unwrap()],
        server_name: &scenario.server_name,
        fallback_scsv: false,
        verify_at: tls_harness::moment::Moment::now(),
    };
    Prepared::new(backend, role, &setup)
}

#[tokio::test]
async fn one_prepared_client_serves_concurrent_handshakes_each_seeing_its_own_server() {
    use tls_harness::handshake::in_memory;
    use tls_harness::outcome::Outcome;
    let file = catalog()
        .parse_scenario_file(Path::new("two.toml"), TWO_SERVERS)
        .unwrap();
    let pki = make_pki(&file.cas);
    let [a, b] = [&file.scenarios[0], &file.scenarios[1]];
    for backend in tls_harness::backend::Backend::ALL {
        let client = make_prepared(backend, Side::Client, a, &pki);
        let server_a = make_prepared(backend, Side::Server, a, &pki);
        let server_b = make_prepared(backend, Side::Server, b, &pki);
        let deadline = Duration::from_secs(5);
        let (first, second) = tokio::join!(
            in_memory(&client, &server_a, deadline),
            in_memory(&client, &server_b, deadline)
        );
        let key = |o: &Outcome| match o {
            Outcome::Established(e) => e.server_certificate.as_ref().map(|c| c.leaf.key.clone()),
            other => panic!("{backend}: {other:?}"),
        };
        assert_eq!(
            key(&first.outcome).as_deref(),
            Some("rsa-2048"),
            "{backend}"
        );
        assert_eq!(
            key(&second.outcome).as_deref(),
            Some("ecdsa-p256"),
            "{backend}"
        );
    }
}

#[test]
fn the_binary_copied_to_an_empty_directory_runs_on_its_built_in_catalog() {
    let dir = TempDir::new("portable");
    let bin = dir.join("tls-harness");
    std::fs::copy(env!("CARGO_BIN_EXE_tls-harness"), &bin).unwrap();
    let run = |args: &[&str]| {
        Command::new(&bin)
            .args(args)
            .current_dir(dir.path())
            .env_remove("TLS_HARNESS_CATALOG")
            .output()
            .unwrap()
    };
    let list = run(&["list"]);
    assert_eq!(
        list.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(String::from_utf8_lossy(&list.stdout).contains("uccx-11-6-1-server"));
    assert!(String::from_utf8_lossy(&list.stderr).contains("built-in catalog"));
    // Two pairings suffice here: one in process, one in the JVM (whose Java
    // side is compiled wherever this binary finds itself).
    let runs = run(&[
        "run",
        "--format",
        "json",
        "--pairing",
        "openssl-openssl",
        "--pairing",
        "jsse-jsse",
    ]);
    assert_eq!(
        runs.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&runs.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert!(
        json["files"].as_array().unwrap().len() > 20,
        "every shipped scenario file ran"
    );
    let explain = run(&["explain", "legacy-tls10-caller-to-11-6-1"]);
    assert_eq!(
        explain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&explain.stderr)
    );
    let missing = run(&["list", "--catalog", "no-such-dir"]);
    assert_eq!(missing.status.code(), Some(exit_codes::BAD_INPUT));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("TLS_HARNESS_CATALOG"));
}

// ---- captures ----

/// A directory of its own under target/, emptied first.
fn capture_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("api-captures")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn run_pcap_writes_a_file_per_attempt_and_names_it_in_json_and_markdown() {
    let dir = capture_dir("run");
    let keys = dir.join("keys.log");
    let (pcap, keylog) = (dir.join("pcap"), keys.to_str().unwrap().to_string());
    let out = tls_harness(&[
        "run",
        "scenarios/backends/fallback-scsv.toml",
        "--pcap",
        pcap.to_str().unwrap(),
        "--keylog",
        &keylog,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scenario = &json["files"][0]["scenarios"][0];
    assert_eq!(scenario["scenario"], "scsv-retry-refused-by-newer-server");
    let row = scenario["pairings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p.get("ran").is_some())
        .expect("a pairing that ran");
    let expected = pcap.join("fallback-scsv/scsv-retry-refused-by-newer-server");
    let file = row["capture"]["file"]
        .as_str()
        .expect("the retry's capture");
    let first = row["capture"]["fallback-from"]
        .as_str()
        .expect("the first hello's");
    let pairing = row["pairing"].as_str().unwrap();
    assert_eq!(
        Path::new(file),
        expected.join(format!("{pairing}.fallback.pcapng"))
    );
    assert_eq!(Path::new(first), expected.join(format!("{pairing}.pcapng")));
    for path in [file, first] {
        let bytes = std::fs::read(path).expect("the capture exists");
        assert_eq!(
            &bytes[..4],
            &[0x0A, 0x0D, 0x0D, 0x0A],
            "{path}: a pcapng section"
        );
    }
    let log = std::fs::read_to_string(&keys).expect("the key log");
    // The one handshake of the file that derived keys: TLS 1.0's master
    // secret.
    assert!(log.starts_with("CLIENT_RANDOM "), "{log}");
    for line in log.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        assert_eq!(words.len(), 3, "{line}");
        assert_eq!(words[1].len(), 64, "{line}");
    }

    let out = tls_harness(&[
        "run",
        "scenarios/backends/fallback-scsv.toml",
        "--pcap",
        pcap.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.lines().next().unwrap().contains("| capture"),
        "{table}"
    );
    assert!(
        table.contains(&format!("{first} (first hello), {file}")),
        "{table}"
    );
}

/// The run of the test above without `--pcap`: it succeeds and prints the
/// same scenarios, and no row, not even one that ran a real handshake,
/// names a capture; the table has no capture column.
#[test]
fn run_without_pcap_names_no_capture() {
    let file = "scenarios/backends/fallback-scsv.toml";
    let out = tls_harness(&["run", file, "--format", "json"]);
    check_status(&out, exit_codes::OK);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scenarios = json["files"][0]["scenarios"]
        .as_array()
        .expect("the file's scenarios");
    assert_eq!(
        scenarios[0]["scenario"],
        "scsv-retry-refused-by-newer-server"
    );
    let rows: Vec<&serde_json::Value> = scenarios
        .iter()
        .flat_map(|s| s["pairings"].as_array().expect("its rows"))
        .collect();
    assert!(
        rows.iter().any(|row| row.get("ran").is_some()),
        "a row ran a real handshake, which --pcap would capture: {json}"
    );
    for row in rows {
        assert!(row.get("capture").is_none(), "{row}");
    }

    let out = tls_harness(&["run", file, "--format", "markdown"]);
    check_status(&out, exit_codes::OK);
    let table = String::from_utf8_lossy(&out.stdout);
    let header: Vec<&str> = table
        .lines()
        .next()
        .expect("a table")
        .split('|')
        .map(str::trim)
        .filter(|column| !column.is_empty())
        .collect();
    assert_eq!(
        header,
        ["scenario", "pairing", "outcome", "expected", "model"],
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("| scsv-retry-refused-by-newer-server")
                && l.contains("| openssl-openssl ")),
        "{table}"
    );
    assert!(!table.contains("capture"), "{table}");
}

#[test]
fn an_unwritable_pcap_directory_is_a_harness_error_naming_it() {
    let dir = capture_dir("unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = tls_harness(&[
        "run",
        "scenarios/backends/fallback-scsv.toml",
        "--pcap",
        blocker.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(exit_codes::HARNESS_ERROR));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write capture"), "{stderr}");
    assert!(stderr.contains("a-file"), "{stderr}");
}

#[test]
fn explain_config_shows_the_jdk_a_profile_runs_and_the_change_that_moved_it() {
    let out = tls_harness(&[
        "explain-config",
        "xsp-cti-8012-jdk-updates",
        "--at",
        "2025-12-01",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(exit_codes::OK));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jdk = json["handshake"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["setting"] == "jdk")
        .unwrap_or_else(|| panic!("no jdk row: {json:#}"));
    assert_eq!(jdk["value"], "21.0.8 (default settings)");
    assert_eq!(jdk["from"], "change of 2025-09-01T00:00:00Z");
    let sets: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["sets"].as_array().unwrap())
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(sets, ["jdk = 17.0.2", "jdk = 21.0.8", "jdk = 25.0.2"]);
}
