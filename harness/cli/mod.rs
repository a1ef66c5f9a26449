//! The command line: `tls-harness run`, `list`, `timeline`, `matrix`,
//! `upgrade-plan`, `explain-config`, `simulate`, `explain`, and `serve`,
//! `probe` and `scan` (in `net`).

mod import;
mod net;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::backend::Pairing;
use crate::endpoint::pairing_unsupported as unsupported;
use crate::exit_codes;
use crate::matrix::{grid, support, upgrade_plan as plan, Runner};
use crate::model::{self, Stacks};
use crate::moment::Moment;
use crate::progress::Progress;
use crate::report::{
    grid_table, plan_table, run_table, support_table, timeline_table, ConfigExplanation, FileRun,
    Listing, Style, Totals,
};
use crate::run::{run_files, simulate_scenario, RunOptions};
use crate::scenario::{error::suggestion, Profile, Role};
use crate::scenario::{shipped, toml_files, Catalog, InputError, InputErrors, ScenarioFile};
use crate::timeline::timeline as turns;

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
    /// List the dates at which scenario outcomes change, and what changes.
    Timeline(TimelineArgs),
    /// Run every client profile against every server profile of a
    /// selection and print the grid; with --support, the per-release
    /// version table of one product, found by probing handshakes.
    Matrix(MatrixArgs),
    /// Find the releases that add TLS 1.1/1.2 as a client and that remove
    /// TLS 1.0, and prove each by handshakes against the given peers.
    UpgradePlan(UpgradePlanArgs),
    /// Show a profile's effective versions and suites and the settings
    /// level each came from.
    ExplainConfig(ExplainConfigArgs),
    /// Run scenarios on the negotiation model alone, without handshakes: a
    /// row for each pairing the backends could implement (with their
    /// quirks) and a `reference` row by the RFCs, for endpoints no backend
    /// can run.
    Simulate(SimulateArgs),
    /// Print the negotiation model's reasoning for one scenario, step by
    /// step: what each side offered, what the server chose and why, where
    /// it failed.
    Explain(ExplainArgs),
    /// Serve a server profile on a TCP socket (127.0.0.1 unless told
    /// otherwise): prints `listening on ADDR`, then one JSON line per
    /// connection with what its ClientHello offered and the outcome.
    Serve(net::ServeArgs),
    /// Run a client profile against a real server at HOST:PORT and print
    /// the normalised outcome and the chain the server sent.
    Probe(net::ProbeArgs),
    /// Run every client profile (or --clients) against one real server at
    /// HOST:PORT on every backend that can: who connects with which version
    /// and suite, who fails with which alert; with --like, whether the
    /// server behaves as that server profile predicts.
    Scan(net::ScanArgs),
    /// Read a ClientHello from a capture (pcap, pcapng), hex text (as
    /// `openssl s_client -msg` prints it) or raw bytes, and write it as a
    /// client profile: versions, suites in order, and as comments groups,
    /// signature algorithms, server name, ALPN and GREASE values.
    ImportHello(import::ImportArgs),
}

#[derive(Debug, Args)]
struct SimulateArgs {
    #[command(flatten)]
    common: Common,
    /// Only this pairing's row (besides `reference`); repeatable.
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Take dated profiles as they stood at this date [default: now];
    /// scenarios that pin a date keep theirs.
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// Scenario id (`tls-harness list` shows them).
    scenario: String,
    #[command(flatten)]
    common: Common,
    /// Whose rules: a pairing (`openssl-rustls`) or `reference` (the RFCs)
    /// [default: the scenario's first pairing that can run, else
    /// reference].
    #[arg(long = "pairing", value_parser = parse_stacks)]
    pairing: Option<Stacks>,
    /// Take dated profiles as they stood at this date [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
}

fn parse_stacks(s: &str) -> Result<Stacks, String> {
    if s == "reference" {
        return Ok(Stacks::REFERENCE);
    }
    parse_pairing(s)
        .map(Stacks::from)
        .map_err(|e| format!("{e}, or reference"))
}

#[derive(Debug, Args)]
struct ExplainConfigArgs {
    /// Profile id.
    profile: String,
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// How to print a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table for people.
    #[default]
    Table,
    /// A Markdown table, for tickets and documents.
    Markdown,
    /// JSON for machines.
    Json,
}

impl Format {
    fn style(self) -> Style {
        match self {
            Format::Markdown => Style::Markdown,
            Format::Table | Format::Json => Style::Terminal,
        }
    }
}

