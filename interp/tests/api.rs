//! Integration tests of the embedding API: calls, host functions, traps,
//! externals, linking, instantiation and the execution limits of `Config`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kestrel_interp::{
    Caller, Config, Engine, Error, ErrorKind, Extern, Func, FuncType, Global, GlobalType, Instance,
    LinkError, Linker, Memory, MemoryType, Module, Mutability, RefType, Store, Table, TableType,
    Trap, TrapCode, UsageError, Val, ValType,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn compile(engine: &Engine, wat: &str) -> Module {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("bad WAT: {e}"));
    Module::new(engine, bytes).unwrap_or_else(|e| panic!("module rejected: {e}"))
}

/// A store holding `data` and an instance of `wat` with no imports.
fn instantiate<T>(data: T, wat: &str) -> (Store<T>, Instance) {
    let engine = Engine::default();
    let module = compile(&engine, wat);
    let mut store = Store::new(&engine, data);
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    (store, instance)
}

fn expect_trap(result: Result<impl fmt::Debug, Error>) -> Trap {
    match result {
        Ok(v) => panic!("expected a trap, got Ok({v:?})"),
        Err(e) => e
            .as_trap()
            .unwrap_or_else(|| panic!("expected a trap, got {e:?}"))
            .clone(),
    }
}

fn usage(err: &Error) -> &UsageError {
    match err.kind() {
        ErrorKind::Usage(u) => u,
        other => panic!("expected a usage error, got {other:?}"),
    }
}

fn link(err: &Error) -> &LinkError {
    match err.kind() {
        ErrorKind::Link(l) => l,
        other => panic!("expected a link error, got {other:?}"),
    }
}

fn names(trap: &Trap) -> Vec<Option<&str>> {
    trap.backtrace()
        .iter()
        .map(|f| f.func_name.as_deref())
        .collect()
}

// ---------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------

const ARITH: &str = r#"
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64)
    local.get 0 local.get 1 i64.add)
  (func (export "mulf32") (param f32 f32) (result f32)
    local.get 0 local.get 1 f32.mul)
  (func (export "divf64") (param f64 f64) (result f64)
    local.get 0 local.get 1 f64.div)
  (func (export "swap") (param i32 i64) (result i64 i32)
    local.get 1 local.get 0)
  (func (export "idf32") (param f32) (result f32) local.get 0)
  (func (export "nothing"))
  (func (export "fac") (param i64) (result i64)
    local.get 0 i64.eqz
    if (result i64)
      i64.const 1
    else
      local.get 0
      local.get 0 i64.const 1 i64.sub
      call 7
      i64.mul
    end)
  (func (export "many") (param i32 i64 f32 f64 i32 i64 f32 f64) (result f64)
    local.get 0 f64.convert_i32_s
    local.get 1 f64.convert_i64_s f64.add
    local.get 2 f64.promote_f32 f64.add
    local.get 3 f64.add
    local.get 4 f64.convert_i32_s f64.add
    local.get 5 f64.convert_i64_s f64.add
    local.get 6 f64.promote_f32 f64.add
    local.get 7 f64.add)
)
"#;

#[test]
fn typed_calls() {
    let (mut store, instance) = instantiate((), ARITH);
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (40, 2)).unwrap(), 42);
    assert_eq!(
        add.call(&mut store, (i32::MAX, 1)).unwrap(),
        i32::MIN,
        "i32.add wraps"
    );
    assert_eq!(add.call(&mut store, (-5, 3)).unwrap(), -2);

    // `u32` is also an `i32`.
    let addu = instance
        .get_typed_func::<(u32, u32), u32>(&store, "add")
        .unwrap();
    assert_eq!(addu.call(&mut store, (u32::MAX, 2)).unwrap(), 1);

    let add64 = instance
        .get_typed_func::<(i64, i64), i64>(&store, "add64")
        .unwrap();
    assert_eq!(
        add64.call(&mut store, (1 << 40, -(1 << 41))).unwrap(),
        -(1 << 40)
    );

    let mulf32 = instance
        .get_typed_func::<(f32, f32), f32>(&store, "mulf32")
        .unwrap();
    assert_eq!(mulf32.call(&mut store, (1.5, -4.0)).unwrap(), -6.0);

    let divf64 = instance
        .get_typed_func::<(f64, f64), f64>(&store, "divf64")
        .unwrap();
    assert_eq!(divf64.call(&mut store, (1.0, 4.0)).unwrap(), 0.25);
    assert_eq!(divf64.call(&mut store, (1.0, 0.0)).unwrap(), f64::INFINITY);

    // Multi-value results come back as a tuple.
    let swap = instance
        .get_typed_func::<(i32, i64), (i64, i32)>(&store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (7, -9)).unwrap(), (-9, 7));

    // A NaN payload survives the trip through Wasm.
    let idf32 = instance
        .get_typed_func::<f32, f32>(&store, "idf32")
        .unwrap();
    let nan = f32::from_bits(0x7fa0_0001);
    assert_eq!(idf32.call(&mut store, nan).unwrap().to_bits(), 0x7fa0_0001);

    let nothing = instance
        .get_typed_func::<(), ()>(&store, "nothing")
        .unwrap();
    nothing.call(&mut store, ()).unwrap();

    let fac = instance.get_typed_func::<i64, i64>(&store, "fac").unwrap();
    assert_eq!(fac.call(&mut store, 20).unwrap(), 2_432_902_008_176_640_000);

    let many = instance
        .get_typed_func::<(i32, i64, f32, f64, i32, i64, f32, f64), f64>(&store, "many")
        .unwrap();
    assert_eq!(
        many.call(&mut store, (1, 2, 3.0, 4.0, 5, 6, 7.0, 8.5))
            .unwrap(),
        36.5
    );
}

#[test]
fn untyped_calls() {
    let (mut store, instance) = instantiate((), ARITH);
    let add = instance.get_func(&store, "add").unwrap();
    assert_eq!(
        add.ty(&store),
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32])
    );
    let mut out = [Val::I32(0)];
    add.call(&mut store, &[Val::I32(40), Val::I32(2)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(42)]);

    // Result slots of another type are overwritten with the right type.
    let swap = instance.get_func(&store, "swap").unwrap();
    let mut out = [Val::I32(0), Val::I32(0)];
    swap.call(&mut store, &[Val::I32(3), Val::I64(i64::MIN)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I64(i64::MIN), Val::I32(3)]);

    let idf32 = instance.get_func(&store, "idf32").unwrap();
    let mut out = [Val::F32(0)];
    idf32
        .call(&mut store, &[Val::F32(0xffc0_1234)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::F32(0xffc0_1234)], "NaN bits preserved");

    let fac = instance.get_func(&store, "fac").unwrap();
    let mut out = [Val::I64(0)];
    fac.call(&mut store, &[Val::I64(5)], &mut out).unwrap();
    assert_eq!(out[0].i64(), Some(120));

    let nothing = instance.get_func(&store, "nothing").unwrap();
    nothing.call(&mut store, &[], &mut []).unwrap();
}

#[test]
fn untyped_call_with_wrong_signature_is_an_error() {
    let (mut store, instance) = instantiate((), ARITH);
    let add = instance.get_func(&store, "add").unwrap();
    let expected = add.ty(&store);
    let mut one = [Val::I32(0)];
    let cases: Vec<(&str, Vec<Val>, usize)> = vec![
        ("too few arguments", vec![Val::I32(1)], 1),
        (
            "too many arguments",
            vec![Val::I32(1), Val::I32(2), Val::I32(3)],
            1,
        ),
        ("no arguments", vec![], 1),
        ("wrong argument type", vec![Val::I32(1), Val::I64(2)], 1),
        ("float for int", vec![Val::F32(0), Val::I32(2)], 1),
        (
            "reference for int",
            vec![Val::FuncRef(None), Val::I32(2)],
            1,
        ),
        ("no room for results", vec![Val::I32(1), Val::I32(2)], 0),
        (
            "too much room for results",
            vec![Val::I32(1), Val::I32(2)],
            2,
        ),
    ];
    for (what, params, nresults) in cases {
        let mut results = vec![Val::I32(0); nresults];
        let err = add.call(&mut store, &params, &mut results).expect_err(what);
        assert_eq!(
            usage(&err),
            &UsageError::Signature {
                expected: expected.clone()
            },
            "{what}"
        );
        assert!(err.as_trap().is_none(), "{what}");
    }
    // The store is unaffected.
    add.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut one)
        .unwrap();
    assert_eq!(one, [Val::I32(3)]);
}

