//! Independent tools against the real binary on 127.0.0.1: what `serve`
//! logs and what `probe` reports must be what OpenSSL's own `s_client` and
//! `s_server` and sslyze see on the wire.
//!
//! Each test looks for its tool (`openssl` on PATH; sslyze from the `SSLYZE`
//! environment variable, else PATH). A missing tool skips the test with a
//! line that says how to install it, except on CI (`CI` set), where it is a
//! failure: `.ci/run` installs them. `just peers` makes the sslyze venv.
//!
//! Names: s_client prints OpenSSL's suite names and `TLSv1`..`TLSv1.3`; the
//! harness logs IANA names and `1.0`..`1.3`. OpenSSL names are mapped to
//! IANA names by `openssl ciphers -stdname` of the same openssl binary, so
//! the harness's own registry plays no part in the comparison. sslyze
//! reports IANA names itself.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use rstest::rstest;
use support::peer::{do_peer_server, do_s_server, openssl_to_iana, write_peer_material, PeerCert};
use support::{
    catalog, harness_command, root, spawn_serve, Child, ServeProcess, TempDir, CURL, JAVA, OPENSSL,
    SSLYZE,
};
use tls_harness::backend::Backend;
use tls_harness::endpoint::usable_suites;
use tls_harness::moment::Moment;
use tls_harness::outcome::Alert;
use tls_harness::pki::KeyType;
use tls_harness::scenario::{ClientAuth, Profile};
use tls_harness::suite::{Authentication, KeyExchange, Suite};
use tls_harness::version::ProtocolVersion;

/// `tls-harness serve PROFILE` with `args`, stopping by itself after 60 s
/// at the latest.
#[track_caller]
fn do_serve(profile: &str, args: &[&str]) -> ServeProcess {
    let limits = ["--duration", "60", "--deadline-ms", "5000"];
    spawn_serve(profile, &[&limits[..], args].concat())
}

/// The CA file `served` wrote, as an argument.
fn ca_file(served: &ServeProcess) -> String {
    served.ca.to_str().expect("a UTF-8 path").to_string()
}

/// What s_client printed about its session.
#[derive(Debug)]
struct ClientSaw {
    /// `outcome.version` spelling: `1.0` for s_client's `TLSv1`.
    version: String,
    /// IANA name of the suite.
    suite: String,
    /// s_client's exit status was 0.
    succeeded: bool,
    /// Everything it printed, for failure messages.
    output: String,
}

/// `openssl s_client` against `served`, sending one HTTP/1.0 request and
/// reading until the server closes; its output goes through a file in
/// `dir`.
#[track_caller]
fn do_s_client(openssl: &Path, dir: &TempDir, served: &ServeProcess, args: &[&str]) -> ClientSaw {
    let path = dir.join("s_client.out");
    let out = std::fs::File::create(&path).expect("s_client's output file");
    let mut child = Child(
        Command::new(openssl)
            .args(["s_client", "-connect", &served.addr.to_string(), "-ign_eof"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(out.try_clone().expect("the file again"))
            .stderr(out)
            .spawn()
            .expect("openssl s_client starts"),
    );
    let mut stdin = child.0.stdin.take().expect("stdin");
    // s_client may be gone already (a refused handshake); that is its answer.
    let _ = stdin.write_all(b"GET / HTTP/1.0\r\n\r\n");
    drop(stdin);
    let status = child.0.wait().expect("s_client ends");
    let output = std::fs::read_to_string(&path).expect("s_client's output");
    let field = |name: &str| {
        output
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let version = match field("Protocol  :").as_str() {
        "TLSv1" => "1.0".to_string(),
        other => other.strip_prefix("TLSv").unwrap_or(other).to_string(),
    };
    let cipher = field("Cipher    :");
    let suite = openssl_to_iana(openssl)
        .get(&cipher)
        .cloned()
        .unwrap_or(cipher);
    ClientSaw {
        version,
        suite,
        succeeded: status.success(),
        output,
    }
}

#[track_caller]
fn check_client_saw_what_serve_logged(saw: &ClientSaw, logged: &serde_json::Value) {
    assert!(saw.succeeded, "s_client failed:\n{}", saw.output);
    let outcome = &logged["outcome"];
    assert_eq!(outcome["result"], "established", "{logged}");
    assert_eq!(outcome["version"], saw.version.as_str(), "{}", saw.output);
    assert_eq!(
        outcome["suite"]["name"],
        saw.suite.as_str(),
        "{}",
        saw.output
    );
    assert!(
        saw.output.contains("HTTP/1.0 "),
        "serve answers the request after the handshake:\n{}",
        saw.output
    );
}

#[test]
fn openssl_s_client_at_tls10_sees_the_version_and_suite_serve_logs_for_a_tls10_server() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    // rustls has no TLS 1.0.
    for backend in ["openssl", "jsse"] {
        let dir = TempDir::new(&format!("s-client-tls10-{backend}"));
        let mut served = do_serve(
            "database-server-legacy-tls10",
            &["--backend", backend, "--max-connections", "1"],
        );
        // OpenSSL 3 keeps TLS 1.0 only at security level 0.
        let saw = do_s_client(
            &openssl,
            &dir,
            &served,
            &[
                "-tls1",
                "-cipher",
                "DEFAULT@SECLEVEL=0",
                "-CAfile",
                &ca_file(&served),
            ],
        );
        assert_eq!(saw.version, "1.0", "{backend}: {}", saw.output);
        check_client_saw_what_serve_logged(&saw, &served.next_connection());
        assert!(saw.output.contains("Verify return code: 0 (ok)"));
    }
}

#[test]
fn openssl_s_client_sees_the_version_and_suite_serve_logs_for_a_tls12_only_server() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    for backend in ["rustls", "openssl", "jsse"] {
        let dir = TempDir::new(&format!("s-client-tls12-{backend}"));
        let mut served = do_serve(
            "uccx-11-6-1-server",
            &["--backend", backend, "--max-connections", "2"],
        );
        let ca = ca_file(&served);
        let host = ["-servername", "uccx-11-6-1.example.com", "-CAfile", &ca];
        // s_client offers 1.0 to 1.3; the server picks 1.2.
        let saw = do_s_client(
            &openssl,
            &dir,
            &served,
            &[&host[..], &["-verify_return_error"]].concat(),
        );
        assert_eq!(saw.version, "1.2", "{backend}: {}", saw.output);
        check_client_saw_what_serve_logged(&saw, &served.next_connection());

        let older = do_s_client(
            &openssl,
            &dir,
            &served,
            &[&host[..], &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]].concat(),
        );
        assert!(!older.succeeded, "{backend} at TLS 1.1: {}", older.output);
        let logged = served.next_connection();
        assert_eq!(logged["outcome"]["result"], "failed", "{logged}");
        assert_eq!(
            logged["client-hello"]["legacy-version"], "0x0302",
            "{logged}"
        );
    }
}

