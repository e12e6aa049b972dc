//! The store: every runtime entity, owned in one place and named by index.
//!
//! Handles such as [`Func`](crate::Func) or [`Memory`](crate::Memory) are
//! indices into these vectors, so they are `Copy` and never dangle while the
//! store lives. Entities are never removed: a store lives as long as the
//! instances in it, which is the model wasmtime and wasmi use too.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;

use kestrel_core::{FuncType, GlobalType, TableType};

use crate::error::UsageError;
use crate::exec::ValueStack;
use crate::func::HostFunc;
use crate::limits::{Limiter, ResourceLimiter};
pub(crate) use crate::memory::MemoryEntity;
use crate::{Engine, Extern, Module};

/// A function in the store.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FuncEntity {
    /// Defined function `index` (among the module's own) of an instance.
    Wasm { instance: u32, index: u32, ty: u32 },
    /// Host function `host` of the store's host function list.
    Host { host: u32, ty: u32 },
}

impl FuncEntity {
    /// The store-interned signature.
    pub(crate) fn ty(&self) -> u32 {
        match *self {
            FuncEntity::Wasm { ty, .. } | FuncEntity::Host { ty, .. } => ty,
        }
    }
}

#[derive(Debug)]
pub(crate) struct TableEntity {
    pub ty: TableType,
    pub elems: Vec<u64>,
}

impl TableEntity {
    /// Grows by `delta` elements set to `init`; the old size, or `None`.
    pub(crate) fn grow(&mut self, delta: u32, init: u64, limiter: &mut Limiter) -> Option<u32> {
        let old = self.elems.len() as u32;
        let new = old.checked_add(delta)?;
        if new > self.ty.limits.max.unwrap_or(u32::MAX) {
            return None;
        }
        if let Some(limiter) = limiter
            && !limiter.table_growing(old, new, self.ty.limits.max)
        {
            return None;
        }
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

#[derive(Debug)]
pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    pub value: u64,
}

/// What an instance resolved its index spaces to.
#[derive(Debug)]
pub(crate) struct InstanceEntity {
    pub module: Module,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    /// Element segments: store indices into `StoreInner::elems`.
    pub elems: Vec<u32>,
    /// Data segments: store indices into `StoreInner::data_dropped`.
    pub datas: Vec<u32>,
    /// Module type index to store-interned signature.
    pub types: Vec<u32>,
    /// What each of the module's exports names, in the module's order
    /// (the names stay in the module).
    pub exports: Vec<Extern>,
}

impl InstanceEntity {
    /// The export named `name`.
    pub(crate) fn export(&self, name: &str) -> Option<Extern> {
        let exports = &self.module.info().exports;
        let at = exports.iter().position(|e| &*e.name == name)?;
        self.exports.get(at).copied()
    }
}

/// Which store a handle belongs to, so that using a handle with another
/// store is an error instead of naming that store's entity of the same index.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreId(u32);

impl StoreId {
    fn next() -> StoreId {
        use core::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        #[cfg(target_has_atomic = "32")]
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        // Without compare-and-swap (thumbv6m) a load and a store: two stores
        // created at once from an interrupt could share an id, which only
        // weakens this misuse check.
        #[cfg(not(target_has_atomic = "32"))]
        let id = {
            let id = NEXT.load(Ordering::Relaxed);
            NEXT.store(id.wrapping_add(1), Ordering::Relaxed);
            id
        };
        StoreId(id)
    }
}

/// The part of a store that does not depend on the user data type.
pub(crate) struct StoreInner {
    pub id: StoreId,
    pub engine: Engine,
    pub funcs: Vec<FuncEntity>,
    pub memories: Vec<MemoryEntity>,
    pub tables: Vec<TableEntity>,
    pub globals: Vec<GlobalEntity>,
    pub instances: Vec<InstanceEntity>,
    /// Element segment contents; emptied by `elem.drop`.
    pub elems: Vec<Box<[u64]>>,
    /// Whether each data segment instance has been dropped.
    pub data_dropped: Vec<bool>,
    pub externs: Vec<Box<dyn Any + Send + Sync>>,
    /// Interned signatures, so a signature check is an integer compare.
    pub types: Vec<FuncType>,
    /// Value stacks kept for reuse between calls.
    pub stacks: Vec<ValueStack>,
    /// Wasm frames of the executor runs that are waiting on a host function
    /// which entered Wasm again, and how many such runs there are.
    pub outer_frames: usize,
    pub reentry: usize,
    /// Fuel left, when the engine meters it.
    pub fuel: u64,
    pub limiter: Limiter,
}

/// Makes room for `additional` more entities in one of the store's lists:
/// exactly while the list is empty (most stores hold one instance, and a
/// `Vec`'s first allocation of four would be most of its overhead),
/// amortised after that.
pub(crate) fn reserve_entities<T>(list: &mut Vec<T>, additional: usize) {
    if list.capacity() == 0 {
        list.reserve_exact(additional);
    } else {
        list.reserve(additional);
    }
}

impl Drop for StoreInner {
    /// Hands the memories' buffers to the engine's pool.
    fn drop(&mut self) {
        if let Some(pool) = self.engine.memory_pool() {
            for memory in self.memories.drain(..) {
                memory.recycle(pool);
            }
        }
    }
}

impl StoreInner {
    pub(crate) fn new(engine: &Engine) -> Self {
        StoreInner {
            id: StoreId::next(),
            engine: engine.clone(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            elems: Vec::new(),
            data_dropped: Vec::new(),
            externs: Vec::new(),
            types: Vec::new(),
            stacks: Vec::new(),
            outer_frames: 0,
            reentry: 0,
            fuel: 0,
            limiter: None,
        }
    }

    /// The interned index of `ty`.
    pub(crate) fn intern_type(&mut self, ty: &FuncType) -> u32 {
        match self.types.iter().position(|t| t == ty) {
            Some(i) => i as u32,
            None => {
                reserve_entities(&mut self.types, 1);
                self.types.push(ty.clone());
                (self.types.len() - 1) as u32
            }
        }
    }

    /// `index` if `id` is this store's, else an index no entity has, so that
    /// a lookup with it finds nothing.
    pub(crate) fn slot(&self, id: StoreId, index: u32) -> usize {
        if id == self.id {
            index as usize
        } else {
            usize::MAX
        }
    }

    /// `index` if `id` is this store's, else the foreign-handle error.
    pub(crate) fn own(&self, id: StoreId, index: u32) -> Result<usize, UsageError> {
        if id == self.id {
            Ok(index as usize)
        } else {
            Err(UsageError::ForeignHandle)
        }
    }

    pub(crate) fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize].ty() as usize]
    }
}