#[test]
fn typed_with_wrong_types_is_an_error() {
    let (store, instance) = instantiate((), ARITH);
    let add = instance.get_func(&store, "add").unwrap();
    let actual = add.ty(&store);

    let err = add.typed::<(i64, i64), i64>(&store).unwrap_err();
    assert_eq!(
        usage(&err),
        &UsageError::TypedFunc {
            actual: actual.clone()
        }
    );
    assert!(
        add.typed::<(i32, i32), i64>(&store).is_err(),
        "wrong result type"
    );
    assert!(
        add.typed::<(i32, i32), ()>(&store).is_err(),
        "missing result"
    );
    assert!(
        add.typed::<(i32, i32), (i32, i32)>(&store).is_err(),
        "extra result"
    );
    assert!(add.typed::<i32, i32>(&store).is_err(), "too few params");
    assert!(
        add.typed::<(i32, i32, i32), i32>(&store).is_err(),
        "too many params"
    );
    assert!(add.typed::<(f32, f32), f32>(&store).is_err(), "floats");
    assert!(add.typed::<(i32, i32), i32>(&store).is_ok());
    assert!(
        add.typed::<(u32, i32), u32>(&store).is_ok(),
        "u32 is an i32"
    );

    let err = instance
        .get_typed_func::<(), ()>(&store, "no-such-export")
        .unwrap_err();
    assert_eq!(usage(&err), &UsageError::NoExport);
    let err = instance
        .get_typed_func::<(), ()>(&store, "add")
        .unwrap_err();
    assert!(matches!(usage(&err), UsageError::TypedFunc { .. }));
}

#[test]
fn exports_and_module_introspection() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "f" (func (param i32)))
             (import "env" "m" (memory 1))
             (func (export "g") (result i64) i64.const 0)
             (global (export "gl") (mut f64) (f64.const 1))
             (table (export "t") 3 funcref))"#,
    );
    let imports: Vec<_> = module
        .imports()
        .map(|i| (i.module(), i.name(), i.ty()))
        .collect();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0].0, "env");
    assert_eq!(imports[0].1, "f");
    assert_eq!(
        imports[0].2,
        kestrel_interp::ExternType::Func(FuncType::new([ValType::I32], []))
    );
    assert_eq!(
        imports[1].2,
        kestrel_interp::ExternType::Memory(MemoryType::new(1, None))
    );
    let exports: Vec<_> = module.exports().map(|e| e.name()).collect();
    assert_eq!(exports, ["g", "gl", "t"]);
}

// ---------------------------------------------------------------------------
// Host functions
// ---------------------------------------------------------------------------

#[test]
fn host_function_without_caller() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "add" (func $add (param i32 i32) (result i32)))
             (import "env" "pair" (func $pair (param i64) (result i64 f64)))
             (import "env" "three" (func $three (result i32 i32 i32)))
             (func (export "run") (param i32) (result i32)
               local.get 0 i32.const 100 call $add
               i32.const 1 call $add)
             (func (export "pair") (param i64) (result f64) (local f64)
               local.get 0 call $pair
               ;; (a, b) -> f64(a) + b
               local.set 1 f64.convert_i64_s local.get 1 f64.add)
             (func (export "three") (result i32)
               call $three
               ;; a - b - c with a=100 b=20 c=3 only if order is kept
               i32.sub i32.sub))"#,
    );
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "add", |a: i32, b: i32| a.wrapping_add(b))
        .unwrap();
    linker
        .func_wrap("env", "pair", |x: i64| (x * 2, 0.5f64))
        .unwrap();
    linker
        .func_wrap("env", "three", || (100i32, 20i32, 3i32))
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 106);
    let pair = instance.get_typed_func::<i64, f64>(&store, "pair").unwrap();
    assert_eq!(pair.call(&mut store, 21).unwrap(), 42.5);
    let three = instance.get_typed_func::<(), i32>(&store, "three").unwrap();
    // i32.sub i32.sub on stack [100, 20, 3]: 100 - (20 - 3) = 83.
    assert_eq!(three.call(&mut store, ()).unwrap(), 83);
}

#[derive(Default, Debug)]
struct HostState {
    log: Vec<String>,
    calls: u32,
}

#[test]
fn host_function_with_caller_reads_and_writes_memory() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "host" "log" (func $log (param i32 i32)))
             (import "host" "fill" (func $fill (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 100) "hello, host")
             (func (export "greet")
               (call $log (i32.const 100) (i32.const 11))
               (call $log (i32.const 100) (i32.const 5)))
             ;; asks the host to write `len` bytes at `ptr`, then sums them
             (func (export "sum_filled") (param $ptr i32) (param $len i32) (result i32)
               (local $i i32) (local $acc i32)
               (drop (call $fill (local.get $ptr) (local.get $len)))
               (block $done
                 (loop $next
                   (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
                   (local.set $acc (i32.add (local.get $acc)
                     (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))))
                   (local.set $i (i32.add (local.get $i) (i32.const 1)))
                   (br $next)))
               local.get $acc))"#,
    );
    let mut linker = Linker::<HostState>::new(&engine);
    linker
        .func_wrap(
            "host",
            "log",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .unwrap();
                let mut buf = vec![0u8; len as usize];
                memory.read(&caller, ptr as usize, &mut buf)?;
                // `data` gives the same bytes.
                assert_eq!(
                    &memory.data(&caller)[ptr as usize..][..len as usize],
                    &buf[..]
                );
                let text = String::from_utf8(buf).unwrap();
                caller.data_mut().log.push(text);
                caller.data_mut().calls += 1;
                Ok::<(), Error>(())
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "fill",
            |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| -> Result<i32, Error> {
                let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
                let bytes: Vec<u8> = (1..=len as u8).collect();
                memory.write(&mut caller, ptr as usize, &bytes)?;
                caller.data_mut().calls += 1;
                Ok(0)
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, HostState::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();

    instance
        .get_typed_func::<(), ()>(&store, "greet")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(store.data().log, ["hello, host", "hello"]);
    assert_eq!(store.data().calls, 2);

    let sum = instance
        .get_typed_func::<(i32, i32), i32>(&store, "sum_filled")
        .unwrap();
    assert_eq!(sum.call(&mut store, (2000, 10)).unwrap(), 55);
    assert_eq!(store.data().calls, 3);
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(
        &memory.data(&store)[2000..2011],
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]
    );

    // A host write out of bounds is an error of the host, surfacing from the call.
    let err = sum.call(&mut store, (65530, 10)).unwrap_err();
    assert_eq!(usage(&err), &UsageError::OutOfBounds);
    assert!(err.as_trap().is_none());
}

#[test]
fn host_function_mutates_store_data_and_sees_it_between_calls() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "next" (func $next (result i32)))
             (func (export "three") (result i32)
               call $next call $next i32.add call $next i32.add))"#,
    );
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap("env", "next", |mut caller: Caller<'_, u32>| {
            *caller.data_mut() += 1;
            *caller.data() as i32
        })
        .unwrap();
    let mut store = Store::new(&engine, 10u32);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let three = instance.get_typed_func::<(), i32>(&store, "three").unwrap();
    assert_eq!(three.call(&mut store, ()).unwrap(), 11 + 12 + 13);
    *store.data_mut() = 0;
    assert_eq!(three.call(&mut store, ()).unwrap(), 1 + 2 + 3);
    assert_eq!(store.into_data(), 3);
}

