//! The negotiation model on small hand-built cases: each test states one
//! decision the model takes (the version, the suite and whose preference,
//! the certificate, a verification fault, client authentication, the
//! identity check) and checks both the outcome and the words `explain`
//! prints for it. Then the check of a real run against the model
//! (`model::disagreements`), with differences planted field by field.
//!
//! A case is written as scenario text and loaded like any other file, as
//! in `tests/model.rs`; the defaults are a TLS 1.2/1.3 client and server
//! with one RSA certificate from the harness root.

use std::path::Path;

use tls_harness::model::{self, quirks, Prediction, Rules, Stacks};
use tls_harness::moment::Moment;
use tls_harness::outcome::{Alert, ErrorKind, Established, Failed, Outcome, Side};
use tls_harness::scenario::{Catalog, ScenarioFile};
use tls_harness::version::ProtocolVersion::{self, Tls10, Tls11, Tls12, Tls13};

const RSA_SUITE: &str = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
const RSA_SUITE_256: &str = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
const ECDSA_SUITE: &str = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
const TLS13_SUITE: &str = "TLS_AES_128_GCM_SHA256";
const CBC_SUITE: &str = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";

/// CAs a case may use besides the built-in `harness-root` (RSA).
const CAS: &str = r#"
[ca.ec-root]
subject = "EC Root"
key = "ecdsa-p256"

[ca.rsa-issuing]
subject = "RSA Issuing CA"
issuer = "harness-root"
"#;

/// One side's settings, key by key, in the order first set.
#[derive(Clone)]
struct Settings(Vec<(String, String)>);

impl Settings {
    fn set(&mut self, line: &str) {
        let (key, value) = line.split_once(" = ").expect("`key = value`");
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.0.push((key.to_string(), value.to_string())),
        }
    }

    fn toml(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
    }
}

/// A scenario of one client and one server, built up setting by setting.
#[derive(Clone)]
struct Case {
    client: Settings,
    server: Settings,
    scenario: Settings,
}

