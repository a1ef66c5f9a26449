//! The negotiation model: a pure function (no I/O, no keys, no handshakes)
//! from a scenario's two endpoints, and the rules each side follows, to the
//! normalised [`Outcome`] a real handshake would have, with the reasons in
//! words ([`Prediction::steps`]).
//!
//! The model follows the RFCs: the version by RFC 8446 §4.2.1
//! (supported_versions) or RFC 5246 Appendix E.1 (a legacy hello), the
//! suite by the server's or the client's preference among the suites both
//! list that are valid for the version and that a certificate can serve
//! (RFC 5246 §7.4.2), the certificate by its chain to a trust anchor and its
//! name (RFC 5280, RFC 6125), the client certificate by RFC 8446 §4.4.2.4
//! and RFC 5246 §7.4.6, the fallback by RFC 7507. Where rustls or OpenSSL
//! departs from them, [`quirks`] says so, one named function per departure.
//!
//! Every real run is checked against the model ([`disagreements`]); the
//! property tests in `tests/model.rs` check it on random configurations.

pub mod quirks;

use serde::Serialize;

use crate::backend::{Backend, Pairing};
use crate::endpoint::usable_suites;
use crate::moment::Moment;
use crate::outcome::{
    Alert, ErrorKind, Established, Failed, Outcome, Presented, Side, SideError, SuiteName,
};
use crate::pki::{self, CaSpec, CertSummary, Issuer, KeyAlgorithm, KeyType, Validity};
use crate::scenario::{ClientAuth, Profile, Scenario};
use crate::suite::{registry, Authentication, KeyExchange, Suite};
use crate::version::ProtocolVersion;

use quirks::{CertChoice, CertFault};

/// Whose rules one side follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rules {
    /// The RFCs alone: for endpoints no backend can implement (static ECDH,
    /// SSL-era releases) and for explaining what a standard peer does.
    Reference,
    /// rustls 0.23 as the harness drives it.
    Rustls,
    /// OpenSSL (the reference build of the README) as the harness drives it.
    OpenSsl,
}

impl Rules {
    /// `reference`, `rustls` or `openssl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rules::Reference => "reference",
            Rules::Rustls => "rustls",
            Rules::OpenSsl => "openssl",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rules::Reference => "a standard (RFC) stack",
            Rules::Rustls => "rustls",
            Rules::OpenSsl => "OpenSSL",
        }
    }
}

impl From<Backend> for Rules {
    fn from(b: Backend) -> Rules {
        match b {
            Backend::Rustls => Rules::Rustls,
            Backend::OpenSsl => Rules::OpenSsl,
        }
    }
}

/// The rules of each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Stacks {
    /// The client's.
    pub client: Rules,
    /// The server's.
    pub server: Rules,
}

impl Stacks {
    /// Both sides by the RFCs.
    pub const REFERENCE: Stacks = Stacks {
        client: Rules::Reference,
        server: Rules::Reference,
    };

    /// `rustls-openssl`, or `reference` for [`Stacks::REFERENCE`].
    pub fn id(self) -> String {
        if self == Stacks::REFERENCE {
            "reference".to_string()
        } else {
            format!("{}-{}", self.client.as_str(), self.server.as_str())
        }
    }
}

impl From<Pairing> for Stacks {
    fn from(p: Pairing) -> Stacks {
        Stacks {
            client: p.client.into(),
            server: p.server.into(),
        }
    }
}

/// What the model predicts for one scenario under one set of rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Prediction {
    /// The outcome (of the retry, when the client fell back).
    pub outcome: Outcome,
    /// The first attempt, when the client fell back to its retry hello.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<Outcome>,
    /// The reasoning, one sentence a step.
    pub steps: Vec<String>,
}

