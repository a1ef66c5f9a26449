//! Tests of the test PKI.

use super::*;
use openssl::pkey::PKey;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::X509StoreContext;
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::RootCertStore;
use std::time::Duration;
use x509_parser::prelude::X509Certificate;

fn ca(id: &str, subject: &str, key: KeyType, issuer: Option<&str>) -> CaSpec {
    CaSpec {
        id: id.into(),
        subject: subject.into(),
        key,
        issuer: issuer.map(Into::into),
    }
}

fn leaf(key: KeyType, issuer: Issuer, purpose: Purpose) -> LeafSpec {
    LeafSpec {
        subject: format!("{key} {purpose:?}"),
        dns_names: vec!["leaf.example".into()],
        key,
        issuer,
        purpose,
        key_slot: "leaf".into(),
        validity: Validity::default(),
    }
}

/// RSA root → RSA intermediate; a sibling RSA root with the same name but
/// its own key; ECDSA P-256 and P-384 roots.
fn test_pki() -> Pki {
    let mut pki = Pki::new();
    for spec in [
        ca("root", "Test Root", KeyType::Rsa2048, None),
        ca("sibling", "Test Root", KeyType::Rsa2048, None),
        ca(
            "inter",
            "CN=Test Intermediate, O=Harness",
            KeyType::Rsa2048,
            Some("root"),
        ),
        ca("ec-root", "EC Root", KeyType::EcdsaP256, None),
        ca("p384-root", "P-384 Root", KeyType::EcdsaP384, None),
    ] {
        pki.add_ca(spec).unwrap();
    }
    pki
}

fn parse(der: &[u8]) -> X509Certificate<'_> {
    x509_parser::parse_x509_certificate(der).unwrap().1
}

fn openssl_verifies(root: &[u8], chain: &[Vec<u8>], leaf: &[u8]) -> bool {
    let mut store = X509StoreBuilder::new().unwrap();
    store.add_cert(X509::from_der(root).unwrap()).unwrap();
    let store = store.build();
    let mut untrusted = Stack::new().unwrap();
    for cert in chain {
        untrusted.push(X509::from_der(cert).unwrap()).unwrap();
    }
    let leaf = X509::from_der(leaf).unwrap();
    let mut context = X509StoreContext::new().unwrap();
    context
        .init(&store, &leaf, &untrusted, |c| c.verify_cert())
        .unwrap()
}

fn webpki_verifies(root: &[u8], identity: &Identity) -> Result<(), rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(root.to_vec())).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .unwrap();
    let chain: Vec<_> = identity
        .chain_der
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let new_year_2026 = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
    verifier
        .verify_server_cert(
            &CertificateDer::from(identity.leaf_der.clone()),
            &chain,
            &ServerName::try_from("leaf.example").unwrap(),
            &[],
            new_year_2026,
        )
        .map(drop)
}

#[test]
fn chain_verifies_only_under_its_own_root() {
    let pki = test_pki();
    let spec = leaf(
        KeyType::EcdsaP256,
        Issuer::Ca("inter".into()),
        Purpose::Server,
    );
    let identity = pki.issue(&spec).unwrap();
    assert_eq!(identity.chain_der, vec![pki.ca_der("inter").unwrap()]);
    assert_eq!(identity.issuer_key, KeyType::Rsa2048);

    let root = pki.ca_der("root").unwrap();
    assert!(openssl_verifies(
        &root,
        &identity.chain_der,
        &identity.leaf_der
    ));
    webpki_verifies(&root, &identity).unwrap();

    let sibling = pki.ca_der("sibling").unwrap();
    assert!(!openssl_verifies(
        &sibling,
        &identity.chain_der,
        &identity.leaf_der
    ));
    assert!(webpki_verifies(&sibling, &identity).is_err());
}

#[test]
fn summary_names_key_issuer_and_signature() {
    let pki = test_pki();
    let spec = leaf(
        KeyType::EcdsaP256,
        Issuer::Ca("inter".into()),
        Purpose::Server,
    );
    let summary = summarize(&pki.issue(&spec).unwrap().leaf_der).unwrap();
    assert_eq!(
        summary,
        CertSummary {
            key: "ecdsa-p256".into(),
            subject: "ecdsa-p256 Server".into(),
            issuer: "Test Intermediate".into(),
            self_signed: false,
            signature: "sha256-rsa".into(),
        }
    );

    let dsa = leaf(KeyType::Dsa2048, Issuer::SelfSigned, Purpose::Server);
    let summary = summarize(&pki.issue(&dsa).unwrap().leaf_der).unwrap();
    assert_eq!(
        (summary.key.as_str(), summary.self_signed),
        ("dsa-2048", true)
    );
    assert_eq!(summary.signature, "dsa-sha256");

    let root = summarize(&pki.ca_der("root").unwrap()).unwrap();
    assert_eq!((root.key.as_str(), root.self_signed), ("rsa-2048", true));
    assert!(summarize(b"not a certificate").is_err());
}

