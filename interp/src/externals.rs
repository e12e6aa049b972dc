//! Handles to memories, tables and globals, and the `Extern` sum of all
//! importable entities.

use alloc::vec::Vec;

use kestrel_core::{FuncType, GlobalType, Limits, MemoryType, Mutability, TableType};

use crate::context::{AsContext, AsContextMut, StoreContext, StoreContextMut};
use crate::error::UsageError;
use crate::store::{GlobalEntity, MemoryEntity, StoreId, StoreInner, TableEntity};
use crate::{Error, Func, Val};

/// Something an instance can import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }

    pub(crate) fn store(&self) -> StoreId {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
        }
    }

    /// The entity's current type.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let store = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}

/// The type of an [`Extern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function type.
    Func(FuncType),
    /// A table type.
    Table(TableType),
    /// A memory type.
    Memory(MemoryType),
    /// A global type.
    Global(GlobalType),
}

fn oob() -> Error {
    UsageError::OutOfBounds.into()
}

/// A linear memory in a store.
///
/// ```
/// use kestrel_interp::{Engine, Memory, MemoryType, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
/// memory.write(&mut store, 8, b"kestrel")?;
/// let mut buf = [0u8; 7];
/// memory.read(&store, 8, &mut buf)?;
/// assert_eq!(&buf, b"kestrel");
/// assert_eq!(memory.grow(&mut store, 1)?, 1);
/// assert!(memory.grow(&mut store, 1).is_err());
/// # Ok::<(), kestrel_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Memory {
    /// A new memory of type `ty`, zero-filled.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        let inner = &mut store.as_context_mut().inner;
        let index = new_memory(inner, ty)?;
        Ok(Memory {
            store: inner.id,
            index,
        })
    }

    fn entity<'a>(&self, inner: &'a StoreInner) -> Result<&'a MemoryEntity, Error> {
        inner
            .memories
            .get(inner.slot(self.store, self.index))
            .ok_or_else(|| UsageError::ForeignHandle.into())
    }

    /// The memory's type, with its current size as the minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let store = store.as_context();
        match self.entity(&store.inner) {
            Ok(m) => MemoryType {
                limits: Limits {
                    min: m.pages(),
                    max: m.ty.limits.max,
                },
                page_size_log2: m.ty.page_size_log2,
            },
            Err(_) => MemoryType::new(0, Some(0)),
        }
    }

    /// The memory's bytes.
    pub fn data<'a, T: 'a>(&self, store: impl Into<StoreContext<'a, T>>) -> &'a [u8] {
        let store = store.into().0;
        self.entity(&store.inner).map_or(&[], |m| m.bytes())
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: impl Into<StoreContextMut<'a, T>>) -> &'a mut [u8] {
        let store = store.into().0;
        let slot = store.inner.slot(self.store, self.index);
        match store.inner.memories.get_mut(slot) {
            Some(m) => m.bytes_mut(),
            None => &mut [],
        }
    }

    /// The memory's bytes and the store's host data, both mutably: what a host
    /// function needs to read arguments from guest memory while updating its
    /// own state.
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: impl Into<StoreContextMut<'a, T>>,
    ) -> (&'a mut [u8], &'a mut T) {
        let store = store.into().0;
        let slot = store.inner.slot(self.store, self.index);
        let (inner, data) = store.inner_and_data_mut();
        match inner.memories.get_mut(slot) {
            Some(m) => (m.bytes_mut(), data),
            None => (&mut [], data),
        }
    }

    /// Copies bytes at `offset` into `buf`.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<(), Error> {
        let store = store.as_context();
        let bytes = self.entity(&store.inner)?.bytes();
        let end = offset.checked_add(buf.len()).ok_or_else(oob)?;
        buf.copy_from_slice(bytes.get(offset..end).ok_or_else(oob)?);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        buf: &[u8],
    ) -> Result<(), Error> {
        let store = store.as_context_mut();
        let slot = store.inner.slot(self.store, self.index);
        let memory = store
            .inner
            .memories
            .get_mut(slot)
            .ok_or(UsageError::ForeignHandle)?;
        let end = offset.checked_add(buf.len()).ok_or_else(oob)?;
        memory
            .touch(end)
            .get_mut(offset..end)
            .ok_or_else(oob)?
            .copy_from_slice(buf);
        Ok(())
    }

    /// The size in pages.
    pub fn size(&self, store: impl AsContext) -> u32 {
        let store = store.as_context();
        self.entity(&store.inner).map_or(0, |m| m.pages())
    }

    /// Grows by `delta` pages; returns the previous size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32) -> Result<u32, Error> {
        let store = store.as_context_mut();
        let slot = store.inner.slot(self.store, self.index);
        let StoreInner {
            memories, limiter, ..
        } = &mut store.inner;
        let memory = memories.get_mut(slot).ok_or(UsageError::ForeignHandle)?;
        memory
            .grow(delta, limiter)
            .ok_or_else(|| UsageError::GrowFailed.into())
    }
}

