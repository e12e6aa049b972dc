//! Translator fusions give the same results as the unfused instructions.

use kestrel_interp::{Engine, Linker, Module, Store};

fn run_i64(wat: &str, name: &str, arg: i64) -> i64 {
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).expect("wat")).expect("module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    instance
        .get_typed_func::<i64, i64>(&store, name)
        .expect("export")
        .call(&mut store, arg)
        .expect("call")
}

/// `select` on `eqz(x)` becomes a `select` on `x` with its operands swapped.
#[test]
fn select_on_eqz_swaps_operands() {
    let wat = r#"
        (module
          ;; Collatz step: x & 1 == 0 ? x >> 1 : 3x + 1, as rustc emits it.
          (func (export "step64") (param i64) (result i64)
            (select
              (i64.shr_u (local.get 0) (i64.const 1))
              (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 1))
              (i64.eqz (i64.and (local.get 0) (i64.const 1)))))
          ;; The tested value is a local, not a temporary.
          (func (export "local32") (param i64) (result i64)
            (local i32)
            (local.set 1 (i32.wrap_i64 (local.get 0)))
            (select (i64.const 10) (i64.const 20) (i32.eqz (local.get 1))))
          ;; eqz of eqz: only the outer one is fused.
          (func (export "double") (param i64) (result i64)
            (select (i64.const 10) (i64.const 20) (i32.eqz (i64.eqz (local.get 0)))))
          ;; The eqz result is used twice: no fusion may lose it.
          (func (export "tee") (param i64) (result i64)
            (local i32)
            (select (i64.const 10) (i64.const 20) (local.tee 1 (i64.eqz (local.get 0))))
            (i64.extend_i32_u (local.get 1))
            i64.add))
    "#;
    for x in [0i64, 1, 2, 7, 8, -1, i64::MIN] {
        let want = if x & 1 == 0 {
            (x as u64 >> 1) as i64
        } else {
            x.wrapping_mul(3).wrapping_add(1)
        };
        assert_eq!(run_i64(wat, "step64", x), want, "step64({x})");
        let want = if x as i32 == 0 { 10 } else { 20 };
        assert_eq!(run_i64(wat, "local32", x), want, "local32({x})");
        let want = if x != 0 { 10 } else { 20 };
        assert_eq!(run_i64(wat, "double", x), want, "double({x})");
        let want = if x == 0 { 11 } else { 20 };
        assert_eq!(run_i64(wat, "tee", x), want, "tee({x})");
    }
}
