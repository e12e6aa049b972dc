//! Tail-call dispatch: the same ops as [`super::dispatch`], each handler a
//! function that ends by calling the next op's handler in tail position.
//!
//! A single loop funnels every op through one indirect jump and keeps its
//! state in whatever registers the whole giant function can spare; here each
//! handler is compiled on its own with the machine state (`ip`, the frame's
//! registers, the value the previous op computed, the linear memory) in
//! argument registers, and the jump to the next handler is part of every
//! handler. Handlers run a copy of each function's ops made for them
//! ([`thread`]): each op beside its handler, branch targets relative, and
//! each op that reads the previous op's result given the handler that takes
//! it from the register. wasmi 2.0 measures the same switch at
//! about 2.7x on x86-64.
//!
//! It depends on LLVM turning those calls into jumps (sibling calls), which
//! stable Rust cannot demand. So it is only compiled where that is known to
//! happen and tested: with the `tail-call-dispatch` feature, on x86-64, at
//! opt-level 2, 3, `s` or `z` (the build script sets `kestrel_tail_calls`).
//! Everywhere else, including debug builds, the portable loop runs. Two
//! checks hold it to that: `interp/tests/tail_calls.rs` runs a long loop and
//! a deep Wasm recursion on a thread with a small native stack, and
//! `interp/scripts/check-tail-calls.sh` (CI) fails if the machine code of
//! any handler calls the next one instead of jumping. A handler keeps its
//! cold paths out of line (`leave`, `access_slow`, `enter_slow`): inlined, they
//! have made LLVM turn the final jump into a call.
//!
//! Safety: the argument at the top of [`super::dispatch::run`] covers this
//! file too (ops and registers are read unchecked on the strength of the
//! verifier); in addition, a handler is only ever called for an op of its
//! own tag, because each [`TOp`]'s handler is the entry of [`HANDLERS`] for
//! its op's tag.

use core::hint::unreachable_unchecked;

use super::dispatch::{Ctx, Exit, push_fast, push_frame, room_for_frames};
use super::numeric::{self, NumericTrap};
use super::{ValueStack, ops};
use alloc::boxed::Box;

use crate::TrapCode;
use crate::code::CompiledFunc;
use crate::isa::{FromImm, Op, Reg, Slot, for_each_memory, for_each_numeric};

/// What handlers share beyond the argument registers.
pub(crate) struct Thread<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    stack: &'c mut ValueStack,
    /// `stack.frames.len()` when the run started: returning below it ends
    /// the run.
    entry: usize,
    /// The running frame's base in `stack.slots`.
    base: usize,
    /// [`room_for_frames`]: a call within the instance pushes its frame on
    /// the fast path while `stack.frames.len()` is below this.
    frame_room: usize,
    /// `ctx.code`, one load closer for `CallInternal`.
    funcs: &'a [CompiledFunc],
}

/// A handler: the thread, the op to run, the frame's registers
/// (`slots[base..]`), the value the previous op computed (see [`thread`]), and
/// the instance's linear memory as a pointer to its bytes and a bound below
/// which accesses need no other check (the memory's written bound, see
/// [`mem_view`]).
type Handler = fn(&mut Thread<'_, '_>, *const TOp, *mut u64, u64, *mut u8, usize) -> Exit;

/// An op beside its handler. Dispatch then loads the next handler straight
/// from the op stream, as direct-threaded code does, rather than loading the
/// op's tag and then the handler from [`HANDLERS`]: one dependent load fewer
/// between one op and the next, which is what a mispredicted jump waits on.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct TOp {
    handler: Handler,
    op: Op,
}

// Resume points are `u32` byte offsets into the copy: the verifier's
// invariant 10 bounds the ops so that twice their size fits.
const _: () = assert!(core::mem::size_of::<TOp>() <= 2 * core::mem::size_of::<Op>());

/// A function's ops as [`TOp`]s, in the order of its `ops` (a frame this
/// backend runs names the copy and resumes at a byte offset into it), made
/// when the function first runs:
/// translating a large module does not pay for functions it never calls,
/// and a module that is not run keeps only its ops.
#[derive(Default)]
pub(crate) struct Threaded(spin::Once<Box<[TOp]>>);

impl core::fmt::Debug for Threaded {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.0.is_completed() {
            "Threaded(made)"
        } else {
            "Threaded(not yet)"
        })
    }
}

/// The first [`TOp`] of `func`, making them if this is its first run.
#[inline(always)]
fn code_of(func: &CompiledFunc) -> *const TOp {
    match func.threaded.0.get() {
        Some(code) => code.as_ptr(),
        None => thread(func),
    }
}

/// Makes the [`TOp`]s of `func`: each op beside its handler, branch
/// targets as byte offsets from the branch.
///
/// Handlers also pass each other an accumulator: an op that computes one
/// value ([`produces`]) passes it to the next handler as well as writing its
/// register. Where the next op reads that register ([`operands`]) and can
/// only be reached from that op, it gets the handler that takes the value
/// from the accumulator: a dependent op then waits for a register, not for
/// a store to reach memory and be read back. "Only reached from that op"
/// holds for an op that no branch targets, since a run only ever starts or
/// resumes at a function's first op, after a call, or at a `ConsumeFuel`,
/// none of which follows a producer; and `access_slow` re-runs an op with
/// the accumulator it was given. An op that computes nothing and leaves
/// that register alone ([`keeps`]) passes the accumulator on unchanged, so
/// the value stays available across it. The ops themselves are unchanged,
/// so the verifier's invariants cover them, and a wrong choice here could
/// give a wrong value but never an access the verifier did not allow.
#[cold]
#[inline(never)]
fn thread(func: &CompiledFunc) -> *const TOp {
    let code = func.threaded.0.call_once(|| {
        let ops = &func.ops[..];
        let mut targeted = alloc::vec![false; ops.len()];
        for op in ops {
            if let Some(&mut target) = { *op }.target_mut()
                && let Some(t) = targeted.get_mut(target as usize)
            {
                *t = true;
            }
        }
        let size = core::mem::size_of::<TOp>() as i64;
        let mut passed = None;
        (ops.iter().zip(targeted))
            .enumerate()
            .map(|(at, (&op, targeted))| {
                let mut op = op;
                let tag = op.tag() as usize;
                let mut handler = HANDLERS[tag];
                let live = if targeted { None } else { passed };
                if let Some(r) = live {
                    match operands(&op) {
                        [Some(first), _] if first == r => handler = ACC[0][tag],
                        [_, Some(second)] if second == r => handler = ACC[1][tag],
                        _ => {}
                    }
                }
                passed = produces(&op).or(live.filter(|&r| keeps(&op, r)));
                // A target becomes the byte offset from this op, so a
                // branch adds it to `ip` without the function's base.
                if let Some(target) = op.target_mut() {
                    *target = ((i64::from(*target) - at as i64) * size) as i32 as u32;
                }
                TOp { handler, op }
            })
            .collect()
    });
    code.as_ptr()
}