/// Predicts `scenario` under `stacks`, with dated profiles taken at the
/// scenario's own date or else `at`. `cas` are the CAs the scenario file
/// knows (the model reasons about their specs, never their keys).
pub fn predict(scenario: &Scenario, cas: &[CaSpec], stacks: Stacks, at: Moment) -> Prediction {
    let at = scenario.at.unwrap_or(at);
    let client = scenario.client.at(at);
    let server = scenario.server.at(at);
    let world = World {
        cas,
        at,
        server_name: &scenario.server_name,
    };
    let mut steps = Vec::new();
    let first = attempt(&world, stacks, &client, &server, false, &mut steps);
    let (outcome, fallback_from) = match (&first, client.fallback_hello()) {
        (Outcome::Failed(f), Some(retry)) if f.is_negotiation_failure() => {
            let scsv = client.fallback.as_ref().is_some_and(|f| f.scsv);
            steps.push(format!(
                "The first hello failed in the negotiation, so the client retries with its fallback hello ({}{}).",
                versions_text(&retry.versions),
                if scsv { ", carrying TLS_FALLBACK_SCSV" } else { "" }
            ));
            let second = attempt(&world, stacks, &retry, &server, scsv, &mut steps);
            (second, Some(first))
        }
        _ => (first, None),
    };
    let refused = outcome
        .clone()
        .refuse_unlisted_identity(server.client_identities.as_deref());
    if refused != outcome {
        if let Outcome::IdentityRefused(r) = &refused {
            steps.push(format!(
                "After the handshake the server's application checks the client's identity: {} is not on its list ({}), so it refuses the client.",
                r.identity.as_deref().unwrap_or("no certificate"),
                server.client_identities.as_deref().unwrap_or_default().join(", ")
            ));
        }
    } else if let (Some(list), Outcome::Established(_)) = (&server.client_identities, &outcome) {
        steps.push(format!(
            "The client's identity is on the server's list ({}).",
            list.join(", ")
        ));
    }
    Prediction {
        outcome: refused,
        fallback_from,
        steps,
    }
}

/// What a model run needs besides the endpoints.
struct World<'a> {
    cas: &'a [CaSpec],
    at: Moment,
    server_name: &'a str,
}

/// What the model knows of one certificate, derived from its definition and
/// the CA specs, never from a key.
#[derive(Clone, Debug)]
struct Cert {
    key: KeyType,
    issuer_key: KeyType,
    summary: CertSummary,
    dns_names: Vec<String>,
    validity: Validity,
    /// The issuing CAs, nearest first, up to the root (empty: self-signed).
    path: Vec<String>,
    /// The CAs sent with it (the path without its root, or nothing).
    sent: Vec<String>,
}

impl Cert {
    fn presented(&self, by_exception: bool) -> Presented {
        Presented {
            leaf: self.summary.clone(),
            chain_length: 1 + self.sent.len(),
            accepted_by_exception: by_exception,
        }
    }

    fn describe(&self) -> String {
        let issuer = if self.path.is_empty() {
            "self-signed".to_string()
        } else {
            format!("issued by {}", self.summary.issuer)
        };
        format!(
            "{} certificate {} ({issuer})",
            self.key, self.summary.subject
        )
    }
}

/// The certificates of `profile` as the model sees them, in profile order.
fn certificates(profile: &Profile, cas: &[CaSpec]) -> Vec<Cert> {
    let ca = |id: &str| cas.iter().find(|c| c.id == id);
    profile
        .certificates
        .iter()
        .zip(profile.leaf_specs())
        .map(|(def, spec)| {
            let mut path = Vec::new();
            let mut next = match &def.issuer {
                Issuer::SelfSigned => None,
                Issuer::Ca(id) => Some(id.clone()),
            };
            while let Some(id) = next.take() {
                if path.contains(&id) {
                    break;
                }
                next = ca(&id).and_then(|c| c.issuer.clone());
                path.push(id);
            }
            let issuer_spec = path.first().and_then(|id| ca(id));
            let issuer_key = issuer_spec.map_or(def.key, |c| c.key);
            let issuer_subject = issuer_spec.map_or(def.subject.as_str(), |c| c.subject.as_str());
            let cn = |s: &str| pki::common_name(s).unwrap_or_else(|| s.to_string());
            let sent = if def.send_chain && !path.is_empty() {
                path[..path.len() - 1].to_vec()
            } else {
                Vec::new()
            };
            Cert {
                key: def.key,
                issuer_key,
                summary: CertSummary {
                    key: def.key.as_str().to_string(),
                    subject: cn(&def.subject),
                    issuer: cn(issuer_subject),
                    self_signed: pki::same_subject(&def.subject, issuer_subject),
                    signature: issuer_key.signature_name().to_string(),
                },
                dns_names: spec.dns_names,
                validity: def.validity,
                path,
                sent,
            }
        })
        .collect()
}

