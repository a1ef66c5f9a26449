//! A run laid out as capture files: one pcapng per handshake attempt, at
//! `DIR/<scenario file stem>/<scenario id>/<pairing>.pcapng`, a client's
//! fallback retry beside it as `<pairing>.fallback.pcapng`. Each
//! handshake gets its own client port, in run order, so the files of one
//! run can be merged (mergecap) without two conversations colliding.

use std::path::{Path, PathBuf};

use super::{write_pcapng, CaptureError};
use crate::run::{CaptureFiles, PairingRun, ScenarioRun};

/// The first client port handed out: the start of the dynamic range
/// (RFC 6335 §6).
pub const FIRST_CLIENT_PORT: u16 = 49_152;

/// Writes runs' captures under one directory, numbering client ports.
#[derive(Debug)]
pub struct Layout {
    dir: PathBuf,
    next_port: u16,
}

impl Layout {
    /// Captures under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Layout {
        Layout {
            dir: dir.into(),
            next_port: FIRST_CLIENT_PORT,
        }
    }

    /// The next client port, wrapping within the dynamic range.
    pub fn next_port(&mut self) -> u16 {
        let port = self.next_port;
        self.next_port = self.next_port.checked_add(1).unwrap_or(FIRST_CLIENT_PORT);
        port
    }

    /// Writes the captures of the scenarios of `file` (whose runs are
    /// `runs`, kept with [`crate::run::RunOptions::capture`]) and names them
    /// in each row. Returns how many files it wrote.
    pub fn write_file_runs(
        &mut self,
        file: &Path,
        runs: &mut [ScenarioRun],
    ) -> Result<usize, CaptureError> {
        let stem = file
            .file_stem()
            .map_or_else(|| "scenarios".into(), |s| file_name(&s.to_string_lossy()));
        let mut written = 0;
        for run in runs {
            let dir = self.dir.join(&stem).join(file_name(&run.scenario));
            for pairing in &mut run.pairings {
                written += self.write_pairing(&dir, pairing)?;
            }
        }
        Ok(written)
    }

    /// Writes the handshakes kept in `pairing` into `dir`, as
    /// `<pairing>.pcapng` and, after a fallback, `<pairing>.fallback.pcapng`,
    /// and names them in its row. Returns how many files it wrote.
    pub fn write_pairing(
        &mut self,
        dir: &Path,
        pairing: &mut PairingRun,
    ) -> Result<usize, CaptureError> {
        let mut paths = Vec::new();
        for (i, handshake) in pairing.handshakes.iter().enumerate() {
            let name = match i {
                0 => format!("{}.pcapng", pairing.pairing),
                _ => format!("{}.fallback.pcapng", pairing.pairing),
            };
            let path = dir.join(file_name(&name));
            let port = self.next_port();
            write_pcapng(&path, &handshake.transcript, &handshake.secrets, port)?;
            paths.push(path.display().to_string());
        }
        let count = paths.len();
        let mut paths = paths.into_iter();
        pairing.capture = match (paths.next(), paths.next()) {
            (Some(first), Some(retry)) => Some(CaptureFiles {
                file: retry,
                fallback_from: Some(first),
            }),
            (Some(only), None) => Some(CaptureFiles {
                file: only,
                fallback_from: None,
            }),
            (None, _) => None,
        };
        Ok(count)
    }
}

/// `name` as one path component: characters other than letters, digits,
/// `.`, `-` and `_` become `_` (an ad-hoc scenario's id has an arrow and
/// spaces), and a name of dots alone is prefixed so it cannot climb.
pub fn file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() || safe.chars().all(|c| c == '.') {
        format!("_{safe}")
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_single_safe_path_components() {
        assert_eq!(file_name("legacy-tls10-caller"), "legacy-tls10-caller");
        assert_eq!(file_name("a → b"), "a___b");
        assert_eq!(file_name("../x"), ".._x");
        assert_eq!(file_name(".."), "_..");
        assert_eq!(file_name(""), "_");
    }

    #[test]
    fn client_ports_count_up_and_wrap_within_the_dynamic_range() {
        let mut layout = Layout::new("x");
        assert_eq!(layout.next_port(), FIRST_CLIENT_PORT);
        assert_eq!(layout.next_port(), FIRST_CLIENT_PORT + 1);
        layout.next_port = u16::MAX;
        assert_eq!(layout.next_port(), u16::MAX);
        assert_eq!(layout.next_port(), FIRST_CLIENT_PORT);
    }
}
