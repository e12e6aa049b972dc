//! The executor: Kestrel's own call stack and the driver around the dispatch
//! loop.
//!
//! # Machine state
//!
//! A [`ValueStack`] holds every frame's slots in one `Vec<u64>` and the
//! frames themselves in another. A frame is its function (instance and
//! index, and the function's first op), its resume point and its base: its
//! registers are `slots[base..base + frame_size]`. A call places its
//! arguments in consecutive slots of the caller's frame; the callee's frame
//! starts right there, so arguments become the callee's first locals without
//! a copy, and `Return` writes results back to the same place.
//!
//! # Handler contract
//!
//! [`dispatch::run`] executes ops of one frame until the frame calls, returns
//! or traps, and reports which. Everything that changes frames happens in
//! [`execute`], so a Wasm call never recurses on the native stack: the depth
//! of Wasm recursion is bounded by [`Config`](crate::Config) limits and turns
//! into the `call stack exhausted` trap, whatever the native stack size.

mod dispatch;
mod memory;
pub(crate) mod numeric;
mod ops;
#[cfg(feature = "op-profile")]
pub mod profile;
#[cfg(kestrel_tail_calls)]
pub(crate) mod threaded;

use alloc::vec::Vec;

use crate::isa::Op;
use crate::store::{FuncEntity, MemoryEntity, StoreInner};
use crate::trap::{FrameInfo, Trap};
use crate::{Caller, Error, Store, TrapCode};
use dispatch::{Ctx, Exit};

pub(crate) use memory::range as memory_range;

/// One activation. `code` and `resume` are what a return needs to continue
/// in the caller, kept here so that it needs no lookup of the caller's
/// function; `instance` and `func` name the function (for backtraces and
/// for the driver, which runs the instance's code).
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The function's first op: `code[func].ops` of the instance's module,
    /// or, in a frame the tail-call backend runs, the first op of its copy
    /// of them (that backend makes the top frame name its copy when a run
    /// starts, and pushes its frames so). Only the backend that runs a
    /// frame reads this.
    code: OpsPtr,
    /// Byte offset from `code` of the op the frame resumes at (set when it
    /// calls or leaves the executor; 0 on entry).
    resume: u32,
    base: u32,
    instance: u32,
    /// Index among the instance module's own functions.
    func: u32,
}

impl Frame {
    /// The op the frame resumes at.
    ///
    /// # Safety
    ///
    /// `resume` was set by [`set_resume`](Self::set_resume) (or is 0), so
    /// it is in bounds of the function's ops.
    #[inline(always)]
    unsafe fn resume_at(&self) -> *const Op {
        // SAFETY: the caller's promise.
        unsafe { self.code.0.byte_add(self.resume as usize) }
    }

    /// Makes the frame resume at `ip`, an op of its own function (or one
    /// past its last op).
    #[inline(always)]
    fn set_resume(&mut self, ip: *const Op) {
        self.resume = resume_offset(self.code.0, ip);
    }
}

/// The resume point of `ip`, an op of the function whose first op is
/// `code` (or one past its last op).
#[inline(always)]
fn resume_offset(code: *const Op, ip: *const Op) -> u32 {
    debug_assert!(ip >= code);
    // Plain address arithmetic; the offset fits in a `u32` since a
    // function's ops, and the tail-call backend's copy, take at most 4 GiB
    // (verifier invariant 10).
    (ip.addr() - code.addr()) as u32
}

/// A pointer to the first op of a function of a module the store holds (or
/// to the first op of the tail-call backend's copy, cast).
#[derive(Debug, Clone, Copy)]
struct OpsPtr(*const Op);

// SAFETY: `OpsPtr` points into a `CompiledFunc`'s ops (or their threaded
// copy), which are never written after translation, loading or threading
// (they are `Box<[Op]>`, a `'static` slice or a `Box<[TOp]>` made once,
// behind a shared `Module`), so it is as shareable as `&[Op]`; `Op` and
// `TOp` are plain data, `Send` and `Sync`.
unsafe impl Send for OpsPtr {}
// SAFETY: as for `Send`.
unsafe impl Sync for OpsPtr {}

/// The slots and frames of one activation of the executor.
#[derive(Debug, Default)]
pub(crate) struct ValueStack {
    slots: Vec<u64>,
    frames: Vec<Frame>,
}

