//! `shrink`: a scenario broken on purpose (its `expect` names a suite the
//! server does not have, and both sides list far more than the outcome
//! needs) shrinks to one entry a list, and the shrunk file, copied alone
//! into an empty directory, reruns to the same rows; a scenario with
//! nothing wrong, an unknown id and a broken file are refused with the
//! statuses the README gives.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{check_status, tls_harness, write_case, TempDir};
use tls_harness::exit_codes;

const BROKEN: &str = r#"
[profile.wide-client]
name = "Client offering much"
product = "example"
release = "1"
role = "client"
connection = "https"
versions = ["1.0", "1.1", "1.2", "1.3"]
suites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
          "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"]
groups = ["x25519", "secp256r1", "secp384r1"]

[profile.narrow-server]
name = "Server"
product = "example"
release = "1"
role = "server"
connection = "https"
versions = ["1.1", "1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]
certificate = [{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "harness-root" }]

[[scenario]]
id = "broken-on-purpose"
client = "wide-client"
server = "narrow-server"

[scenario.expect]
result = "established"
version = "1.2"
suite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

[[scenario]]
id = "nothing-wrong"
client = "wide-client"
server = "narrow-server"
pairings = ["openssl-openssl"]
expect = { result = "established", version = "1.2" }
"#;

/// Each pairing that ran, as what a row is judged by: verdict, model
/// check, result, version, suite, group, failing side and alert.
fn rows(run_json: &[u8]) -> Vec<(String, String)> {
    let report: Value = serde_json::from_slice(run_json).expect("run's JSON");
    let pairings = &report["files"][0]["scenarios"][0]["pairings"];
    let mut rows = Vec::new();
    for p in pairings.as_array().expect("pairings") {
        let Some(ran) = p.get("ran") else {
            continue;
        };
        let o = &ran["outcome"];
        let row = [
            &ran["expectation"]["verdict"],
            &ran["model"],
            &o["result"],
            &o["version"],
            &o["suite"]["name"],
            &o["group"],
            &o["failed-side"],
            &o["alert"],
        ]
        .map(Value::to_string)
        .join(" ");
        rows.push((p["pairing"].as_str().unwrap_or_default().to_string(), row));
    }
    rows
}

#[test]
fn a_broken_scenario_shrinks_to_one_entry_a_list_and_reruns_alone_to_the_same_rows() {
    let file = write_case("shrink", "broken.toml", BROKEN);
    let file = file.display().to_string();
    let original = tls_harness(&["run", &file, "--format", "json"]);
    check_status(&original, exit_codes::EXPECTATION_FAILED);
    let empty = TempDir::new("shrunk");
    let shrunk = empty.join("shrunk.toml");
    let out = tls_harness(&[
        "shrink",
        "broken-on-purpose",
        &file,
        "-o",
        &shrunk.display().to_string(),
    ]);
    check_status(&out, exit_codes::OK);
    let text = std::fs::read_to_string(&shrunk).expect("the shrunk file");
    let table: toml::Table = text.parse().expect("TOML");
    assert_eq!(table["self-contained"].as_bool(), Some(true));
    let profiles = table["profile"].as_table().expect("profiles");
    for (id, key) in [
        ("wide-client", "versions"),
        ("wide-client", "suites"),
        ("wide-client", "groups"),
        ("narrow-server", "versions"),
        ("narrow-server", "suites"),
        ("narrow-server", "certificate"),
    ] {
        let len = profiles[id][key].as_array().map_or(0, Vec::len);
        assert_eq!(len, 1, "{id}.{key} in\n{text}");
    }
    let rerun = Command::new(env!("CARGO_BIN_EXE_tls-harness"))
        .current_dir(empty.path())
        .env_remove("TLS_HARNESS_CATALOG")
        .args(["run", "shrunk.toml", "--format", "json"])
        .output()
        .expect("the binary runs");
    check_status(&rerun, exit_codes::EXPECTATION_FAILED);
    let (before, after) = (rows(&original.stdout), rows(&rerun.stdout));
    assert!(!before.is_empty());
    for (pairing, row) in &before {
        let again = after.iter().find(|(p, _)| p == pairing).map(|(_, r)| r);
        assert_eq!(again, Some(row), "{pairing}: the shrunk file's row differs");
    }
}

#[test]
fn shrink_refuses_what_has_nothing_to_keep_an_unknown_id_and_a_broken_file() {
    let file = write_case("shrink-refusals", "scenarios.toml", BROKEN);
    let file = file.display().to_string();
    let out = tls_harness(&["shrink", "nothing-wrong", &file]);
    check_status(&out, exit_codes::USAGE);
    // miette wraps the message to the terminal's width, with `|` margins.
    let said: String = String::from_utf8_lossy(&out.stderr).replace('|', " ");
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("there is no verdict to keep"), "{said}");
    let out = tls_harness(&["shrink", "no-such-scenario", &file]);
    check_status(&out, exit_codes::USAGE);
    let broken = write_case("shrink-refusals", "broken.toml", "[[scenario]]\nid = 3\n");
    let out = tls_harness(&["shrink", "x", &broken.display().to_string()]);
    check_status(&out, exit_codes::BAD_INPUT);
}
