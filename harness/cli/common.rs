//! What the commands share: output formats, loading the catalog and the
//! scenario files, and the errors of ids that name nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::error::CliError;
use crate::backend::Pairing;
use crate::exit_codes;
use crate::model::Stacks;
use crate::report::Style;
use crate::scenario::{
    check_unique_ids, shipped, toml_files, Catalog, InputError, InputErrors, Scenario, ScenarioFile,
};
use crate::scenario::{error::suggestion, Profile, Role};

pub(super) fn parse_stacks(s: &str) -> Result<Stacks, String> {
    if s == "reference" {
        return Ok(Stacks::REFERENCE);
    }
    parse_pairing(s)
        .map(Stacks::from)
        .map_err(|e| format!("{e}, or reference"))
}

/// How to print a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// A table for people.
    #[default]
    Table,
    /// A Markdown table, for tickets and documents.
    Markdown,
    /// JSON for machines.
    Json,
}

impl Format {
    pub(super) fn style(self) -> Style {
        match self {
            Format::Markdown => Style::Markdown,
            Format::Table | Format::Json => Style::Terminal,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct Common {
    /// Catalog directory [default: ./scenarios/catalog, else the one built
    /// into the binary]
    #[arg(long, env = "TLS_HARNESS_CATALOG")]
    pub(super) catalog: Option<PathBuf>,
    /// Scenario files or directories [default: ./scenarios, else the
    /// shipped scenarios]; the catalog directory is skipped.
    pub(super) paths: Vec<PathBuf>,
}

pub(super) fn parse_pairing(s: &str) -> Result<Pairing, String> {
    Pairing::parse(s).ok_or_else(|| {
        let ids: Vec<String> = Pairing::ALL.iter().map(|p| p.id()).collect();
        format!("unknown pairing `{s}`; pairings are {}", ids.join(", "))
    })
}

/// The catalog and the scenario files a command works on.
pub(super) struct Inputs {
    pub(super) catalog: Catalog,
    pub(super) files: Vec<ScenarioFile>,
}

/// The catalog a command uses: `--catalog` (or `TLS_HARNESS_CATALOG`), else
/// `./scenarios/catalog`, else the one built into the binary. Its
/// directory, when it has one.
pub(super) fn load_catalog(
    dir: Option<&PathBuf>,
) -> Result<(Catalog, Option<PathBuf>), InputErrors> {
    let here = PathBuf::from(shipped::CATALOG_DIR);
    let dir = match dir {
        Some(dir) if !dir.is_dir() => {
            return Err(InputError::file(dir, "catalog directory not found")
                .with_help("--catalog and TLS_HARNESS_CATALOG name a directory of catalog files; without either, ./scenarios/catalog or the built-in catalog is used")
                .into())
        }
        Some(dir) => dir.clone(),
        None if here.is_dir() => here,
        None => {
            eprintln!("note: using the built-in catalog; --catalog DIR or TLS_HARNESS_CATALOG picks another");
            return Ok((Catalog::built_in()?, None));
        }
    };
    Ok((Catalog::load(&dir)?, Some(dir)))
}

pub(super) fn load(common: &Common) -> Result<Inputs, InputErrors> {
    let (catalog, catalog_dir) = load_catalog(common.catalog.as_ref())?;
    let catalog_root = catalog_dir.map(|d| d.canonicalize().unwrap_or(d));
    let mut paths = common.paths.clone();
    if paths.is_empty() {
        if !Path::new("scenarios").is_dir() {
            eprintln!("note: running the built-in scenario files; name files or directories to run others");
            return built_in_scenarios(catalog);
        }
        paths.push(PathBuf::from("scenarios"));
    }
    let in_catalog = |f: &Path| {
        catalog_root
            .as_ref()
            .is_some_and(|root| f.canonicalize().is_ok_and(|c| c.starts_with(root)))
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let found = if path.is_dir() {
            match toml_files(&path) {
                Ok(list) => list.into_iter().filter(|f| !in_catalog(f)).collect(),
                Err(e) => {
                    errors.push(InputError::file(
                        &path,
                        format!("cannot read directory: {e}"),
                    ));
                    continue;
                }
            }
        } else if in_catalog(&path) || is_shipped_catalog_file(&path) {
            errors.push(
                InputError::file(&path, "this is a catalog file, not a scenario file").with_help(
                    "catalog files are read from the catalog directory (--catalog DIR or TLS_HARNESS_CATALOG); `tls-harness list` shows their profiles",
                ),
            );
            continue;
        } else {
            vec![path]
        };
        files.extend(found);
    }
    let loaded: Vec<_> = files
        .iter()
        .map(|f| catalog.load_scenario_file(f))
        .collect();
    inputs(catalog, loaded, errors)
}

/// The catalog and, only when `paths` name some, those scenario files (for
/// the profiles they define).
pub(super) fn load_for_profiles(
    catalog: Option<&PathBuf>,
    paths: &[PathBuf],
    format: Format,
) -> Result<Inputs, CliError> {
    let loaded = if paths.is_empty() {
        load_catalog(catalog).map(|(catalog, _)| Inputs {
            catalog,
            files: Vec::new(),
        })
    } else {
        load(&Common {
            catalog: catalog.cloned(),
            paths: paths.to_vec(),
        })
    };
    loaded.map_err(|e| CliError::input(e, format))
}

/// The profile `id`: the one a given file defines (replacing the
/// catalog's, if the catalog has one), else the catalog's. Two files that
/// both define it are a question only the user can answer.
pub(super) fn profile_by_id(
    inputs: &Inputs,
    what: &str,
    id: &str,
    format: Format,
) -> Result<Arc<Profile>, CliError> {
    let own: Vec<&Arc<Profile>> = inputs
        .files
        .iter()
        .flat_map(|f| f.profiles.iter().filter(|p| p.id == id))
        .collect();
    match own.as_slice() {
        [one] => return Ok(Arc::clone(one)),
        [first, second, ..] => {
            return Err(CliError::usage(
                format!(
                    "{what} `{id}` is defined in {} and in {}",
                    first.defined_in.display(),
                    second.defined_in.display()
                ),
                Some("name only the file whose profile you mean".into()),
                format,
            ))
        }
        [] => {}
    }
    if let Some(p) = inputs.catalog.profiles.get(id) {
        return Ok(p.clone());
    }
    let mut ids: Vec<&str> = inputs.catalog.profiles.keys().map(String::as_str).collect();
    ids.extend(
        inputs
            .files
            .iter()
            .flat_map(|f| f.profiles.iter().map(|p| p.id.as_str())),
    );
    Err(unknown_id(what, id, &ids, format))
}

/// Whether `path` holds the text of one of the catalog files built into the
/// binary (a copy of the shipped catalog passed as a scenario file).
fn is_shipped_catalog_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|text| shipped::catalog().any(|(_, shipped)| shipped == text))
}

/// The scenario files built into the binary, against `catalog`.
pub(super) fn built_in_scenarios(catalog: Catalog) -> Result<Inputs, InputErrors> {
    let loaded: Vec<_> = shipped::scenario_files()
        .map(|(path, text)| catalog.parse_scenario_file(Path::new(path), text))
        .collect();
    inputs(catalog, loaded, Vec::new())
}

/// The files that loaded, or every error of those that did not (and of
/// `errors` before them).
pub(super) fn inputs(
    catalog: Catalog,
    loaded: Vec<Result<ScenarioFile, InputErrors>>,
    mut errors: Vec<InputError>,
) -> Result<Inputs, InputErrors> {
    let mut files = Vec::new();
    for result in loaded {
        match result {
            Ok(file) => files.push(file),
            Err(e) => errors.extend(e.errors),
        }
    }
    if errors.is_empty() {
        errors = check_unique_ids(&files);
    }
    if errors.is_empty() {
        Ok(Inputs { catalog, files })
    } else {
        Err(errors.into())
    }
}

/// An id on the command line that names nothing among `known`, with the
/// nearest known one.
pub(super) fn unknown_id(what: &str, id: &str, known: &[&str], format: Format) -> CliError {
    CliError::usage(
        format!("unknown {what} `{id}`"),
        suggestion(id, known).or_else(|| Some(format!("`tls-harness list` shows the {what} ids"))),
        format,
    )
}

/// The scenario `id` of `files`, and the file that holds it.
pub(super) fn find_scenario<'a>(
    files: &'a [ScenarioFile],
    id: &str,
) -> Option<(&'a ScenarioFile, &'a Scenario)> {
    files
        .iter()
        .find_map(|f| f.scenarios.iter().find(|s| s.id == id).map(|s| (f, s)))
}

