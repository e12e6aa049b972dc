//! Builds the guest programs from the WAT sources in `guests/`.
//!
//! Every guest becomes a Wasm binary in `OUT_DIR`; with the `precompiled`
//! feature it also becomes a Kestrel bytecode image, translated here on the
//! build machine by the same kestrel-interp sources (with its translator) that
//! the firmware runs, so the firmware itself needs no translator.

use std::path::{Path, PathBuf};
use std::{env, fs};

/// The guests, by file stem; `src/guests.rs` embeds each one.
const GUESTS: [&str; 3] = ["hello", "compute", "recursion"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in GUESTS {
        let src = format!("guests/{name}.wat");
        println!("cargo:rerun-if-changed={src}");
        let wasm = wat::parse_file(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        write(&out.join(format!("{name}.wasm")), &wasm);
        #[cfg(feature = "precompiled")]
        {
            let image = kestrel_fw_imagec::compile(&wasm).unwrap_or_else(|e| panic!("{src}: {e}"));
            write(&out.join(format!("{name}.kbc")), &image);
        }
    }
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