#[derive(Debug, Args)]
struct Common {
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
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

#[derive(Debug, Args)]
struct TimelineArgs {
    #[command(flatten)]
    common: Common,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
}

/// Options of the commands that build scenarios from catalog profiles.
#[derive(Debug, Args)]
struct CatalogRun {
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Only profiles of this connection kind (https, jdbc, ...).
    #[arg(long)]
    connection: Option<String>,
    /// Take dated profiles as they stood at this date [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
}

impl CatalogRun {
    fn options(&self, only: Option<Vec<Pairing>>) -> RunOptions {
        RunOptions {
            deadline: Duration::from_millis(self.deadline_ms),
            only,
            at: self.at.unwrap_or_else(Moment::now),
            progress: Progress::new(None, "runs"),
        }
    }
}

#[derive(Debug, Args)]
struct MatrixArgs {
    #[command(flatten)]
    run: CatalogRun,
    /// Client profiles to include: ids, `*` as wildcard; repeatable
    /// [default: all].
    #[arg(long = "client")]
    clients: Vec<String>,
    /// Server profiles to include, as for --client [default: all].
    #[arg(long = "server")]
    servers: Vec<String>,
    /// Run only this pairing; repeatable [default: all four].
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Instead of the grid, the support table of this product: the
    /// versions each release reaches as server and as client.
    #[arg(long, value_name = "PRODUCT")]
    support: Option<String>,
}

#[derive(Debug, Args)]
struct UpgradePlanArgs {
    #[command(flatten)]
    run: CatalogRun,
    /// Product id (`uccx`).
    product: String,
    /// The release in the field (`10.5`, `11.0(1)`).
    release: String,
    /// Peer profiles to prove each step against; repeatable.
    #[arg(long = "peer")]
    peers: Vec<String>,
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
        Command::Timeline(args) => timeline(args),
        Command::Matrix(args) => matrix(args),
        Command::UpgradePlan(args) => upgrade_plan(args),
        Command::ExplainConfig(args) => explain_config(args),
        Command::Simulate(args) => simulate(args),
        Command::Explain(args) => explain(args),
        Command::Serve(args) => net::serve_command(args),
        Command::Probe(args) => net::probe_command(args),
        Command::Scan(args) => net::scan_command(args),
        Command::ImportHello(args) => import::import_command(args),
    }
}

struct Inputs {
    catalog: Catalog,
    files: Vec<ScenarioFile>,
}

/// The catalog a command uses: `--catalog` (or `TLS_HARNESS_CATALOG`), else
/// `./scenarios/catalog`, else the one built into the binary. Its
/// directory, when it has one.
fn load_catalog(dir: Option<&PathBuf>) -> Result<(Catalog, Option<PathBuf>), InputErrors> {
    let here = PathBuf::from(shipped::CATALOG_DIR);
    let dir = match dir {
        Some(dir) if !dir.is_dir() => {
            return Err(InputError::file(dir, "catalog directory not found")
                .with_help("--catalog and TLS_HARNESS_CATALOG name a directory of catalog files; without either, ./scenarios/catalog or the built-in catalog is used")
                .into())
        }
        Some(dir) => dir.clone(),
        None if here.is_dir() => here,
        None => {
            eprintln!("note: using the built-in catalog; --catalog DIR or TLS_HARNESS_CATALOG picks another");
            return Ok((Catalog::built_in()?, None));
        }
    };
    Ok((Catalog::load(&dir)?, Some(dir)))
}

