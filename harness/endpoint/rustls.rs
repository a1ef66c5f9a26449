//! The rustls backend (0.23, aws-lc-rs provider), client and server.
//!
//! A configuration is built once per endpoint set-up ([`Endpoint`]) and
//! shared by every handshake it runs: client resumption is disabled, the
//! server keeps no sessions and sends no tickets, so a reused configuration
//! cannot change an outcome. Verifiers are rustls' own WebPKI verifiers,
//! wrapped only to record the chain the peer presented, into a slot that
//! belongs to the one handshake being verified (a task-local, see [`SEEN`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, Resumption, WebPkiServerVerifier};
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{
    ClientHello, NoServerSessionStorage, ResolvesServerCert, WebPkiClientVerifier,
};
use rustls::sign::CertifiedKey;
use rustls::{
    CommonState, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::{excepted, usable_suites, Backend, Exchange, Setup, SideReport};
use crate::keylog;
use crate::outcome::{ErrorKind, Side, SideError};
use crate::pki::{Identity, KeyAlgorithm};
use crate::scenario::ClientAuth;
use crate::suite::{registry, rustls_suite, Authentication};
use crate::taxonomy::from_rustls_io;
use crate::version::ProtocolVersion;

/// What a verifier saw of the peer: its chain, and whether only an
/// accepted exception let it through.
#[derive(Debug, Default)]
struct Observed {
    chain: Vec<Vec<u8>>,
    by_exception: bool,
}

/// Shared between a verifier and the code that reports.
type Seen = Arc<Mutex<Observed>>;

tokio::task_local! {
    /// What the verifiers of the handshake being polled record into. A
    /// configuration (and its verifier) serves many handshakes, possibly at
    /// once; each handshake's future runs inside its own scope of this.
    static SEEN: Seen;
}

/// Runs `f` on the current handshake's record, if the verifier runs inside
/// [`Endpoint::run`] (it always does).
fn observe(f: impl FnOnce(&mut Observed)) {
    let _ = SEEN.try_with(|seen| f(&mut seen.lock().unwrap_or_else(PoisonError::into_inner)));
}

fn remember(end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>]) {
    observe(|observed| {
        observed.chain.clear();
        observed.chain.push(end_entity.to_vec());
        observed
            .chain
            .extend(intermediates.iter().map(|c| c.to_vec()));
    });
}

fn taken(seen: &Seen) -> Observed {
    std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The scenario's verification instant in rustls' terms.
fn unix_time(at: crate::moment::Moment) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(at.unix()).unwrap_or(0),
    ))
}

fn config_error(what: &str, err: impl std::fmt::Display) -> SideError {
    SideError::new(ErrorKind::Configuration, format!("{what}: {err}"))
}

/// A provider that offers exactly the profile's suites, in its order, and
/// its groups where it names them (else the provider's defaults).
fn provider(setup: &Setup<'_>) -> CryptoProvider {
    let mut provider = aws_lc_rs::default_provider();
    provider.cipher_suites = usable_suites(Backend::Rustls, setup.profile)
        .filter_map(rustls_suite)
        .collect();
    if let Some(groups) = &setup.profile.handshake.groups {
        provider.kx_groups = groups.iter().filter_map(|g| kx_group(g.code)).collect();
    }
    provider
}

/// The aws-lc-rs key-exchange group with this code point.
fn kx_group(code: u16) -> Option<&'static dyn rustls::crypto::SupportedKxGroup> {
    aws_lc_rs::ALL_KX_GROUPS
        .iter()
        .copied()
        .find(|g| u16::from(g.name()) == code)
}

/// The profile's signature schemes in its order, where it names them.
fn schemes(setup: &Setup<'_>) -> Option<Arc<[SignatureScheme]>> {
    let listed = setup.profile.handshake.signature_schemes.as_ref()?;
    Some(
        listed
            .iter()
            .map(|s| SignatureScheme::from(s.code))
            .collect(),
    )
}

/// The schemes a verifier offers: its own, narrowed to the profile's list
/// and put in its order when the profile names one.
fn verify_schemes(
    own: Vec<SignatureScheme>,
    listed: Option<&[SignatureScheme]>,
) -> Vec<SignatureScheme> {
    match listed {
        Some(list) => list.iter().copied().filter(|s| own.contains(s)).collect(),
        None => own,
    }
}

