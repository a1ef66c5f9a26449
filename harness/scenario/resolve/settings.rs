//! Version and suite lists.

use std::ops::Range;

use toml::Spanned;

use super::{Resolver, Source};
use crate::scenario::profile::SuiteChoice;
use crate::suite::registry;
use crate::version::ProtocolVersion;

impl Resolver {
    pub(super) fn versions(
        &mut self,
        s: &Source,
        list: &Spanned<Vec<Spanned<String>>>,
        key: &str,
    ) -> Vec<ProtocolVersion> {
        let mut versions = Vec::new();
        for (i, v) in list.get_ref().iter().enumerate() {
            let k = format!("{key}[{i}]");
            match ProtocolVersion::parse(v.get_ref()) {
                Some(ver) if versions.contains(&ver) => self.err(
                    s,
                    v.span(),
                    k,
                    format!("version {ver} is listed twice"),
                    None,
                ),
                Some(ver) => versions.push(ver),
                None => self.err(
                    s,
                    v.span(),
                    k,
                    format!("unknown protocol version `{}`", v.get_ref()),
                    Some("versions are \"1.0\", \"1.1\", \"1.2\" and \"1.3\"".into()),
                ),
            }
        }
        if list.get_ref().is_empty() {
            self.err(
                s,
                list.span(),
                key.to_string(),
                "no protocol version enabled".into(),
                None,
            );
        }
        versions.sort();
        versions
    }

    /// Resolves suite names; each must be valid for one of `versions`.
    pub(super) fn suites(
        &mut self,
        s: &Source,
        list: &Spanned<Vec<Spanned<String>>>,
        versions: &[ProtocolVersion],
        key: &str,
    ) -> Vec<SuiteChoice> {
        let mut suites: Vec<SuiteChoice> = Vec::new();
        for (i, name) in list.get_ref().iter().enumerate() {
            let k = format!("{key}[{i}]");
            match registry().lookup(name.get_ref()) {
                Some((suite, _)) if suites.iter().any(|c| c.suite.code == suite.code) => {
                    self.err(
                        s,
                        name.span(),
                        k,
                        format!("suite `{}` is listed twice", name.get_ref()),
                        None,
                    );
                }
                Some((suite, form)) => {
                    if !versions.is_empty() && !versions.iter().any(|v| suite.valid_for(*v)) {
                        let valid: Vec<&str> = suite.versions.iter().map(|v| v.as_str()).collect();
                        self.err(
                            s,
                            name.span(),
                            k,
                            format!("suite `{}` is valid for no enabled version", name.get_ref()),
                            Some(format!("it is valid for TLS {}", valid.join(", "))),
                        );
                    }
                    suites.push(SuiteChoice {
                        suite,
                        written: name.get_ref().clone(),
                        form,
                    });
                }
                None => {
                    let help = registry()
                        .suggest(name.get_ref())
                        .map(|n| format!("did you mean `{n}`?"));
                    self.err(
                        s,
                        name.span(),
                        k,
                        format!("unknown cipher suite `{}`", name.get_ref()),
                        help,
                    );
                }
            }
        }
        if list.get_ref().is_empty() {
            self.err(
                s,
                list.span(),
                key.to_string(),
                "no cipher suite listed".into(),
                None,
            );
        }
        suites
    }

    /// Every enabled version needs a listed suite valid for it.
    pub(super) fn check_coverage(
        &mut self,
        s: &Source,
        versions: &[ProtocolVersion],
        suites: &[SuiteChoice],
        span: Range<usize>,
        key: &str,
    ) {
        for v in versions {
            if !suites.iter().any(|c| c.suite.valid_for(*v)) {
                self.err(
                    s,
                    span.clone(),
                    format!("{key}.suites"),
                    format!("{v} is enabled but no listed suite is valid for it"),
                    Some(format!(
                        "add a {v} suite or remove \"{}\" from `versions`",
                        v.as_str()
                    )),
                );
            }
        }
    }
}
