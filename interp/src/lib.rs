//! Kestrel: a portable WebAssembly interpreter.
//!
//! A module goes through three stages. [`Module::new`] decodes and validates
//! the binary (in `kestrel-core`, through `wasmparser`) and translates every
//! function body into Kestrel's register bytecode ([`isa`]): locals and
//! operand-stack values become slots of a frame, constants become immediates,
//! and branch targets are resolved. [`Linker::instantiate`] resolves imports
//! and creates the instance's memories, tables and globals in a [`Store`].
//! Calls then run in the executor, a single dispatch loop over the bytecode
//! whose frames live on Kestrel's own stack, so guest recursion can never
//! overflow the host's stack.
//!
//! The API follows wasmtime's nouns: an [`Engine`] per process, a [`Store`]
//! per isolated guest, [`Module`]s shared between stores, a [`Linker`] for
//! imports, and [`Func`], [`Memory`], [`Table`], [`Global`] handles that are
//! indices into their store.
//!
//! ```
//! use kestrel_interp::{Engine, Linker, Module, Store};
//!
//! // (module (func (export "add") (param i32 i32) (result i32)
//! //   local.get 0 local.get 1 i32.add))
//! let wasm = [
//!     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
//!     0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
//!     0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
//! ];
//! let engine = Engine::default();
//! let module = Module::new(&engine, wasm)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
//! assert_eq!(add.call(&mut store, (40, 2))?, 42);
//! # Ok::<(), kestrel_interp::Error>(())
//! ```
//!
//! The crate is `no_std` with `alloc`. Features: `translate` (default)
//! provides `Module::new`; it needs atomic compare-and-swap, because
//! wasmparser's validator shares data through `Arc`, so builds for `thumbv6m`
//! turn it off. Without it the crate depends on neither the translator nor
//! wasmparser and runs precompiled bytecode images ([`image`],
//! [`Module::from_image`]), made on a host with [`Module::serialize`].
//! `std` (default) adds conveniences of the standard library.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod code;
#[cfg(feature = "translate")]
mod compile;
mod context;
mod disas;
mod engine;
mod error;
mod exec;
mod externals;
mod func;
pub mod image;
mod instance;
pub mod isa;
mod limits;
mod linker;
mod memory;
mod module;
mod store;
#[cfg(feature = "translate")]
pub mod translate;
mod trap;
mod value;
mod verify;

#[cfg(feature = "op-profile")]
#[doc(hidden)]
pub use exec::profile as op_profile;

#[cfg(not(target_has_atomic = "ptr"))]
pub(crate) use alloc::rc::Rc as Shared;
/// Shared ownership: `Arc` where the target has atomic pointers, `Rc` on
/// targets without them (such as `thumbv6m`), so the crate builds everywhere.
#[cfg(target_has_atomic = "ptr")]
pub(crate) use alloc::sync::Arc as Shared;

pub use context::{AsContext, AsContextMut, StoreContext, StoreContextMut};
pub use engine::{Config, Engine};
pub use error::{Error, ErrorKind, LinkError, UsageError};
pub use externals::{Extern, ExternType, Global, Memory, Table};
pub use func::{
    Caller, Func, IntoFunc, ResumableCall, ResumableInvocation, TypedFunc, WasmRet, WasmTy,
    WasmTyList,
};
pub use image::ImageError;
pub use instance::Instance;
pub use kestrel_core::{
    FuncType, GlobalType, Limits, MemoryType, Mutability, RefType, TableType, ValType,
};
pub use limits::{ResourceLimiter, StoreLimits};
pub use linker::Linker;
pub use module::{ExportType, ImportType, Module};
pub use store::Store;
#[doc(hidden)]
pub use store::StoreId;
pub use trap::{FrameInfo, Trap, TrapCode};
pub use value::{ExternRef, Val};

/// How this build dispatches ops: `"tail-call"` where the
/// `tail-call-dispatch` feature took effect (x86-64, optimised builds),
/// `"loop"` otherwise. Benchmarks and bug reports should say which.
pub const DISPATCH: &str = if cfg!(kestrel_tail_calls) {
    "tail-call"
} else {
    "loop"
};

/// Whether the translator of this build replaces a `br` to a short tail
/// with a copy of it: not where it is built for size (bare-metal targets
/// at opt-level `s` or `z`), which keeps only the jump threading. Tests
/// that look at the bytecode follow it.
#[doc(hidden)]
pub const TAIL_COPIES: bool = !cfg!(kestrel_compact_translate);
