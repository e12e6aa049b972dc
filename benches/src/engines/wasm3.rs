//! wasm3, through the `wasm3` crate (0.3.x, which bundles the C interpreter
//! wasm3 0.4.7).
//!
//! wasm3 parses a module up front and compiles each function the first time
//! it is called, so the runner's warm-up run also covers its compilation.
//! A parsed wasm3 module is consumed when it is loaded into a runtime, so
//! it cannot be instantiated twice: [`Wasm3::compile`] parses (and so
//! checks) the bytes and keeps them, and [`Wasm3::instantiate`] creates a
//! runtime, parses again and loads; its time includes that parse.

use std::rc::Rc;

use wasm3::{Environment, Module, Runtime};

use super::WasmEngine;

/// The size of a runtime's value stack, in bytes. The workloads' own
/// (shadow) stack lives in linear memory; this one holds wasm3's frames.
pub const STACK_BYTES: u32 = 512 * 1024;

/// A wasm3 environment.
pub struct Wasm3 {
    env: Environment,
}

impl Wasm3 {
    /// A new environment.
    pub fn new() -> Result<Self, String> {
        Ok(Wasm3 {
            env: Environment::new().map_err(|e| e.to_string())?,
        })
    }
}

/// The bytes of a module wasm3 parsed successfully.
pub struct Wasm3Module {
    bytes: Rc<[u8]>,
}

impl WasmEngine for Wasm3 {
    type Module = Wasm3Module;
    type Instance = Runtime;

    fn name(&self) -> &'static str {
        "wasm3"
    }

    fn compile(&self, wasm: &[u8]) -> Result<Wasm3Module, String> {
        Module::parse(&self.env, wasm).map_err(|e| e.to_string())?;
        Ok(Wasm3Module { bytes: wasm.into() })
    }

    fn instantiate(&self, module: &Wasm3Module) -> Result<Runtime, String> {
        let runtime = Runtime::new(&self.env, STACK_BYTES).map_err(|e| e.to_string())?;
        runtime
            .parse_and_load_module(&module.bytes[..])
            .map_err(|e| e.to_string())?;
        Ok(runtime)
    }

    fn call(&self, runtime: &mut Runtime, name: &str, n: u32) -> Result<u64, String> {
        let func = runtime
            .find_function::<u32, u64>(name)
            .map_err(|e| e.to_string())?;
        func.call(n).map_err(|e| e.to_string())
    }
}
