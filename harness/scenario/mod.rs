//! Scenario files: endpoint profiles, CAs and scenarios, read from TOML and
//! resolved into types that cannot hold an invalid configuration.
//!
//! A *catalog* is every `*.toml` below a directory (by default
//! `scenarios/catalog/`); it holds `[ca.ID]` and `[profile.ID]` tables that
//! any scenario file, anywhere on disk, can use by id. A *scenario file*
//! holds `[[scenario]]` entries and may add CAs and profiles of its own.

// Input errors carry their file's text for miette; they are made once per
// bad file, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod error;
mod raw;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use toml::Spanned;

pub use error::{InputError, InputErrors};
use raw::{RawCa, RawCertificate, RawExpect, RawFile, RawProfile, RawScenario};

use crate::backend::Pairing;
use crate::moment::Moment;
use crate::outcome::{Alert, Outcome, Side};
use crate::pki::{CaSpec, Issuer, KeyType, LeafSpec, Purpose, Validity};
use crate::suite::{registry, NameForm, Suite};
use crate::version::ProtocolVersion;

/// The CA every profile uses unless it names another: issuer of default
/// certificates and default trust anchor of every endpoint.
pub const BUILTIN_ROOT: &str = "harness-root";

/// Which end of the connection a profile plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Sends the ClientHello.
    Client,
    /// Answers it.
    Server,
}

impl Role {
    fn parse(s: &str) -> Option<Role> {
        match s {
            "client" => Some(Role::Client),
            "server" => Some(Role::Server),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Client => "client",
            Role::Server => "server",
        })
    }
}

/// Whether a server asks for a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// Does not ask.
    None,
    /// Asks, and goes on without one.
    Request,
    /// Asks, and fails the handshake without one.
    Require,
}

/// A cipher suite as a profile listed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuiteChoice {
    /// The registry entry.
    pub suite: &'static Suite,
    /// The name as written in the file, reported back as such.
    pub written: String,
    /// Whether that name was the IANA or the OpenSSL spelling.
    pub form: NameForm,
}

/// A certificate a profile presents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateDef {
    /// Key type of the certificate's key.
    pub key: KeyType,
    /// Who signs it.
    pub issuer: Issuer,
    /// Common name.
    pub subject: String,
    /// More DNS names (a server's host is always one).
    pub sans: Vec<String>,
    /// When it is valid.
    pub validity: Validity,
    /// Whether the issuing CAs go with it.
    pub send_chain: bool,
}

impl CertificateDef {
    /// A certificate with the default validity, no extra names, sent with
    /// its chain.
    pub fn new(key: KeyType, issuer: Issuer, subject: impl Into<String>) -> Self {
        CertificateDef {
            key,
            issuer,
            subject: subject.into(),
            sans: Vec::new(),
            validity: Validity::default(),
            send_chain: true,
        }
    }
}

/// When a server with an ECDSA certificate presents it (PRODUCTS.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EcdsaPresentation {
    /// Whenever the client can use it (ECDSA preferred).
    WhenUsable,
    /// Only if its issuer signed it with an ECDSA key (UCCX's rule);
    /// otherwise it stays in the keystore and RSA is presented.
    OnlyIfEcdsaSigned,
    /// Never (the patch that disables it; it stays in the keystore).
    Never,
}

impl EcdsaPresentation {
    /// The names scenario files use.
    pub const NAMES: [&'static str; 3] = ["when-usable", "only-if-ecdsa-signed", "never"];

    fn parse(s: &str) -> Option<Self> {
        match s {
            "when-usable" => Some(Self::WhenUsable),
            "only-if-ecdsa-signed" => Some(Self::OnlyIfEcdsaSigned),
            "never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// A certificate a client accepts although its issuer is not trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertException {
    /// Common name of the certificate.
    pub subject: String,
    /// Its key type.
    pub key: KeyType,
}

/// The cipher list new XSP/ADP installs put at system level (PRODUCTS.md
/// §5), in its order: what a layered profile gets when no level sets
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
pub const DEFAULT_SUITES_LEVEL: &str = "system default list (PRODUCTS.md §5)";

/// The level of a profile's own keys, the most specific of all.
pub const PROFILE_LEVEL: &str = "profile";

/// One settings level of a layered profile (PRODUCTS.md §5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Its name.
    pub name: String,
    /// Where its values come from.
    pub source: Option<String>,
    /// Versions it sets.
    pub versions: Option<Vec<ProtocolVersion>>,
    /// Suites it sets.
    pub suites: Option<Vec<SuiteChoice>>,
}

/// One product release in one role: what it enables and presents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Shell-friendly id, unique across the catalog and the file.
    pub id: String,
    /// Display name in the vendor's notation: "UCCX 11.5(1)SU1".
    pub name: String,
    /// Product id.
    pub product: String,
    /// Release in the vendor's notation.
    pub release: String,
    /// Client or server.
    pub role: Role,
    /// Connection kind: https, jdbc, inbound, outbound, cti, ...
    pub connection: String,
    /// Where the facts come from.
    pub source: Option<String>,
    /// Enabled versions, oldest first, no duplicates.
    pub versions: Vec<ProtocolVersion>,
    /// Suites in preference order.
    pub suites: Vec<SuiteChoice>,
    /// Changes from a date on, in date order; see [`Profile::at`].
    pub changes: Vec<Change>,
    /// Client only: the retry after a failed first hello.
    pub fallback: Option<Fallback>,
    /// Settings levels, most general first (empty for a plain profile).
    pub layers: Vec<Layer>,
    /// The level `versions` came from.
    pub versions_from: String,
    /// The level `suites` came from.
    pub suites_from: String,
    /// Server only: when an ECDSA certificate is presented.
    pub ecdsa_presentation: EcdsaPresentation,
    /// Client only: certificates accepted despite an untrusted issuer.
    pub accepted_exceptions: Vec<CertException>,
    /// Client only: strict transport security, no exceptions honoured.
    pub hsts: bool,
    /// Server only: the client identities the application accepts.
    pub client_identities: Option<Vec<String>>,
    /// Server only: the server's order wins.
    pub server_preference: bool,
    /// Certificates presented (a client's go to servers that ask).
    pub certificates: Vec<CertificateDef>,
    /// CA ids trusted to sign the peer's certificate.
    pub trust: Vec<String>,
    /// Server only: client-certificate policy.
    pub client_auth: ClientAuth,
    /// Server only: the DNS name its certificates carry.
    pub host: String,
    /// The file that defines it.
    pub defined_in: PathBuf,
}

/// A profile's settings from a date on; unset fields keep their value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// From when.
    pub at: Moment,
    /// What happened, in words.
    pub note: Option<String>,
    /// Versions from then on.
    pub versions: Option<Vec<ProtocolVersion>>,
    /// Suites from then on.
    pub suites: Option<Vec<SuiteChoice>>,
}

