//! The OpenSSL backend, through the `openssl` crate, client and server.
//!
//! Security level 0: the profile's versions and suites are the whole policy
//! being simulated, so OpenSSL's own floor (which refuses TLS 1.0/1.1 and
//! SHA-1 signatures at level 1) must not add a second, hidden one; a
//! profile's `minimum-key-bits` that is exactly a level (Debian's default
//! is level 2) sets that level, with everything else the level refuses. Session
//! caching and tickets are off, so every run is a full handshake, and the
//! context built once per endpoint set-up ([`Endpoint`]) can serve every
//! handshake: what differs per handshake (the verification instant, the
//! name checked, an accepted exception's flag) is set on each `Ssl`. The
//! server's chain is exactly what the profile says (`NO_AUTO_CHAIN`).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use openssl::bn::BigNum;
use openssl::dh::Dh;
use openssl::error::ErrorStack;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{
    self, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSessionCacheMode,
    SslVerifyMode, SslVersion,
};
use openssl::x509::X509;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_openssl::SslStream;

use super::{usable_suites, Backend, Exchange, Setup, SideReport};
use crate::keysize::MinimumKeys;
use crate::outcome::{ErrorKind, Side, SideError};
use crate::scenario::{AlpnMismatch, ClientAuth, Profile};
use crate::suite::{registry, KeyExchange};
use crate::taxonomy::{from_io, from_openssl};
use crate::version::ProtocolVersion;

/// RFC 7919 Appendix A.1 ffdhe2048, as `openssl genpkey -genparam
/// -algorithm DH -pkeyopt group:ffdhe2048` writes it. Servers with DHE
/// suites need DH parameters or they report "no shared cipher".
const FFDHE2048_PEM: &[u8] = b"-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
";

/// The DHE group of `bits` (one of [`crate::keysize::DH_SIZES`]): RFC 7919's
/// ffdhe2048, or the RFC 2409 and RFC 3526 MODP group of that size, with
/// generator 2.
fn dh_group(bits: u32) -> Result<Dh<openssl::pkey::Params>, ErrorStack> {
    let prime = match bits {
        1024 => BigNum::get_rfc2409_prime_1024()?,
        1536 => BigNum::get_rfc3526_prime_1536()?,
        3072 => BigNum::get_rfc3526_prime_3072()?,
        4096 => BigNum::get_rfc3526_prime_4096()?,
        _ => return Dh::params_from_pem(FFDHE2048_PEM),
    };
    Dh::from_pqg(prime, None, BigNum::from_u32(2)?)
}

fn config_error(what: &str, err: impl std::fmt::Display) -> SideError {
    SideError::new(ErrorKind::Configuration, format!("{what}: {err}"))
}

fn ssl_version(v: ProtocolVersion) -> SslVersion {
    match v {
        ProtocolVersion::Tls10 => SslVersion::TLS1,
        ProtocolVersion::Tls11 => SslVersion::TLS1_1,
        ProtocolVersion::Tls12 => SslVersion::TLS1_2,
        ProtocolVersion::Tls13 => SslVersion::TLS1_3,
    }
}

fn no_version_option(v: ProtocolVersion) -> SslOptions {
    match v {
        ProtocolVersion::Tls10 => SslOptions::NO_TLSV1,
        ProtocolVersion::Tls11 => SslOptions::NO_TLSV1_1,
        ProtocolVersion::Tls12 => SslOptions::NO_TLSV1_2,
        ProtocolVersion::Tls13 => SslOptions::NO_TLSV1_3,
    }
}

