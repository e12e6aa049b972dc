//! Per-file results and their rendering.

use std::fmt;

/// One directive that did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Directive kind as written in the script, e.g. `assert_return`.
    pub kind: &'static str,
    /// 1-based line of the directive in the `.wast` file (0 if unknown).
    pub line: usize,
    /// 1-based column of the directive in the `.wast` file (0 if unknown).
    pub col: usize,
    /// What was expected and what happened instead.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {}:{}: {}",
            self.kind, self.line, self.col, self.message
        )
    }
}

/// The outcome of running one `.wast` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// The name the file was run under (e.g. `wasm-v2/br_table.wast`).
    pub name: String,
    /// Directives that behaved as the script says.
    pub passed: usize,
    /// Directives that did not; each has an entry in `failures`.
    pub failed: usize,
    /// Directives not run because the file is in [`crate::SKIPS`].
    pub skipped: usize,
    /// The skip-list reason, when the whole file was skipped.
    pub skip_reason: Option<&'static str>,
    /// One entry per failed directive, in file order.
    pub failures: Vec<Failure>,
}

impl FileReport {
    /// An empty report for `name`.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// A report whose only content is one failure not tied to a directive
    /// (file could not be parsed, timed out, worker thread died, ...).
    pub fn single_failure(name: &str, kind: &'static str, message: String) -> Self {
        let mut report = Self::new(name);
        report.fail(Failure {
            kind,
            line: 0,
            col: 0,
            message,
        });
        report
    }

    /// Records a failure and bumps the failed count.
    pub fn fail(&mut self, failure: Failure) {
        self.failed += 1;
        self.failures.push(failure);
    }

    /// True when nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }
}

/// Sums over a set of reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    /// Adds up the counts of `reports`.
    pub fn of(reports: &[FileReport]) -> Self {
        reports.iter().fold(Self::default(), |t, r| Self {
            passed: t.passed + r.passed,
            failed: t.failed + r.failed,
            skipped: t.skipped + r.skipped,
        })
    }
}

/// Renders the per-file table: one row per report (in the given order) with
/// passed / failed / skipped counts and, for skipped files, the reason.
pub fn render_table(reports: &[FileReport]) -> String {
    let width = reports
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max("file".len());
    let mut out = format!(
        "{:<width$}  {:>7}  {:>7}  {:>7}\n",
        "file", "passed", "failed", "skipped"
    );
    for r in reports {
        out.push_str(&format!(
            "{:<width$}  {:>7}  {:>7}  {:>7}",
            r.name, r.passed, r.failed, r.skipped
        ));
        if let Some(reason) = r.skip_reason {
            out.push_str(&format!("  (skipped: {reason})"));
        }
        out.push('\n');
    }
    out
}

/// Renders up to `max_per_file` failure messages of every failing report.
pub fn render_failures(reports: &[FileReport], max_per_file: usize) -> String {
    let mut out = String::new();
    for r in reports.iter().filter(|r| !r.failures.is_empty()) {
        out.push_str(&format!("\n--- {}: {} failed\n", r.name, r.failed));
        for failure in r.failures.iter().take(max_per_file) {
            out.push_str(&format!("  {failure}\n"));
        }
        if r.failures.len() > max_per_file {
            out.push_str(&format!(
                "  ... and {} more\n",
                r.failures.len() - max_per_file
            ));
        }
    }
    out
}
