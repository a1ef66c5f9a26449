//! The commands that run scenario files: `run`, `simulate`, `list` and
//! `timeline`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::common::{glob, json_text, load, parse_pairing, print_json, Common, Format};
use super::error::CliError;
use crate::backend::Pairing;
use crate::capture::{append_key_log, CaptureError, Layout};
use crate::exit_codes;
use crate::moment::Moment;
use crate::progress::Progress;
use crate::report::{junit, run_table, timeline_table, FileRun, Listing, Style, Totals};
use crate::run::{run_files, simulate_scenario, RunOptions};
use crate::scenario::{Role, ScenarioFile};
use crate::timeline::timeline as turns;

/// How `run` and `simulate` print their report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum RunFormat {
    /// A table for people.
    #[default]
    Table,
    /// A Markdown table, for tickets and documents.
    Markdown,
    /// JSON for machines.
    Json,
    /// JUnit XML for CI systems: a test suite per file, a test case per
    /// scenario and pairing.
    Junit,
}

/// Where and how `run` and `simulate` report.
#[derive(Debug, Args)]
struct RunOutput {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: RunFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

impl RunOutput {
    /// The format problems are reported in.
    fn errors(&self) -> Format {
        match self.format {
            RunFormat::Json => Format::Json,
            RunFormat::Markdown => Format::Markdown,
            RunFormat::Table | RunFormat::Junit => Format::Table,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct SimulateArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: RunOutput,
    /// Only this pairing's row (besides `reference`); repeatable.
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Take dated profiles as they stood at this date [default: now];
    /// scenarios that pin a date keep theirs.
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
}

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    output: RunOutput,
    /// Run only this pairing (`rustls-openssl` = rustls client, OpenSSL
    /// server); repeatable.
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// Take dated profiles as they stood at this date or datetime
    /// (2017-07-21, 2016-06-25T16:30:00Z) [default: now]; scenarios that pin
    /// a date keep theirs.
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    #[command(flatten)]
    capture: CaptureArgs,
}

/// Where to write the wire evidence of each handshake.
#[derive(Debug, Args)]
struct CaptureArgs {
    /// Write each handshake attempt as a pcapng file, with its keys inside,
    /// under DIR (`DIR/<file stem>/<scenario id>/<pairing>.pcapng`; open it
    /// with `tshark -r FILE` or Wireshark).
    #[arg(long, value_name = "DIR")]
    pcap: Option<PathBuf>,
    /// Append every handshake's secrets to FILE in the NSS key log format
    /// (SSLKEYLOGFILE) that other tools read.
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
}

impl CaptureArgs {
    fn wanted(&self) -> bool {
        self.pcap.is_some() || self.keylog.is_some()
    }
}

#[derive(Debug, Args)]
pub(super) struct ListArgs {
    /// Scenario files or directories, whose own profiles and scenarios are
    /// listed beside the catalog's [default: ./scenarios, else the shipped
    /// scenarios]; and id patterns (`uccx-*`: any argument that is not a
    /// file or directory) that profiles or scenarios must match.
    items: Vec<String>,
    /// Only profiles of this role (and scenarios with one of them).
    #[arg(long, value_parser = parse_role)]
    role: Option<Role>,
    /// Only profiles of this product (and scenarios with one of them).
    #[arg(long)]
    product: Option<String>,
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role `{s}`; roles are client, server"))
}

impl ListArgs {
    /// The arguments that name files or directories (or look as if they
    /// should), and the id patterns.
    fn split(&self) -> (Common, Vec<String>) {
        let (paths, patterns): (Vec<&String>, Vec<&String>) = self.items.iter().partition(|a| {
            Path::new(a).exists() || a.ends_with(".toml") || a.contains(std::path::MAIN_SEPARATOR)
        });
        let common = Common {
            catalog: self.catalog.clone(),
            paths: paths.into_iter().map(PathBuf::from).collect(),
        };
        (common, patterns.into_iter().cloned().collect())
    }

