//! `shrink`: the command line of [`crate::shrink`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::common::{
    find_scenario, load, no_such_scenario, parse_pairing, write_or_print, Common, Format,
};
use super::error::CliError;
use crate::backend::Pairing;
use crate::exit_codes;
use crate::moment::Moment;
use crate::run::RunOptions;
use crate::shrink::{shrink, ShrinkError};

/// Options of `shrink`.
#[derive(Debug, Args)]
pub(super) struct ShrinkArgs {
    /// Scenario id (`tls-harness list` shows them).
    scenario: String,
    #[command(flatten)]
    common: Common,
    /// Keep the verdict of this pairing's row only; repeatable [default:
    /// every pairing].
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Pin the instant the scenario runs at [default: now]; a scenario
    /// that pins its own keeps it.
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// Write the shrunk scenario file to FILE, not to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `shrink`: the shrunk file on stdout (or in --output), what it
/// kept and removed on stderr.
pub(super) fn shrink_command(args: ShrinkArgs) -> Result<i32, CliError> {
    let format = Format::Table;
    let inputs = load(&args.common).map_err(|e| CliError::input(e, format))?;
    let Some((file, scenario)) = find_scenario(&inputs.files, &args.scenario) else {
        return Err(no_such_scenario(&inputs.files, &args.scenario, format));
    };
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        at: args.at.unwrap_or_else(Moment::now),
        only: (!args.pairings.is_empty()).then(|| args.pairings.clone()),
        ..RunOptions::default()
    };
    let shrunk = shrink(file, scenario, &options).map_err(|e| match e {
        ShrinkError::NothingToShrink(_) => CliError::usage(
            e.to_string(),
            Some("shrink a scenario that `run` shows not as expected, disagreeing with the model, or with pairings that differ".into()),
            format,
        ),
        other => CliError::harness(other),
    })?;
    let what = format!("the shrunk scenario `{}`", scenario.id);
    write_or_print(args.output.as_deref(), &shrunk.text, &what)?;
    eprintln!("kept, with {} runs of every pairing:", shrunk.runs);
    for row in &shrunk.verdict {
        eprintln!("  {row}");
    }
    for (list, before, after) in shrunk.sizes.iter().filter(|(_, b, a)| b != a) {
        eprintln!("  {list}: {before} → {after}");
    }
    Ok(exit_codes::OK)
}
