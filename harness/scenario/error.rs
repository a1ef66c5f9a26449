//! Errors in scenario and catalog files. Each names the file, the line, the
//! key and, where a name was wrong, the nearest valid one; the CLI renders
//! them with miette and exits with [`crate::exit_codes::BAD_INPUT`].

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};

/// One problem in one input file.
#[derive(Debug, Diagnostic, thiserror::Error)]
#[error("{}: {message}", self.place())]
#[diagnostic(code(tls_harness::input))]
pub struct InputError {
    /// What is wrong.
    pub message: String,
    /// The file it is in.
    pub file: PathBuf,
    /// 1-based line (0 when the error is about the file as a whole).
    pub line: usize,
    /// The dotted key path (`profile.uccx-11-5-server.suites[2]`), if known.
    pub key: Option<String>,
    /// What to do about it, such as the nearest valid name.
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("{}", key.as_deref().unwrap_or("here"))]
    span: Option<SourceSpan>,
}

impl InputError {
    /// An error at a byte range of `text`, the contents of `file`.
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let line = span.as_ref().map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        });
        InputError {
            message: message.into(),
            file: file.to_path_buf(),
            line,
            key: None,
            help: None,
            source_code: NamedSource::new(file.display().to_string(), text.to_string()),
            span: span.map(|s| SourceSpan::from(s.start..s.end.max(s.start))),
        }
    }

    /// An error about a file that could not be read at all.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self::at(file, "", None, message)
    }

    /// Names the key the error is about.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line`, or the file alone when the error has no line.
    fn place(&self) -> String {
        match self.line {
            0 => self.file.display().to_string(),
            line => format!("{}:{line}", self.file.display()),
        }
    }

    /// One line: `file:line: key: message (help)`, for logs and JSON.
    pub fn one_line(&self) -> String {
        let mut s = format!("{}: ", self.place());
        if let Some(k) = &self.key {
            s.push_str(&format!("{k}: "));
        }
        s.push_str(&self.message);
        if let Some(h) = &self.help {
            s.push_str(&format!(" ({h})"));
        }
        s
    }
}

/// Every problem found in the inputs of one command.
#[derive(Debug, Diagnostic, thiserror::Error)]
#[diagnostic(code(tls_harness::inputs))]
pub struct InputErrors {
    /// The individual problems, in file order.
    #[related]
    pub errors: Vec<InputError>,
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "{one}"),
            many => write!(f, "{} problems in scenario input", many.len()),
        }
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors { errors: vec![e] }
    }
}

impl From<Vec<InputError>> for InputErrors {
    fn from(errors: Vec<InputError>) -> Self {
        InputErrors { errors }
    }
}

/// The candidate nearest to `wrong`, if one is close enough to be a typo.
pub fn nearest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A "did you mean" hint for `wrong` among `candidates`, or the list of
/// valid names when there are few of them.
pub fn suggestion(wrong: &str, candidates: &[&str]) -> Option<String> {
    if let Some(near) = nearest(wrong, candidates.iter().copied()) {
        return Some(format!("did you mean `{near}`?"));
    }
    if !candidates.is_empty() && candidates.len() <= 12 {
        let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
        return Some(format!("expected one of {}", list.join(", ")));
    }
    None
}

/// Turns a toml/serde error into an [`InputError`], with the key path from
/// serde_path_to_error and a suggestion when serde names the valid choices
/// (`unknown field `x`, expected one of `a`, `b``).
pub fn from_toml(
    file: &Path,
    text: &str,
    err: &toml::de::Error,
    path: Option<String>,
) -> InputError {
    let message = err.message().trim().to_string();
    let mut e = InputError::at(file, text, err.span(), message.clone());
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    // toml's `Spanned` wrapper shows up in serde's path as a field of its
    // own; it is no key of the file.
    let mut key = path
        .map(|p| p.replace(".$__serde_spanned_private_value", ""))
        .filter(|p| !p.is_empty() && p != ".");
    if message.starts_with("unknown field") || message.starts_with("unknown variant") {
        if let Some((wrong, valid)) = quoted.split_first() {
            if message.starts_with("unknown field") {
                key = Some(match key {
                    Some(k) if !k.ends_with(wrong) => format!("{k}.{wrong}"),
                    Some(k) => k,
                    None => (*wrong).to_string(),
                });
            }
            if let Some(near) = nearest(wrong, valid.iter().copied()) {
                e = e.with_help(format!("did you mean `{near}`?"));
            }
        }
    }
    if let Some(k) = key {
        e = e.with_key(k);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let c = ["server", "client", "suites", "versions"];
        assert_eq!(nearest("sever", c), Some("server"));
        assert_eq!(nearest("version", c), Some("versions"));
        assert_eq!(nearest("zzz", c), None);
    }

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a = 1\nb = 2\n";
        let e = InputError::at(Path::new("f.toml"), text, Some(6..7), "bad");
        assert_eq!(e.line, 2);
        assert_eq!(e.one_line(), "f.toml:2: bad");
    }
}
