//! Writes the seed corpora under `fuzz/corpus/` (or the directory given as
//! the first argument):
//!
//! - `parse/`: every module of the spec testsuite's `wasm-v2` scripts,
//!   valid, invalid and malformed alike; identical modules once.
//! - `translate/` and `differential/`: 64 deterministic pseudo-random inputs
//!   of 256 bytes to 8 KiB each. Those targets read their input as a byte
//!   source for wasm-smith, where a module binary means nothing; long seeds
//!   let libFuzzer start with large modules instead of growing its length
//!   limit from a few bytes.
//!
//! Safe to run again: its own files are rewritten, others kept.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kestrel_fuzz::{corpus, report};

fn main() -> ExitCode {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| report::fuzz_dir().join("corpus"));
    match run(&root) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("seed_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(root: &Path) -> Result<(), String> {
    let dir = create(&root.join("parse"))?;
    let modules = corpus::spec_v2_modules();
    let mut seen = HashSet::new();
    let mut written = 0;
    for m in &modules {
        if seen.insert(m.bytes.clone()) {
            write(
                &dir.join(format!("spec-{}-{:03}.wasm", m.script, m.index)),
                &m.bytes,
            )?;
            written += 1;
        }
    }
    if written == 0 {
        return Err("no modules found in the wasm-v2 scripts".into());
    }
    println!(
        "seed_corpus: {written} distinct spec modules (of {}) in {}",
        modules.len(),
        dir.display()
    );

    for target in ["translate", "differential"] {
        let dir = create(&root.join(target))?;
        // xorshift64*, seeded per target: the same seeds on every machine.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ target.len() as u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        for i in 0..64 {
            let len = 256 + (next() % (8192 - 256)) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| (next() >> 56) as u8).collect();
            write(&dir.join(format!("seed-{i:02}")), &bytes)?;
        }
        println!("seed_corpus: 64 random seeds in {}", dir.display());
    }
    Ok(())
}

fn create(dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir.to_path_buf())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