/// The certificates `server` keeps in its keystore without presenting
/// them, and why, as `run` reports them.
pub fn withheld(server: &Profile, cas: &[CaSpec]) -> Vec<String> {
    server
        .certificates
        .iter()
        .zip(certificates(server, cas))
        .filter_map(|(def, c)| {
            let why = server.withholds(c.key, c.issuer_key)?;
            Some(format!(
                "{} certificate {}: not presented ({why})",
                c.key, def.subject
            ))
        })
        .collect()
}

fn versions_text(versions: &[ProtocolVersion]) -> String {
    let v: Vec<String> = versions.iter().map(ToString::to_string).collect();
    v.join(", ")
}

fn suite(code: u16) -> Option<&'static Suite> {
    registry().by_code(code)
}

fn suites_text(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "none".to_string();
    }
    let names: Vec<String> = codes
        .iter()
        .map(|c| suite(*c).map_or_else(|| format!("0x{c:04X}"), |s| s.iana.to_string()))
        .collect();
    names.join(", ")
}

/// The suites of `profile` that `rules` can run, in its order.
fn runnable_suites(rules: Rules, profile: &Profile) -> Vec<u16> {
    match rules {
        Rules::Reference => profile.suites.iter().map(|c| c.suite.code).collect(),
        Rules::Rustls => usable_suites(Backend::Rustls, profile).collect(),
        Rules::OpenSsl => usable_suites(Backend::OpenSsl, profile).collect(),
    }
}

/// The suites a client's hello lists.
fn offered_suites(rules: Rules, profile: &Profile, versions: &[ProtocolVersion]) -> Vec<u16> {
    let (Some(min), Some(max)) = (versions.first(), versions.last()) else {
        return Vec::new();
    };
    runnable_suites(rules, profile)
        .into_iter()
        .filter(|code| {
            quirks::client_offers_unusable_suites(rules)
                || suite(*code).is_some_and(|s| s.versions.iter().any(|v| v >= min && v <= max))
        })
        .collect()
}

/// Whether a certificate with `key`, signed with `issuer_key`, can serve
/// `suite` at `version` (RFC 5246 §7.4.2, RFC 4492 §2 for static ECDH).
fn serves(suite: &Suite, version: ProtocolVersion, key: KeyType, issuer_key: KeyType) -> bool {
    if version == ProtocolVersion::Tls13 {
        return key.algorithm() != KeyAlgorithm::Dsa;
    }
    let alg = key.algorithm();
    match suite.key_exchange {
        KeyExchange::Rsa => alg == KeyAlgorithm::Rsa,
        KeyExchange::Ecdh => {
            alg == KeyAlgorithm::Ecdsa
                && match suite.authentication {
                    Authentication::Rsa => issuer_key.algorithm() == KeyAlgorithm::Rsa,
                    Authentication::Ecdsa => issuer_key.algorithm() == KeyAlgorithm::Ecdsa,
                    _ => false,
                }
        }
        _ => match suite.authentication {
            Authentication::Rsa => alg == KeyAlgorithm::Rsa,
            Authentication::Ecdsa => alg == KeyAlgorithm::Ecdsa,
            Authentication::Dss => alg == KeyAlgorithm::Dsa,
            Authentication::Anonymous => true,
            _ => false,
        },
    }
}

/// The key-exchange group the outcome reports: both stacks' first key
/// share and first curve is X25519, and the harness's DHE servers use
/// ffdhe2048.
fn group(version: ProtocolVersion, suite: &Suite) -> Option<String> {
    match (version, suite.key_exchange) {
        (ProtocolVersion::Tls13, _) | (_, KeyExchange::Ecdhe) => Some("X25519".to_string()),
        (_, KeyExchange::Dhe) => Some("dh-2048".to_string()),
        _ => None,
    }
}

fn failed(
    side: Side,
    alert: Option<Alert>,
    cause: ErrorKind,
    server_certificate: Option<Presented>,
) -> Outcome {
    let theirs = alert.map(|a| SideError {
        kind: ErrorKind::AlertReceived(a),
        raw: None,
    });
    let mine = Some(SideError {
        kind: cause,
        raw: None,
    });
    let (client_error, server_error) = match side {
        Side::Client => (mine, theirs),
        Side::Server => (theirs, mine),
    };
    Outcome::Failed(Failed {
        failed_side: Some(side),
        alert,
        client_error,
        server_error,
        server_certificate,
    })
}

