//! The handshake keys beyond versions and suites (`groups`, `key-shares`,
//! `alpn`, `alpn-mismatch`, `signature-schemes`, `dh-bits`,
//! `minimum-key-bits`): read at each level that sets them (a layer,
//! the profile, a dated change), the most specific level winning key by
//! key, each key remembering the level that set it.

use toml::Spanned;

use super::{Resolver, Source};
use crate::group::{self, Group};
use crate::keysize::{self, MinimumKeys};
use crate::scenario::error;
use crate::scenario::layers::PROFILE_LEVEL;
use crate::scenario::profile::{AlpnMismatch, Handshake, Role};
use crate::scenario::raw::{RawHandshake, RawProfile};
use crate::scheme::{self, Scheme};

/// A registry whose entries a file names in a list.
struct Registry<T: 'static> {
    /// What an entry is called in messages.
    what: &'static str,
    lookup: fn(&str) -> Option<&'static T>,
    names: fn() -> Vec<&'static str>,
}

const GROUPS: Registry<Group> = Registry {
    what: "group",
    lookup: group::lookup,
    names: group::names,
};

const SCHEMES: Registry<Scheme> = Registry {
    what: "signature scheme",
    lookup: scheme::lookup,
    names: scheme::names,
};

/// A profile's handshake keys resolved across its levels.
pub(super) struct Resolved {
    /// The winning value of each key.
    pub effective: Handshake,
    /// What each `[[layer]]` set, in layer order.
    pub by_layer: Vec<Handshake>,
    /// For each key set, the level that set it.
    pub from: Vec<(&'static str, String)>,
}

impl Resolver {
    /// The handshake keys of `p`'s layers and its own, most general first.
    pub(super) fn handshake_levels(
        &mut self,
        s: &Source,
        p: &RawProfile,
        key: &str,
        role: Option<Role>,
    ) -> Resolved {
        let mut resolved = Resolved {
            effective: Handshake::default(),
            by_layer: Vec::new(),
            from: Vec::new(),
        };
        let layers = p.layer.iter().flatten().enumerate().map(|(i, l)| {
            let l = l.get_ref();
            (l.name.clone(), l.handshake(), format!("{key}.layer[{i}]"))
        });
        let own = (PROFILE_LEVEL.to_string(), p.handshake(), key.to_string());
        let levels: Vec<_> = layers.chain(std::iter::once(own)).collect();
        let count = levels.len();
        for (i, (name, raw, level_key)) in levels.into_iter().enumerate() {
            let parsed = self.handshake(s, raw, &level_key, role);
            for k in parsed.keys_set() {
                resolved.from.retain(|(set, _)| *set != k);
                resolved.from.push((k, name.clone()));
            }
            resolved.effective.overlay(&parsed);
            if i + 1 < count {
                resolved.by_layer.push(parsed);
            }
        }
        resolved
            .from
            .sort_by_key(|(k, _)| Handshake::KEYS.iter().position(|x| x == k));
        self.check_shares(s, p, key, &resolved.effective);
        resolved
    }

    /// One level's handshake keys; `role` (when known) rules out the keys
    /// of the other role.
    pub(super) fn handshake(
        &mut self,
        s: &Source,
        raw: RawHandshake<'_>,
        key: &str,
        role: Option<Role>,
    ) -> Handshake {
        let groups = raw
            .groups
            .map(|l| self.named(s, l, &format!("{key}.groups"), &GROUPS));
        let key_shares = raw.key_shares.map(|l| {
            self.only_for(
                s,
                role,
                Role::Client,
                l.span(),
                &format!("{key}.key-shares"),
            );
            self.named(s, l, &format!("{key}.key-shares"), &GROUPS)
        });
        let signature_schemes = raw
            .signature_schemes
            .map(|l| self.named(s, l, &format!("{key}.signature-schemes"), &SCHEMES));
        let alpn = raw.alpn.map(|l| self.alpn(s, l, &format!("{key}.alpn")));
        let alpn_mismatch = raw.alpn_mismatch.and_then(|m| {
            let k = format!("{key}.alpn-mismatch");
            self.only_for(s, role, Role::Server, m.span(), &k);
            let parsed = AlpnMismatch::parse(m.get_ref());
            if parsed.is_none() {
                let help = error::suggestion(m.get_ref(), &AlpnMismatch::NAMES);
                self.err(
                    s,
                    m.span(),
                    k,
                    format!("unknown value `{}`", m.get_ref()),
                    help,
                );
            }
            parsed
        });
        let dh_bits = raw.dh_bits.and_then(|b| {
            let k = format!("{key}.dh-bits");
            self.only_for(s, role, Role::Server, b.span(), &k);
            self.dh_bits(s, b, k)
        });
        let minimum_key_bits = raw.minimum_key_bits.map(|m| {
            let m = m.get_ref();
            MinimumKeys::new(m.rsa.unwrap_or(0), m.dh.unwrap_or(0), m.ec.unwrap_or(0))
        });
        Handshake {
            groups,
            key_shares,
            alpn,
            alpn_mismatch,
            signature_schemes,
            dh_bits,
            minimum_key_bits,
        }
    }

