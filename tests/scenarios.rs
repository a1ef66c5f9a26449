//! One test per scenario file (datatest-stable), named after the file, in
//! both `cargo test` and `cargo nextest run`. Each runs the file's scenarios
//! over every pairing, snapshots the normalised outcomes under the top-level
//! `snapshots/` (mirroring `scenarios/`), and fails if any `expect` did not
//! hold or the negotiation model's prediction differs from a real outcome.
//! Catalog files get a test of their own that they load.
//!
//! Off CI, on a machine where the JSSE backend cannot run (no JDK), the
//! snapshot is not compared (it has the JSSE rows that ran where a JDK
//! was): the test says so, checks that every JSSE row is reported
//! unsupported with the reason, and checks the other rows as always.

use std::path::{Path, PathBuf};

mod support;

use support::{catalog, on_ci, root};
use tls_harness::endpoint::jsse;
use tls_harness::run::{run_file, RunOptions, ScenarioRun, Status};

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root().join(path)
    }
}

fn scenario_file(path: &Path) -> datatest_stable::Result<()> {
    let path = absolute(path);
    let file = catalog()
        .load_scenario_file(&path)
        .map_err(|e| format!("{:?}", miette::Report::new(e)))?;
    let runs = run_file(&file, &RunOptions::default())?;

    let relative = path.strip_prefix(root().join("scenarios"))?;
    let dir = root()
        .join("snapshots")
        .join(relative.parent().unwrap_or(Path::new("")));
    let name = relative
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("scenario file name is not UTF-8")?
        .to_string();
    let snapshot: Vec<ScenarioRun> = runs.iter().map(ScenarioRun::for_snapshot).collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("scenarios/{}", relative.display()));
    let accepted = dir.join(format!("{name}.snap"));
    if !accepted.exists() {
        eprintln!(
            "scenarios/{} is new: it has no accepted snapshot yet, so this test fails once.\n\
             `just snapshots` writes its outcomes to {}.new and shows them; \
             `just accept` accepts them; commit the .snap file.",
            relative.display(),
            accepted.strip_prefix(root()).unwrap_or(&accepted).display()
        );
    }
    match jsse::start_up() {
        Ok(_) => settings.bind(|| insta::assert_yaml_snapshot!(name, snapshot)),
        Err(why) => jsse_rows_unsupported(&runs, &why.to_string(), relative)?,
    }

    let mismatches: Vec<String> = runs.iter().flat_map(ScenarioRun::mismatches).collect();
    let disagreements: Vec<String> = runs
        .iter()
        .flat_map(ScenarioRun::model_disagreements)
        .collect();
    let mut problems = Vec::new();
    if !mismatches.is_empty() {
        problems.push(format!(
            "expectations did not hold:\n  {}",
            mismatches.join("\n  ")
        ));
    }
    if !disagreements.is_empty() {
        problems.push(format!(
            "the negotiation model disagrees with the real handshakes:\n  {}",
            disagreements.join("\n  ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// Without a JVM: every JSSE row says it cannot run, and why; on CI, where
/// a JDK is installed, an error.
fn jsse_rows_unsupported(
    runs: &[ScenarioRun],
    why: &str,
    relative: &Path,
) -> datatest_stable::Result<()> {
    if on_ci() {
        return Err(format!("CI has a JDK, but JSSE cannot run: {why}").into());
    }
    eprintln!(
        "skipped: the snapshot of scenarios/{} (JSSE cannot run here: {why}); \
         the other rows are still checked",
        relative.display()
    );
    for run in runs {
        for p in run.pairings.iter().filter(|p| p.pairing.contains("jsse")) {
            match &p.status {
                Status::Unsupported { reason } if reason.contains(why) => {}
                other => {
                    return Err(format!(
                        "{} {}: without a JVM, expected unsupported ({why}), got {other:?}",
                        run.scenario, p.pairing
                    )
                    .into())
                }
            }
        }
    }
    Ok(())
}

fn catalog_file(path: &Path) -> datatest_stable::Result<()> {
    let path = absolute(path);
    let defined = catalog()
        .profiles
        .values()
        .filter(|p| p.defined_in == path)
        .count();
    if defined == 0 && !std::fs::read_to_string(&path)?.contains("[ca.") {
        return Err(format!("{} defines no profile and no CA", path.display()).into());
    }
    Ok(())
}

datatest_stable::harness! {
    { test = scenario_file, root = "scenarios", pattern = r"^(?!catalog/).*\.toml$" },
    { test = catalog_file, root = "scenarios/catalog", pattern = r"\.toml$" },
}
