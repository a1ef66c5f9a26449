//! Renders runs and catalogs for people (tables) and machines (JSON).
//! Tables are built from the outcomes of real handshakes, never typed in.

pub mod explain;
mod junit;

pub use junit::{diff_junit, junit};

use comfy_table::presets::{ASCII_MARKDOWN, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::matrix::{Grid, Probed, SupportRow, UpgradePlan};
use crate::moment::Moment;
use crate::net::{ScanRow, ScanStatus};
use crate::outcome::Outcome;
use crate::run::{CaptureFiles, ModelCheck, ScenarioRun, Status, Verdict};
use crate::scenario::{Catalog, Profile, ScenarioFile};
use crate::timeline::Turn;

/// The runs of one scenario file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FileRun {
    /// The file.
    pub file: String,
    /// Its scenarios.
    pub scenarios: Vec<ScenarioRun>,
    /// The catalog profiles the file replaced with its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
}

impl FileRun {
    /// The runs of `file`.
    pub fn new(file: &ScenarioFile, scenarios: Vec<ScenarioRun>) -> FileRun {
        FileRun {
            file: file.path.display().to_string(),
            scenarios,
            replaces: file.replaces.clone(),
        }
    }
}

/// Counts over a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Totals {
    /// Scenarios run.
    pub scenarios: usize,
    /// Handshakes that ran.
    pub handshakes: usize,
    /// Outcomes the negotiation model predicted without a handshake.
    pub simulated: usize,
    /// Handshakes and simulations whose expectation held.
    pub as_expected: usize,
    /// Handshakes and simulations whose expectation did not hold.
    pub not_as_expected: usize,
    /// Handshakes and simulations with no stated expectation.
    pub unchecked: usize,
    /// Handshakes whose outcome the negotiation model did not predict.
    pub model_disagreements: usize,
    /// Pairings that could not run.
    pub unsupported: usize,
}

impl Totals {
    /// Adds up `files`.
    pub fn of(files: &[FileRun]) -> Totals {
        let mut t = Totals::default();
        for s in files.iter().flat_map(|f| &f.scenarios) {
            t.scenarios += 1;
            for p in &s.pairings {
                match &p.status {
                    Status::Unsupported { .. } => t.unsupported += 1,
                    Status::Simulated { expectation, .. } => {
                        t.simulated += 1;
                        match expectation {
                            Verdict::Held => t.as_expected += 1,
                            Verdict::NotHeld(_) => t.not_as_expected += 1,
                            Verdict::NotStated => t.unchecked += 1,
                        }
                    }
                    Status::Ran {
                        expectation, model, ..
                    } => {
                        t.handshakes += 1;
                        if *model != ModelCheck::Agrees {
                            t.model_disagreements += 1;
                        }
                        match expectation {
                            Verdict::Held => t.as_expected += 1,
                            Verdict::NotHeld(_) => t.not_as_expected += 1,
                            Verdict::NotStated => t.unchecked += 1,
                        }
                    }
                }
            }
        }
        t
    }
}

/// How a table is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// Box drawing for terminals.
    #[default]
    Terminal,
    /// A GitHub-flavoured Markdown table, for tickets and documents.
    Markdown,
}

/// The width of a terminal table when stdout is not a terminal.
const PIPED_WIDTH: u16 = 160;

fn table(header: &[&str], style: Style) -> Table {
    let mut t = Table::new();
    match style {
        Style::Terminal => {
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic);
            // Piped or on CI there is no terminal to measure: wrap long cells
            // (lists of suites a backend lacks) at a width that still reads.
            if t.width().is_none() {
                t.set_width(PIPED_WIDTH);
            }
            &mut t
        }
        Style::Markdown => t.load_preset(ASCII_MARKDOWN),
    };
    t.set_header(header.to_vec());
    t
}

