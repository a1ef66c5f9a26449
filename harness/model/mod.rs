//! The negotiation model: a pure function (no I/O, no keys, no handshakes)
//! from a scenario's two endpoints, and the rules each side follows, to the
//! normalised [`Outcome`] a real handshake would have, with the reasons in
//! words ([`Prediction::steps`]).
//!
//! The model follows the RFCs: the version by RFC 8446 §4.2.1
//! (supported_versions) or RFC 5246 Appendix E.1 (a legacy hello), the
//! suite by the server's or the client's preference among the suites both
//! list that are valid for the version and that a certificate can serve
//! (RFC 5246 §7.4.2), the certificate by its chain to a trust anchor and its
//! name (RFC 5280, RFC 6125), the client certificate by RFC 8446 §4.4.2.4
//! and RFC 5246 §7.4.6, the fallback by RFC 7507. Where rustls, OpenSSL or JSSE
//! departs from them, [`quirks`] says so, one named function per departure.
//!
//! Every real run is checked against the model ([`disagreements`]); the
//! property tests in `tests/model.rs` check it on random configurations.
//!
//! One hello runs through the negotiation's own stages, each in its file
//! and each adding its sentences to the reasons: `hello.rs` (whether both
//! ends can start, what the client offers), `certificate.rs` (what the
//! server can present), `version.rs` (the version, TLS_FALLBACK_SCSV, and
//! the client reading the ServerHello), `suite.rs` (the suite and the
//! certificate with it), `verify.rs` (the client verifying the server)
//! and `client_auth.rs`; [`predict`] adds the fallback retry and the
//! application's identity check, and `check.rs` compares a real run
//! ([`disagreements`]).

mod alpn;
mod certificate;
mod check;
mod client_auth;
mod group;
mod hello;
mod jdk;
pub mod quirks;
mod signature;
mod suite;
mod verify;
mod version;

use serde::Serialize;

use crate::backend::{Backend, Pairing};
use crate::moment::Moment;
use crate::outcome::{Alert, ErrorKind, Established, Failed, Outcome, Side, SideError, SuiteName};
use crate::pki::CaSpec;
use crate::scenario::{Profile, Scenario};
use crate::suite::Suite;
use crate::version::ProtocolVersion;

pub use certificate::withheld;
pub use check::disagreements;

/// Whose rules one side follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rules {
    /// The RFCs alone: for endpoints no backend can implement (static ECDH,
    /// SSL-era releases) and for explaining what a standard peer does.
    Reference,
    /// rustls 0.23 as the harness drives it.
    Rustls,
    /// OpenSSL (the reference build of the README) as the harness drives it.
    OpenSsl,
    /// JSSE (OpenJDK 17's `SSLEngine`) under the harness's security
    /// properties, as the harness drives it.
    Jsse,
}

impl Rules {
    /// `reference`, `rustls` or `openssl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rules::Reference => "reference",
            Rules::Rustls => "rustls",
            Rules::OpenSsl => "openssl",
            Rules::Jsse => "jsse",
        }
    }

    /// The backend these rules are, if any.
    pub fn backend(self) -> Option<Backend> {
        match self {
            Rules::Reference => None,
            Rules::Rustls => Some(Backend::Rustls),
            Rules::OpenSsl => Some(Backend::OpenSsl),
            Rules::Jsse => Some(Backend::Jsse),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rules::Reference => "a standard (RFC) stack",
            Rules::Rustls => "rustls",
            Rules::OpenSsl => "OpenSSL",
            Rules::Jsse => "JSSE",
        }
    }
}

impl From<Backend> for Rules {
    fn from(b: Backend) -> Rules {
        match b {
            Backend::Rustls => Rules::Rustls,
            Backend::OpenSsl => Rules::OpenSsl,
            Backend::Jsse => Rules::Jsse,
        }
    }
}

/// The rules of each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Stacks {
    /// The client's.
    pub client: Rules,
    /// The server's.
    pub server: Rules,
}

