//! The engine and its configuration.

use crate::Shared;
use crate::memory::MemoryPool;

/// Limits and settings shared by every store of an [`Engine`].
///
/// ```
/// use kestrel_interp::{Config, Engine};
/// let mut config = Config::default();
/// config.max_call_depth(1000).max_stack_slots(64 * 1024);
/// let engine = Engine::new(&config);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) max_reentry: usize,
    pub(crate) consume_fuel: bool,
    pub(crate) custom_page_sizes: bool,
    pub(crate) memory_pool_bytes: usize,
    pub(crate) parallel_translation: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_call_depth: 100_000,
            max_stack_slots: 1 << 20,
            max_reentry: 32,
            consume_fuel: false,
            custom_page_sizes: false,
            memory_pool_bytes: 16 << 20,
            parallel_translation: true,
        }
    }
}

impl Config {
    /// A configuration with the defaults: 100,000 nested calls and a value
    /// stack of 1 Mi slots (8 MiB), allocated as it is used.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many Wasm calls may be nested before the `call stack exhausted`
    /// trap.
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth;
        self
    }

    /// How many times Wasm may be entered again from a host function that
    /// Wasm called (Wasm → host → Wasm …) before the `call stack exhausted`
    /// trap. Each re-entry uses native stack for the host function and a new
    /// run of the executor, so this bounds native stack use where Kestrel's
    /// own stack cannot; frames of all nested entries also count towards
    /// [`max_call_depth`](Self::max_call_depth). Default: 32.
    pub fn max_reentry(&mut self, depth: usize) -> &mut Self {
        self.max_reentry = depth;
        self
    }

    /// Whether execution consumes fuel: every Wasm instruction costs one
    /// unit, charged when the straight-line run of code it belongs to is
    /// entered. A store starts with no fuel; give it some with
    /// [`Store::set_fuel`](crate::Store::set_fuel). Running out is the
    /// `all fuel consumed` trap, or a pause that
    /// [`Func::call_resumable`](crate::Func::call_resumable) lets the host
    /// refuel and resume. Costs follow the Wasm code, not Kestrel's
    /// bytecode, so they do not change when the translation does.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Self {
        self.consume_fuel = enable;
        self
    }

    /// Whether modules may declare memories with one-byte pages (the
    /// custom-page-sizes proposal), so a guest on a small device can have a
    /// linear memory of a few KiB instead of 64 KiB pages. Off by default, as
    /// Wasm 2.0 has only 64 KiB pages.
    pub fn wasm_custom_page_sizes(&mut self, enable: bool) -> &mut Self {
        self.custom_page_sizes = enable;
        self
    }

    /// How many bytes of linear-memory buffers the engine keeps for reuse
    /// when stores are dropped (with `std`; without it nothing is pooled).
    ///
    /// A dropped store's memory is zeroed only where its guest may have
    /// written (Kestrel tracks a bound, in 64 KiB steps) and then kept, so
    /// the next memory of a similar size is ready without allocating or
    /// zeroing: instantiating a module per request costs little more than
    /// the memory the request touches. Default: 16 MiB; `0` turns pooling
    /// off. Buffers larger than the limit are never kept.
    ///
    /// ```
    /// use kestrel_interp::{Config, Engine};
    /// let mut config = Config::default();
    /// config.memory_pool_bytes(64 << 20); // a busy server: keep up to 64 MiB
    /// let engine = Engine::new(&config);
    /// ```
    pub fn memory_pool_bytes(&mut self, bytes: usize) -> &mut Self {
        self.memory_pool_bytes = bytes;
        self
    }

    /// Whether `Module::new` may validate and translate a large module's
    /// functions on several threads, one per core (as std's
    /// `available_parallelism` counts them), as wasmtime compiles in
    /// parallel. Default: on. The module, and the error an invalid one gets,
    /// are the same either way; turn it off to keep loading on the calling
    /// thread. Modules with less than 32 KiB of code are translated on the
    /// calling thread regardless: starting a thread costs about as much as
    /// translating 4 KiB. Without the `std` feature there are no threads,
    /// and this setting has no effect.
    ///
    /// ```
    /// use kestrel_interp::{Config, Engine};
    /// let engine = Engine::new(Config::new().parallel_translation(false));
    /// ```
    pub fn parallel_translation(&mut self, enable: bool) -> &mut Self {
        self.parallel_translation = enable;
        self
    }

    /// The WebAssembly features modules are validated with.
    #[cfg(feature = "translate")]
    pub(crate) fn features(&self) -> kestrel_core::wasmparser::WasmFeatures {
        let mut features = kestrel_core::features();
        features.set(
            kestrel_core::wasmparser::WasmFeatures::CUSTOM_PAGE_SIZES,
            self.custom_page_sizes,
        );
        features
    }

    /// How many 8-byte value slots (locals and operand stack of all active
    /// frames) one call may use before the `call stack exhausted` trap.
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots;
        self
    }
}

/// The shared context that modules are compiled for and stores run in.
///
/// Cheap to clone; create one per process and share it.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Shared<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
    memories: MemoryPool,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default())
    }
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: &Config) -> Self {
        Engine {
            inner: Shared::new(EngineInner {
                config: config.clone(),
                memories: MemoryPool::new(config.memory_pool_bytes),
            }),
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Where dropped stores leave their memory buffers, if anywhere.
    pub(crate) fn memory_pool(&self) -> Option<&MemoryPool> {
        match self.inner.config.memory_pool_bytes {
            0 => None,
            _ => Some(&self.inner.memories),
        }
    }
}
