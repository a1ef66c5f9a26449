//! The catalog of profiles and CAs, and the reading of catalog and scenario
//! files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{InputError, InputErrors};
use super::profile::{Profile, BUILTIN_ROOT};
use super::resolve::{parse_source, read_file, Ids, Resolver, Source};
use super::scenarios::ScenarioFile;
use super::shipped;
use super::written::Written;
use crate::pki::{CaSpec, KeyType};

/// Profiles and CAs that scenario files use by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Profiles by id.
    pub profiles: BTreeMap<String, Arc<Profile>>,
    /// CAs, parents first, the built-in root included.
    pub cas: Vec<CaSpec>,
    /// The files it was read from.
    pub files: Vec<PathBuf>,
    /// Its profile and CA tables as written, for repro bundles.
    pub written: Written,
}

/// Every `*.toml` below `dir`, sorted, for stable order.
pub fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn builtin_root() -> CaSpec {
    CaSpec {
        id: BUILTIN_ROOT.to_string(),
        subject: "tls-harness Test Root".to_string(),
        key: KeyType::Rsa2048,
        issuer: None,
        signature_hash: None,
    }
}

impl Catalog {
    /// A catalog with nothing but the built-in root CA.
    pub fn empty() -> Catalog {
        Catalog {
            cas: vec![builtin_root()],
            ..Catalog::default()
        }
    }

    /// Reads every `*.toml` below `dir`. Catalog files hold CAs and profiles
    /// only.
    pub fn load(dir: &Path) -> Result<Catalog, InputErrors> {
        let files = toml_files(dir)
            .map_err(|e| InputError::file(dir, format!("cannot read catalog directory: {e}")))?;
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for f in &files {
            match read_file(f) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Catalog::resolve(files, sources)
    }

    /// The catalog shipped with the source, built into the binary.
    pub fn built_in() -> Result<Catalog, InputErrors> {
        let mut files = Vec::new();
        let mut sources = Vec::new();
        for (path, text) in shipped::catalog() {
            files.push(PathBuf::from(path));
            sources.push(parse_source(Path::new(path), text.to_string())?);
        }
        Catalog::resolve(files, sources)
    }

    fn resolve(files: Vec<PathBuf>, sources: Vec<Source>) -> Result<Catalog, InputErrors> {
        let mut catalog = Catalog::empty();
        catalog.files = files;
        let mut r = Resolver::default();
        catalog.cas = r.cas(&sources, catalog.cas.clone());
        for s in &sources {
            catalog.written.extend(Written::of(&s.text));
            if let Some(flag) = &s.raw.self_contained {
                r.push(
                    InputError::at(&s.path, &s.text, Some(flag.span()), "catalog files are not self-contained")
                        .with_key("self-contained")
                        .with_help("`self-contained` belongs to a scenario file that defines everything it uses (a repro bundle's scenario.toml)"),
                );
            }
            if let Some(first) = s.raw.scenario.first() {
                r.push(
                    InputError::at(
                        &s.path,
                        &s.text,
                        Some(first.id.span()),
                        "catalog files hold no scenarios",
                    )
                    .with_key("scenario")
                    .with_help("move the scenario to a file outside the catalog directory"),
                );
            }
            r.profiles(s, &catalog.cas, &mut catalog.profiles, Ids::Unique);
        }
        r.finish()?;
        Ok(catalog)
    }

    /// Loads one scenario file, resolving ids against this catalog.
    pub fn load_scenario_file(&self, path: &Path) -> Result<ScenarioFile, InputErrors> {
        self.resolve_scenario_file(read_file(path)?)
    }

    /// Reads a scenario file from text; `name` is what errors call it.
    pub fn parse_scenario_file(
        &self,
        name: &Path,
        text: &str,
    ) -> Result<ScenarioFile, InputErrors> {
        self.resolve_scenario_file(parse_source(name, text.to_string())?)
    }

    /// Whether text the harness wrote itself (an imported profile, an
    /// inferred server, a scenario made from a capture) loads as a
    /// scenario file named `name`; else the loader's problems, one line
    /// each, joined: a fault of whatever wrote the text.
    pub fn check_written(&self, name: &str, text: &str) -> Result<(), String> {
        self.parse_scenario_file(Path::new(name), text)
            .map(|_| ())
            .map_err(|e| {
                let problems: Vec<String> = e.errors.iter().map(|e| e.one_line()).collect();
                problems.join("; ")
            })
    }

    /// Resolves a scenario file against this catalog or, when the file
    /// says `self-contained = true`, against nothing but the built-in root
    /// CA, so that its outcome cannot depend on whichever catalog is found.
    fn resolve_scenario_file(&self, source: Source) -> Result<ScenarioFile, InputErrors> {
        if source
            .raw
            .self_contained
            .as_ref()
            .is_some_and(|f| *f.get_ref())
        {
            return Catalog::empty().resolve_against(source);
        }
        self.resolve_against(source)
    }

    fn resolve_against(&self, source: Source) -> Result<ScenarioFile, InputErrors> {
        let path = source.path.clone();
        let mut r = Resolver::default();
        let cas = r.cas(std::slice::from_ref(&source), self.cas.clone());
        let mut profiles = self.profiles.clone();
        let replaces = r.profiles(&source, &cas, &mut profiles, Ids::MayReplace);
        let scenarios = r.scenarios(&source, &profiles);
        r.finish()?;
        let own = source
            .raw
            .profile
            .keys()
            .filter_map(|id| profiles.get(id.get_ref()).cloned())
            .collect();
        let mut written = self.written.clone();
        written.extend(Written::of(&source.text));
        Ok(ScenarioFile {
            path,
            scenarios,
            cas,
            profiles: own,
            replaces,
            written,
        })
    }
}
