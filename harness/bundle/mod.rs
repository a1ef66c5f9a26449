//! Repro bundles: one scenario written as a directory a vendor can rerun
//! with nothing but the tool (`tls-harness bundle SCENARIO`).
//!
//! ```text
//! DIR/README.md              what each file is, the one command that reruns it
//! DIR/scenario.toml          the scenario, every profile and CA inlined, its instant pinned
//! DIR/versions.json          tls-harness version and commit, rustls, OpenSSL and Java versions
//! DIR/certificates/*.pem     what each side presented, the roots, each side's trust anchors
//! DIR/<pairing>/outcome.json the row `run --format json` prints for the pairing
//! DIR/<pairing>/explain.md   the model's reasoning by that pairing's rules
//! DIR/<pairing>/<pairing>.pcapng (and .fallback.pcapng) each handshake, keys inside
//! ```
//!
//! The outcomes come from running the scenario as its own files define it;
//! `scenario.toml` is written first and loaded back before anything runs,
//! so a bundle whose scenario would not load is never written.

mod archive;
mod inline;
mod readme;
mod versions;

use std::path::{Path, PathBuf};

pub use archive::write_archive;
pub use inline::{scenario_toml, used_cas};
pub use versions::Versions;

use crate::backend::Pairing;
use crate::capture::{files::file_name, write_file, CaptureError, Layout};
use crate::endpoint;
use crate::model::Stacks;
use crate::moment::Moment;
use crate::pki::{fingerprint, pem, Pki, PkiError};
use crate::report::explain::explanation;
use crate::run::{PairingRun, RunError, RunOptions, Runner, ScenarioRun};
use crate::scenario::{Catalog, InputErrors, Scenario, ScenarioFile};

