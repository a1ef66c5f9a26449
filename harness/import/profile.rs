//! A ClientHello as a client profile, in the scenario-file format: its
//! versions, its suites, groups and signature schemes in the client's
//! order by IANA name, its ALPN protocols; and as comments what the format
//! has no field for (server name, GREASE values) or cannot hold
//! (signalling values, suites, groups and schemes the registry does not
//! know). The text is loaded with the
//! scenario loader before it is handed out, so it always loads.

use super::{ImportError, Imported};
use crate::hello::{group_name, is_grease, scheme_name, ClientHello};
use crate::scenario::Catalog;
use crate::suite::{registry, Suite};
use crate::version::ProtocolVersion;

/// What the written profile is called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Profile id (`[profile.ID]`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Product id.
    pub product: String,
    /// Release, in the vendor's notation.
    pub release: String,
    /// Connection kind (`https`, `jdbc`, ...).
    pub connection: String,
    /// CA ids the client trusts (not on the wire); empty: the loader's
    /// default, `harness-root`.
    pub trust: Vec<String>,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            id: "imported-client".into(),
            name: "Imported client".into(),
            product: "imported".into(),
            release: "captured".into(),
            connection: "https".into(),
            trust: Vec::new(),
        }
    }
}

/// One line of the `suites` array: a suite, or a comment on a value that
/// cannot be one.
enum SuiteLine {
    Suite(&'static Suite),
    Comment(String),
}

/// The profile `imported` describes, as TOML text the scenario loader
/// reads against `catalog` (which must know the CAs `who` trusts).
pub fn profile_toml(
    imported: &Imported,
    who: &Identity,
    catalog: &Catalog,
) -> Result<String, ImportError> {
    let hello = &imported.hello;
    let unusable = |message: String| ImportError::Profile {
        origin: imported.origin.clone(),
        message,
    };
    let (mut versions, mut version_notes) = versions(hello).map_err(unusable)?;
    let lines = suite_lines(hello, &versions);
    let listed: Vec<&Suite> = lines
        .iter()
        .filter_map(|l| match l {
            SuiteLine::Suite(s) => Some(*s),
            SuiteLine::Comment(_) => None,
        })
        .collect();
    versions.retain(|v| {
        let covered = listed.iter().any(|s| s.valid_for(*v));
        if !covered {
            version_notes.push(format!(
                "{v} is offered, but no offered suite is valid for it: left out"
            ));
        }
        covered
    });
    if versions.is_empty() || listed.is_empty() {
        return Err(unusable(format!(
            "the ClientHello offers no cipher suite the harness knows for a version it models ({} suites offered)",
            hello.suites.len()
        )));
    }
    let text = render(imported, who, &versions, &version_notes, &lines);
    check_loads(&text, &imported.origin, catalog).map_err(unusable)?;
    Ok(text)
}

/// The versions offered, oldest first, and what to say about them.
fn versions(hello: &ClientHello) -> Result<(Vec<ProtocolVersion>, Vec<String>), String> {
    let hex = |codes: &[u16]| {
        codes
            .iter()
            .map(|v| format!("{v:#06x}"))
            .collect::<Vec<_>>()
    };
    let mut notes = Vec::new();
    let mut known: Vec<ProtocolVersion> = if hello.supported_versions.is_empty() {
        let legacy = ProtocolVersion::from_wire(hello.legacy_version);
        match legacy {
            Some(ProtocolVersion::Tls10) => notes.push(format!(
                "no supported_versions extension: legacy_version {:#06x} (TLS 1.0)",
                hello.legacy_version
            )),
            Some(v) => notes.push(format!(
                "no supported_versions extension: legacy_version {:#06x} says {v} at most. The lowest version the client accepts is not on the wire, so only {v} is listed; add older ones if the product accepts them",
                hello.legacy_version
            )),
            None => {}
        }
        legacy.into_iter().collect()
    } else {
        let real: Vec<u16> = hello
            .supported_versions
            .iter()
            .copied()
            .filter(|v| !is_grease(*v))
            .collect();
        notes.push(format!(
            "from supported_versions ({})",
            hex(&real).join(", ")
        ));
        let unknown: Vec<u16> = real
            .iter()
            .copied()
            .filter(|v| ProtocolVersion::from_wire(*v).is_none())
            .collect();
        if !unknown.is_empty() {
            notes.push(format!(
                "not modelled, left out: {}",
                hex(&unknown).join(", ")
            ));
        }
        real.into_iter()
            .filter_map(ProtocolVersion::from_wire)
            .collect()
    };
    known.sort();
    known.dedup();
    if known.is_empty() {
        return Err(format!(
            "the ClientHello offers no version the harness models (TLS 1.0 to 1.3): legacy_version {:#06x}, supported_versions [{}]",
            hello.legacy_version,
            hex(&hello.supported_versions).join(", ")
        ));
    }
    Ok((known, notes))
}

/// The suites in the client's order, each a suite or a comment saying why
/// it cannot be one.
fn suite_lines(hello: &ClientHello, versions: &[ProtocolVersion]) -> Vec<SuiteLine> {
    let mut seen: Vec<u16> = Vec::new();
    let mut lines = Vec::new();
    for &code in &hello.suites {
        let note = |rest: String| SuiteLine::Comment(format!("{code:#06X} {rest}"));
        let line = match (code, registry().by_code(code)) {
            (0x00FF, _) => note(
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV: a signalling value (RFC 5746), not a suite"
                    .into(),
            ),
            (0x5600, _) => note(
                "TLS_FALLBACK_SCSV: a signalling value (RFC 7507); this is a fallback hello".into(),
            ),
            (c, _) if is_grease(c) => note("GREASE (RFC 8701)".into()),
            (_, None) => note("not a suite the harness knows".into()),
            (_, Some(s)) if seen.contains(&code) => note(format!("{}: listed again", s.iana)),
            (_, Some(s)) if !versions.iter().any(|v| s.valid_for(*v)) => {
                note(format!("{}: valid for no offered version", s.iana))
            }
            (_, Some(s)) => SuiteLine::Suite(s),
        };
        seen.push(code);
        lines.push(line);
    }
    lines
}

/// The profile as text.
fn render(
    imported: &Imported,
    who: &Identity,
    versions: &[ProtocolVersion],
    version_notes: &[String],
    lines: &[SuiteLine],
) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "# A client profile imported by `tls-harness import-hello` from\n# {}.\n\n",
        comment_safe(&imported.origin)
    );
    out.push_str(&format!("[profile.{}]\n", who.id));
    for (key, value) in [
        ("name", &who.name),
        ("product", &who.product),
        ("release", &who.release),
    ] {
        out.push_str(&format!("{key} = {}\n", q(value)));
    }
    out.push_str("role = \"client\"\n");
    out.push_str(&format!("connection = {}\n", q(&who.connection)));
    let source = format!("ClientHello captured in {}", imported.origin);
    out.push_str(&format!("source = {}\n", q(&source)));
    if who.trust.is_empty() {
        out.push_str(
            "# trust: what the client trusts is not on the wire; harness-root by default.\n",
        );
    } else {
        let trust: Vec<String> = who.trust.iter().map(|t| q(t)).collect();
        out.push_str(&format!("trust = [{}]\n", trust.join(", ")));
    }
    for note in version_notes {
        out.push_str(&format!("# versions: {note}.\n"));
    }
    let listed: Vec<String> = versions.iter().map(|v| q(v.as_str())).collect();
    out.push_str(&format!("versions = [{}]\n", listed.join(", ")));
    out.push_str("suites = [\n");
    for line in lines {
        match line {
            SuiteLine::Suite(s) => out.push_str(&format!("    {},\n", q(s.iana))),
            SuiteLine::Comment(c) => out.push_str(&format!("    # {c}\n")),
        }
    }
    out.push_str("]\n");
    out.push_str(&unmodelled(&imported.hello));
    out
}

