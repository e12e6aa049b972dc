//! Translation of validated function bodies into register bytecode.
//!
//! One pass over each body's operators. The Wasm operand stack is modelled at
//! translation time ([`stack`]): locals and constants are read in place,
//! results go to the slot of the stack height they occupy, and the translator
//! emits copies only where a value must move. Blocks and branches are resolved
//! here ([`control`]) so the executor never searches for a label. Numeric and
//! memory operators map one to one onto ops generated from the same table as
//! the executor ([`crate::isa::for_each_numeric`]).

mod control;
mod stack;
mod tails;
mod visit;

use alloc::vec::Vec;
use core::fmt;

use kestrel_core::ModuleInfo;
use kestrel_core::wasmparser::{
    BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources,
};

use crate::isa::{Op, Reg, for_each_memory, for_each_numeric};
use control::{Block, BlockKind};
use stack::Operand;

/// Why a function body could not be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranslateError {
    /// The function needs more than 65,535 slots for its locals and operand
    /// stack, more than a [`Reg`] addresses.
    FrameTooLarge,
    /// An operator Kestrel does not implement (outside Wasm 2.0).
    Unsupported {
        /// Byte offset of the operator.
        offset: usize,
    },
    /// The body could not be read (cannot happen for a validated module).
    Malformed(kestrel_core::Error),
    /// The function has no body in the bytes given.
    MissingBody,
    /// The translator produced code the verifier rejects: a Kestrel bug,
    /// refused rather than run (the executor relies on verified code).
    Unverified {
        /// Index of the rejected op, if one op is at fault.
        at: Option<u32>,
        /// What the verifier found.
        reason: crate::verify::VerifyError,
    },
}

impl fmt::Display for TranslateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TranslateError::FrameTooLarge => {
                f.write_str("function needs more than 65535 locals and stack slots")
            }
            TranslateError::Unsupported { offset } => {
                write!(f, "unsupported instruction at byte offset {offset:#x}")
            }
            TranslateError::Malformed(e) => fmt::Display::fmt(e, f),
            TranslateError::Unverified { at, reason } => {
                write!(f, "internal error: translated code failed verification")?;
                if let Some(at) = at {
                    write!(f, " at op {at}")?;
                }
                write!(f, ": {reason}")
            }
            TranslateError::MissingBody => {
                f.write_str("function body not found in the module bytes")
            }
        }
    }
}

impl From<kestrel_core::wasmparser::BinaryReaderError> for TranslateError {
    fn from(e: kestrel_core::wasmparser::BinaryReaderError) -> Self {
        TranslateError::Malformed(e.into())
    }
}

/// A translated function (defined in `crate::code`, which builds without
/// the translator).
pub use crate::code::{Code, CompiledFunc};

pub(crate) struct Translator<'m> {
    module: &'m ModuleInfo,
    /// The defined index of the function translated.
    defined: usize,
    /// Its number of locals, with the parameters.
    locals: u16,
    ops: Vec<Op>,
    stack: Vec<Operand>,
    blocks: Vec<Block>,
    /// Emptied patch lists of ended blocks, for the next blocks (and, through
    /// [`Scratch`], the next functions): a function opens many blocks, and
    /// most have forward branches.
    spare_patches: Vec<Vec<usize>>,
    /// Loop back-edges (`Br`s) that follow a conditional branch, which
    /// [`finish`](Self::finish) may turn around (see
    /// [`orient_back_jumps`](Self::orient_back_jumps)).
    back_jumps: Vec<usize>,
    num_locals: usize,
    max_height: usize,
    /// Index of the last op if it wrote the top entry and nothing since has
    /// read or moved it: it may be retargeted or fused with a branch.
    fusable: Option<usize>,
    /// `ops.len()` when the last label (a place branches jump to) was
    /// bound: an op placed there must not be fused with the one before it.
    label: usize,
    /// Whether the current code can be reached.
    reachable: bool,
    /// Blocks opened inside unreachable code, which are skipped.
    unreachable_depth: u32,
    /// Whether to emit fuel accounting.
    metering: bool,
    /// The `ConsumeFuel` op charging the current straight-line run.
    fuel: Option<usize>,
}

/// Translates defined function `defined` of `module`, decoded (and
/// validated) from `bytes`.
pub fn translate(
    module: &ModuleInfo,
    bytes: &[u8],
    defined: usize,
    metering: bool,
) -> Result<CompiledFunc, TranslateError> {
    let body = module
        .body(bytes, defined)
        .ok_or(TranslateError::MissingBody)?;
    let mut num_locals = module
        .func_type(module.imported_funcs + defined as u32)
        .params()
        .len();
    let mut locals_reader = body.get_locals_reader()?;
    for _ in 0..locals_reader.get_count() {
        let (count, _) = locals_reader.read()?;
        num_locals = num_locals.saturating_add(count as usize);
    }
    let mut reader = body.get_operators_reader()?;
    let code_bytes = (body.range().end - body.range().start) as usize;
    let mut scratch = Scratch::default();
    let mut t = Translator::new(
        module,
        defined,
        num_locals,
        code_bytes,
        metering,
        &mut scratch,
    )?;
    while !reader.eof() {
        let offset = reader.original_position() as usize;
        let op = reader.read()?;
        if t.operator(&op, offset)? {
            break;
        }
    }
    t.finish(&mut scratch)
}

/// Validates and translates a function body in one pass over its code:
/// each operator is validated with `validator` before it is translated, so
/// the translator only ever sees a valid prefix of the body. `module` must
/// hold every section before the code section. A validation failure is
/// `TranslateError::Malformed`.
pub fn translate_validating(
    module: &ModuleInfo,
    defined: usize,
    body: &FunctionBody<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    metering: bool,
) -> Result<CompiledFunc, TranslateError> {
    let mut scratch = Scratch::default();
    translate_validating_in(module, defined, body, validator, metering, &mut scratch)
}

