//! `infer` against `serve`: every catalog server profile, served on each
//! backend that can serve it, read back over real sockets into a profile;
//! what comes back is what the profile serves: its versions, its suites per
//! version in its order, whether it honours its order, its groups where it
//! lists them, the key types of the certificates it presents, and whether
//! it asks for a client certificate. "What it serves" is the negotiation
//! model's answer for a client that offers one version and one suite (a
//! certificate that client could not verify still counts: the server
//! accepted the hello); the model is checked against the real stacks
//! elsewhere, so here it stands for the profile as each stack runs it.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use support::peer::PeerCert;
use support::{catalog, make_pki, start_server_with};
use tls_harness::backend::Backend;
use tls_harness::endpoint;
use tls_harness::import::Seen;
use tls_harness::infer::{
    infer, profile_toml, Demand, InferError, InferOptions, Inferred, ProfileNaming,
};
use tls_harness::model::{predict, Rules, Stacks};
use tls_harness::moment::Moment;
use tls_harness::net::ServeOptions;
use tls_harness::outcome::Outcome;
use tls_harness::pki::Pki;
use tls_harness::pki::{KeyAlgorithm, KeyType};
use tls_harness::run::ad_hoc;
use tls_harness::scenario::{Catalog, ClientAuth, Profile, Role};
use tls_harness::suite::Authentication;
use tls_harness::version::ProtocolVersion;

/// The suites a server profile accepts per version, in its order, as the
/// model says `backend` serves it.
fn served_suites(
    server: &Arc<Profile>,
    backend: Backend,
    at: Moment,
) -> BTreeMap<ProtocolVersion, Vec<u16>> {
    let mut trust: Vec<String> = catalog().cas.iter().map(|c| c.id.clone()).collect();
    trust.push("harness-root".into());
    let stacks = Stacks {
        client: Rules::Reference,
        server: Rules::from(backend),
    };
    let mut served = BTreeMap::new();
    for &version in &server.versions {
        let accepted: Vec<u16> = server
            .suites
            .iter()
            .filter(|choice| choice.suite.valid_for(version))
            .filter(|choice| {
                let client = Arc::new(Profile {
                    versions: vec![version],
                    suites: vec![(*choice).clone()],
                    trust: trust.clone(),
                    ..Profile::new("infer-question", Role::Client)
                });
                let prediction = predict(&ad_hoc(&client, server, &[]), &catalog().cas, stacks, at);
                match prediction.outcome {
                    Outcome::Established(_) | Outcome::IdentityRefused(_) => true,
                    Outcome::Failed(f) => f.server_certificate.is_some(),
                }
            })
            .map(|choice| choice.suite.code)
            .collect();
        if !accepted.is_empty() {
            served.insert(version, accepted);
        }
    }
    served
}

/// Serves `profile` on `backend` and infers it back.
fn infer_served(
    profile: &Profile,
    backend: Backend,
    pki: &Pki,
    at: Moment,
) -> Result<Inferred, InferError> {
    let options = ServeOptions {
        deadline: Duration::from_secs(5),
        max_connections: None,
        duration: Some(Duration::from_secs(120)),
        concurrency: 16,
        client_identities: profile.client_identities.clone(),
        pcap: None,
    };
    let served = start_server_with(profile, backend, pki, at, options);
    let options = InferOptions {
        server_name: Some(profile.host.clone()),
        ..InferOptions::default()
    };
    infer(&served.addr.to_string(), &options)
}

