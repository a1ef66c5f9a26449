//! The committed fuzz corpora, replayed: every file under
//! `fuzz/corpus/<target>/` goes through the library call its cargo-fuzz
//! target makes (`fuzz/src/calls.rs`, compiled here as it is there), and
//! must return. So every CI run checks, on stable and without cargo-fuzz,
//! that no input the fuzzer ever kept makes a reader of outside input
//! panic (README.md#fuzzing; `just fuzz` runs the fuzzer itself).

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "../fuzz/src/calls.rs"]
mod calls;

/// The files of one target's corpus, sorted.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Feeds every file of `target`'s corpus to its call; names each input
/// that panicked.
fn replay(target: &str) {
    let (_, call) = calls::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target {target} in fuzz/src/calls.rs"));
    let files = corpus(target);
    assert!(
        !files.is_empty(),
        "fuzz/corpus/{target} is empty: fuzz/make-seeds.sh writes its seeds"
    );
    let panicked: Vec<String> = files
        .iter()
        .filter(|file| {
            let data = fs::read(file).expect("a corpus file");
            catch_unwind(AssertUnwindSafe(|| call(&data))).is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        panicked.is_empty(),
        "{} of {} inputs of fuzz target {target} panicked (reproduce with \
         `RUSTC_BOOTSTRAP=1 cargo fuzz run {target} FILE` in fuzz/):\n{}",
        panicked.len(),
        files.len(),
        panicked.join("\n")
    );
}

#[test]
fn every_target_has_a_file_and_a_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, _) in calls::TARGETS {
        let target = root.join("fuzz_targets").join(format!("{name}.rs"));
        assert!(target.is_file(), "{} is missing", target.display());
        assert!(!corpus(name).is_empty(), "fuzz/corpus/{name} is empty");
    }
    let files = fs::read_dir(root.join("fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .count();
    assert_eq!(
        files,
        calls::TARGETS.len(),
        "every file under fuzz/fuzz_targets/ is listed in calls::TARGETS"
    );
}

macro_rules! replays {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*
    };
}

replays!(
    scenario_file,
    catalog,
    import_hello,
    import_pcap,
    import_pcapng,
    import_hex,
    import_raw,
    client_hello,
    record,
    transcript,
    certificate,
    import_capture,
    infer_answer,
);