fn with_fallback(outcome: &Outcome, first: Option<&Outcome>) -> String {
    match first {
        Some(first) => format!(
            "{} (after fallback; first hello: {})",
            outcome.summary(),
            first.summary()
        ),
        None => outcome.summary(),
    }
}

/// The outcome, expectation and model cells of one `run` row.
fn run_cells(status: &Status) -> (String, String, String) {
    match status {
        Status::Unsupported { reason } => (
            format!("unsupported: {reason}"),
            "-".to_string(),
            "-".to_string(),
        ),
        Status::Simulated {
            outcome,
            fallback_from,
            expectation,
        } => (
            format!(
                "simulated: {}",
                with_fallback(outcome, fallback_from.as_deref())
            ),
            verdict_text(expectation),
            "-".to_string(),
        ),
        Status::Ran {
            outcome,
            fallback_from,
            expectation,
            model,
        } => (
            with_fallback(outcome, fallback_from.as_deref()),
            verdict_text(expectation),
            match model {
                ModelCheck::Agrees => "agrees".to_string(),
                ModelCheck::Disagrees(d) => format!("DISAGREES: {}", d.join("; ")),
            },
        ),
    }
}

/// A row's capture files: the first hello's, then the retry's.
fn capture_cell(capture: Option<&CaptureFiles>) -> String {
    match capture {
        None => "-".to_string(),
        Some(CaptureFiles {
            file,
            fallback_from: Some(first),
        }) => format!("{first} (first hello), {file}"),
        Some(CaptureFiles { file, .. }) => file.clone(),
    }
}

fn verdict_text(expectation: &Verdict) -> String {
    match expectation {
        Verdict::Held => "yes".to_string(),
        Verdict::NotStated => "(none stated)".to_string(),
        Verdict::NotHeld(m) => format!("NO: {}", m.join("; ")),
    }
}

