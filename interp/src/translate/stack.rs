//! The translator's model of the Wasm operand stack.
//!
//! Each entry says where its value can be read. A `local.get` or a constant
//! does not emit code: it pushes a lazy entry that later ops read directly
//! (as a register or as an immediate). A lazy entry is *materialised*, copied
//! into its natural slot, only when a consumer needs the value in a slot of
//! its own: call arguments, branch values, or a local about to be overwritten.

use super::{TranslateError, Translator};
use crate::isa::{Op, Reg};

/// Where an operand stack entry's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    /// In its natural slot, `locals + height`.
    Temp,
    /// In local `Reg`, which has not been written since it was pushed.
    Local(Reg),
    /// A constant, as slot bits.
    Const(u64),
}

impl Translator<'_> {
    /// The slot that holds the value at stack height `height`.
    pub(super) fn slot(&self, height: usize) -> Result<Reg, TranslateError> {
        let slot = self.num_locals + height;
        Reg::try_from(slot).map_err(|_| TranslateError::FrameTooLarge)
    }

    pub(super) fn height(&self) -> usize {
        self.stack.len()
    }

    /// Pushes an entry, growing the frame's high-water mark.
    pub(super) fn push(&mut self, operand: Operand) -> Result<(), TranslateError> {
        self.stack.push(operand);
        if self.stack.len() > self.max_height {
            self.max_height = self.stack.len();
            // Check now that the frame stays addressable by a `Reg`.
            self.slot(self.max_height)?;
        }
        Ok(())
    }

    /// Pushes the result of an op just emitted into the top slot.
    pub(super) fn push_result(&mut self) -> Result<Reg, TranslateError> {
        let dst = self.slot(self.height())?;
        self.push(Operand::Temp)?;
        Ok(dst)
    }

    pub(super) fn pop(&mut self) -> Operand {
        // Validation guarantees the stack is never popped below the frame.
        self.stack.pop().unwrap_or(Operand::Temp)
    }

    /// Pops an entry and returns the register holding it, materialising a
    /// constant into the entry's own slot first.
    pub(super) fn pop_reg(&mut self) -> Result<Reg, TranslateError> {
        let height = self.height() - 1;
        let reg = self.reg_at(height)?;
        self.stack.pop();
        Ok(reg)
    }

    /// The register holding entry `height`, materialising a constant.
    pub(super) fn reg_at(&mut self, height: usize) -> Result<Reg, TranslateError> {
        match self.stack[height] {
            Operand::Temp => self.slot(height),
            Operand::Local(local) => Ok(local),
            Operand::Const(_) => {
                self.materialize(height)?;
                self.slot(height)
            }
        }
    }

    /// Moves entry `height` into its natural slot.
    pub(super) fn materialize(&mut self, height: usize) -> Result<(), TranslateError> {
        let dst = self.slot(height)?;
        match self.stack[height] {
            Operand::Temp => return Ok(()),
            Operand::Local(src) => self.emit_copy(dst, src),
            Operand::Const(bits) => self.emit_const(dst, bits),
        }
        self.stack[height] = Operand::Temp;
        Ok(())
    }

    /// Materialises the top `count` entries so they sit in consecutive slots.
    pub(super) fn materialize_top(&mut self, count: usize) -> Result<(), TranslateError> {
        let height = self.height();
        for h in height - count..height {
            self.materialize(h)?;
        }
        Ok(())
    }

    /// Materialises every entry that reads local `local`, before it is
    /// overwritten.
    pub(super) fn preserve_local(&mut self, local: Reg) -> Result<(), TranslateError> {
        for h in 0..self.height() {
            if self.stack[h] == Operand::Local(local) {
                self.materialize(h)?;
            }
        }
        Ok(())
    }

    /// Materialises every entry that reads a local: done on entering a block,
    /// so that a local written inside the block cannot change an entry pushed
    /// before it on one path but not on another.
    pub(super) fn preserve_all_locals(&mut self) -> Result<(), TranslateError> {
        for h in 0..self.height() {
            if matches!(self.stack[h], Operand::Local(_)) {
                self.materialize(h)?;
            }
        }
        Ok(())
    }

    pub(super) fn emit_const(&mut self, dst: Reg, bits: u64) {
        match u32::try_from(bits) {
            Ok(value) => self.emit(Op::Const32 { dst, value }),
            Err(_) => self.emit(Op::Const64 {
                dst,
                lo: bits as u32,
                hi: (bits >> 32) as u32,
            }),
        }
    }
}
