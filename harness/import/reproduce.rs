//! A captured connection as one scenario file: the client as
//! `import-hello` makes it, a server profile from what the server sent,
//! the CAs its certificates name, and a scenario whose `expect` is what
//! the capture shows. Every value is marked in a comment as observed (read
//! off the wire) or assumed (not on the wire; chosen so that the file runs
//! and fails, or succeeds, for the reason the capture shows). The text is
//! loaded with the scenario loader before it is handed out.

use super::observed::{Chosen, Ending, Observed, Seen};
use super::{profile_toml, Identity, ImportError, Imported, InputFormat};
use crate::hello::ClientHello;
use crate::moment::Moment;
use crate::outcome::{Alert, Side};
use crate::pki::{self, CertShape};
use crate::scenario::Catalog;
use crate::suite::{registry, Suite};
use crate::version::ProtocolVersion;

/// What the written file calls its parts.
#[derive(Clone, Debug)]
pub struct Naming {
    /// The scenario's id; the profiles are `ID-client` and `ID-server`.
    pub id: String,
    /// Product id of both profiles.
    pub product: String,
    /// Connection kind.
    pub connection: String,
}

/// The scenario file reproducing `observed`, a connection of `origin`
/// whose client spoke first at `started`.
pub fn scenario_toml(
    observed: &Observed,
    retry: Option<&Observed>,
    origin: &str,
    started: Option<Moment>,
    naming: &Naming,
    catalog: &Catalog,
) -> Result<String, ImportError> {
    // The server is what the retry met, when the client retried.
    let served = retry.unwrap_or(observed);
    let chain = certificates(served);
    let mut out = format!(
        "# Made by `tls-harness import-capture` from {origin}.\n\
         # observed: read off the wire. assumed: not on the wire, chosen so that\n\
         # the file reproduces what the capture shows.\n\n"
    );
    out.push_str(&chain.cas);
    out.push_str(&client_profile(
        served, observed, origin, naming, &chain, catalog,
    )?);
    if let Some(retry) = retry {
        out.push_str(&fallback_line(&retry.hello));
    }
    out.push('\n');
    out.push_str(&server_profile(served, naming, &chain));
    out.push('\n');
    out.push_str(&scenario(served, retry.is_some(), origin, started, naming));
    check_loads(&out, catalog).map_err(|message| ImportError::Profile {
        origin: origin.to_string(),
        message,
    })?;
    Ok(out)
}

/// A chain as the PKI will make it, in the scenario-file format.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// `[ca.*]` tables for the issuers.
    pub cas: String,
    /// The leaf's entry of a `certificate` list (an inline table), `None`
    /// when no certificate was seen.
    pub leaf: Option<String>,
    /// The name the leaf is for.
    pub host: Option<String>,
    /// The id of the top CA (what a client that accepted it trusts).
    pub root: Option<String>,
    /// Comment lines on the chain.
    pub notes: Vec<String>,
}

fn q(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A CA id for a subject: `captured-` and its letters and digits.
fn ca_id(subject: &str) -> String {
    let slug: String = subject
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    match slug.is_empty() {
        true => "captured-ca".to_string(),
        false => format!("captured-{}", slug.join("-")),
    }
}

/// A certificate's date as TOML; x509 dates are four-digit years, so
/// always in range (the epoch stands in otherwise).
fn date(seconds: i64) -> String {
    Moment::from_unix(seconds)
        .unwrap_or(Moment::from_unix(0).expect("the epoch"))
        .to_string()
}

/// The key a certificate's key becomes, with a note when it is not the
/// same.
fn key_of(shape: &CertShape, what: &str, notes: &mut Vec<String>) -> &'static str {
    let (key, exact) = pki::nearest_key(&shape.summary.key);
    if !exact {
        notes.push(format!(
            "assumed: the {what}'s key is {}, which the harness's PKI does not make: {} is the nearest",
            shape.summary.key,
            key.as_str()
        ));
    }
    key.as_str()
}

