//! The dispatch loop: fetch an op, run its handler, repeat.
//!
//! This is the only place that knows how the next op is reached. It runs the
//! ops of one frame until the frame calls, returns or traps, and reports that
//! as an [`Exit`]; the driver in [`super`] switches frames. Numeric and memory
//! handlers are generated from the op tables in [`crate::isa`].

// With tail-call dispatch the loop is not run; it stays compiled, so both
// backends are kept building.
#![cfg_attr(kestrel_tail_calls, allow(dead_code))]

use alloc::boxed::Box;

use super::memory;
use super::numeric::{self, NumericTrap};
use super::ops;
use super::{Frame, OpsPtr, ValueStack};
use crate::TrapCode;
use crate::code::CompiledFunc;
use crate::isa::{FromImm, Op, Reg, Slot, for_each_memory, for_each_numeric};
use crate::limits::Limiter;
use crate::store::{FuncEntity, GlobalEntity, InstanceEntity, MemoryEntity, TableEntity};

/// Why the loop stopped.
pub(crate) enum Exit {
    /// The top frame calls store function `func` (a host function or one of
    /// another instance) with arguments at `base`.
    Call {
        func: u32,
        base: Reg,
    },
    /// The frame the run started with returned; its results are at its base.
    Return,
    Trap(TrapCode),
    /// Not enough fuel for the run at the resume point, which has not been
    /// charged.
    OutOfFuel,
}

/// The parts of the store a frame's ops touch.
pub(crate) struct Ctx<'a> {
    pub inst: &'a InstanceEntity,
    pub mem: &'a mut MemoryEntity,
    pub tables: &'a mut [TableEntity],
    pub globals: &'a mut [GlobalEntity],
    pub funcs: &'a [FuncEntity],
    pub elems: &'a mut [Box<[u64]>],
    pub data_dropped: &'a mut [bool],
    pub fuel: &'a mut u64,
    pub limiter: &'a mut Limiter,
    /// The instance's store index and its module's translated functions.
    pub instance: u32,
    pub code: &'a [CompiledFunc],
    /// Frames may be pushed while `frames.len()` is below this.
    pub depth_limit: usize,
    /// The value stack may grow to this many slots.
    pub max_slots: usize,
}

/// Pushes a frame for `func` at `base` after the caller's frame, growing the
/// slots if needed and zeroing the callee's non-parameter locals.
#[inline(always)]
pub(super) fn push_frame(
    stack: &mut ValueStack,
    func: &CompiledFunc,
    instance: u32,
    index: u32,
    base: usize,
    depth_limit: usize,
    max_slots: usize,
) -> Result<(), TrapCode> {
    if stack.frames.len() >= depth_limit {
        return Err(TrapCode::StackOverflow);
    }
    let end = base + func.frame_size as usize;
    if end > stack.slots.len() {
        grow(&mut stack.slots, end, max_slots)?;
    }
    zero_locals(&mut stack.slots[base..end], func);
    let base = u32::try_from(base).map_err(|_| TrapCode::StackOverflow)?;
    if stack.frames.len() == stack.frames.capacity() {
        grow_frames(&mut stack.frames, depth_limit)?;
    }
    stack.frames.push(Frame {
        code: OpsPtr(func.ops.as_ptr()),
        resume: 0,
        base,
        instance,
        func: index,
    });
    Ok(())
}

/// Slack [`push_fast`] needs above a callee's frame: it zeroes locals in
/// runs of this many slots, which may reach past the frame.
const ZERO_RUN: usize = 4;

/// Most non-parameter locals [`push_fast`] zeroes: four runs.
const FAST_LOCALS: usize = 4 * ZERO_RUN;