#[test]
fn func_wrap_and_func_new_outside_a_linker() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, 0i64);
    let counter = Func::wrap(&mut store, |mut caller: Caller<'_, i64>, by: i64| {
        *caller.data_mut() += by;
        *caller.data()
    });
    // Called from the host directly there is no calling instance.
    let no_export = Func::wrap(&mut store, |caller: Caller<'_, i64>| {
        caller.get_export("memory").is_none() as i32
    });
    let ty = FuncType::new([ValType::I32, ValType::F64], [ValType::F64]);
    let scale = Func::new(&mut store, ty.clone(), |_caller, params, results| {
        results[0] =
            Val::F64((params[0].i32().unwrap() as f64 * params[1].f64().unwrap()).to_bits());
        Ok(())
    });
    let liar = Func::new(
        &mut store,
        FuncType::new([], [ValType::I32]),
        |_caller, _params, results| {
            results[0] = Val::I64(1);
            Ok(())
        },
    );
    assert_eq!(scale.ty(&store), ty);

    let typed = counter.typed::<i64, i64>(&store).unwrap();
    assert_eq!(typed.call(&mut store, 5).unwrap(), 5);
    assert_eq!(typed.call(&mut store, 2).unwrap(), 7);
    assert_eq!(*store.data(), 7);
    assert_eq!(
        no_export
            .typed::<(), i32>(&store)
            .unwrap()
            .call(&mut store, ())
            .unwrap(),
        1
    );

    let mut out = [Val::F64(0)];
    scale
        .call(
            &mut store,
            &[Val::I32(3), Val::F64(1.5f64.to_bits())],
            &mut out,
        )
        .unwrap();
    assert_eq!(out[0].f64(), Some(4.5));

    // A host function of `Val`s returning a value of the wrong type fails.
    let err = liar.call(&mut store, &[], &mut [Val::I32(0)]).unwrap_err();
    assert_eq!(
        usage(&err),
        &UsageError::ValueType {
            expected: ValType::I32,
            got: ValType::I64
        }
    );

    // Host functions are importable through `Linker::define`.
    let module = compile(
        &engine,
        r#"(module (import "m" "scale" (func $s (param i32 f64) (result f64)))
                   (import "m" "counter" (func $c (param i64) (result i64)))
                   (func (export "run") (result f64)
                     (drop (call $c (i64.const 100)))
                     (call $s (i32.const 4) (f64.const 0.25))))"#,
    );
    let mut linker = Linker::new(&engine);
    linker.define(&store, "m", "scale", scale).unwrap();
    linker.define(&store, "m", "counter", counter).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), f64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 1.0);
    assert_eq!(*store.data(), 107);
}

#[derive(Debug, PartialEq)]
struct QuotaExceeded {
    used: u32,
}

impl fmt::Display for QuotaExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "quota exceeded after {} units", self.used)
    }
}

impl std::error::Error for QuotaExceeded {}

