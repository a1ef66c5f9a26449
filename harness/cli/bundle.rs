//! `bundle`: one scenario as a directory (or `.tar.gz`) that a vendor
//! reruns with nothing but the tool ([`crate::bundle`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::common::{find_scenario, load, no_such_scenario, print_json, Common, Format};
use super::error::CliError;
use crate::bundle::{write_archive, write_bundle, Bundle};
use crate::capture::files::file_name;
use crate::exit_codes;
use crate::moment::Moment;
use crate::run::RunOptions;

#[derive(Debug, Args)]
pub(super) struct BundleArgs {
    /// Scenario id (`tls-harness list` shows them).
    scenario: String,
    #[command(flatten)]
    common: Common,
    /// Write the bundle into DIR, which must not exist or be empty
    /// [default: bundle-SCENARIO].
    #[arg(long, short = 'o', value_name = "DIR")]
    output: Option<PathBuf>,
    /// Pin the instant the scenario runs at (2017-07-21,
    /// 2016-06-25T16:30:00Z) [default: now]; a scenario that pins its own
    /// keeps it.
    #[arg(long, value_parser = Moment::parse)]
    at: Option<Moment>,
    /// Write the same as one DIR.tar.gz instead of a directory.
    #[arg(long)]
    archive: bool,
    /// Deadline for each side of each handshake, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// Output format of the file list.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(super) fn bundle(args: BundleArgs) -> Result<i32, CliError> {
    let format = args.format;
    let inputs = load(&args.common).map_err(|e| CliError::input(e, format))?;
    let Some((file, scenario)) = find_scenario(&inputs.files, &args.scenario) else {
        return Err(no_such_scenario(&inputs.files, &args.scenario, format));
    };
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("bundle-{}", file_name(&scenario.id))));
    let archive = args.archive.then(|| archive_path(&dir));
    refuse_overwrite(&dir, archive.as_deref(), format)?;
    let staging = match &archive {
        Some(_) => staging_dir(&dir),
        None => dir.clone(),
    };
    let options = RunOptions {
        deadline: Duration::from_millis(args.deadline_ms),
        at: args.at.unwrap_or_else(Moment::now),
        ..RunOptions::default()
    };
    let written = write_bundle(file, scenario, &staging, &options).and_then(|b| match &archive {
        Some(path) => Ok(write_archive(&staging, &prefix(&dir), path).map(|()| b)?),
        None => Ok(b),
    });
    if archive.is_some() {
        // The staging directory's parent is ours alone (made for this run).
        let _ = std::fs::remove_dir_all(staging.parent().unwrap_or(&staging));
    }
    Ok(report(&written?, &dir, archive.as_deref(), format))
}

/// `DIR.tar.gz`.
fn archive_path(dir: &Path) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(".tar.gz");
    PathBuf::from(name)
}

/// The name of the archive's one top directory: DIR's last component.
fn prefix(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned())
}

/// A fresh directory under the system's temporary directory, named like
/// `dir`, to build an archive's contents in.
fn staging_dir(dir: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    std::env::temp_dir()
        .join(format!("tls-harness-bundle-{}-{nanos}", std::process::id()))
        .join(prefix(dir))
}

/// A bundle never mixes with older files: a non-empty DIR (or an existing
/// archive) is the user's to remove.
fn refuse_overwrite(dir: &Path, archive: Option<&Path>, format: Format) -> Result<(), CliError> {
    let taken = match archive {
        Some(path) => path.exists().then(|| path.display().to_string()),
        None => std::fs::read_dir(dir)
            .is_ok_and(|mut d| d.next().is_some())
            .then(|| format!("{}/", dir.display())),
    };
    match taken {
        None => Ok(()),
        Some(what) => Err(CliError::usage(
            format!("{what} exists already"),
            Some("remove it or name another with -o DIR".into()),
            format,
        )),
    }
}

fn report(b: &Bundle, dir: &Path, archive: Option<&Path>, format: Format) -> i32 {
    let not_held = b.run.mismatches();
    if !not_held.is_empty() {
        eprintln!(
            "note: the bundle shows {} pairing(s) not as expected",
            not_held.len()
        );
    }
    let wrote = archive.unwrap_or(dir);
    match format {
        Format::Json => print_json(&serde_json::json!({
            "scenario": b.run.scenario,
            "written": wrote.display().to_string(),
            "files": b.files,
        })),
        Format::Table | Format::Markdown => {
            println!("wrote {} ({} files):", wrote.display(), b.files.len());
            for f in &b.files {
                println!("  {f}");
            }
            println!(
                "rerun: tls-harness run {}",
                dir.join(crate::bundle::SCENARIO_FILE).display()
            );
        }
    }
    exit_codes::OK
}
