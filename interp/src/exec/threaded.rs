//! Tail-call dispatch: the same ops as [`super::dispatch`], each handler a
//! function that ends by calling the next op's handler in tail position.
//!
//! A single loop funnels every op through one indirect jump and keeps its
//! state in whatever registers the whole giant function can spare; here each
//! handler is compiled on its own with the machine state (`ip`, the frame's
//! registers, the code base) in argument registers, and the jump to the next
//! handler is part of every handler. wasmi 2.0 measures the same switch at
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
//! own tag, because [`HANDLERS`] is indexed by the tag of the op `ip` names.

use core::hint::unreachable_unchecked;

use super::dispatch::{Ctx, Exit, push_fast, push_frame, room_for_frames};
use super::numeric::{self, NumericTrap};
use super::{ValueStack, ops};
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
/// (`slots[base..]`), the running function's first op, and the instance's
/// linear memory as a pointer to its bytes and a bound below which accesses
/// need no other check (the memory's written bound, see [`mem_view`]).
type Handler = fn(&mut Thread<'_, '_>, *const Op, *mut u64, *const Op, *mut u8, usize) -> Exit;

// An `Exit` comes back in a register, so every handler's tail call passes it
// through untouched.
const _: () = assert!(core::mem::size_of::<Exit>() <= 8);

/// Runs the top frame of `stack` as [`super::dispatch::run`] does.
pub(crate) fn run(ctx: &mut Ctx<'_>, stack: &mut ValueStack) -> Exit {
    let entry = stack.frames.len();
    let Some(&top) = stack.frames.last() else {
        return Exit::Return;
    };
    let code = top.code.0;
    let base = top.base as usize;
    let regs = stack.slots[base..].as_mut_ptr();
    // SAFETY: a saved resume point names an op of its function.
    let ip = unsafe { top.resume_at() };
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
    dispatch(&mut t, ip, regs, code, mem, bound)
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
    ip: *const Op,
    regs: *mut u64,
    code: *const Op,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    // SAFETY: `ip` names an op (see the module docs); `Op` is
    // `#[repr(u16)]`, so its first two bytes are its tag, which is below
    // `HANDLERS.len()` (one handler per variant, checked at compile time).
    let handler = unsafe {
        let tag = *(ip as *const u16);
        *HANDLERS.get_unchecked(tag as usize)
    };
    handler(t, ip, regs, code, mem, bound)
}

/// Ends the run with `exit`, leaving the top frame's resume point at `next`.
#[cold]
#[inline(never)]
fn leave(t: &mut Thread<'_, '_>, next: *const Op, exit: Exit) -> Exit {
    if let Some(top) = t.stack.frames.last_mut() {
        top.set_resume(next);
    }
    exit
}

