//! Decides whether the `tail-call-dispatch` feature takes effect.
//!
//! Tail-call dispatch is only sound when every handler's call to the next
//! one compiles to a jump: otherwise each executed op would take native
//! stack. Stable Rust cannot require that, so the backend is compiled only
//! where LLVM's sibling-call optimisation is known to run and is tested
//! (`interp/tests/tail_calls.rs`): x86-64, optimised builds. Anywhere else the
//! feature is accepted and the portable loop runs.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kestrel_tail_calls)");
    println!("cargo::rustc-check-cfg=cfg(kestrel_compact_translate)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    println!("cargo::rerun-if-env-changed=KESTREL_TAIL_CALLS");
    let feature = env::var_os("CARGO_FEATURE_TAIL_CALL_DISPATCH").is_some();
    let opt_level = env::var("OPT_LEVEL");
    let optimised = matches!(opt_level.as_deref(), Ok("2" | "3" | "s" | "z"));
    // Optimised for size, or for a bare-metal target: the translator keeps
    // its per-`Operator` loop rather than being inlined into each of the
    // validating visitor's methods (translate/visit.rs), which made
    // Kestrel's code 115 KiB larger on Cortex-M at opt-level 3.
    let bare_metal = env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("none");
    if bare_metal || matches!(opt_level.as_deref(), Ok("s" | "z")) {
        println!("cargo::rustc-cfg=kestrel_compact_translate");
    }
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    // Miri interprets every call as a call.
    let miri = env::var_os("CARGO_CFG_MIRI").is_some();
    // For checking the backend under Miri only (CI does): every handler
    // then really calls the next, so only short runs fit the stack.
    let forced = env::var("KESTREL_TAIL_CALLS").as_deref() == Ok("force");
    // The op profile counts in the loop's fetch.
    let profile = env::var_os("CARGO_FEATURE_OP_PROFILE").is_some();
    if feature && !profile && (forced || (optimised && arch == "x86_64" && !miri)) {
        println!("cargo::rustc-cfg=kestrel_tail_calls");
    }
}