/// The client aborts on reading the ServerHello, with `alert`.
fn hello_refused(c_rules: Rules, s_rules: Rules, alert: Alert, cause: ErrorKind) -> Outcome {
    let mut refused = failed(Side::Client, Some(alert), cause, None);
    if let Outcome::Failed(f) = &mut refused {
        f.server_error = Some(SideError {
            kind: quirks::server_reads_hello_refusal(c_rules, s_rules, alert),
            raw: None,
        });
    }
    refused
}

/// One hello and everything that follows it.
fn attempt(
    world: &World<'_>,
    stacks: Stacks,
    client: &Profile,
    server: &Profile,
    scsv: bool,
    steps: &mut Vec<String>,
) -> Outcome {
    let (c_rules, s_rules) = (stacks.client, stacks.server);
    let c_versions = &quirks::client_versions(c_rules, &client.versions);
    let offered = offered_suites(c_rules, client, c_versions);
    let Some(&client_max) = c_versions.last() else {
        return failed(Side::Client, None, ErrorKind::Configuration, None);
    };
    // Each side builds its configuration before a byte is sent.
    let client_unstartable = quirks::refuses_empty_trust(c_rules) && client.trust.is_empty();
    let server_unstartable = quirks::refuses_empty_trust(s_rules)
        && server.client_auth != ClientAuth::None
        && server.trust.is_empty();
    if client_unstartable || server_unstartable {
        let config = || {
            Some(SideError {
                kind: ErrorKind::Configuration,
                raw: None,
            })
        };
        let closed = || {
            Some(SideError {
                kind: ErrorKind::PeerClosed,
                raw: None,
            })
        };
        steps.push(
            "rustls will not build a certificate verifier without a trust anchor: the endpoint cannot start."
                .to_string(),
        );
        return Outcome::Failed(Failed {
            failed_side: Some(if server_unstartable {
                Side::Server
            } else {
                Side::Client
            }),
            alert: None,
            client_error: if client_unstartable {
                config()
            } else {
                closed()
            },
            server_error: if server_unstartable {
                config()
            } else {
                closed()
            },
            server_certificate: None,
        });
    }
    if *c_versions != client.versions {
        steps.push(format!(
            "The client enables {}, with a hole; OpenSSL keeps only the lowest contiguous run, {}.",
            versions_text(&client.versions),
            versions_text(c_versions)
        ));
    }
    steps.push(format!(
        "The client, {} ({}), offers {} and the suites {}.",
        client.name,
        c_rules.name(),
        versions_text(c_versions),
        suites_text(&offered)
    ));

    // What the server can present: its certificates less those its
    // presentation policy keeps back (PRODUCTS.md §4), ECDSA first.
    let all_certs = certificates(server, world.cas);
    let mut presentable = Vec::new();
    for c in &all_certs {
        match server.withholds(c.key, c.issuer_key) {
            Some(why) => steps.push(format!(
                "The server keeps its {} in the keystore but does not present it: {why}.",
                c.describe()
            )),
            None => presentable.push(c.clone()),
        }
    }
    presentable.sort_by_key(|c| c.key.algorithm() != KeyAlgorithm::Ecdsa);
    // Version: RFC 8446 §4.2.1 when the hello carries supported_versions
    // (a client that enables TLS 1.3), else RFC 5246 Appendix E.1.
    let mut s_versions = server.versions.clone();
    let server_runs = runnable_suites(s_rules, server);
    let not_run: Vec<u16> = server
        .suites
        .iter()
        .map(|c| c.suite.code)
        .filter(|c| !server_runs.contains(c))
        .collect();
    steps.push(format!(
        "The server, {} ({}), enables {} and the suites {}{}.",
        server.name,
        s_rules.name(),
        versions_text(&s_versions),
        suites_text(&server_runs),
        if not_run.is_empty() {
            String::new()
        } else {
            format!(
                "; it also lists {}, which {} does not implement",
                suites_text(&not_run),
                s_rules.name()
            )
        }
    ));
    if quirks::tls13_needs_a_certificate(s_rules)
        && s_versions.contains(&ProtocolVersion::Tls13)
        && !presentable
            .iter()
            .any(|c| c.key.algorithm() != KeyAlgorithm::Dsa)
    {
        s_versions.retain(|v| *v != ProtocolVersion::Tls13);
        steps.push(
            "OpenSSL counts TLS 1.3 as off: the server has no certificate TLS 1.3 can use."
                .to_string(),
        );
    }
    let s_versions = &s_versions;
    let version = if quirks::client_sends_supported_versions(c_rules, client_max) {
        match c_versions
            .iter()
            .rev()
            .find(|v| s_versions.contains(v))
            .copied()
        {
            Some(v) => {
                steps.push(if client_max < ProtocolVersion::Tls13 {
                    format!(
                        "rustls sends supported_versions even without TLS 1.3, so the server knows the client's exact versions; {v} is the highest both enable and the server chooses it."
                    )
                } else {
                    format!(
                        "The client lists its versions in supported_versions; {v} is the highest both enable and the server chooses it."
                    )
                });
                v
            }
            None => {
                steps.push(
                    "No version of the client's supported_versions is enabled on the server: it refuses with protocol_version.".to_string(),
                );
                return failed(
                    Side::Server,
                    Some(Alert::PROTOCOL_VERSION),
                    ErrorKind::NoCommonVersion,
                    None,
                );
            }
        }
    } else {
        let choice =
            if client_max < ProtocolVersion::Tls12 && !quirks::server_speaks_below_tls12(s_rules) {
                None
            } else {
                s_versions
                    .iter()
                    .rev()
                    .find(|v| **v <= client_max)
                    .copied()
                    .filter(|v| quirks::server_speaks_below_tls12(s_rules) || *v >= client_max)
            };
        let Some(v) = choice else {
            let alert = if client_max < ProtocolVersion::Tls12 {
                quirks::alert_for_old_legacy_hello(s_rules)
            } else {
                Alert::PROTOCOL_VERSION
            };
            steps.push(format!(
                "The client's hello asks for at most {client_max}; the server speaks nothing at or below it, so it refuses with {}{}.",
                alert.name(),
                if alert == Alert::HANDSHAKE_FAILURE {
                    " (rustls refuses a hello without signature_algorithms so; OpenSSL would send protocol_version)"
                } else {
                    ""
                }
            ));
            return failed(Side::Server, Some(alert), ErrorKind::NoCommonVersion, None);
        };
        steps.push(format!(
            "The client's hello (no supported_versions) asks for at most {client_max}; the server chooses {v}, its best version at or below it."
        ));
        v
    };

    // RFC 7507: a fallback hello below the server's best is refused.
    if scsv {
        // The configured best: OpenSSL compares with its maximum even when
        // it counts TLS 1.3 as off for want of a certificate.
        let best = server.versions.last().copied().unwrap_or(version);
        if !quirks::server_checks_fallback_scsv(s_rules) {
            steps.push(
                "The hello carries TLS_FALLBACK_SCSV, which rustls does not check.".to_string(),
            );
        } else if version < best {
            steps.push(format!(
                "The hello carries TLS_FALLBACK_SCSV and asks for {version}, below the server's best ({best}): the server refuses it with inappropriate_fallback (RFC 7507)."
            ));
            return failed(
                Side::Server,
                Some(quirks::INAPPROPRIATE_FALLBACK),
                ErrorKind::InappropriateFallback,
                None,
            );
        } else {
            steps.push(format!(
                "The hello carries TLS_FALLBACK_SCSV; {version} is the server's best, so the fallback is legitimate."
            ));
        }
    }

    if presentable.is_empty() {
        if let Some((kind, alert)) = quirks::refusal_without_certificate(s_rules) {
            steps.push(format!(
                "The server has no certificate to present; rustls's certificate resolver finds none and the server aborts with {}.",
                alert.name()
            ));
            return failed(Side::Server, Some(alert), kind, None);
        }
    }
    if version != ProtocolVersion::Tls13
        && quirks::server_needs_supported_groups(s_rules)
        && !quirks::client_sends_supported_groups(c_rules, &offered)
    {
        steps.push(
            "The client's hello lists no ECDHE, ECDSA or TLS 1.3 suite, so it carries no supported_groups; rustls finds no key-exchange group in common and aborts with handshake_failure.".to_string(),
        );
        return failed(
            Side::Server,
            Some(Alert::HANDSHAKE_FAILURE),
            ErrorKind::NoSharedGroup,
            None,
        );
    }
    let server_suites = runnable_suites(s_rules, server);
    let shared: Vec<u16> = offered
        .iter()
        .copied()
        .filter(|c| server_suites.contains(c))
        .collect();
    let valid: Vec<&'static Suite> = order(server, &server_suites, &shared)
        .into_iter()
        .filter_map(suite)
        .filter(|s| s.valid_for(version))
        .collect();
    let chosen = match quirks::cert_choice(s_rules) {
        CertChoice::SuiteFirst => suite_first(version, &valid, &presentable),
        CertChoice::CertificateFirst => {
            let cert = first_usable(&presentable, &shared);
            if let (Some(c), true) = (cert, presentable.len() > 1) {
                steps.push(format!(
                    "rustls's certificate resolver picks its {} first: it is the first, ECDSA first, for which a suite both sides list authenticates with its key.",
                    c.describe()
                ));
            }
            cert.and_then(|c| {
                valid
                    .iter()
                    .find(|s| serves(s, version, c.key, c.issuer_key))
                    .map(|s| (*s, c.clone()))
            })
        }
    };
    let Some((suite, cert)) = chosen else {
        steps.push(format!(
            "No suite is left that both sides list, that {version} allows and that the server's certificates can serve (shared: {}): the server refuses with handshake_failure.",
            suites_text(&shared)
        ));
        return failed(
            Side::Server,
            Some(Alert::HANDSHAKE_FAILURE),
            ErrorKind::NoSharedCipher,
            None,
        );
    };
    steps.push(format!(
        "The server chooses {} ({}), the first in {} order that {version} allows and its certificates can serve, and presents its {}.",
        suite.iana,
        suite.code_hex(),
        if server.server_preference {
            "its own preference"
        } else {
            "the client's preference"
        },
        cert.describe()
    ));

    // The client reads the ServerHello: a version it does not enable (a
    // legacy hello tells the server only the client's best).
    if !c_versions.contains(&version) {
        steps.push(format!(
            "The client does not enable {version} and aborts with protocol_version."
        ));
        return hello_refused(
            c_rules,
            s_rules,
            Alert::PROTOCOL_VERSION,
            ErrorKind::NoCommonVersion,
        );
    }
    // RFC 8446 §4.1.3: a server that speaks more than it negotiated marks
    // its random, and a client that asked for more aborts.
    let best = server.versions.last().copied().unwrap_or(version);
    let sentinel = quirks::server_sets_downgrade_sentinel(s_rules, version, s_versions);
    let asked_for_more = client_max > version
        || (scsv && quirks::fallback_client_checks_downgrade_sentinel(c_rules));
    if sentinel && asked_for_more {
        steps.push(format!(
            "The server speaks {best} but answered {version}, and marks its random so (RFC 8446 §4.1.3); the client {}, takes that for a downgrade and aborts with illegal_parameter.",
            if client_max > version {
                format!("asked for up to {client_max}")
            } else {
                "is OpenSSL sending a fallback hello, which checks the mark all the same".to_string()
            }
        ));
        return hello_refused(
            c_rules,
            s_rules,
            quirks::ILLEGAL_PARAMETER,
            quirks::downgrade_error(c_rules),
        );
    }

    // The client verifies the server's certificate.
    let by_exception = match verify(
        &cert,
        &client.trust,
        Some(world.server_name),
        world.at,
        c_rules,
        Some(client),
    ) {
        Ok(by_exception) => {
            steps.push(if by_exception {
                format!(
                    "The client does not trust its issuer, but has accepted this very certificate ({} {}) as an exception.",
                    cert.summary.subject, cert.key
                )
            } else {
                format!(
                    "The client trusts it: it chains to one of {} and is valid for {}.",
                    client.trust.join(", "),
                    world.server_name
                )
            });
            by_exception
        }
        Err((kind, alert, why, by_exception)) => {
            if by_exception {
                steps.push("The client's accepted exception overrides the untrusted issuer, but OpenSSL goes on checking the certificate.".to_string());
            }
            steps.push(format!(
                "The client refuses the certificate: {why}; it aborts with {}.",
                alert.name()
            ));
            return failed(
                Side::Client,
                Some(alert),
                kind,
                Some(cert.presented(by_exception)),
            );
        }
    };
    let server_certificate = Some(cert.presented(by_exception));

    // Client authentication.
    let client_certificate = match server.client_auth {
        ClientAuth::None => None,
        policy => {
            let mine = certificates(client, world.cas).into_iter().next();
            match mine {
                None if policy == ClientAuth::Require => {
                    let alert = quirks::alert_for_missing_client_certificate(s_rules, version);
                    steps.push(format!(
                        "The server requires a client certificate and the client has none: it aborts with {}.",
                        alert.name()
                    ));
                    return failed(
                        Side::Server,
                        Some(alert),
                        ErrorKind::CertificateRequired,
                        server_certificate,
                    );
                }
                None => {
                    steps.push(
                        "The server asks for a client certificate; the client has none, which it allows."
                            .to_string(),
                    );
                    None
                }
                Some(c) => match verify(&c, &server.trust, None, world.at, s_rules, None) {
                    Ok(_) => {
                        steps.push(format!(
                            "The client sends its {}; the server trusts it (anchors: {}).",
                            c.describe(),
                            server.trust.join(", ")
                        ));
                        Some(c.presented(false))
                    }
                    Err((kind, alert, why, _)) => {
                        steps.push(format!(
                            "The client sends its {}; the server refuses it: {why}; it aborts with {}.",
                            c.describe(),
                            alert.name()
                        ));
                        return failed(Side::Server, Some(alert), kind, server_certificate);
                    }
                },
            }
        }
    };
    steps.push(format!(
        "The handshake completes: {version}, {}.",
        suite.iana
    ));
    Outcome::Established(Established {
        version,
        suite: SuiteName::from_code(suite.code),
        group: group(version, suite),
        server_certificate,
        client_certificate,
    })
}

