//! The resolved profile: one product release in one role, and what it
//! answers (its state at a date, its retry hello, its leaf certificates,
//! the certificates it withholds).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::backend::Backend;
use crate::group::Group;
use crate::jdk::{Jdk, JdkRelease, JdkSecurity};
use crate::keysize::{self, MinimumKeys};
use crate::moment::Moment;
use crate::pki::{Issuer, KeyType, LeafSpec, Purpose, Validity};
use crate::scheme::Scheme;
use crate::suite::{NameForm, Suite};
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
    /// The role a file names: `client` or `server`.
    pub fn parse(s: &str) -> Option<Role> {
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

/// When a server with an ECDSA certificate presents it
/// (docs/products/uccx.md#ecdsa-certificates-signed-with-an-rsa-key).
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

    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "when-usable" => Some(Self::WhenUsable),
            "only-if-ecdsa-signed" => Some(Self::OnlyIfEcdsaSigned),
            "never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// How a server answers a client whose ALPN protocols share none with its
/// own ([RFC 7301 §3.2](https://www.rfc-editor.org/rfc/rfc7301#section-3.2)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlpnMismatch {
    /// With the fatal alert `no_application_protocol`, as the RFC says.
    #[default]
    Refuse,
    /// By going on without ALPN (what many HTTP servers do).
    Ignore,
}

impl AlpnMismatch {
    /// The names scenario files use.
    pub const NAMES: [&'static str; 2] = ["refuse", "ignore"];

    /// The value a file names.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Refuse, Self::Ignore]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    /// The name files use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refuse => "refuse",
            Self::Ignore => "ignore",
        }
    }
}

/// The handshake's settings beyond versions and suites: key-exchange
/// groups, key shares and ALPN. Every field is optional: a profile, a
/// layer or a dated change sets what it names, the most specific wins
/// field by field ([`Handshake::overlay`]), and what no level sets stays
/// the stack's own default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Handshake {
    /// Key-exchange groups in preference order; `None`: the stack's
    /// default list.
    pub groups: Option<Vec<&'static Group>>,
    /// Client only: the groups that get a key share in the first hello;
    /// `None`: the stack's default (the first group).
    pub key_shares: Option<Vec<&'static Group>>,
    /// ALPN protocols: offered (client) or accepted in preference order
    /// (server); `None` or empty: no ALPN.
    pub alpn: Option<Vec<String>>,
    /// Server only: what a client with no protocol in common gets.
    pub alpn_mismatch: Option<AlpnMismatch>,
    /// Signature schemes it signs with and accepts, in preference order;
    /// `None`: the stack's default list.
    pub signature_schemes: Option<Vec<&'static Scheme>>,
    /// Server only: the size of its finite-field DHE group in bits; `None`:
    /// [`keysize::DEFAULT_DH_BITS`].
    pub dh_bits: Option<u32>,
    /// The smallest keys it accepts from its peer; `None`: the stack's
    /// default.
    pub minimum_key_bits: Option<MinimumKeys>,
}

impl Handshake {
    /// The names of the keys, as files write them, in the order
    /// `explain-config` shows them.
    pub const KEYS: [&'static str; 7] = [
        "groups",
        "key-shares",
        "signature-schemes",
        "alpn",
        "alpn-mismatch",
        "dh-bits",
        "minimum-key-bits",
    ];

    /// Sets every field `top` sets.
    pub fn overlay(&mut self, top: &Handshake) {
        if top.groups.is_some() {
            self.groups.clone_from(&top.groups);
        }
        if top.key_shares.is_some() {
            self.key_shares.clone_from(&top.key_shares);
        }
        if top.alpn.is_some() {
            self.alpn.clone_from(&top.alpn);
        }
        if top.alpn_mismatch.is_some() {
            self.alpn_mismatch = top.alpn_mismatch;
        }
        if top.signature_schemes.is_some() {
            self.signature_schemes.clone_from(&top.signature_schemes);
        }
        if top.dh_bits.is_some() {
            self.dh_bits = top.dh_bits;
        }
        if top.minimum_key_bits.is_some() {
            self.minimum_key_bits = top.minimum_key_bits;
        }
    }

