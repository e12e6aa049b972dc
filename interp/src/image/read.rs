//! Reading an image: the header, then the module description, every value
//! checked as it is read.

use alloc::boxed::Box;
use alloc::vec::Vec;

use kestrel_core::{
    ConstExpr, DataMode, DataSegment, ElemItems, ElemMode, ElemSegment, Export, ExternIdx,
    FuncBody, FuncType, GlobalType, Import, ImportKind, Limits, MemoryType, ModuleInfo, Mutability,
    RefType, TableType, ValType,
};

use super::error::{ImageError, malformed};
use super::integrity::checksum;
use super::write::uses_custom_pages;
use super::{
    FLAG_CUSTOM_PAGES, FLAG_FUEL, HEADER_LEN, IMAGE_ALIGN, ISA_FINGERPRINT, LITTLE_ENDIAN, MAGIC,
    OP_SIZE, VERSION,
};
use crate::Engine;

/// A cursor over the module description. Every read is checked against the
/// end; `section` names what is being read, for `Truncated`.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) section: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ImageError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(ImageError::Truncated { what: self.section }),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ImageError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ImageError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, ImageError> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, ImageError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, ImageError> {
        self.array().map(u64::from_le_bytes)
    }

    /// A count of items that each take at least one byte: never more than
    /// the bytes left, so no allocation or loop can outgrow the image.
    fn count(&mut self) -> Result<usize, ImageError> {
        let n = self.u32()? as usize;
        match n <= self.bytes.len() - self.pos {
            true => Ok(n),
            false => Err(ImageError::Truncated { what: self.section }),
        }
    }

    fn flag(&mut self) -> Result<bool, ImageError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => malformed("a flag byte is neither 0 nor 1"),
        }
    }

    fn str(&mut self) -> Result<Box<str>, ImageError> {
        let n = self.u32()? as usize;
        match core::str::from_utf8(self.take(n)?) {
            Ok(s) => Ok(s.into()),
            Err(_) => malformed("a name is not UTF-8"),
        }
    }

    fn val(&mut self) -> Result<ValType, ImageError> {
        Ok(match self.u8()? {
            0x7f => ValType::I32,
            0x7e => ValType::I64,
            0x7d => ValType::F32,
            0x7c => ValType::F64,
            0x70 => ValType::FuncRef,
            0x6f => ValType::ExternRef,
            _ => return malformed("unknown value type"),
        })
    }

    fn ref_type(&mut self) -> Result<RefType, ImageError> {
        match self.val()? {
            ValType::FuncRef => Ok(RefType::FuncRef),
            ValType::ExternRef => Ok(RefType::ExternRef),
            _ => malformed("a reference type is a number type"),
        }
    }

    fn limits(&mut self, most: u32) -> Result<Limits, ImageError> {
        let has_max = self.flag()?;
        let min = self.u32()?;
        let max = if has_max { Some(self.u32()?) } else { None };
        if min > most || max.is_some_and(|max| max < min || max > most) {
            return malformed("limits out of range");
        }
        Ok(Limits { min, max })
    }

    fn table(&mut self) -> Result<TableType, ImageError> {
        let element = self.ref_type()?;
        let limits = self.limits(u32::MAX)?;
        Ok(TableType { element, limits })
    }

    fn memory(&mut self) -> Result<MemoryType, ImageError> {
        let has_max = self.flag()?;
        let min = self.u32()?;
        let max = if has_max { Some(self.u32()?) } else { None };
        let page_size_log2 = self.u8()?;
        if !matches!(page_size_log2, 0 | MemoryType::DEFAULT_PAGE_SIZE_LOG2) {
            return malformed("memory page size is neither 1 byte nor 64 KiB");
        }
        let ty = MemoryType::new(min, max).with_page_size_log2(page_size_log2);
        let most = ty.max_pages();
        if min > most || max.is_some_and(|max| max < min || max > most) {
            return malformed("memory limits out of range");
        }
        Ok(ty)
    }

    fn global(&mut self) -> Result<GlobalType, ImageError> {
        let content = self.val()?;
        let mutability = match self.flag()? {
            true => Mutability::Var,
            false => Mutability::Const,
        };
        Ok(GlobalType::new(content, mutability))
    }

    fn expr(&mut self) -> Result<ConstExpr, ImageError> {
        Ok(match self.u8()? {
            0x41 => ConstExpr::I32(self.u32()? as i32),
            0x42 => ConstExpr::I64(self.u64()? as i64),
            0x43 => ConstExpr::F32(self.u32()?),
            0x44 => ConstExpr::F64(self.u64()?),
            0xd0 => ConstExpr::RefNull(self.ref_type()?),
            0xd2 => ConstExpr::RefFunc(self.u32()?),
            0x23 => ConstExpr::GlobalGet(self.u32()?),
            _ => return malformed("unknown constant expression"),
        })
    }
}