// An `Exit` comes back in a register, so every handler's tail call passes it
// through untouched.
const _: () = assert!(core::mem::size_of::<Exit>() <= 8);

/// Runs the top frame of `stack` as [`super::dispatch::run`] does.
pub(crate) fn run(ctx: &mut Ctx<'_>, stack: &mut ValueStack) -> Exit {
    let entry = stack.frames.len();
    let Some(&top) = stack.frames.last() else {
        return Exit::Return;
    };
    // The frame may have been pushed with the function's ops (by
    // `exec::enter`, resuming at 0): this backend's frames name its
    // threaded copy, and their resume points are offsets into it.
    let code = code_of(&ctx.code[top.func as usize]);
    if let Some(top) = stack.frames.last_mut() {
        top.code = super::OpsPtr(code.cast());
    }
    let base = top.base as usize;
    let regs = stack.slots[base..].as_mut_ptr();
    // SAFETY: a resume point this backend saved names an op of the copy.
    let ip = unsafe { code.byte_add(top.resume as usize) };
    let frame_room = room_for_frames(stack, ctx.depth_limit);
    let funcs = ctx.code;
    let mut t = Thread {
        ctx,
        stack,
        entry,
        base,
        frame_room,
        funcs,
    };
    let (mem, bound) = mem_view(&mut t);
    dispatch(&mut t, ip, regs, 0, mem, bound)
}

/// The memory's bytes and its written bound, taken afresh after anything
/// that may move the bytes (`memory.grow`) or the bound (bulk writes,
/// accesses past it).
///
/// The pointer comes from `Vec::as_mut_ptr`, which makes no reference to the
/// bytes, so it stays valid while the `MemoryEntity` is only read (its
/// length, its bound) and the bytes are not reallocated. Every access through
/// it is below `bound`, which is at most the length.
#[inline(always)]
fn mem_view(t: &mut Thread<'_, '_>) -> (*mut u8, usize) {
    t.ctx.mem.raw_view()
}

/// Calls the handler of the op at `ip`.
#[inline(always)]
fn dispatch(
    t: &mut Thread<'_, '_>,
    ip: *const TOp,
    regs: *mut u64,
    acc: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    // SAFETY: `ip` names an op of the running function (see the module
    // docs).
    let handler = unsafe { (*ip).handler };
    handler(t, ip, regs, acc, mem, bound)
}

/// Ends the run with `exit`, leaving the top frame's resume point at `next`.
#[cold]
#[inline(never)]
fn leave(t: &mut Thread<'_, '_>, next: *const TOp, exit: Exit) -> Exit {
    if let Some(top) = t.stack.frames.last_mut() {
        top.set_resume(next.cast());
    }
    exit
}

/// Reads the op at `$ip` as `$pat`.
macro_rules! decode {
    ($ip:ident, $pat:pat) => {
        // SAFETY: a handler only runs for ops of its own tag.
        let $pat = (unsafe { (*$ip).op }) else {
            unsafe { unreachable_unchecked() }
        };
    };
}

/// Register `$r` of the frame, as a place.
macro_rules! reg {
    ($regs:ident, $r:expr) => {
        // SAFETY: the verifier's invariant 2, see `dispatch::run`.
        *unsafe { &mut *$regs.add($r as usize) }
    };
}

macro_rules! get {
    ($regs:ident, $t:ty, $r:expr) => {
        <$t as Slot>::from_bits(reg!($regs, $r))
    };
}

macro_rules! set {
    ($regs:ident, $r:expr, $v:expr) => {
        reg!($regs, $r) = Slot::into_bits($v)
    };
}

/// An operand of type `$t`: the value the previous op passed on if
/// `$from_acc` (a handler's const parameter), else register `$r`.
macro_rules! arg {
    ($regs:ident, $acc:ident, $from_acc:expr, $t:ty, $r:expr) => {
        <$t as Slot>::from_bits(if $from_acc { $acc } else { reg!($regs, $r) })
    };
}

/// Continues with the next op.
macro_rules! next {
    ($t:ident, $ip:ident, $regs:ident, $acc:expr, $mem:ident, $bound:ident) => {
        // SAFETY: an op that falls through is never last (invariant 5).
        return dispatch($t, unsafe { $ip.add(1) }, $regs, $acc, $mem, $bound)
    };
}

/// Writes `$bytes` at `$start` if that is below the written bound and
/// continues with the next op; otherwise takes [`access_slow`], which
/// raises the bound or traps, then runs the store again.
macro_rules! store_at {
    ($t:ident, $ip:ident, $regs:ident, $acc:ident, $mem:ident, $bound:ident, $start:expr, $bytes:expr) => {{
        let (start, bytes): (u64, _) = ($start, $bytes);
        if store($mem, $bound, start, bytes) {
            next!($t, $ip, $regs, $acc, $mem, $bound)
        }
        return access_slow($t, $ip, $regs, $acc, start + bytes.len() as u64);
    }};
}

/// Reads a `$m` at `$start` if that is below the written bound, writes it
/// to register `$dst` as a `$v` and continues with the next op, passing it
/// on; otherwise takes [`access_slow`], which raises the bound or traps,
/// then runs the load again.
macro_rules! load_at {
    ($t:ident, $ip:ident, $regs:ident, $acc:ident, $mem:ident, $bound:ident, $start:expr, $m:ty => $v:ty, $dst:ident) => {{
        let start: u64 = $start;
        const N: usize = core::mem::size_of::<$m>();
        let Some(bytes) = load::<N>($mem, $bound, start) else {
            return access_slow($t, $ip, $regs, $acc, start + N as u64);
        };
        let v = <$m>::from_le_bytes(bytes) as $v;
        set!($regs, $dst, v);
        next!($t, $ip, $regs, Slot::into_bits(v), $mem, $bound)
    }};
}

/// Continues at the target of the branch op at `$at`: in [`TOp`]s a
/// target is a byte offset from the op that holds it (see [`thread`]).
macro_rules! jump {
    ($t:ident, $at:ident, $target:expr, $regs:ident, $acc:ident, $mem:ident, $bound:ident) => {
        // SAFETY: targets are in range (invariant 3), and `thread` made the
        // offset from the same op the target names.
        return dispatch(
            $t,
            taken(unsafe { $at.byte_offset($target as i32 as isize) }),
            $regs,
            $acc,
            $mem,
            $bound,
        )
    };
}

