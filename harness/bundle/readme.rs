//! The bundle's `README.md`: what each file is and the one command that
//! reruns it.

use super::{CertificateFile, Versions, SCENARIO_FILE};
use crate::moment::Moment;
use crate::run::{PairingRun, ScenarioRun, Status, Verdict};
use crate::scenario::{Scenario, ScenarioFile};

/// The README of a bundle of `scenario` (from `file`), run at `at`.
pub(super) fn text(
    file: &ScenarioFile,
    scenario: &Scenario,
    run: &ScenarioRun,
    certificates: &[CertificateFile],
    versions: &Versions,
    at: Moment,
) -> String {
    let mut out = format!(
        "# Repro bundle: scenario `{}`\n\n`{}` → `{}`, at {at}.\n",
        scenario.id, scenario.client.id, scenario.server.id
    );
    if let Some(d) = &scenario.description {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&format!(
        "\nBundled from `{}` by tls-harness {} (commit {}; rustls {}, {}, Java {}).\n\n",
        file.path.display(),
        versions.tls_harness,
        versions.commit,
        versions.rustls,
        versions.openssl,
        versions.java
    ));
    out.push_str(&rerun());
    out.push_str(&outcomes(run));
    out.push_str(&files(run, certificates));
    out.push_str(CAPTURES);
    out
}

fn rerun() -> String {
    format!(
        "## Rerun\n\n```sh\ntls-harness run {SCENARIO_FILE}\n```\n\n\
         From this directory (or `tls-harness run DIR` from anywhere; `--format json` \
         prints rows to compare with each `outcome.json`). It needs nothing but the \
         tool: `{SCENARIO_FILE}` says `self-contained = true`, defines every profile \
         and CA it uses, and pins the instant, so no catalog is read and nothing \
         expires. Exit status 0: every expectation held; 1: an outcome differed from \
         its `expect`; 5: the outcomes held but differed from the negotiation model.\n\n"
    )
}

fn outcomes(run: &ScenarioRun) -> String {
    let mut out =
        String::from("## Outcomes\n\n| pairing | outcome | expectation |\n|---|---|---|\n");
    for p in &run.pairings {
        let (outcome, verdict) = summary(p);
        out.push_str(&format!("| `{}` | {outcome} | {verdict} |\n", p.pairing));
    }
    out.push('\n');
    out
}

/// A row's outcome (with the first attempt of a fallback) and verdict.
fn summary(p: &PairingRun) -> (String, String) {
    let (outcome, first, verdict) = match &p.status {
        Status::Ran {
            outcome,
            fallback_from,
            expectation,
            ..
        }
        | Status::Simulated {
            outcome,
            fallback_from,
            expectation,
        } => (outcome.summary(), fallback_from.as_ref(), expectation),
        Status::Unsupported { reason } => return (format!("unsupported: {reason}"), "-".into()),
    };
    let outcome = match first {
        Some(first) => format!("{outcome} (after a fallback from: {})", first.summary()),
        None => outcome,
    };
    let verdict = match verdict {
        Verdict::NotStated => "none stated".to_string(),
        Verdict::Held => "held".to_string(),
        Verdict::NotHeld(m) => format!("not held: {}", m.join("; ")),
    };
    (outcome, verdict)
}

fn files(run: &ScenarioRun, certificates: &[CertificateFile]) -> String {
    let mut out = String::from("## Files\n\n| file | what it is |\n|---|---|\n");
    out.push_str("| `README.md` | this file |\n");
    out.push_str(&format!("| `{SCENARIO_FILE}` | the scenario, every profile and CA it uses inlined, its instant pinned (`at`) |\n"));
    out.push_str("| `versions.json` | the tls-harness version and commit, and the rustls, OpenSSL and Java versions that made the outcomes |\n");
    for p in &run.pairings {
        out.push_str(&format!("| `{0}/outcome.json` | the outcome of the `{0}` pairing (client backend, then server backend), as `run --format json` prints its row |\n", p.pairing));
        out.push_str(&format!("| `{0}/explain.md` | the negotiation model's reasoning by `{0}` rules, step by step |\n", p.pairing));
        if let Some(c) = &p.capture {
            // JSSE logs no secrets: between two JSSE sides there are none.
            let keys = if p.pairing == JSSE_ONLY {
                "no keys (JSSE logs none)"
            } else {
                "keys inside"
            };
            if let Some(first) = &c.fallback_from {
                out.push_str(&format!(
                    "| `{first}` | the first handshake attempt, which failed, {keys} |\n"
                ));
            }
            out.push_str(&format!(
                "| `{}` | the handshake of the outcome, {keys} |\n",
                c.file
            ));
        }
    }
    for c in certificates {
        out.push_str(&format!(
            "| `{}` | {} (SHA-256 `{}`) |\n",
            c.file, c.what, c.fingerprint
        ));
    }
    out.push('\n');
    out
}

const CAPTURES: &str = "## Opening the captures\n\n\
Each `.pcapng` is one handshake framed as TCP between 127.0.0.1 and 127.0.0.2:443, \
with its TLS secrets in a Decryption Secrets Block: `tshark -r FILE` or Wireshark \
shows the ClientHello, the ServerHello, the alert of a failure and, decrypted, the \
TLS 1.3 Certificate, with no options. Handshakes carry fresh randoms and keys on \
every run, so a rerun's captures differ byte for byte; its outcomes and certificate \
fingerprints do not (the test PKI is deterministic).\n\n\
A `jsse-jsse` capture carries no keys: JSSE (the JDK) has no key log, and the \
harness does not patch one into it. tshark shows its hellos, and anything either \
side sent in the clear, but a TLS 1.3 flight and any alert in it stay encrypted. \
Where only one side is JSSE, the other side's secrets are in the capture.\n";

/// The pairing whose two sides are JSSE.
const JSSE_ONLY: &str = "jsse-jsse";