#[test]
fn openssl_s_client_with_the_written_client_certificate_completes_mutual_tls_and_without_it_is_refused(
) {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    for backend in [Backend::OpenSsl, Backend::Jsse] {
        check_mutual_tls_with_s_client(&openssl, backend);
    }
}

/// `serve` of the XSP CTI interface (mutual TLS required) on `backend`,
/// met by s_client with the client certificate serve wrote and without.
fn check_mutual_tls_with_s_client(openssl: &Path, backend: Backend) {
    let dir = TempDir::new(&format!("s-client-mtls-{backend}"));
    let client = dir.join("client");
    let client = client.to_str().expect("a UTF-8 path");
    let mut served = do_serve(
        "xsp-cti-8012",
        &[
            "--max-connections",
            "2",
            "--client-cert-out",
            client,
            "--backend",
            backend.as_str(),
        ],
    );
    let ca = ca_file(&served);
    let host = [
        "-servername",
        "xsp1.example.com",
        "-CAfile",
        &ca,
        "-verify_return_error",
    ];
    let (cert, key) = (
        format!("{client}/client.pem"),
        format!("{client}/client.key"),
    );
    let with = do_s_client(
        openssl,
        &dir,
        &served,
        &[&host[..], &["-cert", &cert, "-key", &key]].concat(),
    );
    let logged = served.next_connection();
    check_client_saw_what_serve_logged(&with, &logged);
    assert_eq!(
        logged["outcome"]["client-certificate"]["subject"], "bwcticlient.webex.com",
        "{logged}"
    );

    let without = do_s_client(openssl, &dir, &served, &host);
    assert!(!without.succeeded, "{}", without.output);
    // The stack's own alert (JSSE: bad_certificate), as s_client names it.
    let alert = tls_harness::model::quirks::alert_for_missing_client_certificate(
        backend.into(),
        ProtocolVersion::Tls12,
    );
    let said = format!("alert {}", alert.name().replace('_', " "));
    assert!(without.output.contains(&said), "{said}: {}", without.output);
    let logged = served.next_connection();
    assert_eq!(logged["outcome"]["result"], "failed", "{logged}");
    assert_eq!(
        logged["outcome"]["server-error"]["kind"], "certificate-required",
        "{logged}"
    );
}

#[test]
fn probe_reports_the_version_and_suite_openssl_s_server_was_limited_to() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let dir = TempDir::new("s-server");
    // A throwaway self-signed leaf. CA:FALSE because webpki (rustls) refuses
    // a CA certificate as the end entity (CaUsedAsEndEntity), and `req
    // -x509` marks its certificate a CA by default; the SAN because webpki
    // matches names against SANs only.
    let made = Command::new(&openssl)
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=peer.test", "-days", "1"])
        .args(["-addext", "subjectAltName=DNS:peer.test"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .expect("openssl req runs");
    assert!(made.status.success(), "{made:?}");
    // Each configuration leaves s_server one version and one suite to pick.
    let configurations = [
        (
            &["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"][..],
            "1.2",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ),
        (
            &["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"][..],
            "1.3",
            "TLS_CHACHA20_POLY1305_SHA256",
        ),
    ];
    for (args, version, suite) in configurations {
        let (_server, port) = do_s_server(&openssl, &dir, args);
        for backend in ["rustls", "openssl", "jsse"] {
            let probed = harness_command()
                .args(["probe", "api-client-modern", &format!("127.0.0.1:{port}")])
                .args(["--server-name", "peer.test", "--backend", backend])
                .args(["--format", "json", "--trust"])
                .arg(dir.join("cert.pem"))
                .output()
                .expect("probe runs");
            let json: serde_json::Value =
                serde_json::from_slice(&probed.stdout).expect("probe's JSON");
            assert_eq!(probed.status.code(), Some(0), "{args:?} {backend}: {json}");
            assert_eq!(json["outcome"]["result"], "established", "{json}");
            assert_eq!(json["outcome"]["version"], version, "{args:?} {backend}");
            assert_eq!(
                json["outcome"]["suite"]["name"], suite,
                "{args:?} {backend}"
            );
            assert_eq!(json["chain"][0]["subject"], "peer.test", "{json}");
        }
    }
}

/// A 6144-bit DHE prime is 768 (0x0300) bytes long, so its
/// ServerKeyExchange begins 03 as a named curve's does: `probe` must read
/// the group and the signature after it by the suite, DHE.
#[test]
fn probe_reads_a_6144_bit_dhe_group_and_the_signature_after_it() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let dir = TempDir::new("s-server-dhe6144");
    write_peer_material(&dir, PeerCert::Rsa);
    let catalog = dir.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    let profile = r#"[profile.dhe-client]
name = "A TLS 1.2 client offering DHE-RSA alone"
product = "test"
release = "1"
role = "client"
connection = "https"
versions = ["1.2"]
suites = ["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]
"#;
    std::fs::write(catalog.join("dhe.toml"), profile).unwrap();
    let args = [
        "-tls1_2",
        "-dhparam",
        "dh6144.pem",
        "-cipher",
        "DHE-RSA-AES128-GCM-SHA256",
    ];
    let (_server, port) = do_peer_server(&openssl, &dir, &args);
    let probed = harness_command()
        .args(["probe", "dhe-client", &format!("127.0.0.1:{port}")])
        .args(["--backend", "openssl", "--server-name", "peer.test"])
        .args(["--format", "json", "--catalog"])
        .arg(&catalog)
        .arg("--trust")
        .arg(dir.join("ca.pem"))
        .output()
        .expect("probe runs");
    let json: serde_json::Value = serde_json::from_slice(&probed.stdout).expect("probe's JSON");
    assert_eq!(json["outcome"]["result"], "established", "{json}");
    assert_eq!(json["outcome"]["group"], "dh-6144", "{json}");
    // OpenSSL's client lists RSA-PSS before PKCS#1; s_server takes it.
    assert_eq!(
        json["outcome"]["signature-scheme"], "rsa_pss_rsae_sha256",
        "{json}"
    );
}

/// sslyze's key for a version's cipher-suite scan.
fn sslyze_key(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::Tls10 => "tls_1_0_cipher_suites",
        ProtocolVersion::Tls11 => "tls_1_1_cipher_suites",
        ProtocolVersion::Tls12 => "tls_1_2_cipher_suites",
        ProtocolVersion::Tls13 => "tls_1_3_cipher_suites",
    }
}

