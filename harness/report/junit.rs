//! `run --format junit`: JUnit XML for CI systems (quick-junit). One test
//! suite per scenario file, one test case per scenario and pairing
//! (classname the scenario id, name the pairing). An outcome that was not
//! as expected, or a real outcome the model did not predict, is a failure
//! with the mismatch as its message; a pairing a backend cannot implement
//! is skipped with the reason.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::FileRun;
use crate::run::{ModelCheck, PairingRun, ScenarioRun, Status, Verdict};

/// The JUnit XML report of `files`.
pub fn junit(files: &[FileRun]) -> String {
    let mut report = Report::new("tls-harness");
    for file in files {
        let mut suite = TestSuite::new(file.file.as_str());
        for scenario in &file.scenarios {
            suite.add_test_cases(scenario.pairings.iter().map(|p| test_case(scenario, p)));
        }
        report.add_test_suite(suite);
    }
    // Serialising owned strings into memory has no I/O to fail; an error
    // here would be a quick-junit bug, reported as a comment, not a panic.
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write the JUnit report: {e} -->\n"))
}

fn test_case(scenario: &ScenarioRun, p: &PairingRun) -> TestCase {
    let (status, out) = match &p.status {
        Status::Unsupported { reason } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("unsupported: {reason}"));
            (status, None)
        }
        Status::Simulated {
            outcome,
            expectation,
            ..
        } => (
            verdict_status(expectation, None),
            Some(format!("simulated: {}", outcome.summary())),
        ),
        Status::Ran {
            outcome,
            expectation,
            model,
            ..
        } => (
            verdict_status(expectation, Some(model)),
            Some(outcome.summary()),
        ),
    };
    let mut case = TestCase::new(p.pairing.as_str(), status);
    case.set_classname(scenario.scenario.as_str());
    if let Some(out) = out {
        case.set_system_out(out);
    }
    case
}

/// Success, or a failure naming what did not hold: the expectation first,
/// then the model.
fn verdict_status(expectation: &Verdict, model: Option<&ModelCheck>) -> TestCaseStatus {
    let failure = |kind: &str, message: String| {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_type(kind).set_message(message);
        status
    };
    match (expectation, model) {
        (Verdict::NotHeld(m), _) => failure("not-as-expected", m.join("; ")),
        (_, Some(ModelCheck::Disagrees(d))) => failure(
            "model-disagrees",
            format!("model disagrees: {}", d.join("; ")),
        ),
        _ => TestCaseStatus::success(),
    }
}

/// The JUnit XML report of `diff`: one test suite, one test case per row
/// that changes (classname the client and server, name the pairing); a
/// row that breaks is a failure with the outcomes before and after.
pub fn diff_junit(diff: &crate::diff::Diff) -> String {
    let mut report = Report::new("tls-harness diff");
    let mut suite = TestSuite::new(diff.compared.as_str());
    suite.add_test_cases(diff.rows.iter().map(|r| {
        let said = format!("before: {}\nafter: {}", r.before, r.after);
        let status = if r.change == crate::diff::Change::Breaks {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(said.clone());
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(r.pairing.as_str(), status);
        case.set_classname(format!("{} → {}", r.client, r.server));
        case.set_system_out(said);
        case
    }));
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write the JUnit report: {e} -->\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(status: &TestCaseStatus) -> Option<&str> {
        match status {
            TestCaseStatus::NonSuccess { message, .. } => message.as_ref().map(|m| m.as_str()),
            _ => None,
        }
    }

    #[test]
    fn an_unmet_expectation_is_named_before_a_model_disagreement() {
        let model = ModelCheck::Disagrees(vec!["version: model TLS 1.2, real TLS 1.3".into()]);
        let status = verdict_status(&Verdict::NotHeld(vec!["expected x".into()]), Some(&model));
        assert_eq!(message(&status), Some("expected x"));
        let status = verdict_status(&Verdict::Held, Some(&model));
        assert_eq!(
            message(&status),
            Some("model disagrees: version: model TLS 1.2, real TLS 1.3")
        );
        for (verdict, model) in [
            (Verdict::Held, Some(&ModelCheck::Agrees)),
            (Verdict::NotStated, None),
        ] {
            assert_eq!(verdict_status(&verdict, model), TestCaseStatus::success());
        }
    }
}
