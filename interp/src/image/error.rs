//! Why an image was rejected.

use core::fmt;

use super::IMAGE_ALIGN;
use crate::verify::VerifyError;

/// Why an image was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageError {
    /// The bytes do not start with [`MAGIC`](super::MAGIC).
    BadMagic,
    /// The image has another format version.
    UnsupportedVersion {
        /// The image's version.
        found: u16,
        /// The version this build reads.
        expected: u16,
    },
    /// The image, or this target for execution in place, is not
    /// little-endian.
    ByteOrder,
    /// The image ends before `what` does.
    Truncated {
        /// The part that is cut off: "the header", "the type section", …,
        /// "the end of the image".
        what: &'static str,
    },
    /// The checksum does not match: the image is corrupt.
    Checksum {
        /// The checksum stored in the image.
        stored: u32,
        /// The checksum of the bytes.
        computed: u32,
    },
    /// The image was built by a Kestrel with another instruction set.
    IsaMismatch {
        /// The image's fingerprint.
        found: u64,
        /// This build's [`ISA_FINGERPRINT`](super::ISA_FINGERPRINT).
        expected: u64,
    },
    /// The image was compiled with a setting that changes the bytecode and
    /// that the engine does not share.
    ConfigMismatch {
        /// The setting, as the `Config` method that sets it.
        setting: &'static str,
        /// Whether the image was compiled with it.
        image: bool,
        /// Whether the engine has it.
        engine: bool,
    },
    /// The ops are not at an address aligned for them.
    Misaligned {
        /// The alignment they need.
        align: usize,
    },
    /// A value of the description is invalid.
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
    /// An op's tag names no op.
    InvalidOp {
        /// The function's index.
        func: u32,
        /// The op's index in the function.
        at: u32,
        /// The tag.
        tag: u16,
    },
    /// A function's ops break an invariant the executor relies on.
    Verify {
        /// The function's index.
        func: u32,
        /// The op's index in the function, `None` for its frame shape.
        at: Option<u32>,
        /// Which invariant.
        reason: VerifyError,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = |b: bool| if b { "on" } else { "off" };
        match self {
            ImageError::BadMagic => {
                f.write_str("not a Kestrel bytecode image (it does not start with `\\0kbc`)")
            }
            ImageError::UnsupportedVersion { found, expected } => write!(
                f,
                "image format version {found} is not supported (this Kestrel reads version \
                 {expected}): compile the module again"
            ),
            ImageError::ByteOrder => f.write_str(
                "images are little-endian: this one or this target is not \
                 (use `Module::from_image_copied` on a big-endian target)",
            ),
            ImageError::Truncated { what } => write!(f, "image is truncated: {what} is cut off"),
            ImageError::Checksum { stored, computed } => write!(
                f,
                "image is corrupt: its checksum is {computed:#010x}, the header says {stored:#010x}"
            ),
            ImageError::IsaMismatch { found, expected } => write!(
                f,
                "image was built for a different Kestrel instruction set (fingerprint \
                 {found:#018x}, this build's is {expected:#018x}): compile the module again \
                 with this version of Kestrel"
            ),
            ImageError::ConfigMismatch {
                setting,
                image,
                engine,
            } => write!(
                f,
                "image was compiled with `{setting}` {}, the engine has it {}",
                on(*image),
                on(*engine)
            ),
            ImageError::Misaligned { align } => write!(
                f,
                "image ops are not {align}-byte aligned: place the image at an address that is \
                 a multiple of {IMAGE_ALIGN} (`AlignedImage`, `include_image!`) or use \
                 `Module::from_image_copied`"
            ),
            ImageError::Malformed { what } => write!(f, "malformed image: {what}"),
            ImageError::InvalidOp { func, at, tag } => write!(
                f,
                "malformed image: function {func}, op {at}: {tag} is not an op of this Kestrel"
            ),
            ImageError::Verify { func, at, reason } => match at {
                Some(at) => write!(f, "invalid bytecode in function {func}, op {at}: {reason}"),
                None => write!(f, "invalid bytecode in function {func}: {reason}"),
            },
        }
    }
}

impl core::error::Error for ImageError {}

pub(super) fn malformed<T>(what: &'static str) -> Result<T, ImageError> {
    Err(ImageError::Malformed { what })
}
