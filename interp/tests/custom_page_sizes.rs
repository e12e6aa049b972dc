//! Memories with one-byte pages (the custom-page-sizes proposal), for
//! guests on devices without 64 KiB to spare.

use kestrel_interp::{
    Config, Engine, Linker, Memory, MemoryType, Module, Store, StoreLimits, TrapCode,
};

const SMALL: &str = r#"
(module
  (memory (export "memory") 5 100 (pagesize 1))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
)
"#;

fn engine(enable: bool) -> Engine {
    let mut config = Config::default();
    config.wasm_custom_page_sizes(enable);
    Engine::new(&config)
}

#[test]
fn one_byte_pages_size_grow_and_bound_every_access() {
    let engine = engine(true);
    let module = Module::new(&engine, wat::parse_str(SMALL).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    let store8 = instance
        .get_typed_func::<(i32, i32), ()>(&store, "store")
        .unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();

    assert_eq!(memory.data(&store).len(), 5, "five pages of one byte");
    assert_eq!(size.call(&mut store, ()).unwrap(), 5);
    store8.call(&mut store, (4, 7)).unwrap();
    assert_eq!(load.call(&mut store, 4).unwrap(), 7);
    let trap = load.call(&mut store, 5).unwrap_err();
    assert_eq!(trap.as_trap().unwrap().code(), TrapCode::MemoryOutOfBounds);

    assert_eq!(grow.call(&mut store, 3).unwrap(), 5);
    assert_eq!(size.call(&mut store, ()).unwrap(), 8);
    assert_eq!(memory.data(&store).len(), 8);
    assert_eq!(load.call(&mut store, 7).unwrap(), 0);
    // The declared maximum is 100 bytes.
    assert_eq!(grow.call(&mut store, 93).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 92).unwrap(), 8);
    assert_eq!(
        memory.ty(&store),
        MemoryType::new(100, Some(100)).with_page_size_log2(0)
    );
}

#[test]
fn the_limiter_and_imports_see_the_page_size() {
    let engine = engine(true);
    let mut store = Store::new(&engine, ());
    store.limiter(StoreLimits::new().memory_size(64));
    let module = Module::new(&engine, wat::parse_str(SMALL).unwrap()).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 59).unwrap(), 5);
    assert_eq!(
        grow.call(&mut store, 1).unwrap(),
        -1,
        "65 bytes is past the limit"
    );

    // A memory of one-byte pages satisfies only an import of one-byte pages.
    let importer = |pagesize: u32| {
        let wat = format!(r#"(module (import "host" "memory" (memory 1 (pagesize {pagesize}))))"#);
        Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap()
    };
    let mut store = Store::new(&engine, ());
    let small = Memory::new(&mut store, MemoryType::new(1, None).with_page_size_log2(0)).unwrap();
    assert_eq!(small.data(&store).len(), 1);
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "memory", small).unwrap();
    linker.instantiate(&mut store, &importer(1)).unwrap();
    let err = linker
        .instantiate(&mut store, &importer(65536))
        .unwrap_err();
    assert!(err.to_string().contains("incompatible import"), "{err}");
}

#[test]
fn the_proposal_is_off_unless_configured() {
    let bytes = wat::parse_str(SMALL).unwrap();
    assert!(Module::new(&engine(false), &bytes).is_err());
    assert!(Module::new(&engine(true), &bytes).is_ok());
}