#[test]
fn host_error_surfaces_from_the_call() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "fail" (func $fail (param i32)))
             (import "env" "msg" (func $msg))
             (memory (export "memory") 1)
             (func $inner (export "inner") (param i32)
               (i32.store (i32.const 0) (i32.const 77))
               local.get 0 call $fail
               (i32.store (i32.const 0) (i32.const 88)))
             (func (export "outer") (param i32) (result i32)
               local.get 0 call $inner
               i32.const 5)
             (func (export "msg") call $msg unreachable))"#,
    );
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap(
            "env",
            "fail",
            |mut caller: Caller<'_, u32>, used: u32| -> Result<(), Error> {
                *caller.data_mut() += 1;
                if used > 10 {
                    Err(Error::host(QuotaExceeded { used }))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap();
    linker
        .func_wrap("env", "msg", || -> Result<(), Error> {
            Err(Error::msg("host said no"))
        })
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();

    assert_eq!(outer.call(&mut store, 3).unwrap(), 5);
    assert_eq!(memory.data(&store)[0], 88);

    let err = outer.call(&mut store, 42).unwrap_err();
    assert_eq!(
        err.downcast_ref::<QuotaExceeded>(),
        Some(&QuotaExceeded { used: 42 })
    );
    assert_eq!(err.to_string(), "quota exceeded after 42 units");
    assert!(err.as_trap().is_none());
    assert!(matches!(err.kind(), ErrorKind::Host(_)));
    assert!(err.downcast_ref::<std::fmt::Error>().is_none());
    // Execution stopped at the host call: the store before it happened, the one after did not.
    assert_eq!(memory.data(&store)[0], 77);
    assert_eq!(*store.data(), 2);

    // Through the untyped path too.
    let inner = instance.get_func(&store, "inner").unwrap();
    let err = inner
        .call(&mut store, &[Val::I32(11)], &mut [])
        .unwrap_err();
    assert_eq!(
        err.downcast_ref::<QuotaExceeded>().map(|q| q.used),
        Some(11)
    );

    // A message-only error keeps its message, and is not mistaken for a trap
    // of the `unreachable` that follows the host call.
    let err = instance
        .get_func(&store, "msg")
        .unwrap()
        .call(&mut store, &[], &mut [])
        .unwrap_err();
    assert_eq!(err.to_string(), "host said no");
    assert!(matches!(err.kind(), ErrorKind::Host(_)));
    assert!(err.as_trap().is_none());
    assert!(std::error::Error::source(&err).is_some());

    // The store is still usable.
    assert_eq!(outer.call(&mut store, 1).unwrap(), 5);
}

// ---------------------------------------------------------------------------
// Traps
// ---------------------------------------------------------------------------

const TRAPS: &str = r#"
(module
  (type $i32 (func (result i32)))
  (type $i64 (func (result i64)))
  (memory 1)
  (table $t 3 funcref)
  (table $ext 2 externref)
  (elem (table $t) (i32.const 0) func $forty_two $forty_two)
  (func $forty_two (type $i32) i32.const 42)
  (func (export "unreachable") unreachable)
  (func (export "load_oob") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store_oob") (param i32) local.get 0 i64.const 1 i64.store)
  (func (export "load_offset_oob") (result i32) i32.const 0 i32.load offset=65536)
  (func (export "fill_oob") (i32.const 65535) (i32.const 0) (i32.const 2) memory.fill)
  (func (export "div_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
  (func (export "rem_s64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_s)
  (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "div_s64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_s)
  (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func (export "trunc64") (param f64) (result i64) local.get 0 i64.trunc_f64_u)
  (func (export "call_indirect_i32") (param i32) (result i32)
    local.get 0 call_indirect $t (type $i32))
  (func (export "call_indirect_i64") (param i32) (result i64)
    local.get 0 call_indirect $t (type $i64))
  (func (export "table_get") (param i32) (result funcref) local.get 0 table.get $t)
  (func (export "table_set") (param i32) local.get 0 ref.null extern table.set $ext)
  (func (export "table_fill") (i32.const 1) (ref.null func) (i32.const 3) table.fill $t)
  (func (export "ok") (result i32) i32.const 7)
)
"#;

#[test]
fn every_trap_code_with_its_message() {
    let (mut store, instance) = instantiate((), TRAPS);
    let nan = f32::NAN;
    let cases: Vec<(&str, Vec<Val>, TrapCode, &str)> = vec![
        ("unreachable", vec![], TrapCode::Unreachable, "unreachable"),
        (
            "load_oob",
            vec![Val::I32(65536)],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "load_oob",
            vec![Val::I32(65533)],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "load_oob",
            vec![Val::I32(-1)],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "store_oob",
            vec![Val::I32(65529)],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "load_offset_oob",
            vec![],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "fill_oob",
            vec![],
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "div_u",
            vec![Val::I32(1), Val::I32(0)],
            TrapCode::IntegerDivisionByZero,
            "integer divide by zero",
        ),
        (
            "rem_s64",
            vec![Val::I64(1), Val::I64(0)],
            TrapCode::IntegerDivisionByZero,
            "integer divide by zero",
        ),
        (
            "div_s",
            vec![Val::I32(i32::MIN), Val::I32(-1)],
            TrapCode::IntegerOverflow,
            "integer overflow",
        ),
        (
            "div_s64",
            vec![Val::I64(i64::MIN), Val::I64(-1)],
            TrapCode::IntegerOverflow,
            "integer overflow",
        ),
        (
            "trunc",
            vec![Val::F32(3.0e9f32.to_bits())],
            TrapCode::IntegerOverflow,
            "integer overflow",
        ),
        (
            "trunc64",
            vec![Val::F64((-1.0f64).to_bits())],
            TrapCode::IntegerOverflow,
            "integer overflow",
        ),
        (
            "trunc",
            vec![Val::F32(nan.to_bits())],
            TrapCode::BadConversionToInteger,
            "invalid conversion to integer",
        ),
        (
            "trunc64",
            vec![Val::F64(f64::NAN.to_bits())],
            TrapCode::BadConversionToInteger,
            "invalid conversion to integer",
        ),
        (
            "call_indirect_i64",
            vec![Val::I32(0)],
            TrapCode::BadSignature,
            "indirect call type mismatch",
        ),
        (
            "call_indirect_i32",
            vec![Val::I32(2)],
            TrapCode::IndirectCallToNull,
            "uninitialized element",
        ),
        (
            "call_indirect_i32",
            vec![Val::I32(3)],
            TrapCode::UndefinedElement,
            "undefined element",
        ),
        (
            "call_indirect_i32",
            vec![Val::I32(-1)],
            TrapCode::UndefinedElement,
            "undefined element",
        ),
        (
            "table_get",
            vec![Val::I32(3)],
            TrapCode::TableOutOfBounds,
            "out of bounds table access",
        ),
        (
            "table_set",
            vec![Val::I32(2)],
            TrapCode::TableOutOfBounds,
            "out of bounds table access",
        ),
        (
            "table_fill",
            vec![],
            TrapCode::TableOutOfBounds,
            "out of bounds table access",
        ),
    ];
    for (name, params, code, message) in cases {
        let func = instance.get_func(&store, name).unwrap();
        let mut results = vec![Val::I64(0); func.ty(&store).results().len()];
        let what = format!("{name}({params:?})");
        let err = func
            .call(&mut store, &params, &mut results)
            .expect_err(&what);
        let trap = err
            .as_trap()
            .unwrap_or_else(|| panic!("{what}: not a trap: {err:?}"));
        assert_eq!(trap.code(), code, "{what}");
        assert_eq!(code.message(), message, "{what}");
        assert_eq!(err.to_string(), message, "{what}");
        assert_eq!(trap.to_string(), message, "{what}");
        assert!(matches!(err.kind(), ErrorKind::Trap(_)), "{what}");
        assert!(
            err.downcast_ref::<Trap>().is_none(),
            "a trap is not a host error"
        );
        // The trapping function is the innermost frame.
        assert_eq!(trap.backtrace().len(), 1, "{what}");
    }
    assert_eq!(TrapCode::StackOverflow.message(), "call stack exhausted");

    // The boundaries themselves do not trap, and the store is still usable.
    let load = instance
        .get_typed_func::<i32, i32>(&store, "load_oob")
        .unwrap();
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    let ci = instance
        .get_typed_func::<i32, i32>(&store, "call_indirect_i32")
        .unwrap();
    assert_eq!(ci.call(&mut store, 1).unwrap(), 42);
    let trunc = instance
        .get_typed_func::<f32, i32>(&store, "trunc")
        .unwrap();
    assert_eq!(trunc.call(&mut store, -2.9).unwrap(), -2);
    let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
    assert_eq!(ok.call(&mut store, ()).unwrap(), 7);
}

#[test]
fn typed_call_traps_too() {
    let (mut store, instance) = instantiate((), TRAPS);
    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "div_u")
        .unwrap();
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
    let trap = expect_trap(div.call(&mut store, (7, 0)));
    assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
    assert_eq!(div.call(&mut store, (9, 3)).unwrap(), 3);
}

#[test]
fn trap_backtrace_names_innermost_first() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module $app
             (import "env" "nop" (func $nop))
             (func $outer (export "run") (param i32) (result i32)
               call $nop
               local.get 0 call $middle
               i32.const 1 i32.add)
             (func $middle (param i32) (result i32)
               local.get 0 call $inner)
             (func $inner (param i32) (result i32)
               local.get 0 i32.eqz if unreachable end
               i32.const 10 local.get 0 i32.div_s)
             (func (export "anon") i32.const 0 call $outer drop)
             (func $rec (export "rec") (param i32)
               local.get 0 i32.eqz if unreachable end
               local.get 0 i32.const 1 i32.sub call $rec))"#,
    );
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "nop", || {}).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 3);

    let trap = expect_trap(run.call(&mut store, 0));
    assert_eq!(trap.code(), TrapCode::Unreachable);
    assert_eq!(names(&trap), [Some("inner"), Some("middle"), Some("outer")]);
    // Function indices count the import.
    let indices: Vec<u32> = trap.backtrace().iter().map(|f| f.func_index).collect();
    assert_eq!(indices, [3, 2, 1]);
    assert!(
        trap.backtrace()
            .iter()
            .all(|f| f.module_name.as_deref() == Some("app"))
    );
    let pretty = format!("{trap:#}");
    assert!(
        pretty.starts_with("unreachable\nwasm backtrace:"),
        "{pretty}"
    );
    let lines: Vec<&str> = pretty.lines().skip(2).map(str::trim).collect();
    assert_eq!(lines, ["0: app!inner", "1: app!middle", "2: app!outer"]);
    // `{}` of the error is just the message.
    assert_eq!(
        run.call(&mut store, 0).unwrap_err().to_string(),
        "unreachable"
    );

    // An unnamed function is shown by index.
    let err = instance
        .get_func(&store, "anon")
        .unwrap()
        .call(&mut store, &[], &mut [])
        .unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(
        names(trap),
        [Some("inner"), Some("middle"), Some("outer"), None]
    );
    assert_eq!(trap.backtrace()[3].func_index, 4);
    assert!(
        format!("{err:#}").contains("app!<wasm function 4>"),
        "{err:#}"
    );

    // Recursion: every activation is a frame.
    let rec = instance.get_typed_func::<i32, ()>(&store, "rec").unwrap();
    let trap = expect_trap(rec.call(&mut store, 4));
    assert_eq!(names(&trap), vec![Some("rec"); 5]);

    // No frames of the earlier traps linger in the next backtrace.
    let trap = expect_trap(run.call(&mut store, 0));
    assert_eq!(trap.backtrace().len(), 3);
}

// ---------------------------------------------------------------------------
// Memory, globals, tables
// ---------------------------------------------------------------------------

#[test]
fn memory_api() {
    let (mut store, instance) = instantiate(
        (),
        r#"(module
             (memory (export "memory") 1 3)
             (data (i32.const 8) "\01\02\03\04")
             (func (export "load") (param i32) (result i32) local.get 0 i32.load)
             (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
             (func (export "size") (result i32) memory.size)
             (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let memory = instance.get_memory(&store, "memory").unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    let store_fn = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store")
        .unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();

    assert_eq!(memory.size(&store), 1);
    assert_eq!(memory.ty(&store), MemoryType::new(1, Some(3)));
    assert_eq!(memory.data(&store).len(), 65536);
    assert_eq!(&memory.data(&store)[8..12], &[1, 2, 3, 4]);

    // Host writes are seen by the guest, and guest writes by the host.
    memory
        .write(&mut store, 100, &0xdead_beef_u32.to_le_bytes())
        .unwrap();
    assert_eq!(load.call(&mut store, 100).unwrap(), 0xdead_beef_u32 as i32);
    store_fn.call(&mut store, (200, 0x0102_0304)).unwrap();
    let mut buf = [0u8; 4];
    memory.read(&store, 200, &mut buf).unwrap();
    assert_eq!(buf, [4, 3, 2, 1]);
    memory.data_mut(&mut store)[300..304].copy_from_slice(&[9, 0, 0, 0]);
    assert_eq!(load.call(&mut store, 300).unwrap(), 9);

    // Bounds: the last byte is fine, one past it is not.
    memory.write(&mut store, 65535, &[0xff]).unwrap();
    memory.read(&store, 65536, &mut []).unwrap();
    let err = memory.write(&mut store, 65535, &[1, 2]).unwrap_err();
    assert_eq!(usage(&err), &UsageError::OutOfBounds);
    assert_eq!(
        memory.data(&store)[65535],
        0xff,
        "failed write changed nothing"
    );
    assert!(memory.read(&store, 65536, &mut [0]).is_err());
    assert!(
        memory.read(&store, usize::MAX, &mut [0; 2]).is_err(),
        "offset overflow"
    );
    assert!(
        memory.write(&mut store, usize::MAX, &[0; 2]).is_err(),
        "offset overflow"
    );
    assert_eq!(
        expect_trap(load.call(&mut store, 65536)).code(),
        TrapCode::MemoryOutOfBounds
    );

    // Growing from the host is seen by the guest and vice versa.
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 1);
    assert_eq!(memory.size(&store), 2);
    assert_eq!(size.call(&mut store, ()).unwrap(), 2);
    assert_eq!(memory.data(&store).len(), 2 * 65536);
    assert_eq!(memory.data(&store)[65535], 0xff, "contents survive growth");
    assert_eq!(
        load.call(&mut store, 65536).unwrap(),
        0,
        "new page is zeroed and accessible"
    );
    assert_eq!(grow.call(&mut store, 1).unwrap(), 2);
    assert_eq!(memory.size(&store), 3);
    assert_eq!(memory.ty(&store), MemoryType::new(3, Some(3)));
    let err = memory.grow(&mut store, 1).unwrap_err();
    assert_eq!(usage(&err), &UsageError::GrowFailed);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "guest grow past max fails"
    );
    assert_eq!(memory.grow(&mut store, 0).unwrap(), 3);
    assert_eq!(memory.size(&store), 3);

    // A memory created by the host.
    let own = Memory::new(&mut store, MemoryType::new(0, None)).unwrap();
    assert_eq!(own.size(&store), 0);
    assert!(own.data(&store).is_empty());
    assert!(own.write(&mut store, 0, &[1]).is_err());
    assert_eq!(own.grow(&mut store, 2).unwrap(), 0);
    own.write(&mut store, 131071, &[1]).unwrap();
    assert_eq!(own.data(&store).len(), 131072);
    assert!(Memory::new(&mut store, MemoryType::new(65537, None)).is_err());
}

#[test]
fn globals_api() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let imported = Global::new(
        &mut store,
        GlobalType::new(ValType::I64, Mutability::Var),
        Val::I64(5),
    )
    .unwrap();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "g" (global $g (mut i64)))
             (import "env" "init" (global $init i64))
             (global $c (export "const") i32 (i32.const 7))
             (global $v (export "var") (mut f32) (f32.const 1.5))
             (global (export "from_import") i64 (global.get $init))
             (func (export "get_var") (result f32) global.get $v)
             (func (export "bump") global.get $g i64.const 1 i64.add global.set $g))"#,
    );
    let mut linker = Linker::new(&engine);
    linker.define(&store, "env", "g", imported).unwrap();
    let init = Global::new(
        &mut store,
        GlobalType::new(ValType::I64, Mutability::Const),
        Val::I64(5),
    )
    .unwrap();
    linker.define(&store, "env", "init", init).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let konst = instance.get_global(&store, "const").unwrap();
    let var = instance.get_global(&store, "var").unwrap();
    let from_import = instance.get_global(&store, "from_import").unwrap();

    assert_eq!(konst.get(&store), Val::I32(7));
    assert_eq!(
        konst.ty(&store),
        GlobalType::new(ValType::I32, Mutability::Const)
    );
    assert_eq!(from_import.get(&store), Val::I64(5));
    assert_eq!(var.get(&store).f32(), Some(1.5));

    let err = konst.set(&mut store, Val::I32(8)).unwrap_err();
    assert_eq!(usage(&err), &UsageError::ImmutableGlobal);
    assert_eq!(konst.get(&store), Val::I32(7));

    var.set(&mut store, Val::F32(2.25f32.to_bits())).unwrap();
    let get_var = instance
        .get_typed_func::<(), f32>(&store, "get_var")
        .unwrap();
    assert_eq!(get_var.call(&mut store, ()).unwrap(), 2.25);
    let err = var.set(&mut store, Val::I32(1)).unwrap_err();
    assert_eq!(
        usage(&err),
        &UsageError::ValueType {
            expected: ValType::F32,
            got: ValType::I32
        }
    );
    assert_eq!(var.get(&store).f32(), Some(2.25));

    // The imported global is shared with the guest.
    let bump = instance.get_typed_func::<(), ()>(&store, "bump").unwrap();
    bump.call(&mut store, ()).unwrap();
    bump.call(&mut store, ()).unwrap();
    assert_eq!(imported.get(&store), Val::I64(7));
    imported.set(&mut store, Val::I64(-1)).unwrap();
    bump.call(&mut store, ()).unwrap();
    assert_eq!(imported.get(&store), Val::I64(0));

    assert!(
        Global::new(
            &mut store,
            GlobalType::new(ValType::I32, Mutability::Const),
            Val::F64(0)
        )
        .is_err()
    );
}

