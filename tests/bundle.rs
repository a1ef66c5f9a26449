//! Repro bundles (`tls-harness bundle`): a bundle written from the
//! repository reruns from a temporary directory with no catalog reachable
//! to the outcomes it recorded, field by field (certificate fingerprints
//! included); the archive holds the same files; a bundle never depends on
//! a catalog and never overwrites one made before.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

mod support;

use support::{check_status, harness_command, root, TempDir, TAR};
use tls_harness::exit_codes;

/// The instant every bundle here is pinned at.
const AT: &str = "2024-06-01T00:00:00Z";

/// The binary run in `dir`; `catalog` is what TLS_HARNESS_CATALOG names,
/// unset if `None`.
fn do_run(dir: &Path, catalog: Option<&Path>, args: &[&str]) -> Output {
    let mut command = harness_command();
    command.args(args).current_dir(dir);
    if let Some(c) = catalog {
        command.env("TLS_HARNESS_CATALOG", c);
    }
    command.output().expect("the binary runs")
}

/// Bundles `scenario` from the repository's scenario files into `out`.
fn make_bundle(scenario: &str, out: &Path, extra: &[&str]) -> serde_json::Value {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "bundle", scenario, "-o", out, "--at", AT, "--format", "json",
    ];
    args.extend(extra);
    let made = do_run(root(), None, &args);
    check_status(&made, exit_codes::OK);
    serde_json::from_slice(&made.stdout).unwrap()
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A row without the capture files it names (a rerun writes none unless
/// asked, and would name other paths).
fn without_capture(mut row: serde_json::Value) -> serde_json::Value {
    row.as_object_mut().unwrap().remove("capture");
    row
}

/// Every file under `dir`, relative, with `/` between components.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap();
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

/// Reruns the bundle in `dir` from its parent and requires every pairing's
/// row to equal the bundle's `outcome.json`, field by field.
#[track_caller]
fn check_rerun_matches(dir: &Path, catalog: Option<&Path>) {
    let rerun = do_run(
        dir.parent().unwrap(),
        catalog,
        &[
            "run",
            dir.file_name().unwrap().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    check_status(&rerun, exit_codes::OK);
    let json: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "the bundle holds one scenario file");
    let scenarios = files[0]["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 1, "and one scenario");
    assert_eq!(scenarios[0]["at"], AT, "pinned at the bundle's instant");
    let rows = scenarios[0]["pairings"].as_array().unwrap();
    let mut ran = 0;
    for row in rows {
        let pairing = row["pairing"].as_str().unwrap();
        let bundled = read_json(&dir.join(pairing).join("outcome.json"));
        assert_eq!(
            without_capture(row.clone()),
            without_capture(bundled),
            "{pairing}"
        );
        if row.get("ran").is_some() {
            ran += 1;
        }
    }
    assert!(ran > 0, "at least one pairing ran a real handshake");
}

#[test]
fn bundles_rerun_to_the_same_outcomes_from_a_temporary_directory_with_no_catalog() {
    let temp = TempDir::new("rerun");
    let empty = temp.join("empty-catalog");
    std::fs::create_dir_all(&empty).unwrap();
    // A client fallback that ends in an alert, with a file's own profile;
    // a layered BroadWorks server with catalog CAs and a client
    // certificate; a file's own CA that the client does not trust (TLS 1.3
    // on rustls, so the certificate is only in the encrypted flight).
    for scenario in [
        "scsv-retry-refused-by-newer-server",
        "webex-cloud-to-cti-interface",
        "issuer-not-trusted",
    ] {
        let dir = temp.join(scenario);
        let made = make_bundle(scenario, &dir, &[]);
        let listed: BTreeSet<String> = made["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            listed,
            files_under(&dir),
            "{scenario}: the listed files are the bundle"
        );
        for needed in ["README.md", "scenario.toml", "versions.json"] {
            assert!(listed.contains(needed), "{scenario}: {needed}");
        }
        assert!(
            listed.iter().any(|f| f.ends_with(".pcapng")),
            "{scenario}: captures"
        );
        assert!(listed
            .iter()
            .any(|f| f.starts_with("certificates/") && f.ends_with(".pem")));
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.contains("tls-harness run scenario.toml"), "{readme}");
        // Every backend the binary has is named, as its versions are.
        for backend in tls_harness::backend::Backend::EVERY {
            let name = match backend {
                tls_harness::backend::Backend::Rustls => "rustls",
                tls_harness::backend::Backend::OpenSsl => "OpenSSL",
                tls_harness::backend::Backend::Jsse => "Java",
            };
            assert!(readme.contains(name), "{backend}: {readme}");
        }
        // Each capture says whether it holds keys: none between two JSSE
        // sides, which log no secrets.
        let rows = readme.lines().filter(|l| l.starts_with("| `"));
        for line in rows.filter(|l| l.contains(".pcapng`")) {
            let jsse_only = line.starts_with("| `jsse-jsse/");
            assert_eq!(
                line.contains("no keys (JSSE logs none)"),
                jsse_only,
                "{scenario}: {line}"
            );
            assert_eq!(line.contains("keys inside"), !jsse_only, "{line}");
        }
        check_rerun_matches(&dir, Some(&empty));
    }
    // The built-in catalog is reachable when nothing names another; a
    // self-contained file does not read it either.
    check_rerun_matches(&temp.join("issuer-not-trusted"), None);
    let versions = read_json(&temp.join("issuer-not-trusted/versions.json"));
    assert!(versions["openssl"]
        .as_str()
        .unwrap()
        .starts_with("OpenSSL 3."));
    assert_eq!(versions["tls-harness"], env!("CARGO_PKG_VERSION"));
    assert!(versions["rustls"].as_str().unwrap().starts_with("0.23."));
    assert!(versions["commit"].is_string());
}

#[test]
fn a_fallback_bundle_names_both_captures_relative_to_the_bundle() {
    let temp = TempDir::new("fallback");
    let dir = temp.join("b");
    make_bundle("scsv-retry-refused-by-newer-server", &dir, &[]);
    let row = read_json(&dir.join("openssl-openssl/outcome.json"));
    assert_eq!(
        row["capture"]["file"],
        "openssl-openssl/openssl-openssl.fallback.pcapng"
    );
    assert_eq!(
        row["capture"]["fallback-from"],
        "openssl-openssl/openssl-openssl.pcapng"
    );
    for file in ["openssl-openssl.pcapng", "openssl-openssl.fallback.pcapng"] {
        let bytes = std::fs::read(dir.join("openssl-openssl").join(file)).unwrap();
        assert_eq!(bytes[..4], [0x0a, 0x0d, 0x0d, 0x0a], "{file} is pcapng");
    }
    let unsupported = read_json(&dir.join("rustls-rustls/outcome.json"));
    assert!(
        unsupported["unsupported"]["reason"].is_string(),
        "{unsupported}"
    );
    let explain = std::fs::read_to_string(dir.join("openssl-openssl/explain.md")).unwrap();
    assert!(
        explain.contains("### Steps") && explain.contains("inappropriate_fallback"),
        "{explain}"
    );
}

#[test]
fn the_archive_unpacks_to_the_same_files() {
    let Some(tar) = TAR.find() else {
        return;
    };
    let temp = TempDir::new("archive");
    let dir = temp.join("as-directory");
    make_bundle("issuer-not-trusted", &dir, &[]);
    let packed = temp.join("packed");
    let made = make_bundle("issuer-not-trusted", &packed, &["--archive"]);
    assert!(!packed.exists(), "--archive leaves no directory");
    let archive = temp.join("packed.tar.gz");
    assert_eq!(made["written"], archive.display().to_string());
    let unpacked = temp.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let tar = Command::new(tar)
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .output()
        .unwrap();
    check_status(&tar, 0);
    let inside = unpacked.join("packed");
    assert_eq!(files_under(&inside), files_under(&dir));
    for file in files_under(&dir).iter().filter(|f| !f.ends_with(".pcapng")) {
        // Handshakes carry fresh randoms, so captures differ; everything
        // else, outcomes and certificates included, is the same bytes.
        let (a, b) = (
            std::fs::read(dir.join(file)).unwrap(),
            std::fs::read(inside.join(file)).unwrap(),
        );
        assert!(
            a == b,
            "{file} differs between the directory and the archive"
        );
    }
}

#[test]
fn a_self_contained_file_reads_no_catalog() {
    let temp = TempDir::new("self-contained");
    let file = temp.join("scenario.toml");
    std::fs::write(
        &file,
        "self-contained = true\n[[scenario]]\nid = \"x\"\nclient = \"api-client-modern\"\nserver = \"uccx-11-6-1-server\"\n",
    )
    .unwrap();
    // Run from the repository, where ./scenarios/catalog defines both.
    let out = do_run(
        root(),
        None,
        &["run", file.to_str().unwrap(), "--format", "json"],
    );
    check_status(&out, exit_codes::BAD_INPUT);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "unknown client profile `api-client-modern`",
            "unknown server profile `uccx-11-6-1-server`"
        ]
    );
}

#[test]
fn bundling_an_unknown_scenario_or_into_a_used_directory_is_a_command_line_mistake() {
    let out = do_run(
        root(),
        None,
        &["bundle", "scsv-retry-refused-by-newer-servr"],
    );
    check_status(&out, exit_codes::USAGE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scsv-retry-refused-by-newer-server"),
        "{stderr}"
    );
    let temp = TempDir::new("used");
    std::fs::write(temp.join("old.txt"), "x").unwrap();
    let out = do_run(
        root(),
        None,
        &[
            "bundle",
            "issuer-not-trusted",
            "-o",
            temp.path().to_str().unwrap(),
        ],
    );
    check_status(&out, exit_codes::USAGE);
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
    assert_eq!(
        files_under(temp.path()).len(),
        1,
        "nothing was written into it"
    );
}
