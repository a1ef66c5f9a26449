//! Scenario files: endpoint profiles, CAs and scenarios, read from TOML and
//! resolved into types that cannot hold an invalid configuration.
//!
//! A *catalog* is every `*.toml` below a directory (by default
//! `scenarios/catalog/`); it holds `[ca.ID]` and `[profile.ID]` tables that
//! any scenario file, anywhere on disk, can use by id. A *scenario file*
//! holds `[[scenario]]` entries and may add CAs and profiles of its own.
//!
//! Data flows one way through the module: `raw` is the file as serde reads
//! it, `resolve` checks it into the types of `profile`, `layers`, `expect`
//! and `scenarios`, and `catalog` reads the files and runs the resolution.
//! Every public item is re-exported here.

// Input errors carry their file's text for miette; they are made once per
// bad file, so their size does not matter.
#![allow(clippy::result_large_err)]

mod catalog;
pub mod error;
mod expect;
mod layers;
mod profile;
mod raw;
mod resolve;
mod scenarios;
pub mod shipped;
mod written;

pub use catalog::{toml_files, Catalog};
pub use error::{InputError, InputErrors};
pub use expect::{Expectation, Expected, ExpectedResult};
pub use layers::{BROADWORKS_DEFAULT_SUITES, DEFAULT_SUITES_LEVEL, PROFILE_LEVEL};
pub use profile::{
    AlpnMismatch, CertException, CertificateDef, Change, ClientAuth, EcdsaPresentation, Fallback,
    Handshake, Layer, Profile, Role, SuiteChoice, BUILTIN_ROOT,
};
pub use scenarios::{check_unique_ids, Scenario, ScenarioFile};
pub use written::Written;
