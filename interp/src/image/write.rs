//! Writing an image.

use alloc::vec::Vec;

use kestrel_core::{
    ConstExpr, DataMode, ElemItems, ElemMode, ExternIdx, GlobalType, ImportKind, Limits,
    MemoryType, ModuleInfo, Mutability, TableType, ValType,
};

use super::integrity::checksum;
use super::ops::put_op;
use super::{
    CHECKSUM_AT, FLAG_CUSTOM_PAGES, FLAG_FUEL, HEADER_LEN, IMAGE_ALIGN, ISA_FINGERPRINT,
    LITTLE_ENDIAN, MAGIC, OP_SIZE, VERSION,
};
use crate::code::CompiledFunc;

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// A length; a module cannot hold 4 GiB of anything (if it did, the
    /// image would fail its checks on load rather than be misread).
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.out.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn val(&mut self, t: ValType) {
        self.u8(match t {
            ValType::I32 => 0x7f,
            ValType::I64 => 0x7e,
            ValType::F32 => 0x7d,
            ValType::F64 => 0x7c,
            ValType::FuncRef => 0x70,
            ValType::ExternRef => 0x6f,
        });
    }

    fn limits(&mut self, l: Limits) {
        self.u8(l.max.is_some() as u8);
        self.u32(l.min);
        if let Some(max) = l.max {
            self.u32(max);
        }
    }

    fn table(&mut self, t: &TableType) {
        self.val(t.element.into());
        self.limits(t.limits);
    }

    fn memory(&mut self, m: &MemoryType) {
        self.limits(m.limits);
        self.u8(m.page_size_log2);
    }

    fn global(&mut self, g: &GlobalType) {
        self.val(g.content);
        self.u8((g.mutability == Mutability::Var) as u8);
    }

    fn expr(&mut self, e: &ConstExpr) {
        match *e {
            ConstExpr::I32(v) => {
                self.u8(0x41);
                self.u32(v as u32);
            }
            ConstExpr::I64(v) => {
                self.u8(0x42);
                self.u64(v as u64);
            }
            ConstExpr::F32(bits) => {
                self.u8(0x43);
                self.u32(bits);
            }
            ConstExpr::F64(bits) => {
                self.u8(0x44);
                self.u64(bits);
            }
            ConstExpr::RefNull(t) => {
                self.u8(0xd0);
                self.val(t.into());
            }
            ConstExpr::RefFunc(f) => {
                self.u8(0xd2);
                self.u32(f);
            }
            ConstExpr::GlobalGet(g) => {
                self.u8(0x23);
                self.u32(g);
            }
        }
    }

    fn extern_idx(&mut self, index: ExternIdx) {
        let (kind, i) = match index {
            ExternIdx::Func(i) => (0, i),
            ExternIdx::Table(i) => (1, i),
            ExternIdx::Memory(i) => (2, i),
            ExternIdx::Global(i) => (3, i),
        };
        self.u8(kind);
        self.u32(i);
    }
}

