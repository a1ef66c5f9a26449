//! `cargo fuzz run import_pcapng`: [`tls_harness_fuzz::calls::import_pcapng`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_pcapng(data));
