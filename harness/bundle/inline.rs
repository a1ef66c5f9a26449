//! A bundle's `scenario.toml`: one scenario with every profile and CA it
//! uses inlined, its instant pinned and `self-contained = true`, so that
//! it loads the same with no catalog reachable.
//!
//! The tables are the ones the scenario's files wrote ([`Written`]),
//! written back with the `toml` crate rather than serialised from the
//! resolved types: what goes out is what the harness read, so it resolves
//! to the same profiles by the same code, and a new key in the format needs
//! nothing here.

use std::sync::Arc;

use super::BundleError;
use crate::moment::Moment;
use crate::pki::{issuers, CaSpec, Issuer};
use crate::scenario::{Profile, Scenario, ScenarioFile, BUILTIN_ROOT};

/// The text of the bundle's `scenario.toml` for `scenario` of `file`, at
/// `at` unless the scenario pins its own date.
pub fn scenario_toml(
    file: &ScenarioFile,
    scenario: &Scenario,
    at: Moment,
) -> Result<String, BundleError> {
    let written = &file.written;
    let mut root = toml::Table::new();
    root.insert("self-contained".into(), toml::Value::Boolean(true));
    let mut cas = toml::Table::new();
    for id in used_cas(&[&scenario.client, &scenario.server], &file.cas) {
        cas.insert(
            id.clone(),
            toml::Value::Table(table(&written.cas, &id, "CA")?),
        );
    }
    if !cas.is_empty() {
        root.insert("ca".into(), toml::Value::Table(cas));
    }
    let mut profiles = toml::Table::new();
    for p in [&scenario.client, &scenario.server] {
        let t = table(&written.profiles, &p.id, "profile")?;
        profiles.insert(p.id.clone(), toml::Value::Table(t));
    }
    root.insert("profile".into(), toml::Value::Table(profiles));
    let mut entry = table(&written.scenarios, &scenario.id, "scenario")?;
    if !entry.contains_key("at") {
        entry.insert("at".into(), datetime(at)?);
    }
    root.insert(
        "scenario".into(),
        toml::Value::Array(vec![toml::Value::Table(entry)]),
    );
    let body = toml::to_string(&root).map_err(|e| BundleError::Inline(e.to_string()))?;
    Ok(format!("{}{body}", header(file, scenario)))
}

/// The comment at the top: where the scenario came from and how to run it.
fn header(file: &ScenarioFile, scenario: &Scenario) -> String {
    format!(
        "# Repro bundle of scenario `{}` from {}, written by tls-harness {}.\n\
         # Self-contained: every profile and CA it uses is below, and no catalog is read.\n\
         # Rerun: tls-harness run scenario.toml\n\n",
        scenario.id,
        file.path.display(),
        env!("CARGO_PKG_VERSION")
    )
}

/// The table `id` of `tables`, which every resolved profile, CA and
/// scenario has (only ad-hoc scenarios built by a command lack one).
fn table(
    tables: &std::collections::BTreeMap<String, Arc<toml::Table>>,
    id: &str,
    what: &str,
) -> Result<toml::Table, BundleError> {
    tables
        .get(id)
        .map(|t| t.as_ref().clone())
        .ok_or_else(|| BundleError::Inline(format!("no {what} table `{id}` was kept")))
}

/// `at` as a TOML datetime.
fn datetime(at: Moment) -> Result<toml::Value, BundleError> {
    at.to_string()
        .parse::<toml::value::Datetime>()
        .map(toml::Value::Datetime)
        .map_err(|e| BundleError::Inline(format!("cannot write {at} as TOML: {e}")))
}

/// The CAs `profiles` name (certificate issuers and trust anchors) and
/// every CA above them, in `cas` order (parents first), the built-in root
/// left out: every loader has it.
pub fn used_cas(profiles: &[&Arc<Profile>], cas: &[CaSpec]) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for p in profiles {
        for def in &p.certificates {
            named.extend(issuers(&def.issuer, cas));
        }
        for id in &p.trust {
            named.extend(issuers(&Issuer::Ca(id.clone()), cas));
        }
    }
    cas.iter()
        .map(|c| c.id.clone())
        .filter(|id| id != BUILTIN_ROOT && named.contains(id))
        .collect()
}
