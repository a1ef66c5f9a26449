//! `import-hello`: the command line of [`crate::import`].

use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use super::common::{check_id, load_catalog, write_or_print, Format};
use super::error::CliError;
use crate::exit_codes;
use crate::import::{import, import_capture, profile_toml, Identity, InputFormat, Naming};
use crate::scenario::Catalog;

/// Options of `import-hello`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// A capture (pcap, pcapng), hex text (a TLS record or a bare handshake
    /// message, or the output of `openssl s_client -msg`) or raw bytes;
    /// `-` reads standard input.
    input: PathBuf,
    /// How to read INPUT [default: told by its first bytes]
    #[arg(long, value_parser = parse_input_format)]
    input_format: Option<InputFormat>,
    /// Profile id.
    #[arg(long, default_value = "imported-client")]
    id: String,
    /// Display name [default: "Imported client"].
    #[arg(long)]
    name: Option<String>,
    /// Product id.
    #[arg(long, default_value = "imported")]
    product: String,
    /// Release, in the vendor's notation.
    #[arg(long, default_value = "captured")]
    release: String,
    /// Connection kind (https, jdbc, ...).
    #[arg(long, default_value = "https")]
    connection: String,
    /// A CA id the client trusts (what it trusts is not on the wire);
    /// repeatable [default: harness-root].
    #[arg(long = "trust", value_name = "CA")]
    trust: Vec<String>,
    /// Catalog directory, for the CAs of --trust [default:
    /// ./scenarios/catalog, else the one built into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
    /// Write the profile to FILE, not to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::parse(s).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "unknown input format `{s}`; formats are {}",
            names.join(", ")
        )
    })
}

/// Runs `import-hello`: the profile on stdout (or in --output), or the
/// input's problem on stderr with the bad-input status.
pub(super) fn import_command(args: ImportArgs) -> Result<i32, CliError> {
    let stdin = args.input.as_os_str() == "-";
    let origin = if stdin {
        "standard input".to_string()
    } else {
        args.input.display().to_string()
    };
    let read = if stdin {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(&args.input)
    };
    let bytes = read.map_err(|e| CliError::bad_input(format!("{origin}: cannot read: {e}")))?;
    let who = Identity {
        id: args.id,
        name: args.name.unwrap_or_else(|| Identity::default().name),
        product: args.product,
        release: args.release,
        connection: args.connection,
        trust: args.trust,
    };
    // Only --trust names the catalog's CAs; harness-root is built in.
    let catalog = if who.trust.is_empty() && args.catalog.is_none() {
        Catalog::empty()
    } else {
        load_catalog(args.catalog.as_ref())
            .map_err(|e| CliError::input(e, Format::Table))?
            .0
    };
    let imported = import(&bytes, args.input_format, &origin)?;
    let text = profile_toml(&imported, &who, &catalog)?;
    let what = format!("profile `{}`", who.id);
    write_or_print(args.output.as_deref(), &text, &what)?;
    Ok(exit_codes::OK)
}

/// Options of `import-capture`.
#[derive(Debug, Args)]
pub(super) struct ImportCaptureArgs {
    /// A pcap or pcapng capture holding one or more TLS connections.
    input: PathBuf,
    /// An NSS key log (SSLKEYLOGFILE) with the connection's secrets, for
    /// what TLS 1.3 encrypts; a pcapng's Decryption Secrets Block is read
    /// without it.
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
    /// Which TLS connection of the capture, from 1, in the order their
    /// clients first spoke [default: 1].
    #[arg(long, value_name = "N")]
    stream: Option<usize>,
    /// Scenario id; the profiles are ID-client and ID-server.
    #[arg(long, default_value = "captured")]
    id: String,
    /// Product id of both profiles.
    #[arg(long, default_value = "captured")]
    product: String,
    /// Connection kind (https, jdbc, ...).
    #[arg(long, default_value = "https")]
    connection: String,
    /// Write the scenario file to FILE, not to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `import-capture`: the scenario file on stdout (or in --output),
/// or the input's problem on stderr with the bad-input status.
pub(super) fn import_capture_command(args: ImportCaptureArgs) -> Result<i32, CliError> {
    check_id(&args.id)?;
    let origin = args.input.display().to_string();
    let read = |path: &PathBuf| {
        std::fs::read(path)
            .map_err(|e| CliError::bad_input(format!("{}: cannot read: {e}", path.display())))
    };
    let bytes = read(&args.input)?;
    let key_log = match &args.keylog {
        Some(path) => String::from_utf8_lossy(&read(path)?).into_owned(),
        None => String::new(),
    };
    let naming = Naming {
        id: args.id,
        product: args.product,
        connection: args.connection,
    };
    let found = import_capture(
        &bytes,
        &origin,
        &key_log,
        args.stream,
        &naming,
        &Catalog::empty(),
    )?;
    let keys = match found.keys {
        true => "with its secrets",
        false => "no secrets for it",
    };
    let what = format!("scenario `{}`", naming.id);
    write_or_print(args.output.as_deref(), &found.text, &what)?;
    eprintln!("read {} ({keys})", found.connection);
    Ok(exit_codes::OK)
}
