//! `[profile.ID]` tables: one profile resolved in named steps (identity,
//! settings, the keys of each role, certificates, trust).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::certificates::Holder;
use super::{Resolver, Source};
use crate::backend::Backend;
use crate::jdk::{Jdk, JdkRelease, JdkSecurity};
use crate::pki::CaSpec;
use crate::scenario::error;
use crate::scenario::profile::{CertException, ClientAuth, EcdsaPresentation, Profile, Role};
use crate::scenario::raw::RawProfile;

/// Whether a file may define a profile under an id it already knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::scenario) enum Ids {
    /// Catalog files: every id once across the catalog.
    Unique,
    /// Scenario files: a profile may replace the catalog's of its id.
    MayReplace,
}

/// What a profile is: the five required keys, checked.
struct Identity {
    name: String,
    product: String,
    release: String,
    /// `None` when the file names an unknown role (reported).
    role: Option<Role>,
    connection: String,
}

/// The values of the keys that belong to one role.
struct RoleFields {
    ecdsa_presentation: EcdsaPresentation,
    accepted_exceptions: Vec<CertException>,
    hsts: bool,
    client_identities: Option<Vec<String>>,
    server_preference: bool,
    client_auth: ClientAuth,
    host: String,
}

impl Resolver {
    /// Adds the profiles of `s` to `into`. A catalog's ids must be new
    /// ([`Ids::Unique`]); a scenario file's may replace a catalog profile
    /// for that file ([`Ids::MayReplace`]). Returns the ids replaced.
    pub(in crate::scenario) fn profiles(
        &mut self,
        s: &Source,
        cas: &[CaSpec],
        into: &mut BTreeMap<String, Arc<Profile>>,
        ids: Ids,
    ) -> Vec<String> {
        let mut replaced = Vec::new();
        for (id, p) in &s.raw.profile {
            let key = format!("profile.{}", id.get_ref());
            self.check_id(s, id, key.clone());
            if ids == Ids::MayReplace && into.contains_key(id.get_ref()) {
                replaced.push(id.get_ref().clone());
            } else if let Some(existing) = into.get(id.get_ref()) {
                let message = format!(
                    "profile `{}` is already defined in {}",
                    id.get_ref(),
                    existing.defined_in.display()
                );
                self.err(
                    s,
                    id.span(),
                    key,
                    message,
                    Some("profile ids are unique across the catalog".into()),
                );
                continue;
            }
            match self.profile(s, id, p, cas, &key) {
                Some(profile) => {
                    into.insert(id.get_ref().clone(), Arc::new(profile));
                }
                None => {
                    into.remove(id.get_ref());
                    self.broken.insert(id.get_ref().clone());
                }
            }
        }
        replaced
    }

    /// One profile; `None` if it has any problem.
    fn profile(
        &mut self,
        s: &Source,
        id: &Spanned<String>,
        p: &RawProfile,
        cas: &[CaSpec],
        key: &str,
    ) -> Option<Profile> {
        let errors_before = self.errors.len();
        let identity = self.identity(s, id, p, key)?;
        let role = identity.role;
        let id = id.get_ref().as_str();
        let mut settings = self.settings(s, p, key, errors_before)?;
        let handshake = self.handshake_levels(s, p, key, role);
        for (layer, set) in settings.layers.iter_mut().zip(handshake.by_layer) {
            layer.handshake = set;
        }
        let role_fields = self.role_fields(s, id, p, key, role);
        let holder = Holder {
            id,
            role,
            host: &role_fields.host,
        };
        let certificates = self.certificates(s, p, cas, key, &holder);
        let trust = self.trust(s, p, cas, key);
        if self.errors.len() != errors_before {
            return None;
        }
        Some(Profile {
            id: id.to_string(),
            name: identity.name,
            product: identity.product,
            release: identity.release,
            role: role?,
            connection: identity.connection,
            stack: self.stack(s, p, key),
            jdk: self.jdk(s, p, key),
            source: p.source.clone(),
            versions: settings.versions,
            suites: settings.suites,
            handshake: handshake.effective,
            handshake_from: handshake.from,
            changes: settings.changes,
            fallback: settings.fallback,
            layers: settings.layers,
            versions_from: settings.versions_from,
            suites_from: settings.suites_from,
            ecdsa_presentation: role_fields.ecdsa_presentation,
            accepted_exceptions: role_fields.accepted_exceptions,
            hsts: role_fields.hsts,
            client_identities: role_fields.client_identities,
            server_preference: role_fields.server_preference,
            certificates,
            trust,
            client_auth: role_fields.client_auth,
            host: role_fields.host,
            defined_in: s.path.clone(),
        })
    }

