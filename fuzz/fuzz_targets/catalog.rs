//! `cargo fuzz run catalog`: [`tls_harness_fuzz::calls::catalog`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::catalog(data));
