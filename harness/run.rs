//! Runs scenarios: issues each endpoint's certificates, drives every
//! pairing over the in-memory wire under a deadline, normalises what
//! happened and checks it against the scenario's expectation.

use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;
use serde::Serialize;

use crate::backend::{Backend, Pairing};
use crate::endpoint::{self, Prepared, Setup};
use crate::handshake::{self, Handshake, RuntimeError};
use crate::keylog;
use crate::model::{self, Stacks};
use crate::moment::Moment;
use crate::outcome::{Outcome, Side};
use crate::pki::{CaSpec, Pki, PkiError};
use crate::progress::Progress;
use crate::scenario::{Expected, Profile, Scenario, ScenarioFile};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Each side's handshake and first exchange must finish within this.
    pub deadline: Duration,
    /// Run only these pairings (in addition to a scenario's own pins).
    pub only: Option<Vec<Pairing>>,
    /// The date profiles are taken at, unless a scenario pins its own.
    pub at: Moment,
    /// Ticked once per scenario run.
    pub progress: Progress,
    /// Keep each real handshake's transcript and secrets in its row
    /// ([`PairingRun::handshakes`]), for captures.
    pub capture: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            deadline: Duration::from_secs(10),
            only: None,
            at: Moment::now(),
            progress: Progress::default(),
            capture: false,
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
    /// The capture files of its handshakes, once written (`run --pcap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureFiles>,
    /// It runs the stacks the products ship, where their profiles name
    /// one (`stack`): the faithful row.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub products_stacks: bool,
    /// Each real handshake with its transcript and secrets, the first hello
    /// first, when [`RunOptions::capture`] asked to keep them; else empty.
    #[serde(skip)]
    pub handshakes: Vec<Handshake>,
}

/// Where the captures of one pairing's handshakes were written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CaptureFiles {
    /// The handshake of the row's outcome (the retry, if the client fell
    /// back).
    pub file: String,
    /// The first attempt's, when the client fell back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<String>,
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
    /// from (docs/products/broadworks.md#settings-levels).
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
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Runs scenarios over one PKI: the certificates of a file's (or a
/// catalog's) CAs, made once. Independent runs go in parallel, one thread
/// per core, each with its own async runtime; results keep their order.
pub struct Runner {
    pki: Pki,
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
        Ok(Runner {
            pki,
            options,
            origin,
        })
    }

    /// Runs one scenario with the runner's options.
    pub fn run(&self, scenario: &Scenario) -> Result<ScenarioRun, RunError> {
        self.run_with(scenario, &self.options)
    }

    /// Runs `scenarios` in parallel; the results are in their order.
    pub fn run_all(&self, scenarios: &[Scenario]) -> Result<Vec<ScenarioRun>, RunError> {
        scenarios.par_iter().map(|s| self.run(s)).collect()
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
        self.run(&ad_hoc(client, server, pairings))
    }

    /// [`Runner::pair`] for many (client, server, pairings) at once, in
    /// parallel; the results are in their order.
    pub fn pair_all(&self, pairs: &[AdHoc]) -> Result<Vec<ScenarioRun>, RunError> {
        pairs
            .par_iter()
            .map(|(c, s, pairings)| self.pair(c, s, pairings))
            .collect()
    }

    fn run_with(&self, scenario: &Scenario, options: &RunOptions) -> Result<ScenarioRun, RunError> {
        let run = run_scenario(scenario, &self.pki, options);
        options.progress.tick();
        run.map_err(|e| match e {
            Failure::Pki(source) => RunError::Pki {
                file: self.origin.clone(),
                source,
            },
            Failure::Runtime(e) => RunError::Runtime(e),
        })
    }
}

/// A client, a server and the pairings to run them on.
pub type AdHoc = (Arc<Profile>, Arc<Profile>, Vec<Pairing>);

