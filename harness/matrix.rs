//! Tables derived from real handshakes: the client × server grid, the
//! per-release support table (versions found by probing each profile with
//! a peer that offers one version at a time), and upgrade plans built on
//! that table. Nothing here reads a profile's version list to answer; the
//! handshakes answer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::backend::{Backend, Pairing};
use crate::outcome::Outcome;
use crate::pki::{Issuer, KeyType};
pub use crate::run::Runner;
use crate::run::{AdHoc, PairingRun, RunError, Status};
use crate::scenario::{CertificateDef, ClientAuth, Profile, Role, SuiteChoice, BUILTIN_ROOT};
use crate::suite::{registry, Authentication, KeyExchange, NameForm};
use crate::version::ProtocolVersion;

/// Orders vendor release strings by their numbers: `10.6(1)SU2` is
/// (10, 6, 1, 2) and sorts before `10.6(1)SU3` and after `10.6`.
pub fn release_order(release: &str) -> Vec<u64> {
    release
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect()
}

/// One pairing's result in a few words: `TLS 1.2`, `✗ protocol_version`.
fn short(status: &Status) -> Option<String> {
    match status {
        // The grid shows real handshakes only.
        Status::Unsupported { .. } | Status::Simulated { .. } => None,
        Status::Ran {
            outcome,
            fallback_from,
            ..
        } => Some(match outcome.as_ref() {
            Outcome::Established(e) if fallback_from.is_some() => {
                format!("{} (fallback)", e.version)
            }
            Outcome::Established(e) => e.version.to_string(),
            Outcome::IdentityRefused(r) => format!("{}, identity refused", r.handshake.version),
            Outcome::Failed(f) => match (f.alert, f.cause()) {
                (Some(alert), _) => format!("✗ {}", alert.name()),
                (None, Some(cause)) => format!("✗ {cause}"),
                (None, None) => "✗".to_string(),
            },
        }),
    }
}

/// What a cell shows: the common result of every pairing that ran, or each
/// distinct result with its pairings; `n/a` with the reason when none ran.
pub fn cell_summary(pairings: &[PairingRun]) -> String {
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for p in pairings {
        if let Some(s) = short(&p.status) {
            groups.entry(s).or_default().push(&p.pairing);
        }
    }
    match groups.len() {
        0 => match pairings.first().map(|p| &p.status) {
            Some(Status::Unsupported { reason }) => format!("n/a: {reason}"),
            _ => "n/a".to_string(),
        },
        1 => groups.into_keys().next().unwrap_or_default(),
        _ => groups
            .into_iter()
            .map(|(s, ps)| format!("{s} [{}]", ps.join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// One client × server cell.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cell {
    /// Client profile id.
    pub client: String,
    /// Server profile id.
    pub server: String,
    /// The cell text.
    pub summary: String,
    /// Every pairing's result.
    pub pairings: Vec<PairingRun>,
}

/// Who can talk to whom.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Grid {
    /// Row ids.
    pub clients: Vec<String>,
    /// Column ids.
    pub servers: Vec<String>,
    /// Row-major cells.
    pub cells: Vec<Cell>,
}

/// Runs every client against every server on every pairing.
pub fn grid(
    runner: &Runner,
    clients: &[Arc<Profile>],
    servers: &[Arc<Profile>],
    pairings: &[Pairing],
) -> Result<Grid, RunError> {
    let pairs: Vec<AdHoc> = clients
        .iter()
        .flat_map(|c| {
            servers
                .iter()
                .map(|s| (c.clone(), s.clone(), pairings.to_vec()))
        })
        .collect();
    let cells = pairs
        .iter()
        .zip(runner.pair_all(&pairs)?)
        .map(|((c, s, _), run)| Cell {
            client: c.id.clone(),
            server: s.id.clone(),
            summary: cell_summary(&run.pairings),
            pairings: run.pairings.iter().map(PairingRun::without_raw).collect(),
        })
        .collect();
    Ok(Grid {
        clients: clients.iter().map(|p| p.id.clone()).collect(),
        servers: servers.iter().map(|p| p.id.clone()).collect(),
        cells,
    })
}

/// A version a probe found, and whether the client needed its fallback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Found {
    /// The version.
    pub version: ProtocolVersion,
    /// Reached only by the client's retry hello.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
}

/// Versions found for one role, or why no probe could run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probed {
    /// Versions a handshake reached.
    Versions(Vec<Found>),
    /// No backend pairing could run the profile.
    NotRun(String),
}

