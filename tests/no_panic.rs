//! Scenario input never panics the harness: arbitrary text and small
//! mutations of a valid file either load or give located errors, and
//! every file that loads is also simulated and explained, on the model
//! alone, without a panic.

use std::path::Path;

mod support;

use proptest::prelude::*;
use support::catalog;
use tls_harness::endpoint::pairing_unsupported;
use tls_harness::model::{self, Stacks};
use tls_harness::moment::Moment;
use tls_harness::run::{simulate_scenario, RunOptions};
use tls_harness::scenario::{InputErrors, ScenarioFile};

const VALID: &str = include_str!("../scenarios/uccx/callers-by-release.toml");

/// Loads `text`; every error must point inside the text, and a file that
/// loads must simulate and explain.
fn check_loads_or_locates(text: &str) {
    match catalog().parse_scenario_file(Path::new("fuzz.toml"), text) {
        Ok(file) => check_simulates_and_explains(&file),
        Err(e) => check_located(text, &e),
    }
}

/// What `tls-harness simulate` and `tls-harness explain` do with a file,
/// for every scenario, under every pairing and the reference rules.
fn check_simulates_and_explains(file: &ScenarioFile) {
    let at = Moment::parse("2024-06-01").expect("a date");
    let options = RunOptions {
        at,
        ..RunOptions::default()
    };
    for scenario in &file.scenarios {
        let run = simulate_scenario(scenario, &file.cas, &options);
        assert!(!run.pairings.is_empty());
        let when = scenario.at.unwrap_or(at);
        let (client, server) = (scenario.client.at(when), scenario.server.at(when));
        let pairings = scenario.pairings.iter().map(|p| {
            let _ = pairing_unsupported(*p, &client, &server);
            Stacks::from(*p)
        });
        for stacks in pairings.chain([Stacks::REFERENCE]) {
            let prediction = model::predict(scenario, &file.cas, stacks, at);
            assert!(!prediction.steps.is_empty());
            let _ = prediction.outcome.summary();
            let _ = serde_json::to_string(&prediction).expect("a prediction serialises");
        }
    }
}

/// Every error of `e` points inside `text`.
fn check_located(text: &str, e: &InputErrors) {
    assert!(!e.errors.is_empty());
    let lines = text.lines().count().max(1);
    for err in &e.errors {
        assert!(
            err.line <= lines + 1,
            "line {} beyond {lines}: {}",
            err.line,
            err.one_line()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_loads_or_locates(&text);
    }

    #[test]
    fn mutated_valid_file_never_panics(
        cut in 0..VALID.len(),
        len in 0usize..12,
        insert in "[a-z0-9=\\[\\]\"._ \n-]{0,8}",
    ) {
        let start = (0..=cut).rev().find(|i| VALID.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len..=VALID.len()).find(|i| VALID.is_char_boundary(*i)).unwrap_or(VALID.len());
        let text = format!("{}{}{}", &VALID[..start], insert, &VALID[end..]);
        check_loads_or_locates(&text);
    }
}

#[test]
fn the_unmutated_file_loads() {
    let file = catalog()
        .parse_scenario_file(Path::new("fuzz.toml"), VALID)
        .unwrap();
    assert!(file.scenarios.len() >= 5);
    check_simulates_and_explains(&file);
}