/// `client` against `server` on `pairings`, as a scenario with no
/// expectation, asking for the server's host.
pub fn ad_hoc(client: &Arc<Profile>, server: &Arc<Profile>, pairings: &[Pairing]) -> Scenario {
    Scenario {
        line: 0,
        id: format!("{} → {}", client.id, server.id),
        description: None,
        source: None,
        client: client.clone(),
        server: server.clone(),
        pairings: pairings.to_vec(),
        server_name: server.host.clone(),
        expect: None,
        at: None,
    }
}

/// What stops a scenario run before the runner names its origin.
enum Failure {
    Pki(PkiError),
    Runtime(RuntimeError),
}

impl From<PkiError> for Failure {
    fn from(e: PkiError) -> Self {
        Failure::Pki(e)
    }
}

impl From<RuntimeError> for Failure {
    fn from(e: RuntimeError) -> Self {
        Failure::Runtime(e)
    }
}

/// Runs every scenario of every file, files and scenarios in parallel; the
/// results are in file order, then scenario order. A JVM that JSSE
/// pairings need starts at once, beside the first in-process handshakes.
pub fn run_files(
    files: &[ScenarioFile],
    options: &RunOptions,
) -> Result<Vec<Vec<ScenarioRun>>, RunError> {
    let jsse = files.iter().flat_map(|f| &f.scenarios).any(|s| {
        s.pairings.iter().any(|p| {
            (p.client == Backend::Jsse || p.server == Backend::Jsse)
                && options.only.as_ref().is_none_or(|only| only.contains(p))
        })
    });
    if jsse {
        crate::endpoint::jsse::start_in_background();
    }
    handshake_pool().install(|| files.par_iter().map(|f| run_file(f, options)).collect())
}

/// The threads scenarios run on: four per core. A JSSE handshake's thread
/// waits while the JVM runs each of its turns, so more handshakes than
/// cores in flight keep the JVM's threads and the in-process ones busy.
fn handshake_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        rayon::ThreadPoolBuilder::new()
            .num_threads(4 * cores)
            .thread_name(|i| format!("handshakes-{i}"))
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new()
                    .build()
                    .expect("rayon's default pool")
            })
    })
}

/// Runs every scenario of a file.
pub fn run_file(file: &ScenarioFile, options: &RunOptions) -> Result<Vec<ScenarioRun>, RunError> {
    let runner = Runner::new(&file.cas, options.clone(), file.path.display().to_string())?;
    runner.run_all(&file.scenarios)
}

