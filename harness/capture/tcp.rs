//! A transcript framed as one plausible TCP conversation over Ethernet and
//! IPv4: the three-way handshake, each write cut into segments no larger
//! than an Ethernet MSS with consistent sequence and acknowledgement
//! numbers, and both sides' FIN at the end. Packets are built with
//! etherparse, which also computes the IPv4 and TCP checksums.

use std::net::SocketAddrV4;
use std::time::Duration;

use etherparse::PacketBuilder;

use crate::outcome::Side;
use crate::wire::Transcript;

/// The largest TCP payload of one segment: Ethernet's 1500-byte MTU less
/// the IPv4 and TCP headers.
pub const MSS: usize = 1460;

/// Time between two packets of a conversation, so that captures read in
/// order and are the same from run to run.
pub const PACKET_GAP: Duration = Duration::from_micros(100);

/// The TCP window both ends advertise.
const WINDOW: u16 = 64_240;

/// Each side's initial sequence number: fixed, so the same transcript
/// always frames the same.
const CLIENT_ISN: u32 = 0x0100_0000;
const SERVER_ISN: u32 = 0x0200_0000;

/// One TCP conversation to frame: the transcript, the two addresses, and
/// the time of its first packet.
#[derive(Clone, Copy, Debug)]
pub struct Conversation<'a> {
    /// What each side wrote, in order.
    pub transcript: &'a Transcript,
    /// The client's address and port.
    pub client: SocketAddrV4,
    /// The server's address and port (443 for Wireshark to see TLS).
    pub server: SocketAddrV4,
    /// The first packet's timestamp, since the Unix epoch.
    pub start: Duration,
}

/// One frame with its timestamp.
pub type Frame = (Duration, Vec<u8>);

/// The next sequence number each side will send.
struct Flow<'a> {
    conversation: &'a Conversation<'a>,
    seq: [u32; 2],
    frames: Vec<Frame>,
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// A locally administered MAC for each side.
fn mac(side: Side) -> [u8; 6] {
    [0x02, 0, 0, 0, 0, 1 + index(side) as u8]
}

/// The TCP flags of one segment.
#[derive(Clone, Copy, Default)]
struct Flags {
    syn: bool,
    ack: bool,
    psh: bool,
    fin: bool,
}

impl Flow<'_> {
    /// A segment from `from` carrying `payload`.
    fn segment(&mut self, from: Side, payload: &[u8], flags: Flags) {
        let c = self.conversation;
        let (src, dst) = match from {
            Side::Client => (c.client, c.server),
            Side::Server => (c.server, c.client),
        };
        let (mine, theirs) = (index(from), index(from.peer()));
        let mut step = PacketBuilder::ethernet2(mac(from), mac(from.peer()))
            .ipv4(src.ip().octets(), dst.ip().octets(), 64)
            .tcp(src.port(), dst.port(), self.seq[mine], WINDOW);
        if flags.syn {
            step = step.syn();
        }
        if flags.ack {
            step = step.ack(self.seq[theirs]);
        }
        if flags.psh {
            step = step.psh();
        }
        if flags.fin {
            step = step.fin();
        }
        let mut frame = Vec::with_capacity(step.size(payload.len()));
        // Invariant: a payload of at most MSS bytes fits every length field
        // and the headers carry no extensions, so building cannot fail.
        step.write_to_vec(&mut frame, payload)
            .expect("a segment of at most MSS bytes is always buildable");
        let at = c.start + PACKET_GAP * self.frames.len() as u32;
        self.frames.push((at, frame));
        let consumed = payload.len() as u32 + u32::from(flags.syn) + u32::from(flags.fin);
        self.seq[mine] = self.seq[mine].wrapping_add(consumed);
    }
}

/// The frames of `conversation`, in order.
pub fn frames(conversation: &Conversation<'_>) -> Vec<Frame> {
    let mut flow = Flow {
        conversation,
        seq: [CLIENT_ISN, SERVER_ISN],
        frames: Vec::new(),
    };
    let ack = Flags {
        ack: true,
        ..Flags::default()
    };
    let (syn, fin) = (Flags { syn: true, ..ack }, Flags { fin: true, ..ack });
    flow.segment(Side::Client, &[], Flags { ack: false, ..syn });
    flow.segment(Side::Server, &[], syn);
    flow.segment(Side::Client, &[], ack);
    for (from, bytes) in conversation.transcript.chunks() {
        let pieces = bytes.chunks(MSS).collect::<Vec<_>>();
        let last = pieces.len().saturating_sub(1);
        for (i, piece) in pieces.into_iter().enumerate() {
            flow.segment(
                from,
                piece,
                Flags {
                    psh: i == last,
                    ..ack
                },
            );
        }
    }
    flow.segment(Side::Client, &[], fin);
    flow.segment(Side::Server, &[], fin);
    flow.segment(Side::Client, &[], ack);
    flow.frames
}
