//! wasm-smith configurations restricted to what Kestrel implements.
//!
//! Kestrel implements WebAssembly 2.0 without SIMD
//! (`kestrel_core::features()`): mutable globals, sign-extension ops,
//! saturating float-to-int, multi-value, bulk memory and reference types.
//! Every proposal beyond that is switched off here: SIMD and relaxed SIMD,
//! threads, tail calls, GC and function references, exceptions, memory64,
//! multi-memory, custom page sizes, extended constant expressions, wide
//! arithmetic, compact imports and the other pre-standard proposals.

use arbitrary::{Result, Unstructured};
use wasm_smith::{Config, Module};

/// Switches off everything Kestrel does not implement, keeping the rest of
/// `config` (limits and the Wasm 2.0 features it enabled) as it is.
pub fn restrict_to_kestrel(config: &mut Config) {
    config.simd_enabled = false;
    config.relaxed_simd_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.tail_call_enabled = false;
    config.gc_enabled = false;
    config.custom_descriptors_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.exceptions_enabled = false;
    config.max_tags = 0;
    config.memory64_enabled = false;
    config.max_memories = config.max_memories.min(1);
    config.custom_page_sizes_enabled = false;
    config.extended_const_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.compact_imports_enabled = false;
    // Without reference types there is at most one table (wasm-smith's own
    // rule); keep it so that a config built by hand stays consistent.
    if !config.reference_types_enabled {
        config.max_tables = config.max_tables.min(1);
    }
    // Nested modules and components are component-model only.
    config.max_modules = 0;
    config.max_instances = 0;
    config.max_components = 0;
}

/// Every Wasm 2.0 feature Kestrel implements, switched on.
pub fn enable_wasm2(config: &mut Config) {
    config.bulk_memory_enabled = true;
    config.reference_types_enabled = true;
    config.multi_value_enabled = true;
    config.sign_extension_ops_enabled = true;
    config.saturating_float_to_int_enabled = true;
}

/// A varied configuration for the `translate` target: wasm-smith's own
/// arbitrary configuration (random limits, feature subsets, instruction
/// kinds, over-long LEB128 encodings, ...) restricted to Kestrel's features.
pub fn translate_config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut config: Config = u.arbitrary()?;
    restrict_to_kestrel(&mut config);
    Ok(config)
}

/// The configuration of the `differential` target.
///
/// Besides the feature set it keeps execution comparable and bounded:
///
/// - no imports, so both engines instantiate the module alone;
/// - every item exported, so both engines' memories, globals and tables can
///   be compared after each call;
/// - NaNs canonicalised after every arithmetic float op, so that NaN bits
///   (which the spec leaves partly open) cannot reach memory or integers
///   and make the engines differ legitimately;
/// - memories and tables must declare a small maximum, so `memory.grow` and
///   `table.grow` cannot ask for gigabytes.
pub fn differential_config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut config = Config::default();
    enable_wasm2(&mut config);
    // Turn single features off now and then, so that code generated without
    // them (and its different instruction mix) is covered too.
    config.bulk_memory_enabled = u.ratio(7, 8)?;
    config.reference_types_enabled = config.bulk_memory_enabled && u.ratio(7, 8)?;
    config.multi_value_enabled = u.ratio(7, 8)?;
    config.allow_floats = u.ratio(7, 8)?;
    restrict_to_kestrel(&mut config);

    config.max_imports = 0;
    config.min_imports = 0;
    config.available_imports = None;
    config.export_everything = true;
    config.allow_start_export = true;
    config.canonicalize_nans = true;

    config.max_funcs = u.int_in_range(1..=30)?;
    config.min_types = 1;
    config.min_funcs = 1;
    config.max_instructions = u.int_in_range(1..=400)?;
    config.max_globals = 20;
    config.max_data_segments = 10;
    config.max_element_segments = 10;
    config.max_elements = 50;
    config.max_tables = if config.reference_types_enabled { 3 } else { 1 };
    config.max_nesting_depth = u.int_in_range(1..=10)?;
    config.memory_max_size_required = true;
    config.max_memory32_bytes = 16 * 65536;
    config.table_max_size_required = true;
    config.max_table_elements = 1000;
    config.disallow_traps = u.ratio(1, 4)?;
    Ok(config)
}

/// A module for the `translate` target.
pub fn translate_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let config = translate_config(u)?;
    Ok(Module::new(config, u)?.to_bytes())
}

/// How a generated module is kept from running forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// wasm-smith's `ensure_termination` instrumented the module: a global
    /// counter decremented at function entries and loop heads, trapping with
    /// `unreachable` at zero. Both engines see the same trap.
    Instrumented {
        /// The counter's initial value.
        budget: u32,
    },
    /// The module is as generated; only the engines' fuel bounds it.
    EngineFuel,
}

/// A module for the `differential` target, and how it terminates.
pub fn differential_module(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, Termination)> {
    let config = differential_config(u)?;
    let instrument = u.ratio(3, 4)?;
    // Below wasmi's default recursion limit (1000 frames), so that recursion
    // ends in the counter's `unreachable` (compared) rather than in stack
    // exhaustion (skipped).
    let budget = u.int_in_range(1..=900)?;
    let mut module = Module::new(config, u)?;
    let termination = if instrument && module.ensure_termination(budget).is_ok() {
        Termination::Instrumented { budget }
    } else {
        Termination::EngineFuel
    };
    Ok((module.to_bytes(), termination))
}