/// The context both roles share: versions, suites, trust.
fn context(
    setup: &Setup<'_>,
    server: bool,
) -> Result<SslContextBuilder, openssl::error::ErrorStack> {
    let profile = setup.profile;
    let method = if server {
        SslMethod::tls_server()
    } else {
        SslMethod::tls_client()
    };
    let mut b = SslContextBuilder::new(method)?;
    // Level 0 unless the profile's minimum keys are a level (the endpoint
    // module finds the other policies unsupported).
    let level = profile
        .handshake
        .minimum_key_bits
        .and_then(MinimumKeys::openssl_level);
    b.set_security_level(level.unwrap_or(0));

    // Versions: the span from oldest to newest, with gaps switched off.
    let (Some(min), Some(max)) = (profile.versions.first(), profile.versions.last()) else {
        unreachable!("a resolved profile enables at least one version");
    };
    b.set_min_proto_version(Some(ssl_version(*min)))?;
    b.set_max_proto_version(Some(ssl_version(*max)))?;
    let mut options = SslOptions::NO_TICKET;
    for v in ProtocolVersion::ALL {
        if v > *min && v < *max && !profile.versions.contains(&v) {
            options |= no_version_option(v);
        }
    }
    if server && profile.server_preference {
        options |= SslOptions::CIPHER_SERVER_PREFERENCE;
    }
    b.set_options(options);
    b.set_session_cache_mode(SslSessionCacheMode::OFF);

    // Suites: OpenSSL keeps TLS 1.3 suites and older ones in two lists.
    let (tls13, older): (Vec<_>, Vec<_>) = usable_suites(Backend::OpenSsl, profile)
        .filter_map(|code| registry().by_code(code))
        .partition(|s| s.is_tls13());
    let names = |list: &[&crate::suite::Suite]| {
        list.iter()
            .filter_map(|s| s.openssl.clone())
            .collect::<Vec<_>>()
            .join(":")
    };
    b.set_ciphersuites(&names(&tls13))?;
    if !older.is_empty() {
        b.set_cipher_list(&names(&older))?;
    }
    if let Some(groups) = &profile.handshake.groups {
        let names: Vec<&str> = groups.iter().map(|g| g.openssl_name).collect();
        b.set_groups_list(&names.join(":"))?;
    }
    if let Some(schemes) = &profile.handshake.signature_schemes {
        // One list for both directions: what it offers, signs with and
        // accepts (its CertificateRequest carries it too).
        let names: Vec<&str> = schemes.iter().map(|s| s.openssl_name.as_str()).collect();
        b.set_sigalgs_list(&names.join(":"))?;
    }
    alpn(&mut b, profile, server)?;
    if server && older.iter().any(|s| s.key_exchange == KeyExchange::Dhe) {
        let dh = dh_group(profile.dh_bits())?;
        b.set_tmp_dh(&dh)?;
    }

    for der in &setup.trust {
        b.cert_store_mut().add_cert(certificate(der)?)?;
    }
    let mut mode = SslMode::NO_AUTO_CHAIN;
    if !server && setup.fallback_scsv {
        mode |= SslMode::SEND_FALLBACK_SCSV;
    }
    b.set_mode(mode);
    // Secrets go to the process-wide store while a handshake records them
    // (the callback returns at once otherwise).
    b.set_keylog_callback(|_, line| crate::keylog::log_line(line));
    Ok(b)
}

/// ALPN: a client offers its protocols; a server picks the first of its
/// own that the client offered, and with none in common refuses with
/// `no_application_protocol` or goes on without ALPN, as its profile says.
fn alpn(
    b: &mut SslContextBuilder,
    profile: &Profile,
    server: bool,
) -> Result<(), openssl::error::ErrorStack> {
    let ours = profile.alpn().to_vec();
    if ours.is_empty() {
        return Ok(());
    }
    if !server {
        let mut wire = Vec::new();
        for p in &ours {
            wire.push(p.len() as u8);
            wire.extend_from_slice(p.as_bytes());
        }
        return b.set_alpn_protos(&wire);
    }
    let refuse = profile.alpn_mismatch() == AlpnMismatch::Refuse;
    b.set_alpn_select_callback(move |_, offered| {
        let theirs = alpn_list(offered);
        ours.iter()
            .find_map(|p| theirs.iter().find(|t| **t == p.as_bytes()).copied())
            .ok_or(if refuse {
                ssl::AlpnError::ALERT_FATAL
            } else {
                ssl::AlpnError::NOACK
            })
    });
    Ok(())
}

/// The protocol ids of an ALPN extension's list (length-prefixed).
fn alpn_list(mut wire: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = wire.split_first() {
        let Some(id) = rest.get(..usize::from(len)) else {
            break;
        };
        out.push(id);
        wire = &rest[usize::from(len)..];
    }
    out
}

/// A certificate, its key and its chain, parsed once.
#[derive(Clone)]
struct Loaded {
    leaf: X509,
    key: PKey<Private>,
    chain: Vec<X509>,
}