fn make_case() -> Case {
    let mut case = Case {
        client: Settings(Vec::new()),
        server: Settings(Vec::new()),
        scenario: Settings(Vec::new()),
    };
    case = case
        .client(r#"versions = ["1.2", "1.3"]"#)
        .client(&format!(r#"suites = ["{TLS13_SUITE}", "{RSA_SUITE}"]"#))
        .server(r#"versions = ["1.2", "1.3"]"#)
        .server(&format!(r#"suites = ["{TLS13_SUITE}", "{RSA_SUITE}"]"#))
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root" }]"#);
    case
}

impl Case {
    fn client(mut self, line: &str) -> Self {
        self.client.set(line);
        self
    }

    fn server(mut self, line: &str) -> Self {
        self.server.set(line);
        self
    }

    fn scenario(mut self, line: &str) -> Self {
        self.scenario.set(line);
        self
    }

    fn text(&self) -> String {
        format!(
            "{CAS}\n[profile.c]\nname = \"Test client\"\nproduct = \"test\"\nrelease = \"case\"\nrole = \"client\"\nconnection = \"https\"\n{}\n[profile.s]\nname = \"Test server\"\nproduct = \"test\"\nrelease = \"case\"\nrole = \"server\"\nconnection = \"https\"\nhost = \"server.example.com\"\n{}\n[[scenario]]\nid = \"case\"\nclient = \"c\"\nserver = \"s\"\n{}",
            self.client.toml(),
            self.server.toml(),
            self.scenario.toml()
        )
    }

    fn load(&self) -> ScenarioFile {
        match Catalog::empty().parse_scenario_file(Path::new("case.toml"), &self.text()) {
            Ok(file) => file,
            Err(e) => panic!(
                "the case does not load: {:?}\n{}",
                miette::Report::new(e),
                self.text()
            ),
        }
    }

    /// The model's prediction under `stacks` on 2024-06-01.
    fn predict(&self, stacks: Stacks) -> Prediction {
        self.predict_at(stacks, "2024-06-01")
    }

    fn predict_at(&self, stacks: Stacks, at: &str) -> Prediction {
        let file = self.load();
        let at = Moment::parse(at).expect("a date");
        model::predict(&file.scenarios[0], &file.cas, stacks, at)
    }

    fn withheld(&self) -> Vec<String> {
        let file = self.load();
        model::withheld(&file.scenarios[0].server, &file.cas)
    }
}

const fn rules(client: Rules, server: Rules) -> Stacks {
    Stacks { client, server }
}

const RUSTLS: Stacks = rules(Rules::Rustls, Rules::Rustls);
const OPENSSL: Stacks = rules(Rules::OpenSsl, Rules::OpenSsl);
const REFERENCE: Stacks = Stacks::REFERENCE;

#[track_caller]
fn check_said(p: &Prediction, words: &str) {
    assert!(
        p.steps.iter().any(|s| s.contains(words)),
        "no step says {words:?}:\n{}",
        p.steps.join("\n")
    );
}

#[track_caller]
fn check_not_said(p: &Prediction, words: &str) {
    assert!(
        !p.steps.iter().any(|s| s.contains(words)),
        "a step says {words:?}:\n{}",
        p.steps.join("\n")
    );
}

#[track_caller]
fn established(p: &Prediction) -> &Established {
    match &p.outcome {
        Outcome::Established(e) => e,
        other => panic!(
            "not established: {}\n{}",
            other.summary(),
            p.steps.join("\n")
        ),
    }
}

#[track_caller]
fn failed(p: &Prediction) -> &Failed {
    match &p.outcome {
        Outcome::Failed(f) => f,
        other => panic!("did not fail: {}\n{}", other.summary(), p.steps.join("\n")),
    }
}

/// The outcome fails on `side` with `cause`, sending `alert`.
#[track_caller]
fn check_failed(p: &Prediction, side: Side, alert: Option<Alert>, cause: ErrorKind) {
    let f = failed(p);
    assert_eq!(f.failed_side, Some(side), "{}", p.steps.join("\n"));
    assert_eq!(f.alert, alert, "{}", p.steps.join("\n"));
    assert_eq!(f.cause(), Some(&cause), "{}", p.steps.join("\n"));
}

#[track_caller]
fn check_version(p: &Prediction, v: ProtocolVersion) {
    assert_eq!(established(p).version, v, "{}", p.steps.join("\n"));
}

#[track_caller]
fn check_suite(p: &Prediction, name: &str) {
    assert_eq!(established(p).suite.name, name, "{}", p.steps.join("\n"));
}

fn suites(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!("suites = [{}]", quoted.join(", "))
}

fn versions(vs: &[&str]) -> String {
    let quoted: Vec<String> = vs.iter().map(|n| format!("\"{n}\"")).collect();
    format!("versions = [{}]", quoted.join(", "))
}

const UNKNOWN_CA: Alert = Alert(48);
const BAD_CERTIFICATE: Alert = Alert(42);
const CERTIFICATE_EXPIRED: Alert = Alert(45);
const CERTIFICATE_REQUIRED: Alert = Alert(116);
const ILLEGAL_PARAMETER: Alert = Alert(47);
const INAPPROPRIATE_FALLBACK: Alert = Alert(86);

// The version.

#[test]
fn server_chooses_the_highest_version_of_supported_versions() {
    let p = make_case().predict(RUSTLS);
    check_version(&p, Tls13);
    check_said(&p, "The client lists its versions in supported_versions; TLS 1.3 is the highest both enable and the server chooses it.");
    let p = make_case()
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE]))
        .predict(RUSTLS);
    check_version(&p, Tls12);
    check_said(&p, "TLS 1.2 is the highest both enable");
}

#[test]
fn rustls_client_sends_supported_versions_without_tls13() {
    let p = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE]))
        .predict(RUSTLS);
    check_version(&p, Tls12);
    check_said(&p, "rustls sends supported_versions even without TLS 1.3, so the server knows the client's exact versions; TLS 1.2 is the highest both enable");
}

#[test]
fn server_without_a_version_of_supported_versions_refuses_with_protocol_version() {
    let p = make_case()
        .client(&versions(&["1.3"]))
        .client(&suites(&[TLS13_SUITE]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE]))
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Server,
        Some(Alert::PROTOCOL_VERSION),
        ErrorKind::NoCommonVersion,
    );
    check_said(&p, "No version of the client's supported_versions is enabled on the server: it refuses with protocol_version.");
}