/// Whether one of `profile`'s certificates can authenticate `suite`: a
/// TLS 1.2-and-older suite names the key its server certificate must have
/// (RFC 5246 §7.4.2), so an RSA-only server cannot accept an ECDSA or DSS
/// suite that its list names, nor a static-ECDH one (RFC 4492 §2.1: the
/// certificate holds the ECDH key); TLS 1.3 suites name none.
fn certificate_fits(suite: &Suite, profile: &Profile) -> bool {
    profile.certificates.iter().any(|c| {
        // Static ECDH (`ECDH_RSA`, `ECDH_ECDSA`): the certificate's own key
        // is the server's ECDH key, whoever signed it.
        let ec_key = matches!(c.key, KeyType::EcdsaP256 | KeyType::EcdsaP384);
        if suite.key_exchange == KeyExchange::Ecdh && !ec_key {
            return false;
        }
        matches!(
            (suite.authentication, c.key),
            (Authentication::Any, _)
                | (Authentication::Rsa, KeyType::Rsa2048 | KeyType::Rsa4096)
                | (
                    Authentication::Ecdsa,
                    KeyType::EcdsaP256 | KeyType::EcdsaP384
                )
                | (Authentication::Dss, KeyType::Dsa2048)
        )
    })
}

/// The suites `profile` on `backend` must accept at `v`, by IANA name: none
/// at a version it does not enable; else its suites that the backend
/// implements, that are valid at `v` (the registry's rule,
/// `Suite::versions`) and that its certificates can authenticate.
fn expected_suites(profile: &Profile, backend: Backend, v: ProtocolVersion) -> BTreeSet<String> {
    if !profile.versions.contains(&v) {
        return BTreeSet::new();
    }
    let usable: Vec<u16> = usable_suites(backend, profile).collect();
    profile
        .suites
        .iter()
        .map(|c| c.suite)
        .filter(|s| usable.contains(&s.code) && s.valid_for(v) && certificate_fits(s, profile))
        .map(|s| s.iana.to_string())
        .collect()
}

/// Scans `serve PROFILE --backend BACKEND` with sslyze (every version, no
/// Mozilla check; with the written client certificate where the profile
/// asks for one) and requires that the accepted suites per version are the
/// expected ones. Prints what sslyze found.
#[track_caller]
fn check_sslyze_finds_the_profiles_suites(id: &str, backend: Backend) {
    let Some(sslyze) = SSLYZE.find() else {
        return;
    };
    let profile = catalog().profiles[id].at(Moment::now());
    let dir = TempDir::new(&format!("sslyze-{id}-{}", backend.as_str()));
    let (log, json, client) = (
        dir.join("serve.log"),
        dir.join("sslyze.json"),
        dir.join("client"),
    );
    let mut serve_args = vec![
        "--backend".to_string(),
        backend.as_str().to_string(),
        "--log".to_string(),
        log.display().to_string(),
    ];
    let mut sslyze_args = Vec::new();
    if profile.client_auth != ClientAuth::None {
        serve_args.extend(["--client-cert-out".into(), client.display().to_string()]);
        sslyze_args.extend([
            "--cert".to_string(),
            client.join("client.pem").display().to_string(),
            "--key".to_string(),
            client.join("client.key").display().to_string(),
        ]);
    }
    let serve_args: Vec<&str> = serve_args.iter().map(String::as_str).collect();
    let served = do_serve(id, &serve_args);
    let scanned = Command::new(&sslyze)
        .args(["--mozilla_config=disable", "--tlsv1", "--tlsv1_1"])
        .args(["--tlsv1_2", "--tlsv1_3", "--quiet"])
        .arg(format!("--json_out={}", json.display()))
        .args(&sslyze_args)
        .arg(served.addr.to_string())
        .output()
        .expect("sslyze runs");
    drop(served);
    let report: serde_json::Value = std::fs::read(&json)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("no sslyze JSON: {scanned:?}"));
    let server = &report["server_scan_results"][0];
    assert_eq!(server["scan_status"], "COMPLETED", "{server}");
    let connections = std::fs::read_to_string(&log).map_or(0, |l| l.lines().count());
    eprintln!(
        "sslyze: {id} on {} ({connections} connections logged)",
        backend.as_str()
    );
    let mut differences = Vec::new();
    for v in ProtocolVersion::ALL {
        let scan = &server["scan_result"][sslyze_key(v)];
        assert_eq!(scan["status"], "COMPLETED", "{v}: {scan}");
        let accepted: BTreeSet<String> = scan["result"]["accepted_cipher_suites"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}: {scan}"))
            .iter()
            .filter_map(|s| s["cipher_suite"]["name"].as_str().map(String::from))
            .collect();
        eprintln!("  TLS {}: {accepted:?}", v.as_str());
        let expected = expected_suites(&profile, backend, v);
        if accepted != expected {
            differences.push(format!(
                "TLS {}: sslyze found {accepted:?}, the profile says {expected:?}",
                v.as_str()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{id} on {}:\n{}",
        backend.as_str(),
        differences.join("\n")
    );
}

/// What sslyze finds accepted, per profile and backend. The BroadWorks
/// default list (`xsp-cti-8012`) sits on an RSA certificate: its ECDSA and
/// DSS suites need another key and static ECDH no backend implements; it
/// requires mutual TLS, so sslyze presents the written client certificate.
/// Both backends are limited to a profile's own TLS 1.3 suites (OpenSSL's
/// default TLS 1.3 list would add ChaCha20).
#[rstest]
#[case::only_the_tls12_aead_suites_of_a_tls12_only_rustls_server(
    "cloud-api-tls12-only",
    Backend::Rustls
)]
#[case::cbc_suites_at_tls10_and_tls11_and_sha256_and_gcm_only_at_tls12(
    "exchange-2013-tls11-tls12",
    Backend::OpenSsl
)]
#[case::only_the_rsa_suites_of_a_list_naming_ecdsa_dss_and_static_ecdh(
    "xsp-cti-8012",
    Backend::OpenSsl
)]
#[case::only_the_profiles_own_tls13_suites_on_rustls("xsp-cti-8012-tls13-only", Backend::Rustls)]
#[case::only_the_profiles_own_tls13_suites_on_openssl("xsp-cti-8012-tls13-only", Backend::OpenSsl)]
#[case::only_the_profiles_own_tls13_suites_on_jsse("xsp-cti-8012-tls13-only", Backend::Jsse)]
#[case::only_the_tls12_aead_suites_of_a_tls12_only_jsse_server(
    "cloud-api-tls12-only",
    Backend::Jsse
)]
#[case::only_the_rsa_suites_jsse_enables_of_a_list_naming_ecdsa_dss_and_static_ecdh(
    "xsp-cti-8012",
    Backend::Jsse
)]
fn sslyze_finds(#[case] profile: &str, #[case] backend: Backend) {
    check_sslyze_finds_the_profiles_suites(profile, backend);
}

