//! Real browsers against `serve`: the agent-desktop servers of the catalog
//! (UCCX and SocialMiner 11.5(1) in each certificate arrangement, patched
//! and not) loaded in headless Chromium and headless Firefox, as each
//! browser profile of the Finesse agent desktop says: trusting the
//! enterprise root, given the exceptions its agent accepted, or, under
//! strict transport security, given none (a host under HSTS allows no
//! exception, and no browser switch sets a host's HSTS state, so that is
//! how the check says it).
//!
//! Each browser's verdict (the page loads, or the error it names), the
//! leaf certificate it was shown and, for a page that loads, the TLS
//! version, must equal the harness's in-memory outcome for the same pair
//! with the server on the backend `serve` ran (OpenSSL: rustls has no
//! TLS 1.0 for these profiles) and every client stack, and each of those
//! outcomes must be the negotiation model's.
//!
//! The browsers are driven by tests/tools/browsers.py through their own
//! debugging ports (Chromium's DevTools protocol, Firefox's WebDriver
//! BiDi), with the Python `just peer-tools` makes. A missing browser or
//! Python is a printed skip, and a failure on CI, where `.ci/run`
//! installs them.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::{catalog, make_pki, spawn_serve, ServeProcess, Tool, CHROMIUM, FIREFOX};
use tls_harness::backend::{Backend, Pairing};
use tls_harness::endpoint::{excepted, issue};
use tls_harness::outcome::{ErrorKind, Outcome};
use tls_harness::pki::Pki;
use tls_harness::run::{ModelCheck, RunOptions, Runner, Status};
use tls_harness::scenario::{Profile, Role};

/// The catalog's agent-desktop servers: the profiles of the
/// agent-experience table.
fn agent_desktop_servers() -> Vec<Arc<Profile>> {
    let servers: Vec<_> = catalog()
        .profiles
        .values()
        .filter(|p| p.role == Role::Server)
        .filter(|p| {
            p.source
                .as_deref()
                .is_some_and(|s| s.contains("#agent-experience-after-the-115-upgrade"))
        })
        .cloned()
        .collect();
    assert_eq!(
        servers.len(),
        16,
        "UCCX and SocialMiner, 4 arrangements, patched or not"
    );
    servers
}

/// The catalog's browser profiles of the Finesse agent desktop.
fn browser_profiles() -> Vec<Arc<Profile>> {
    let browsers: Vec<_> = catalog()
        .profiles
        .values()
        .filter(|p| p.role == Role::Client && p.product == "finesse")
        .filter(|p| p.release == "agent desktop")
        .cloned()
        .collect();
    assert_eq!(browsers.len(), 3, "trusting, with exceptions, under HSTS");
    browsers
}

/// What a client made of a page: it loaded, or the failure in the
/// harness's words; the leaf it was shown; the version of a page that
/// loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    verdict: String,
    certificate: Option<String>,
    version: Option<String>,
}

/// The harness's verdict for a browser's error name: the certificate
/// errors of Chromium (`net::ERR_*`) and Firefox (NSS and mozilla::pkix)
/// that a handshake outcome names too. Others stay as the browser said.
fn browser_verdict(error: &str) -> String {
    let kind = match error {
        "ERR_CERT_AUTHORITY_INVALID"
        | "SEC_ERROR_UNKNOWN_ISSUER"
        | "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT" => ErrorKind::UntrustedCertificate,
        "ERR_CERT_COMMON_NAME_INVALID" | "SSL_ERROR_BAD_CERT_DOMAIN" => {
            ErrorKind::CertificateNameMismatch
        }
        "ERR_CERT_DATE_INVALID" | "SEC_ERROR_EXPIRED_CERTIFICATE" => ErrorKind::CertificateExpired,
        other => return format!("browser error {other}"),
    };
    kind.to_string()
}

fn browser_saw(visit: &Value) -> Seen {
    let loaded = visit["loaded"].as_bool().expect("loaded");
    let text = |key: &str| visit[key].as_str().map(str::to_string);
    Seen {
        verdict: match loaded {
            true => "loads".into(),
            false => browser_verdict(visit["error"].as_str().expect("an error name")),
        },
        certificate: text("certificate"),
        version: if loaded { text("version") } else { None },
    }
}

/// The same from a real in-memory outcome.
fn harness_saw(outcome: &Outcome) -> Seen {
    let certificate = outcome
        .server_certificate()
        .and_then(|p| p.fingerprint.clone());
    match outcome {
        Outcome::Established(e) => Seen {
            verdict: "loads".into(),
            certificate,
            version: Some(e.version.to_string()),
        },
        Outcome::Failed(f) => Seen {
            verdict: f.cause().map_or("failed".into(), ToString::to_string),
            certificate,
            version: None,
        },
        other => panic!("a browser profile asks for no identity: {other:?}"),
    }
}

