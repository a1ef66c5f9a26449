//! Runs scenarios: issues each endpoint's certificates, drives every
//! pairing over the in-memory wire under a deadline, normalises what
//! happened and checks it against the scenario's expectation.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::backend::{Backend, Pairing};
use crate::endpoint::{self, Setup, SideReport};
use crate::model::{self, Stacks};
use crate::moment::Moment;
use crate::outcome::{
    ErrorKind, Established, Failed, Outcome, Presented, Side, SideError, SuiteName,
};
use crate::pki::{self, CaSpec, KeyAlgorithm, Pki, PkiError};
use crate::scenario::{Expected, Profile, Scenario, ScenarioFile};
use crate::wire::{self, Transcript};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Each side's handshake and first exchange must finish within this.
    pub deadline: Duration,
    /// Run only these pairings (in addition to a scenario's own pins).
    pub only: Option<Vec<Pairing>>,
    /// The date profiles are taken at, unless a scenario pins its own.
    pub at: Moment,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            deadline: Duration::from_secs(10),
            only: None,
            at: Moment::now(),
        }
    }
}

/// Whether a pairing's outcome matched the scenario's expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict", content = "mismatches")]
pub enum Verdict {
    /// The scenario states no expectation.
    NotStated,
    /// Every stated field matched.
    Held,
    /// What differed.
    NotHeld(Vec<String>),
}

/// Whether a real outcome is the one the negotiation model predicted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelCheck {
    /// The model predicted exactly this outcome.
    Agrees,
    /// Where the model and the real stacks differ: a fault in the model or
    /// a behaviour of a stack it does not know yet.
    Disagrees(Vec<String>),
}

/// One pairing of one scenario.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PairingRun {
    /// `rustls-openssl` and so on.
    pub pairing: String,
    /// What happened, or why it could not run.
    #[serde(flatten)]
    pub status: Status,
}

impl PairingRun {
    /// The same without the libraries' raw error text, which differs
    /// between builds and is for people only.
    pub fn without_raw(&self) -> PairingRun {
        let mut out = self.clone();
        if let Status::Ran {
            outcome,
            fallback_from,
            ..
        } = &mut out.status
        {
            **outcome = outcome.without_raw();
            if let Some(first) = fallback_from {
                **first = first.without_raw();
            }
        }
        out
    }
}

/// Ran or could not run.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum Status {
    /// Both endpoints ran.
    Ran {
        /// The normalised outcome (of the retry, if the client fell back).
        outcome: Box<Outcome>,
        /// The first attempt, when it failed and the client retried with
        /// its fallback hello.
        #[serde(skip_serializing_if = "Option::is_none")]
        fallback_from: Option<Box<Outcome>>,
        /// Against the expectation.
        expectation: Verdict,
        /// Against the negotiation model's prediction for this pairing.
        model: ModelCheck,
    },
    /// No real handshake: the negotiation model's prediction (`tls-harness
    /// simulate`, and the reference row of a scenario no pairing can run).
    Simulated {
        /// The predicted outcome (of the retry, if the client fell back).
        outcome: Box<Outcome>,
        /// The predicted first attempt, when the client falls back.
        #[serde(skip_serializing_if = "Option::is_none")]
        fallback_from: Option<Box<Outcome>>,
        /// Against the expectation.
        expectation: Verdict,
    },
    /// A backend cannot implement one of the endpoints.
    Unsupported {
        /// Which backend lacks what.
        reason: String,
    },
}

/// One scenario over its pairings.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScenarioRun {
    /// Scenario id.
    pub scenario: String,
    /// Client profile id.
    pub client: String,
    /// Server profile id.
    pub server: String,
    /// The date the scenario pinned, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Moment>,
    /// For layered profiles, the settings level each effective value came
    /// from (PRODUCTS.md §5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings_from: Vec<String>,
    /// Server certificates kept in the keystore but not presented, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    /// Suites listed by either endpoint that no backend implements; they
    /// stay in the configuration but cannot be offered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unimplemented_suites: Vec<String>,
    /// Each pairing in order.
    pub pairings: Vec<PairingRun>,
}

impl ScenarioRun {
    /// The outcome with raw library text removed, for snapshots.
    pub fn for_snapshot(&self) -> ScenarioRun {
        ScenarioRun {
            pairings: self.pairings.iter().map(PairingRun::without_raw).collect(),
            ..self.clone()
        }
    }