/// Reads the op at `$ip` as `$pat`.
macro_rules! decode {
    ($ip:ident, $pat:pat) => {
        // SAFETY: a handler only runs for ops of its own tag.
        let $pat = (unsafe { *$ip }) else {
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

/// Continues with the next op.
macro_rules! next {
    ($t:ident, $ip:ident, $regs:ident, $code:ident, $mem:ident, $bound:ident) => {
        // SAFETY: an op that falls through is never last (invariant 5).
        return dispatch($t, unsafe { $ip.add(1) }, $regs, $code, $mem, $bound)
    };
}

/// Continues at op `$target` of the running function.
macro_rules! jump {
    ($t:ident, $target:expr, $regs:ident, $code:ident, $mem:ident, $bound:ident) => {
        // SAFETY: targets are in range (invariant 3).
        return dispatch(
            $t,
            unsafe { $code.add($target as usize) },
            $regs,
            $code,
            $mem,
            $bound,
        )
    };
}

/// Ends the run with a trap, after the op at `$ip`.
macro_rules! trap {
    ($t:ident, $ip:ident, $code:ident, $c:expr) => {
        return leave($t, unsafe { $ip.add(1) }, Exit::Trap($c))
    };
}

macro_rules! tri {
    ($t:ident, $ip:ident, $code:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(c) => trap!($t, $ip, $code, TrapCode::from(c)),
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
    ip: *const Op,
    code: *const Op,
    callee: &CompiledFunc,
    func: u32,
    at: Reg,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    let base = t.base + at as usize;
    // A call is never last (invariant 5): the caller resumes after it.
    let resume = super::resume_offset(code, ip.wrapping_add(1));
    // SAFETY: the running frame is on top of the stack (`entry >= 1`, and
    // the stack never falls below `entry` during the run); `callee` is of
    // its instance.
    if !unsafe { push_fast(t.stack, callee, func, base, t.frame_room, resume) } {
        return enter_slow(t, ip, (func as u64) << 16 | at as u64, mem, bound);
    }
    t.base = base;
    // SAFETY: `push_fast` checked `base + frame_size <= slots.len()`.
    let regs = unsafe { t.stack.slots.as_mut_ptr().add(base) };
    let ops = callee.ops.as_ptr();
    // The callee is of the same instance: the same memory.
    dispatch(t, ops, regs, ops, mem, bound)
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
    ip: *const Op,
    callee: u64,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    let (func, at) = ((callee >> 16) as u32, callee as u16);
    if let Some(top) = t.stack.frames.last_mut() {
        top.set_resume(ip.wrapping_add(1));
    }
    let ops = push(t, func, at);
    if ops.is_null() {
        // The caller's resume point is set: the trap's backtrace is ready.
        return Exit::Trap(TrapCode::StackOverflow);
    }
    // SAFETY: `push` made `slots.len() >= base + frame_size`.
    let regs = unsafe { t.stack.slots.as_mut_ptr().add(t.base) };
    dispatch(t, ops, regs, ops, mem, bound)
}

/// The general frame push of [`enter_slow`], out of line: kept in the
/// handler, its temporaries would live on the handler's stack with their
/// addresses passed on, and LLVM makes no call a jump from a function whose
/// stack memory may be referenced. The caller's resume point is already
/// set (by [`enter_slow`]). Returns the callee's first op, or null if the call stack is
/// exhausted (the only way a push fails).
#[inline(never)]
fn push(t: &mut Thread<'_, '_>, func: u32, at: Reg) -> *const Op {
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
            callee.ops.as_ptr()
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
fn ret(t: &mut Thread<'_, '_>, ip: *const Op, mem: *mut u8, bound: usize) -> Exit {
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
    dispatch(t, ip, regs, caller.code.0, mem, bound)
}

/// An access at `start..end` past the memory's written bound: if it is in
/// bounds, raises the bound over it and runs the op again; otherwise the
/// out-of-bounds trap. Out of line and reached by a tail call, so that the
/// access handlers' fast path saves no registers for it. (Reads raise the
/// bound too: it only ever makes a recycled memory zero a little more.)
#[inline(never)]
fn access_slow(
    t: &mut Thread<'_, '_>,
    ip: *const Op,
    regs: *mut u64,
    code: *const Op,
    end: u64,
) -> Exit {
    if end > t.ctx.mem.len() as u64 {
        trap!(t, ip, code, TrapCode::MemoryOutOfBounds)
    }
    t.ctx.mem.touch(end as usize);
    let (mem, bound) = mem_view(t);
    dispatch(t, ip, regs, code, mem, bound)
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
    ip: *const Op,
    regs: *mut u64,
    _: *const Op,
    mem: *mut u8,
    bound: usize,
) -> Exit {
    decode!(ip, Op::ReturnMany { src, count });
    // SAFETY: `src..src + count` is in the frame (invariant 2), so is
    // `0..count`; `copy` is a memmove.
    unsafe { core::ptr::copy(regs.add(src as usize), regs, count as usize) };
    ret(t, ip, mem, bound)
}

/// Copies `count` slots from `src` to `dst` (ranges may overlap). Most
/// copies are of one value, which would not pay for a call to `memmove`,
/// and the call would make the handler save registers on every path.
///
/// # Safety
///
/// Both ranges are valid slots of one frame.
#[inline(always)]
unsafe fn copy_slots(src: *const u64, dst: *mut u64, count: u16) {
    if count == 1 {
        // SAFETY: the caller's promise, for one slot.
        unsafe { *dst = *src };
    } else {
        // SAFETY: the caller's promise; `copy` is a memmove.
        unsafe { copy_many(src, dst, count) };
    }
}

/// # Safety
///
/// As [`copy_slots`].
#[inline(never)]
unsafe fn copy_many(src: *const u64, dst: *mut u64, count: u16) {
    // SAFETY: the caller's promise.
    unsafe { core::ptr::copy(src, dst, count as usize) };
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
        ip: *const Op,
        _: *mut u64,
        _: *const Op,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        leave(t, ip.wrapping_add(1), Exit::Trap(TrapCode::Unreachable))
    }

    pub(super) fn ConsumeFuel(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ConsumeFuel { amount });
        match t.ctx.fuel.checked_sub(amount as u64) {
            Some(left) => *t.ctx.fuel = left,
            // Resume at this op, charging the run again.
            None => return leave(t, ip, Exit::OutOfFuel),
        }
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn Br(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Br { target });
        jump!(t, target, regs, code, mem, bound)
    }

    pub(super) fn BrIfNez(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfNez { cond, target });
        if reg!(regs, cond) != 0 {
            jump!(t, target, regs, code, mem, bound)
        }
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn BrIfEqz(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrIfEqz { cond, target });
        if reg!(regs, cond) == 0 {
            jump!(t, target, regs, code, mem, bound)
        }
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn StepBrIfNez(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::StepBrIfNez { cond, step, target });
        let v = get!(regs, i32, cond).wrapping_add(step as i32);
        set!(regs, cond, v);
        if v != 0 {
            jump!(t, target, regs, code, mem, bound)
        }
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn StepBrIfEqz(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::StepBrIfEqz { cond, step, target });
        let v = get!(regs, i32, cond).wrapping_add(step as i32);
        set!(regs, cond, v);
        if v == 0 {
            jump!(t, target, regs, code, mem, bound)
        }
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn BrTable(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::BrTable { index, len });
        // Invariant 4: the `len + 1` entries follow.
        let entry = (reg!(regs, index) as u32).min(len) as usize;
        let ip = unsafe { ip.add(1 + entry) };
        // Most entries are a plain `Br`: take it here rather than dispatch it.
        if let Op::Br { target } = unsafe { *ip } {
            jump!(t, target, regs, code, mem, bound)
        }
        dispatch(t, ip, regs, code, mem, bound)
    }

    pub(super) fn BrCopy(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        // SAFETY: both ranges are in the frame (invariant 2).
        unsafe { copy_slots(regs.add(src as usize), regs.add(dst as usize), count) };
        jump!(t, target, regs, code, mem, bound)
    }

    pub(super) fn Return(
        t: T,
        ip: *const Op,
        _: *mut u64,
        _: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        ret(t, ip, mem, bound)
    }

    pub(super) fn ReturnMany(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ReturnMany { src, count });
        if count != 1 {
            return return_many(t, ip, regs, code, mem, bound);
        }
        reg!(regs, 0) = reg!(regs, src);
        ret(t, ip, mem, bound)
    }

    pub(super) fn Copy(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Copy { dst, src });
        reg!(regs, dst) = reg!(regs, src);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn Const32(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Const32 { dst, value });
        reg!(regs, dst) = value as u64;
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn Const64(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Const64 { dst, lo, hi });
        reg!(regs, dst) = (hi as u64) << 32 | lo as u64;
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn Select(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::Select { dst, cond, a, b });
        let v = if reg!(regs, cond) != 0 {
            reg!(regs, a)
        } else {
            reg!(regs, b)
        };
        reg!(regs, dst) = v;
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn F64AddMul(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::F64AddMul { dst, acc, lhs, rhs });
        set!(
            regs,
            dst,
            get!(regs, f64, acc) + get!(regs, f64, lhs) * get!(regs, f64, rhs)
        );
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn F64SubMul(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::F64SubMul { dst, acc, lhs, rhs });
        set!(
            regs,
            dst,
            get!(regs, f64, acc) - get!(regs, f64, lhs) * get!(regs, f64, rhs)
        );
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn GlobalGet(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::GlobalGet { dst, global });
        let ctx = &*t.ctx;
        reg!(regs, dst) = ctx.globals[ctx.inst.globals[global as usize] as usize].value;
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn GlobalSet(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::GlobalSet { src, global });
        let ctx = &mut *t.ctx;
        ctx.globals[ctx.inst.globals[global as usize] as usize].value = reg!(regs, src);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn Call(
        t: T,
        ip: *const Op,
        _: *mut u64,
        _: *const Op,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::Call { func, base });
        let func = t.ctx.inst.funcs[func as usize];
        leave(t, unsafe { ip.add(1) }, Exit::Call { func, base })
    }

    pub(super) fn CallInternal(
        t: T,
        ip: *const Op,
        _: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::CallInternal { func, base });
        // SAFETY: verifier invariant 6: `func` is a defined function of
        // this module.
        let callee = unsafe { t.funcs.get_unchecked(func as usize) };
        enter(t, ip, code, callee, func, base, mem, bound)
    }

    pub(super) fn CallIndirect(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        match ops::call_indirect(t.ctx, table as u32, ty, reg!(regs, index)) {
            Ok(ops::Callee::Local(func)) => {
                let callee = &t.ctx.code[func as usize];
                enter(t, ip, code, callee, func, base, mem, bound)
            }
            Ok(ops::Callee::Store(func)) => {
                leave(t, unsafe { ip.add(1) }, Exit::Call { func, base })
            }
            Err(c) => trap!(t, ip, code, c),
        }
    }

    pub(super) fn MemorySize(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::MemorySize { dst });
        set!(regs, dst, t.ctx.mem.pages());
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn MemoryGrow(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn MemoryFill(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::MemoryFill { dst, value, len });
        let (d, v, n) = (reg!(regs, dst), reg!(regs, value), reg!(regs, len));
        tri!(t, ip, code, ops::memory_fill(t.ctx, d, v, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn MemoryCopy(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        _: *mut u8,
        _: usize,
    ) -> Exit {
        decode!(ip, Op::MemoryCopy { dst, src, len });
        let (d, s, n) = (reg!(regs, dst), reg!(regs, src), reg!(regs, len));
        tri!(t, ip, code, ops::memory_copy(t.ctx, d, s, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn MemoryInit(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        tri!(t, ip, code, ops::memory_init(t.ctx, data, d, s, n));
        let (mem, bound) = mem_view(t);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn DataDrop(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::DataDrop { data });
        ops::data_drop(t.ctx, data);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableGet(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableGet { dst, index, table });
        reg!(regs, dst) = tri!(t, ip, code, ops::table_get(t.ctx, table, reg!(regs, index)));
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableSet(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        tri!(t, ip, code, ops::table_set(t.ctx, table, i, v));
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableSize(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableSize { dst, table });
        set!(regs, dst, ops::table_size(t.ctx, table));
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableGrow(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableGrow { dst, table });
        let (init, delta) = (reg!(regs, dst), reg!(regs, dst + 1));
        set!(regs, dst, ops::table_grow(t.ctx, table, init, delta));
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableFill(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableFill { args, table });
        tri!(
            t,
            ip,
            code,
            ops::table_fill(t.ctx, table, three(regs, args))
        );
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableCopy(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
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
        tri!(
            t,
            ip,
            code,
            ops::table_copy(t.ctx, dst_table, src_table, args)
        );
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn TableInit(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::TableInit { args, table, elem });
        tri!(
            t,
            ip,
            code,
            ops::table_init(t.ctx, table, elem, three(regs, args))
        );
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn ElemDrop(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::ElemDrop { elem });
        ops::elem_drop(t.ctx, elem);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn RefFunc(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::RefFunc { dst, func });
        reg!(regs, dst) = ops::ref_func(t.ctx, func);
        next!(t, ip, regs, code, mem, bound)
    }

    pub(super) fn RefIsNull(
        t: T,
        ip: *const Op,
        regs: *mut u64,
        code: *const Op,
        mem: *mut u8,
        bound: usize,
    ) -> Exit {
        decode!(ip, Op::RefIsNull { dst, src });
        set!(regs, dst, reg!(regs, src) == 0);
        next!(t, ip, regs, code, mem, bound)
    }
}

/// Defines the handlers of the table ops (module `table`) and `HANDLERS`,
/// in `Op`'s declaration order.
macro_rules! define_handlers {
    (
        load { $( $ln:ident / $lx:ident / $li:ident ($lm:ty) -> $lv:ty; )* }
        store { $( $sn:ident / $sx:ident ($sv:ty) -> $sm:ty; )* }
        unary { $( $un:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $tn:ident ($ta:ty) -> $tr:ty = $tf:expr; )* }
        binary { $( $bn:ident $(/ $bimm:ident)? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $btn:ident ($bta:ty, $btb:ty) -> $btr:ty = $btf:expr; )* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $( $chn:ident ($cht:ty) = $chf:expr; )* }
    ) => {
        #[allow(non_snake_case)]
        mod table {
            use super::*;

            type T<'c, 'a, 'x> = &'x mut Thread<'c, 'a>;

            $(
                pub(super) fn $ln(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$ln { dst, addr, offset });
                    let start = reg!(regs, addr) as u32 as u64 + offset as u64;
                    const N: usize = core::mem::size_of::<$lm>();
                    let Some(bytes) = load::<N>(mem, bound, start) else {
                        return access_slow(t, ip, regs, code, start + N as u64);
                    };
                    set!(regs, dst, <$lm>::from_le_bytes(bytes) as $lv);
                    next!(t, ip, regs, code, mem, bound)
                }
                pub(super) fn $lx(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$lx { dst, base, index, offset });
                    let addr = get!(regs, u32, base).wrapping_add(get!(regs, u32, index));
                    let start = addr as u64 + offset as u64;
                    const N: usize = core::mem::size_of::<$lm>();
                    let Some(bytes) = load::<N>(mem, bound, start) else {
                        return access_slow(t, ip, regs, code, start + N as u64);
                    };
                    set!(regs, dst, <$lm>::from_le_bytes(bytes) as $lv);
                    next!(t, ip, regs, code, mem, bound)
                }
                pub(super) fn $li(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$li { dst, addr, imm });
                    let start = get!(regs, u32, addr).wrapping_add(imm as u32) as u64;
                    const N: usize = core::mem::size_of::<$lm>();
                    let Some(bytes) = load::<N>(mem, bound, start) else {
                        return access_slow(t, ip, regs, code, start + N as u64);
                    };
                    set!(regs, dst, <$lm>::from_le_bytes(bytes) as $lv);
                    next!(t, ip, regs, code, mem, bound)
                }
            )*
            $(
                pub(super) fn $sn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sn { addr, value, offset });
                    let bytes = (get!(regs, $sv, value) as $sm).to_le_bytes();
                    let start = reg!(regs, addr) as u32 as u64 + offset as u64;
                    if store(mem, bound, start, bytes) {
                        next!(t, ip, regs, code, mem, bound)
                    }
                    access_slow(t, ip, regs, code, start + bytes.len() as u64)
                }
                pub(super) fn $sx(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$sx { base, index, value, offset });
                    let addr = get!(regs, u32, base).wrapping_add(get!(regs, u32, index));
                    let bytes = (get!(regs, $sv, value) as $sm).to_le_bytes();
                    let start = addr as u64 + offset as u64;
                    if store(mem, bound, start, bytes) {
                        next!(t, ip, regs, code, mem, bound)
                    }
                    access_slow(t, ip, regs, code, start + bytes.len() as u64)
                }
            )*
            $(
                pub(super) fn $un(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$un { dst, src });
                    let f: fn($ua) -> $ur = $uf;
                    set!(regs, dst, f(get!(regs, $ua, src)));
                    next!(t, ip, regs, code, mem, bound)
                }
            )*
            $(
                pub(super) fn $tn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$tn { dst, src });
                    let f: fn($ta) -> Result<$tr, NumericTrap> = $tf;
                    set!(regs, dst, tri!(t, ip, code, f(get!(regs, $ta, src))));
                    next!(t, ip, regs, code, mem, bound)
                }
            )*
            $(
                pub(super) fn $bn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$bn { dst, lhs, rhs });
                    let f: fn($ba, $bb) -> $br = $bf;
                    set!(regs, dst, f(get!(regs, $ba, lhs), get!(regs, $bb, rhs)));
                    next!(t, ip, regs, code, mem, bound)
                }
                $(
                    pub(super) fn $bimm(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$bimm { dst, lhs, imm });
                        let f: fn($ba, $bb) -> $br = $bf;
                        set!(regs, dst, f(get!(regs, $ba, lhs), <$bb as FromImm>::from_imm(imm)));
                        next!(t, ip, regs, code, mem, bound)
                    }
                )?
            )*
            $(
                pub(super) fn $btn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$btn { dst, lhs, rhs });
                    let f: fn($bta, $btb) -> Result<$btr, NumericTrap> = $btf;
                    set!(regs, dst, tri!(t, ip, code, f(get!(regs, $bta, lhs), get!(regs, $btb, rhs))));
                    next!(t, ip, regs, code, mem, bound)
                }
            )*
            $(
                pub(super) fn $cn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cn { dst, lhs, rhs });
                    let f: fn($ca, $ca) -> bool = $cf;
                    set!(regs, dst, f(get!(regs, $ca, lhs), get!(regs, $ca, rhs)));
                    next!(t, ip, regs, code, mem, bound)
                }
                pub(super) fn $cbr(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cbr { lhs, rhs, target });
                    let f: fn($ca, $ca) -> bool = $cf;
                    if f(get!(regs, $ca, lhs), get!(regs, $ca, rhs)) {
                        jump!(t, target, regs, code, mem, bound)
                    }
                    next!(t, ip, regs, code, mem, bound)
                }
                pub(super) fn $cbrnot(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$cbrnot { lhs, rhs, target });
                    let f: fn($ca, $ca) -> bool = $cf;
                    if !f(get!(regs, $ca, lhs), get!(regs, $ca, rhs)) {
                        jump!(t, target, regs, code, mem, bound)
                    }
                    next!(t, ip, regs, code, mem, bound)
                }
                $(
                    pub(super) fn $cimm(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cimm { dst, lhs, imm });
                        let f: fn($ca, $ca) -> bool = $cf;
                        set!(regs, dst, f(get!(regs, $ca, lhs), <$ca as FromImm>::from_imm(imm)));
                        next!(t, ip, regs, code, mem, bound)
                    }
                    pub(super) fn $cbrimm(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cbrimm { lhs, imm, target });
                        let f: fn($ca, $ca) -> bool = $cf;
                        if f(get!(regs, $ca, lhs), <$ca as FromImm>::from_imm(imm)) {
                            jump!(t, target, regs, code, mem, bound)
                        }
                        next!(t, ip, regs, code, mem, bound)
                    }
                    pub(super) fn $cbrnotimm(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                        decode!(ip, Op::$cbrnotimm { lhs, imm, target });
                        let f: fn($ca, $ca) -> bool = $cf;
                        if !f(get!(regs, $ca, lhs), <$ca as FromImm>::from_imm(imm)) {
                            jump!(t, target, regs, code, mem, bound)
                        }
                        next!(t, ip, regs, code, mem, bound)
                    }
                    $(
                        // `rhs` is read after the step: it may be `lhs`.
                        pub(super) fn $cstep(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                            decode!(ip, Op::$cstep { lhs, rhs, step, target });
                            let v = get!(regs, i32, lhs).wrapping_add(step as i32);
                            set!(regs, lhs, v);
                            let f: fn($ca, $ca) -> bool = $cf;
                            if f(v as $ca, get!(regs, $ca, rhs)) {
                                jump!(t, target, regs, code, mem, bound)
                            }
                            next!(t, ip, regs, code, mem, bound)
                        }
                        pub(super) fn $cstepimm(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                            decode!(ip, Op::$cstepimm { lhs, step, imm, target });
                            let v = get!(regs, i32, lhs).wrapping_add(step as i32);
                            set!(regs, lhs, v);
                            let f: fn($ca, $ca) -> bool = $cf;
                            if f(v as $ca, <$ca as FromImm>::from_imm(imm as i32)) {
                                jump!(t, target, regs, code, mem, bound)
                            }
                            next!(t, ip, regs, code, mem, bound)
                        }
                    )?
                )?
            )*
            $(
                pub(super) fn $chn(t: T, ip: *const Op, regs: *mut u64, code: *const Op, mem: *mut u8, bound: usize) -> Exit {
                    decode!(ip, Op::$chn { dst, lhs, rhs, imm });
                    let f: fn($cht, $cht, i32) -> $cht = $chf;
                    set!(regs, dst, f(get!(regs, $cht, lhs), get!(regs, $cht, rhs), imm));
                    next!(t, ip, regs, code, mem, bound)
                }
            )*
        }

        /// Handlers by tag. Its length is the number of ops, so a missing
        /// handler does not compile; `handlers_follow_op_order` checks
        /// the order against `Op::SHAPE`.
        static HANDLERS: [Handler; Op::SHAPE.len()] = [
            control::Unreachable, control::ConsumeFuel, control::Br, control::BrIfNez,
            control::BrIfEqz, control::StepBrIfNez, control::StepBrIfEqz, control::BrTable,
            control::BrCopy, control::Return, control::ReturnMany, control::Copy,
            control::Const32, control::Const64, control::Select, control::F64AddMul,
            control::F64SubMul, control::GlobalGet, control::GlobalSet, control::Call,
            control::CallInternal, control::CallIndirect, control::MemorySize,
            control::MemoryGrow, control::MemoryFill, control::MemoryCopy,
            control::MemoryInit, control::DataDrop, control::TableGet, control::TableSet,
            control::TableSize, control::TableGrow, control::TableFill, control::TableCopy,
            control::TableInit, control::ElemDrop, control::RefFunc, control::RefIsNull,
            $( table::$ln, )*
            $( table::$sn, )*
            $( table::$lx, )*
            $( table::$li, )*
            $( table::$sx, )*
            $( table::$un, )*
            $( table::$tn, )*
            $( table::$bn, $( table::$bimm, )? )*
            $( table::$btn, )*
            $( table::$cn, table::$cbr, table::$cbrnot, $( table::$cimm, table::$cbrimm, table::$cbrnotimm, $( table::$cstep, table::$cstepimm, )? )? )*
            $( table::$chn, )*
        ];

        /// The op name each entry of `HANDLERS` is for.
        #[cfg(test)]
        static HANDLER_NAMES: [&str; Op::SHAPE.len()] = [
            "Unreachable", "ConsumeFuel", "Br", "BrIfNez", "BrIfEqz", "StepBrIfNez",
            "StepBrIfEqz", "BrTable", "BrCopy", "Return", "ReturnMany", "Copy", "Const32",
            "Const64", "Select", "F64AddMul", "F64SubMul", "GlobalGet",
            "GlobalSet", "Call", "CallInternal", "CallIndirect", "MemorySize", "MemoryGrow",
            "MemoryFill", "MemoryCopy", "MemoryInit", "DataDrop", "TableGet", "TableSet",
            "TableSize", "TableGrow", "TableFill", "TableCopy", "TableInit", "ElemDrop",
            "RefFunc", "RefIsNull",
            $( stringify!($ln), )*
            $( stringify!($sn), )*
            $( stringify!($lx), )*
            $( stringify!($li), )*
            $( stringify!($sx), )*
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
mod tests {
    use super::*;

    #[test]
    fn handlers_follow_op_order() {
        for (i, (name, _)) in Op::SHAPE.iter().enumerate() {
            assert_eq!(HANDLER_NAMES[i], *name, "handler {i}");
        }
    }
}