/// `shared` in the order of whoever's preference wins.
fn order(server: &Profile, server_suites: &[u16], shared: &[u16]) -> Vec<u16> {
    if server.server_preference {
        server_suites
            .iter()
            .copied()
            .filter(|c| shared.contains(c))
            .collect()
    } else {
        shared.to_vec()
    }
}

/// RFC 5246 §7.4.2: the first suite by preference that some certificate can
/// serve, and that certificate. (A server holds at most one certificate per
/// key algorithm; scenario files refuse two.)
fn suite_first(
    version: ProtocolVersion,
    valid: &[&'static Suite],
    certs: &[Cert],
) -> Option<(&'static Suite, Cert)> {
    valid.iter().find_map(|s| {
        certs
            .iter()
            .find(|c| serves(s, version, c.key, c.issuer_key))
            .map(|c| (*s, c.clone()))
    })
}

/// The harness's rustls resolver: the first certificate (ECDSA first) for
/// which a suite both sides list authenticates with its key (a TLS 1.3
/// suite authenticates with any), else the first.
fn first_usable<'c>(certs: &'c [Cert], shared: &[u16]) -> Option<&'c Cert> {
    let auth_ok = |alg: KeyAlgorithm| {
        shared.iter().filter_map(|c| suite(*c)).any(|s| {
            matches!(
                (s.authentication, alg),
                (Authentication::Any, _)
                    | (Authentication::Ecdsa, KeyAlgorithm::Ecdsa)
                    | (Authentication::Rsa, KeyAlgorithm::Rsa)
            )
        })
    };
    certs
        .iter()
        .find(|c| auth_ok(c.key.algorithm()))
        .or(certs.first())
}