pub(crate) fn new_memory(inner: &mut StoreInner, ty: MemoryType) -> Result<u32, Error> {
    // Too large for the type or for this target's address space.
    let len = match ty.bytes_of(ty.limits.min) {
        Some(len) if ty.limits.min <= ty.max_pages() => len,
        _ => return Err(UsageError::GrowFailed.into()),
    };
    if let Some(limiter) = &mut inner.limiter {
        if inner.memories.len() >= limiter.memories() {
            return Err(UsageError::ResourceLimit { what: "memories" }.into());
        }
        let maximum = ty.limits.max.and_then(|m| ty.bytes_of(m));
        if !limiter.memory_growing(0, len, maximum) {
            return Err(UsageError::ResourceLimit {
                what: "memory size",
            }
            .into());
        }
    }
    let memory =
        MemoryEntity::new(ty, len, inner.engine.memory_pool()).ok_or(UsageError::GrowFailed)?;
    inner.memories.push(memory);
    Ok((inner.memories.len() - 1) as u32)
}

/// A table of references in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Table {
    /// A new table of type `ty`, every element `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let inner = &mut store.as_context_mut().inner;
        check_type(init, ty.element.into())?;
        let init = init.to_bits(inner.id)?;
        let index = new_table(inner, ty, init)?;
        Ok(Table {
            store: inner.id,
            index,
        })
    }

    fn entity<'a>(&self, inner: &'a StoreInner) -> Result<&'a TableEntity, Error> {
        inner
            .tables
            .get(inner.slot(self.store, self.index))
            .ok_or_else(|| UsageError::ForeignHandle.into())
    }

    fn entity_mut<'a>(&self, inner: &'a mut StoreInner) -> Result<&'a mut TableEntity, Error> {
        let slot = inner.slot(self.store, self.index);
        inner
            .tables
            .get_mut(slot)
            .ok_or_else(|| UsageError::ForeignHandle.into())
    }

    /// The table's type, with its current size as the minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let store = store.as_context();
        match self.entity(&store.inner) {
            Ok(t) => TableType {
                element: t.ty.element,
                limits: Limits {
                    min: t.elems.len() as u32,
                    max: t.ty.limits.max,
                },
            },
            Err(_) => TableType::new(kestrel_core::RefType::FuncRef, 0, Some(0)),
        }
    }

    /// The element at `index`, or `None` out of bounds.
    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let store = store.as_context();
        let table = self.entity(&store.inner).ok()?;
        table
            .elems
            .get(index as usize)
            .map(|&bits| Val::from_bits(table.ty.element.into(), bits, store.inner.id))
    }

    /// Sets the element at `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<(), Error> {
        let inner = &mut store.as_context_mut().inner;
        let bits = value.to_bits(inner.id)?;
        let table = self.entity_mut(inner)?;
        check_type(value, table.ty.element.into())?;
        *table.elems.get_mut(index as usize).ok_or_else(oob)? = bits;
        Ok(())
    }

    /// The number of elements.
    pub fn size(&self, store: impl AsContext) -> u32 {
        let store = store.as_context();
        self.entity(&store.inner)
            .map_or(0, |t| t.elems.len() as u32)
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let inner = &mut store.as_context_mut().inner;
        let bits = init.to_bits(inner.id)?;
        let slot = inner.slot(self.store, self.index);
        let StoreInner {
            tables, limiter, ..
        } = inner;
        let table = tables.get_mut(slot).ok_or(UsageError::ForeignHandle)?;
        check_type(init, table.ty.element.into())?;
        table
            .grow(delta, bits, limiter)
            .ok_or_else(|| UsageError::GrowFailed.into())
    }
}