/// The translator's working buffers, kept from one function to the next
/// (as wasmparser's `FuncValidatorAllocations`): translating a module then
/// allocates little more than each function's final code.
#[derive(Default)]
pub(crate) struct Scratch {
    ops: Vec<Op>,
    stack: Vec<Operand>,
    blocks: Vec<Block>,
    spare_patches: Vec<Vec<usize>>,
    back_jumps: Vec<usize>,
    /// [`tails::shorten_jumps`]'s list of branches.
    branches: Vec<u32>,
}

/// As [`translate_validating`], with buffers reused from the previous
/// function.
pub(crate) fn translate_validating_in(
    module: &ModuleInfo,
    defined: usize,
    body: &FunctionBody<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    metering: bool,
    scratch: &mut Scratch,
) -> Result<CompiledFunc, TranslateError> {
    let mut reader = body.get_binary_reader();
    validator
        .read_locals(&mut reader)
        .map_err(|e| TranslateError::Malformed(e.into()))?;
    let num_locals = validator.len_locals() as usize;
    // Operators are decoded as the enabled features say (without
    // multi-memory, a memory index byte must be zero), as wasmparser's own
    // body validation does.
    reader.set_features(*validator.features());
    let code_bytes = reader.bytes_remaining();
    let mut t = Translator::new(module, defined, num_locals, code_bytes, metering, scratch)?;
    visit::validate_and_translate(reader, validator, &mut t)?;
    t.finish(scratch)
}

impl<'m> Translator<'m> {
    /// A translator for defined function `defined` of `module`, whose body
    /// has `num_locals` locals (with the parameters) and `code_bytes` bytes
    /// of code; it takes its buffers from `scratch`.
    fn new(
        module: &'m ModuleInfo,
        defined: usize,
        num_locals: usize,
        code_bytes: usize,
        metering: bool,
        scratch: &mut Scratch,
    ) -> Result<Self, TranslateError> {
        let ty = module.func_type(module.imported_funcs + defined as u32);
        let locals = u16::try_from(num_locals).map_err(|_| TranslateError::FrameTooLarge)?;
        let mut ops = core::mem::take(&mut scratch.ops);
        ops.clear();
        // Sized from the body so the op list rarely grows: compilers' code
        // makes about one op per two to three bytes.
        ops.reserve(code_bytes / 3 + 4);
        let mut stack = core::mem::take(&mut scratch.stack);
        stack.clear();
        let mut blocks = core::mem::take(&mut scratch.blocks);
        blocks.clear();
        let mut back_jumps = core::mem::take(&mut scratch.back_jumps);
        back_jumps.clear();
        let mut t = Translator {
            module,
            defined,
            locals,
            ops,
            stack,
            blocks,
            spare_patches: core::mem::take(&mut scratch.spare_patches),
            back_jumps,
            num_locals,
            max_height: 0,
            fusable: None,
            label: 0,
            reachable: true,
            unreachable_depth: 0,
            metering,
            fuel: None,
        };
        t.blocks.push(Block {
            kind: BlockKind::Func,
            base: 0,
            params: 0,
            results: ty.results().len(),
            patches: t.spare_patches.pop().unwrap_or_default(),
        });
        t.start_fuel_run();
        Ok(t)
    }

    /// The translated function, once the body's final `end` is translated;
    /// the buffers go back to `scratch`.
    fn finish(mut self, scratch: &mut Scratch) -> Result<CompiledFunc, TranslateError> {
        self.orient_back_jumps();
        if !self.metering {
            tails::shorten_jumps(&mut self.ops, &mut scratch.branches);
        }
        let frame_size = self.slot(self.max_height)?;
        let ty = self
            .module
            .func_type(self.module.imported_funcs + self.defined as u32);
        // Copied out at its size: the list stays for the next function.
        let func = CompiledFunc::new(
            Code::Owned(self.ops.as_slice().into()),
            ty.params().len() as u16,
            self.locals,
            frame_size,
        );
        // The buffers go back; `scratch.branches` never left.
        scratch.ops = self.ops;
        scratch.stack = self.stack;
        scratch.blocks = self.blocks;
        scratch.spare_patches = self.spare_patches;
        scratch.back_jumps = self.back_jumps;
        Ok(func)
    }

    /// Turns `br_if c A; br B` around into `br_if !c B; br A` where `B` is
    /// the head of a loop that is more likely taken than `A`: `A` leaves
    /// the loop (it lies ahead) or goes to an outer loop's head (it lies
    /// before `B`). A loop's iteration then runs one op instead of two.
    ///
    /// Both ops keep their places, so no other target moves; the `br` is
    /// no branch's target (checked when it was noted) and all targets are
    /// final here.
    fn orient_back_jumps(&mut self) {
        for &at in &self.back_jumps {
            let (Some(&Op::Br { target: head }), Some(cond)) = (
                self.ops.get(at),
                at.checked_sub(1).and_then(|c| self.ops.get(c)),
            ) else {
                continue;
            };
            let mut cond = *cond;
            let Some(&mut other) = cond.target_mut() else {
                continue;
            };
            let (head, other_at) = (head as usize, other as usize);
            if head >= at || !(other_at > at || other_at < head) {
                continue;
            }
            let Some(mut turned) = cond.inverted() else {
                continue;
            };
            if let Some(t) = turned.target_mut() {
                *t = head as u32;
            }
            self.ops[at - 1] = turned;
            self.ops[at] = Op::Br { target: other };
        }
    }
}

/// The tested register and mask of an `and` with a constant that fits 16
/// bits (unsigned): [`Op::SelectAnd`]'s operands.
fn small_mask(op: &Op) -> Option<(Reg, u16)> {
    match *op {
        Op::I32AndImm { lhs, imm, .. } | Op::I64AndImm { lhs, imm, .. } => {
            Some((lhs, u16::try_from(imm).ok()?))
        }
        _ => None,
    }
}

