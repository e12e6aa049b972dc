//! Resolving imports by name.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use kestrel_core::FuncType;

use crate::context::{AsContext, AsContextMut};
use crate::error::LinkError;
use crate::func::HostFunc;
use crate::instance::instantiate;
use crate::{Caller, Engine, Error, Extern, Instance, IntoFunc, Module, Val};

enum Definition<T> {
    Extern(Extern),
    /// A host function not yet placed in a store: each store that
    /// instantiates through the linker gets its own copy.
    Host(HostFunc<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(h) => Definition::Host(h.clone()),
        }
    }
}

/// Names for imports: host functions and entities of other instances, looked
/// up by `(module, name)` when a module is instantiated.
///
/// ```
/// use kestrel_interp::{Caller, Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let mut linker = Linker::<u32>::new(&engine);
/// linker.func_wrap("host", "bump", |mut caller: Caller<'_, u32>, by: i32| {
///     *caller.data_mut() += by as u32;
/// })?;
/// // (module (import "host" "bump" (func (param i32)))
/// //         (func (export "run") i32.const 5 call 0))
/// let wasm = [
///     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x01, 0x7f,
///     0x00, 0x60, 0x00, 0x00, 0x02, 0x0d, 0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x04, 0x62,
///     0x75, 0x6d, 0x70, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x07, 0x07, 0x01, 0x03, 0x72,
///     0x75, 0x6e, 0x00, 0x01, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x05, 0x10, 0x00, 0x0b,
/// ];
/// let module = Module::new(&engine, wasm)?;
/// let mut store = Store::new(&engine, 0);
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ())?;
/// assert_eq!(*store.data(), 5);
/// # Ok::<(), kestrel_interp::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    defs: BTreeMap<(Box<str>, Box<str>), Definition<T>>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
        }
    }
}

impl<T> core::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Linker")
            .field("definitions", &self.defs.len())
            .finish()
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            defs: BTreeMap::new(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self, Error> {
        let key = (Box::from(module), Box::from(name));
        if self.defs.contains_key(&key) {
            return Err(LinkError::Duplicate {
                module: key.0,
                name: key.1,
            }
            .into());
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as `item`, an entity of `store`.
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self, Error> {
        let item = item.into();
        if item.store() != store.as_context().inner.id {
            return Err(crate::UsageError::ForeignHandle.into());
        }
        self.insert(module, name, Definition::Extern(item))
    }

    /// Defines `module::name` as a host function from a typed closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Host(f.into_host_func()))
    }

    /// Defines `module::name` as a host function of type `ty` over [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Host(HostFunc::new(ty, f)))
    }

    /// Defines every export of `instance` under `module`.
    pub fn instance(
        &mut self,
        store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        for (name, item) in instance.exports(&store) {
            self.insert(module, &name, Definition::Extern(item))?;
        }
        Ok(self)
    }

    /// The definition of `module::name` as an entity of `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        match self.defs.get(&(Box::from(module), Box::from(name)))? {
            Definition::Extern(e) => Some(*e),
            Definition::Host(h) => Some(Extern::Func(h.clone().into_store(store.as_context_mut()))),
        }
    }

    /// Instantiates `module`, resolving its imports here, and runs its start
    /// function.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        let mut imports = Vec::with_capacity(module.info().imports.len());
        for import in &module.info().imports {
            let key = (import.module.clone(), import.name.clone());
            let item = match self.defs.get(&key) {
                Some(Definition::Extern(e)) => *e,
                Some(Definition::Host(h)) => Extern::Func(h.clone().into_store(store)),
                None => {
                    return Err(LinkError::UnknownImport {
                        module: key.0,
                        name: key.1,
                    }
                    .into());
                }
            };
            imports.push(item);
        }
        instantiate(store, module, &imports)
    }
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import
    /// order, without a linker.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = store.as_context_mut();
        if imports.len() != module.info().imports.len() {
            let missing = module
                .info()
                .imports
                .get(imports.len())
                .or(module.info().imports.last());
            return Err(match missing {
                Some(i) => LinkError::UnknownImport {
                    module: i.module.clone(),
                    name: i.name.clone(),
                },
                None => LinkError::UnknownImport {
                    module: "".into(),
                    name: "".into(),
                },
            }
            .into());
        }
        instantiate(store, module, imports)
    }
}
