//! The three real backends, rustls, OpenSSL and JSSE (Java's `SSLEngine`,
//! in a JVM), behind one interface: what
//! each can implement ([`unsupported`]), and an endpoint made ready once
//! from its set-up ([`Prepared`]) that runs a client or a server over any
//! byte stream, as many times as asked.

mod exchange;
pub mod jsse;
pub mod openssl;
pub mod rustls;

pub use exchange::Exchange;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};

use tokio::io::{AsyncRead, AsyncWrite};

use crate::backend::{Backend, Pairing};
use crate::group::{self, Group};
use crate::keysize::{self, MinimumKeys};
use crate::moment::Moment;
use crate::outcome::{Side, SideError};
use crate::pki::{Identity, Issuer, KeyAlgorithm, KeyType, Pki, PkiError};
use crate::scenario::Profile;
use crate::scheme::{self, Scheme};
use crate::version::ProtocolVersion;

/// Why this backend cannot implement `profile` faithfully, or `None`
/// when it can. Suites that no backend implements (static ECDH) are not
/// held against either; [`usable_suites`] leaves them out.
pub fn unsupported(backend: Backend, profile: &Profile) -> Option<String> {
    let who = format!("{} has", backend.as_str());
    let mut versions = profile.versions.clone();
    versions.extend(
        profile
            .fallback
            .iter()
            .flat_map(|f| f.versions.iter().copied()),
    );
    match backend {
        Backend::Rustls => {
            if profile.fallback.as_ref().is_some_and(|f| f.scsv) {
                return Some("rustls cannot send TLS_FALLBACK_SCSV".into());
            }
            let mut old: Vec<String> = versions
                .iter()
                .filter(|v| **v < ProtocolVersion::Tls12)
                .map(|v| v.to_string())
                .collect();
            old.dedup();
            if !old.is_empty() {
                return Some(format!("{who} no {}", old.join(" or ")));
            }
            let missing: Vec<&str> = profile
                .suites
                .iter()
                .filter(|c| !c.suite.rustls && c.suite.implemented_by_openssl())
                .map(|c| c.written.as_str())
                .collect();
            if !missing.is_empty() {
                return Some(format!("{who} no {}", missing.join(", ")));
            }
            if profile
                .certificates
                .iter()
                .any(|c| c.key.algorithm() == KeyAlgorithm::Dsa)
            {
                return Some(format!("{who} no DSA certificates"));
            }
            if profile
                .certificates
                .iter()
                .any(|c| c.key == KeyType::Rsa1024)
            {
                return Some(format!(
                    "{who} no RSA keys under 2048 bits (aws-lc-rs signs with none)"
                ));
            }
        }
        Backend::OpenSsl => {
            let missing: Vec<&str> = profile
                .suites
                .iter()
                .filter(|c| c.suite.openssl.is_none() && c.suite.rustls)
                .map(|c| c.written.as_str())
                .collect();
            if !missing.is_empty() {
                return Some(format!("{who} no {}", missing.join(", ")));
            }
        }
        Backend::Jsse => {
            if let Some(why) = jsse_unsupported(profile) {
                return Some(why);
            }
        }
    }
    if let Some(why) = handshake_unsupported(backend, profile) {
        return Some(why);
    }
    if let Some(why) = schemes_unsupported(backend, profile) {
        return Some(why);
    }
    if let Some(why) = key_sizes_unsupported(backend, profile) {
        return Some(why);
    }
    if usable_suites(backend, profile).next().is_none() {
        return Some(format!(
            "{who} none of the listed suites (no backend implements them)"
        ));
    }
    None
}