/// The frame push of a call within the instance on its common path, which
/// needs no growth: the slots have room for the callee's frame and
/// [`ZERO_RUN`] more, a frame may be pushed without reallocating, and the
/// callee has at most [`FAST_LOCALS`] non-parameter locals. Otherwise it
/// returns `false` and pushes nothing: [`push_frame`] does the rest.
///
/// `frame_room` is `depth_limit.min(frames.capacity())` (see
/// [`room_for_frames`]), so one comparison covers the limit and the
/// capacity. The callee's locals are zeroed by runs of [`ZERO_RUN`] slots
/// (fixed-size stores, no call to `memset`), the last of which may reach
/// past the callee's frame: those slots are above the top frame, so no frame
/// is using them. On success the caller's frame resumes at byte offset
/// `resume` and the callee's frame is of the caller's instance and runs
/// `code` (its ops, or the tail-call backend's copy of them); on failure
/// nothing is written.
///
/// # Safety
///
/// The caller's frame is on top of `stack` (`frames` is not empty) and
/// calls `func`, a function of its own instance.
#[inline(always)]
pub(super) unsafe fn push_fast(
    stack: &mut ValueStack,
    func: &CompiledFunc,
    code: *const Op,
    index: u32,
    base: usize,
    frame_room: usize,
    resume: impl FnOnce(&Frame) -> u32,
) -> bool {
    let len = stack.frames.len();
    let params = func.params as usize;
    let to_zero = (func.locals as usize).wrapping_sub(params);
    let end = base + func.frame_size as usize + ZERO_RUN;
    if len >= frame_room || end > stack.slots.len() || to_zero > FAST_LOCALS {
        return false;
    }
    // SAFETY: `params + to_zero = locals <= frame_size` (verifier invariant
    // 1). Run `k` (slots `4k..4k + 4` from `params`) is written when `k` is
    // 0 or `4k < to_zero`; either way `base + params + 4k + 4 <= base +
    // locals + ZERO_RUN <= end <= slots.len()`.
    unsafe {
        let locals = stack.slots.as_mut_ptr().add(base + params);
        let run = |k: usize| {
            locals
                .add(k * ZERO_RUN)
                .cast::<[u64; ZERO_RUN]>()
                .write_unaligned([0; ZERO_RUN])
        };
        run(0);
        if to_zero > ZERO_RUN {
            run(1);
            if to_zero > 2 * ZERO_RUN {
                run(2);
                if to_zero > 3 * ZERO_RUN {
                    run(3);
                }
            }
        }
    }
    // `grow` keeps the slots within `u32::MAX`, and `base < slots.len()`.
    debug_assert!(u32::try_from(base).is_ok());
    // SAFETY: the caller's frame is at `len - 1` (the caller's promise);
    // `len < frame_room <= frames.capacity()`, so the new frame is written
    // inside the allocation and `len + 1` elements are initialised.
    unsafe {
        let frames = stack.frames.as_mut_ptr();
        let caller = &mut *frames.add(len - 1);
        caller.resume = resume(caller);
        let instance = caller.instance;
        frames.add(len).write(Frame {
            code: OpsPtr(code),
            resume: 0,
            base: base as u32,
            instance,
            func: index,
        });
        stack.frames.set_len(len + 1);
    }
    true
}

/// How many frames [`push_fast`] may have below it: the depth limit, or
/// the frames' capacity if less.
#[inline(always)]
pub(super) fn room_for_frames(stack: &ValueStack, depth_limit: usize) -> usize {
    depth_limit.min(stack.frames.capacity())
}

/// Zeroes the non-parameter locals of a new frame `frame` of `func`. Most
/// functions have a few; a call to `memset` for them cost more than the
/// stores, so up to four are written as one fixed-size store (which may
/// also zero temporaries of the frame: they are written before they are
/// read).
#[inline(always)]
fn zero_locals(frame: &mut [u64], func: &CompiledFunc) {
    let (params, locals) = (func.params as usize, func.locals as usize);
    match frame.get_mut(params..params + 4) {
        Some(four) if locals - params <= 4 => four.copy_from_slice(&[0; 4]),
        _ => frame[params..locals].fill(0),
    }
}

/// Makes room for one more frame (doubling, but not past `depth_limit`, so a
/// small board's heap is not spent on frames the limit forbids); an
/// allocation failure is the same trap as the limit.
#[cold]
fn grow_frames(frames: &mut alloc::vec::Vec<Frame>, depth_limit: usize) -> Result<(), TrapCode> {
    let len = frames.len();
    let target = (len * 2).clamp(len + 1, depth_limit.max(len + 1));
    frames
        .try_reserve_exact(target - len)
        .map_err(|_| TrapCode::StackOverflow)
}

