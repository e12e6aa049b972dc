//! Precompiled bytecode images: a module translated on a host, loaded on a
//! device straight from flash.
//!
//! [`Module::serialize`](crate::Module::serialize) writes an image;
//! [`Module::from_image`](crate::Module::from_image) runs one in place from a
//! `&'static [u8]` (the ops are never copied), and
//! [`Module::from_image_copied`](crate::Module::from_image_copied) loads one
//! from any buffer. Neither needs the translator or wasmparser.
//!
//! # Layout (format version 1)
//!
//! Integers are little-endian. The header:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic, [`MAGIC`] (`\0kbc`) |
//! | 4 | 2 | format version, [`VERSION`] |
//! | 6 | 1 | byte order: 1 = little-endian (the only one) |
//! | 7 | 1 | flags: bit 0 fuel metering, bit 1 a memory has custom page sizes |
//! | 8 | 4 | CRC-32 (IEEE) of the whole image, these four bytes read as zero |
//! | 12 | 4 | length of the image in bytes (bytes after it are ignored) |
//! | 16 | 8 | fingerprint of the instruction set, [`ISA_FINGERPRINT`] |
//! | 24 | 4 | offset of the op region, a multiple of 8 |
//! | 28 | 4 | number of ops in the op region |
//!
//! Then the module description, from offset 32, in this order (`n` is a
//! `u32` count, a string is a `u32` length and UTF-8 bytes, value types are
//! their Wasm codes, `0x7f` for `i32` … `0x6f` for `externref`; limits are a
//! flag byte (bit 0: has a maximum), `min: u32` and, if flagged, `max: u32`;
//! a constant expression is its Wasm opcode and a fixed-width operand:
//! `0x41` i32, `0x42` i64, `0x43` f32 bits, `0x44` f64 bits, `0xd0` ref type,
//! `0xd2` function index, `0x23` global index):
//!
//! 1. types: `n`, then per type `params: u32`, `results: u32` and that many
//!    value types;
//! 2. imports: `n`, then module name, field name, kind (0 function, 1 table,
//!    2 memory, 3 global) and its type index or type;
//! 3. functions: `n` defined functions, a type index each;
//! 4. tables: `n` table types (ref type, limits);
//! 5. memories: `n` memory types (limits, log2 of the page size);
//! 6. globals: `n` × (value type, mutability 0/1, initialiser);
//! 7. exports: `n` × (name, kind, index);
//! 8. start: flag byte, then the function index if set;
//! 9. element segments: `n` × (mode 0 passive / 1 declared / 2 active with
//!    `table: u32` and an offset expression, ref type, items kind 0 function
//!    indices / 1 expressions, `n`, the items);
//! 10. data segments: `n` × (mode 0 passive / 1 active with `memory: u32` and
//!     an offset expression, length, bytes);
//! 11. names: flag byte and the module name if set; `n` × (function index,
//!     name), ascending;
//! 12. code: per defined function `params: u16`, `locals: u16`,
//!     `frame_size: u16`, two zero bytes and its number of ops (`u32`); its
//!     ops follow the previous function's in the op region.
//!
//! Zero bytes pad the description up to the op region, which ends the
//! image: every function's ops, each as the `Op` lies in memory
//! (`#[repr(u16)]`: the tag, then each field at the next multiple of its
//! alignment; padding is zero).
//!
//! # What loading checks
//!
//! In order, before anything is interpreted: the magic, the version, the
//! byte order, the length, the checksum, the instruction set fingerprint,
//! the configuration (fuel metering must match the engine's, custom page
//! sizes must be enabled if used), then every length, count, code and index
//! of the description while it is read (each against what the executor and
//! instantiation index with it), every op's tag, and finally every
//! function's ops with the verifier (`crate::verify`). For execution in
//! place, the op region must also be aligned for `Op`.

mod error;
#[doc(hidden)]
pub mod forge;
mod integrity;
mod ops;
mod read;
mod write;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::align_of;

use kestrel_core::ModuleInfo;

use crate::Engine;
use crate::code::{Code, CompiledFunc};
use crate::isa::Op;
use crate::verify::{Rejection, verify};
use ops::{ViewError, decode_op, tag_of, view};
use read::{Parsed, Shape, parse};

pub use crate::verify::VerifyError;
pub use error::ImageError;
pub(crate) use write::write;

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"\0kbc";

/// The image format version this build writes and reads.
pub const VERSION: u16 = 1;

/// The fingerprint of this build's instruction set: a hash (FNV-1a) of
/// every op's name and fields (names, sizes, alignments) in order, and of
/// the size and alignment of `Op`. An image is only loaded by a build with
/// the same fingerprint. (Changing what an op does without changing its
/// name or fields needs a new [`VERSION`].)
pub const ISA_FINGERPRINT: u64 = integrity::isa_fingerprint();

/// Alignment of the op region within the image; an image placed at an
/// address that is a multiple of this has aligned ops.
pub const IMAGE_ALIGN: usize = 8;

/// Whether `bytes` start like an image (rather than a Wasm binary).
///
/// ```
/// assert!(kestrel_interp::image::is_image(b"\0kbc\x01\0"));
/// assert!(!kestrel_interp::image::is_image(b"\0asm\x01\0\0\0"));
/// ```
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// An image embedded in the program with the alignment that
/// [`Module::from_image`](crate::Module::from_image) needs; see
/// [`include_image!`](crate::include_image).
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlignedImage<const N: usize>(pub [u8; N]);