#[test]
fn same_slot_same_key_other_slot_other_key() {
    let public = |slot| {
        let key = keys::key(KeyType::Rsa2048, slot).unwrap();
        let key = PKey::private_key_from_pkcs8(key.pkcs8).unwrap();
        key.public_key_to_der().unwrap()
    };
    assert_eq!(public("cache-a"), public("cache-a"));
    // Pool entries 46 and 43: SHA-256 of the slot names, mod 64.
    assert_eq!(keys::index(KeyType::Rsa2048, "cache-a"), 46);
    assert_eq!(keys::index(KeyType::Rsa2048, "cache-b"), 43);
    assert_ne!(public("cache-a"), public("cache-b"));
}

/// Two PKIs whose CAs have the same names but different ids (so different
/// keys) issue certificates that differ only in keys and signatures.
#[test]
fn certificates_are_deterministic_apart_from_keys() {
    // Slots whose keys differ: `ca:det-a` and `ca:det-b` (P-256 entries 12
    // and 29), `det-det-a` and `det-det-b` (P-256 3 and 2, DSA 3 and 2).
    for key in [KeyType::EcdsaP256, KeyType::Dsa2048] {
        assert_ne!(keys::index(key, "det-det-a"), keys::index(key, "det-det-b"));
    }
    let ca_key = |id| keys::index(KeyType::EcdsaP256, &format!("ca:{id}"));
    assert_ne!(ca_key("det-a"), ca_key("det-b"));
    let pkis: Vec<(Pki, &str)> = ["det-a", "det-b"]
        .into_iter()
        .map(|id| {
            let mut pki = Pki::new();
            pki.add_ca(ca(id, "Det Root", KeyType::EcdsaP256, None))
                .unwrap();
            (pki, id)
        })
        .collect();
    for key in [KeyType::EcdsaP256, KeyType::Dsa2048] {
        let issued: Vec<_> = pkis
            .iter()
            .map(|(pki, id)| {
                let spec = LeafSpec {
                    key_slot: format!("det-{id}"),
                    ..leaf(key, Issuer::Ca((*id).into()), Purpose::Client)
                };
                pki.issue(&spec).unwrap().leaf_der
            })
            .collect();
        let (a, b) = (parse(&issued[0]), parse(&issued[1]));
        assert_ne!(a.public_key().raw, b.public_key().raw);
        assert_eq!(a.raw_serial(), b.raw_serial());
        for cert in [&a, &b] {
            let validity = cert.validity();
            let span = (
                validity.not_before.timestamp(),
                validity.not_after.timestamp(),
            );
            assert_eq!(span, (946_684_800, 2_524_607_999)); // 2000-01-01 to 2049-12-31T23:59:59
        }
        assert_eq!(a.subject().as_raw(), b.subject().as_raw());
        assert_eq!(a.issuer().as_raw(), b.issuer().as_raw());
        assert_eq!(summarize(&issued[0]), summarize(&issued[1]));
        // Both builders (rcgen for ECDSA, OpenSSL for DSA) write the
        // validity as UTCTime, and a 16-byte positive serial.
        for der in &issued {
            let contains = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
            assert!(contains(b"\x17\x0d000101000000Z\x17\x0d491231235959Z"));
            assert_eq!(parse(der).raw_serial().len(), 16);
        }
    }
    let roots: Vec<_> = pkis
        .iter()
        .map(|(pki, id)| pki.ca_der(id).unwrap())
        .collect();
    assert_eq!(parse(&roots[0]).raw_serial(), parse(&roots[1]).raw_serial());
    // Pinned, so that a change to the derivation (which changes snapshots) is seen.
    assert_eq!(
        parse(&roots[0]).raw_serial_as_string(),
        "57:cb:e6:0c:1f:e0:8d:ab:fc:34:7a:5d:ee:05:fa:5e"
    );
    assert_ne!(roots[0], roots[1]);
}