/// A scenario id that no file holds, with the nearest one.
pub(super) fn no_such_scenario(files: &[ScenarioFile], id: &str, format: Format) -> CliError {
    let ids: Vec<&str> = files
        .iter()
        .flat_map(|f| f.scenarios.iter().map(|s| s.id.as_str()))
        .collect();
    CliError::usage(
        format!("no scenario `{id}` in the given files"),
        suggestion(id, &ids).or_else(|| {
            Some("`tls-harness list` shows the scenario ids; name the file if it is outside scenarios/".into())
        }),
        format,
    )
}

pub(super) fn print_json(value: &impl serde::Serialize) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(json_text(value).as_bytes());
}

/// `value` as pretty JSON with a final newline.
pub(super) fn json_text(value: &impl serde::Serialize) -> String {
    // The reports are plain data (strings, numbers, maps with string keys),
    // which serde_json always serialises.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// `*` matches any run of characters; everything else matches itself.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len())
                    .filter(|i| text.is_char_boundary(head.len() + i))
                    .any(|i| glob(tail, &text[head.len() + i..]))
        }
    }
}

pub(super) fn select(
    catalog: &Catalog,
    role: Role,
    patterns: &[String],
    connection: Option<&str>,
) -> Vec<Arc<Profile>> {
    catalog
        .profiles
        .values()
        .filter(|p| p.role == role)
        .filter(|p| connection.is_none_or(|c| p.connection == c))
        .filter(|p| patterns.is_empty() || patterns.iter().any(|g| glob(g, &p.id)))
        .cloned()
        .collect()
}