impl<const N: usize> AlignedImage<N> {
    /// The image's bytes.
    pub const fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

const _: () = assert!(align_of::<AlignedImage<1>>() == IMAGE_ALIGN);

/// Embeds an image file in the program, aligned for
/// [`Module::from_image`](crate::Module::from_image), and evaluates to its
/// bytes as a `&'static [u8]`. The path is relative to the file that uses
/// the macro, as with `include_bytes!`.
///
/// ```ignore
/// // In the firmware, with `app.kbc` (from `kestrel compile app.wasm -o
/// // app.kbc`) next to this source file:
/// let image: &'static [u8] = kestrel_interp::include_image!("app.kbc");
/// let module = kestrel_interp::Module::from_image(&engine, image)?;
/// ```
///
/// (Not run as a doctest: it needs an image file; `tests/image.rs` embeds
/// one.)
#[macro_export]
macro_rules! include_image {
    ($path:expr) => {{
        static IMAGE: $crate::image::AlignedImage<{ ::core::include_bytes!($path).len() }> =
            $crate::image::AlignedImage(*::core::include_bytes!($path));
        IMAGE.as_bytes()
    }};
}

// Where the header keeps what (see the layout above), and its values.
const HEADER_LEN: usize = 32;
const CHECKSUM_AT: usize = 8;
const LEN_AT: usize = 12;
const OPS_OFFSET_AT: usize = 24;
const OP_SIZE: usize = core::mem::size_of::<Op>();
const LITTLE_ENDIAN: u8 = 1;
const FLAG_FUEL: u8 = 1;
const FLAG_CUSTOM_PAGES: u8 = 2;

const _: () = assert!(align_of::<Op>() <= IMAGE_ALIGN && IMAGE_ALIGN.is_power_of_two());

/// A module read from an image: its description and functions, verified.
pub(crate) struct Loaded {
    pub info: ModuleInfo,
    pub funcs: Box<[CompiledFunc]>,
}

/// Loads `bytes` for execution in place: the functions' ops borrow them.
pub(crate) fn load_static(engine: &Engine, bytes: &'static [u8]) -> Result<Loaded, ImageError> {
    let parsed = parse(engine, bytes)?;
    let ops = match view(parsed.ops, parsed.count) {
        Ok(ops) => ops,
        Err(ViewError::Misaligned) => {
            return Err(ImageError::Misaligned {
                align: align_of::<Op>(),
            });
        }
        Err(ViewError::Length) => {
            return Err(ImageError::Malformed {
                what: "the op region does not end the image",
            });
        }
        Err(ViewError::ByteOrder) => return Err(ImageError::ByteOrder),
        Err(ViewError::Tag { index, tag }) => return Err(invalid_op(&parsed, index, tag)),
    };
    let mut rest = ops;
    let mut funcs = Vec::new();
    for shape in &parsed.shapes {
        let (code, tail) = rest.split_at_checked(shape.ops).unwrap_or((rest, &[]));
        rest = tail;
        funcs.push(compiled(shape, Code::Static(code)));
    }
    finish(parsed.info, funcs, parsed.metering)
}

/// Loads `bytes`, copying the ops out of them.
pub(crate) fn load_copied(engine: &Engine, bytes: &[u8]) -> Result<Loaded, ImageError> {
    let parsed = parse(engine, bytes)?;
    let mut ops = parsed.ops.chunks(OP_SIZE);
    let mut funcs = Vec::new();
    let mut index = 0;
    for shape in &parsed.shapes {
        let mut code = Vec::new();
        for op in ops.by_ref().take(shape.ops) {
            match decode_op(op) {
                Some(op) => code.push(op),
                None => return Err(invalid_op(&parsed, index, tag_of(op))),
            }
            index += 1;
        }
        funcs.push(compiled(shape, Code::Owned(code.into_boxed_slice())));
    }
    finish(parsed.info, funcs, parsed.metering)
}

fn compiled(shape: &Shape, ops: Code) -> CompiledFunc {
    CompiledFunc::new(ops, shape.params, shape.locals, shape.frame_size)
}

/// `InvalidOp` for op `index` of the op region.
fn invalid_op(parsed: &Parsed<'_>, mut index: usize, tag: u16) -> ImageError {
    let mut func = 0;
    for shape in &parsed.shapes {
        if index < shape.ops {
            break;
        }
        index -= shape.ops;
        func += 1;
    }
    ImageError::InvalidOp {
        func: parsed.info.imported_funcs.saturating_add(func),
        at: u32::try_from(index).unwrap_or(u32::MAX),
        tag,
    }
}

/// Verifies every function.
fn finish(
    info: ModuleInfo,
    funcs: Vec<CompiledFunc>,
    metering: bool,
) -> Result<Loaded, ImageError> {
    for (defined, func) in funcs.iter().enumerate() {
        verify(&info, func, defined, metering).map_err(|Rejection { at, reason }| {
            ImageError::Verify {
                func: info.imported_funcs.saturating_add(defined as u32),
                at,
                reason,
            }
        })?;
    }
    Ok(Loaded {
        info,
        funcs: funcs.into_boxed_slice(),
    })
}
