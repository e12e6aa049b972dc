//! Reproducers found by the fuzz targets in `fuzz/` (see fuzz/README.md),
//! one test each, so that what fuzzing once exercised stays covered.

use kestrel_interp::{Config, Engine, Linker, Module, Store};

/// Instantiates `wat` with and without fuel metering (the translation
/// differs) and returns `f(arg)` from both.
fn call_i32(wat: &str, arg: i32) -> [i32; 2] {
    [false, true].map(|fuel| {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(1_000_000).unwrap();
        }
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_typed_func::<i32, i32>(&store, "f").unwrap();
        f.call(&mut store, arg).unwrap()
    })
}

/// differential, `mismatch-f8a60eaf…`: wasm-smith's guard against a zero
/// divisor, `select(1, x, i32.eqz(x))`, after a block that leaves a value
/// behind a `br`. wasmi 2.0.0 fuses the `i32.eqz` into the `select` and reads
/// a stale condition (so it trapped with "integer divide by zero" where
/// Kestrel returned): a register interpreter's fusion of a compare into its
/// consumer is the kind of rewrite that goes wrong, so Kestrel's answer is
/// pinned here for the shapes the fuzzer and its minimisation produced.
#[test]
fn select_with_eqz_condition() {
    // The minimised reproducer: the divisor is never zero.
    let guarded_div = r#"
        (module
          (memory 1)
          (func (export "f") (param i32) (result i32)
            (local i32)
            block
              memory.size
              br 0
            end
            i32.const 1
            local.get 0
            local.get 0
            i32.eqz
            select
            local.set 1
            i32.const 5
            local.get 1
            i32.div_s))
    "#;
    assert_eq!(call_i32(guarded_div, 0), [5, 5]);
    assert_eq!(call_i32(guarded_div, 5), [1, 1]);
    assert_eq!(call_i32(guarded_div, -1), [-5, -5]);

    // The constant first, the local second: x == 0 ? 1 : x.
    for prelude in [
        "",
        "block nop end",
        "(drop (i32.add (local.get 0) (i32.const 1)))",
    ] {
        let wat = format!(
            r#"(module (func (export "f") (param i32) (result i32)
                 {prelude}
                 i32.const 1 local.get 0 local.get 0 i32.eqz select))"#
        );
        assert_eq!(call_i32(&wat, 0), [1, 1], "{prelude}");
        assert_eq!(call_i32(&wat, 7), [7, 7], "{prelude}");
    }
    // The local first, the constant second: x == 0 ? x : 1.
    let swapped = r#"(module (func (export "f") (param i32) (result i32)
        block end
        local.get 0 i32.const 1 local.get 0 i32.eqz select))"#;
    assert_eq!(call_i32(swapped, 0), [0, 0]);
    assert_eq!(call_i32(swapped, 7), [1, 1]);
    // `i32.ne` with 0 as the condition: x != 0 ? x : 1.
    let nez = r#"(module (func (export "f") (param i32) (result i32)
        local.get 0 i32.const 1 local.get 0 i32.const 0 i32.ne select))"#;
    assert_eq!(call_i32(nez, 0), [1, 1]);
    assert_eq!(call_i32(nez, 7), [7, 7]);
}
