//! Kestrel's side-by-side benchmarks: the same Rust workloads on Kestrel,
//! wasmi, wasm3 and as native code, plus translation, instantiation and
//! memory measurements. See README.md for how to run it and read it.
//!
//! ```text
//! cargo run --release --manifest-path benches/Cargo.toml [-- OPTIONS]
//! ```

mod alloc_count;
mod engines;
mod machine;
mod measure;
mod report;
mod wasm_info;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use engines::kestrel::Kestrel;
use engines::native::Native;
use engines::wasm3::Wasm3;
use engines::wasmi::Wasmi;
use engines::{Loaded, Runner};
use report::{Report, WorkloadResult};

#[global_allocator]
static ALLOCATOR: alloc_count::Counting = alloc_count::Counting;

/// The workloads module, built for `wasm32v1-none` by build.rs.
static WORKLOADS_WASM: &[u8] = include_bytes!(env!("KESTREL_BENCH_WASM"));

/// The tiny module of the instantiation benchmark: one function, one page.
///
/// ```wat
/// (module
///   (memory 1)
///   (func (export "f") (param i32) (result i64)
///     local.get 0
///     i64.extend_i32_u))
/// ```
const TINY_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7e, // type: (i32) -> i64
    0x03, 0x02, 0x01, 0x00, // func: type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1 page
    0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export "f" = func 0
    0x0a, 0x07, 0x01, 0x05, 0x00, 0x20, 0x00, 0xad, 0x0b, // code
];

/// The size `n` each workload runs at: chosen so that one Kestrel run takes
/// roughly 0.2 to 1 s in a release build on the reference machine. The
/// second value is the size for `--quick`.
const SIZES: &[(&str, u32, u32)] = &[
    ("fib", 34, 20),
    ("collatz", 200_000, 5_000),
    ("sieve", 600_000, 20_000),
    ("sort", 300_000, 5_000),
    ("sha256", 400, 2),
    ("blake2b", 1_000, 2),
    ("nbody", 60_000, 2_000),
    ("matmul", 300, 30),
    ("deflate", 384, 8),
    ("json", 10_000, 50),
    ("regex", 768, 4),
    ("vm", 35_000, 2_000),
];

struct Options {
    runs: usize,
    only: Option<Vec<String>>,
    quick: bool,
    out: Option<PathBuf>,
}