/// One real client against one real server: `openssl s_client` with
/// `client` arguments against `openssl s_server` with `server` arguments.
struct RealClientCase {
    name: &'static str,
    cert: PeerCert,
    server: &'static [&'static str],
    client: &'static [&'static str],
}

/// Cases from the issue's list and beyond: groups and HelloRetryRequest,
/// signature schemes, DHE sizes, ALPN, key sizes and SHA-1 chains.
const REAL_CLIENT_CASES: [RealClientCase; 17] = [
    RealClientCase {
        name: "key share guessed wrong: HelloRetryRequest",
        cert: PeerCert::Rsa,
        server: &["-groups", "P-256"],
        client: &["-groups", "X25519:P-256"],
    },
    RealClientCase {
        name: "no shared group at TLS 1.3",
        cert: PeerCert::Rsa,
        server: &["-groups", "P-384"],
        client: &["-groups", "X25519:P-256"],
    },
    RealClientCase {
        name: "TLS 1.3 key share decides over the server's order",
        cert: PeerCert::Rsa,
        server: &["-groups", "P-256:P-384"],
        client: &["-groups", "P-384:P-256"],
    },
    RealClientCase {
        name: "TLS 1.2 curve in the client's order",
        cert: PeerCert::Rsa,
        server: &["-groups", "P-256:P-384"],
        client: &["-tls1_2", "-groups", "P-384:P-256"],
    },
    RealClientCase {
        name: "TLS 1.2 curve in the server's order with -serverpref",
        cert: PeerCert::Rsa,
        server: &["-serverpref", "-groups", "P-256:P-384"],
        client: &["-tls1_2", "-groups", "P-384:P-256"],
    },
    RealClientCase {
        name: "TLS 1.3 client with ECDSA schemes only, RSA server",
        cert: PeerCert::Rsa,
        server: &[],
        client: &["-sigalgs", "ECDSA+SHA256:ECDSA+SHA384"],
    },
    RealClientCase {
        name: "TLS 1.3 client with RSA-PSS SHA-384 only",
        cert: PeerCert::Rsa,
        server: &[],
        client: &["-sigalgs", "rsa_pss_rsae_sha384"],
    },
    RealClientCase {
        name: "P-384 certificate for a client naming P-256 only",
        cert: PeerCert::P384,
        server: &[],
        client: &["-sigalgs", "ecdsa_secp256r1_sha256:rsa_pkcs1_sha256"],
    },
    RealClientCase {
        name: "dh key too small",
        cert: PeerCert::Rsa,
        server: &[
            "-dhparam",
            "dh1024.pem",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        ],
        client: &["-tls1_2"],
    },
    RealClientCase {
        name: "a 2048-bit DHE group is accepted",
        cert: PeerCert::Rsa,
        server: &[
            "-dhparam",
            "dh2048.pem",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256",
        ],
        client: &["-tls1_2"],
    },
    // A 6144-bit prime is 768 (0x0300) bytes long: its ServerKeyExchange
    // begins 03, as a named curve's does.
    RealClientCase {
        name: "a 6144-bit DHE group is read as such",
        cert: PeerCert::Rsa,
        server: &[
            "-dhparam",
            "dh6144.pem",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256",
        ],
        client: &["-tls1_2"],
    },
    RealClientCase {
        name: "ALPN: no protocol in common",
        cert: PeerCert::Rsa,
        server: &["-alpn", "h2"],
        client: &["-alpn", "http/1.1"],
    },
    RealClientCase {
        name: "ALPN: the server's choice",
        cert: PeerCert::Rsa,
        server: &["-alpn", "h2"],
        client: &["-alpn", "http/1.1,h2"],
    },
    RealClientCase {
        name: "ee key too small",
        cert: PeerCert::Rsa1024,
        server: &["-cipher", "DEFAULT:@SECLEVEL=0"],
        client: &[],
    },
    RealClientCase {
        name: "ca md too weak",
        cert: PeerCert::Sha1Chain,
        server: &["-cipher", "DEFAULT:@SECLEVEL=0"],
        client: &[],
    },
    RealClientCase {
        name: "a client at level 0 accepts the RSA-1024 certificate",
        cert: PeerCert::Rsa1024,
        server: &["-cipher", "DEFAULT:@SECLEVEL=0"],
        client: &["-cipher", "DEFAULT:@SECLEVEL=0"],
    },
    RealClientCase {
        name: "TLS 1.2 client whose suites need an ECDSA certificate",
        cert: PeerCert::Rsa,
        server: &[],
        client: &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
    },
];

