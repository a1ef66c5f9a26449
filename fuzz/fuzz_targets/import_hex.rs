//! `cargo fuzz run import_hex`: [`tls_harness_fuzz::calls::import_hex`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_hex(data));
