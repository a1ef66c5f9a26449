//! TCP connections out of a capture: packets read with pcap-file (pcap
//! and pcapng), sliced with etherparse (Ethernet, Linux cooked capture v1
//! and v2, BSD loopback, raw IP; IPv4 and IPv6; TCP), each direction's
//! payload put back in sequence order, for every connection whose client
//! opens with a TLS handshake record carrying a ClientHello; and the key
//! log of a pcapng Decryption Secrets Block.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, PcapError};

use crate::outcome::Side;

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

/// One TCP connection whose client opened with a ClientHello.
#[derive(Debug)]
pub struct Connection {
    /// `TCP 10.0.0.1:50000 → 10.0.0.2:443`.
    pub label: String,
    /// The client's address.
    pub client: SocketAddr,
    /// The server's address.
    pub server: SocketAddr,
    /// What each side sent, in the order the packets carried it; each
    /// side's bytes in sequence order, up to its first gap.
    pub chunks: Vec<(Side, Vec<u8>)>,
    /// When the client's first payload was captured (since the Unix
    /// epoch); `None` where the capture keeps no time.
    pub started: Option<Duration>,
    /// Both sides closed (FIN), or one reset it (RST): the capture holds
    /// the connection to its end.
    pub ended: bool,
}

/// Every connection of a capture, and its key log.
#[derive(Debug, Default)]
pub struct Connections {
    /// In the order their clients first sent data.
    pub connections: Vec<Connection>,
    /// The key log text of the pcapng Decryption Secrets Blocks, joined.
    pub key_log: String,
}

/// A packet as captured: its link type, its bytes and its time.
struct Frame {
    link: DataLink,
    data: Vec<u8>,
    time: Option<Duration>,
}

/// The frames of a capture, the key log it holds, and the problem that
/// stopped reading early.
#[derive(Default)]
struct Frames {
    frames: Vec<Frame>,
    key_log: String,
    stopped: Option<String>,
}

/// The client stream of the first TCP connection in `bytes` (pcapng if
/// `ng`, else pcap) that begins with a ClientHello record.
pub(super) fn client_stream(bytes: &[u8], ng: bool) -> Result<ClientStream, String> {
    let (flows, _) = read_flows(bytes, ng)?;
    let key = flows.hello_flows().next().expect("read_flows found one");
    Ok(ClientStream {
        label: label(key),
        bytes: flows.flows[key].reassembled(),
    })
}

/// Every TCP connection in `bytes` (pcapng if `ng`, else pcap) whose
/// client began with a ClientHello record, and the capture's key log.
pub fn connections(bytes: &[u8], ng: bool) -> Result<Connections, String> {
    let (flows, key_log) = read_flows(bytes, ng)?;
    let connections = flows
        .hello_flows()
        .map(|key| flows.connection(key))
        .collect();
    Ok(Connections {
        connections,
        key_log,
    })
}

/// The flows of a capture that holds at least one ClientHello, and its
/// key log; else why not.
fn read_flows(bytes: &[u8], ng: bool) -> Result<(Flows, String), String> {
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
            Some(Ok(packet)) => flows.add(&packet, frame.time),
            Some(Err(())) => {}
            None => unread_links.push(u32::from(frame.link)),
        }
    }
    if flows.hello_flows().next().is_some() {
        return Ok((flows, read.key_log));
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
                    time: Some(packet.timestamp),
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
    Ok(Frames {
        frames,
        stopped,
        ..Frames::default()
    })
}

fn pcapng_frames(bytes: &[u8]) -> Result<Frames, String> {
    let (mut rest, mut parser) = PcapNgParser::new(bytes)
        .map_err(|e| format!("not a readable pcapng file: {}", pcap_error(&e)))?;
    let mut read = Frames::default();
    while !rest.is_empty() {
        let at = bytes.len() - rest.len();
        let (tail, block) = match parser.next_block(rest) {
            Ok(next) => next,
            Err(e) => {
                read.stopped = Some(format!("block at byte {at}: {}", pcap_error(&e)));
                break;
            }
        };
        rest = tail;
        let interface = |id: u32| parser.interfaces().get(id as usize);
        let (id, data, raw_time) = match block {
            Block::EnhancedPacket(p) => (p.interface_id, p.data, Some(p.timestamp)),
            Block::SimplePacket(p) => (0, p.data, None),
            Block::Packet(p) => (
                u32::from(p.interface_id),
                p.data,
                Some(Duration::from_nanos(p.timestamp)),
            ),
            Block::Unknown(b) if b.type_ == DECRYPTION_SECRETS_BLOCK => {
                read.key_log.push_str(&secrets_text(&b.value));
                continue;
            }
            _ => continue,
        };
        let Some(interface) = interface(id) else {
            read.stopped = Some(format!(
                "block at byte {at}: a packet of an interface the file does not describe"
            ));
            break;
        };
        read.frames.push(Frame {
            link: interface.linktype,
            data: data.into_owned(),
            time: raw_time.map(|t| in_resolution(t, &interface.options)),
        });
    }
    Ok(read)
}