#[test]
fn tables_api() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (type $ii (func (param i32) (result i32)))
             (table $t (export "table") 2 4 funcref)
             (table $e (export "externs") 1 externref)
             (elem (i32.const 0) $double)
             (func $double (export "double") (type $ii) local.get 0 i32.const 2 i32.mul)
             (func (export "call") (param i32 i32) (result i32)
               local.get 1 local.get 0 call_indirect $t (type $ii))
             (func (export "size") (result i32) table.size $t)
             (func (export "get_ext") (result externref) i32.const 0 table.get $e))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let table = instance.get_table(&store, "table").unwrap();
    let double = instance.get_func(&store, "double").unwrap();
    let call = instance
        .get_typed_func::<(i32, i32), i32>(&store, "call")
        .unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();

    assert_eq!(table.size(&store), 2);
    assert_eq!(
        table.ty(&store),
        TableType::new(RefType::FuncRef, 2, Some(4))
    );
    assert_eq!(table.get(&store, 0), Some(Val::FuncRef(Some(double))));
    assert_eq!(table.get(&store, 1), Some(Val::FuncRef(None)));
    assert_eq!(table.get(&store, 2), None);
    assert_eq!(call.call(&mut store, (0, 21)).unwrap(), 42);
    assert_eq!(
        expect_trap(call.call(&mut store, (1, 21))).code(),
        TrapCode::IndirectCallToNull
    );

    // A host function placed in the table is callable indirectly.
    let triple = Func::wrap(&mut store, |x: i32| x * 3);
    table
        .set(&mut store, 1, Val::FuncRef(Some(triple)))
        .unwrap();
    assert_eq!(call.call(&mut store, (1, 5)).unwrap(), 15);
    // ...and one of another type is a signature mismatch.
    let wrong = Func::wrap(&mut store, |x: i64| x);
    table.set(&mut store, 1, Val::FuncRef(Some(wrong))).unwrap();
    assert_eq!(
        expect_trap(call.call(&mut store, (1, 5))).code(),
        TrapCode::BadSignature
    );

    let err = table.set(&mut store, 2, Val::FuncRef(None)).unwrap_err();
    assert_eq!(usage(&err), &UsageError::OutOfBounds);
    let err = table.set(&mut store, 0, Val::I32(0)).unwrap_err();
    assert_eq!(
        usage(&err),
        &UsageError::ValueType {
            expected: ValType::FuncRef,
            got: ValType::I32
        }
    );
    assert_eq!(
        table.get(&store, 0),
        Some(Val::FuncRef(Some(double))),
        "failed set changed nothing"
    );

    assert_eq!(
        table
            .grow(&mut store, 2, Val::FuncRef(Some(triple)))
            .unwrap(),
        2
    );
    assert_eq!(table.size(&store), 4);
    assert_eq!(size.call(&mut store, ()).unwrap(), 4);
    assert_eq!(call.call(&mut store, (3, 7)).unwrap(), 21);
    assert_eq!(
        usage(&table.grow(&mut store, 1, Val::FuncRef(None)).unwrap_err()),
        &UsageError::GrowFailed
    );
    assert!(
        table.grow(&mut store, 0, Val::ExternRef(None)).is_err(),
        "init of the wrong type"
    );
    assert_eq!(table.size(&store), 4);

    // externref tables carry host values.
    let externs = instance.get_table(&store, "externs").unwrap();
    let r = kestrel_interp::ExternRef::new(&mut store, String::from("payload"));
    externs.set(&mut store, 0, Val::ExternRef(Some(r))).unwrap();
    let get_ext = instance
        .get_typed_func::<(), Option<kestrel_interp::ExternRef>>(&store, "get_ext")
        .unwrap();
    let back = get_ext.call(&mut store, ()).unwrap().unwrap();
    assert_eq!(
        back.data(&store)
            .downcast_ref::<String>()
            .map(String::as_str),
        Some("payload")
    );

    // A table created by the host.
    let own = Table::new(
        &mut store,
        TableType::new(RefType::FuncRef, 1, None),
        Val::FuncRef(Some(double)),
    )
    .unwrap();
    assert_eq!(own.get(&store, 0), Some(Val::FuncRef(Some(double))));
    assert!(
        Table::new(
            &mut store,
            TableType::new(RefType::FuncRef, 1, None),
            Val::I32(0)
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------
// Linking and instantiation
// ---------------------------------------------------------------------------

#[test]
fn linker_unknown_import() {
    let engine = Engine::default();
    let module = compile(&engine, r#"(module (import "env" "missing" (func)))"#);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "other", || {}).unwrap();
    linker.func_wrap("elsewhere", "missing", || {}).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(
        link(&err),
        &LinkError::UnknownImport {
            module: "env".into(),
            name: "missing".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown import: `env::missing` has not been defined"
    );
    assert!(err.as_trap().is_none());

    // Instance::new with too few imports is the same error.
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert!(matches!(link(&err), LinkError::UnknownImport { .. }));
}

#[test]
fn linker_incompatible_imports() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(1))).unwrap();
    let const_i32 = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(0),
    )
    .unwrap();
    let table = Table::new(
        &mut store,
        TableType::new(RefType::FuncRef, 1, None),
        Val::FuncRef(None),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f_i32", |_: i32| {}).unwrap();
    linker.define(&store, "env", "memory", memory).unwrap();
    linker.define(&store, "env", "g", const_i32).unwrap();
    linker.define(&store, "env", "table", table).unwrap();

    let cases = [
        ("f_i32", r#"(import "env" "f_i32" (func (param i64)))"#),
        (
            "f_i32",
            r#"(import "env" "f_i32" (func (param i32) (result i32)))"#,
        ),
        ("f_i32", r#"(import "env" "f_i32" (memory 1))"#),
        ("memory", r#"(import "env" "memory" (func))"#),
        ("memory", r#"(import "env" "memory" (memory 2))"#),
        ("memory", r#"(import "env" "memory" (memory 0 0))"#),
        ("g", r#"(import "env" "g" (global (mut i32)))"#),
        ("g", r#"(import "env" "g" (global i64))"#),
        ("table", r#"(import "env" "table" (table 1 externref))"#),
        ("table", r#"(import "env" "table" (table 1 5 funcref))"#),
        ("table", r#"(import "env" "table" (table 2 funcref))"#),
    ];
    for (name, import) in cases {
        let module = compile(&engine, &format!("(module {import})"));
        let err = linker.instantiate(&mut store, &module).expect_err(import);
        assert_eq!(
            link(&err),
            &LinkError::IncompatibleImport {
                module: "env".into(),
                name: name.into()
            },
            "{import}"
        );
        assert_eq!(
            err.to_string(),
            format!("incompatible import type for `env::{name}`")
        );
    }
    // The matching forms link.
    for import in [
        r#"(import "env" "f_i32" (func (param i32)))"#,
        r#"(import "env" "memory" (memory 1 1))"#,
        r#"(import "env" "memory" (memory 0))"#,
        r#"(import "env" "g" (global i32))"#,
        r#"(import "env" "table" (table 1 funcref))"#,
    ] {
        let module = compile(&engine, &format!("(module {import})"));
        linker
            .instantiate(&mut store, &module)
            .unwrap_or_else(|e| panic!("{import}: {e}"));
    }
}

#[test]
fn linker_duplicate_definitions() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", || {}).unwrap();
    let err = linker.func_wrap("env", "f", |_: i32| {}).unwrap_err();
    assert_eq!(
        link(&err),
        &LinkError::Duplicate {
            module: "env".into(),
            name: "f".into()
        }
    );
    assert_eq!(err.to_string(), "`env::f` is already defined");

    let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let err = linker.define(&store, "env", "f", memory).unwrap_err();
    assert!(matches!(link(&err), LinkError::Duplicate { .. }));
    let err = linker
        .func_new("env", "f", FuncType::new([], []), |_, _, _| Ok(()))
        .unwrap_err();
    assert!(matches!(link(&err), LinkError::Duplicate { .. }));
    // Same name in another module is fine, and the first definition is kept.
    linker.func_wrap("env2", "f", |_: i32| {}).unwrap();
    let module = compile(&engine, r#"(module (import "env" "f" (func)))"#);
    linker.instantiate(&mut store, &module).unwrap();

    // Defining an instance's exports under a taken name fails too.
    let exporter = compile(&engine, r#"(module (func (export "f")))"#);
    let instance = linker.instantiate(&mut store, &exporter).unwrap();
    let err = linker.instance(&mut store, "env", instance).unwrap_err();
    assert!(matches!(link(&err), LinkError::Duplicate { .. }));
}

#[test]
fn instances_link_to_each_other() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let provider = compile(
        &engine,
        r#"(module
             (memory (export "mem") 1)
             (global (export "counter") (mut i32) (i32.const 0))
             (func (export "inc") (result i32)
               (global.set 0 (i32.add (global.get 0) (i32.const 1)))
               global.get 0))"#,
    );
    let consumer = compile(
        &engine,
        r#"(module
             (import "provider" "mem" (memory 1))
             (import "provider" "inc" (func $inc (result i32)))
             (func (export "run") (result i32)
               (i32.store (i32.const 4) (call $inc))
               call $inc drop
               i32.const 4 i32.load))"#,
    );
    let p = linker.instantiate(&mut store, &provider).unwrap();
    linker.instance(&mut store, "provider", p).unwrap();
    let c = linker.instantiate(&mut store, &consumer).unwrap();
    let run = c.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 1);
    assert_eq!(run.call(&mut store, ()).unwrap(), 3);
    let mem = p.get_memory(&store, "mem").unwrap();
    assert_eq!(
        mem.data(&store)[4],
        3,
        "consumer wrote to the provider's memory"
    );
    assert_eq!(
        p.get_global(&store, "counter").unwrap().get(&store),
        Val::I32(4)
    );
}

#[test]
fn start_function_runs_at_instantiation() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "hello" (func $hello (param i32)))
             (global $g (export "g") (mut i32) (i32.const 1))
             (memory (export "memory") 1)
             (data (i32.const 0) "x")
             (func $start
               ;; data segments are applied before start runs
               (call $hello (i32.load8_u (i32.const 0)))
               (global.set $g (i32.const 99)))
             (start $start))"#,
    );
    let mut linker = Linker::<Vec<i32>>::new(&engine);
    linker
        .func_wrap(
            "env",
            "hello",
            |mut caller: Caller<'_, Vec<i32>>, v: i32| {
                // The instance's exports are visible to the start function's host calls.
                assert!(caller.get_export("memory").is_some());
                caller.data_mut().push(v);
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(store.data(), &[i32::from(b'x')]);
    assert_eq!(
        instance.get_global(&store, "g").unwrap().get(&store),
        Val::I32(99)
    );
    linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(store.data().len(), 2, "start runs once per instantiation");
}

#[test]
fn trap_in_start_fails_instantiation() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (func $boot (i32.div_u (i32.const 1) (i32.const 0)) drop)
             (func $start_here call $boot)
             (start $start_here))"#,
    );
    let mut store = Store::new(&engine, ());
    let err = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
    assert_eq!(names(trap), [Some("boot"), Some("start_here")]);
    assert_eq!(err.to_string(), "integer divide by zero");

    // Out-of-bounds segments fail instantiation with a trap too.
    let module = compile(
        &engine,
        r#"(module (memory 1) (data (i32.const 65535) "ab"))"#,
    );
    let err = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_err();
    assert_eq!(
        err.as_trap().map(Trap::code),
        Some(TrapCode::MemoryOutOfBounds)
    );
    let module = compile(
        &engine,
        r#"(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))"#,
    );
    let err = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_err();
    assert_eq!(
        err.as_trap().map(Trap::code),
        Some(TrapCode::TableOutOfBounds)
    );

    // The store can still instantiate and run other modules.
    let ok = compile(
        &engine,
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    );
    let instance = Linker::new(&engine).instantiate(&mut store, &ok).unwrap();
    assert_eq!(
        instance
            .get_typed_func::<(), i32>(&store, "f")
            .unwrap()
            .call(&mut store, ())
            .unwrap(),
        1
    );
}

#[test]
fn store_reused_for_many_instantiations() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "env" "id" (func $id (result i32)))
             (memory (export "memory") 1)
             (global $n (mut i32) (i32.const 0))
             (func (export "bump") (param i32) (result i32)
               (global.set $n (i32.add (global.get $n) (local.get 0)))
               (i32.store (i32.const 0) (global.get $n))
               (i32.add (global.get $n) (i32.mul (call $id) (i32.const 1000)))))"#,
    );
    let seen = Arc::new(AtomicU32::new(0));
    let mut linker = Linker::<u32>::new(&engine);
    let seen2 = seen.clone();
    linker
        .func_wrap("env", "id", move |caller: Caller<'_, u32>| {
            seen2.fetch_add(1, Ordering::Relaxed);
            *caller.data() as i32
        })
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut instances = Vec::new();
    for i in 0..200u32 {
        *store.data_mut() = i;
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let bump = instance.get_typed_func::<i32, i32>(&store, "bump").unwrap();
        assert_eq!(
            bump.call(&mut store, i as i32).unwrap(),
            i as i32 + i as i32 * 1000
        );
        instances.push(instance);
    }
    // Every instance kept its own state.
    *store.data_mut() = 0;
    for (i, instance) in instances.iter().enumerate() {
        let bump = instance.get_typed_func::<i32, i32>(&store, "bump").unwrap();
        assert_eq!(bump.call(&mut store, 1).unwrap(), i as i32 + 1);
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(memory.data(&store)[..4], (i as u32 + 1).to_le_bytes());
    }
    assert_eq!(seen.load(Ordering::Relaxed), 400);
}

