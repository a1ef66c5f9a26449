//! tls-harness: runs real rustls, OpenSSL and JSSE handshakes between product
//! releases described in scenario files, normalises what happened and
//! checks it against what the scenario expects.
//!
//! The pieces, in the order a run uses them: [`scenario`] reads and
//! validates files; [`pki`] issues their certificates; [`endpoint`] builds
//! each backend's configuration once ([`endpoint::Prepared`]); the
//! [`handshake`] core drives two prepared endpoints over a transport (the
//! in-memory [`wire`]) under a deadline and normalises both sides into an
//! [`outcome::Outcome`], using [`taxonomy`]; [`run`] does that for every
//! pairing of every scenario, in parallel, and checks each outcome against
//! the scenario's expectation and the pure negotiation [`model`];
//! [`matrix`] and [`timeline`] derive tables from such runs; [`report`]
//! prints them; [`capture`] writes the handshakes as pcapng files with the
//! secrets [`keylog`] collected from rustls and OpenSSL; [`import`] turns a
//! captured ClientHello into a profile file; [`bundle`] writes one
//! scenario, its outcomes, explanations, captures and certificates as a
//! directory that reruns anywhere. Data flows that way only: no two
//! modules use each other.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod bundle;
pub mod capture;
pub mod cli;
pub mod diff;
pub mod endpoint;
pub mod exit_codes;
pub mod flight;
pub mod group;
pub mod handshake;
pub mod hello;
pub mod import;
pub mod infer;
pub mod jdk;
pub mod keylog;
pub mod keysize;
pub mod matrix;
pub mod model;
pub mod moment;
pub mod net;
pub mod outcome;
pub mod pki;
pub mod progress;
pub mod record;
pub mod report;
pub mod run;
pub mod scenario;
pub mod scheme;
pub mod shrink;
pub mod suite;
pub mod taxonomy;
pub mod timeline;
pub mod tls13;
pub mod version;
pub mod wire;
