//! Editing a valid image into one that only a forger would make, with a
//! correct checksum: for tests of what loading rejects. Every function
//! panics on an image that is not valid to begin with.

use alloc::vec::Vec;

use super::integrity::checksum;
use super::ops::{decode_op, put_op};
use super::read::{Reader, Shape, read_module};
use super::{CHECKSUM_AT, HEADER_LEN, LEN_AT, OP_SIZE, OPS_OFFSET_AT};
use crate::isa::Op;

fn field(image: &[u8], at: usize) -> usize {
    u32::from_le_bytes([image[at], image[at + 1], image[at + 2], image[at + 3]]) as usize
}

/// The op region's offset, the functions' shapes, and where the code
/// section starts.
fn layout(image: &[u8]) -> (usize, Vec<Shape>, usize) {
    let ops_offset = field(image, OPS_OFFSET_AT);
    let mut r = Reader {
        bytes: &image[..ops_offset],
        pos: HEADER_LEN,
        section: "the header",
    };
    let (_, shapes) = read_module(&mut r).expect("a valid image");
    let code = r.pos - 12 * shapes.len();
    (ops_offset, shapes, code)
}

/// Byte offset of op `at` of defined function `defined`.
fn op_offset(image: &[u8], defined: usize, at: usize) -> usize {
    let (ops_offset, shapes, _) = layout(image);
    let before: usize = shapes[..defined].iter().map(|s| s.ops).sum();
    assert!(at < shapes[defined].ops, "op {at} of function {defined}");
    ops_offset + (before + at) * OP_SIZE
}

/// The ops of each defined function.
pub fn functions(image: &[u8]) -> Vec<Vec<Op>> {
    let (ops_offset, shapes, _) = layout(image);
    let mut ops = image[ops_offset..].chunks(OP_SIZE);
    shapes
        .iter()
        .map(|s| {
            ops.by_ref()
                .take(s.ops)
                .map(|op| decode_op(op).expect("valid op"))
                .collect()
        })
        .collect()
}

/// Replaces op `at` of defined function `defined`.
pub fn set_op(image: &mut [u8], defined: usize, at: usize, op: Op) {
    let offset = op_offset(image, defined, at);
    let mut bytes = Vec::new();
    put_op(&mut bytes, &op);
    image[offset..offset + OP_SIZE].copy_from_slice(&bytes);
    reseal(image);
}

/// Overwrites the tag of op `at` of defined function `defined`.
pub fn set_tag(image: &mut [u8], defined: usize, at: usize, tag: u16) {
    let offset = op_offset(image, defined, at);
    image[offset..offset + 2].copy_from_slice(&tag.to_le_bytes());
    reseal(image);
}

/// Replaces the frame shape of defined function `defined`.
pub fn set_frame(image: &mut [u8], defined: usize, params: u16, locals: u16, frame_size: u16) {
    let (_, _, code) = layout(image);
    let at = code + 12 * defined;
    for (i, v) in [params, locals, frame_size].into_iter().enumerate() {
        image[at + 2 * i..at + 2 * i + 2].copy_from_slice(&v.to_le_bytes());
    }
    reseal(image);
}

/// The frame shape `(params, locals, frame_size)` of defined function
/// `defined`.
pub fn frame(image: &[u8], defined: usize) -> (u16, u16, u16) {
    let (_, shapes, _) = layout(image);
    let s = &shapes[defined];
    (s.params, s.locals, s.frame_size)
}

/// Recomputes the checksum after an edit.
pub fn reseal(image: &mut [u8]) {
    let len = field(image, LEN_AT).min(image.len());
    let crc = checksum(&image[..len]);
    image[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&crc.to_le_bytes());
}