/// The server's certificates, their issuers as CAs.
fn certificates(observed: &Observed) -> Chain {
    let mut chain = Chain::default();
    match &observed.server_chain {
        Seen::Known(ders) if !ders.is_empty() => return chain_toml(ders),
        Seen::Known(_) => {
            chain
                .notes
                .push("the server sent an empty certificate list".into());
        }
        Seen::Unknown(why) => {
            chain.notes.push(format!(
                "assumed: the server's certificate is not known ({why}); the default RSA-2048 one from harness-root stands in"
            ));
        }
    }
    chain
}

/// A chain the server sent (DER, leaf first) as a `certificate` entry
/// and the `[ca.*]` tables of its issuers.
pub fn chain_toml(ders: &[Vec<u8>]) -> Chain {
    let mut chain = Chain::default();
    // The leaf is the first certificate, or none: a CA behind an
    // unreadable leaf is not the server's certificate.
    let leaf = ders.first().and_then(|d| pki::shape(d).ok());
    let shapes: Vec<CertShape> = leaf
        .iter()
        .cloned()
        .chain(ders.iter().skip(1).filter_map(|d| pki::shape(d).ok()))
        .collect();
    let Some(leaf) = leaf.as_ref() else {
        chain.notes.push(
            "assumed: the server's certificate does not parse; the default one stands in".into(),
        );
        return chain;
    };
    chain.host = Some(leaf.summary.subject.clone());
    if leaf.summary.self_signed {
        chain.notes.push(
            "the leaf is self-signed: a client that took it did so by an exception (`accepted-exceptions`), which is not on the wire".into(),
        );
    }
    let issuer = match leaf.summary.self_signed {
        true => "self".to_string(),
        false => ca_id(&leaf.summary.issuer),
    };
    let mut fields = vec![
        format!("key = {}", q(key_of(leaf, "leaf", &mut chain.notes))),
        format!("issuer = {}", q(&issuer)),
        format!("subject = {}", q(&leaf.summary.subject)),
    ];
    let sans: Vec<String> = leaf
        .dns_names
        .iter()
        .filter(|n| **n != leaf.summary.subject)
        .map(|n| q(n))
        .collect();
    if !sans.is_empty() {
        fields.push(format!("sans = [{}]", sans.join(", ")));
    }
    // The last second a date can be written in, 9999-12-31T23:59:59Z.
    const LAST: i64 = 253_402_300_799;
    let not_before = leaf.not_before.min(LAST - 1);
    fields.push(format!("not-before = {}", date(not_before)));
    // A validity that ends before it begins is valid at no instant; the
    // PKI makes none such, so it ends a second after it begins.
    let not_after = match leaf.not_after > not_before {
        true => leaf.not_after,
        false => {
            chain.notes.push(format!(
                "assumed: the certificate's validity ends ({}) before it begins; it is written to end a second after it begins",
                date(leaf.not_after)
            ));
            not_before + 1
        }
    };
    fields.push(format!("not-after = {}", date(not_after)));
    chain.leaf = Some(format!("{{ {} }}", fields.join(", ")));
    if !leaf.summary.self_signed {
        issuers(&mut chain, leaf, &shapes[1..]);
    }
    chain
}

