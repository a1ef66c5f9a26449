//! The tables `matrix --support`, `matrix` and `upgrade-plan` print are
//! derived from handshakes, never from the profiles' version lists; these
//! tests hold them to the version tables of docs/products/uccx.md.

use std::sync::Arc;

mod support;

use support::root;
use tls_harness::backend::Pairing;
use tls_harness::matrix::{grid, upgrade_plan, Runner, SupportRow};
use tls_harness::moment::Moment;
use tls_harness::run::{run_file, RunOptions, Status};
use tls_harness::scenario::{Catalog, Profile};
use tls_harness::timeline::timeline;

fn make_runner(catalog: &Catalog) -> Runner {
    Runner::new(&catalog.cas, RunOptions::default(), "catalog").expect("runner")
}

fn profiles(catalog: &Catalog, product: &str, connection: &str) -> Vec<Arc<Profile>> {
    catalog
        .profiles
        .values()
        .filter(|p| p.product == product && p.connection == connection)
        .cloned()
        .collect()
}

fn uccx_https_support(catalog: &Catalog, runner: &Runner) -> Vec<SupportRow> {
    let cas: Vec<String> = catalog.cas.iter().map(|c| c.id.clone()).collect();
    tls_harness::matrix::support(runner, &profiles(catalog, "uccx", "https"), &cas)
        .expect("probes run")
}

#[test]
fn uccx_support_table_matches_both_tables_of_products_md_section_1() {
    // (release, versions as server, versions as client): the "current
    // support" and "upcoming" tables (docs/products/uccx.md#current-releases,
    // docs/products/uccx.md#upcoming-releases).
    let expected = [
        ("10.6(1)SU2", "1.0, 1.1, 1.2", "1.0"),
        ("11.0(1)", "1.0, 1.1, 1.2", "1.0"),
        ("11.0(1)SU1", "1.0, 1.1, 1.2", "1.0"),
        ("11.5(1)", "1.0, 1.1, 1.2", "1.0"),
        ("10.6(1)SU3", "1.0, 1.1, 1.2", "1.1, 1.2"),
        ("11.5(1)SU1", "1.1, 1.2", "1.1, 1.2"),
        ("11.6(1)", "1.2", "1.2"),
    ];
    let catalog = support::catalog();
    let rows = uccx_https_support(catalog, &make_runner(catalog));
    for (release, server, client) in expected {
        let row = rows
            .iter()
            .find(|r| r.release == release)
            .unwrap_or_else(|| panic!("no support row for UCCX {release}"));
        let text = |p: &Option<tls_harness::matrix::Probed>| p.as_ref().map(|p| p.text());
        assert_eq!(
            text(&row.as_server).as_deref(),
            Some(server),
            "UCCX {release} as server"
        );
        assert_eq!(
            text(&row.as_client).as_deref(),
            Some(client),
            "UCCX {release} as client"
        );
    }
}

#[test]
fn uccx_upgrade_paths_match_products_md_section_1() {
    // (current, release adding TLS 1.1/1.2 as a client, release removing TLS 1.0)
    let expected = [
        ("10.0", "10.6(1)SU3", "11.5(1)SU1"),
        ("10.5", "10.6(1)SU3", "11.5(1)SU1"),
        ("10.6", "10.6(1)SU3", "11.5(1)SU1"),
        ("11.0", "11.5(1)SU1", "11.5(1)SU1"),
        ("11.5", "11.5(1)SU1", "11.5(1)SU1"),
    ];
    let catalog = support::catalog();
    let runner = make_runner(catalog);
    let rows = uccx_https_support(catalog, &runner);
    let uccx = profiles(catalog, "uccx", "https");
    for (current, adds, removes) in expected {
        let plan = upgrade_plan(&runner, &rows, &uccx, current, &[]).expect("plan");
        let releases: Vec<Option<&str>> = plan.steps.iter().map(|s| s.release.as_deref()).collect();
        assert_eq!(
            releases,
            [Some(adds), Some(removes)],
            "upgrade from UCCX {current}"
        );
    }
}