/// A product no profile of the catalog belongs to, with the nearest one.
pub(super) fn unknown_product(catalog: &Catalog, product: &str, format: Format) -> CliError {
    let mut products: Vec<&str> = catalog
        .profiles
        .values()
        .map(|p| p.product.as_str())
        .collect();
    products.sort();
    products.dedup();
    CliError::usage(
        format!("no profile of product `{product}` in the catalog"),
        suggestion(product, &products),
        format,
    )
}

/// Prints a derived table (JSON, or the table `render` draws); a run that
/// could not be made is the harness's failure.
pub(super) fn print_report<T: serde::Serialize>(
    result: Result<T, crate::run::RunError>,
    format: Format,
    render: impl Fn(&T, Style) -> String,
) -> Result<i32, CliError> {
    let report = result?;
    match format {
        Format::Json => print_json(&report),
        f => print!("{}", render(&report, f.style())),
    }
    Ok(exit_codes::OK)
}

/// Writes a file the command made (a profile, a scenario file) to
/// `output`, saying so on stderr as `wrote WHAT to PATH`, or prints it on
/// stdout when there is no `output`.
pub(super) fn write_or_print(
    output: Option<&std::path::Path>,
    text: &str,
    what: &str,
) -> Result<(), CliError> {
    match output {
        None => print!("{text}"),
        Some(path) => {
            std::fs::write(path, text).map_err(|e| {
                CliError::bad_input(format!("{}: cannot write: {e}", path.display()))
            })?;
            eprintln!("wrote {what} to {}", path.display());
        }
    }
    Ok(())
}

/// An id the command writes into a file's table names and strings:
/// letters, digits, `-` and `_` only.
pub(super) fn check_id(id: &str) -> Result<(), CliError> {
    let fine = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    match fine {
        true => Ok(()),
        false => Err(CliError::usage(
            format!("--id `{id}`: an id is letters, digits, `-` and `_`"),
            None,
            Format::Table,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_stars_match_runs() {
        assert!(glob("uccx-*-server", "uccx-11-5-1-server"));
        assert!(glob("*", "anything"));
        assert!(glob("uccx-11-5-1-server", "uccx-11-5-1-server"));
        assert!(!glob("uccx-*-server", "uccx-11-5-1-client"));
        assert!(glob("*salesforce*", "salesforce-production"));
    }
}