/// `[ca.*]` tables from the leaf's issuer up, from the certificates the
/// server sent where it sent them.
fn issuers(chain: &mut Chain, leaf: &CertShape, sent: &[CertShape]) {
    let mut subject = leaf.summary.issuer.clone();
    let mut signed_with = leaf.summary.signature.clone();
    let mut written: Vec<String> = Vec::new();
    // Each CA sent at most once, and one more above them that was not.
    for _ in 0..=sent.len() {
        let id = ca_id(&subject);
        written.push(id.clone());
        let found = sent.iter().find(|s| s.summary.subject == subject);
        chain
            .cas
            .push_str(&format!("[ca.{id}]\nsubject = {}\n", q(&subject)));
        let hash = ["sha1", "sha256", "sha384", "sha512"]
            .into_iter()
            .find(|h| signed_with.contains(h));
        if let Some(hash) = hash {
            chain.cas.push_str(&format!(
                "signature-hash = {}  # observed: what it signed the certificate below with\n",
                q(hash)
            ));
        }
        let Some(ca) = found else {
            chain.cas.push_str(
                "# assumed: the server did not send this CA, so it is taken as a root (servers\n# send their intermediates, not their root); its key is not on the wire\n\n",
            );
            chain.root = Some(id);
            return;
        };
        let mut notes = Vec::new();
        let key = key_of(ca, "CA", &mut notes);
        chain
            .cas
            .push_str(&format!("key = {}  # observed\n", q(key)));
        for note in notes {
            chain.cas.push_str(&format!("# {note}\n"));
        }
        let above = ca_id(&ca.summary.issuer);
        if ca.summary.self_signed || written.contains(&above) {
            if !ca.summary.self_signed {
                chain
                    .cas
                    .push_str("# assumed: a root here; its issuer names a CA already above it\n");
            }
            chain.cas.push('\n');
            chain.root = Some(id);
            return;
        }
        chain.cas.push_str(&format!("issuer = {}\n\n", q(&above)));
        subject = ca.summary.issuer.clone();
        signed_with = ca.summary.signature.clone();
    }
}

/// Whether the client refused the server's certificate: a certificate
/// alert from the client.
fn refused_certificate(observed: &Observed) -> bool {
    matches!(
        observed.ending,
        Ending::Failed {
            side: Some(Side::Client),
            alert: Seen::Known(Some(Alert(42..=46 | 48)))
        }
    )
}

/// The `fallback` of a client whose retry sent `hello`: its versions, and
/// whether it signalled the fallback (RFC 7507).
fn fallback_line(hello: &ClientHello) -> String {
    let versions: Vec<String> = offered_versions(hello)
        .iter()
        .map(|v| q(v.as_str()))
        .collect();
    let scsv = hello.suites.contains(&FALLBACK_SCSV);
    format!(
        "fallback = {{ versions = [{}], scsv = {scsv} }}  # observed: its retry after the first connection failed\n",
        versions.join(", ")
    )
}

/// TLS_FALLBACK_SCSV's code point (RFC 7507).
const FALLBACK_SCSV: u16 = 0x5600;

/// The versions a hello offers: its supported_versions, else its
/// legacy_version alone.
fn offered_versions(hello: &ClientHello) -> Vec<ProtocolVersion> {
    ProtocolVersion::ALL
        .into_iter()
        .filter(|v| match hello.supported_versions.is_empty() {
            true => v.wire() == hello.legacy_version,
            false => hello.supported_versions.contains(&v.wire()),
        })
        .collect()
}

/// The client, as `import-hello` makes it from its first `hello`,
/// trusting the chain's root unless it refused the certificate
/// (`observed`: the connection that ended the story).
fn client_profile(
    observed: &Observed,
    first: &Observed,
    origin: &str,
    naming: &Naming,
    chain: &Chain,
    catalog: &Catalog,
) -> Result<String, ImportError> {
    let imported = Imported {
        hello: first.hello.clone(),
        origin: origin.to_string(),
        format: InputFormat::Pcapng,
    };
    let who = Identity {
        id: format!("{}-client", naming.id),
        name: "Captured client".into(),
        product: naming.product.clone(),
        release: "captured".into(),
        connection: naming.connection.clone(),
        trust: Vec::new(),
    };
    let text = profile_toml(&imported, &who, catalog)?;
    let trust = match (&chain.root, refused_certificate(observed)) {
        (Some(root), false) => format!(
            "trust = [{}]  # assumed: the client accepted the chain, so it trusts its top CA\n",
            q(root)
        ),
        (_, true) => "trust = [\"harness-root\"]  # assumed: the client refused the certificate; it trusts a CA that did not issue it\n".into(),
        (None, false) => "# trust: not on the wire; harness-root by default.\n".into(),
    };
    let default = "# trust: what the client trusts is not on the wire; harness-root by default.\n";
    Ok(text.replacen(default, &trust, 1))
}

