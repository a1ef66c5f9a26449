//! The commands that build their runs from catalog profiles: `matrix`,
//! `upgrade-plan`, `diff` and `explain-config`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::common::{
    load_catalog, load_for_profiles, parse_pairing, print_json, print_report, profile_by_id,
    select, unknown_product, Format,
};
use super::error::CliError;
use crate::backend::Pairing;
use crate::diff::{compare, dated_pairs, release_pairs, Diff};
use crate::exit_codes;
use crate::matrix::{grid, support, upgrade_plan as plan, Runner};
use crate::moment::Moment;
use crate::progress::Progress;
use crate::report::{
    diff_junit, diff_table, grid_table, plan_table, support_table, ConfigExplanation,
};
use crate::run::RunOptions;
use crate::scenario::{Profile, Role};

#[derive(Debug, Args)]
pub(super) struct ExplainConfigArgs {
    /// Profile id: a given file's own profile, else the catalog's.
    profile: String,
    /// Scenario files whose own profiles may be meant.
    paths: Vec<PathBuf>,
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Show the settings as they stand at this date (2017-07-21,
    /// 2016-06-25T16:30:00Z), with every dated change and whether it is in
    /// effect then [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

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
            only,
            ..self.options_at(self.at.unwrap_or_else(Moment::now))
        }
    }

    /// The options of a run of every pairing at `at`.
    fn options_at(&self, at: Moment) -> RunOptions {
        RunOptions {
            deadline: Duration::from_millis(self.deadline_ms),
            only: None,
            at,
            progress: Progress::new(None, "runs"),
            capture: false,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct MatrixArgs {
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
pub(super) struct UpgradePlanArgs {
    #[command(flatten)]
    run: CatalogRun,
    /// Product id (`uccx`).
    product: String,
    /// The release in the field (`10.5`, `11.0(1)`).
    release: String,
    /// Peer profiles to prove each step against; repeatable.
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// A scenario file whose own profiles (and CAs) --peer may name.
    #[arg(long)]
    file: Option<PathBuf>,
}

pub(super) fn matrix(args: MatrixArgs) -> Result<i32, CliError> {
    let format = args.run.format;
    let (catalog, _) =
        load_catalog(args.run.catalog.as_ref()).map_err(|e| CliError::input(e, format))?;
    let options = args.run.options(None);
    let progress = options.progress.clone();
    let runner = Runner::new(&catalog.cas, options, "catalog")?;
    let connection = args.run.connection.as_deref();
    if let Some(product) = &args.support {
        let profiles: Vec<Arc<Profile>> = catalog
            .profiles
            .values()
            .filter(|p| &p.product == product && connection.is_none_or(|c| p.connection == c))
            .cloned()
            .collect();
        if profiles.is_empty() {
            return Err(unknown_product(&catalog, product, format));
        }
        let cas: Vec<String> = catalog.cas.iter().map(|c| c.id.clone()).collect();
        let rows = support(&runner, &profiles, &cas);
        progress.finish();
        return print_report(rows, format, |r, style| support_table(r, style));
    }
    let clients = select(&catalog, Role::Client, &args.clients, connection);
    let servers = select(&catalog, Role::Server, &args.servers, connection);
    if clients.is_empty() || servers.is_empty() {
        return Err(CliError::usage(
            "the selection holds no client or no server profile",
            Some(
                "`tls-harness list` shows the profile ids; --client and --server take ids with `*`"
                    .into(),
            ),
            format,
        ));
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

pub(super) fn upgrade_plan(args: UpgradePlanArgs) -> Result<i32, CliError> {
    let format = args.run.format;
    let files: Vec<PathBuf> = args.file.iter().cloned().collect();
    let inputs = load_for_profiles(args.run.catalog.as_ref(), &files, format)?;
    let catalog = &inputs.catalog;
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
        return Err(unknown_product(catalog, &args.product, format));
    }
    let peers = args
        .peers
        .iter()
        .map(|id| profile_by_id(&inputs, "peer profile", id, format))
        .collect::<Result<Vec<_>, _>>()?;
    // A file's CAs include the catalog's.
    let cas = inputs.files.first().map_or(&catalog.cas, |f| &f.cas);
    let options = args.run.options(None);
    let progress = options.progress.clone();
    let result = Runner::new(cas, options, "catalog").and_then(|runner| {
        let cas: Vec<String> = catalog.cas.iter().map(|c| c.id.clone()).collect();
        let rows = support(&runner, &profiles, &cas)?;
        plan(&runner, &rows, &profiles, &args.release, &peers)
    });
    progress.finish();
    print_report(result, format, plan_table)
}

pub(super) fn explain_config(args: ExplainConfigArgs) -> Result<i32, CliError> {
    let inputs = load_for_profiles(args.catalog.as_ref(), &args.paths, args.format)?;
    let profile = profile_by_id(&inputs, "profile", &args.profile, args.format)?;
    let explanation = ConfigExplanation::new(&profile, args.at.unwrap_or_else(Moment::now));
    match args.format {
        Format::Json => print_json(&explanation),
        f => print!("{}", explanation.table(f.style())),
    }
    Ok(exit_codes::OK)
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("sides").required(true).args(["product", "dates"]))]
pub(super) struct DiffArgs {
    #[command(flatten)]
    run: CatalogRun,
    /// Product id (`uccx`), with the release before and the release after.
    #[arg(requires_all = ["from", "to"])]
    product: Option<String>,
    /// The release in the field (`11.5(1)`).
    from: Option<String>,
    /// The release after the upgrade (`11.6(1)`).
    to: Option<String>,
    /// Instead of two releases: the whole catalog at one date and at
    /// another (`--dates 2017-07-21 2017-07-23`; `timeline` lists the
    /// dates at which something changes).
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"], value_parser = Moment::parse)]
    dates: Vec<Moment>,
    /// Peers to meet both releases; repeatable [default: every profile of
    /// another product with the other role and the same connection kind].
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// Run only this pairing; repeatable [default: all nine].
    #[arg(long = "pairing", value_parser = parse_pairing)]
    pairings: Vec<Pairing>,
    /// Also write the rows as JUnit XML here, for CI systems: a test case
    /// per row that changes, a failure for each that breaks.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

/// `diff`: the rows whose real outcome changes between two releases or two
/// dates; exit status 1 when a row that connected stops connecting.
pub(super) fn diff(args: DiffArgs) -> Result<i32, CliError> {
    let format = args.run.format;
    let (catalog, _) =
        load_catalog(args.run.catalog.as_ref()).map_err(|e| CliError::input(e, format))?;
    let pairings = if args.pairings.is_empty() {
        Pairing::ALL.to_vec()
    } else {
        args.pairings.clone()
    };
    let connection = args.run.connection.as_deref();
    let result = match (&args.product, args.dates.as_slice()) {
        (Some(product), _) => diff_releases(&args, &catalog, product, &pairings)?,
        (None, [before, after]) => {
            let clients = select(&catalog, Role::Client, &[], connection);
            let servers = select(&catalog, Role::Server, &[], connection);
            let pairs = dated_pairs(&clients, &servers, (*before, *after));
            let run = |at| Runner::new(&catalog.cas, args.run.options_at(at), "catalog");
            let (early, late) = (run(*before)?, run(*after)?);
            compare((&early, &late), &pairs, &pairings).map(|rows| Diff {
                compared: format!("the catalog at {before} → at {after}"),
                compared_rows: pairs.len() * pairings.len(),
                rows,
                added: Vec::new(),
                removed: Vec::new(),
            })
        }
        _ => unreachable_dates(format)?,
    };
    let breaks = result.as_ref().is_ok_and(Diff::breaks);
    if let (Some(path), Ok(diff)) = (&args.junit, &result) {
        std::fs::write(path, diff_junit(diff))
            .map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
    }
    print_report(result, format, diff_table)?;
    Ok(if breaks {
        exit_codes::EXPECTATION_FAILED
    } else {
        exit_codes::OK
    })
}

/// Release `from` of `product` against release `to`.
fn diff_releases(
    args: &DiffArgs,
    catalog: &crate::scenario::Catalog,
    product: &str,
    pairings: &[Pairing],
) -> Result<Result<Diff, crate::run::RunError>, CliError> {
    let format = args.run.format;
    let connection = args.run.connection.as_deref();
    let release = |r: &str| -> Vec<Arc<Profile>> {
        catalog
            .profiles
            .values()
            .filter(|p| p.product == product && p.release == r)
            .filter(|p| connection.is_none_or(|c| p.connection == c))
            .cloned()
            .collect()
    };
    let (from, to) = (
        args.from.clone().unwrap_or_default(),
        args.to.clone().unwrap_or_default(),
    );
    let (old, new) = (release(&from), release(&to));
    for (side, profiles) in [(&from, &old), (&to, &new)] {
        if profiles.is_empty() {
            return Err(no_release(catalog, product, side, format));
        }
    }
    let peers: Vec<Arc<Profile>> = if args.peers.is_empty() {
        catalog
            .profiles
            .values()
            .filter(|p| p.product != product)
            .cloned()
            .collect()
    } else {
        let inputs = load_for_profiles(args.run.catalog.as_ref(), &[], format)?;
        args.peers
            .iter()
            .map(|id| profile_by_id(&inputs, "peer profile", id, format))
            .collect::<Result<_, _>>()?
    };
    let (pairs, added, removed) = release_pairs(&old, &new, &peers);
    let runner = Runner::new(&catalog.cas, args.run.options(None), "catalog")?;
    Ok(
        compare((&runner, &runner), &pairs, pairings).map(|rows| Diff {
            compared: format!("{product} {from} → {to}"),
            compared_rows: pairs.len() * pairings.len(),
            rows,
            added,
            removed,
        }),
    )
}

/// A release the catalog does not have, with the ones it has.
fn no_release(
    catalog: &crate::scenario::Catalog,
    product: &str,
    release: &str,
    format: Format,
) -> CliError {
    let mut releases: Vec<&str> = catalog
        .profiles
        .values()
        .filter(|p| p.product == product)
        .map(|p| p.release.as_str())
        .collect();
    if releases.is_empty() {
        return unknown_product(catalog, product, format);
    }
    releases.sort_by_key(|r| crate::matrix::release_order(r));
    releases.dedup();
    CliError::usage(
        format!("no profile of {product} release `{release}` in the catalog"),
        Some(format!("its releases: {}", releases.join(", "))),
        format,
    )
}

/// clap's group guarantees a product or two dates.
fn unreachable_dates(format: Format) -> Result<Result<Diff, crate::run::RunError>, CliError> {
    Err(CliError::usage(
        "name a product and two releases, or --dates BEFORE AFTER",
        None,
        format,
    ))
}
