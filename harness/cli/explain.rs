//! `explain`: the model's reasoning for one scenario, in words for a ticket
//! (built by [`crate::report::explain`]).
//!
//! Without `--pairing` it follows the products' own stacks where their
//! profiles name one (`stack = "openssl"`), and the RFCs for a side whose
//! profile does not; then it lists the pairings whose prediction differs
//! from the one explained, and how.

use clap::Args;

use super::common::{find_scenario, load, no_such_scenario, parse_stacks, print_json};
use super::common::{Common, Format};
use super::error::CliError;
use crate::exit_codes;
use crate::model::Stacks;
use crate::moment::Moment;
use crate::report::explain::explanation;

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

pub(super) fn explain(args: ExplainArgs) -> Result<i32, CliError> {
    let format = args.format;
    let inputs = load(&args.common).map_err(|e| CliError::input(e, format))?;
    let Some((file, scenario)) = find_scenario(&inputs.files, &args.scenario) else {
        return Err(no_such_scenario(&inputs.files, &args.scenario, format));
    };
    let at = args.at.unwrap_or_else(Moment::now);
    let explanation = explanation(file, scenario, args.pairing, at);
    match format {
        Format::Json => print_json(&explanation),
        Format::Table => print!("{}", explanation.text()),
        Format::Markdown => print!("{}", explanation.markdown()),
    }
    Ok(exit_codes::OK)
}
