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

[ca.rsa-under-ec]
subject = "RSA CA under the EC Root"
issuer = "ec-root"

[ca.weak-root]
subject = "RSA-1024 Root"
key = "rsa-1024"
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

// The rules.

#[test]
fn stacks_are_named_as_their_pairing() {
    assert_eq!(RUSTLS.id(), "rustls-rustls");
    assert_eq!(rules(Rules::OpenSsl, Rules::Rustls).id(), "openssl-rustls");
    assert_eq!(
        rules(Rules::Reference, Rules::OpenSsl).id(),
        "reference-openssl"
    );
    assert_eq!(REFERENCE.id(), "reference");
}

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
fn a_rustls_server_refuses_a_tls10_hello_even_when_its_list_names_tls10() {
    // No backend runs this (rustls has no TLS 1.0), but `explain` can ask
    // the rustls rules about it: they refuse below TLS 1.2 whatever the
    // list says.
    let p = make_case()
        .client(&versions(&["1.0"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.0", "1.2"]))
        .server(&suites(&[CBC_SUITE, RSA_SUITE]))
        .predict(rules(Rules::OpenSsl, Rules::Rustls));
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoCommonVersion,
    );
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
    // A reference client's retry, capped at TLS 1.2, does not check the
    // mark (RFC 8446 §4.1.3 binds TLS 1.3 clients): it completes.
    let p = make_falling_back_client(true).predict(rules(Rules::Reference, Rules::Rustls));
    check_version(&p, Tls12);
    check_not_said(&p, "checks the mark all the same");
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
    assert_eq!(established(&p).group.as_deref(), Some("x25519"));
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
    assert_eq!(group(&at12(RSA_SUITE)).as_deref(), Some("x25519"));
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

// The certificate the server presents.

#[test]
fn withheld_ecdsa_certificate_is_named_and_not_presented() {
    let case = make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "harness-root" }]"#)
        .server(r#"ecdsa-presentation = "only-if-ecdsa-signed""#);
    assert_eq!(
        case.withheld(),
        ["ecdsa-p256 certificate server.example.com: not presented (signed with an rsa-2048 key, and ecdsa-presentation = only-if-ecdsa-signed)"]
    );
    let p = case.predict(OPENSSL);
    check_said(&p, "The server keeps its ecdsa-p256 certificate server.example.com (issued by tls-harness Test Root) in the keystore but does not present it");
    assert_eq!(
        established(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .leaf
            .key,
        "rsa-2048"
    );
    let signed_by_ec = case.server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "ec-root" }]"#);
    assert!(signed_by_ec.withheld().is_empty());
    assert!(make_case().withheld().is_empty());
}

#[test]
fn rustls_server_with_nothing_to_present_denies_access() {
    let case = make_case()
        .server(r#"certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }]"#)
        .server(r#"ecdsa-presentation = "never""#);
    assert_eq!(case.withheld().len(), 1);
    let p = case.predict(RUSTLS);
    check_failed(
        &p,
        Side::Server,
        Some(Alert(49)),
        ErrorKind::Other("rustls:General".into()),
    );
    check_said(&p, "The server has no certificate to present; rustls's certificate resolver finds none and the server aborts with access_denied.");
    // OpenSSL counts TLS 1.3 as off and finds no suite at 1.2.
    let p = case.predict(OPENSSL);
    check_said(
        &p,
        "OpenSSL counts TLS 1.3 as off: the server has no certificate TLS 1.3 can use.",
    );
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedCipher,
    );
    check_said(&p, "TLS 1.2 allows");
}

#[test]
fn openssl_server_with_only_dsa_negotiates_as_if_tls13_were_off() {
    let dss = "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256";
    let case = make_case()
        .client(&suites(&[TLS13_SUITE, dss]))
        .server(&suites(&[TLS13_SUITE, dss]))
        .server(r#"certificate = [{ key = "dsa-2048", issuer = "harness-root" }]"#);
    let p = case.predict(OPENSSL);
    check_said(&p, "OpenSSL counts TLS 1.3 as off");
    check_version(&p, Tls12);
    check_suite(&p, dss);
    // The reference decides the version first, and no DSA certificate
    // serves TLS 1.3.
    let p = case.predict(REFERENCE);
    check_not_said(&p, "counts TLS 1.3 as off");
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedCipher,
    );
    // With an RSA certificate too, TLS 1.3 stays on.
    let p = case
        .server(r#"certificate = [{ key = "dsa-2048", issuer = "harness-root" }, { key = "rsa-2048", issuer = "harness-root" }]"#)
        .predict(OPENSSL);
    check_version(&p, Tls13);
}

#[test]
fn presented_certificate_reports_subject_issuer_and_chain() {
    let p = make_case()
        .server(
            r#"certificate = [{ key = "ecdsa-p256", issuer = "rsa-issuing", send-chain = true }]"#,
        )
        .client(r#"trust = ["harness-root"]"#)
        .predict(RUSTLS);
    let c = established(&p).server_certificate.clone().unwrap();
    assert_eq!(c.leaf.subject, "server.example.com");
    assert_eq!(c.leaf.issuer, "RSA Issuing CA");
    assert_eq!(c.leaf.key, "ecdsa-p256");
    assert!(!c.leaf.self_signed);
    assert_eq!(c.chain_length, 2);
    assert!(!c.accepted_by_exception);
    check_said(&p, "The client trusts it: it chains to one of harness-root and is valid for server.example.com.");
}

// Verification.

#[test]
fn client_refuses_a_self_signed_certificate_it_does_not_trust() {
    let p = make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self" }]"#)
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    check_said(&p, "The client refuses the certificate: it is self-signed and not a trust anchor; it aborts with unknown_ca.");
    let c = failed(&p).server_certificate.clone().unwrap();
    assert!(c.leaf.self_signed);
    assert_eq!(c.chain_length, 1);
}

#[test]
fn chain_not_sent_does_not_reach_the_root() {
    let case = make_case().server(
        r#"certificate = [{ key = "rsa-2048", issuer = "rsa-issuing", send-chain = false }]"#,
    );
    for stacks in [RUSTLS, OPENSSL, REFERENCE] {
        let p = case.predict(stacks);
        check_failed(
            &p,
            Side::Client,
            Some(UNKNOWN_CA),
            ErrorKind::UntrustedCertificate,
        );
        check_said(&p, "it does not chain to a trust anchor (issuers rsa-issuing → harness-root; sent none; trusted harness-root)");
    }
    let p = case
        .clone()
        .server(
            r#"certificate = [{ key = "rsa-2048", issuer = "rsa-issuing", send-chain = true }]"#,
        )
        .predict(OPENSSL);
    assert_eq!(
        established(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .chain_length,
        2
    );
    let p = case.client("trust = []").predict(OPENSSL);
    check_said(&p, "sent none; trusted none)");
}

#[test]
fn openssl_needs_the_root_where_rustls_takes_an_intermediate_anchor() {
    let case = make_case()
        .server(
            r#"certificate = [{ key = "rsa-2048", issuer = "rsa-issuing", send-chain = true }]"#,
        )
        .client(r#"trust = ["rsa-issuing"]"#);
    assert!(matches!(
        case.predict(RUSTLS).outcome,
        Outcome::Established(_)
    ));
    assert!(matches!(
        case.predict(REFERENCE).outcome,
        Outcome::Established(_)
    ));
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    check_said(&p, "(issuers rsa-issuing → harness-root; sent rsa-issuing; trusted rsa-issuing); OpenSSL needs the self-signed root itself in its store; it aborts with unknown_ca.");
    // Not sent, an anchor below the leaf's issuer is still not reached.
    let p = case
        .client(r#"trust = ["harness-root"]"#)
        .server(
            r#"certificate = [{ key = "rsa-2048", issuer = "rsa-issuing", send-chain = false }]"#,
        )
        .predict(RUSTLS);
    check_not_said(&p, "OpenSSL needs");
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
}

#[test]
fn openssl_takes_a_root_from_its_store_when_the_chain_is_not_sent() {
    let p = make_case()
        .server(
            r#"certificate = [{ key = "rsa-2048", issuer = "rsa-issuing", send-chain = false }]"#,
        )
        .client(r#"trust = ["rsa-issuing", "harness-root"]"#)
        .predict(OPENSSL);
    assert_eq!(
        established(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .chain_length,
        1
    );
}

#[test]
fn certificate_is_valid_from_its_first_second_to_its_last() {
    let case = make_case().server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root", not-before = 2020-01-01T00:00:00Z, not-after = 2020-12-31T00:00:00Z }]"#);
    for at in ["2020-01-01T00:00:00Z", "2020-06-01", "2020-12-31T00:00:00Z"] {
        for stacks in [RUSTLS, OPENSSL] {
            let p = case.predict_at(stacks, at);
            assert!(
                matches!(p.outcome, Outcome::Established(_)),
                "at {at}: {}",
                p.outcome.summary()
            );
        }
    }
    let early = "2019-12-31T23:59:59Z";
    let p = case.predict_at(RUSTLS, early);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateNotYetValid,
    );
    check_said(&p, &format!("The client refuses the certificate: at {early} it is not yet valid; it aborts with certificate_expired."));
    let late = "2020-12-31T00:00:01Z";
    let p = case.predict_at(RUSTLS, late);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
    check_said(&p, &format!("The client refuses the certificate: at {late} it is outside its validity period; it aborts with certificate_expired."));
}

#[test]
fn client_refuses_a_certificate_for_another_name() {
    let p = make_case()
        .scenario(r#"server-name = "other.example.com""#)
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(BAD_CERTIFICATE),
        ErrorKind::CertificateNameMismatch,
    );
    check_said(&p, "The client refuses the certificate: it is not valid for other.example.com (names: server.example.com); it aborts with bad_certificate.");
    let p = make_case()
        .scenario(r#"server-name = "SERVER.example.COM""#)
        .predict(RUSTLS);
    assert!(matches!(p.outcome, Outcome::Established(_)));
}

#[test]
fn rustls_reports_expiry_first_and_openssl_the_issuer() {
    let case = make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self", not-after = 2000-12-31 }]"#);
    let p = case.predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    let wrong = make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root", not-after = 2000-12-31 }]"#)
        .scenario(r#"server-name = "other.example.com""#);
    let p = wrong.predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
    let p = wrong.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(BAD_CERTIFICATE),
        ErrorKind::CertificateNameMismatch,
    );
}

/// A self-signed server certificate the client has accepted as an
/// exception.
fn make_excepted_case() -> Case {
    make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self" }]"#)
        .client(r#"accepted-exceptions = [{ subject = "server.example.com", key = "rsa-2048" }]"#)
}

#[test]
fn accepted_exception_lets_an_untrusted_certificate_through() {
    for stacks in [RUSTLS, OPENSSL] {
        let p = make_excepted_case().predict(stacks);
        let c = established(&p).server_certificate.clone().unwrap();
        assert!(c.accepted_by_exception);
        check_said(&p, "The client does not trust its issuer, but has accepted this very certificate (server.example.com rsa-2048) as an exception.");
    }
}

#[test]
fn exception_for_another_key_does_not_apply() {
    let p = make_excepted_case()
        .client(r#"accepted-exceptions = [{ subject = "server.example.com", key = "ecdsa-p256" }]"#)
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    let p = make_excepted_case()
        .client(r#"accepted-exceptions = [{ subject = "other.example.com", key = "rsa-2048" }]"#)
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
}

#[test]
fn hsts_forbids_the_exception() {
    let p = make_excepted_case().client("hsts = true").predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    check_said(&p, "it is self-signed and not a trust anchor; under HSTS no exception can be accepted; it aborts with unknown_ca.");
    let p = make_excepted_case().predict(RUSTLS);
    check_not_said(&p, "HSTS");
}

#[test]
fn openssl_goes_on_checking_after_an_exception_and_rustls_does_not() {
    let case = make_excepted_case().scenario(r#"server-name = "other.example.com""#);
    let p = case.predict(RUSTLS);
    assert!(
        established(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .accepted_by_exception
    );
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(BAD_CERTIFICATE),
        ErrorKind::CertificateNameMismatch,
    );
    check_said(&p, "The client's accepted exception overrides the untrusted issuer, but OpenSSL goes on checking the certificate.");
    assert!(
        failed(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .accepted_by_exception
    );
    let expired = make_excepted_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self", not-after = 2000-12-31 }]"#);
    let p = expired.predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
    assert!(
        failed(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .accepted_by_exception
    );
    // rustls checks the time before the issuer: no exception yet.
    let p = expired.predict(RUSTLS);
    check_failed(
        &p,
        Side::Client,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
    assert!(
        !failed(&p)
            .server_certificate
            .as_ref()
            .unwrap()
            .accepted_by_exception
    );
    check_not_said(&p, "overrides");
}

#[test]
fn rustls_endpoint_without_trust_anchors_cannot_start() {
    let p = make_case().client("trust = []").predict(RUSTLS);
    let f = failed(&p);
    assert_eq!(f.failed_side, Some(Side::Client));
    assert_eq!(f.alert, None);
    assert_eq!(
        f.client_error.as_ref().map(|e| &e.kind),
        Some(&ErrorKind::Configuration)
    );
    assert_eq!(
        f.server_error.as_ref().map(|e| &e.kind),
        Some(&ErrorKind::PeerClosed)
    );
    check_said(&p, "rustls will not build a certificate verifier without a trust anchor: the endpoint cannot start.");
    assert_eq!(p.steps.len(), 1);
    // OpenSSL starts, and refuses the certificate.
    let p = make_case().client("trust = []").predict(OPENSSL);
    check_failed(
        &p,
        Side::Client,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    // A server needs anchors only when it asks for a client certificate.
    let server = make_case().server("trust = []");
    assert!(matches!(
        server.predict(RUSTLS).outcome,
        Outcome::Established(_)
    ));
    let p = server.server(r#"client-auth = "request""#).predict(RUSTLS);
    let f = failed(&p);
    assert_eq!(f.failed_side, Some(Side::Server));
    assert_eq!(
        f.client_error.as_ref().map(|e| &e.kind),
        Some(&ErrorKind::PeerClosed)
    );
    assert_eq!(
        f.server_error.as_ref().map(|e| &e.kind),
        Some(&ErrorKind::Configuration)
    );
}

// Client authentication.

const CLIENT_CERT: &str = r#"certificate = [{ key = "rsa-2048", issuer = "harness-root", subject = "client.example.com" }]"#;

#[test]
fn server_requiring_a_certificate_refuses_a_client_without_one() {
    let case = make_case().server(r#"client-auth = "require""#);
    let p = case.predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(CERTIFICATE_REQUIRED),
        ErrorKind::CertificateRequired,
    );
    check_said(&p, "The server requires a client certificate and the client has none: it aborts with certificate_required.");
    assert!(failed(&p).server_certificate.is_some());
    // Below TLS 1.3 OpenSSL sends handshake_failure, rustls certificate_required.
    let at12 = case
        .server(&versions(&["1.2"]))
        .server(&suites(&[RSA_SUITE]));
    let p = at12.predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::CertificateRequired,
    );
    let p = at12.predict(RUSTLS);
    check_failed(
        &p,
        Side::Server,
        Some(CERTIFICATE_REQUIRED),
        ErrorKind::CertificateRequired,
    );
}

#[test]
fn server_requesting_a_certificate_accepts_a_client_without_one() {
    let p = make_case()
        .server(r#"client-auth = "request""#)
        .predict(RUSTLS);
    assert_eq!(established(&p).client_certificate, None);
    check_said(
        &p,
        "The server asks for a client certificate; the client has none, which it allows.",
    );
}

/// A JSSE client picks its certificate by the server's list of issuer
/// names, and says so only when it has a certificate that the list names
/// no issuer of.
#[test]
fn a_jsse_client_says_why_it_withholds_a_certificate_only_when_it_has_one() {
    const WHY: &str = "names no issuer of the client's certificate";
    let jsse_client = rules(Rules::Jsse, Rules::OpenSsl);
    let case = make_case().server(r#"client-auth = "request""#);
    // No certificate at all: nothing withheld.
    check_not_said(&case.clone().predict(jsse_client), WHY);
    // One from an issuer the server names: sent.
    let named = case.clone().client(CLIENT_CERT).predict(jsse_client);
    assert!(established(&named).client_certificate.is_some());
    check_not_said(&named, WHY);
    // One from an issuer the server does not name: withheld, and said.
    let unnamed = case
        .server(r#"trust = ["ec-root"]"#)
        .client(CLIENT_CERT)
        .predict(jsse_client);
    assert_eq!(established(&unnamed).client_certificate, None);
    check_said(&unnamed, WHY);
}

/// OpenSSL at a security level cannot sign a CertificateVerify below
/// TLS 1.2 (MD5-SHA1 and SHA-1 count under 80 bits), so it sends no
/// certificate there; from TLS 1.2 on it signs.
#[test]
fn an_openssl_client_at_a_security_level_sends_its_certificate_from_tls12_on() {
    const WHY: &str = "cannot sign a CertificateVerify at";
    let static_rsa = "TLS_RSA_WITH_AES_128_CBC_SHA";
    let case = |version: &str| {
        make_case()
            .client(&versions(&[version]))
            .server(&versions(&[version]))
            .client(&suites(&[static_rsa]))
            .server(&suites(&[static_rsa]))
            .client(CLIENT_CERT)
            .client("minimum-key-bits = { rsa = 2048, dh = 2048, ec = 224 }")
            .server(r#"client-auth = "require""#)
    };
    let stacks = rules(Rules::OpenSsl, Rules::Reference);
    let tls12 = case("1.2").predict(stacks);
    assert!(established(&tls12).client_certificate.is_some());
    check_not_said(&tls12, WHY);
    let tls11 = case("1.1").predict(stacks);
    check_said(&tls11, WHY);
    assert_eq!(
        failed(&tls11).cause(),
        Some(&ErrorKind::CertificateRequired)
    );
}

#[test]
fn server_verifies_the_clients_certificate() {
    let case = make_case()
        .server(r#"client-auth = "require""#)
        .client(CLIENT_CERT);
    let p = case.predict(RUSTLS);
    let c = established(&p).client_certificate.clone().unwrap();
    assert_eq!(c.leaf.subject, "client.example.com");
    check_said(&p, "The client sends its rsa-2048 certificate client.example.com (issued by tls-harness Test Root); the server trusts it (anchors: harness-root).");
    let p = case
        .clone()
        .client(r#"certificate = [{ key = "rsa-2048", issuer = "self", subject = "client.example.com" }]"#)
        .predict(RUSTLS);
    check_failed(
        &p,
        Side::Server,
        Some(UNKNOWN_CA),
        ErrorKind::UntrustedCertificate,
    );
    check_said(&p, "The client sends its rsa-2048 certificate client.example.com (self-signed); the server refuses it: it is self-signed and not a trust anchor; it aborts with unknown_ca.");
    assert!(failed(&p).server_certificate.is_some());
    let p = case
        .client(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root", subject = "client.example.com", not-after = 2000-12-31 }]"#)
        .predict(OPENSSL);
    check_failed(
        &p,
        Side::Server,
        Some(CERTIFICATE_EXPIRED),
        ErrorKind::CertificateExpired,
    );
}

#[test]
fn server_without_client_auth_ignores_the_clients_certificate() {
    let p = make_case().client(CLIENT_CERT).predict(RUSTLS);
    assert_eq!(established(&p).client_certificate, None);
    check_not_said(&p, "client sends");
}

// The identity check after the handshake.

#[test]
fn server_application_refuses_an_identity_not_on_its_list() {
    let case = make_case()
        .server(r#"client-auth = "require""#)
        .client(CLIENT_CERT);
    let p = case
        .clone()
        .server(r#"client-identities = ["someone-else.example.com"]"#)
        .predict(RUSTLS);
    let Outcome::IdentityRefused(r) = &p.outcome else {
        panic!("not refused: {}", p.outcome.summary());
    };
    assert_eq!(r.identity.as_deref(), Some("client.example.com"));
    check_said(&p, "After the handshake the server's application checks the client's identity: client.example.com is not on its list (someone-else.example.com), so it refuses the client.");
    let p = case
        .clone()
        .server(r#"client-identities = ["client.example.com"]"#)
        .predict(RUSTLS);
    assert!(matches!(p.outcome, Outcome::Established(_)));
    check_said(
        &p,
        "The client's identity is on the server's list (client.example.com).",
    );
    let p = case.predict(RUSTLS);
    check_not_said(&p, "identity");
}

#[test]
fn identity_check_without_a_client_certificate_refuses_no_certificate() {
    let p = make_case()
        .server(r#"client-auth = "request""#)
        .server(r#"client-identities = ["client.example.com"]"#)
        .predict(RUSTLS);
    assert!(matches!(p.outcome, Outcome::IdentityRefused(_)));
    check_said(&p, "no certificate is not on its list (client.example.com)");
}

#[test]
fn the_handshake_completes_with_its_version_and_suite() {
    let p = make_case().predict(RUSTLS);
    assert_eq!(
        p.steps.last().unwrap(),
        "The handshake completes: TLS 1.3, TLS_AES_128_GCM_SHA256."
    );
    check_said(&p, "The client, Test client (rustls), offers TLS 1.2, TLS 1.3 and the suites TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.");
    check_said(&p, "The server, Test server (rustls), enables TLS 1.2, TLS 1.3 and the suites TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.");
    let p = make_case().predict(REFERENCE);
    check_said(&p, "The client, Test client (a standard (RFC) stack)");
}

#[test]
fn server_says_which_listed_suites_its_stack_does_not_implement() {
    let p = make_case()
        .client(&suites(&[TLS13_SUITE, "TLS_RSA_WITH_AES_128_GCM_SHA256"]))
        .server(&suites(&[TLS13_SUITE, "TLS_RSA_WITH_AES_128_GCM_SHA256"]))
        .predict(RUSTLS);
    check_said(&p, "enables TLS 1.2, TLS 1.3 and the suites TLS_AES_128_GCM_SHA256; it also lists TLS_RSA_WITH_AES_128_GCM_SHA256, which rustls does not implement.");
    check_said(
        &p,
        "offers TLS 1.2, TLS 1.3 and the suites TLS_AES_128_GCM_SHA256.",
    );
    let p = make_case().predict(RUSTLS);
    check_not_said(&p, "does not implement");
}

// The check of a real run against the model, with planted differences.

/// A prediction whose outcome is established, for planting differences
/// into a copy of it.
fn make_established() -> Prediction {
    make_case()
        .server(r#"client-auth = "require""#)
        .client(CLIENT_CERT)
        .predict(RUSTLS)
}

/// A prediction whose outcome is a client's refusal of the certificate.
fn make_refused() -> Prediction {
    make_case()
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "self" }]"#)
        .predict(RUSTLS)
}

/// The disagreements when the real outcome is the prediction's with
/// `plant` applied.
fn do_plant(p: &Prediction, plant: impl FnOnce(&mut Outcome)) -> Vec<String> {
    let mut real = p.outcome.clone();
    plant(&mut real);
    model::disagreements(&real, p.fallback_from.as_ref(), p)
}

fn in_established(o: &mut Outcome) -> &mut Established {
    match o {
        Outcome::Established(e) => e,
        _ => panic!("not established"),
    }
}

fn in_failed(o: &mut Outcome) -> &mut Failed {
    match o {
        Outcome::Failed(f) => f,
        _ => panic!("not failed"),
    }
}

#[test]
fn an_identical_real_outcome_has_no_disagreement() {
    for p in [make_established(), make_refused()] {
        assert_eq!(do_plant(&p, |_| {}), Vec::<String>::new());
    }
}

#[test]
fn disagreement_names_the_version() {
    let d = do_plant(&make_established(), |o| in_established(o).version = Tls12);
    assert_eq!(d, ["version: model 1.3, real 1.2"]);
}

#[test]
fn disagreement_names_the_suite_and_group() {
    let d = do_plant(&make_established(), |o| {
        let e = in_established(o);
        e.suite = tls_harness::outcome::SuiteName::from_code(0x1302);
        e.group = None;
    });
    assert_eq!(
        d,
        [
            "group: model x25519, real none",
            "suite.code: model 0x1301, real 0x1302",
            "suite.name: model TLS_AES_128_GCM_SHA256, real TLS_AES_256_GCM_SHA384",
        ]
    );
}

#[test]
fn disagreement_names_the_certificates() {
    let d = do_plant(&make_established(), |o| {
        let c = in_established(o).server_certificate.as_mut().unwrap();
        c.leaf.subject = "other.example.com".into();
        c.leaf.issuer = "Other CA".into();
        c.chain_length = 3;
    });
    assert_eq!(
        d,
        [
            "server-certificate.chain-length: model 1, real 3",
            "server-certificate.issuer: model tls-harness Test Root, real Other CA",
            "server-certificate.subject: model server.example.com, real other.example.com",
        ]
    );
    let d = do_plant(&make_established(), |o| {
        in_established(o).client_certificate = None;
    });
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("client-certificate: model {"), "{d:?}");
    assert!(d[0].contains(r#""subject":"client.example.com""#), "{d:?}");
    assert!(d[0].ends_with(", real none"), "{d:?}");
    let d = do_plant(&make_established(), |o| {
        let c = in_established(o).server_certificate.as_mut().unwrap();
        c.accepted_by_exception = true;
    });
    assert_eq!(
        d,
        ["server-certificate.accepted-by-exception: model none, real true"]
    );
}

#[test]
fn disagreement_names_the_failure() {
    let d = do_plant(&make_refused(), |o| {
        let f = in_failed(o);
        f.failed_side = Some(Side::Server);
        f.alert = Some(Alert::HANDSHAKE_FAILURE);
    });
    assert_eq!(
        d,
        [
            "alert: model unknown_ca, real handshake_failure",
            "failed-side: model client, real server",
        ]
    );
    let d = do_plant(&make_refused(), |o| {
        let f = in_failed(o);
        f.client_error.as_mut().unwrap().kind = ErrorKind::CertificateExpired;
        f.server_error.as_mut().unwrap().kind = ErrorKind::PeerClosed;
    });
    assert_eq!(
        d,
        [
            "client-error.kind: model untrusted-certificate, real certificate-expired",
            "server-error.kind: model {\"alert-received\":\"unknown_ca\"}, real peer-closed",
        ]
    );
    let d = do_plant(&make_refused(), |o| in_failed(o).server_certificate = None);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("server-certificate: model {"), "{d:?}");
    assert!(d[0].ends_with(", real none"), "{d:?}");
}

#[test]
fn disagreement_ignores_the_librarys_own_words() {
    let d = do_plant(&make_refused(), |o| {
        in_failed(o).client_error.as_mut().unwrap().raw = Some("invalid peer certificate".into());
    });
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn disagreement_names_a_different_result() {
    let d = do_plant(&make_established(), |o| *o = make_refused().outcome);
    assert!(
        d.contains(&"result: model established, real failed".to_string()),
        "{d:?}"
    );
    let p = make_established();
    let d = do_plant(&p, |o| {
        let Outcome::Established(e) = o.clone() else {
            unreachable!()
        };
        *o = o
            .clone()
            .refuse_unlisted_identity(Some(&["someone-else.example.com".to_string()]));
        assert_ne!(*o, Outcome::Established(e));
    });
    assert_eq!(
        d,
        [
            "identity: model none, real client.example.com",
            "result: model established, real identity-refused",
        ]
    );
}

#[test]
fn disagreement_names_a_fallback_on_one_side_only() {
    let p = make_falling_back_client(false).predict(OPENSSL);
    let first = p.fallback_from.clone().expect("the model falls back");
    assert!(model::disagreements(&p.outcome, Some(&first), &p).is_empty());
    assert_eq!(
        model::disagreements(&p.outcome, None, &p),
        ["fallback: model retries, real did not"]
    );
    let direct = make_established();
    assert_eq!(
        model::disagreements(&direct.outcome, Some(&first), &direct),
        ["fallback: real retried, model did not"]
    );
    let mut other_first = first.clone();
    in_failed(&mut other_first).alert = Some(Alert::PROTOCOL_VERSION);
    assert_eq!(
        model::disagreements(&p.outcome, Some(&other_first), &p),
        ["first hello.alert: model handshake_failure, real protocol_version"]
    );
}

// ---- Key-exchange groups, HelloRetryRequest and ALPN ----------------------
// Each expectation below was measured on the real stacks first (the same
// cases run on every pairing in scenarios/backends/groups-and-alpn.toml).

const JSSE: Stacks = rules(Rules::Jsse, Rules::Jsse);

fn group_case(client_groups: &str, server_groups: &str) -> Case {
    make_case()
        .client(&format!("groups = {client_groups}"))
        .server(&format!("groups = {server_groups}"))
}

#[track_caller]
fn check_group(p: &Prediction, group: &str, hello_retry: bool) {
    let e = established(p);
    assert_eq!(e.group.as_deref(), Some(group), "{}", p.steps.join("\n"));
    assert_eq!(e.hello_retry, hello_retry, "{}", p.steps.join("\n"));
}

#[track_caller]
fn check_refusal(p: &Prediction, side: Side, alert: u8, kind: ErrorKind) {
    let Outcome::Failed(f) = &p.outcome else {
        panic!("not a failure: {:?}", p.outcome);
    };
    assert_eq!(f.failed_side, Some(side));
    assert_eq!(f.alert, Some(Alert(alert)));
    assert_eq!(f.cause(), Some(&kind));
}

/// Without an ECDHE suite to pass over, a TLS 1.2 handshake with no curve
/// in common says nothing about ECDHE: it goes on with static RSA.
#[test]
fn no_shared_curve_passes_over_ecdhe_only_where_an_ecdhe_suite_is_shared() {
    let static_rsa = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    let case = group_case(r#"["x25519"]"#, r#"["secp256r1"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .server(&suites(&[static_rsa]));
    let rsa_only = case.clone().client(&suites(&[static_rsa]));
    let p = rsa_only.predict(REFERENCE);
    check_suite(&p, static_rsa);
    check_not_said(&p, "passes over the ECDHE suites");
    let with_ecdhe = case
        .client(&suites(&[RSA_SUITE, static_rsa]))
        .server(&suites(&[RSA_SUITE, static_rsa]));
    let p = with_ecdhe.predict(REFERENCE);
    check_suite(&p, static_rsa);
    check_said(&p, "passes over the ECDHE suites");
}

#[test]
fn rustls_server_retries_for_the_clients_first_group_despite_a_usable_share() {
    // The client lists secp384r1, secp256r1, x25519 and sends shares for
    // secp384r1 and x25519 (as a JSSE client with that order would); the
    // server has x25519 and secp256r1.
    let case = group_case(
        r#"["secp384r1", "secp256r1", "x25519"]"#,
        r#"["x25519", "secp256r1"]"#,
    )
    .client(r#"key-shares = ["secp384r1", "x25519"]"#);
    let from = |server| rules(Rules::Reference, server);
    let rustls = case.predict(from(Rules::Rustls));
    check_group(&rustls, "secp256r1", true);
    check_said(&rustls, "The server chooses secp256r1 and the client sent no key share for it (only secp384r1, x25519)");
    let openssl = case.predict(from(Rules::OpenSsl));
    check_group(&openssl, "x25519", false);
    check_said(
        &openssl,
        "The client sent key shares for secp384r1, x25519; the server takes x25519",
    );
    check_group(&case.predict(from(Rules::Jsse)), "x25519", false);
}

/// A JSSE server takes its TLS 1.2 DHE group from the client's list
/// (RFC 7919 §4): the first ffdhe group both list, not the client's first
/// ffdhe group. (The client also offers an ECDHE suite, so that its hello
/// carries supported_groups at all.)
#[test]
fn a_jsse_dhe_server_takes_the_first_ffdhe_group_both_list() {
    let dhe = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    let p = group_case(r#"["ffdhe3072", "ffdhe2048"]"#, r#"["ffdhe2048"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&[dhe, RSA_SUITE]))
        .server(&suites(&[dhe]))
        .predict(rules(Rules::Reference, Rules::Jsse));
    assert_eq!(
        established(&p).group.as_deref(),
        Some("dh-2048"),
        "{}",
        p.steps.join("\n")
    );
    // A group both list other than the server's `dh-bits` (2048): JSSE
    // takes it; OpenSSL keeps the parameters it loaded.
    let larger = group_case(r#"["ffdhe3072", "ffdhe2048"]"#, r#"["ffdhe3072"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&[dhe, RSA_SUITE]))
        .server(&suites(&[dhe]));
    let jsse = larger.predict(rules(Rules::Reference, Rules::Jsse));
    assert_eq!(established(&jsse).group.as_deref(), Some("dh-3072"));
    let openssl = larger.predict(rules(Rules::Reference, Rules::OpenSsl));
    assert_eq!(established(&openssl).group.as_deref(), Some("dh-2048"));
}

#[test]
fn openssl_server_takes_a_share_it_supports_and_retries_in_its_own_order() {
    let case = group_case(r#"["x25519", "secp256r1"]"#, r#"["secp256r1", "x25519"]"#);
    check_group(&case.predict(OPENSSL), "x25519", false);
    let retry = group_case(
        r#"["secp256r1", "x25519", "secp384r1"]"#,
        r#"["secp384r1", "x25519"]"#,
    );
    // The client's share is for secp256r1, which the server lacks; the
    // retry asks for the server's first that the client lists.
    check_group(&retry.predict(OPENSSL), "secp384r1", true);
    // rustls retries for the client's first shared group instead.
    check_group(
        &retry.predict(rules(Rules::OpenSsl, Rules::Rustls)),
        "x25519",
        true,
    );
}

#[test]
fn no_shared_group_at_tls13_is_refused_and_jsse_says_unexpected_message() {
    let case = group_case(r#"["secp256r1", "x25519"]"#, r#"["secp384r1"]"#)
        .client(r#"versions = ["1.3"]"#)
        .client(&format!(r#"suites = ["{TLS13_SUITE}"]"#));
    check_refusal(
        &case.predict(OPENSSL),
        Side::Server,
        40,
        ErrorKind::NoSharedGroup,
    );
    check_refusal(
        &case.predict(RUSTLS),
        Side::Server,
        40,
        ErrorKind::NoSharedGroup,
    );
    let jsse_server = rules(Rules::OpenSsl, Rules::Jsse);
    check_refusal(
        &case.predict(jsse_server),
        Side::Server,
        10,
        ErrorKind::UnexpectedMessage,
    );
}

#[test]
fn tls12_without_a_shared_curve_passes_over_ecdhe_except_on_rustls() {
    let case = group_case(r#"["secp384r1"]"#, r#"["x25519"]"#)
        .client(r#"versions = ["1.2"]"#)
        .client(&format!(
            r#"suites = ["{RSA_SUITE}", "TLS_RSA_WITH_AES_128_GCM_SHA256"]"#
        ))
        .server(&format!(
            r#"suites = ["{TLS13_SUITE}", "{RSA_SUITE}", "TLS_RSA_WITH_AES_128_GCM_SHA256"]"#
        ));
    let e = established(&case.predict(OPENSSL)).clone();
    assert_eq!(e.suite.name, "TLS_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(e.group, None);
    check_refusal(
        &case.predict(rules(Rules::OpenSsl, Rules::Rustls)),
        Side::Server,
        40,
        ErrorKind::NoSharedGroup,
    );
}

#[test]
fn openssl_server_preference_decides_the_tls12_curve() {
    let case = group_case(
        r#"["secp384r1", "secp256r1"]"#,
        r#"["secp256r1", "secp384r1"]"#,
    )
    .client(r#"versions = ["1.2"]"#)
    .client(&suites(&[RSA_SUITE]));
    check_group(&case.predict(OPENSSL), "secp256r1", false);
    let clients = case.clone().server("server-preference = false");
    check_group(&clients.predict(OPENSSL), "secp384r1", false);
    check_group(&case.predict(JSSE), "secp384r1", false);
}

#[test]
fn alpn_takes_the_servers_first_protocol_the_client_offers() {
    let case = make_case()
        .client(r#"alpn = ["h2", "http/1.1"]"#)
        .server(r#"alpn = ["http/1.1", "h2"]"#);
    for stacks in [RUSTLS, OPENSSL, JSSE, REFERENCE] {
        assert_eq!(
            established(&case.predict(stacks)).alpn.as_deref(),
            Some("http/1.1")
        );
    }
    let no_client = make_case().server(r#"alpn = ["h2"]"#);
    assert_eq!(established(&no_client.predict(OPENSSL)).alpn, None);
}

#[test]
fn alpn_mismatch_is_refused_or_ignored_as_the_server_says() {
    let case = make_case()
        .client(r#"alpn = ["spdy/3"]"#)
        .server(r#"alpn = ["h2"]"#);
    let refused = ErrorKind::NoApplicationProtocol;
    check_refusal(&case.predict(OPENSSL), Side::Server, 120, refused.clone());
    let ignored = case.clone().server(r#"alpn-mismatch = "ignore""#);
    assert_eq!(established(&ignored.predict(OPENSSL)).alpn, None);
    // rustls refuses at TLS 1.3 after its ServerHello: JSSE, which does not
    // name encrypted alerts, reports only that one came, and the alert is
    // read off the wire with the secrets rustls logged.
    let Outcome::Failed(f) = case.predict(rules(Rules::Jsse, Rules::Rustls)).outcome else {
        panic!("not a failure");
    };
    assert_eq!(f.alert, Some(Alert(120)));
    assert_eq!(f.cause(), Some(&refused));
    assert_eq!(
        f.client_error.map(|e| e.kind),
        Some(ErrorKind::EncryptedAlertReceived)
    );
}

#[track_caller]
fn check_scheme(p: &Prediction, scheme: &str) {
    let e = established(p);
    assert_eq!(
        e.signature_scheme.as_deref(),
        Some(scheme),
        "{}",
        p.steps.join("\n")
    );
}

#[test]
fn whose_order_picks_the_server_scheme() {
    let case = make_case()
        .client(r#"signature-schemes = ["rsa_pss_rsae_sha384", "rsa_pss_rsae_sha256"]"#)
        .server(r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384"]"#);
    let own_order = case.clone().server("server-preference = true");
    let client_order = case.server("server-preference = false");
    // rustls signs in its own order whatever the preference.
    check_scheme(&client_order.predict(RUSTLS), "rsa_pss_rsae_sha256");
    // OpenSSL orders its shared schemes as it orders its suites.
    check_scheme(&own_order.predict(OPENSSL), "rsa_pss_rsae_sha256");
    check_scheme(&client_order.predict(OPENSSL), "rsa_pss_rsae_sha384");
    // JSSE walks the client's list.
    let jsse_server = rules(Rules::Rustls, Rules::Jsse);
    check_scheme(&own_order.predict(jsse_server), "rsa_pss_rsae_sha384");
}

#[test]
fn a_tls13_client_without_rsa_pss_is_refused_by_an_rsa_server() {
    let case = make_case()
        .client(r#"versions = ["1.3"]"#)
        .client(&format!(r#"suites = ["{TLS13_SUITE}"]"#))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256"]"#);
    check_refusal(
        &case.predict(OPENSSL),
        Side::Server,
        40,
        ErrorKind::NoSharedSignatureScheme,
    );
    // At TLS 1.2 PKCS#1 v1.5 is allowed.
    let tls12 = make_case()
        .client(r#"versions = ["1.2"]"#)
        .client(&format!(r#"suites = ["{RSA_SUITE}"]"#))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256"]"#);
    check_scheme(&tls12.predict(OPENSSL), "rsa_pkcs1_sha256");
}

#[test]
fn a_jsse_client_refuses_a_chain_signed_with_a_scheme_it_does_not_list() {
    // The server's certificate is signed by harness-root with
    // rsa_pkcs1_sha256, which the client leaves out.
    let case = make_case()
        .client(r#"versions = ["1.2"]"#)
        .client(&format!(r#"suites = ["{RSA_SUITE}"]"#))
        .client(r#"signature-schemes = ["rsa_pss_rsae_sha256"]"#);
    check_refusal(
        &case.predict(rules(Rules::Jsse, Rules::Rustls)),
        Side::Client,
        43,
        ErrorKind::BadCertificate,
    );
    // OpenSSL reads the same list in the client's
    // signature_algorithms_cert and refuses first.
    check_refusal(
        &case.predict(rules(Rules::Jsse, Rules::OpenSsl)),
        Side::Server,
        40,
        ErrorKind::NoSharedSignatureScheme,
    );
    check_scheme(
        &case.predict(rules(Rules::Rustls, Rules::OpenSsl)),
        "rsa_pss_rsae_sha256",
    );
}

#[test]
fn a_jsse_client_refuses_an_intermediate_its_root_signed_with_an_unlisted_scheme() {
    // The leaf's signature (rsa_pkcs1_sha256, by the RSA intermediate) is
    // listed; the intermediate's (ecdsa_secp256r1_sha256, by the EC root)
    // is not. Measured: JSSE sends unsupported_certificate.
    let case = make_case()
        .client(r#"versions = ["1.2"]"#)
        .client(&format!(r#"suites = ["{RSA_SUITE}"]"#))
        .client(r#"trust = ["ec-root"]"#)
        .client(r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]"#)
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "rsa-under-ec" }]"#);
    check_refusal(
        &case.predict(rules(Rules::Jsse, Rules::Rustls)),
        Side::Client,
        43,
        ErrorKind::BadCertificate,
    );
    check_scheme(
        &case.predict(rules(Rules::Rustls, Rules::Rustls)),
        "rsa_pss_rsae_sha256",
    );
}

#[test]
fn a_root_with_a_small_key_is_refused_where_the_verifier_checks_anchors() {
    let level2 = "minimum-key-bits = { rsa = 2048, dh = 2048, ec = 224 }";
    let case = make_case()
        .client(r#"trust = ["weak-root"]"#)
        .client(level2)
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "weak-root" }]"#);
    // OpenSSL holds the anchor's key to its level; rustls cannot verify a
    // signature by it; JSSE's per-engine constraints never see it.
    check_refusal(
        &case.predict(OPENSSL),
        Side::Client,
        42,
        ErrorKind::BadCertificate,
    );
    check_refusal(
        &case.predict(rules(Rules::Rustls, Rules::OpenSsl)),
        Side::Client,
        51,
        ErrorKind::BadCertificate,
    );
    established(&case.predict(rules(Rules::Jsse, Rules::OpenSsl)));
    // Without the policy OpenSSL (level 0) accepts the root.
    let default = make_case()
        .client(r#"trust = ["weak-root"]"#)
        .server(r#"certificate = [{ key = "rsa-2048", issuer = "weak-root" }]"#);
    established(&default.predict(OPENSSL));
}

#[test]
fn an_accepted_exception_spares_an_rsa_1024_key_only_where_the_key_is_checked_with_the_certificate()
{
    let case = make_case()
        .server(r#"certificate = [{ key = "rsa-1024", issuer = "self" }]"#)
        .client(r#"accepted-exceptions = [{ subject = "server.example.com", key = "rsa-1024" }]"#)
        .client("minimum-key-bits = { rsa = 2048 }");
    // rustls refuses the key when it verifies the signature made with it,
    // after the exception has ended its certificate checks.
    check_refusal(
        &case.predict(rules(Rules::Rustls, Rules::OpenSsl)),
        Side::Client,
        51,
        ErrorKind::BadCertificate,
    );
    // A standard stack checks keys with the certificate, which the
    // exception lets through.
    let reference = rules(Rules::Reference, Rules::Reference);
    assert!(
        established(&case.predict(reference))
            .server_certificate
            .as_ref()
            .unwrap()
            .accepted_by_exception
    );
}

/// Which library refuses to start without a trust anchor is said by name:
/// JSSE's PKIX trust manager, or rustls' verifier builder, on whichever
/// side it is.
#[test]
fn an_endpoint_without_trust_anchors_is_named_by_its_library() {
    const PKIX: &str = "JSSE's PKIX trust manager";
    const RUSTLS_VERIFIER: &str = "rustls will not build a certificate verifier";
    let trusting = make_case().client(r#"trust = ["harness-root"]"#);
    let no_trust = make_case().client("trust = []");
    let p = no_trust.predict(rules(Rules::Jsse, Rules::Rustls));
    check_said(&p, PKIX);
    let p = no_trust.predict(rules(Rules::Rustls, Rules::Jsse));
    check_said(&p, RUSTLS_VERIFIER);
    check_not_said(&p, PKIX);
    let asks = trusting
        .clone()
        .client(r#"certificate = [{ key = "rsa-2048", issuer = "harness-root" }]"#)
        .server(r#"client-auth = "require""#)
        .server("trust = []");
    let p = asks.predict(rules(Rules::Jsse, Rules::Rustls));
    check_said(&p, RUSTLS_VERIFIER);
    check_not_said(&p, PKIX);
    let p = asks.predict(rules(Rules::Rustls, Rules::Jsse));
    check_said(&p, PKIX);
}

/// A JSSE side on a named release says what the release's own settings
/// take out of its lists, and says nothing where they take nothing.
#[test]
fn a_named_jdk_says_what_its_settings_disable() {
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .server(r#"jdk = "21.0.8""#)
        .server(&format!(
            r#"suites = ["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "{RSA_SUITE}", "{CBC_SUITE}"]"#
        ))
        .server(r#"versions = ["1.0", "1.2"]"#)
        .server(r#"certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }, { key = "rsa-2048", issuer = "harness-root" }]"#);
    let p = case.predict(rules(Rules::Rustls, Rules::Jsse));
    check_said(
        &p,
        "runs JDK 21.0.8, whose own settings (jdk.tls.disabledAlgorithms) disable TLS 1.0, TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    );
    assert_eq!(established(&p).suite.name, RSA_SUITE);
    // On OpenSSL the release means nothing.
    check_not_said(
        &case.predict(rules(Rules::Rustls, Rules::OpenSsl)),
        "whose own settings",
    );
    let nothing = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .server(r#"jdk = "21.0.8""#);
    check_not_said(
        &nothing.predict(rules(Rules::Rustls, Rules::Jsse)),
        "whose own settings",
    );
}

/// A JSSE side whose release disables everything it enables cannot start,
/// on either side, and the reason names JSSE's own words.
#[test]
fn a_jsse_side_left_with_nothing_by_its_jdk_cannot_start() {
    let tls10 = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.0"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&versions(&["1.0", "1.2"]))
        .server(&suites(&[CBC_SUITE, RSA_SUITE]));
    let client = tls10.clone().client(r#"jdk = "17.0.2""#);
    let p = client.predict(rules(Rules::Jsse, Rules::Rustls));
    check_said(&p, "(No appropriate protocol)");
    let f = failed(&p);
    assert_eq!(f.failed_side, Some(Side::Client));
    assert_eq!(
        f.client_error.as_ref().map(|e| &e.kind),
        Some(&ErrorKind::Configuration)
    );
    // The same on the server's side.
    let server = tls10
        .client(&versions(&["1.0", "1.2"]))
        .client(&suites(&[CBC_SUITE, RSA_SUITE]))
        .server(&versions(&["1.0"]))
        .server(&suites(&[CBC_SUITE]))
        .server(r#"jdk = "17.0.2""#);
    let p = server.predict(rules(Rules::Rustls, Rules::Jsse));
    check_said(&p, "(No appropriate protocol)");
    assert_eq!(failed(&p).failed_side, Some(Side::Server));
}

/// JSSE cannot sign a key exchange with its DSA key below TLS 1.2: the
/// server aborts with internal_error after its certificate; at TLS 1.2 it
/// signs.
#[test]
fn a_jsse_server_signs_with_dsa_only_from_tls_1_2() {
    let dss = "TLS_DHE_DSS_WITH_AES_128_CBC_SHA";
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&suites(&[dss]))
        .server(&suites(&[dss]))
        .server(r#"certificate = [{ key = "dsa-2048", issuer = "harness-root" }]"#);
    let tls10 = case
        .clone()
        .client(&versions(&["1.0"]))
        .server(&versions(&["1.0"]));
    let p = tls10.predict(rules(Rules::Reference, Rules::Jsse));
    let f = failed(&p);
    assert_eq!(f.failed_side, Some(Side::Server));
    assert_eq!(f.alert, Some(Alert(80)));
    check_version(
        &case
            .client(&versions(&["1.2"]))
            .server(&versions(&["1.2"]))
            .predict(rules(Rules::Reference, Rules::Jsse)),
        Tls12,
    );
    // OpenSSL signs at TLS 1.0.
    check_version(
        &tls10.predict(rules(Rules::Reference, Rules::OpenSsl)),
        Tls10,
    );
}

/// A JSSE server at TLS 1.2 serves ECDH_RSA with an EC certificate an
/// ECDSA CA signed (RFC 5246 §7.4.2); RFC 4492's rule, which the
/// reference keeps, wants an RSA-signed one.
#[test]
fn a_jsse_server_serves_static_ecdh_with_any_issuer_at_tls_1_2() {
    let case = make_case()
        .client(r#"trust = ["ec-root"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"]))
        .server(&suites(&["TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"]))
        .server(r#"certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]"#);
    check_version(&case.predict(rules(Rules::Reference, Rules::Jsse)), Tls12);
    failed(&case.predict(REFERENCE));
    let tls10 = case
        .client(&versions(&["1.0"]))
        .server(&versions(&["1.0"]))
        .client(&suites(&["TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"]))
        .server(&suites(&["TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"]));
    failed(&tls10.predict(rules(Rules::Reference, Rules::Jsse)));
}

/// Only JSSE refuses a chain signed with a scheme its own list leaves out:
/// a rustls or OpenSSL client that lists only ECDSA schemes still takes an
/// ECDSA leaf that an RSA CA signed (checked against the real stacks).
#[test]
fn only_jsse_checks_the_chain_against_its_own_schemes() {
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.3"]))
        .server(&versions(&["1.3"]))
        .client(&suites(&[TLS13_SUITE]))
        .server(&suites(&[TLS13_SUITE]))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256"]"#)
        .server(r#"certificate = [{ key = "ecdsa-p256", issuer = "harness-root" }]"#);
    for client in [Rules::Rustls, Rules::OpenSsl, Rules::Reference] {
        check_version(&case.predict(rules(client, Rules::Rustls)), Tls13);
    }
    failed(&case.predict(rules(Rules::Jsse, Rules::Rustls)));
}

/// A JSSE server picks its certificate by key algorithm: offered
/// ecdsa_secp256r1_sha256 first, it takes its P-384 ECDSA key, for which
/// no scheme both list fits at TLS 1.3, and fails; the others sign with
/// their RSA key (all checked against the real stacks).
#[test]
fn a_jsse_server_picks_its_certificate_by_algorithm_and_finds_no_scheme_for_its_curve() {
    let case = tls13_keys(
        r#""ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256""#,
        r#"{ key = "ecdsa-p384", issuer = "ec-root" }, { key = "rsa-2048", issuer = "harness-root" }"#,
    );
    let jsse = case.predict(rules(Rules::Reference, Rules::Jsse));
    assert_eq!(failed(&jsse).failed_side, Some(Side::Server));
    for server in [Rules::Rustls, Rules::OpenSsl, Rules::Reference] {
        let key = presented_key(&case, server);
        assert_eq!(key.as_deref(), Some("rsa-2048"), "{server:?}");
    }
}

const RSA_ECDSA: &str =
    r#"{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "ec-root" }"#;
const RSA_ECDSA_DSA: &str = r#"{ key = "rsa-2048", issuer = "harness-root" }, { key = "ecdsa-p256", issuer = "ec-root" }, { key = "dsa-2048", issuer = "harness-root" }"#;

/// A TLS 1.3 server holding `certs` and a client listing
/// `client_schemes`, trusting both roots.
fn tls13_keys(client_schemes: &str, certs: &str) -> Case {
    make_case()
        .client(r#"trust = ["harness-root", "ec-root"]"#)
        .client(&versions(&["1.3"]))
        .server(&versions(&["1.3"]))
        .client(&suites(&[TLS13_SUITE]))
        .server(&suites(&[TLS13_SUITE]))
        .client(&format!("signature-schemes = [{client_schemes}]"))
        .server(&format!("certificate = [{certs}]"))
}

/// The key a `server` presents in `case` to a reference client.
fn presented_key(case: &Case, server: Rules) -> Option<String> {
    key_between(case, rules(Rules::Reference, server))
}

/// The key the server presents in `case` on `stacks`.
fn key_between(case: &Case, stacks: Stacks) -> Option<String> {
    let p = case.predict(stacks);
    established(&p)
        .server_certificate
        .as_ref()
        .map(|c| c.leaf.key.clone())
}

/// A JSSE server at TLS 1.3 ranks its keys by the first scheme of each
/// algorithm in the client's list, rsa_pkcs1_sha256 (certificates only)
/// and a scheme for another curve counting, and passes over an algorithm
/// it could sign no CertificateVerify with. Measured on rustls-jsse and
/// openssl-jsse, with an RSA and an ECDSA P-256 certificate, and with a
/// DSA one beside them.
#[test]
fn a_jsse_server_ranks_its_keys_by_the_first_scheme_of_each_algorithm() {
    let key = |schemes| presented_key(&tls13_keys(schemes, RSA_ECDSA), Rules::Jsse);
    let pkcs1_first = r#""rsa_pkcs1_sha256", "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256""#;
    assert_eq!(key(pkcs1_first).as_deref(), Some("rsa-2048"));
    let no_pss = r#""rsa_pkcs1_sha256", "ecdsa_secp256r1_sha256""#;
    assert_eq!(key(no_pss).as_deref(), Some("ecdsa-p256"));
    let pkcs1_then_p384 = r#""rsa_pkcs1_sha256", "ecdsa_secp384r1_sha384", "rsa_pss_rsae_sha256""#;
    assert_eq!(key(pkcs1_then_p384).as_deref(), Some("rsa-2048"));
    let p384_first = r#""ecdsa_secp384r1_sha384", "rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256""#;
    assert_eq!(key(p384_first).as_deref(), Some("ecdsa-p256"));
    let pss_first = r#""rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256""#;
    assert_eq!(key(pss_first).as_deref(), Some("rsa-2048"));
    let three = presented_key(&tls13_keys(pss_first, RSA_ECDSA_DSA), Rules::Jsse);
    assert_eq!(three.as_deref(), Some("rsa-2048"));
    // Its own list without RSA-PSS leaves RSA nothing to sign with.
    let no_pss = tls13_keys(pkcs1_first, RSA_ECDSA)
        .server(r#"signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256"]"#);
    assert_eq!(
        presented_key(&no_pss, Rules::Jsse).as_deref(),
        Some("ecdsa-p256")
    );
}

/// rustls (the harness's resolver, ECDSA first) presents ECDSA whatever
/// either side's scheme order; OpenSSL follows its own order, ECDSA first
/// by default, RSA-PSS first where its profile says so (measured on every
/// pairing).
#[test]
fn rustls_and_openssl_servers_do_not_follow_the_clients_scheme_order_to_a_key() {
    let pss_first = r#""rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256""#;
    let pkcs1_first = r#""rsa_pkcs1_sha256", "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256""#;
    for server in [Rules::Rustls, Rules::OpenSsl] {
        for schemes in [pss_first, pkcs1_first] {
            let key = presented_key(&tls13_keys(schemes, RSA_ECDSA), server);
            assert_eq!(key.as_deref(), Some("ecdsa-p256"), "{server:?} {schemes}");
        }
    }
    let pss_first_server = tls13_keys(pss_first, RSA_ECDSA)
        .server(r#"signature-schemes = ["rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256"]"#);
    let key = |server| presented_key(&pss_first_server, server);
    assert_eq!(key(Rules::Rustls).as_deref(), Some("ecdsa-p256"));
    assert_eq!(key(Rules::OpenSsl).as_deref(), Some("rsa-2048"));
}

/// A JSSE server that refuses a hello when the two sides list no scheme
/// in common does so only where schemes count: at TLS 1.1, chosen below
/// the client's TLS 1.2, it serves (measured on jsse-jsse; an OpenSSL
/// client leaves its RSA suite out for want of a scheme before it asks).
#[test]
fn a_jsse_server_below_tls12_ignores_the_clients_schemes() {
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.1", "1.2"]))
        .server(&versions(&["1.1"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&suites(&[CBC_SUITE]))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256"]"#)
        .server(r#"signature-schemes = ["rsa_pkcs1_sha256"]"#);
    check_version(&case.predict(rules(Rules::Jsse, Rules::Jsse)), Tls11);
}

/// An OpenSSL server at TLS 1.3 passes over a certificate whose own
/// signature the client's signature_algorithms_cert leaves out, where
/// another passes: here its ECDSA leaf, signed by an RSA root with
/// rsa_pkcs1_sha256, for its RSA leaf signed by an EC root. Only a JSSE
/// client sends that list (measured on jsse-openssl; the other pairings
/// present ECDSA).
#[test]
fn an_openssl_server_passes_over_a_leaf_whose_signature_the_client_cannot_check() {
    let case = tls13_keys(
        r#""ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256""#,
        r#"{ key = "ecdsa-p256", issuer = "harness-root" }, { key = "rsa-2048", issuer = "ec-root" }"#,
    );
    let key = |client, server| key_between(&case, rules(client, server));
    assert_eq!(
        key(Rules::Jsse, Rules::OpenSsl).as_deref(),
        Some("rsa-2048")
    );
    assert_eq!(
        key(Rules::OpenSsl, Rules::OpenSsl).as_deref(),
        Some("ecdsa-p256")
    );
    assert_eq!(
        key(Rules::Rustls, Rules::Jsse).as_deref(),
        Some("ecdsa-p256")
    );
}

/// At TLS 1.2 an OpenSSL server with no ECDSA scheme in common passes
/// over its ECDSA certificate's suites and serves ECDHE-RSA, though it
/// prefers ECDHE-ECDSA; JSSE chooses ECDHE-ECDSA and then finds nothing to
/// sign with (measured on rustls-openssl and rustls-jsse).
#[test]
fn an_openssl_server_at_tls12_passes_over_an_ecdsa_certificate_it_cannot_sign_with() {
    let both = [ECDSA_SUITE, RSA_SUITE];
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&both))
        .server(&suites(&both))
        .server("server-preference = true")
        .client(r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]"#)
        .server(r#"certificate = [{ key = "ecdsa-p256" }, { key = "rsa-2048" }]"#);
    check_suite(
        &case.predict(rules(Rules::Rustls, Rules::OpenSsl)),
        RSA_SUITE,
    );
    let jsse = case.predict(rules(Rules::Rustls, Rules::Jsse));
    assert_eq!(failed(&jsse).alert, Some(quirks::INTERNAL_ERROR));
}

/// Whether a JSSE client with an RSA certificate sends it to a server
/// requesting one with `server_schemes`, at `version` alone.
fn jsse_client_sends_rsa_certificate(version: &str, server_schemes: &str) -> bool {
    let (suite, server_key) = match version {
        "1.3" => (TLS13_SUITE, "ecdsa-p256"),
        _ => (RSA_SUITE, "rsa-2048"),
    };
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&[version]))
        .server(&versions(&[version]))
        .client(&suites(&[suite]))
        .server(&suites(&[suite]))
        .client(r#"certificate = [{ key = "rsa-2048", subject = "agent.example.com" }]"#)
        .server(&format!(r#"certificate = [{{ key = "{server_key}" }}]"#))
        .server(r#"client-auth = "request""#)
        .server(&format!("signature-schemes = [{server_schemes}]"));
    let p = case.predict(rules(Rules::Jsse, Rules::OpenSsl));
    established(&p).client_certificate.is_some()
}

/// A JSSE client answers a CertificateRequest with its RSA key only where
/// the request lists a scheme it can sign a CertificateVerify with at
/// that version: not rsa_pkcs1_sha256 at TLS 1.3, yes at TLS 1.2; and
/// never where it lists no RSA scheme (measured on jsse-openssl,
/// jsse-rustls and jsse-jsse).
#[test]
fn a_jsse_client_sends_its_certificate_only_with_a_scheme_to_sign_for_it() {
    let no_pss = r#""ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256""#;
    assert!(!jsse_client_sends_rsa_certificate("1.3", no_pss));
    assert!(jsse_client_sends_rsa_certificate(
        "1.2",
        r#""rsa_pkcs1_sha256""#
    ));
    assert!(!jsse_client_sends_rsa_certificate(
        "1.3",
        r#""ecdsa_secp256r1_sha256""#
    ));
    let with_pss = r#""ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256""#;
    assert!(jsse_client_sends_rsa_certificate("1.3", with_pss));
}

/// Only OpenSSL wants a signature scheme for its certificate with a static
/// RSA suite, which signs nothing: a client that lists only an ECDSA
/// scheme is refused by it, and served by the others.
#[test]
fn only_openssl_wants_a_scheme_for_a_static_rsa_suite() {
    let static_rsa = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&[static_rsa]))
        .server(&suites(&[static_rsa]))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256"]"#);
    check_failed(
        &case.predict(rules(Rules::Reference, Rules::OpenSsl)),
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedSignatureScheme,
    );
    for server in [Rules::Reference, Rules::Jsse] {
        check_suite(&case.predict(rules(Rules::Reference, server)), static_rsa);
    }
}

/// An OpenSSL client leaves out the suites no scheme of its own serves,
/// and with none left fails before its hello with internal_error; a
/// server that reads that alert where the hello should be is an OpenSSL
/// one reporting an unexpected message, or another reporting the alert
/// (all checked against the real stacks).
#[test]
fn an_openssl_client_offers_no_suite_its_schemes_cannot_serve() {
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE]))
        .server(&suites(&[RSA_SUITE]))
        .client(r#"signature-schemes = ["ecdsa_secp256r1_sha256"]"#);
    let server_error = |server| {
        let p = case.predict(rules(Rules::OpenSsl, server));
        check_failed(
            &p,
            Side::Client,
            Some(quirks::INTERNAL_ERROR),
            ErrorKind::NoSharedCipher,
        );
        failed(&p).server_error.as_ref().map(|e| e.kind.clone())
    };
    assert_eq!(
        server_error(Rules::OpenSsl),
        Some(ErrorKind::UnexpectedMessage)
    );
    let received = Some(ErrorKind::AlertReceived(quirks::INTERNAL_ERROR));
    assert_eq!(server_error(Rules::Rustls), received);
    assert_eq!(server_error(Rules::Reference), received);
    check_failed(
        &case.predict(REFERENCE),
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedSignatureScheme,
    );
}

/// The same for ECDSA and DSS suites: an OpenSSL client listing only RSA
/// schemes offers neither, and gives up with internal_error before its
/// hello (measured on openssl-openssl and openssl-jsse).
#[test]
fn an_openssl_client_with_rsa_schemes_offers_no_ecdsa_or_dss_suite() {
    for suite in [ECDSA_SUITE, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"] {
        let case = make_case()
            .client(r#"trust = ["harness-root"]"#)
            .client(&versions(&["1.2"]))
            .server(&versions(&["1.2"]))
            .client(&suites(&[suite]))
            .server(&suites(&[suite]))
            .client(r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]"#);
        for server in [Rules::OpenSsl, Rules::Jsse] {
            check_failed(
                &case.predict(rules(Rules::OpenSsl, server)),
                Side::Client,
                Some(quirks::INTERNAL_ERROR),
                ErrorKind::NoSharedCipher,
            );
        }
    }
}

/// A client certificate whose key can sign with no scheme of the server's
/// CertificateRequest: rustls and OpenSSL send no certificate and go on;
/// JSSE fails with internal_error at TLS 1.3, where it picked the ECDSA
/// key by algorithm alone (all measured).
#[test]
fn a_client_key_that_fits_no_requested_scheme_stays_home_except_on_jsse() {
    let tls12 = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.2"]))
        .server(&versions(&["1.2"]))
        .client(&suites(&[RSA_SUITE]))
        .server(&suites(&[RSA_SUITE]))
        .server(r#"client-auth = "request""#)
        .server(r#"trust = ["ec-root"]"#)
        .server(r#"signature-schemes = ["rsa_pss_rsae_sha256", "rsa_pkcs1_sha256"]"#)
        .client(r#"certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]"#);
    let tls13 = tls12
        .clone()
        .client(&versions(&["1.3"]))
        .server(&versions(&["1.3"]))
        .client(&suites(&[TLS13_SUITE]))
        .server(&suites(&[TLS13_SUITE]))
        .server(r#"signature-schemes = ["ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"]"#)
        .client(r#"certificate = [{ key = "ecdsa-p384", issuer = "ec-root" }]"#);
    for case in [&tls12, &tls13] {
        for client in [Rules::Rustls, Rules::OpenSsl, Rules::Reference] {
            let p = case.predict(rules(client, Rules::Rustls));
            assert_eq!(established(&p).client_certificate, None, "{client:?}");
        }
    }
    check_failed(
        &tls13.predict(rules(Rules::Jsse, Rules::Rustls)),
        Side::Client,
        Some(quirks::INTERNAL_ERROR),
        ErrorKind::Other("jsse:SSLException".into()),
    );
}

/// Below TLS 1.2 an OpenSSL server's CertificateRequest names only the
/// certificate types its schemes verify (RSA here): a JSSE client with an
/// ECDSA key sends none and is refused; an OpenSSL client sends its ECDSA
/// certificate all the same and is taken; servers that name every type
/// take it from anyone (all checked against the real stacks).
#[test]
fn below_tls_1_2_openssl_names_only_the_types_its_schemes_verify() {
    let case = make_case()
        .client(r#"trust = ["harness-root"]"#)
        .client(&versions(&["1.1"]))
        .server(&versions(&["1.1"]))
        .client(&suites(&[CBC_SUITE]))
        .server(&suites(&[CBC_SUITE]))
        .server(r#"client-auth = "require""#)
        .server(r#"trust = ["ec-root"]"#)
        .server(r#"signature-schemes = ["rsa_pkcs1_sha256"]"#)
        .client(r#"certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]"#);
    for client in [Rules::Jsse, Rules::Reference] {
        check_failed(
            &case.predict(rules(client, Rules::OpenSsl)),
            Side::Server,
            Some(Alert::HANDSHAKE_FAILURE),
            ErrorKind::CertificateRequired,
        );
    }
    let p = case.predict(OPENSSL);
    check_version(&p, Tls11);
    assert!(established(&p).client_certificate.is_some());
    for server in [Rules::Jsse, Rules::Reference] {
        let p = case.predict(rules(Rules::Reference, server));
        assert!(established(&p).client_certificate.is_some(), "{server:?}");
    }
}
