//! Ops as bytes: written field by field in the layout of `Op`, read back
//! either field by field or, for execution in place, viewed as `[Op]`.

use alloc::vec::Vec;

use super::OP_SIZE;
use crate::isa::Op;

/// Appends `op` as it lies in memory: the tag, each field at the next
/// multiple of its alignment (`#[repr(u16)]` lays out each variant as a
/// `repr(C)` struct that starts with the tag), zero padding.
pub(super) fn put_op(out: &mut Vec<u8>, op: &Op) {
    let start = out.len();
    out.extend_from_slice(&op.tag().to_le_bytes());
    op.for_each_field(|size, align, value| {
        let at = (out.len() - start).next_multiple_of(align);
        out.resize(start + at, 0);
        out.extend_from_slice(&value.to_le_bytes()[..size]);
    });
    debug_assert!(out.len() - start <= OP_SIZE);
    out.resize(start + OP_SIZE, 0);
}

pub(super) fn tag_of(op: &[u8]) -> u16 {
    match op {
        [a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => u16::MAX,
    }
}

/// Reads an op written by [`put_op`], without relying on its layout in
/// memory; `None` if its tag names no op.
pub(super) fn decode_op(op: &[u8]) -> Option<Op> {
    let mut at: usize = 2;
    Op::from_fields(tag_of(op), |size, align| {
        at = at.next_multiple_of(align);
        let mut value = [0u8; 8];
        for (i, byte) in value.iter_mut().enumerate().take(size) {
            *byte = op.get(at + i).copied().unwrap_or(0);
        }
        at += size;
        u64::from_le_bytes(value)
    })
}

/// The index and tag of the first op in `region` whose tag names no op.
pub(super) fn first_invalid_tag(region: &[u8]) -> Option<(usize, u16)> {
    region
        .chunks(OP_SIZE)
        .map(tag_of)
        .enumerate()
        .find(|&(_, tag)| tag as usize >= Op::SHAPE.len())
}

/// The op region as ops, in place, borrowed as long as the bytes are (for
/// execution in place: `'static`).
pub(super) fn view(region: &[u8], count: usize) -> Result<&[Op], ViewError> {
    let ptr = region.as_ptr().cast::<Op>();
    if !ptr.is_aligned() {
        return Err(ViewError::Misaligned);
    }
    if count.checked_mul(OP_SIZE) != Some(region.len()) {
        return Err(ViewError::Length);
    }
    // Tags and fields are written little-endian.
    if cfg!(target_endian = "big") {
        return Err(ViewError::ByteOrder);
    }
    if let Some((index, tag)) = first_invalid_tag(region) {
        return Err(ViewError::Tag { index, tag });
    }
    // SAFETY: `Op` is `#[repr(u16)]`, so its layout is defined: each
    // variant is a `repr(C)` struct of the `u16` tag and the variant's
    // fields, and `size_of::<Op>() == OP_SIZE`. `region` is exactly `count`
    // ops long and `ptr` is aligned for `Op` (both checked above). Every
    // op's tag names a variant (checked above: the tags are
    // `0..Op::SHAPE.len()` in declaration order, as `op_enum!` accepts no
    // explicit discriminants), read in the target's byte order, which is
    // the image's little-endian (checked above). Every field of every
    // variant is a plain number (`u16`, `i16`, `u32`, `i32` today; `Op::from_fields`
    // does not compile for a field type that a `u64` cannot be cast to with
    // `as`, such as `bool`, `char` or an enum), for which any initialised
    // bytes are valid, and padding may hold anything. The ops borrow
    // `region` through a shared reference, so the bytes stay alive and
    // unchanged as long as the ops are used.
    Ok(unsafe { core::slice::from_raw_parts(ptr, count) })
}

pub(super) enum ViewError {
    Misaligned,
    Length,
    ByteOrder,
    Tag { index: usize, tag: u16 },
}

#[cfg(test)]
mod tests {
    use alloc::boxed::Box;

    use super::*;
    use crate::image::AlignedImage;

    /// One op of every kind, its fields all different: written, then read
    /// back both ways (in place and by fields) unchanged. This checks the
    /// writer's layout rule against the compiler's layout of `Op`.
    #[test]
    fn every_op_round_trips_through_its_bytes() {
        let mut bytes = Vec::new();
        let mut next = 0x0102_0304_0506_0708u64;
        let mut expected = Vec::new();
        for tag in 0..Op::SHAPE.len() as u16 {
            let op = Op::from_fields(tag, |_, _| {
                next = next.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
                next
            })
            .unwrap();
            assert_eq!(op.tag(), tag);
            put_op(&mut bytes, &op);
            expected.push(op);
        }
        assert_eq!(bytes.len(), expected.len() * OP_SIZE);
        assert_eq!(first_invalid_tag(&bytes), None);
        for (op, chunk) in expected.iter().zip(bytes.chunks(OP_SIZE)) {
            assert_eq!(decode_op(chunk).as_ref(), Some(op));
        }
        // In place: copied into an aligned buffer.
        let mut aligned = Box::new(AlignedImage([0; 8192]));
        aligned.0[..bytes.len()].copy_from_slice(&bytes);
        let region: &[u8] = &aligned.0[..bytes.len()];
        let Ok(viewed) = view(region, expected.len()) else {
            panic!("the op region views as ops");
        };
        assert_eq!(viewed, &expected[..]);
    }

    #[test]
    fn view_rejects_bad_tags_misalignment_and_lengths() {
        let mut aligned = AlignedImage([0; 64]);
        let mut ops = Vec::new();
        put_op(&mut ops, &Op::Return);
        put_op(&mut ops, &Op::Unreachable);
        aligned.0[..ops.len()].copy_from_slice(&ops);
        aligned.0[OP_SIZE..OP_SIZE + 2].copy_from_slice(&(Op::SHAPE.len() as u16).to_le_bytes());
        let region: &[u8] = &aligned.0;
        assert!(matches!(
            view(&region[..2 * OP_SIZE], 2),
            Err(ViewError::Tag { index: 1, .. })
        ));
        assert!(matches!(
            view(&region[..2 * OP_SIZE], 3),
            Err(ViewError::Length)
        ));
        assert!(matches!(
            view(&region[2..2 + OP_SIZE], 1),
            Err(ViewError::Misaligned)
        ));
        assert!(matches!(view(&region[..OP_SIZE], 1), Ok([Op::Return])));
    }
}
