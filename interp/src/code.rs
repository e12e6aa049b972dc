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
#[derive(Debug)]
pub struct CompiledFunc {
    /// The bytecode.
    pub ops: Code,
    /// Number of parameters.
    pub params: u16,
    /// Number of locals, parameters included.
    pub locals: u16,
    /// Slots the frame needs: locals plus the operand stack's high-water mark.
    pub frame_size: u16,
    /// The ops as the tail-call backend runs them, made on the function's
    /// first run (see [`crate::exec::threaded::Threaded`]).
    #[cfg(kestrel_tail_calls)]
    pub(crate) threaded: crate::exec::threaded::Threaded,
}

impl CompiledFunc {
    /// A function of `ops` with the given frame shape.
    pub(crate) fn new(ops: Code, params: u16, locals: u16, frame_size: u16) -> Self {
        CompiledFunc {
            ops,
            params,
            locals,
            frame_size,
            #[cfg(kestrel_tail_calls)]
            threaded: Default::default(),
        }
    }
}

/// A clone has the same ops; its threaded form is made again when it runs.
impl Clone for CompiledFunc {
    fn clone(&self) -> Self {
        CompiledFunc::new(self.ops.clone(), self.params, self.locals, self.frame_size)
    }
}
