//! Resource limits a host sets on a store.

use kestrel_interp::{
    Engine, ErrorKind, Linker, Memory, MemoryType, ResourceLimiter, Store, StoreLimits, UsageError,
};

const GROWER: &str = r#"
(module
  (memory (export "memory") 1)
  (table (export "table") 1 funcref)
  ;; Grows memory one page at a time until memory.grow fails; returns the
  ;; number of pages reached.
  (func (export "grow_until_refused") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $again)))
    (memory.size))
  (func (export "grow_table") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0)))
)
"#;

fn module(engine: &Engine, wat: &str) -> kestrel_interp::Module {
    kestrel_interp::Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
}

#[test]
fn unbounded_memory_grow_gets_minus_one_at_the_limit() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimits::new().memory_size(10 * 65536));
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module(&engine, GROWER))
        .unwrap();
    let grow = instance
        .get_typed_func::<(), i32>(&store, "grow_until_refused")
        .unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 10);
    // Refused again on a second try, and the memory is intact.
    assert_eq!(grow.call(&mut store, ()).unwrap(), 10);
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.data(&store).len(), 10 * 65536);
    assert!(memory.grow(&mut store, 1).is_err());
}

#[test]
fn table_grow_gets_minus_one_at_the_limit() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimits::new().table_elements(100));
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module(&engine, GROWER))
        .unwrap();
    let grow = instance
        .get_typed_func::<i32, i32>(&store, "grow_table")
        .unwrap();
    assert_eq!(grow.call(&mut store, 99).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(
        instance.get_table(&store, "table").unwrap().size(&store),
        100
    );
}

#[test]
fn instance_and_memory_counts_are_limited() {
    let engine = Engine::default();
    let module = module(&engine, GROWER);
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimits::new().instances(2));
    let linker = Linker::new(&engine);
    linker.instantiate(&mut store, &module).unwrap();
    linker.instantiate(&mut store, &module).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::Usage(UsageError::ResourceLimit { what: "instances" })
    ));

    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimits::new().memories(1));
    Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(err.to_string().contains("memories"), "{err}");
}

#[test]
fn a_custom_limiter_sees_every_request() {
    #[derive(Default)]
    struct Log(std::sync::Arc<std::sync::Mutex<Vec<(usize, usize)>>>);
    impl ResourceLimiter for Log {
        fn memory_growing(&mut self, current: usize, desired: usize, _: Option<usize>) -> bool {
            self.0.lock().unwrap().push((current, desired));
            desired <= 3 * 65536
        }
        fn table_growing(&mut self, _: u32, _: u32, _: Option<u32>) -> bool {
            true
        }
    }
    let log = Log::default();
    let seen = log.0.clone();
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    store.limiter(log);
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module(&engine, GROWER))
        .unwrap();
    let grow = instance
        .get_typed_func::<(), i32>(&store, "grow_until_refused")
        .unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 3);
    let page = 65536;
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (0, page),
            (page, 2 * page),
            (2 * page, 3 * page),
            (3 * page, 4 * page)
        ]
    );
}