#[test]
fn legacy_hello_gets_the_servers_best_version_at_or_below_its_own() {
    let p = make_case()
        .client(&versions(&["1.0", "1.1"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.0", "1.1", "1.2"]))
        .server(&suites(&[CBC_SUITE]))
        .predict(REFERENCE);
    check_version(&p, Tls11);
    check_said(&p, "The client's hello (no supported_versions) asks for at most TLS 1.1; the server chooses TLS 1.1, its best version at or below it.");
    let p = make_case()
        .client(&versions(&["1.0", "1.1", "1.2"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.0"]))
        .server(&suites(&[CBC_SUITE]))
        .predict(OPENSSL);
    check_version(&p, Tls10);
    check_said(&p, "asks for at most TLS 1.2; the server chooses TLS 1.0");
}

#[test]
fn client_refuses_a_version_below_its_legacy_hello_that_it_does_not_enable() {
    let case = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.0", "1.1"]))
        .server(&suites(&[CBC_SUITE]));
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(Alert::PROTOCOL_VERSION),
        ErrorKind::NoCommonVersion,
    );
    check_said(&p, "the server chooses TLS 1.1");
    check_said(
        &p,
        "The client does not enable TLS 1.1 and aborts with protocol_version.",
    );
    // An OpenSSL server reads the OpenSSL client's alert as a record of the
    // wrong version; a standard one reads the alert.
    let server_error = |p: &Prediction| failed(p).server_error.clone().map(|e| e.kind);
    assert_eq!(server_error(&p), Some(ErrorKind::DecodeError));
    let p = case.predict(REFERENCE);
    assert_eq!(
        server_error(&p),
        Some(ErrorKind::AlertReceived(Alert::PROTOCOL_VERSION))
    );
}

#[test]
fn legacy_hello_below_everything_the_server_speaks_is_refused() {
    let case = make_case()
        .client(&versions(&["1.0", "1.1"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.2", "1.3"]));
    let p = case.predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoCommonVersion,
    );
    check_said(&p, "asks for at most TLS 1.1; the server speaks nothing at or below it, so it refuses with handshake_failure (rustls refuses a hello without signature_algorithms so");
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(Alert::PROTOCOL_VERSION),
        ErrorKind::NoCommonVersion,
    );
    check_said(&p, "so it refuses with protocol_version.");
}

#[test]
fn rustls_server_answers_a_tls12_legacy_hello_with_tls12_only() {
    let p = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE]))
        .predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_version(&p, Tls12);
    check_said(&p, "asks for at most TLS 1.2; the server chooses TLS 1.2");
}

#[test]
fn openssl_client_with_a_hole_offers_only_its_lowest_run() {
    let case = make_case()
        .client(&versions(&["1.0", "1.2", "1.3"]))
        .client(&suites(&[CBC_SUITE, TLS13_SUITE]))
        .server(&versions(&["1.0", "1.1", "1.2", "1.3"]))
        .server(&suites(&[CBC_SUITE, TLS13_SUITE]));
    let p = case.predict(OPENSSL);
    check_version(&p, Tls10);
    check_said(&p, "The client enables TLS 1.0, TLS 1.2, TLS 1.3, with a hole; OpenSSL keeps only the lowest contiguous run, TLS 1.0.");
    check_said(
        &p,
        "offers TLS 1.0 and the suites TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA.",
    );
    let p = case.predict(REFERENCE);
    check_version(&p, Tls13);
    check_not_said(&p, "with a hole");
}

#[test]
fn server_that_speaks_more_marks_a_downgrade_the_client_refuses() {
    // A standard client's legacy hello asks for 1.2; the server speaks 1.1
    // and 1.3, answers 1.1 and marks its random.
    let case = make_case()
        .client(&versions(&["1.1", "1.2"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.1", "1.3"]))
        .server(&suites(&[CBC_SUITE, TLS13_SUITE]));
    let p = case.predict(REFERENCE);
    check_failed(
        &p,
        Side::Client,
        Some(ILLEGAL_PARAMETER),
        ErrorKind::InappropriateFallback,
    );
    check_said(&p, "The server speaks TLS 1.3 but answered TLS 1.1, and marks its random so (RFC 8446 §4.1.3); the client asked for up to TLS 1.2, takes that for a downgrade and aborts with illegal_parameter.");
    // OpenSSL marks below 1.2 only when 1.2 itself is enabled.
    let p = case.predict(rules(Rules::Reference, Rules::OpenSsl));
    check_version(&p, Tls11);
    check_not_said(&p, "marks its random");
    // A client that asked for no more than it got does not mind the mark.
    let p = case.client(&versions(&["1.1"])).predict(REFERENCE);
    check_version(&p, Tls11);
}

#[test]
fn downgrade_sentinel_follows_rfc8446_and_openssl() {
    use quirks::server_sets_downgrade_sentinel as marks;
    for rules in [Rules::Reference, Rules::Rustls, Rules::OpenSsl] {
        assert!(!marks(rules, Tls13, &[Tls12, Tls13]));
        assert!(marks(rules, Tls12, &[Tls12, Tls13]));
        assert!(!marks(rules, Tls12, &[Tls11, Tls12]));
        assert!(!marks(rules, Tls11, &[Tls10, Tls11]));
        assert!(marks(rules, Tls11, &[Tls11, Tls12]));
    }
    assert!(marks(Rules::Reference, Tls11, &[Tls11, Tls13]));
    assert!(!marks(Rules::OpenSsl, Tls11, &[Tls11, Tls13]));
}

// The fallback hello (RFC 7507).

/// A client that offers TLS 1.3 first, with a suite the default server
/// does not list, and falls back to TLS 1.2.
fn make_falling_back_client(scsv: bool) -> Case {
    make_case()
        .client(&versions(&["1.3"]))
        .client(&suites(&["TLS_AES_256_GCM_SHA384", RSA_SUITE]))
        .client(&format!(
            "fallback = {{ versions = [\"1.2\"], scsv = {scsv} }}"
        ))
}

#[test]
fn fallback_below_the_servers_best_is_refused_as_inappropriate() {
    // The server speaks 1.3 but lists no 1.3 suite: the first hello fails.
    let p = make_falling_back_client(true).predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(INAPPROPRIATE_FALLBACK),
        ErrorKind::InappropriateFallback,
    );
    assert!(p.fallback_from.is_some());
    check_said(&p, "The first hello failed in the negotiation, so the client retries with its fallback hello (TLS 1.2, carrying TLS_FALLBACK_SCSV).");
    check_said(&p, "The hello carries TLS_FALLBACK_SCSV and asks for TLS 1.2, below the server's best (TLS 1.3): the server refuses it with inappropriate_fallback (RFC 7507).");
}

#[test]
fn fallback_to_the_servers_best_is_legitimate() {
    let p = make_falling_back_client(true)
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE]))
        .predict(OPENSSL);
    check_version(&p, Tls12);
    let Some(Outcome::Failed(first)) = &p.fallback_from else {
        panic!("no failed first hello");
    };
    assert_eq!(first.alert, Some(Alert::PROTOCOL_VERSION));
    check_said(&p, "The hello carries TLS_FALLBACK_SCSV; TLS 1.2 is the server's best, so the fallback is legitimate.");
}

#[test]
fn fallback_without_scsv_is_not_checked() {
    let p = make_falling_back_client(false).predict(OPENSSL);
    check_version(&p, Tls12);
    check_said(&p, "retries with its fallback hello (TLS 1.2).");
    check_not_said(&p, "TLS_FALLBACK_SCSV");
}

#[test]
fn rustls_server_ignores_scsv_but_marks_the_downgrade_openssl_checks() {
    let p = make_falling_back_client(true).predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_failed(
        &p,
        Side::Client,
        Some(ILLEGAL_PARAMETER),
        ErrorKind::InappropriateFallback,
    );
    check_said(
        &p,
        "The hello carries TLS_FALLBACK_SCSV, which rustls does not check.",
    );
    check_said(
        &p,
        "the client is OpenSSL sending a fallback hello, which checks the mark all the same",
    );
}

#[test]
fn no_fallback_after_a_certificate_was_seen() {
    let p = make_falling_back_client(true)
        .client(&suites(&[TLS13_SUITE, RSA_SUITE]))
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self" }]"#)
        .predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    assert!(p.fallback_from.is_none());
    check_not_said(&p, "retries");
}

// The suite.

#[test]
fn servers_preference_decides_the_suite_when_it_has_one() {
    let case = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE, RSA_SUITE_256]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE_256, RSA_SUITE]));
    let p = case
        .clone()
        .server("server-preference = true")
        .predict(OPENSSL);
    check_suite(&p, RSA_SUITE_256);
    check_said(&p, "The server chooses TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xC030), the first in its own preference order that TLS 1.2 allows and its certificates can serve, and presents its rsa-2048 certificate server.example.com (issued by tls-harness Test Root).");
    let p = case.server("server-preference = false").predict(OPENSSL);
    check_suite(&p, RSA_SUITE);
    check_said(&p, "the first in the client's preference order");
}

