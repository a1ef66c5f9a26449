//! The key exchange: the groups each side lists, the key shares of the
//! client's first hello, the server's choice of group (with a
//! HelloRetryRequest when the client sent no share for it, RFC 8446
//! §4.1.4), the ECDHE curve and DHE group at TLS 1.2 (RFC 8422 §5.1,
//! RFC 7919 §4), and the refusals when nothing is shared.

use crate::group::{self, Group, GroupKind};
use crate::outcome::{Alert, ErrorKind, Outcome, Side};
use crate::scenario::Profile;
use crate::suite::{KeyExchange, Suite};
use crate::version::ProtocolVersion;

use super::hello::ClientHello;
use super::quirks::{self, HelloRetryGroup};
use super::{failed, Negotiation, Rules};

/// What a standard stack lists when its profile names no groups.
const REFERENCE_DEFAULT: [&str; 3] = ["x25519", "secp256r1", "secp384r1"];

/// The key exchange that was settled: the group as the outcome names it
/// (`x25519`, `dh-2048`; none for static RSA) and whether a
/// HelloRetryRequest came first.
pub(super) struct KeyExchangeChoice {
    pub name: Option<String>,
    pub hello_retry: bool,
}

/// The groups an endpoint lists under `rules`, in its order.
pub(super) fn listed(rules: Rules, profile: &Profile) -> Vec<&'static Group> {
    let own = profile.handshake.groups.as_deref();
    match rules.backend() {
        Some(b) => group::effective(b, own),
        None => own.map_or_else(|| group::named(&REFERENCE_DEFAULT), <[_]>::to_vec),
    }
}

/// The groups a client sends a key share for in its first hello.
pub(super) fn first_shares(rules: Rules, profile: &Profile) -> Vec<&'static Group> {
    if let Some(shares) = &profile.handshake.key_shares {
        return shares.clone();
    }
    let groups = listed(rules, profile);
    match rules.backend() {
        Some(b) => group::first_shares(b, &groups),
        None => groups.into_iter().take(1).collect(),
    }
}

fn names(groups: &[&Group]) -> String {
    if groups.is_empty() {
        return "none".into();
    }
    groups.iter().map(|g| g.name).collect::<Vec<_>>().join(", ")
}

/// The groups both sides list that can serve `version` (KEMs only at
/// TLS 1.3), in the client's order.
fn shared(
    n: &Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
) -> Vec<&'static Group> {
    let server = listed(n.stacks.server, n.server);
    hello
        .groups
        .iter()
        .copied()
        .filter(|g| server.contains(g))
        .filter(|g| version == ProtocolVersion::Tls13 || g.kind != GroupKind::Kem)
        .collect()
}

/// A server that needs a shared group before it looks at the suites
/// ([`quirks::server_needs_a_shared_group`]) refuses here when there is
/// none.
pub(super) fn refuse_early(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
) -> Result<(), Box<Outcome>> {
    if !quirks::server_needs_a_shared_group(n.stacks.server)
        || !shared(n, hello, version).is_empty()
    {
        return Ok(());
    }
    n.say(if hello.sends_groups {
        format!(
            "The client lists the groups {}; the server shares none of them that {version} can use: rustls finds no key-exchange group in common and aborts with handshake_failure.",
            names(&hello.groups)
        )
    } else {
        "The client's hello lists no ECDHE, ECDSA or TLS 1.3 suite, so it carries no supported_groups; rustls finds no key-exchange group in common and aborts with handshake_failure.".to_string()
    });
    Err(failed(
        Side::Server,
        Some(Alert::HANDSHAKE_FAILURE),
        ErrorKind::NoSharedGroup,
        None,
    ))
}

