//! Replays modules and fuzz inputs outside libFuzzer, for triage and for
//! checking a fix:
//!
//! ```text
//! cargo run --release --bin replay -- differential [--fuel-off] FILE.wasm|FILE.wat...
//! cargo run --release --bin replay -- translate FILE.wasm|FILE.wat...
//! cargo run --release --bin replay -- print RAW_INPUT...
//! cargo run --release --bin replay -- stats CORPUS_DIR...
//! ```
//!
//! - `differential` runs the oracle on a module with default options
//!   (Kestrel fuel on, or off with `--fuel-off`), each exported function
//!   called once with zero arguments.
//! - `translate` checks that `Module::new` accepts the module, with and
//!   without fuel metering.
//! - `print` shows the options and the module (as WAT) that a raw
//!   `differential` input generates.
//! - `stats` runs every raw input of `differential` corpora through the
//!   target's own steps and tallies how the runs ended: how much of the
//!   generated code the oracle really compares.
//!
//! To replay a raw libFuzzer input (`crash-*`) with the exact options and
//! arguments it encodes, use `cargo +nightly fuzz run <target> <file>`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use arbitrary::Unstructured;
use kestrel_fuzz::oracle::{DifferentialOracle, KestrelFuel, Options, Verdict};
use kestrel_fuzz::{generate, is_documented_limit, report};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let args: Vec<String> = args.collect();
    let ok = match mode.as_str() {
        "differential" => differential(&args),
        "translate" => translate(&args),
        "print" => print(&args),
        "stats" => stats(&args),
        _ => {
            eprintln!(
                "usage: replay (differential [--fuel-off] | translate) FILE.wasm|FILE.wat...\n       \
                 replay print RAW_INPUT...\n       replay stats CORPUS_DIR..."
            );
            false
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn differential(args: &[String]) -> bool {
    let mut options = Options::default();
    let mut ok = true;
    for arg in args {
        if arg == "--fuel-off" {
            options.kestrel_fuel = KestrelFuel::Off;
            continue;
        }
        let Some(wasm) = read_module(arg) else {
            ok = false;
            continue;
        };
        match DifferentialOracle::new(&wasm, options).run(&mut Unstructured::new(&[])) {
            Ok(verdict) => println!("{arg}: {verdict:?}"),
            Err(mismatch) => {
                println!("{arg}: MISMATCH\n{mismatch}\n{}", report::wat(&wasm));
                ok = false;
            }
        }
    }
    ok
}

fn translate(args: &[String]) -> bool {
    let mut ok = true;
    for arg in args {
        let Some(wasm) = read_module(arg) else {
            ok = false;
            continue;
        };
        for fuel in [false, true] {
            let mut config = kestrel_interp::Config::new();
            config.consume_fuel(fuel);
            let engine = kestrel_interp::Engine::new(&config);
            match kestrel_interp::Module::new(&engine, &wasm) {
                Ok(_) => println!("{arg} (fuel {fuel}): ok"),
                Err(e) if is_documented_limit(&e) => {
                    println!("{arg} (fuel {fuel}): documented limit: {e}")
                }
                Err(e) => {
                    println!("{arg} (fuel {fuel}): REJECTED: {e}");
                    ok = false;
                }
            }
        }
    }
    ok
}

fn print(args: &[String]) -> bool {
    for arg in args {
        let Ok(data) = std::fs::read(arg) else {
            eprintln!("{arg}: cannot read");
            return false;
        };
        let mut u = Unstructured::new(&data);
        match Options::arbitrary(&mut u)
            .and_then(|o| generate::differential_module(&mut u).map(|m| (o, m)))
        {
            Ok((options, (wasm, termination))) => println!(
                ";; {arg}\n;; {options:?}\n;; {termination:?}\n{}",
                report::wat(&wasm)
            ),
            Err(e) => println!(";; {arg}: no module: {e}"),
        }
    }
    true
}

fn stats(dirs: &[String]) -> bool {
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let (mut inputs, mut calls, mut mismatches) = (0usize, 0usize, 0usize);
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("{dir}: cannot read");
            return false;
        };
        for entry in entries.flatten() {
            let Ok(data) = std::fs::read(entry.path()) else {
                continue;
            };
            inputs += 1;
            let mut u = Unstructured::new(&data);
            let generated = Options::arbitrary(&mut u)
                .and_then(|o| generate::differential_module(&mut u).map(|(m, _)| (o, m)));
            let Ok((options, wasm)) = generated else {
                *tally
                    .entry("no module (input too short)".into())
                    .or_default() += 1;
                continue;
            };
            let key = match DifferentialOracle::new(&wasm, options).run(&mut u) {
                Ok(Verdict::Agreed { calls: n }) => {
                    calls += n;
                    if n == 0 { "agreed, no call" } else { "agreed" }.to_string()
                }
                Ok(Verdict::BothFailedToInstantiate) => "both failed to instantiate".into(),
                Ok(Verdict::Skipped { reason, calls: n }) => {
                    calls += n;
                    // Group by the kind of limit, without export names.
                    let reason = match (reason.find('`'), reason.rfind('`')) {
                        (Some(a), Some(b)) if a < b => {
                            format!("{}<f>{}", &reason[..a], &reason[b + 1..])
                        }
                        _ => reason,
                    };
                    format!("skipped: {reason}")
                }
                Ok(Verdict::ReferenceBug(m)) => {
                    format!(
                        "wasmi 2 bug (wasmi 1 agrees with Kestrel) at {}",
                        m.stage.split('`').next().unwrap_or("")
                    )
                }
                Err(m) => {
                    mismatches += 1;
                    println!("{}: MISMATCH\n{m}", entry.path().display());
                    "MISMATCH".to_string()
                }
            };
            *tally.entry(key).or_default() += 1;
        }
    }
    println!("{inputs} inputs, {calls} calls compared");
    for (key, n) in &tally {
        println!("{n:>8}  {key}");
    }
    mismatches == 0
}

/// A module from a `.wasm` file, or a `.wat` file encoded.
fn read_module(path: &str) -> Option<Vec<u8>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{path}: {e}");
            return None;
        }
    };
    if !path.ends_with(".wat") {
        return Some(bytes);
    }
    let encoded = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let buffer = wast::parser::ParseBuffer::new(text).map_err(|e| e.to_string())?;
            let mut wat =
                wast::parser::parse::<wast::Wat<'_>>(&buffer).map_err(|e| e.to_string())?;
            wat.encode().map_err(|e| e.to_string())
        });
    match encoded {
        Ok(wasm) => Some(wasm),
        Err(e) => {
            eprintln!("{path}: {e}");
            None
        }
    }
}