fn load(common: &Common) -> Result<Inputs, InputErrors> {
    let (catalog, catalog_dir) = load_catalog(common.catalog.as_ref())?;
    let catalog_root = catalog_dir.map(|d| d.canonicalize().unwrap_or(d));
    let mut paths = common.paths.clone();
    if paths.is_empty() {
        if !Path::new("scenarios").is_dir() {
            eprintln!("note: running the built-in scenario files; name files or directories to run others");
            return built_in_scenarios(catalog);
        }
        paths.push(PathBuf::from("scenarios"));
    }
    let in_catalog = |f: &Path| {
        catalog_root
            .as_ref()
            .is_some_and(|root| f.canonicalize().is_ok_and(|c| c.starts_with(root)))
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let found = if path.is_dir() {
            match toml_files(&path) {
                Ok(list) => list.into_iter().filter(|f| !in_catalog(f)).collect(),
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
        files.extend(found);
    }
    let loaded: Vec<_> = files
        .iter()
        .map(|f| catalog.load_scenario_file(f))
        .collect();
    inputs(catalog, loaded, errors)
}

/// The scenario files built into the binary, against `catalog`.
fn built_in_scenarios(catalog: Catalog) -> Result<Inputs, InputErrors> {
    let loaded: Vec<_> = shipped::scenario_files()
        .map(|(path, text)| catalog.parse_scenario_file(Path::new(path), text))
        .collect();
    inputs(catalog, loaded, Vec::new())
}

/// The files that loaded, or every error of those that did not (and of
/// `errors` before them).
fn inputs(
    catalog: Catalog,
    loaded: Vec<Result<ScenarioFile, InputErrors>>,
    mut errors: Vec<InputError>,
) -> Result<Inputs, InputErrors> {
    let mut files = Vec::new();
    for result in loaded {
        match result {
            Ok(file) => files.push(file),
            Err(e) => errors.extend(e.errors),
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
        Format::Table | Format::Markdown => {
            let report = match errors.errors.len() {
                1 => miette::Report::new(errors.errors.into_iter().next().expect("one error")),
                _ => miette::Report::new(errors),
            };
            eprintln!("{report:?}");
        }
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
    let scenarios = inputs.files.iter().map(|f| f.scenarios.len() as u64).sum();
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        only: (!args.pairings.is_empty()).then_some(args.pairings),
        at: args.at.unwrap_or_else(Moment::now),
        progress: Progress::new(Some(scenarios), "scenarios"),
    };
    let runs = run_files(&inputs.files, &options);
    options.progress.finish();
    let runs = match runs {
        Ok(runs) => runs,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_codes::HARNESS_ERROR;
        }
    };
    let runs: Vec<FileRun> = inputs
        .files
        .iter()
        .zip(runs)
        .map(|(file, scenarios)| FileRun {
            file: file.path.display().to_string(),
            scenarios,
        })
        .collect();
    report_runs(&runs, args.common.format)
}

/// Prints the runs of `run` or `simulate` and returns the exit status they
/// call for.
fn report_runs(runs: &[FileRun], format: Format) -> i32 {
    let totals = Totals::of(runs);
    match format {
        Format::Table | Format::Markdown => print!("{}", run_table(runs, format.style())),
        Format::Json => print_json(&serde_json::json!({ "files": runs, "totals": totals })),
    }
    if totals.not_as_expected > 0 {
        exit_codes::EXPECTATION_FAILED
    } else if totals.model_disagreements > 0 {
        exit_codes::MODEL_DISAGREED
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
        Format::Table | Format::Markdown => print!("{}", listing.table(args.common.format.style())),
        Format::Json => print_json(&listing),
    }
    exit_codes::OK
}

fn timeline(args: TimelineArgs) -> i32 {
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, args.common.format),
    };
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        ..RunOptions::default()
    };
    let mut all = Vec::new();
    for file in &inputs.files {
        match turns(file, &options) {
            Ok(t) => all.extend(t),
            Err(e) => {
                eprintln!("error: {e}");
                return exit_codes::HARNESS_ERROR;
            }
        }
    }
    all.sort_by_key(|t| t.at);
    match args.common.format {
        Format::Json => print_json(&all),
        f => print!("{}", timeline_table(&all, f.style())),
    }
    exit_codes::OK
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len())
                    .filter(|i| text.is_char_boundary(head.len() + i))
                    .any(|i| glob(tail, &text[head.len() + i..]))
        }
    }
}

fn select(
    catalog: &Catalog,
    role: Role,
    patterns: &[String],
    connection: Option<&str>,
) -> Vec<Arc<Profile>> {
    catalog
        .profiles
        .values()
        .filter(|p| p.role == role)
        .filter(|p| connection.is_none_or(|c| p.connection == c))
        .filter(|p| patterns.is_empty() || patterns.iter().any(|g| glob(g, &p.id)))
        .cloned()
        .collect()
}

fn unknown_product(catalog: &Catalog, product: &str, format: Format) -> i32 {
    let mut products: Vec<&str> = catalog
        .profiles
        .values()
        .map(|p| p.product.as_str())
        .collect();
    products.sort();
    products.dedup();
    let mut e = InputError::file(
        Path::new("<command line>"),
        format!("no profile of product `{product}` in the catalog"),
    );
    if let Some(help) = suggestion(product, &products) {
        e = e.with_help(help);
    }
    report_input_errors(e.into(), format)
}

