//! wasmi, the newest release on crates.io (2.x), default features.
//!
//! wasmi's default `CompilationMode::LazyTranslation` validates a module up
//! front and translates each function the first time it is called; the
//! runner warms every workload up once, so execution is timed apart from
//! translation. The translation benchmark uses the eager mode too.

use wasmi::{CompilationMode, Config, Engine, Instance, Linker, Module, Store};

use super::WasmEngine;

/// A wasmi engine in one compilation mode.
pub struct Wasmi {
    engine: Engine,
}

impl Wasmi {
    /// An engine with wasmi's default configuration (lazy translation).
    pub fn new() -> Self {
        Wasmi {
            engine: Engine::default(),
        }
    }

    /// An engine with the default configuration but `mode`.
    pub fn with_mode(mode: CompilationMode) -> Self {
        let mut config = Config::default();
        config.compilation_mode(mode);
        Wasmi {
            engine: Engine::new(&config),
        }
    }
}

/// A wasmi store and an instance in it.
pub struct WasmiInstance {
    store: Store<()>,
    instance: Instance,
}

impl WasmEngine for Wasmi {
    type Module = Module;
    type Instance = WasmiInstance;

    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, wasm).map_err(|e| e.to_string())
    }

    fn instantiate(&self, module: &Module) -> Result<WasmiInstance, String> {
        let mut store = Store::new(&self.engine, ());
        let instance = Linker::<()>::new(&self.engine)
            .instantiate_and_start(&mut store, module)
            .map_err(|e| e.to_string())?;
        Ok(WasmiInstance { store, instance })
    }

    fn call(&self, instance: &mut WasmiInstance, name: &str, n: u32) -> Result<u64, String> {
        let func = instance
            .instance
            .get_typed_func::<u32, u64>(&instance.store, name)
            .map_err(|e| e.to_string())?;
        func.call(&mut instance.store, n).map_err(|e| e.to_string())
    }
}
