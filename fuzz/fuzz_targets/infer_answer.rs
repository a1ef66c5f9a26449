//! `cargo fuzz run infer_answer`: [`tls_harness_fuzz::calls::infer_answer`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::infer_answer(data));
