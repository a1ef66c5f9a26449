//! Scenarios (a client profile paired with a server profile) and the
//! loaded file that holds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::InputError;
use super::expect::Expectation;
use super::profile::Profile;
use super::written::Written;
use crate::backend::Pairing;
use crate::moment::Moment;
use crate::pki::CaSpec;

/// A client profile paired with a server profile.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Unique within its file (and, checked by [`check_unique_ids`], within
    /// the files of one run).
    pub id: String,
    /// The line of its `id` in its file (0 for scenarios made by a command
    /// rather than read from a file).
    pub line: usize,
    /// What it shows.
    pub description: Option<String>,
    /// Where the expected behaviour is documented.
    pub source: Option<String>,
    /// The client.
    pub client: Arc<Profile>,
    /// The server.
    pub server: Arc<Profile>,
    /// The pairings to run, in order.
    pub pairings: Vec<Pairing>,
    /// The name the client asks for and verifies.
    pub server_name: String,
    /// What should happen, if stated.
    pub expect: Option<Expectation>,
    /// The date to run at, if the scenario pins one.
    pub at: Option<Moment>,
}

/// A loaded scenario file: its scenarios and every CA they may use.
#[derive(Clone, Debug)]
pub struct ScenarioFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its scenarios in file order.
    pub scenarios: Vec<Scenario>,
    /// Every CA known to it (built-in root, catalog, file), parents first.
    pub cas: Vec<CaSpec>,
    /// The profiles the file defines itself, by id.
    pub profiles: Vec<Arc<Profile>>,
    /// The catalog profiles the file replaces with its own of the same id.
    pub replaces: Vec<String>,
    /// Every profile, CA and scenario table known to it (catalog and file,
    /// the file's replacing the catalog's) as written, for repro bundles.
    pub written: Written,
}

/// Every scenario id that more than one of `files` uses, as an error at its
/// second place naming the first: `explain`, JUnit reports and snapshots
/// name scenarios by id, so within one run an id must say which scenario.
pub fn check_unique_ids(files: &[ScenarioFile]) -> Vec<InputError> {
    let mut first: BTreeMap<&str, (&Path, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    for file in files {
        for s in &file.scenarios {
            match first.get(s.id.as_str()) {
                Some((path, line)) if *path != file.path.as_path() => {
                    let mut e = InputError::file(
                        &file.path,
                        format!(
                            "scenario id `{}` is also used at {}:{line}",
                            s.id,
                            path.display()
                        ),
                    )
                    .with_key("scenario.id")
                    .with_help("scenario ids are unique across the files of one run; rename one");
                    e.line = s.line;
                    errors.push(e);
                }
                Some(_) => {}
                None => {
                    first.insert(&s.id, (&file.path, s.line));
                }
            }
        }
    }
    errors
}
