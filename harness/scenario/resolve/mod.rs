//! Raw to validated: turns the serde model of a file into profiles, CAs
//! and scenarios, collecting every problem with its place in the file.
//!
//! One file per part of the format; each adds methods to [`Resolver`]:
//! `cas`, `profile` (with `settings` for versions, suites, layers and dated
//! changes, and `certificates`), `scenarios` and `expect`.

mod cas;
mod certificates;
mod expect;
mod handshake;
mod profile;
mod scenarios;
mod settings;

pub(in crate::scenario) use profile::Ids;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{self, InputError, InputErrors};
use super::raw::RawFile;
use crate::backend::Pairing;
use crate::pki::{CaSpec, KeyType, SignatureHash};

/// One file as read: its text, for errors to quote, and its serde model.
pub(in crate::scenario) struct Source {
    /// Where it was read from, or what errors call it.
    pub(in crate::scenario) path: PathBuf,
    /// Its contents.
    pub(in crate::scenario) text: String,
    /// Its contents as serde read them.
    pub(in crate::scenario) raw: RawFile,
}

/// Reads and parses one file.
pub(in crate::scenario) fn read_file(path: &Path) -> Result<Source, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    parse_source(path, text)
}

/// Parses `text`, the contents of `path`.
pub(in crate::scenario) fn parse_source(path: &Path, text: String) -> Result<Source, InputError> {
    let de =
        toml::Deserializer::parse(&text).map_err(|e| error::from_toml(path, &text, &e, None))?;
    let raw: RawFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        error::from_toml(path, &text, e.inner(), Some(key))
    })?;
    Ok(Source {
        path: path.to_path_buf(),
        text,
        raw,
    })
}

fn is_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Collects every problem of a resolution pass.
#[derive(Default)]
pub(in crate::scenario) struct Resolver {
    errors: Vec<InputError>,
    /// Profiles defined with errors, so that scenarios naming them are not
    /// told the profile does not exist.
    broken: BTreeSet<String>,
}

impl Resolver {
    /// Records a problem found outside the resolver.
    pub(in crate::scenario) fn push(&mut self, e: InputError) {
        self.errors.push(e);
    }

    /// Records a problem at `span` of `s`.
    fn err(
        &mut self,
        s: &Source,
        span: Range<usize>,
        key: String,
        message: String,
        help: Option<String>,
    ) {
        let mut e = InputError::at(&s.path, &s.text, Some(span), message).with_key(key);
        if let Some(h) = help {
            e = e.with_help(h);
        }
        self.errors.push(e);
    }

    /// Every problem recorded, if there was one.
    pub(in crate::scenario) fn finish(self) -> Result<(), InputErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors.into())
        }
    }

    fn key_type(&mut self, s: &Source, v: &Spanned<String>, key: String) -> Option<KeyType> {
        let found = KeyType::ALL.into_iter().find(|k| k.as_str() == v.get_ref());
        if found.is_none() {
            let names: Vec<&str> = KeyType::ALL.iter().map(|k| k.as_str()).collect();
            let help = error::suggestion(v.get_ref(), &names);
            self.err(
                s,
                v.span(),
                key,
                format!("unknown key type `{}`", v.get_ref()),
                help,
            );
        }
        found
    }

    fn signature_hash(
        &mut self,
        s: &Source,
        v: &Spanned<String>,
        key: String,
    ) -> Option<SignatureHash> {
        let found = SignatureHash::ALL
            .into_iter()
            .find(|h| h.as_str() == v.get_ref());
        if found.is_none() {
            let names: Vec<&str> = SignatureHash::ALL.iter().map(|h| h.as_str()).collect();
            let help = error::suggestion(v.get_ref(), &names);
            self.err(
                s,
                v.span(),
                key,
                format!("unknown signature hash `{}`", v.get_ref()),
                help,
            );
        }
        found
    }

    fn check_id(&mut self, s: &Source, id: &Spanned<String>, key: String) {
        if !is_id(id.get_ref()) {
            self.err(
                s,
                id.span(),
                key,
                format!("`{}` is not a shell-friendly id", id.get_ref()),
                Some(
                    "use letters, digits, `.`, `_` and `-`, starting with a letter or digit".into(),
                ),
            );
        }
    }

    /// Whether `v` names one of `cas`; records the problem if not.
    fn ca_ref(&mut self, s: &Source, v: &Spanned<String>, cas: &[CaSpec], key: String) -> bool {
        if cas.iter().any(|c| c.id == *v.get_ref()) {
            return true;
        }
        let names: Vec<&str> = cas.iter().map(|c| c.id.as_str()).collect();
        let help = error::suggestion(v.get_ref(), &names);
        self.err(
            s,
            v.span(),
            key,
            format!("unknown CA `{}`", v.get_ref()),
            help,
        );
        false
    }

    /// The backend pairing `v` names.
    fn pairing(&mut self, s: &Source, v: &Spanned<String>, key: String) -> Option<Pairing> {
        let found = Pairing::parse(v.get_ref());
        if found.is_none() {
            let ids: Vec<String> = Pairing::ALL.iter().map(|p| p.id()).collect();
            let names: Vec<&str> = ids.iter().map(String::as_str).collect();
            let help = error::suggestion(v.get_ref(), &names);
            self.err(
                s,
                v.span(),
                key,
                format!("unknown pairing `{}`", v.get_ref()),
                help,
            );
        }
        found
    }
}
