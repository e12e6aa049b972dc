//! Compiled modules.

use alloc::boxed::Box;

use kestrel_core::{ExternIdx, ImportKind, ModuleInfo};

use crate::translate::CompiledFunc;
use crate::{Engine, ExternType, Shared};

/// A validated module with every function translated to register bytecode.
///
/// Cheap to clone; instantiate it any number of times, in any store of the
/// same engine.
///
/// ```
/// use kestrel_interp::{Engine, Module};
/// let engine = Engine::default();
/// // (module) -- the smallest valid module.
/// let module = Module::new(&engine, b"\0asm\x01\0\0\0")?;
/// assert_eq!(module.exports().count(), 0);
/// assert!(Module::new(&engine, b"\0asm\x02\0\0\0").is_err());
/// # Ok::<(), kestrel_interp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Module {
    inner: Shared<ModuleInner>,
}

#[derive(Debug)]
struct ModuleInner {
    engine: Engine,
    info: ModuleInfo,
    funcs: Box<[CompiledFunc]>,
}

impl Module {
    /// Decodes, validates and translates a WebAssembly binary.
    #[cfg(feature = "translate")]
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, crate::Error> {
        let bytes = bytes.as_ref();
        use crate::translate::translate;
        use crate::{Error, ErrorKind};
        use alloc::vec::Vec;
        let info = ModuleInfo::decode_with_features(bytes, engine.config().features())?;
        let funcs = (0..info.bodies.len())
            .map(|i| {
                translate(&info, bytes, i, engine.config().consume_fuel).map_err(|error| {
                    Error::from(ErrorKind::Translate {
                        func: info.imported_funcs + i as u32,
                        error,
                    })
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Module {
            inner: Shared::new(ModuleInner {
                engine: engine.clone(),
                info,
                funcs: funcs.into_boxed_slice(),
            }),
        })
    }

    /// Checks that `bytes` are a valid module Kestrel can run, without
    /// keeping the result.
    #[cfg(feature = "translate")]
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<(), crate::Error> {
        Module::new(engine, bytes).map(|_| ())
    }

    /// The engine the module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> + '_ {
        self.inner
            .info
            .imports
            .iter()
            .map(move |import| ImportType {
                module: &import.module,
                name: &import.name,
                ty: match &import.kind {
                    ImportKind::Func(t) => {
                        ExternType::Func(self.inner.info.types[*t as usize].clone())
                    }
                    ImportKind::Table(t) => ExternType::Table(*t),
                    ImportKind::Memory(m) => ExternType::Memory(*m),
                    ImportKind::Global(g) => ExternType::Global(*g),
                },
            })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> + '_ {
        let info = &self.inner.info;
        info.exports.iter().map(move |export| ExportType {
            name: &export.name,
            ty: match export.index {
                ExternIdx::Func(f) => ExternType::Func(info.func_type(f).clone()),
                ExternIdx::Table(t) => ExternType::Table(info.tables[t as usize]),
                ExternIdx::Memory(m) => ExternType::Memory(info.memories[m as usize]),
                ExternIdx::Global(g) => ExternType::Global(info.globals[g as usize]),
            },
        })
    }

    pub(crate) fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    pub(crate) fn funcs(&self) -> &[CompiledFunc] {
        &self.inner.funcs
    }
}

/// An import of a module: where it is looked up and what it must be.
#[derive(Debug, Clone)]
pub struct ImportType<'a> {
    module: &'a str,
    name: &'a str,
    ty: ExternType,
}

impl<'a> ImportType<'a> {
    /// The module name.
    pub fn module(&self) -> &'a str {
        self.module
    }
    /// The field name.
    pub fn name(&self) -> &'a str {
        self.name
    }
    /// The required type.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// An export of a module.
#[derive(Debug, Clone)]
pub struct ExportType<'a> {
    name: &'a str,
    ty: ExternType,
}

impl<'a> ExportType<'a> {
    /// The export name.
    pub fn name(&self) -> &'a str {
        self.name
    }
    /// The exported entity's type.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}