// ---------------------------------------------------------------------------
// Re-entrance
// ---------------------------------------------------------------------------

const REENTER: &str = r#"
(module
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $depth (mut i32) (i32.const 0))
  (func (export "square") (param i32) (result i32)
    local.get 0 local.get 0 i32.mul)
  (func (export "outer") (param i32) (result i32)
    local.get 0 call $call_back
    i32.const 1 i32.add)
  ;; even/odd through the host: ping(n) = n == 0 ? 0 : host(n - 1) + 1
  (func (export "ping") (param i32) (result i32)
    local.get 0 i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $call_back i32.const 1 i32.add
    end)
  (func (export "boom") (param i32) (result i32) unreachable)
  (func (export "grow_then_load") (param i32) (result i32)
    ;; the host grows memory; the new page must be addressable afterwards
    local.get 0 call $call_back drop
    (i32.store (i32.const 65536) (i32.const 5))
    (i32.add (memory.size) (i32.load (i32.const 65536))))
)
"#;

fn reenter_store(target: &'static str) -> (Store<Vec<i32>>, Instance) {
    let engine = Engine::default();
    reenter_store_with(&engine, target)
}

fn reenter_store_with(engine: &Engine, target: &'static str) -> (Store<Vec<i32>>, Instance) {
    let module = compile(engine, REENTER);
    let mut linker = Linker::<Vec<i32>>::new(engine);
    linker
        .func_wrap(
            "host",
            "call_back",
            move |mut caller: Caller<'_, Vec<i32>>, x: i32| -> Result<i32, Error> {
                caller.data_mut().push(x);
                if target == "grow" {
                    let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
                    memory.grow(&mut caller, 1)?;
                    return Ok(0);
                }
                let func = caller
                    .get_export(target)
                    .and_then(Extern::into_func)
                    .unwrap();
                // Both the typed and the untyped path re-enter.
                if x % 2 == 0 {
                    func.typed::<i32, i32>(&caller)?.call(&mut caller, x)
                } else {
                    let mut out = [Val::I32(0)];
                    func.call(&mut caller, &[Val::I32(x)], &mut out)?;
                    Ok(out[0].i32().unwrap())
                }
            },
        )
        .unwrap();
    let mut store = Store::new(engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn host_reenters_wasm_through_caller() {
    let (mut store, instance) = reenter_store("square");
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    assert_eq!(outer.call(&mut store, 6).unwrap(), 37);
    assert_eq!(outer.call(&mut store, 3).unwrap(), 10);
    assert_eq!(store.data(), &[6, 3]);

    let (mut store, instance) = reenter_store("ping");
    let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
    // 30 round trips stay within the default `max_reentry` of 32.
    assert_eq!(ping.call(&mut store, 30).unwrap(), 30);
    assert_eq!(store.data().len(), 30);
    assert_eq!(store.data()[..3], [29, 28, 27]);
}

#[test]
fn trap_in_reentered_wasm_propagates_through_the_host() {
    let (mut store, instance) = reenter_store("boom");
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    for x in [2, 3] {
        let trap = expect_trap(outer.call(&mut store, x));
        assert_eq!(trap.code(), TrapCode::Unreachable);
    }
    // Afterwards the store works normally.
    let square = instance
        .get_typed_func::<i32, i32>(&store, "square")
        .unwrap();
    assert_eq!(square.call(&mut store, 9).unwrap(), 81);
}

#[test]
fn host_growing_memory_mid_call_is_seen_by_the_guest() {
    let (mut store, instance) = reenter_store("grow");
    let f = instance
        .get_typed_func::<i32, i32>(&store, "grow_then_load")
        .unwrap();
    assert_eq!(f.call(&mut store, 0).unwrap(), 2 + 5);
}

#[test]
fn call_depth_limit_counts_frames_across_host_reentry() {
    // ping(n) recurses through the host: Wasm -> host -> Wasm -> ... n times.
    // With a limit of 20 nested Wasm calls, ping(100) has 101 Wasm frames
    // live at once and must trap with "call stack exhausted": frames of every
    // nested entry count towards the limit.
    let mut config = Config::default();
    config.max_call_depth(20);
    let engine = Engine::new(&config);
    let (mut store, instance) = reenter_store_with(&engine, "ping");
    let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
    assert_eq!(ping.call(&mut store, 10).unwrap(), 10);
    let trap = expect_trap(ping.call(&mut store, 100));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
}

#[test]
fn recursion_through_the_host_cannot_overflow_the_native_stack() {
    const STACK: usize = 256 * 1024; // native stack of the thread that runs the guest
    // Each Wasm -> host -> Wasm round trip uses native stack, which Kestrel's
    // own stack cannot absorb; `max_reentry` bounds it. On a 256 KiB thread,
    // in a debug build, 100,000 round trips must end in a clean trap.
    // Parsing the text format is itself deeply recursive in a debug build, so
    // compile and instantiate on this thread and only run on the small one.
    let engine = Engine::default();
    let (mut store, instance) = reenter_store_with(&engine, "ping");
    let outcome = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let ping = instance.get_typed_func::<i32, i32>(&store, "ping").unwrap();
            let trap = expect_trap(ping.call(&mut store, 100_000));
            let code = trap.code();
            // The store is still usable afterwards.
            let shallow = ping.call(&mut store, 5).unwrap();
            (code, shallow)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome, (TrapCode::StackOverflow, 5));
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

const RECURSE: &str = r#"
(module
  (func $down (export "down") (param i32) (result i32)
    local.get 0 i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add
    end)
  (func $forever (export "forever") call $forever)
  (func (export "big_frame") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 63 (i64.const 3))
    (i32.add (local.get 0) (i32.wrap_i64 (local.get 63))))
  (func (export "ok") (result i32) i32.const 123)
)
"#;