/// A peer signed with a scheme this side did not offer.
fn unoffered(
    scheme: SignatureScheme,
    listed: Option<&[SignatureScheme]>,
) -> Result<(), rustls::Error> {
    match listed {
        Some(list) if !list.contains(&scheme) => Err(rustls::Error::PeerMisbehaved(
            rustls::PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme,
        )),
        _ => Ok(()),
    }
}

/// A signing key that signs only with the profile's schemes, in the
/// profile's order (rustls' own key takes its own order).
#[derive(Debug)]
struct Restricted {
    inner: Arc<dyn rustls::sign::SigningKey>,
    schemes: Arc<[SignatureScheme]>,
}

impl rustls::sign::SigningKey for Restricted {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn rustls::sign::Signer>> {
        self.schemes
            .iter()
            .filter(|s| offered.contains(s))
            .find_map(|s| self.inner.choose_scheme(&[*s]))
    }

    fn public_key(&self) -> Option<rustls::pki_types::SubjectPublicKeyInfoDer<'_>> {
        self.inner.public_key()
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.inner.algorithm()
    }
}

/// ALPN protocol ids as rustls takes them.
fn alpn(setup: &Setup<'_>) -> Vec<Vec<u8>> {
    setup
        .profile
        .alpn()
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect()
}

fn versions(setup: &Setup<'_>) -> Vec<&'static rustls::SupportedProtocolVersion> {
    setup
        .profile
        .versions
        .iter()
        .filter_map(|v| match v {
            ProtocolVersion::Tls12 => Some(&rustls::version::TLS12),
            ProtocolVersion::Tls13 => Some(&rustls::version::TLS13),
            _ => None,
        })
        .collect()
}

fn roots(setup: &Setup<'_>) -> Result<RootCertStore, SideError> {
    let mut roots = RootCertStore::empty();
    for der in &setup.trust {
        roots
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| config_error("trust anchor", e))?;
    }
    Ok(roots)
}

/// The signing key for a private key (PKCS#8 DER), parsed once per process:
/// aws-lc validates an RSA key as it loads it, about half a millisecond, and
/// the harness's keys come from a fixed pool, so the map stays small.
fn signing_key(
    der: &[u8],
    provider: &CryptoProvider,
) -> Result<Arc<dyn rustls::sign::SigningKey>, SideError> {
    type Keys = Mutex<HashMap<Vec<u8>, Arc<dyn rustls::sign::SigningKey>>>;
    static KEYS: OnceLock<Keys> = OnceLock::new();
    let keys = KEYS.get_or_init(Keys::default);
    if let Some(key) = keys.lock().unwrap_or_else(PoisonError::into_inner).get(der) {
        return Ok(key.clone());
    }
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.to_vec()));
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| config_error("private key", e))?;
    keys.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(der.to_vec(), signing.clone());
    Ok(signing)
}

fn certified_key(
    identity: &Identity,
    provider: &CryptoProvider,
    schemes: Option<&Arc<[SignatureScheme]>>,
) -> Result<CertifiedKey, SideError> {
    let mut signing = signing_key(&identity.key_pkcs8_der, provider)?;
    if let Some(schemes) = schemes {
        signing = Arc::new(Restricted {
            inner: signing,
            schemes: schemes.clone(),
        });
    }
    let chain = std::iter::once(&identity.leaf_der)
        .chain(&identity.chain_der)
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    Ok(CertifiedKey::new(chain, signing))
}

/// A rustls endpoint ready to run: its configuration, built once.
#[derive(Clone, Debug)]
pub enum Endpoint {
    /// A client and the name it asks for.
    Client {
        /// Shared by every handshake of this endpoint.
        config: Arc<rustls::ClientConfig>,
        /// SNI and the name the server's certificate must carry.
        name: ServerName<'static>,
    },
    /// A server.
    Server {
        /// Shared by every handshake of this endpoint.
        config: Arc<rustls::ServerConfig>,
    },
}

impl Endpoint {
    /// Builds a client's configuration from `setup`.
    pub fn client(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        let name = ServerName::try_from(setup.server_name.to_string())
            .map_err(|e| config_error("server name", e))?;
        Ok(Endpoint::Client {
            config: Arc::new(client_config(setup)?),
            name,
        })
    }

    /// Builds a server's configuration from `setup`.
    pub fn server(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        Ok(Endpoint::Server {
            config: Arc::new(server_config(setup)?),
        })
    }