/// Groups, key shares and ALPN a backend cannot set as the profile says.
fn handshake_unsupported(backend: Backend, profile: &Profile) -> Option<String> {
    let h = &profile.handshake;
    let listed = h.groups.as_deref();
    let missing: Vec<&str> = listed
        .unwrap_or_default()
        .iter()
        .filter(|g| !group::implemented_by(backend, g))
        .map(|g| g.name)
        .collect();
    if !missing.is_empty() {
        return Some(format!("{backend} has no {}", missing.join(", ")));
    }
    let groups = group::effective(backend, listed);
    let names = |gs: &[&Group]| gs.iter().map(|g| g.name).collect::<Vec<_>>().join(", ");
    if let Some(shares) = &h.key_shares {
        let sent = group::first_shares(backend, &groups);
        if *shares != sent {
            return Some(format!(
                "{backend} sends key shares for {} only, not {}",
                names(&sent),
                names(shares)
            ));
        }
    }
    if backend == Backend::Jsse && listed.is_some() {
        if let Some(jdk_order) = out_of_jdk_order(group::effective(backend, None), &groups) {
            return Some(format!(
                "jsse orders named groups process-wide (jdk.tls.namedGroups), as {}",
                names(&jdk_order)
            ));
        }
    }
    let refuses_mismatch = profile.role == crate::scenario::Role::Server
        && !profile.alpn().is_empty()
        && profile.alpn_mismatch() == crate::scenario::AlpnMismatch::Ignore;
    if backend == Backend::Rustls && refuses_mismatch {
        return Some("rustls cannot ignore an ALPN mismatch (it always refuses)".into());
    }
    None
}

/// Signature schemes a backend cannot set as the profile says: one it
/// does not know, or (JSSE) an order other than the JDK's.
fn schemes_unsupported(backend: Backend, profile: &Profile) -> Option<String> {
    let listed = profile.handshake.signature_schemes.as_deref()?;
    let names = |ss: &[&Scheme]| ss.iter().map(|s| s.name).collect::<Vec<_>>().join(", ");
    let missing: Vec<&Scheme> = listed
        .iter()
        .copied()
        .filter(|s| !scheme::implemented_by(backend, s))
        .collect();
    if !missing.is_empty() {
        return Some(format!("{backend} has no {}", names(&missing)));
    }
    if backend == Backend::Jsse {
        if let Some(jdk_order) = out_of_jdk_order(scheme::effective(backend, None), listed) {
            return Some(format!(
                "jsse orders signature schemes process-wide (jdk.tls.signatureSchemes), as {}",
                names(&jdk_order)
            ));
        }
    }
    None
}

/// `dh-bits` and `minimum-key-bits` a backend cannot set, and (OpenSSL) its
/// own keys that its security level refuses to load.
fn key_sizes_unsupported(backend: Backend, profile: &Profile) -> Option<String> {
    let minimum = profile.handshake.minimum_key_bits;
    match backend {
        Backend::OpenSsl => {
            let minimum = minimum?;
            let Some(level) = minimum.openssl_level() else {
                let levels: Vec<String> = keysize::OPENSSL_LEVELS
                    .iter()
                    .map(|(level, keys)| format!("level {level} is {}", keys.describe()))
                    .collect();
                return Some(format!(
                    "openssl sets minimum keys only as a security level ({})",
                    levels.join("; ")
                ));
            };
            openssl_refuses_its_own(profile, minimum, level)
        }
        Backend::Jsse if profile.dh_bits() != keysize::DEFAULT_DH_BITS => Some(format!(
            "jsse sets its DHE size process-wide (jdk.tls.ephemeralDHKeySize), {} here",
            keysize::DEFAULT_DH_BITS
        )),
        Backend::Rustls if minimum.is_some_and(|m| m.rsa > 2048 || m.ec > 256) => Some(
            "rustls sets no minimum keys: it accepts RSA from 2048 bits and every curve it has"
                .into(),
        ),
        _ => None,
    }
}

/// What OpenSSL at security `level` refuses to load of its own: a
/// certificate whose key is too small (`ee key too small`), a DHE group
/// too small (`dh key too small`).
fn openssl_refuses_its_own(profile: &Profile, minimum: MinimumKeys, level: u32) -> Option<String> {
    let who = format!("openssl at security level {level} refuses its own");
    if let Some(c) = profile
        .certificates
        .iter()
        .find(|c| minimum.refuses_key(c.key))
    {
        return Some(format!("{who} {} certificate (ee key too small)", c.key));
    }
    let dhe = profile
        .suites
        .iter()
        .any(|c| c.suite.key_exchange == crate::suite::KeyExchange::Dhe);
    if profile.role == crate::scenario::Role::Server && dhe && profile.dh_bits() < minimum.dh {
        return Some(format!(
            "{who} {}-bit DHE group (dh key too small)",
            profile.dh_bits()
        ));
    }
    None
}