impl Translator<'_> {
    pub(super) fn emit(&mut self, op: Op) {
        self.fusable = None;
        self.ops.push(op);
    }

    /// Makes the last two ops one `I32AddImm2` if both add a constant that
    /// fits an `i16` to a register in place and no label separates them.
    fn pair_steps(&mut self) {
        let Some(at) = self
            .ops
            .len()
            .checked_sub(1)
            .filter(|&at| at > 0 && self.label != at)
        else {
            return;
        };
        let step = |op: &Op| match *op {
            Op::I32AddImm { dst, lhs, imm } if dst == lhs => Some((dst, i16::try_from(imm).ok()?)),
            _ => None,
        };
        if let (Some((a, imm_a)), Some((b, imm_b))) = (step(&self.ops[at - 1]), step(&self.ops[at]))
        {
            self.ops.pop();
            self.ops[at - 1] = Op::I32AddImm2 { a, b, imm_a, imm_b };
        }
    }

    /// Emits `dst = src`, as one op with a copy just before it that no
    /// label separates from it.
    pub(super) fn emit_copy(&mut self, dst: Reg, src: Reg) {
        match self.last_copy() {
            Some((d, s)) => {
                self.absorb_last(Op::Copy2 {
                    dst: d,
                    src: s,
                    dst2: dst,
                    src2: src,
                });
            }
            None => self.emit(Op::Copy { dst, src }),
        }
    }

    /// The registers of the last op if it is a `Copy` that no label
    /// separates from the op about to be emitted, which may then absorb it.
    pub(super) fn last_copy(&self) -> Option<(Reg, Reg)> {
        match self.ops.last() {
            Some(&Op::Copy { dst, src }) if self.label != self.ops.len() => Some((dst, src)),
            _ => None,
        }
    }

    /// Replaces the last op by `op`, which does its work too; returns its
    /// index.
    pub(super) fn absorb_last(&mut self, op: Op) -> usize {
        self.fusable = None;
        if let Some(last) = self.ops.last_mut() {
            *last = op;
        }
        self.ops.len().saturating_sub(1)
    }

    pub(super) fn emit_index(&mut self, op: Op) -> usize {
        self.emit(op);
        self.ops.len() - 1
    }

    /// Binds a label here: branches may jump to the next op, so it must
    /// not be fused with the ops before it.
    pub(super) fn bind_label(&mut self) {
        self.fusable = None;
        self.label = self.ops.len();
    }

    /// Starts a straight-line run of code that control can enter from
    /// elsewhere (function entry, loop head, after a label): its fuel is
    /// charged by a `ConsumeFuel` op placed here.
    pub(super) fn start_fuel_run(&mut self) {
        if self.metering {
            self.fuel = Some(self.emit_index(Op::ConsumeFuel { amount: 0 }));
        }
    }

    /// The fusable op, if it is the one that wrote `slot`: a second check
    /// besides clearing `fusable` wherever the stack changes without code,
    /// so that fusing can never pick up a value other than the one consumed.
    fn fusable_writing(&mut self, slot: Reg) -> Option<usize> {
        let at = self.fusable?;
        let writes = self.ops.get_mut(at)?.pure_dst_mut().map(|dst| *dst);
        (writes == Some(slot)).then_some(at)
    }

    /// The op that produced the top entry, with its index, if it is the
    /// last op emitted and the entry is still a temporary that only it
    /// wrote: such an op can be folded into the op that consumes the entry
    /// (see [`take_top_producer`](Self::take_top_producer) and
    /// [`emit_chained`](Self::emit_chained)).
    fn top_producer(&mut self) -> Option<(usize, Op)> {
        // The cheap tests first: this runs for every binary op and load.
        let last = self.fusable? + 1 == self.ops.len();
        if !last || !matches!(self.stack.last(), Some(Operand::Temp)) {
            return None;
        }
        let top = self.slot(self.height() - 1).ok()?;
        let at = self.fusable_writing(top)?;
        Some((at, self.ops[at]))
    }

    /// Emits `op`, which wrote the entry just pushed and consumed the entry
    /// that `producer` (from [`top_producer`](Self::top_producer), taken
    /// before `op`'s operands were popped) wrote: as one op with the
    /// producer if [`Op::chain`] has one and the producer is still the last
    /// op.
    fn emit_chained(&mut self, producer: Option<(usize, Op)>, op: Op) {
        let fused = producer
            .filter(|&(at, _)| at + 1 == self.ops.len())
            .and_then(|(_, first)| first.chain(&op));
        if let Some(fused) = fused {
            self.ops.pop();
            self.emit_result(fused);
        } else {
            self.emit_result(op);
        }
    }

    /// Removes the top entry and the op [`top_producer`](Self::top_producer)
    /// returned. The registers that op read still hold what it read: it was
    /// the last op.
    fn take_top_producer(&mut self) {
        self.ops.pop();
        self.stack.pop();
        self.fusable = None;
    }

    /// A `select` on `eqz(x)` is a `select` on `x` with its operands swapped
    /// (compilers emit this for `if x & 1 == 0 { .. } else { .. }`): if the
    /// top entry is such an `eqz`, removes it and returns the register it
    /// tested.
    fn eqz_on_top(&mut self) -> Option<Reg> {
        let (_, Op::I32Eqz { src, .. } | Op::I64Eqz { src, .. }) = self.top_producer()? else {
            return None;
        };
        self.take_top_producer();
        Some(src)
    }

    /// A `select` on `x & mask`, `mask` a constant of at most 16 bits,
    /// tests the bits itself: if the top entry is such an `and`, removes it
    /// and returns `x` and the mask.
    fn mask_on_top(&mut self) -> Option<(Reg, u16)> {
        let (_, op) = self.top_producer()?;
        let test = small_mask(&op)?;
        self.take_top_producer();
        Some(test)
    }

    /// As [`mask_on_top`](Self::mask_on_top), for the `and` behind an `eqz`
    /// that [`eqz_on_top`](Self::eqz_on_top) just removed: the last op, if
    /// it wrote `tested`, a temporary only that `eqz` read, and no label
    /// lies between it and the `eqz`.
    fn mask_behind(&mut self, tested: Reg) -> Option<(Reg, u16)> {
        let op = *self.ops.last()?;
        let writes =
            matches!(op, Op::I32AndImm { dst, .. } | Op::I64AndImm { dst, .. } if dst == tested);
        if !writes || (tested as usize) < self.num_locals || self.label == self.ops.len() {
            return None;
        }
        let test = small_mask(&op)?;
        self.ops.pop();
        self.fusable = None;
        Some(test)
    }

    /// A load or store at `a + b` reads both registers itself: if the top
    /// entry is such an `i32.add`, removes it and returns its operands.
    fn add_on_top(&mut self) -> Option<(Reg, Reg)> {
        let (_, Op::I32Add { lhs, rhs, .. }) = self.top_producer()? else {
            return None;
        };
        self.take_top_producer();
        Some((lhs, rhs))
    }

    /// A load at `base + (index << shift)` (array indexing) reads both
    /// registers itself: if the top entry is such an `I32AddShlImm` and
    /// `offset` fits the fused op's `u16`, removes it and returns its
    /// operands, shift and the offset.
    fn shl_add_on_top(&mut self, offset: u32) -> Option<(Reg, Reg, u8, u16)> {
        let offset = u16::try_from(offset).ok()?;
        let (_, Op::I32AddShlImm { lhs, rhs, imm, .. }) = self.top_producer()? else {
            return None;
        };
        self.take_top_producer();
        // The add shifted by `imm` modulo 32, as `i32.shl` does.
        Some((lhs, rhs, (imm & 31) as u8, offset))
    }

    /// A load without offset at `a + imm` reads `a` itself: if the top entry
    /// is such an `i32.add` (or `i32.sub`) and `offset` is zero, removes it
    /// and returns its operand and immediate.
    fn add_imm_on_top(&mut self, offset: u32) -> Option<(Reg, i32)> {
        let (lhs, imm) = match self.top_producer().filter(|_| offset == 0)? {
            (_, Op::I32AddImm { lhs, imm, .. }) => (lhs, imm),
            (_, Op::I32SubImm { lhs, imm, .. }) => (lhs, imm.wrapping_neg()),
            _ => return None,
        };
        self.take_top_producer();
        Some((lhs, imm))
    }

    /// A store of `width` bytes at `offset` whose value is a load of as
    /// many bytes that only the store reads (copying memory: a `memcpy`
    /// loop, a struct move): if the top entry is such a load and the address
    /// below it is in a register already, removes the load and emits a
    /// `Move…` in its place. `false`, having changed nothing, otherwise.
    fn move_on_top(&mut self, width: usize, offset: u32) -> bool {
        let Some((_, load)) = self.top_producer() else {
            return false;
        };
        let Some((from, from_offset, read)) = load.plain_load() else {
            return false;
        };
        let Some(below) = self.height().checked_sub(2) else {
            return false;
        };
        let to = match self.stack.get(below) {
            Some(&Operand::Local(local)) => local,
            Some(Operand::Temp) => match self.slot(below) {
                Ok(slot) => slot,
                Err(_) => return false,
            },
            _ => return false,
        };
        let op = u16::try_from(offset)
            .ok()
            .filter(|_| read == width)
            .and_then(|to_offset| Op::moving(width, to, from, to_offset, from_offset));
        let Some(op) = op else {
            return false;
        };
        self.take_top_producer();
        self.stack.pop();
        self.emit(op);
        true
    }

    /// Charges one instruction to the current run.
    fn charge(&mut self) {
        if let Some(Op::ConsumeFuel { amount }) = self.fuel.and_then(|at| self.ops.get_mut(at)) {
            *amount = amount.saturating_add(1);
        }
    }

    /// Emits an op that wrote the entry just pushed.
    fn emit_result(&mut self, op: Op) {
        self.emit(op);
        self.fusable = Some(self.ops.len() - 1);
    }

    /// Pops the condition and emits a branch taken when it is non-zero
    /// (`when`) or zero; returns the branch's index for patching.
    pub(super) fn branch_on(&mut self, when: bool, target: u32) -> Result<usize, TranslateError> {
        let top = self.slot(self.height().saturating_sub(1))?;
        if let (Some(at), Some(Operand::Temp)) = (self.fusable_writing(top), self.stack.last())
            && let Some(mut branch) = self.ops[at].fuse_branch(when)
        {
            self.stack.pop();
            if let Some(t) = branch.target_mut() {
                *t = target;
            }
            self.ops[at] = branch;
            self.fusable = None;
            let at = self.test_bits_in_branch(at);
            return Ok(self.step_into_branch(at));
        }
        let cond = self.pop_reg()?;
        let at = self.emit_index(match when {
            true => Op::BrIfNez { cond, target },
            false => Op::BrIfEqz { cond, target },
        });
        Ok(self.step_into_branch(at))
    }

    /// `br_if (i32.eqz (i32.and x mask))`: the `eqz` became the branch at
    /// `at` (the last op); if the op before it is the `and`, writing the
    /// temporary only that `eqz` read, with no label between them, the
    /// branch tests the bits itself. Returns where the branch is now.
    fn test_bits_in_branch(&mut self, at: usize) -> usize {
        if at == 0 || at + 1 != self.ops.len() || self.label == at {
            return at;
        }
        let (
            Op::I32AndImm { dst, lhs, imm },
            Op::BrIfEqz { cond, target } | Op::BrIfNez { cond, target },
        ) = (self.ops[at - 1], self.ops[at])
        else {
            return at;
        };
        if dst != cond || (dst as usize) < self.num_locals {
            return at;
        }
        let imm = imm as u32;
        self.ops[at - 1] = match self.ops[at] {
            Op::BrIfEqz { .. } => Op::BrIfAndEqz { lhs, imm, target },
            _ => Op::BrIfAndNez { lhs, imm, target },
        };
        self.ops.pop();
        at - 1
    }

    /// A loop's `i += step; br_if (i < n)`: if the op before the branch at
    /// `at` (the last op) adds a small constant to a register in place and
    /// no label lies between them, the branch does the add itself. Returns
    /// where the branch is now.
    fn step_into_branch(&mut self, at: usize) -> usize {
        if at == 0 || at + 1 != self.ops.len() || self.label == at {
            return at;
        }
        let (dst, lhs, step) = match self.ops[at - 1] {
            Op::I32AddImm { dst, lhs, imm } => (dst, lhs, imm as i64),
            Op::I32SubImm { dst, lhs, imm } => (dst, lhs, -(imm as i64)),
            // Two steps paired up: the branch takes the second if it tests
            // it, and the first stands alone again.
            Op::I32AddImm2 { a, b, imm_a, imm_b } => {
                if let Some(fused) = self.ops[at].step_branch(b, imm_b) {
                    self.ops[at - 1] = Op::I32AddImm {
                        dst: a,
                        lhs: a,
                        imm: imm_a.into(),
                    };
                    self.ops[at] = fused;
                    self.fusable = None;
                }
                return at;
            }
            _ => return at,
        };
        let fused = i16::try_from(step)
            .ok()
            .filter(|_| dst == lhs)
            .and_then(|step| self.ops[at].step_branch(dst, step));
        let Some(fused) = fused else {
            return at;
        };
        self.ops.pop();
        self.ops[at - 1] = fused;
        self.fusable = None;
        at - 1
    }

    fn block_arity(&self, ty: BlockType) -> (usize, usize) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let ty = &self.module.types[i as usize];
                (ty.params().len(), ty.results().len())
            }
        }
    }

    /// Skips operators of unreachable code, tracking nesting so the
    /// enclosing block's `else` or `end` is still seen.
    #[cfg_attr(not(kestrel_compact_translate), inline(always))]
    fn skip_unreachable(&mut self, op: &Operator) -> Result<bool, TranslateError> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.unreachable_depth += 1;
            }
            Operator::Else if self.unreachable_depth == 0 => self.enter_else()?,
            Operator::End if self.unreachable_depth == 0 => return self.end(),
            Operator::End => self.unreachable_depth -= 1,
            _ => {}
        }
        Ok(false)
    }

    /// Translates one operator; returns `true` at the end of the body.
    ///
    /// Inlined into each of [`visit::Validating`]'s methods, where `op` is
    /// a constant: each keeps only its own arm of the match.
    #[cfg_attr(not(kestrel_compact_translate), inline(always))]
    fn operator(&mut self, op: &Operator, offset: usize) -> Result<bool, TranslateError> {
        if !self.reachable {
            return self.skip_unreachable(op);
        }
        // Every instruction costs one unit of fuel; `end` and `else` only
        // mark structure.
        if !matches!(op, Operator::End | Operator::Else) {
            self.charge();
        }
        match *op {
            Operator::Unreachable => {
                self.emit(Op::Unreachable);
                self.reachable = false;
            }
            Operator::Nop => {}
            Operator::Block { blockty } => {
                let (params, results) = self.block_arity(blockty);
                self.enter(BlockKind::Block, params, results)?;
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_arity(blockty);
                self.enter(BlockKind::Loop { head: 0 }, params, results)?;
            }
            Operator::If { blockty } => {
                let (params, results) = self.block_arity(blockty);
                self.enter_if(params, results)?;
            }
            Operator::Else => self.enter_else()?,
            Operator::End => return self.end(),
            Operator::Br { relative_depth } => self.br(relative_depth)?,
            Operator::BrIf { relative_depth } => self.br_if(relative_depth)?,
            Operator::BrTable { ref targets } => {
                let default = targets.default();
                let targets = targets.targets().collect::<Result<Vec<u32>, _>>()?;
                self.br_table(&targets, default)?;
            }
            Operator::Return => self.ret()?,
            Operator::Call { function_index } => {
                let ty = self.module.func_type(function_index);
                let (params, results) = (ty.params().len(), ty.results().len());
                let base = self.call_args(params)?;
                self.emit(
                    match function_index.checked_sub(self.module.imported_funcs) {
                        Some(func) => Op::CallInternal { func, base },
                        None => Op::Call {
                            func: function_index,
                            base,
                        },
                    },
                );
                self.call_results(results)?;
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &self.module.types[type_index as usize];
                let (params, results) = (ty.params().len(), ty.results().len());
                // wasmparser allows at most 100 tables.
                let table = u16::try_from(table_index)
                    .map_err(|_| TranslateError::Unsupported { offset })?;
                let index = self.pop_reg()?;
                let base = self.call_args(params)?;
                self.emit(Op::CallIndirect {
                    base,
                    index,
                    table,
                    ty: type_index,
                });
                self.call_results(results)?;
            }
            Operator::Drop => {
                // The dropped value may be what the last op wrote: that op
                // must not be fused with what comes next.
                self.pop();
                self.fusable = None;
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let (cond, mask, swap) = match self.eqz_on_top() {
                    Some(src) => match self.mask_behind(src) {
                        Some((src, mask)) => (src, Some(mask), true),
                        None => (src, None, true),
                    },
                    None => match self.mask_on_top() {
                        Some((src, mask)) => (src, Some(mask), false),
                        None => (self.pop_reg()?, None, false),
                    },
                };
                let b = self.pop_reg()?;
                let a = self.pop_reg()?;
                let dst = self.push_result()?;
                let (a, b) = if swap { (b, a) } else { (a, b) };
                self.emit_result(match mask {
                    Some(mask) => Op::SelectAnd {
                        dst,
                        src: cond,
                        a,
                        b,
                        mask,
                    },
                    None => Op::Select { dst, cond, a, b },
                });
            }
            Operator::LocalGet { local_index } => {
                self.push(Operand::Local(local_index as Reg))?;
            }
            Operator::LocalSet { local_index } => self.local_set(local_index as Reg, false)?,
            Operator::LocalTee { local_index } => self.local_set(local_index as Reg, true)?,
            Operator::GlobalGet { global_index } => {
                let dst = self.push_result()?;
                self.emit_result(Op::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            Operator::GlobalSet { global_index } => {
                let src = self.pop_reg()?;
                self.emit(Op::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            Operator::I32Const { value } => self.push(Operand::Const(value as u32 as u64))?,
            Operator::I64Const { value } => self.push(Operand::Const(value as u64))?,
            Operator::F32Const { value } => self.push(Operand::Const(value.bits() as u64))?,
            Operator::F64Const { value } => self.push(Operand::Const(value.bits()))?,
            Operator::RefNull { .. } => self.push(Operand::Const(0))?,
            Operator::RefIsNull => {
                let src = self.pop_reg()?;
                let dst = self.push_result()?;
                self.emit_result(Op::RefIsNull { dst, src });
            }
            Operator::RefFunc { function_index } => {
                let dst = self.push_result()?;
                self.emit_result(Op::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            // Slots hold raw bits, so reinterpreting is free; and a 32-bit
            // value zero-extended, whatever wrote it (see `Slot`), so the
            // entry is its own `i64.extend_i32_u`.
            Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64
            | Operator::I64ExtendI32U => {}
            Operator::MemorySize { .. } => {
                let dst = self.push_result()?;
                self.emit_result(Op::MemorySize { dst });
            }
            Operator::MemoryGrow { .. } => {
                let delta = self.pop_reg()?;
                let dst = self.push_result()?;
                self.emit_result(Op::MemoryGrow { dst, delta });
            }
            Operator::MemoryFill { .. } => {
                let len = self.pop_reg()?;
                let value = self.pop_reg()?;
                let dst = self.pop_reg()?;
                self.emit(Op::MemoryFill { dst, value, len });
            }
            Operator::MemoryCopy { .. } => {
                let len = self.pop_reg()?;
                let src = self.pop_reg()?;
                let dst = self.pop_reg()?;
                self.emit(Op::MemoryCopy { dst, src, len });
            }
            Operator::MemoryInit { data_index, .. } => {
                let len = self.pop_reg()?;
                let src = self.pop_reg()?;
                let dst = self.pop_reg()?;
                self.emit(Op::MemoryInit {
                    dst,
                    src,
                    len,
                    data: data_index,
                });
            }
            Operator::DataDrop { data_index } => self.emit(Op::DataDrop { data: data_index }),
            Operator::TableGet { table } => {
                let index = self.pop_reg()?;
                let dst = self.push_result()?;
                self.emit_result(Op::TableGet { dst, index, table });
            }
            Operator::TableSet { table } => {
                let value = self.pop_reg()?;
                let index = self.pop_reg()?;
                self.emit(Op::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Operator::TableSize { table } => {
                let dst = self.push_result()?;
                self.emit_result(Op::TableSize { dst, table });
            }
            Operator::TableGrow { table } => {
                self.materialize_top(2)?;
                self.pop();
                self.pop();
                let dst = self.push_result()?;
                self.emit(Op::TableGrow { dst, table });
            }
            Operator::TableFill { table } => {
                let args = self.pop_args(3)?;
                self.emit(Op::TableFill { args, table });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let args = self.pop_args(3)?;
                self.emit(Op::TableCopy {
                    args,
                    dst_table,
                    src_table,
                });
            }
            Operator::TableInit { elem_index, table } => {
                let args = self.pop_args(3)?;
                self.emit(Op::TableInit {
                    args,
                    table,
                    elem: elem_index,
                });
            }
            Operator::ElemDrop { elem_index } => self.emit(Op::ElemDrop { elem: elem_index }),
            ref other => {
                if !self.numeric(other)? {
                    return Err(TranslateError::Unsupported { offset });
                }
            }
        }
        Ok(false)
    }

    /// Puts the top `params` entries in consecutive slots for a call and
    /// pops them; returns the first slot, which becomes the callee's base.
    fn call_args(&mut self, params: usize) -> Result<Reg, TranslateError> {
        self.materialize_top(params)?;
        let base = self.height() - params;
        self.stack.truncate(base);
        self.slot(base)
    }

    fn call_results(&mut self, results: usize) -> Result<(), TranslateError> {
        for _ in 0..results {
            self.push(Operand::Temp)?;
        }
        Ok(())
    }

    /// Pops `count` operands materialised in consecutive slots.
    fn pop_args(&mut self, count: usize) -> Result<Reg, TranslateError> {
        self.materialize_top(count)?;
        let base = self.height() - count;
        self.stack.truncate(base);
        self.slot(base)
    }

    fn local_set(&mut self, local: Reg, tee: bool) -> Result<(), TranslateError> {
        self.preserve_local(local)?;
        let value = self.pop();
        match value {
            Operand::Temp => {
                let slot = self.slot(self.height())?;
                let retarget = self
                    .fusable_writing(slot)
                    .and_then(|at| self.ops[at].pure_dst_mut());
                match retarget {
                    Some(dst) => {
                        *dst = local;
                        self.fusable = None;
                        self.pair_steps();
                        if tee {
                            self.push(Operand::Local(local))?;
                        }
                        return Ok(());
                    }
                    None => {
                        let src = self.slot(self.height())?;
                        self.emit_copy(local, src);
                    }
                }
            }
            Operand::Local(src) if src == local => {}
            Operand::Local(src) => self.emit_copy(local, src),
            Operand::Const(bits) => self.emit_const(local, bits),
        }
        if tee {
            self.push(match value {
                Operand::Const(_) => value,
                _ => Operand::Local(local),
            })?;
        }
        Ok(())
    }

    /// A binary op: uses the immediate form `ri` when the right operand is
    /// a constant that fits, and commutes a constant left operand to the
    /// right with `swapped`, the immediate form of the operator with its
    /// operands swapped ([`swapped_imm_form`]).
    fn binary(
        &mut self,
        rr: fn(Reg, Reg, Reg) -> Op,
        ri: Option<ImmForm>,
        swapped: Option<ImmForm>,
    ) -> Result<(), TranslateError> {
        let h = self.height();
        if let (Operand::Const(bits), rhs) = (self.stack[h - 2], self.stack[h - 1]) {
            // A constant on the left: use the immediate form of the operator
            // with swapped operands, if there is one. The stack entries are
            // not swapped: a `Temp` entry is tied to its slot.
            if let (false, Some((ri, fit))) = (matches!(rhs, Operand::Const(_)), swapped)
                && let Some(imm) = fit(bits)
            {
                let lhs = self.reg_at(h - 1)?;
                self.stack.truncate(h - 2);
                let dst = self.push_result()?;
                self.emit_result(ri(dst, lhs, imm));
                return Ok(());
            }
        }
        if let (Some((ri, fit)), Operand::Const(bits)) = (ri, self.stack[h - 1])
            && let Some(imm) = fit(bits)
        {
            self.stack.pop();
            let producer = self.top_producer();
            let lhs = self.pop_reg()?;
            let dst = self.push_result()?;
            self.emit_chained(producer, ri(dst, lhs, imm));
            return Ok(());
        }
        let producer = self.top_producer();
        let rhs = self.pop_reg()?;
        let lhs = self.pop_reg()?;
        let dst = self.push_result()?;
        self.emit_chained(producer, rr(dst, lhs, rhs));
        Ok(())
    }
}

/// The immediate form of a binary op, and whether a constant fits it.
type ImmForm = (fn(Reg, Reg, i32) -> Op, fn(u64) -> Option<i32>);

/// The immediate form of the operator computing the same result as `op`
/// with its operands swapped, if there is one.
#[cfg_attr(not(kestrel_compact_translate), inline(always))]
fn swapped_imm_form(op: &Operator) -> Option<ImmForm> {
    commuted(op).and_then(|op| imm_form(&op))
}

/// The operator computing the same result with its operands swapped.
#[cfg_attr(not(kestrel_compact_translate), inline(always))]
fn commuted(op: &Operator) -> Option<Operator<'static>> {
    use Operator as O;
    Some(match op {
        O::I32Add => O::I32Add,
        O::I32Mul => O::I32Mul,
        O::I32And => O::I32And,
        O::I32Or => O::I32Or,
        O::I32Xor => O::I32Xor,
        O::I64Add => O::I64Add,
        O::I64Mul => O::I64Mul,
        O::I64And => O::I64And,
        O::I64Or => O::I64Or,
        O::I64Xor => O::I64Xor,
        O::I32Eq => O::I32Eq,
        O::I32Ne => O::I32Ne,
        O::I32LtS => O::I32GtS,
        O::I32LtU => O::I32GtU,
        O::I32GtS => O::I32LtS,
        O::I32GtU => O::I32LtU,
        O::I32LeS => O::I32GeS,
        O::I32LeU => O::I32GeU,
        O::I32GeS => O::I32LeS,
        O::I32GeU => O::I32LeU,
        O::I64Eq => O::I64Eq,
        O::I64Ne => O::I64Ne,
        O::I64LtS => O::I64GtS,
        O::I64LtU => O::I64GtU,
        O::I64GtS => O::I64LtS,
        O::I64GtU => O::I64LtU,
        O::I64LeS => O::I64GeS,
        O::I64LeU => O::I64GeU,
        O::I64GeS => O::I64LeS,
        O::I64GeU => O::I64LeU,
        _ => return None,
    })
}

/// The forms of one load op, for [`Translator::load`].
struct LoadForms {
    plain: fn(Reg, Reg, u32) -> Op,
    idx: fn(Reg, Reg, Reg, u32) -> Op,
    imm: fn(Reg, Reg, i32) -> Op,
    shl: fn(Reg, Reg, Reg, u16, u8) -> Op,
}

/// The forms of one store op and its width, for [`Translator::store`].
struct StoreForms {
    width: usize,
    /// Whether a constant value fits the `…Imm` form.
    fit: fn(u64) -> Option<i32>,
    plain: fn(Reg, Reg, u32) -> Op,
    idx: fn(Reg, Reg, Reg, u32) -> Op,
    imm: fn(Reg, i32, u32) -> Op,
    idx_imm: fn(Reg, Reg, i16, u32) -> Op,
}

// One function for all loads and one for all stores, each op passing its
// forms: inlined where translation speed matters (the forms are then
// constants), shared where code size does (`kestrel_compact_translate`).
impl Translator<'_> {
    /// A load at `offset`, fused with the op that computed its address
    /// where one of its forms allows.
    #[cfg_attr(not(kestrel_compact_translate), inline(always))]
    fn load(&mut self, offset: u32, forms: &LoadForms) -> Result<(), TranslateError> {
        let op = if let Some((base, index)) = self.add_on_top() {
            (forms.idx)(self.push_result()?, base, index, offset)
        } else if let Some((addr, imm)) = self.add_imm_on_top(offset) {
            (forms.imm)(self.push_result()?, addr, imm)
        } else if let Some((base, index, shift, offset)) = self.shl_add_on_top(offset) {
            (forms.shl)(self.push_result()?, base, index, offset, shift)
        } else {
            let addr = self.pop_reg()?;
            (forms.plain)(self.push_result()?, addr, offset)
        };
        self.emit_result(op);
        Ok(())
    }

    /// A store at `offset`: a `Move…` if its value is a load only it reads,
    /// else fused with the op that computed its address and with a
    /// constant value where its forms allow.
    #[cfg_attr(not(kestrel_compact_translate), inline(always))]
    fn store(&mut self, offset: u32, forms: &StoreForms) -> Result<(), TranslateError> {
        if self.move_on_top(forms.width, offset) {
            return Ok(());
        }
        // Fused only when taking the value emits nothing (a local or a
        // constant), so the add is still the last op.
        match self.stack.last() {
            Some(&Operand::Const(bits)) => {
                if let Some(imm) = (forms.fit)(bits) {
                    self.stack.pop();
                    let narrow = i16::try_from(imm).ok();
                    match narrow.and_then(|value| Some((value, self.add_on_top()?))) {
                        Some((value, (base, index))) => {
                            self.emit((forms.idx_imm)(base, index, value, offset));
                        }
                        None => {
                            let addr = self.pop_reg()?;
                            self.emit((forms.imm)(addr, imm, offset));
                        }
                    }
                    return Ok(());
                }
            }
            Some(&Operand::Local(value)) => {
                self.stack.pop();
                if let Some((base, index)) = self.add_on_top() {
                    self.emit((forms.idx)(base, index, value, offset));
                    return Ok(());
                }
                self.push(Operand::Local(value))?;
            }
            _ => {}
        }
        let value = self.pop_reg()?;
        let addr = self.pop_reg()?;
        self.emit((forms.plain)(addr, value, offset));
        Ok(())
    }
}

/// Whether a constant fits the `i32` immediate of an op on this type.
trait ImmFit {
    fn fit(bits: u64) -> Option<i32>;
}
impl ImmFit for i32 {
    fn fit(bits: u64) -> Option<i32> {
        Some(bits as u32 as i32)
    }
}
impl ImmFit for u32 {
    fn fit(bits: u64) -> Option<i32> {
        Some(bits as u32 as i32)
    }
}
impl ImmFit for i64 {
    fn fit(bits: u64) -> Option<i32> {
        i32::try_from(bits as i64).ok()
    }
}
impl ImmFit for u64 {
    fn fit(bits: u64) -> Option<i32> {
        i32::try_from(bits as i64).ok()
    }
}

macro_rules! imm_form {
    ($t:ty) => {
        None
    };
    ($t:ty, $imm:ident) => {
        Some((
            (|dst, lhs, imm| Op::$imm { dst, lhs, imm }) as fn(Reg, Reg, i32) -> Op,
            <$t as ImmFit>::fit as fn(u64) -> Option<i32>,
        ))
    };
}

macro_rules! define_translate_numeric {
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
        impl Translator<'_> {
            /// Translates a numeric or memory access operator; `false` if
            /// `op` is neither. Inlined, like [`Translator::operator`].
            #[cfg_attr(not(kestrel_compact_translate), inline(always))]
            fn numeric(&mut self, op: &Operator) -> Result<bool, TranslateError> {
                match *op {
                    $(
                        Operator::$ln { memarg } => self.load(memarg.offset as u32, &LoadForms {
                            plain: |dst, addr, offset| Op::$ln { dst, addr, offset },
                            idx: |dst, base, index, offset| Op::$lx { dst, base, index, offset },
                            imm: |dst, addr, imm| Op::$li { dst, addr, imm },
                            shl: |dst, base, index, offset, shift| Op::$ls { dst, base, index, offset, shift },
                        })?,
                    )*
                    $(
                        Operator::$sn { memarg } => self.store(memarg.offset as u32, &StoreForms {
                            width: core::mem::size_of::<$sm>(),
                            fit: <$sv as ImmFit>::fit,
                            plain: |addr, value, offset| Op::$sn { addr, value, offset },
                            idx: |base, index, value, offset| Op::$sx { base, index, value, offset },
                            imm: |addr, value, offset| Op::$sk { addr, value, offset },
                            idx_imm: |base, index, value, offset| Op::$sxk { base, index, value, offset },
                        })?,
                    )*
                    // `x & 0xffff_ffff` (no immediate form fits the mask:
                    // they sign-extend) keeps the low half, as
                    // `i64.extend_i32_u` of it does.
                    Operator::I64And if self.stack.last() == Some(&Operand::Const(0xffff_ffff)) => {
                        self.stack.pop();
                        let src = self.pop_reg()?;
                        let dst = self.push_result()?;
                        self.emit_result(Op::I64ExtendI32U { dst, src });
                    }
                    $(
                        Operator::$un => {
                            let src = self.pop_reg()?;
                            let dst = self.push_result()?;
                            self.emit_result(Op::$un { dst, src });
                        }
                    )*
                    $(
                        Operator::$tn => {
                            let src = self.pop_reg()?;
                            let dst = self.push_result()?;
                            self.emit_result(Op::$tn { dst, src });
                        }
                    )*
                    $(
                        Operator::$bn => self.binary(
                            |dst, lhs, rhs| Op::$bn { dst, lhs, rhs },
                            imm_form!($bb $(, $bimm)?),
                            swapped_imm_form(op),
                        )?,
                    )*
                    $(
                        Operator::$btn => self.binary(
                            |dst, lhs, rhs| Op::$btn { dst, lhs, rhs },
                            None,
                            None,
                        )?,
                    )*
                    $(
                        Operator::$cn => self.binary(
                            |dst, lhs, rhs| Op::$cn { dst, lhs, rhs },
                            imm_form!($ca $(, $cimm)?),
                            swapped_imm_form(op),
                        )?,
                    )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }

        /// The immediate form of a binary operator, with the test of whether
        /// a constant fits it.
        #[cfg_attr(not(kestrel_compact_translate), inline(always))]
        fn imm_form(op: &Operator) -> Option<ImmForm> {
            match *op {
                $( Operator::$bn => imm_form!($bb $(, $bimm)?), )*
                $( Operator::$cn => imm_form!($ca $(, $cimm)?), )*
                _ => None,
            }
        }
    };
}
for_each_memory!(for_each_numeric define_translate_numeric);
