//! The command line as a user meets it: the exit status of each kind of
//! mistake (the table in the README), profiles defined in scenario files,
//! `list`'s filters, and the checks across the files of one run.

mod support;

use std::process::Output;

use rstest::rstest;
use support::{check_status, root, tls_harness, write_case};
use tls_harness::exit_codes;

/// What the command wrote on stderr, with miette's line wrapping undone
/// (words joined by single spaces, its `|` gutter dropped).
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// UCCX 11.6(1) with TLS 1.1 re-enabled, under the catalog's id.
const PATCHED_11_6_1: &str = r#"
[profile.uccx-11-6-1-server]
name = "UCCX 11.6(1), TLS 1.1 re-enabled"
product = "uccx"
release = "11.6(1)"
role = "server"
connection = "https"
host = "uccx-11-6-1.example.com"
versions = ["1.1", "1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-SHA"]

[profile.tls11-only-caller]
name = "A TLS 1.1 caller"
product = "third-party"
release = "1"
role = "client"
connection = "https"
versions = ["1.1"]
suites = ["ECDHE-RSA-AES128-SHA"]

[[scenario]]
id = "tls11-caller-to-patched-11-6-1"
client = "tls11-only-caller"
server = "uccx-11-6-1-server"
pairings = ["openssl-openssl"]
expect = { result = "established", version = "1.1" }
"#;

/// Every command-line mistake and the status the README gives it, with a
/// word of the message that must say what was wrong.
#[rstest]
#[case::unknown_subcommand(&["frobnicate"], exit_codes::USAGE, "unrecognized subcommand")]
#[case::unknown_pairing(&["run", "--pairing", "rustls-boringssl"], exit_codes::USAGE, "unknown pairing")]
#[case::unknown_profile(&["explain-config", "xsp-cti-8021"], exit_codes::USAGE, "did you mean `xsp-cti-8012`?")]
#[case::unknown_scenario(&["explain", "legacy-tls10-caller-to-11-6"], exit_codes::USAGE, "legacy-tls10-caller-to-11-6-1")]
#[case::unknown_product(&["matrix", "--support", "uccxx"], exit_codes::USAGE, "did you mean `uccx`?")]
#[case::unknown_peer(&["upgrade-plan", "uccx", "11.5", "--peer", "salesforce-prod"], exit_codes::USAGE, "unknown peer profile")]
#[case::empty_selection(&["matrix", "--client", "nobody-*"], exit_codes::USAGE, "no client or no server")]
#[case::list_filter_selects_nothing(&["list", "nothing-has-this-id"], exit_codes::USAGE, "select no profile")]
#[case::unknown_role(&["list", "--role", "middlebox"], exit_codes::USAGE, "unknown role")]
#[case::missing_catalog_directory(&["list", "--catalog", "no/such/dir"], exit_codes::BAD_INPUT, "--catalog")]
#[case::missing_scenario_file(&["run", "no/such/file.toml"], exit_codes::BAD_INPUT, "cannot read")]
#[case::catalog_file_as_scenario_file(&["run", "scenarios/catalog/uccx.toml"], exit_codes::BAD_INPUT, "is a catalog file, not a scenario file")]
#[case::unknown_release(&["diff", "uccx", "11.5", "11.6(1)"], exit_codes::USAGE, "its releases: 10.0, 10.5")]
#[case::diff_of_an_unknown_product(&["diff", "uccxx", "1", "2"], exit_codes::USAGE, "did you mean `uccx`?")]
#[case::diff_of_nothing(&["diff"], exit_codes::USAGE, "required arguments")]
#[case::diff_of_a_bad_date(&["diff", "--dates", "2017-07-21", "tomorrow"], exit_codes::USAGE, "tomorrow")]
fn each_mistake_exits_with_its_status_and_says_what(
    #[case] args: &[&str],
    #[case] status: i32,
    #[case] says: &str,
) {
    let out = tls_harness(args);
    check_status(&out, status);
    assert!(stderr(&out).contains(says), "{}", stderr(&out));
}

