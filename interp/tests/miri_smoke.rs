//! A fast slice of real execution, small enough to run under Miri
//! (`cargo +nightly miri test -p kestrel-interp --test miri_smoke`, see
//! `interp/MIRI.md`): decoding, validation, translation, instantiation and
//! execution of a handful of modules covering calls (direct, indirect,
//! recursive, multi-value), control flow, memory accesses and bulk memory,
//! tables and references, traps with backtraces, host functions (with
//! `Caller`, re-entry and errors), call-depth limits, fuel and resumable calls.
//!
//! The modules are the `.wat` files in `tests/miri_smoke/`, compiled to the
//! `.wasm` files next to them: parsing WAT is slow under Miri, so the tests
//! load the binaries. `wasm_files_match_wat` (skipped under Miri) checks that
//! they are up to date; run it with `KESTREL_BLESS=1` to rewrite them.

use kestrel_interp::{
    Caller, Config, Engine, Error, ErrorKind, Extern, ExternRef, Instance, Linker, Module,
    ResumableCall, Store, TrapCode, Val,
};

const MODULES: [(&str, &[u8]); 5] = [
    ("calls", include_bytes!("miri_smoke/calls.wasm")),
    ("memory", include_bytes!("miri_smoke/memory.wasm")),
    ("tables", include_bytes!("miri_smoke/tables.wasm")),
    ("host", include_bytes!("miri_smoke/host.wasm")),
    ("fuel", include_bytes!("miri_smoke/fuel.wasm")),
];

fn wasm(name: &str) -> &'static [u8] {
    MODULES.iter().find(|(n, _)| *n == name).unwrap().1
}

fn instantiate_with<T>(engine: &Engine, name: &str, data: T) -> (Store<T>, Instance) {
    let module = Module::new(engine, wasm(name)).expect("module");
    let mut store = Store::new(engine, data);
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    (store, instance)
}

fn instantiate(name: &str) -> (Store<()>, Instance) {
    instantiate_with(&Engine::default(), name, ())
}

fn trap_code<T: std::fmt::Debug>(result: Result<T, Error>) -> TrapCode {
    match result {
        Ok(v) => panic!("expected a trap, got {v:?}"),
        Err(e) => e
            .as_trap()
            .unwrap_or_else(|| panic!("not a trap: {e}"))
            .code(),
    }
}

#[test]
#[cfg_attr(miri, ignore = "parsing WAT is slow under Miri")]
fn wasm_files_match_wat() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/miri_smoke");
    let bless = std::env::var_os("KESTREL_BLESS").is_some();
    for (name, bytes) in MODULES {
        let wat = dir.join(format!("{name}.wat"));
        let compiled = wat::parse_file(&wat).unwrap();
        if bless {
            std::fs::write(dir.join(format!("{name}.wasm")), &compiled).unwrap();
        } else {
            assert!(
                compiled == bytes,
                "tests/miri_smoke/{name}.wasm is stale: rerun this test with KESTREL_BLESS=1"
            );
        }
    }
}

#[test]
fn calls_and_control_flow() {
    let (mut store, instance) = instantiate("calls");
    let fac = instance.get_typed_func::<i32, i32>(&store, "fac").unwrap();
    assert_eq!(fac.call(&mut store, 10).unwrap(), 3_628_800);
    let calls = instance.get_global(&store, "calls").unwrap();
    assert_eq!(calls.get(&store), Val::I32(10));

    let indirect = instance
        .get_typed_func::<(i32, i32), i32>(&store, "indirect")
        .unwrap();
    assert_eq!(indirect.call(&mut store, (0, 5)).unwrap(), 120);
    assert_eq!(indirect.call(&mut store, (1, 21)).unwrap(), 42);
    assert_eq!(
        trap_code(indirect.call(&mut store, (2, 0))),
        TrapCode::UndefinedElement
    );

    let swap = instance
        .get_typed_func::<(i64, f64), (f64, i64)>(&store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (7, 1.5)).unwrap(), (1.5, 7));

    let switch = instance
        .get_typed_func::<i32, i32>(&store, "switch")
        .unwrap();
    let got: Vec<i32> = [0, 1, 2, 3, 4, -1]
        .iter()
        .map(|&i| switch.call(&mut store, i).unwrap())
        .collect();
    assert_eq!(got, [10, 11, 12, 13, 13, 13]);

    let sum = instance.get_typed_func::<i32, i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 20).unwrap(), 210);

    let pick = instance
        .get_typed_func::<(i32, f32, f32), f32>(&store, "pick")
        .unwrap();
    assert_eq!(pick.call(&mut store, (1, 1.0, 2.0)).unwrap(), 1.0);
    assert_eq!(pick.call(&mut store, (0, 1.0, 2.0)).unwrap(), 2.0);

    // sqrt(nearest(x * 2.5)), through the untyped path.
    let float = instance.get_func(&store, "float").unwrap();
    let mut out = [Val::F64(0)];
    float
        .call(&mut store, &[Val::F64(6.5f64.to_bits())], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::F64(16.0f64.sqrt().to_bits()));
    float
        .call(&mut store, &[Val::F64((-1.0f64).to_bits())], &mut out)
        .unwrap();
    assert!(
        f64::from_bits(match out[0] {
            Val::F64(b) => b,
            _ => unreachable!(),
        })
        .is_nan()
    );

    let params = instance
        .get_typed_func::<(i32, i32), (i32, i32)>(&store, "block_params")
        .unwrap();
    assert_eq!(params.call(&mut store, (3, 4)).unwrap(), (3, 4));
}