/// Grows the slots to at least `end` (doubling), within `max_slots`; an
/// allocation failure is the same trap as the limit.
#[cold]
fn grow(slots: &mut alloc::vec::Vec<u64>, end: usize, max_slots: usize) -> Result<(), TrapCode> {
    // Frame bases are `u32`: no more slots than that, whatever the config.
    let max_slots = max_slots.min(u32::MAX as usize);
    if end > max_slots {
        return Err(TrapCode::StackOverflow);
    }
    let len = end.max(slots.len() * 2).min(max_slots);
    slots
        .try_reserve_exact(len - slots.len())
        .map_err(|_| TrapCode::StackOverflow)?;
    slots.resize(len, 0);
    Ok(())
}

impl From<NumericTrap> for TrapCode {
    fn from(t: NumericTrap) -> Self {
        match t {
            NumericTrap::DivisionByZero => TrapCode::IntegerDivisionByZero,
            NumericTrap::IntegerOverflow => TrapCode::IntegerOverflow,
            NumericTrap::InvalidConversion => TrapCode::BadConversionToInteger,
        }
    }
}

/// The three operands of a bulk table op, at `args..args + 3` (checked).
fn three(regs: &[u64], args: Reg) -> [u64; 3] {
    let a = args as usize;
    [regs[a], regs[a + 1], regs[a + 2]]
}

/// Register `r` of the running frame, unchecked.
///
/// # Safety
///
/// `r < regs.len()`: see the argument at the top of [`run`].
#[inline(always)]
unsafe fn slot(regs: &mut [u64], r: Reg) -> &mut u64 {
    debug_assert!((r as usize) < regs.len());
    // SAFETY: the caller promises `r` is in bounds.
    unsafe { regs.get_unchecked_mut(r as usize) }
}