/// What a real client's and a probe's outcome must share: for an
/// established connection the version, suite, group and ALPN protocol;
/// for a failed one the side that sent the fatal alert, and which.
fn real_client_gist(result: &str, [version, suite, group, alpn]: [&str; 4]) -> String {
    if result == "established" {
        format!("established {version} {suite} {group} alpn={alpn}")
    } else {
        format!("{result} {version}")
    }
}

/// The outcome of `openssl s_client` from its exit status and what it
/// printed: failed when it exits with an error or a fatal alert went
/// either way (`-msg`; after a failure its `New, TLSv1.3, Cipher is X`
/// line still names what the ServerHello chose), else `New, ...`, `Server
/// Temp Key: ...` and `ALPN protocol:`.
fn s_client_gist(real: &std::process::Output, iana: &HashMap<String, String>) -> String {
    let printed = String::from_utf8_lossy(&real.stdout);
    // `>>> TLS 1.3, Alert [length 0002], fatal bad_certificate`: sent.
    // OpenSSL 3.0 names some alerts `???` (no_application_protocol): the
    // next line holds the alert's two bytes, level and description.
    let lines: Vec<&str> = printed.lines().collect();
    let alert = lines.iter().enumerate().find_map(|(i, l)| {
        let (_, name) = l.split_once("], fatal ")?;
        let side = if l.starts_with(">>>") {
            "client"
        } else {
            "server"
        };
        let code = lines.get(i + 1).and_then(|b| b.split_whitespace().nth(1));
        let name = match code.and_then(|c| u8::from_str_radix(c, 16).ok()) {
            Some(code) if name.trim() == "???" => tls_harness::outcome::Alert(code).name(),
            _ => name.trim().to_string(),
        };
        Some(format!("by {side} with {name}"))
    });
    if !real.status.success() || alert.is_some() {
        return real_client_gist(
            "failed",
            [alert.as_deref().unwrap_or("without an alert"), "", "", ""],
        );
    }
    let line = |prefix: &str| {
        printed
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
            .unwrap_or_default()
    };
    let new = line("New, ");
    let Some((version, cipher)) = new.split_once(", Cipher is ") else {
        return "failed".into();
    };
    if cipher == "(NONE)" {
        return "failed".into();
    }
    let version = version.trim_start_matches("TLSv").replace("TLSv", "");
    let version = if version == "1" {
        "1.0".to_string()
    } else {
        version
    };
    let suite = iana.get(cipher).map_or(cipher, String::as_str);
    // `X25519, 253 bits`, `ECDH, prime256v1, 256 bits`, `DH, 2048 bits`.
    let key = line("Server Temp Key:");
    let parts: Vec<&str> = key.split(", ").collect();
    let group = match parts.as_slice() {
        ["DH", bits] => format!("dh-{}", bits.trim_end_matches(" bits")),
        ["ECDH", "prime256v1", _] => "secp256r1".into(),
        ["ECDH", curve, _] => (*curve).into(),
        [name, _] => name.to_ascii_lowercase(),
        _ => "none".into(),
    };
    let alpn = line("ALPN protocol:");
    let alpn = if alpn.is_empty() { "none" } else { alpn };
    real_client_gist("established", [&version, suite, &group, alpn])
}

/// The security level `openssl s_client` runs at with `args`: a
/// `@SECLEVEL=N` in its cipher string, else this machine's default, which
/// `openssl.cnf` sets (Debian: 2). What a client refuses is not in its
/// hello, so the test adds this policy to the imported profile by hand.
fn s_client_level(args: &[&str]) -> u32 {
    if let Some(n) = args.iter().find_map(|a| a.split_once("@SECLEVEL=")) {
        return n.1.parse().expect("a level");
    }
    // `s_client` has no switch that prints its level; a default context of
    // the same library, which the same openssl.cnf configures, has it.
    openssl::ssl::SslContext::builder(openssl::ssl::SslMethod::tls())
        .unwrap()
        .build()
        .security_level()
}