/// How a client retries after its first hello fails: a real second
/// handshake with other versions. (A client that offers its old versions in
/// one hello needs no fallback: it lists them in `versions`.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    /// Versions of the retry.
    pub versions: Vec<ProtocolVersion>,
    /// Whether the retry carries TLS_FALLBACK_SCSV
    /// ([RFC 7507](https://www.rfc-editor.org/rfc/rfc7507)).
    pub scsv: bool,
}

impl Profile {
    /// The profile as it stood at `t`: every change dated at or before `t`
    /// applied in order.
    pub fn at(&self, t: Moment) -> Profile {
        let mut state = self.clone();
        for change in self.changes.iter().filter(|c| c.at <= t) {
            if let Some(v) = &change.versions {
                state.versions = v.clone();
            }
            if let Some(s) = &change.suites {
                state.suites = s.clone();
            }
        }
        state
    }

    /// The profile as its retry hello offers it, if it has a fallback.
    pub fn fallback_hello(&self) -> Option<Profile> {
        self.fallback.as_ref().map(|f| Profile {
            versions: f.versions.clone(),
            ..self.clone()
        })
    }

    /// The leaf certificates to issue for this profile, in profile order.
    pub fn leaf_specs(&self) -> Vec<LeafSpec> {
        let purpose = match self.role {
            Role::Client => Purpose::Client,
            Role::Server => Purpose::Server,
        };
        self.certificates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut dns_names = match self.role {
                    Role::Server => vec![self.host.clone()],
                    Role::Client => Vec::new(),
                };
                dns_names.extend(c.sans.iter().filter(|n| **n != self.host).cloned());
                LeafSpec {
                    subject: c.subject.clone(),
                    dns_names,
                    key: c.key,
                    issuer: c.issuer.clone(),
                    purpose,
                    key_slot: format!("{}#{i}", self.id),
                    validity: c.validity,
                }
            })
            .collect()
    }

    /// Why this profile keeps a certificate with a `key` key, signed by an
    /// `issuer_key` key, in its keystore without presenting it (the ECDSA
    /// presentation policy of PRODUCTS.md §4); `None` when it presents it.
    /// Clients present what they have.
    pub fn withholds(&self, key: KeyType, issuer_key: KeyType) -> Option<String> {
        use crate::pki::KeyAlgorithm::Ecdsa;
        if key.algorithm() != Ecdsa || self.role == Role::Client {
            return None;
        }
        match self.ecdsa_presentation {
            EcdsaPresentation::WhenUsable => None,
            EcdsaPresentation::Never => Some("ecdsa-presentation = never".to_string()),
            EcdsaPresentation::OnlyIfEcdsaSigned if issuer_key.algorithm() != Ecdsa => Some(
                format!("signed with an {issuer_key} key, and ecdsa-presentation = only-if-ecdsa-signed"),
            ),
            EcdsaPresentation::OnlyIfEcdsaSigned => None,
        }
    }

    /// The suites valid for `version`, in preference order.
    pub fn suites_for(&self, version: ProtocolVersion) -> impl Iterator<Item = &SuiteChoice> {
        self.suites
            .iter()
            .filter(move |s| s.suite.valid_for(version))
    }
}

/// `established`, `failed` or `identity-refused`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedResult {
    /// The handshake completes.
    Established,
    /// It fails.
    Failed,
    /// It completes, then the server's application refuses the client's
    /// identity.
    IdentityRefused,
}

impl ExpectedResult {
    /// The spelling in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedResult::Established => "established",
            ExpectedResult::Failed => "failed",
            ExpectedResult::IdentityRefused => "identity-refused",
        }
    }
}

