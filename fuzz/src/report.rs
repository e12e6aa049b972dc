//! Reproducers: the module as WAT, and a `.wasm` artifact named by its hash.

use std::fmt::Write as _;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

/// The module as WAT text (or why it cannot be printed).
pub fn wat(wasm: &[u8]) -> String {
    match wasmprinter::print_bytes(wasm) {
        Ok(text) => text,
        Err(e) => format!(";; wasmprinter could not print the module: {e}"),
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The fuzz crate's own directory (`fuzz/`), whatever the working directory.
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `wasm` to `fuzz/artifacts/<target>/<prefix>-<sha256>.wasm` and
/// returns the path (or the error, as text: a reproducer must never hide
/// the failure it reports).
pub fn write_artifact(target: &str, prefix: &str, wasm: &[u8]) -> String {
    let dir = fuzz_dir().join("artifacts").join(target);
    let path = dir.join(format!("{prefix}-{}.wasm", sha256_hex(wasm)));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, wasm)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("<could not write {}: {e}>", path.display()),
    }
}
