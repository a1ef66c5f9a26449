//! The TLS secrets the rustls and OpenSSL backends log (JSSE 17 logs
//! none), kept per handshake until a capture
//! takes them, and the NSS key log format other tools read.
//!
//! rustls hands its secrets to a `KeyLog`, OpenSSL to a keylog callback;
//! both feed [`log`] or [`log_line`] here. Configurations are built once and
//! shared by many handshakes, so the store is process-wide and keyed by
//! the ClientHello's random, which names one handshake on both ends. It
//! holds secrets only while some caller [`recording`] is alive; otherwise
//! the backends do not even format them. A handshake's secrets leave the
//! store when [`take`] hands them to a capture, and the store never holds
//! more than [`MAX_HANDSHAKES`] handshakes (the oldest go first), so a
//! long-running `serve` cannot grow it without bound.
//!
//! This module uses nothing else of the crate.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Handshakes whose secrets the store keeps at most.
pub const MAX_HANDSHAKES: usize = 4096;

/// One secret of one handshake, as a key log line names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Secret {
    /// `CLIENT_RANDOM` (the TLS 1.2 master secret),
    /// `CLIENT_HANDSHAKE_TRAFFIC_SECRET` and so on.
    pub label: String,
    /// The handshake's ClientHello random.
    pub client_random: [u8; 32],
    /// The secret itself.
    pub secret: Vec<u8>,
}

/// The secrets of one or more handshakes, each once, in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets(Vec<Secret>);

impl Secrets {
    /// `secrets` without duplicates (both ends of an in-memory handshake
    /// log the same ones), sorted so the same set always reads the same.
    pub fn new(mut secrets: Vec<Secret>) -> Secrets {
        secrets.sort();
        secrets.dedup();
        Secrets(secrets)
    }

    /// Whether there are none (a handshake that failed before any key was
    /// derived, or one run while nothing was recording).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each secret.
    pub fn iter(&self) -> impl Iterator<Item = &Secret> {
        self.0.iter()
    }

    /// These and `other`'s, as one set.
    pub fn merged(&self, other: &Secrets) -> Secrets {
        Secrets::new([self.0.clone(), other.0.clone()].concat())
    }

    /// The NSS key log text: one `LABEL <client random> <secret>` line per
    /// secret, in lower-case hex, each ending in a newline (the format
    /// Wireshark, curl's SSLKEYLOGFILE and OpenSSL's callback use).
    pub fn nss(&self) -> String {
        let mut text = String::new();
        for s in &self.0 {
            // Writing to a String cannot fail.
            let _ = writeln!(
                text,
                "{} {} {}",
                s.label,
                hex::encode(s.client_random),
                hex::encode(&s.secret)
            );
        }
        text
    }
}

/// While alive, the rustls and OpenSSL backends log their secrets into the
/// store. Any number
/// may be alive at once; when the last goes, the store is emptied.
#[derive(Debug)]
#[must_use = "secrets are recorded only while the guard lives"]
pub struct Recording(());

/// Starts recording secrets, until the guard is dropped.
pub fn recording() -> Recording {
    RECORDERS.fetch_add(1, Ordering::SeqCst);
    Recording(())
}

impl Drop for Recording {
    fn drop(&mut self) {
        if RECORDERS.fetch_sub(1, Ordering::SeqCst) == 1 {
            store().clear();
        }
    }
}

/// Whether anyone is recording: the backends skip logging when not.
pub fn is_recording() -> bool {
    RECORDERS.load(Ordering::Relaxed) > 0
}

static RECORDERS: AtomicUsize = AtomicUsize::new(0);

/// The secrets of the handshakes not yet taken, with the order they
/// arrived in (to drop the oldest first).
#[derive(Default)]
struct Store {
    by_random: HashMap<[u8; 32], (u64, Vec<Secret>)>,
    next: u64,
}

impl Store {
    fn add(&mut self, secret: Secret) {
        if !self.by_random.contains_key(&secret.client_random)
            && self.by_random.len() >= MAX_HANDSHAKES
        {
            let oldest = self
                .by_random
                .iter()
                .min_by_key(|(_, (seq, _))| *seq)
                .map(|(random, _)| *random);
            if let Some(oldest) = oldest {
                self.by_random.remove(&oldest);
            }
        }
        let seq = self.next;
        self.next += 1;
        self.by_random
            .entry(secret.client_random)
            .or_insert_with(|| (seq, Vec::new()))
            .1
            .push(secret);
    }

