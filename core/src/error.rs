//! Why a module was rejected.

use alloc::string::String;
use core::fmt;

/// A module that could not be decoded, validated or described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The bytes are not a well-formed or valid WebAssembly module.
    Invalid {
        /// Byte offset in the binary where the problem was found.
        offset: usize,
        /// The reason, as the validator states it.
        message: String,
    },
    /// The module is valid WebAssembly but uses something Kestrel does not
    /// implement (for example a proposal that is not part of Wasm 2.0).
    Unsupported {
        /// Byte offset in the binary of the construct.
        offset: usize,
        /// What is not supported.
        what: &'static str,
    },
}

impl Error {
    /// The byte offset in the binary that the error refers to.
    pub fn offset(&self) -> usize {
        match self {
            Error::Invalid { offset, .. } | Error::Unsupported { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { offset, message } => {
                write!(f, "invalid module at byte offset {offset:#x}: {message}")
            }
            Error::Unsupported { offset, what } => {
                write!(f, "unsupported at byte offset {offset:#x}: {what}")
            }
        }
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "decode")]
impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error::Invalid {
            offset: e.offset() as usize,
            message: String::from(e.message()),
        }
    }
}
