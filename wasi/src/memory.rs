//! Checked access to guest memory.
//!
//! Every pointer and length a guest passes is untrusted: each access is
//! bounds-checked here and an out-of-range one is `EFAULT`, never a panic.

use alloc::vec::Vec;

use crate::Errno;

/// A guest's linear memory, borrowed for one WASI call.
pub struct GuestMemory<'a>(pub(crate) &'a mut [u8]);

impl GuestMemory<'_> {
    /// The bytes `ptr..ptr + len`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        self.0.get(start..end).ok_or(Errno::Fault)
    }

    /// The bytes `ptr..ptr + len`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        self.0.get_mut(start..end).ok_or(Errno::Fault)
    }

    /// Copies `data` to `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    /// Reads a little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        let b = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.slice(ptr, 8)?);
        Ok(u64::from_le_bytes(b))
    }

    /// Reads a `u16` at `ptr`.
    pub fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        let b = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    /// Writes a little-endian `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Writes a little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// The UTF-8 string `ptr..ptr + len` (a path): `EILSEQ` if it is not
    /// UTF-8.
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        core::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// The `(ptr, len)` pairs of an `iovec` array of `count` entries at `ptr`,
    /// each checked to lie inside memory.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let size = count.checked_mul(8).ok_or(Errno::Fault)?;
        self.slice(ptr, size)?;
        let mut out = Vec::new();
        out.try_reserve_exact(count as usize)
            .map_err(|_| Errno::Nomem)?;
        for i in 0..count {
            let buf = self.read_u32(ptr + i * 8)?;
            let len = self.read_u32(ptr + i * 8 + 4)?;
            self.slice(buf, len)?;
            out.push((buf, len));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_is_efault_never_a_panic() {
        let mut bytes = [0u8; 16];
        let mut m = GuestMemory(&mut bytes);
        assert_eq!(m.read_u32(12), Ok(0));
        assert_eq!(m.read_u32(13), Err(Errno::Fault));
        assert_eq!(m.read_u64(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.slice(u32::MAX, u32::MAX).err(), Some(Errno::Fault));
        assert_eq!(m.write(15, &[1, 2]), Err(Errno::Fault));
        m.write_u32(0, 8).unwrap();
        m.write_u32(4, 4).unwrap();
        assert_eq!(m.iovecs(0, 1), Ok(alloc::vec![(8, 4)]));
        m.write_u32(4, 9).unwrap();
        assert_eq!(m.iovecs(0, 1), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX), Err(Errno::Fault));
        m.write(0, &[0xff, 0xfe]).unwrap();
        assert_eq!(m.str(0, 2), Err(Errno::Ilseq));
    }
}