/// `ip`, hidden from the optimiser. Both ways out of a conditional branch
/// are `ip` plus an offset, and LLVM likes to merge them into one jump
/// through a select (a `cmov`): that makes the next op's address wait for
/// the comparison, where a predicted branch would not, and gives both
/// outcomes one indirect jump to predict. It ran a counting loop 1.7x
/// slower. An opaque step on the taken path keeps the two paths apart.
#[inline(always)]
fn taken(ip: *const TOp) -> *const TOp {
    #[cfg(not(miri))]
    let ip = {
        // The address only: the asm reads no memory through it.
        let mut addr = ip.addr();
        // SAFETY: the template is a comment: no instruction runs, and the
        // address stays in its register. (Not `pure`, so not speculated.)
        unsafe {
            core::arch::asm!("/* {0} */", inout(reg) addr, options(nomem, nostack, preserves_flags))
        };
        ip.with_addr(addr)
    };
    ip
}

/// Ends the run with a trap, after the op at `$ip`.
macro_rules! trap {
    ($t:ident, $ip:ident, $c:expr) => {
        return leave($t, unsafe { $ip.add(1) }, Exit::Trap($c))
    };
}

macro_rules! tri {
    ($t:ident, $ip:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(c) => trap!($t, $ip, TrapCode::from(c)),
        }
    };
}

/// Pushes a frame for `callee`, defined function `func`, at `at` and
/// continues there. The common case is inline (see [`push_fast`]); the rest
/// is [`enter_slow`], reached by a tail call.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn enter(
    t: &mut Thread<'_, '_>,
    ip: *const TOp,
    callee: &CompiledFunc,
    func: u32,
    at: Reg,
    acc: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    let base = t.base + at as usize;
    let code = code_of(callee);
    // A call is never last (invariant 5): the caller resumes after it. The
    // caller's frame names this backend's copy (see `run` and `push`).
    let resume =
        |caller: &super::Frame| super::resume_offset(caller.code.0, ip.wrapping_add(1).cast());
    // SAFETY: the running frame is on top of the stack (`entry >= 1`, and
    // the stack never falls below `entry` during the run); `callee` is of
    // its instance.
    let pushed = unsafe {
        push_fast(
            t.stack,
            callee,
            code.cast(),
            func,
            base,
            t.frame_room,
            resume,
        )
    };
    if !pushed {
        return enter_slow(t, ip, (func as u64) << 16 | at as u64, acc, mem, bound);
    }
    t.base = base;
    // SAFETY: `push_fast` checked `base + frame_size <= slots.len()`.
    let regs = unsafe { t.stack.slots.as_mut_ptr().add(base) };
    // The callee is of the same instance: the same memory.
    dispatch(t, code, regs, acc, mem, bound)
}

/// The frame push of [`enter`] when [`push_fast`] cannot: the slots or
/// frames must grow, the callee has many locals, or the call stack is
/// exhausted. `callee` is the defined function's index and the frame's
/// register, `func << 16 | at` (the handler signature has no room for
/// more). Out of line, so that the handlers' fast path saves no registers
/// for it.
#[inline(never)]
fn enter_slow(
    t: &mut Thread<'_, '_>,
    ip: *const TOp,
    callee: u64,
    acc: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    let (func, at) = ((callee >> 16) as u32, callee as u16);
    if let Some(top) = t.stack.frames.last_mut() {
        top.set_resume(ip.wrapping_add(1).cast());
    }
    let code = push(t, func, at);
    if code.is_null() {
        // The caller's resume point is set: the trap's backtrace is ready.
        return exhausted();
    }
    // SAFETY: `push` made `slots.len() >= base + frame_size`.
    let regs = unsafe { t.stack.slots.as_mut_ptr().add(t.base) };
    dispatch(t, code, regs, acc, mem, bound)
}

/// The trap of a call that finds the call stack full, out of line: built in
/// place, its value would join the tail calls' results at a common return,
/// and LLVM then makes those calls ordinary calls.
#[cold]
#[inline(never)]
fn exhausted() -> Exit {
    Exit::Trap(TrapCode::StackOverflow)
}

/// The general frame push of [`enter_slow`], out of line: kept in the
/// handler, its temporaries would live on the handler's stack with their
/// addresses passed on, and LLVM makes no call a jump from a function whose
/// stack memory may be referenced. The caller's resume point is already
/// set (by [`enter_slow`]). Returns the callee's first op, or null if the call stack is
/// exhausted (the only way a push fails).
#[inline(never)]
fn push(t: &mut Thread<'_, '_>, func: u32, at: Reg) -> *const TOp {
    let callee = &t.ctx.code[func as usize];
    let callee_base = t.base + at as usize;
    let pushed = push_frame(
        t.stack,
        callee,
        t.ctx.instance,
        func,
        callee_base,
        t.ctx.depth_limit,
        t.ctx.max_slots,
    );
    t.frame_room = room_for_frames(t.stack, t.ctx.depth_limit);
    match pushed {
        Ok(()) => {
            t.base = callee_base;
            let code = code_of(callee);
            // `push_frame` names the callee's ops; this backend runs its copy.
            if let Some(top) = t.stack.frames.last_mut() {
                top.code = super::OpsPtr(code.cast());
            }
            code
        }
        Err(code) => {
            debug_assert_eq!(code, TrapCode::StackOverflow);
            core::ptr::null()
        }
    }
}

/// Pops the running frame and continues in its caller, or ends the run if
/// the frame it started with returned.
#[inline(always)]
fn ret(t: &mut Thread<'_, '_>, ip: *const TOp, acc: u64, mem: *mut u8, bound: usize) -> Exit {
    let len = t.stack.frames.len();
    if len == t.entry {
        return leave(t, ip.wrapping_add(1), Exit::Return);
    }
    // SAFETY: `len > entry >= 1`, so the caller's frame is at `len - 2`;
    // dropping the top frame (plain data) is `set_len`.
    let caller = unsafe {
        t.stack.frames.set_len(len - 1);
        *t.stack.frames.as_ptr().add(len - 2)
    };
    t.base = caller.base as usize;
    // SAFETY: the caller's frame, pushed by this run, has
    // `base + frame_size <= slots.len()` (slots never shrink); its resume
    // point is after its call, which is never last.
    let (regs, ip) = unsafe { (t.stack.slots.as_mut_ptr().add(t.base), caller.resume_at()) };
    dispatch(t, ip.cast(), regs, acc, mem, bound)
}

/// An access at `start..end` past the memory's written bound: if it is in
/// bounds, raises the bound over it and runs the op again; otherwise the
/// out-of-bounds trap. Out of line and reached by a tail call, so that the
/// access handlers' fast path saves no registers for it. (Reads raise the
/// bound too: it only ever makes a recycled memory zero a little more.)
#[inline(never)]
fn access_slow(t: &mut Thread<'_, '_>, ip: *const TOp, regs: *mut u64, acc: u64, end: u64) -> Exit {
    if end > t.ctx.mem.len() as u64 {
        trap!(t, ip, TrapCode::MemoryOutOfBounds)
    }
    t.ctx.mem.touch(end as usize);
    let (mem, bound) = mem_view(t);
    dispatch(t, ip, regs, acc, mem, bound)
}

