//! `explain`: the model's reasoning for one scenario, in words for a ticket.
//!
//! Without `--pairing` it follows the products' own stacks where their
//! profiles name one (`stack = "openssl"`), and the RFCs for a side whose
//! profile does not; then it lists the pairings whose prediction differs
//! from the one explained, and how.

use clap::Args;
use serde::Serialize;

use super::common::{command_line_error, load, parse_stacks, print_json, report_input_errors};
use super::common::{Common, Format};
use crate::backend::Pairing;
use crate::endpoint::pairing_unsupported as unsupported;
use crate::exit_codes;
use crate::model::{self, Prediction, Rules, Stacks};
use crate::moment::Moment;
use crate::outcome::Outcome;
use crate::scenario::error::suggestion;
use crate::scenario::{Profile, Scenario, ScenarioFile};

#[derive(Debug, Args)]
pub(super) struct ExplainArgs {
    /// Scenario id (`tls-harness list` shows them).
    scenario: String,
    #[command(flatten)]
    common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Whose rules: a pairing (`openssl-rustls`) or `reference` (the RFCs)
    /// [default: each side's product's own stack where its profile names
    /// one (`stack`), else the RFCs].
    #[arg(long = "pairing", value_parser = parse_stacks)]
    pairing: Option<Stacks>,
    /// Take dated profiles as they stood at this date [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
}

/// Everything `explain` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Explanation<'a> {
    scenario: &'a str,
    file: String,
    client: &'a str,
    server: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    rules: String,
    /// Why these rules, in words.
    note: String,
    prediction: Prediction,
    /// The other rules (the scenario's pairings and the RFCs) whose
    /// prediction differs.
    differences: Vec<Difference>,
}

/// Another set of rules that predicts another outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Difference {
    rules: String,
    outcome: Outcome,
    /// Why this pairing cannot run the scenario for real, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    unsupported: Option<String>,
}

pub(super) fn explain(args: ExplainArgs) -> i32 {
    let format = args.format;
    let inputs = match load(&args.common) {
        Ok(i) => i,
        Err(e) => return report_input_errors(e, format),
    };
    let Some((file, scenario)) = find(&inputs.files, &args.scenario) else {
        let ids: Vec<&str> = inputs
            .files
            .iter()
            .flat_map(|f| f.scenarios.iter().map(|s| s.id.as_str()))
            .collect();
        return command_line_error(
            format!("no scenario `{}` in the given files", args.scenario),
            suggestion(&args.scenario, &ids).or_else(|| {
                Some("`tls-harness list` shows the scenario ids; name the file if it is outside scenarios/".into())
            }),
            format,
        );
    };
    let at = args.at.unwrap_or_else(Moment::now);
    let explanation = explanation(file, scenario, args.pairing, at);
    match format {
        Format::Json => print_json(&explanation),
        Format::Table => print!("{}", text(&explanation)),
        Format::Markdown => print!("{}", markdown(&explanation)),
    }
    exit_codes::OK
}

fn find<'a>(files: &'a [ScenarioFile], id: &str) -> Option<(&'a ScenarioFile, &'a Scenario)> {
    files
        .iter()
        .find_map(|f| f.scenarios.iter().find(|s| s.id == id).map(|s| (f, s)))
}

fn explanation<'a>(
    file: &ScenarioFile,
    scenario: &'a Scenario,
    asked: Option<Stacks>,
    at: Moment,
) -> Explanation<'a> {
    let when = scenario.at.unwrap_or(at);
    let (client, server) = (scenario.client.at(when), scenario.server.at(when));
    let stacks = asked.unwrap_or_else(|| own_stacks(&client, &server));
    let prediction = model::predict(scenario, &file.cas, stacks, at);
    let differences = differences(scenario, &file.cas, stacks, &prediction, at);
    Explanation {
        scenario: &scenario.id,
        file: file.path.display().to_string(),
        client: &scenario.client.id,
        server: &scenario.server.id,
        source: scenario.source.as_deref(),
        description: scenario.description.as_deref(),
        rules: stacks.id(),
        note: note(stacks, asked.is_some(), &client, &server),
        prediction,
        differences,
    }
}

/// Each side's product's own stack where its profile names one, else the
/// RFCs.
fn own_stacks(client: &Profile, server: &Profile) -> Stacks {
    let rules = |p: &Profile| p.stack.map_or(Rules::Reference, Rules::from);
    Stacks {
        client: rules(client),
        server: rules(server),
    }
}