/// The groups, key shares, signature schemes and ALPN protocols as keys
/// (the ones the registries know; the others, and what the format has no
/// field for, as comments). A key share is written only for a group the
/// profile lists (the format's rule); a share for an unknown group is left
/// out with that group.
fn unmodelled(hello: &ClientHello) -> String {
    let q = |s: &str| comment_safe(&toml::Value::String(s.to_string()).to_string());
    let mut out = String::new();
    let known_groups = |c: &u16| crate::group::by_code(*c).map(|g| g.name);
    let known_schemes = |c: &u16| crate::scheme::by_code(*c).map(|s| s.name);
    for (key, codes, known, name) in [
        (
            "groups",
            &hello.groups,
            &known_groups as &dyn Fn(&u16) -> Option<&'static str>,
            group_name as fn(u16) -> String,
        ),
        (
            "signature-schemes",
            &hello.signature_algorithms,
            &known_schemes,
            scheme_name,
        ),
    ] {
        let listed: Vec<String> = codes.iter().filter_map(known).map(q).collect();
        list_line(&mut out, key, listed);
        let unknown: Vec<String> = codes
            .iter()
            .filter(|c| known(c).is_none() && !is_grease(**c))
            .map(|c| q(&format!("{} ({c:#06x})", name(*c))))
            .collect();
        if !unknown.is_empty() {
            out.push_str(&format!(
                "# {key} the harness does not know, left out: [{}]\n",
                unknown.join(", ")
            ));
        }
    }
    let shares: Vec<String> = hello
        .key_shares
        .iter()
        .filter(|c| hello.groups.contains(c))
        .filter_map(known_groups)
        .map(q)
        .collect();
    list_line(&mut out, "key-shares", shares);
    // A protocol id is 1 to 255 bytes (RFC 7301 §3.1).
    let (alpn, bad): (Vec<&String>, Vec<&String>) = hello
        .alpn
        .iter()
        .partition(|p| (1..=255).contains(&p.len()));
    list_line(&mut out, "alpn", alpn.into_iter().map(|p| q(p)).collect());
    if !bad.is_empty() {
        let bad: Vec<String> = bad.iter().map(|p| format!("{} bytes", p.len())).collect();
        out.push_str(&format!(
            "# alpn ids no protocol can have, left out: [{}]\n",
            bad.join(", ")
        ));
    }
    if let Some(name) = &hello.server_name {
        out.push_str(&format!(
            "# server-name = {} (a scenario's `server-name`)\n",
            q(name)
        ));
    }
    let grease = grease(hello);
    if !grease.is_empty() {
        out.push_str(&format!("# grease = {{ {} }}\n", grease.join(", ")));
    }
    out
}

