//! `cargo fuzz run record`: [`tls_harness_fuzz::calls::record`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::record(data));