/// The `N` bytes at `start` if they lie below `bound`.
#[inline(always)]
fn load<const N: usize>(mem: *mut u8, bound: usize, start: u64) -> Option<[u8; N]> {
    if start + N as u64 > bound as u64 {
        return None;
    }
    // SAFETY: `start + N <= bound <= len` of the bytes `mem` points to
    // (see `mem_view`); any alignment.
    Some(unsafe { mem.add(start as usize).cast::<[u8; N]>().read_unaligned() })
}

/// Writes `bytes` at `start` if they lie below `bound`.
#[inline(always)]
fn store<const N: usize>(mem: *mut u8, bound: usize, start: u64, bytes: [u8; N]) -> bool {
    if start + N as u64 > bound as u64 {
        return false;
    }
    // SAFETY: as for `load`; below the bound the bytes may be written (it is
    // what recycling zeroes).
    unsafe {
        mem.add(start as usize)
            .cast::<[u8; N]>()
            .write_unaligned(bytes)
    };
    true
}

/// `ReturnMany` of other than one value, out of line (see [`copy_slots`]).
#[inline(never)]
fn return_many(
    t: &mut Thread<'_, '_>,
    ip: *const TOp,
    regs: *mut u64,
    acc: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    decode!(ip, Op::ReturnMany { src, count });
    // SAFETY: `src..src + count` is in the frame (invariant 2), so is
    // `0..count`; `copy` is a memmove.
    unsafe { core::ptr::copy(regs.add(src as usize), regs, count as usize) };
    ret(t, ip, acc, mem, bound)
}

/// `BrCopy` of other than one value, out of line and reached by a tail
/// call: most copies are of one value, which would not pay for a call to
/// `memmove`, and the call would make the handler save registers on every
/// path.
#[inline(never)]
fn br_copy_many(
    t: &mut Thread<'_, '_>,
    ip: *const TOp,
    regs: *mut u64,
    acc: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    decode!(
        ip,
        Op::BrCopy {
            dst,
            src,
            count,
            target
        }
    );
    // SAFETY: both ranges are in the frame (invariant 2); `copy` is a
    // memmove.
    unsafe {
        core::ptr::copy(
            regs.add(src as usize),
            regs.add(dst as usize),
            count as usize,
        )
    };
    jump!(t, ip, target, regs, acc, mem, bound)
}

/// The three operands of a bulk table op, at `args..args + 3`.
fn three(regs: *mut u64, args: Reg) -> [u64; 3] {
    [reg!(regs, args), reg!(regs, args + 1), reg!(regs, args + 2)]
}

/// The handlers of the ops outside the numeric and memory tables.
#[allow(non_snake_case)]
mod control {
    use super::*;

    type T<'c, 'a, 'x> = &'x mut Thread<'c, 'a>;

    pub(super) fn Unreachable(
        t: T,
        ip: *const TOp,
        _: *mut u64,
        _: u64,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        trap!(t, ip, TrapCode::Unreachable)
    }

    pub(super) fn ConsumeFuel(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ConsumeFuel { amount });
        match t.ctx.fuel.checked_sub(amount as u64) {
            Some(left) => *t.ctx.fuel = left,
            // Resume at this op, charging the run again.
            None => return leave(t, ip, Exit::OutOfFuel),
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn Br(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Br { target });
        jump!(t, ip, target, regs, acc, mem, bound)
    }

