//! Settings levels of a layered profile
//! (docs/products/broadworks.md#settings-levels): each level may
//! set versions and suites; the most specific level that sets a field wins,
//! field by field, and the resolved value names the level it came from.
//! What is read here is what the file writes; the resolver reads the
//! values and reports their problems.

use std::ops::Range;

use toml::Spanned;

use super::profile::{Layer, SuiteChoice};
use super::raw::RawProfile;
use crate::suite::registry;
use crate::version::ProtocolVersion;

/// The cipher list new XSP/ADP installs put at system level
/// (docs/products/broadworks.md#default-cipher-list), in its order: what a layered profile gets when no level sets
/// suites. The last four are static ECDH, which no backend implements.
pub const BROADWORKS_DEFAULT_SUITES: [&str; 12] = [
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
];

/// The source a layered profile's suites name when no level set them.
pub const DEFAULT_SUITES_LEVEL: &str =
    "system default list (docs/products/broadworks.md#default-cipher-list)";

/// The level of a profile's own keys, the most specific of all.
pub const PROFILE_LEVEL: &str = "profile";

/// A list of names as a file writes it, with spans.
pub(super) type RawList = Spanned<Vec<Spanned<String>>>;

/// One level of a profile as its file writes it: a `[[layer]]` or the
/// profile's own keys.
pub(super) struct Level<'r> {
    /// The level's name ([`PROFILE_LEVEL`] for the profile's own keys).
    pub name: &'r str,
    /// The versions it sets.
    pub versions: Option<&'r RawList>,
    /// The suites it sets.
    pub suites: Option<&'r RawList>,
    /// The key path of its table.
    pub key: String,
}

/// Every level of `p`, most general first; the profile's own keys are the
/// most specific level. `key` is the profile's key path.
pub(super) fn levels<'r>(p: &'r RawProfile, key: &str) -> Vec<Level<'r>> {
    let mut levels: Vec<Level<'r>> = p
        .layer
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, l)| Level {
            name: l.get_ref().name.as_str(),
            versions: l.get_ref().versions.as_ref(),
            suites: l.get_ref().suites.as_ref(),
            key: format!("{key}.layer[{i}]"),
        })
        .collect();
    levels.push(Level {
        name: PROFILE_LEVEL,
        versions: p.versions.as_ref(),
        suites: p.suites.as_ref(),
        key: key.to_string(),
    });
    levels
}

/// The value that won a field: the most specific level's.
#[derive(Clone)]
pub(super) struct Won<T> {
    /// The value.
    pub value: T,
    /// The name of the level that set it.
    pub from: String,
    /// The span of its list in the file.
    pub span: Range<usize>,
}

/// One field resolved across the levels.
pub(super) struct Field<T> {
    /// The value each level set, in level order.
    pub by_level: Vec<Option<T>>,
    /// The most specific level's value, if any level set the field.
    pub won: Option<Won<T>>,
}

impl<T: Clone> Field<T> {
    /// Resolves the field `list` picks from each level: every level that
    /// sets it is read by `read` (told whether it is the winning level),
    /// most general first, and the most specific one wins.
    pub(super) fn resolve<'r>(
        levels: &[Level<'r>],
        list: impl Fn(&Level<'r>) -> Option<&'r RawList>,
        mut read: impl FnMut(&Level<'r>, &'r RawList, bool) -> T,
    ) -> Field<T> {
        let winner = levels.iter().rposition(|l| list(l).is_some());
        let mut field = Field {
            by_level: Vec::with_capacity(levels.len()),
            won: None,
        };
        for (i, level) in levels.iter().enumerate() {
            let value = list(level).map(|raw| {
                let value = read(level, raw, Some(i) == winner);
                field.won = Some(Won {
                    value: value.clone(),
                    from: level.name.to_string(),
                    span: raw.span(),
                });
                value
            });
            field.by_level.push(value);
        }
        field
    }
}

/// The `[[layer]]`s of `p` with the values each set.
pub(super) fn layers(
    p: &RawProfile,
    versions: &Field<Vec<ProtocolVersion>>,
    suites: &Field<Vec<SuiteChoice>>,
) -> Vec<Layer> {
    p.layer
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, l)| Layer {
            name: l.get_ref().name.clone(),
            source: l.get_ref().source.clone(),
            versions: versions.by_level[i].clone(),
            suites: suites.by_level[i].clone(),
            handshake: Default::default(),
        })
        .collect()
}

/// [`BROADWORKS_DEFAULT_SUITES`] as suite choices: what a layered profile
/// that sets suites at no level gets
/// (docs/products/broadworks.md#default-cipher-list).
pub(super) fn default_suites() -> Vec<SuiteChoice> {
    BROADWORKS_DEFAULT_SUITES
        .iter()
        .filter_map(|name| {
            let (suite, form) = registry().lookup(name)?;
            Some(SuiteChoice {
                suite,
                written: name.to_string(),
                form,
            })
        })
        .collect()
}
