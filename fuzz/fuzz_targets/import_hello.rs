//! `cargo fuzz run import_hello`: [`tls_harness_fuzz::calls::import_hello`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_hello(data));
