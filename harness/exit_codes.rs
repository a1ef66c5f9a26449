//! Exit statuses of the `tls-harness` command, in one place.

/// Every handshake ran and every stated expectation held.
pub const OK: i32 = 0;
/// At least one outcome differed from its scenario's `expect`.
pub const EXPECTATION_FAILED: i32 = 1;
/// A mistake on the command line: malformed (clap's own status), or naming
/// what does not exist (an unknown profile, scenario, product or pairing),
/// or a filter that selects nothing.
pub const USAGE: i32 = 2;
/// A scenario or catalog file is unusable: unreadable, malformed, or
/// naming something unknown; for `import-hello`, an input that holds no
/// readable ClientHello.
pub const BAD_INPUT: i32 = 3;
/// The harness itself failed (certificates could not be made, the runtime
/// would not start); not a verdict on any scenario.
pub const HARNESS_ERROR: i32 = 4;

/// Every expectation held, but a real outcome differed from the
/// negotiation model's prediction: the model, or our understanding of a
/// stack, is wrong somewhere.
pub const MODEL_DISAGREED: i32 = 5;

/// `probe`, `scan`, `infer`: nothing answered at the address (refused,
/// timed out, reset, not TLS, or the name did not resolve), so there is no
/// handshake to judge; for `infer`, also a server that refused every hello.
pub const UNREACHABLE: i32 = 6;

/// Every status with its meaning, for `--help` and the README.
pub const ALL: [(i32, &str); 7] = [
    (OK, "every expectation held"),
    (
        EXPECTATION_FAILED,
        "an outcome differed from its expectation",
    ),
    (
        USAGE,
        "command-line mistake: malformed, an unknown id, a filter that selects nothing",
    ),
    (BAD_INPUT, "unusable scenario, catalog or capture file"),
    (HARNESS_ERROR, "the harness itself failed"),
    (
        MODEL_DISAGREED,
        "a real outcome differed from the negotiation model",
    ),
    (
        UNREACHABLE,
        "probe, scan, infer: the server could not be reached, or (infer) accepted no hello",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_distinct_and_ok_is_zero() {
        let mut codes: Vec<i32> = ALL.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        assert_eq!(OK, 0);
    }
}
