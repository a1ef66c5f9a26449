//! The client's hello: whether both endpoints can start at all, and which
//! versions and suites the client offers.

use crate::outcome::{ErrorKind, Failed, Outcome, Side, SideError};
use crate::scenario::ClientAuth;
use crate::version::ProtocolVersion;

use super::{failed, group, quirks, suite, suites_text, versions_text, Negotiation, Rules};

/// What the client's hello carries.
pub(super) struct ClientHello {
    /// The versions it offers, lowest first (OpenSSL drops those above a
    /// hole).
    pub versions: Vec<ProtocolVersion>,
    /// The suites it lists, in its order.
    pub offered: Vec<u16>,
    /// Its best version.
    pub max: ProtocolVersion,
    /// Whether it carries supported_groups.
    pub sends_groups: bool,
    /// The groups it lists (none without supported_groups).
    pub groups: Vec<&'static crate::group::Group>,
    /// The groups it sends a key share for.
    pub shares: Vec<&'static crate::group::Group>,
}

/// The client's hello, said in words; or the end, when an endpoint cannot
/// build its configuration.
pub(super) fn client_hello(n: &mut Negotiation<'_>) -> Result<ClientHello, Box<Outcome>> {
    let c_rules = n.stacks.client;
    if super::jdk::nothing_left(n.client, c_rules)
        || super::jdk::nothing_left(n.server, n.stacks.server)
    {
        // Before anything else: such an engine does not start at all.
        unstartable(n)?;
    }
    let versions = quirks::client_versions(c_rules, &n.client.versions);
    let offered = suite::offered_suites(c_rules, n.client, &versions);
    let Some(&max) = versions.last() else {
        return Err(failed(Side::Client, None, ErrorKind::Configuration, None));
    };
    let offered = super::signature::signable_suites(n, offered)?;
    unstartable(n)?;
    if versions != n.client.versions {
        n.say(format!(
            "The client enables {}, with a hole; OpenSSL keeps only the lowest contiguous run, {}.",
            versions_text(&n.client.versions),
            versions_text(&versions)
        ));
    }
    n.say(format!(
        "The client, {} ({}), offers {} and the suites {}.",
        n.client.name,
        c_rules.name(),
        versions_text(&versions),
        suites_text(&offered)
    ));
    let sends_groups = quirks::client_sends_supported_groups(c_rules, &offered);
    let groups = if sends_groups {
        group::listed(c_rules, n.client)
    } else {
        Vec::new()
    };
    let shares = if max == ProtocolVersion::Tls13 {
        group::first_shares(c_rules, n.client)
    } else {
        Vec::new()
    };
    Ok(ClientHello {
        versions,
        offered,
        max,
        sends_groups,
        groups,
        shares,
    })
}

/// Each side builds its configuration before a byte is sent: an endpoint
/// that must verify its peer and has no trust anchor may refuse to.
fn unstartable(n: &mut Negotiation<'_>) -> Result<(), Box<Outcome>> {
    let (client, server) = (n.client, n.server);
    let client_disabled = super::jdk::nothing_left(client, n.stacks.client);
    let server_disabled = super::jdk::nothing_left(server, n.stacks.server);
    let client_unstartable = client_disabled
        || (quirks::refuses_empty_trust(n.stacks.client) && client.trust.is_empty());
    let server_unstartable = server_disabled
        || (quirks::refuses_empty_trust(n.stacks.server)
            && server.client_auth != ClientAuth::None
            && server.trust.is_empty());
    if !(client_unstartable || server_unstartable) {
        return Ok(());
    }
    let jsse = (client_unstartable && n.stacks.client == Rules::Jsse)
        || (server_unstartable && n.stacks.server == Rules::Jsse);
    n.say(if client_disabled || server_disabled {
        "JSSE enables no version with a suite it can use for it (No appropriate protocol): the endpoint cannot start."
    } else if jsse {
        "JSSE's PKIX trust manager refuses an empty set of trust anchors: the endpoint cannot start."
    } else {
        "rustls will not build a certificate verifier without a trust anchor: the endpoint cannot start."
    });
    let error = |unstartable: bool| {
        Some(SideError {
            kind: if unstartable {
                ErrorKind::Configuration
            } else {
                ErrorKind::PeerClosed
            },
            raw: None,
        })
    };
    Err(Box::new(Outcome::Failed(Failed {
        failed_side: Some(if server_unstartable {
            Side::Server
        } else {
            Side::Client
        }),
        alert: None,
        client_error: error(client_unstartable),
        server_error: error(server_unstartable),
        server_certificate: None,
    })))
}
