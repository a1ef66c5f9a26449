//! ClientHellos the harness builds itself (RFC 8446 §4.1.2, RFC 5246
//! §7.4.1.2): any versions, suites, groups, schemes and ALPN protocols,
//! including what no backend offers (static ECDH suites, a TLS 1.3 hello
//! with no key share), so that a server can be asked about each. The key
//! shares are real (aws-lc-rs ephemeral keys), so that a TLS 1.3 server's
//! flight can be read with the secret they give.

use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::version::ProtocolVersion;

/// What one hello offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// The versions, any order; TLS 1.3 goes in supported_versions (and
    /// then every version offered does).
    pub versions: Vec<ProtocolVersion>,
    /// Cipher suite code points, in preference order.
    pub suites: Vec<u16>,
    /// Named groups, in preference order.
    pub groups: Vec<u16>,
    /// Send key shares (TLS 1.3) for the groups offered that have one
    /// here (x25519, secp256r1, secp384r1).
    pub shares: bool,
    /// Signature schemes, in preference order.
    pub schemes: Vec<u16>,
    /// ALPN protocol ids.
    pub alpn: Vec<String>,
    /// The server name to ask for (not an IP address).
    pub server_name: Option<String>,
}

/// A hello as sent: its record, and the private keys of its key shares.
pub struct Built {
    /// The TLS record holding the ClientHello.
    pub record: Vec<u8>,
    /// (group code, private key) of each key share.
    pub keys: Vec<(u16, EphemeralPrivateKey)>,
}

/// Groups whose key shares are made here: (code, algorithm).
fn share_algorithm(group: u16) -> Option<&'static agreement::Algorithm> {
    match group {
        0x001D => Some(&agreement::X25519),
        0x0017 => Some(&agreement::ECDH_P256),
        0x0018 => Some(&agreement::ECDH_P384),
        _ => None,
    }
}

/// The longest DNS name, in bytes (RFC 1035 §2.3.4, without the final
/// dot): a longer server name is not sent.
pub const MAX_DNS_NAME: usize = 253;

/// Whether the hellos built here carry a key share for `group`.
pub fn has_share(group: u16) -> bool {
    share_algorithm(group).is_some()
}

/// The (EC)DHE shared secret of our `key` for `group` and the server's
/// `public` share; `None` for a share that is not a point.
pub fn shared_secret(group: u16, key: EphemeralPrivateKey, public: &[u8]) -> Option<Vec<u8>> {
    let peer = UnparsedPublicKey::new(share_algorithm(group)?, public);
    agreement::agree_ephemeral(key, peer, (), |secret| Ok(secret.to_vec())).ok()
}

/// Extension types written here.
mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const KEY_SHARE: u16 = 51;
    pub const RENEGOTIATION_INFO: u16 = 0xFF01;
}

/// Builds the hello of `offer`.
pub fn build(offer: &Offer) -> Built {
    let rng = SystemRandom::new();
    let mut random = [0u8; 64];
    // Invariant: the system's random source does not fail on Linux once
    // the process runs; a hello without randomness would still parse.
    let _ = rng.fill(&mut random);
    let tls13 = offer.versions.contains(&ProtocolVersion::Tls13);
    let highest = offer
        .versions
        .iter()
        .max()
        .copied()
        .unwrap_or(ProtocolVersion::Tls12);
    let legacy = highest.min(ProtocolVersion::Tls12).wire();
    let mut body = legacy.to_be_bytes().to_vec();
    body.extend_from_slice(&random[..32]);
    // A 32-byte session id at TLS 1.3 (middlebox compatibility, RFC 8446
    // §D.4); none below.
    match tls13 {
        true => put_u8_list(&mut body, &random[32..]),
        false => body.push(0),
    }
    put_u16_list(&mut body, &u16_bytes(&offer.suites));
    put_u8_list(&mut body, &[0]);
    let mut keys = Vec::new();
    let extensions = extensions(offer, tls13, &mut keys);
    put_u16_list(&mut body, &extensions);
    let mut message = vec![1];
    message.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    message.extend_from_slice(&body);
    let mut record = vec![22, 3, 1];
    record.extend_from_slice(&(message.len() as u16).to_be_bytes());
    record.extend_from_slice(&message);
    Built { record, keys }
}

