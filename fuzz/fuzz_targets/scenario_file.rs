//! `cargo fuzz run scenario_file`: [`tls_harness_fuzz::calls::scenario_file`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::scenario_file(data));