#[test]
fn suites_the_version_does_not_allow_are_passed_over() {
    let p = make_case()
        .client(&suites(&[RSA_SUITE, TLS13_SUITE]))
        .server(&suites(&[RSA_SUITE, TLS13_SUITE]))
        .predict(REFERENCE);
    check_version(&p, Tls13);
    check_suite(&p, TLS13_SUITE);
    assert_eq!(established(&p).group.as_deref(), Some("X25519"));
}

#[test]
fn no_shared_suite_is_refused_with_handshake_failure() {
    let p = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE_256]))
        .predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedCipher,
    );
    check_said(&p, "No suite is left that both sides list, that TLS 1.2 allows and that the server's certificates can serve (shared: none): the server refuses with handshake_failure.");
}

#[test]
fn a_suite_no_certificate_can_serve_is_not_chosen() {
    let p = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[ECDSA_SUITE, RSA_SUITE]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[ECDSA_SUITE, RSA_SUITE]))
        .predict(OPENSSL);
    check_suite(&p, RSA_SUITE);
    let p = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&[ECDSA_SUITE]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[ECDSA_SUITE]))
        .predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedCipher,
    );
    check_said(&p, "(shared: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)");
}

#[test]
fn group_is_that_of_the_key_exchange() {
    let at12 = |suite: &str| {
        make_case()
            .client(&versions(&["1.2"]))
            .client(&suites(&[suite]))
            .server(&versions(&["1.2"]))
            .server(&suites(&[suite]))
            .predict(OPENSSL)
    };
    let group = |p: &Prediction| established(p).group.clone();
    assert_eq!(group(&at12(RSA_SUITE)).as_deref(), Some("X25519"));
    assert_eq!(
        group(&at12("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")).as_deref(),
        Some("dh-2048")
    );
    assert_eq!(group(&at12("TLS_RSA_WITH_AES_128_GCM_SHA256")), None);
}