/// What an inferred profile must give back, or why it differs.
fn differences(
    profile: &Arc<Profile>,
    backend: Backend,
    pki: &Pki,
    inferred: &Inferred,
    at: Moment,
) -> Vec<String> {
    let mut problems = Vec::new();
    let served = served_suites(profile, backend, at);
    let versions: Vec<ProtocolVersion> = served.keys().copied().collect();
    if inferred.versions != versions {
        problems.push(format!(
            "versions {:?}, served {:?}",
            inferred.versions, versions
        ));
    }
    for (version, suites) in &served {
        let found = inferred.suites.get(version).cloned().unwrap_or_default();
        let same = match profile.server_preference {
            true => found == *suites,
            false => sorted(&found) == sorted(suites),
        };
        if !same {
            problems.push(format!(
                "{version} suites {found:04x?}, served {suites:04x?}"
            ));
        }
    }
    problems.extend(group_differences(profile, backend, &served, inferred));
    problems.extend(certificate_differences(profile, pki, &served, inferred));
    let requested = profile.client_auth != ClientAuth::None;
    if inferred.requested != Seen::Known(requested) {
        problems.push(format!(
            "client certificate requested {:?}, served {requested}",
            inferred.requested
        ));
    }
    // Whether it demands one is asked at TLS 1.3 only.
    if requested && served.contains_key(&ProtocolVersion::Tls13) {
        let demands = profile.client_auth == ClientAuth::Require;
        let found = match &inferred.demand {
            Some(Demand::Demanded(_)) => Some(true),
            Some(Demand::NotDemanded) => Some(false),
            _ => None,
        };
        if found != Some(demands) {
            problems.push(format!(
                "client certificate demand {:?}, served {demands}",
                inferred.demand
            ));
        }
    }
    let tellable = served.values().any(|s| s.len() >= 2);
    if tellable && inferred.server_preference != Some(profile.server_preference) {
        problems.push(format!(
            "server preference {:?}, served {}",
            inferred.server_preference, profile.server_preference
        ));
    }
    problems
}

/// The groups it chooses from: the profile's list or the stack's own, as
/// the backend implements them; none where no served suite exchanges
/// keys by a group (static RSA alone at TLS 1.2 and below).
fn group_differences(
    profile: &Profile,
    backend: Backend,
    served: &BTreeMap<ProtocolVersion, Vec<u16>>,
    inferred: &Inferred,
) -> Vec<String> {
    let tls13 = served.contains_key(&ProtocolVersion::Tls13);
    let ecdhe = served.values().flatten().any(|code| {
        tls_harness::suite::registry()
            .by_code(*code)
            .is_some_and(|s| s.key_exchange == tls_harness::suite::KeyExchange::Ecdhe)
    });
    if !tls13 && !ecdhe {
        return match inferred.groups.is_empty() {
            true => Vec::new(),
            false => vec![format!(
                "groups {:04x?} with no suite to use one",
                inferred.groups
            )],
        };
    }
    let listed = profile.handshake.groups.as_deref();
    // Below TLS 1.3 only elliptic curves are asked about (a DHE group is
    // not named on the wire there).
    let served: Vec<u16> = tls_harness::group::effective(backend, listed)
        .iter()
        .filter(|g| tls13 || g.kind == tls_harness::group::GroupKind::Ec)
        .map(|g| g.code)
        .collect();
    // Its order only where it follows its own.
    let same = match inferred.group_preference {
        Some(true) => inferred.groups == served,
        _ => sorted(&inferred.groups) == sorted(&served),
    };
    match same {
        true => Vec::new(),
        false => vec![format!(
            "groups {:04x?}, served {served:04x?}",
            inferred.groups
        )],
    }
}

/// The key types of the certificates it presents: each one a served suite
/// can authenticate with.
fn certificate_differences(
    profile: &Profile,
    pki: &Pki,
    served: &BTreeMap<ProtocolVersion, Vec<u16>>,
    inferred: &Inferred,
) -> Vec<String> {
    let issued = endpoint::issue(profile, pki).expect("the profile's certificates");
    let usable = |key: KeyType| {
        served.values().flatten().any(|code| {
            let suite = tls_harness::suite::registry()
                .by_code(*code)
                .expect("a served suite");
            match suite.authentication {
                Authentication::Any => key.algorithm() != KeyAlgorithm::Dsa,
                Authentication::Rsa => key.algorithm() == KeyAlgorithm::Rsa,
                Authentication::Ecdsa => key.algorithm() == KeyAlgorithm::Ecdsa,
                Authentication::Dss => key.algorithm() == KeyAlgorithm::Dsa,
                _ => false,
            }
        })
    };
    let mut want: Vec<&str> = issued
        .identities
        .iter()
        .map(|id| id.key_type)
        .filter(|key| usable(*key))
        .map(KeyType::as_str)
        .collect();
    let mut found: Vec<String> = inferred
        .certificates
        .iter()
        .map(|p| {
            tls_harness::pki::summarize(&p.chain[0])
                .expect("a certificate")
                .key
        })
        .collect();
    want.sort();
    want.dedup();
    found.sort();
    match found == want {
        true => Vec::new(),
        false => vec![format!("certificate keys {found:?}, presented {want:?}")],
    }
}