#[test]
fn memory_accesses_and_bulk_operations() {
    let (mut store, instance) = instantiate("memory");
    let mem = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(&mem.data(&store)[100..103], b"abc");

    let store_load = instance
        .get_typed_func::<(i32, i64), i64>(&store, "store_load")
        .unwrap();
    // An unaligned i64 at 11; the byte at 10 is -1.
    assert_eq!(
        store_load
            .call(&mut store, (10, 0x0102_0304_0506_0708))
            .unwrap(),
        0x0102_0304_0506_0707
    );
    // The last 9 bytes of the page.
    assert_eq!(store_load.call(&mut store, (65527, 5)).unwrap(), 4);
    assert_eq!(
        trap_code(store_load.call(&mut store, (65528, 5))),
        TrapCode::MemoryOutOfBounds
    );

    let widths = instance
        .get_typed_func::<i32, i64>(&store, "widths")
        .unwrap();
    // load16_s 0x8788 = -30840; load32_u of 0x81828384; load16_u at 2 of
    // 0x8586; load8_u at 7 of 0x81.
    assert_eq!(
        widths.call(&mut store, 40).unwrap(),
        -30840 + 0x8182_8384 + 0x8586 + 0x81
    );

    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    for addr in [65533, 65536, -1, i32::MIN] {
        assert_eq!(
            trap_code(load.call(&mut store, addr)),
            TrapCode::MemoryOutOfBounds
        );
    }
    let store16 = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store")
        .unwrap();
    store16.call(&mut store, (65534, 0x1234_abcd)).unwrap();
    assert_eq!(&mem.data(&store)[65534..], [0xcd, 0xab]);
    assert_eq!(
        trap_code(store16.call(&mut store, (65535, 0))),
        TrapCode::MemoryOutOfBounds
    );

    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 2);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1, "the maximum is 3");
    assert_eq!(load.call(&mut store, 65536).unwrap(), 0);
    assert_eq!(mem.data(&store).len(), 2 * 65536);

    let bulk = instance.get_typed_func::<(), i32>(&store, "bulk").unwrap();
    // memory.copy(201, 200, 8) shifts the bytes up by one.
    assert_eq!(
        bulk.call(&mut store, ()).unwrap(),
        0x6362_6107 + b'h' as i32
    );
    assert_eq!(&mem.data(&store)[300..305], b"hello");
    let init_dropped = instance
        .get_typed_func::<(), ()>(&store, "init_dropped")
        .unwrap();
    assert_eq!(
        trap_code(init_dropped.call(&mut store, ())),
        TrapCode::MemoryOutOfBounds
    );

    let fill = instance
        .get_typed_func::<(i32, i32), ()>(&store, "fill")
        .unwrap();
    fill.call(&mut store, (131_070, 2)).unwrap();
    assert_eq!(&mem.data(&store)[131_070..], [9, 9]);
    // Out of bounds: nothing is written.
    assert_eq!(
        trap_code(fill.call(&mut store, (131_000, 100))),
        TrapCode::MemoryOutOfBounds
    );
    assert_eq!(mem.data(&store)[131_000], 0);
    fill.call(&mut store, (131_072, 0)).unwrap();

    let f32_roundtrip = instance.get_func(&store, "f32_roundtrip").unwrap();
    let mut out = [Val::F32(0)];
    // A signalling NaN keeps its payload through memory.
    f32_roundtrip
        .call(&mut store, &[Val::F32(0x7fa0_0001)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::F32(0x7fa0_0001));

    // The host view of the same memory.
    mem.write(&mut store, 65536 + 4, &[1, 2, 3, 4]).unwrap();
    assert_eq!(load.call(&mut store, 65540).unwrap(), 0x0403_0201);
    assert!(mem.write(&mut store, 2 * 65536 - 1, &[0, 0]).is_err());
}