pub(crate) fn new_table(inner: &mut StoreInner, ty: TableType, init: u64) -> Result<u32, Error> {
    if let Some(limiter) = &mut inner.limiter {
        if inner.tables.len() >= limiter.tables() {
            return Err(UsageError::ResourceLimit { what: "tables" }.into());
        }
        if !limiter.table_growing(0, ty.limits.min, ty.limits.max) {
            return Err(UsageError::ResourceLimit {
                what: "table elements",
            }
            .into());
        }
    }
    let mut elems = Vec::new();
    elems
        .try_reserve_exact(ty.limits.min as usize)
        .map_err(|_| UsageError::GrowFailed)?;
    elems.resize(ty.limits.min as usize, init);
    inner.tables.push(TableEntity { ty, elems });
    Ok((inner.tables.len() - 1) as u32)
}

fn check_type(value: Val, expected: kestrel_core::ValType) -> Result<(), Error> {
    if value.ty() == expected {
        Ok(())
    } else {
        Err(UsageError::ValueType {
            expected,
            got: value.ty(),
        }
        .into())
    }
}

/// A global variable in a store.
///
/// ```
/// use kestrel_interp::{Engine, Global, GlobalType, Mutability, Store, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = GlobalType::new(ValType::I32, Mutability::Var);
/// let global = Global::new(&mut store, ty, Val::I32(1))?;
/// global.set(&mut store, Val::I32(2))?;
/// assert_eq!(global.get(&store), Val::I32(2));
/// # Ok::<(), kestrel_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Global {
    /// A new global of type `ty` holding `value`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global, Error> {
        check_type(value, ty.content)?;
        let inner = &mut store.as_context_mut().inner;
        let value = value.to_bits(inner.id)?;
        inner.globals.push(GlobalEntity { ty, value });
        Ok(Global {
            store: inner.id,
            index: (inner.globals.len() - 1) as u32,
        })
    }

    /// The global's type.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let store = store.as_context();
        store
            .inner
            .globals
            .get(store.inner.slot(self.store, self.index))
            .map_or(
                GlobalType::new(kestrel_core::ValType::I32, Mutability::Const),
                |g| g.ty,
            )
    }

    /// The current value.
    pub fn get(&self, store: impl AsContext) -> Val {
        let store = store.as_context();
        match store
            .inner
            .globals
            .get(store.inner.slot(self.store, self.index))
        {
            Some(g) => Val::from_bits(g.ty.content, g.value, store.inner.id),
            None => Val::I32(0),
        }
    }

    /// Sets the value of a mutable global.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<(), Error> {
        let store = store.as_context_mut();
        let bits = value.to_bits(store.inner.id)?;
        let slot = store.inner.slot(self.store, self.index);
        let global = store
            .inner
            .globals
            .get_mut(slot)
            .ok_or(UsageError::ForeignHandle)?;
        if global.ty.mutability != Mutability::Var {
            return Err(UsageError::ImmutableGlobal.into());
        }
        check_type(value, global.ty.content)?;
        global.value = bits;
        Ok(())
    }
}
