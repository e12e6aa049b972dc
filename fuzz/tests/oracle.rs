//! The fuzz crate's own logic: the generator stays within Kestrel's
//! features, and the oracle agrees, disagrees and tie-breaks as documented.
//! Run with `cargo test` in `fuzz/`.

use arbitrary::Unstructured;
use kestrel_fuzz::generate;
use kestrel_fuzz::oracle::{DifferentialOracle, KestrelFuel, Options, Value, Verdict};

fn wat(text: &str) -> Vec<u8> {
    let buffer = wast::parser::ParseBuffer::new(text).unwrap();
    let mut module = wast::parser::parse::<wast::Wat<'_>>(&buffer).unwrap();
    module.encode().unwrap()
}

/// Runs the module with Kestrel's fuel off and on; both must find no
/// mismatch. The verdict of the run with fuel.
fn run(text: &str) -> Verdict {
    let wasm = wat(text);
    let mut verdict = None;
    for fuel in [KestrelFuel::Off, KestrelFuel::On(1_000_000)] {
        let options = Options {
            kestrel_fuel: fuel,
            ..Options::default()
        };
        match DifferentialOracle::new(&wasm, options).run(&mut Unstructured::new(&[])) {
            Ok(v) => verdict = Some(v),
            Err(m) => panic!("mismatch with {fuel:?}:\n{m}"),
        }
    }
    verdict.unwrap()
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

#[test]
fn generated_modules_stay_within_kestrel_features() {
    let features = kestrel_core::features();
    for seed in 0..150 {
        let data = bytes(seed, 256 + (seed as usize * 97) % 6000);
        let mut u = Unstructured::new(&data);
        if let Ok((wasm, _)) = generate::differential_module(&mut u) {
            let mut validator = kestrel_core::wasmparser::Validator::new_with_features(features);
            if let Err(e) = validator.validate_all(&wasm) {
                panic!("differential seed {seed}: {e}");
            }
        }
        let mut u = Unstructured::new(&data);
        if let Ok(wasm) = generate::translate_module(&mut u) {
            let mut validator = kestrel_core::wasmparser::Validator::new_with_features(features);
            if let Err(e) = validator.validate_all(&wasm) {
                panic!("translate seed {seed}: {e}");
            }
        }
    }
}

#[test]
fn agrees_on_results_memory_globals_and_tables() {
    let verdict = run(r#"
        (module
          (memory (export "mem") 1 2)
          (global $g (export "g") (mut i64) (i64.const 7))
          (table (export "t") 4 funcref)
          (elem (i32.const 1) func $store)
          (func $store (export "store") (result i32 f64)
            (i32.store (i32.const 8) (i32.const 0x01020304))
            (global.set $g (i64.add (global.get $g) (i64.const 1)))
            (i32.load8_u (i32.const 9))
            (f64.div (f64.const 0) (f64.const 0)))
          (func (export "grow") (result i32) (memory.grow (i32.const 1))))
    "#);
    assert!(
        matches!(verdict, Verdict::Agreed { calls: 2 }),
        "{verdict:?}"
    );
}

#[test]
fn traps_compare_by_kind_and_failed_instantiation_by_both() {
    let verdict = run(r#"
        (module
          (table 1 funcref)
          (type $t (func))
          (func (export "div") (param i32) (result i32)
            (i32.div_s (i32.const 1) (local.get 0)))
          (func (export "oob_call") (call_indirect (type $t) (i32.const 5))))
    "#);
    assert!(
        matches!(verdict, Verdict::Agreed { calls: 2 }),
        "{verdict:?}"
    );

    let verdict = run(r#"
        (module (memory 1) (data (i32.const 65535) "ab"))
    "#);
    assert!(
        matches!(verdict, Verdict::BothFailedToInstantiate),
        "{verdict:?}"
    );
    // Found by the differential target: an empty element segment past the
    // table's end. Kestrel traps, wasmi returns an instantiation error; both
    // failed, which is what counts.
    let verdict = run(r#"
        (module (table 1 funcref) (elem (i32.const -9013174) func))
    "#);
    assert!(
        matches!(verdict, Verdict::BothFailedToInstantiate),
        "{verdict:?}"
    );
}

#[test]
fn stack_exhaustion_and_fuel_end_the_run_without_a_verdict() {
    let verdict = run(r#"(module (func $f (export "f") (call $f)))"#);
    assert!(matches!(verdict, Verdict::Skipped { .. }), "{verdict:?}");
    let verdict = run(r#"(module (func (export "f") (loop (br 0))))"#);
    assert!(matches!(verdict, Verdict::Skipped { .. }), "{verdict:?}");
}

/// wasmi 2.0.0 miscompiles `select` whose condition is `i32.eqz` of a local
/// (`f(7)` is 1 on wasmi 2.0.0, where the spec says 7); wasmi 1 and Kestrel agree on
/// 7, so the oracle reports a bug of the reference, not of Kestrel. When a
/// newer wasmi fixes this, this test fails: then the tie-breaker may go.
#[test]
fn wasmi2_select_eqz_bug_is_tie_broken_by_wasmi1() {
    let verdict = run(r#"
        (module
          (func $f (param i32) (result i32)
            i32.const 1
            local.get 0
            local.get 0
            i32.eqz
            select)
          (func (export "f7") (result i32) (call $f (i32.const 7))))
    "#);
    assert!(matches!(verdict, Verdict::ReferenceBug(_)), "{verdict:?}");
}

#[test]
fn nans_compare_by_nan_ness_everything_else_by_bits() {
    let quiet = Value::F32(0x7fc0_0000);
    let negative_payload = Value::F32(0xffc0_0001);
    assert!(quiet.same(&negative_payload));
    assert!(
        !Value::F32(0).same(&Value::F32(0x8000_0000)),
        "+0 and -0 differ"
    );
    assert!(
        !quiet.same(&Value::F64(0x7ff8_0000_0000_0000)),
        "types differ"
    );
    assert!(Value::F64(0x7ff8_0000_0000_0000).same(&Value::F64(0xfff0_0000_0000_0001)));
    assert!(!Value::I32(1).same(&Value::I32(2)));
}

/// A raw `differential` input (found by the fuzzer on 2026-11-26) whose
/// module makes wasmi 2.0.0's translator panic ("a register operand already
/// exists on the stack"). The oracle must not report that as a Kestrel
/// crash: it compares against wasmi 1 instead, and Kestrel agrees with it.
#[test]
fn a_wasmi2_translator_panic_falls_back_to_wasmi1() {
    let data = include_bytes!("inputs/wasmi2-translator-panic.bin");
    let mut u = Unstructured::new(data);
    let options = Options::arbitrary(&mut u).expect("options");
    let (wasm, _) = generate::differential_module(&mut u).expect("module");
    let verdict = DifferentialOracle::new(&wasm, options)
        .run(&mut u)
        .unwrap_or_else(|m| panic!("mismatch:\n{m}"));
    assert!(
        !matches!(verdict, Verdict::Skipped { .. }),
        "the module is compared, not skipped: {verdict:?}"
    );
}