    pub(super) fn BrIfNez<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfNez { cond, target });
        if arg!(regs, acc, A == 1, u64, cond) != 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn BrIfEqz<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfEqz { cond, target });
        if arg!(regs, acc, A == 1, u64, cond) == 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn BrIfAndNez<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfAndNez { lhs, imm, target });
        if arg!(regs, acc, A == 1, u32, lhs) & imm != 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn BrIfAndEqz<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfAndEqz { lhs, imm, target });
        if arg!(regs, acc, A == 1, u32, lhs) & imm == 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn StepBrIfNez(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::StepBrIfNez { cond, step, target });
        let v = get!(regs, i32, cond).wrapping_add(step as i32);
        set!(regs, cond, v);
        if v != 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn StepBrIfEqz(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::StepBrIfEqz { cond, step, target });
        let v = get!(regs, i32, cond).wrapping_add(step as i32);
        set!(regs, cond, v);
        if v == 0 {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn BrTable<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrTable { index, len });
        // Invariant 4: the `len + 1` entries follow.
        let entry = arg!(regs, acc, A == 1, u32, index).min(len) as usize;
        let ip = unsafe { ip.add(1 + entry) };
        // Most entries are a plain `Br`: take it here rather than dispatch it.
        if let Op::Br { target } = unsafe { (*ip).op } {
            jump!(t, ip, target, regs, acc, mem, bound)
        }
        dispatch(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn BrCopy(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::BrCopy {
                dst,
                src,
                count,
                target
            }
        );
        if count != 1 {
            return br_copy_many(t, ip, regs, acc, mem, bound);
        }
        reg!(regs, dst) = reg!(regs, src);
        jump!(t, ip, target, regs, acc, mem, bound)
    }

    pub(super) fn Return(
        t: T,
        ip: *const TOp,
        _: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        ret(t, ip, acc, mem, bound)
    }

    pub(super) fn ReturnMany<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ReturnMany { src, count });
        if count != 1 {
            return return_many(t, ip, regs, acc, mem, bound);
        }
        reg!(regs, 0) = arg!(regs, acc, A == 1, u64, src);
        ret(t, ip, acc, mem, bound)
    }

    pub(super) fn Copy<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Copy { dst, src });
        let v = arg!(regs, acc, A == 1, u64, src);
        reg!(regs, dst) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn I32AddImm2<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::I32AddImm2 { a, b, imm_a, imm_b });
        set!(
            regs,
            a,
            arg!(regs, acc, A == 1, i32, a).wrapping_add(imm_a.into())
        );
        // Read after the first write: `b` may be `a`.
        let v = get!(regs, i32, b).wrapping_add(imm_b.into());
        set!(regs, b, v);
        next!(t, ip, regs, Slot::into_bits(v), mem, bound)
    }

    pub(super) fn Copy2<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::Copy2 {
                dst,
                src,
                dst2,
                src2
            }
        );
        reg!(regs, dst) = arg!(regs, acc, A == 1, u64, src);
        // Read after the first write: `src2` may be `dst`.
        let v = reg!(regs, src2);
        reg!(regs, dst2) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn Const32(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        _: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Const32 { dst, value });
        reg!(regs, dst) = value as u64;
        next!(t, ip, regs, value as u64, mem, bound)
    }

    pub(super) fn Const64(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        _: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Const64 { dst, lo, hi });
        let v = (hi as u64) << 32 | lo as u64;
        reg!(regs, dst) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn Select<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Select { dst, cond, a, b });
        let v = if arg!(regs, acc, A == 1, u64, cond) != 0 {
            reg!(regs, a)
        } else {
            reg!(regs, b)
        };
        reg!(regs, dst) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn SelectAnd<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::SelectAnd {
                dst,
                src,
                a,
                b,
                mask
            }
        );
        let v = if arg!(regs, acc, A == 1, u64, src) & u64::from(mask) != 0 {
            reg!(regs, a)
        } else {
            reg!(regs, b)
        };
        reg!(regs, dst) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn F64AddMul<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::F64AddMul {
                dst,
                acc: a,
                lhs,
                rhs
            }
        );
        let v = arg!(regs, acc, A == 1, f64, a) + get!(regs, f64, lhs) * get!(regs, f64, rhs);
        set!(regs, dst, v);
        next!(t, ip, regs, v.to_bits(), mem, bound)
    }

    pub(super) fn F64SubMul<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::F64SubMul {
                dst,
                acc: a,
                lhs,
                rhs
            }
        );
        let v = arg!(regs, acc, A == 1, f64, a) - get!(regs, f64, lhs) * get!(regs, f64, rhs);
        set!(regs, dst, v);
        next!(t, ip, regs, v.to_bits(), mem, bound)
    }

    /// `Move8`, `Move16`, `Move32` and `Move64`, which share their layout.
    pub(super) fn Move<const N: usize, const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            (Op::Move8 {
                to,
                from,
                to_offset,
                from_offset
            } | Op::Move16 {
                to,
                from,
                to_offset,
                from_offset
            } | Op::Move32 {
                to,
                from,
                to_offset,
                from_offset
            } | Op::Move64 {
                to,
                from,
                to_offset,
                from_offset
            })
        );
        let from = arg!(regs, acc, A == 1, u32, from) as u64 + from_offset as u64;
        let to = arg!(regs, acc, A == 2, u32, to) as u64 + to_offset as u64;
        // One test for both accesses: the fast path then fits in the
        // scratch registers. The read's range goes to `access_slow` first,
        // as when the load ran before the store.
        let n = N as u64;
        if from.max(to) + n > bound as u64 {
            let end = if from + n > bound as u64 { from } else { to } + n;
            return access_slow(t, ip, regs, acc, end);
        }
        // SAFETY: both ranges lie below `bound` (see `load`).
        unsafe {
            let bytes = mem.add(from as usize).cast::<[u8; N]>().read_unaligned();
            mem.add(to as usize)
                .cast::<[u8; N]>()
                .write_unaligned(bytes);
        }
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn GlobalGet(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        _: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::GlobalGet { dst, global });
        let ctx = &*t.ctx;
        let v = ctx.globals[ctx.inst.globals[global as usize] as usize].value;
        reg!(regs, dst) = v;
        next!(t, ip, regs, v, mem, bound)
    }

    pub(super) fn GlobalSet<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::GlobalSet { src, global });
        let ctx = &mut *t.ctx;
        ctx.globals[ctx.inst.globals[global as usize] as usize].value =
            arg!(regs, acc, A == 1, u64, src);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn Call(t: T, ip: *const TOp, _: *mut u64, _: u64, _: *mut u8, _: usize) -> Exit {
        decode!(ip, Op::Call { func, base });
        let func = t.ctx.inst.funcs[func as usize];
        leave(t, unsafe { ip.add(1) }, Exit::Call { func, base })
    }

    pub(super) fn CallInternal(
        t: T,
        ip: *const TOp,
        _: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::CallInternal { func, base });
        // SAFETY: verifier invariant 6: `func` is a defined function of
        // this module.
        let callee = unsafe { t.funcs.get_unchecked(func as usize) };
        enter(t, ip, callee, func, base, acc, mem, bound)
    }

    pub(super) fn CallIndirect<const A: u8>(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::CallIndirect {
                base,
                index,
                table,
                ty
            }
        );
        let index = arg!(regs, acc, A == 1, u64, index);
        match ops::call_indirect(t.ctx, table as u32, ty, index) {
            Ok(ops::Callee::Local(func)) => {
                let callee = &t.ctx.code[func as usize];
                enter(t, ip, callee, func, base, acc, mem, bound)
            }
            Ok(ops::Callee::Store(func)) => {
                leave(t, unsafe { ip.add(1) }, Exit::Call { func, base })
            }
            Err(c) => trap!(t, ip, c),
        }
    }

    pub(super) fn MemorySize(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::MemorySize { dst });
        set!(regs, dst, t.ctx.mem.pages());
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn MemoryGrow(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::MemoryGrow { dst, delta });
        let ctx = &mut *t.ctx;
        let result = ctx
            .mem
            .grow(get!(regs, u32, delta), ctx.limiter)
            .unwrap_or(u32::MAX);
        set!(regs, dst, result);
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn MemoryFill(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::MemoryFill { dst, value, len });
        let (d, v, n) = (reg!(regs, dst), reg!(regs, value), reg!(regs, len));
        tri!(t, ip, ops::memory_fill(t.ctx, d, v, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn MemoryCopy(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::MemoryCopy { dst, src, len });
        let (d, s, n) = (reg!(regs, dst), reg!(regs, src), reg!(regs, len));
        tri!(t, ip, ops::memory_copy(t.ctx, d, s, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn MemoryInit(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::MemoryInit {
                dst,
                src,
                len,
                data
            }
        );
        let (d, s, n) = (reg!(regs, dst), reg!(regs, src), reg!(regs, len));
        tri!(t, ip, ops::memory_init(t.ctx, data, d, s, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn DataDrop(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::DataDrop { data });
        ops::data_drop(t.ctx, data);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableGet(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableGet { dst, index, table });
        reg!(regs, dst) = tri!(t, ip, ops::table_get(t.ctx, table, reg!(regs, index)));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableSet(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::TableSet {
                index,
                value,
                table
            }
        );
        let (i, v) = (reg!(regs, index), reg!(regs, value));
        tri!(t, ip, ops::table_set(t.ctx, table, i, v));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableSize(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableSize { dst, table });
        set!(regs, dst, ops::table_size(t.ctx, table));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableGrow(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableGrow { dst, table });
        let (init, delta) = (reg!(regs, dst), reg!(regs, dst + 1));
        set!(regs, dst, ops::table_grow(t.ctx, table, init, delta));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableFill(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableFill { args, table });
        tri!(t, ip, ops::table_fill(t.ctx, table, three(regs, args)));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableCopy(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(
            ip,
            Op::TableCopy {
                args,
                dst_table,
                src_table
            }
        );
        let args = three(regs, args);
        tri!(t, ip, ops::table_copy(t.ctx, dst_table, src_table, args));
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn TableInit(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableInit { args, table, elem });
        tri!(
            t,
            ip,
            ops::table_init(t.ctx, table, elem, three(regs, args))
        );
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn ElemDrop(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ElemDrop { elem });
        ops::elem_drop(t.ctx, elem);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn RefFunc(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::RefFunc { dst, func });
        reg!(regs, dst) = ops::ref_func(t.ctx, func);
        next!(t, ip, regs, acc, mem, bound)
    }

    pub(super) fn RefIsNull(
        t: T,
        ip: *const TOp,
        regs: *mut u64,
        acc: u64,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::RefIsNull { dst, src });
        set!(regs, dst, reg!(regs, src) == 0);
        next!(t, ip, regs, acc, mem, bound)
    }
}

/// Defines the handlers of the table ops (module `table`) and `HANDLERS`,
/// in `Op`'s declaration order.
macro_rules! define_handlers {
    (
        load { $( $ln:ident / $lx:ident / $li:ident / $ls:ident ($lm:ty) -> $lv:ty; )* }
        store { $( $sn:ident / $sx:ident / $sk:ident / $sxk:ident ($sv:ty) -> $sm:ty; )* }
        unary { $( $un:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $tn:ident ($ta:ty) -> $tr:ty = $tf:expr; )* }
        binary { $( $bn:ident $(/ $bimm:ident)? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $btn:ident ($bta:ty, $btb:ty) -> $btr:ty = $btf:expr; )* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $( $chn:ident ($cht:ty) = $chf:expr; )* }
    ) => {
        /// The handler list in tag order: `$a` is the const parameter of
        /// ops with two operands that may come from the accumulator, `$one`
        /// of ops with one.
        macro_rules! handlers {
            ($a:literal, $one:literal) => {[
                control::Unreachable, control::ConsumeFuel, control::Br,
                control::BrIfNez::<$one>, control::BrIfEqz::<$one>, control::StepBrIfNez,
                control::StepBrIfEqz, control::BrIfAndNez::<$one>, control::BrIfAndEqz::<$one>,
                control::BrTable::<$one>, control::BrCopy, control::Return,
                control::ReturnMany::<$one>, control::Copy::<$one>, control::I32AddImm2::<$one>,
                control::Copy2::<$one>,
                control::Const32, control::Const64,
                control::Select::<$one>, control::SelectAnd::<$one>, control::F64AddMul::<$one>, control::F64SubMul::<$one>,
                control::Move::<1, $a>, control::Move::<2, $a>, control::Move::<4, $a>,
                control::Move::<8, $a>,
                control::GlobalGet, control::GlobalSet::<$one>, control::Call, control::CallInternal,
                control::CallIndirect::<$one>, control::MemorySize, control::MemoryGrow,
                control::MemoryFill, control::MemoryCopy, control::MemoryInit,
                control::DataDrop, control::TableGet, control::TableSet, control::TableSize,
                control::TableGrow, control::TableFill, control::TableCopy, control::TableInit,
                control::ElemDrop, control::RefFunc, control::RefIsNull,
                $( table::$ln::<$one>, )*
                $( table::$sn::<$a>, )*
                $( table::$lx::<$a>, )*
                $( table::$li::<$one>, )*
                $( table::$ls::<$a>, )*
                $( table::$sx::<$a>, )*
                $( table::$sk::<$one>, )*
                $( table::$sxk::<$a>, )*
                $( table::$un::<$one>, )*
                $( table::$tn::<$one>, )*
                $( table::$bn::<$a>, $( table::$bimm::<$one>, )? )*
                $( table::$btn::<$a>, )*
                $(
                    table::$cn::<$a>, table::$cbr::<$a>, table::$cbrnot::<$a>,
                    $(
                        table::$cimm::<$one>, table::$cbrimm::<$one>, table::$cbrnotimm::<$one>,
                        $( table::$cstep::<0>, table::$cstepimm::<0>, )?
                    )?
                )*
                $( table::$chn::<$a>, )*
            ]};
        }

        #[allow(non_snake_case)]
        mod table {
            use super::*;

            type T<'c, 'a, 'x> = &'x mut Thread<'c, 'a>;

            $(
                pub(super) fn $ln<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$ln { dst, addr, offset });
                    let start = arg!(regs, acc, A == 1, u32, addr) as u64 + offset as u64;
                    load_at!(t, ip, regs, acc, mem, bound, start, $lm => $lv, dst)
                }
                pub(super) fn $lx<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$lx { dst, base, index, offset });
                    let addr = arg!(regs, acc, A == 1, u32, base)
                        .wrapping_add(arg!(regs, acc, A == 2, u32, index));
                    let start = addr as u64 + offset as u64;
                    load_at!(t, ip, regs, acc, mem, bound, start, $lm => $lv, dst)
                }
                pub(super) fn $ls<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$ls { dst, base, index, offset, shift });
                    let addr = arg!(regs, acc, A == 1, u32, base)
                        .wrapping_add(arg!(regs, acc, A == 2, u32, index).wrapping_shl(shift as u32));
                    let start = addr as u64 + offset as u64;
                    load_at!(t, ip, regs, acc, mem, bound, start, $lm => $lv, dst)
                }
                pub(super) fn $li<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$li { dst, addr, imm });
                    let start = arg!(regs, acc, A == 1, u32, addr).wrapping_add(imm as u32) as u64;
                    load_at!(t, ip, regs, acc, mem, bound, start, $lm => $lv, dst)
                }
            )*
            $(
                pub(super) fn $sn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sn { addr, value, offset });
                    let bytes = (arg!(regs, acc, A == 2, $sv, value) as $sm).to_le_bytes();
                    let start = arg!(regs, acc, A == 1, u32, addr) as u64 + offset as u64;
                    store_at!(t, ip, regs, acc, mem, bound, start, bytes)
                }
                pub(super) fn $sx<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sx { base, index, value, offset });
                    let addr = arg!(regs, acc, A == 1, u32, base)
                        .wrapping_add(arg!(regs, acc, A == 2, u32, index));
                    let bytes = (get!(regs, $sv, value) as $sm).to_le_bytes();
                    store_at!(t, ip, regs, acc, mem, bound, addr as u64 + offset as u64, bytes)
                }
                pub(super) fn $sk<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sk { addr, value, offset });
                    let bytes = (<$sv as FromImm>::from_imm(value) as $sm).to_le_bytes();
                    let start = arg!(regs, acc, A == 1, u32, addr) as u64 + offset as u64;
                    store_at!(t, ip, regs, acc, mem, bound, start, bytes)
                }
                pub(super) fn $sxk<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sxk { base, index, value, offset });
                    let addr = arg!(regs, acc, A == 1, u32, base)
                        .wrapping_add(arg!(regs, acc, A == 2, u32, index));
                    let bytes = (<$sv as FromImm>::from_imm(value.into()) as $sm).to_le_bytes();
                    store_at!(t, ip, regs, acc, mem, bound, addr as u64 + offset as u64, bytes)
                }
            )*
            $(
                pub(super) fn $un<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$un { dst, src });
                    let f: fn($ua) -> $ur = $uf;
                    let v = f(arg!(regs, acc, A == 1, $ua, src));
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
            )*
            $(
                pub(super) fn $tn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$tn { dst, src });
                    let f: fn($ta) -> Result<$tr, NumericTrap> = $tf;
                    let v = tri!(t, ip, f(arg!(regs, acc, A == 1, $ta, src)));
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
            )*
            $(
                pub(super) fn $bn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$bn { dst, lhs, rhs });
                    let f: fn($ba, $bb) -> $br = $bf;
                    let v = f(arg!(regs, acc, A == 1, $ba, lhs), arg!(regs, acc, A == 2, $bb, rhs));
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
                $(
                    pub(super) fn $bimm<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$bimm { dst, lhs, imm });
                        let f: fn($ba, $bb) -> $br = $bf;
                        let v = f(arg!(regs, acc, A == 1, $ba, lhs), <$bb as FromImm>::from_imm(imm));
                        set!(regs, dst, v);
                        next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                    }
                )?
            )*
            $(
                pub(super) fn $btn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$btn { dst, lhs, rhs });
                    let f: fn($bta, $btb) -> Result<$btr, NumericTrap> = $btf;
                    let v = tri!(t, ip, f(arg!(regs, acc, A == 1, $bta, lhs), arg!(regs, acc, A == 2, $btb, rhs)));
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
            )*
            $(
                pub(super) fn $cn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cn { dst, lhs, rhs });
                    let f: fn($ca, $ca) -> bool = $cf;
                    let v = f(arg!(regs, acc, A == 1, $ca, lhs), arg!(regs, acc, A == 2, $ca, rhs));
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
                pub(super) fn $cbr<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cbr { lhs, rhs, target });
                    let f: fn($ca, $ca) -> bool = $cf;
                    if f(arg!(regs, acc, A == 1, $ca, lhs), arg!(regs, acc, A == 2, $ca, rhs)) {
                        jump!(t, ip, target, regs, acc, mem, bound)
                    }
                    next!(t, ip, regs, acc, mem, bound)
                }
                pub(super) fn $cbrnot<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cbrnot { lhs, rhs, target });
                    let f: fn($ca, $ca) -> bool = $cf;
                    if !f(arg!(regs, acc, A == 1, $ca, lhs), arg!(regs, acc, A == 2, $ca, rhs)) {
                        jump!(t, ip, target, regs, acc, mem, bound)
                    }
                    next!(t, ip, regs, acc, mem, bound)
                }
                $(
                    pub(super) fn $cimm<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cimm { dst, lhs, imm });
                        let f: fn($ca, $ca) -> bool = $cf;
                        let v = f(arg!(regs, acc, A == 1, $ca, lhs), <$ca as FromImm>::from_imm(imm));
                        set!(regs, dst, v);
                        next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                    }
                    pub(super) fn $cbrimm<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cbrimm { lhs, imm, target });
                        let f: fn($ca, $ca) -> bool = $cf;
                        if f(arg!(regs, acc, A == 1, $ca, lhs), <$ca as FromImm>::from_imm(imm)) {
                            jump!(t, ip, target, regs, acc, mem, bound)
                        }
                        next!(t, ip, regs, acc, mem, bound)
                    }
                    pub(super) fn $cbrnotimm<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cbrnotimm { lhs, imm, target });
                        let f: fn($ca, $ca) -> bool = $cf;
                        if !f(arg!(regs, acc, A == 1, $ca, lhs), <$ca as FromImm>::from_imm(imm)) {
                            jump!(t, ip, target, regs, acc, mem, bound)
                        }
                        next!(t, ip, regs, acc, mem, bound)
                    }
                    $(
                        // `rhs` is read after the step: it may be `lhs`.
                        pub(super) fn $cstep<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                            decode!(ip, Op::$cstep { lhs, rhs, step, target });
                            let v = get!(regs, i32, lhs).wrapping_add(step as i32);
                            set!(regs, lhs, v);
                            let f: fn($ca, $ca) -> bool = $cf;
                            if f(v as $ca, get!(regs, $ca, rhs)) {
                                jump!(t, ip, target, regs, acc, mem, bound)
                            }
                            next!(t, ip, regs, acc, mem, bound)
                        }
                        pub(super) fn $cstepimm<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                            decode!(ip, Op::$cstepimm { lhs, step, imm, target });
                            let v = get!(regs, i32, lhs).wrapping_add(step as i32);
                            set!(regs, lhs, v);
                            let f: fn($ca, $ca) -> bool = $cf;
                            if f(v as $ca, <$ca as FromImm>::from_imm(imm as i32)) {
                                jump!(t, ip, target, regs, acc, mem, bound)
                            }
                            next!(t, ip, regs, acc, mem, bound)
                        }
                    )?
                )?
            )*
            $(
                pub(super) fn $chn<const A: u8>(t: T, ip: *const TOp, regs: *mut u64, acc: u64, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$chn { dst, lhs, rhs, imm });
                    let f: fn($cht, $cht, i32) -> $cht = $chf;
                    let v = f(arg!(regs, acc, A == 1, $cht, lhs), arg!(regs, acc, A == 2, $cht, rhs), imm);
                    set!(regs, dst, v);
                    next!(t, ip, regs, Slot::into_bits(v), mem, bound)
                }
            )*
        }

        /// Handlers by tag. Its length is the number of ops, so a missing
        /// handler does not compile; `handlers_follow_op_order` checks
        /// the order against `Op::SHAPE`.
        static HANDLERS: [Handler; Op::SHAPE.len()] = handlers!(0, 0);

        /// By tag, the handlers that take the first of [`operands`] from
        /// the accumulator (`ACC[0]`) and those that take the second
        /// (`ACC[1]`); for an op without such an operand, the plain one.
        static ACC: [[Handler; Op::SHAPE.len()]; 2] = [handlers!(1, 1), handlers!(2, 0)];

        /// The register an op writes whose handler also passes the value
        /// on as the accumulator.
        fn produces(op: &Op) -> Option<Reg> {
            match *op {
                Op::Copy { dst, .. }
                | Op::Copy2 { dst2: dst, .. }
                | Op::I32AddImm2 { b: dst, .. }
                | Op::Const32 { dst, .. }
                | Op::Const64 { dst, .. }
                | Op::Select { dst, .. }
                | Op::SelectAnd { dst, .. }
                | Op::F64AddMul { dst, .. }
                | Op::F64SubMul { dst, .. }
                | Op::GlobalGet { dst, .. } => Some(dst),
                $(
                    Op::$ln { dst, .. } | Op::$lx { dst, .. } | Op::$li { dst, .. } | Op::$ls { dst, .. } => {
                        Some(dst)
                    }
                )*
                $( Op::$un { dst, .. } => Some(dst), )*
                $( Op::$tn { dst, .. } => Some(dst), )*
                $( Op::$bn { dst, .. } => Some(dst), $( Op::$bimm { dst, .. } => Some(dst), )? )*
                $( Op::$btn { dst, .. } => Some(dst), )*
                $( Op::$cn { dst, .. } => Some(dst), $( Op::$cimm { dst, .. } => Some(dst), )? )*
                $( Op::$chn { dst, .. } => Some(dst), )*
                _ => None,
            }
        }

        /// Whether an op that computes nothing passes on the accumulator it
        /// was given, unchanged, to the op after it, and leaves register
        /// `r` (the accumulator's) as it was: then the op after it may still
        /// take `r` from the accumulator. Stores and conditional branches
        /// (whose next op runs only when they fall through) are the common
        /// case: a value computed before them is often used after.
        /// `ConsumeFuel` is not one: a run may resume after it with no
        /// accumulator.
        fn keeps(op: &Op, r: Reg) -> bool {
            match *op {
                Op::BrIfNez { .. }
                | Op::BrIfEqz { .. }
                | Op::BrIfAndNez { .. }
                | Op::BrIfAndEqz { .. }
                | Op::GlobalSet { .. }
                | Op::DataDrop { .. }
                | Op::ElemDrop { .. }
                | Op::Move8 { .. }
                | Op::Move16 { .. }
                | Op::Move32 { .. }
                | Op::Move64 { .. } => true,
                Op::StepBrIfNez { cond, .. } | Op::StepBrIfEqz { cond, .. } => cond != r,
                $( Op::$sn { .. } | Op::$sx { .. } | Op::$sk { .. } | Op::$sxk { .. } => true, )*
                $(
                    Op::$cbr { .. } | Op::$cbrnot { .. } => true,
                    $(
                        Op::$cbrimm { .. } | Op::$cbrnotimm { .. } => true,
                        $( Op::$cstep { lhs, .. } | Op::$cstepimm { lhs, .. } => lhs != r, )?
                    )?
                )*
                _ => false,
            }
        }

        /// The registers an op's handlers in `ACC[0]` and `ACC[1]` read from
        /// the accumulator instead.
        fn operands(op: &Op) -> [Option<Reg>; 2] {
            match *op {
                // `ReturnMany` of one value (of more, it reads registers).
                Op::Copy { src, .. }
                | Op::Copy2 { src, .. }
                | Op::I32AddImm2 { a: src, .. }
                | Op::F64AddMul { acc: src, .. }
                | Op::F64SubMul { acc: src, .. }
                | Op::GlobalSet { src, .. }
                | Op::ReturnMany { src, .. } => [Some(src), None],
                Op::BrTable { index, .. } | Op::CallIndirect { index, .. } => [Some(index), None],
                Op::Move8 { from, to, .. }
                | Op::Move16 { from, to, .. }
                | Op::Move32 { from, to, .. }
                | Op::Move64 { from, to, .. } => [Some(from), Some(to)],
                Op::Select { cond, .. }
                | Op::SelectAnd { src: cond, .. }
                | Op::BrIfNez { cond, .. }
                | Op::BrIfEqz { cond, .. }
                | Op::BrIfAndNez { lhs: cond, .. }
                | Op::BrIfAndEqz { lhs: cond, .. } => [Some(cond), None],
                $(
                    Op::$ln { addr, .. } | Op::$li { addr, .. } => [Some(addr), None],
                    Op::$lx { base, index, .. } | Op::$ls { base, index, .. } => {
                        [Some(base), Some(index)]
                    }
                )*
                $(
                    Op::$sn { addr, value, .. } => [Some(addr), Some(value)],
                    Op::$sx { base, index, .. } | Op::$sxk { base, index, .. } => {
                        [Some(base), Some(index)]
                    }
                    Op::$sk { addr, .. } => [Some(addr), None],
                )*
                $( Op::$un { src, .. } => [Some(src), None], )*
                $( Op::$tn { src, .. } => [Some(src), None], )*
                $(
                    Op::$bn { lhs, rhs, .. } => [Some(lhs), Some(rhs)],
                    $( Op::$bimm { lhs, .. } => [Some(lhs), None], )?
                )*
                $( Op::$btn { lhs, rhs, .. } => [Some(lhs), Some(rhs)], )*
                $(
                    Op::$cn { lhs, rhs, .. }
                    | Op::$cbr { lhs, rhs, .. }
                    | Op::$cbrnot { lhs, rhs, .. } => [Some(lhs), Some(rhs)],
                    $(
                        Op::$cimm { lhs, .. }
                        | Op::$cbrimm { lhs, .. }
                        | Op::$cbrnotimm { lhs, .. } => [Some(lhs), None],
                    )?
                )*
                $( Op::$chn { lhs, rhs, .. } => [Some(lhs), Some(rhs)], )*
                _ => [None, None],
            }
        }

        /// The op name each entry of `HANDLERS` is for.
        #[cfg(test)]
        static HANDLER_NAMES: [&str; Op::SHAPE.len()] = [
            "Unreachable", "ConsumeFuel", "Br", "BrIfNez", "BrIfEqz", "StepBrIfNez",
            "StepBrIfEqz", "BrIfAndNez", "BrIfAndEqz", "BrTable", "BrCopy", "Return", "ReturnMany", "Copy", "I32AddImm2", "Copy2", "Const32",
            "Const64", "Select", "SelectAnd", "F64AddMul", "F64SubMul", "Move8", "Move16", "Move32", "Move64",
            "GlobalGet",
            "GlobalSet", "Call", "CallInternal", "CallIndirect", "MemorySize", "MemoryGrow",
            "MemoryFill", "MemoryCopy", "MemoryInit", "DataDrop", "TableGet", "TableSet",
            "TableSize", "TableGrow", "TableFill", "TableCopy", "TableInit", "ElemDrop",
            "RefFunc", "RefIsNull",
            $( stringify!($ln), )*
            $( stringify!($sn), )*
            $( stringify!($lx), )*
            $( stringify!($li), )*
            $( stringify!($ls), )*
            $( stringify!($sx), )*
            $( stringify!($sk), )*
            $( stringify!($sxk), )*
            $( stringify!($un), )*
            $( stringify!($tn), )*
            $( stringify!($bn), $( stringify!($bimm), )? )*
            $( stringify!($btn), )*
            $( stringify!($cn), stringify!($cbr), stringify!($cbrnot), $( stringify!($cimm), stringify!($cbrimm), stringify!($cbrnotimm), $( stringify!($cstep), stringify!($cstepimm), )? )? )*
            $( stringify!($chn), )*
        ];
    };
}
for_each_memory!(for_each_numeric define_handlers);

#[cfg(test)]
pub(crate) mod tests;