    /// Disagreements with the negotiation model across every pairing, as
    /// `scenario pairing: what`.
    pub fn model_disagreements(&self) -> Vec<String> {
        self.pairings
            .iter()
            .filter_map(|p| match &p.status {
                Status::Ran {
                    model: ModelCheck::Disagrees(d),
                    ..
                } => Some(format!("{} {}: {}", self.scenario, p.pairing, d.join("; "))),
                _ => None,
            })
            .collect()
    }

    /// Mismatches across every pairing, as `pairing: what`.
    pub fn mismatches(&self) -> Vec<String> {
        self.pairings
            .iter()
            .filter_map(|p| match &p.status {
                Status::Ran {
                    expectation: Verdict::NotHeld(m),
                    ..
                }
                | Status::Simulated {
                    expectation: Verdict::NotHeld(m),
                    ..
                } => Some(format!("{} {}: {}", self.scenario, p.pairing, m.join("; "))),
                _ => None,
            })
            .collect()
    }
}

/// The harness itself could not run something (not a TLS failure).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The test PKI could not make a certificate.
    #[error("{file}: cannot make certificates: {source}")]
    Pki {
        /// The scenario file.
        file: String,
        /// What went wrong.
        source: PkiError,
    },
    /// The async runtime would not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Runs scenarios over one PKI and one async runtime: the certificates of
/// a file's (or a catalog's) CAs, made once.
pub struct Runner {
    pki: Pki,
    runtime: tokio::runtime::Runtime,
    options: RunOptions,
    origin: String,
}

