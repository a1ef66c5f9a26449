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
        signature_hash: None,
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
        key_agreement: false,
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
    // Pool entries 46 and 43: SHA-256 of the slot names, mod 64.
    assert_eq!(keys::index(KeyType::Rsa2048, "cache-a"), 46);
    assert_eq!(keys::index(KeyType::Rsa2048, "cache-b"), 43);
    assert_ne!(public("cache-a"), public("cache-b"));
}

/// Two PKIs whose CAs have the same names but different ids (so different
/// keys) issue certificates that differ only in keys, serials and
/// signatures: the serial covers the key's slot, so no two different
/// certificates share an issuer and serial (NSS refuses the second one).
#[test]
fn certificates_are_deterministic_apart_from_keys_and_serials() {
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
        assert_ne!(a.raw_serial(), b.raw_serial());
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
    assert_ne!(parse(&roots[0]).raw_serial(), parse(&roots[1]).raw_serial());
    // Pinned, so that a change to the derivation (which changes snapshots) is seen.
    assert_eq!(
        parse(&roots[0]).raw_serial_as_string(),
        "43:96:77:30:b1:be:3b:bb:20:79:d1:4b:d8:b0:5c:ca"
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
            let der = PrivateKeyDer::Pkcs8(identity.key_pkcs8_der.clone().into());
            let rustls_key = rustls::crypto::aws_lc_rs::sign::any_supported_type(&der);
            // aws-lc-rs signs with no RSA key under 2048 bits: rustls cannot
            // be a legacy RSA-1024 endpoint. (webpki still verifies the
            // chain: the leaf's own key signs nothing in it.)
            if key == KeyType::Rsa1024 {
                assert!(rustls_key.is_err());
                webpki_verifies(&root_der, &identity).unwrap();
            } else if key.algorithm() != KeyAlgorithm::Dsa {
                webpki_verifies(&root_der, &identity).unwrap();
                rustls_key.unwrap();
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

#[test]
fn fingerprint_is_lowercase_sha256_hex() {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    assert_eq!(
        fingerprint(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        fingerprint(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn every_pooled_key_parses_and_has_its_type() {
    use openssl::pkey::Id;
    let mut seen = std::collections::HashSet::new();
    let mut dsa_parameters = std::collections::HashSet::new();
    for (key_type, size) in [
        (KeyType::Rsa2048, 64),
        (KeyType::Rsa4096, 8),
        (KeyType::EcdsaP256, 32),
        (KeyType::EcdsaP384, 32),
        (KeyType::Dsa2048, 8),
        (KeyType::Rsa1024, 16),
        (KeyType::EcdsaP521, 16),
    ] {
        assert_eq!(keys::pool(key_type).len(), size, "{key_type} pool size");
        for index in 0..size {
            let key = keys::entry(key_type, index).unwrap();
            assert_eq!(key.key_type, key_type);
            assert!(
                seen.insert(key.pkcs8),
                "{key_type} #{index} is in the pool twice"
            );
            let openssl = key.openssl().unwrap();
            let (id, bits) = match key_type {
                KeyType::Rsa2048 => (Id::RSA, 2048),
                KeyType::Rsa4096 => (Id::RSA, 4096),
                KeyType::EcdsaP256 => (Id::EC, 256),
                KeyType::EcdsaP384 => (Id::EC, 384),
                KeyType::Dsa2048 => (Id::DSA, 2048),
                KeyType::Rsa1024 => (Id::RSA, 1024),
                KeyType::EcdsaP521 => (Id::EC, 521),
            };
            assert_eq!(
                (openssl.id(), openssl.bits()),
                (id, bits),
                "{key_type} #{index}"
            );
            if key_type == KeyType::Dsa2048 {
                let dsa = openssl.dsa().unwrap();
                assert_eq!(dsa.q().num_bits(), 256);
                dsa_parameters.insert([dsa.p(), dsa.q(), dsa.g()].map(|n| n.to_vec()));
            }
        }
    }
    assert_eq!(
        dsa_parameters.len(),
        1,
        "the DSA keys share one parameter set"
    );
    assert!(keys::entry(KeyType::Rsa4096, 8).is_err());
}

/// Every CA the shipped scenarios can use: the catalog's (with the
/// built-in root), each scenario file's own, and those of the generated
/// cases of tests/model.rs (its `CAS` text, read from the source so that it
/// cannot drift).
fn shipped_cas() -> Vec<CaSpec> {
    use crate::scenario::{toml_files, Catalog};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog_dir = root.join("scenarios/catalog");
    let catalog = Catalog::load(&catalog_dir).unwrap();
    let mut cas = catalog.cas.clone();
    for path in toml_files(&root.join("scenarios")).unwrap() {
        if !path.starts_with(&catalog_dir) {
            cas.extend(catalog.load_scenario_file(&path).unwrap().cas);
        }
    }
    let model = std::fs::read_to_string(root.join("tests/model.rs")).unwrap();
    let (_, text) = model
        .split_once("const CAS: &str = r#\"")
        .expect("tests/model.rs defines its CAs in `const CAS: &str = r#\"…\"#;`");
    let (text, _) = text.split_once("\"#;").unwrap();
    let model = catalog.parse_scenario_file(std::path::Path::new("tests/model.rs"), text);
    cas.extend(model.unwrap().cas);
    let mut by_id = std::collections::BTreeMap::new();
    for spec in cas {
        let earlier = by_id.insert(spec.id.clone(), spec.clone());
        assert!(earlier.is_none_or(|earlier| earlier == spec), "{}", spec.id);
    }
    by_id.into_values().collect()
}

#[test]
fn shipped_cas_have_pairwise_distinct_keys() {
    let cas = shipped_cas();
    for id in [
        "harness-root",
        "enterprise-root",
        "gen-ec-root",
        "gen-rsa-issuing",
    ] {
        assert!(cas.iter().any(|ca| ca.id == id), "{id} not found");
    }
    let mut owners = std::collections::HashMap::new();
    for ca in &cas {
        let key = keys::key(ca.key, &format!("ca:{}", ca.id)).unwrap();
        if let Some(other) = owners.insert(key.pkcs8, &ca.id) {
            panic!(
                "CAs `{other}` and `{}` have the same {} key; give `ca:{}` a pool entry \
                 of its own in keys::PINNED",
                ca.id, ca.key, ca.id
            );
        }
    }
    assert!(owners.len() >= 13, "{} CAs", owners.len());
}

/// What `golden_fingerprints_are_stable` issues: an RSA root, an ECDSA
/// (P-256) root, a P-384 intermediate under it, and leaves: RSA under the
/// RSA root, P-256 under the P-384 intermediate, DSA self-signed, DSA
/// under the P-256 root.
fn golden_certificates() -> Vec<(&'static str, Vec<u8>)> {
    let mut pki = Pki::new();
    for spec in [
        ca("golden-rsa-root", "Golden RSA Root", KeyType::Rsa2048, None),
        ca("golden-ec-root", "Golden EC Root", KeyType::EcdsaP256, None),
        ca(
            "golden-ec-inter",
            "CN=Golden EC Intermediate, O=Harness",
            KeyType::EcdsaP384,
            Some("golden-ec-root"),
        ),
    ] {
        pki.add_ca(spec).unwrap();
    }
    let issue = |key, issuer: &str| {
        let issuer = match issuer {
            "self" => Issuer::SelfSigned,
            id => Issuer::Ca(id.into()),
        };
        let spec = LeafSpec {
            key_slot: "golden".into(),
            ..leaf(key, issuer, Purpose::Server)
        };
        pki.issue(&spec).unwrap().leaf_der
    };
    vec![
        ("rsa root", pki.ca_der("golden-rsa-root").unwrap()),
        ("ecdsa root", pki.ca_der("golden-ec-root").unwrap()),
        ("ecdsa intermediate", pki.ca_der("golden-ec-inter").unwrap()),
        ("rsa leaf", issue(KeyType::Rsa2048, "golden-rsa-root")),
        ("ecdsa leaf", issue(KeyType::EcdsaP256, "golden-ec-inter")),
        ("dsa self-signed", issue(KeyType::Dsa2048, "self")),
        ("dsa leaf", issue(KeyType::Dsa2048, "golden-ec-root")),
    ]
}

/// The fingerprints are constants: the same certificates on every run and
/// every machine. A change here means every certificate changed (a key,
/// the serial derivation, rcgen's or OpenSSL's encoding, or a signer).
#[test]
fn golden_fingerprints_are_stable() {
    let fingerprints: Vec<_> = golden_certificates()
        .into_iter()
        .map(|(name, der)| (name, fingerprint(&der)))
        .collect();
    let fingerprints: Vec<_> = fingerprints.iter().map(|(n, f)| (*n, f.as_str())).collect();
    assert_eq!(fingerprints, GOLDEN);
}

const GOLDEN: [(&str, &str); 7] = [
    (
        "rsa root",
        "f84a0ff046511717274d1f264aff1a91148703228373846b2dc7f47b79545603",
    ),
    (
        "ecdsa root",
        "8240d73afcd6df543d54bb17a0d53224f57d3961ae9fada9d2430cb395de1966",
    ),
    (
        "ecdsa intermediate",
        "8b9a66f53ba35b8d0f3c95d0346f1405cf876db556d8b274600a777b46b68b60",
    ),
    (
        "rsa leaf",
        "e52dd5c45f0f3db33c1c6293128fcc13b92f3b8de5b90d259e83d84c2ea7b0af",
    ),
    (
        "ecdsa leaf",
        "894ba9b66672bdc77b93f9388b217df5b57b763b51a3bf4850f5d2cd2bbe0fe2",
    ),
    (
        "dsa self-signed",
        "312b2783746210daa60506375a13b3eb7364f8b8a135bde1901d0640eb96da91",
    ),
    (
        "dsa leaf",
        "5ac5c814084e0f943416c0bf55784e5e783269483a1a81cd6036f8e01cd015ac",
    ),
];

/// `make_ca` and `make_leaf` (below the process caches) make the same
/// bytes twice, for every key type under every kind of issuer; self-signed
/// certificates verify under their own key.
#[test]
fn making_a_certificate_twice_gives_the_same_bytes() {
    let spec = |key: KeyType| ca(&format!("twice-{key}"), "Twice Root", key, None);
    let roots: Vec<Arc<Ca>> = [
        KeyType::Rsa2048,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
    ]
    .into_iter()
    .map(|key| {
        let root = make_ca(spec(key), None).unwrap();
        assert_eq!(
            root.der,
            make_ca(spec(key), None).unwrap().der,
            "{key} root"
        );
        root
    })
    .collect();
    for parent in &roots {
        let inter = ca("twice-inter", "Twice Inter", KeyType::EcdsaP256, None);
        let inter = CaSpec {
            issuer: Some(parent.spec.id.clone()),
            ..inter
        };
        let a = make_ca(inter.clone(), Some(parent)).unwrap();
        let b = make_ca(inter, Some(parent)).unwrap();
        assert_eq!(
            (&a.der, &a.chain),
            (&b.der, &b.chain),
            "under {}",
            parent.spec.id
        );
    }
    for key in KeyType::ALL {
        let issuers = std::iter::once(None).chain(roots.iter().map(Some));
        for issuer in issuers {
            let spec = leaf(
                key,
                issuer.map_or(Issuer::SelfSigned, |ca| Issuer::Ca(ca.spec.id.clone())),
                Purpose::Client,
            );
            let a = make_leaf(&spec, issuer.map(|ca| &**ca)).unwrap();
            let b = make_leaf(&spec, issuer.map(|ca| &**ca)).unwrap();
            let by = issuer.map_or("itself", |ca| &ca.spec.id);
            assert_eq!(a.leaf_der, b.leaf_der, "{key} leaf by {by}");
            if issuer.is_none() {
                let cert = X509::from_der(&a.leaf_der).unwrap();
                assert!(cert.verify(&cert.public_key().unwrap()).unwrap(), "{key}");
            }
        }
    }
}

#[test]
fn ecdsa_and_dsa_signatures_do_not_vary() {
    for key_type in [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::EcdsaP521,
        KeyType::Dsa2048,
    ] {
        let key = keys::entry(key_type, 0).unwrap();
        let hash = key_type.hash();
        let once = key.signer.sign(b"message", hash).unwrap();
        assert_eq!(
            once,
            key.signer.sign(b"message", hash).unwrap(),
            "{key_type}"
        );
        assert_ne!(
            once,
            key.signer.sign(b"other message", hash).unwrap(),
            "{key_type}"
        );
    }
}

/// A CA that names another hash signs its leaves with it, and OpenSSL
/// verifies the signature (for every leaf key type, since those leaves are
/// built by OpenSSL and re-signed); a leaf of each new key type verifies
/// under its CA, RSA-1024 included (signed by OpenSSL, as aws-lc-rs will
/// not).
#[test]
fn a_ca_signs_with_the_hash_it_names() {
    for (ca_key, hash, name) in [
        (KeyType::Rsa2048, SignatureHash::Sha1, "sha1-rsa"),
        (KeyType::Rsa2048, SignatureHash::Sha512, "sha512-rsa"),
        (KeyType::EcdsaP256, SignatureHash::Sha1, "ecdsa-sha1"),
        (KeyType::EcdsaP384, SignatureHash::Sha256, "ecdsa-sha256"),
    ] {
        let mut spec = ca("hash-ca", "Hash CA", ca_key, None);
        spec.signature_hash = Some(hash);
        let mut pki = Pki::new();
        pki.add_ca(spec).unwrap();
        let ca_cert = X509::from_der(&pki.ca_der("hash-ca").unwrap()).unwrap();
        for key in [
            KeyType::Rsa1024,
            KeyType::Rsa2048,
            KeyType::EcdsaP521,
            KeyType::Dsa2048,
        ] {
            let id = pki
                .issue(&leaf(key, Issuer::Ca("hash-ca".into()), Purpose::Server))
                .unwrap();
            assert_eq!(id.issuer_hash, hash);
            assert_eq!(summarize(&id.leaf_der).unwrap().signature, name, "{key}");
            assert_eq!(summarize(&id.leaf_der).unwrap().key, key.as_str());
            let cert = X509::from_der(&id.leaf_der).unwrap();
            assert!(
                cert.verify(&ca_cert.public_key().unwrap()).unwrap(),
                "{key} by {ca_key} with {hash}"
            );
        }
    }
}
