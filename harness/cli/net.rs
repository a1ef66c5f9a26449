//! `serve` and `probe`: the command line of [`crate::net`].

use std::io::Write;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::common::{load_catalog, print_json, select, Format};
use super::error::CliError;
use crate::backend::Backend;
use crate::exit_codes;
use crate::moment::Moment;
use crate::net::serve::prepare;
use crate::net::{
    probe, scan, serve_until, stop_signal, Connection, Like, ProbeError, ProbeOptions, ScanRow,
    ScanStatus, ServeOptions,
};
use crate::outcome::Outcome;
use crate::pki::{Issuer, KeyType, LeafSpec, Pki, Purpose, Validity};
use crate::report::scan_table;
use crate::scenario::error::suggestion;
use crate::scenario::{Catalog, ClientAuth, InputError, InputErrors, Profile, Role};

/// Options of `serve`.
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Server profile id (`tls-harness list` shows them).
    profile: String,
    /// Address to listen on; a port of 0 picks a free one. Only loopback
    /// unless you name another address.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Take a dated profile as it stood at this date, and verify client
    /// certificates at this instant [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Backend to serve with (`rustls`, `openssl`, `jsse`) [default: the
    /// first that can implement the profile].
    #[arg(long, value_parser = parse_backend)]
    backend: Option<Backend>,
    /// Write the CA certificates a client must trust here (PEM).
    #[arg(long, value_name = "FILE")]
    ca_out: Option<PathBuf>,
    /// For a profile that asks for client certificates: write a client
    /// certificate it accepts (client.pem) and its key (client.key) here.
    #[arg(long, value_name = "DIR")]
    client_cert_out: Option<PathBuf>,
    /// Write each connection as a pcapng file with its keys inside, in DIR
    /// (`NNNNNN-PEERADDRESS_PORT.pcapng`, numbered from 1).
    #[arg(long, value_name = "DIR")]
    pcap: Option<PathBuf>,
    /// Write the connection log (one JSON line each) here, not to stdout.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Stop after this many connections.
    #[arg(long)]
    max_connections: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    duration: Option<Duration>,
    /// Connections served at once (1 to 65536).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    concurrency: u32,
    /// Deadline for each connection's handshake and exchange, in
    /// milliseconds; a client that has not finished by then is closed.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
}

/// How a client profile meets a real server: `probe` and `scan`.
#[derive(Debug, Args)]
pub(super) struct Client {
    /// The name to ask for (SNI) and verify [default: HOST; for scan
    /// --like, that profile's host].
    #[arg(long)]
    server_name: Option<String>,
    /// Also trust the CA certificates in this PEM file; repeatable.
    #[arg(long = "trust", value_name = "FILE.pem")]
    trust: Vec<PathBuf>,
    /// Take dated profiles as they stood at this date, and verify the
    /// server's certificates at this instant: a certificate issued after
    /// it is `certificate-not-yet-valid` [default: now].
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Deadline for connecting and for each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    catalog: Option<PathBuf>,
}

impl Client {
    /// The probe options these give, with the `--trust` files read.
    fn options(
        &self,
        backend: Option<Backend>,
        host: Option<&str>,
    ) -> Result<ProbeOptions, CliError> {
        Ok(ProbeOptions {
            server_name: self.server_name.clone().or(host.map(str::to_owned)),
            trust: read_trust(&self.trust, self.format)?,
            at: self.at.unwrap_or_else(Moment::now),
            backend,
            deadline: Duration::from_millis(self.deadline_ms),
            pcap: None,
        })
    }
}