macro_rules! define_run {
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
        /// Runs the top frame of `stack` (a function of `ctx`'s instance)
        /// from its resume point, and the frames of the same instance it
        /// calls, until that frame returns, a call leaves the instance, or a
        /// trap. The top frame's resume point is left after the op that
        /// stopped the run.
        pub(crate) fn run(ctx: &mut Ctx<'_>, stack: &mut ValueStack) -> Exit {
            let entry = stack.frames.len();
            let Some(&top) = stack.frames.last() else { return Exit::Return };
            let compiled = ctx.code;
            let mut code: &[Op] = &compiled[top.func as usize].ops;
            // SAFETY: a saved resume point names an op of its function (below).
            let mut ip: *const Op = unsafe { top.resume_at() };
            debug_assert!(code.as_ptr_range().contains(&ip));
            let mut base = top.base as usize;
            let mut regs: &mut [u64] = &mut stack.slots[base..];
            // Register and op accesses below skip bounds checks, and `ip` is a
            // pointer into `code`. SAFETY (for `reg!`, `jump!`, the op fetch
            // and every `ip` adjustment): each function
            // run here passed `verify` when its module was made (translated
            // or loaded from an image; `Module` has no other constructor and
            // its code is immutable). By its invariant 2 every single-slot
            // register operand is below the function's `frame_size`, and
            // `regs` is `slots[base..]` with `base + frame_size <=
            // slots.len()` (`push_frame` and `push_fast` make room for a frame
            // before it is entered and the slots never shrink while it runs). By invariants 3,
            // 4 and 5, `ip` names an op of `code` whenever it is read: it starts at 0 of
            // a non-empty function or at a resume point (after a call, which is
            // never last, or at a `ConsumeFuel` to retry), every jump target
            // is in range, `BrTable` entries exist, and no op that falls
            // through is last. Multi-slot operands keep checked slicing.
            macro_rules! reg {
                ($r:expr) => { *unsafe { slot(regs, $r) } };
            }
            macro_rules! get {
                ($t:ty, $r:expr) => { <$t as Slot>::from_bits(reg!($r)) };
            }
            macro_rules! set {
                ($r:expr, $v:expr) => { reg!($r) = Slot::into_bits($v) };
            }
            macro_rules! jump {
                ($target:expr) => {{
                    debug_assert!(($target as usize) < code.len());
                    ip = unsafe { code.as_ptr().add($target as usize) };
                }};
            }
            macro_rules! exit {
                ($e:expr) => {{
                    if let Some(top) = stack.frames.last_mut() { top.set_resume(ip) }
                    return $e;
                }};
            }
            // Pushes a frame for `callee`, defined function `func` of this
            // instance, at `at` and continues there.
            macro_rules! enter_local {
                ($callee:expr, $func:expr, $at:expr) => {{
                    let (callee, func, at): (&CompiledFunc, u32, Reg) = ($callee, $func, $at);
                    let callee_base = base + at as usize;
                    let resume = super::resume_offset(code.as_ptr(), ip);
                    // SAFETY: the running frame is on top of the stack
                    // (`entry >= 1`), and `callee` is of its instance.
                    // Computed here rather than kept across the loop, which
                    // has no register to spare for it.
                    let frame_room = room_for_frames(stack, ctx.depth_limit);
                    if !unsafe { push_fast(stack, callee, callee.ops.as_ptr(), func, callee_base, frame_room, |_| resume) } {
                        if let Some(top) = stack.frames.last_mut() { top.resume = resume }
                        tri!(push_frame(stack, callee, ctx.instance, func, callee_base, ctx.depth_limit, ctx.max_slots));
                    }
                    code = &callee.ops;
                    jump!(0);
                    base = callee_base;
                    // SAFETY: the push made `base + frame_size <= slots.len()`.
                    regs = unsafe { stack.slots.get_unchecked_mut(base..) };
                }};
            }
            macro_rules! trap {
                ($c:expr) => { exit!(Exit::Trap($c)) };
            }
            macro_rules! tri {
                ($e:expr) => { match $e { Ok(v) => v, Err(c) => trap!(c.into()) } };
            }
            loop {
                debug_assert!(code.as_ptr_range().contains(&ip));
                // SAFETY: `ip` names an op of `code`, see above; after the
                // last op it may point one past the end, never read.
                let op: &Op = unsafe { &*ip };
                ip = unsafe { ip.add(1) };
                #[cfg(feature = "op-profile")]
                super::profile::record(op);
                match *op {
                    Op::Unreachable => trap!(TrapCode::Unreachable),
                    Op::ConsumeFuel { amount } => match ctx.fuel.checked_sub(amount as u64) {
                        Some(left) => *ctx.fuel = left,
                        None => {
                            // Resume at this op, charging the run again.
                            ip = unsafe { ip.sub(1) };
                            exit!(Exit::OutOfFuel)
                        }
                    },
                    Op::Br { target } => jump!(target),
                    Op::BrIfNez { cond, target } => {
                        if reg!(cond) != 0 { jump!(target) }
                    }
                    Op::BrIfEqz { cond, target } => {
                        if reg!(cond) == 0 { jump!(target) }
                    }
                    Op::StepBrIfNez { cond, step, target } => {
                        let v = get!(i32, cond).wrapping_add(step as i32);
                        set!(cond, v);
                        if v != 0 { jump!(target) }
                    }
                    Op::StepBrIfEqz { cond, step, target } => {
                        let v = get!(i32, cond).wrapping_add(step as i32);
                        set!(cond, v);
                        if v == 0 { jump!(target) }
                    }
                    Op::BrIfAndNez { lhs, imm, target } => {
                        if get!(u32, lhs) & imm != 0 { jump!(target) }
                    }
                    Op::BrIfAndEqz { lhs, imm, target } => {
                        if get!(u32, lhs) & imm == 0 { jump!(target) }
                    }
                    Op::BrTable { index, len } => {
                        // Invariant 4: the `len + 1` entries follow.
                        let entry = (reg!(index) as u32).min(len) as usize;
                        ip = unsafe { ip.add(entry) };
                        // Most entries are a plain `Br`: take it here rather
                        // than dispatch it (the entry exists, as above).
                        if let Op::Br { target } = unsafe { *ip } {
                            jump!(target)
                        }
                    }
                    Op::BrCopy { dst, src, count, target } => {
                        let src = src as usize;
                        regs.copy_within(src..src + count as usize, dst as usize);
                        jump!(target);
                    }
                    Op::Return | Op::ReturnMany { .. } => {
                        if let Op::ReturnMany { src, count } = *op {
                            let src = src as usize;
                            regs.copy_within(src..src + count as usize, 0);
                        }
                        let len = stack.frames.len();
                        if len == entry {
                            exit!(Exit::Return)
                        }
                        // SAFETY: `len > entry >= 1`, so the caller's frame
                        // is at `len - 2`; dropping the top frame (plain
                        // data) is `set_len`.
                        let caller = unsafe {
                            stack.frames.set_len(len - 1);
                            *stack.frames.get_unchecked(len - 2)
                        };
                        // SAFETY: the caller is the run's entry frame or was
                        // pushed by this run, so it runs a function of this
                        // instance: `func` indexes `compiled`.
                        code = unsafe { &compiled.get_unchecked(caller.func as usize).ops };
                        // SAFETY: the caller's resume point is after its
                        // call, which is never last.
                        ip = unsafe { caller.resume_at() };
                        base = caller.base as usize;
                        // SAFETY: the caller's frame was pushed with
                        // `base + frame_size <= slots.len()`, and the slots
                        // never shrink.
                        regs = unsafe { stack.slots.get_unchecked_mut(base..) };
                    }
                    Op::Copy { dst, src } => reg!(dst) = reg!(src),
                    Op::I32AddImm2 { a, b, imm_a, imm_b } => {
                        set!(a, get!(i32, a).wrapping_add(imm_a.into()));
                        set!(b, get!(i32, b).wrapping_add(imm_b.into()));
                    }
                    Op::Copy2 { dst, src, dst2, src2 } => {
                        reg!(dst) = reg!(src);
                        reg!(dst2) = reg!(src2);
                    }
                    Op::Const32 { dst, value } => reg!(dst) = value as u64,
                    Op::Const64 { dst, lo, hi } => {
                        reg!(dst) = (hi as u64) << 32 | lo as u64
                    }
                    Op::Select { dst, cond, a, b } => {
                        let v = if reg!(cond) != 0 { reg!(a) } else { reg!(b) };
                        reg!(dst) = v;
                    }
                    Op::SelectAnd { dst, src, a, b, mask } => {
                        let v = if reg!(src) & u64::from(mask) != 0 { reg!(a) } else { reg!(b) };
                        reg!(dst) = v;
                    }
                    Op::F64AddMul { dst, acc, lhs, rhs } => {
                        set!(dst, get!(f64, acc) + get!(f64, lhs) * get!(f64, rhs));
                    }
                    Op::F64SubMul { dst, acc, lhs, rhs } => {
                        set!(dst, get!(f64, acc) - get!(f64, lhs) * get!(f64, rhs));
                    }
                    Op::Move8 { to, from, to_offset, from_offset } => {
                        tri!(memory::move_bytes::<1>(ctx.mem, reg!(from), from_offset, reg!(to), to_offset.into()))
                    }
                    Op::Move16 { to, from, to_offset, from_offset } => {
                        tri!(memory::move_bytes::<2>(ctx.mem, reg!(from), from_offset, reg!(to), to_offset.into()))
                    }
                    Op::Move32 { to, from, to_offset, from_offset } => {
                        tri!(memory::move_bytes::<4>(ctx.mem, reg!(from), from_offset, reg!(to), to_offset.into()))
                    }
                    Op::Move64 { to, from, to_offset, from_offset } => {
                        tri!(memory::move_bytes::<8>(ctx.mem, reg!(from), from_offset, reg!(to), to_offset.into()))
                    }
                    Op::GlobalGet { dst, global } => {
                        reg!(dst) = ctx.globals[ctx.inst.globals[global as usize] as usize].value;
                    }
                    Op::GlobalSet { src, global } => {
                        ctx.globals[ctx.inst.globals[global as usize] as usize].value = reg!(src);
                    }
                    // An imported function: the host's, or another instance's.
                    Op::Call { func, base } => {
                        exit!(Exit::Call { func: ctx.inst.funcs[func as usize], base })
                    }
                    // A call within the instance stays in this loop.
                    Op::CallInternal { func, base: at } => {
                        // SAFETY: verifier invariant 6: `func` is a defined
                        // function of this module.
                        let callee = unsafe { compiled.get_unchecked(func as usize) };
                        enter_local!(callee, func, at)
                    }
                    Op::CallIndirect { base, index, table, ty } => {
                        match tri!(ops::call_indirect(ctx, table as u32, ty, reg!(index))) {
                            // Same instance: stays in this loop, as CallInternal.
                            ops::Callee::Local(index) => enter_local!(&compiled[index as usize], index, base),
                            ops::Callee::Store(func) => exit!(Exit::Call { func, base }),
                        }
                    }
                    Op::MemorySize { dst } => set!(dst, ctx.mem.pages()),
                    Op::MemoryGrow { dst, delta } => {
                        let result = ctx.mem.grow(get!(u32, delta), ctx.limiter).unwrap_or(u32::MAX);
                        set!(dst, result);
                    }
                    Op::MemoryFill { dst, value, len } => {
                        tri!(ops::memory_fill(ctx, reg!(dst), reg!(value), reg!(len)))
                    }
                    Op::MemoryCopy { dst, src, len } => {
                        tri!(ops::memory_copy(ctx, reg!(dst), reg!(src), reg!(len)))
                    }
                    Op::MemoryInit { dst, src, len, data } => {
                        tri!(ops::memory_init(ctx, data, reg!(dst), reg!(src), reg!(len)))
                    }
                    Op::DataDrop { data } => ops::data_drop(ctx, data),
                    Op::TableGet { dst, index, table } => {
                        reg!(dst) = tri!(ops::table_get(ctx, table, reg!(index)))
                    }
                    Op::TableSet { index, value, table } => {
                        tri!(ops::table_set(ctx, table, reg!(index), reg!(value)))
                    }
                    Op::TableSize { dst, table } => set!(dst, ops::table_size(ctx, table)),
                    Op::TableGrow { dst, table } => {
                        let (init, delta) = (regs[dst as usize], regs[dst as usize + 1]);
                        set!(dst, ops::table_grow(ctx, table, init, delta));
                    }
                    Op::TableFill { args, table } => {
                        tri!(ops::table_fill(ctx, table, three(regs, args)))
                    }
                    Op::TableCopy { args, dst_table, src_table } => {
                        tri!(ops::table_copy(ctx, dst_table, src_table, three(regs, args)))
                    }
                    Op::TableInit { args, table, elem } => {
                        tri!(ops::table_init(ctx, table, elem, three(regs, args)))
                    }
                    Op::ElemDrop { elem } => ops::elem_drop(ctx, elem),
                    Op::RefFunc { dst, func } => reg!(dst) = ops::ref_func(ctx, func),
                    Op::RefIsNull { dst, src } => set!(dst, reg!(src) == 0),
                    $(
                        Op::$ln { dst, addr, offset } => {
                            let bytes = tri!(memory::load::<{ core::mem::size_of::<$lm>() }>(ctx.mem.bytes(), reg!(addr), offset));
                            set!(dst, <$lm>::from_le_bytes(bytes) as $lv);
                        }
                    )*
                    $(
                        Op::$sn { addr, value, offset } => {
                            let v = get!($sv, value) as $sm;
                            tri!(memory::store(ctx.mem, reg!(addr), offset, v.to_le_bytes()));
                        }
                    )*
                    $(
                        Op::$lx { dst, base, index, offset } => {
                            let addr = get!(u32, base).wrapping_add(get!(u32, index));
                            let bytes = tri!(memory::load::<{ core::mem::size_of::<$lm>() }>(ctx.mem.bytes(), addr as u64, offset));
                            set!(dst, <$lm>::from_le_bytes(bytes) as $lv);
                        }
                    )*
                    $(
                        Op::$ls { dst, base, index, offset, shift } => {
                            let addr = get!(u32, base).wrapping_add(get!(u32, index).wrapping_shl(shift as u32));
                            let bytes = tri!(memory::load::<{ core::mem::size_of::<$lm>() }>(ctx.mem.bytes(), addr as u64, offset.into()));
                            set!(dst, <$lm>::from_le_bytes(bytes) as $lv);
                        }
                    )*
                    $(
                        Op::$li { dst, addr, imm } => {
                            let addr = get!(u32, addr).wrapping_add(imm as u32);
                            let bytes = tri!(memory::load::<{ core::mem::size_of::<$lm>() }>(ctx.mem.bytes(), addr as u64, 0));
                            set!(dst, <$lm>::from_le_bytes(bytes) as $lv);
                        }
                    )*
                    $(
                        Op::$sx { base, index, value, offset } => {
                            let addr = get!(u32, base).wrapping_add(get!(u32, index));
                            let v = get!($sv, value) as $sm;
                            tri!(memory::store(ctx.mem, addr as u64, offset, v.to_le_bytes()));
                        }
                        Op::$sk { addr, value, offset } => {
                            let v = <$sv as FromImm>::from_imm(value) as $sm;
                            tri!(memory::store(ctx.mem, reg!(addr), offset, v.to_le_bytes()));
                        }
                        Op::$sxk { base, index, value, offset } => {
                            let addr = get!(u32, base).wrapping_add(get!(u32, index));
                            let v = <$sv as FromImm>::from_imm(value.into()) as $sm;
                            tri!(memory::store(ctx.mem, addr as u64, offset, v.to_le_bytes()));
                        }
                    )*
                    $(
                        Op::$un { dst, src } => {
                            let f: fn($ua) -> $ur = $uf;
                            set!(dst, f(get!($ua, src)));
                        }
                    )*
                    $(
                        Op::$tn { dst, src } => {
                            let f: fn($ta) -> Result<$tr, NumericTrap> = $tf;
                            set!(dst, tri!(f(get!($ta, src))));
                        }
                    )*
                    $(
                        Op::$bn { dst, lhs, rhs } => {
                            let f: fn($ba, $bb) -> $br = $bf;
                            set!(dst, f(get!($ba, lhs), get!($bb, rhs)));
                        }
                        $(
                            Op::$bimm { dst, lhs, imm } => {
                                let f: fn($ba, $bb) -> $br = $bf;
                                set!(dst, f(get!($ba, lhs), <$bb as FromImm>::from_imm(imm)));
                            }
                        )?
                    )*
                    $(
                        Op::$btn { dst, lhs, rhs } => {
                            let f: fn($bta, $btb) -> Result<$btr, NumericTrap> = $btf;
                            set!(dst, tri!(f(get!($bta, lhs), get!($btb, rhs))));
                        }
                    )*
                    $(
                        Op::$cn { dst, lhs, rhs } => {
                            let f: fn($ca, $ca) -> bool = $cf;
                            set!(dst, f(get!($ca, lhs), get!($ca, rhs)));
                        }
                        Op::$cbr { lhs, rhs, target } => {
                            let f: fn($ca, $ca) -> bool = $cf;
                            if f(get!($ca, lhs), get!($ca, rhs)) { jump!(target) }
                        }
                        Op::$cbrnot { lhs, rhs, target } => {
                            let f: fn($ca, $ca) -> bool = $cf;
                            if !f(get!($ca, lhs), get!($ca, rhs)) { jump!(target) }
                        }
                        $(
                            Op::$cimm { dst, lhs, imm } => {
                                let f: fn($ca, $ca) -> bool = $cf;
                                set!(dst, f(get!($ca, lhs), <$ca as FromImm>::from_imm(imm)));
                            }
                            Op::$cbrimm { lhs, imm, target } => {
                                let f: fn($ca, $ca) -> bool = $cf;
                                if f(get!($ca, lhs), <$ca as FromImm>::from_imm(imm)) { jump!(target) }
                            }
                            Op::$cbrnotimm { lhs, imm, target } => {
                                let f: fn($ca, $ca) -> bool = $cf;
                                if !f(get!($ca, lhs), <$ca as FromImm>::from_imm(imm)) { jump!(target) }
                            }
                            $(
                                // `rhs` is read after the step: it may be `lhs`.
                                Op::$cstep { lhs, rhs, step, target } => {
                                    let v = get!(i32, lhs).wrapping_add(step as i32);
                                    set!(lhs, v);
                                    let f: fn($ca, $ca) -> bool = $cf;
                                    if f(v as $ca, get!($ca, rhs)) { jump!(target) }
                                }
                                Op::$cstepimm { lhs, step, imm, target } => {
                                    let v = get!(i32, lhs).wrapping_add(step as i32);
                                    set!(lhs, v);
                                    let f: fn($ca, $ca) -> bool = $cf;
                                    if f(v as $ca, <$ca as FromImm>::from_imm(imm as i32)) { jump!(target) }
                                }
                            )?
                        )?
                    )*
                    $(
                        Op::$chn { dst, lhs, rhs, imm } => {
                            let f: fn($cht, $cht, i32) -> $cht = $chf;
                            set!(dst, f(get!($cht, lhs), get!($cht, rhs), imm));
                        }
                    )*
                }
            }
        }
    };
}
for_each_memory!(for_each_numeric define_run);