/// Real clients with group, signature-scheme, DHE and ALPN knobs (`openssl
/// s_client`) meet real `openssl s_server`s configured with `-groups`,
/// `-sigalgs`, `-dhparam`, `-alpn`: each client's outcome (result, and
/// version, suite, group and ALPN protocol when established) equals what
/// `probe` reaches against the same server with the profile `import-hello`
/// makes of that client's hello, plus by hand the client's minimum-key
/// policy (its security level), which no hello carries.
#[test]
fn imported_real_clients_reach_what_the_real_clients_reached() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    let iana = openssl_to_iana(&openssl);
    for case in &REAL_CLIENT_CASES {
        let dir = TempDir::new("real-client");
        write_peer_material(&dir, case.cert);
        let (_server, port) = do_peer_server(&openssl, &dir, case.server);
        let real = Command::new(&openssl)
            .args(["s_client", "-msg", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", "peer.test", "-verify_hostname", "peer.test"])
            .arg("-verify_return_error")
            .arg("-CAfile")
            .arg(dir.join("ca.pem"))
            .args(case.client)
            .stdin(Stdio::null())
            .output()
            .expect("s_client runs");
        let real_gist = s_client_gist(&real, &iana);
        let policy = ("s_client's", s_client_level(case.client));
        let json = probe_imported(&dir, &real.stdout, Some(policy), port);
        let probe_gist = probe_gist(&json, true);
        eprintln!(
            "{}: s_client {real_gist}; probe on {} {probe_gist}",
            case.name, json["backend"]
        );
        let printed = String::from_utf8_lossy(&real.stdout);
        assert_eq!(probe_gist, real_gist, "{}\n{printed}\n{json}", case.name);
    }
}

/// `import-hello` of a real client's `hello` into a catalog of its own
/// under `dir`, with `policy` (whose OpenSSL, its security level) added by
/// hand when it is a level, then `probe` of that profile against the
/// server at 127.0.0.1:`port`: probe's JSON.
fn probe_imported(
    dir: &TempDir,
    hello: &[u8],
    policy: Option<(&str, u32)>,
    port: u16,
) -> serde_json::Value {
    let catalog = dir.join("catalog");
    let profile = catalog.join("real-client.toml");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(dir.join("hello"), hello).unwrap();
    let imported = harness_command()
        .args(["import-hello", "--id", "real-client", "-o"])
        .arg(&profile)
        .arg(dir.join("hello"))
        .output()
        .expect("import-hello runs");
    assert!(imported.status.success(), "{imported:?}");
    if let Some((whose, level @ 1..)) = policy {
        let keys = tls_harness::keysize::MinimumKeys::of_openssl_level(level);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&profile)
            .unwrap();
        writeln!(
            file,
            "# Added by hand: {whose} OpenSSL runs at security level {level}, which its hello does not show.\nminimum-key-bits = {{ {} }}",
            keys.describe()
        )
        .unwrap();
    }
    let probed = harness_command()
        .args(["probe", "real-client", &format!("127.0.0.1:{port}")])
        .args([
            "--server-name",
            "peer.test",
            "--format",
            "json",
            "--catalog",
        ])
        .arg(&catalog)
        .arg("--trust")
        .arg(dir.join("ca.pem"))
        .output()
        .expect("probe runs");
    serde_json::from_slice(&probed.stdout)
        .unwrap_or_else(|e| panic!("probe's JSON: {e}: {probed:?}"))
}

/// probe's outcome as [`real_client_gist`] says it; with `detail`, the
/// group and a failure's side and alert too (curl and the JDK client name
/// neither).
fn probe_gist(json: &serde_json::Value, detail: bool) -> String {
    let o = &json["outcome"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("none").to_string();
    if o["result"] == "established" {
        let group = if detail {
            text(&o["group"])
        } else {
            "-".into()
        };
        let fields = [&o["version"], &o["suite"]["name"], &o["alpn"]].map(text);
        return real_client_gist("established", [&fields[0], &fields[1], &group, &fields[2]]);
    }
    let failure = match o["alert"].as_str() {
        Some(alert) => format!("by {} with {alert}", text(&o["failed-side"])),
        None => "without an alert".into(),
    };
    if detail {
        real_client_gist(&text(&o["result"]), [&failure, "", "", ""])
    } else {
        text(&o["result"])
    }
}

/// A relay on 127.0.0.1 that forwards one connection to `target` and
/// records what the client sent (its hello, for `import-hello`); the
/// handle gives the bytes once the connection ends. Every wait has a
/// deadline, so a client that never connects cannot hang the test.
fn recording_relay(target: u16) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::Read;
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let relay = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut client = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("no client came to the relay: {e}"),
            }
        };
        client.set_nonblocking(false).unwrap();
        let mut server = TcpStream::connect(("127.0.0.1", target)).expect("the server");
        for s in [&client, &server] {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        }
        let (mut back_from, mut back_to) =
            (server.try_clone().unwrap(), client.try_clone().unwrap());
        let back = std::thread::spawn(move || {
            let _ = std::io::copy(&mut back_from, &mut back_to);
            let _ = back_to.shutdown(std::net::Shutdown::Write);
        });
        let mut recorded = Vec::new();
        let mut buf = [0; 16384];
        while let Ok(n) = client.read(&mut buf) {
            if n == 0 || server.write_all(&buf[..n]).is_err() {
                break;
            }
            recorded.extend_from_slice(&buf[..n]);
        }
        let _ = server.shutdown(std::net::Shutdown::Write);
        let _ = back.join();
        recorded
    });
    (port, relay)
}

/// A real client other than `s_client`: what it is, and how it reports.
#[derive(Clone, Copy, Debug)]
enum OtherClient {
    /// `curl` (OpenSSL under it) with these arguments.
    Curl(&'static [&'static str]),
    /// A JDK 17 `SSLSocket` client with these system properties.
    Jdk(&'static [&'static str]),
}