    /// The five keys that say what the profile is: every missing one named
    /// at once (then `None`), the role parsed, the product and connection
    /// ids checked.
    fn identity(
        &mut self,
        s: &Source,
        id: &Spanned<String>,
        p: &RawProfile,
        key: &str,
    ) -> Option<Identity> {
        let (Some(name), Some(product), Some(release), Some(role), Some(connection)) =
            (&p.name, &p.product, &p.release, &p.role, &p.connection)
        else {
            self.missing_identity(s, id, p, key);
            return None;
        };
        let parsed = Role::parse(role.get_ref());
        if parsed.is_none() {
            let help = error::suggestion(role.get_ref(), &["client", "server"]);
            self.err(
                s,
                role.span(),
                format!("{key}.role"),
                format!("unknown role `{}`", role.get_ref()),
                help,
            );
        }
        for (field, v) in [("product", product), ("connection", connection)] {
            self.check_id(s, v, format!("{key}.{field}"));
        }
        Some(Identity {
            name: name.clone(),
            product: product.get_ref().clone(),
            release: release.clone(),
            role: parsed,
            connection: connection.get_ref().clone(),
        })
    }

    /// The stack the product ships, by backend name.
    fn stack(&mut self, s: &Source, p: &RawProfile, key: &str) -> Option<Backend> {
        let name = p.stack.as_ref()?;
        let found = Backend::EVERY
            .into_iter()
            .find(|b| b.as_str() == name.get_ref());
        if found.is_none() {
            let names: Vec<&str> = Backend::EVERY.iter().map(|b| b.as_str()).collect();
            self.err(
                s,
                name.span(),
                format!("{key}.stack"),
                format!("unknown stack `{}`", name.get_ref()),
                error::suggestion(name.get_ref(), &names)
                    .or_else(|| Some(format!("the harness runs {}", names.join(" and ")))),
            );
        }
        found
    }

    /// The JDK a JSSE side runs: a known release and its settings.
    fn jdk(&mut self, s: &Source, p: &RawProfile, key: &str) -> Option<Jdk> {
        let security = p.jdk_security.as_ref().and_then(|name| {
            let parsed = JdkSecurity::parse(name.get_ref());
            if parsed.is_none() {
                self.err(
                    s,
                    name.span(),
                    format!("{key}.jdk-security"),
                    format!("unknown JDK security settings `{}`", name.get_ref()),
                    Some(
                        "`default` (the release's own) or `legacy` (the era's relaxed ones)".into(),
                    ),
                );
            }
            parsed
        });
        let Some(release) = &p.jdk else {
            if let Some(name) = &p.jdk_security {
                self.err(
                    s,
                    name.span(),
                    format!("{key}.jdk-security"),
                    "jdk-security without a jdk".into(),
                    Some("name the release it applies to: jdk = \"17.0.2\"".into()),
                );
            }
            return None;
        };
        let release = self.jdk_release(s, release, format!("{key}.jdk"))?;
        Some(Jdk {
            release,
            security: security.unwrap_or(JdkSecurity::Default),
        })
    }