fn sorted(codes: &[u16]) -> Vec<u16> {
    let mut codes = codes.to_vec();
    codes.sort();
    codes
}

#[test]
fn every_catalog_server_profile_served_on_each_backend_is_inferred_back() {
    let at = Moment::now();
    let pki = make_pki(&catalog().cas);
    let backends: Vec<Backend> = Backend::EVERY
        .into_iter()
        .filter(|b| *b != Backend::Jsse || support::jdk_found())
        .collect();
    // A backend a thread: the servers and the questions are I/O-bound.
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let running: Vec<_> = backends
            .iter()
            .map(|backend| scope.spawn(|| round_trips(*backend, &pki, at)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let checked: usize = results.iter().map(|r| r.0).sum();
    let problems: Vec<&String> = results.iter().flat_map(|r| &r.1).collect();
    eprintln!("{checked} profile × backend round trips");
    assert!(checked > 40, "only {checked} round trips ran");
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every catalog server profile `backend` can serve, served and inferred
/// back: how many, and every difference.
fn round_trips(backend: Backend, pki: &Pki, at: Moment) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut problems = Vec::new();
    let servers = catalog()
        .profiles
        .values()
        .filter(|p| p.role == Role::Server);
    for profile in servers {
        let profile = Arc::new(profile.at(at));
        if endpoint::unsupported(backend, &profile).is_some() {
            continue;
        }
        checked += 1;
        let served = served_suites(&profile, backend, at);
        let inferred = match infer_served(&profile, backend, pki, at) {
            Ok(inferred) => inferred,
            Err(InferError::NothingAccepted { .. }) if served.is_empty() => continue,
            Err(e) => panic!("{} on {backend}: {e}", profile.id),
        };
        let naming = ProfileNaming {
            id: "inferred".into(),
            product: "inferred".into(),
            connection: "https".into(),
        };
        let text = profile_toml(&inferred, &naming)
            .unwrap_or_else(|e| panic!("{} on {backend}: {e}", profile.id));
        Catalog::empty()
            .parse_scenario_file(std::path::Path::new("inferred.toml"), &text)
            .expect("it loads as it is");
        for problem in differences(&profile, backend, pki, &inferred, at) {
            problems.push(format!("{} on {backend}: {problem}", profile.id));
        }
    }
    (checked, problems)
}

/// A peer at 127.0.0.1 that meets each connection with `answer`, on a
/// thread of its own for as long as the test runs; its address.
fn peer(answer: fn(tokio::net::TcpStream)) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            listener.set_nonblocking(true).expect("nonblocking");
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                answer(stream);
            }
        });
    });
    addr
}

/// Takes what the client sends and never answers: only the client's
/// deadline ends it, so no clock is needed to recognise it.
fn never_answers(stream: tokio::net::TcpStream) {
    tokio::spawn(async move {
        let mut stream = stream;
        let mut sink = [0u8; 4096];
        while matches!(
            tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await,
            Ok(n) if n > 0
        ) {}
    });
}

/// Resets the connection (SO_LINGER 0) as soon as it is accepted.
fn resets(stream: tokio::net::TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Answers with HTTP, not TLS, and closes.
fn speaks_http(stream: tokio::net::TcpStream) {
    tokio::spawn(async move {
        let mut stream = stream;
        let mut hello = [0u8; 4096];
        let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut hello).await;
        let reply = b"HTTP/1.1 400 Bad Request\r\n\r\n";
        let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, reply).await;
    });
}