/// The server profile: what it chose, as the only thing it offers.
fn server_profile(observed: &Observed, naming: &Naming, chain: &Chain) -> String {
    let mut out = format!("[profile.{}-server]\n", naming.id);
    out.push_str("name = \"Captured server\"\n");
    out.push_str(&format!("product = {}\n", q(&naming.product)));
    out.push_str("release = \"captured\"\nrole = \"server\"\n");
    out.push_str(&format!("connection = {}\n", q(&naming.connection)));
    let host = chain
        .host
        .clone()
        .or_else(|| observed.hello.server_name.clone());
    if let Some(host) = host {
        out.push_str(&format!("host = {}  # observed\n", q(&host)));
    }
    match observed.chosen {
        Some(chosen) => out.push_str(&chosen_lines(observed, chosen)),
        None => out.push_str(&refusal_lines(observed)),
    }
    out.push_str(&client_auth_line(observed));
    for note in &chain.notes {
        out.push_str(&format!("# {note}\n"));
    }
    if let Some(leaf) = &chain.leaf {
        out.push_str(&format!("certificate = [{leaf}]  # observed\n"));
    }
    out
}

/// Versions, suite, group, scheme and ALPN of a server that chose them.
fn chosen_lines(observed: &Observed, chosen: Chosen) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "versions = [{}]  # observed: the version it chose; the others it accepts are not on the wire\n",
        q(chosen.version.as_str())
    ));
    let suite = registry().by_code(chosen.suite);
    match suite {
        Some(s) if !s.valid_for(chosen.version) => out.push_str(&format!(
            "# assumed: it chose {}, which {} does not allow (no stack models that); suites that\n# version allows stand in\n{}",
            s.iana,
            chosen.version,
            suites_line(stand_ins(&[chosen.version]))
        )),
        Some(s) => out.push_str(&format!(
            "suites = [{}]  # observed: the suite it chose; its other suites and their order are not on the wire\n",
            q(s.iana)
        )),
        None => out.push_str(&format!(
            "# assumed: it chose {:#06x}, which the harness does not know; suites it knows stand in\n{}",
            chosen.suite,
            suites_line(stand_ins(&[chosen.version]))
        )),
    }
    match observed.group.as_deref() {
        Some(dh) if made_dh_size(dh) => out.push_str(&format!(
            "dh-bits = {}  # observed: its DHE prime's size\n",
            &dh[3..]
        )),
        Some(dh) if dh.starts_with("dh-") => out.push_str(&format!(
            "# dh-bits: its DHE prime is {dh}, a size the harness does not make\n"
        )),
        Some(group) if crate::group::named(&[group]).len() == 1 => {
            out.push_str(&format!(
                "groups = [{}]  # observed: the group it chose\n",
                q(group)
            ));
        }
        _ => {}
    }
    let schemes: Vec<String> = [observed.server_scheme, observed.client_scheme]
        .into_iter()
        .flatten()
        .filter_map(crate::scheme::by_code)
        .map(|s| q(s.name))
        .collect();
    if !schemes.is_empty() {
        out.push_str(&format!(
            "signature-schemes = [{}]  # observed: what it signed with (and the client's, if it signed)\n",
            schemes.join(", ")
        ));
    }
    match &observed.alpn {
        Seen::Known(Some(protocol)) => {
            out.push_str(&format!("alpn = [{}]  # observed\n", q(protocol)))
        }
        Seen::Known(None) => {}
        Seen::Unknown(why) => out.push_str(&format!("# alpn: not known ({why})\n")),
    }
    out
}