/// Why a peer refused a certificate: the error, the alert it sends, the
/// reason in words, and whether an accepted exception had already
/// overridden an untrusted issuer (OpenSSL goes on checking after one).
type Refusal = (ErrorKind, Alert, String, bool);

/// Verifies `cert` for a peer that trusts `trust` (CA ids) at `at`, for
/// `name` if given (a client verifying a server); `Ok(true)` when only the
/// client's accepted exception let it through.
fn verify(
    cert: &Cert,
    trust: &[String],
    name: Option<&str>,
    at: Moment,
    rules: Rules,
    client: Option<&Profile>,
) -> Result<bool, Refusal> {
    let chains = if quirks::accepts_partial_chain(rules) {
        // Some CA on the path is an anchor, and everything below it was sent.
        (0..cert.path.len()).any(|k| {
            trust.contains(&cert.path[k]) && cert.path[..k].iter().all(|c| cert.sent.contains(c))
        })
    } else {
        // Every CA up to the self-signed root is sent or in the store, and
        // the root is in the store.
        !cert.path.is_empty()
            && cert
                .path
                .iter()
                .all(|c| cert.sent.contains(c) || trust.contains(c))
            && cert.path.last().is_some_and(|root| trust.contains(root))
    };
    let excepted = client.is_some_and(|p| {
        !p.hsts
            && p.accepted_exceptions
                .iter()
                .any(|e| e.subject == cert.summary.subject && e.key == cert.key)
    });
    let in_time = at.unix() >= cert.validity.not_before && at.unix() <= cert.validity.not_after;
    let named = name.is_none_or(|n| cert.dns_names.iter().any(|d| d.eq_ignore_ascii_case(n)));
    let mut by_exception = false;
    for fault in quirks::fault_order(rules) {
        match fault {
            CertFault::Expired if !in_time => {
                return Err((
                    ErrorKind::CertificateExpired,
                    quirks::CERTIFICATE_EXPIRED,
                    format!("at {at} it is outside its validity period"),
                    by_exception,
                ))
            }
            CertFault::Untrusted if !chains => {
                if excepted {
                    by_exception = true;
                    if quirks::exception_skips_later_checks(rules) {
                        return Ok(true);
                    }
                    continue;
                }
                let mut why = if cert.path.is_empty() {
                    "it is self-signed and not a trust anchor".to_string()
                } else {
                    format!(
                        "it does not chain to a trust anchor (issuers {}; sent {}; trusted {})",
                        cert.path.join(" → "),
                        if cert.sent.is_empty() {
                            "none".to_string()
                        } else {
                            cert.sent.join(", ")
                        },
                        if trust.is_empty() {
                            "none".to_string()
                        } else {
                            trust.join(", ")
                        }
                    )
                };
                if !quirks::accepts_partial_chain(rules)
                    && cert.path.iter().any(|c| trust.contains(c))
                {
                    why.push_str("; OpenSSL needs the self-signed root itself in its store");
                }
                if client.is_some_and(|p| p.hsts) {
                    why.push_str("; under HSTS no exception can be accepted");
                }
                return Err((
                    ErrorKind::UntrustedCertificate,
                    quirks::UNKNOWN_CA,
                    why,
                    false,
                ));
            }
            CertFault::Name if !named => {
                let why = format!(
                    "it is not valid for {} (names: {})",
                    name.unwrap_or_default(),
                    cert.dns_names.join(", ")
                );
                return Err((
                    ErrorKind::CertificateNameMismatch,
                    quirks::BAD_CERTIFICATE,
                    why,
                    by_exception,
                ));
            }
            _ => {}
        }
    }
    Ok(by_exception)
}