fn load(setup: &Setup<'_>) -> Result<Vec<Loaded>, openssl::error::ErrorStack> {
    setup
        .identities
        .iter()
        .map(|id| {
            Ok(Loaded {
                leaf: certificate(&id.leaf_der)?,
                key: private_key(&id.key_pkcs8_der)?,
                chain: id
                    .chain_der
                    .iter()
                    .map(|der| certificate(der))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// A private key (PKCS#8 DER), parsed once per process.
fn private_key(der: &[u8]) -> Result<PKey<Private>, openssl::error::ErrorStack> {
    static KEYS: Parsed<PKey<Private>> = OnceLock::new();
    parsed(&KEYS, der, PKey::private_key_from_pkcs8)
}

/// A certificate (DER), parsed once per process.
fn certificate(der: &[u8]) -> Result<X509, openssl::error::ErrorStack> {
    static CERTIFICATES: Parsed<X509> = OnceLock::new();
    parsed(&CERTIFICATES, der, X509::from_der)
}

/// Objects parsed from DER, by their DER. OpenSSL 3 decodes every key,
/// a certificate's public key included, through its provider decoders,
/// which cost a large part of a millisecond each; the harness's keys come
/// from a fixed pool and its certificates are made once per process, so
/// these maps stay as small as the PKI's own.
type Parsed<T> = OnceLock<Mutex<HashMap<Vec<u8>, T>>>;

fn parsed<T: Clone>(
    cache: &Parsed<T>,
    der: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<T, openssl::error::ErrorStack>,
) -> Result<T, openssl::error::ErrorStack> {
    let map = cache.get_or_init(Mutex::default);
    if let Some(found) = map.lock().unwrap_or_else(PoisonError::into_inner).get(der) {
        return Ok(found.clone());
    }
    let made = parse(der)?;
    map.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(der.to_vec(), made.clone());
    Ok(made)
}

/// Loads every identity into its key-type slot.
fn present(ssl: &mut Ssl, identities: &[Loaded]) -> Result<(), openssl::error::ErrorStack> {
    for id in identities {
        ssl.set_certificate(&id.leaf)?;
        ssl.set_private_key(&id.key)?;
        for cert in &id.chain {
            ssl.add_chain_cert(cert.clone())?;
        }
    }
    Ok(())
}

fn classify(err: &ssl::Error, verify_result: i32) -> SideError {
    let raw = err.to_string();
    if let Some(stack) = err.ssl_error() {
        // `c_ulong` is u64 here but u32 on some targets.
        #[allow(clippy::unnecessary_cast)]
        let codes: Vec<u64> = stack.errors().iter().map(|e| e.code() as u64).collect();
        if !codes.is_empty() {
            return from_openssl(&codes, verify_result, raw);
        }
    }
    if let Some(io) = err.io_error() {
        let mut e = from_io(io);
        e.raw = Some(raw);
        return e;
    }
    // SSL_ERROR_SYSCALL with nothing queued, or ZERO_RETURN: the peer went
    // away without an alert.
    SideError::new(ErrorKind::PeerClosed, raw)
}

fn classify_io(err: &std::io::Error) -> SideError {
    match err.get_ref().and_then(|e| e.downcast_ref::<ssl::Error>()) {
        Some(e) => classify(e, 0),
        None => from_io(err),
    }
}

/// The chain the peer presented, leaf first. OpenSSL keeps it after a
/// failed verification too; a server's `peer_cert_chain` omits the leaf.
fn peer_chain(ssl: &ssl::SslRef, server: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if server {
        if let Some(leaf) = ssl.peer_certificate() {
            out.extend(leaf.to_der().ok());
        }
    }
    if let Some(chain) = ssl.peer_cert_chain() {
        out.extend(chain.iter().filter_map(|c| c.to_der().ok()));
    }
    out
}

/// The version and suite a completed handshake settled on.
fn negotiated(ssl: &ssl::SslRef) -> Result<(ProtocolVersion, u16), SideError> {
    let version = ssl.version2().and_then(|v| match v {
        SslVersion::TLS1 => Some(ProtocolVersion::Tls10),
        SslVersion::TLS1_1 => Some(ProtocolVersion::Tls11),
        SslVersion::TLS1_2 => Some(ProtocolVersion::Tls12),
        SslVersion::TLS1_3 => Some(ProtocolVersion::Tls13),
        _ => None,
    });
    let suite = ssl.current_cipher().and_then(|c| {
        c.protocol_id()
            .get(..2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    });
    match (version, suite) {
        (Some(v), Some(s)) => Ok((v, s)),
        _ => Err(SideError::new(
            ErrorKind::Other("openssl:incomplete".into()),
            "no version or cipher after handshake",
        )),
    }
}

/// X.509 results that mean "no trusted issuer" (`X509_V_ERR_*`: unable to
/// get issuer, self-signed leaf, self-signed in chain, no local issuer,
/// cannot verify leaf): the only errors an accepted exception overrides.
const UNTRUSTED_ISSUER: [i32; 5] = [2, 18, 19, 20, 21];

/// An OpenSSL endpoint ready to run: its context and parsed identities,
/// made once.
#[derive(Clone)]
pub struct Endpoint {
    ctx: SslContext,
    identities: Vec<Loaded>,
    server: bool,
    server_name: String,
    verify_at: i64,
    /// A client's profile when it honours accepted exceptions.
    exceptions: Option<Arc<Profile>>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("openssl::Endpoint")
            .field("server", &self.server)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// Builds a client's context from `setup`.
    pub fn client(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        Endpoint::new(setup, false)
    }

    /// Builds a server's context from `setup`.
    pub fn server(setup: &Setup<'_>) -> Result<Endpoint, SideError> {
        Endpoint::new(setup, true)
    }

    fn new(setup: &Setup<'_>, server: bool) -> Result<Endpoint, SideError> {
        let built = context(setup, server)
            .and_then(|mut ctx| {
                verification(&mut ctx, setup, server)?;
                Ok((ctx.build(), load(setup)?))
            })
            .map_err(|e| config_error("OpenSSL configuration", e))?;
        let honours_exceptions =
            !server && !setup.profile.hsts && !setup.profile.accepted_exceptions.is_empty();
        Ok(Endpoint {
            ctx: built.0,
            identities: built.1,
            server,
            server_name: setup.server_name.to_owned(),
            verify_at: setup.verify_at.unix(),
            exceptions: honours_exceptions.then(|| Arc::new(setup.profile.clone())),
        })
    }

    /// A connection for one handshake; `excepted` learns whether an accepted
    /// exception let the peer's certificate through.
    fn ssl(&self, excepted: &Arc<AtomicBool>) -> Result<Ssl, openssl::error::ErrorStack> {
        let mut ssl = Ssl::new(&self.ctx)?;
        ssl.param_mut().set_time(self.verify_at as _);
        if !self.server {
            ssl.set_hostname(&self.server_name)?;
            ssl.param_mut().set_host(&self.server_name)?;
        }
        if let Some(profile) = &self.exceptions {
            honour_exceptions(&mut ssl, profile.clone(), excepted.clone());
        }
        present(&mut ssl, &self.identities)?;
        Ok(ssl)
    }

    /// One handshake and then `exchange` over `io`.
    pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: S,
        exchange: Exchange,
    ) -> SideReport {
        let server = self.server;
        let excepted = Arc::new(AtomicBool::new(false));
        let ssl = match self.ssl(&excepted) {
            Ok(ssl) => ssl,
            Err(e) => return SideReport::failed(config_error("OpenSSL configuration", e)),
        };
        let mut stream = match SslStream::new(ssl, io) {
            Ok(s) => s,
            Err(e) => return SideReport::failed(config_error("OpenSSL stream", e)),
        };
        let handshake = if server {
            Pin::new(&mut stream).accept().await
        } else {
            Pin::new(&mut stream).connect().await
        };
        let chain = peer_chain(stream.ssl(), server);
        match handshake {
            Ok(()) => {
                let negotiated = negotiated(stream.ssl());
                let role = if server { Side::Server } else { Side::Client };
                let after = exchange
                    .run(&mut stream, role, negotiated.clone().ok(), classify_io)
                    .await;
                let alpn = stream
                    .ssl()
                    .selected_alpn_protocol()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
                SideReport {
                    handshake: negotiated,
                    after,
                    peer_chain: chain,
                    by_exception: excepted.load(Ordering::SeqCst),
                    alpn,
                }
            }
            Err(e) => {
                let verify = stream.ssl().verify_result().as_raw();
                SideReport {
                    handshake: Err(classify(&e, verify)),
                    after: None,
                    peer_chain: chain,
                    by_exception: excepted.load(Ordering::SeqCst),
                    alpn: None,
                }
            }
        }
    }
}

/// Who verifies what: a server asks for client certificates as its profile
/// says and names its trusted CAs; a client always verifies the server.
fn verification(
    ctx: &mut SslContextBuilder,
    setup: &Setup<'_>,
    server: bool,
) -> Result<(), openssl::error::ErrorStack> {
    if !server {
        ctx.set_verify(SslVerifyMode::PEER);
        return Ok(());
    }
    let mode = match setup.profile.client_auth {
        ClientAuth::None => SslVerifyMode::NONE,
        ClientAuth::Request => SslVerifyMode::PEER,
        ClientAuth::Require => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
    };
    ctx.set_verify(mode);
    for der in &setup.trust {
        let ca = certificate(der)?;
        ctx.add_client_ca(&ca)?;
    }
    Ok(())
}

/// A browser's accepted exception: an untrusted-issuer failure of an
/// excepted leaf is overridden; every other failure stands.
fn honour_exceptions(ssl: &mut Ssl, profile: Arc<Profile>, flag: Arc<AtomicBool>) {
    ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, store| {
        if ok {
            return true;
        }
        let leaf = store
            .chain()
            .and_then(|c| c.get(0))
            .and_then(|c| c.to_der().ok());
        let accept = UNTRUSTED_ISSUER.contains(&store.error().as_raw())
            && leaf.is_some_and(|der| super::excepted(&profile, &der));
        if accept {
            flag.store(true, Ordering::SeqCst);
        }
        accept
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffdhe2048_parameters_load_and_are_2048_bits() {
        let dh = Dh::params_from_pem(FFDHE2048_PEM).unwrap();
        assert_eq!(dh.prime_p().num_bits(), 2048);
        assert_eq!(dh.generator().to_dec_str().unwrap().to_string(), "2");
    }
}