/// JSSE filters its named groups and signature schemes per engine but
/// keeps the JDK's order: the JDK's order of `listed`, when `listed` is in
/// another (`jdk` is the JDK's whole list).
fn out_of_jdk_order<T: PartialEq>(
    jdk: Vec<&'static T>,
    listed: &[&'static T],
) -> Option<Vec<&'static T>> {
    let ordered: Vec<&T> = jdk.into_iter().filter(|x| listed.contains(x)).collect();
    (ordered != listed).then_some(ordered)
}

/// What the JSSE backend cannot implement: no JVM at all, the fallback
/// signalling value, accepted exceptions, or a suite that another backend
/// implements and this JVM does not.
fn jsse_unsupported(profile: &Profile) -> Option<String> {
    if let Err(why) = jsse::jvm::for_jdk(profile.jdk) {
        return Some(format!("jsse cannot run: {why}"));
    }
    if profile.fallback.as_ref().is_some_and(|f| f.scsv) {
        return Some("jsse cannot send TLS_FALLBACK_SCSV".into());
    }
    if !profile.accepted_exceptions.is_empty() && !profile.hsts {
        return Some("jsse has no accepted exceptions".into());
    }
    let missing: Vec<&str> = profile
        .suites
        .iter()
        .filter(|c| !c.suite.implemented_by(Backend::Jsse))
        .filter(|c| c.suite.rustls || c.suite.implemented_by_openssl())
        .map(|c| c.written.as_str())
        .collect();
    if !missing.is_empty() {
        return Some(format!("jsse has no {}", missing.join(", ")));
    }
    None
}

/// Why `pairing` cannot run these two endpoints, naming the backend, the
/// role and the profile.
pub fn pairing_unsupported(pairing: Pairing, client: &Profile, server: &Profile) -> Option<String> {
    let client_why =
        unsupported(pairing.client, client).map(|why| format!("{why} (client {})", client.id));
    let server_why =
        unsupported(pairing.server, server).map(|why| format!("{why} (server {})", server.id));
    match (client_why, server_why) {
        (Some(c), Some(s)) => Some(format!("{c}; {s}")),
        (c, s) => c.or(s),
    }
}

/// The suites of `profile` that `backend` implements, in preference order.
pub fn usable_suites(backend: Backend, profile: &Profile) -> impl Iterator<Item = u16> + '_ {
    profile
        .suites
        .iter()
        .filter(move |c| c.suite.implemented_by(backend))
        .map(|c| c.suite.code)
}

/// The suites of `profile` that no backend implements; they stay in the
/// configuration and are reported, but cannot be offered.
pub fn unimplementable_suites(profile: &Profile) -> Vec<String> {
    profile
        .suites
        .iter()
        .filter(|c| {
            !Backend::EVERY
                .into_iter()
                .any(|b| c.suite.implemented_by(b))
        })
        .map(|c| c.written.clone())
        .collect()
}

/// Everything one endpoint needs to run, made from its profile.
#[derive(Clone, Debug)]
pub struct Setup<'a> {
    /// The profile it implements.
    pub profile: &'a Profile,
    /// Its certificates, issued, in profile order.
    pub identities: Vec<Identity>,
    /// Trust anchors (DER) for verifying the peer.
    pub trust: Vec<Vec<u8>>,
    /// Client only: the name to ask for and verify.
    pub server_name: &'a str,
    /// Client only: offer TLS_FALLBACK_SCSV (this is a fallback hello).
    pub fallback_scsv: bool,
    /// The instant certificates are verified at.
    pub verify_at: Moment,
}

/// A client or a server on one backend, its configuration built once from
/// a [`Setup`]; [`Prepared::run`] drives one handshake with it, as often as
/// asked. A set-up the backend refuses gives an endpoint whose every run
/// reports that configuration error.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// A rustls client or server.
    Rustls(rustls::Endpoint),
    /// An OpenSSL client or server.
    OpenSsl(openssl::Endpoint),
    /// A JSSE client or server.
    Jsse(jsse::Endpoint),
    /// The backend refused the set-up.
    Refused(SideError),
}