/// The type of constant expression `e` in `info`, where it may read the
/// first `globals` globals (those that exist when it is evaluated).
fn expr_type(info: &ModuleInfo, e: &ConstExpr, globals: usize) -> Result<ValType, ImageError> {
    Ok(match *e {
        ConstExpr::I32(_) => ValType::I32,
        ConstExpr::I64(_) => ValType::I64,
        ConstExpr::F32(_) => ValType::F32,
        ConstExpr::F64(_) => ValType::F64,
        ConstExpr::RefNull(t) => t.into(),
        ConstExpr::RefFunc(f) if (f as usize) < info.funcs.len() => ValType::FuncRef,
        ConstExpr::GlobalGet(g) if (g as usize) < globals => match info.globals.get(g as usize) {
            Some(ty) => ty.content,
            None => return malformed("constant expression reads a global out of range"),
        },
        ConstExpr::RefFunc(_) => {
            return malformed("constant expression names a function out of range");
        }
        ConstExpr::GlobalGet(_) => {
            return malformed("constant expression reads a global out of range");
        }
    })
}

/// An expression that must produce a `ty`.
fn typed_expr(
    info: &ModuleInfo,
    r: &mut Reader<'_>,
    ty: ValType,
    globals: usize,
) -> Result<ConstExpr, ImageError> {
    let e = r.expr()?;
    match expr_type(info, &e, globals)? == ty {
        true => Ok(e),
        false => malformed("constant expression of the wrong type"),
    }
}

fn in_range(index: u32, len: usize, what: &'static str) -> Result<u32, ImageError> {
    match (index as usize) < len {
        true => Ok(index),
        false => Err(ImageError::Malformed { what }),
    }
}

/// A function's frame shape and op count, from the code section.
pub(super) struct Shape {
    pub(super) params: u16,
    pub(super) locals: u16,
    pub(super) frame_size: u16,
    pub(super) ops: usize,
}

/// A parsed image, before its ops are looked at.
pub(super) struct Parsed<'a> {
    pub(super) info: ModuleInfo,
    pub(super) shapes: Vec<Shape>,
    /// The op region.
    pub(super) ops: &'a [u8],
    pub(super) count: usize,
    pub(super) metering: bool,
}

