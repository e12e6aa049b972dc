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
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).expect("wat")).expect("module");
    let step = module.disassemble("step64").expect("listing");
    assert!(!step.contains("Eqz"), "the eqz is fused:\n{step}");
    let tee = module.disassemble("tee").expect("listing");
    assert!(tee.contains("I64Eqz"), "a tee'd eqz stays:\n{tee}");
}

/// A load or store whose address is an `i32.add` reads `base + index` itself;
/// the sum wraps at 2^32 exactly as the add did, and the offset is then
/// added without wrapping.
#[test]
fn loads_and_stores_at_a_sum() {
    let wat = r#"
        (module
          (memory 1)
          (data (i32.const 8) "\01\02\03\04\05\06\07\08")
          ;; Load at (lo32(arg) + hi32(arg)) with offset 0.
          (func (export "load") (param i64) (result i64)
            (i64.load8_u
              (i32.add (i32.wrap_i64 (local.get 0))
                       (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32))))))
          ;; The same with offset 4.
          (func (export "load_off") (param i64) (result i64)
            (i64.load8_u offset=4
              (i32.add (i32.wrap_i64 (local.get 0))
                       (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32))))))
          ;; Store the local 0xAB at the sum, then read it back plainly.
          (func (export "store") (param i64) (result i64)
            (local i32 i32)
            (local.set 1 (i32.add (i32.wrap_i64 (local.get 0))
                                  (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32)))))
            (local.set 2 (i32.const 0xab))
            (i32.store8 offset=1
              (i32.add (i32.wrap_i64 (local.get 0))
                       (i32.wrap_i64 (i64.shr_u (local.get 0) (i64.const 32))))
              (local.get 2))
            (i64.load8_u offset=1 (local.get 1))))
    "#;
    let pair = |lo: u32, hi: u32| ((hi as u64) << 32 | lo as u64) as i64;
    // 8 + 0 and 3 + 5: byte 1; 0xffff_fffc + 14 wraps to 10: byte 3.
    assert_eq!(run_i64(wat, "load", pair(8, 0)), 1);
    assert_eq!(run_i64(wat, "load", pair(3, 5)), 1);
    assert_eq!(run_i64(wat, "load", pair(0xffff_fffc, 14)), 3);
    assert_eq!(run_i64(wat, "load_off", pair(0xffff_fffc, 14)), 7);
    assert_eq!(run_i64(wat, "store", pair(0xffff_fff0, 0x20)), 0xab);
    // Out of bounds: the sum is in bounds, the offset takes it past the end.
    let engine = kestrel_interp::Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).expect("wat")).expect("module");
    // The fused forms are what ran.
    for (name, op) in [
        ("load", "I64Load8UIdx"),
        ("load_off", "I64Load8UIdx"),
        ("store", "I32Store8Idx"),
    ] {
        let listing = module.disassemble(name).expect("listing");
        assert!(listing.contains(op), "{name}:\n{listing}");
    }
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let load_off = instance
        .get_typed_func::<i64, i64>(&store, "load_off")
        .expect("export");
    let trap = load_off
        .call(&mut store, pair(65_530, 2))
        .expect_err("out of bounds");
    assert_eq!(
        trap.as_trap().map(|t| t.code()),
        Some(kestrel_interp::TrapCode::MemoryOutOfBounds),
        "{trap}"
    );
}
