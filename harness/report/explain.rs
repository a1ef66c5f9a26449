//! The model's reasoning for one scenario, in words for a ticket: what
//! each side offered, what the server chose and why, where it failed, and
//! the other rules that predict another outcome. `tls-harness explain`
//! prints it; a repro bundle writes its Markdown once per pairing.
//!
//! Without asked-for rules it follows the products' own stacks where their
//! profiles name one (`stack = "openssl"`), and the RFCs for a side whose
//! profile does not.

use serde::Serialize;

use crate::backend::Pairing;
use crate::endpoint::pairing_unsupported as unsupported;
use crate::model::{self, Prediction, Rules, Stacks};
use crate::moment::Moment;
use crate::outcome::Outcome;
use crate::pki::CaSpec;
use crate::scenario::{Profile, Scenario, ScenarioFile};

/// Everything `explain` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Explanation<'a> {
    /// Scenario id.
    pub scenario: &'a str,
    /// The file that holds it.
    pub file: String,
    /// Client profile id.
    pub client: &'a str,
    /// Server profile id.
    pub server: &'a str,
    /// Where the expected behaviour is documented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    /// What the scenario shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    /// Whose rules: a pairing id or `reference`.
    pub rules: String,
    /// Why these rules, in words.
    pub note: String,
    /// The model's steps and outcome.
    pub prediction: Prediction,
    /// The other rules (the scenario's pairings and the RFCs) whose
    /// prediction differs.
    pub differences: Vec<Difference>,
}

/// Another set of rules that predicts another outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Difference {
    /// A pairing id or `reference`.
    pub rules: String,
    /// What those rules predict.
    pub outcome: Outcome,
    /// Why this pairing cannot run the scenario for real, if it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
}

/// The explanation of `scenario` (of `file`) by `asked` rules, else each
/// side's own stack; dated profiles as they stood at `at` unless the
/// scenario pins a date.
pub fn explanation<'a>(
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
    cas: &[CaSpec],
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

impl Explanation<'_> {
    /// Plain text, numbered steps.
    pub fn text(&self) -> String {
        let mut out = format!(
            "Scenario {} ({}): {} → {}\n",
            self.scenario,
            self.source.unwrap_or("no source given"),
            self.client,
            self.server
        );
        if let Some(d) = self.description {
            out.push_str(&format!("{d}\n"));
        }
        out.push_str(&format!("Modelled {}.\n\n", self.note));
        for (i, step) in self.prediction.steps.iter().enumerate() {
            out.push_str(&format!("{}. {step}\n", i + 1));
        }
        out.push_str(&format!(
            "\nOutcome: {}\n",
            self.prediction.outcome.summary()
        ));
        if !self.differences.is_empty() {
            out.push_str("\nOther rules predict otherwise:\n");
            for d in &self.differences {
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

    /// Markdown with headings, for a ticket.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## Scenario `{}`: `{}` → `{}`\n\n",
            self.scenario, self.client, self.server
        );
        if let Some(d) = self.description {
            out.push_str(&format!("{d}\n\n"));
        }
        if let Some(source) = self.source {
            out.push_str(&format!("Source: `{source}`. "));
        }
        out.push_str(&format!("File: `{}`.\n\n", self.file));
        out.push_str(&format!("Modelled {}.\n\n### Steps\n\n", self.note));
        for (i, step) in self.prediction.steps.iter().enumerate() {
            out.push_str(&format!("{}. {step}\n", i + 1));
        }
        out.push_str(&format!(
            "\n### Outcome\n\n**{}**\n",
            self.prediction.outcome.summary()
        ));
        if !self.differences.is_empty() {
            out.push_str("\n### Other rules predict otherwise\n\n");
            for d in &self.differences {
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
}

fn cannot_run(d: &Difference) -> String {
    d.unsupported
        .as_ref()
        .map(|why| format!(" (not runnable: {why})"))
        .unwrap_or_default()
}