impl Runner {
    /// A runner over `cas`; `origin` names them in errors (a file, "catalog").
    pub fn new(
        cas: &[crate::pki::CaSpec],
        options: RunOptions,
        origin: impl Into<String>,
    ) -> Result<Runner, RunError> {
        let origin = origin.into();
        let mut pki = Pki::new();
        for ca in cas {
            pki.add_ca(ca.clone()).map_err(|source| RunError::Pki {
                file: origin.clone(),
                source,
            })?;
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(RunError::Runtime)?;
        Ok(Runner {
            pki,
            runtime,
            options,
            origin,
        })
    }

    /// Runs one scenario with the runner's options.
    pub fn run(&self, scenario: &Scenario) -> Result<ScenarioRun, RunError> {
        self.run_with(scenario, &self.options)
    }

    /// Runs one scenario as it stood at `at`, whatever date it pins.
    pub fn run_at(&self, scenario: &Scenario, at: Moment) -> Result<ScenarioRun, RunError> {
        let unpinned = Scenario {
            at: None,
            ..scenario.clone()
        };
        self.run_with(
            &unpinned,
            &RunOptions {
                at,
                ..self.options.clone()
            },
        )
    }

    /// Runs `client` against `server` on `pairings`, as an ad-hoc scenario.
    pub fn pair(
        &self,
        client: &Arc<Profile>,
        server: &Arc<Profile>,
        pairings: &[Pairing],
    ) -> Result<ScenarioRun, RunError> {
        let scenario = Scenario {
            id: format!("{} → {}", client.id, server.id),
            description: None,
            source: None,
            client: client.clone(),
            server: server.clone(),
            pairings: pairings.to_vec(),
            server_name: server.host.clone(),
            expect: None,
            at: None,
        };
        self.run(&scenario)
    }

    fn run_with(&self, scenario: &Scenario, options: &RunOptions) -> Result<ScenarioRun, RunError> {
        self.runtime
            .block_on(run_scenario(scenario, &self.pki, options))
            .map_err(|source| RunError::Pki {
                file: self.origin.clone(),
                source,
            })
    }
}

/// Runs every scenario of a file.
pub fn run_file(file: &ScenarioFile, options: &RunOptions) -> Result<Vec<ScenarioRun>, RunError> {
    let runner = Runner::new(&file.cas, options.clone(), file.path.display().to_string())?;
    file.scenarios.iter().map(|s| runner.run(s)).collect()
}

struct Issued {
    identities: Vec<pki::Identity>,
    trust: Vec<Vec<u8>>,
    /// Certificates in the keystore that the presentation policy keeps back.
    withheld: Vec<String>,
}

/// Issues a profile's certificates and applies what it presents: a leaf
/// alone where `send-chain = false`, and for servers the ECDSA
/// presentation policy (PRODUCTS.md §4). ECDSA goes first: it is preferred
/// whenever the client can use it.
fn issue(profile: &Profile, pki: &Pki) -> Result<Issued, PkiError> {
    let mut identities = Vec::new();
    let mut withheld = Vec::new();
    for (def, spec) in profile.certificates.iter().zip(profile.leaf_specs()) {
        let mut id = pki.issue(&spec)?;
        if !def.send_chain {
            id.chain_der.clear();
        }
        let why_not = profile.withholds(id.key_type, id.issuer_key);
        match why_not {
            Some(why) => withheld.push(format!(
                "{} certificate {}: not presented ({why})",
                id.key_type, def.subject
            )),
            None => identities.push(id),
        }
    }
    identities.sort_by_key(|id| id.key_type.algorithm() != KeyAlgorithm::Ecdsa);
    Ok(Issued {
        identities,
        trust: profile
            .trust
            .iter()
            .map(|id| pki.ca_der(id))
            .collect::<Result<_, _>>()?,
        withheld,
    })
}

/// Runs one scenario over its pairings.
pub async fn run_scenario(
    scenario: &Scenario,
    pki: &Pki,
    options: &RunOptions,
) -> Result<ScenarioRun, PkiError> {
    let at = scenario.at.unwrap_or(options.at);
    let client = scenario.client.at(at);
    let server = scenario.server.at(at);
    let cas = pki.ca_specs();
    let client_certs = issue(&client, pki)?;
    let server_certs = issue(&server, pki)?;
    let mut pairings = Vec::new();
    for pairing in &scenario.pairings {
        if options
            .only
            .as_ref()
            .is_some_and(|only| !only.contains(pairing))
        {
            continue;
        }
        let status = match endpoint::pairing_unsupported(*pairing, &client, &server) {
            Some(reason) => Status::Unsupported { reason },
            None => {
                let ends = Ends {
                    pairing: *pairing,
                    client_certs: &client_certs,
                    server: &server,
                    server_certs: &server_certs,
                    server_name: &scenario.server_name,
                    deadline: options.deadline,
                    at,
                };
                let first = ends.attempt(&client, false).await;
                let (outcome, fallback_from) = match (&first, client.fallback_hello()) {
                    (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
                        let scsv = client.fallback.as_ref().is_some_and(|f| f.scsv);
                        (ends.attempt(&retry, scsv).await, Some(Box::new(first)))
                    }
                    _ => (first, None),
                };
                let outcome = outcome.refuse_unlisted_identity(server.client_identities.as_deref());
                let expectation = verdict(
                    scenario.expect.as_ref().map(|e| e.for_pairing(*pairing)),
                    &outcome,
                    fallback_from.is_some(),
                );
                let predicted = model::predict(scenario, &cas, (*pairing).into(), at);
                let model =
                    match model::disagreements(&outcome, fallback_from.as_deref(), &predicted) {
                        d if d.is_empty() => ModelCheck::Agrees,
                        d => ModelCheck::Disagrees(d),
                    };
                Status::Ran {
                    outcome: Box::new(outcome),
                    fallback_from,
                    expectation,
                    model,
                }
            }
        };
        pairings.push(PairingRun {
            pairing: pairing.id(),
            status,
        });
    }
    if !pairings.is_empty()
        && pairings
            .iter()
            .all(|p| matches!(p.status, Status::Unsupported { .. }))
    {
        // No backend can run it: the model answers, by the RFCs.
        pairings.push(simulated(scenario, &cas, Stacks::REFERENCE, at));
    }
    Ok(scenario_run(
        scenario,
        [&client, &server],
        server_certs.withheld.clone(),
        pairings,
    ))
}

/// The report of one scenario: its ids, what its profiles' settings levels
/// and presentation policy decided, the suites no backend implements, and
/// its rows. `ends` are the client and server as they stood at the run's
/// date.
fn scenario_run(
    scenario: &Scenario,
    ends: [&Profile; 2],
    withheld: Vec<String>,
    pairings: Vec<PairingRun>,
) -> ScenarioRun {
    let mut unimplemented: Vec<String> = ends
        .iter()
        .flat_map(|p| endpoint::unimplementable_suites(p))
        .collect();
    unimplemented.dedup();
    ScenarioRun {
        scenario: scenario.id.clone(),
        client: scenario.client.id.clone(),
        server: scenario.server.id.clone(),
        at: scenario.at,
        settings_from: ends
            .iter()
            .filter(|p| !p.layers.is_empty())
            .map(|p| {
                format!(
                    "{}: versions from {}, suites from {}",
                    p.id, p.versions_from, p.suites_from
                )
            })
            .collect(),
        withheld,
        unimplemented_suites: unimplemented,
        pairings,
    }
}

/// An expectation (if any) against an outcome.
fn verdict(expected: Option<Expected>, outcome: &Outcome, fell_back: bool) -> Verdict {
    match expected.map(|e| e.mismatches(outcome, fell_back)) {
        None => Verdict::NotStated,
        Some(m) if m.is_empty() => Verdict::Held,
        Some(m) => Verdict::NotHeld(m),
    }
}

/// The model's prediction for `scenario` under `stacks`, as a row.
fn simulated(scenario: &Scenario, cas: &[CaSpec], stacks: Stacks, at: Moment) -> PairingRun {
    let predicted = model::predict(scenario, cas, stacks, at);
    let expected = scenario
        .expect
        .as_ref()
        .map(|e| match Pairing::parse(&stacks.id()) {
            Some(p) => e.for_pairing(p),
            None => e.base.clone(),
        });
    let expectation = verdict(
        expected,
        &predicted.outcome,
        predicted.fallback_from.is_some(),
    );
    PairingRun {
        pairing: stacks.id(),
        status: Status::Simulated {
            outcome: Box::new(predicted.outcome),
            fallback_from: predicted.fallback_from.map(Box::new),
            expectation,
        },
    }
}

/// Simulates one scenario on the model alone: a row for each of its
/// pairings that the backends could implement (with their quirks), the
/// reasons for those they could not, and a `reference` row by the RFCs.
pub fn simulate_scenario(scenario: &Scenario, cas: &[CaSpec], options: &RunOptions) -> ScenarioRun {
    let at = scenario.at.unwrap_or(options.at);
    let client = scenario.client.at(at);
    let server = scenario.server.at(at);
    let mut pairings: Vec<PairingRun> = scenario
        .pairings
        .iter()
        .filter(|p| options.only.as_ref().is_none_or(|only| only.contains(p)))
        .map(
            |pairing| match endpoint::pairing_unsupported(*pairing, &client, &server) {
                Some(reason) => PairingRun {
                    pairing: pairing.id(),
                    status: Status::Unsupported { reason },
                },
                None => simulated(scenario, cas, (*pairing).into(), at),
            },
        )
        .collect();
    pairings.push(simulated(scenario, cas, Stacks::REFERENCE, at));
    let withheld = model::withheld(&server, cas);
    scenario_run(scenario, [&client, &server], withheld, pairings)
}

/// Everything about one pairing of a scenario but the client's hello.
struct Ends<'a> {
    pairing: Pairing,
    client_certs: &'a Issued,
    server: &'a Profile,
    server_certs: &'a Issued,
    server_name: &'a str,
    deadline: Duration,
    at: Moment,
}