#[test]
fn a_server_that_does_not_answer_tls_is_unreachable_with_what_it_did() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").to_string()
    };
    let cases = [
        (closed, "cannot connect"),
        (peer(never_answers), "no answer within 300 ms"),
        (peer(resets), "reset"),
        (
            peer(speaks_http),
            "not TLS (28 bytes, beginning 48 54 54 50",
        ),
    ];
    for (target, says) in cases {
        let out = support::tls_harness(&["infer", &target, "--deadline-ms", "300"]);
        support::check_status(&out, tls_harness::exit_codes::UNREACHABLE);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("cannot reach {target}: ")) && err.contains(says),
            "{target}: {err}"
        );
        assert!(out.stdout.is_empty(), "{target}: wrote a profile");
    }
}

/// An `openssl s_server` configured by hand, and what `infer` must read
/// back from it.
struct Shape {
    name: &'static str,
    args: &'static [&'static str],
    versions: &'static [ProtocolVersion],
    /// Suites of the newest version, in the order it must find them.
    suites: &'static [u16],
    preference: Option<bool>,
    /// Groups it must find, any order.
    groups: &'static [u16],
    keys: &'static [&'static str],
    requested: bool,
    /// Whether it aborts without a client certificate, where asked.
    demands: Option<bool>,
}

