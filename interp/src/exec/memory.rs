//! Linear memory accesses with their bounds checks.
//!
//! Addresses are computed in `u64` so that `addr + offset + size` cannot wrap
//! on any target, including 32-bit microcontrollers.

use crate::TrapCode;
use crate::memory::MemoryEntity;

/// The byte range `addr + offset .. + len`, if it lies inside `memory_len`.
#[inline(always)]
pub(crate) fn range(addr: u64, offset: u32, len: usize, memory_len: usize) -> Option<usize> {
    let start = (addr as u32 as u64) + offset as u64;
    let end = start + len as u64;
    if end > memory_len as u64 {
        None
    } else {
        Some(start as usize)
    }
}

#[inline(always)]
pub(crate) fn load<const N: usize>(
    memory: &[u8],
    addr: u64,
    offset: u32,
) -> Result<[u8; N], TrapCode> {
    let start = range(addr, offset, N, memory.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&memory[start..start + N]);
    Ok(bytes)
}

/// Stores `bytes` at `addr + offset`: checked against the memory's written
/// bound on the fast path, against its length on the cold one (which raises
/// the bound), so the memory knows what to zero when it is recycled.
#[inline(always)]
pub(crate) fn store<const N: usize>(
    memory: &mut MemoryEntity,
    addr: u64,
    offset: u32,
    bytes: [u8; N],
) -> Result<(), TrapCode> {
    let start = (addr as u32 as u64) + offset as u64;
    if memory.store_fast(start, bytes) || memory.store_cold(start, bytes) {
        Ok(())
    } else {
        Err(TrapCode::MemoryOutOfBounds)
    }
}

/// Copies `N` bytes from `from + from_offset` to `to + to_offset` (the
/// `Move…` ops): the read is checked first, as when the load and the store
/// ran apart.
#[inline(always)]
pub(crate) fn move_bytes<const N: usize>(
    memory: &mut MemoryEntity,
    from: u64,
    from_offset: u32,
    to: u64,
    to_offset: u32,
) -> Result<(), TrapCode> {
    let bytes = load::<N>(memory.bytes(), from, from_offset)?;
    store(memory, to, to_offset, bytes)
}

/// Checks that `start .. start + len` (both `i32` operands) lies within
/// `bound`, as every bulk memory and table operation does before it writes.
#[inline]
pub(crate) fn bulk_range(
    start: u64,
    len: u64,
    bound: usize,
    code: TrapCode,
) -> Result<usize, TrapCode> {
    let start = start as u32 as u64;
    let len = len as u32 as u64;
    if start + len > bound as u64 {
        Err(code)
    } else {
        Ok(start as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OOB: TrapCode = TrapCode::MemoryOutOfBounds;

    #[test]
    fn range_checks_the_whole_access() {
        assert_eq!(range(0, 0, 4, 4), Some(0));
        assert_eq!(range(1, 0, 4, 4), None);
        assert_eq!(range(0, 1, 4, 4), None);
        assert_eq!(range(2, 1, 1, 4), Some(3));
        // An empty access may sit at the very end, not past it.
        assert_eq!(range(4, 0, 0, 4), Some(4));
        assert_eq!(range(5, 0, 0, 4), None);
        assert_eq!(range(0, 0, 1, 0), None);
    }

    #[test]
    fn range_reads_the_address_as_u32_and_never_wraps() {
        // The address is an `i32` operand: bits above 32 in its slot are
        // ignored.
        assert_eq!(range(0xffff_ffff_0000_0001, 0, 1, 2), Some(1));
        // `addr + offset` beyond 4 GiB is out of bounds, not wrapped to 0.
        assert_eq!(range(0xffff_ffff, 1, 1, 16), None);
        assert_eq!(range(1, u32::MAX, 1, 16), None);
        assert_eq!(range(u32::MAX as u64, u32::MAX, 8, 16), None);
    }

    #[test]
    fn loads_and_stores_are_little_endian_and_checked() {
        let ty = kestrel_core::MemoryType::new(0, None);
        let mut mem = MemoryEntity::new(ty, 8, None).unwrap();
        store(&mut mem, 4, 0, 0x0403_0201u32.to_le_bytes()).unwrap();
        assert_eq!(mem.bytes(), [0, 0, 0, 0, 1, 2, 3, 4]);
        assert_eq!(load::<4>(mem.bytes(), 2, 2), Ok([1, 2, 3, 4]));
        assert_eq!(load::<8>(mem.bytes(), 0, 0), Ok([0, 0, 0, 0, 1, 2, 3, 4]));
        assert_eq!(load::<1>(mem.bytes(), 7, 0), Ok([4]));
        assert_eq!(load::<4>(mem.bytes(), 5, 0), Err(OOB));
        assert_eq!(load::<8>(mem.bytes(), 0, 1), Err(OOB));
        assert_eq!(load::<1>(&[], 0, 0), Err(OOB));
        // A store out of bounds writes nothing.
        assert_eq!(store(&mut mem, 0, 7, [9, 9]), Err(OOB));
        assert_eq!(store(&mut mem, u32::MAX as u64, 1, [9]), Err(OOB));
        assert_eq!(store(&mut mem, 0xffff_ffff_0000_0007, 0, [9, 9]), Err(OOB));
        assert_eq!(mem.bytes(), [0, 0, 0, 0, 1, 2, 3, 4]);
        // The address is read as u32: high bits ignored, on both paths.
        store(&mut mem, 0xffff_ffff_0000_0000, 7, [9]).unwrap();
        store(&mut mem, 0x1_0000_0000, 0, [5]).unwrap();
        assert_eq!(mem.bytes(), [5, 0, 0, 0, 1, 2, 3, 9]);
    }

    #[test]
    fn bulk_range_reads_both_operands_as_u32() {
        assert_eq!(bulk_range(0, 4, 4, OOB), Ok(0));
        assert_eq!(bulk_range(4, 0, 4, OOB), Ok(4));
        assert_eq!(bulk_range(5, 0, 4, OOB), Err(OOB));
        assert_eq!(bulk_range(1, 4, 4, OOB), Err(OOB));
        let code = TrapCode::TableOutOfBounds;
        assert_eq!(bulk_range(0, 1, 0, code), Err(code));
        // Bits above 32 are ignored, and the sum cannot wrap.
        assert_eq!(bulk_range(0x1_0000_0002, 0x1_0000_0001, 4, OOB), Ok(2));
        assert_eq!(bulk_range(0xffff_ffff, 1, 16, OOB), Err(OOB));
        assert_eq!(bulk_range(1, 0xffff_ffff, 16, OOB), Err(OOB));
    }
}