/// `key = [..]` for the names of `listed` (quoted), each once in the
/// order first met, and a comment naming what the hello repeated (the
/// format takes a name once); nothing when `listed` is empty.
fn list_line(out: &mut String, key: &str, listed: Vec<String>) {
    let mut once: Vec<String> = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    for name in listed {
        if once.contains(&name) {
            repeated.push(name);
        } else {
            once.push(name);
        }
    }
    if !once.is_empty() {
        out.push_str(&format!("{key} = [{}]\n", once.join(", ")));
    }
    if !repeated.is_empty() {
        out.push_str(&format!(
            "# {key} the hello listed more than once, kept once: [{}]\n",
            repeated.join(", ")
        ));
    }
}

/// The GREASE values (RFC 8701) of each list, as `list = [..]`.
fn grease(hello: &ClientHello) -> Vec<String> {
    [
        ("cipher-suites", &hello.suites),
        ("extensions", &hello.extensions),
        ("groups", &hello.groups),
        ("supported-versions", &hello.supported_versions),
        ("signature-algorithms", &hello.signature_algorithms),
    ]
    .into_iter()
    .filter_map(|(list, codes)| {
        let found: Vec<String> = codes
            .iter()
            .filter(|c| is_grease(**c))
            .map(|c| format!("\"{c:#06X}\""))
            .collect();
        (!found.is_empty()).then(|| format!("{list} = [{}]", found.join(", ")))
    })
    .collect()
}

/// `text` with line breaks escaped, so it cannot end a comment.
fn comment_safe(text: &str) -> String {
    text.replace('\r', "\\r").replace('\n', "\\n")
}

/// Loads `text` with the scenario loader; a failure is a fault of the
/// importer, reported with the loader's words.
fn check_loads(text: &str, origin: &str, catalog: &Catalog) -> Result<(), String> {
    catalog
        .check_written("imported-profile.toml", text)
        .map_err(|problems| format!("the profile made from {origin} does not load: {problems}"))
}