#[test]
fn upgrade_steps_are_proved_against_peers() {
    let catalog = support::catalog();
    let runner = make_runner(catalog);
    let rows = uccx_https_support(catalog, &runner);
    let uccx = profiles(catalog, "uccx", "https");
    let legacy_caller = catalog.profiles["api-client-legacy-tls10"].clone();
    let plan = upgrade_plan(&runner, &rows, &uccx, "10.6", &[legacy_caller]).expect("plan");
    // The release that removes TLS 1.0 refuses the legacy caller.
    let removal = &plan.steps[1];
    assert_eq!(removal.proofs.len(), 1);
    assert_eq!(removal.proofs[0].server, "uccx-11-5-1-su1-server");
    assert_eq!(removal.proofs[0].summary, "✗ protocol_version");
}

#[test]
fn grid_cells_name_each_pairing_when_the_backends_disagree() {
    let catalog = support::catalog();
    let runner = make_runner(catalog);
    let client = catalog.profiles["api-client-legacy-tls10"].clone();
    let servers = [
        catalog.profiles["uccx-11-6-1-server"].clone(),
        catalog.profiles["uccx-11-5-1-server"].clone(),
    ];
    let g = grid(&runner, &[client], &servers, &Pairing::IN_PROCESS).expect("grid");
    assert_eq!(g.cells.len(), 2);
    // rustls answers a TLS 1.0 hello with handshake_failure, OpenSSL with
    // protocol_version (docs/backends.md#alerts-for-a-tls-10-only-hello).
    assert_eq!(
        g.cells[0].summary,
        "✗ handshake_failure [openssl-rustls]; ✗ protocol_version [openssl-openssl]"
    );
    assert_eq!(g.cells[1].summary, "TLS 1.0");
}

// ---- dates ----

fn production_today() -> tls_harness::scenario::ScenarioFile {
    support::catalog()
        .load_scenario_file(&root().join("scenarios/salesforce/production-today.toml"))
        .expect("scenario file loads")
}

fn summary_at(at: &str, scenario: &str, pairing: &str) -> String {
    let options = RunOptions {
        at: Moment::parse(at).unwrap(),
        only: Pairing::parse(pairing).map(|p| vec![p]),
        ..RunOptions::default()
    };
    let runs = run_file(&production_today(), &options).expect("runs");
    let run = runs
        .iter()
        .find(|r| r.scenario == scenario)
        .expect("scenario");
    match &run
        .pairings
        .iter()
        .find(|p| p.pairing == pairing)
        .expect("pairing")
        .status
    {
        Status::Ran { outcome, .. } => outcome.summary(),
        Status::Unsupported { reason } => panic!("unsupported: {reason}"),
        Status::Simulated { .. } => panic!("simulated, not run"),
    }
}

#[test]
fn run_at_a_date_takes_salesforce_production_as_it_stood_then() {
    let before = summary_at("2017-07-21", "11-5-1-production-today", "openssl-openssl");
    let after = summary_at("2017-07-23", "11-5-1-production-today", "openssl-openssl");
    assert!(before.starts_with("TLS 1.0 "), "{before}");
    assert_eq!(
        after,
        "server failed: no-common-version, alert protocol_version (70)"
    );
}

#[test]
fn timeline_names_the_production_cutover_and_nothing_else() {
    let turns = timeline(&production_today(), &RunOptions::default()).expect("timeline");
    assert!(!turns.is_empty());
    let cutover = Moment::parse("2017-07-22T00:00:00Z").unwrap();
    for t in &turns {
        assert_eq!(t.at, cutover, "{t:?}");
        // rustls has no TLS 1.0: only OpenSSL and JSSE run it, and turn.
        assert!(
            !t.pairing.contains("rustls"),
            "only pairings that run can turn: {t:?}"
        );
        assert!(t.before.starts_with("TLS 1.0 "), "{t:?}");
        assert!(t.after.contains("protocol_version"), "{t:?}");
        assert!(
            t.because
                .iter()
                .any(|b| b.starts_with("salesforce-production:")),
            "{t:?}"
        );
    }
    let turned: Vec<&str> = turns.iter().map(|t| t.scenario.as_str()).collect();
    assert!(turned.contains(&"11-5-1-production-today"), "{turned:?}");
    // Releases with a TLS 1.1/1.2 client do not turn.
    assert!(
        !turned
            .iter()
            .any(|s| s.starts_with("10-6-1-su3") || s.starts_with("11-6-1")),
        "{turned:?}"
    );
}
