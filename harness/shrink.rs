//! `shrink`: a scenario whose outcome is not as expected, differs between
//! pairings, or differs from the model, reduced by real handshakes to the
//! smallest scenario with the same verdict, written as a self-contained
//! file that reruns anywhere (as a bundle's `scenario.toml` does).
//!
//! The verdict is every pairing's row: whether it ran, its outcome in
//! words ([`Outcome::summary`]), whether the expectation held, and whether
//! the model agreed. A reduction is kept only when every row stays the
//! same. The reductions, tried until none is left: removing entries of the
//! client's and server's lists (versions, suites, groups, key shares,
//! signature schemes, ALPN protocols, certificates, trust anchors, client
//! identities, accepted exceptions, settings layers and dated changes, and
//! the lists inside layers and changes), halves first, then one at a time;
//! and removing CA tables nothing uses any more. A candidate the loader
//! refuses is not a reduction.

use std::path::Path;

use crate::bundle::scenario_toml;
use crate::outcome::Outcome;
use crate::run::{ModelCheck, RunError, RunOptions, Runner, ScenarioRun, Status, Verdict};
use crate::scenario::{Catalog, Scenario, ScenarioFile};
use crate::suite::registry;
use crate::version::ProtocolVersion;

/// The list-valued keys of a profile (and of its layers and changes)
/// that a reduction may shorten.
const LISTS: [&str; 13] = [
    "versions",
    "suites",
    "groups",
    "key-shares",
    "signature-schemes",
    "alpn",
    "certificate",
    "trust",
    "client-identities",
    "accepted-exceptions",
    "layer",
    "change",
    "fallback",
];

/// A scenario reduced.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The self-contained scenario file.
    pub text: String,
    /// The verdict it keeps, one line a pairing.
    pub verdict: Vec<String>,
    /// How many scenario runs it took (each runs every pairing).
    pub runs: usize,
    /// Entries before and after: (what, before, after).
    pub sizes: Vec<(String, usize, usize)>,
}

/// Why a scenario cannot be shrunk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShrinkError {
    /// Every pairing is as expected and agrees with the model, and they
    /// all agree with each other: there is nothing to keep.
    #[error("scenario `{0}` is as expected on every pairing, agrees with the model, and its pairings agree with each other: there is no verdict to keep while shrinking")]
    NothingToShrink(String),
    /// The self-contained file could not be made.
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    /// A run could not start.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Shrinks `scenario` of `file`, running with `options`.
pub fn shrink(
    file: &ScenarioFile,
    scenario: &Scenario,
    options: &RunOptions,
) -> Result<Shrunk, ShrinkError> {
    let at = scenario.at.unwrap_or(options.at);
    let text = scenario_toml(file, scenario, at)?;
    let mut root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| crate::bundle::BundleError::Inline(e.to_string()))?;
    let mut runs = 0;
    let want = verdict_of(&root, options, &mut runs)
        .ok_or_else(|| ShrinkError::NothingToShrink(scenario.id.clone()))?;
    if !interesting(&want) {
        return Err(ShrinkError::NothingToShrink(scenario.id.clone()));
    }
    let before = sizes(&root);
    let keeps = |candidate: &toml::Table, runs: &mut usize| {
        verdict_of(candidate, options, runs).is_some_and(|v| same_verdict(&want, &v))
    };
    while reduce_once(&mut root, &keeps, &mut runs) {}
    let after = sizes(&root);
    let sizes = before
        .into_iter()
        .zip(after)
        .map(|((what, b), (_, a))| (what, b, a))
        .collect();
    let body =
        toml::to_string(&root).map_err(|e| crate::bundle::BundleError::Inline(e.to_string()))?;
    let verdict: Vec<String> = want
        .iter()
        .filter(|(_, row)| row != "unsupported")
        .map(|(p, row)| format!("{p}: {row}"))
        .collect();
    let header = format!(
        "# Scenario `{}` of {}, shrunk by tls-harness {} with {runs} runs of every pairing\n\
         # to the smallest scenario with the same verdict:\n{}\
         # Self-contained: rerun with `tls-harness run FILE`.\n\n",
        scenario.id,
        file.path.display(),
        env!("CARGO_PKG_VERSION"),
        verdict
            .iter()
            .map(|v| format!("#   {v}\n"))
            .collect::<String>()
    );
    Ok(Shrunk {
        text: format!("{header}{body}"),
        verdict,
        runs,
        sizes,
    })
}

/// One row per pairing: (pairing, what it came to).
type Rows = Vec<(String, String)>;

/// Whether `candidate` keeps the verdict `want`: every row that ran runs
/// to the same; a row that could not run (`unsupported`) is no part of
/// the verdict, whatever it becomes.
fn same_verdict(want: &Rows, candidate: &Rows) -> bool {
    want.len() == candidate.len()
        && want
            .iter()
            .zip(candidate)
            .all(|((p, w), (q, c))| p == q && (w == "unsupported" || w == c))
}

