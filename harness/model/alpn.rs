//! ALPN ([RFC 7301](https://www.rfc-editor.org/rfc/rfc7301)): the server
//! takes the first of its own protocols that the client offers; with none
//! in common it refuses with no_application_protocol (§3.2) or goes on
//! without ALPN, as its profile says.

use crate::outcome::{ErrorKind, Outcome, Side};
use crate::scenario::AlpnMismatch;
use crate::version::ProtocolVersion;

use super::{failed, quirks, Negotiation};

/// The protocol both sides settle on, none, or the server's refusal.
pub(super) fn choose(
    n: &mut Negotiation<'_>,
    version: ProtocolVersion,
) -> Result<Option<String>, Box<Outcome>> {
    let (offered, ours) = (n.client.alpn(), n.server.alpn());
    if offered.is_empty() || ours.is_empty() {
        return Ok(None);
    }
    if let Some(p) = ours.iter().find(|p| offered.contains(p)) {
        n.say(format!(
            "The client offers the ALPN protocols {}; the server takes {p}, the first of its own ({}) that the client offers.",
            offered.join(", "),
            ours.join(", ")
        ));
        return Ok(Some(p.clone()));
    }
    if n.server.alpn_mismatch() == AlpnMismatch::Ignore {
        n.say(format!(
            "The client offers the ALPN protocols {}, none of the server's ({}); the server goes on without ALPN.",
            offered.join(", "),
            ours.join(", ")
        ));
        return Ok(None);
    }
    let after_hello = quirks::alpn_refusal_after_server_hello(n.stacks.server, version);
    n.say(format!(
        "The client offers the ALPN protocols {}, none of the server's ({}): the server refuses with no_application_protocol{}.",
        offered.join(", "),
        ours.join(", "),
        if after_hello { ", after its ServerHello" } else { "" }
    ));
    let refusal = failed(
        Side::Server,
        Some(quirks::NO_APPLICATION_PROTOCOL),
        ErrorKind::NoApplicationProtocol,
        None,
    );
    Err(if after_hello {
        super::encrypted(n.stacks, version, refusal)
    } else {
        refusal
    })
}
