//! Builds the workloads for `wasm32v1-none` and hands the runner the module.
//!
//! The workloads crate (`workloads/`) is built by a nested
//! `cargo rustc --release --target wasm32v1-none --crate-type cdylib`, in a
//! target directory of its own (`<target dir>/wasm-workloads`; the outer
//! build holds the lock of its own directory), always with the release
//! profile of this workspace. The runner embeds the module with
//! `include_bytes!(env!("KESTREL_BENCH_WASM"))`.
//!
//! `wasm32v1-none` rather than `wasm32-unknown-unknown`: its code uses only
//! the Wasm 1.0 instruction set plus mutable globals. The prebuilt standard
//! library of `wasm32-unknown-unknown` uses bulk-memory instructions, which
//! wasm3 0.4.7 (bundled by the `wasm3` crate) rejects.
//!
//! It also passes the versions of the engines under test (from `Cargo.lock`)
//! and of rustc to the runner, for its report.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32v1-none";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workloads = manifest_dir.join("workloads");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=workloads/Cargo.toml");
    println!("cargo:rerun-if-changed=workloads/src");

    let wasm = build_workloads(&workloads);
    println!("cargo:rustc-env=KESTREL_BENCH_WASM={}", wasm.display());

    let lock = std::fs::read_to_string(manifest_dir.join("Cargo.lock")).unwrap_or_default();
    for (krate, var) in [
        ("kestrel-interp", "KESTREL_BENCH_KESTREL_VERSION"),
        ("wasmi", "KESTREL_BENCH_WASMI_VERSION"),
        ("wasm3", "KESTREL_BENCH_WASM3_VERSION"),
    ] {
        let version = locked_version(&lock, krate).unwrap_or_else(|| "unknown".to_string());
        println!("cargo:rustc-env={var}={version}");
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=KESTREL_BENCH_RUSTC_VERSION={rustc_version}");
    // The flags every engine was compiled with (RUSTFLAGS or a cargo
    // config), for the report: code layout moves interpreter timings.
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let flags = flags.split('\x1f').collect::<Vec<_>>().join(" ");
    println!("cargo:rustc-env=KESTREL_BENCH_RUSTFLAGS={flags}");
}

/// Builds the workloads cdylib and returns the path of the `.wasm` file.
fn build_workloads(workloads: &Path) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // OUT_DIR is <target dir>[/<triple>]/<profile>/build/<package>-<hash>/out.
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .expect("OUT_DIR has the usual layout")
        .join("wasm-workloads");

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    if let Ok(out) = Command::new(&rustc).args(["--print", "sysroot"]).output() {
        let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && !sysroot.join("lib/rustlib").join(TARGET).exists() {
            panic!(
                "the {TARGET} target is not installed for {rustc}: \
                 run `rustup target add {TARGET}` and build again"
            );
        }
    }

    let mut cmd = Command::new(&cargo);
    cmd.arg("rustc")
        .arg("--manifest-path")
        .arg(workloads.join("Cargo.toml"))
        .args([
            "--lib",
            "--release",
            "--target",
            TARGET,
            "--crate-type",
            "cdylib",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        // The module carries its name section (function names) but no
        // DWARF, whatever the profile says for the runner.
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo");
    // Settings meant for the outer build only.
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PROFILE_RELEASE_LTO",
        "CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS",
        "CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cargo}: {e}"));
    if !out.status.success() {
        panic!(
            "building the workloads for {TARGET} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join("kestrel_bench_workloads.wasm");
    assert!(wasm.exists(), "{} was not built", wasm.display());
    wasm
}

/// The version of `krate` in a `Cargo.lock` (the first one listed).
fn locked_version(lock: &str, krate: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{krate}\"") {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}