impl Stacks {
    /// Both sides by the RFCs.
    pub const REFERENCE: Stacks = Stacks {
        client: Rules::Reference,
        server: Rules::Reference,
    };

    /// `rustls-openssl`, or `reference` for [`Stacks::REFERENCE`].
    pub fn id(self) -> String {
        if self == Stacks::REFERENCE {
            "reference".to_string()
        } else {
            format!("{}-{}", self.client.as_str(), self.server.as_str())
        }
    }
}

impl From<Pairing> for Stacks {
    fn from(p: Pairing) -> Stacks {
        Stacks {
            client: p.client.into(),
            server: p.server.into(),
        }
    }
}

/// What the model predicts for one scenario under one set of rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Prediction {
    /// The outcome (of the retry, when the client fell back).
    pub outcome: Outcome,
    /// The first attempt, when the client fell back to its retry hello.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<Outcome>,
    /// The reasoning, one sentence a step.
    pub steps: Vec<String>,
}

/// Predicts `scenario` under `stacks`, with dated profiles taken at the
/// scenario's own date or else `at`. `cas` are the CAs the scenario file
/// knows (the model reasons about their specs, never their keys).
pub fn predict(scenario: &Scenario, cas: &[CaSpec], stacks: Stacks, at: Moment) -> Prediction {
    let at = scenario.at.unwrap_or(at);
    let client = scenario.client.at(at);
    let server = scenario.server.at(at);
    let world = World {
        cas,
        at,
        server_name: &scenario.server_name,
    };
    let mut steps = Vec::new();
    let first = attempt(&world, stacks, &client, &server, false, &mut steps);
    let (outcome, fallback_from) = match (&first, client.fallback_hello()) {
        (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
            let second = fall_back(&world, stacks, &client, &retry, &server, &mut steps);
            (second, Some(first))
        }
        _ => (first, None),
    };
    Prediction {
        outcome: check_identity(outcome, &server, &mut steps),
        fallback_from,
        steps,
    }
}

/// The client's retry with its fallback hello `retry`, after a first hello
/// that failed in the negotiation.
fn fall_back(
    world: &World<'_>,
    stacks: Stacks,
    client: &Profile,
    retry: &Profile,
    server: &Profile,
    steps: &mut Vec<String>,
) -> Outcome {
    let scsv = client.fallback.as_ref().is_some_and(|f| f.scsv);
    steps.push(format!(
        "The first hello failed in the negotiation, so the client retries with its fallback hello ({}{}).",
        versions_text(&retry.versions),
        if scsv { ", carrying TLS_FALLBACK_SCSV" } else { "" }
    ));
    attempt(world, stacks, retry, server, scsv, steps)
}

/// The server application's check of the client's identity after a
/// completed handshake, against its ClientIdentity list.
fn check_identity(outcome: Outcome, server: &Profile, steps: &mut Vec<String>) -> Outcome {
    let list = server.client_identities.as_deref();
    let refused = outcome.clone().refuse_unlisted_identity(list);
    if refused != outcome {
        if let Outcome::IdentityRefused(r) = &refused {
            steps.push(format!(
                "After the handshake the server's application checks the client's identity: {} is not on its list ({}), so it refuses the client.",
                r.identity.as_deref().unwrap_or("no certificate"),
                list.unwrap_or_default().join(", ")
            ));
        }
    } else if let (Some(list), Outcome::Established(_)) = (list, &outcome) {
        steps.push(format!(
            "The client's identity is on the server's list ({}).",
            list.join(", ")
        ));
    }
    refused
}

/// What a model run needs besides the endpoints.
struct World<'a> {
    cas: &'a [CaSpec],
    at: Moment,
    server_name: &'a str,
}

/// One hello under way: the endpoints, whose rules each follows, and the
/// reasons so far. Every stage takes it and adds its sentences.
struct Negotiation<'a> {
    world: &'a World<'a>,
    stacks: Stacks,
    client: &'a Profile,
    server: &'a Profile,
    steps: &'a mut Vec<String>,
}