/// The `run` table: one row per scenario and pairing. In Markdown, when
/// captures were written (`run --pcap`), a last column names each row's
/// capture files.
pub fn run_table(files: &[FileRun], style: Style) -> String {
    let rows = || {
        files
            .iter()
            .flat_map(|f| &f.scenarios)
            .flat_map(|s| s.pairings.iter().map(move |p| (s, p)))
    };
    let captured = style == Style::Markdown && rows().any(|(_, p)| p.capture.is_some());
    let mut header = vec!["scenario", "pairing", "outcome", "expected", "model"];
    if captured {
        header.push("capture");
    }
    let mut t = table(&header, style);
    for (s, p) in rows() {
        let (outcome, verdict, model) = run_cells(&p.status);
        let pairing = if p.products_stacks {
            format!("{} (products' stacks)", p.pairing)
        } else {
            p.pairing.clone()
        };
        let mut row = vec![s.scenario.clone(), pairing, outcome, verdict, model];
        if captured {
            row.push(capture_cell(p.capture.as_ref()));
        }
        t.add_row(row);
    }
    let totals = Totals::of(files);
    let mut notes = String::new();
    for f in files.iter().filter(|f| !f.replaces.is_empty()) {
        notes.push_str(&format!(
            "note: {} replaces the catalog's {} with its own\n",
            f.file,
            f.replaces
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    format!(
        "{notes}{t}\n{} scenarios, {} handshakes and {} simulations: {} as expected, {} not as expected, {} without expectation; {} handshakes disagree with the model; {} pairings unsupported\n",
        totals.scenarios,
        totals.handshakes,
        totals.simulated,
        totals.as_expected,
        totals.not_as_expected,
        totals.unchecked,
        totals.model_disagreements,
        totals.unsupported
    )
}

/// A profile as `list` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProfileEntry {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Product.
    pub product: String,
    /// Release.
    pub release: String,
    /// Client or server.
    pub role: String,
    /// Connection kind.
    pub connection: String,
    /// Versions.
    pub versions: Vec<String>,
    /// Suites as written (IANA or OpenSSL names).
    pub suites: Vec<String>,
    /// Certificate key types.
    pub certificates: Vec<String>,
    /// Source of the facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Defining file.
    pub file: String,
    /// Defined in a scenario file (not the catalog).
    pub in_scenario_file: bool,
    /// A scenario file's profile that replaces the catalog's of its id.
    pub replaces_catalog: bool,
}

impl From<&Profile> for ProfileEntry {
    fn from(p: &Profile) -> Self {
        ProfileEntry {
            id: p.id.clone(),
            name: p.name.clone(),
            product: p.product.clone(),
            release: p.release.clone(),
            role: p.role.to_string(),
            connection: p.connection.clone(),
            versions: p.versions.iter().map(|v| v.as_str().to_string()).collect(),
            suites: p.suites.iter().map(|s| s.written.clone()).collect(),
            certificates: p
                .certificates
                .iter()
                .map(|c| c.key.as_str().to_string())
                .collect(),
            source: p.source.clone(),
            file: p.defined_in.display().to_string(),
            in_scenario_file: false,
            replaces_catalog: false,
        }
    }
}

/// A scenario as `list` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ScenarioEntry {
    /// Id.
    pub id: String,
    /// File.
    pub file: String,
    /// Client profile.
    pub client: String,
    /// Server profile.
    pub server: String,
    /// Pairings.
    pub pairings: Vec<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Everything `list` shows.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Listing {
    /// Catalog profiles.
    pub profiles: Vec<ProfileEntry>,
    /// Scenarios of the files given.
    pub scenarios: Vec<ScenarioEntry>,
}

impl Listing {
    /// Lists a catalog and scenario files: the catalog's profiles, then
    /// each file's own, then every scenario.
    pub fn new(catalog: &Catalog, files: &[ScenarioFile]) -> Listing {
        let own = files.iter().flat_map(|f| {
            f.profiles.iter().map(|p| ProfileEntry {
                in_scenario_file: true,
                replaces_catalog: f.replaces.contains(&p.id),
                ..ProfileEntry::from(p.as_ref())
            })
        });
        Listing {
            profiles: catalog
                .profiles
                .values()
                .map(|p| ProfileEntry::from(p.as_ref()))
                .chain(own)
                .collect(),
            scenarios: files
                .iter()
                .flat_map(|f| {
                    f.scenarios.iter().map(move |s| ScenarioEntry {
                        id: s.id.clone(),
                        file: f.path.display().to_string(),
                        client: s.client.id.clone(),
                        server: s.server.id.clone(),
                        pairings: s.pairings.iter().map(|p| p.id()).collect(),
                        description: s.description.clone(),
                    })
                })
                .collect(),
        }
    }

    /// Two tables: profiles, then scenarios.
    pub fn table(&self, style: Style) -> String {
        let mut profiles = table(
            &[
                "profile",
                "name",
                "role",
                "connection",
                "versions",
                "suites",
                "defined in",
            ],
            style,
        );
        for p in &self.profiles {
            let defined_in = match (p.in_scenario_file, p.replaces_catalog) {
                (false, _) => "catalog".to_string(),
                (true, false) => p.file.clone(),
                (true, true) => format!("{} (replaces the catalog's)", p.file),
            };
            profiles.add_row(vec![
                p.id.clone(),
                p.name.clone(),
                p.role.clone(),
                p.connection.clone(),
                p.versions.join(", "),
                p.suites.len().to_string(),
                defined_in,
            ]);
        }
        let mut scenarios = table(&["scenario", "file", "client", "server"], style);
        for s in &self.scenarios {
            scenarios.add_row(vec![
                s.id.clone(),
                s.file.clone(),
                s.client.clone(),
                s.server.clone(),
            ]);
        }
        format!(
            "{profiles}\n{} profiles\n\n{scenarios}\n{} scenarios\n",
            self.profiles.len(),
            self.scenarios.len()
        )
    }
}

/// `timeline`: one row per instant, scenario and pairing whose outcome turns.
pub fn timeline_table(turns: &[Turn], style: Style) -> String {
    if turns.is_empty() {
        return "no outcome changes on any date in these scenarios\n".to_string();
    }
    let mut t = table(
        &["from", "scenario", "pairing", "before", "after", "because"],
        style,
    );
    for turn in turns {
        t.add_row(vec![
            turn.at.to_string(),
            turn.scenario.clone(),
            turn.pairing.clone(),
            turn.before.clone(),
            turn.after.clone(),
            turn.because.join("; "),
        ]);
    }
    format!("{t}\n")
}

/// `matrix`: clients down, servers across.
pub fn grid_table(grid: &Grid, style: Style) -> String {
    let mut header = vec!["client \\ server"];
    header.extend(grid.servers.iter().map(String::as_str));
    let mut t = table(&header, style);
    for (i, client) in grid.clients.iter().enumerate() {
        let mut row = vec![client.clone()];
        let cells = &grid.cells[i * grid.servers.len()..(i + 1) * grid.servers.len()];
        row.extend(cells.iter().map(|c| c.summary.clone()));
        t.add_row(row);
    }
    format!("{t}\n")
}

/// `diff`: the rows whose outcome changes, then what had no partner.
pub fn diff_table(diff: &crate::diff::Diff, style: Style) -> String {
    let mut out = format!(
        "{}: {} of {} rows change\n",
        diff.compared,
        diff.rows.len(),
        diff.compared_rows
    );
    if !diff.rows.is_empty() {
        let mut t = table(
            &["client", "server", "pairing", "before", "after", "change"],
            style,
        );
        for r in &diff.rows {
            t.add_row(vec![
                r.client.clone(),
                r.server.clone(),
                r.pairing.clone(),
                r.before.clone(),
                r.after.clone(),
                r.change.as_str().to_owned(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    for (what, ids) in [("added", &diff.added), ("removed", &diff.removed)] {
        if !ids.is_empty() {
            out.push_str(&format!(
                "{what} (no partner on the other side): {}\n",
                ids.join(", ")
            ));
        }
    }
    out
}

/// `scan`: one row per client profile and backend, with the model check
/// column when the server was compared with a profile.
pub fn scan_table(rows: &[ScanRow], compared: bool, style: Style) -> String {
    let mut header = vec!["client", "backend", "outcome"];
    if compared {
        header.push("as the profile predicts");
    }
    let mut t = table(&header, style);
    for r in rows {
        let (outcome, like) = match &r.status {
            ScanStatus::Ran {
                outcome,
                fallback_from,
                unlike,
            } => {
                let retried = fallback_from.as_ref().map_or(String::new(), |first| {
                    format!(" (after fallback from: {})", first.summary())
                });
                let like = match unlike {
                    Some(d) if d.is_empty() => "yes".to_string(),
                    Some(d) => format!("NO: {}", d.join("; ")),
                    None => "-".to_string(),
                };
                (format!("{}{retried}", outcome.summary()), like)
            }
            ScanStatus::Unsupported { reason } => (format!("unsupported: {reason}"), "-".into()),
            ScanStatus::Unreachable { reason } => (format!("unreachable: {reason}"), "-".into()),
            ScanStatus::Error { reason } => (format!("harness error: {reason}"), "-".into()),
        };
        let mut row = vec![r.client.clone(), r.backend.to_string(), outcome];
        if compared {
            row.push(like);
        }
        t.add_row(row);
    }
    format!("{t}\n")
}

/// `matrix --support`: versions per release and role, found by probes.
pub fn support_table(rows: &[SupportRow], style: Style) -> String {
    let mut t = table(
        &[
            "release",
            "connection",
            "versions as server",
            "versions as client",
        ],
        style,
    );
    let text = |p: &Option<Probed>| p.as_ref().map_or("-".to_string(), Probed::text);
    for r in rows {
        t.add_row(vec![
            r.release.clone(),
            r.connection.clone(),
            text(&r.as_server),
            text(&r.as_client),
        ]);
    }
    format!("{t}\n")
}

/// `upgrade-plan`: each step, its release, the evidence and the proofs.
pub fn plan_table(plan: &UpgradePlan, style: Style) -> String {
    let mut t = table(
        &["goal", "first release", "found by probes", "against peers"],
        style,
    );
    for step in &plan.steps {
        let proofs: Vec<String> = step
            .proofs
            .iter()
            .map(|c| format!("{} → {}: {}", c.client, c.server, c.summary))
            .collect();
        t.add_row(vec![
            step.goal.clone(),
            step.release.clone().unwrap_or_else(|| "none".into()),
            step.evidence.clone(),
            if proofs.is_empty() {
                "-".into()
            } else {
                proofs.join("\n")
            },
        ]);
    }
    format!(
        "{} {} ({}):\n{t}\n",
        plan.product, plan.current, plan.connection
    )
}

/// Where each effective setting of a profile comes from.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ConfigExplanation {
    /// Profile id.
    pub profile: String,
    /// Display name.
    pub name: String,
    /// Effective versions.
    pub versions: Vec<String>,
    /// The level that set them.
    pub versions_from: String,
    /// Effective suites, as written.
    pub suites: Vec<String>,
    /// The level that set them.
    pub suites_from: String,
    /// Groups, key shares and ALPN where a level set them, with the level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handshake: Vec<SettingEntry>,
    /// Each level, most general first, with what it sets.
    pub levels: Vec<LevelEntry>,
    /// Effective suites that no backend implements: kept in the
    /// configuration, reported, never offered.
    pub unimplemented_suites: Vec<String>,
    /// The instant the effective settings stand at.
    pub at: Moment,
    /// The profile's dated changes, in date order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeEntry>,
}

/// One dated change as `explain-config` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ChangeEntry {
    /// From when.
    pub from: Moment,
    /// Whether it is in effect at the instant shown.
    pub in_effect: bool,
    /// What it sets (`versions = 1.1, 1.2`).
    pub sets: Vec<String>,
    /// What happened, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One handshake key as `explain-config` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SettingEntry {
    /// The key, as files write it (`groups`).
    pub setting: String,
    /// Its value in words.
    pub value: String,
    /// The level that set it.
    pub from: String,
}

/// One settings level as `explain-config` shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LevelEntry {
    /// Level name.
    pub level: String,
    /// Versions it sets, if any.
    pub versions: Option<Vec<String>>,
    /// Suites it sets, if any.
    pub suites: Option<Vec<String>>,
    /// The handshake keys it sets (`groups = x25519, secp256r1`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handshake: Vec<String>,
    /// Where its values come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn version_names(v: &[crate::version::ProtocolVersion]) -> Vec<String> {
    v.iter().map(|v| v.as_str().to_string()).collect()
}

fn suite_names(s: &[crate::scenario::SuiteChoice]) -> Vec<String> {
    s.iter().map(|c| c.written.clone()).collect()
}

/// `change` as `explain-config` lists it, seen from `at`.
/// The JDK a JSSE side of `base` runs at `at`, and what set it: the
/// profile, or the last change in effect that named a release.
fn jdk_entry(base: &Profile, at: Moment) -> Option<SettingEntry> {
    let jdk = base.at(at).jdk?;
    let changed = base
        .changes
        .iter()
        .rev()
        .find(|c| c.at <= at && c.jdk.is_some());
    Some(SettingEntry {
        setting: "jdk".into(),
        value: format!(
            "{} ({} settings)",
            jdk.release.version,
            jdk.security.as_str()
        ),
        from: changed.map_or_else(|| "profile".to_string(), |c| format!("change of {}", c.at)),
    })
}

fn change_entry(change: &crate::scenario::Change, at: Moment) -> ChangeEntry {
    let mut sets = Vec::new();
    if let Some(release) = change.jdk {
        sets.push(format!("jdk = {}", release.version));
    }
    if let Some(v) = &change.versions {
        sets.push(format!("versions = {}", version_names(v).join(", ")));
    }
    if let Some(s) = &change.suites {
        sets.push(format!("suites = {}", suite_names(s).join(", ")));
    }
    for key in change.handshake.keys_set() {
        if let Some(value) = change.handshake.describe(key) {
            sets.push(format!("{key} = {value}"));
        }
    }
    ChangeEntry {
        from: change.at,
        in_effect: change.at <= at,
        sets,
        note: change.note.clone(),
    }
}

impl ConfigExplanation {
    /// Explains `profile` as it stands at `at`.
    pub fn new(base: &Profile, at: Moment) -> ConfigExplanation {
        let profile = &base.at(at);
        ConfigExplanation {
            at,
            changes: base.changes.iter().map(|c| change_entry(c, at)).collect(),
            profile: profile.id.clone(),
            name: profile.name.clone(),
            versions: version_names(&profile.versions),
            versions_from: profile.versions_from.clone(),
            suites: suite_names(&profile.suites),
            suites_from: profile.suites_from.clone(),
            handshake: jdk_entry(base, at)
                .into_iter()
                .chain(profile.handshake_from.iter().filter_map(|(key, from)| {
                    Some(SettingEntry {
                        setting: key.to_string(),
                        value: profile.handshake.describe(key)?,
                        from: from.clone(),
                    })
                }))
                .collect(),
            levels: profile
                .layers
                .iter()
                .map(|l| LevelEntry {
                    level: l.name.clone(),
                    versions: l.versions.as_deref().map(version_names),
                    suites: l.suites.as_deref().map(suite_names),
                    handshake: l
                        .handshake
                        .keys_set()
                        .into_iter()
                        .filter_map(|k| Some(format!("{k} = {}", l.handshake.describe(k)?)))
                        .collect(),
                    source: l.source.clone(),
                })
                .collect(),
            unimplemented_suites: crate::endpoint::unimplementable_suites(profile),
        }
    }

    /// Two tables: the effective settings with their levels, then each level.
    pub fn table(&self, style: Style) -> String {
        let mut effective = table(&["setting", "value", "set by"], style);
        effective.add_row(vec![
            "versions".to_string(),
            self.versions.join(", "),
            self.versions_from.clone(),
        ]);
        effective.add_row(vec![
            "suites".to_string(),
            self.suites.join("\n"),
            self.suites_from.clone(),
        ]);
        for s in &self.handshake {
            effective.add_row(vec![s.setting.clone(), s.value.clone(), s.from.clone()]);
        }
        let mut out = format!("{} ({}):\n{effective}\n", self.profile, self.name);
        if !self.levels.is_empty() {
            let mut levels = table(&["level (general → specific)", "versions", "suites"], style);
            for l in &self.levels {
                let text = |v: &Option<Vec<String>>, sep: &str| {
                    v.as_ref().map_or("(not set)".to_string(), |v| v.join(sep))
                };
                let mut suites = text(&l.suites, "\n");
                for h in &l.handshake {
                    suites.push_str(&format!("\n{h}"));
                }
                levels.add_row(vec![l.level.clone(), text(&l.versions, ", "), suites]);
            }
            out.push_str(&format!("{levels}\n"));
        }
        if !self.changes.is_empty() {
            let mut changes = table(&["dated change", "sets", "note"], style);
            for c in &self.changes {
                let when = if c.in_effect { "in effect" } else { "not yet" };
                changes.add_row(vec![
                    format!("{} ({when})", c.from),
                    c.sets.join("\n"),
                    c.note.clone().unwrap_or_default(),
                ]);
            }
            out.push_str(&format!("as of {}:\n{changes}\n", self.at));
        }
        if !self.unimplemented_suites.is_empty() {
            out.push_str(&format!(
                "implemented by no backend (kept in the configuration, never offered): {}\n",
                self.unimplemented_suites.join(", ")
            ));
        }
        out
    }
}
