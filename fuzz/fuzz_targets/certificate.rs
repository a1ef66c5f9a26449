//! `cargo fuzz run certificate`: [`tls_harness_fuzz::calls::certificate`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::certificate(data));