    /// One handshake and then `exchange` over `io`.
    pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: S,
        exchange: Exchange,
    ) -> SideReport {
        let seen = Seen::default();
        let side = async {
            match self {
                Endpoint::Client { config, name } => {
                    let stream = TlsConnector::from(config.clone())
                        .connect(name.clone(), io)
                        .await;
                    conclude(stream, |s| s.get_ref().1, Side::Client, exchange, &seen).await
                }
                Endpoint::Server { config } => {
                    let stream = TlsAcceptor::from(config.clone()).accept(io).await;
                    conclude(stream, |s| s.get_ref().1, Side::Server, exchange, &seen).await
                }
            }
        };
        SEEN.scope(seen.clone(), side).await
    }
}

fn client_config(setup: &Setup<'_>) -> Result<rustls::ClientConfig, SideError> {
    let provider = Arc::new(provider(setup));
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(setup)?), provider.clone())
            .build()
            .map_err(|e| config_error("verifier", e))?;
    let schemes = schemes(setup);
    let verifier = Arc::new(RecordingServerVerifier {
        inner: webpki,
        at: unix_time(setup.verify_at),
        exceptions: Arc::new(setup.profile.clone()),
        schemes: schemes.clone(),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions(setup))
        .map_err(|e| config_error("versions", e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match setup.identities.first() {
        Some(id) => builder.with_client_cert_resolver(Arc::new(OneClientCert(Arc::new(
            certified_key(id, &provider, schemes.as_ref())?,
        )))),
        None => builder.with_no_client_auth(),
    };
    config.resumption = Resumption::disabled();
    config.key_log = Arc::new(StoreKeyLog);
    config.alpn_protocols = alpn(setup);
    Ok(config)
}

/// Hands rustls' secrets to the process-wide store while a handshake
/// records them ([`keylog::recording`]: every handshake the harness drives
/// does); otherwise rustls does not produce them.
#[derive(Debug)]
struct StoreKeyLog;

impl rustls::KeyLog for StoreKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        keylog::log(label, client_random, secret);
    }

    fn will_log(&self, _label: &str) -> bool {
        keylog::is_recording()
    }
}

/// The common tail of both roles: what was negotiated, then the first
/// exchange, or the handshake error; with the chain the peer presented.
async fn conclude<S: AsyncRead + AsyncWrite + Unpin>(
    stream: std::io::Result<S>,
    state: impl Fn(&S) -> &CommonState,
    role: Side,
    exchange: Exchange,
    seen: &Seen,
) -> SideReport {
    match stream {
        Ok(mut stream) => {
            let common = state(&stream);
            let negotiated =
                negotiated(common.protocol_version(), common.negotiated_cipher_suite());
            let alpn = common
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned());
            let after = exchange
                .run(&mut stream, role, negotiated.clone().ok(), from_rustls_io)
                .await;
            let observed = taken(seen);
            SideReport {
                handshake: negotiated,
                after,
                peer_chain: observed.chain,
                by_exception: observed.by_exception,
                alpn,
            }
        }
        Err(e) => {
            let observed = taken(seen);
            SideReport {
                handshake: Err(from_rustls_io(&e)),
                after: None,
                peer_chain: observed.chain,
                by_exception: observed.by_exception,
                alpn: None,
            }
        }
    }
}

fn server_config(setup: &Setup<'_>) -> Result<rustls::ServerConfig, SideError> {
    let provider = Arc::new(provider(setup));
    let schemes = schemes(setup);
    let client_verifier: Arc<dyn ClientCertVerifier> = match setup.profile.client_auth {
        ClientAuth::None => WebPkiClientVerifier::no_client_auth(),
        policy => {
            let builder = WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots(setup)?),
                provider.clone(),
            );
            let builder = if policy == ClientAuth::Request {
                builder.allow_unauthenticated()
            } else {
                builder
            };
            let inner = builder
                .build()
                .map_err(|e| config_error("client verifier", e))?;
            Arc::new(RecordingClientVerifier {
                inner,
                at: unix_time(setup.verify_at),
                schemes: schemes.clone(),
            })
        }
    };
    let keys = setup
        .identities
        .iter()
        .map(|id| {
            Ok((
                id.key_type.algorithm(),
                Arc::new(certified_key(id, &provider, schemes.as_ref())?),
            ))
        })
        .collect::<Result<Vec<_>, SideError>>()?;
    let resolver = Arc::new(FirstUsable {
        keys,
        suites: usable_suites(Backend::Rustls, setup.profile).collect(),
    });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions(setup))
        .map_err(|e| config_error("versions", e))?
        .with_client_cert_verifier(client_verifier)
        .with_cert_resolver(resolver);
    config.ignore_client_order = setup.profile.server_preference;
    config.send_tls13_tickets = 0;
    config.alpn_protocols = alpn(setup);
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.key_log = Arc::new(StoreKeyLog);
    Ok(config)
}

