//! `scan`: every client profile of a selection against one real server, on
//! every backend that can implement it: who connects with what, and who
//! breaks with which alert. With a server profile to compare with, each
//! row also says whether the server behaved as the negotiation model
//! predicts for that profile.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::probe::{probe, ProbeError, ProbeOptions};
use crate::backend::Backend;
use crate::model::{self, Rules, Stacks};
use crate::outcome::Outcome;
use crate::pki::{CaSpec, Pki};
use crate::scenario::{Profile, Scenario};

/// One client on one backend.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScanRow {
    /// Client profile id.
    pub client: String,
    /// The backend that ran it.
    pub backend: Backend,
    /// What happened.
    #[serde(flatten)]
    pub status: ScanStatus,
}

/// What one row came to.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "kebab-case")]
pub enum ScanStatus {
    /// The handshake ran.
    Ran {
        /// The normalised outcome (of the retry, if the client fell back).
        outcome: Box<Outcome>,
        /// The first attempt, when the client fell back.
        #[serde(skip_serializing_if = "Option::is_none")]
        fallback_from: Option<Box<Outcome>>,
        /// With `--like`: where the real server differed from the model's
        /// prediction for that profile (empty: it behaved as predicted).
        #[serde(skip_serializing_if = "Option::is_none")]
        unlike: Option<Vec<String>>,
    },
    /// The backend cannot implement the client profile.
    Unsupported {
        /// Why.
        reason: String,
    },
    /// Nothing answered for this row.
    Unreachable {
        /// What the system said.
        reason: String,
    },
    /// The harness itself failed on this row (certificates, runtime).
    Error {
        /// What went wrong.
        reason: String,
    },
}

/// A server profile to compare the real server with, and the CAs it names.
#[derive(Clone, Copy, Debug)]
pub struct Like<'a> {
    /// The profile the real server is said to implement.
    pub profile: &'a Arc<Profile>,
    /// The catalog's CAs.
    pub cas: &'a [CaSpec],
}

/// Runs every client in `clients` against `target` on every backend that
/// can implement it, in parallel; rows in client order, then backend order.
pub fn scan(
    clients: &[Arc<Profile>],
    pki: &Pki,
    target: &str,
    options: &ProbeOptions,
    like: Option<Like<'_>>,
) -> Vec<ScanRow> {
    let jobs: Vec<(&Arc<Profile>, Backend)> = clients
        .iter()
        .flat_map(|c| Backend::EVERY.map(|b| (c, b)))
        .collect();
    jobs.par_iter()
        .map(|(client, backend)| ScanRow {
            client: client.id.clone(),
            backend: *backend,
            status: row(client, *backend, pki, target, options, like),
        })
        .collect()
}

fn row(
    client: &Arc<Profile>,
    backend: Backend,
    pki: &Pki,
    target: &str,
    options: &ProbeOptions,
    like: Option<Like<'_>>,
) -> ScanStatus {
    let options = ProbeOptions {
        backend: Some(backend),
        ..options.clone()
    };
    match probe(client, pki, target, &options) {
        Ok(p) => ScanStatus::Ran {
            unlike: like.map(|l| unlike(client, backend, &p.outcome, l, &options)),
            outcome: Box::new(p.outcome),
            fallback_from: p.fallback_from.map(Box::new),
        },
        Err(ProbeError::Unreachable { why, .. }) => ScanStatus::Unreachable { reason: why },
        Err(ProbeError::Unsupported(reason)) => ScanStatus::Unsupported { reason },
        Err(e) => ScanStatus::Error {
            reason: e.to_string(),
        },
    }
}

/// Where `real` differs from the model's prediction for `client` against
/// the profile `like`, in what a client can see: the result, the version
/// and the suite. The real server's stack is unknown, so its side follows
/// the RFCs.
fn unlike(
    client: &Arc<Profile>,
    backend: Backend,
    real: &Outcome,
    like: Like<'_>,
    options: &ProbeOptions,
) -> Vec<String> {
    let scenario = Scenario {
        line: 0,
        id: format!("{} → {}", client.id, like.profile.id),
        description: None,
        source: None,
        client: client.clone(),
        server: like.profile.clone(),
        pairings: Vec::new(),
        server_name: options
            .server_name
            .clone()
            .unwrap_or_else(|| like.profile.host.clone()),
        expect: None,
        at: Some(options.at),
    };
    let stacks = Stacks {
        client: backend.into(),
        server: Rules::Reference,
    };
    let predicted = model::predict(&scenario, like.cas, stacks, options.at).outcome;
    let seen = |o: &Outcome| match o {
        Outcome::Established(e) => (
            "established".to_string(),
            Some((e.version, e.suite.clone())),
        ),
        Outcome::IdentityRefused(r) => (
            "identity-refused".to_string(),
            Some((r.handshake.version, r.handshake.suite.clone())),
        ),
        Outcome::Failed(_) => ("failed".to_string(), None),
    };
    let (m, r) = (seen(&predicted), seen(real));
    let mut out = Vec::new();
    if m.0 != r.0 {
        out.push(format!("result: model {}, real {}", m.0, r.0));
    }
    if let (Some((mv, ms)), Some((rv, rs))) = (&m.1, &r.1) {
        if mv != rv {
            out.push(format!("version: model {mv}, real {rv}"));
        }
        if ms != rs {
            out.push(format!("suite: model {}, real {}", ms.name, rs.name));
        }
    }
    out
}