const USAGE: &str = "\
usage: kestrel-bench [--runs N] [--only NAME,NAME...] [--quick] [--out DIR | --no-write]

  --runs N      timed runs per engine and workload (default 5), after one
                warm-up run each
  --only LIST   run only these workloads (comma-separated)
  --quick       small sizes and 2 runs: a smoke test of every engine
  --out DIR     write latest.json and latest.svg to DIR (default: the
                results/ folder beside this crate's Cargo.toml, for full
                runs of every workload; --only and --quick write nothing
                unless --out is given)
  --no-write    print the table only";

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        runs: 5,
        only: None,
        quick: false,
        out: None,
    };
    let mut runs_given = false;
    let mut no_write = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--runs" => {
                options.runs = value("--runs")?
                    .parse()
                    .ok()
                    .filter(|&r| r > 0)
                    .ok_or("--runs needs a positive number")?;
                runs_given = true;
            }
            "--only" => {
                let list: Vec<String> = value("--only")?.split(',').map(str::to_string).collect();
                for name in &list {
                    if !SIZES.iter().any(|s| s.0 == name) {
                        return Err(format!("no workload named {name:?}"));
                    }
                }
                options.only = Some(list);
            }
            "--quick" => options.quick = true,
            "--out" => options.out = Some(PathBuf::from(value("--out")?)),
            "--no-write" => no_write = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    if options.quick && !runs_given {
        options.runs = 2;
    }
    if no_write {
        options.out = None;
    } else if options.out.is_none() && !options.quick && options.only.is_none() {
        options.out = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"));
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("kestrel-bench: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!();
                eprintln!(
                    "kestrel-bench: FAILED: {} check(s) failed:",
                    report.failures.len()
                );
                for failure in &report.failures {
                    eprintln!("  {failure}");
                }
                eprintln!("no results were written");
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            eprintln!("kestrel-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<Report, String> {
    let started = Instant::now();
    // What else runs on the machine, measured while this process sleeps.
    let busy_start = machine::background_busy(Duration::from_secs(1));
    let cpu_start = machine::CpuTimes::now();
    let machine = machine::Machine::detect();
    let module = wasm_info::summary(WORKLOADS_WASM)?;
    eprintln!(
        "workloads module: {} bytes ({} bytes of code in {} functions)",
        module.bytes, module.code_bytes, module.functions
    );

    let mut runners: Vec<Box<dyn Runner>> = vec![
        Box::new(Loaded::new(Kestrel::new(), WORKLOADS_WASM).map_err(|e| format!("kestrel: {e}"))?),
        Box::new(Loaded::new(Wasmi::new(), WORKLOADS_WASM).map_err(|e| format!("wasmi: {e}"))?),
        Box::new(Loaded::new(Wasm3::new()?, WORKLOADS_WASM).map_err(|e| format!("wasm3: {e}"))?),
        Box::new(Native),
    ];
    let engines: Vec<&'static str> = runners.iter().map(|r| r.name()).collect();
    let mut failures = Vec::new();

    // Execution: every workload on every engine, runs interleaved.
    let mut workloads = Vec::new();
    for &(name, n_full, n_quick) in SIZES {
        if let Some(only) = &options.only
            && !only.iter().any(|o| o == name)
        {
            continue;
        }
        let n = if options.quick { n_quick } else { n_full };
        let description = kestrel_bench_workloads::ALL
            .iter()
            .find(|w| w.name == name)
            .map(|w| w.description)
            .ok_or_else(|| format!("{name} is not in the workloads crate"))?;
        eprint!("{name} (n = {n}):");
        let result = measure::execution(&mut runners, name, n, options.runs, &mut failures);
        for (engine, samples) in engines.iter().zip(&result.samples) {
            if !samples.is_empty() {
                eprint!(" {engine} {}", report::fmt_time(measure::median(samples)));
            }
        }
        eprintln!();
        workloads.push(WorkloadResult {
            name,
            description,
            n,
            checksum: result.checksum,
            samples: result.samples,
        });
    }
    drop(runners);

    eprintln!("translation of the workloads module ...");
    let translation = measure::translation(WORKLOADS_WASM, if options.quick { 2 } else { 15 })?;
    eprintln!("instantiation ...");
    let (instantiation, memory) = measure::instantiation(
        TINY_WASM,
        WORKLOADS_WASM,
        if options.quick { 1 } else { 5 },
        &mut failures,
    )?;

    let busy_during = cpu_start
        .zip(machine::CpuTimes::now())
        .and_then(|(start, end)| start.others_share(&end));
    let busy_end = machine::background_busy(Duration::from_secs(1));
    let report = Report {
        machine,
        busy_start,
        busy_during,
        busy_end,
        load_end: machine::load_average(),
        runs: options.runs,
        quick: options.quick,
        engines,
        module,
        workloads,
        translation,
        instantiation,
        memory,
        peak_rss: machine::proc_status_bytes("VmHWM"),
        elapsed: started.elapsed(),
        failures,
    };
    println!("{}", report.markdown());
    if report.failures.is_empty()
        && let Some(out) = &options.out
    {
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        let json = out.join("latest.json");
        let svg = out.join("latest.svg");
        let text = serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())?;
        std::fs::write(&json, text + "\n").map_err(|e| format!("{}: {e}", json.display()))?;
        std::fs::write(&svg, report.svg()).map_err(|e| format!("{}: {e}", svg.display()))?;
        eprintln!("wrote {} and {}", json.display(), svg.display());
    }
    Ok(report)
}