fn limited(depth: usize, slots: usize) -> (Store<()>, Instance) {
    let mut config = Config::default();
    config.max_call_depth(depth).max_stack_slots(slots);
    let engine = Engine::new(&config);
    let module = compile(&engine, RECURSE);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

#[test]
fn call_depth_limit_traps_and_store_stays_usable() {
    let (mut store, instance) = limited(100, 1 << 20);
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();
    let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();

    // down(n) needs n + 1 frames: exactly at the limit is fine.
    assert_eq!(down.call(&mut store, 99).unwrap(), 99);
    let trap = expect_trap(down.call(&mut store, 100));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert_eq!(trap.to_string(), "call stack exhausted");
    assert_eq!(trap.backtrace().len(), 100);
    assert!(names(&trap).iter().all(|n| *n == Some("down")));

    let trap = expect_trap(forever.call(&mut store, ()));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert_eq!(trap.backtrace().len(), 100);

    // The store is usable afterwards, repeatedly.
    assert_eq!(ok.call(&mut store, ()).unwrap(), 123);
    assert_eq!(down.call(&mut store, 99).unwrap(), 99);
    for _ in 0..3 {
        assert_eq!(
            expect_trap(forever.call(&mut store, ())).code(),
            TrapCode::StackOverflow
        );
        assert_eq!(down.call(&mut store, 50).unwrap(), 50);
    }
}

#[test]
fn stack_slot_limit_traps_and_store_stays_usable() {
    // A frame of 65 locals does not fit in 32 slots.
    let (mut store, instance) = limited(1000, 32);
    let big = instance
        .get_typed_func::<i32, i32>(&store, "big_frame")
        .unwrap();
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
    assert_eq!(
        expect_trap(big.call(&mut store, 1)).code(),
        TrapCode::StackOverflow
    );
    assert_eq!(ok.call(&mut store, ()).unwrap(), 123);
    // The recursion hits the slot limit long before the 1000-call limit.
    let trap = expect_trap(down.call(&mut store, 999));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert!(
        trap.backtrace().len() < 999,
        "slots, not depth, were exhausted"
    );
    assert!(down.call(&mut store, 2).unwrap() == 2);

    // With room for it, the same frame runs.
    let (mut store, instance) = limited(1000, 1 << 16);
    let big = instance
        .get_typed_func::<i32, i32>(&store, "big_frame")
        .unwrap();
    assert_eq!(big.call(&mut store, 1).unwrap(), 4);
}

#[test]
fn default_limits_trap_runaway_recursion() {
    let (mut store, instance) = instantiate((), RECURSE);
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();
    let trap = expect_trap(forever.call(&mut store, ()));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert!(trap.backtrace().len() <= 100_000);
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 10_000).unwrap(), 10_000);
}

// ---------------------------------------------------------------------------
// Handles from another store
// ---------------------------------------------------------------------------

