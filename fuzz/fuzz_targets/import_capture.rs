//! `cargo fuzz run import_capture`: [`tls_harness_fuzz::calls::import_capture`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_capture(data));