#[test]
fn a_pairing_filter_that_every_pin_excludes_is_a_mistake_not_an_empty_table() {
    let path = write_case("cli-cases", "pinned.toml", PATCHED_11_6_1);
    let out = tls_harness(&["run", path.to_str().unwrap(), "--pairing", "rustls-rustls"]);
    check_status(&out, exit_codes::USAGE);
    assert!(
        stderr(&out).contains(
            "--pairing rustls-rustls selects no pairing of the given scenarios help: their pairings are openssl-openssl"
        ),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_command_line_mistake_in_json_is_marked_as_such() {
    let out = tls_harness(&["explain-config", "nobody", "--format", "json"]);
    check_status(&out, exit_codes::USAGE);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"], "bad-command-line");
    assert_eq!(json["problems"][0]["message"], "unknown profile `nobody`");
}

#[test]
fn a_catalog_file_passed_as_a_scenario_file_is_one_error() {
    let out = tls_harness(&["run", "scenarios/catalog/uccx.toml"]);
    check_status(&out, exit_codes::BAD_INPUT);
    assert_eq!(
        stderr(&out).matches("catalog file").count(),
        2,
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("already defined"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_copy_of_a_shipped_catalog_file_is_recognised_anywhere() {
    let text = std::fs::read_to_string(root().join("scenarios/catalog/finesse.toml")).unwrap();
    let copy = write_case("cli-cases", "finesse-catalog-copy.toml", &text);
    let out = tls_harness(&["run", copy.to_str().unwrap()]);
    check_status(&out, exit_codes::BAD_INPUT);
    assert!(
        stderr(&out).contains("is a catalog file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_identity_keys_are_named_at_once_with_the_profile() {
    let path = write_case(
        "cli-cases",
        "missing.toml",
        "[profile.half-a-client]\nname = \"x\"\nversions = [\"1.2\"]\nsuites = [\"AES128-SHA\"]\n",
    );
    let out = tls_harness(&["run", "--format", "json", path.to_str().unwrap()]);
    check_status(&out, exit_codes::BAD_INPUT);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        problems[0]["message"],
        "profile `half-a-client` is missing `product`, `release`, `role`, `connection`"
    );
    assert_eq!(problems[0]["key"], "profile.half-a-client");
    assert_eq!(problems[0]["line"], 1);
}

#[test]
fn a_file_profile_under_a_catalog_id_replaces_it_and_run_says_so() {
    let path = write_case("cli-cases", "patched.toml", PATCHED_11_6_1);
    let out = tls_harness(&["run", path.to_str().unwrap()]);
    check_status(&out, exit_codes::OK);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "note: {} replaces the catalog's `uccx-11-6-1-server` with its own",
            path.display()
        )),
        "{text}"
    );
    // The catalog's 11.6(1) is TLS 1.2 only; the file's accepts TLS 1.1.
    assert!(
        text.contains("TLS 1.1 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        "{text}"
    );
    let json = tls_harness(&["run", "--format", "json", path.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["files"][0]["replaces"][0], "uccx-11-6-1-server");
}

#[test]
fn a_replacement_holds_only_for_its_own_file() {
    let path = write_case("cli-cases", "patched-alone.toml", PATCHED_11_6_1);
    let out = tls_harness(&[
        "run",
        path.to_str().unwrap(),
        "scenarios/uccx/callers-by-release.toml",
    ]);
    // The shipped file's expectations are those of the catalog's 11.6(1).
    check_status(&out, exit_codes::OK);
}

#[test]
fn list_shows_a_files_own_profiles_and_filters_by_pattern_role_and_product() {
    let path = write_case("cli-cases", "patched-list.toml", PATCHED_11_6_1);
    let out = tls_harness(&[
        "list",
        path.to_str().unwrap(),
        "uccx-11-6-*",
        "--role",
        "server",
        "--format",
        "json",
    ]);
    check_status(&out, exit_codes::OK);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let profiles = json["profiles"].as_array().unwrap();
    let mine: Vec<&serde_json::Value> = profiles
        .iter()
        .filter(|p| p["in-scenario-file"] == true)
        .collect();
    assert_eq!(mine.len(), 1, "{profiles:#?}");
    assert_eq!(mine[0]["id"], "uccx-11-6-1-server");
    assert_eq!(mine[0]["replaces-catalog"], true);
    assert!(profiles
        .iter()
        .all(|p| p["role"] == "server" && p["id"].as_str().unwrap().starts_with("uccx-11-6-")));
    assert!(
        profiles.iter().any(|p| p["in-scenario-file"] == false),
        "the catalog's own 11.6(1) is listed too"
    );
    let scenarios = json["scenarios"].as_array().unwrap();
    assert!(scenarios
        .iter()
        .any(|s| s["id"] == "tls11-caller-to-patched-11-6-1"));
    let by_product = tls_harness(&["list", "--product", "salesforce", "--format", "json"]);
    let by_product: serde_json::Value = serde_json::from_slice(&by_product.stdout).unwrap();
    let products: Vec<&str> = by_product["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product"].as_str().unwrap())
        .collect();
    assert!(!products.is_empty() && products.iter().all(|p| *p == "salesforce"));
}

#[test]
fn explain_config_and_upgrade_plan_find_a_files_profiles() {
    let path = write_case("cli-cases", "patched-config.toml", PATCHED_11_6_1);
    let file = path.to_str().unwrap();
    let out = tls_harness(&["explain-config", "uccx-11-6-1-server", file]);
    check_status(&out, exit_codes::OK);
    assert!(
        stdout(&out).contains("TLS 1.1 re-enabled"),
        "{}",
        stdout(&out)
    );
    let out = tls_harness(&["explain-config", "tls11-only-caller", file]);
    check_status(&out, exit_codes::OK);
    let out = tls_harness(&[
        "upgrade-plan",
        "uccx",
        "11.5",
        "--peer",
        "tls11-only-caller",
        "--file",
        file,
    ]);
    // The caller is a client; a plan proves client steps against servers and
    // server steps against clients, so it is accepted as a peer.
    check_status(&out, exit_codes::OK);
    assert!(
        stdout(&out).contains("tls11-only-caller"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn two_files_defining_one_profile_id_ask_which_is_meant() {
    let a = write_case("cli-cases", "twice-a.toml", PATCHED_11_6_1);
    let b = write_case(
        "cli-cases",
        "twice-b.toml",
        &PATCHED_11_6_1.replace("tls11-caller-to", "other-tls11-caller-to"),
    );
    let out = tls_harness(&[
        "explain-config",
        "uccx-11-6-1-server",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    check_status(&out, exit_codes::USAGE);
    assert!(
        stderr(&out).contains("twice-a.toml and in"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn one_scenario_id_in_two_files_of_a_run_names_both_places() {
    let copy = write_case(
        "cli-cases",
        "jdbc-copy.toml",
        &std::fs::read_to_string(root().join("scenarios/uccx/jdbc.toml")).unwrap(),
    );
    let out = tls_harness(&[
        "run",
        "--format",
        "json",
        "scenarios/uccx/jdbc.toml",
        copy.to_str().unwrap(),
    ]);
    check_status(&out, exit_codes::BAD_INPUT);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["problems"][0];
    assert_eq!(first["file"], copy.display().to_string());
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .ends_with("is also used at scenarios/uccx/jdbc.toml:9"),
        "{first}"
    );
    assert_eq!(first["line"], 9);
}

#[test]
fn run_writes_junit_that_parses_back_with_failures_and_skips() {
    let text = format!(
        "{PATCHED_11_6_1}\n[[scenario]]\nid = \"wrong-version\"\nclient = \"api-client-modern\"\nserver = \"uccx-11-6-1-server\"\nexpect = {{ result = \"established\", version = \"1.3\" }}\n"
    );
    let case = write_case("cli-cases", "junit-case.toml", &text);
    let xml = case.with_extension("xml");
    let out = tls_harness(&[
        "run",
        case.to_str().unwrap(),
        "--format",
        "junit",
        "--output",
        xml.to_str().unwrap(),
    ]);
    check_status(&out, exit_codes::EXPECTATION_FAILED);
    assert!(out.stdout.is_empty(), "the report goes to --output");
    let report = quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&xml).unwrap())
        .expect("the JUnit report parses back");
    assert_eq!(report.test_suites.len(), 1);
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), case.display().to_string());
    // One pinned pairing, then all nine for the unpinned scenario.
    assert_eq!(suite.test_cases.len(), 10);
    let named = |scenario: &str, pairing: &str| {
        suite
            .test_cases
            .iter()
            .find(|c| {
                c.classname.as_ref().map(|n| n.as_str()) == Some(scenario)
                    && c.name.as_str() == pairing
            })
            .unwrap_or_else(|| panic!("no test case {scenario} {pairing}"))
    };
    let held = named("tls11-caller-to-patched-11-6-1", "openssl-openssl");
    assert!(matches!(
        held.status,
        quick_junit::TestCaseStatus::Success { .. }
    ));
    let failed = named("wrong-version", "openssl-openssl");
    match &failed.status {
        quick_junit::TestCaseStatus::NonSuccess { message, ty, .. } => {
            assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("not-as-expected"));
            let message = message.as_ref().map(|m| m.as_str()).unwrap_or_default();
            assert!(message.contains("expected version TLS 1.3"), "{message}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // The file's 11.6(1) enables TLS 1.1, which rustls lacks.
    match &named("wrong-version", "openssl-rustls").status {
        quick_junit::TestCaseStatus::Skipped { message, .. } => {
            let message = message.as_ref().map(|m| m.as_str()).unwrap_or_default();
            assert!(message.contains("rustls has no TLS 1.1"), "{message}");
        }
        other => panic!("expected a skip, got {other:?}"),
    }
}

#[test]
fn explain_follows_the_rfcs_where_no_stack_is_named_and_lists_the_stacks_that_differ() {
    // The caller's profile names no stack (the RFCs); UCCX 11.6(1) serves
    // HTTPS from Tomcat on JSSE (`stack = "jsse"`).
    let out = tls_harness(&[
        "explain",
        "legacy-tls10-caller-to-11-6-1",
        "--format",
        "json",
    ]);
    check_status(&out, exit_codes::OK);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["rules"], "reference-jsse");
    assert_eq!(json["prediction"]["outcome"]["alert"], "protocol_version");
    // A rustls server refuses a hello without signature_algorithms (any
    // hello whose best is below TLS 1.2) with handshake_failure, whether
    // the client listed supported_versions (rustls's own client, which
    // cannot run it, and JSSE's) or not (OpenSSL's).
    let differences = json["differences"].as_array().unwrap();
    let rules: Vec<&str> = differences
        .iter()
        .map(|d| d["rules"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["rustls-rustls", "openssl-rustls", "jsse-rustls"],
        "{differences:#?}"
    );
    for d in differences {
        assert_eq!(d["outcome"]["alert"], "handshake_failure");
    }
}

#[test]
fn explain_follows_the_stack_a_profile_names() {
    let text = r#"
[profile.tls10-caller-on-openssl]
name = "A TLS 1.0 caller on OpenSSL"
product = "third-party"
release = "1"
role = "client"
connection = "https"
stack = "openssl"
versions = ["1.0"]
suites = ["AES128-SHA"]

[profile.tls12-server-on-rustls]
name = "A TLS 1.2 server on rustls"
product = "third-party"
release = "1"
role = "server"
connection = "https"
stack = "rustls"
host = "server.example.com"
versions = ["1.2"]
suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]

[[scenario]]
id = "tls10-caller-to-rustls-server"
client = "tls10-caller-on-openssl"
server = "tls12-server-on-rustls"
"#;
    let path = write_case("cli-cases", "stacks.toml", text);
    let out = tls_harness(&[
        "explain",
        "tls10-caller-to-rustls-server",
        path.to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    check_status(&out, exit_codes::OK);
    let md = stdout(&out);
    assert!(
        md.starts_with("## Scenario `tls10-caller-to-rustls-server`: `tls10-caller-on-openssl` → `tls12-server-on-rustls`\n"),
        "{md}"
    );
    assert!(
        md.contains("Modelled with the products' own stacks: client openssl, server rustls; `tls-harness run` checks a real handshake against this."),
        "{md}"
    );
    // rustls answers a TLS 1.0-only hello with handshake_failure; the RFCs
    // and OpenSSL with protocol_version.
    assert!(
        md.contains(
            "### Outcome\n\n**server failed: no-common-version, alert handshake_failure (40)**"
        ),
        "{md}"
    );
    assert!(
        md.contains("### Other rules predict otherwise\n\n- `"),
        "{md}"
    );
    assert!(
        md.contains(
            "\n- `reference`: server failed: no-common-version, alert protocol_version (70)\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("\n- `rustls-openssl`: server failed: no-common-version, alert protocol_version (70) (not runnable: rustls has no TLS 1.0 (client tls10-caller-on-openssl))\n"),
        "{md}"
    );
    assert!(md.contains("\n### Steps\n\n1. "), "{md}");
}

#[test]
fn an_unknown_stack_is_refused_with_the_ones_the_harness_runs() {
    let path = write_case(
        "cli-cases",
        "bad-stack.toml",
        &PATCHED_11_6_1.replace(
            "role = \"server\"",
            "role = \"server\"\nstack = \"openssI\"",
        ),
    );
    let out = tls_harness(&["run", path.to_str().unwrap()]);
    check_status(&out, exit_codes::BAD_INPUT);
    assert!(
        stderr(&out).contains("unknown stack `openssI`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `openssl`?"),
        "{}",
        stderr(&out)
    );
}

/// `diff` of two releases: UCCX 11.6(1) drops TLS 1.0 as a server, so the
/// TLS 1.0-only API client that reached 11.5(1) breaks, on real
/// handshakes; rows that do not change are not listed, and a break is
/// exit status 1.
#[test]
fn diff_of_two_releases_lists_what_the_upgrade_breaks() {
    let dir = support::TempDir::new("diff-junit");
    let junit = dir.join("diff.xml");
    let out = tls_harness(&[
        "diff",
        "uccx",
        "11.5(1)",
        "11.6(1)",
        "--pairing",
        "openssl-openssl",
        "--format",
        "json",
        "--junit",
        junit.to_str().expect("a UTF-8 path"),
    ]);
    check_status(&out, exit_codes::EXPECTATION_FAILED);
    // Each row a test case, each break a failure.
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert!(xml.contains("<failure"), "{xml}");
    assert!(
        xml.contains("api-client-legacy-tls10 → uccx-11-5-1-server → uccx-11-6-1-server"),
        "{xml}"
    );
    let diff: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows = diff["rows"].as_array().expect("rows");
    let compared = diff["compared-rows"].as_u64().expect("a count");
    assert!(!rows.is_empty() && (rows.len() as u64) < compared, "{diff}");
    let broken = rows
        .iter()
        .find(|r| r["client"] == "api-client-legacy-tls10")
        .expect("the TLS 1.0 client's row");
    assert_eq!(broken["server"], "uccx-11-5-1-server → uccx-11-6-1-server");
    assert_eq!(broken["change"], "breaks");
    assert!(
        broken["before"].as_str().unwrap().starts_with("TLS 1.0"),
        "{broken}"
    );
    assert!(
        broken["after"]
            .as_str()
            .unwrap()
            .contains("protocol_version"),
        "{broken}"
    );
    for r in rows {
        assert_ne!(r["before"], r["after"], "an unchanged row is listed: {r}");
        assert_eq!(r["pairing"], "openssl-openssl");
    }
}

/// `diff --dates` across Salesforce production's TLS 1.0 cutover
/// (2017-07-22): every row that changes is a TLS 1.0 client that stops
/// reaching salesforce-production; a span with no dated change in it
/// changes nothing (exit 0).
#[test]
fn diff_of_two_dates_lists_what_the_cutover_breaks() {
    let args = |from, to| {
        tls_harness(&[
            "diff",
            "--dates",
            from,
            to,
            "--pairing",
            "openssl-openssl",
            "--format",
            "json",
        ])
    };
    let out = args("2017-07-21", "2017-07-23");
    check_status(&out, exit_codes::EXPECTATION_FAILED);
    let diff: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows = diff["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{diff}");
    for r in rows {
        assert_eq!(r["server"], "salesforce-production", "{r}");
        assert_eq!(r["change"], "breaks", "{r}");
        assert!(r["before"].as_str().unwrap().starts_with("TLS 1.0"), "{r}");
    }
    let quiet = args("2017-07-23", "2017-07-30");
    check_status(&quiet, exit_codes::OK);
    let diff: serde_json::Value = serde_json::from_str(&stdout(&quiet)).expect("JSON");
    assert_eq!(diff["rows"].as_array().map(Vec::len), Some(0), "{diff}");
}

/// `explain-config --at`: Salesforce production before its TLS 1.0
/// cutover has 1.0, after it not, and the dated change names itself.
#[test]
fn explain_config_at_shows_the_settings_of_that_date_and_each_dated_change() {
    let at = |date| {
        let out = tls_harness(&[
            "explain-config",
            "salesforce-production",
            "--at",
            date,
            "--format",
            "json",
        ]);
        check_status(&out, exit_codes::OK);
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).expect("JSON")
    };
    let before = at("2017-07-21");
    assert_eq!(before["versions"][0], "1.0", "{before}");
    assert_eq!(before["changes"][0]["in-effect"], false, "{before}");
    let after = at("2017-07-23");
    assert_ne!(after["versions"][0], "1.0", "{after}");
    assert_eq!(after["changes"][0]["in-effect"], true, "{after}");
    assert!(
        after["versions-from"]
            .as_str()
            .unwrap()
            .starts_with("change of 2017-07-22"),
        "{after}"
    );
}

/// `--help`'s top line names every backend the binary has.
#[test]
fn the_help_names_every_backend() {
    let out = tls_harness(&["--help"]);
    check_status(&out, exit_codes::OK);
    let top = stdout(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    for backend in tls_harness::backend::Backend::EVERY {
        assert!(top.contains(backend.as_str()), "{backend}: {top}");
    }
}
