//! Compiled modules.

use alloc::boxed::Box;
use alloc::vec::Vec;

use kestrel_core::{ExternIdx, ImportKind, ModuleInfo};

use crate::code::CompiledFunc;
use crate::image;
use crate::{Engine, Error, ExternType, Shared};

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
    ///
    /// With `std`, a large module's functions are translated on several
    /// threads (see [`Config::parallel_translation`](crate::Config::parallel_translation)).
    #[cfg(feature = "translate")]
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, crate::Error> {
        let (info, funcs) = crate::compile::compile(engine, bytes.as_ref())?;
        Ok(Module {
            inner: Shared::new(ModuleInner {
                engine: engine.clone(),
                info,
                funcs: funcs.into_boxed_slice(),
            }),
        })
    }

    /// Loads a precompiled bytecode image (see [`Module::serialize`]) for
    /// execution in place: the ops are used straight from `image`, never
    /// copied, so an image in flash costs RAM only for the module's
    /// description (types, imports, exports, segments, names). Needs neither
    /// the translator nor wasmparser.
    ///
    /// The image is checked first (format, checksum, instruction set, the
    /// engine's fuel setting, every index) and every function verified, so a
    /// corrupt or forged image is an error, never undefined behaviour. Its
    /// op region must be aligned for [`Op`](crate::isa::Op): place the image
    /// at an address that is a multiple of 8, for example with
    /// [`include_image!`](crate::include_image).
    ///
    /// ```
    /// # fn main() -> Result<(), kestrel_interp::Error> {
    /// use kestrel_interp::image::AlignedImage;
    /// use kestrel_interp::{Engine, Linker, Module, Store};
    ///
    /// // On the host: compile and serialize.
    /// let engine = Engine::default();
    /// let wasm = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 42))"#)
    ///     .expect("valid text");
    /// let image = Module::new(&engine, wasm)?.serialize();
    ///
    /// // On the device the image is in flash, embedded with
    /// // `include_image!("answer.kbc")`; here, an aligned static copy.
    /// static FLASH: std::sync::OnceLock<AlignedImage<1024>> = std::sync::OnceLock::new();
    /// let flash = FLASH.get_or_init(|| {
    ///     let mut flash = AlignedImage([0; 1024]);
    ///     flash.0[..image.len()].copy_from_slice(&image);
    ///     flash
    /// });
    /// let module = Module::from_image(&engine, flash.as_bytes())?;
    ///
    /// let mut store = Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let answer = instance.get_typed_func::<(), i32>(&store, "answer")?;
    /// assert_eq!(answer.call(&mut store, ())?, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_image(engine: &Engine, image: &'static [u8]) -> Result<Module, Error> {
        let loaded = image::load_static(engine, image)?;
        Ok(Module::from_loaded(engine, loaded))
    }

    /// Loads a precompiled bytecode image as [`Module::from_image`] does,
    /// copying the ops out of `image`: for an image read at run time, from a
    /// file or the network. `image` needs no particular alignment.
    ///
    /// ```
    /// # fn main() -> Result<(), kestrel_interp::Error> {
    /// use kestrel_interp::{Config, Engine, Module};
    /// let engine = Engine::default();
    /// let image = Module::new(&engine, wat::parse_str("(module)").expect("valid text"))?.serialize();
    /// assert!(Module::from_image_copied(&engine, &image).is_ok());
    /// // An image is only loaded by an engine with the same fuel setting.
    /// let fuel = Engine::new(Config::new().consume_fuel(true));
    /// assert!(Module::from_image_copied(&fuel, &image).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_image_copied(engine: &Engine, image: &[u8]) -> Result<Module, Error> {
        let loaded = image::load_copied(engine, image)?;
        Ok(Module::from_loaded(engine, loaded))
    }

    fn from_loaded(engine: &Engine, loaded: image::Loaded) -> Module {
        Module {
            inner: Shared::new(ModuleInner {
                engine: engine.clone(),
                info: loaded.info,
                funcs: loaded.funcs,
            }),
        }
    }

    /// The module as a precompiled bytecode image: its description and
    /// translated functions, which [`Module::from_image`] loads without
    /// translating again (see [`image`](crate::image) for the format). The
    /// image records whether the module was compiled with fuel metering and
    /// loads only into an engine with the same setting.
    ///
    /// ```
    /// # fn main() -> Result<(), kestrel_interp::Error> {
    /// use kestrel_interp::{Engine, Module};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, wat::parse_str("(module)").expect("valid text"))?;
    /// let image = module.serialize();
    /// assert!(kestrel_interp::image::is_image(&image));
    /// # Ok(())
    /// # }
    /// ```
    pub fn serialize(&self) -> Vec<u8> {
        let inner = &self.inner;
        image::write(
            &inner.info,
            &inner.funcs,
            inner.engine.config().consume_fuel,
        )
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
