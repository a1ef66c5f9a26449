//! What a scenario expects of a pairing, and how an outcome misses it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::backend::Pairing;
use crate::outcome::{Alert, Outcome, Side};
use crate::pki::KeyType;
use crate::suite::Suite;
use crate::version::ProtocolVersion;

/// `established`, `failed` or `identity-refused`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedResult {
    /// The handshake completes.
    Established,
    /// It fails.
    Failed,
    /// It completes, then the server's application refuses the client's
    /// identity.
    IdentityRefused,
}

impl ExpectedResult {
    /// The spelling in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedResult::Established => "established",
            ExpectedResult::Failed => "failed",
            ExpectedResult::IdentityRefused => "identity-refused",
        }
    }
}

/// What a scenario expects of one pairing; unset fields are not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Established or failed.
    pub result: Option<ExpectedResult>,
    /// Negotiated version.
    pub version: Option<ProtocolVersion>,
    /// Negotiated suite.
    pub suite: Option<&'static Suite>,
    /// Key type of the server certificate presented.
    pub server_key: Option<KeyType>,
    /// Key-exchange group as outcomes name it (`x25519`, `dh-2048`);
    /// `Some(None)` expects none (static RSA).
    pub group: Option<Option<String>>,
    /// Whether the server sent a HelloRetryRequest.
    pub hello_retry: Option<bool>,
    /// The ALPN protocol; `Some(None)` expects none.
    pub alpn: Option<Option<String>>,
    /// The scheme the server signed with; `Some(None)` expects none.
    pub signature_scheme: Option<Option<String>>,
    /// Alert on the wire: `Some(None)` (`alert = "none"`) expects a failure
    /// with no alert that the harness can read, as when an encrypted alert
    /// reaches a library that does not name it.
    pub alert: Option<Option<Alert>>,
    /// Side that aborted.
    pub failed_side: Option<Side>,
    /// Whether the client fell back to its retry hello.
    pub fallback: Option<bool>,
}

impl Expected {
    /// `over`'s fields where it sets them, this one's elsewhere; when
    /// `over` changes the result, this one's fields that only the other
    /// result has (version and suite, or alert and failed side) are dropped.
    pub(super) fn overlay(&self, over: &Expected) -> Expected {
        let base = match over.result {
            Some(r) if Some(r) != self.result => self.for_result(r),
            _ => self.clone(),
        };
        Expected {
            result: over.result.or(base.result),
            version: over.version.or(base.version),
            suite: over.suite.or(base.suite),
            server_key: over.server_key.or(base.server_key),
            group: over.group.clone().or(base.group),
            hello_retry: over.hello_retry.or(base.hello_retry),
            alpn: over.alpn.clone().or(base.alpn),
            signature_scheme: over.signature_scheme.clone().or(base.signature_scheme),
            alert: over.alert.or(base.alert),
            failed_side: over.failed_side.or(base.failed_side),
            fallback: over.fallback.or(base.fallback),
        }
    }

    /// This expectation without the fields `result` cannot have.
    fn for_result(&self, result: ExpectedResult) -> Expected {
        let mut out = self.clone();
        if result == ExpectedResult::Failed {
            (out.version, out.suite) = (None, None);
            (out.group, out.hello_retry, out.alpn) = (None, None, None);
            out.signature_scheme = None;
        } else {
            (out.alert, out.failed_side) = (None, None);
        }
        out
    }

