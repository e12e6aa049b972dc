//! Turning bytes into a [`ModuleInfo`], validating as we go.
//!
//! One pass over the payloads: each goes through wasmparser's validator first,
//! then is described in Kestrel's types. Function bodies are validated here,
//! by the caller's hook as they come, or handed back to be validated later
//! (on several threads); the module description only locates them.

use alloc::boxed::Box;
use alloc::vec::Vec;
use wasmparser::{
    ElementItems, ElementKind, ExternalKind, FunctionBody, KnownCustom, Name, Operator, Parser,
    Payload, TypeRef, Validator,
};

use crate::error::Error;
use crate::module::{
    ConstExpr, DataMode, DataSegment, ElemItems, ElemMode, ElemSegment, Export, ExternIdx,
    FuncBody, Import, ImportKind, ModuleInfo,
};
use crate::types::{
    FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType,
};

fn unsupported(offset: usize, what: &'static str) -> Error {
    Error::Unsupported { offset, what }
}

impl ModuleInfo {
    /// Decodes and validates a WebAssembly binary.
    ///
    /// Every function body is validated, so a module returned here is valid in
    /// full and its code can be translated without further checks.
    pub fn decode(bytes: &[u8]) -> Result<ModuleInfo, Error> {
        Self::decode_with_features(bytes, crate::features())
    }

    /// Decodes and validates with the given WebAssembly features, which must
    /// be within what Kestrel implements ([`crate::features`] plus
    /// [`custom page sizes`](wasmparser::WasmFeatures::CUSTOM_PAGE_SIZES)).
    pub fn decode_with_features(
        bytes: &[u8],
        features: wasmparser::WasmFeatures,
    ) -> Result<ModuleInfo, Error> {
        Self::decode_with_bodies(bytes, features, |_, _, body, validator| {
            validator.validate(&body).map_err(Error::from)
        })
    }

    /// As [`decode_with_features`](Self::decode_with_features), but hands
    /// each function body to `body` with its validator instead of validating
    /// it here: `body(module, defined, body, validator)` must validate the
    /// whole body with `validator` (it may translate each operator as it
    /// goes, reading the code once). `module` holds every section before the
    /// code section, which is all a function body can refer to; `defined` is
    /// the index among the module's own functions.
    pub fn decode_with_bodies<E: From<Error>>(
        bytes: &[u8],
        features: wasmparser::WasmFeatures,
        mut body: impl FnMut(
            &ModuleInfo,
            usize,
            wasmparser::FunctionBody<'_>,
            &mut wasmparser::FuncValidator<wasmparser::ValidatorResources>,
        ) -> Result<(), E>,
    ) -> Result<ModuleInfo, E> {
        let mut module = ModuleInfo::default();
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        decode_payloads(
            bytes,
            features,
            &mut module,
            |module, func, code| -> Result<(), E> {
                let mut fv = func.into_validator(core::mem::take(&mut allocs));
                body(module, module.bodies.len(), code, &mut fv)?;
                allocs = fv.into_allocations();
                Ok(())
            },
        )?;
        Ok(module)
    }