/// Checks the header and reads the module description.
pub(super) fn parse<'a>(engine: &Engine, bytes: &'a [u8]) -> Result<Parsed<'a>, ImageError> {
    if !bytes.starts_with(&MAGIC) {
        return match MAGIC.starts_with(bytes) {
            true => Err(ImageError::Truncated { what: "the header" }),
            false => Err(ImageError::BadMagic),
        };
    }
    let mut r = Reader {
        bytes,
        pos: MAGIC.len(),
        section: "the header",
    };
    let version = r.u16()?;
    if version != VERSION {
        return Err(ImageError::UnsupportedVersion {
            found: version,
            expected: VERSION,
        });
    }
    if r.u8()? != LITTLE_ENDIAN {
        return Err(ImageError::ByteOrder);
    }
    let flags = r.u8()?;
    let stored = r.u32()?;
    let len = r.u32()? as usize;
    let isa = r.u64()?;
    let ops_offset = r.u32()? as usize;
    let count = r.u32()? as usize;
    if len < HEADER_LEN {
        return malformed("the image length is shorter than its header");
    }
    let Some(image) = bytes.get(..len) else {
        return Err(ImageError::Truncated {
            what: "the end of the image",
        });
    };
    let computed = checksum(image);
    if computed != stored {
        return Err(ImageError::Checksum { stored, computed });
    }
    if isa != ISA_FINGERPRINT {
        return Err(ImageError::IsaMismatch {
            found: isa,
            expected: ISA_FINGERPRINT,
        });
    }
    if flags & !(FLAG_FUEL | FLAG_CUSTOM_PAGES) != 0 {
        return malformed("unknown flags");
    }
    let metering = flags & FLAG_FUEL != 0;
    let config = engine.config();
    if metering != config.consume_fuel {
        return Err(ImageError::ConfigMismatch {
            setting: "Config::consume_fuel",
            image: metering,
            engine: config.consume_fuel,
        });
    }
    let custom_pages = flags & FLAG_CUSTOM_PAGES != 0;
    if custom_pages && !config.custom_page_sizes {
        return Err(ImageError::ConfigMismatch {
            setting: "Config::wasm_custom_page_sizes",
            image: true,
            engine: false,
        });
    }
    let ops_end = count
        .checked_mul(OP_SIZE)
        .and_then(|n| n.checked_add(ops_offset));
    if ops_offset < HEADER_LEN || !ops_offset.is_multiple_of(IMAGE_ALIGN) || ops_end != Some(len) {
        return malformed("the op region does not end the image");
    }
    let mut r = Reader {
        bytes: &image[..ops_offset],
        pos: HEADER_LEN,
        section: "the header",
    };
    let (info, shapes) = read_module(&mut r)?;
    if uses_custom_pages(&info.memories) != custom_pages {
        return malformed("the custom page sizes flag does not match the memories");
    }
    // What is left is padding to the op region.
    if r.bytes.len() - r.pos >= IMAGE_ALIGN || r.bytes[r.pos..].iter().any(|&b| b != 0) {
        return malformed("bytes between the module description and the ops");
    }
    if shapes.iter().map(|s| s.ops as u64).sum::<u64>() != count as u64 {
        return malformed("the functions' op counts do not add up to the op region");
    }
    Ok(Parsed {
        info,
        shapes,
        ops: &image[ops_offset..],
        count,
        metering,
    })
}