impl Prepared {
    /// Builds `backend`'s configuration for `setup` in `role`.
    pub fn new(backend: Backend, role: Side, setup: &Setup<'_>) -> Prepared {
        let built = match (backend, role) {
            (Backend::Rustls, Side::Client) => {
                rustls::Endpoint::client(setup).map(Prepared::Rustls)
            }
            (Backend::Rustls, Side::Server) => {
                rustls::Endpoint::server(setup).map(Prepared::Rustls)
            }
            (Backend::OpenSsl, Side::Client) => {
                openssl::Endpoint::client(setup).map(Prepared::OpenSsl)
            }
            (Backend::OpenSsl, Side::Server) => {
                openssl::Endpoint::server(setup).map(Prepared::OpenSsl)
            }
            (Backend::Jsse, Side::Client) => jsse::Endpoint::client(setup).map(Prepared::Jsse),
            (Backend::Jsse, Side::Server) => jsse::Endpoint::server(setup).map(Prepared::Jsse),
        };
        built.unwrap_or_else(Prepared::Refused)
    }

    /// [`Prepared::new`], made once per process for each distinct set-up
    /// and shared after that: reuse cannot change an outcome, as no backend
    /// keeps sessions or tickets and everything a handshake records is its
    /// own. The cache holds at most [`CACHED_SET_UPS`] set-ups; past that
    /// it starts again (property tests make a new set-up per case).
    pub fn cached(backend: Backend, role: Side, setup: &Setup<'_>) -> Prepared {
        type Entries = HashMap<u64, Vec<(SetUp, Prepared)>>;
        static CACHE: OnceLock<Mutex<(usize, Entries)>> = OnceLock::new();
        let key = SetUp::of(backend, role, setup);
        let hash = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            key.hash(&mut h);
            h.finish()
        };
        let cache = CACHE.get_or_init(Mutex::default);
        let found = |entries: &Entries| {
            entries
                .get(&hash)
                .and_then(|bucket| bucket.iter().find(|(k, _)| *k == key))
                .map(|(_, p)| p.clone())
        };
        if let Some(p) = found(&cache.lock().unwrap_or_else(PoisonError::into_inner).1) {
            return p;
        }
        let prepared = Prepared::new(backend, role, setup);
        let mut guard = cache.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, entries) = &mut *guard;
        // Another thread may have made the same one meanwhile.
        if let Some(p) = found(entries) {
            return p;
        }
        if *count >= CACHED_SET_UPS {
            entries.clear();
            *count = 0;
        }
        *count += 1;
        entries
            .entry(hash)
            .or_default()
            .push((key, prepared.clone()));
        prepared
    }

    /// One handshake and then `exchange` over `io`.
    pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: S,
        exchange: Exchange,
    ) -> SideReport {
        match self {
            Prepared::Rustls(endpoint) => endpoint.run(io, exchange).await,
            Prepared::OpenSsl(endpoint) => endpoint.run(io, exchange).await,
            Prepared::Jsse(endpoint) => endpoint.run(io, exchange).await,
            Prepared::Refused(error) => SideReport::failed(error.clone()),
        }
    }
}

/// How many distinct set-ups [`Prepared::cached`] keeps.
pub const CACHED_SET_UPS: usize = 512;

/// Everything a prepared endpoint is made from, owned: the cache's key.
/// Two set-ups that compare equal build the same configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SetUp {
    backend: Backend,
    role: Side,
    profile: Profile,
    identities: Vec<Identity>,
    trust: Vec<Vec<u8>>,
    server_name: String,
    fallback_scsv: bool,
    verify_at: Moment,
}

impl SetUp {
    fn of(backend: Backend, role: Side, setup: &Setup<'_>) -> SetUp {
        SetUp {
            backend,
            role,
            profile: setup.profile.clone(),
            identities: setup.identities.clone(),
            trust: setup.trust.clone(),
            server_name: setup.server_name.to_owned(),
            fallback_scsv: setup.fallback_scsv,
            verify_at: setup.verify_at,
        }
    }
}

/// Hashes what tells set-ups apart cheaply; equality decides.
impl Hash for SetUp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.backend, self.role, &self.profile.id, &self.identities).hash(state);
        (
            &self.trust,
            &self.server_name,
            self.fallback_scsv,
            self.verify_at,
        )
            .hash(state);
    }
}