/// Real curl and JDK clients with their group, scheme and ALPN knobs
/// against `openssl s_server`s.
const OTHER_CLIENT_CASES: [(&str, PeerCert, &[&str], OtherClient); 10] = [
    (
        "curl --curves P-384",
        PeerCert::Rsa,
        &["-groups", "P-384:P-256"],
        OtherClient::Curl(&["--curves", "P-384"]),
    ),
    (
        "curl --curves X25519, no shared group",
        PeerCert::Rsa,
        &["-groups", "P-256"],
        OtherClient::Curl(&["--curves", "X25519"]),
    ),
    (
        "curl --http2 meets an http/1.1 server",
        PeerCert::Rsa,
        &["-alpn", "http/1.1"],
        OtherClient::Curl(&["--http2"]),
    ),
    (
        "curl meets an RSA-1024 certificate",
        PeerCert::Rsa1024,
        &["-cipher", "DEFAULT:@SECLEVEL=0"],
        OtherClient::Curl(&[]),
    ),
    (
        "JDK with jdk.tls.namedGroups=secp384r1",
        PeerCert::Rsa,
        &["-groups", "P-384:P-256"],
        OtherClient::Jdk(&["-Djdk.tls.namedGroups=secp384r1"]),
    ),
    (
        "JDK with secp256r1 alone, no shared group",
        PeerCert::Rsa,
        &["-groups", "P-384"],
        OtherClient::Jdk(&["-Djdk.tls.namedGroups=secp256r1"]),
    ),
    (
        // One key share per kind of group: secp256r1's, not secp384r1's.
        "JDK share guessed wrong",
        PeerCert::Rsa,
        &["-groups", "P-384"],
        OtherClient::Jdk(&["-Djdk.tls.namedGroups=secp256r1,secp384r1"]),
    ),
    (
        "JDK with two kinds of group sends two key shares",
        PeerCert::Rsa,
        &["-groups", "P-256"],
        OtherClient::Jdk(&["-Djdk.tls.namedGroups=x25519,secp256r1"]),
    ),
    (
        "JDK meets a 1024-bit DHE group",
        PeerCert::Rsa,
        &[
            "-dhparam",
            "dh1024.pem",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        ],
        OtherClient::Jdk(&["-Djdk.tls.client.protocols=TLSv1.2"]),
    ),
    (
        "JDK with ECDSA schemes only, RSA server",
        PeerCert::Rsa,
        &[],
        OtherClient::Jdk(&[
            "-Djdk.tls.namedGroups=secp256r1",
            "-Djdk.tls.client.SignatureSchemes=ecdsa_secp256r1_sha256,ecdsa_secp384r1_sha384",
        ]),
    ),
];

/// The JDK client: connects to 127.0.0.1:PORT asking for NAME, trusts the
/// CA of a PEM file, and prints `established PROTOCOL SUITE` or `failed`.
const JDK_CLIENT: &str = r#"
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.*;

public class Client {
    public static void main(String[] a) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new FileInputStream(a[2])));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory()
                .createSocket("127.0.0.1", Integer.parseInt(a[1]))) {
            s.setSoTimeout(10000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(a[0])));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            System.out.println("established " + s.getSession().getProtocol() + " "
                    + s.getSession().getCipherSuite());
        } catch (java.io.IOException e) {
            System.out.println("failed " + e);
        }
    }
}
"#;

/// Runs `client` through a recording relay to `port`; its outcome as
/// (result, version, suite, ALPN) and the bytes it sent.
fn run_other_client(client: OtherClient, dir: &TempDir, port: u16) -> (String, Vec<u8>) {
    let (relay, recorded) = recording_relay(port);
    let outcome = match client {
        OtherClient::Curl(args) => {
            let Some(curl) = CURL.find() else {
                return ("skipped".into(), Vec::new());
            };
            let out = Command::new(curl)
                .args(["-sv", "--max-time", "10", "--cacert"])
                .arg(dir.join("ca.pem"))
                .args(["--resolve", &format!("peer.test:{relay}:127.0.0.1")])
                .arg(format!("https://peer.test:{relay}/"))
                .args(args)
                .output()
                .expect("curl runs");
            curl_gist(&out)
        }
        OtherClient::Jdk(properties) => {
            let Some(java) = JAVA.find() else {
                return ("skipped".into(), Vec::new());
            };
            std::fs::write(dir.join("Client.java"), JDK_CLIENT).unwrap();
            let out = Command::new(java)
                .args(properties)
                .arg(dir.join("Client.java"))
                .args(["peer.test", &relay.to_string()])
                .arg(dir.join("ca.pem"))
                .output()
                .expect("java runs");
            let printed = String::from_utf8_lossy(&out.stdout);
            let words: Vec<&str> = printed.split_whitespace().collect();
            match words.as_slice() {
                ["established", protocol, suite] => real_client_gist(
                    "established",
                    [&protocol.replace("TLSv", ""), suite, "-", "none"],
                ),
                _ => "failed".into(),
            }
        }
    };
    (outcome, recorded.join().expect("the relay"))
}

/// curl's outcome from its exit status and `-v` lines (`SSL connection
/// using TLSv1.3 / TLS_AES_256_GCM_SHA384`, `ALPN: server accepted h2`).
/// curl 7.88 names no group, so the gist has none.
fn curl_gist(out: &std::process::Output) -> String {
    if !out.status.success() {
        return "failed".into();
    }
    let printed = String::from_utf8_lossy(&out.stderr);
    let line = |prefix: &str| {
        printed
            .lines()
            .find_map(|l| {
                l.split_once(prefix)
                    .map(|(_, rest)| rest.trim().to_string())
            })
            .unwrap_or_default()
    };
    let using = line("SSL connection using ");
    let mut parts = using.split(" / ");
    let version = parts.next().unwrap_or_default().replace("TLSv", "");
    let suite = parts.next().unwrap_or_default().to_string();
    let alpn = line("ALPN: server accepted ");
    let alpn = if alpn.is_empty() {
        "none".to_string()
    } else {
        alpn
    };
    real_client_gist("established", [&version, &suite, "-", &alpn])
}

/// Real curl and JDK clients, each with its group, scheme or ALPN knob,
/// meet real `openssl s_server`s through a relay that records their hello;
/// what `probe` reaches against the same server with the profile
/// `import-hello` makes of that hello equals what the client reached
/// (result; version, suite and ALPN when established: neither client
/// names the group). curl's OpenSSL runs at the machine's security level,
/// which the test adds to curl's profile by hand; the JDK's defaults
/// (`DH keySize < 1024`, `EC keySize < 224`) refuse nothing these servers
/// have, so its profile gets no policy.
#[test]
fn imported_curl_and_jdk_clients_reach_what_they_reached() {
    let Some(openssl) = OPENSSL.find() else {
        return;
    };
    for (name, cert, server, client) in OTHER_CLIENT_CASES {
        let dir = TempDir::new("other-client");
        write_peer_material(&dir, cert);
        let (_server, port) = do_peer_server(&openssl, &dir, server);
        let (real_gist, hello) = run_other_client(client, &dir, port);
        if real_gist == "skipped" {
            continue;
        }
        let policy = match client {
            OtherClient::Curl(_) => Some(("curl's", s_client_level(&[]))),
            OtherClient::Jdk(_) => None,
        };
        let json = probe_imported(&dir, &hello, policy, port);
        if let Some(message) = json["problems"][0]["message"].as_str() {
            // JDK 17 sends a key share for each of its first two kinds of
            // group; OpenSSL 3.0 and rustls send one, so no backend `probe`
            // runs on can be this client, and probe says so.
            assert!(
                name.contains("two key shares") && message.contains("sends key shares for"),
                "{name}: {message}"
            );
            eprintln!("{name}: client {real_gist}; probe refuses: {message}");
            continue;
        }
        let probe_gist = probe_gist(&json, false);
        eprintln!(
            "{name}: client {real_gist}; probe on {} {probe_gist} (group {})",
            json["backend"], json["outcome"]["group"]
        );
        assert_eq!(probe_gist, real_gist, "{name}\n{json}");
    }
}