fn extensions(offer: &Offer, tls13: bool, keys: &mut Vec<(u16, EphemeralPrivateKey)>) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(name) = offer
        .server_name
        .as_deref()
        // An address is not sent.
        .filter(|n| n.len() <= MAX_DNS_NAME && n.parse::<std::net::IpAddr>().is_err())
    {
        let mut entry = vec![0];
        put_u16_list(&mut entry, name.as_bytes());
        let mut list = Vec::new();
        put_u16_list(&mut list, &entry);
        put_extension(&mut out, ext::SERVER_NAME, &list);
    }
    if !offer.groups.is_empty() {
        let mut list = Vec::new();
        put_u16_list(&mut list, &u16_bytes(&offer.groups));
        put_extension(&mut out, ext::SUPPORTED_GROUPS, &list);
        put_extension(&mut out, ext::EC_POINT_FORMATS, &[1, 0]);
    }
    // signature_algorithms is a TLS 1.2 extension (RFC 5246 §7.4.1.4.1);
    // a hello offering less goes without it.
    let tls12 = offer.versions.iter().any(|v| *v >= ProtocolVersion::Tls12);
    if !offer.schemes.is_empty() && tls12 {
        let mut list = Vec::new();
        put_u16_list(&mut list, &u16_bytes(&offer.schemes));
        put_extension(&mut out, ext::SIGNATURE_ALGORITHMS, &list);
    }
    if !offer.alpn.is_empty() {
        let mut names = Vec::new();
        for name in &offer.alpn {
            put_u8_list(&mut names, name.as_bytes());
        }
        let mut list = Vec::new();
        put_u16_list(&mut list, &names);
        put_extension(&mut out, ext::ALPN, &list);
    }
    put_extension(&mut out, ext::EXTENDED_MASTER_SECRET, &[]);
    put_extension(&mut out, ext::RENEGOTIATION_INFO, &[0]);
    if tls13 {
        let mut versions: Vec<ProtocolVersion> = offer.versions.clone();
        versions.sort_by(|a, b| b.cmp(a));
        let codes: Vec<u16> = versions.iter().map(|v| v.wire()).collect();
        let mut list = Vec::new();
        put_u8_list(&mut list, &u16_bytes(&codes));
        put_extension(&mut out, ext::SUPPORTED_VERSIONS, &list);
        put_extension(&mut out, ext::KEY_SHARE, &key_shares(offer, keys));
    }
    out
}

/// The key_share extension's body: a share for each offered group that
/// has one here, when the offer asks for shares.
fn key_shares(offer: &Offer, keys: &mut Vec<(u16, EphemeralPrivateKey)>) -> Vec<u8> {
    let rng = SystemRandom::new();
    let mut shares = Vec::new();
    for &group in offer.groups.iter().filter(|_| offer.shares) {
        let Some(algorithm) = share_algorithm(group) else {
            continue;
        };
        let Ok(key) = EphemeralPrivateKey::generate(algorithm, &rng) else {
            continue;
        };
        let Ok(public) = key.compute_public_key() else {
            continue;
        };
        shares.extend_from_slice(&group.to_be_bytes());
        put_u16_list(&mut shares, public.as_ref());
        keys.push((group, key));
    }
    let mut body = Vec::new();
    put_u16_list(&mut body, &shares);
    body
}

fn u16_bytes(codes: &[u16]) -> Vec<u8> {
    codes.iter().flat_map(|c| c.to_be_bytes()).collect()
}

fn put_u8_list(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

fn put_u16_list(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    put_u16_list(out, body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hello::parse_client_hello;

    #[test]
    fn a_built_hello_parses_as_what_it_offers() {
        let offer = Offer {
            versions: vec![ProtocolVersion::Tls12, ProtocolVersion::Tls13],
            suites: vec![0x1301, 0xC02F, 0xC00E],
            groups: vec![0x001D, 0x0017, 0x0100],
            shares: true,
            schemes: vec![0x0804, 0x0403],
            alpn: vec!["h2".into(), "http/1.1".into()],
            server_name: Some("server.example.com".into()),
        };
        let built = build(&offer);
        let hello = parse_client_hello(&built.record[5..]).expect("it parses");
        assert_eq!(hello.legacy_version, 0x0303);
        assert_eq!(hello.suites, offer.suites);
        assert_eq!(hello.groups, offer.groups);
        assert_eq!(hello.key_shares, vec![0x001D, 0x0017]);
        assert_eq!(hello.signature_algorithms, offer.schemes);
        assert_eq!(hello.alpn, offer.alpn);
        assert_eq!(hello.supported_versions, vec![0x0304, 0x0303]);
        assert_eq!(hello.server_name.as_deref(), Some("server.example.com"));
        assert_eq!(built.keys.len(), 2);
    }

    #[test]
    fn a_tls10_hello_has_no_supported_versions_and_no_name_for_an_address() {
        let offer = Offer {
            versions: vec![ProtocolVersion::Tls10],
            suites: vec![0x002F],
            server_name: Some("127.0.0.1".into()),
            ..Offer::default()
        };
        let hello = parse_client_hello(&build(&offer).record[5..]).expect("it parses");
        assert_eq!(hello.legacy_version, 0x0301);
        assert!(hello.supported_versions.is_empty());
        assert_eq!(hello.server_name, None);
    }
}