#[test]
fn every_key_type_can_be_issued_by_rsa_and_ecdsa_roots() {
    let pki = test_pki();
    let roots = [
        ("root", "sha256-rsa"),
        ("ec-root", "ecdsa-sha256"),
        ("p384-root", "ecdsa-sha384"),
    ];
    for key in KeyType::ALL {
        for (root, signature) in roots {
            let identity = pki
                .issue(&leaf(key, Issuer::Ca(root.into()), Purpose::Server))
                .unwrap();
            let summary = summarize(&identity.leaf_der).unwrap();
            assert_eq!(
                (summary.key.as_str(), summary.signature.as_str()),
                (key.as_str(), signature)
            );
            let root_der = pki.ca_der(root).unwrap();
            assert!(
                openssl_verifies(&root_der, &identity.chain_der, &identity.leaf_der),
                "{key} under {root}"
            );

            let private = PKey::private_key_from_pkcs8(&identity.key_pkcs8_der).unwrap();
            let public = X509::from_der(&identity.leaf_der)
                .unwrap()
                .public_key()
                .unwrap();
            assert!(
                private.public_eq(&public),
                "{key}: key does not match certificate"
            );
            if key.algorithm() != KeyAlgorithm::Dsa {
                webpki_verifies(&root_der, &identity).unwrap();
                let der = PrivateKeyDer::Pkcs8(identity.key_pkcs8_der.clone().into());
                rustls::crypto::aws_lc_rs::sign::any_supported_type(&der).unwrap();
            }
        }
    }
}

#[test]
fn extensions_follow_role_and_key() {
    use x509_parser::oid_registry::{
        OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER as AKI, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER as SKI,
    };
    let pki = test_pki();
    let der = pki.ca_der("inter").unwrap();
    let ca = parse(&der);
    let constraints = ca.basic_constraints().unwrap().unwrap();
    assert!(constraints.critical && constraints.value.ca);
    let usage = ca.key_usage().unwrap().unwrap().value;
    assert!(usage.key_cert_sign() && usage.crl_sign() && !usage.digital_signature());
    assert_eq!(ca.subject().to_string(), "O=Harness, CN=Test Intermediate");

    for key in [KeyType::Rsa2048, KeyType::EcdsaP384, KeyType::Dsa2048] {
        for purpose in [Purpose::Server, Purpose::Client] {
            let spec = leaf(key, Issuer::Ca("root".into()), purpose);
            let der = pki.issue(&spec).unwrap().leaf_der;
            let cert = parse(&der);
            let eku = cert.extended_key_usage().unwrap().unwrap().value;
            let server = purpose == Purpose::Server;
            assert_eq!((eku.server_auth, eku.client_auth), (server, !server));
            let usage = cert.key_usage().unwrap().unwrap().value;
            assert!(usage.digital_signature() && !usage.key_cert_sign());
            let rsa = key.algorithm() == KeyAlgorithm::Rsa;
            assert_eq!(usage.key_encipherment(), server && rsa, "{key} {purpose:?}");
            assert!(!cert.is_ca());
            let san = cert.subject_alternative_name().unwrap().unwrap().value;
            assert_eq!(san.general_names.len(), 1);
            for id in [AKI, SKI] {
                assert!(cert.get_extension_unique(&id).unwrap().is_some());
            }
        }
    }
}

#[test]
fn key_type_names_match_serde() {
    use serde::de::{value::Error, value::StrDeserializer, Deserialize};
    for key in KeyType::ALL {
        let parsed = KeyType::deserialize(StrDeserializer::<Error>::new(key.as_str()));
        assert_eq!(parsed, Ok(key));
    }
}

#[test]
fn bad_specs_give_the_right_errors() {
    let mut pki = test_pki();
    let orphan = ca("orphan", "Orphan", KeyType::Rsa2048, Some("nowhere"));
    assert_eq!(
        pki.add_ca(orphan),
        Err(PkiError::UnknownCa("nowhere".into()))
    );
    let dsa = pki.add_ca(ca("dsa", "DSA CA", KeyType::Dsa2048, None));
    assert!(matches!(dsa, Err(PkiError::Unsupported(_))), "{dsa:?}");
    let twice = pki.add_ca(ca("root", "Again", KeyType::EcdsaP256, None));
    assert_eq!(twice, Err(PkiError::DuplicateCa("root".into())));
    let bad_subject = pki.add_ca(ca("bad", "CN=x, OU=y", KeyType::EcdsaP256, None));
    assert!(matches!(bad_subject, Err(PkiError::InvalidSubject { .. })));
    let unknown = pki.issue(&leaf(
        KeyType::EcdsaP256,
        Issuer::Ca("nowhere".into()),
        Purpose::Server,
    ));
    assert_eq!(unknown.unwrap_err(), PkiError::UnknownCa("nowhere".into()));
    assert_eq!(
        pki.ca_ids().collect::<Vec<_>>(),
        ["root", "sibling", "inter", "ec-root", "p384-root"]
    );
}