/// How many value stacks a store keeps for reuse.
const POOLED_STACKS: usize = 4;

/// Why a run stopped before its entry frame returned.
enum Stop {
    Error(Error),
    /// Fuel ran out at the top frame's resume point; the run can be resumed.
    OutOfFuel,
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Error(e)
    }
}

/// Calls store function `func`: `args` in, `results` out (lengths already
/// checked against its type). Running out of fuel is a trap.
pub(crate) fn call<T>(
    store: &mut Store<T>,
    func: u32,
    args: &[u64],
    results: &mut [u64],
) -> Result<(), Error> {
    match call_resumable(store, func, args, results)? {
        None => Ok(()),
        Some(stack) => {
            let error = trap(&store.inner, &stack, TrapCode::OutOfFuel);
            recycle(store, stack);
            Err(error)
        }
    }
}

/// As [`call`], but running out of fuel pauses: the paused stack is
/// returned, to be passed to [`resume`] once the store has fuel again.
pub(crate) fn call_resumable<T>(
    store: &mut Store<T>,
    func: u32,
    args: &[u64],
    results: &mut [u64],
) -> Result<Option<ValueStack>, Error> {
    if func as usize >= store.inner.funcs.len() {
        return Err(crate::UsageError::ForeignHandle.into());
    }
    let mut stack = store.inner.stacks.pop().unwrap_or_default();
    stack.frames.clear();
    let outcome = start(store, &mut stack, func, args, results.len());
    finish(store, stack, outcome, results)
}

/// Continues a run paused for lack of fuel.
pub(crate) fn resume<T>(
    store: &mut Store<T>,
    mut stack: ValueStack,
    results: &mut [u64],
) -> Result<Option<ValueStack>, Error> {
    let outcome = execute(store, &mut stack);
    finish(store, stack, outcome, results)
}

fn finish<T>(
    store: &mut Store<T>,
    stack: ValueStack,
    outcome: Result<(), Stop>,
    results: &mut [u64],
) -> Result<Option<ValueStack>, Error> {
    match outcome {
        Ok(()) => {
            results.copy_from_slice(&stack.slots[..results.len()]);
            recycle(store, stack);
            Ok(None)
        }
        Err(Stop::OutOfFuel) => Ok(Some(stack)),
        Err(Stop::Error(e)) => {
            recycle(store, stack);
            Err(e)
        }
    }
}

/// Keeps a value stack for the next call.
fn recycle<T>(store: &mut Store<T>, stack: ValueStack) {
    if store.inner.stacks.len() < POOLED_STACKS {
        store.inner.stacks.push(stack);
    }
}

/// Places the arguments and runs `func` until it returns, traps or pauses.
fn start<T>(
    store: &mut Store<T>,
    stack: &mut ValueStack,
    func: u32,
    args: &[u64],
    results: usize,
) -> Result<(), Stop> {
    let n = args.len().max(results);
    if stack.slots.len() < n {
        stack.slots.resize(n, 0);
    }
    stack.slots[..args.len()].copy_from_slice(args);
    match store.inner.funcs[func as usize] {
        FuncEntity::Host { host, .. } => call_host(store, host, &mut stack.slots[..n], None)?,
        FuncEntity::Wasm {
            instance, index, ..
        } => {
            if store.inner.reentry > store.inner.engine.config().max_reentry {
                return Err(trap(&store.inner, stack, TrapCode::StackOverflow).into());
            }
            enter(&store.inner, stack, instance, index, 0)
                .map_err(|code| trap(&store.inner, stack, code))?;
            execute(store, stack)?;
        }
    }
    Ok(())
}

fn call_host<T>(
    store: &mut Store<T>,
    host: u32,
    slots: &mut [u64],
    instance: Option<u32>,
) -> Result<(), Error> {
    let func = store.hosts[host as usize].func.clone();
    func(Caller::new(store, instance), slots)
}