/// What a profile presents and trusts, issued from a PKI.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The certificates it presents, ECDSA first.
    pub identities: Vec<Identity>,
    /// Its trust anchors (DER).
    pub trust: Vec<Vec<u8>>,
    /// Certificates in the keystore that the presentation policy keeps back.
    pub withheld: Vec<String>,
}

/// Issues a profile's certificates and applies what it presents: a leaf
/// alone where `send-chain = false`, and for servers the ECDSA
/// presentation policy
/// (docs/products/uccx.md#ecdsa-certificates-signed-with-an-rsa-key). ECDSA
/// goes first: it is preferred whenever the client can use it.
pub fn issue(profile: &Profile, pki: &Pki) -> Result<Issued, PkiError> {
    let mut identities = Vec::new();
    let mut withheld = Vec::new();
    for (def, spec) in profile.certificates.iter().zip(profile.leaf_specs()) {
        let mut id = pki.issue(&spec)?;
        if !def.send_chain {
            id.chain_der.clear();
        }
        let why_not = profile.withholds(id.key_type, id.issuer_key);
        match why_not {
            Some(why) => withheld.push(format!(
                "{} certificate {}: not presented ({why})",
                id.key_type, def.subject
            )),
            None => identities.push(id),
        }
    }
    identities.sort_by_key(|id| id.key_type.algorithm() != KeyAlgorithm::Ecdsa);
    Ok(Issued {
        identities,
        trust: profile
            .trust
            .iter()
            .map(|id| pki.ca_der(id))
            .collect::<Result<_, _>>()?,
        withheld,
    })
}

/// The self-signed roots a profile's certificates chain to (DER), one per
/// certificate, in its order: what a peer must trust. A self-signed leaf
/// is its own root.
pub fn roots(profile: &Profile, pki: &Pki) -> Result<Vec<Vec<u8>>, PkiError> {
    let specs = pki.ca_specs();
    let mut roots = Vec::new();
    for (def, spec) in profile.certificates.iter().zip(profile.leaf_specs()) {
        let der = match &def.issuer {
            Issuer::SelfSigned => pki.issue(&spec)?.leaf_der,
            Issuer::Ca(id) => {
                let path = crate::pki::issuers(&def.issuer, &specs);
                pki.ca_der(path.last().unwrap_or(id))?
            }
        };
        roots.push(der);
    }
    Ok(roots)
}

/// What one side saw: its handshake result, any error in the first
/// exchange after it, and the certificates the peer presented.
#[derive(Clone, Debug)]
pub struct SideReport {
    /// Version and suite, or why the handshake failed here.
    pub handshake: Result<(ProtocolVersion, u16), SideError>,
    /// An error in the exchange after a completed handshake (a TLS 1.3
    /// client learns here that its missing certificate was refused).
    pub after: Option<SideError>,
    /// The certificate chain the peer sent, leaf first, DER.
    pub peer_chain: Vec<Vec<u8>>,
    /// The peer's certificate was accepted only through one of the
    /// profile's accepted exceptions.
    pub by_exception: bool,
    /// The ALPN protocol the handshake settled on, if any.
    pub alpn: Option<String>,
}

impl SideReport {
    /// A report for a side that never got going.
    pub fn failed(error: SideError) -> Self {
        SideReport {
            handshake: Err(error),
            after: None,
            peer_chain: Vec::new(),
            by_exception: false,
            alpn: None,
        }
    }

    /// The error that ended this side, handshake first.
    pub fn error(&self) -> Option<&SideError> {
        self.handshake.as_ref().err().or(self.after.as_ref())
    }
}

/// Whether `leaf` (DER) is one of `profile`'s accepted exceptions, and the
/// profile honours exceptions at all (not under HSTS).
pub fn excepted(profile: &Profile, leaf: &[u8]) -> bool {
    if profile.hsts || profile.accepted_exceptions.is_empty() {
        return false;
    }
    let Ok(summary) = crate::pki::summarize(leaf) else {
        return false;
    };
    profile
        .accepted_exceptions
        .iter()
        .any(|e| e.subject == summary.subject && e.key.as_str() == summary.key)
}