impl Ends<'_> {
    /// One handshake with `client` as the client's hello.
    async fn attempt(&self, client: &Profile, fallback_scsv: bool) -> Outcome {
        let client_setup = Setup {
            profile: client,
            identities: self.client_certs.identities.clone(),
            trust: self.client_certs.trust.clone(),
            server_name: self.server_name,
            fallback_scsv,
            verify_at: self.at,
        };
        let server_setup = Setup {
            profile: self.server,
            identities: self.server_certs.identities.clone(),
            trust: self.server_certs.trust.clone(),
            server_name: self.server_name,
            fallback_scsv: false,
            verify_at: self.at,
        };
        handshake(self.pairing, client_setup, server_setup, self.deadline).await
    }
}

/// Runs one side under a deadline; a side that has not finished by then
/// reports [`ErrorKind::Timeout`].
pub async fn within(deadline: Duration, side: impl Future<Output = SideReport>) -> SideReport {
    match tokio::time::timeout(deadline, side).await {
        Ok(report) => report,
        Err(_) => SideReport::failed(SideError::new(
            ErrorKind::Timeout,
            format!("no result within {} ms", deadline.as_millis()),
        )),
    }
}

/// One real handshake between two backends, normalised.
pub async fn handshake(
    pairing: Pairing,
    client: Setup<'_>,
    server: Setup<'_>,
    deadline: Duration,
) -> Outcome {
    let (client_io, server_io, transcript) = wire::pipe();
    let client_side = async {
        match pairing.client {
            Backend::Rustls => endpoint::rustls::client(client, client_io).await,
            Backend::OpenSsl => endpoint::openssl::client(client, client_io).await,
        }
    };
    let server_side = async {
        match pairing.server {
            Backend::Rustls => endpoint::rustls::server(server, server_io).await,
            Backend::OpenSsl => endpoint::openssl::server(server, server_io).await,
        }
    };
    let (c, s) = tokio::join!(within(deadline, client_side), within(deadline, server_side));
    normalise(&c, &s, &transcript)
}