    /// Decodes and validates everything but the function bodies, which are
    /// returned for the caller to validate later, in any order and on any
    /// thread (each [`PendingBody`] is `Send`), as wasmtime compiles in
    /// parallel.
    ///
    /// Decoding stops at the first error outside the bodies; the result then
    /// holds the module as far as it was decoded and the bodies before the
    /// error. The module is valid only if that error is `None` and every
    /// body validates. A caller that wants the first error in the order of
    /// the bytes, as [`decode_with_bodies`](Self::decode_with_bodies) gives,
    /// reports the lowest-indexed failing body before `error`: all returned
    /// bodies precede it.
    pub fn decode_deferred(bytes: &[u8], features: wasmparser::WasmFeatures) -> Deferred<'_> {
        let mut module = ModuleInfo::default();
        let mut bodies = Vec::new();
        let error = decode_payloads(bytes, features, &mut module, |_, func, body| {
            bodies.push(PendingBody { func, body });
            Ok::<(), Error>(())
        })
        .err();
        Deferred {
            module,
            bodies,
            error,
        }
    }

    fn add_payload(&mut self, payload: Payload<'_>) -> Result<(), Error> {
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start as usize;
                for group in reader {
                    let group = group?;
                    for sub in group.into_types() {
                        let func = match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f,
                            _ => return Err(unsupported(offset, "non-function types (GC)")),
                        };
                        let params = convert_vals(func.params(), offset)?;
                        let results = convert_vals(func.results(), offset)?;
                        self.types.push(FuncType::new(params, results));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start as usize;
                for import in reader.into_imports() {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(t) => {
                            self.funcs.push(t);
                            self.imported_funcs += 1;
                            ImportKind::Func(t)
                        }
                        TypeRef::Table(t) => {
                            let t = convert_table(t, offset)?;
                            self.tables.push(t);
                            self.imported_tables += 1;
                            ImportKind::Table(t)
                        }
                        TypeRef::Memory(m) => {
                            let m = convert_memory(m, offset)?;
                            self.memories.push(m);
                            self.imported_memories += 1;
                            ImportKind::Memory(m)
                        }
                        TypeRef::Global(g) => {
                            let g = convert_global(g, offset)?;
                            self.globals.push(g);
                            self.imported_globals += 1;
                            ImportKind::Global(g)
                        }
                        _ => return Err(unsupported(offset, "this kind of import")),
                    };
                    self.imports.push(Import {
                        module: import.module.into(),
                        name: import.name.into(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.funcs.push(ty?);
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start as usize;
                for table in reader {
                    let table = table?;
                    if !matches!(table.init, wasmparser::TableInit::RefNull) {
                        return Err(unsupported(offset, "table initialiser expressions"));
                    }
                    self.tables.push(convert_table(table.ty, offset)?);
                }
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start as usize;
                for memory in reader {
                    self.memories.push(convert_memory(memory?, offset)?);
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start as usize;
                for global in reader {
                    let global = global?;
                    self.globals.push(convert_global(global.ty, offset)?);
                    self.global_inits.push(convert_const(&global.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                let offset = reader.range().start as usize;
                for export in reader {
                    let export = export?;
                    let index = match export.kind {
                        ExternalKind::Func => ExternIdx::Func(export.index),
                        ExternalKind::Table => ExternIdx::Table(export.index),
                        ExternalKind::Memory => ExternIdx::Memory(export.index),
                        ExternalKind::Global => ExternIdx::Global(export.index),
                        _ => return Err(unsupported(offset, "this kind of export")),
                    };
                    self.exports.push(Export {
                        name: export.name.into(),
                        index,
                    });
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element?;
                    let offset = element.range.start as usize;
                    let mode = match element.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: convert_const(&offset_expr)?,
                        },
                    };
                    let (ty, items) = match element.items {
                        ElementItems::Functions(funcs) => {
                            let funcs = funcs.into_iter().collect::<Result<Vec<u32>, _>>()?;
                            (RefType::FuncRef, ElemItems::Funcs(funcs.into_boxed_slice()))
                        }
                        ElementItems::Expressions(ty, exprs) => {
                            let ty = convert_ref(ty, offset)?;
                            let exprs = exprs
                                .into_iter()
                                .map(|e| convert_const(&e?))
                                .collect::<Result<Vec<_>, Error>>()?;
                            (ty, ElemItems::Exprs(exprs.into_boxed_slice()))
                        }
                    };
                    self.elements.push(ElemSegment { mode, ty, items });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let mode = match data.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: convert_const(&offset_expr)?,
                        },
                    };
                    self.data.push(DataSegment {
                        mode,
                        bytes: data.data.into(),
                    });
                }
            }
            Payload::CodeSectionEntry(body) => self.add_body(&body),
            Payload::CustomSection(reader) => {
                if let KnownCustom::Name(names) = reader.as_known() {
                    // A malformed name section is not an error: the spec says
                    // custom sections never affect validity.
                    let _ = self.read_names(names);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn add_body(&mut self, body: &FunctionBody<'_>) {
        let range = body.range();
        self.bodies.push(FuncBody {
            range: range.start as usize..range.end as usize,
        });
    }

    fn read_names(&mut self, names: wasmparser::NameSectionReader<'_>) -> Result<(), Error> {
        for name in names {
            match name? {
                Name::Module { name, .. } => self.name = Some(name.into()),
                Name::Function(map) => {
                    let mut list: Vec<(u32, Box<str>)> = Vec::new();
                    for naming in map {
                        let naming = naming?;
                        list.push((naming.index, naming.name.into()));
                    }
                    // The spec requires strictly increasing indices. A map
                    // that breaks the rule is ignored like any malformed
                    // custom section, rather than sorted: sorting costs code
                    // and, stably, 4 KiB of stack on a microcontroller.
                    if list.windows(2).all(|w| w[0].0 < w[1].0) {
                        self.func_names = list;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What [`ModuleInfo::decode_deferred`] found.
#[derive(Debug)]
pub struct Deferred<'a> {
    /// The module as far as it was decoded: in full if `error` is `None`.
    pub module: ModuleInfo,
    /// The function bodies decoded, still to be validated, in index order
    /// among the module's own functions.
    pub bodies: Vec<PendingBody<'a>>,
    /// The first error outside the function bodies, which ended decoding.
    pub error: Option<Error>,
}

/// A function body whose validation was put off: validate it with
/// `func.into_validator(allocations)`.
#[derive(Debug)]
pub struct PendingBody<'a> {
    /// What validating the body needs: the module's types and the
    /// function's signature.
    pub func: wasmparser::FuncToValidate<wasmparser::ValidatorResources>,
    /// The body's bytes.
    pub body: FunctionBody<'a>,
}

/// The one pass over the payloads: each is validated, then described in
/// `module`; `func(module, to_validate, body)` gets each function body, with
/// `module` holding every section before the code section.
fn decode_payloads<'a, E: From<Error>>(
    bytes: &'a [u8],
    features: wasmparser::WasmFeatures,
    module: &mut ModuleInfo,
    mut func: impl FnMut(
        &ModuleInfo,
        wasmparser::FuncToValidate<wasmparser::ValidatorResources>,
        FunctionBody<'a>,
    ) -> Result<(), E>,
) -> Result<(), E> {
    let mut validator = Validator::new_with_features(features);
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(Error::from)?;
        if let Payload::MemorySection(reader) = &payload {
            check_memory_limits_u32(bytes, reader.range())?;
        }
        let valid = validator.payload(&payload).map_err(Error::from)?;
        if let wasmparser::ValidPayload::Func(to_validate, body) = valid {
            func(module, to_validate, body)?;
        }
        module.add_payload(payload)?;
    }
    Ok(())
}

/// Rejects 32-bit memory limits encoded with more than five LEB128 bytes.
///
/// wasmparser reads every memory limit as a 64-bit LEB128 (to share code with
/// memory64), so it accepts an overlong encoding that the spec calls
/// malformed for a 32-bit memory. Re-read the section with wasmparser's own
/// reader, as 32-bit integers, to apply the stricter rule.
fn check_memory_limits_u32(bytes: &[u8], range: core::ops::Range<u64>) -> Result<(), Error> {
    let section = bytes
        .get(range.start as usize..range.end as usize)
        .unwrap_or(&[]);
    let mut reader = wasmparser::BinaryReader::new(section, range.start);
    let count = reader.read_var_u32()?;
    for _ in 0..count {
        let flags = reader.read_u8()?;
        if flags & 0x04 != 0 {
            // memory64: 64-bit limits are right; validation rejects it anyway.
            return Ok(());
        }
        reader.read_var_u32()?;
        if flags & 0x01 != 0 {
            reader.read_var_u32()?;
        }
        if flags & 0x08 != 0 {
            reader.read_var_u32()?;
        }
    }
    Ok(())
}

fn convert_val(ty: wasmparser::ValType, offset: usize) -> Result<ValType, Error> {
    Ok(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::Ref(r) => convert_ref(r, offset)?.into(),
        wasmparser::ValType::V128 => return Err(unsupported(offset, "SIMD (v128)")),
    })
}

fn convert_vals(tys: &[wasmparser::ValType], offset: usize) -> Result<Vec<ValType>, Error> {
    tys.iter().map(|t| convert_val(*t, offset)).collect()
}

fn convert_ref(ty: wasmparser::RefType, offset: usize) -> Result<RefType, Error> {
    if ty == wasmparser::RefType::FUNCREF {
        Ok(RefType::FuncRef)
    } else if ty == wasmparser::RefType::EXTERNREF {
        Ok(RefType::ExternRef)
    } else {
        Err(unsupported(offset, "typed function references (GC)"))
    }
}

fn convert_limits(min: u64, max: Option<u64>, offset: usize) -> Result<Limits, Error> {
    let narrow = |v: u64| u32::try_from(v).map_err(|_| unsupported(offset, "64-bit limits"));
    Ok(Limits {
        min: narrow(min)?,
        max: max.map(narrow).transpose()?,
    })
}

fn convert_table(t: wasmparser::TableType, offset: usize) -> Result<TableType, Error> {
    if t.table64 || t.shared {
        return Err(unsupported(offset, "64-bit or shared tables"));
    }
    Ok(TableType {
        element: convert_ref(t.element_type, offset)?,
        limits: convert_limits(t.initial, t.maximum, offset)?,
    })
}

fn convert_memory(m: wasmparser::MemoryType, offset: usize) -> Result<MemoryType, Error> {
    if m.memory64 || m.shared {
        return Err(unsupported(offset, "64-bit or shared memories"));
    }
    let page_size_log2 = match m.page_size_log2 {
        None => MemoryType::DEFAULT_PAGE_SIZE_LOG2,
        // The validator allows only 0 and 16.
        Some(log2) => u8::try_from(log2).map_err(|_| unsupported(offset, "this page size"))?,
    };
    Ok(MemoryType {
        limits: convert_limits(m.initial, m.maximum, offset)?,
        page_size_log2,
    })
}

fn convert_global(g: wasmparser::GlobalType, offset: usize) -> Result<GlobalType, Error> {
    if g.shared {
        return Err(unsupported(offset, "shared globals"));
    }
    Ok(GlobalType {
        content: convert_val(g.content_type, offset)?,
        mutability: if g.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

/// Converts a validated constant expression: one instruction, then `end`.
fn convert_const(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position() as usize;
    let value = match reader.read()? {
        Operator::I32Const { value } => ConstExpr::I32(value),
        Operator::I64Const { value } => ConstExpr::I64(value),
        Operator::F32Const { value } => ConstExpr::F32(value.bits()),
        Operator::F64Const { value } => ConstExpr::F64(value.bits()),
        Operator::RefNull { hty } => ConstExpr::RefNull(match hty {
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Func,
                ..
            } => RefType::FuncRef,
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Extern,
                ..
            } => RefType::ExternRef,
            _ => return Err(unsupported(offset, "typed function references (GC)")),
        }),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => return Err(unsupported(offset, "extended constant expressions")),
    };
    match reader.read()? {
        Operator::End => Ok(value),
        _ => Err(unsupported(offset, "extended constant expressions")),
    }
}
