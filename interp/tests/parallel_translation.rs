//! `Config::parallel_translation`: a module translated on several threads is
//! the same module, and an invalid one gets the same error, as on the
//! calling thread alone.

use kestrel_interp::{Config, Engine, Error, Linker, Module, Store};

/// Functions in the generated module: enough code for several threads.
const FUNCS: usize = 4000;

/// The two engines compared, with fuel metering on or off.
fn engines(fuel: bool) -> (Engine, Engine) {
    let parallel = Engine::new(Config::new().consume_fuel(fuel));
    let sequential = Engine::new(Config::new().consume_fuel(fuel).parallel_translation(false));
    (parallel, sequential)
}

/// Body `i` of the generated module, all of type `(param i32) (result i32)`:
/// arithmetic, loops, branches, memory, globals and calls, with constants
/// that vary with `i`.
fn body(i: usize) -> String {
    let k = i * 7 + 1;
    match i % 9 {
        0 => format!("local.get 0 i32.const {k} i32.add"),
        1 => format!(
            "(local i32) block loop local.get 0 i32.eqz br_if 1 \
             local.get 1 local.get 0 i32.add i32.const {k} i32.xor local.set 1 \
             local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1"
        ),
        2 => format!(
            "i32.const {a} local.get 0 i32.store i32.const {a} i32.load8_u \
             i32.const {a} i32.load16_s i32.mul",
            a = k % 60000
        ),
        3 => format!("local.get 0 i32.const {k} i32.mul call $f{}", i - 1),
        4 => format!(
            "block block block local.get 0 i32.const 3 i32.and br_table 0 1 2 end \
             i32.const {k} return end local.get 0 if (result i32) i32.const 1 \
             else i32.const {k} end return end i32.const -{k}"
        ),
        5 => format!(
            "local.get 0 i64.extend_i32_s i64.const {k} i64.mul f64.convert_i64_s \
             f64.sqrt f64.const 0.5 f64.add i32.trunc_sat_f64_s"
        ),
        6 => format!("local.get 0 i32.const {} call_indirect (type $t)", k % 8),
        7 => format!(
            "global.get $g local.get 0 i32.add i32.const {k} i32.rotl global.set $g \
             global.get $g"
        ),
        _ => format!(
            "i32.const {a} i32.const 0 i32.const 4 memory.init $d \
             i32.const {a} i32.load local.get 0 i32.sub",
            a = k % 60000
        ),
    }
}

/// The generated module, with body `i` replaced by `bad(i)` where that is
/// `Some`.
fn module_with(bad: impl Fn(usize) -> Option<&'static str>) -> Vec<u8> {
    let mut wat = String::from(
        "(module (type $t (func (param i32) (result i32))) (memory 1) \
         (global $g (mut i32) (i32.const 0)) (table 8 funcref) \
         (elem (i32.const 0) $f0 $f1 $f2 $f3 $f4 $f5 $f7 $f8) \
         (data $d \"\\01\\02\\03\\04\")\n",
    );
    for i in 0..FUNCS {
        let code = bad(i).map_or_else(|| body(i), String::from);
        wat.push_str(&format!(
            "(func $f{i} (export \"f{i}\") (type $t) {code})\n"
        ));
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).expect("valid text");
    // Far above the threshold for two threads.
    assert!(bytes.len() > 64 * 1024, "{} bytes", bytes.len());
    bytes
}

fn module() -> Vec<u8> {
    module_with(|_| None)
}

/// The error both paths give for `bytes`, which must be the same.
fn same_error(bytes: &[u8]) -> Error {
    let (parallel, sequential) = engines(false);
    let Err(expected) = Module::new(&sequential, bytes) else {
        panic!("accepted an invalid module")
    };
    let Err(got) = Module::new(&parallel, bytes) else {
        panic!("accepted an invalid module with threads")
    };
    assert_eq!(format!("{got:?}"), format!("{expected:?}"));
    assert_eq!(got.to_string(), expected.to_string());
    got
}

