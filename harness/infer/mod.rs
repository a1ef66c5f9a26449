//! `infer`: a live server read into a server profile, by asking it
//! questions as scanners do, with hellos the harness builds itself
//! ([`hello`]), so that what no backend offers (static ECDH, DSS) is asked
//! about too.
//!
//! Data flows one way: each question ([`ask`]) is a hello and the answer
//! read off the wire as a captured connection is read
//! ([`crate::import::observe`]); the answers make an [`Inferred`]; and
//! [`profile`] writes it as a profile the scenario loader reads.
//!
//! The steps, each on what the one before found:
//! 1. versions: one hello per version, offering every suite valid for it;
//! 2. suites per version, in the server's order: offer them all, take the
//!    one it chose away, ask again, until it refuses;
//! 3. whether it honours its own order: offer its first two reversed;
//! 4. groups, in its order, the same way (at TLS 1.3 a hello with no key
//!    share makes the server name its choice in a HelloRetryRequest);
//! 5. the certificates it presents to clients that offer only ECDSA, only
//!    RSA or only DSA;
//! 6. the signature schemes it signs with, the same way as suites;
//! 7. ALPN: which of `h2` and `http/1.1` it chooses, and whether it
//!    refuses a protocol it does not know;
//! 8. whether it asks for a client certificate.
//!
//! Politeness: at most `max_connections` connections, `concurrency` at a
//! time, each within `deadline`.

mod ask;
mod finish;
mod hello;
mod profile;

use std::collections::BTreeMap;
use std::time::Duration;

pub use ask::{answer_to, Answer, AskError};
pub use finish::Demand;
pub use hello::{Offer, MAX_DNS_NAME};
pub use profile::{profile_toml, ProfileNaming};

use crate::import::{Observed, Seen};
use crate::outcome::Alert;
use crate::suite::{registry, Authentication, KeyExchange, Suite};
use crate::version::ProtocolVersion;

/// How to ask.
#[derive(Clone, Debug)]
pub struct InferOptions {
    /// For connecting and for each answer.
    pub deadline: Duration,
    /// The most connections to make.
    pub max_connections: usize,
    /// The most connections open at once.
    pub concurrency: usize,
    /// The name to ask for (server_name); none for an address.
    pub server_name: Option<String>,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            deadline: Duration::from_secs(5),
            max_connections: 400,
            concurrency: 4,
            server_name: None,
        }
    }
}

/// A certificate chain the server presented, and to whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presented {
    /// `clients that offer only ECDSA`, ...
    pub to: String,
    /// The chain, leaf first, as DER.
    pub chain: Vec<Vec<u8>>,
}

/// Everything the answers said.
#[derive(Clone, Debug, Default)]
pub struct Inferred {
    /// `HOST:PORT`.
    pub target: String,
    /// The versions it accepts.
    pub versions: Vec<ProtocolVersion>,
    /// Its suites per version, in the order it chose them.
    pub suites: BTreeMap<ProtocolVersion, Vec<u16>>,
    /// It chose by its own order (`Some(true)`), the client's, or it has
    /// fewer than two suites to tell by.
    pub server_preference: Option<bool>,
    /// Its groups, in the order it chose them.
    pub groups: Vec<u16>,
    /// It chose groups by its own order (`Some(true)`), the client's, or
    /// it has fewer than two to tell by.
    pub group_preference: Option<bool>,
    /// The schemes it signed with, in the order it chose them.
    pub schemes: Vec<u16>,
    /// The chains it presented.
    pub certificates: Vec<Presented>,
    /// It asked for a client certificate.
    pub requested: Seen<bool>,
    /// What it did when the client sent none (TLS 1.3 only: the harness
    /// finishes a handshake itself only there); `None` when not asked.
    pub demand: Option<Demand>,
    /// The ALPN protocol it chose of `h2`, `http/1.1`.
    pub alpn: Option<String>,
    /// It refused a hello whose only ALPN protocol it does not know.
    pub alpn_refuses_unknown: bool,
    /// What could not be found, and why.
    pub notes: Vec<String>,
    /// How many connections it took.
    pub connections: usize,
}

