//! Scenario input never panics the harness: arbitrary text and small
//! mutations of a valid file either load or give located errors.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use tls_harness::scenario::Catalog;

const VALID: &str = include_str!("../scenarios/uccx/callers-by-release.toml");

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/catalog"))
            .expect("the shipped catalog loads")
    })
}

/// Loads `text`; every error must point inside the text.
fn check_loads_or_locates(text: &str) {
    if let Err(e) = catalog().parse_scenario_file(Path::new("fuzz.toml"), text) {
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
}