/// The ways a real run differs from the model's prediction, as
/// `field: model X, real Y`; empty when they agree. Raw library text is
/// not compared.
pub fn disagreements(
    real: &Outcome,
    real_fallback_from: Option<&Outcome>,
    predicted: &Prediction,
) -> Vec<String> {
    let mut out = Vec::new();
    diff("", &to_value(&predicted.outcome), &to_value(real), &mut out);
    match (predicted.fallback_from.as_ref(), real_fallback_from) {
        (Some(m), Some(r)) => diff("first hello.", &to_value(m), &to_value(r), &mut out),
        (None, None) => {}
        (Some(_), None) => out.push("fallback: model retries, real did not".to_string()),
        (None, Some(_)) => out.push("fallback: real retried, model did not".to_string()),
    }
    out
}

fn to_value(o: &Outcome) -> serde_json::Value {
    serde_json::to_value(o.without_raw()).unwrap_or(serde_json::Value::Null)
}

fn diff(prefix: &str, model: &serde_json::Value, real: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match (model, real) {
        (Value::Object(m), Value::Object(r)) => {
            let mut keys: Vec<&String> = m.keys().chain(r.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let null = Value::Null;
                diff(
                    &format!("{prefix}{k}."),
                    m.get(k).unwrap_or(&null),
                    r.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (m, r) if m != r => {
            let show = |v: &Value| match v {
                Value::Null => "none".to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push(format!(
                "{}: model {}, real {}",
                prefix.trim_end_matches('.'),
                show(m),
                show(r)
            ));
        }
        _ => {}
    }
}