/// Why a server could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InferError {
    /// Nothing answered: refused, silent, or reset every connection.
    #[error("nothing answered at {target}: {why}")]
    Unreachable {
        /// `HOST:PORT`.
        target: String,
        /// What happened to the connections.
        why: String,
    },
    /// It answered every hello with an alert or a close: it accepts no
    /// version and suite the harness can ask about.
    #[error("{target} accepted no hello: it refused every version with every suite the harness can offer{}", if why.is_empty() { String::new() } else { format!(" ({why})") })]
    NothingAccepted {
        /// `HOST:PORT`.
        target: String,
        /// What the hellos that were not refused by an alert met.
        why: String,
    },
}

/// Reads the server at `target`.
pub fn infer(target: &str, options: &InferOptions) -> Result<Inferred, InferError> {
    let asker = Asker::new(target, options);
    let run = async {
        let mut inferred = Inferred {
            target: target.to_string(),
            requested: Seen::Known(false),
            ..Inferred::default()
        };
        let firsts = versions(&asker, &mut inferred).await?;
        suites(&asker, &mut inferred).await;
        preference(&asker, &mut inferred).await;
        groups(&asker, &mut inferred).await;
        certificates(&asker, &mut inferred).await;
        schemes(&asker, &mut inferred).await;
        alpn(&asker, &mut inferred).await;
        if let Some(first) = firsts.last() {
            inferred.requested = first.requested.clone();
        }
        client_auth(&asker, &mut inferred).await;
        inferred.connections = asker.used();
        if asker.exhausted() {
            inferred.notes.push(format!(
                "stopped at the limit of {} connections: lists may be short",
                options.max_connections
            ));
        }
        Ok(inferred)
    };
    crate::handshake::block_on(run).map_err(|e| InferError::Unreachable {
        target: target.to_string(),
        why: e.to_string(),
    })?
}

/// Asks one server, counting connections.
struct Asker {
    target: String,
    options: InferOptions,
    used: std::sync::atomic::AtomicUsize,
    /// A question went unasked for want of connections.
    denied: std::sync::atomic::AtomicBool,
    gate: tokio::sync::Semaphore,
}

impl Asker {
    fn new(target: &str, options: &InferOptions) -> Asker {
        Asker {
            target: target.to_string(),
            options: options.clone(),
            used: Default::default(),
            denied: Default::default(),
            gate: tokio::sync::Semaphore::new(options.concurrency.max(1)),
        }
    }

    fn used(&self) -> usize {
        self.used.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether a question went unasked for want of connections.
    fn exhausted(&self) -> bool {
        self.denied.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The answer to `offer` (with the server name added); `None` once
    /// the budget is spent.
    async fn ask(&self, mut offer: Offer) -> Option<Result<Answer, AskError>> {
        let _turn = self.turn().await?;
        offer.server_name.clone_from(&self.options.server_name);
        Some(ask::ask(&self.target, &offer, self.options.deadline).await)
    }

    /// A turn to open one connection, within the concurrency limit;
    /// `None`, noted, once the budget of connections is spent.
    async fn turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let permit = self.gate.acquire().await.ok()?;
        let n = self.used.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n >= self.options.max_connections {
            self.used.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            self.denied
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return None;
        }
        Some(permit)
    }

    /// What the server does when the client sends no certificate.
    async fn demand(&self, mut offer: Offer) -> Option<Demand> {
        let _turn = self.turn().await?;
        offer.server_name.clone_from(&self.options.server_name);
        Some(
            match finish::demand(&self.target, &offer, self.options.deadline).await {
                Ok(demand) => demand,
                Err(_) => Demand::Unknown("the connection to ask it failed"),
            },
        )
    }

    /// What the server chose for `offer`, when it answered with a hello.
    async fn chosen(&self, offer: Offer) -> Option<Observed> {
        match self.ask(offer).await? {
            Ok(Answer::Hello(observed)) => Some(*observed),
            _ => None,
        }
    }
}

/// The suites worth asking about at `version`: those that authenticate
/// with a certificate and exchange keys as the harness knows.
fn askable(version: ProtocolVersion) -> Vec<&'static Suite> {
    registry()
        .iter()
        .filter(|s| s.valid_for(version))
        .filter(|s| {
            matches!(
                s.authentication,
                Authentication::Any
                    | Authentication::Rsa
                    | Authentication::Ecdsa
                    | Authentication::Dss
            ) && !matches!(s.key_exchange, KeyExchange::Other)
        })
        .collect()
}