    fn clear(&mut self) {
        self.by_random.clear();
    }
}

fn store() -> std::sync::MutexGuard<'static, Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Records one secret (from rustls' `KeyLog`), if anyone is recording. A
/// client random that is not 32 bytes long is not a TLS one and is ignored.
pub fn log(label: &str, client_random: &[u8], secret: &[u8]) {
    if !is_recording() {
        return;
    }
    let Ok(client_random) = <[u8; 32]>::try_from(client_random) else {
        return;
    };
    store().add(Secret {
        label: label.to_owned(),
        client_random,
        secret: secret.to_vec(),
    });
}

/// Records one NSS key log line (from OpenSSL's keylog callback), if
/// anyone is recording. Lines that do not parse are ignored.
pub fn log_line(line: &str) {
    if !is_recording() {
        return;
    }
    if let Some(secret) = parse_line(line) {
        store().add(secret);
    }
}

/// `LABEL <64 hex digits> <hex>` as a secret.
pub fn parse_line(line: &str) -> Option<Secret> {
    let mut words = line.split_whitespace();
    let (label, random, secret) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() {
        return None;
    }
    Some(Secret {
        label: label.to_owned(),
        client_random: hex::decode(random).ok()?.try_into().ok()?,
        secret: hex::decode(secret).ok()?,
    })
}

/// Takes the secrets of the handshake whose ClientHello carried
/// `client_random` out of the store.
pub fn take(client_random: &[u8; 32]) -> Secrets {
    if !is_recording() {
        return Secrets::default();
    }
    let taken = store().by_random.remove(client_random);
    Secrets::new(taken.map(|(_, s)| s).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store is process-wide: these tests take turns with it.
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static SERIAL: Mutex<()> = Mutex::new(());
        SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[test]
    fn secrets_are_recorded_only_while_a_guard_lives_and_taken_once() {
        let _serial = serial();
        let random = [7u8; 32];
        log("CLIENT_RANDOM", &random, &[1, 2]);
        let guard = recording();
        assert!(take(&random).is_empty(), "logged before recording began");
        log("CLIENT_RANDOM", &random, &[1, 2]);
        log_line(&format!(
            "CLIENT_RANDOM {} 0102\nignored",
            hex::encode(random)
        ));
        log_line(&format!("CLIENT_RANDOM {} 0102", hex::encode(random)));
        log("SERVER_TRAFFIC_SECRET_0", &random, &[3]);
        let taken = take(&random);
        assert_eq!(
            taken.nss(),
            format!(
                "CLIENT_RANDOM {r} 0102\nSERVER_TRAFFIC_SECRET_0 {r} 03\n",
                r = hex::encode(random)
            )
        );
        assert!(take(&random).is_empty(), "taken twice");
        drop(guard);
    }

    #[test]
    fn lines_that_are_not_key_log_lines_do_not_parse() {
        assert!(parse_line("CLIENT_RANDOM 00 11").is_none());
        assert!(parse_line("CLIENT_RANDOM").is_none());
        let random = "ab".repeat(32);
        assert!(parse_line(&format!("X {random} zz")).is_none());
        assert!(parse_line(&format!("X {random} 00 extra")).is_none());
        assert_eq!(
            parse_line(&format!("X {random} 00ff")).map(|s| s.secret),
            Some(vec![0, 0xff])
        );
    }

    #[test]
    fn the_store_keeps_at_most_max_handshakes_dropping_the_oldest() {
        let _serial = serial();
        let _guard = recording();
        for i in 0..=MAX_HANDSHAKES as u32 {
            let mut random = [0xEEu8; 32];
            random[..4].copy_from_slice(&i.to_be_bytes());
            log("L", &random, &[1]);
        }
        let mut first = [0xEEu8; 32];
        first[..4].copy_from_slice(&0u32.to_be_bytes());
        assert!(take(&first).is_empty(), "the oldest was kept");
        let mut last = [0xEEu8; 32];
        last[..4].copy_from_slice(&(MAX_HANDSHAKES as u32).to_be_bytes());
        assert!(!take(&last).is_empty());
        assert!(store().by_random.len() < MAX_HANDSHAKES);
    }
}
