//! The one error type of the embedding API, and the stage errors it wraps.

use alloc::boxed::Box;
use core::fmt;

use kestrel_core::{FuncType, ValType};

use crate::Trap;
use crate::image::ImageError;
#[cfg(feature = "translate")]
use crate::translate::TranslateError;

/// An error from any stage: decoding, translation, linking, instantiation,
/// execution, or a host function.
///
/// It is one pointer wide, so `Result<T, Error>` stays small on the call path.
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The module bytes are malformed, invalid or use unsupported features.
    Module(kestrel_core::Error),
    /// A function body could not be translated.
    #[cfg(feature = "translate")]
    Translate {
        /// The function's index in its module.
        func: u32,
        /// Why.
        error: TranslateError,
    },
    /// A precompiled bytecode image is corrupt, malformed, or does not fit
    /// this build or engine.
    Image(ImageError),
    /// An import could not be resolved.
    Link(LinkError),
    /// Execution trapped.
    Trap(Trap),
    /// A host function failed.
    Host(Box<dyn core::error::Error + Send + Sync>),
    /// The API was used with values that do not fit.
    Usage(UsageError),
}

/// Why an import could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkError {
    /// Nothing is defined under this name.
    UnknownImport {
        /// Module name.
        module: Box<str>,
        /// Field name.
        name: Box<str>,
    },
    /// Something is defined under this name, but of the wrong kind or type.
    IncompatibleImport {
        /// Module name.
        module: Box<str>,
        /// Field name.
        name: Box<str>,
    },
    /// The linker already defines this name.
    Duplicate {
        /// Module name.
        module: Box<str>,
        /// Field name.
        name: Box<str>,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::UnknownImport { module, name } => {
                write!(f, "unknown import: `{module}::{name}` has not been defined")
            }
            LinkError::IncompatibleImport { module, name } => {
                write!(f, "incompatible import type for `{module}::{name}`")
            }
            LinkError::Duplicate { module, name } => {
                write!(f, "`{module}::{name}` is already defined")
            }
        }
    }
}

/// An API call with arguments that do not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// A call's arguments or result buffer do not match the signature.
    Signature {
        /// The function's type.
        expected: FuncType,
    },
    /// A value of the wrong type.
    ValueType {
        /// The type required.
        expected: ValType,
        /// The type given.
        got: ValType,
    },
    /// A handle from another store.
    ForeignHandle,
    /// `set` on an immutable global.
    ImmutableGlobal,
    /// A memory or table access outside its bounds.
    OutOfBounds,
    /// A memory or table could not grow (past its maximum, or out of memory).
    GrowFailed,
    /// A typed function was requested with the wrong parameter or result types.
    TypedFunc {
        /// The function's type.
        actual: FuncType,
    },
    /// No export of that name.
    NoExport,
    /// Fuel was set or read, but the engine does not meter fuel.
    FuelDisabled,
    /// A paused call was resumed in another store.
    WrongStore,
    /// The store's [`ResourceLimiter`](crate::ResourceLimiter) refused.
    ResourceLimit {
        /// What ran out: "instances", "memories", "memory size", …
        what: &'static str,
    },
    /// A result buffer of the wrong length.
    ResultCount {
        /// How many results the function has.
        expected: usize,
    },
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::Signature { expected } => {
                write!(
                    f,
                    "arguments or results do not match the signature {expected}"
                )
            }
            UsageError::ValueType { expected, got } => {
                write!(f, "type mismatch: expected {expected}, got {got}")
            }
            UsageError::ForeignHandle => {
                f.write_str("handle used with a store it does not belong to")
            }
            UsageError::ImmutableGlobal => f.write_str("cannot set an immutable global"),
            UsageError::OutOfBounds => f.write_str("access out of bounds"),
            UsageError::GrowFailed => f.write_str("failed to grow: limit reached or out of memory"),
            UsageError::TypedFunc { actual } => {
                write!(
                    f,
                    "typed function does not match the function's type {actual}"
                )
            }
            UsageError::NoExport => f.write_str("no export of that name"),
            UsageError::FuelDisabled => {
                f.write_str("fuel is not enabled: use Config::consume_fuel(true)")
            }
            UsageError::WrongStore => f.write_str("a paused call was resumed in another store"),
            UsageError::ResourceLimit { what } => {
                write!(f, "resource limit exceeded: {what}")
            }
            UsageError::ResultCount { expected } => {
                write!(f, "the function has {expected} results")
            }
        }
    }
}

/// A host error that is only a message.
#[derive(Debug)]
struct Message(&'static str);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl core::error::Error for Message {}

impl Error {
    /// An error raised by a host function; it surfaces from the call that
    /// entered Wasm and can be downcast back with [`Error::downcast_ref`].
    pub fn host(error: impl core::error::Error + Send + Sync + 'static) -> Self {
        ErrorKind::Host(Box::new(error)).into()
    }

    /// A host error that is just a message.
    pub fn msg(message: &'static str) -> Self {
        Self::host(Message(message))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match &*self.kind {
            ErrorKind::Trap(trap) => Some(trap),
            _ => None,
        }
    }

    /// The host error of type `E`, if this error is one.
    pub fn downcast_ref<E: core::error::Error + 'static>(&self) -> Option<&E> {
        match &*self.kind {
            ErrorKind::Host(e) => e.downcast_ref::<E>(),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    #[cold]
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl From<Trap> for Error {
    #[cold]
    fn from(trap: Trap) -> Self {
        ErrorKind::Trap(trap).into()
    }
}

impl From<kestrel_core::Error> for Error {
    #[cold]
    fn from(e: kestrel_core::Error) -> Self {
        ErrorKind::Module(e).into()
    }
}

impl From<ImageError> for Error {
    #[cold]
    fn from(e: ImageError) -> Self {
        ErrorKind::Image(e).into()
    }
}

impl From<LinkError> for Error {
    #[cold]
    fn from(e: LinkError) -> Self {
        ErrorKind::Link(e).into()
    }
}

impl From<UsageError> for Error {
    #[cold]
    fn from(e: UsageError) -> Self {
        ErrorKind::Usage(e).into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::Module(e) => fmt::Display::fmt(e, f),
            #[cfg(feature = "translate")]
            ErrorKind::Translate { func, error } => {
                write!(f, "cannot translate function {func}: {error}")
            }
            ErrorKind::Image(e) => fmt::Display::fmt(e, f),
            ErrorKind::Link(e) => fmt::Display::fmt(e, f),
            ErrorKind::Trap(trap) => fmt::Display::fmt(trap, f),
            ErrorKind::Host(e) => fmt::Display::fmt(e, f),
            ErrorKind::Usage(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.kind, f)
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::Module(e) => Some(e),
            ErrorKind::Image(e) => Some(e),
            ErrorKind::Trap(t) => Some(t),
            ErrorKind::Host(e) => Some(&**e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    /// `Result<T, Error>` is returned on every call path: one pointer.
    #[test]
    fn error_is_one_pointer() {
        assert_eq!(core::mem::size_of::<Error>(), core::mem::size_of::<usize>());
    }

    #[test]
    fn host_errors_downcast() {
        let e = Error::msg("boom");
        assert_eq!(e.to_string(), "boom");
        assert!(e.as_trap().is_none());
        let trap: Error = Trap::new(
            crate::TrapCode::IntegerDivisionByZero,
            alloc::vec::Vec::new(),
            0,
        )
        .into();
        assert_eq!(trap.to_string(), "integer divide by zero");
    }
}
