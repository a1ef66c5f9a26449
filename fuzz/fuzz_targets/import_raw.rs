//! `cargo fuzz run import_raw`: [`tls_harness_fuzz::calls::import_raw`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_raw(data));
