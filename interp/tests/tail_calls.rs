//! The executor's native stack use is bounded whatever it runs: tens of
//! millions of ops of every control kind, and Wasm recursion deep enough to
//! exhaust Kestrel's own call stack, on a thread with 128 KiB of native
//! stack. With tail-call dispatch (`kestrel_interp::DISPATCH == "tail-call"`,
//! the `tail-call-dispatch` feature in an optimised x86-64 build) every
//! handler must end in a jump to the next: one that called instead would
//! take stack per executed op and overflow here. CI runs this file in
//! release with the feature on, and in the default build; that the release
//! build really has the tail-call backend is checked by
//! `interp/scripts/check-tail-calls.sh`, which fails without it.

use kestrel_interp::{Config, Engine, Linker, Module, Store, TrapCode, Val};

const PROGRAM: &str = r#"
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $twice $pair)
  (global $g (mut i32) (i32.const 0))
  (type $unary (func (param i32) (result i32)))
  (func $twice (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $pair (param i32) (result i32 i32) (local.get 0) (i32.const 1))
  ;; Every kind of control transfer, `n` times round a loop.
  (func (export "spin") (param $n i32) (result i32) (local $acc i32) (local $i i32)
    (loop $top
      ;; br_table to two blocks that carry a value (the target block's
      ;; end is past more code for one of them).
      (local.set $acc
        (i32.add (local.get $acc)
          (block $v (result i32)
            (block $w (result i32)
              (br_table $v $w (i32.const 3) (i32.and (local.get $i) (i32.const 1))))
            (i32.add (i32.const 4)))))
      ;; A direct call returning two values, an indirect call, a global, a
      ;; select, memory.
      (call $pair (local.get $i))
      (local.set $acc (i32.add (local.get $acc) (i32.add)))
      (local.set $acc
        (i32.add (local.get $acc)
          (call_indirect (type $unary) (local.get $i) (i32.const 0))))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (i32.store (i32.const 16) (select (local.get $acc) (global.get $g) (local.get $i)))
      (local.set $acc (i32.xor (local.get $acc) (i32.load (i32.const 16))))
      (memory.fill (i32.const 32) (local.get $i) (i32.const 4))
      (br_if $top (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n))))
    (local.get $acc))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
)
"#;

/// What `spin` computes, in Rust.
fn spin(n: u32) -> i32 {
    let (mut acc, mut g) = (0i32, 0i32);
    for i in 0..n as i32 {
        acc = acc.wrapping_add(if i & 1 == 0 { 3 } else { 7 });
        acc = acc.wrapping_add(i).wrapping_add(1);
        acc = acc.wrapping_add(i.wrapping_mul(2));
        g = g.wrapping_add(1);
        let stored = if i != 0 { acc } else { g };
        acc ^= stored;
    }
    acc
}

fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn run(
    config: &Config,
    name: &str,
    arg: i32,
    fuel: Option<u64>,
) -> Result<i32, kestrel_interp::Error> {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    if let Some(fuel) = fuel {
        store.set_fuel(fuel).unwrap();
    }
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(arg)], &mut out)?;
    match out[0] {
        Val::I32(v) => Ok(v),
        other => panic!("{other:?}"),
    }
}

#[test]
fn millions_of_ops_take_no_native_stack() {
    // About 40 ops per iteration.
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    let got = on_small_stack(move || run(&Config::default(), "spin", n as i32, None).unwrap());
    assert_eq!(got, spin(n));
}

#[test]
fn fuel_pauses_take_no_native_stack() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let n = if cfg!(debug_assertions) {
        10_000
    } else {
        200_000
    };
    let got = on_small_stack(move || run(&config, "spin", n as i32, Some(u64::MAX)).unwrap());
    assert_eq!(got, spin(n));
}

#[test]
fn deep_recursion_traps_on_a_small_native_stack() {
    let mut config = Config::default();
    config.max_call_depth(200_000);
    // Completes within the limit...
    let done = on_small_stack({
        let config = config.clone();
        move || run(&config, "down", 150_000, None).unwrap()
    });
    assert_eq!(done, 150_000);
    // ...and past it, traps rather than overflowing anything.
    let err = on_small_stack(move || run(&config, "down", 250_000, None).unwrap_err());
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), TrapCode::StackOverflow);
}