impl Negotiation<'_> {
    /// Adds one sentence to the reasons.
    fn say(&mut self, step: impl Into<String>) {
        self.steps.push(step.into());
    }
}

/// One hello and everything that follows it.
fn attempt(
    world: &World<'_>,
    stacks: Stacks,
    client: &Profile,
    server: &Profile,
    scsv: bool,
    steps: &mut Vec<String>,
) -> Outcome {
    let client = &*jdk::as_run(client, stacks.client, steps);
    let server = &*jdk::as_run(server, stacks.server, steps);
    let mut n = Negotiation {
        world,
        stacks,
        client,
        server,
        steps,
    };
    match negotiate(&mut n, scsv) {
        Ok(established) => Outcome::Established(established),
        Err(ended) => *ended,
    }
}

/// The stages of one hello, in the order the handshake meets them.
fn negotiate(n: &mut Negotiation<'_>, scsv: bool) -> Result<Established, Box<Outcome>> {
    let hello = hello::client_hello(n)?;
    let presentable = certificate::presentable(n);
    let server_versions = version::server_versions(n, &presentable);
    let version = version::choose(n, &hello, &server_versions)?;
    version::check_fallback(n, version, scsv)?;
    let early_alpn = quirks::alpn_before_suite(n.stacks.server)
        .then(|| alpn::choose(n, version))
        .transpose()?;
    let (suite, cert) = suite::choose(n, &hello, version, &presentable)?;
    let exchange = group::choose(n, &hello, version, suite)?;
    let scheme = match server_scheme(n, version, suite, &cert) {
        Err(refusal) if quirks::scheme_refusal_precedes_alpn(version, &refusal) => {
            return Err(refusal)
        }
        other => other,
    };
    let alpn = match early_alpn {
        Some(settled) => settled,
        None => alpn::choose(n, version)?,
    };
    let scheme = match scheme {
        Err(refusal) if quirks::scheme_refusal_sends_nothing(version, &refusal) => {
            return Err(refusal)
        }
        other => other,
    };
    if let Err(refused) =
        version::client_reads_server_hello(n, &hello, version, &server_versions, scsv)
    {
        return Err(match scheme {
            Err(refusal) => one_flight(n, refusal, refused),
            Ok(_) => refused,
        });
    }
    let stacks = n.stacks;
    if cert.key.algorithm() == crate::pki::KeyAlgorithm::Dsa
        && !quirks::signs_with_dsa(stacks.server, version)
    {
        n.say(format!(
            "JSSE cannot sign the key exchange with a DSA key at {version}: the server aborts with internal_error."
        ));
        return Err(failed(
            Side::Server,
            Some(quirks::INTERNAL_ERROR),
            ErrorKind::Other("jsse:internal-error".into()),
            Some(cert.presented(false)),
        ));
    }
    let server_scheme = scheme?;
    let server_certificate =
        verify::server_certificate(n, &cert, version).map_err(|o| encrypted(stacks, version, o))?;
    group::client_accepts(n, &exchange, &server_certificate)?;
    signature::client_reads_key_exchange(n, version, suite, &server_certificate)?;
    let client_certificate = client_auth::authenticate(n, version, &server_certificate)
        .map_err(|o| encrypted(stacks, version, o))?;
    let client_scheme =
        signature::client(n, version, client_certificate.as_ref()).map_err(|o| {
            let with_certificate = |mut f: Failed| {
                f.server_certificate = Some(server_certificate.clone());
                Box::new(Outcome::Failed(f))
            };
            match *o {
                Outcome::Failed(f) => encrypted(stacks, version, with_certificate(f)),
                other => Box::new(other),
            }
        })?;
    n.say(format!(
        "The handshake completes: {version}, {}.",
        suite.iana
    ));
    Ok(Established {
        version,
        suite: SuiteName::from_code(suite.code),
        group: exchange.name,
        hello_retry: exchange.hello_retry,
        signature_scheme: signature::shown(n, (version, suite.code), server_scheme),
        client_signature_scheme: signature::shown(n, (version, suite.code), client_scheme),
        alpn,
        server_certificate: Some(server_certificate),
        client_certificate,
    })
}