/// All WebAssembly state of one embedding: instances, their memories, tables,
/// globals and functions, plus the host's data `T`.
///
/// Create one store per isolated guest (for a server, one per request); it is
/// cheap to create and everything in it is freed when it is dropped.
///
/// ```
/// use kestrel_interp::{Engine, Store};
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, 0u32);
/// *store.data_mut() += 1;
/// assert_eq!(*store.data(), 1);
/// ```
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    data: T,
}

impl<T> Store<T> {
    /// A new, empty store holding `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            inner: StoreInner::new(engine),
            hosts: Vec::new(),
            data,
        }
    }

    /// The host data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Consumes the store, returning the host data.
    pub fn into_data(self) -> T {
        self.data
    }

    pub(crate) fn inner_and_data_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// Installs `limiter` to decide how far memories and tables may grow and
    /// how many instances, memories and tables the store may hold.
    pub fn limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        self.inner.limiter = Some(Box::new(limiter));
    }

    /// Sets the fuel left for execution.
    ///
    /// Fails unless the engine was configured with
    /// [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), crate::Error> {
        self.check_fuel()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left.
    ///
    /// Fails unless the engine was configured with
    /// [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn get_fuel(&self) -> Result<u64, crate::Error> {
        self.check_fuel()?;
        Ok(self.inner.fuel)
    }

    fn check_fuel(&self) -> Result<(), crate::Error> {
        match self.inner.engine.config().consume_fuel {
            true => Ok(()),
            false => Err(UsageError::FuelDisabled.into()),
        }
    }

    /// The engine this store was created with.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("instances", &self.inner.instances.len())
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}