// ---- hostile and odd clients (tlslite-ng) against serve ----

/// What `serve` answers to one hostile conversation
/// (tests/tools/hostile.py), as docs/backends.md's "Hostile and odd
/// clients" table states it per stack.
fn hostile_answer(backend: &str, tls13: bool, conversation: &str) -> (&'static str, Option<u64>) {
    let (openssl, jsse) = (backend == "openssl", backend == "jsse");
    match conversation {
        // OpenSSL's `version too low` goes out as handshake_failure.
        "sslv3-only" if openssl => ("alert", Some(40)),
        "sslv3-only" | "tls10-only" | "future-version-only" => ("alert", Some(70)),
        "truncated-hello" => ("alert", Some(50)),
        "cut-record" => ("closed", None),
        // rustls caps a handshake message at 64 KiB and closes in silence.
        "oversized-hello" if openssl => ("server-hello", None),
        // JSSE caps one at 32 KiB, with unexpected_message.
        "oversized-hello" if jsse => ("alert", Some(10)),
        "oversized-hello" => ("closed", None),
        // OpenSSL: `no compression specified`, decode_error.
        "no-null-compression" if openssl => ("alert", Some(50)),
        // JSSE does not check that the null method is among those offered.
        "no-null-compression" if jsse => ("server-hello", None),
        "no-null-compression" => ("alert", Some(47)),
        "compression-offered" => ("server-hello", None),
        // rustls and JSSE do not implement RFC 7507.
        "fallback-scsv" if openssl && tls13 => ("alert", Some(86)),
        "fallback-scsv" => ("server-hello", None),
        "no-shared-suite" => ("alert", Some(40)),
        // OpenSSL answers no alert to a peer that is not speaking TLS.
        "plaintext-http" | "garbage" if openssl => ("closed", None),
        // JSSE: "Unrecognized SSL message, plaintext connection?".
        "plaintext-http" | "garbage" if jsse => ("alert", Some(80)),
        "plaintext-http" | "garbage" => ("alert", Some(50)),
        "crlf-request" | "bare-lf-request" => ("http", None),
        "close-after-handshake" => ("closed", None),
        "close-notify-without-request" => ("close-notify", None),
        other => panic!("no expected answer for {other}"),
    }
}

/// Hand-built and broken conversations from tlslite-ng, an independent
/// TLS stack, against `serve` of a TLS 1.2 and a TLS 1.3 server on each
/// backend it runs: each answer is the one the stack's documented
/// behaviour gives, none is a hang, and every connection is logged, the
/// good handshakes (a request with bare LFs, a close without a request)
/// as established.
#[test]
fn serve_answers_hostile_clients_as_each_stack_documents() {
    let Some(python) = support::PEERS_PYTHON.find() else {
        return;
    };
    let script = root().join("tests/tools/hostile.py");
    let catalog = root().join("tests/tools/hostile-catalog");
    for backend in ["rustls", "openssl", "jsse"] {
        for (profile, tls13) in [("hostile-tls12", false), ("hostile-tls13", true)] {
            let mut serve = spawn_serve(
                profile,
                &[
                    "--catalog",
                    catalog.to_str().expect("a UTF-8 path"),
                    "--backend",
                    backend,
                    "--deadline-ms",
                    "10000",
                ],
            );
            let out = Command::new(&python)
                .arg(&script)
                .args([
                    "127.0.0.1",
                    &serve.addr.port().to_string(),
                    "hostile.example.com",
                ])
                .output()
                .expect("the hostile clients run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let answers: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            assert_eq!(answers.len(), 16, "{answers:?}");
            let mut logged = HashMap::new();
            for _ in &answers {
                let line = serve.next_connection();
                let port = line["peer"]
                    .as_str()
                    .and_then(|p| p.rsplit(':').next())
                    .map(str::to_owned);
                logged.insert(port.expect("a peer"), line["outcome"].clone());
            }
            for a in &answers {
                let conversation = a["conversation"].as_str().expect("a name");
                let what = format!("{backend} {profile} {conversation}: {a}");
                eprintln!("hostile: {what}");
                let (answer, alert) = hostile_answer(backend, tls13, conversation);
                assert_eq!(a["answer"], answer, "{what}");
                if let Some(alert) = alert {
                    assert_eq!(a["alert"], alert, "{what}");
                }
                let port = a["port"].as_u64().expect("the client's port").to_string();
                let outcome = &logged[&port];
                assert_ne!(
                    outcome["server-error"]["kind"], "timeout",
                    "{what}: {outcome}"
                );
                if [
                    "crlf-request",
                    "bare-lf-request",
                    "close-after-handshake",
                    "close-notify-without-request",
                ]
                .contains(&conversation)
                {
                    assert_eq!(outcome["result"], "established", "{what}: {outcome}");
                } else {
                    assert_eq!(outcome["result"], "failed", "{what}: {outcome}");
                }
                if let Some(alert) = alert {
                    let sent = Alert(u8::try_from(alert).expect("an alert")).name();
                    assert_eq!(
                        outcome["alert"], sent,
                        "{what}: the log names the alert serve sent: {outcome}"
                    );
                }
            }
        }
    }
}