    /// Keeps the profiles the filters select, and the scenarios that use
    /// one of them or whose id matches a pattern.
    fn filter(&self, listing: &mut Listing, patterns: &[String]) {
        let matches = |id: &str| patterns.iter().any(|g| glob(g, id));
        listing.profiles.retain(|p| {
            (patterns.is_empty() || matches(&p.id))
                && self.role.is_none_or(|r| p.role == r.to_string())
                && self.product.as_ref().is_none_or(|want| &p.product == want)
        });
        let shown: BTreeSet<&str> = listing.profiles.iter().map(|p| p.id.as_str()).collect();
        listing.scenarios.retain(|s| {
            (!patterns.is_empty() && matches(&s.id))
                || shown.contains(s.client.as_str())
                || shown.contains(s.server.as_str())
        });
    }
}

#[derive(Debug, Args)]
pub(super) struct TimelineArgs {
    #[command(flatten)]
    common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
}

/// A `--pairing` filter that leaves no scenario of `files` a pairing to
/// run is a command-line mistake, not an empty report.
fn check_pairing_filter(
    files: &[ScenarioFile],
    only: &[Pairing],
    format: Format,
) -> Result<(), CliError> {
    let scenarios = || files.iter().flat_map(|f| &f.scenarios);
    if only.is_empty() || scenarios().any(|s| s.pairings.iter().any(|p| only.contains(p))) {
        return Ok(());
    }
    let mut pinned: Vec<String> = scenarios()
        .flat_map(|s| s.pairings.iter().map(|p| p.id()))
        .collect();
    pinned.sort();
    pinned.dedup();
    let asked: Vec<String> = only.iter().map(|p| p.id()).collect();
    Err(CliError::usage(
        format!(
            "--pairing {} selects no pairing of the given scenarios",
            asked.join(", ")
        ),
        Some(format!("their pairings are {}", pinned.join(", "))),
        format,
    ))
}

pub(super) fn run(args: RunArgs) -> Result<i32, CliError> {
    let format = args.output.errors();
    let inputs = load(&args.common).map_err(|e| CliError::input(e, format))?;
    check_pairing_filter(&inputs.files, &args.pairings, format)?;
    let scenarios = inputs.files.iter().map(|f| f.scenarios.len() as u64).sum();
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        only: (!args.pairings.is_empty()).then_some(args.pairings),
        at: args.at.unwrap_or_else(Moment::now),
        progress: Progress::new(Some(scenarios), "scenarios"),
        capture: args.capture.wanted(),
    };
    let runs = run_files(&inputs.files, &options);
    options.progress.finish();
    let runs = runs?;
    let mut runs: Vec<FileRun> = inputs
        .files
        .iter()
        .zip(runs)
        .map(|(file, scenarios)| FileRun::new(file, scenarios))
        .collect();
    write_captures(&args.capture, &mut runs)?;
    report_runs(&runs, &args.output)
}

/// Writes the captures and key log `capture` asks for, naming each file in
/// its row, and says on stderr how many it wrote.
fn write_captures(capture: &CaptureArgs, runs: &mut [FileRun]) -> Result<(), CaptureError> {
    if let Some(path) = &capture.keylog {
        let secrets = runs
            .iter()
            .flat_map(|f| &f.scenarios)
            .flat_map(|s| &s.pairings)
            .flat_map(|p| &p.handshakes)
            .map(|h| &h.secrets);
        append_key_log(path, secrets)?;
    }
    let Some(dir) = &capture.pcap else {
        return Ok(());
    };
    let mut layout = Layout::new(dir);
    let mut written = 0;
    for file in runs {
        written += layout.write_file_runs(Path::new(&file.file), &mut file.scenarios)?;
    }
    eprintln!("wrote {written} captures under {}", dir.display());
    Ok(())
}

/// Prints the runs of `run` or `simulate` and returns the exit status they
/// call for.
fn report_runs(runs: &[FileRun], output: &RunOutput) -> Result<i32, CliError> {
    let totals = Totals::of(runs);
    let report = match output.format {
        RunFormat::Table => run_table(runs, Style::Terminal),
        RunFormat::Markdown => run_table(runs, Style::Markdown),
        RunFormat::Json => json_text(&serde_json::json!({ "files": runs, "totals": totals })),
        RunFormat::Junit => junit(runs),
    };
    match &output.output {
        None => print!("{report}"),
        Some(path) => std::fs::write(path, report)
            .map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?,
    }
    Ok(if totals.not_as_expected > 0 {
        exit_codes::EXPECTATION_FAILED
    } else if totals.model_disagreements > 0 {
        exit_codes::MODEL_DISAGREED
    } else {
        exit_codes::OK
    })
}

pub(super) fn list(args: ListArgs) -> Result<i32, CliError> {
    let (common, patterns) = args.split();
    let inputs = load(&common).map_err(|e| CliError::input(e, args.format))?;
    let mut listing = Listing::new(&inputs.catalog, &inputs.files);
    args.filter(&mut listing, &patterns);
    if listing.profiles.is_empty() && listing.scenarios.is_empty() {
        return Err(CliError::usage(
            "the filters select no profile and no scenario",
            Some("`tls-harness list` without filters shows every id".into()),
            args.format,
        ));
    }
    match args.format {
        Format::Table | Format::Markdown => print!("{}", listing.table(args.format.style())),
        Format::Json => print_json(&listing),
    }
    Ok(exit_codes::OK)
}

pub(super) fn timeline(args: TimelineArgs) -> Result<i32, CliError> {
    let inputs = load(&args.common).map_err(|e| CliError::input(e, args.format))?;
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        ..RunOptions::default()
    };
    let mut all = Vec::new();
    for file in &inputs.files {
        all.extend(turns(file, &options)?);
    }
    all.sort_by_key(|t| t.at);
    match args.format {
        Format::Json => print_json(&all),
        f => print!("{}", timeline_table(&all, f.style())),
    }
    Ok(exit_codes::OK)
}

pub(super) fn simulate(args: SimulateArgs) -> Result<i32, CliError> {
    let format = args.output.errors();
    let inputs = load(&args.common).map_err(|e| CliError::input(e, format))?;
    check_pairing_filter(&inputs.files, &args.pairings, format)?;
    let options = RunOptions {
        only: (!args.pairings.is_empty()).then_some(args.pairings),
        at: args.at.unwrap_or_else(Moment::now),
        ..RunOptions::default()
    };
    let runs: Vec<FileRun> = inputs
        .files
        .iter()
        .map(|file| {
            let scenarios = file.scenarios.iter();
            FileRun::new(
                file,
                scenarios
                    .map(|s| simulate_scenario(s, &file.cas, &options))
                    .collect(),
            )
        })
        .collect();
    report_runs(&runs, &args.output)
}
