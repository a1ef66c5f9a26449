//! What `infer` found, as a server profile in the scenario-file format,
//! with the CAs its certificates name; each value marked in a comment as
//! observed, or left out with what could not be learnt. The text is
//! loaded with the scenario loader before it is handed out.

use super::{Demand, Inferred};
use crate::import::{chain_toml, Seen};
use crate::scenario::Catalog;
use crate::suite::registry;
use crate::version::ProtocolVersion;

/// What the written profile is called.
#[derive(Clone, Debug)]
pub struct ProfileNaming {
    /// Profile id.
    pub id: String,
    /// Product id.
    pub product: String,
    /// Connection kind.
    pub connection: String,
}

fn q(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The profile of `inferred`; an error (the loader's words) only if the
/// text does not load, which is a fault of this writer.
pub fn profile_toml(inferred: &Inferred, naming: &ProfileNaming) -> Result<String, String> {
    let mut out = format!(
        "# A server profile inferred by `tls-harness infer` from {} with {} connections.\n\
         # observed: what its answers showed; what no answer could show is said in a comment.\n\n",
        inferred.target, inferred.connections
    );
    let (cas, certificates, host) = certificates(inferred);
    out.push_str(&cas);
    out.push_str(&format!("[profile.{}]\n", naming.id));
    out.push_str(&format!(
        "name = {}\n",
        q(&format!("Server at {}", inferred.target))
    ));
    out.push_str(&format!("product = {}\n", q(&naming.product)));
    out.push_str("release = \"inferred\"\nrole = \"server\"\n");
    out.push_str(&format!("connection = {}\n", q(&naming.connection)));
    out.push_str(&format!(
        "source = {}\n",
        q(&format!("inferred from {}", inferred.target))
    ));
    if let Some(host) = host {
        out.push_str(&format!(
            "host = {}  # observed: its certificate's name\n",
            q(&host)
        ));
    }
    out.push_str(&versions_and_suites(inferred));
    out.push_str(&groups_and_schemes(inferred));
    out.push_str(&alpn_and_client_auth(inferred));
    out.push_str(&certificates);
    for note in &inferred.notes {
        out.push_str(&format!("# {}\n", note.replace('\n', " ")));
    }
    check_loads(&out)?;
    Ok(out)
}

fn versions_and_suites(inferred: &Inferred) -> String {
    let mut out = String::new();
    // A version whose every suite is one the harness does not know cannot
    // be written with a suite: it is left out, with a note.
    let known = |v: &ProtocolVersion| {
        inferred
            .suites
            .get(v)
            .is_some_and(|s| s.iter().any(|c| registry().by_code(*c).is_some()))
    };
    for v in inferred.versions.iter().filter(|v| !known(v)) {
        out.push_str(&format!(
            "# versions: it accepts {v}, but with no suite the harness knows (or none was found): left out\n"
        ));
    }
    let versions: Vec<String> = inferred
        .versions
        .iter()
        .filter(|v| known(v))
        .map(|v| q(v.as_str()))
        .collect();
    out.push_str(&format!(
        "versions = [{}]  # observed\n",
        versions.join(", ")
    ));
    // Newest version's order first; a suite of an older version only is
    // added after.
    let mut suites: Vec<u16> = Vec::new();
    for list in inferred.suites.values().rev() {
        for code in list {
            if !suites.contains(code) {
                suites.push(*code);
            }
        }
    }
    out.push_str("suites = [  # observed: in the order it chose them, per version\n");
    for code in &suites {
        match registry().by_code(*code) {
            Some(s) => out.push_str(&format!("    {},\n", q(s.iana))),
            None => out.push_str(&format!(
                "    # {code:#06x}: a suite the harness does not know\n"
            )),
        }
    }
    out.push_str("]\n");
    match inferred.server_preference {
        Some(own) => out.push_str(&format!(
            "server-preference = {own}  # observed: offered its first two suites reversed, it chose {}\n",
            if own { "its own first" } else { "the client's first" }
        )),
        None => out.push_str("# server-preference: not known (fewer than two suites to tell by)\n"),
    }
    out
}

fn groups_and_schemes(inferred: &Inferred) -> String {
    let mut out = String::new();
    let groups: Vec<String> = inferred
        .groups
        .iter()
        .filter_map(|c| crate::group::by_code(*c))
        .map(|g| q(g.name))
        .collect();
    let order = match inferred.group_preference {
        Some(true) => "in its own order (offered its first two reversed, it kept its first)",
        Some(false) => "it chooses by the client's order, so this order is the one it was asked in",
        None => "fewer than two to tell whose order it follows",
    };
    if !groups.is_empty() {
        out.push_str(&format!(
            "groups = [{}]  # observed: {order}\n",
            groups.join(", ")
        ));
    }
    let schemes: Vec<String> = inferred
        .schemes
        .iter()
        .filter_map(|c| crate::scheme::by_code(*c))
        .map(|s| q(s.name))
        .collect();
    if !schemes.is_empty() {
        out.push_str(&format!(
            "signature-schemes = [{}]  # observed: what it signed with, in the order it chose them\n",
            schemes.join(", ")
        ));
    }
    out
}

fn alpn_and_client_auth(inferred: &Inferred) -> String {
    let mut out = String::new();
    if let Some(protocol) = &inferred.alpn {
        out.push_str(&format!(
            "alpn = [{}]  # observed: what it chose of h2 and http/1.1; others are not asked about\n",
            q(protocol)
        ));
        let mismatch = if inferred.alpn_refuses_unknown {
            "refuse"
        } else {
            "ignore"
        };
        out.push_str(&format!(
            "alpn-mismatch = \"{mismatch}\"  # observed: offered only a protocol it does not know\n"
        ));
    }
    match (&inferred.requested, &inferred.demand) {
        (Seen::Known(true), Some(Demand::Demanded(alert))) => out.push_str(&format!(
            "client-auth = \"require\"  # observed: it asks for a certificate, and aborts with {alert} without one\n"
        )),
        (Seen::Known(true), Some(Demand::NotDemanded)) => out.push_str(
            "client-auth = \"request\"  # observed: it asks for a certificate, and goes on without one\n",
        ),
        (Seen::Known(true), demand) => {
            let why = match demand {
                Some(Demand::Unknown(why)) => why,
                _ => "not asked",
            };
            out.push_str(&format!(
                "client-auth = \"request\"  # observed: it asks for a certificate; whether it demands one is not known ({why})\n"
            ))
        }
        (Seen::Known(false), _) => {}
        (Seen::Unknown(why), _) => out.push_str(&format!("# client-auth: not known ({why})\n")),
    }
    out
}

/// The `[ca.*]` tables, the `certificate` line and the leaf's name.
fn certificates(inferred: &Inferred) -> (String, String, Option<String>) {
    let mut cas = String::new();
    let mut seen_cas: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    let mut comments = String::new();
    let mut host = None;
    for presented in &inferred.certificates {
        let chain = chain_toml(&presented.chain);
        for table in chain.cas.split("\n\n").filter(|t| !t.trim().is_empty()) {
            let id = table.lines().next().unwrap_or_default().to_string();
            if !seen_cas.contains(&id) {
                seen_cas.push(id);
                cas.push_str(&format!("{table}\n\n"));
            }
        }
        for note in chain.notes {
            comments.push_str(&format!("# {note}\n"));
        }
        if let Some(leaf) = chain.leaf {
            comments.push_str(&format!(
                "# certificate {}: presented to {}\n",
                entries.len() + 1,
                presented.to
            ));
            entries.push(leaf);
        }
        host = host.or(chain.host);
    }
    if entries.is_empty() {
        return (
            cas,
            "# certificate: none seen; the default one stands in\n".into(),
            host,
        );
    }
    let line = format!(
        "{comments}certificate = [{}]  # observed\n",
        entries.join(", ")
    );
    (cas, line, host)
}

/// Loads `text` with the scenario loader.
fn check_loads(text: &str) -> Result<(), String> {
    Catalog::empty()
        .check_written("inferred-profile.toml", text)
        .map_err(|problems| format!("the profile inferred does not load: {problems}"))
}
