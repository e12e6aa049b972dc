//! Embedding Kestrel: a host function reads a string from guest memory.
//! Run with `cargo run -p kestrel-examples --bin embed`.
use kestrel_interp::{Caller, Engine, Error, Linker, Module, Store};

const WAT: &str = r#"(module
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasm")
  (func (export "run") (param i32) (result i32)
    (call $log (i32.const 16) (i32.const 15))
    (i32.mul (local.get 0) (local.get 0))))"#;

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(WAT).expect("valid WAT"))?;
    let mut linker = Linker::<u32>::new(&engine);
    linker.func_wrap(
        "host",
        "log",
        |mut caller: Caller<'_, u32>, ptr: u32, len: u32| {
            let memory = caller.get_export("memory").and_then(|e| e.into_memory());
            let memory = memory.ok_or_else(|| Error::msg("guest exports no memory"))?;
            let mut buf = vec![0; len as usize];
            memory.read(&caller, ptr as usize, &mut buf)?;
            println!("guest says: {}", String::from_utf8_lossy(&buf));
            *caller.data_mut() += 1;
            Ok::<(), Error>(())
        },
    )?;
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
    let result = run.call(&mut store, 7)?;
    let calls = store.data();
    println!("run(7) = {result}; host.log called {calls} time(s)");
    Ok(())
}
