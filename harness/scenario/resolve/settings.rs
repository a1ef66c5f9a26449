//! Versions and suites: the lists, their layers (the most specific level
//! wins), the retry hello and the dated changes.

use std::ops::Range;

use toml::Spanned;

use super::{Resolver, Source};
use crate::moment::Moment;
use crate::scenario::layers::{self, Field, RawList, Won, DEFAULT_SUITES_LEVEL};
use crate::scenario::profile::{Change, Fallback, Layer, SuiteChoice};
use crate::scenario::raw::{RawChange, RawProfile};
use crate::suite::registry;
use crate::version::ProtocolVersion;

/// What a profile enables, and where each value came from.
pub(super) struct Settings {
    /// Enabled versions, oldest first.
    pub versions: Vec<ProtocolVersion>,
    /// The level they came from.
    pub versions_from: String,
    /// Suites in preference order.
    pub suites: Vec<SuiteChoice>,
    /// The level they came from.
    pub suites_from: String,
    /// Changes from a date on, in date order.
    pub changes: Vec<Change>,
    /// The retry hello.
    pub fallback: Option<Fallback>,
    /// The settings levels, most general first.
    pub layers: Vec<Layer>,
}

impl Resolver {
    /// The versions, suites, retry hello, levels and dated changes of `p`;
    /// `None` when it has no versions or no suites. Suites are checked
    /// against the versions only while `errors_before` problems stand.
    pub(super) fn settings(
        &mut self,
        s: &Source,
        p: &RawProfile,
        key: &str,
        errors_before: usize,
    ) -> Option<Settings> {
        let levels = layers::levels(p, key);
        let versions = Field::resolve(
            &levels,
            |l| l.versions,
            |level, list, _| self.versions(s, list, &format!("{}.versions", level.key)),
        );
        let Some(Won {
            value: enabled,
            from: versions_from,
            ..
        }) = versions.won.clone()
        else {
            self.err(
                s,
                p.anchor(),
                key.to_string(),
                "no protocol versions".into(),
                Some("set `versions` on the profile or on one of its layers".into()),
            );
            return None;
        };
        let fallback = self.fallback(s, p, key);
        let mut reachable = enabled.clone();
        reachable.extend(fallback.iter().flat_map(|f| f.versions.iter().copied()));
        // Only the winning list must fit the versions; an overridden level's
        // list is checked for names alone.
        let suites = Field::resolve(
            &levels,
            |l| l.suites,
            |level, list, wins| {
                let fit = if wins { reachable.as_slice() } else { &[] };
                self.suites(s, list, fit, &format!("{}.suites", level.key))
            },
        );
        let layers = layers::layers(p, &versions, &suites);
        let suites = self.winning_suites(s, p, key, suites.won, !layers.is_empty())?;
        if self.errors.len() == errors_before {
            self.check_coverage(s, &reachable, &suites.value, suites.span.clone(), key);
        }
        let changes = self.changes(s, p, key, &enabled, &suites.value);
        Some(Settings {
            versions: enabled,
            versions_from,
            suites: suites.value,
            suites_from: suites.from,
            changes,
            fallback,
            layers,
        })
    }

    /// The suites that won, or for a layered profile that sets them at no
    /// level the default list that new installs put at system level
    /// (docs/products/broadworks.md#default-cipher-list).
    fn winning_suites(
        &mut self,
        s: &Source,
        p: &RawProfile,
        key: &str,
        won: Option<Won<Vec<SuiteChoice>>>,
        layered: bool,
    ) -> Option<Won<Vec<SuiteChoice>>> {
        let suites = won.or_else(|| {
            layered.then(|| Won {
                value: layers::default_suites(),
                from: DEFAULT_SUITES_LEVEL.to_string(),
                span: p.anchor(),
            })
        });
        if suites.is_none() {
            self.err(
                s,
                p.anchor(),
                key.to_string(),
                "no cipher suites".into(),
                Some("set `suites` on the profile or on one of its layers".into()),
            );
        }
        suites
    }

    /// A client's retry hello.
    fn fallback(&mut self, s: &Source, p: &RawProfile, key: &str) -> Option<Fallback> {
        p.fallback.as_ref().map(|f| Fallback {
            versions: self.versions(
                s,
                &f.get_ref().versions,
                &format!("{key}.fallback.versions"),
            ),
            scsv: f.get_ref().scsv.unwrap_or(false),
        })
    }

    /// The dated changes of `p`, in date order; each state they lead to
    /// must still have a suite for every version.
    fn changes(
        &mut self,
        s: &Source,
        p: &RawProfile,
        key: &str,
        versions: &[ProtocolVersion],
        suites: &[SuiteChoice],
    ) -> Vec<Change> {
        let mut changes: Vec<Change> = Vec::new();
        for (i, c) in p.change.iter().flatten().enumerate() {
            let k = format!("{key}.change[{i}]");
            if let Some(change) = self.change(s, c, &k, &changes, versions, suites) {
                changes.push(change);
            }
        }
        changes
    }

    /// One dated change, after the `earlier` ones of a profile that started
    /// with `versions` and `suites`.
    fn change(
        &mut self,
        s: &Source,
        c: &Spanned<RawChange>,
        k: &str,
        earlier: &[Change],
        versions: &[ProtocolVersion],
        suites: &[SuiteChoice],
    ) -> Option<Change> {
        let raw = c.get_ref();
        let at = match Moment::from_toml(raw.at.get_ref()) {
            Ok(at) => at,
            Err(why) => {
                self.err(
                    s,
                    raw.at.span(),
                    format!("{k}.at"),
                    format!("bad date: {why}"),
                    None,
                );
                return None;
            }
        };
        if earlier.last().is_some_and(|prev| prev.at >= at) {
            self.err(
                s,
                raw.at.span(),
                format!("{k}.at"),
                "changes must be in date order".into(),
                None,
            );
        }
        let before = self.errors.len();
        let new_versions = raw
            .versions
            .as_ref()
            .map(|v| self.versions(s, v, &format!("{k}.versions")));
        let state_versions = new_versions
            .clone()
            .or_else(|| earlier.iter().rev().find_map(|c| c.versions.clone()))
            .unwrap_or_else(|| versions.to_vec());
        let new_suites = raw
            .suites
            .as_ref()
            .map(|l| self.suites(s, l, &state_versions, &format!("{k}.suites")));
        if self.errors.len() == before {
            let state_suites = new_suites
                .clone()
                .or_else(|| earlier.iter().rev().find_map(|c| c.suites.clone()))
                .unwrap_or_else(|| suites.to_vec());
            self.check_coverage(s, &state_versions, &state_suites, c.span(), k);
        }
        let jdk = raw
            .jdk
            .as_ref()
            .and_then(|release| self.jdk_release(s, release, format!("{k}.jdk")));
        Some(Change {
            at,
            note: raw.note.clone(),
            jdk,
            versions: new_versions,
            suites: new_suites,
            handshake: self.handshake(s, raw.handshake(), k, None),
        })
    }

    /// Resolves a version list: known names, none twice, at least one;
    /// oldest first.
    fn versions(&mut self, s: &Source, list: &RawList, key: &str) -> Vec<ProtocolVersion> {
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
    fn suites(
        &mut self,
        s: &Source,
        list: &RawList,
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
    fn check_coverage(
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