/// A body that does not validate: an i64 where the result is an i32.
const WRONG_TYPE: &str = "i64.const 0";
/// Another invalid body, with a different message.
const UNKNOWN_LOCAL: &str = "local.get 7";

#[test]
fn same_bytecode_with_and_without_threads() {
    let bytes = module();
    for fuel in [false, true] {
        let (parallel, sequential) = engines(fuel);
        let a = Module::new(&parallel, &bytes).expect("valid");
        let b = Module::new(&sequential, &bytes).expect("valid");
        assert_eq!(a.serialize(), b.serialize(), "fuel: {fuel}");
    }
}

#[test]
fn exported_functions_run() {
    let bytes = module();
    let (parallel, sequential) = engines(false);
    let results = |engine: &Engine| -> Vec<i32> {
        let module = Module::new(engine, &bytes).expect("valid");
        let mut store = Store::new(engine, ());
        let instance = Linker::new(engine)
            .instantiate(&mut store, &module)
            .expect("instantiate");
        (0..FUNCS)
            .step_by(7)
            .map(|i| {
                let f = instance
                    .get_typed_func::<i32, i32>(&store, &format!("f{i}"))
                    .expect("export");
                f.call(&mut store, (i % 13) as i32).expect("call")
            })
            .collect()
    };
    let got = results(&parallel);
    assert_eq!(got, results(&sequential));
    // f0 adds 1 to its argument, 0.
    assert_eq!(got[0], 1);
    assert_eq!(got.len(), FUNCS.div_ceil(7));
}

#[test]
fn invalid_first_or_last_body() {
    for at in [0, FUNCS - 1] {
        let e = same_error(&module_with(|i| (i == at).then_some(WRONG_TYPE)));
        assert!(e.to_string().contains("type mismatch"), "{e}");
    }
}

#[test]
fn lowest_failing_body_is_reported() {
    // Far apart, so in different runs; the later one has another message.
    let both = module_with(|i| match i {
        100 => Some(WRONG_TYPE),
        3900 => Some(UNKNOWN_LOCAL),
        _ => None,
    });
    let e = same_error(&both);
    let low = same_error(&module_with(|i| (i == 100).then_some(WRONG_TYPE)));
    assert_eq!(e.to_string(), low.to_string());
    let high = same_error(&module_with(|i| (i == 3900).then_some(UNKNOWN_LOCAL)));
    assert_ne!(e.to_string(), high.to_string());
}

/// A second data section after the first: malformed (out of order), and
/// found only after every function body.
fn with_late_section(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.extend([11, 1, 0]);
    bytes
}

#[test]
fn body_error_comes_before_a_later_section_error() {
    let late = same_error(&with_late_section(module()));
    assert!(late.to_string().contains("out of order"), "{late}");
    // An invalid body precedes the bad section, so it is reported, as the
    // one-pass path stops there.
    let bad_body = module_with(|i| (i == 3000).then_some(WRONG_TYPE));
    let e = same_error(&with_late_section(bad_body.clone()));
    assert_eq!(e.to_string(), same_error(&bad_body).to_string());
    assert!(e.to_string().contains("type mismatch"), "{e}");
}

#[test]
fn small_modules_translate_either_way() {
    let wat = (0..10)
        .map(|i| format!("(func (export \"f{i}\") (result i32) i32.const {i})"))
        .collect::<String>();
    let bytes = wat::parse_str(format!("(module {wat})")).expect("valid text");
    let (parallel, sequential) = engines(false);
    let a = Module::new(&parallel, &bytes).expect("valid");
    let b = Module::new(&sequential, &bytes).expect("valid");
    assert_eq!(a.serialize(), b.serialize());
    let bad = wat::parse_str("(module (func (result i32) i64.const 0))").expect("valid text");
    same_error(&bad);
}
