//! The forms a captured hello comes in, told apart by their first bytes, and
//! the hex text that `openssl s_client -msg` (or `-debug`) prints.

use std::fmt;

/// How the input is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// A libpcap capture (tcpdump, `dumpcap -P`).
    Pcap,
    /// A pcapng capture (Wireshark, dumpcap).
    Pcapng,
    /// Hex text: a TLS record or a bare handshake message, with optional
    /// whitespace, `0x` prefixes, `0000 - ` offsets, or the whole
    /// `s_client -msg` output (its first `>>> ... ClientHello` block is read).
    Hex,
    /// The bytes themselves: TLS records or a bare handshake message.
    Raw,
}

impl InputFormat {
    /// Every format, in the order `--input-format` lists them.
    pub const ALL: [InputFormat; 4] = [Self::Pcap, Self::Pcapng, Self::Hex, Self::Raw];

    /// The name `--input-format` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pcap => "pcap",
            Self::Pcapng => "pcapng",
            Self::Hex => "hex",
            Self::Raw => "raw",
        }
    }

    /// The format named `name`.
    pub fn parse(name: &str) -> Option<InputFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The format of `bytes`: a capture by its magic number, hex when it is
    /// all printable text, else raw.
    pub fn detect(bytes: &[u8]) -> InputFormat {
        const PCAP_MAGICS: [[u8; 4]; 4] = [
            [0xA1, 0xB2, 0xC3, 0xD4],
            [0xD4, 0xC3, 0xB2, 0xA1],
            [0xA1, 0xB2, 0x3C, 0x4D],
            [0x4D, 0x3C, 0xB2, 0xA1],
        ];
        match bytes {
            [0x0A, 0x0D, 0x0D, 0x0A, ..] => Self::Pcapng,
            [a, b, c, d, ..] if PCAP_MAGICS.contains(&[*a, *b, *c, *d]) => Self::Pcap,
            _ if !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) =>
            {
                Self::Hex
            }
            _ => Self::Raw,
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where (a line, from 1) and what is wrong.
pub(super) type Problem = (usize, String);

/// The bytes hex text spells. With `>>>`/`<<<` headers (`s_client -msg`),
/// only the first block headed `>>> ... ClientHello` is read.
pub(super) fn hex_bytes(text: &str) -> Result<Vec<u8>, Problem> {
    let lines: Vec<&str> = text.lines().collect();
    let headed = lines.iter().any(|l| is_header(l));
    let mut bytes = Vec::new();
    let mut inside = !headed;
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        if is_header(line) {
            if inside && !bytes.is_empty() {
                break;
            }
            inside = line.trim_start().starts_with(">>>") && line.contains("ClientHello");
            continue;
        }
        if inside {
            hex_line(line, &mut bytes).map_err(|why| (line_no, why))?;
        }
    }
    if headed && bytes.is_empty() {
        return Err((
            1,
            "no `>>> ... ClientHello` block with hex bytes in the s_client -msg text".into(),
        ));
    }
    Ok(bytes)
}

fn is_header(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with(">>>") || l.starts_with("<<<")
}

/// Appends the bytes of one line. A line with a `0000 - ` offset in front
/// (OpenSSL's BIO_dump, `s_client -debug`) holds at most 16 bytes and an
/// ASCII column after them.
fn hex_line(line: &str, out: &mut Vec<u8>) -> Result<(), String> {
    if line.trim_start().starts_with('#') {
        return Ok(());
    }
    if let Some(rest) = strip_offset(line) {
        let tokens = rest.split([' ', '-']).filter(|t| !t.is_empty());
        for token in tokens
            .take_while(|t| t.len() == 2 && hex::decode(t).is_ok())
            .take(16)
        {
            out.extend(hex::decode(token).map_err(|e| e.to_string())?);
        }
        return Ok(());
    }
    for (column, token) in tokens(line) {
        let digits = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .unwrap_or(token);
        match hex::decode(digits) {
            Ok(bytes) => out.extend(bytes),
            Err(_) => return Err(format!("column {column}: `{token}` is not hex bytes")),
        }
    }
    Ok(())
}

/// The line after a `0000 - ` offset, if it has one.
fn strip_offset(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let (offset, rest) = t.split_once(" - ")?;
    (offset.len() >= 4 && offset.chars().all(|c| c.is_ascii_hexdigit())).then_some(rest)
}

/// The tokens of a line (split at whitespace, `,` and `:`) with the column
/// (from 1) each starts at.
fn tokens(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        let separator = c.is_whitespace() || c == ',' || c == ':';
        match (separator, start) {
            (true, Some(s)) => {
                out.push((s + 1, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_bytes() {
        assert_eq!(
            InputFormat::detect(&[0x0A, 0x0D, 0x0D, 0x0A, 0]),
            InputFormat::Pcapng
        );
        assert_eq!(
            InputFormat::detect(&[0xD4, 0xC3, 0xB2, 0xA1]),
            InputFormat::Pcap
        );
        assert_eq!(InputFormat::detect(b"16 03 01\n"), InputFormat::Hex);
        assert_eq!(InputFormat::detect(&[0x16, 3, 1]), InputFormat::Raw);
    }

    #[test]
    fn s_client_msg_output_gives_its_client_hello_block() {
        let text = "CONNECTED(00000003)\n>>> TLS 1.0, RecordHeader [length 0005]\n    16 03 01 00 06\n>>> TLS 1.3, Handshake [length 0006], ClientHello\n    01 00 00 02\n    aa bb\n<<< TLS 1.2, RecordHeader [length 0005]\n    16 03 03 00 02\n";
        assert_eq!(hex_bytes(text).unwrap(), [1, 0, 0, 2, 0xAA, 0xBB]);
    }

    #[test]
    fn offsets_and_the_ascii_column_are_skipped() {
        let text = "0000 - 16 03 01 00 02 01 00 00-02 aa bb                  ..........\n";
        assert_eq!(
            hex_bytes(text).unwrap(),
            [0x16, 3, 1, 0, 2, 1, 0, 0, 2, 0xAA, 0xBB]
        );
        assert_eq!(
            hex_bytes("0x16, 0x03 160301").unwrap(),
            [0x16, 3, 0x16, 3, 1]
        );
    }

    #[test]
    fn a_bad_token_is_named_with_its_line_and_column() {
        let err = hex_bytes("16 03\n01 zz 00\n").unwrap_err();
        assert_eq!(err, (2, "column 4: `zz` is not hex bytes".into()));
    }
}