/// The verdict of the scenario file `root`; `None` when it does not load
/// or cannot run.
fn verdict_of(root: &toml::Table, options: &RunOptions, runs: &mut usize) -> Option<Rows> {
    let text = toml::to_string(root).ok()?;
    let file = Catalog::empty()
        .parse_scenario_file(Path::new("shrinking.toml"), &text)
        .ok()?;
    let scenario = file.scenarios.first()?;
    *runs += 1;
    let run = Runner::new(&file.cas, options.clone(), "shrink")
        .ok()?
        .run(scenario)
        .ok()?;
    Some(rows(&run))
}

fn rows(run: &ScenarioRun) -> Rows {
    run.pairings
        .iter()
        .map(|p| {
            let row = match &p.status {
                Status::Ran {
                    outcome,
                    expectation,
                    model,
                    ..
                } => format!(
                    "{}; {}; {}",
                    outcome_row(outcome),
                    held(expectation),
                    match model {
                        ModelCheck::Agrees => "the model agrees",
                        ModelCheck::Disagrees(_) => "the model DISAGREES",
                    }
                ),
                Status::Simulated {
                    outcome,
                    expectation,
                    ..
                } => format!("simulated {}; {}", outcome_row(outcome), held(expectation)),
                Status::Unsupported { .. } => "unsupported".to_string(),
            };
            (p.pairing.clone(), row)
        })
        .collect()
}

/// An outcome as a row judges it: its summary, and for a handshake that
/// completed the group, HelloRetryRequest and ALPN protocol too.
fn outcome_row(outcome: &Outcome) -> String {
    let completed = match outcome {
        Outcome::Established(e) => e,
        Outcome::IdentityRefused(r) => &r.handshake,
        Outcome::Failed(_) => return outcome.summary(),
    };
    format!(
        "{}, group {}{}, alpn {}",
        outcome.summary(),
        completed.group.as_deref().unwrap_or("none"),
        if completed.hello_retry {
            " after a retry"
        } else {
            ""
        },
        completed.alpn.as_deref().unwrap_or("none")
    )
}

fn held(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::NotHeld(_) => "NOT as expected",
        Verdict::Held | Verdict::NotStated => "as expected",
    }
}

/// Whether a verdict is worth keeping: a row not as expected, a model
/// disagreement, or real outcomes that differ between pairings.
fn interesting(rows: &Rows) -> bool {
    let flagged = rows
        .iter()
        .any(|(_, row)| row.contains("NOT as expected") || row.contains("DISAGREES"));
    let outcomes: Vec<&str> = rows
        .iter()
        .filter(|(_, row)| !row.starts_with("unsupported") && !row.starts_with("simulated"))
        .map(|(_, row)| row.split(';').next().unwrap_or_default())
        .collect();
    flagged || outcomes.windows(2).any(|w| w[0] != w[1])
}

/// Every list a reduction may shorten, as a path of keys and indices from
/// the root: the two profiles' lists, and those inside their layers and
/// changes.
fn lists(root: &toml::Table) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let Some(profiles) = root.get("profile").and_then(|p| p.as_table()) else {
        return out;
    };
    for (id, profile) in profiles {
        let Some(profile) = profile.as_table() else {
            continue;
        };
        let base = vec![Step::Key("profile".into()), Step::Key(id.clone())];
        for key in LISTS {
            match profile.get(key) {
                Some(toml::Value::Array(items)) => {
                    let mut path = base.clone();
                    path.push(Step::Key(key.into()));
                    if key == "layer" || key == "change" {
                        for (i, _) in items.iter().enumerate() {
                            for inner in ["versions", "suites", "groups", "signature-schemes"] {
                                let mut nested = path.clone();
                                nested.extend([Step::Index(i), Step::Key(inner.into())]);
                                out.push(nested);
                            }
                        }
                    }
                    out.push(path);
                }
                Some(toml::Value::Table(_)) if key == "fallback" => {
                    let mut path = base.clone();
                    path.extend([Step::Key(key.into()), Step::Key("versions".into())]);
                    out.push(path);
                }
                _ => {}
            }
        }
    }
    out
}

/// One step of a path into a TOML document.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The array at `path`, if there is one.
fn array_at<'a>(root: &'a mut toml::Table, path: &[Step]) -> Option<&'a mut Vec<toml::Value>> {
    let (first, rest) = path.split_first()?;
    let Step::Key(key) = first else {
        return None;
    };
    let mut value = root.get_mut(key)?;
    for step in rest {
        value = match step {
            Step::Key(k) => value.as_table_mut()?.get_mut(k)?,
            Step::Index(i) => value.as_array_mut()?.get_mut(*i)?,
        };
    }
    value.as_array_mut()
}