/// Why these rules, and whether a real handshake backs them.
fn note(stacks: Stacks, asked: bool, client: &Profile, server: &Profile) -> String {
    let why = match (asked, stacks == Stacks::REFERENCE) {
        (true, true) => "by the RFCs alone, as asked".to_string(),
        (true, false) => format!("with {} rules, as asked", stacks.id()),
        (false, true) => {
            "by the RFCs alone: neither profile names the stack its product ships (`stack`)"
                .to_string()
        }
        (false, false) => format!(
            "with the products' own stacks: client {}, server {}",
            side(client, stacks.client),
            side(server, stacks.server)
        ),
    };
    let real = Pairing::ALL
        .into_iter()
        .chain(Pairing::JSSE)
        .find(|p| Stacks::from(*p) == stacks)
        .map(|p| match unsupported(p, client, server) {
            Some(reason) => format!("; that pairing cannot run it for real ({reason})"),
            None => "; `tls-harness run` checks a real handshake against this".to_string(),
        });
    format!("{why}{}", real.unwrap_or_default())
}

fn side(profile: &Profile, rules: Rules) -> String {
    match profile.stack {
        Some(_) => rules.as_str().to_string(),
        None => "by the RFCs (its profile names no stack)".to_string(),
    }
}

/// The scenario's pairings and the RFCs, where they predict another
/// outcome than `chosen`.
fn differences(
    scenario: &Scenario,
    cas: &[crate::pki::CaSpec],
    stacks: Stacks,
    chosen: &Prediction,
    at: Moment,
) -> Vec<Difference> {
    let when = scenario.at.unwrap_or(at);
    let (client, server) = (scenario.client.at(when), scenario.server.at(when));
    let others = scenario
        .pairings
        .iter()
        .map(|p| (Stacks::from(*p), unsupported(*p, &client, &server)))
        .chain([(Stacks::REFERENCE, None)])
        .filter(|(s, _)| *s != stacks);
    others
        .filter_map(|(rules, why)| {
            let p = model::predict(scenario, cas, rules, at);
            (p.outcome != chosen.outcome).then(|| Difference {
                rules: rules.id(),
                outcome: p.outcome,
                unsupported: why,
            })
        })
        .collect()
}

fn text(e: &Explanation) -> String {
    let mut out = format!(
        "Scenario {} ({}): {} → {}\n",
        e.scenario,
        e.source.unwrap_or("no source given"),
        e.client,
        e.server
    );
    if let Some(d) = e.description {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&format!("Modelled {}.\n\n", e.note));
    for (i, step) in e.prediction.steps.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out.push_str(&format!("\nOutcome: {}\n", e.prediction.outcome.summary()));
    if !e.differences.is_empty() {
        out.push_str("\nOther rules predict otherwise:\n");
        for d in &e.differences {
            out.push_str(&format!(
                "- {}: {}{}\n",
                d.rules,
                d.outcome.summary(),
                cannot_run(d)
            ));
        }
    }
    out
}

fn cannot_run(d: &Difference) -> String {
    d.unsupported
        .as_ref()
        .map(|why| format!(" (not runnable: {why})"))
        .unwrap_or_default()
}

fn markdown(e: &Explanation) -> String {
    let mut out = format!(
        "## Scenario `{}`: `{}` → `{}`\n\n",
        e.scenario, e.client, e.server
    );
    if let Some(d) = e.description {
        out.push_str(&format!("{d}\n\n"));
    }
    if let Some(source) = e.source {
        out.push_str(&format!("Source: `{source}`. "));
    }
    out.push_str(&format!("File: `{}`.\n\n", e.file));
    out.push_str(&format!("Modelled {}.\n\n### Steps\n\n", e.note));
    for (i, step) in e.prediction.steps.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out.push_str(&format!(
        "\n### Outcome\n\n**{}**\n",
        e.prediction.outcome.summary()
    ));
    if !e.differences.is_empty() {
        out.push_str("\n### Other rules predict otherwise\n\n");
        for d in &e.differences {
            out.push_str(&format!(
                "- `{}`: {}{}\n",
                d.rules,
                d.outcome.summary(),
                cannot_run(d)
            ));
        }
    }
    out
}
