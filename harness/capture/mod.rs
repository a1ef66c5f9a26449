//! Captures a vendor can open: handshakes written as pcapng files, with
//! the keys inside, so `tshark -r FILE` or Wireshark decrypts them with no
//! options.
//!
//! A transcript ([`Transcript`], every byte each side wrote, in order) is
//! framed as a TCP conversation between two loopback addresses, server
//! port 443 so that Wireshark dissects TLS without a "decode as" ([`tcp`]).
//! The pcapng file is written with pcap-file: a Section Header, one
//! Ethernet interface, a Decryption Secrets Block holding the NSS key log
//! of every handshake in the file, then the packets. Timestamps are fixed
//! steps from a given start, so the same transcript and keys always make
//! the same bytes. [`files`] lays a whole run out as one file per
//! handshake attempt.

pub mod files;
pub mod tcp;

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::unknown::UnknownBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness};

pub use files::Layout;
pub use tcp::Conversation;

use crate::keylog::Secrets;
use crate::wire::Transcript;

/// The client's address in every capture; its port differs per handshake.
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
/// The server's address and port in captures of in-memory handshakes.
pub const SERVER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 443);
/// The first packet's time in captures of in-memory handshakes
/// (2024-01-01T00:00:00Z): fixed, so a capture does not change with the
/// clock.
pub const FIXED_START: Duration = Duration::from_secs(1_704_067_200);

/// pcapng Decryption Secrets Block (pcapng specification §4.7).
const DECRYPTION_SECRETS_BLOCK: u32 = 0x0000_000A;
/// Its secrets type for a TLS key log: "TLSK".
const TLS_KEY_LOG: u32 = 0x544C_534B;

/// A capture that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write capture {}: {source}", path.display())]
pub struct CaptureError {
    /// The file or directory.
    pub path: PathBuf,
    /// What the system said.
    pub source: std::io::Error,
}

/// The pcapng bytes of `conversations`, with `secrets` in a Decryption
/// Secrets Block before the first packet (left out when there are none).
pub fn pcapng(conversations: &[Conversation<'_>], secrets: &Secrets) -> Vec<u8> {
    // Invariant (every `expect` below): writing into a Vec cannot fail, and
    // every packet names the one interface written first.
    let mut writer = PcapNgWriter::with_endianness(Vec::new(), Endianness::Little)
        .expect("writing to a Vec cannot fail");
    // pcap-file writes timestamps in nanoseconds: say so (if_tsresol 9),
    // or readers take them for the default microseconds.
    let interface = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 0,
        options: vec![InterfaceDescriptionOption::IfTsResol(9)],
    };
    writer
        .write_pcapng_block(interface)
        .expect("writing to a Vec cannot fail");
    if !secrets.is_empty() {
        let body = secrets_body(&secrets.nss());
        // pcap-file 2 has no Decryption Secrets Block type: its unknown
        // block writes a body as given, with the block's type and lengths.
        let block = UnknownBlock::new(DECRYPTION_SECRETS_BLOCK, 0, &body);
        writer
            .write_pcapng_block(block)
            .expect("writing to a Vec cannot fail");
    }
    for conversation in conversations {
        for (timestamp, frame) in tcp::frames(conversation) {
            let packet = EnhancedPacketBlock {
                interface_id: 0,
                timestamp,
                original_len: frame.len() as u32,
                data: Cow::Borrowed(&frame),
                options: vec![],
            };
            writer
                .write_pcapng_block(packet)
                .expect("the packet's interface was written first");
        }
    }
    writer.into_inner()
}

/// A Decryption Secrets Block's body (little-endian, as the section):
/// secrets type, secrets length, the key log padded to 4 bytes.
fn secrets_body(key_log: &str) -> Vec<u8> {
    let data = key_log.as_bytes();
    let mut body = Vec::with_capacity(8 + data.len() + 3);
    body.extend_from_slice(&TLS_KEY_LOG.to_le_bytes());
    body.extend_from_slice(&(data.len() as u32).to_le_bytes());
    body.extend_from_slice(data);
    body.resize(body.len().next_multiple_of(4), 0);
    body
}

/// Writes one handshake as a pcapng file at `path` (making its directory):
/// `transcript` between 127.0.0.1:`client_port` and [`SERVER`], from
/// [`FIXED_START`], with `secrets` inside.
pub fn write_pcapng(
    path: &Path,
    transcript: &Transcript,
    secrets: &Secrets,
    client_port: u16,
) -> Result<(), CaptureError> {
    let conversation = Conversation {
        transcript,
        client: SocketAddrV4::new(CLIENT_IP, client_port),
        server: SERVER,
        start: FIXED_START,
    };
    write_file(path, &pcapng(&[conversation], secrets))
}

/// Writes one connection on a real socket as a pcapng file at `path`:
/// `transcript` between 127.0.0.1:`client_port` and [`SERVER`] (stand-ins
/// for the real addresses, so that Wireshark dissects TLS on any port),
/// its first packet at `started`, with `secrets` inside.
pub fn write_live(
    path: &Path,
    transcript: &Transcript,
    secrets: &Secrets,
    client_port: u16,
    started: std::time::SystemTime,
) -> Result<(), CaptureError> {
    let conversation = Conversation {
        transcript,
        client: SocketAddrV4::new(CLIENT_IP, client_port),
        server: SERVER,
        start: started
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default(),
    };
    write_file(path, &pcapng(&[conversation], secrets))
}

/// Appends each of `secrets` to the NSS key log at `path` (made with its
/// directory if missing).
pub fn append_key_log<'a>(
    path: &Path,
    secrets: impl IntoIterator<Item = &'a Secrets>,
) -> Result<(), CaptureError> {
    use std::io::Write as _;
    let error = |source| CaptureError {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| CaptureError {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let text: String = secrets.into_iter().map(Secrets::nss).collect();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(error)?;
    file.write_all(text.as_bytes()).map_err(error)
}

/// Writes `bytes` at `path`, making its directory first.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CaptureError> {
    let error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CaptureError { path, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(error(dir))?;
    }
    std::fs::write(path, bytes).map_err(error(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keylog::Secret;

    #[test]
    fn the_secrets_block_pads_the_key_log_to_four_bytes() {
        let body = secrets_body("ABCDE");
        assert_eq!(body.len(), 16);
        assert_eq!(&body[..4], b"KSLT");
        assert_eq!(&body[4..8], &5u32.to_le_bytes());
        assert_eq!(&body[8..13], b"ABCDE");
        assert_eq!(&body[13..], &[0, 0, 0]);
    }

    #[test]
    fn a_capture_has_its_blocks_in_order_and_is_the_same_every_time() {
        let transcript = Transcript::default();
        let secrets = Secrets::new(vec![Secret {
            label: "CLIENT_RANDOM".into(),
            client_random: [1; 32],
            secret: vec![2; 48],
        }]);
        let conversation = Conversation {
            transcript: &transcript,
            client: SocketAddrV4::new(CLIENT_IP, 50_000),
            server: SERVER,
            start: FIXED_START,
        };
        let bytes = pcapng(&[conversation], &secrets);
        assert_eq!(bytes, pcapng(&[conversation], &secrets));
        let mut reader =
            pcap_file::pcapng::PcapNgReader::new(bytes.as_slice()).expect("a section header");
        let mut types = Vec::new();
        while let Some(block) = reader.next_raw_block() {
            types.push(block.expect("a well-formed block").type_);
        }
        // Interface, secrets, then SYN, SYN-ACK, ACK, FIN, FIN, ACK.
        assert_eq!(types, [1, 0xA, 6, 6, 6, 6, 6, 6]);
    }
}
