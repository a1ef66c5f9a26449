//! `cargo fuzz run import_pcap`: [`tls_harness_fuzz::calls::import_pcap`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls_harness_fuzz::calls::import_pcap(data));
