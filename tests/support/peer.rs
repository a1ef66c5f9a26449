//! Real OpenSSL servers for the tests that meet independent clients:
//! `openssl s_server` processes and the `peer.test` certificates they
//! serve, made by the harness's PKI.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use tls_harness::pki::{CaSpec, Issuer, KeyType, LeafSpec, Pki, Purpose, SignatureHash, Validity};

use super::{Child, TempDir};

/// OpenSSL suite name to IANA name, from `openssl ciphers -stdname` (lines
/// `IANA - OPENSSL VERSION Kx=...`; TLS 1.3 suites have one name).
pub fn openssl_to_iana(openssl: &Path) -> HashMap<String, String> {
    let out = Command::new(openssl)
        .args(["ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        .output()
        .expect("openssl ciphers runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let iana = fields.next()?;
            let _dash = fields.next()?;
            Some((fields.next()?.to_string(), iana.to_string()))
        })
        .collect()
}

/// The certificate a real `s_server` serves, made by the harness's PKI
/// for `peer.test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerCert {
    /// RSA-2048 from an RSA CA that signs with SHA-256.
    Rsa,
    /// RSA-1024 (`ee key too small` at level 2).
    Rsa1024,
    /// ECDSA P-384.
    P384,
    /// RSA-2048 from a CA that signs with SHA-1 (`ca md too weak`).
    Sha1Chain,
}

impl PeerCert {
    /// The leaf's key type, and the hash its CA signs with when that is
    /// not the PKI's default.
    fn spec(self) -> (KeyType, Option<SignatureHash>) {
        match self {
            PeerCert::Rsa => (KeyType::Rsa2048, None),
            PeerCert::Rsa1024 => (KeyType::Rsa1024, None),
            PeerCert::P384 => (KeyType::EcdsaP384, None),
            PeerCert::Sha1Chain => (KeyType::Rsa2048, Some(SignatureHash::Sha1)),
        }
    }

