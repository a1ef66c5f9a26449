//! The command line: `tls-harness run`, `list`, `timeline`, `matrix`,
//! `upgrade-plan`, `explain-config`, `simulate`, `explain`, `bundle`, and
//! `serve`, `probe` and `scan` (in `net`).

mod bundle;
mod catalog;
mod common;
mod error;
mod explain;
mod import;
mod infer;
mod net;
mod scenarios;
mod shrink;

use clap::{Parser, Subcommand};

use crate::exit_codes;

/// Runs real rustls, OpenSSL and JSSE handshakes between product releases
/// described in scenario files.
#[derive(Debug, Parser)]
#[command(name = "tls-harness", version, after_help = exit_status_help())]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn exit_status_help() -> String {
    let mut s = String::from("Exit status:\n");
    for (code, meaning) in exit_codes::ALL {
        s.push_str(&format!("  {code}  {meaning}\n"));
    }
    s
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios over every backend pairing and check their expectations.
    Run(scenarios::RunArgs),
    /// List the catalog's profiles and the scenarios of the given files.
    List(scenarios::ListArgs),
    /// List the dates at which scenario outcomes change, and what changes.
    Timeline(scenarios::TimelineArgs),
    /// Run every client profile against every server profile of a
    /// selection and print the grid; with --support, the per-release
    /// version table of one product, found by probing handshakes.
    Matrix(catalog::MatrixArgs),
    /// Find the releases that add TLS 1.1/1.2 as a client and that remove
    /// TLS 1.0, and prove each by handshakes against the given peers.
    UpgradePlan(catalog::UpgradePlanArgs),
    /// Run the catalog's peers against two releases of a product (or the
    /// whole catalog at two dates) and print the rows whose real outcome
    /// changes: what an upgrade breaks, mends or changes. Exit status 1
    /// when a row that connected stops connecting.
    Diff(catalog::DiffArgs),
    /// Show a profile's effective versions and suites and the settings
    /// level each came from.
    ExplainConfig(catalog::ExplainConfigArgs),
    /// Run scenarios on the negotiation model alone, without handshakes: a
    /// row for each pairing the backends could implement (with their
    /// quirks) and a `reference` row by the RFCs, for endpoints no backend
    /// can run.
    Simulate(scenarios::SimulateArgs),
    /// Print the negotiation model's reasoning for one scenario, step by
    /// step: what each side offered, what the server chose and why, where
    /// it failed.
    Explain(explain::ExplainArgs),
    /// Write one scenario as a repro bundle a vendor reruns with nothing
    /// but the tool: a self-contained scenario.toml, each pairing's
    /// outcome, explanation and pcapng captures with keys, the
    /// certificates as PEM, the versions, and a README.
    Bundle(bundle::BundleArgs),
    /// Serve a server profile on a TCP socket (127.0.0.1 unless told
    /// otherwise): prints `listening on ADDR`, then one JSON line per
    /// connection with what its ClientHello offered and the outcome.
    Serve(net::ServeArgs),
    /// Run a client profile against a real server at HOST:PORT and print
    /// the normalised outcome and the chain the server sent.
    Probe(net::ProbeArgs),
    /// Run every client profile (or --clients) against one real server at
    /// HOST:PORT on every backend that can: who connects with which version
    /// and suite, who fails with which alert; with --like, whether the
    /// server behaves as that server profile predicts.
    Scan(net::ScanArgs),
    /// Read a ClientHello from a capture (pcap, pcapng), hex text (as
    /// `openssl s_client -msg` prints it) or raw bytes, and write it as a
    /// client profile: versions, suites, groups, key shares, signature
    /// schemes and ALPN in the client's order, and as comments the server
    /// name and GREASE values.
    ImportHello(import::ImportArgs),
    /// Read one TLS connection of a capture (pcap, pcapng; TLS 1.3's
    /// encrypted flight with --keylog or the file's own secrets) and write
    /// a scenario file that reproduces it: the client as import-hello
    /// makes it, a server profile from what the server sent (version,
    /// suite, group, scheme, certificate chain, client authentication,
    /// ALPN), and an expect that is what the capture shows. Comments mark
    /// every value as observed or assumed.
    ImportCapture(import::ImportCaptureArgs),
    /// Read a live server at HOST:PORT into a server profile, with hellos
    /// the harness builds itself: the versions it accepts, its suites per
    /// version in its order (and whether it honours its order), its groups,
    /// the schemes it signs with, its certificates and to whom it presents
    /// each, ALPN, whether it asks for a client certificate (and, at TLS 1.3,
    /// whether it demands one). Polite: a
    /// bounded number of connections, a few at a time, each with a deadline.
    Infer(infer::InferArgs),
    /// Reduce a scenario whose outcome is not as expected, differs between
    /// pairings or from the model, by real handshakes, to the smallest
    /// scenario with the same verdict on every pairing (removing versions,
    /// suites, groups, schemes, certificates, layers and the rest), and
    /// write it as a self-contained file that reruns anywhere.
    Shrink(shrink::ShrinkArgs),
}

/// Parses the command line, runs it, and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit_codes::USAGE
            } else {
                exit_codes::OK
            };
        }
    };
    let result = match cli.command {
        Command::Run(args) => scenarios::run(args),
        Command::List(args) => scenarios::list(args),
        Command::Timeline(args) => scenarios::timeline(args),
        Command::Matrix(args) => catalog::matrix(args),
        Command::UpgradePlan(args) => catalog::upgrade_plan(args),
        Command::ExplainConfig(args) => catalog::explain_config(args),
        Command::Diff(args) => catalog::diff(args),
        Command::Simulate(args) => scenarios::simulate(args),
        Command::Explain(args) => explain::explain(args),
        Command::Bundle(args) => bundle::bundle(args),
        Command::Serve(args) => net::serve_command(args),
        Command::Probe(args) => net::probe_command(args),
        Command::Scan(args) => net::scan_command(args),
        Command::ImportHello(args) => import::import_command(args),
        Command::ImportCapture(args) => import::import_capture_command(args),
        Command::Infer(args) => infer::infer_command(args),
        Command::Shrink(args) => shrink::shrink_command(args),
    };
    error::exit_status(result)
}