#[test]
fn handles_out_of_range_for_a_store_are_errors() {
    let (mut a, instance) = instantiate((), ARITH);
    let add = instance.get_func(&a, "add").unwrap();
    let mut b = Store::new(&Engine::default(), ());
    let mut out = [Val::I32(0)];
    let err = add
        .call(&mut b, &[Val::I32(1), Val::I32(2)], &mut out)
        .unwrap_err();
    assert_eq!(usage(&err), &UsageError::ForeignHandle);
    add.call(&mut a, &[Val::I32(1), Val::I32(2)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(3)]);

    let memory = Memory::new(&mut a, MemoryType::new(1, None)).unwrap();
    assert_eq!(
        usage(&memory.write(&mut b, 0, &[1]).unwrap_err()),
        &UsageError::ForeignHandle
    );
    assert_eq!(
        usage(&memory.grow(&mut b, 1).unwrap_err()),
        &UsageError::ForeignHandle
    );
    let global = Global::new(
        &mut a,
        GlobalType::new(ValType::I32, Mutability::Var),
        Val::I32(1),
    )
    .unwrap();
    assert_eq!(
        usage(&global.set(&mut b, Val::I32(2)).unwrap_err()),
        &UsageError::ForeignHandle
    );
}

#[test]
fn handle_from_another_store_is_rejected_even_when_in_range() {
    let engine = Engine::default();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let in_a = Memory::new(&mut a, MemoryType::new(1, None)).unwrap();
    let in_b = Memory::new(&mut b, MemoryType::new(1, None)).unwrap();
    // `in_a` belongs to store `a`; using it with `b` must not touch `b`'s memory.
    let result = in_a.write(&mut b, 0, &[42]);
    assert!(result.is_err(), "a foreign handle was accepted");
    assert_eq!(
        in_b.data(&b)[0],
        0,
        "store b's memory was written through a handle of store a"
    );
}

#[test]
fn every_kind_of_handle_is_checked_against_its_store() {
    let engine = Engine::default();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let ty = GlobalType::new(ValType::I32, Mutability::Var);
    let g_a = Global::new(&mut a, ty, Val::I32(1)).unwrap();
    let g_b = Global::new(&mut b, ty, Val::I32(2)).unwrap();
    assert_eq!(
        usage(&g_a.set(&mut b, Val::I32(3)).unwrap_err()),
        &UsageError::ForeignHandle
    );
    assert_eq!(g_b.get(&b), Val::I32(2));

    let f_a = Func::wrap(&mut a, |x: i32| x + 1);
    let f_b = Func::wrap(&mut b, |x: i32| x + 2);
    let mut out = [Val::I32(0)];
    let err = f_a.call(&mut b, &[Val::I32(1)], &mut out).unwrap_err();
    assert_eq!(usage(&err), &UsageError::ForeignHandle);
    assert!(f_a.typed::<i32, i32>(&b).is_err());
    f_b.call(&mut b, &[Val::I32(1)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(3));

    // A funcref of store a cannot be stored in store b's table or global.
    let tt = TableType::new(RefType::FuncRef, 1, None);
    let t_b = Table::new(&mut b, tt, Val::FuncRef(None)).unwrap();
    let err = t_b.set(&mut b, 0, Val::FuncRef(Some(f_a))).unwrap_err();
    assert_eq!(usage(&err), &UsageError::ForeignHandle);
    assert!(Table::new(&mut b, tt, Val::FuncRef(Some(f_a))).is_err());
    t_b.set(&mut b, 0, Val::FuncRef(Some(f_b))).unwrap();
    assert_eq!(t_b.get(&b, 0), Some(Val::FuncRef(Some(f_b))));

    // Nor can a linker define one store's entity for use with another.
    let mut linker = Linker::<()>::new(&engine);
    let err = linker.define(&b, "m", "g", g_a).unwrap_err();
    assert_eq!(usage(&err), &UsageError::ForeignHandle);
}

#[test]
fn typed_call_with_foreign_handle_is_an_error_not_a_panic() {
    let (a, instance) = instantiate((), ARITH);
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&a, "add")
        .unwrap();
    let mut b = Store::new(&Engine::default(), ());
    // `Func::call` reports this as `ForeignHandle`; the typed call must too.
    let err = add.call(&mut b, (1, 2)).unwrap_err();
    assert_eq!(usage(&err), &UsageError::ForeignHandle);
}

#[test]
fn host_can_swallow_a_trap_of_a_reentered_call() {
    let engine = Engine::default();
    let module = compile(
        &engine,
        r#"(module
             (import "host" "try" (func $try (param i32) (result i32)))
             (func $checked_div (export "checked_div") (param i32) (result i32)
               i32.const 100 local.get 0 i32.div_u)
             (func (export "outer") (param i32) (result i32)
               local.get 0 call $try
               i32.const 1000 i32.add))"#,
    );
    let mut linker = Linker::<Vec<TrapCode>>::new(&engine);
    linker
        .func_wrap(
            "host",
            "try",
            |mut caller: Caller<'_, Vec<TrapCode>>, x: i32| -> Result<i32, Error> {
                let div = caller
                    .get_export("checked_div")
                    .unwrap()
                    .into_func()
                    .unwrap();
                match div.typed::<i32, i32>(&caller)?.call(&mut caller, x) {
                    Ok(v) => Ok(v),
                    Err(e) => {
                        let code = e.as_trap().expect("a trap").code();
                        caller.data_mut().push(code);
                        Ok(-1)
                    }
                }
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    assert_eq!(
        outer.call(&mut store, 0).unwrap(),
        999,
        "outer frame resumed"
    );
    assert_eq!(store.data(), &[TrapCode::IntegerDivisionByZero]);
    assert_eq!(outer.call(&mut store, 4).unwrap(), 1025);
    assert_eq!(outer.call(&mut store, 0).unwrap(), 999);
    assert_eq!(store.data().len(), 2);
}

#[test]
fn references_cross_the_boundary() {
    let (mut store, instance) = instantiate(
        (),
        r#"(module
             (type $ii (func (param i32) (result i32)))
             (table $t 1 funcref)
             (elem declare func $inc)
             (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
             (func (export "get_inc") (result funcref) ref.func $inc)
             (func (export "is_null") (param funcref) (result i32) local.get 0 ref.is_null)
             (func (export "call_ref") (param funcref i32) (result i32)
               (table.set $t (i32.const 0) (local.get 0))
               (call_indirect $t (type $ii) (local.get 1) (i32.const 0)))
             (func (export "ext_is_null") (param externref) (result i32)
               local.get 0 ref.is_null))"#,
    );
    let get_inc = instance
        .get_typed_func::<(), Option<Func>>(&store, "get_inc")
        .unwrap();
    let inc = get_inc.call(&mut store, ()).unwrap().expect("non-null");
    assert_eq!(
        inc.typed::<i32, i32>(&store)
            .unwrap()
            .call(&mut store, 41)
            .unwrap(),
        42
    );

    let is_null = instance
        .get_typed_func::<Option<Func>, i32>(&store, "is_null")
        .unwrap();
    assert_eq!(is_null.call(&mut store, None).unwrap(), 1);
    assert_eq!(is_null.call(&mut store, Some(inc)).unwrap(), 0);

    // A host function passed in as a funcref and called indirectly.
    let double = Func::wrap(&mut store, |x: i32| x * 2);
    let call_ref = instance
        .get_typed_func::<(Option<Func>, i32), i32>(&store, "call_ref")
        .unwrap();
    assert_eq!(call_ref.call(&mut store, (Some(double), 21)).unwrap(), 42);
    assert_eq!(call_ref.call(&mut store, (Some(inc), 21)).unwrap(), 22);
    let trap = expect_trap(call_ref.call(&mut store, (None, 21)));
    assert_eq!(trap.code(), TrapCode::IndirectCallToNull);

    let ext_is_null = instance.get_func(&store, "ext_is_null").unwrap();
    let r = kestrel_interp::ExternRef::new(&mut store, 5u8);
    let mut out = [Val::I32(-1)];
    ext_is_null
        .call(&mut store, &[Val::ExternRef(Some(r))], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(0)]);
    ext_is_null
        .call(&mut store, &[Val::ExternRef(None)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(1)]);

    // A host function with more results than parameters, called directly.
    let three = Func::wrap(&mut store, || (1i32, 2i64, 3.5f32));
    let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
    three.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out, [Val::I32(1), Val::I64(2), Val::F32(3.5f32.to_bits())]);
}

#[test]
fn deep_backtraces_keep_the_innermost_frames_and_count_the_rest() {
    let mut config = Config::default();
    config.max_call_depth(500);
    let engine = Engine::new(&config);
    let module = compile(&engine, RECURSE);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let forever = instance
        .get_typed_func::<(), ()>(&store, "forever")
        .unwrap();
    let trap = expect_trap(forever.call(&mut store, ()));
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert_eq!(trap.depth(), 500);
    assert_eq!(trap.backtrace().len(), Trap::MAX_BACKTRACE);
    let pretty = format!("{trap:#}");
    assert!(
        pretty.ends_with(&format!("... {} more frames", 500 - Trap::MAX_BACKTRACE)),
        "{pretty}"
    );
}