/// The image of `info` with `funcs`, compiled with fuel metering if
/// `metering`.
pub(crate) fn write(info: &ModuleInfo, funcs: &[CompiledFunc], metering: bool) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(
            HEADER_LEN + funcs.iter().map(|f| f.ops.len()).sum::<usize>() * OP_SIZE,
        ),
    };
    w.out.resize(HEADER_LEN, 0);
    w.len(info.types.len());
    for ty in &info.types {
        w.len(ty.params().len());
        w.len(ty.results().len());
        for t in ty.params().iter().chain(ty.results()) {
            w.val(*t);
        }
    }
    w.len(info.imports.len());
    for import in &info.imports {
        w.str(&import.module);
        w.str(&import.name);
        match &import.kind {
            ImportKind::Func(t) => {
                w.u8(0);
                w.u32(*t);
            }
            ImportKind::Table(t) => {
                w.u8(1);
                w.table(t);
            }
            ImportKind::Memory(m) => {
                w.u8(2);
                w.memory(m);
            }
            ImportKind::Global(g) => {
                w.u8(3);
                w.global(g);
            }
        }
    }
    let defined_funcs = info
        .funcs
        .get(info.imported_funcs as usize..)
        .unwrap_or(&[]);
    w.len(defined_funcs.len());
    for t in defined_funcs {
        w.u32(*t);
    }
    let tables = info
        .tables
        .get(info.imported_tables as usize..)
        .unwrap_or(&[]);
    w.len(tables.len());
    for t in tables {
        w.table(t);
    }
    let memories = info
        .memories
        .get(info.imported_memories as usize..)
        .unwrap_or(&[]);
    w.len(memories.len());
    for m in memories {
        w.memory(m);
    }
    let globals = info
        .globals
        .get(info.imported_globals as usize..)
        .unwrap_or(&[]);
    w.len(globals.len());
    for (g, init) in globals.iter().zip(&info.global_inits) {
        w.global(g);
        w.expr(init);
    }
    w.len(info.exports.len());
    for export in &info.exports {
        w.str(&export.name);
        w.extern_idx(export.index);
    }
    w.u8(info.start.is_some() as u8);
    if let Some(start) = info.start {
        w.u32(start);
    }
    w.len(info.elements.len());
    for segment in &info.elements {
        match &segment.mode {
            ElemMode::Passive => w.u8(0),
            ElemMode::Declared => w.u8(1),
            ElemMode::Active { table, offset } => {
                w.u8(2);
                w.u32(*table);
                w.expr(offset);
            }
        }
        w.val(segment.ty.into());
        match &segment.items {
            ElemItems::Funcs(funcs) => {
                w.u8(0);
                w.len(funcs.len());
                for f in funcs.iter() {
                    w.u32(*f);
                }
            }
            ElemItems::Exprs(exprs) => {
                w.u8(1);
                w.len(exprs.len());
                for e in exprs.iter() {
                    w.expr(e);
                }
            }
        }
    }
    w.len(info.data.len());
    for segment in &info.data {
        match &segment.mode {
            DataMode::Passive => w.u8(0),
            DataMode::Active { memory, offset } => {
                w.u8(1);
                w.u32(*memory);
                w.expr(offset);
            }
        }
        w.bytes(&segment.bytes);
    }
    w.u8(info.name.is_some() as u8);
    if let Some(name) = &info.name {
        w.str(name);
    }
    w.len(info.func_names.len());
    for (index, name) in &info.func_names {
        w.u32(*index);
        w.str(name);
    }
    for f in funcs {
        w.u16(f.params);
        w.u16(f.locals);
        w.u16(f.frame_size);
        w.u16(0);
        w.len(f.ops.len());
    }
    let ops_offset = w.out.len().next_multiple_of(IMAGE_ALIGN);
    w.out.resize(ops_offset, 0);
    let mut count = 0;
    for f in funcs {
        for op in f.ops.iter() {
            put_op(&mut w.out, op);
        }
        count += f.ops.len();
    }
    let len = u32::try_from(w.out.len()).unwrap_or(u32::MAX);
    let mut flags = 0;
    if metering {
        flags |= FLAG_FUEL;
    }
    if uses_custom_pages(&info.memories) {
        flags |= FLAG_CUSTOM_PAGES;
    }
    let mut header = Writer { out: Vec::new() };
    header.out.extend_from_slice(&MAGIC);
    header.u16(VERSION);
    header.u8(LITTLE_ENDIAN);
    header.u8(flags);
    header.u32(0);
    header.u32(len);
    header.u64(ISA_FINGERPRINT);
    header.len(ops_offset);
    header.len(count);
    w.out[..HEADER_LEN].copy_from_slice(&header.out);
    let crc = checksum(&w.out);
    w.out[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&crc.to_le_bytes());
    w.out
}

pub(super) fn uses_custom_pages(memories: &[MemoryType]) -> bool {
    memories
        .iter()
        .any(|m| m.page_size_log2 != MemoryType::DEFAULT_PAGE_SIZE_LOG2)
}