/// Runs one scenario over its pairings.
fn run_scenario(
    scenario: &Scenario,
    pki: &Pki,
    options: &RunOptions,
) -> Result<ScenarioRun, Failure> {
    let at = scenario.at.unwrap_or(options.at);
    let client = scenario.client.at(at);
    let server = scenario.server.at(at);
    let cas = pki.ca_specs();
    let _recording = options.capture.then(keylog::recording);
    let (client_certs, server_certs) = (
        endpoint::issue(&client, pki)?,
        endpoint::issue(&server, pki)?,
    );
    let sides = Sides {
        client: &client,
        server: &server,
        client_certs: &client_certs,
        server_certs: &server_certs,
        server_name: &scenario.server_name,
        at,
    };
    let mut pairings = Vec::new();
    for pairing in &scenario.pairings {
        if options
            .only
            .as_ref()
            .is_some_and(|only| !only.contains(pairing))
        {
            continue;
        }
        let (status, handshakes) = match endpoint::pairing_unsupported(*pairing, &client, &server) {
            Some(reason) => (Status::Unsupported { reason }, Vec::new()),
            None => {
                let (outcome, fallback_from, handshakes) = sides.run(*pairing, options.deadline)?;
                let status = ran(scenario, &cas, *pairing, at, outcome, fallback_from);
                (status, handshakes)
            }
        };
        pairings.push(PairingRun {
            pairing: pairing.id(),
            status,
            capture: None,
            products_stacks: uses_products_stacks(*pairing, &client, &server),
            handshakes: if options.capture {
                handshakes
            } else {
                Vec::new()
            },
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

/// A real outcome, checked against the expectation and the model.
fn ran(
    scenario: &Scenario,
    cas: &[CaSpec],
    pairing: Pairing,
    at: Moment,
    outcome: Outcome,
    fallback_from: Option<Box<Outcome>>,
) -> Status {
    let expectation = verdict(
        scenario.expect.as_ref().map(|e| e.for_pairing(pairing)),
        &outcome,
        fallback_from.is_some(),
    );
    let predicted = model::predict(scenario, cas, pairing.into(), at);
    let model = match model::disagreements(&outcome, fallback_from.as_deref(), &predicted) {
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
        capture: None,
        products_stacks: false,
        handshakes: Vec::new(),
    }
}

/// Whether `pairing` runs each side on the stack its profile names, and at
/// least one profile names one.
pub fn uses_products_stacks(pairing: Pairing, client: &Profile, server: &Profile) -> bool {
    (client.stack.is_some() || server.stack.is_some())
        && client.stack.is_none_or(|b| b == pairing.client)
        && server.stack.is_none_or(|b| b == pairing.server)
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
                    capture: None,
                    products_stacks: false,
                    handshakes: Vec::new(),
                },
                None => simulated(scenario, cas, (*pairing).into(), at),
            },
        )
        .collect();
    pairings.push(simulated(scenario, cas, Stacks::REFERENCE, at));
    let withheld = model::withheld(&server, cas);
    scenario_run(scenario, [&client, &server], withheld, pairings)
}

/// A pairing's outcome (of the retry, if the client fell back), the failed
/// first attempt, and every handshake in the order it ran.
type Attempts = (Outcome, Option<Box<Outcome>>, Vec<Handshake>);

/// Both endpoints of one scenario as they stand at its instant, with their
/// certificates. Each endpoint comes from [`Prepared::cached`]: prepared
/// once per distinct set-up, shared by every pairing and scenario that
/// uses it.
struct Sides<'a> {
    client: &'a Profile,
    server: &'a Profile,
    client_certs: &'a endpoint::Issued,
    server_certs: &'a endpoint::Issued,
    server_name: &'a str,
    at: Moment,
}

impl Sides<'_> {
    /// Runs `pairing`: the client's first hello, and its fallback hello if
    /// the first failed in the negotiation. Returns the outcome (of the
    /// retry, if there was one, after the server's identity check), the
    /// failed first attempt, and every handshake in the order it ran.
    fn run(&self, pairing: Pairing, deadline: Duration) -> Result<Attempts, RuntimeError> {
        let server = self.prepared(Side::Server, pairing.server);
        let attempt = |client: &Prepared| handshake::in_memory_blocking(client, &server, deadline);
        let first = attempt(&self.prepared(Side::Client, pairing.client))?;
        let mut handshakes = vec![first.clone()];
        let (outcome, fallback_from) = match (&first.outcome, self.client.fallback_hello()) {
            (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
                let scsv = self.client.fallback.as_ref().is_some_and(|f| f.scsv);
                let setup = self.setup(Side::Client, &retry, scsv);
                let client = Prepared::cached(pairing.client, Side::Client, &setup);
                let second = attempt(&client)?;
                handshakes.push(second.clone());
                (second.outcome, Some(Box::new(first.outcome)))
            }
            _ => (first.outcome, None),
        };
        let allowed = self.server.client_identities.as_deref();
        let outcome = outcome.refuse_unlisted_identity(allowed);
        Ok((outcome, fallback_from, handshakes))
    }

    /// `role`'s endpoint on `backend` with its first hello.
    fn prepared(&self, role: Side, backend: Backend) -> Prepared {
        let profile = match role {
            Side::Client => self.client,
            Side::Server => self.server,
        };
        Prepared::cached(backend, role, &self.setup(role, profile, false))
    }

    /// What `role` runs with, `profile` being its hello.
    fn setup<'s>(&'s self, role: Side, profile: &'s Profile, fallback_scsv: bool) -> Setup<'s> {
        let certs = match role {
            Side::Client => self.client_certs,
            Side::Server => self.server_certs,
        };
        Setup {
            profile,
            identities: certs.identities.clone(),
            trust: certs.trust.clone(),
            server_name: self.server_name,
            fallback_scsv,
            verify_at: self.at,
        }
    }
}
