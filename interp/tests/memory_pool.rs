//! Memory buffers reused between stores: whatever one guest wrote, by any
//! path, the next memory made from the pool is all zeros.

use kestrel_interp::{Config, Engine, Instance, Linker, Memory, Module, Store};
use proptest::prelude::*;

/// `sum`: every byte of the memory added up, so a leftover shows; and
/// `grow`. Both test modules have them.
macro_rules! sum_and_grow {
    () => {
        r#"
  (func (export "sum") (result i64) (local $i i32) (local $s i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i)
                               (i32.mul (memory.size) (i32.const 65536))))
        (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
"#
    };
}

/// Writes through every path a guest has: each store width, `memory.fill`,
/// `memory.copy`, `memory.init`, an active data segment, and after
/// `memory.grow`.
const WRITER: &str = concat!(
    r#"
(module
  (memory (export "memory") 2 8)
  (data (i32.const 100) "active segment")
  (data $passive "passive segment")
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "store_at") (param i32 i32 i32)
    ;; The address is a sum: the translator's base+index form.
    (i32.store offset=3 (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32)
    (memory.init $passive (local.get 0) (i32.const 0) (i32.const 15)))"#,
    sum_and_grow!()
);

/// No data segments: a fresh memory of this module must be all zeros.
/// `PAGES` is its initial size.
const READER: &str = concat!(
    r#"
(module
  (memory (export "memory") PAGES 8)"#,
    sum_and_grow!()
);

fn module(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
}

fn reader(engine: &Engine, pages: u32) -> Module {
    module(engine, &READER.replace("PAGES", &pages.to_string()))
}

fn instantiate(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate(&mut store, module).unwrap();
    (store, instance)
}

fn memory(store: &Store<()>, instance: &Instance) -> Memory {
    instance.get_memory(store, "memory").unwrap()
}

/// A fresh instance of `reader`, grown to `pages`, sees only zeros, through
/// the guest and through the host API. Returns where its memory started
/// before growing, to tell whether a pooled buffer was reused.
fn assert_fresh_memory_is_zero(engine: &Engine, reader: &Module, pages: u32) -> usize {
    let (mut store, instance) = instantiate(engine, reader);
    let start = memory(&store, &instance).data(&store).as_ptr() as usize;
    let size = memory(&store, &instance).size(&store);
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(
        grow.call(&mut store, (pages - size) as i32).unwrap(),
        size as i32
    );
    let sum = instance.get_typed_func::<(), i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, ()).unwrap(), 0);
    let data = memory(&store, &instance).data(&store);
    assert_eq!(data.len(), pages as usize * 65536);
    assert!(data.iter().all(|&b| b == 0));
    start
}

#[test]
fn every_write_path_is_zeroed_before_reuse() {
    let engine = Engine::default();
    let writer = module(&engine, WRITER);
    let reader = reader(&engine, 2);
    let used;
    {
        let (mut store, instance) = instantiate(&engine, &writer);
        let f = |store: &Store<()>, name: &str| instance.get_func(store, name).unwrap();
        use kestrel_interp::Val::{I32, I64};
        let calls: &[(&str, &[kestrel_interp::Val])] = &[
            ("store8", &[I32(7), I32(0x11)]),
            ("store16", &[I32(70_000), I32(0x2222)]),
            ("store32", &[I32(131_068), I32(-1)]),
            ("store64", &[I32(65_530), I64(-1)]),
            ("store_at", &[I32(100_000), I32(20_000), I32(0x3333)]),
            ("fill", &[I32(1000), I32(0x44), I32(3000)]),
            ("copy", &[I32(90_000), I32(100), I32(14)]),
            ("init", &[I32(120_000)]),
        ];
        for (name, args) in calls {
            f(&store, name).call(&mut store, args, &mut []).unwrap();
        }
        // Past the first memory size, after a grow.
        let mut old = [I32(0)];
        f(&store, "grow")
            .call(&mut store, &[I32(2)], &mut old)
            .unwrap();
        assert_eq!(old[0], I32(2));
        f(&store, "store32")
            .call(&mut store, &[I32(4 * 65536 - 4), I32(-1)], &mut [])
            .unwrap();
        let mut sum = [I64(0)];
        f(&store, "sum").call(&mut store, &[], &mut sum).unwrap();
        assert!(matches!(sum[0], I64(s) if s > 0));
        used = memory(&store, &instance).data(&store).as_ptr() as usize;
    }
    // The writer's buffer (four pages by now) serves a two-page memory.
    assert_eq!(assert_fresh_memory_is_zero(&engine, &reader, 4), used);
}

#[test]
fn host_writes_are_zeroed_before_reuse() {
    let engine = Engine::default();
    let reader = reader(&engine, 1);
    for how in 0..3 {
        let used;
        {
            let (mut store, instance) = instantiate(&engine, &reader);
            let memory = memory(&store, &instance);
            match how {
                0 => memory.data_mut(&mut store)[65_535] = 1,
                1 => memory.write(&mut store, 40_000, &[1, 2, 3]).unwrap(),
                _ => memory.data_and_store_mut(&mut store).0[5] = 1,
            }
            used = memory.data(&store).as_ptr() as usize;
        }
        assert_eq!(assert_fresh_memory_is_zero(&engine, &reader, 1), used);
    }
    // A memory the host made itself is pooled and cleaned the same way.
    let used;
    {
        let mut store = Store::new(&engine, ());
        let memory = Memory::new(&mut store, kestrel_interp::MemoryType::new(1, None)).unwrap();
        memory.data_mut(&mut store).fill(0xff);
        used = memory.data(&store).as_ptr() as usize;
    }
    assert_eq!(assert_fresh_memory_is_zero(&engine, &reader, 1), used);
}

#[test]
fn pooling_can_be_turned_off() {
    let mut config = Config::default();
    config.memory_pool_bytes(0);
    let engine = Engine::new(&config);
    let reader = reader(&engine, 1);
    for _ in 0..3 {
        let (mut store, instance) = instantiate(&engine, &reader);
        memory(&store, &instance).data_mut(&mut store).fill(1);
        drop(store);
        assert_fresh_memory_is_zero(&engine, &reader, 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Stores of every width at arbitrary in-bounds and out-of-bounds
    /// addresses, then a fresh memory from the pool: all zero.
    #[test]
    fn random_stores_never_leak(
        writes in proptest::collection::vec((0u32..4, 0u32..(2 * 65536 + 16), any::<i64>()), 1..40)
    ) {
        let engine = Engine::default();
        let writer = module(&engine, WRITER);
        let reader = reader(&engine, 2);
        let used;
        {
            let (mut store, instance) = instantiate(&engine, &writer);
            used = memory(&store, &instance).data(&store).as_ptr() as usize;
            for (width, addr, value) in writes {
                let name = ["store8", "store16", "store32", "store64"][width as usize];
                let f = instance.get_func(&store, name).unwrap();
                let value = match width {
                    3 => kestrel_interp::Val::I64(value),
                    _ => kestrel_interp::Val::I32(value as i32),
                };
                let result = f.call(&mut store, &[kestrel_interp::Val::I32(addr as i32), value], &mut []);
                let size = [1, 2, 4, 8][width as usize];
                prop_assert_eq!(result.is_ok(), addr as usize + size <= 2 * 65536);
            }
        }
        prop_assert_eq!(assert_fresh_memory_is_zero(&engine, &reader, 2), used);
    }
}
