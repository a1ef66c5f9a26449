//! Scenarios (a client profile paired with a server profile) and the
//! loaded file that holds them.

use std::path::PathBuf;
use std::sync::Arc;

use super::expect::Expectation;
use super::profile::Profile;
use crate::backend::Pairing;
use crate::moment::Moment;
use crate::pki::CaSpec;

/// A client profile paired with a server profile.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Unique within its file.
    pub id: String,
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
}
