//! `args_*` and `environ_*`: NUL-terminated strings and a pointer table.

use alloc::vec::Vec;

use crate::memory::GuestMemory;
use crate::{Errno, WasiCtx};

/// Writes `items` as NUL-terminated strings to `buf` and their addresses to
/// the pointer array at `ptrs`.
fn write_strings(
    mem: &mut GuestMemory<'_>,
    items: &[Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> Result<(), Errno> {
    let mut at = buf;
    for (i, item) in items.iter().enumerate() {
        let len = u32::try_from(item.len() + 1).map_err(|_| Errno::Overflow)?;
        mem.write_u32(ptrs.checked_add(i as u32 * 4).ok_or(Errno::Fault)?, at)?;
        mem.write(at, item)?;
        mem.write(at + item.len() as u32, &[0])?;
        at = at.checked_add(len).ok_or(Errno::Fault)?;
    }
    Ok(())
}

/// Writes the count of `items` and the bytes they need with NULs.
fn write_sizes(
    mem: &mut GuestMemory<'_>,
    items: &[Vec<u8>],
    count: u32,
    size: u32,
) -> Result<(), Errno> {
    let bytes: usize = items.iter().map(|i| i.len() + 1).sum();
    let n = u32::try_from(items.len()).map_err(|_| Errno::Overflow)?;
    let bytes = u32::try_from(bytes).map_err(|_| Errno::Overflow)?;
    mem.write_u32(count, n)?;
    mem.write_u32(size, bytes)
}

impl WasiCtx {
    pub(crate) fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: u32,
        argv_buf: u32,
    ) -> Result<(), Errno> {
        write_strings(mem, &self.args, argv, argv_buf)
    }

    pub(crate) fn args_sizes_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argc: u32,
        size: u32,
    ) -> Result<(), Errno> {
        write_sizes(mem, &self.args, argc, size)
    }

    pub(crate) fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: u32,
        buf: u32,
    ) -> Result<(), Errno> {
        write_strings(mem, &self.env, environ, buf)
    }

    pub(crate) fn environ_sizes_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        count: u32,
        size: u32,
    ) -> Result<(), Errno> {
        write_sizes(mem, &self.env, count, size)
    }
}
