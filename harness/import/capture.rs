//! The client's bytes out of a capture: packets read with pcap-file (pcap
//! and pcapng), sliced with etherparse (Ethernet, Linux cooked capture v1
//! and v2, BSD loopback, raw IP; IPv4 and IPv6; TCP), and the payload of
//! the first TCP stream that opens with a TLS handshake record carrying a
//! ClientHello, put back in sequence order.

use std::collections::HashMap;
use std::net::IpAddr;

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, PcapError};

/// How much of one stream is kept: more than any ClientHello needs.
const MAX_STREAM: usize = 1 << 20;

/// The client side of one TCP connection.
#[derive(Debug)]
pub(super) struct ClientStream {
    /// `TCP 10.0.0.1:50000 → 10.0.0.2:443`.
    pub label: String,
    /// Its payload in sequence order, up to the first gap.
    pub bytes: Vec<u8>,
}

/// A packet as captured: its link type and its bytes.
struct Frame {
    link: DataLink,
    data: Vec<u8>,
}

/// The frames of a capture, and the problem that stopped reading early.
struct Frames {
    frames: Vec<Frame>,
    stopped: Option<String>,
}

/// The client stream of the first TCP connection in `bytes` (pcapng if
/// `ng`, else pcap) that begins with a ClientHello record.
pub(super) fn client_stream(bytes: &[u8], ng: bool) -> Result<ClientStream, String> {
    let read = if ng {
        pcapng_frames(bytes)?
    } else {
        pcap_frames(bytes)?
    };
    let count = read.frames.len();
    let mut flows = Flows::default();
    let mut unread_links = Vec::new();
    for frame in &read.frames {
        match slice(frame) {
            Some(Ok(packet)) => flows.add(&packet),
            Some(Err(())) => {}
            None => unread_links.push(u32::from(frame.link)),
        }
    }
    if let Some(found) = flows.first_client_hello() {
        return Ok(found);
    }
    unread_links.sort();
    unread_links.dedup();
    let mut why = format!("no TCP payload with a TLS handshake record ({count} packets");
    if !unread_links.is_empty() {
        let links: Vec<String> = unread_links.iter().map(u32::to_string).collect();
        why.push_str(&format!("; link types {} not read", links.join(", ")));
    }
    why.push(')');
    if let Some(stopped) = read.stopped {
        why.push_str(&format!("; reading stopped early: {stopped}"));
    }
    Err(why)
}

fn pcap_frames(bytes: &[u8]) -> Result<Frames, String> {
    let (mut rest, parser) = PcapParser::new(bytes)
        .map_err(|e| format!("not a readable pcap file: {}", pcap_error(&e)))?;
    let link = parser.header().datalink;
    let mut frames = Vec::new();
    let mut stopped = None;
    while !rest.is_empty() {
        match parser.next_packet(rest) {
            Ok((tail, packet)) => {
                frames.push(Frame {
                    link,
                    data: packet.data.into_owned(),
                });
                rest = tail;
            }
            Err(e) => {
                let at = bytes.len() - rest.len();
                stopped = Some(format!(
                    "packet {} at byte {at}: {}",
                    frames.len() + 1,
                    pcap_error(&e)
                ));
                break;
            }
        }
    }
    Ok(Frames { frames, stopped })
}

fn pcapng_frames(bytes: &[u8]) -> Result<Frames, String> {
    let (mut rest, mut parser) = PcapNgParser::new(bytes)
        .map_err(|e| format!("not a readable pcapng file: {}", pcap_error(&e)))?;
    let mut frames = Vec::new();
    let mut stopped = None;
    while !rest.is_empty() {
        let at = bytes.len() - rest.len();
        match parser.next_block(rest) {
            Ok((tail, block)) => {
                rest = tail;
                let link = |id: u32| parser.interfaces().get(id as usize).map(|i| i.linktype);
                let (link, data) = match block {
                    Block::EnhancedPacket(p) => (link(p.interface_id), p.data),
                    Block::SimplePacket(p) => (link(0), p.data),
                    Block::Packet(p) => (link(u32::from(p.interface_id)), p.data),
                    _ => continue,
                };
                let Some(link) = link else {
                    stopped = Some(format!(
                        "block at byte {at}: a packet of an interface the file does not describe"
                    ));
                    break;
                };
                frames.push(Frame {
                    link,
                    data: data.into_owned(),
                });
            }
            Err(e) => {
                stopped = Some(format!("block at byte {at}: {}", pcap_error(&e)));
                break;
            }
        }
    }
    Ok(Frames { frames, stopped })
}

