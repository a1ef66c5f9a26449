//! The TLS implementations the harness drives, and the pairings of a client
//! backend with a server backend: names only. What each backend can
//! implement lives with the backends ([`crate::endpoint`]).

use std::fmt;

use serde::Serialize;

/// A TLS implementation the harness drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Backend {
    /// rustls 0.23 with its aws-lc-rs provider.
    #[serde(rename = "rustls")]
    Rustls,
    /// The OpenSSL the `openssl` crate links (see the README for the
    /// reference build).
    #[serde(rename = "openssl")]
    OpenSsl,
    /// Java's JSSE (`SSLEngine`), in a JVM per runtime shared between
    /// harness processes (see [`crate::endpoint::jsse`]).
    #[serde(rename = "jsse")]
    Jsse,
}

impl Backend {
    /// The backends that run inside the harness's process, in report order.
    pub const ALL: [Backend; 2] = [Backend::Rustls, Backend::OpenSsl];

    /// Every backend, those of [`Backend::ALL`] first, then JSSE, which
    /// runs in a JVM of its own ([`Pairing::JSSE`]).
    pub const EVERY: [Backend; 3] = [Backend::Rustls, Backend::OpenSsl, Backend::Jsse];

    /// `rustls`, `openssl` or `jsse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Rustls => "rustls",
            Backend::OpenSsl => "openssl",
            Backend::Jsse => "jsse",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client backend and a server backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Pairing {
    /// Runs the client.
    pub client: Backend,
    /// Runs the server.
    pub server: Backend,
}

impl Pairing {
    /// The four pairings of the backends that run inside the harness's
    /// process (rustls and OpenSSL), in report order.
    pub const IN_PROCESS: [Pairing; 4] = [
        Pairing {
            client: Backend::Rustls,
            server: Backend::Rustls,
        },
        Pairing {
            client: Backend::Rustls,
            server: Backend::OpenSsl,
        },
        Pairing {
            client: Backend::OpenSsl,
            server: Backend::Rustls,
        },
        Pairing {
            client: Backend::OpenSsl,
            server: Backend::OpenSsl,
        },
    ];

    /// The five pairings with JSSE on one side or both, in report order.
    pub const JSSE: [Pairing; 5] = [
        Pairing {
            client: Backend::Jsse,
            server: Backend::Jsse,
        },
        Pairing {
            client: Backend::Jsse,
            server: Backend::Rustls,
        },
        Pairing {
            client: Backend::Rustls,
            server: Backend::Jsse,
        },
        Pairing {
            client: Backend::Jsse,
            server: Backend::OpenSsl,
        },
        Pairing {
            client: Backend::OpenSsl,
            server: Backend::Jsse,
        },
    ];

    /// Every pairing, [`Pairing::IN_PROCESS`] then [`Pairing::JSSE`]: what a
    /// scenario runs on unless it pins some.
    pub const ALL: [Pairing; 9] = {
        let mut all = [Pairing::JSSE[0]; 9];
        let mut i = 0;
        while i < 9 {
            all[i] = if i < 4 {
                Pairing::IN_PROCESS[i]
            } else {
                Pairing::JSSE[i - 4]
            };
            i += 1;
        }
        all
    };

    /// `rustls-openssl`: rustls client, OpenSSL server.
    pub fn id(self) -> String {
        format!("{}-{}", self.client, self.server)
    }

    /// Parses [`Pairing::id`].
    pub fn parse(text: &str) -> Option<Pairing> {
        Pairing::ALL.into_iter().find(|p| p.id() == text)
    }
}

impl fmt::Display for Pairing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}", self.client, self.server)
    }
}
