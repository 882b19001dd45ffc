#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| signet_fuzz_harness::mint_round_trip(data));
