//! Blocks, branches and the resolution of branch targets.
//!
//! A label's values live in the slots starting at the label's base height, so
//! every path into a label leaves its values in the same slots. A branch that
//! carries values copies them there (`BrCopy`) unless they already are.
//! Forward targets are patched when the label's `end` is reached.

use alloc::vec::Vec;

use super::stack::Operand;
use super::{TranslateError, Translator};
use crate::isa::Op;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockKind {
    /// The function body: a branch to it returns.
    Func,
    Block,
    Loop {
        /// Where a branch to the loop jumps.
        head: u32,
    },
    If {
        /// The branch to patch to the `else` arm or the end.
        to_else: Option<usize>,
    },
    Else,
}

#[derive(Debug)]
pub(super) struct Block {
    pub kind: BlockKind,
    /// Operand stack height below the block's parameters.
    pub base: usize,
    pub params: usize,
    pub results: usize,
    /// Forward branches to patch with the block's end.
    pub patches: Vec<usize>,
}

impl Block {
    /// How many values a branch to this block carries.
    fn branch_arity(&self) -> usize {
        match self.kind {
            BlockKind::Loop { .. } => self.params,
            _ => self.results,
        }
    }
}

/// Where a branch goes.
enum Dest {
    Return,
    Known(u32),
    /// Patched at the end of block `index`.
    Forward(usize),
}