/// What a scenario expects of one pairing; unset fields are not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Established or failed.
    pub result: Option<ExpectedResult>,
    /// Negotiated version.
    pub version: Option<ProtocolVersion>,
    /// Negotiated suite.
    pub suite: Option<&'static Suite>,
    /// Key type of the server certificate presented.
    pub server_key: Option<KeyType>,
    /// Alert on the wire.
    pub alert: Option<Alert>,
    /// Side that aborted.
    pub failed_side: Option<Side>,
    /// Whether the client fell back to its retry hello.
    pub fallback: Option<bool>,
}

impl Expected {
    fn overlay(&self, over: &Expected) -> Expected {
        Expected {
            result: over.result.or(self.result),
            version: over.version.or(self.version),
            suite: over.suite.or(self.suite),
            server_key: over.server_key.or(self.server_key),
            alert: over.alert.or(self.alert),
            failed_side: over.failed_side.or(self.failed_side),
            fallback: over.fallback.or(self.fallback),
        }
    }

    fn contradiction(&self) -> Option<&'static str> {
        match self.result {
            None => Some("`result` is required (`established` or `failed`)"),
            Some(ExpectedResult::Established | ExpectedResult::IdentityRefused)
                if self.alert.is_some() || self.failed_side.is_some() =>
            {
                Some("an established handshake has no `alert` or `failed-side`")
            }
            Some(ExpectedResult::Failed) if self.version.is_some() || self.suite.is_some() => {
                Some("a failed handshake negotiates no `version` or `suite`")
            }
            _ => None,
        }
    }

    /// The ways `outcome` differs from this expectation, in words; empty
    /// when it holds.
    /// `fell_back` says whether the client needed its retry hello.
    pub fn mismatches(&self, outcome: &Outcome, fell_back: bool) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(want) = self.fallback.filter(|want| *want != fell_back) {
            out.push(if want {
                "expected a fallback to the retry hello, there was none".to_string()
            } else {
                "expected no fallback, but the client retried".to_string()
            });
        }
        let mut check = |what: &str, want: Option<String>, got: Option<String>| {
            if let Some(want) = want {
                if Some(&want) != got.as_ref() {
                    out.push(format!(
                        "expected {what} {want}, got {}",
                        got.unwrap_or_else(|| "none".into())
                    ));
                }
            }
        };
        let got = match outcome {
            Outcome::Established(_) => ExpectedResult::Established,
            Outcome::Failed(_) => ExpectedResult::Failed,
            Outcome::IdentityRefused(_) => ExpectedResult::IdentityRefused,
        };
        if let Some(want) = self.result.filter(|want| *want != got) {
            out.push(format!(
                "expected {}, got {}",
                want.as_str(),
                outcome.summary()
            ));
            return out;
        }
        let handshake = match outcome {
            Outcome::Established(e) => Some(e),
            Outcome::IdentityRefused(r) => Some(&r.handshake),
            Outcome::Failed(_) => None,
        };
        if let Some(e) = handshake {
            check(
                "version",
                self.version.map(|v| v.to_string()),
                Some(e.version.to_string()),
            );
            check(
                "suite",
                self.suite.map(|s| s.iana.to_string()),
                Some(e.suite.name.clone()),
            );
        }
        if let Outcome::Failed(f) = outcome {
            check(
                "alert",
                self.alert.map(|a| a.name()),
                f.alert.map(|a| a.name()),
            );
            check(
                "failed side",
                self.failed_side.map(|s| s.to_string()),
                f.failed_side.map(|s| s.to_string()),
            );
        }
        let key = outcome.server_certificate().map(|c| c.leaf.key.clone());
        check(
            "server key",
            self.server_key.map(|k| k.as_str().to_string()),
            key,
        );
        out
    }
}

/// A scenario's expectation: one for all pairings, with overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Applies to every pairing.
    pub base: Expected,
    /// Overrides where the backends differ by design.
    pub by_pairing: BTreeMap<Pairing, Expected>,
}

impl Expectation {
    /// The expectation in force for one pairing.
    pub fn for_pairing(&self, pairing: Pairing) -> Expected {
        match self.by_pairing.get(&pairing) {
            Some(over) => self.base.overlay(over),
            None => self.base.clone(),
        }
    }
}

/// A client profile paired with a server profile.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Unique within its file.
    pub id: String,
    /// What it shows.
    pub description: Option<String>,
    /// Where the expected behaviour is documented.
    pub source: Option<String>,
    /// The client.
    pub client: Arc<Profile>,
    /// The server.
    pub server: Arc<Profile>,
    /// The pairings to run, in order.
    pub pairings: Vec<Pairing>,
    /// The name the client asks for and verifies.
    pub server_name: String,
    /// What should happen, if stated.
    pub expect: Option<Expectation>,
    /// The date to run at, if the scenario pins one.
    pub at: Option<Moment>,
}

/// A loaded scenario file: its scenarios and every CA they may use.
#[derive(Clone, Debug)]
pub struct ScenarioFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its scenarios in file order.
    pub scenarios: Vec<Scenario>,
    /// Every CA known to it (built-in root, catalog, file), parents first.
    pub cas: Vec<CaSpec>,
}

/// Profiles and CAs that scenario files use by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Profiles by id.
    pub profiles: BTreeMap<String, Arc<Profile>>,
    /// CAs, parents first, the built-in root included.
    pub cas: Vec<CaSpec>,
    /// The files it was read from.
    pub files: Vec<PathBuf>,
}