/// The TLS 1.2 curve for ECDHE: the first shared curve in the order the
/// server follows ([`quirks::tls12_curve_order_is_servers`]); `None`
/// when there is none, and then no ECDHE suite can be chosen.
pub(super) fn tls12_curve(n: &Negotiation<'_>, hello: &ClientHello) -> Option<&'static Group> {
    let shared: Vec<&Group> = shared(n, hello, ProtocolVersion::Tls12)
        .into_iter()
        .filter(|g| g.kind == GroupKind::Ec)
        .collect();
    if quirks::tls12_curve_order_is_servers(n.stacks.server, n.server.server_preference) {
        listed(n.stacks.server, n.server)
            .into_iter()
            .find(|g| shared.contains(g))
    } else {
        shared.first().copied()
    }
}

/// The key exchange of `suite` at `version`, or the refusal when no group
/// is shared at TLS 1.3.
pub(super) fn choose(
    n: &mut Negotiation<'_>,
    hello: &ClientHello,
    version: ProtocolVersion,
    suite: &Suite,
) -> Result<KeyExchangeChoice, Box<Outcome>> {
    let plain = |name: Option<String>| KeyExchangeChoice {
        name,
        hello_retry: false,
    };
    if version == ProtocolVersion::Tls13 {
        return tls13(n, hello);
    }
    Ok(match suite.key_exchange {
        KeyExchange::Ecdhe => plain(tls12_curve(n, hello).map(|g| g.name.to_string())),
        KeyExchange::Dhe => plain(Some(format!("dh-{}", dhe_bits(n, hello)))),
        _ => plain(None),
    })
}

/// The size of the finite-field group a TLS 1.2 DHE server uses
/// ([`quirks::dhe_group_from_client_list`]): its `dh-bits` otherwise.
fn dhe_bits(n: &Negotiation<'_>, hello: &ClientHello) -> u32 {
    if !quirks::dhe_group_from_client_list(n.stacks.server) {
        return n.server.dh_bits();
    }
    let server = listed(n.stacks.server, n.server);
    hello
        .groups
        .iter()
        .find(|g| g.kind == GroupKind::Ffdhe && server.contains(g))
        .and_then(|g| g.name.strip_prefix("ffdhe"))
        .and_then(|bits| bits.parse().ok())
        .unwrap_or(2048)
}

/// A client refuses a DHE group smaller than its policy allows
/// ([`quirks::peer_policy`]) when the ServerKeyExchange brings it, after
/// it has the server's certificate.
pub(super) fn client_accepts(
    n: &mut Negotiation<'_>,
    exchange: &KeyExchangeChoice,
    presented: &crate::outcome::Presented,
) -> Result<(), Box<Outcome>> {
    let bits = exchange.name.as_deref().and_then(|g| g.strip_prefix("dh-"));
    let Some(bits) = bits.and_then(|b| b.parse::<u32>().ok()) else {
        return Ok(());
    };
    let minimum = quirks::peer_policy(n.stacks.client, n.client).keys.dh;
    if bits >= minimum {
        return Ok(());
    }
    let alert = quirks::small_dh_alert(n.stacks.client);
    n.say(format!(
        "The server's DHE group has {bits} bits and the client accepts {minimum} at least: it aborts with {}.",
        alert.name()
    ));
    Err(failed(
        Side::Client,
        Some(alert),
        ErrorKind::InsufficientSecurity,
        Some(presented.clone()),
    ))
}

/// TLS 1.3: a group whose key share came, or a HelloRetryRequest for one
/// the client lists, or the refusal.
fn tls13(n: &mut Negotiation<'_>, hello: &ClientHello) -> Result<KeyExchangeChoice, Box<Outcome>> {
    let shared = shared(n, hello, ProtocolVersion::Tls13);
    let server = listed(n.stacks.server, n.server);
    if shared.is_empty() {
        let (kind, alert) = quirks::no_shared_group_refusal(n.stacks.server);
        n.say(format!(
            "The client lists the groups {}, the server {}: none is shared, so the server aborts with {}.",
            names(&hello.groups),
            names(&server),
            alert.name()
        ));
        return Err(failed(Side::Server, Some(alert), kind, None));
    }
    let by_share = quirks::tls13_group_by_key_share(n.stacks.server)
        .then(|| hello.shares.iter().copied().find(|g| server.contains(g)))
        .flatten();
    if let Some(g) = by_share {
        n.say(format!(
            "The client sent key shares for {}; the server takes {}, the first it supports.",
            names(&hello.shares),
            g.name
        ));
        return Ok(KeyExchangeChoice {
            name: Some(g.name.to_string()),
            hello_retry: false,
        });
    }
    let wanted = match quirks::tls13_group_order(n.stacks.server) {
        HelloRetryGroup::ClientsFirst => shared[0],
        HelloRetryGroup::ServersFirst => *server
            .iter()
            .find(|g| shared.contains(g))
            .unwrap_or(&shared[0]),
    };
    let hello_retry = !hello.shares.contains(&wanted);
    n.say(if hello_retry {
        format!(
            "The server chooses {} and the client sent no key share for it (only {}): the server asks for one with a HelloRetryRequest, and the client's second hello carries it.",
            wanted.name,
            names(&hello.shares)
        )
    } else {
        format!("The server chooses {}, for which the client sent a key share.", wanted.name)
    });
    Ok(KeyExchangeChoice {
        name: Some(wanted.name.to_string()),
        hello_retry,
    })
}
