//! Runtime faults: why execution stopped, and where.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

/// Why a WebAssembly instruction trapped.
///
/// Codes start at 1 so that `Option<TrapCode>` and `Result<(), TrapCode>`
/// stay one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable = 1,
    /// A memory access outside the memory's bounds.
    MemoryOutOfBounds,
    /// A table access outside the table's bounds.
    TableOutOfBounds,
    /// `call_indirect` found a null entry.
    IndirectCallToNull,
    /// `call_indirect` found a function of another type.
    BadSignature,
    /// An integer result did not fit (`i32.div_s` of `MIN / -1`, a float to
    /// integer conversion out of range).
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// A NaN converted to an integer.
    BadConversionToInteger,
    /// The call stack or value stack limit was reached.
    StackOverflow,
    /// `call_indirect` with an index outside the table.
    UndefinedElement,
    /// Fuel metering is on and the store ran out of fuel.
    OutOfFuel,
}

impl TrapCode {
    /// The message the spec's reference interpreter gives for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::OutOfFuel => "all fuel consumed by WebAssembly",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a trap's backtrace, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module.
    pub func_index: u32,
    /// The function's name from the module's name section.
    pub func_name: Option<Box<str>>,
    /// The module's name from its name section.
    pub module_name: Option<Box<str>>,
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(module) = &self.module_name {
            write!(f, "{module}!")?;
        }
        match &self.func_name {
            Some(name) => write!(f, "{name}"),
            None => write!(f, "<wasm function {}>", self.func_index),
        }
    }
}

/// A trap: the code and the Wasm frames that were active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
    depth: usize,
}

impl Trap {
    /// How many innermost frames a backtrace keeps: enough to see where a
    /// guest went wrong, without a million-frame recursion costing the host
    /// a million allocations when it traps.
    pub const MAX_BACKTRACE: usize = 100;

    /// A trap with the given innermost frames, out of `depth` active ones.
    pub(crate) fn new(code: TrapCode, backtrace: Vec<FrameInfo>, depth: usize) -> Self {
        Trap {
            code,
            backtrace,
            depth,
        }
    }

    /// Why execution trapped.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The innermost frames of the Wasm call stack at the trap, innermost
    /// first; at most [`Trap::MAX_BACKTRACE`] of them.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }

    /// How many Wasm frames were active when the trap happened (of the
    /// executor run that trapped).
    pub fn depth(&self) -> usize {
        self.depth
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.message())?;
        if f.alternate() && !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i:>3}: {frame}")?;
            }
            let omitted = self.depth.saturating_sub(self.backtrace.len());
            if omitted > 0 {
                write!(f, "\n       ... {omitted} more frames")?;
            }
        }
        Ok(())
    }
}

impl core::error::Error for Trap {}