/// Every group code the harness knows.
fn all_groups() -> Vec<u16> {
    crate::group::groups().iter().map(|g| g.code).collect()
}

/// Every scheme code the harness knows.
fn all_schemes() -> Vec<u16> {
    crate::scheme::schemes().iter().map(|s| s.code).collect()
}

/// A hello offering `suites` at `version` alone, with every group (key
/// shares at TLS 1.3) and scheme.
fn offer_at(version: ProtocolVersion, suites: Vec<u16>) -> Offer {
    Offer {
        versions: vec![version],
        suites,
        groups: all_groups(),
        shares: true,
        schemes: all_schemes(),
        ..Offer::default()
    }
}

/// [`offer_at`] for a question that needs the server's whole flight: at
/// TLS 1.3 only the first of its groups that the hello has a key share
/// for, so that no HelloRetryRequest stops the answer short (all of them
/// when it has none of those).
fn flight_offer(inferred: &Inferred, version: ProtocolVersion, suites: Vec<u16>) -> Offer {
    let offer = offer_at(version, suites);
    // Below TLS 1.3 the groups also say which ECDSA curves the client
    // takes (RFC 8422 §5.1): all stay.
    if version != ProtocolVersion::Tls13 {
        return offer;
    }
    let shareable = inferred
        .groups
        .iter()
        .copied()
        .find(|g| hello::has_share(*g));
    match shareable {
        Some(group) => Offer {
            groups: vec![group],
            ..offer
        },
        None => offer,
    }
}

fn codes(suites: &[&Suite]) -> Vec<u16> {
    suites.iter().map(|s| s.code).collect()
}

/// Step 1: the versions it accepts, and the answers that said so (oldest
/// first). Nothing answering any of them is an error.
async fn versions(asker: &Asker, inferred: &mut Inferred) -> Result<Vec<Observed>, InferError> {
    let ask = |version| asker.ask(offer_at(version, codes(&askable(version))));
    // The four at once (within the concurrency limit).
    let [v10, v11, v12, v13] = ProtocolVersion::ALL;
    let (a10, a11, a12, a13) = tokio::join!(ask(v10), ask(v11), ask(v12), ask(v13));
    let answers = [(v10, a10), (v11, a11), (v12, a12), (v13, a13)];
    let mut accepted = Vec::new();
    let mut failures = Vec::new();
    for (version, answer) in answers {
        match answer {
            Some(Ok(Answer::Hello(o))) if o.chosen.is_some_and(|c| c.version == version) => {
                inferred.versions.push(version);
                accepted.push(*o);
            }
            Some(Ok(Answer::Hello(_) | Answer::Alert(_))) => {}
            Some(Ok(Answer::Closed)) => {
                failures.push((version, "closed or reset without a word".to_string()))
            }
            Some(Ok(Answer::Garbage(what))) => {
                failures.push((version, format!("not TLS ({what})")))
            }
            Some(Err(e)) => failures.push((version, e.to_string())),
            None => failures.push((version, "no connection left".to_string())),
        }
    }
    if accepted.is_empty() && failures.len() == ProtocolVersion::ALL.len() {
        return Err(InferError::Unreachable {
            target: asker.target.clone(),
            why: grouped(&failures),
        });
    }
    if accepted.is_empty() {
        return Err(InferError::NothingAccepted {
            target: asker.target.clone(),
            why: grouped(&failures),
        });
    }
    Ok(accepted)
}