impl Translator<'_> {
    pub(super) fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    /// Enters a block; `params` entries on the stack belong to it.
    pub(super) fn enter(
        &mut self,
        kind: BlockKind,
        params: usize,
        results: usize,
    ) -> Result<(), TranslateError> {
        self.preserve_all_locals()?;
        self.materialize_top(params)?;
        let base = self.height() - params;
        let kind = match kind {
            BlockKind::Loop { .. } => {
                self.bind_label();
                BlockKind::Loop { head: self.pc() }
            }
            other => other,
        };
        let is_loop = matches!(kind, BlockKind::Loop { .. });
        self.blocks.push(Block {
            kind,
            base,
            params,
            results,
            patches: self.spare_patches.pop().unwrap_or_default(),
        });
        if is_loop {
            // Every iteration enters here.
            self.start_fuel_run();
        }
        Ok(())
    }

    /// `if`: the condition is on top of the block's parameters.
    pub(super) fn enter_if(&mut self, params: usize, results: usize) -> Result<(), TranslateError> {
        // The condition is read before any local is preserved, so a fused
        // compare stays the last op.
        let cond = self.pop();
        let needs_preserve = self.stack.iter().any(|e| matches!(e, Operand::Local(_)))
            || self.stack[self.height() - params..]
                .iter()
                .any(|e| *e != Operand::Temp);
        let to_else = if needs_preserve {
            // Materialising emits copies, so compute the condition into a
            // register first.
            self.push(cond)?;
            let cond = self.pop_reg()?;
            self.enter(BlockKind::Block, params, results)?;
            self.emit_index(Op::BrIfEqz { cond, target: 0 })
        } else {
            self.enter(BlockKind::Block, params, results)?;
            self.push(cond)?;
            self.branch_on(false, 0)?
        };
        if let Some(block) = self.blocks.last_mut() {
            block.kind = BlockKind::If {
                to_else: Some(to_else),
            };
        }
        self.start_fuel_run();
        Ok(())
    }

    /// `else`: ends the `then` arm and starts the `else` arm.
    pub(super) fn enter_else(&mut self) -> Result<(), TranslateError> {
        let reachable = self.reachable;
        let Some(block) = self.blocks.last() else {
            return Ok(());
        };
        let (base, params, results) = (block.base, block.params, block.results);
        let to_else = match block.kind {
            BlockKind::If { to_else } => to_else,
            _ => None,
        };
        if reachable {
            self.materialize_top(results)?;
            let at = self.emit_index(Op::Br { target: 0 });
            if let Some(block) = self.blocks.last_mut() {
                block.patches.push(at);
            }
        }
        if let Some(at) = to_else {
            self.patch(at, self.pc());
        }
        self.bind_label();
        self.stack.truncate(base);
        for _ in 0..params {
            self.push(Operand::Temp)?;
        }
        if let Some(block) = self.blocks.last_mut() {
            block.kind = BlockKind::Else;
        }
        self.reachable = true;
        self.start_fuel_run();
        Ok(())
    }

    /// `end`: binds the block's label and leaves its results on the stack.
    /// Returns `true` when the function body ended.
    pub(super) fn end(&mut self) -> Result<bool, TranslateError> {
        let Some(block) = self.blocks.pop() else {
            return Ok(true);
        };
        if self.reachable && block.kind != BlockKind::Func {
            self.materialize_top(block.results)?;
        }
        if block.kind == BlockKind::Func {
            if self.reachable {
                self.emit_return(block.results)?;
            }
            // Empty (a branch to the function returns), kept for the next.
            self.spare_patches.push(block.patches);
            return Ok(true);
        }
        let end = self.pc();
        let mut patches = block.patches;
        for &at in &patches {
            self.patch(at, end);
        }
        patches.clear();
        self.spare_patches.push(patches);
        if let BlockKind::If { to_else: Some(at) } = block.kind {
            self.patch(at, end);
        }
        self.bind_label();
        self.stack.truncate(block.base);
        for _ in 0..block.results {
            self.push(Operand::Temp)?;
        }
        self.reachable = true;
        self.start_fuel_run();
        Ok(false)
    }

    fn dest(&self, depth: u32) -> Dest {
        let index = self.blocks.len() - 1 - depth as usize;
        match self.blocks[index].kind {
            BlockKind::Func => Dest::Return,
            BlockKind::Loop { head } => Dest::Known(head),
            _ => Dest::Forward(index),
        }
    }

    fn set_target(&mut self, at: usize, dest: &Dest) {
        match *dest {
            Dest::Known(target) => self.patch(at, target),
            Dest::Forward(block) => self.blocks[block].patches.push(at),
            Dest::Return => {}
        }
    }

    /// The op that completes a branch to `depth` whose values are the top
    /// `arity` (materialised) entries, without its target set.
    fn branch_op(&mut self, depth: u32) -> Result<Op, TranslateError> {
        let block = &self.blocks[self.blocks.len() - 1 - depth as usize];
        let arity = block.branch_arity();
        let base = block.base;
        let src_height = self.height() - arity;
        let count = u16::try_from(arity).map_err(|_| TranslateError::FrameTooLarge)?;
        let src = self.slot(src_height)?;
        Ok(match self.dest(depth) {
            Dest::Return if arity == 0 => Op::Return,
            Dest::Return => Op::ReturnMany { src, count },
            _ if arity == 0 || base == src_height => Op::Br { target: 0 },
            _ => Op::BrCopy {
                dst: self.slot(base)?,
                src,
                count,
                target: 0,
            },
        })
    }

    /// Whether a branch to `depth` needs no op besides the jump itself.
    fn branch_is_plain(&self, depth: u32) -> bool {
        let block = &self.blocks[self.blocks.len() - 1 - depth as usize];
        let arity = block.branch_arity();
        let src = self.height() - arity;
        block.kind != BlockKind::Func
            && (arity == 0
                || (block.base == src && self.stack[src..].iter().all(|e| *e == Operand::Temp)))
    }

    fn emit_branch(&mut self, depth: u32) -> Result<(), TranslateError> {
        let arity = self.blocks[self.blocks.len() - 1 - depth as usize].branch_arity();
        if matches!(self.dest(depth), Dest::Return) && self.return_local(arity) {
            return Ok(());
        }
        self.materialize_top(arity)?;
        let op = self.branch_op(depth)?;
        let at = match (op, self.last_copy()) {
            // A copy just before a jump, with no label between: one `BrCopy`.
            (Op::Br { target }, Some((dst, src))) => self.absorb_last(Op::BrCopy {
                dst,
                src,
                count: 1,
                target,
            }),
            _ => self.emit_index(op),
        };
        let dest = self.dest(depth);
        self.set_target(at, &dest);
        Ok(())
    }

    /// `br depth`
    pub(super) fn br(&mut self, depth: u32) -> Result<(), TranslateError> {
        self.emit_branch(depth)?;
        // A jump back to a loop's head right after a conditional branch,
        // with no label between them, may be turned around at the end.
        let at = self.ops.len() - 1;
        if at > 0
            && self.label != at
            && matches!(self.ops[at], Op::Br { .. })
            && matches!(self.dest(depth), Dest::Known(_))
            && self.ops[at - 1].inverted().is_some()
        {
            self.back_jumps.push(at);
        }
        self.reachable = false;
        Ok(())
    }

    /// `br_if depth`
    pub(super) fn br_if(&mut self, depth: u32) -> Result<(), TranslateError> {
        if self.branch_is_plain(depth) {
            let cond = self.pop();
            self.push(cond)?;
            let at = self.branch_on(true, 0)?;
            let dest = self.dest(depth);
            self.set_target(at, &dest);
            return Ok(());
        }
        // Values must be copied (or returned) only when the branch is taken:
        // put them in their slots on both paths, then skip the copy when the
        // condition is false.
        let cond = self.pop();
        let arity = self.blocks[self.blocks.len() - 1 - depth as usize].branch_arity();
        self.materialize_top(arity)?;
        self.push(cond)?;
        let skip = self.branch_on(false, 0)?;
        self.emit_branch(depth)?;
        self.patch(skip, self.pc());
        self.bind_label();
        Ok(())
    }

    /// `br_table`
    pub(super) fn br_table(&mut self, targets: &[u32], default: u32) -> Result<(), TranslateError> {
        let index = self.pop_reg()?;
        let arity = self.blocks[self.blocks.len() - 1 - default as usize].branch_arity();
        self.materialize_top(arity)?;
        let len = u32::try_from(targets.len()).map_err(|_| TranslateError::FrameTooLarge)?;
        self.emit(Op::BrTable { index, len });
        for &depth in targets.iter().chain(core::iter::once(&default)) {
            let op = self.branch_op(depth)?;
            let at = self.emit_index(op);
            let dest = self.dest(depth);
            self.set_target(at, &dest);
        }
        self.reachable = false;
        Ok(())
    }

    /// `return`
    pub(super) fn ret(&mut self) -> Result<(), TranslateError> {
        self.br(self.blocks.len() as u32 - 1)
    }

    /// A return of one value read in place from its local, if that is
    /// what the stack holds: copying it to its slot first would be an op.
    fn return_local(&mut self, results: usize) -> bool {
        let Some(&Operand::Local(src)) = self.stack.last().filter(|_| results == 1) else {
            return false;
        };
        self.emit(Op::ReturnMany { src, count: 1 });
        true
    }

    pub(super) fn emit_return(&mut self, results: usize) -> Result<(), TranslateError> {
        if self.return_local(results) {
            return Ok(());
        }
        self.materialize_top(results)?;
        let count = u16::try_from(results).map_err(|_| TranslateError::FrameTooLarge)?;
        let op = match results {
            0 => Op::Return,
            _ => Op::ReturnMany {
                src: self.slot(self.height() - results)?,
                count,
            },
        };
        self.emit(op);
        Ok(())
    }

    pub(super) fn patch(&mut self, at: usize, target: u32) {
        if let Some(t) = self.ops.get_mut(at).and_then(Op::target_mut) {
            *t = target;
        }
    }
}