    /// The keys this sets, by [`Handshake::KEYS`] name.
    pub fn keys_set(&self) -> Vec<&'static str> {
        let set = [
            self.groups.is_some(),
            self.key_shares.is_some(),
            self.signature_schemes.is_some(),
            self.alpn.is_some(),
            self.alpn_mismatch.is_some(),
            self.dh_bits.is_some(),
            self.minimum_key_bits.is_some(),
        ];
        Self::KEYS
            .into_iter()
            .zip(set)
            .filter_map(|(k, on)| on.then_some(k))
            .collect()
    }

    /// The value of key `key` in words, if this sets it.
    pub fn describe(&self, key: &str) -> Option<String> {
        let names = |gs: &[&Group]| gs.iter().map(|g| g.name).collect::<Vec<_>>().join(", ");
        match key {
            "groups" => self.groups.as_deref().map(names),
            "key-shares" => self.key_shares.as_deref().map(names),
            "signature-schemes" => self
                .signature_schemes
                .as_ref()
                .map(|l| l.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")),
            "alpn" => self.alpn.as_ref().map(|a| a.join(", ")),
            "alpn-mismatch" => self.alpn_mismatch.map(|m| m.as_str().to_string()),
            "dh-bits" => self.dh_bits.map(|b| b.to_string()),
            "minimum-key-bits" => self.minimum_key_bits.map(MinimumKeys::describe),
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

/// One settings level of a layered profile
/// (docs/products/broadworks.md#settings-levels).
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
    /// Groups, key shares and ALPN it sets.
    pub handshake: Handshake,
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
    /// The stack the product itself ships, when the harness runs it.
    pub stack: Option<Backend>,
    /// The JDK a JSSE side runs; `None`: the harness's own, legacy
    /// settings.
    pub jdk: Option<Jdk>,
    /// Enabled versions, oldest first, no duplicates.
    pub versions: Vec<ProtocolVersion>,
    /// Suites in preference order.
    pub suites: Vec<SuiteChoice>,
    /// Groups, key shares and ALPN, where a level set them.
    pub handshake: Handshake,
    /// For each key of [`Handshake`] that is set, the level that set it.
    pub handshake_from: Vec<(&'static str, String)>,
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
    /// The JDK release from then on, with the profile's security settings.
    pub jdk: Option<&'static JdkRelease>,
    /// Versions from then on.
    pub versions: Option<Vec<ProtocolVersion>>,
    /// Suites from then on.
    pub suites: Option<Vec<SuiteChoice>>,
    /// Groups, key shares and ALPN from then on.
    pub handshake: Handshake,
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
    /// A blank profile with this id and role: no versions or suites, every
    /// handshake key at its stack's default, nothing presented or trusted,
    /// an `https` connection. The scenario resolver fills every field from
    /// a file; code that makes profiles of its own (the version matrix's
    /// probes) starts here and sets what it needs, so that a new field is
    /// given its default in one place.
    pub fn new(id: impl Into<String>, role: Role) -> Profile {
        let id = id.into();
        Profile {
            name: id.clone(),
            id,
            product: String::new(),
            release: String::new(),
            role,
            connection: "https".into(),
            source: None,
            stack: None,
            jdk: None,
            versions: Vec::new(),
            suites: Vec::new(),
            handshake: Handshake::default(),
            handshake_from: Vec::new(),
            changes: Vec::new(),
            fallback: None,
            layers: Vec::new(),
            versions_from: crate::scenario::layers::PROFILE_LEVEL.into(),
            suites_from: crate::scenario::layers::PROFILE_LEVEL.into(),
            ecdsa_presentation: EcdsaPresentation::WhenUsable,
            accepted_exceptions: Vec::new(),
            hsts: false,
            client_identities: None,
            server_preference: false,
            certificates: Vec::new(),
            trust: Vec::new(),
            client_auth: ClientAuth::None,
            host: String::new(),
            defined_in: PathBuf::new(),
        }
    }

    /// The profile as it stood at `t`: every change dated at or before `t`
    /// applied in order.
    pub fn at(&self, t: Moment) -> Profile {
        let mut state = self.clone();
        for change in self.changes.iter().filter(|c| c.at <= t) {
            let from = format!("change of {}", change.at);
            if let Some(release) = change.jdk {
                // The harness's own JDK runs with the legacy settings.
                let security = state.jdk.map_or(JdkSecurity::Legacy, |j| j.security);
                state.jdk = Some(Jdk { release, security });
            }
            if let Some(v) = &change.versions {
                state.versions = v.clone();
                state.versions_from.clone_from(&from);
            }
            if let Some(s) = &change.suites {
                state.suites = s.clone();
                state.suites_from.clone_from(&from);
            }
            state.handshake.overlay(&change.handshake);
            for key in change.handshake.keys_set() {
                match state.handshake_from.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1.clone_from(&from),
                    None => state.handshake_from.push((key, from.clone())),
                }
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
        let static_ecdh = self.role == Role::Server
            && self
                .suites
                .iter()
                .any(|c| c.suite.key_exchange == crate::suite::KeyExchange::Ecdh);
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
                    key_agreement: static_ecdh,
                }
            })
            .collect()
    }

    /// Why this profile keeps a certificate with a `key` key, signed by an
    /// `issuer_key` key, in its keystore without presenting it (the ECDSA
    /// presentation policy of
    /// docs/products/uccx.md#ecdsa-certificates-signed-with-an-rsa-key);
    /// `None` when it presents it.
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

    /// The ALPN protocols it offers or accepts (none: no ALPN).
    pub fn alpn(&self) -> &[String] {
        self.handshake.alpn.as_deref().unwrap_or_default()
    }

    /// Server only: what a client with no ALPN protocol in common gets.
    pub fn alpn_mismatch(&self) -> AlpnMismatch {
        self.handshake.alpn_mismatch.unwrap_or_default()
    }

    /// Server only: the size of its finite-field DHE group in bits.
    pub fn dh_bits(&self) -> u32 {
        self.handshake.dh_bits.unwrap_or(keysize::DEFAULT_DH_BITS)
    }

    /// The suites valid for `version`, in preference order.
    pub fn suites_for(&self, version: ProtocolVersion) -> impl Iterator<Item = &SuiteChoice> {
        self.suites
            .iter()
            .filter(move |s| s.suite.valid_for(version))
    }
}