    /// A DHE size the harness has a group of.
    fn dh_bits(&mut self, s: &Source, bits: &Spanned<u32>, key: String) -> Option<u32> {
        let value = *bits.get_ref();
        if keysize::DH_SIZES.contains(&value) {
            return Some(value);
        }
        let sizes: Vec<String> = keysize::DH_SIZES.iter().map(u32::to_string).collect();
        self.err(
            s,
            bits.span(),
            key,
            format!("no DHE group of {value} bits"),
            Some(format!(
                "the harness has groups of {} bits",
                sizes.join(", ")
            )),
        );
        None
    }

    /// A key that belongs to one role only.
    fn only_for(
        &mut self,
        s: &Source,
        role: Option<Role>,
        wanted: Role,
        span: std::ops::Range<usize>,
        key: &str,
    ) {
        if role.is_some_and(|r| r != wanted) {
            self.err(
                s,
                span,
                key.to_string(),
                format!("only a {wanted} profile takes this key"),
                None,
            );
        }
    }

    /// A list of registry names: each known, none twice, at least one.
    fn named<T: PartialEq + 'static>(
        &mut self,
        s: &Source,
        list: &Spanned<Vec<Spanned<String>>>,
        key: &str,
        registry: &Registry<T>,
    ) -> Vec<&'static T> {
        let what = registry.what;
        let mut found: Vec<&'static T> = Vec::new();
        for (i, name) in list.get_ref().iter().enumerate() {
            let k = format!("{key}[{i}]");
            match (registry.lookup)(name.get_ref()) {
                Some(g) if found.contains(&g) => self.err(
                    s,
                    name.span(),
                    k,
                    format!("{what} `{}` is listed twice", name.get_ref()),
                    None,
                ),
                Some(g) => found.push(g),
                None => {
                    let help = error::suggestion(name.get_ref(), &(registry.names)());
                    self.err(
                        s,
                        name.span(),
                        k,
                        format!("unknown {what} `{}`", name.get_ref()),
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
                format!("no {what} listed"),
                None,
            );
        }
        found
    }

    /// ALPN protocol ids: 1 to 255 bytes each (RFC 7301 §3.1), none twice.
    fn alpn(&mut self, s: &Source, list: &Spanned<Vec<Spanned<String>>>, key: &str) -> Vec<String> {
        let mut protocols: Vec<String> = Vec::new();
        for (i, p) in list.get_ref().iter().enumerate() {
            let k = format!("{key}[{i}]");
            let problem = if p.get_ref().is_empty() || p.get_ref().len() > 255 {
                Some("an ALPN protocol id is 1 to 255 bytes".to_string())
            } else if protocols.contains(p.get_ref()) {
                Some(format!("protocol `{}` is listed twice", p.get_ref()))
            } else {
                None
            };
            match problem {
                Some(message) => self.err(s, p.span(), k, message, None),
                None => protocols.push(p.get_ref().clone()),
            }
        }
        protocols
    }

    /// A client's key shares must be groups it offers.
    fn check_shares(&mut self, s: &Source, p: &RawProfile, key: &str, h: &Handshake) {
        let (Some(groups), Some(shares)) = (&h.groups, &h.key_shares) else {
            return;
        };
        for share in shares.iter().filter(|g| !groups.contains(g)) {
            let span = p
                .key_shares
                .as_ref()
                .map_or_else(|| p.anchor(), Spanned::span);
            self.err(
                s,
                span,
                format!("{key}.key-shares"),
                format!(
                    "key share `{}` is not one of the profile's groups",
                    share.name
                ),
                Some("a key share goes with a group the hello lists in `groups`".into()),
            );
        }
    }
}