/// Reads the module description, checking every index as it is read
/// against the index spaces read before it.
pub(super) fn read_module(r: &mut Reader<'_>) -> Result<(ModuleInfo, Vec<Shape>), ImageError> {
    let mut info = ModuleInfo::default();
    r.section = "the type section";
    for _ in 0..r.count()? {
        let params = r.count()?;
        let results = r.count()?;
        let mut types = Vec::new();
        for _ in 0..params.saturating_add(results) {
            types.push(r.val()?);
        }
        let (params, results) = types.split_at(params.min(types.len()));
        info.types.push(FuncType::new(
            params.iter().copied(),
            results.iter().copied(),
        ));
    }
    r.section = "the import section";
    for _ in 0..r.count()? {
        let module = r.str()?;
        let name = r.str()?;
        let kind = match r.u8()? {
            0 => {
                let t = in_range(r.u32()?, info.types.len(), "import of a type out of range")?;
                info.funcs.push(t);
                info.imported_funcs += 1;
                ImportKind::Func(t)
            }
            1 => {
                let t = r.table()?;
                info.tables.push(t);
                info.imported_tables += 1;
                ImportKind::Table(t)
            }
            2 => {
                let m = r.memory()?;
                info.memories.push(m);
                info.imported_memories += 1;
                ImportKind::Memory(m)
            }
            3 => {
                let g = r.global()?;
                info.globals.push(g);
                info.imported_globals += 1;
                ImportKind::Global(g)
            }
            _ => return malformed("unknown import kind"),
        };
        info.imports.push(Import { module, name, kind });
    }
    r.section = "the function section";
    for _ in 0..r.count()? {
        let t = in_range(
            r.u32()?,
            info.types.len(),
            "function of a type out of range",
        )?;
        info.funcs.push(t);
    }
    r.section = "the table section";
    for _ in 0..r.count()? {
        let t = r.table()?;
        info.tables.push(t);
    }
    r.section = "the memory section";
    for _ in 0..r.count()? {
        let m = r.memory()?;
        info.memories.push(m);
    }
    if info.memories.len() > 1 {
        return malformed("more than one memory");
    }
    r.section = "the global section";
    for _ in 0..r.count()? {
        let ty = r.global()?;
        // An initialiser reads the globals before it (imported ones, in
        // Wasm 2.0).
        let init = typed_expr(&info, r, ty.content, info.globals.len())?;
        info.globals.push(ty);
        info.global_inits.push(init);
    }
    r.section = "the export section";
    for _ in 0..r.count()? {
        let name = r.str()?;
        let kind = r.u8()?;
        let i = r.u32()?;
        let index = match kind {
            0 => ExternIdx::Func(in_range(i, info.funcs.len(), "export out of range")?),
            1 => ExternIdx::Table(in_range(i, info.tables.len(), "export out of range")?),
            2 => ExternIdx::Memory(in_range(i, info.memories.len(), "export out of range")?),
            3 => ExternIdx::Global(in_range(i, info.globals.len(), "export out of range")?),
            _ => return malformed("unknown export kind"),
        };
        info.exports.push(Export { name, index });
    }
    r.section = "the start section";
    if r.flag()? {
        let start = in_range(r.u32()?, info.funcs.len(), "start function out of range")?;
        let ty = &info.types[info.funcs[start as usize] as usize];
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return malformed("the start function takes or returns values");
        }
        info.start = Some(start);
    }
    r.section = "the element section";
    for _ in 0..r.count()? {
        let mode = match r.u8()? {
            0 => ElemMode::Passive,
            1 => ElemMode::Declared,
            2 => {
                let table = in_range(
                    r.u32()?,
                    info.tables.len(),
                    "segment of a table out of range",
                )?;
                let offset = typed_expr(&info, r, ValType::I32, info.globals.len())?;
                ElemMode::Active { table, offset }
            }
            _ => return malformed("unknown element segment mode"),
        };
        let ty = r.ref_type()?;
        if let ElemMode::Active { table, .. } = mode
            && info.tables[table as usize].element != ty
        {
            return malformed("element segment of another type than its table");
        }
        let items = match r.u8()? {
            0 => {
                if ty != RefType::FuncRef {
                    return malformed("function indices in an externref segment");
                }
                let mut funcs = Vec::new();
                for _ in 0..r.count()? {
                    funcs.push(in_range(
                        r.u32()?,
                        info.funcs.len(),
                        "element out of range",
                    )?);
                }
                ElemItems::Funcs(funcs.into_boxed_slice())
            }
            1 => {
                let mut exprs = Vec::new();
                for _ in 0..r.count()? {
                    exprs.push(typed_expr(&info, r, ty.into(), info.globals.len())?);
                }
                ElemItems::Exprs(exprs.into_boxed_slice())
            }
            _ => return malformed("unknown element segment items"),
        };
        info.elements.push(ElemSegment { mode, ty, items });
    }
    r.section = "the data section";
    for _ in 0..r.count()? {
        let mode = match r.u8()? {
            0 => DataMode::Passive,
            1 => {
                let memory = in_range(
                    r.u32()?,
                    info.memories.len(),
                    "segment of a memory out of range",
                )?;
                let offset = typed_expr(&info, r, ValType::I32, info.globals.len())?;
                DataMode::Active { memory, offset }
            }
            _ => return malformed("unknown data segment mode"),
        };
        let n = r.u32()? as usize;
        let bytes = r.take(n)?.into();
        info.data.push(DataSegment { mode, bytes });
    }
    r.section = "the name section";
    if r.flag()? {
        info.name = Some(r.str()?);
    }
    for _ in 0..r.count()? {
        let index = r.u32()?;
        let name = r.str()?;
        // Sorted and unique, as `ModuleInfo::func_name` searches them.
        if info
            .func_names
            .last()
            .is_some_and(|(last, _)| *last >= index)
        {
            return malformed("function names out of order");
        }
        info.func_names.push((index, name));
    }
    r.section = "the code section";
    let defined = info.funcs.len() - info.imported_funcs as usize;
    let mut shapes = Vec::new();
    for _ in 0..defined {
        let params = r.u16()?;
        let locals = r.u16()?;
        let frame_size = r.u16()?;
        if r.u16()? != 0 {
            return malformed("reserved bytes of a function are not zero");
        }
        let ops = r.u32()? as usize;
        shapes.push(Shape {
            params,
            locals,
            frame_size,
            ops,
        });
        info.bodies.push(FuncBody { range: 0..0 });
    }
    Ok((info, shapes))
}