const SHAPES: [Shape; 8] = [
    Shape {
        name: "TLS 1.2, three suites, its own order",
        args: &[
            "-tls1_2",
            "-serverpref",
            "-cipher",
            "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
        ],
        versions: &[ProtocolVersion::Tls12],
        suites: &[0xC030, 0x002F, 0xC02F],
        preference: Some(true),
        groups: &[],
        keys: &["rsa-2048"],
        requested: false,
        demands: None,
    },
    Shape {
        name: "TLS 1.2, the client's order",
        args: &[
            "-tls1_2",
            "-cipher",
            "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256",
        ],
        versions: &[ProtocolVersion::Tls12],
        // The client's order: the code-point order the questions offer.
        suites: &[0x002F, 0xC02F],
        preference: Some(false),
        groups: &[],
        keys: &["rsa-2048"],
        requested: false,
        demands: None,
    },
    Shape {
        name: "TLS 1.3 only, one suite",
        args: &["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
        versions: &[ProtocolVersion::Tls13],
        suites: &[0x1302],
        preference: None,
        groups: &[],
        keys: &["rsa-2048"],
        requested: false,
        demands: None,
    },
    Shape {
        name: "TLS 1.3, two groups",
        args: &["-tls1_3", "-groups", "secp384r1:X25519"],
        versions: &[ProtocolVersion::Tls13],
        suites: &[],
        preference: None,
        groups: &[0x0018, 0x001D],
        keys: &["rsa-2048"],
        requested: false,
        demands: None,
    },
    Shape {
        name: "TLS 1.2 and 1.3, an RSA and an ECDSA certificate",
        args: &[
            "-no_tls1",
            "-no_tls1_1",
            "-dcert",
            "p384.cert.pem",
            "-dkey",
            "p384.key.pem",
        ],
        versions: &[ProtocolVersion::Tls12, ProtocolVersion::Tls13],
        suites: &[],
        preference: None,
        groups: &[],
        keys: &["ecdsa-p384", "rsa-2048"],
        requested: false,
        demands: None,
    },
    Shape {
        name: "TLS 1.3, asks for a client certificate",
        args: &["-tls1_3", "-verify", "1"],
        versions: &[ProtocolVersion::Tls13],
        suites: &[],
        preference: None,
        groups: &[],
        keys: &["rsa-2048"],
        requested: true,
        demands: Some(false),
    },
    Shape {
        name: "TLS 1.3, demands a client certificate",
        args: &["-tls1_3", "-Verify", "1"],
        versions: &[ProtocolVersion::Tls13],
        suites: &[],
        preference: None,
        groups: &[],
        keys: &["rsa-2048"],
        requested: true,
        demands: Some(true),
    },
    Shape {
        name: "TLS 1.2, asks for a client certificate (whether it demands one is not asked)",
        args: &["-tls1_2", "-Verify", "1"],
        versions: &[ProtocolVersion::Tls12],
        suites: &[],
        preference: None,
        groups: &[],
        keys: &["rsa-2048"],
        requested: true,
        demands: None,
    },
];

#[test]
fn openssl_s_server_configured_by_hand_is_inferred_as_configured() {
    let Some(openssl) = support::OPENSSL.find() else {
        return;
    };
    let dir = support::TempDir::new("infer-s-server");
    support::peer::write_peer_leaves(&dir, &[PeerCert::Rsa, PeerCert::P384]);
    for shape in &SHAPES {
        let args: Vec<String> = shape
            .args
            .iter()
            .map(|a| match a.ends_with(".pem") {
                true => dir.join(a).display().to_string(),
                false => a.to_string(),
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_server, port) = support::peer::peer_server_of(&openssl, &dir, PeerCert::Rsa, &args);
        let options = InferOptions {
            server_name: Some("peer.test".into()),
            ..InferOptions::default()
        };
        let inferred = infer(&format!("127.0.0.1:{port}"), &options)
            .unwrap_or_else(|e| panic!("{}: {e}", shape.name));
        check_shape(shape, &inferred);
    }
}

fn check_shape(shape: &Shape, inferred: &Inferred) {
    let name = shape.name;
    assert_eq!(inferred.versions, shape.versions, "{name}: versions");
    let newest = inferred.versions.last().expect("a version");
    if !shape.suites.is_empty() {
        assert_eq!(inferred.suites[newest], shape.suites, "{name}: suites");
    }
    if shape.preference.is_some() {
        assert_eq!(
            inferred.server_preference, shape.preference,
            "{name}: preference"
        );
    }
    if !shape.groups.is_empty() {
        assert_eq!(
            sorted(&inferred.groups),
            sorted(shape.groups),
            "{name}: groups"
        );
    }
    let mut keys: Vec<String> = inferred
        .certificates
        .iter()
        .map(|p| {
            tls_harness::pki::summarize(&p.chain[0])
                .expect("a certificate")
                .key
        })
        .collect();
    keys.sort();
    assert_eq!(keys, shape.keys, "{name}: certificate keys");
    assert_eq!(
        inferred.requested,
        Seen::Known(shape.requested),
        "{name}: client certificate"
    );
    let demands = match &inferred.demand {
        Some(Demand::Demanded(_)) => Some(true),
        Some(Demand::NotDemanded) => Some(false),
        _ => None,
    };
    assert_eq!(
        demands, shape.demands,
        "{name}: demand {:?}",
        inferred.demand
    );
}

/// Static ECDH, which neither rustls nor OpenSSL offers, is found on a
/// JSSE server all the same: infer's own hellos offer it.
#[test]
fn static_ecdh_on_a_jsse_server_is_found_by_infers_own_hellos() {
    if !support::jdk_found() {
        return;
    }
    let text = r#"
[ca.ec-root]
subject = "EC Root"
key = "ecdsa-p256"

[profile.static-ecdh-server]
name = "JSSE server with static ECDH"
product = "test"
release = "1"
role = "server"
connection = "https"
host = "ecdh.example.com"
versions = ["1.2"]
suites = ["TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
certificate = [{ key = "ecdsa-p256", issuer = "ec-root" }]
"#;
    let file = Catalog::empty()
        .parse_scenario_file(std::path::Path::new("static-ecdh.toml"), text)
        .expect("the profile loads");
    let profile = &file.profiles[0];
    let at = Moment::now();
    let inferred = infer_served(profile, Backend::Jsse, &make_pki(&file.cas), at)
        .expect("the JSSE server answers");
    assert_eq!(
        inferred.suites[&ProtocolVersion::Tls12],
        vec![0xC02D, 0xC02B]
    );
}