/// Options of `probe`.
#[derive(Debug, Args)]
pub(super) struct ProbeArgs {
    /// Client profile id (`tls-harness list` shows them).
    profile: String,
    /// The server, as HOST:PORT.
    target: String,
    /// Backend to run the client on [default: the first that can].
    #[arg(long, value_parser = parse_backend)]
    backend: Option<Backend>,
    /// Write each attempt as a pcapng file with its keys inside, in DIR
    /// (`PROFILE.pcapng`, and `PROFILE.fallback.pcapng` for a retry).
    #[arg(long, value_name = "DIR")]
    pcap: Option<PathBuf>,
    #[command(flatten)]
    client: Client,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub(super) struct ScanArgs {
    /// The server, as HOST:PORT.
    target: String,
    /// Client profiles to run: ids, `*` as wildcard; repeatable [default:
    /// every client profile of the catalog].
    #[arg(long = "clients", value_name = "GLOB")]
    clients: Vec<String>,
    /// Also say, per client, whether the server behaved as the negotiation
    /// model predicts for this server profile (result, version and suite;
    /// the real server's stack is taken to follow the RFCs).
    #[arg(long, value_name = "SERVER-PROFILE")]
    like: Option<String>,
    #[command(flatten)]
    client: Client,
}

pub(super) fn scan_command(args: ScanArgs) -> Result<i32, CliError> {
    let format = args.client.format;
    let (catalog, _) =
        load_catalog(args.client.catalog.as_ref()).map_err(|e| CliError::input(e, format))?;
    let clients = select(&catalog, Role::Client, &args.clients, None);
    if clients.is_empty() {
        return Err(CliError::usage(
            "--clients matches no client profile",
            Some("`tls-harness list` shows the profile ids; --clients takes ids with `*`".into()),
            format,
        ));
    }
    let like = args
        .like
        .as_deref()
        .map(|id| find_profile(&catalog, id, Role::Server, format))
        .transpose()?;
    let host = like.as_ref().map(|p| p.host.as_str());
    let options = args.client.options(None, host)?;
    let pki = catalog_pki(&catalog)?;
    let compare = like.as_ref().map(|profile| Like {
        profile,
        cas: &catalog.cas,
    });
    let rows = scan(&clients, &pki, &args.target, &options, compare);
    match format {
        Format::Json => print_json(&rows),
        f => print!("{}", scan_table(&rows, like.is_some(), f.style())),
    }
    Ok(scan_status(&rows))
}

/// 4 when the harness failed on a row, 6 when nothing answered any row, 1
/// when a row that ran behaved unlike the profile it was compared with,
/// else 0.
fn scan_status(rows: &[ScanRow]) -> i32 {
    if rows
        .iter()
        .any(|r| matches!(r.status, ScanStatus::Error { .. }))
    {
        return exit_codes::HARNESS_ERROR;
    }
    let ran = |r: &&ScanRow| {
        !matches!(
            r.status,
            ScanStatus::Unreachable { .. } | ScanStatus::Unsupported { .. }
        )
    };
    if !rows.is_empty()
        && rows.iter().filter(ran).count() == 0
        && rows
            .iter()
            .any(|r| matches!(r.status, ScanStatus::Unreachable { .. }))
    {
        return exit_codes::UNREACHABLE;
    }
    let unlike = rows
        .iter()
        .any(|r| matches!(&r.status, ScanStatus::Ran { unlike: Some(d), .. } if !d.is_empty()));
    if unlike {
        exit_codes::EXPECTATION_FAILED
    } else {
        exit_codes::OK
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    let seconds: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{s}` is not a duration"))
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    Backend::EVERY
        .into_iter()
        .find(|b| b.as_str() == s)
        .ok_or_else(|| format!("unknown backend `{s}`; backends are rustls, openssl, jsse"))
}

/// The catalog, its PKI and the profile `id` in `role`.
fn load_profile(
    catalog: Option<&PathBuf>,
    id: &str,
    role: Role,
    format: Format,
) -> Result<(Catalog, Pki, Arc<Profile>), CliError> {
    let (catalog, _) = load_catalog(catalog).map_err(|e| CliError::input(e, format))?;
    let profile = find_profile(&catalog, id, role, format)?;
    let pki = catalog_pki(&catalog)?;
    Ok((catalog, pki, profile))
}

/// The catalog's profile `id` in `role`, or the mistaken id (with the
/// nearest one as help).
fn find_profile(
    catalog: &Catalog,
    id: &str,
    role: Role,
    format: Format,
) -> Result<Arc<Profile>, CliError> {
    if let Some(profile) = catalog.profiles.get(id).filter(|p| p.role == role) {
        return Ok(profile.clone());
    }
    let ids: Vec<&str> = catalog
        .profiles
        .values()
        .filter(|p| p.role == role)
        .map(|p| p.id.as_str())
        .collect();
    Err(CliError::usage(
        format!("no {role} profile `{id}` in the catalog"),
        suggestion(id, &ids),
        format,
    ))
}

/// The catalog's CAs, made.
fn catalog_pki(catalog: &Catalog) -> Result<Pki, CliError> {
    let mut pki = Pki::new();
    for ca in &catalog.cas {
        pki.add_ca(ca.clone())
            .map_err(|e| CliError::harness(format!("cannot make the catalog's CAs: {e}")))?;
    }
    Ok(pki)
}

/// The certificates of every `--trust` file, as DER.
fn read_trust(paths: &[PathBuf], format: Format) -> Result<Vec<Vec<u8>>, CliError> {
    let mut trust = Vec::new();
    for path in paths {
        let mut ders = read_certificates(path).map_err(|e| CliError::input(e, format))?;
        trust.append(&mut ders);
    }
    Ok(trust)
}

/// A probe without an outcome: nothing answered, no backend can run the
/// profile (a command-line mistake), or the harness failed.
fn probe_error(e: ProbeError, format: Format) -> CliError {
    match e {
        ProbeError::Unreachable { target, why } => CliError::Unreachable { target, why },
        ProbeError::Unsupported(why) => CliError::usage(why, None, format),
        e => CliError::harness(e),
    }
}

pub(super) fn probe_command(args: ProbeArgs) -> Result<i32, CliError> {
    let format = args.client.format;
    let (_, pki, profile) = load_profile(
        args.client.catalog.as_ref(),
        &args.profile,
        Role::Client,
        format,
    )?;
    let options = ProbeOptions {
        pcap: args.pcap.clone(),
        ..args.client.options(args.backend, None)?
    };
    let probed =
        probe(&profile, &pki, &args.target, &options).map_err(|e| probe_error(e, format))?;
    match format {
        Format::Json => print_json(&probed),
        _ => {
            if let Some(first) = &probed.fallback_from {
                println!("first hello: {}", first.summary());
            }
            println!(
                "{} ({}) → {}: {}",
                probed.client,
                probed.backend,
                probed.target,
                probed.outcome.summary()
            );
            for (i, c) in probed.chain.iter().enumerate() {
                println!(
                    "  chain[{i}]: {} ({}), issued by {}",
                    c.subject, c.key, c.issuer
                );
            }
            if let Some(capture) = &probed.capture {
                for file in capture.fallback_from.iter().chain([&capture.file]) {
                    println!("  capture: {file}");
                }
            }
        }
    }
    Ok(match probed.outcome {
        Outcome::Established(_) => exit_codes::OK,
        _ => exit_codes::EXPECTATION_FAILED,
    })
}

/// Every certificate in a PEM file, as DER; an unusable file is the
/// input's problem.
fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, InputErrors> {
    let unusable = |why: String| InputErrors::from(InputError::file(path, why));
    let text = std::fs::read(path).map_err(|e| unusable(format!("cannot read: {e}")))?;
    let certs = openssl::x509::X509::stack_from_pem(&text)
        .map_err(|e| unusable(format!("not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(unusable("no certificate in the file".into()));
    }
    certs
        .iter()
        .map(|c| c.to_der().map_err(|e| unusable(e.to_string())))
        .collect()
}

pub(super) fn serve_command(args: ServeArgs) -> Result<i32, CliError> {
    let (_, pki, profile) = load_profile(
        args.catalog.as_ref(),
        &args.profile,
        Role::Server,
        Format::Table,
    )?;
    let at = args.at.unwrap_or_else(Moment::now);
    let (server, _) = prepare(&profile, &pki, at, args.backend).map_err(|e| match e {
        ProbeError::Unsupported(why) => CliError::usage(why, None, Format::Table),
        e => CliError::harness(e),
    })?;
    write_credentials(&args, &profile.at(at), &pki)?;
    let Some(address) = args
        .listen
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return Err(CliError::usage(
            format!("cannot listen on `{}`: not an address", args.listen),
            None,
            Format::Table,
        ));
    };
    let (log, writer) = connection_log(args.log.as_deref())?;
    let options = ServeOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        max_connections: args.max_connections,
        duration: args.duration,
        concurrency: args.concurrency as usize,
        client_identities: profile.client_identities.clone(),
        pcap: args.pcap.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::harness(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| CliError::harness(format!("cannot listen on {address}: {e}")))?;
        let stop = stop_signal();
        let bound = listener.local_addr().map_or(address, |a| a);
        println!("listening on {bound}");
        let _ = std::io::stdout().flush();
        serve_until(listener, Arc::new(server), options, log, stop).await;
        Ok::<_, CliError>(())
    })?;
    // Every connection's line is out before serve ends.
    let _ = writer.join();
    Ok(exit_codes::OK)
}

/// The log of connections.
type ConnectionLog = Arc<dyn Fn(Connection) + Send + Sync>;

/// Where each connection's JSON line goes: stdout, or a file; written by a
/// thread of its own, so that a reader that falls behind (a full pipe)
/// never stalls the connections being served. The thread ends, and is
/// joined, once the log is dropped.
fn connection_log(
    path: Option<&Path>,
) -> Result<(ConnectionLog, std::thread::JoinHandle<()>), CliError> {
    let mut out: Box<dyn Write + Send> = match path {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| cannot_write(path, e))?),
        None => Box::new(std::io::stdout()),
    };
    let (lines, written) = std::sync::mpsc::channel::<String>();
    let writer = std::thread::spawn(move || {
        for line in written {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    });
    let log: ConnectionLog = Arc::new(move |connection: Connection| {
        if let Ok(line) = serde_json::to_string(&connection) {
            let _ = lines.send(line);
        }
    });
    Ok((log, writer))
}

/// The harness could not write a file it was asked for.
fn cannot_write(path: &Path, e: std::io::Error) -> CliError {
    CliError::harness(format!("cannot write {}: {e}", path.display()))
}

/// Writes what `--ca-out` and `--client-cert-out` ask for.
fn write_credentials(args: &ServeArgs, profile: &Profile, pki: &Pki) -> Result<(), CliError> {
    if let Some(path) = &args.ca_out {
        let pem = roots_pem(profile, pki)?;
        std::fs::write(path, pem).map_err(|e| cannot_write(path, e))?;
    }
    if let Some(dir) = &args.client_cert_out {
        if profile.client_auth == ClientAuth::None {
            return Err(CliError::harness(format!(
                "{} asks for no client certificate",
                profile.id
            )));
        }
        write_client_certificate(dir, profile, pki)?;
    }
    Ok(())
}

/// The self-signed roots the server's certificates chain to, as PEM.
fn roots_pem(profile: &Profile, pki: &Pki) -> Result<String, CliError> {
    let roots = crate::endpoint::roots(profile, pki).map_err(CliError::harness)?;
    roots.iter().map(|der| to_pem(der)).collect()
}

fn to_pem(der: &[u8]) -> Result<String, CliError> {
    crate::pki::pem(der).map_err(CliError::harness)
}

/// A client certificate the server accepts: issued by the first CA it
/// trusts, named as the first identity on its list if it has one.
fn write_client_certificate(dir: &Path, profile: &Profile, pki: &Pki) -> Result<(), CliError> {
    let issuer = profile
        .trust
        .first()
        .ok_or_else(|| CliError::harness(format!("{} trusts no CA", profile.id)))?;
    let subject = profile
        .client_identities
        .as_ref()
        .and_then(|ids| ids.first().cloned())
        .unwrap_or_else(|| "tls-harness client".to_string());
    let spec = LeafSpec {
        subject,
        dns_names: Vec::new(),
        key: KeyType::Rsa2048,
        issuer: Issuer::Ca(issuer.clone()),
        purpose: Purpose::Client,
        key_slot: format!("serve-client:{}", profile.id),
        validity: Validity::default(),
        key_agreement: false,
    };
    let id = pki.issue(&spec).map_err(CliError::harness)?;
    let mut chain = to_pem(&id.leaf_der)?;
    for der in &id.chain_der {
        chain.push_str(&to_pem(der)?);
    }
    let key = openssl::pkey::PKey::private_key_from_pkcs8(&id.key_pkcs8_der)
        .and_then(|k| k.private_key_to_pem_pkcs8())
        .map_err(CliError::harness)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::harness(format!("cannot make {}: {e}", dir.display())))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| cannot_write(&path, e))
    };
    write("client.pem", chain.as_bytes())?;
    write("client.key", &key)
}