fn presented(chain: &[Vec<u8>], by_exception: bool) -> Option<Presented> {
    let leaf = pki::summarize(chain.first()?).ok()?;
    Some(Presented {
        leaf,
        chain_length: chain.len(),
        accepted_by_exception: by_exception,
    })
}

/// Turns what each side saw, and what crossed the wire, into one outcome.
pub fn normalise(client: &SideReport, server: &SideReport, transcript: &Transcript) -> Outcome {
    let (c_err, s_err) = (client.error(), server.error());
    if let (None, None, Ok((version, suite)), Ok(server_view)) =
        (c_err, s_err, &client.handshake, &server.handshake)
    {
        if (*version, *suite) == *server_view {
            return Outcome::Established(Established {
                version: *version,
                suite: SuiteName::from_code(*suite),
                group: transcript.key_exchange_group(),
                server_certificate: presented(&client.peer_chain, client.by_exception),
                client_certificate: presented(&server.peer_chain, false),
            });
        }
        let disagreement = SideError::new(
            ErrorKind::Other("harness:sides-disagree".into()),
            format!(
                "client saw {version} {suite:#06X}, server saw {:?}",
                server_view
            ),
        );
        return Outcome::Failed(Failed {
            failed_side: None,
            alert: None,
            client_error: Some(disagreement),
            server_error: None,
            server_certificate: presented(&client.peer_chain, client.by_exception),
        });
    }
    let failed_side = failed_side(c_err, s_err, transcript);
    let received = |e: Option<&SideError>| match e.map(|e| &e.kind) {
        Some(ErrorKind::AlertReceived(a)) => Some(*a),
        _ => None,
    };
    let alert = failed_side
        .and_then(|side| transcript.plaintext_alerts(side).first().copied())
        .or_else(|| match failed_side {
            Some(Side::Client) => received(s_err),
            Some(Side::Server) => received(c_err),
            None => None,
        })
        .or_else(|| received(c_err).or(received(s_err)));
    Outcome::Failed(Failed {
        failed_side,
        alert,
        client_error: c_err.cloned(),
        server_error: s_err.cloned(),
        server_certificate: presented(&client.peer_chain, client.by_exception),
    })
}

/// The side that decided to abort: the one whose error is its own (not an
/// alert it received, a closed pipe or the clock); failing that, the side
/// that sent the alert the other received.
fn failed_side(
    client: Option<&SideError>,
    server: Option<&SideError>,
    transcript: &Transcript,
) -> Option<Side> {
    let local = |e: Option<&SideError>| e.is_some_and(|e| e.kind.is_local());
    let received =
        |e: Option<&SideError>| matches!(e.map(|e| &e.kind), Some(ErrorKind::AlertReceived(_)));
    match (local(client), local(server)) {
        (true, false) => Some(Side::Client),
        (false, true) => Some(Side::Server),
        (true, true) => {
            let sent = |side| !transcript.plaintext_alerts(side).is_empty();
            if sent(Side::Client) && !sent(Side::Server) {
                Some(Side::Client)
            } else {
                Some(Side::Server)
            }
        }
        (false, false) if received(client) => Some(Side::Server),
        (false, false) if received(server) => Some(Side::Client),
        (false, false) => None,
    }
}
