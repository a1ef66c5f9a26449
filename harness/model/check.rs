//! The check of a real run against the model's prediction.

use super::Prediction;
use crate::outcome::Outcome;

/// The ways a real run differs from the model's prediction, as
/// `field: model X, real Y`; empty when they agree. Raw library text is
/// not compared.
pub fn disagreements(
    real: &Outcome,
    real_fallback_from: Option<&Outcome>,
    predicted: &Prediction,
) -> Vec<String> {
    let mut out = Vec::new();
    diff("", &to_value(&predicted.outcome), &to_value(real), &mut out);
    match (predicted.fallback_from.as_ref(), real_fallback_from) {
        (Some(m), Some(r)) => diff("first hello.", &to_value(m), &to_value(r), &mut out),
        (None, None) => {}
        (Some(_), None) => out.push("fallback: model retries, real did not".to_string()),
        (None, Some(_)) => out.push("fallback: real retried, model did not".to_string()),
    }
    out
}

/// An outcome as compared: no raw library text, no fingerprints (the model
/// knows what a certificate says, not its bytes).
fn to_value(o: &Outcome) -> serde_json::Value {
    serde_json::to_value(o.without_raw().without_fingerprints()).unwrap_or(serde_json::Value::Null)
}

fn diff(prefix: &str, model: &serde_json::Value, real: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (model, real) {
        (Value::Object(m), Value::Object(r)) => {
            let mut keys: Vec<&String> = m.keys().chain(r.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let null = Value::Null;
                diff(
                    &format!("{prefix}{k}."),
                    m.get(k).unwrap_or(&null),
                    r.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (m, r) if m != r => {
            let show = |v: &Value| match v {
                Value::Null => "none".to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push(format!(
                "{}: model {}, real {}",
                prefix.trim_end_matches('.'),
                show(m),
                show(r)
            ));
        }
        _ => {}
    }
}