impl Probed {
    /// `1.0, 1.1, 1.2` as the version tables of docs/products/uccx.md write
    /// them; `1.0 (fallback)` for a version only the retry reaches.
    pub fn text(&self) -> String {
        match self {
            Probed::NotRun(why) => format!("n/a: {why}"),
            Probed::Versions(v) if v.is_empty() => "none".to_string(),
            Probed::Versions(v) => v
                .iter()
                .map(|f| {
                    if f.fallback {
                        format!("{} (fallback)", f.version.as_str())
                    } else {
                        f.version.as_str().to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The versions found, fallback or not.
    pub fn versions(&self) -> Vec<ProtocolVersion> {
        match self {
            Probed::Versions(v) => v.iter().map(|f| f.version).collect(),
            Probed::NotRun(_) => Vec::new(),
        }
    }
}

/// One release and connection kind of a product.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SupportRow {
    /// Product id.
    pub product: String,
    /// Release, vendor notation.
    pub release: String,
    /// Connection kind.
    pub connection: String,
    /// Versions found with the release as server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_server: Option<Probed>,
    /// Versions found with the release as client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_client: Option<Probed>,
}

/// Suites a probe offers at `version`: everything OpenSSL implements there
/// with certificate authentication and a key exchange that needs no extra
/// set-up (no PSK, SRP or anonymous suites).
fn probe_suites(version: ProtocolVersion) -> Vec<SuiteChoice> {
    registry()
        .iter()
        .filter(|s| s.implemented_by_openssl() && s.valid_for(version))
        .filter(|s| {
            matches!(
                s.authentication,
                Authentication::Rsa | Authentication::Ecdsa | Authentication::Any
            )
        })
        .filter(|s| {
            matches!(
                s.key_exchange,
                KeyExchange::Rsa | KeyExchange::Dhe | KeyExchange::Ecdhe | KeyExchange::Any
            )
        })
        .map(|suite| SuiteChoice {
            suite,
            written: suite.iana.to_string(),
            form: NameForm::Iana,
        })
        .collect()
}

fn probe(role: Role, version: ProtocolVersion, peer: &Profile, all_cas: &[String]) -> Profile {
    let issuer = peer
        .trust
        .first()
        .cloned()
        .unwrap_or_else(|| BUILTIN_ROOT.to_string());
    let certificates = match role {
        Role::Server => [KeyType::Rsa2048, KeyType::EcdsaP256]
            .into_iter()
            .map(|key| CertificateDef::new(key, Issuer::Ca(issuer.clone()), "probe.test"))
            .collect(),
        Role::Client if peer.client_auth != ClientAuth::None => {
            vec![CertificateDef::new(
                KeyType::Rsa2048,
                Issuer::Ca(issuer),
                "probe-client",
            )]
        }
        Role::Client => Vec::new(),
    };
    let id = format!("probe-{role}-tls{}", version.as_str().replace('.', ""));
    Profile {
        name: format!("{version} probe {role}"),
        product: "tls-harness".into(),
        release: "probe".into(),
        connection: peer.connection.clone(),
        versions: vec![version],
        suites: probe_suites(version),
        certificates,
        // A probe trusts every CA it knows: it asks about versions, not trust.
        trust: all_cas.to_vec(),
        host: "probe.test".into(),
        defined_in: PathBuf::from("<probe>"),
        ..Profile::new(id, role)
    }
}

/// The pairing a probe uses: OpenSSL on the probe's side (it speaks every
/// version); the profile on the first backend that can implement it.
fn probe_pairing(role: Role, profile: &Profile) -> Result<Pairing, String> {
    let own = [Backend::OpenSsl, Backend::Rustls];
    let mut reasons = Vec::new();
    for backend in own {
        match crate::endpoint::unsupported(backend, profile) {
            None => {
                return Ok(match role {
                    Role::Server => Pairing {
                        client: Backend::OpenSsl,
                        server: backend,
                    },
                    Role::Client => Pairing {
                        client: backend,
                        server: Backend::OpenSsl,
                    },
                })
            }
            Some(why) => reasons.push(why),
        }
    }
    Err(reasons.join("; "))
}

/// Which versions `profile` reaches, probe by probe. A version counts when
/// the handshake at that version completed, or got as far as the client
/// receiving the server's certificate (so a trust decision, not the
/// version, ended it).
pub fn probe_versions(
    runner: &Runner,
    profile: &Arc<Profile>,
    all_cas: &[String],
) -> Result<Probed, RunError> {
    let pairing = match probe_pairing(profile.role, profile) {
        Ok(p) => p,
        Err(why) => return Ok(Probed::NotRun(why)),
    };
    let mut found = Vec::new();
    for version in ProtocolVersion::ALL {
        let run = match profile.role {
            Role::Server => {
                let client = Arc::new(probe(Role::Client, version, profile, all_cas));
                runner.pair(&client, profile, &[pairing])?
            }
            Role::Client => {
                let server = Arc::new(probe(Role::Server, version, profile, all_cas));
                runner.pair(profile, &server, &[pairing])?
            }
        };
        if let Some(Status::Ran {
            outcome,
            fallback_from,
            ..
        }) = run.pairings.first().map(|p| &p.status)
        {
            let reached = match outcome.as_ref() {
                Outcome::Established(e) => e.version == version,
                Outcome::IdentityRefused(r) => r.handshake.version == version,
                Outcome::Failed(f) => f.server_certificate.is_some(),
            };
            if reached {
                found.push(Found {
                    version,
                    fallback: fallback_from.is_some(),
                });
            }
        }
    }
    Ok(Probed::Versions(found))
}

/// The support table of `product`: one row per release and connection,
/// sorted by release.
pub fn support(
    runner: &Runner,
    profiles: &[Arc<Profile>],
    all_cas: &[String],
) -> Result<Vec<SupportRow>, RunError> {
    let probed: Vec<Probed> = profiles
        .par_iter()
        .map(|p| probe_versions(runner, p, all_cas))
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<SupportRow> = Vec::new();
    for (p, probed) in profiles.iter().zip(probed) {
        let row = match rows.iter_mut().find(|r| {
            r.product == p.product && r.release == p.release && r.connection == p.connection
        }) {
            Some(row) => row,
            None => {
                rows.push(SupportRow {
                    product: p.product.clone(),
                    release: p.release.clone(),
                    connection: p.connection.clone(),
                    as_server: None,
                    as_client: None,
                });
                rows.last_mut().expect("just pushed")
            }
        };
        match p.role {
            Role::Server => row.as_server = Some(probed),
            Role::Client => row.as_client = Some(probed),
        }
    }
    rows.sort_by(|a, b| {
        (release_order(&a.release), &a.release, &a.connection).cmp(&(
            release_order(&b.release),
            &b.release,
            &b.connection,
        ))
    });
    Ok(rows)
}

/// One step of an upgrade plan.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Step {
    /// What the step gives.
    pub goal: String,
    /// The first release that gives it, if any in the catalog does.
    pub release: Option<String>,
    /// The versions the probes found for that release.
    pub evidence: String,
    /// The target release's profiles against the given peers.
    pub proofs: Vec<Cell>,
}

/// What an upgrade step is for (docs/products/uccx.md#upgrade-paths).
#[derive(Clone, Copy)]
enum Goal {
    /// The release's client speaks TLS 1.1 or 1.2.
    ClientTls11Or12,
    /// Neither the release's server nor its client speaks TLS 1.0.
    Tls10Removed,
}

impl Goal {
    fn describe(self) -> &'static str {
        match self {
            Goal::ClientTls11Or12 => "client speaks TLS 1.1/1.2",
            Goal::Tls10Removed => "TLS 1.0 removed",
        }
    }

    fn reached(self, row: &SupportRow) -> bool {
        let speaks = |p: &Option<Probed>, v| p.as_ref().is_some_and(|p| p.versions().contains(&v));
        match self {
            Goal::ClientTls11Or12 => {
                speaks(&row.as_client, ProtocolVersion::Tls11)
                    || speaks(&row.as_client, ProtocolVersion::Tls12)
            }
            Goal::Tls10Removed => {
                row.as_server.is_some()
                    && row.as_client.is_some()
                    && !speaks(&row.as_server, ProtocolVersion::Tls10)
                    && !speaks(&row.as_client, ProtocolVersion::Tls10)
            }
        }
    }
}

/// The releases to move to from `current`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct UpgradePlan {
    /// Product id.
    pub product: String,
    /// The release upgraded from.
    pub current: String,
    /// The connection kind the plan is about.
    pub connection: String,
    /// Adds TLS 1.1/1.2 as a client, then removes TLS 1.0.
    pub steps: Vec<Step>,
}

/// Plans the upgrade from `current` using `rows` (one product, one
/// connection kind, from [`support`]); proves each step by running the
/// target release's profiles against `peers`.
pub fn upgrade_plan(
    runner: &Runner,
    rows: &[SupportRow],
    profiles: &[Arc<Profile>],
    current: &str,
    peers: &[Arc<Profile>],
) -> Result<UpgradePlan, RunError> {
    let from = release_order(current);
    let later: Vec<&SupportRow> = rows
        .iter()
        .filter(|r| release_order(&r.release) >= from)
        .collect();
    let mut steps = Vec::new();
    for goal in [Goal::ClientTls11Or12, Goal::Tls10Removed] {
        let row = later.iter().find(|r| goal.reached(r));
        let mut proofs = Vec::new();
        if let Some(row) = row {
            for peer in peers {
                let own_role = match peer.role {
                    Role::Server => Role::Client,
                    Role::Client => Role::Server,
                };
                let target = profiles.iter().find(|p| {
                    p.release == row.release && p.connection == row.connection && p.role == own_role
                });
                if let Some(target) = target {
                    let (c, s) = match own_role {
                        Role::Client => (target, peer),
                        Role::Server => (peer, target),
                    };
                    let run = runner.pair(c, s, &Pairing::ALL)?;
                    proofs.push(Cell {
                        client: c.id.clone(),
                        server: s.id.clone(),
                        summary: cell_summary(&run.pairings),
                        pairings: run.pairings.iter().map(PairingRun::without_raw).collect(),
                    });
                }
            }
        }
        steps.push(Step {
            goal: goal.describe().to_string(),
            release: row.map(|r| r.release.clone()),
            evidence: row.map_or_else(
                || "no release in the catalog".to_string(),
                |r| {
                    format!(
                        "as server: {}; as client: {}",
                        r.as_server.as_ref().map_or("-".into(), Probed::text),
                        r.as_client.as_ref().map_or("-".into(), Probed::text)
                    )
                },
            ),
            proofs,
        });
    }
    Ok(UpgradePlan {
        product: rows.first().map(|r| r.product.clone()).unwrap_or_default(),
        current: current.to_string(),
        connection: rows
            .first()
            .map(|r| r.connection.clone())
            .unwrap_or_default(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_sort_by_their_numbers() {
        let mut r = vec![
            "11.5(1)SU1",
            "10.6(1)SU3",
            "10.0",
            "11.0(1)",
            "10.6(1)SU2",
            "11.5(1)",
            "10.5",
            "11.6(1)",
            "11.0(1)SU1",
        ];
        r.sort_by_key(|s| release_order(s));
        assert_eq!(
            r,
            [
                "10.0",
                "10.5",
                "10.6(1)SU2",
                "10.6(1)SU3",
                "11.0(1)",
                "11.0(1)SU1",
                "11.5(1)",
                "11.5(1)SU1",
                "11.6(1)"
            ]
        );
        assert!(release_order("10.6") < release_order("10.6(1)SU2"));
    }
}