/// Tries each reduction once, keeping those `keeps` accepts: whether any
/// was kept.
fn reduce_once(
    root: &mut toml::Table,
    keeps: &impl Fn(&toml::Table, &mut usize) -> bool,
    runs: &mut usize,
) -> bool {
    let mut kept = false;
    for path in lists(root) {
        kept |= shorten(root, &path, keeps, runs);
    }
    kept |= drop_unused_cas(root, keeps, runs);
    kept
}

/// Removes runs of entries from the list at `path`, halves first, while
/// the verdict stays the same.
fn shorten(
    root: &mut toml::Table,
    path: &[Step],
    keeps: &impl Fn(&toml::Table, &mut usize) -> bool,
    runs: &mut usize,
) -> bool {
    let mut kept = false;
    let len = array_at(root, path).map_or(0, |a| a.len());
    let mut chunk = len.div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < array_at(root, path).map_or(0, |a| a.len()) {
            let mut candidate = root.clone();
            let Some(items) = array_at(&mut candidate, path) else {
                break;
            };
            let end = (start + chunk).min(items.len());
            items.drain(start..end);
            prune_dependents(&mut candidate, path);
            if keeps(&candidate, runs) {
                *root = candidate;
                kept = true;
            } else {
                start += chunk;
            }
        }
        if chunk == 1 {
            return kept;
        }
        chunk = chunk.div_ceil(2);
    }
}

/// After versions were removed at `path`, the suites of the same table
/// that no version left allows; after groups, the key shares of groups no
/// longer listed (a file that keeps them does not load): they go
/// together.
fn prune_dependents(root: &mut toml::Table, path: &[Step]) {
    let Some((Step::Key(last), parent)) = path.split_last() else {
        return;
    };
    if last == "groups" {
        // A key share is for a listed group (the format's rule).
        let groups: Vec<toml::Value> = array_at(root, path).cloned().unwrap_or_default();
        let mut shares_path = parent.to_vec();
        shares_path.push(Step::Key("key-shares".into()));
        if let Some(shares) = array_at(root, &shares_path) {
            shares.retain(|s| groups.contains(s));
        }
        return;
    }
    if last != "versions" {
        return;
    }
    let versions: Vec<ProtocolVersion> = array_at(root, path)
        .map(|a| {
            a.iter()
                .filter_map(|v| ProtocolVersion::parse(v.as_str()?))
                .collect()
        })
        .unwrap_or_default();
    let mut suites_path = parent.to_vec();
    suites_path.push(Step::Key("suites".into()));
    if let Some(suites) = array_at(root, &suites_path) {
        suites.retain(|s| {
            let suite = s
                .as_str()
                .and_then(|n| registry().lookup(n))
                .map(|(s, _)| s);
            suite.is_none_or(|s| versions.iter().any(|v| s.valid_for(*v)))
        });
    }
}

/// Removes each `[ca.*]` table whose removal the file survives with the
/// same verdict (one nothing names any more fails to load otherwise).
fn drop_unused_cas(
    root: &mut toml::Table,
    keeps: &impl Fn(&toml::Table, &mut usize) -> bool,
    runs: &mut usize,
) -> bool {
    let ids: Vec<String> = root
        .get("ca")
        .and_then(|c| c.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    let mut kept = false;
    for id in ids {
        let mut candidate = root.clone();
        if let Some(cas) = candidate.get_mut("ca").and_then(|c| c.as_table_mut()) {
            cas.remove(&id);
            if cas.is_empty() {
                candidate.remove("ca");
            }
        }
        if keeps(&candidate, runs) {
            *root = candidate;
            kept = true;
        }
    }
    kept
}

/// How many entries each list holds, by a readable path.
fn sizes(root: &toml::Table) -> Vec<(String, usize)> {
    let mut copy = root.clone();
    lists(root)
        .into_iter()
        .map(|path| {
            let name: Vec<String> = path
                .iter()
                .skip(1)
                .map(|s| match s {
                    Step::Key(k) => k.clone(),
                    Step::Index(i) => i.to_string(),
                })
                .collect();
            let len = array_at(&mut copy, &path).map_or(0, |a| a.len());
            (name.join("."), len)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_interesting_for_a_mismatch_a_disagreement_or_pairings_that_differ() {
        let row = |p: &str, r: &str| (p.to_string(), r.to_string());
        let same = vec![
            row("a", "established TLS 1.2; as expected; the model agrees"),
            row("b", "established TLS 1.2; as expected; the model agrees"),
            row("c", "unsupported"),
        ];
        assert!(!interesting(&same));
        let mut differ = same.clone();
        differ[1] = row(
            "b",
            "client failed: x, no alert; as expected; the model agrees",
        );
        assert!(interesting(&differ));
        let mut mismatch = same.clone();
        mismatch[0] = row(
            "a",
            "established TLS 1.2; NOT as expected; the model agrees",
        );
        assert!(interesting(&mismatch));
        let mut disagrees = same;
        disagrees[0] = row("a", "established TLS 1.2; as expected; the model DISAGREES");
        assert!(interesting(&disagrees));
    }
}