#[test]
fn rustls_server_without_supported_groups_finds_no_group() {
    let case = make_case()
        .client(&versions(&["1.2"]))
        .client(&suites(&["TLS_RSA_WITH_AES_128_GCM_SHA256", RSA_SUITE]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE]));
    // OpenSSL's hello lists an ECDHE suite, so it carries supported_groups.
    check_suite(
        &case.predict(rules(Rules::OpenSsl, Rules::Rustls)),
        RSA_SUITE,
    );
    let p = case
        .client(&suites(&["TLS_RSA_WITH_AES_128_GCM_SHA256"]))
        .predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedGroup,
    );
    check_said(
        &p,
        "so it carries no supported_groups; rustls finds no key-exchange group in common",
    );
}

#[test]
fn rustls_resolver_takes_ecdsa_first_when_any_tls13_suite_is_listed() {
    // The TLS 1.2 hello still lists the TLS 1.3 suite (rustls offers all it
    // lists), which counts for the ECDSA certificate; the retry at 1.3
    // succeeds.
    let case = make_case()
        .client(&versions(&["1.2"]))
        .client(r#"fallback = { versions = ["1.3"], scsv = false }"#)
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "harness-root" }]"#);
    let p = case.predict(RUSTLS);
    check_said(&p, "offers TLS 1.2 and the suites TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.");
    check_said(&p, "rustls's certificate resolver picks its ecdsa-p256 certificate server.example.com (issued by tls-harness Test Root) first");
    let Some(Outcome::Failed(first)) = &p.fallback_from else {
        panic!("the first hello did not fail:\n{}", p.steps.join("\n"));
    };
    assert_eq!(first.cause(), Some(&ErrorKind::NoSharedCipher));
    check_version(&p, Tls13);
    // OpenSSL chooses the suite first, and with it the RSA certificate.
    let p = case.predict(rules(Rules::Rustls, Rules::OpenSsl));
    check_version(&p, Tls12);
    check_suite(&p, RSA_SUITE);
    check_said(&p, "presents its rsa-2048 certificate");
    check_not_said(&p, "resolver");
    // An OpenSSL client leaves the TLS 1.3 suite out of its TLS 1.2 hello.
    let p = case.predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_said(
        &p,
        "offers TLS 1.2 and the suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.",
    );
    check_version(&p, Tls12);
    check_suite(&p, RSA_SUITE);
}

#[test]
fn rustls_resolver_with_one_certificate_says_nothing_of_its_choice() {
    let p = make_case().predict(RUSTLS);
    check_not_said(&p, "resolver");
    check_said(&p, "The server chooses TLS_AES_128_GCM_SHA256 (0x1301)");
}
