//! Kestrel, from this repository (`../interp`), with its default
//! configuration (or, for one instantiation row, without its memory pool).

use kestrel_interp::{Config, Engine, Instance, Linker, Module, Store};

use super::WasmEngine;

/// Kestrel's engine, default `Config`.
pub struct Kestrel {
    engine: Engine,
    name: &'static str,
}

impl Kestrel {
    /// An engine with the default configuration.
    pub fn new() -> Self {
        Kestrel {
            engine: Engine::default(),
            name: "kestrel",
        }
    }

    /// An engine that translates on the calling thread only.
    pub fn single_threaded() -> Self {
        Self::configured("kestrel, one thread", |c| {
            c.parallel_translation(false);
        })
    }

    /// An engine that allocates and zeroes every linear memory afresh, as
    /// if no dropped store had left a buffer behind.
    pub fn without_memory_pool() -> Self {
        Self::configured("kestrel, memory pool off", |c| {
            c.memory_pool_bytes(0);
        })
    }

    fn configured(name: &'static str, set: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::default();
        set(&mut config);
        Kestrel {
            engine: Engine::new(&config),
            name,
        }
    }
}

/// A Kestrel store and an instance in it.
pub struct KestrelInstance {
    store: Store<()>,
    instance: Instance,
}

impl WasmEngine for Kestrel {
    type Module = Module;
    type Instance = KestrelInstance;

    fn name(&self) -> &'static str {
        self.name
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, wasm).map_err(|e| e.to_string())
    }

    fn instantiate(&self, module: &Module) -> Result<KestrelInstance, String> {
        let mut store = Store::new(&self.engine, ());
        let instance = Linker::new(&self.engine)
            .instantiate(&mut store, module)
            .map_err(|e| e.to_string())?;
        Ok(KestrelInstance { store, instance })
    }

    fn call(&self, instance: &mut KestrelInstance, name: &str, n: u32) -> Result<u64, String> {
        let func = instance
            .instance
            .get_typed_func::<u32, u64>(&instance.store, name)
            .map_err(|e| e.to_string())?;
        func.call(&mut instance.store, n).map_err(|e| e.to_string())
    }
}