/// Every `*.toml` below `dir`, sorted, for stable order.
pub fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn builtin_root() -> CaSpec {
    CaSpec {
        id: BUILTIN_ROOT.to_string(),
        subject: "tls-harness Test Root".to_string(),
        key: KeyType::Rsa2048,
        issuer: None,
    }
}

struct Source {
    path: PathBuf,
    text: String,
    raw: RawFile,
}

fn read_file(path: &Path) -> Result<Source, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    parse_source(path, text)
}

fn parse_source(path: &Path, text: String) -> Result<Source, InputError> {
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

impl Catalog {
    /// A catalog with nothing but the built-in root CA.
    pub fn empty() -> Catalog {
        Catalog {
            cas: vec![builtin_root()],
            ..Catalog::default()
        }
    }

    /// Reads every `*.toml` below `dir`. Catalog files hold CAs and profiles
    /// only.
    pub fn load(dir: &Path) -> Result<Catalog, InputErrors> {
        let files = toml_files(dir)
            .map_err(|e| InputError::file(dir, format!("cannot read catalog directory: {e}")))?;
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for f in &files {
            match read_file(f) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut catalog = Catalog::empty();
        catalog.files = files;
        let mut r = Resolver::default();
        catalog.cas = r.cas(&sources, catalog.cas.clone());
        for s in &sources {
            if let Some(first) = s.raw.scenario.first() {
                r.push(
                    InputError::at(
                        &s.path,
                        &s.text,
                        Some(first.id.span()),
                        "catalog files hold no scenarios",
                    )
                    .with_key("scenario")
                    .with_help("move the scenario to a file outside the catalog directory"),
                );
            }
            r.profiles(s, &catalog.cas, &mut catalog.profiles);
        }
        r.finish()?;
        Ok(catalog)
    }

    /// Loads one scenario file, resolving ids against this catalog.
    pub fn load_scenario_file(&self, path: &Path) -> Result<ScenarioFile, InputErrors> {
        self.resolve_scenario_file(read_file(path)?)
    }

    /// Reads a scenario file from text; `name` is what errors call it.
    pub fn parse_scenario_file(
        &self,
        name: &Path,
        text: &str,
    ) -> Result<ScenarioFile, InputErrors> {
        self.resolve_scenario_file(parse_source(name, text.to_string())?)
    }

    fn resolve_scenario_file(&self, source: Source) -> Result<ScenarioFile, InputErrors> {
        let path = source.path.clone();
        let mut r = Resolver::default();
        let cas = r.cas(std::slice::from_ref(&source), self.cas.clone());
        let mut profiles = self.profiles.clone();
        r.profiles(&source, &cas, &mut profiles);
        let scenarios = r.scenarios(&source, &profiles);
        r.finish()?;
        Ok(ScenarioFile {
            path,
            scenarios,
            cas,
        })
    }
}

fn is_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Collects every problem of a resolution pass.
#[derive(Default)]
struct Resolver {
    errors: Vec<InputError>,
    /// Profiles defined with errors, so that scenarios naming them are not
    /// told the profile does not exist.
    broken: BTreeSet<String>,
}

impl Resolver {
    fn push(&mut self, e: InputError) {
        self.errors.push(e);
    }

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

    fn finish(self) -> Result<(), InputErrors> {
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

    /// Adds the CAs of `sources` to `known`, parents before children.
    fn cas(&mut self, sources: &[Source], mut known: Vec<CaSpec>) -> Vec<CaSpec> {
        let mut pending: Vec<(&Source, &Spanned<String>, &RawCa, CaSpec)> = Vec::new();
        for s in sources {
            for (id, ca) in &s.raw.ca {
                let key = format!("ca.{}", id.get_ref());
                self.check_id(s, id, key.clone());
                if known.iter().any(|c| c.id == *id.get_ref())
                    || pending.iter().any(|p| p.3.id == *id.get_ref())
                {
                    self.err(
                        s,
                        id.span(),
                        key,
                        format!("CA `{}` is defined twice", id.get_ref()),
                        None,
                    );
                    continue;
                }
                let key_type = match &ca.key {
                    Some(k) => match self.key_type(s, k, format!("{key}.key")) {
                        Some(t) => t,
                        None => continue,
                    },
                    None => KeyType::Rsa2048,
                };
                if key_type == KeyType::Dsa2048 {
                    let span = ca.key.as_ref().map_or(id.span(), Spanned::span);
                    self.err(
                        s,
                        span,
                        format!("{key}.key"),
                        "a CA cannot have a DSA key here".into(),
                        Some(
                            "the test PKI signs with RSA or ECDSA CAs; DSA keys can be leaves"
                                .into(),
                        ),
                    );
                    continue;
                }
                let spec = CaSpec {
                    id: id.get_ref().clone(),
                    subject: ca.subject.clone(),
                    key: key_type,
                    issuer: ca.issuer.as_ref().map(|i| i.get_ref().clone()),
                };
                pending.push((s, id, ca, spec));
            }
        }
        // Parents first; whatever cannot be placed has an unknown or
        // circular issuer.
        loop {
            let before = pending.len();
            pending.retain(|(_, _, _, spec)| {
                let ready = spec
                    .issuer
                    .as_ref()
                    .is_none_or(|p| known.iter().any(|c| &c.id == p));
                if ready {
                    known.push(spec.clone());
                }
                !ready
            });
            if pending.len() == before {
                break;
            }
        }
        let all_ids: Vec<String> = known
            .iter()
            .map(|c| c.id.clone())
            .chain(pending.iter().map(|p| p.3.id.clone()))
            .collect();
        for (s, id, ca, _) in pending {
            let issuer = ca
                .issuer
                .as_ref()
                .expect("only CAs with an issuer can be pending");
            let names: Vec<&str> = all_ids.iter().map(String::as_str).collect();
            let (message, help) = if all_ids.contains(issuer.get_ref()) {
                (
                    format!("CA `{}` is part of an issuer cycle", id.get_ref()),
                    None,
                )
            } else {
                (
                    format!("unknown CA `{}`", issuer.get_ref()),
                    error::suggestion(issuer.get_ref(), &names),
                )
            };
            self.err(
                s,
                issuer.span(),
                format!("ca.{}.issuer", id.get_ref()),
                message,
                help,
            );
        }
        known
    }

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

    fn profiles(&mut self, s: &Source, cas: &[CaSpec], into: &mut BTreeMap<String, Arc<Profile>>) {
        for (id, p) in &s.raw.profile {
            let key = format!("profile.{}", id.get_ref());
            self.check_id(s, id, key.clone());
            if let Some(existing) = into.get(id.get_ref()) {
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
            match self.profile(s, id.get_ref(), p, cas, &key) {
                Some(profile) => {
                    into.insert(id.get_ref().clone(), Arc::new(profile));
                }
                None => {
                    self.broken.insert(id.get_ref().clone());
                }
            }
        }
    }

    fn versions(
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
    fn suites(
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

    fn profile(
        &mut self,
        s: &Source,
        id: &str,
        p: &RawProfile,
        cas: &[CaSpec],
        key: &str,
    ) -> Option<Profile> {
        let errors_before = self.errors.len();
        let role = Role::parse(p.role.get_ref());
        if role.is_none() {
            let help = error::suggestion(p.role.get_ref(), &["client", "server"]);
            self.err(
                s,
                p.role.span(),
                format!("{key}.role"),
                format!("unknown role `{}`", p.role.get_ref()),
                help,
            );
        }
        for (field, v) in [("product", &p.product), ("connection", &p.connection)] {
            self.check_id(s, v, format!("{key}.{field}"));
        }

        // Every level, most general first; the profile's own keys are the
        // most specific level.
        type Level<'r> = (
            &'r str,
            Option<&'r Spanned<Vec<Spanned<String>>>>,
            Option<&'r Spanned<Vec<Spanned<String>>>>,
            String,
        );
        let mut levels: Vec<Level<'_>> = p
            .layer
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, l)| {
                (
                    l.get_ref().name.as_str(),
                    l.get_ref().versions.as_ref(),
                    l.get_ref().suites.as_ref(),
                    format!("{key}.layer[{i}]"),
                )
            })
            .collect();
        levels.push((
            PROFILE_LEVEL,
            p.versions.as_ref(),
            p.suites.as_ref(),
            key.to_string(),
        ));
        let mut layers: Vec<Layer> = p
            .layer
            .iter()
            .flatten()
            .map(|l| Layer {
                name: l.get_ref().name.clone(),
                source: l.get_ref().source.clone(),
                versions: None,
                suites: None,
            })
            .collect();
        let mut versions = None;
        for (i, (name, list, _, k)) in levels.iter().enumerate() {
            if let Some(list) = list {
                let parsed = self.versions(s, list, &format!("{k}.versions"));
                if let Some(layer) = layers.get_mut(i) {
                    layer.versions = Some(parsed.clone());
                }
                versions = Some((parsed, name.to_string()));
            }
        }
        let Some((versions, versions_from)) = versions else {
            self.err(
                s,
                p.role.span(),
                key.to_string(),
                "no protocol versions".into(),
                Some("set `versions` on the profile or on one of its layers".into()),
            );
            return None;
        };
        let fallback = p.fallback.as_ref().map(|f| Fallback {
            versions: self.versions(
                s,
                &f.get_ref().versions,
                &format!("{key}.fallback.versions"),
            ),
            scsv: f.get_ref().scsv.unwrap_or(false),
        });
        let mut reachable = versions.clone();
        reachable.extend(fallback.iter().flat_map(|f| f.versions.iter().copied()));
        // Only the winning list must fit the versions; an overridden level's
        // list is checked for names alone.
        let winner = levels.iter().rposition(|l| l.2.is_some());
        let mut suites = None;
        for (i, (name, _, list, k)) in levels.iter().enumerate() {
            if let Some(list) = list {
                let fit = if Some(i) == winner {
                    reachable.as_slice()
                } else {
                    &[]
                };
                let parsed = self.suites(s, list, fit, &format!("{k}.suites"));
                if let Some(layer) = layers.get_mut(i) {
                    layer.suites = Some(parsed.clone());
                }
                suites = Some((parsed, name.to_string(), list.span()));
            }
        }
        // A layered profile that sets suites at no level gets the default
        // list that new installs put at system level (PRODUCTS.md §5).
        let suites = suites.or_else(|| {
            (!layers.is_empty()).then(|| {
                let list = BROADWORKS_DEFAULT_SUITES
                    .iter()
                    .filter_map(|name| {
                        let (suite, form) = registry().lookup(name)?;
                        Some(SuiteChoice {
                            suite,
                            written: name.to_string(),
                            form,
                        })
                    })
                    .collect();
                (list, DEFAULT_SUITES_LEVEL.to_string(), p.role.span())
            })
        });
        let Some((suites, suites_from, suites_span)) = suites else {
            self.err(
                s,
                p.role.span(),
                key.to_string(),
                "no cipher suites".into(),
                Some("set `suites` on the profile or on one of its layers".into()),
            );
            return None;
        };
        if self.errors.len() == errors_before {
            self.check_coverage(s, &reachable, &suites, suites_span, key);
        }
        let mut changes: Vec<Change> = Vec::new();
        for (i, c) in p.change.iter().flatten().enumerate() {
            let k = format!("{key}.change[{i}]");
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
                    continue;
                }
            };
            if changes.last().is_some_and(|prev| prev.at >= at) {
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
                .or_else(|| changes.iter().rev().find_map(|c| c.versions.clone()))
                .unwrap_or_else(|| versions.clone());
            let new_suites = raw
                .suites
                .as_ref()
                .map(|l| self.suites(s, l, &state_versions, &format!("{k}.suites")));
            if self.errors.len() == before {
                let state_suites = new_suites
                    .clone()
                    .or_else(|| changes.iter().rev().find_map(|c| c.suites.clone()))
                    .unwrap_or_else(|| suites.clone());
                self.check_coverage(s, &state_versions, &state_suites, c.span(), &k);
            }
            changes.push(Change {
                at,
                note: raw.note.clone(),
                versions: new_versions,
                suites: new_suites,
            });
        }
        if role == Some(Role::Server) {
            if let Some(f) = &p.fallback {
                self.err(
                    s,
                    f.span(),
                    format!("{key}.fallback"),
                    "`fallback` applies to clients only".into(),
                    Some("this profile has role = \"server\"".into()),
                );
            }
        }

        // Keys that only make sense for one role.
        let server_only: [(&str, Option<Range<usize>>); 5] = [
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
        ];
        if role == Some(Role::Server) {
            let client_only = [
                (
                    "accepted-exceptions",
                    p.accepted_exceptions
                        .as_ref()
                        .and_then(|e| e.first())
                        .map(Spanned::span),
                ),
                ("hsts", p.hsts.as_ref().map(Spanned::span)),
            ];
            for (field, span) in client_only {
                if let Some(span) = span {
                    self.err(
                        s,
                        span,
                        format!("{key}.{field}"),
                        format!("`{field}` applies to clients only"),
                        Some("this profile has role = \"server\"".into()),
                    );
                }
            }
        }
        let ecdsa_presentation = match p.ecdsa_presentation.as_ref() {
            None => EcdsaPresentation::WhenUsable,
            Some(v) => match EcdsaPresentation::parse(v.get_ref()) {
                Some(policy) => policy,
                None => {
                    let help = error::suggestion(v.get_ref(), &EcdsaPresentation::NAMES);
                    self.err(
                        s,
                        v.span(),
                        format!("{key}.ecdsa-presentation"),
                        format!("unknown policy `{}`", v.get_ref()),
                        help,
                    );
                    EcdsaPresentation::WhenUsable
                }
            },
        };
        let mut accepted_exceptions = Vec::new();
        for (i, e) in p.accepted_exceptions.iter().flatten().enumerate() {
            if let Some(key_type) = self.key_type(
                s,
                &e.get_ref().key,
                format!("{key}.accepted-exceptions[{i}].key"),
            ) {
                accepted_exceptions.push(CertException {
                    subject: e.get_ref().subject.clone(),
                    key: key_type,
                });
            }
        }
        let hsts = p.hsts.as_ref().is_some_and(|h| *h.get_ref());
        let client_identities = p.client_identities.as_ref().map(|l| l.get_ref().clone());
        if role == Some(Role::Client) {
            for (field, span) in server_only {
                if let Some(span) = span {
                    self.err(
                        s,
                        span,
                        format!("{key}.{field}"),
                        format!("`{field}` applies to servers only"),
                        Some("this profile has role = \"client\"".into()),
                    );
                }
            }
        }
        let client_auth = match p.client_auth.as_ref() {
            None => ClientAuth::None,
            Some(v) => match v.get_ref().as_str() {
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
            },
        };
        let host = p
            .host
            .as_ref()
            .map_or_else(|| format!("{id}.test"), |h| h.get_ref().clone());

        let mut certificates = Vec::new();
        match &p.certificate {
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    let k = format!("{key}.certificate[{i}]");
                    if let Some(def) = self.certificate(s, c.get_ref(), cas, &k, role, id, &host) {
                        if certificates
                            .iter()
                            .any(|d: &CertificateDef| d.key.algorithm() == def.key.algorithm())
                        {
                            self.err(
                                s,
                                c.span(),
                                k,
                                "two certificates with the same key algorithm".into(),
                                Some(
                                    "a server holds at most one certificate per key algorithm"
                                        .into(),
                                ),
                            );
                        }
                        certificates.push(def);
                    }
                }
                if role == Some(Role::Server) && list.is_empty() {
                    self.err(
                        s,
                        0..0,
                        format!("{key}.certificate"),
                        "a server needs a certificate".into(),
                        None,
                    );
                }
            }
            None if role == Some(Role::Server) => certificates.push(CertificateDef::new(
                KeyType::Rsa2048,
                Issuer::Ca(BUILTIN_ROOT.to_string()),
                host.clone(),
            )),
            None => {}
        }

        let trust = match &p.trust {
            Some(list) => list
                .iter()
                .enumerate()
                .filter(|(i, t)| self.ca_ref(s, t, cas, format!("{key}.trust[{i}]")))
                .map(|(_, t)| t.get_ref().clone())
                .collect(),
            None => vec![BUILTIN_ROOT.to_string()],
        };

        if self.errors.len() != errors_before {
            return None;
        }
        Some(Profile {
            id: id.to_string(),
            name: p.name.clone(),
            product: p.product.get_ref().clone(),
            release: p.release.clone(),
            role: role?,
            connection: p.connection.get_ref().clone(),
            source: p.source.clone(),
            versions,
            suites,
            changes,
            fallback,
            layers,
            versions_from,
            suites_from,
            ecdsa_presentation,
            accepted_exceptions,
            hsts,
            client_identities,
            server_preference: p.server_preference.as_ref().is_none_or(|b| *b.get_ref()),
            certificates,
            trust,
            client_auth,
            host,
            defined_in: s.path.clone(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn certificate(
        &mut self,
        s: &Source,
        c: &RawCertificate,
        cas: &[CaSpec],
        key: &str,
        role: Option<Role>,
        id: &str,
        host: &str,
    ) -> Option<CertificateDef> {
        let key_type = self.key_type(s, &c.key, format!("{key}.key"))?;
        let issuer = match &c.issuer {
            None => Issuer::Ca(BUILTIN_ROOT.to_string()),
            Some(i) if i.get_ref() == "self" => Issuer::SelfSigned,
            Some(i) => {
                if !self.ca_ref(s, i, cas, format!("{key}.issuer")) {
                    return None;
                }
                Issuer::Ca(i.get_ref().clone())
            }
        };
        let subject = c.subject.clone().unwrap_or_else(|| match role {
            Some(Role::Client) => id.to_string(),
            _ => host.to_string(),
        });
        let mut validity = Validity::default();
        for (field, value, slot) in [
            ("not-before", &c.not_before, &mut validity.not_before),
            ("not-after", &c.not_after, &mut validity.not_after),
        ] {
            if let Some(v) = value {
                match Moment::from_toml(v.get_ref()) {
                    Ok(m) => *slot = m.unix(),
                    Err(why) => self.err(
                        s,
                        v.span(),
                        format!("{key}.{field}"),
                        format!("bad date: {why}"),
                        None,
                    ),
                }
            }
        }
        if validity.not_before > validity.not_after {
            let span = c
                .not_after
                .as_ref()
                .or(c.not_before.as_ref())
                .map_or(0..0, Spanned::span);
            self.err(
                s,
                span,
                format!("{key}.not-after"),
                "the certificate ends before it begins".into(),
                None,
            );
        }
        Some(CertificateDef {
            key: key_type,
            issuer,
            subject,
            sans: c.sans.clone().unwrap_or_default(),
            validity,
            send_chain: c.send_chain.unwrap_or(true),
        })
    }

    fn scenarios(
        &mut self,
        s: &Source,
        profiles: &BTreeMap<String, Arc<Profile>>,
    ) -> Vec<Scenario> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, raw) in s.raw.scenario.iter().enumerate() {
            let key = format!("scenario[{i}]");
            self.check_id(s, &raw.id, format!("{key}.id"));
            if !seen.insert(raw.id.get_ref().clone()) {
                self.err(
                    s,
                    raw.id.span(),
                    format!("{key}.id"),
                    format!(
                        "scenario id `{}` is used twice in this file",
                        raw.id.get_ref()
                    ),
                    None,
                );
            }
            if let Some(scn) = self.scenario(s, raw, profiles, &key) {
                out.push(scn);
            }
        }
        out
    }

    fn profile_ref(
        &mut self,
        s: &Source,
        v: &Spanned<String>,
        want: Role,
        profiles: &BTreeMap<String, Arc<Profile>>,
        key: String,
    ) -> Option<Arc<Profile>> {
        match profiles.get(v.get_ref()) {
            Some(p) if p.role == want => Some(p.clone()),
            Some(p) => {
                self.err(
                    s,
                    v.span(),
                    key,
                    format!("profile `{}` has role {}, not {want}", p.id, p.role),
                    None,
                );
                None
            }
            // Its own errors are reported already; "unknown" would mislead.
            None if self.broken.contains(v.get_ref()) => None,
            None => {
                let same_role: Vec<&str> = profiles
                    .values()
                    .filter(|p| p.role == want)
                    .map(|p| p.id.as_str())
                    .collect();
                let help = error::nearest(v.get_ref(), same_role.iter().copied())
                    .map(|n| format!("did you mean `{n}`?"))
                    .or_else(|| Some("`tls-harness list` shows the profiles".into()));
                self.err(
                    s,
                    v.span(),
                    key,
                    format!("unknown {want} profile `{}`", v.get_ref()),
                    help,
                );
                None
            }
        }
    }

    fn scenario(
        &mut self,
        s: &Source,
        raw: &RawScenario,
        profiles: &BTreeMap<String, Arc<Profile>>,
        key: &str,
    ) -> Option<Scenario> {
        let client = self.profile_ref(
            s,
            &raw.client,
            Role::Client,
            profiles,
            format!("{key}.client"),
        );
        let server = self.profile_ref(
            s,
            &raw.server,
            Role::Server,
            profiles,
            format!("{key}.server"),
        );
        let pairings = match &raw.pairings {
            None => Pairing::ALL.to_vec(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, v) in list.iter().enumerate() {
                    match self.pairing(s, v, format!("{key}.pairings[{i}]")) {
                        Some(p) if !out.contains(&p) => out.push(p),
                        _ => {}
                    }
                }
                out
            }
        };
        let expect = raw
            .expect
            .as_ref()
            .and_then(|e| self.expectation(s, e, &format!("{key}.expect")));
        let at = raw
            .at
            .as_ref()
            .and_then(|at| match Moment::from_toml(at.get_ref()) {
                Ok(m) => Some(m),
                Err(why) => {
                    self.err(
                        s,
                        at.span(),
                        format!("{key}.at"),
                        format!("bad date: {why}"),
                        None,
                    );
                    None
                }
            });
        let (client, server) = (client?, server?);
        let server_name = raw
            .server_name
            .clone()
            .unwrap_or_else(|| server.host.clone());
        Some(Scenario {
            id: raw.id.get_ref().clone(),
            description: raw.description.clone(),
            source: raw.source.clone(),
            client,
            server,
            pairings,
            server_name,
            expect,
            at,
        })
    }

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

    fn expected(&mut self, s: &Source, e: &RawExpect, key: &str) -> Expected {
        let mut out = Expected::default();
        if let Some(v) = &e.result {
            out.result = match v.get_ref().as_str() {
                "established" => Some(ExpectedResult::Established),
                "failed" => Some(ExpectedResult::Failed),
                "identity-refused" => Some(ExpectedResult::IdentityRefused),
                other => {
                    let help =
                        error::suggestion(other, &["established", "failed", "identity-refused"]);
                    self.err(
                        s,
                        v.span(),
                        format!("{key}.result"),
                        format!("unknown result `{other}`"),
                        help,
                    );
                    None
                }
            };
        }
        if let Some(v) = &e.version {
            out.version = ProtocolVersion::parse(v.get_ref());
            if out.version.is_none() {
                self.err(
                    s,
                    v.span(),
                    format!("{key}.version"),
                    format!("unknown protocol version `{}`", v.get_ref()),
                    Some("versions are \"1.0\", \"1.1\", \"1.2\" and \"1.3\"".into()),
                );
            }
        }
        if let Some(v) = &e.suite {
            out.suite = registry().lookup(v.get_ref()).map(|(suite, _)| suite);
            if out.suite.is_none() {
                let help = registry()
                    .suggest(v.get_ref())
                    .map(|n| format!("did you mean `{n}`?"));
                self.err(
                    s,
                    v.span(),
                    format!("{key}.suite"),
                    format!("unknown cipher suite `{}`", v.get_ref()),
                    help,
                );
            }
        }
        if let Some(v) = &e.server_key {
            out.server_key = self.key_type(s, v, format!("{key}.server-key"));
        }
        if let Some(v) = &e.alert {
            out.alert = Alert::from_name(v.get_ref());
            if out.alert.is_none() {
                let names = Alert::known_names();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let help =
                    error::nearest(v.get_ref(), refs).map(|n| format!("did you mean `{n}`?"));
                self.err(
                    s,
                    v.span(),
                    format!("{key}.alert"),
                    format!("unknown alert `{}`", v.get_ref()),
                    help,
                );
            }
        }
        out.fallback = e.fallback;
        if let Some(v) = &e.failed_side {
            out.failed_side = match v.get_ref().as_str() {
                "client" => Some(Side::Client),
                "server" => Some(Side::Server),
                other => {
                    let help = error::suggestion(other, &["client", "server"]);
                    self.err(
                        s,
                        v.span(),
                        format!("{key}.failed-side"),
                        format!("unknown side `{other}`"),
                        help,
                    );
                    None
                }
            };
        }
        out
    }

    fn expectation(&mut self, s: &Source, e: &RawExpect, key: &str) -> Option<Expectation> {
        let errors_before = self.errors.len();
        let base = self.expected(s, e, key);
        let mut by_pairing = BTreeMap::new();
        for (name, over) in &e.pairing {
            let k = format!("{key}.pairing.{}", name.get_ref());
            let Some(p) = self.pairing(s, name, k.clone()) else {
                continue;
            };
            if !over.get_ref().pairing.is_empty() {
                self.err(
                    s,
                    over.span(),
                    k.clone(),
                    "pairing overrides do not nest".into(),
                    None,
                );
            }
            let fields = self.expected(s, over.get_ref(), &k);
            if let Some(why) = base.overlay(&fields).contradiction() {
                self.err(
                    s,
                    over.span(),
                    k,
                    format!("contradictory expectation: {why}"),
                    None,
                );
            }
            by_pairing.insert(p, fields);
        }
        if self.errors.len() == errors_before {
            if let Some(why) = base.contradiction() {
                let span = e.result.as_ref().map_or(0..0, Spanned::span);
                self.err(
                    s,
                    span,
                    key.to_string(),
                    format!("contradictory expectation: {why}"),
                    None,
                );
            }
        }
        (self.errors.len() == errors_before).then_some(Expectation { base, by_pairing })
    }
}
