//! WASI preview1 for Kestrel.
//!
//! This crate gives a guest compiled for `wasm32-wasip1` the 46 functions of
//! `wasi_snapshot_preview1`. The ABI glue is written once ([`preview1`]): it
//! checks every guest pointer and length ([`GuestMemory`](memory)), keeps the
//! descriptor table with its rights and preopened directories
//! ([`WasiCtx`]), and encodes results in the exact witx layouts ([`types`]).
//! Everything that touches the outside world goes through one trait,
//! [`WasiSys`]: a firmware implements the handful of methods it has (a UART
//! for stdout, a timer for clocks), and the `std` feature adds
//! [`hosted::HostSys`], real files sandboxed by `cap-std`, the process's
//! stdio, clocks and randomness.
//!
//! ```no_run
//! # #[cfg(feature = "std")] fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use kestrel_interp::{Engine, Linker, Module, Store};
//! use kestrel_wasi::{I32Exit, WasiCtx, hosted::HostSys};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("app.wasm")?)?;
//! let mut linker = Linker::<WasiCtx>::new(&engine);
//! kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
//! let ctx = WasiCtx::builder(HostSys::new())
//!     .arg("app.wasm")
//!     .inherit_stdio()
//!     .preopened_dir("data", "/data")
//!     .build()?;
//! let mut store = Store::new(&engine, ctx);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
//! let status = match start.call(&mut store, ()) {
//!     Ok(()) => 0,
//!     Err(e) => match e.downcast_ref::<I32Exit>() {
//!         Some(exit) => exit.0,
//!         None => return Err(e.into()),
//!     },
//! };
//! std::process::exit(status);
//! # }
//! # #[cfg(not(feature = "std"))] fn main() {}
//! ```
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod ctx;
mod errno;
mod memory;
pub mod preview1;
mod sys;
pub mod types;

#[cfg(feature = "std")]
pub mod hosted;

pub use ctx::{I32Exit, Input, Output, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use preview1::add_to_linker;
pub use sys::{HostFd, NullSys, WasiSys};
