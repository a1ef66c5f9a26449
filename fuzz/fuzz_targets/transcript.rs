//! `cargo fuzz run transcript`: [`tls_harness_fuzz::calls::transcript`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::transcript(data));
