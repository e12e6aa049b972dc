//! Shared logic of Kestrel's fuzz targets.
//!
//! The targets in `fuzz_targets/` stay thin; everything they share lives
//! here:
//!
//! - [`generate`]: the wasm-smith configuration restricted to what Kestrel
//!   implements (Wasm 2.0 without SIMD), and module generation.
//! - [`oracle`]: the differential oracle that runs a module on Kestrel and on
//!   wasmi 2 (tie-broken by wasmi 1) and compares what both observe.
//! - [`report`]: reproducers for a mismatch (WAT text, `.wasm` artifact).
//! - [`corpus`]: the spec testsuite modules that seed the `parse` corpus.
//!
//! Everything here is ordinary Rust, so a reproducer can also be replayed
//! outside libFuzzer (see `src/bin/replay.rs`).

pub mod corpus;
pub mod generate;
pub mod oracle;
pub mod report;

/// Whether a `Module::new` error is one of Kestrel's documented limits rather
/// than a bug: a valid module that Kestrel declines on purpose.
///
/// The only such limit today is a function that needs more than 65,535 frame
/// slots (`TranslateError::FrameTooLarge`, see ARCHITECTURE.md, "The
/// instruction set").
pub fn is_documented_limit(error: &kestrel_interp::Error) -> bool {
    matches!(
        error.kind(),
        kestrel_interp::ErrorKind::Translate {
            error: kestrel_interp::translate::TranslateError::FrameTooLarge,
            ..
        }
    )
}