fn matrix(args: MatrixArgs) -> i32 {
    let format = args.run.format;
    let catalog = match load_catalog(args.run.catalog.as_ref()) {
        Ok((c, _)) => c,
        Err(e) => return report_input_errors(e, format),
    };
    let options = args.run.options(None);
    let progress = options.progress.clone();
    let runner = match Runner::new(&catalog.cas, options, "catalog") {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_codes::HARNESS_ERROR;
        }
    };
    let connection = args.run.connection.as_deref();
    if let Some(product) = &args.support {
        let profiles: Vec<Arc<Profile>> = catalog
            .profiles
            .values()
            .filter(|p| &p.product == product && connection.is_none_or(|c| p.connection == c))
            .cloned()
            .collect();
        if profiles.is_empty() {
            return unknown_product(&catalog, product, format);
        }
        let cas: Vec<String> = catalog.cas.iter().map(|c| c.id.clone()).collect();
        let rows = support(&runner, &profiles, &cas);
        progress.finish();
        return print_report(rows, format, |r, style| support_table(r, style));
    }
    let clients = select(&catalog, Role::Client, &args.clients, connection);
    let servers = select(&catalog, Role::Server, &args.servers, connection);
    if clients.is_empty() || servers.is_empty() {
        let e = InputError::file(
            Path::new("<command line>"),
            "the selection holds no client or no server profile",
        )
        .with_help(
            "`tls-harness list` shows the profile ids; --client and --server take ids with `*`",
        );
        return report_input_errors(e.into(), format);
    }
    let pairings = if args.pairings.is_empty() {
        Pairing::ALL.to_vec()
    } else {
        args.pairings
    };
    let grid = grid(&runner, &clients, &servers, &pairings);
    progress.finish();
    print_report(grid, format, grid_table)
}

/// Prints a derived table (JSON, or the table `render` draws) and returns
/// its exit status; a run that could not be made is the harness's failure.
fn print_report<T: serde::Serialize>(
    result: Result<T, crate::run::RunError>,
    format: Format,
    render: impl Fn(&T, Style) -> String,
) -> i32 {
    match result {
        Ok(report) => {
            match format {
                Format::Json => print_json(&report),
                f => print!("{}", render(&report, f.style())),
            }
            exit_codes::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_codes::HARNESS_ERROR
        }
    }
}

fn upgrade_plan(args: UpgradePlanArgs) -> i32 {
    let format = args.run.format;
    let catalog = match load_catalog(args.run.catalog.as_ref()) {
        Ok((c, _)) => c,
        Err(e) => return report_input_errors(e, format),
    };
    let connection = args
        .run
        .connection
        .clone()
        .unwrap_or_else(|| "https".to_string());
    let profiles: Vec<Arc<Profile>> = catalog
        .profiles
        .values()
        .filter(|p| p.product == args.product && p.connection == connection)
        .cloned()
        .collect();
    if profiles.is_empty() {
        return unknown_product(&catalog, &args.product, format);
    }
    let mut peers = Vec::new();
    for id in &args.peers {
        match catalog.profiles.get(id) {
            Some(p) => peers.push(p.clone()),
            None => {
                let ids: Vec<&str> = catalog.profiles.keys().map(String::as_str).collect();
                let mut e = InputError::file(
                    Path::new("<command line>"),
                    format!("unknown peer profile `{id}`"),
                );
                if let Some(help) = suggestion(id, &ids) {
                    e = e.with_help(help);
                }
                return report_input_errors(e.into(), format);
            }
        }
    }
    let options = args.run.options(None);
    let progress = options.progress.clone();
    let result = Runner::new(&catalog.cas, options, "catalog").and_then(|runner| {
        let cas: Vec<String> = catalog.cas.iter().map(|c| c.id.clone()).collect();
        let rows = support(&runner, &profiles, &cas)?;
        plan(&runner, &rows, &profiles, &args.release, &peers)
    });
    progress.finish();
    print_report(result, format, plan_table)
}

fn explain_config(args: ExplainConfigArgs) -> i32 {
    let catalog = match load_catalog(args.catalog.as_ref()) {
        Ok((c, _)) => c,
        Err(e) => return report_input_errors(e, args.format),
    };
    let Some(profile) = catalog.profiles.get(&args.profile) else {
        let ids: Vec<&str> = catalog.profiles.keys().map(String::as_str).collect();
        let mut e = InputError::file(
            Path::new("<command line>"),
            format!("unknown profile `{}`", args.profile),
        );
        if let Some(help) = suggestion(&args.profile, &ids) {
            e = e.with_help(help);
        }
        return report_input_errors(e.into(), args.format);
    };
    let explanation = ConfigExplanation::new(profile);
    match args.format {
        Format::Json => print_json(&explanation),
        f => print!("{}", explanation.table(f.style())),
    }
    exit_codes::OK
}

