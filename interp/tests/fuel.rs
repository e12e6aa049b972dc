//! Fuel metering: costs per Wasm instruction, the out-of-fuel trap, and
//! pausing and resuming a call.

use kestrel_interp::{
    Config, Engine, Instance, Linker, Module, ResumableCall, Store, TrapCode, UsageError, Val,
};

const WAT: &str = r#"
(module
  (global $count (export "count") (mut i32) (i32.const 0))
  ;; Three instructions: i32.const, i32.const, i32.add.
  (func (export "three") (result i32) i32.const 1 i32.const 2 i32.add)
  ;; Never returns; counts iterations in $count.
  (func (export "forever")
    (loop $l
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br $l)))
  ;; Counts down from n: a loop of n iterations.
  (func (export "countdown") (param i32) (result i32)
    (loop $l
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 0))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "calls") (result i32)
    (call $inc (call $inc (i32.const 0))))
)
"#;

fn setup(fuel: bool) -> (Store<()>, Instance) {
    let mut config = Config::default();
    config.consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn count(store: &Store<()>, instance: Instance) -> i32 {
    instance
        .get_global(store, "count")
        .unwrap()
        .get(store)
        .i32()
        .unwrap()
}

#[test]
fn each_wasm_instruction_costs_one_unit() {
    let (mut store, instance) = setup(true);
    let three = instance.get_typed_func::<(), i32>(&store, "three").unwrap();
    store.set_fuel(100).unwrap();
    assert_eq!(three.call(&mut store, ()).unwrap(), 3);
    assert_eq!(store.get_fuel().unwrap(), 97);

    // Entry run: loop (1). Loop body per iteration: local.get, i32.const,
    // i32.sub, local.tee, br_if (5). After the loop: local.get (1).
    let countdown = instance
        .get_typed_func::<i32, i32>(&store, "countdown")
        .unwrap();
    store.set_fuel(1_000).unwrap();
    assert_eq!(countdown.call(&mut store, 10).unwrap(), 0);
    assert_eq!(1_000 - store.get_fuel().unwrap(), 1 + 10 * 5 + 1);

    // Caller: i32.const, call, call (3). Callee, twice: local.get,
    // i32.const, i32.add (3 each).
    let calls = instance.get_typed_func::<(), i32>(&store, "calls").unwrap();
    store.set_fuel(1_000).unwrap();
    assert_eq!(calls.call(&mut store, ()).unwrap(), 2);
    assert_eq!(1_000 - store.get_fuel().unwrap(), 3 + 2 * 3);
}

#[test]
fn running_out_of_fuel_traps_and_leaves_the_store_usable() {
    let (mut store, instance) = setup(true);
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();
    store.set_fuel(10_000).unwrap();
    let err = forever.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), TrapCode::OutOfFuel);
    assert_eq!(trap.to_string(), "all fuel consumed by WebAssembly");
    // Entry run: loop (1); each iteration: global.get, i32.const, i32.add,
    // global.set, br (5). A run is charged whole or not at all.
    assert_eq!(count(&store, instance), (10_000 - 1) / 5);
    assert!(store.get_fuel().unwrap() < 5);

    let three = instance.get_typed_func::<(), i32>(&store, "three").unwrap();
    store.set_fuel(3).unwrap();
    assert_eq!(three.call(&mut store, ()).unwrap(), 3);
    assert_eq!(store.get_fuel().unwrap(), 0);
    // Zero fuel: even a three-instruction function cannot start.
    let err = three.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::OutOfFuel));
}

#[test]
fn an_infinite_loop_pauses_and_resumes_after_refuel() {
    let (mut store, instance) = setup(true);
    let forever = instance.get_func(&store, "forever").unwrap();
    store.set_fuel(501).unwrap();
    let mut call = forever.call_resumable(&mut store, &[], &mut []).unwrap();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let ResumableCall::OutOfFuel(paused) = call else {
            panic!("an infinite loop finished");
        };
        seen.push(count(&store, instance));
        store.set_fuel(500).unwrap();
        call = paused.resume(&mut store, &mut []).unwrap();
    }
    // 100 iterations per 500 units of fuel, resumed exactly where it paused.
    assert_eq!(seen, [100, 200, 300, 400, 500]);
}

#[test]
fn a_resumed_call_finishes_with_its_results() {
    let (mut store, instance) = setup(true);
    let countdown = instance.get_func(&store, "countdown").unwrap();
    let mut out = [Val::I32(-1)];
    store.set_fuel(10).unwrap();
    let mut call = countdown
        .call_resumable(&mut store, &[Val::I32(1_000)], &mut out)
        .unwrap();
    let mut pauses = 0;
    while let ResumableCall::OutOfFuel(paused) = call {
        pauses += 1;
        store.set_fuel(10).unwrap();
        call = paused.resume(&mut store, &mut out).unwrap();
    }
    assert_eq!(out, [Val::I32(0)]);
    // 5,002 units in runs of at most 10, each run charged whole: a pause
    // every two iterations.
    assert_eq!(pauses, 500);
}

#[test]
fn a_paused_call_cannot_resume_in_another_store() {
    let (mut store, instance) = setup(true);
    let forever = instance.get_func(&store, "forever").unwrap();
    let ResumableCall::OutOfFuel(paused) =
        forever.call_resumable(&mut store, &[], &mut []).unwrap()
    else {
        panic!("ran without fuel");
    };
    let (mut other, _) = setup(true);
    let err = paused.resume(&mut other, &mut []).unwrap_err();
    assert!(matches!(
        err.kind(),
        kestrel_interp::ErrorKind::Usage(UsageError::WrongStore)
    ));
}

#[test]
fn fuel_calls_fail_when_metering_is_off() {
    let (mut store, instance) = setup(false);
    assert!(store.set_fuel(1).is_err());
    assert!(store.get_fuel().is_err());
    // Without metering nothing is charged and the loop-free code runs.
    let three = instance.get_typed_func::<(), i32>(&store, "three").unwrap();
    assert_eq!(three.call(&mut store, ()).unwrap(), 3);
}
