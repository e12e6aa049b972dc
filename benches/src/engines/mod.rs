//! One adapter per engine behind two small traits.
//!
//! [`WasmEngine`] is what the translation, instantiation and memory
//! measurements need from a Wasm engine: compile a module, instantiate it,
//! call an export. [`Runner`] is what the execution benchmark needs from any
//! engine, native code included: run a workload by name.

pub mod kestrel;
pub mod native;
pub mod wasm3;
pub mod wasmi;

/// A Wasm engine under test.
pub trait WasmEngine {
    /// A compiled (or, for lazy engines, parsed and validated) module.
    type Module;
    /// A store and an instance in it: everything one call needs.
    type Instance;

    /// The name in reports.
    fn name(&self) -> &'static str;

    /// Decodes, validates and (as far as the engine does so up front)
    /// translates a module.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, String>;

    /// A fresh store (runtime) with a new instance of `module`.
    fn instantiate(&self, module: &Self::Module) -> Result<Self::Instance, String>;

    /// Calls the export `name` of type `(i32) -> i64` with `n`.
    fn call(&self, instance: &mut Self::Instance, name: &str, n: u32) -> Result<u64, String>;
}

/// Anything that can run a workload: an instance in a Wasm engine, or the
/// native build.
pub trait Runner {
    /// The engine's name in reports.
    fn name(&self) -> &'static str;

    /// Runs workload `name` at size `n` and returns its checksum.
    fn run(&mut self, name: &str, n: u32) -> Result<u64, String>;
}

/// A Wasm engine with one instance of the workloads module.
pub struct Loaded<E: WasmEngine> {
    engine: E,
    instance: E::Instance,
}

impl<E: WasmEngine> Loaded<E> {
    /// Compiles and instantiates `wasm` in `engine`.
    pub fn new(engine: E, wasm: &[u8]) -> Result<Self, String> {
        let module = engine.compile(wasm)?;
        let instance = engine.instantiate(&module)?;
        Ok(Loaded { engine, instance })
    }
}

impl<E: WasmEngine> Runner for Loaded<E> {
    fn name(&self) -> &'static str {
        self.engine.name()
    }

    fn run(&mut self, name: &str, n: u32) -> Result<u64, String> {
        self.engine.call(&mut self.instance, name, n)
    }
}
