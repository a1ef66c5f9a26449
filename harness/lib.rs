//! tls-harness: runs real rustls and OpenSSL handshakes between product
//! releases described in scenario files, normalises what happened and
//! checks it against what the scenario expects.
//!
//! The pieces, in the order a run uses them: [`scenario`] reads and
//! validates files; [`pki`] issues their certificates; [`endpoint`] drives
//! the two backends over the in-memory [`wire`]; [`run`] normalises both
//! sides into an [`outcome::Outcome`] using [`taxonomy`] and checks it
//! against the pure negotiation [`model`]; [`report`] prints it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod cli;
pub mod endpoint;
pub mod exit_codes;
pub mod handshake;
pub mod matrix;
pub mod model;
pub mod moment;
pub mod outcome;
pub mod pki;
pub mod progress;
pub mod report;
pub mod run;
pub mod scenario;
pub mod suite;
pub mod taxonomy;
pub mod timeline;
pub mod version;
pub mod wire;
