//! Why a command failed, and the one place ([`CliError::report`]) that
//! says so to the user and picks the exit status ([`CliError::status`]).
//! Commands return `Result<i32, CliError>`: the status of work that was
//! done (a report printed, some expectations not held), or the error.

use std::path::Path;

use super::common::{print_json, Format};
use crate::exit_codes;
use crate::scenario::{InputError, InputErrors};

/// A command that could not do its work.
#[derive(Debug)]
pub(super) enum CliError {
    /// Unusable scenario or catalog files, or another file the command
    /// line names (a `--trust` file): [`exit_codes::BAD_INPUT`], reported
    /// as problems in `format` (`"error": "bad-input"` in JSON).
    Input {
        /// Every problem found.
        errors: InputErrors,
        /// The format the command reports in.
        format: Format,
    },
    /// A mistake on the command line: an unknown id, a filter that selects
    /// nothing, an address that is not one, a profile no backend can run:
    /// [`exit_codes::USAGE`], reported as a problem of `<command line>` in
    /// `format` (`"error": "bad-command-line"` in JSON).
    Usage {
        /// What is wrong.
        message: String,
        /// What to do instead.
        help: Option<String>,
        /// The format the command reports in.
        format: Format,
    },
    /// An input that holds nothing usable (`import-hello`'s capture, or a
    /// file it cannot read or write): [`exit_codes::BAD_INPUT`], as
    /// `error: ...` on stderr.
    BadInput(Box<dyn std::error::Error + Send + Sync>),
    /// The harness itself failed (certificates, the runtime, a file it
    /// writes): [`exit_codes::HARNESS_ERROR`], as `error: ...` on stderr.
    Harness(Box<dyn std::error::Error + Send + Sync>),
    /// Nothing answered at `target`: [`exit_codes::UNREACHABLE`], as
    /// `error: cannot reach TARGET: WHY` on stderr.
    Unreachable {
        /// `HOST:PORT`.
        target: String,
        /// What the system said.
        why: String,
    },
}

impl CliError {
    /// Unusable files, reported in `format`.
    pub(super) fn input(errors: impl Into<InputErrors>, format: Format) -> CliError {
        CliError::Input {
            errors: errors.into(),
            format,
        }
    }

    /// A mistake on the command line, with help when there is some.
    pub(super) fn usage(
        message: impl Into<String>,
        help: Option<String>,
        format: Format,
    ) -> CliError {
        CliError::Usage {
            message: message.into(),
            help,
            format,
        }
    }

    /// The harness's own failure.
    pub(super) fn harness(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> CliError {
        CliError::Harness(e.into())
    }

    /// An input with nothing usable in it.
    pub(super) fn bad_input(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> CliError {
        CliError::BadInput(e.into())
    }

    /// The exit status of this error: the one mapping from errors to
    /// statuses.
    pub(super) fn status(&self) -> i32 {
        match self {
            CliError::Usage { .. } => exit_codes::USAGE,
            CliError::Input { .. } | CliError::BadInput(_) => exit_codes::BAD_INPUT,
            CliError::Harness(_) => exit_codes::HARNESS_ERROR,
            CliError::Unreachable { .. } => exit_codes::UNREACHABLE,
        }
    }

    /// Says what went wrong (stderr, or JSON problems on stdout for a
    /// command in `--format json`) and returns the exit status.
    pub(super) fn report(self) -> i32 {
        let status = self.status();
        match self {
            CliError::Input { errors, format } => report_problems(errors, format, "bad-input"),
            CliError::Usage {
                message,
                help,
                format,
            } => {
                let mut e = InputError::file(Path::new("<command line>"), message);
                if let Some(help) = help {
                    e = e.with_help(help);
                }
                report_problems(e.into(), format, "bad-command-line");
            }
            CliError::BadInput(e) | CliError::Harness(e) => eprintln!("error: {e}"),
            CliError::Unreachable { target, why } => {
                eprintln!("error: cannot reach {target}: {why}");
            }
        }
        status
    }
}

/// A failed run (certificates, the runtime) is the harness's failure.
impl From<crate::run::RunError> for CliError {
    fn from(e: crate::run::RunError) -> CliError {
        CliError::harness(e)
    }
}

/// Captures and key logs that could not be written.
impl From<crate::capture::CaptureError> for CliError {
    fn from(e: crate::capture::CaptureError) -> CliError {
        CliError::harness(e)
    }
}

/// A bundle that could not be made or written.
impl From<crate::bundle::BundleError> for CliError {
    fn from(e: crate::bundle::BundleError) -> CliError {
        CliError::harness(e)
    }
}

/// An input `import-hello` cannot make a profile of.
impl From<crate::import::ImportError> for CliError {
    fn from(e: crate::import::ImportError) -> CliError {
        CliError::bad_input(e)
    }
}

/// The result of a command: its status, or its error reported.
pub(super) fn exit_status(result: Result<i32, CliError>) -> i32 {
    result.unwrap_or_else(CliError::report)
}

fn report_problems(errors: InputErrors, format: Format, kind: &str) {
    match format {
        Format::Json => {
            let problems: Vec<serde_json::Value> = errors
                .errors
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "file": e.file.display().to_string(),
                        "line": e.line,
                        "key": e.key,
                        "message": e.message,
                        "help": e.help,
                    })
                })
                .collect();
            print_json(&serde_json::json!({ "error": kind, "problems": problems }));
        }
        Format::Table | Format::Markdown => {
            let report = match errors.errors.len() {
                1 => miette::Report::new(errors.errors.into_iter().next().expect("one error")),
                _ => miette::Report::new(errors),
            };
            eprintln!("{report:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{CliError, Format};
    use crate::exit_codes;
    use crate::scenario::InputError;

    /// Every kind of failed command and the status it exits with, in one
    /// place.
    #[test]
    fn each_error_kind_has_its_exit_status() {
        let input = CliError::input(
            InputError::file(Path::new("a.toml"), "unreadable"),
            Format::Table,
        );
        let usage = CliError::usage("unknown profile `x`", None, Format::Json);
        let bad_input = CliError::bad_input("capture.pcap: no ClientHello");
        let harness = CliError::harness("cannot start the async runtime");
        let unreachable = CliError::Unreachable {
            target: "127.0.0.1:1".into(),
            why: "connection refused".into(),
        };
        let cases = [
            (input, exit_codes::BAD_INPUT),
            (usage, exit_codes::USAGE),
            (bad_input, exit_codes::BAD_INPUT),
            (harness, exit_codes::HARNESS_ERROR),
            (unreachable, exit_codes::UNREACHABLE),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
        }
    }

    #[test]
    fn errors_of_other_modules_are_the_harness_s_or_the_input_s() {
        let run = crate::run::RunError::Runtime(crate::handshake::RuntimeError::from(
            std::io::Error::other("no threads"),
        ));
        assert_eq!(CliError::from(run).status(), exit_codes::HARNESS_ERROR);
        let import = crate::import::import(b"", Some(crate::import::InputFormat::Pcap), "x.pcap")
            .expect_err("an empty capture");
        assert_eq!(CliError::from(import).status(), exit_codes::BAD_INPUT);
    }

    #[test]
    fn reporting_returns_the_status() {
        let harness = CliError::harness("the test's own failure");
        assert_eq!(harness.report(), exit_codes::HARNESS_ERROR);
    }
}