#[test]
fn tables_and_references() {
    let (mut store, instance) = instantiate("tables");
    let call = instance.get_typed_func::<i32, i32>(&store, "call").unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let is_null = instance
        .get_typed_func::<i32, i32>(&store, "is_null")
        .unwrap();
    assert_eq!(call.call(&mut store, 0).unwrap(), 1);
    assert_eq!(
        trap_code(call.call(&mut store, 1)),
        TrapCode::IndirectCallToNull
    );
    assert_eq!(
        trap_code(call.call(&mut store, 4)),
        TrapCode::UndefinedElement
    );

    let init = instance.get_typed_func::<(), ()>(&store, "init").unwrap();
    init.call(&mut store, ()).unwrap();
    assert_eq!(call.call(&mut store, 1).unwrap(), 1);
    assert_eq!(call.call(&mut store, 2).unwrap(), 2);
    // The segment was dropped: initialising again is out of bounds.
    assert_eq!(
        trap_code(init.call(&mut store, ())),
        TrapCode::TableOutOfBounds
    );

    let grow = instance.get_typed_func::<(), i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 4);
    assert_eq!(size.call(&mut store, ()).unwrap(), 6);
    assert_eq!(call.call(&mut store, 5).unwrap(), 2);
    let fill = instance
        .get_typed_func::<(i32, i32), ()>(&store, "fill")
        .unwrap();
    fill.call(&mut store, (4, 2)).unwrap();
    assert_eq!(is_null.call(&mut store, 4).unwrap(), 1);
    assert_eq!(is_null.call(&mut store, 3).unwrap(), 1);
    assert_eq!(is_null.call(&mut store, 2).unwrap(), 0);
    assert_eq!(
        trap_code(fill.call(&mut store, (5, 2))),
        TrapCode::TableOutOfBounds
    );
    assert_eq!(
        trap_code(is_null.call(&mut store, 6)),
        TrapCode::TableOutOfBounds
    );

    let copy = instance.get_typed_func::<(), ()>(&store, "copy").unwrap();
    copy.call(&mut store, ()).unwrap();
    assert_eq!(call.call(&mut store, 2).unwrap(), 1);
    assert_eq!(call.call(&mut store, 3).unwrap(), 1);

    let wrong = instance
        .get_typed_func::<(), i32>(&store, "wrong_type")
        .unwrap();
    assert_eq!(
        trap_code(wrong.call(&mut store, ())),
        TrapCode::BadSignature
    );

    // Externrefs go into a table and come back with their host data.
    let r = ExternRef::new(&mut store, String::from("payload"));
    let set_ext = instance.get_func(&store, "set_ext").unwrap();
    let get_ext = instance.get_func(&store, "get_ext").unwrap();
    set_ext
        .call(&mut store, &[Val::ExternRef(Some(r))], &mut [])
        .unwrap();
    let mut out = [Val::ExternRef(None)];
    get_ext.call(&mut store, &[], &mut out).unwrap();
    let back = out[0].externref().unwrap().unwrap();
    assert_eq!(
        back.data(&store).downcast_ref::<String>().unwrap(),
        "payload"
    );

    // The host view of the table.
    let table = instance.get_table(&store, "t").unwrap();
    assert_eq!(table.size(&store), 6);
    let f = table.get(&store, 0).unwrap().funcref().unwrap().unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(1));
}

#[derive(Debug)]
struct Boom;
impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}
impl std::error::Error for Boom {}

