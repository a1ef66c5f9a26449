//! Real sockets: a server profile served on a TCP port ([`serve`]) and a
//! client profile run against a real server ([`probe`]), both through the
//! handshake core, on the transport side of it. Servers listen on
//! 127.0.0.1 unless a user names another address.

pub mod probe;
pub mod scan;
pub mod serve;

pub use probe::{probe, Probe, ProbeError, ProbeOptions};
pub use scan::{scan, Like, ScanRow, ScanStatus};
pub use serve::{serve, serve_until, stop_signal, Connection, ServeOptions};