fn negotiated(
    version: Option<rustls::ProtocolVersion>,
    suite: Option<rustls::SupportedCipherSuite>,
) -> Result<(ProtocolVersion, u16), SideError> {
    let version = version.and_then(|v| ProtocolVersion::from_wire(u16::from(v)));
    match (version, suite) {
        (Some(v), Some(s)) => Ok((v, u16::from(s.suite()))),
        _ => Err(SideError::new(
            ErrorKind::Other("rustls:incomplete".into()),
            "handshake reported no version or suite",
        )),
    }
}

/// A client with one certificate offers it whenever a server asks (as
/// rustls' own `with_client_auth_cert` does), from a key parsed once.
#[derive(Debug)]
struct OneClientCert(Arc<CertifiedKey>);

impl ResolvesClientCert for OneClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Presents the first certificate, in profile order, that the client can
/// use: a signature scheme it offers fits the key, and a suite both sides
/// enable authenticates with the key's algorithm (any, at TLS 1.3).
#[derive(Debug)]
struct FirstUsable {
    keys: Vec<(KeyAlgorithm, Arc<CertifiedKey>)>,
    suites: Vec<u16>,
}

impl ResolvesServerCert for FirstUsable {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let offered: Vec<u16> = hello
            .cipher_suites()
            .iter()
            .map(|s| u16::from(*s))
            .collect();
        let auth_ok = |alg: KeyAlgorithm| {
            self.suites.iter().filter(|c| offered.contains(c)).any(|c| {
                registry()
                    .by_code(*c)
                    .is_some_and(|s| match s.authentication {
                        Authentication::Any => true,
                        Authentication::Ecdsa => alg == KeyAlgorithm::Ecdsa,
                        Authentication::Rsa => alg == KeyAlgorithm::Rsa,
                        _ => false,
                    })
            })
        };
        self.keys
            .iter()
            .find(|(alg, key)| {
                auth_ok(*alg) && key.key.choose_scheme(hello.signature_schemes()).is_some()
            })
            .or(self.keys.first())
            .map(|(_, key)| key.clone())
    }
}

#[derive(Debug)]
struct RecordingServerVerifier {
    inner: Arc<WebPkiServerVerifier>,
    /// Verification happens at the scenario's instant, not the clock's.
    at: UnixTime,
    /// The client profile, for its accepted exceptions.
    exceptions: Arc<crate::scenario::Profile>,
    /// The profile's signature schemes, where it names them.
    schemes: Option<Arc<[SignatureScheme]>>,
}

impl ServerCertVerifier for RecordingServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        remember(end_entity, intermediates);
        let verdict =
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, self.at);
        match verdict {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))
                if excepted(&self.exceptions, end_entity) =>
            {
                observe(|observed| observed.by_exception = true);
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        unoffered(dss.scheme, self.schemes.as_deref())?;
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        unoffered(dss.scheme, self.schemes.as_deref())?;
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        verify_schemes(
            self.inner.supported_verify_schemes(),
            self.schemes.as_deref(),
        )
    }
}

#[derive(Debug)]
struct RecordingClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    /// Verification happens at the scenario's instant, not the clock's.
    at: UnixTime,
    /// The profile's signature schemes, where it names them.
    schemes: Option<Arc<[SignatureScheme]>>,
}

impl ClientCertVerifier for RecordingClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        remember(end_entity, intermediates);
        self.inner
            .verify_client_cert(end_entity, intermediates, self.at)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        unoffered(dss.scheme, self.schemes.as_deref())?;
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        unoffered(dss.scheme, self.schemes.as_deref())?;
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        verify_schemes(
            self.inner.supported_verify_schemes(),
            self.schemes.as_deref(),
        )
    }
}