/// The name of the bundle's scenario file.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// Why a bundle could not be written: every case is the harness's fault or
/// the file system's, never the scenario's (it loaded already).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A file or directory could not be written.
    #[error(transparent)]
    Write(#[from] CaptureError),
    /// The scenario could not be run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A certificate could not be made or written as PEM.
    #[error("certificates: {0}")]
    Pki(#[from] PkiError),
    /// The self-contained scenario file could not be made.
    #[error("cannot inline the scenario: {0}")]
    Inline(String),
    /// The self-contained scenario file does not load (a harness fault).
    #[error("the bundled scenario.toml does not load: {0}")]
    Reload(InputErrors),
}

/// A written bundle.
#[derive(Debug)]
pub struct Bundle {
    /// Its directory.
    pub dir: PathBuf,
    /// Every file in it, relative to `dir`, sorted.
    pub files: Vec<String>,
    /// The scenario's run, captures named relative to `dir`.
    pub run: ScenarioRun,
}

/// Writes the bundle of `scenario` (of `file`) into `dir` (made if
/// missing), run with `options` at `options.at` unless the scenario pins a
/// date; `options.capture` and `options.only` are overridden.
pub fn write_bundle(
    file: &ScenarioFile,
    scenario: &Scenario,
    dir: &Path,
    options: &RunOptions,
) -> Result<Bundle, BundleError> {
    let at = scenario.at.unwrap_or(options.at);
    let text = scenario_toml(file, scenario, at)?;
    Catalog::empty()
        .parse_scenario_file(&dir.join(SCENARIO_FILE), &text)
        .map_err(BundleError::Reload)?;
    let options = RunOptions {
        at,
        capture: true,
        only: None,
        ..options.clone()
    };
    let mut run =
        Runner::new(&file.cas, options, file.path.display().to_string())?.run(scenario)?;
    let mut files = vec![put(dir, SCENARIO_FILE, text.as_bytes())?];
    let mut layout = Layout::new(dir);
    for pairing in &mut run.pairings {
        files.extend(write_pairing(
            dir,
            &mut layout,
            file,
            scenario,
            pairing,
            at,
        )?);
    }
    let certificates = write_certificates(dir, file, scenario, at)?;
    files.extend(certificates.iter().map(|c| c.file.clone()));
    let versions = Versions::of_this_build();
    files.push(put(dir, "versions.json", json(&versions).as_bytes())?);
    let readme = readme::text(file, scenario, &run, &certificates, &versions, at);
    files.push(put(dir, "README.md", readme.as_bytes())?);
    files.sort();
    Ok(Bundle {
        dir: dir.to_path_buf(),
        files,
        run,
    })
}

/// Writes `bytes` at `dir/name`; returns `name`.
fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<String, CaptureError> {
    write_file(&dir.join(name), bytes)?;
    Ok(name.to_string())
}

/// Pretty JSON with a final newline; the bundle's data is plain (strings,
/// numbers, maps with string keys), which serde_json always serialises.
fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// One pairing's directory: its captures, `outcome.json`, `explain.md`.
fn write_pairing(
    dir: &Path,
    layout: &mut Layout,
    file: &ScenarioFile,
    scenario: &Scenario,
    pairing: &mut PairingRun,
    at: Moment,
) -> Result<Vec<String>, BundleError> {
    let sub = file_name(&pairing.pairing);
    layout.write_pairing(&dir.join(&sub), pairing)?;
    let mut files: Vec<String> = Vec::new();
    if let Some(capture) = &mut pairing.capture {
        for path in [Some(&mut capture.file), capture.fallback_from.as_mut()]
            .into_iter()
            .flatten()
        {
            *path = relative(dir, path);
            files.push(path.clone());
        }
    }
    files.push(put(
        dir,
        &format!("{sub}/outcome.json"),
        json(pairing).as_bytes(),
    )?);
    let rules = Pairing::parse(&pairing.pairing).map_or(Stacks::REFERENCE, Stacks::from);
    let explained = explanation(file, scenario, Some(rules), at).markdown();
    files.push(put(
        dir,
        &format!("{sub}/explain.md"),
        explained.as_bytes(),
    )?);
    Ok(files)
}

/// `path` relative to `dir`, with `/` between components.
fn relative(dir: &Path, path: &str) -> String {
    let p = Path::new(path);
    let rel = p.strip_prefix(dir).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One PEM file of the bundle and what it holds.
#[derive(Clone, Debug)]
pub struct CertificateFile {
    /// Relative to the bundle's directory.
    pub file: String,
    /// What it is, in words.
    pub what: String,
    /// The SHA-256 fingerprint of its first certificate, as outcomes name it.
    pub fingerprint: String,
}

/// Writes, under `certificates/`, each side's presented certificates (leaf
/// first, then the chain it sends), the roots the server's chain to, and
/// each side's trust anchors.
fn write_certificates(
    dir: &Path,
    file: &ScenarioFile,
    scenario: &Scenario,
    at: Moment,
) -> Result<Vec<CertificateFile>, BundleError> {
    let mut pki = Pki::new();
    for ca in &file.cas {
        pki.add_ca(ca.clone())?;
    }
    let mut out = Vec::new();
    for (side, profile) in [("server", &scenario.server), ("client", &scenario.client)] {
        let profile = profile.at(at);
        let issued = endpoint::issue(&profile, &pki)?;
        for (i, id) in issued.identities.iter().enumerate() {
            let ders: Vec<&[u8]> = std::iter::once(id.leaf_der.as_slice())
                .chain(id.chain_der.iter().map(Vec::as_slice))
                .collect();
            let name = format!("certificates/{side}-{}-{}.pem", i + 1, id.key_type);
            let what = format!(
                "the {side}'s {} certificate as it presents it: leaf, then the CAs it sends",
                id.key_type
            );
            out.push(write_pem(dir, name, what, &ders)?);
        }
        let mut sets = vec![("trusts", format!("the CAs the {side} trusts"), issued.trust)];
        if side == "server" {
            let roots = dedup(endpoint::roots(&profile, &pki)?);
            sets.push((
                "roots",
                "the roots the server's certificates chain to".into(),
                roots,
            ));
        }
        for (kind, what, ders) in sets.into_iter().filter(|s| !s.2.is_empty()) {
            let ders: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
            out.push(write_pem(
                dir,
                format!("certificates/{side}-{kind}.pem"),
                what,
                &ders,
            )?);
        }
    }
    Ok(out)
}

fn dedup(mut ders: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut seen = Vec::new();
    ders.retain(|d| {
        let new = !seen.contains(d);
        if new {
            seen.push(d.clone());
        }
        new
    });
    ders
}

fn write_pem(
    dir: &Path,
    file: String,
    what: String,
    ders: &[&[u8]],
) -> Result<CertificateFile, BundleError> {
    let text = ders.iter().map(|d| pem(d)).collect::<Result<String, _>>()?;
    put(dir, &file, text.as_bytes())?;
    Ok(CertificateFile {
        fingerprint: ders.first().map(|d| fingerprint(d)).unwrap_or_default(),
        file,
        what,
    })
}
