//! A translated function as the executor runs it: its ops and frame shape.
//!
//! This lives outside `translate` because a firmware build without the
//! translator still runs functions, loaded from a precompiled image.

use alloc::boxed::Box;
use core::fmt;
use core::ops::Deref;

use crate::isa::Op;

/// A function's ops: owned (translated, or copied out of an image) or
/// borrowed straight from an image in flash.
#[derive(Clone)]
pub enum Code {
    /// Ops in RAM.
    Owned(Box<[Op]>),
    /// Ops borrowed from a `'static` image: execute-in-place.
    Static(&'static [Op]),
}

impl Deref for Code {
    type Target = [Op];

    #[inline]
    fn deref(&self) -> &[Op] {
        match self {
            Code::Owned(ops) => ops,
            Code::Static(ops) => ops,
        }
    }
}

/// Printed as the op list, whoever owns it.
impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A translated function: its bytecode and frame shape.
#[derive(Debug, Clone)]
pub struct CompiledFunc {
    /// The bytecode.
    pub ops: Code,
    /// Number of parameters.
    pub params: u16,
    /// Number of locals, parameters included.
    pub locals: u16,
    /// Slots the frame needs: locals plus the operand stack's high-water mark.
    pub frame_size: u16,
}