/// The harness's outcome for `browser` against `server` with the server
/// on OpenSSL, per client stack, each checked against the model.
fn harness_outcomes(
    runner: &Runner,
    browser: &Arc<Profile>,
    server: &Arc<Profile>,
) -> Vec<(String, Seen)> {
    let pairings: Vec<_> = Backend::EVERY
        .iter()
        .map(|&client| Pairing {
            client,
            server: Backend::OpenSsl,
        })
        .collect();
    let run = runner
        .pair(browser, server, &pairings)
        .expect("the pair runs");
    let mut seen = Vec::new();
    for row in run.pairings {
        match row.status {
            Status::Ran { outcome, model, .. } => {
                assert_eq!(
                    model,
                    ModelCheck::Agrees,
                    "{} against {} on {}",
                    browser.id,
                    server.id,
                    row.pairing
                );
                seen.push((row.pairing, harness_saw(&outcome)));
            }
            // Not a skip: this stack cannot be that browser (JSSE has no
            // accepted exceptions), and the report says so.
            Status::Unsupported { reason } => eprintln!("not run: {}: {reason}", row.pairing),
            Status::Simulated { .. } => unreachable!("real pairings were asked for"),
        }
    }
    assert!(
        !seen.is_empty(),
        "{} against {}: no pairing ran",
        browser.id,
        server.id
    );
    seen
}

/// The browser's session for one profile: its trust, and the exceptions
/// its agent accepted (none under HSTS), as certificates the servers
/// really present.
fn session(browser: &Profile, served: &[(Arc<Profile>, ServeProcess)], pki: &Pki) -> Value {
    let b64 = openssl::base64::encode_block;
    let trust: Vec<_> = issue(browser, pki)
        .expect("trust")
        .trust
        .iter()
        .map(|d| b64(d))
        .collect();
    let mut exceptions = Vec::new();
    for (server, serve) in served {
        for id in issue(server, pki).expect("certificates").identities {
            // The harness's own test (HSTS honours none).
            if excepted(browser, &id.leaf_der) {
                let x509 = openssl::x509::X509::from_der(&id.leaf_der).expect("DER");
                let spki = x509
                    .public_key()
                    .and_then(|k| k.public_key_to_der())
                    .expect("SPKI");
                exceptions.push(json!({
                    "host": server.host, "port": serve.addr.port(),
                    "der": b64(&id.leaf_der), "spki-sha256": b64(&openssl::sha::sha256(&spki)),
                }));
            }
        }
    }
    let hosts: BTreeSet<_> = served.iter().map(|(s, _)| s.host.clone()).collect();
    let urls: Vec<_> = served.iter().map(|(s, serve)| url(s, serve)).collect();
    json!({"name": browser.id, "hosts": hosts, "trust": trust, "exceptions": exceptions, "urls": urls})
}

fn url(server: &Profile, serve: &ServeProcess) -> String {
    format!("https://{}:{}/", server.host, serve.addr.port())
}

/// Runs tests/tools/browsers.py on `job` with `browser`, with a deadline.
fn drive(python: &std::path::Path, browser: (&str, &std::path::Path), job: &Value) -> Value {
    let args = [browser.0.as_ref(), browser.1.as_os_str()];
    support::run_tool_script(python, "browsers.py", &args, job, Duration::from_secs(300))
}

fn check_browser(name: &str, tool: &Tool) {
    let Some(binary) = tool.find() else {
        return;
    };
    let Some(python) = support::PEERS_PYTHON.find() else {
        return;
    };
    let pki = make_pki(&catalog().cas);
    let runner = Runner::new(&catalog().cas, RunOptions::default(), "catalog").expect("runner");
    let served: Vec<_> = agent_desktop_servers()
        .into_iter()
        .map(|s| {
            let serve = spawn_serve(&s.id, &["--backend", "openssl"]);
            (s, serve)
        })
        .collect();
    let browsers = browser_profiles();
    let sessions: Vec<_> = browsers.iter().map(|b| session(b, &served, &pki)).collect();
    let answer = drive(&python, (name, &binary), &json!({ "sessions": sessions }));
    let visits = answer["visits"].as_array().expect("visits");
    assert_eq!(
        visits.len(),
        browsers.len() * served.len(),
        "one visit per pair"
    );
    let mut disagreements = Vec::new();
    for (i, visit) in visits.iter().enumerate() {
        let (browser, (server, serve)) = (&browsers[i / served.len()], &served[i % served.len()]);
        assert_eq!(visit["url"].as_str(), Some(url(server, serve).as_str()));
        let real = browser_saw(visit);
        eprintln!("{:<32} {:<48} {real:?}", browser.id, server.id);
        for (pairing, harness) in harness_outcomes(&runner, browser, server) {
            if harness != real {
                disagreements.push(format!(
                    "{} against {}: {name} {real:?}, harness {pairing} {harness:?}",
                    browser.id, server.id
                ));
            }
        }
    }
    eprintln!("{}: {} pairs", answer["browser"], visits.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn chromium_sees_what_the_harness_sees_on_every_agent_desktop_pair() {
    check_browser("chromium", &CHROMIUM);
}

#[test]
fn firefox_sees_what_the_harness_sees_on_every_agent_desktop_pair() {
    check_browser("firefox", &FIREFOX);
}