/// Versions and suites of a server that refused the hello, so that it
/// refuses it the same way: the versions the client did not offer for a
/// protocol_version alert; else no suite in common, or where the client
/// offered every suite a version has, no group in common.
fn refusal_lines(observed: &Observed) -> String {
    let hello = &observed.hello;
    let offered = offered_versions(hello);
    let alert = match &observed.ending {
        Ending::Failed {
            alert: Seen::Known(Some(a)),
            ..
        } => Some(*a),
        _ => None,
    };
    // Above what the client offered the server refuses the hello; below,
    // it would answer with a version the client refuses.
    let highest = offered.iter().max();
    let mut not_offered: Vec<ProtocolVersion> = ProtocolVersion::ALL
        .into_iter()
        .filter(|v| Some(v) > highest)
        .collect();
    if not_offered.is_empty() {
        let lowest = offered.iter().min();
        not_offered = ProtocolVersion::ALL
            .into_iter()
            .filter(|v| Some(v) < lowest)
            .collect();
    }
    if alert == Some(Alert::PROTOCOL_VERSION) && !not_offered.is_empty() {
        let note = "# assumed: it refused every version the client offered; it accepts only newer\n# ones (older ones when the client offered the newest)\n";
        return format!(
            "{note}{}",
            versions_and_suites(&not_offered, stand_ins(&not_offered))
        );
    }
    let unoffered: Vec<&Suite> = stand_ins(&offered)
        .into_iter()
        .filter(|s| !hello.suites.contains(&s.code))
        .collect();
    let covered: Vec<ProtocolVersion> = offered
        .iter()
        .copied()
        .filter(|v| unoffered.iter().any(|s| s.valid_for(*v)))
        .collect();
    let group = GROUP_STAND_INS.into_iter().find(|g| {
        crate::group::named(&[g])
            .first()
            .is_some_and(|g| !hello.groups.contains(&g.code))
    });
    match (covered.len() < offered.len(), group) {
        (true, Some(group)) => {
            let suites = stand_ins(&offered)
                .into_iter()
                .filter(|s| s.is_tls13() || s.iana.contains("ECDHE"))
                .collect();
            format!(
                "# assumed: it shares no key-exchange group with the client (the capture\n\
                 # cannot tell that from a suite or scheme it refused)\n{}groups = [{}]\n",
                versions_and_suites(&offered, suites),
                q(group)
            )
        }
        _ if !covered.is_empty() => format!(
            "# assumed: it shares no suite with the client (the capture cannot tell that\n\
             # from a group or scheme it refused)\n{}",
            versions_and_suites(&covered, unoffered)
        ),
        // The client offered every suite and group that could stand in:
        // no assumption here refuses it.
        _ => format!(
            "# assumed: nothing this file can say refuses this client the way the capture\n\
             # shows, so the server accepts it; `run` shows the difference\n{}",
            versions_and_suites(&offered, stand_ins(&offered))
        ),
    }
}

/// The [`STAND_INS`] valid for one of `versions`.
fn stand_ins(versions: &[ProtocolVersion]) -> Vec<&'static Suite> {
    STAND_INS
        .iter()
        .filter_map(|name| registry().lookup(name).map(|(s, _)| s))
        .filter(|s| versions.iter().any(|v| s.valid_for(*v)))
        .collect()
}

fn versions_and_suites(versions: &[ProtocolVersion], suites: Vec<&Suite>) -> String {
    let versions: Vec<String> = versions.iter().map(|v| q(v.as_str())).collect();
    format!(
        "versions = [{}]\n{}",
        versions.join(", "),
        suites_line(suites)
    )
}

fn suites_line(suites: Vec<&Suite>) -> String {
    let suites: Vec<String> = suites.iter().map(|s| q(s.iana)).collect();
    format!("suites = [{}]\n", suites.join(", "))
}

/// Groups every backend implements, for a server assumed to share none
/// with the client.
const GROUP_STAND_INS: [&str; 3] = ["secp384r1", "secp256r1", "x25519"];

/// Suites every backend implements, for a server assumed to share none
/// with the client: the first valid for its versions that the client did
/// not offer.
const STAND_INS: [&str; 9] = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
];

