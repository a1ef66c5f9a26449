//! Protocol versions, as scenario files name them (`"1.0"` .. `"1.3"`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A TLS protocol version the harness can name.
///
/// SSL 3.0 and earlier are out of scope: no product in the catalog speaks them
/// and neither backend can be made to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProtocolVersion {
    /// TLS 1.0, [RFC 2246](https://www.rfc-editor.org/rfc/rfc2246).
    #[serde(rename = "1.0")]
    Tls10,
    /// TLS 1.1, [RFC 4346](https://www.rfc-editor.org/rfc/rfc4346).
    #[serde(rename = "1.1")]
    Tls11,
    /// TLS 1.2, [RFC 5246](https://www.rfc-editor.org/rfc/rfc5246).
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3, [RFC 8446](https://www.rfc-editor.org/rfc/rfc8446).
    #[serde(rename = "1.3")]
    Tls13,
}

impl ProtocolVersion {
    /// Every version, oldest first.
    pub const ALL: [ProtocolVersion; 4] = [Self::Tls10, Self::Tls11, Self::Tls12, Self::Tls13];

    /// JSSE's name for the version: `TLSv1.2`.
    pub fn jsse_name(self) -> &'static str {
        match self {
            Self::Tls10 => "TLSv1",
            Self::Tls11 => "TLSv1.1",
            Self::Tls12 => "TLSv1.2",
            Self::Tls13 => "TLSv1.3",
        }
    }

    /// The version as scenario files write it: `"1.2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tls10 => "1.0",
            Self::Tls11 => "1.1",
            Self::Tls12 => "1.2",
            Self::Tls13 => "1.3",
        }
    }

    /// Parses the scenario-file spelling (`"1.2"`); also accepts `TLSv1.2`
    /// and `TLS 1.2`, the spellings OpenSSL and people use.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t
            .strip_prefix("TLSv")
            .or_else(|| t.strip_prefix("TLS "))
            .or_else(|| t.strip_prefix("TLS"))
            .unwrap_or(t);
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == t || (t == "1" && *v == Self::Tls10))
    }

    /// The two-byte wire value (`0x0303` for TLS 1.2).
    pub fn wire(self) -> u16 {
        match self {
            Self::Tls10 => 0x0301,
            Self::Tls11 => 0x0302,
            Self::Tls12 => 0x0303,
            Self::Tls13 => 0x0304,
        }
    }

    /// The version with this wire value, if the harness knows it.
    pub fn from_wire(value: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.wire() == value)
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS {}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_common_spelling() {
        assert_eq!(ProtocolVersion::parse("1.2"), Some(ProtocolVersion::Tls12));
        assert_eq!(
            ProtocolVersion::parse("TLSv1.3"),
            Some(ProtocolVersion::Tls13)
        );
        assert_eq!(
            ProtocolVersion::parse("TLS 1.0"),
            Some(ProtocolVersion::Tls10)
        );
        assert_eq!(
            ProtocolVersion::parse("TLSv1"),
            Some(ProtocolVersion::Tls10)
        );
        assert_eq!(ProtocolVersion::parse("1.4"), None);
    }

    #[test]
    fn wire_values_round_trip() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::from_wire(v.wire()), Some(v));
        }
        assert_eq!(ProtocolVersion::Tls12.wire(), 0x0303);
    }
}
