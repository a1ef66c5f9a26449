//! `cargo fuzz run client_hello`: [`tls_harness_fuzz::calls::client_hello`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::client_hello(data));