/// `failures` as `TLS 1.0, TLS 1.1: what happened; TLS 1.3: ...`, each
/// distinct happening once.
fn grouped(failures: &[(ProtocolVersion, String)]) -> String {
    let mut groups: Vec<(Vec<String>, &str)> = Vec::new();
    for (version, what) in failures {
        match groups.iter_mut().find(|(_, w)| *w == what) {
            Some((versions, _)) => versions.push(version.to_string()),
            None => groups.push((vec![version.to_string()], what)),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(versions, what)| format!("{}: {what}", versions.join(", ")))
        .collect();
    parts.join("; ")
}

/// Step 2: each version's suites in the order the server chooses them.
async fn suites(asker: &Asker, inferred: &mut Inferred) {
    for version in inferred.versions.clone() {
        let mut left = codes(&askable(version));
        let mut found = Vec::new();
        while let Some(chosen) = asker.chosen(offer_at(version, left.clone())).await {
            let Some(suite) = chosen
                .chosen
                .filter(|c| c.version == version)
                .map(|c| c.suite)
            else {
                break;
            };
            if found.contains(&suite) {
                break;
            }
            found.push(suite);
            left.retain(|s| *s != suite);
        }
        inferred.suites.insert(version, found);
    }
}

/// Step 3: whether it chooses by its own order.
async fn preference(asker: &Asker, inferred: &mut Inferred) {
    let Some((version, suites)) = inferred.suites.iter().rev().find(|(_, s)| s.len() >= 2) else {
        return;
    };
    let reversed = vec![suites[1], suites[0]];
    if let Some(chosen) = asker.chosen(offer_at(*version, reversed)).await {
        inferred.server_preference = chosen.chosen.map(|c| c.suite == suites[0]);
    }
}

/// Step 4: its groups in the order it chooses them, at its newest version
/// that has a group to choose.
async fn groups(asker: &Asker, inferred: &mut Inferred) {
    let tls13 = inferred.versions.contains(&ProtocolVersion::Tls13);
    let (version, suites): (ProtocolVersion, Vec<u16>) = if tls13 {
        let v = ProtocolVersion::Tls13;
        (v, inferred.suites.get(&v).cloned().unwrap_or_default())
    } else {
        let Some((v, s)) = inferred
            .suites
            .iter()
            .rev()
            .find(|(_, s)| s.iter().any(|c| is_ecdhe(*c)))
        else {
            return;
        };
        (*v, s.iter().copied().filter(|c| is_ecdhe(*c)).collect())
    };
    let mut left: Vec<u16> = all_groups()
        .into_iter()
        .filter(|g| {
            tls13
                || crate::group::by_code(*g).is_some_and(|g| g.kind == crate::group::GroupKind::Ec)
        })
        .collect();
    // No key share: a TLS 1.3 server names its choice in a
    // HelloRetryRequest.
    let ask = |groups: Vec<u16>| {
        asker.chosen(Offer {
            groups,
            shares: false,
            ..offer_at(version, suites.clone())
        })
    };
    while !left.is_empty() {
        let Some(group) = ask(left.clone()).await.and_then(|o| o.group) else {
            break;
        };
        let Some(code) = crate::group::lookup(&group).map(|g| g.code) else {
            inferred.notes.push(format!(
                "it chose the group {group}, which the harness does not know"
            ));
            break;
        };
        if inferred.groups.contains(&code) {
            break;
        }
        inferred.groups.push(code);
        left.retain(|g| *g != code);
    }
    // Whose order: its first two groups offered reversed.
    if let [first, second, ..] = inferred.groups[..] {
        let chosen = ask(vec![second, first]).await.and_then(|o| o.group);
        let first = crate::group::by_code(first).map(|g| g.name);
        inferred.group_preference = chosen.map(|c| Some(c.as_str()) == first);
    }
}

fn is_ecdhe(code: u16) -> bool {
    registry()
        .by_code(code)
        .is_some_and(|s| s.key_exchange == KeyExchange::Ecdhe)
}

/// Step 5: the chain presented to clients that can verify only one kind
/// of key, at its newest version.
async fn certificates(asker: &Asker, inferred: &mut Inferred) {
    let Some(version) = inferred.versions.last().copied() else {
        return;
    };
    let found = inferred.suites.get(&version).cloned().unwrap_or_default();
    for (to, auth, signs) in [
        (
            "clients that verify only ECDSA",
            Authentication::Ecdsa,
            "ecdsa",
        ),
        ("clients that verify only RSA", Authentication::Rsa, "rsa"),
        ("clients that verify only DSA", Authentication::Dss, "dsa"),
    ] {
        let suites: Vec<u16> = found
            .iter()
            .copied()
            .filter(|c| {
                registry().by_code(*c).is_some_and(|s| {
                    s.authentication == auth || s.authentication == Authentication::Any
                })
            })
            .collect();
        let schemes: Vec<u16> = crate::scheme::schemes()
            .iter()
            .filter(|s| s.name.starts_with(signs))
            .map(|s| s.code)
            .collect();
        if suites.is_empty() || schemes.is_empty() {
            continue;
        }
        let offer = Offer {
            schemes,
            ..flight_offer(inferred, version, suites)
        };
        let Some(observed) = asker.chosen(offer).await else {
            continue;
        };
        match observed.server_chain {
            Seen::Known(chain) if !chain.is_empty() => {
                if !inferred.certificates.iter().any(|p| p.chain[0] == chain[0]) {
                    inferred.certificates.push(Presented {
                        to: to.to_string(),
                        chain,
                    });
                }
            }
            Seen::Known(_) => {}
            Seen::Unknown(why) => inferred.notes.push(format!("certificate for {to}: {why}")),
        }
    }
}

/// Step 6: the schemes it signs with, in the order it chooses them.
async fn schemes(asker: &Asker, inferred: &mut Inferred) {
    let Some(version) = inferred
        .versions
        .iter()
        .rev()
        .copied()
        .find(|v| *v >= ProtocolVersion::Tls12)
    else {
        inferred
            .notes
            .push("below TLS 1.2 a signature names no scheme".into());
        return;
    };
    let suites = inferred.suites.get(&version).cloned().unwrap_or_default();
    let mut left = all_schemes();
    while !left.is_empty() {
        let offer = Offer {
            schemes: left.clone(),
            ..flight_offer(inferred, version, suites.clone())
        };
        let Some(scheme) = asker.chosen(offer).await.and_then(|o| o.server_scheme) else {
            break;
        };
        if inferred.schemes.contains(&scheme) {
            break;
        }
        inferred.schemes.push(scheme);
        left.retain(|s| *s != scheme);
    }
}

/// Step 8: whether a server that asks for a client certificate demands
/// one, at TLS 1.3 (below, the harness does not finish a handshake).
async fn client_auth(asker: &Asker, inferred: &mut Inferred) {
    if inferred.requested != Seen::Known(true) {
        return;
    }
    let tls13 = ProtocolVersion::Tls13;
    inferred.demand = Some(match inferred.suites.get(&tls13) {
        Some(suites) => asker
            .demand(flight_offer(inferred, tls13, suites.clone()))
            .await
            .unwrap_or(Demand::Unknown("no connection left to ask")),
        None => Demand::Unknown("below TLS 1.3 the harness does not finish a handshake itself"),
    });
}

/// Step 7: the ALPN protocol it chooses, and whether it refuses one it
/// does not know.
async fn alpn(asker: &Asker, inferred: &mut Inferred) {
    let Some(version) = inferred.versions.last().copied() else {
        return;
    };
    let suites = inferred.suites.get(&version).cloned().unwrap_or_default();
    let base = flight_offer(inferred, version, suites);
    let with = |alpn: &[&str]| Offer {
        alpn: alpn.iter().map(|p| p.to_string()).collect(),
        ..base.clone()
    };
    if let Some(observed) = asker.chosen(with(&["h2", "http/1.1"])).await {
        if let Seen::Known(chosen) = observed.alpn {
            inferred.alpn = chosen;
        }
    }
    let unknown = asker.ask(with(&["tls-harness-unknown"])).await;
    inferred.alpn_refuses_unknown = matches!(unknown, Some(Ok(Answer::Alert(Alert(120)))));
}