    /// `rsa`, `rsa1024`, `p384`, `sha1chain`: the stem of its files.
    pub fn stem(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

/// Writes `cert.pem`, `key.pem` and `ca.pem` (the issuing root) of `kind`
/// for `peer.test` into `dir`, and the DHE groups `dh1024.pem` (RFC 2409),
/// `dh2048.pem` and `dh6144.pem` (RFC 3526).
pub fn write_peer_material(dir: &TempDir, kind: PeerCert) {
    write_peer_leaves(dir, &[kind]);
    for file in ["cert.pem", "key.pem"] {
        std::fs::rename(dir.join(format!("{}.{file}", kind.stem())), dir.join(file)).unwrap();
    }
}

/// Writes one root (`ca.pem`) and, under it, a `peer.test` leaf of each
/// of `kinds` (`STEM.cert.pem`, `STEM.key.pem`; [`PeerCert::stem`]) into
/// `dir`, and the DHE groups `dh1024.pem` (RFC 2409), `dh2048.pem` and
/// `dh6144.pem` (RFC 3526). The root signs with SHA-1 when a kind asks for it.
pub fn write_peer_leaves(dir: &TempDir, kinds: &[PeerCert]) {
    let hash = kinds.iter().find_map(|k| k.spec().1);
    let mut pki = Pki::new();
    pki.add_ca(CaSpec {
        id: "peer-root".into(),
        subject: "Peer Test Root".into(),
        key: KeyType::Rsa2048,
        issuer: None,
        signature_hash: hash,
    })
    .expect("the CA");
    let pem = |der: &[u8]| {
        openssl::x509::X509::from_der(der)
            .unwrap()
            .to_pem()
            .unwrap()
    };
    std::fs::write(dir.join("ca.pem"), pem(&pki.ca_der("peer-root").unwrap())).unwrap();
    for &kind in kinds {
        let id = pki
            .issue(&LeafSpec {
                subject: "peer.test".into(),
                dns_names: vec!["peer.test".into()],
                key: kind.spec().0,
                issuer: Issuer::Ca("peer-root".into()),
                purpose: Purpose::Server,
                key_slot: format!("peer-test-{}", kind.stem()),
                validity: Validity::default(),
                key_agreement: false,
            })
            .expect("the leaf");
        let stem = kind.stem();
        std::fs::write(dir.join(format!("{stem}.cert.pem")), pem(&id.leaf_der)).unwrap();
        let private = openssl::pkey::PKey::private_key_from_pkcs8(&id.key_pkcs8_der).unwrap();
        let key = private.private_key_to_pem_pkcs8().unwrap();
        std::fs::write(dir.join(format!("{stem}.key.pem")), key).unwrap();
    }
    let two = openssl::bn::BigNum::from_u32(2).unwrap();
    for (file, prime) in [
        ("dh1024.pem", openssl::bn::BigNum::get_rfc2409_prime_1024()),
        ("dh2048.pem", openssl::bn::BigNum::get_rfc3526_prime_2048()),
        ("dh6144.pem", openssl::bn::BigNum::get_rfc3526_prime_6144()),
    ] {
        let dh = openssl::dh::Dh::from_pqg(prime.unwrap(), None, two.to_owned().unwrap()).unwrap();
        std::fs::write(dir.join(file), dh.params_to_pem().unwrap()).unwrap();
    }
}

/// `openssl s_server -www` on a port that was free a moment ago, serving
/// `cert.pem`/`key.pem` of `dir` with `args`; its port. Retries once with
/// another port if the first was taken in between.
#[track_caller]
pub fn do_s_server(openssl: &Path, dir: &TempDir, args: &[&str]) -> (Child, u16) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    s_server_with(openssl, (&cert, &key), args)
}

/// [`do_s_server`] with the certificate and key files of `identity`.
#[track_caller]
pub fn s_server_with(openssl: &Path, identity: (&Path, &Path), args: &[&str]) -> (Child, u16) {
    for _ in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Child(
            Command::new(openssl)
                .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www"])
                .arg("-cert")
                .arg(identity.0)
                .arg("-key")
                .arg(identity.1)
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("openssl s_server starts"),
        );
        let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
        // s_server prints ACCEPT once it listens; it exits if it cannot bind.
        if lines.by_ref().map_while(Result::ok).any(|l| l == "ACCEPT") {
            // Keep reading, so that s_server never writes to a closed pipe;
            // the thread ends when the guard kills s_server.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, port);
        }
    }
    panic!("s_server did not start on two free ports");
}

/// `openssl s_server` for a real-client case, with `args` (the DHE group
/// files `dh1024.pem`, `dh2048.pem` and `dh6144.pem` taken from `dir`).
pub fn do_peer_server(openssl: &Path, dir: &TempDir, args: &[&str]) -> (Child, u16) {
    let identity = (dir.join("cert.pem"), dir.join("key.pem"));
    peer_server_as(openssl, dir, (&identity.0, &identity.1), args)
}

/// [`do_peer_server`] serving the leaf of `kind` that
/// [`write_peer_leaves`] wrote into `dir`.
pub fn peer_server_of(
    openssl: &Path,
    dir: &TempDir,
    kind: PeerCert,
    args: &[&str],
) -> (Child, u16) {
    let stem = kind.stem();
    let identity = (
        dir.join(format!("{stem}.cert.pem")),
        dir.join(format!("{stem}.key.pem")),
    );
    peer_server_as(openssl, dir, (&identity.0, &identity.1), args)
}

fn peer_server_as(
    openssl: &Path,
    dir: &TempDir,
    identity: (&Path, &Path),
    args: &[&str],
) -> (Child, u16) {
    let args: Vec<String> = args
        .iter()
        .map(|a| match *a {
            "dh1024.pem" | "dh2048.pem" | "dh6144.pem" => dir.join(a).display().to_string(),
            other => other.to_string(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    s_server_with(openssl, identity, &args)
}