/// pcapng's Decryption Secrets Block type (pcapng specification §4.7).
const DECRYPTION_SECRETS_BLOCK: u32 = 0x0000_000A;
/// Its secrets type for a TLS key log: "TLSK", in either byte order.
const TLS_KEY_LOG: [[u8; 4]; 2] = [*b"KSLT", *b"TLSK"];

/// The key log text of a Decryption Secrets Block's body: its secrets
/// type, length, and the text; nothing for another type of secrets.
fn secrets_text(body: &[u8]) -> String {
    let (Some(kind), Some(len)) = (body.get(..4), body.get(4..8)) else {
        return String::new();
    };
    let little = kind == TLS_KEY_LOG[0];
    if !TLS_KEY_LOG.iter().any(|t| t == kind) {
        return String::new();
    }
    let len: [u8; 4] = len.try_into().unwrap_or_default();
    let len = if little {
        u32::from_le_bytes(len)
    } else {
        u32::from_be_bytes(len)
    };
    let text = body.get(8..).unwrap_or_default();
    let text = &text[..text.len().min(len as usize)];
    let mut text = String::from_utf8_lossy(text).into_owned();
    text.push('\n');
    text
}

/// A pcapng timestamp in the interface's resolution (`if_tsresol`:
/// microseconds when absent), which pcap-file 2 reads as nanoseconds.
fn in_resolution(raw: Duration, options: &[InterfaceDescriptionOption<'_>]) -> Duration {
    let resolution = options.iter().find_map(|o| match o {
        InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
        _ => None,
    });
    let ticks = raw.as_nanos();
    let per_second: u128 = match resolution.unwrap_or(6) {
        r if r & 0x80 != 0 => 1u128.checked_shl(u32::from(r & 0x7f)).unwrap_or(0),
        r => 10u128.checked_pow(u32::from(r)).unwrap_or(0),
    };
    if per_second == 0 {
        return raw;
    }
    let secs = u64::try_from(ticks / per_second).unwrap_or(u64::MAX);
    let nanos = (ticks % per_second) * 1_000_000_000 / per_second;
    Duration::new(secs, nanos as u32)
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

/// One direction of a TCP connection: who sends, to whom, and which
/// connection between those two addresses and ports it is (0 for the
/// first; a client's SYN after the last one carried data or ended starts
/// the next, so a reused port does not merge two connections).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FlowKey {
    src: SocketAddr,
    dst: SocketAddr,
    reuse: u32,
}

impl FlowKey {
    /// The other direction of the same connection.
    fn back(&self) -> FlowKey {
        FlowKey {
            src: self.dst,
            dst: self.src,
            reuse: self.reuse,
        }
    }
}

/// Segments by direction, in the order each direction first carried data.
#[derive(Default)]
struct Flows {
    order: Vec<FlowKey>,
    flows: HashMap<FlowKey, Flow>,
    /// For each pair of addresses and ports (lower first), the connection
    /// between them that packets now belong to.
    reuses: HashMap<(SocketAddr, SocketAddr), u32>,
    /// How many payload-carrying segments were added: the capture-order
    /// number of the next.
    carried: usize,
}

#[derive(Default)]
struct Flow {
    /// The sequence number of the first payload byte, when the SYN was seen.
    first: Option<u32>,
    /// (sequence number, payload) in capture order.
    segments: Vec<(u32, Vec<u8>)>,
    /// When its first payload was captured.
    started: Option<Duration>,
    /// (capture-order number, sequence number, length) of each segment
    /// that carried payload.
    arrivals: Vec<(usize, u32, usize)>,
    /// It sent a FIN, or a RST.
    fin: bool,
    rst: bool,
}

impl Flows {
    fn add(&mut self, packet: &SlicedPacket<'_>, time: Option<Duration>) {
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
        let (src, dst) = (
            SocketAddr::new(src, tcp.source_port()),
            SocketAddr::new(dst, tcp.destination_port()),
        );
        let key = self.key(src, dst, tcp.syn() && !tcp.ack());
        let flow = self.flows.entry(key).or_default();
        if tcp.syn() {
            flow.first = Some(tcp.sequence_number().wrapping_add(1));
        }
        flow.fin |= tcp.fin();
        flow.rst |= tcp.rst();
        if !tcp.payload().is_empty() {
            if flow.segments.is_empty() {
                self.order.push(key);
                flow.started = time;
            }
            // Data on a SYN (TCP Fast Open) begins after the SYN's own number.
            let seq = match tcp.syn() {
                true => tcp.sequence_number().wrapping_add(1),
                false => tcp.sequence_number(),
            };
            let payload = tcp.payload();
            flow.segments.push((seq, payload.to_vec()));
            flow.arrivals.push((self.carried, seq, payload.len()));
            self.carried += 1;
        }
    }

    /// The direction from `src` to `dst` of their latest connection, or of
    /// a new one where a client's SYN (`opens`) follows a connection that
    /// carried data or ended.
    fn key(&mut self, src: SocketAddr, dst: SocketAddr, opens: bool) -> FlowKey {
        let pair = (src.min(dst), src.max(dst));
        let reuse = self.reuses.get(&pair).copied().unwrap_or(0);
        let key = FlowKey { src, dst, reuse };
        let used = |k: &FlowKey| {
            self.flows
                .get(k)
                .is_some_and(|f| !f.segments.is_empty() || f.fin || f.rst)
        };
        if !(opens && (used(&key) || used(&key.back()))) {
            return key;
        }
        self.reuses.insert(pair, reuse + 1);
        FlowKey {
            reuse: reuse + 1,
            ..key
        }
    }

    /// The directions whose stream opens with a handshake record that
    /// holds a ClientHello (or is too short to tell), in capture order.
    fn hello_flows(&self) -> impl Iterator<Item = &FlowKey> {
        self.order.iter().filter(|key| {
            let segments = &self.flows[*key].segments;
            // The first bytes of the stream: enough to tell from almost
            // always, without reassembling every flow.
            let bytes = self.flows[*key].reassembled_up_to(6);
            let opens_hello = match bytes.as_slice() {
                [0x16, 0x03, _, _, _, kind, ..] => *kind == 1,
                [0x16, 0x03, ..] => true,
                _ => false,
            };
            !segments.is_empty() && opens_hello
        })
    }

    /// The connection whose client sends on `key`: both directions' bytes
    /// in the order the packets carried them.
    fn connection(&self, key: &FlowKey) -> Connection {
        let back = key.back();
        let empty = Flow::default();
        let streams = [
            (key, Side::Client, self.flows[key].reassembled()),
            (
                &back,
                Side::Server,
                self.flows.get(&back).unwrap_or(&empty).reassembled(),
            ),
        ];
        let flows = [&self.flows[key], self.flows.get(&back).unwrap_or(&empty)];
        // The two directions' segments, in the order they were captured.
        let mut arrivals: Vec<(usize, usize, u32, usize)> = (0..2)
            .flat_map(|i| {
                flows[i]
                    .arrivals
                    .iter()
                    .map(move |&(n, seq, len)| (n, i, seq, len))
            })
            .collect();
        arrivals.sort_unstable();
        let mut sent = [0usize; 2];
        let mut chunks: Vec<(Side, Vec<u8>)> = Vec::new();
        for (_, i, seq, len) in arrivals {
            let (_, side, stream) = &streams[i];
            let end = flows[i]
                .offset(seq)
                .map_or(0, |o| o + len)
                .min(stream.len());
            if end > sent[i] {
                chunks.push((*side, stream[sent[i]..end].to_vec()));
                sent[i] = end;
            }
        }
        let (out, back) = (&self.flows[key], self.flows.get(&back).unwrap_or(&empty));
        Connection {
            ended: (out.fin && back.fin) || out.rst || back.rst,
            label: label(key),
            client: key.src,
            server: key.dst,
            chunks,
            started: self.flows[key].started,
        }
    }
}

/// `TCP 10.0.0.1:50000 → 10.0.0.2:443` for the direction `key`, and
/// `(connection 2 on these ports)` after it where a port was reused.
fn label(key: &FlowKey) -> String {
    let again = match key.reuse {
        0 => String::new(),
        n => format!(" (connection {} on these ports)", n + 1),
    };
    format!("TCP {} → {}{again}", key.src, key.dst)
}

impl Flow {
    /// The offset of sequence number `seq` from the first byte (the one
    /// after the SYN, else the first segment's); `None` before it.
    fn offset(&self, seq: u32) -> Option<usize> {
        let base = self.first.or_else(|| self.segments.first().map(|s| s.0))?;
        let offset = seq.wrapping_sub(base);
        // Offsets past 2^31 are bytes before the base.
        (offset < 1 << 31).then_some(offset as usize)
    }

    /// The payload from the first byte on, segments in sequence order,
    /// retransmitted bytes once, up to the first gap.
    fn reassembled(&self) -> Vec<u8> {
        self.reassembled_up_to(MAX_STREAM)
    }

    /// [`Flow::reassembled`], stopping once `limit` bytes are read.
    fn reassembled_up_to(&self, limit: usize) -> Vec<u8> {
        let mut by_offset: Vec<(usize, &[u8])> = self
            .segments
            .iter()
            .filter_map(|(seq, data)| Some((self.offset(*seq)?, data.as_slice())))
            .collect();
        by_offset.sort_by_key(|(offset, _)| *offset);
        let mut out: Vec<u8> = Vec::new();
        for (offset, data) in by_offset {
            if offset > out.len() || out.len() >= limit {
                break;
            }
            let new = &data[(out.len() - offset).min(data.len())..];
            out.extend_from_slice(new);
        }
        out
    }
}
