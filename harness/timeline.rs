//! When do outcomes change? For scenarios whose profiles change on dates,
//! runs each scenario just before the first change and at every change, and
//! lists the instants at which some pairing's outcome differs from the
//! state before it.

use std::collections::BTreeSet;

use rayon::prelude::*;
use serde::Serialize;

use crate::moment::Moment;
use crate::run::{RunError, RunOptions, Runner, Status};
use crate::scenario::{Scenario, ScenarioFile};

/// One pairing of one scenario whose outcome changes at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Turn {
    /// When.
    pub at: Moment,
    /// Which scenario.
    pub scenario: String,
    /// Which pairing.
    pub pairing: String,
    /// The outcome up to that instant.
    pub before: String,
    /// The outcome from that instant on.
    pub after: String,
    /// What changed in the profiles then, as their files say.
    pub because: Vec<String>,
}

fn line(status: &Status) -> String {
    match status {
        Status::Unsupported { reason } => format!("unsupported: {reason}"),
        Status::Ran { outcome, .. } => outcome.summary(),
        Status::Simulated { outcome, .. } => format!("simulated: {}", outcome.summary()),
    }
}

/// The dates at which either profile of `scenario` changes.
pub fn instants(scenario: &Scenario) -> Vec<Moment> {
    let set: BTreeSet<Moment> = [&scenario.client, &scenario.server]
        .iter()
        .flat_map(|p| p.changes.iter().map(|c| c.at))
        .collect();
    set.into_iter().collect()
}

fn because(scenario: &Scenario, at: Moment) -> Vec<String> {
    [&scenario.client, &scenario.server]
        .iter()
        .flat_map(|p| {
            p.changes.iter().filter(move |c| c.at == at).map(move |c| {
                let what = c.note.clone().unwrap_or_else(|| "settings change".into());
                format!("{}: {what}", p.id)
            })
        })
        .collect()
}

/// The turns of every scenario of `file` with dated profiles, in date order
/// (scenarios in parallel).
pub fn timeline(file: &ScenarioFile, options: &RunOptions) -> Result<Vec<Turn>, RunError> {
    let runner = Runner::new(&file.cas, options.clone(), file.path.display().to_string())?;
    let per_scenario: Vec<Vec<Turn>> = file
        .scenarios
        .par_iter()
        .map(|scenario| turns(&runner, scenario))
        .collect::<Result<_, _>>()?;
    let mut turns: Vec<Turn> = per_scenario.into_iter().flatten().collect();
    turns.sort_by_key(|t| t.at);
    Ok(turns)
}

/// Where one scenario's outcome changes, date by date.
fn turns(runner: &Runner, scenario: &Scenario) -> Result<Vec<Turn>, RunError> {
    let mut turns = Vec::new();
    let dates = instants(scenario);
    let Some(first) = dates.first() else {
        return Ok(turns);
    };
    // The scenario's own pinned date is what `timeline` varies.
    let run_at = |at: Moment| runner.run_at(scenario, at);
    let mut previous = run_at(first.minus_seconds(1))?;
    for at in dates {
        let now = run_at(at)?;
        for (before, after) in previous.pairings.iter().zip(&now.pairings) {
            // A pairing that can run neither before nor after has no
            // outcome to change, whatever its reasons say.
            let neither_ran = matches!(
                (&before.status, &after.status),
                (Status::Unsupported { .. }, Status::Unsupported { .. })
            );
            let (b, a) = (line(&before.status), line(&after.status));
            if b != a && !neither_ran {
                turns.push(Turn {
                    at,
                    scenario: scenario.id.clone(),
                    pairing: after.pairing.clone(),
                    before: b,
                    after: a,
                    because: because(scenario, at),
                });
            }
        }
        previous = now;
    }
    Ok(turns)
}
