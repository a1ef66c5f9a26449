//! The calls of the fuzz targets, for `fuzz_targets/*.rs` (one line each).

pub mod calls;