    /// Why no handshake could meet this expectation, if none could.
    pub(super) fn contradiction(&self) -> Option<&'static str> {
        match self.result {
            None => Some("`result` is required (`established` or `failed`)"),
            Some(ExpectedResult::Established | ExpectedResult::IdentityRefused)
                if self.alert.is_some() || self.failed_side.is_some() =>
            {
                Some("an established handshake has no `alert` or `failed-side`")
            }
            Some(ExpectedResult::Failed)
                if self.version.is_some()
                    || self.suite.is_some()
                    || self.group.is_some()
                    || self.hello_retry.is_some()
                    || self.alpn.is_some()
                    || self.signature_scheme.is_some() =>
            {
                Some("a failed handshake negotiates no `version`, `suite`, `group`, `hello-retry`, `alpn` or `signature-scheme`")
            }
            _ => None,
        }
    }

    /// The ways `outcome` differs from this expectation, in words; empty
    /// when it holds.
    /// `fell_back` says whether the client needed its retry hello.
    pub fn mismatches(&self, outcome: &Outcome, fell_back: bool) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(want) = self.fallback.filter(|want| *want != fell_back) {
            out.push(if want {
                "expected a fallback to the retry hello, there was none".to_string()
            } else {
                "expected no fallback, but the client retried".to_string()
            });
        }
        let mut check = |what: &str, want: Option<String>, got: Option<String>| {
            if let Some(want) = want {
                if Some(&want) != got.as_ref() {
                    out.push(format!(
                        "expected {what} {want}, got {}",
                        got.unwrap_or_else(|| "none".into())
                    ));
                }
            }
        };
        let got = match outcome {
            Outcome::Established(_) => ExpectedResult::Established,
            Outcome::Failed(_) => ExpectedResult::Failed,
            Outcome::IdentityRefused(_) => ExpectedResult::IdentityRefused,
        };
        if let Some(want) = self.result.filter(|want| *want != got) {
            out.push(format!(
                "expected {}, got {}",
                want.as_str(),
                outcome.summary()
            ));
            return out;
        }
        let handshake = match outcome {
            Outcome::Established(e) => Some(e),
            Outcome::IdentityRefused(r) => Some(&r.handshake),
            Outcome::Failed(_) => None,
        };
        if let Some(e) = handshake {
            check(
                "version",
                self.version.map(|v| v.to_string()),
                Some(e.version.to_string()),
            );
            check(
                "suite",
                self.suite.map(|s| s.iana.to_string()),
                Some(e.suite.name.clone()),
            );
            let none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            check("group", self.group.as_ref().map(none), Some(none(&e.group)));
            check(
                "hello-retry",
                self.hello_retry.map(|h| h.to_string()),
                Some(e.hello_retry.to_string()),
            );
            check("alpn", self.alpn.as_ref().map(none), Some(none(&e.alpn)));
            check(
                "signature scheme",
                self.signature_scheme.as_ref().map(none),
                Some(none(&e.signature_scheme)),
            );
        }
        if let Outcome::Failed(f) = outcome {
            let alert_name = |a: Option<Alert>| a.map_or("none".to_string(), Alert::name);
            check(
                "alert",
                self.alert.map(alert_name),
                Some(alert_name(f.alert)),
            );
            check(
                "failed side",
                self.failed_side.map(|s| s.to_string()),
                f.failed_side.map(|s| s.to_string()),
            );
        }
        let key = outcome.server_certificate().map(|c| c.leaf.key.clone());
        check(
            "server key",
            self.server_key.map(|k| k.as_str().to_string()),
            key,
        );
        out
    }
}

/// A scenario's expectation: one for all pairings, with overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Applies to every pairing.
    pub base: Expected,
    /// Overrides where the backends differ by design.
    pub by_pairing: BTreeMap<Pairing, Expected>,
}

impl Expectation {
    /// The expectation in force for one pairing.
    pub fn for_pairing(&self, pairing: Pairing) -> Expected {
        match self.by_pairing.get(&pairing) {
            Some(over) => self.base.overlay(over),
            None => self.base.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Failed;

    fn failed(alert: Option<Alert>) -> Outcome {
        Outcome::Failed(Failed {
            failed_side: Some(Side::Server),
            alert,
            client_error: None,
            server_error: None,
            server_certificate: None,
        })
    }

    #[test]
    fn an_override_that_changes_the_result_drops_the_other_results_fields() {
        let base = Expected {
            result: Some(ExpectedResult::Failed),
            alert: Some(Some(Alert::HANDSHAKE_FAILURE)),
            failed_side: Some(Side::Server),
            fallback: Some(false),
            ..Expected::default()
        };
        let over = Expected {
            result: Some(ExpectedResult::Established),
            version: Some(ProtocolVersion::Tls12),
            ..Expected::default()
        };
        let merged = base.overlay(&over);
        assert_eq!(merged.contradiction(), None);
        assert_eq!((merged.alert, merged.failed_side), (None, None));
        assert_eq!(merged.version, Some(ProtocolVersion::Tls12));
        assert_eq!(
            merged.fallback,
            Some(false),
            "a field both results have stays"
        );
        // An override that keeps the result keeps the base's fields.
        let same = base.overlay(&Expected {
            result: Some(ExpectedResult::Failed),
            ..Expected::default()
        });
        assert_eq!(same, base);
    }

    #[test]
    fn alert_none_holds_only_for_a_failure_without_a_readable_alert() {
        let none = Expected {
            result: Some(ExpectedResult::Failed),
            alert: Some(None),
            ..Expected::default()
        };
        assert!(none.mismatches(&failed(None), false).is_empty());
        assert_eq!(
            none.mismatches(&failed(Some(Alert::PROTOCOL_VERSION)), false),
            ["expected alert none, got protocol_version"]
        );
        let named = Expected {
            alert: Some(Some(Alert::PROTOCOL_VERSION)),
            ..none
        };
        assert_eq!(
            named.mismatches(&failed(None), false),
            ["expected alert protocol_version, got none"]
        );
    }
}