/// Calls a host function from a running frame: the frames of this run now
/// wait on it and count towards the limits of any Wasm it enters.
fn call_host_from_wasm<T>(
    store: &mut Store<T>,
    host: u32,
    stack: &mut ValueStack,
    base: usize,
    len: usize,
    instance: u32,
) -> Result<(), Error> {
    let waiting = stack.frames.len();
    store.inner.outer_frames += waiting;
    store.inner.reentry += 1;
    let outcome = call_host(
        store,
        host,
        &mut stack.slots[base..base + len],
        Some(instance),
    );
    store.inner.reentry -= 1;
    store.inner.outer_frames -= waiting;
    outcome
}

/// Pushes a frame for defined function `index` of `instance` at `base`.
fn enter(
    store: &StoreInner,
    stack: &mut ValueStack,
    instance: u32,
    index: u32,
    base: usize,
) -> Result<(), TrapCode> {
    let config = store.engine.config();
    let func = &store.instances[instance as usize].module.funcs()[index as usize];
    let depth_limit = config.max_call_depth.saturating_sub(store.outer_frames);
    dispatch::push_frame(
        stack,
        func,
        instance,
        index,
        base,
        depth_limit,
        config.max_stack_slots,
    )
}

/// Runs frames until the entry frame returns.
fn execute<T>(store: &mut Store<T>, stack: &mut ValueStack) -> Result<(), Stop> {
    let mut no_memory = MemoryEntity::empty();
    loop {
        let Some(&frame) = stack.frames.last() else {
            return Ok(());
        };
        let exit = {
            let config = store.inner.engine.config();
            let depth_limit = config
                .max_call_depth
                .saturating_sub(store.inner.outer_frames);
            let max_slots = config.max_stack_slots;
            let StoreInner {
                instances,
                memories,
                tables,
                globals,
                funcs,
                elems,
                data_dropped,
                fuel,
                limiter,
                ..
            } = &mut store.inner;
            let inst = &instances[frame.instance as usize];
            let mem = match inst.memories.first() {
                Some(&m) => &mut memories[m as usize],
                None => &mut no_memory,
            };
            let mut ctx = Ctx {
                inst,
                mem,
                tables,
                globals,
                funcs,
                elems,
                data_dropped,
                fuel,
                limiter,
                instance: frame.instance,
                code: inst.module.funcs(),
                depth_limit,
                max_slots,
            };
            #[cfg(all(kestrel_tail_calls, not(test)))]
            let exit = threaded::run(&mut ctx, stack);
            // The threaded backend's tests compare it with the loop.
            #[cfg(all(kestrel_tail_calls, test))]
            let exit = match threaded::tests::PORTABLE.get() {
                true => dispatch::run(&mut ctx, stack),
                false => threaded::run(&mut ctx, stack),
            };
            #[cfg(not(kestrel_tail_calls))]
            let exit = dispatch::run(&mut ctx, stack);
            exit
        };
        match exit {
            Exit::Return => {
                stack.frames.pop();
            }
            Exit::Call { func, base } => {
                let Some(&frame) = stack.frames.last() else {
                    return Ok(());
                };
                let base = frame.base as usize + base as usize;
                match store.inner.funcs[func as usize] {
                    FuncEntity::Wasm {
                        instance, index, ..
                    } => {
                        enter(&store.inner, stack, instance, index, base)
                            .map_err(|code| trap(&store.inner, stack, code))?;
                    }
                    FuncEntity::Host { host, .. } => {
                        let ty = store.inner.func_type(func);
                        let n = ty.params().len().max(ty.results().len());
                        call_host_from_wasm(store, host, stack, base, n, frame.instance)?;
                    }
                }
            }
            Exit::Trap(code) => return Err(trap(&store.inner, stack, code).into()),
            Exit::OutOfFuel => return Err(Stop::OutOfFuel),
        }
    }
}

/// A trap with the backtrace of the frames on `stack`.
#[cold]
fn trap(store: &StoreInner, stack: &ValueStack, code: TrapCode) -> Error {
    let backtrace = stack
        .frames
        .iter()
        .rev()
        .take(Trap::MAX_BACKTRACE)
        .map(|frame| {
            let info = store.instances[frame.instance as usize].module.info();
            let func_index = info.imported_funcs + frame.func;
            FrameInfo {
                func_index,
                func_name: info.func_name(func_index).map(Into::into),
                module_name: info.name.clone(),
            }
        })
        .collect();
    Trap::new(code, backtrace, stack.frames.len()).into()
}