/// A server whose refusal follows its ServerHello in one flight (JSSE
/// below TLS 1.3, failing to sign its key exchange) has sent its alert
/// before the client, refusing that ServerHello, sends its own: the
/// outcome is the server's refusal, and the client's error its own. It
/// never read the certificate.
fn one_flight(n: &mut Negotiation<'_>, server: Box<Outcome>, client: Box<Outcome>) -> Box<Outcome> {
    match (*server, *client) {
        (Outcome::Failed(mut f), Outcome::Failed(c)) => {
            n.say("The server's alert left with its ServerHello, before the client's.".to_string());
            f.client_error = c.client_error;
            f.server_certificate = None;
            Box::new(Outcome::Failed(f))
        }
        (_, client) => Box::new(client),
    }
}

/// The server's certificate as the client's signature_algorithms_cert
/// sees it, and the scheme the server signs with.
fn server_scheme(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
    suite: &'static Suite,
    cert: &certificate::Cert,
) -> Result<Option<&'static crate::scheme::Scheme>, Box<Outcome>> {
    signature::leaf_accepted(n, version, cert)?;
    signature::server(n, version, suite, cert)
}

fn versions_text(versions: &[ProtocolVersion]) -> String {
    let v: Vec<String> = versions.iter().map(ToString::to_string).collect();
    v.join(", ")
}

fn by_code(code: u16) -> Option<&'static Suite> {
    crate::suite::registry().by_code(code)
}

fn suites_text(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "none".to_string();
    }
    let names: Vec<String> = codes
        .iter()
        .map(|c| by_code(*c).map_or_else(|| format!("0x{c:04X}"), |s| s.iana.to_string()))
        .collect();
    names.join(", ")
}

/// A failure after the ServerHello: at TLS 1.3 its alert goes encrypted,
/// and a receiver whose library does not name encrypted alerts
/// ([`quirks::names_encrypted_alerts`]) reports only that one came; the
/// alert is then read off the wire with the sender's secrets, and nowhere
/// when the sender logs none ([`quirks::logs_secrets`]).
fn encrypted(stacks: Stacks, version: ProtocolVersion, outcome: Box<Outcome>) -> Box<Outcome> {
    let Outcome::Failed(mut f) = *outcome else {
        return outcome;
    };
    let (receiver, sender) = match f.failed_side {
        Some(Side::Client) => ((stacks.server, &mut f.server_error), stacks.client),
        Some(Side::Server) => ((stacks.client, &mut f.client_error), stacks.server),
        None => return Box::new(Outcome::Failed(f)),
    };
    let in_clear =
        f.failed_side == Some(Side::Client) && quirks::client_refusal_in_clear(stacks.client);
    if version == ProtocolVersion::Tls13 && !in_clear && !quirks::names_encrypted_alerts(receiver.0)
    {
        if let Some(e) = receiver.1 {
            if matches!(e.kind, ErrorKind::AlertReceived(_)) {
                e.kind = ErrorKind::EncryptedAlertReceived;
                if !quirks::logs_secrets(sender) {
                    f.alert = None;
                }
            }
        }
    }
    Box::new(Outcome::Failed(f))
}

/// `side` fails with `cause`, sending `alert` (the peer reports receiving
/// it), after the server presented `server_certificate` if it did.
fn failed(
    side: Side,
    alert: Option<Alert>,
    cause: ErrorKind,
    server_certificate: Option<crate::outcome::Presented>,
) -> Box<Outcome> {
    let theirs = alert.map(|a| SideError {
        kind: ErrorKind::AlertReceived(a),
        raw: None,
    });
    let mine = Some(SideError {
        kind: cause,
        raw: None,
    });
    let (client_error, server_error) = match side {
        Side::Client => (mine, theirs),
        Side::Server => (theirs, mine),
    };
    Box::new(Outcome::Failed(Failed {
        failed_side: Some(side),
        alert,
        client_error,
        server_error,
        server_certificate,
    }))
}