fn client_auth_line(observed: &Observed) -> String {
    let sent_none = matches!(&observed.client_chain, Seen::Known(Some(c)) if c.is_empty());
    let server_gave_up = matches!(
        observed.ending,
        Ending::Failed {
            side: Some(Side::Server),
            ..
        }
    );
    match &observed.requested {
        Seen::Known(false) => String::new(),
        Seen::Known(true) if sent_none && server_gave_up => {
            "client-auth = \"require\"  # observed: it asked, the client sent none, it gave up\n".into()
        }
        Seen::Known(true) => {
            "client-auth = \"request\"  # observed: it asked for a certificate; assumed: that it does not demand one\n".into()
        }
        Seen::Unknown(why) => format!("# client-auth: not known ({why})\n"),
    }
}

/// The `[[scenario]]` and its `expect`.
fn scenario(
    observed: &Observed,
    fell_back: bool,
    origin: &str,
    started: Option<Moment>,
    naming: &Naming,
) -> String {
    let id = &naming.id;
    let mut out = format!(
        "[[scenario]]\nid = {}\nsource = {}\nclient = \"{id}-client\"\nserver = \"{id}-server\"\n",
        q(id),
        q(&format!("captured: {origin}"))
    );
    if let Some(name) = &observed.hello.server_name {
        out.push_str(&format!("server-name = {}  # observed\n", q(name)));
    }
    if let Some(at) = started {
        out.push_str(&format!(
            "at = {at}  # observed: when the client spoke; certificates are checked then\n"
        ));
    }
    out.push_str("\n[scenario.expect]\n");
    out.push_str(&expect_lines(observed));
    if fell_back {
        out.push_str("fallback = true\n");
    }
    out
}

fn expect_lines(observed: &Observed) -> String {
    let mut out = String::new();
    match (&observed.ending, observed.chosen) {
        (Ending::Established, Some(chosen)) => {
            out.push_str("result = \"established\"\n");
            out.push_str(&format!("version = {}\n", q(chosen.version.as_str())));
            if let Some(suite) = registry().by_code(chosen.suite) {
                out.push_str(&format!("suite = {}\n", q(suite.iana)));
            }
            match observed.group.as_deref() {
                Some(group) if expectable_group(group) => {
                    out.push_str(&format!("group = {}\n", q(group)))
                }
                Some(group) => out.push_str(&format!(
                    "# group: it chose {group}, which an expect cannot name\n"
                )),
                None => {}
            }
            if let Seen::Known(Some(alpn)) = &observed.alpn {
                out.push_str(&format!("alpn = {}\n", q(alpn)));
            }
        }
        (Ending::Established, None) => out.push_str("result = \"established\"\n"),
        (Ending::Failed { side, alert }, _) => {
            out.push_str("result = \"failed\"\n");
            if let Some(side) = side {
                let side = match side {
                    Side::Client => "client",
                    Side::Server => "server",
                };
                out.push_str(&format!("failed-side = \"{side}\"\n"));
            }
            match alert {
                Seen::Known(Some(alert)) => {
                    out.push_str(&format!("alert = {}\n", q(&alert.name())))
                }
                Seen::Known(None) => out.push_str("alert = \"none\"\n"),
                Seen::Unknown(why) => out.push_str(&format!("# alert: not known ({why})\n")),
            }
        }
    }
    if let Some(from) = observed.ending_from {
        out.push_str(&format!("# the result is {from}\n"));
    }
    out
}

/// Whether an `expect` can name `group`: a group the harness knows, or a
/// DHE size it makes.
fn expectable_group(group: &str) -> bool {
    crate::group::lookup(group).is_some() || made_dh_size(group)
}

/// Whether `group` is a DHE size (`dh-2048`) a profile's `dh-bits` takes.
fn made_dh_size(group: &str) -> bool {
    crate::keysize::DH_SIZES
        .iter()
        .any(|b| group == format!("dh-{b}"))
}

/// Loads `text` with the scenario loader; a failure is a fault of the
/// importer, reported with the loader's words.
fn check_loads(text: &str, catalog: &Catalog) -> Result<(), String> {
    catalog
        .check_written("imported-capture.toml", text)
        .map_err(|problems| format!("the scenario made from it does not load: {problems}"))
}