fn simulate(args: SimulateArgs) -> i32 {
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, args.common.format),
    };
    let options = RunOptions {
        only: (!args.pairings.is_empty()).then_some(args.pairings),
        at: args.at.unwrap_or_else(Moment::now),
        ..RunOptions::default()
    };
    let runs: Vec<FileRun> = inputs
        .files
        .iter()
        .map(|file| FileRun {
            file: file.path.display().to_string(),
            scenarios: file
                .scenarios
                .iter()
                .map(|s| simulate_scenario(s, &file.cas, &options))
                .collect(),
        })
        .collect();
    report_runs(&runs, args.common.format)
}

fn explain(args: ExplainArgs) -> i32 {
    let format = args.common.format;
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, format),
    };
    let found = inputs.files.iter().find_map(|f| {
        f.scenarios
            .iter()
            .find(|s| s.id == args.scenario)
            .map(|s| (f, s))
    });
    let Some((file, scenario)) = found else {
        let ids: Vec<&str> = inputs
            .files
            .iter()
            .flat_map(|f| f.scenarios.iter().map(|s| s.id.as_str()))
            .collect();
        let mut e = InputError::file(
            Path::new("<command line>"),
            format!("no scenario `{}` in the given files", args.scenario),
        );
        e = e.with_help(suggestion(&args.scenario, &ids).unwrap_or_else(|| {
            "`tls-harness list` shows the scenario ids; name the file if it is outside scenarios/"
                .to_string()
        }));
        return report_input_errors(e.into(), format);
    };
    let at = args.at.unwrap_or_else(Moment::now);
    let when = scenario.at.unwrap_or(at);
    let (client, server) = (scenario.client.at(when), scenario.server.at(when));
    let runnable = scenario
        .pairings
        .iter()
        .find(|p| unsupported(**p, &client, &server).is_none());
    let stacks = args
        .pairing
        .or(runnable.map(|p| Stacks::from(*p)))
        .unwrap_or(Stacks::REFERENCE);
    let note = match (stacks == Stacks::REFERENCE, runnable) {
        (true, None) => {
            let mut why: Vec<String> = scenario
                .pairings
                .iter()
                .filter_map(|p| unsupported(*p, &client, &server))
                .collect();
            why.sort();
            why.dedup();
            format!(
                "by the RFCs alone: no backend pairing can run it ({})",
                why.join("; ")
            )
        }
        (true, Some(_)) => "by the RFCs alone".to_string(),
        (false, _) => {
            match Pairing::parse(&stacks.id()).and_then(|p| unsupported(p, &client, &server)) {
                Some(why) => format!(
                    "with {} rules, though that pairing cannot run it for real ({why})",
                    stacks.id()
                ),
                None => format!(
                    "with {} rules; `tls-harness run` checks a real handshake against this",
                    stacks.id()
                ),
            }
        }
    };
    let prediction = model::predict(scenario, &file.cas, stacks, at);
    match format {
        Format::Json => print_json(&serde_json::json!({
            "scenario": scenario.id,
            "file": file.path.display().to_string(),
            "rules": stacks.id(),
            "prediction": prediction,
        })),
        Format::Table | Format::Markdown => {
            let mut out = String::new();
            out.push_str(&format!(
                "Scenario {} ({}): {} → {}\n",
                scenario.id,
                scenario.source.as_deref().unwrap_or("no source given"),
                scenario.client.id,
                scenario.server.id
            ));
            if let Some(d) = &scenario.description {
                out.push_str(&format!("{d}\n"));
            }
            out.push_str(&format!("Modelled {note}.\n\n"));
            for (i, step) in prediction.steps.iter().enumerate() {
                out.push_str(&format!("{}. {step}\n", i + 1));
            }
            out.push_str(&format!("\nOutcome: {}\n", prediction.outcome.summary()));
            print!("{out}");
        }
    }
    exit_codes::OK
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_stars_match_runs() {
        assert!(glob("uccx-*-server", "uccx-11-5-1-server"));
        assert!(glob("*", "anything"));
        assert!(glob("uccx-11-5-1-server", "uccx-11-5-1-server"));
        assert!(!glob("uccx-*-server", "uccx-11-5-1-client"));
        assert!(glob("*salesforce*", "salesforce-production"));
    }
}
