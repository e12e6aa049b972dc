//! The description of a validated module.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType};

/// A constant expression, as used by global initialisers and segment offsets.
///
/// Wasm 2.0 allows exactly one instruction in a constant expression, so the
/// expression is that instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstExpr {
    /// `i32.const`
    I32(i32),
    /// `i64.const`
    I64(i64),
    /// `f32.const`, as bits.
    F32(u32),
    /// `f64.const`, as bits.
    F64(u64),
    /// `ref.null`
    RefNull(RefType),
    /// `ref.func` with a function index.
    RefFunc(u32),
    /// `global.get` of an (imported) global.
    GlobalGet(u32),
}

/// What an import brings in, with the type it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    /// A function of the given type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The module name the import is looked up in.
    pub module: Box<str>,
    /// The field name.
    pub name: Box<str>,
    /// What is imported.
    pub kind: ImportKind,
}

/// An index into one of a module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternIdx {
    /// A function index.
    Func(u32),
    /// A table index.
    Table(u32),
    /// A memory index.
    Memory(u32),
    /// A global index.
    Global(u32),
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The export's name.
    pub name: Box<str>,
    /// What is exported.
    pub index: ExternIdx,
}

/// A global defined by the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Global {
    /// Its type.
    pub ty: GlobalType,
    /// Its initial value.
    pub init: ConstExpr,
}

/// When and where an element segment is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElemMode {
    /// Used only by `table.init`.
    Passive,
    /// Only declares function references; dropped at instantiation.
    Declared,
    /// Copied into a table at instantiation.
    Active {
        /// The table index.
        table: u32,
        /// Where in the table.
        offset: ConstExpr,
    },
}

/// The references an element segment holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElemItems {
    /// Function indices.
    Funcs(Box<[u32]>),
    /// Constant expressions producing references.
    Exprs(Box<[ConstExpr]>),
}

impl ElemItems {
    /// Number of items.
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Funcs(f) => f.len(),
            ElemItems::Exprs(e) => e.len(),
        }
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An element segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElemSegment {
    /// How it is used.
    pub mode: ElemMode,
    /// The type of its references.
    pub ty: RefType,
    /// Its references.
    pub items: ElemItems,
}

/// When and where a data segment is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataMode {
    /// Used only by `memory.init`.
    Passive,
    /// Copied into a memory at instantiation.
    Active {
        /// The memory index.
        memory: u32,
        /// Where in the memory.
        offset: ConstExpr,
    },
}

/// A data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSegment {
    /// How it is used.
    pub mode: DataMode,
    /// Its bytes.
    pub bytes: Box<[u8]>,
}

/// Where a defined function's body lies in the module's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncBody {
    /// Byte range of the body (locals and code) in the binary.
    pub range: Range<usize>,
}

/// A decoded and validated module.
///
/// Index spaces follow the spec: imported entities come first, then the
/// module's own, so `funcs[i]` is the type index of function `i`.
#[derive(Debug, Clone, Default)]
pub struct ModuleInfo {
    /// The type section.
    pub types: Vec<FuncType>,
    /// Every import, in order.
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    /// How many functions are imported.
    pub imported_funcs: u32,
    /// Every table, imported ones first.
    pub tables: Vec<TableType>,
    /// How many tables are imported.
    pub imported_tables: u32,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    /// How many memories are imported.
    pub imported_memories: u32,
    /// Type of every global, imported ones first.
    pub globals: Vec<GlobalType>,
    /// How many globals are imported.
    pub imported_globals: u32,
    /// Initialisers of the module's own globals.
    pub global_inits: Vec<ConstExpr>,
    /// Every export, in order.
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
    /// Element segments.
    pub elements: Vec<ElemSegment>,
    /// Data segments.
    pub data: Vec<DataSegment>,
    /// Bodies of the module's own functions.
    pub bodies: Vec<FuncBody>,
    /// The module's name from the name section.
    pub name: Option<Box<str>>,
    /// Function names from the name section, sorted by index.
    pub func_names: Vec<(u32, Box<str>)>,
}

impl ModuleInfo {
    /// The type of function `func`.
    ///
    /// # Panics
    /// If `func` is not a function index of this module; a validated module's
    /// code only holds valid indices.
    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize] as usize]
    }

    /// The name section's name for function `func`, if any.
    pub fn func_name(&self, func: u32) -> Option<&str> {
        self.func_names
            .binary_search_by_key(&func, |(i, _)| *i)
            .ok()
            .map(|i| &*self.func_names[i].1)
    }

    /// A reader over the body of defined function `defined` (index among the
    /// module's own functions), given the bytes the module was decoded from.
    #[cfg(feature = "decode")]
    pub fn body<'a>(
        &self,
        bytes: &'a [u8],
        defined: usize,
    ) -> Option<wasmparser::FunctionBody<'a>> {
        let range = self.bodies.get(defined)?.range.clone();
        let slice = bytes.get(range.clone())?;
        Some(wasmparser::FunctionBody::new(
            wasmparser::BinaryReader::new(slice, range.start as u64),
        ))
    }
}
