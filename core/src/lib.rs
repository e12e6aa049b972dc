//! Decoding and validation for Kestrel.
//!
//! This crate is the first stage of Kestrel's pipeline: it turns the bytes of a
//! WebAssembly binary into a validated [`ModuleInfo`], the plain description of a
//! module (its types, imports, functions, tables, memories, globals, exports,
//! segments and the location of every function body) that the interpreter
//! translates into register bytecode. Decoding and validation are delegated to
//! [`wasmparser`]; this crate never parses a byte by hand. What it adds is the
//! module description in Kestrel's own types, and errors that say where and why
//! a module was rejected.
//!
//! Features: `decode` brings in wasmparser (the re-export, `features` and
//! `ModuleInfo::body`); `validate` (default, implies `decode`) adds
//! `ModuleInfo::decode`. Without them the crate is only the module
//! description and its types, which is what a firmware that loads Kestrel's
//! precompiled bytecode images needs.
//!
//! ```
//! # #[cfg(feature = "validate")] {
//! // (module (func (export "answer") (result i32) i32.const 42))
//! let bytes = [
//!     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
//!     0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x61,
//!     0x6e, 0x73, 0x77, 0x65, 0x72, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00,
//!     0x41, 0x2a, 0x0b,
//! ];
//! let module = kestrel_core::ModuleInfo::decode(&bytes)?;
//! assert_eq!(module.exports[0].name.as_ref(), "answer");
//! assert_eq!(module.func_type(0).results(), &[kestrel_core::ValType::I32]);
//! # }
//! # Ok::<(), kestrel_core::Error>(())
//! ```
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "validate")]
mod decode;
mod error;
mod module;
mod types;

#[cfg(feature = "validate")]
pub use decode::{Deferred, PendingBody};
pub use error::Error;
pub use module::{
    ConstExpr, DataMode, DataSegment, ElemItems, ElemMode, ElemSegment, Export, ExternIdx,
    FuncBody, Global, Import, ImportKind, ModuleInfo,
};
pub use types::{
    FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType,
};
/// The decoder and validator Kestrel is built on, re-exported so that the
/// translator reads function bodies with the very same version.
#[cfg(feature = "decode")]
pub use wasmparser;

/// The WebAssembly features Kestrel implements: the 2.0 specification without
/// SIMD.
#[cfg(feature = "decode")]
pub fn features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::WASM2.difference(F::SIMD)
}
