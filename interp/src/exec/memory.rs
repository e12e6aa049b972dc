//! Linear memory accesses with their bounds checks.
//!
//! Addresses are computed in `u64` so that `addr + offset + size` cannot wrap
//! on any target, including 32-bit microcontrollers.

use crate::TrapCode;

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

#[inline(always)]
pub(crate) fn store<const N: usize>(
    memory: &mut [u8],
    addr: u64,
    offset: u32,
    bytes: [u8; N],
) -> Result<(), TrapCode> {
    let start = range(addr, offset, N, memory.len()).ok_or(TrapCode::MemoryOutOfBounds)?;
    memory[start..start + N].copy_from_slice(&bytes);
    Ok(())
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
