//! The command line: `tls-harness run` and `tls-harness list`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::endpoint::Pairing;
use crate::exit_codes;
use crate::moment::Moment;
use crate::report::{run_table, FileRun, Listing, Totals};
use crate::run::{run_file, RunOptions};
use crate::scenario::{toml_files, Catalog, InputError, InputErrors, ScenarioFile};

/// Runs real rustls and OpenSSL handshakes between product releases
/// described in scenario files.
#[derive(Debug, Parser)]
#[command(name = "tls-harness", version, after_help = exit_status_help())]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn exit_status_help() -> String {
    let mut s = String::from("Exit status:\n");
    for (code, meaning) in exit_codes::ALL {
        s.push_str(&format!("  {code}  {meaning}\n"));
    }
    s
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios over every backend pairing and check their expectations.
    Run(RunArgs),
    /// List the catalog's profiles and the scenarios of the given files.
    List(ListArgs),
}

/// How to print a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table for people.
    #[default]
    Table,
    /// JSON for machines.
    Json,
}

#[derive(Debug, Args)]
struct Common {
    /// Catalog directory [default: ./scenarios/catalog, else the one shipped
    /// with the source]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Scenario files or directories [default: ./scenarios, else the
    /// shipped scenarios]; the catalog directory is skipped.
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    common: Common,
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
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    common: Common,
}

fn parse_pairing(s: &str) -> Result<Pairing, String> {
    Pairing::parse(s).ok_or_else(|| {
        let ids: Vec<String> = Pairing::ALL.iter().map(|p| p.id()).collect();
        format!("unknown pairing `{s}`; pairings are {}", ids.join(", "))
    })
}

/// Parses the command line, runs it, and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit_codes::USAGE
            } else {
                exit_codes::OK
            };
        }
    };
    match cli.command {
        Command::Run(args) => run(args),
        Command::List(args) => list(args),
    }
}

/// Where the shipped scenarios live, for runs outside the source tree.
fn shipped(relative: &str) -> PathBuf {
    let here = PathBuf::from(relative);
    if here.exists() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

struct Inputs {
    catalog: Catalog,
    files: Vec<ScenarioFile>,
}

fn load(common: &Common) -> Result<Inputs, InputErrors> {
    let catalog_dir = common
        .catalog
        .clone()
        .unwrap_or_else(|| shipped("scenarios/catalog"));
    if !catalog_dir.is_dir() {
        return Err(InputError::file(&catalog_dir, "catalog directory not found").into());
    }
    let catalog = Catalog::load(&catalog_dir)?;
    let catalog_root = catalog_dir.canonicalize().unwrap_or(catalog_dir);
    let paths = if common.paths.is_empty() {
        vec![shipped("scenarios")]
    } else {
        common.paths.clone()
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let found = if path.is_dir() {
            match toml_files(&path) {
                Ok(list) => list
                    .into_iter()
                    .filter(|f| !f.canonicalize().is_ok_and(|c| c.starts_with(&catalog_root)))
                    .collect(),
                Err(e) => {
                    errors.push(InputError::file(
                        &path,
                        format!("cannot read directory: {e}"),
                    ));
                    continue;
                }
            }
        } else {
            vec![path]
        };
        for f in found {
            match catalog.load_scenario_file(&f) {
                Ok(file) => files.push(file),
                Err(e) => errors.extend(e.errors),
            }
        }
    }
    if errors.is_empty() {
        Ok(Inputs { catalog, files })
    } else {
        Err(errors.into())
    }
}

fn report_input_errors(errors: InputErrors, format: Format) -> i32 {
    match format {
        Format::Json => {
            let problems: Vec<serde_json::Value> = errors
                .errors
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "file": e.file.display().to_string(),
                        "line": e.line,
                        "key": e.key,
                        "message": e.message,
                        "help": e.help,
                    })
                })
                .collect();
            print_json(&serde_json::json!({ "error": "bad-input", "problems": problems }));
        }
        Format::Table => eprintln!("{:?}", miette::Report::new(errors)),
    }
    exit_codes::BAD_INPUT
}

fn print_json(value: &impl serde::Serialize) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

fn run(args: RunArgs) -> i32 {
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, args.common.format),
    };
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        only: (!args.pairings.is_empty()).then_some(args.pairings),
        at: args.at.unwrap_or_else(Moment::now),
    };
    let mut runs = Vec::new();
    for file in &inputs.files {
        match run_file(file, &options) {
            Ok(scenarios) => runs.push(FileRun {
                file: file.path.display().to_string(),
                scenarios,
            }),
            Err(e) => {
                eprintln!("error: {e}");
                return exit_codes::HARNESS_ERROR;
            }
        }
    }
    let totals = Totals::of(&runs);
    match args.common.format {
        Format::Table => print!("{}", run_table(&runs)),
        Format::Json => print_json(&serde_json::json!({ "files": runs, "totals": totals })),
    }
    if totals.not_as_expected > 0 {
        exit_codes::EXPECTATION_FAILED
    } else {
        exit_codes::OK
    }
}

fn list(args: ListArgs) -> i32 {
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, args.common.format),
    };
    let listing = Listing::new(&inputs.catalog, &inputs.files);
    match args.common.format {
        Format::Table => print!("{}", listing.table()),
        Format::Json => print_json(&listing),
    }
    exit_codes::OK
}
