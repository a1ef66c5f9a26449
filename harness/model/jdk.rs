//! A JSSE side on a named JDK release with that release's own settings
//! ([`crate::jdk`]): what the release disables by default drops out of the
//! profile before the negotiation starts, as JSSE drops it from the
//! engine; an engine left with no version and suite it can use cannot
//! start (`No appropriate protocol`), which `hello.rs` reports.

use std::borrow::Cow;

use super::Rules;
use crate::backend::Backend;
use crate::scenario::{Profile, Role};
use crate::version::ProtocolVersion;

/// `profile` as a side following `rules` runs it: for JSSE on a release
/// with its own settings, without the versions, suites and handshake
/// signature schemes the release disables, each drop said in `steps`.
pub(super) fn as_run<'a>(
    profile: &'a Profile,
    rules: Rules,
    steps: &mut Vec<String>,
) -> Cow<'a, Profile> {
    let Some(jdk) = profile.jdk.filter(|_| rules == Rules::Jsse) else {
        return Cow::Borrowed(profile);
    };
    let (versions, dropped_versions): (Vec<ProtocolVersion>, Vec<ProtocolVersion>) = profile
        .versions
        .iter()
        .copied()
        .partition(|v| !jdk.disables_version(*v));
    let (suites, dropped_suites): (Vec<_>, Vec<_>) = profile
        .suites
        .iter()
        .cloned()
        .partition(|c| !jdk.disables_suite(c.suite));
    let schemes = crate::scheme::effective(
        Backend::Jsse,
        profile.handshake.signature_schemes.as_deref(),
    );
    let (kept_schemes, dropped_schemes): (Vec<_>, Vec<_>) = schemes
        .into_iter()
        .partition(|s| !jdk.disables_handshake_scheme(s.name));
    let mut dropped: Vec<String> = dropped_versions
        .iter()
        .map(ProtocolVersion::to_string)
        .collect();
    dropped.extend(dropped_suites.iter().map(|c| c.suite.iana.to_string()));
    dropped.extend(
        dropped_schemes
            .iter()
            .map(|s| format!("{} handshake signatures", s.name)),
    );
    if !dropped.is_empty() {
        let who = match profile.role {
            Role::Client => "client",
            Role::Server => "server",
        };
        steps.push(format!(
            "The {who} runs {jdk}, whose own settings (jdk.tls.disabledAlgorithms) disable {}: its engine does not enable them.",
            dropped.join(", ")
        ));
    }
    let mut handshake = profile.handshake.clone();
    if !dropped_schemes.is_empty() {
        handshake.signature_schemes = Some(kept_schemes);
    }
    Cow::Owned(Profile {
        versions,
        suites,
        handshake,
        ..profile.clone()
    })
}

/// Whether a JSSE side on a named release is left with no version it can
/// use with one of its suites: its engine refuses to start.
pub(super) fn nothing_left(profile: &Profile, rules: Rules) -> bool {
    rules == Rules::Jsse
        && profile.jdk.is_some()
        && !profile
            .versions
            .iter()
            .any(|v| profile.suites.iter().any(|c| c.suite.valid_for(*v)))
}