fn pcap_error(e: &PcapError) -> String {
    match e {
        PcapError::IncompleteBuffer => "the file ends inside it (truncated)".into(),
        other => other.to_string(),
    }
}

/// The packet's layers, `None` for a link type not read, `Err` for bytes
/// that do not slice.
fn slice(frame: &Frame) -> Option<Result<SlicedPacket<'_>, ()>> {
    let data = frame.data.as_slice();
    let sliced = match frame.link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        // SLL2: the protocol type in the first two of 20 header bytes.
        DataLink::LINUX_SLL2 => match data {
            [hi, lo, ..] if data.len() >= 20 => SlicedPacket::from_ether_type(
                EtherType(u16::from_be_bytes([*hi, *lo])),
                &data[20..],
            ),
            _ => return Some(Err(())),
        },
        // BSD loopback: a 4-byte address family, then the IP packet.
        DataLink::NULL | DataLink::LOOP => match data.get(4..) {
            Some(ip) => SlicedPacket::from_ip(ip),
            None => return Some(Err(())),
        },
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
        _ => return None,
    };
    Some(sliced.map_err(|_| ()))
}

/// One direction of a TCP connection.
type FlowKey = (IpAddr, u16, IpAddr, u16);

/// Segments by direction, in the order each direction first carried data.
#[derive(Default)]
struct Flows {
    order: Vec<FlowKey>,
    flows: HashMap<FlowKey, Flow>,
}

#[derive(Default)]
struct Flow {
    /// The sequence number of the first payload byte, when the SYN was seen.
    first: Option<u32>,
    /// (sequence number, payload) in capture order.
    segments: Vec<(u32, Vec<u8>)>,
}

impl Flows {
    fn add(&mut self, packet: &SlicedPacket<'_>) {
        let (src, dst) = match &packet.net {
            Some(NetSlice::Ipv4(ip)) if !ip.is_payload_fragmented() => (
                IpAddr::V4(ip.header().source_addr()),
                IpAddr::V4(ip.header().destination_addr()),
            ),
            Some(NetSlice::Ipv6(ip)) if !ip.is_payload_fragmented() => (
                IpAddr::V6(ip.header().source_addr()),
                IpAddr::V6(ip.header().destination_addr()),
            ),
            _ => return,
        };
        let Some(TransportSlice::Tcp(tcp)) = &packet.transport else {
            return;
        };
        let key = (src, tcp.source_port(), dst, tcp.destination_port());
        let flow = self.flows.entry(key).or_default();
        if tcp.syn() {
            flow.first = Some(tcp.sequence_number().wrapping_add(1));
        }
        if !tcp.payload().is_empty() {
            if flow.segments.is_empty() {
                self.order.push(key);
            }
            flow.segments
                .push((tcp.sequence_number(), tcp.payload().to_vec()));
        }
    }

    /// The first direction whose stream opens with a handshake record
    /// that holds a ClientHello (or is too short to tell).
    fn first_client_hello(&self) -> Option<ClientStream> {
        self.order.iter().find_map(|key| {
            let bytes = self.flows[key].reassembled();
            let opens_hello = match bytes.as_slice() {
                [0x16, 0x03, _, _, _, kind, ..] => *kind == 1,
                [0x16, 0x03, ..] => true,
                _ => false,
            };
            let (src, sport, dst, dport) = key;
            let label = format!("TCP {} → {}", socket(*src, *sport), socket(*dst, *dport));
            opens_hello.then_some(ClientStream { label, bytes })
        })
    }
}

fn socket(ip: IpAddr, port: u16) -> String {
    std::net::SocketAddr::new(ip, port).to_string()
}

impl Flow {
    /// The payload from the first byte on (the one after the SYN, else the
    /// first segment's), segments in sequence order, retransmitted bytes
    /// once, up to the first gap.
    fn reassembled(&self) -> Vec<u8> {
        let Some(base) = self.first.or_else(|| self.segments.first().map(|s| s.0)) else {
            return Vec::new();
        };
        let mut by_offset: Vec<(usize, &[u8])> = self
            .segments
            .iter()
            .filter_map(|(seq, data)| {
                let offset = seq.wrapping_sub(base);
                // Offsets past 2^31 are bytes before the base.
                (offset < 1 << 31).then_some((offset as usize, data.as_slice()))
            })
            .collect();
        by_offset.sort_by_key(|(offset, _)| *offset);
        let mut out: Vec<u8> = Vec::new();
        for (offset, data) in by_offset {
            if offset > out.len() || out.len() >= MAX_STREAM {
                break;
            }
            let new = &data[(out.len() - offset).min(data.len())..];
            out.extend_from_slice(new);
        }
        out
    }
}
