//! Instances and instantiation.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use kestrel_core::{ConstExpr, DataMode, ElemItems, ElemMode, ExternIdx, ImportKind};

use crate::context::AsContext;
use crate::error::{LinkError, UsageError};
use crate::exec::memory_range;
use crate::externals::{new_memory, new_table};
use crate::store::{
    FuncEntity, GlobalEntity, InstanceEntity, StoreId, StoreInner, reserve_entities,
};
use crate::trap::Trap;
use crate::{
    Error, Extern, Func, Global, Memory, Module, Store, Table, TrapCode, TypedFunc, WasmTyList,
};

/// An instantiated module: its functions, memories, tables and globals live
/// in the store it was instantiated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance {
    store: StoreId,
    index: u32,
}

impl Instance {
    fn entity<'a>(&self, inner: &'a StoreInner) -> Option<&'a InstanceEntity> {
        inner.instances.get(inner.slot(self.store, self.index))
    }

    /// The export named `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.as_context();
        self.entity(&store.inner)?.export(name)
    }

    /// The exported function named `name`.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function named `name`, with static types.
    pub fn get_typed_func<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let store = store.as_context();
        let func = self.get_func(store, name).ok_or(UsageError::NoExport)?;
        func.typed(store)
    }

    /// The exported memory named `name`.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table named `name`.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global named `name`.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// Every export, in the module's order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let store = store.as_context();
        self.entity(&store.inner)
            .map(|i| {
                let names = i.module.info().exports.iter();
                names
                    .zip(&i.exports)
                    .map(|(export, e)| (String::from(&*export.name), *e))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether `item` can satisfy an import of kind `kind`.
fn import_matches(inner: &StoreInner, module: &Module, kind: &ImportKind, item: &Extern) -> bool {
    match (kind, item) {
        (ImportKind::Func(t), Extern::Func(f)) => inner
            .funcs
            .get(inner.slot(f.store, f.index))
            .is_some_and(|_| *inner.func_type(f.index) == module.info().types[*t as usize]),
        (ImportKind::Table(want), Extern::Table(t)) => inner
            .tables
            .get(inner.slot(t.store, t.index))
            .is_some_and(|t| {
                let have = kestrel_core::Limits {
                    min: t.elems.len() as u32,
                    max: t.ty.limits.max,
                };
                t.ty.element == want.element && have.matches(&want.limits)
            }),
        (ImportKind::Memory(want), Extern::Memory(m)) => inner
            .memories
            .get(inner.slot(m.store, m.index))
            .is_some_and(|m| {
                let have = kestrel_core::Limits {
                    min: m.pages(),
                    max: m.ty.limits.max,
                };
                have.matches(&want.limits) && m.ty.page_size_log2 == want.page_size_log2
            }),
        (ImportKind::Global(want), Extern::Global(g)) => inner
            .globals
            .get(inner.slot(g.store, g.index))
            .is_some_and(|g| g.ty == *want),
        _ => false,
    }
}

/// Instantiates `module` with `imports` (in the module's import order),
/// initialises its segments and runs its start function.
pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance, Error> {
    let info = module.info();
    let inner = &mut store.inner;
    let id = inner.id;
    if let Some(limiter) = &inner.limiter
        && inner.instances.len() >= limiter.instances()
    {
        return Err(UsageError::ResourceLimit { what: "instances" }.into());
    }
    let index = inner.instances.len() as u32;
    let defined = |all: usize, imported: u32| all.saturating_sub(imported as usize);
    reserve_entities(&mut inner.instances, 1);
    reserve_entities(
        &mut inner.funcs,
        defined(info.funcs.len(), info.imported_funcs),
    );
    reserve_entities(
        &mut inner.tables,
        defined(info.tables.len(), info.imported_tables),
    );
    reserve_entities(
        &mut inner.memories,
        defined(info.memories.len(), info.imported_memories),
    );
    reserve_entities(
        &mut inner.globals,
        defined(info.globals.len(), info.imported_globals),
    );
    reserve_entities(&mut inner.elems, info.elements.len());
    reserve_entities(&mut inner.data_dropped, info.data.len());
    let mut entity = InstanceEntity {
        module: module.clone(),
        funcs: Vec::with_capacity(info.funcs.len()),
        tables: Vec::with_capacity(info.tables.len()),
        memories: Vec::with_capacity(info.memories.len()),
        globals: Vec::with_capacity(info.globals.len()),
        elems: Vec::with_capacity(info.elements.len()),
        datas: Vec::with_capacity(info.data.len()),
        types: info.types.iter().map(|t| inner.intern_type(t)).collect(),
        exports: Vec::with_capacity(info.exports.len()),
    };
    for (import, item) in info.imports.iter().zip(imports) {
        if item.store() != id {
            return Err(UsageError::ForeignHandle.into());
        }
        if !import_matches(inner, module, &import.kind, item) {
            return Err(LinkError::IncompatibleImport {
                module: import.module.clone(),
                name: import.name.clone(),
            }
            .into());
        }
        match *item {
            Extern::Func(f) => entity.funcs.push(f.index),
            Extern::Table(t) => entity.tables.push(t.index),
            Extern::Memory(m) => entity.memories.push(m.index),
            Extern::Global(g) => entity.globals.push(g.index),
        }
    }
    for (i, &ty) in info
        .funcs
        .iter()
        .enumerate()
        .skip(info.imported_funcs as usize)
    {
        let defined = (i - info.imported_funcs as usize) as u32;
        inner.funcs.push(FuncEntity::Wasm {
            instance: index,
            index: defined,
            ty: entity.types[ty as usize],
        });
        entity.funcs.push((inner.funcs.len() - 1) as u32);
    }
    for ty in &info.tables[info.imported_tables as usize..] {
        entity.tables.push(new_table(inner, *ty, 0)?);
    }
    for ty in &info.memories[info.imported_memories as usize..] {
        entity.memories.push(new_memory(inner, *ty)?);
    }
    for (ty, init) in info.globals[info.imported_globals as usize..]
        .iter()
        .zip(&info.global_inits)
    {
        let value = eval_const(inner, &entity, init);
        inner.globals.push(GlobalEntity { ty: *ty, value });
        entity.globals.push((inner.globals.len() - 1) as u32);
    }
    for segment in &info.elements {
        let items: Box<[u64]> = match &segment.items {
            ElemItems::Funcs(funcs) => funcs
                .iter()
                .map(|f| entity.funcs[*f as usize] as u64 + 1)
                .collect(),
            ElemItems::Exprs(exprs) => exprs
                .iter()
                .map(|e| eval_const(inner, &entity, e))
                .collect(),
        };
        inner.elems.push(items);
        entity.elems.push((inner.elems.len() - 1) as u32);
    }
    for _ in &info.data {
        inner.data_dropped.push(false);
        entity.datas.push((inner.data_dropped.len() - 1) as u32);
    }
    for export in &info.exports {
        let item = match export.index {
            ExternIdx::Func(f) => Extern::Func(Func {
                store: id,
                index: entity.funcs[f as usize],
            }),
            ExternIdx::Table(t) => Extern::Table(Table {
                store: id,
                index: entity.tables[t as usize],
            }),
            ExternIdx::Memory(m) => Extern::Memory(Memory {
                store: id,
                index: entity.memories[m as usize],
            }),
            ExternIdx::Global(g) => Extern::Global(Global {
                store: id,
                index: entity.globals[g as usize],
            }),
        };
        entity.exports.push(item);
    }
    inner.instances.push(entity);
    initialize_segments(inner, index)?;
    if let Some(start) = info.start {
        let func = inner.instances[index as usize].funcs[start as usize];
        crate::exec::call(store, func, &[], &mut [])?;
    }
    Ok(Instance { store: id, index })
}

/// Applies active element and data segments in order, then drops them and
/// the declared ones. A segment out of bounds traps; what earlier segments
/// wrote stays, as the spec requires.
fn initialize_segments(inner: &mut StoreInner, index: u32) -> Result<(), Error> {
    let entity = &inner.instances[index as usize];
    let info = entity.module.info();
    for (i, segment) in info.elements.iter().enumerate() {
        let elem = entity.elems[i] as usize;
        match &segment.mode {
            ElemMode::Passive => {}
            ElemMode::Declared => inner.elems[elem] = Box::new([]),
            ElemMode::Active { table, offset } => {
                let offset = eval_const(inner, entity, offset) as u32 as usize;
                let table = &mut inner.tables[entity.tables[*table as usize] as usize];
                let items = &inner.elems[elem];
                let end = offset
                    .checked_add(items.len())
                    .filter(|&end| end <= table.elems.len());
                let Some(end) = end else {
                    return Err(Trap::new(TrapCode::TableOutOfBounds, Vec::new(), 0).into());
                };
                table.elems[offset..end].copy_from_slice(items);
                inner.elems[elem] = Box::new([]);
            }
        }
    }
    for (i, segment) in info.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &segment.mode {
            let offset = eval_const(inner, entity, offset);
            let memory = &mut inner.memories[entity.memories[*memory as usize] as usize];
            let Some(start) = memory_range(offset, 0, segment.bytes.len(), memory.len()) else {
                return Err(Trap::new(TrapCode::MemoryOutOfBounds, Vec::new(), 0).into());
            };
            let end = start + segment.bytes.len();
            memory.touch(end)[start..end].copy_from_slice(&segment.bytes);
            inner.data_dropped[entity.datas[i] as usize] = true;
        }
    }
    Ok(())
}

/// Evaluates a constant expression to slot bits.
fn eval_const(inner: &StoreInner, entity: &InstanceEntity, expr: &ConstExpr) -> u64 {
    match *expr {
        ConstExpr::I32(v) => v as u32 as u64,
        ConstExpr::I64(v) => v as u64,
        ConstExpr::F32(v) => v as u64,
        ConstExpr::F64(v) => v,
        ConstExpr::RefNull(_) => 0,
        ConstExpr::RefFunc(f) => entity.funcs[f as usize] as u64 + 1,
        ConstExpr::GlobalGet(g) => inner.globals[entity.globals[g as usize] as usize].value,
    }
}