    /// A JDK release by its `java.version`, one the harness knows.
    pub(super) fn jdk_release(
        &mut self,
        s: &Source,
        name: &Spanned<String>,
        key: String,
    ) -> Option<&'static JdkRelease> {
        let found = crate::jdk::release(name.get_ref());
        if found.is_none() {
            let known: Vec<&str> = crate::jdk::RELEASES.iter().map(|r| r.version).collect();
            self.err(
                s,
                name.span(),
                key,
                format!("unknown JDK release `{}`", name.get_ref()),
                Some(format!("the harness runs JDK {}", known.join(", "))),
            );
        }
        found
    }

    fn missing_identity(&mut self, s: &Source, id: &Spanned<String>, p: &RawProfile, key: &str) {
        let present = [
            ("name", p.name.is_some()),
            ("product", p.product.is_some()),
            ("release", p.release.is_some()),
            ("role", p.role.is_some()),
            ("connection", p.connection.is_some()),
        ];
        let missing: Vec<String> = present
            .iter()
            .filter(|(_, here)| !here)
            .map(|(field, _)| format!("`{field}`"))
            .collect();
        self.err(
            s,
            id.span(),
            key.to_string(),
            format!(
                "profile `{}` is missing {}",
                id.get_ref(),
                missing.join(", ")
            ),
            Some("every profile says its name, product, release, role and connection".into()),
        );
    }

    /// The keys that belong to one role, each refused on a profile of the
    /// other.
    fn role_fields(
        &mut self,
        s: &Source,
        id: &str,
        p: &RawProfile,
        key: &str,
        role: Option<Role>,
    ) -> RoleFields {
        if role == Some(Role::Server) {
            self.misplaced(s, key, &client_only_keys(p), Role::Client);
        }
        let ecdsa_presentation = self.ecdsa_presentation(s, p, key);
        let accepted_exceptions = self.accepted_exceptions(s, p, key);
        if role == Some(Role::Client) {
            self.misplaced(s, key, &server_only_keys(p), Role::Server);
        }
        RoleFields {
            ecdsa_presentation,
            accepted_exceptions,
            hsts: p.hsts.as_ref().is_some_and(|h| *h.get_ref()),
            client_identities: p.client_identities.as_ref().map(|l| l.get_ref().clone()),
            server_preference: p.server_preference.as_ref().is_none_or(|b| *b.get_ref()),
            client_auth: self.client_auth(s, p, key),
            host: p
                .host
                .as_ref()
                .map_or_else(|| format!("{id}.test"), |h| h.get_ref().clone()),
        }
    }

    /// Refuses the `keys` set on a profile that is not an `owner`.
    fn misplaced(&mut self, s: &Source, key: &str, keys: &[Key<'_>], owner: Role) {
        let other = match owner {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        for (field, span) in keys {
            if let Some(span) = span {
                self.err(
                    s,
                    span.clone(),
                    format!("{key}.{field}"),
                    format!("`{field}` applies to {owner}s only"),
                    Some(format!("this profile has role = \"{other}\"")),
                );
            }
        }
    }

    /// Server only: when an ECDSA certificate is presented.
    fn ecdsa_presentation(&mut self, s: &Source, p: &RawProfile, key: &str) -> EcdsaPresentation {
        let Some(v) = p.ecdsa_presentation.as_ref() else {
            return EcdsaPresentation::WhenUsable;
        };
        EcdsaPresentation::parse(v.get_ref()).unwrap_or_else(|| {
            let help = error::suggestion(v.get_ref(), &EcdsaPresentation::NAMES);
            self.err(
                s,
                v.span(),
                format!("{key}.ecdsa-presentation"),
                format!("unknown policy `{}`", v.get_ref()),
                help,
            );
            EcdsaPresentation::WhenUsable
        })
    }

    /// Client only: certificates accepted despite an untrusted issuer.
    fn accepted_exceptions(&mut self, s: &Source, p: &RawProfile, key: &str) -> Vec<CertException> {
        let mut accepted = Vec::new();
        for (i, e) in p.accepted_exceptions.iter().flatten().enumerate() {
            if let Some(key_type) = self.key_type(
                s,
                &e.get_ref().key,
                format!("{key}.accepted-exceptions[{i}].key"),
            ) {
                accepted.push(CertException {
                    subject: e.get_ref().subject.clone(),
                    key: key_type,
                });
            }
        }
        accepted
    }

    /// Server only: the client-certificate policy.
    fn client_auth(&mut self, s: &Source, p: &RawProfile, key: &str) -> ClientAuth {
        let Some(v) = p.client_auth.as_ref() else {
            return ClientAuth::None;
        };
        match v.get_ref().as_str() {
            "none" => ClientAuth::None,
            "request" => ClientAuth::Request,
            "require" => ClientAuth::Require,
            other => {
                let help = error::suggestion(other, &["none", "request", "require"]);
                self.err(
                    s,
                    v.span(),
                    format!("{key}.client-auth"),
                    format!("unknown client-auth `{other}`"),
                    help,
                );
                ClientAuth::None
            }
        }
    }
}

/// A key of a profile by name, with its span if the file sets it.
type Key<'a> = (&'a str, Option<Range<usize>>);

/// The keys only a client may set, in the order they are reported.
fn client_only_keys(p: &RawProfile) -> [Key<'static>; 3] {
    [
        ("fallback", p.fallback.as_ref().map(Spanned::span)),
        (
            "accepted-exceptions",
            p.accepted_exceptions
                .as_ref()
                .and_then(|e| e.first())
                .map(Spanned::span),
        ),
        ("hsts", p.hsts.as_ref().map(Spanned::span)),
    ]
}

/// The keys only a server may set, in the order they are reported.
fn server_only_keys(p: &RawProfile) -> [Key<'static>; 5] {
    [
        (
            "server-preference",
            p.server_preference.as_ref().map(Spanned::span),
        ),
        ("client-auth", p.client_auth.as_ref().map(Spanned::span)),
        ("host", p.host.as_ref().map(Spanned::span)),
        (
            "ecdsa-presentation",
            p.ecdsa_presentation.as_ref().map(Spanned::span),
        ),
        (
            "client-identities",
            p.client_identities.as_ref().map(Spanned::span),
        ),
    ]
}
