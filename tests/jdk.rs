//! The JDK releases a profile can name (docs/jdk-releases.md): each
//! installed runtime disables by default what the harness's table says,
//! `scripts/install-jdks` installs every release of the table, and a
//! release that is not installed makes its pairings unsupported with the
//! reason. A release that is not installed is skipped with a printed
//! reason, except on CI, where `just test` installs them all.

mod support;

use tls_harness::endpoint::jsse::{jsse_suite_name, jvm};
use tls_harness::jdk::{Jdk, JdkSecurity, RELEASES};
use tls_harness::suite::registry;

fn entries(list: &str) -> Vec<String> {
    list.split(',')
        .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn each_installed_release_disables_what_the_table_says() {
    if !support::jdk_found() {
        return;
    }
    let mut ran = 0;
    for release in &RELEASES {
        let jdk = Jdk {
            release,
            security: JdkSecurity::Default,
        };
        let jvm = match jvm::for_jdk(Some(jdk)) {
            Ok(jvm) => jvm,
            Err(why @ jvm::JvmError::NotInstalled(_)) => {
                assert!(!support::on_ci(), "on CI every release is installed: {why}");
                support::skip(&why.to_string());
                continue;
            }
            Err(why) => panic!("{jdk}: {why}"),
        };
        assert_eq!(jvm.version, release.version);
        assert_eq!(
            entries(&jvm.disabled_algorithms),
            entries(release.disabled_algorithms),
            "{jdk}: jdk.tls.disabledAlgorithms"
        );
        // What the table says it disables, the runtime does not support;
        // what it leaves, the runtime does.
        for name in [
            "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ] {
            let suite = registry().lookup(name).expect("a suite").0;
            assert_eq!(
                jdk.disables_suite(suite),
                !jvm.suites.contains(&jsse_suite_name(name)),
                "{jdk}: {name}"
            );
        }
        ran += 1;
    }
    eprintln!(
        "{ran} of {} releases checked against their runtime",
        RELEASES.len()
    );
}

#[test]
fn the_install_script_installs_every_release_of_the_table() {
    let script = std::fs::read_to_string(support::root().join("scripts/install-jdks"))
        .expect("scripts/install-jdks");
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix("releases=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("a releases=\"...\" line");
    let listed: Vec<&str> = line.split(' ').collect();
    let table: Vec<String> = RELEASES
        .iter()
        .map(|r| format!("{}={}", r.version, r.wheel))
        .collect();
    assert_eq!(listed, table);
}

#[test]
fn a_release_that_is_not_installed_is_unsupported_with_the_reason() {
    // Without a JDK at all, the reason is that (tests/jsse.rs).
    if !support::jdk_found() {
        return;
    }
    let out = support::harness_command()
        .env("TLS_HARNESS_JDKS", "/nonexistent/jdks")
        .args([
            "run",
            "scenarios/backends/jdk-releases.toml",
            "--format",
            "json",
        ])
        .output()
        .expect("the binary runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut unsupported = 0;
    for s in json["files"][0]["scenarios"].as_array().expect("scenarios") {
        for p in s["pairings"].as_array().expect("pairings") {
            let Some(reason) = p["unsupported"]["reason"].as_str() else {
                continue;
            };
            assert!(
                reason.contains("is not installed: no /nonexistent/jdks/")
                    && reason.contains("scripts/install-jdks installs it"),
                "{}: {reason}",
                s["scenario"]
            );
            unsupported += 1;
        }
    }
    // Every row of the file has a JSSE side that names a release: all 10
    // pairings are unsupported.
    assert_eq!(unsupported, 10, "{json:#}");
}

/// The catalog on both sides of the CTI interface's move to JDK 21.0.8:
/// the one row that changes is the static-ECDH client, which that
/// release's own settings stop serving, from real handshakes on both
/// runtimes; the exit status says something broke.
#[test]
fn the_matrix_diff_shows_what_a_jdk_upgrade_breaks() {
    if !support::jdk_found() {
        return;
    }
    let out = support::tls_harness(&[
        "diff",
        "--dates",
        "2025-08-01",
        "2025-10-01",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let rows = json["rows"].as_array().expect("rows");
    let installed = ["17.0.2", "21.0.8"].iter().all(|v| {
        let release = tls_harness::jdk::release(v).expect("known");
        Jdk {
            release,
            security: JdkSecurity::Default,
        }
        .java()
        .is_ok()
    });
    if !installed {
        assert!(!support::on_ci(), "on CI every release is installed");
        support::skip("JDK 17.0.2 or 21.0.8 is not installed");
        return;
    }
    assert_eq!(rows.len(), 1, "{json:#}");
    let row = &rows[0];
    assert_eq!(row["client"], "cti-client-static-ecdh");
    assert_eq!(row["server"], "xsp-cti-8012-jdk-updates");
    assert_eq!(row["pairing"], "jsse-jsse");
    assert_eq!(row["change"], "breaks");
    assert_eq!(out.status.code(), Some(1), "a row that connected stops");
}
