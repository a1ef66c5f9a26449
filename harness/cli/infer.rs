//! `infer`: the command line of [`crate::infer`].

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::common::{check_id, write_or_print};
use super::error::CliError;
use crate::exit_codes;
use crate::infer::{infer, profile_toml, InferError, InferOptions, ProfileNaming};

/// Options of `infer`.
#[derive(Debug, Args)]
pub(super) struct InferArgs {
    /// The server, as HOST:PORT.
    target: String,
    /// Profile id.
    #[arg(long, default_value = "inferred-server")]
    id: String,
    /// Product id.
    #[arg(long, default_value = "inferred")]
    product: String,
    /// Connection kind (https, jdbc, ...).
    #[arg(long, default_value = "https")]
    connection: String,
    /// The name to ask for (server_name) [default: HOST, unless it is an
    /// address].
    #[arg(long)]
    server_name: Option<String>,
    /// The most connections to make.
    #[arg(long, default_value_t = 400)]
    max_connections: usize,
    /// The most connections open at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Deadline for connecting and for each answer, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    deadline_ms: u64,
    /// Write the profile to FILE, not to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `infer`: the profile on stdout (or in --output); nothing
/// answering is the unreachable status.
pub(super) fn infer_command(args: InferArgs) -> Result<i32, CliError> {
    check_id(&args.id)?;
    if args
        .server_name
        .as_ref()
        .is_some_and(|n| n.len() > crate::infer::MAX_DNS_NAME)
    {
        return Err(CliError::usage(
            format!(
                "--server-name: a DNS name is at most {} bytes",
                crate::infer::MAX_DNS_NAME
            ),
            None,
            super::common::Format::Table,
        ));
    }
    let host = args.target.rsplit_once(':').map_or("", |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let options = InferOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        max_connections: args.max_connections,
        concurrency: args.concurrency,
        server_name: args.server_name.clone().or_else(|| Some(host.to_string())),
    };
    let inferred = infer(&args.target, &options).map_err(|e| match e.clone() {
        InferError::Unreachable { target, why } => CliError::Unreachable { target, why },
        InferError::NothingAccepted { target, .. } => CliError::Unreachable {
            why: e.to_string().replacen(&format!("{target} "), "", 1),
            target,
        },
    })?;
    let naming = ProfileNaming {
        id: args.id,
        product: args.product,
        connection: args.connection,
    };
    let text = profile_toml(&inferred, &naming).map_err(CliError::harness)?;
    let what = format!("profile `{}`", naming.id);
    write_or_print(args.output.as_deref(), &text, &what)?;
    eprintln!(
        "{} connections to {}",
        inferred.connections, inferred.target
    );
    Ok(exit_codes::OK)
}