fn host_instance(config: &Config) -> (Store<Vec<i32>>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wasm("host")).unwrap();
    let mut linker = Linker::<Vec<i32>>::new(&engine);
    linker
        .func_wrap("host", "add", |a: i32, b: i32| a.wrapping_add(b))
        .unwrap();
    linker
        .func_wrap(
            "host",
            "poke",
            |mut caller: Caller<'_, Vec<i32>>, v: i32| -> Result<i32, Error> {
                caller.data_mut().push(v);
                let mem = caller
                    .get_export("mem")
                    .and_then(Extern::into_memory)
                    .unwrap();
                mem.write(&mut caller, 0, &v.to_le_bytes())?;
                // Re-enter the instance.
                let triple = caller
                    .get_export("triple")
                    .and_then(Extern::into_func)
                    .unwrap();
                triple.typed::<i32, i32>(&caller)?.call(&mut caller, v)
            },
        )
        .unwrap();
    linker
        .func_wrap("host", "fail", || -> Result<(), Error> {
            Err(Error::host(Boom))
        })
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn host_functions_traps_and_limits() {
    let mut config = Config::default();
    config.max_call_depth(200);
    let (mut store, instance) = host_instance(&config);

    let use_add = instance
        .get_typed_func::<i32, i32>(&store, "use_add")
        .unwrap();
    assert_eq!(use_add.call(&mut store, 23).unwrap(), 123);

    let poke = instance.get_typed_func::<i32, i32>(&store, "poke").unwrap();
    assert_eq!(poke.call(&mut store, 7).unwrap(), 21 + 7);
    assert_eq!(store.data(), &[7]);

    let fail = instance.get_typed_func::<(), ()>(&store, "fail").unwrap();
    let err = fail.call(&mut store, ()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Host(_)), "{err:?}");
    assert!(err.downcast_ref::<Boom>().is_some());

    let unreachable = instance
        .get_typed_func::<(), ()>(&store, "unreachable")
        .unwrap();
    let err = unreachable.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.code(), TrapCode::Unreachable);
    assert_eq!(trap.depth(), 2);
    assert_eq!(trap.backtrace()[0].func_name.as_deref(), Some("inner"));

    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    assert_eq!(div.call(&mut store, (-7, 2)).unwrap(), -3);
    assert_eq!(
        trap_code(div.call(&mut store, (1, 0))),
        TrapCode::IntegerDivisionByZero
    );
    assert_eq!(
        trap_code(div.call(&mut store, (i32::MIN, -1))),
        TrapCode::IntegerOverflow
    );
    let trunc = instance
        .get_typed_func::<f32, i32>(&store, "trunc")
        .unwrap();
    assert_eq!(trunc.call(&mut store, -2.9).unwrap(), -2);
    assert_eq!(
        trap_code(trunc.call(&mut store, f32::NAN)),
        TrapCode::BadConversionToInteger
    );
    assert_eq!(
        trap_code(trunc.call(&mut store, 3e9)),
        TrapCode::IntegerOverflow
    );

    let deep = instance.get_typed_func::<i32, i32>(&store, "deep").unwrap();
    assert_eq!(trap_code(deep.call(&mut store, 0)), TrapCode::StackOverflow);
    // The store is still usable after every kind of failure.
    assert_eq!(use_add.call(&mut store, 1).unwrap(), 101);
}

#[test]
fn fuel_and_resumable_calls() {
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate_with(&engine, "fuel", ());

    let countdown = instance
        .get_typed_func::<i32, i32>(&store, "countdown")
        .unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(countdown.call(&mut store, 10).unwrap(), 0);
    // Entry: loop (1); per iteration: 5; after: local.get (1).
    assert_eq!(store.get_fuel().unwrap(), 1000 - (1 + 5 * 10 + 1));
    store.set_fuel(20).unwrap();
    assert_eq!(
        trap_code(countdown.call(&mut store, 100)),
        TrapCode::OutOfFuel
    );

    // A resumable call through calls, paused and resumed until it ends.
    let calls = instance.get_func(&store, "calls").unwrap();
    let mut out = [Val::I32(-1)];
    store.set_fuel(15).unwrap();
    let mut call = calls
        .call_resumable(&mut store, &[Val::I32(12)], &mut out)
        .unwrap();
    let mut pauses = 0;
    while let ResumableCall::OutOfFuel(paused) = call {
        pauses += 1;
        store.set_fuel(15).unwrap();
        call = paused.resume(&mut store, &mut out).unwrap();
    }
    assert!(pauses >= 5, "{pauses} pauses");
    assert_eq!(out[0], Val::I32(12));
}

/// CI also runs this file under Miri with the tail-call backend forced on
/// (`KESTREL_TAIL_CALLS=force`, feature `tail-call-dispatch`): make sure
/// that is the backend being checked.
#[test]
fn forced_tail_calls_are_in_effect() {
    if option_env!("KESTREL_TAIL_CALLS") == Some("force") {
        assert_eq!(kestrel_interp::DISPATCH, "tail-call");
    }
}
