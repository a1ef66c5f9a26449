//! `diff`: the upgrade question answered by handshakes. The same peers
//! meet one side as it was and as it will be (a release and the next, or
//! the catalog at one instant and at another), on every pairing, and the
//! rows whose real outcome changes are what the upgrade breaks or mends.

use std::sync::Arc;

use serde::Serialize;

use crate::backend::Pairing;
use crate::moment::Moment;
use crate::outcome::Outcome;
use crate::run::{AdHoc, PairingRun, RunError, Runner, Status};
use crate::scenario::{Profile, Role};

/// What an upgrade does to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// It connected before and fails after.
    Breaks,
    /// It failed before and connects after.
    Mends,
    /// Both connect, with another version, suite, group or certificate;
    /// or both fail, differently.
    Differs,
}

impl Change {
    /// `breaks`, `mends` or `differs`, as JSON says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Breaks => "breaks",
            Change::Mends => "mends",
            Change::Differs => "differs",
        }
    }
}

/// One client × server × pairing whose outcome changes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Row {
    /// The client profile (before, and after when it is another).
    pub client: String,
    /// The server profile, likewise.
    pub server: String,
    /// `rustls-openssl` and so on.
    pub pairing: String,
    /// The outcome before, in words.
    pub before: String,
    /// The outcome after.
    pub after: String,
    /// What the change is.
    pub change: Change,
}

/// The rows that change, and what was compared.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Diff {
    /// What was compared, in words (`uccx 11.5(1) → 11.6(1)`).
    pub compared: String,
    /// Handshake rows compared (each run twice, before and after).
    pub compared_rows: usize,
    /// The rows whose outcome changes.
    pub rows: Vec<Row>,
    /// Profiles of the new side with no partner in the old (by role and
    /// connection kind).
    pub added: Vec<String>,
    /// Profiles of the old side with no partner in the new.
    pub removed: Vec<String>,
}

impl Diff {
    /// Whether anything that connected stops connecting.
    pub fn breaks(&self) -> bool {
        self.rows.iter().any(|r| r.change == Change::Breaks)
    }
}

/// One side of a comparison: a client against a server.
pub type Pair = (Arc<Profile>, Arc<Profile>);

/// Release `from` of a product against release `to`: each profile of the
/// new release is paired with the old one of the same role and connection
/// kind, and both meet every peer of the other role on that connection;
/// returns the pairs before and after, and the profiles left unpaired.
pub fn release_pairs(
    old: &[Arc<Profile>],
    new: &[Arc<Profile>],
    peers: &[Arc<Profile>],
) -> (Vec<(Pair, Pair)>, Vec<String>, Vec<String>) {
    let key = |p: &Profile| (p.role, p.connection.clone());
    let mut pairs = Vec::new();
    for n in new {
        let Some(o) = old.iter().find(|o| key(o) == key(n)) else {
            continue;
        };
        for peer in peers
            .iter()
            .filter(|p| p.role != n.role && p.connection == n.connection)
        {
            let oriented = |side: &Arc<Profile>| match side.role {
                Role::Client => (side.clone(), peer.clone()),
                Role::Server => (peer.clone(), side.clone()),
            };
            pairs.push((oriented(o), oriented(n)));
        }
    }
    let unpaired = |side: &[Arc<Profile>], other: &[Arc<Profile>]| {
        side.iter()
            .filter(|p| !other.iter().any(|o| key(o) == key(p)))
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    };
    (pairs, unpaired(new, old), unpaired(old, new))
}

/// Runs each pair before (on `before`) and after (on `after`) on
/// `pairings`, and keeps the rows whose outcome changes.
pub fn compare(
    (before, after): (&Runner, &Runner),
    pairs: &[(Pair, Pair)],
    pairings: &[Pairing],
) -> Result<Vec<Row>, RunError> {
    let side = |f: fn(&(Pair, Pair)) -> &Pair| -> Vec<AdHoc> {
        pairs
            .iter()
            .map(|p| {
                let (c, s) = f(p);
                (c.clone(), s.clone(), pairings.to_vec())
            })
            .collect()
    };
    let old = before.pair_all(&side(|p| &p.0))?;
    let new = after.pair_all(&side(|p| &p.1))?;
    let mut rows = Vec::new();
    for ((pair, old), new) in pairs.iter().zip(old).zip(new) {
        for (o, n) in old.pairings.iter().zip(&new.pairings) {
            if let Some(row) = changed(pair, o, n) {
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// The row for one pairing, if its outcome changed.
fn changed(((oc, os), (nc, ns)): &(Pair, Pair), old: &PairingRun, new: &PairingRun) -> Option<Row> {
    let (before, after) = (outcome_of(&old.status), outcome_of(&new.status));
    let change = match (before, after) {
        (Some(b), Some(a)) if words(b) == words(a) => return None,
        (Some(b), Some(a)) => match (connects(b), connects(a)) {
            (true, false) => Change::Breaks,
            (false, true) => Change::Mends,
            _ => Change::Differs,
        },
        // A pairing that cannot run on one side is not a change of the
        // upgrade's; `run` and `matrix` say why it cannot.
        _ => return None,
    };
    let named = |o: &Arc<Profile>, n: &Arc<Profile>| {
        if o.id == n.id {
            o.id.clone()
        } else {
            format!("{} → {}", o.id, n.id)
        }
    };
    Some(Row {
        client: named(oc, nc),
        server: named(os, ns),
        pairing: old.pairing.clone(),
        before: words(before?),
        after: words(after?),
        change,
    })
}

fn outcome_of(status: &Status) -> Option<&Outcome> {
    match status {
        Status::Ran { outcome, .. } => Some(outcome),
        _ => None,
    }
}

fn connects(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Established(_))
}

/// A row in words, and what the comparison looks at: for a handshake that
/// completed its version, suite, group and the server's key; for one that
/// failed, its summary (side, cause and alert).
fn words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Established(e) => format!(
            "{} {}{}{}",
            e.version,
            e.suite.name,
            e.group.as_ref().map_or(String::new(), |g| format!(", {g}")),
            e.server_certificate
                .as_ref()
                .map_or(String::new(), |c| format!(", {}", c.leaf.key))
        ),
        other => other.summary(),
    }
}

/// Every client × server pair that a dated change between `from` and `to`
/// touches (the others cannot change), each the same before and after.
pub fn dated_pairs(
    clients: &[Arc<Profile>],
    servers: &[Arc<Profile>],
    (from, to): (Moment, Moment),
) -> Vec<(Pair, Pair)> {
    let (early, late) = if from <= to { (from, to) } else { (to, from) };
    let moves = |p: &Profile| p.changes.iter().any(|c| c.at > early && c.at <= late);
    clients
        .iter()
        .flat_map(|c| servers.iter().map(move |s| (c, s)))
        .filter(|(c, s)| c.connection == s.connection && (moves(c) || moves(s)))
        .map(|(c, s)| ((c.clone(), s.clone()), (c.clone(), s.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn a_change_is_named_in_tables_as_in_json() {
        for change in [Change::Breaks, Change::Mends, Change::Differs] {
            let json = serde_json::to_value(change).unwrap();
            assert_eq!(json.as_str(), Some(change.as_str()));
        }
    }
}
