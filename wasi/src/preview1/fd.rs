//! `fd_*`: reading, writing, seeking, inspecting and managing descriptors.
//!
//! Error conventions, as wasmtime's preview1:
//!
//! - an unknown descriptor is `EBADF`;
//! - a descriptor of the wrong kind is `EBADF` (`fd_read` on a directory,
//!   `fd_sync` on stdout …), except stdio for positioned operations
//!   (`fd_seek`, `fd_tell`, `fd_pread` on stdin, `fd_pwrite` on stdout) which
//!   is `ESPIPE`, and the directory operation `fd_readdir` which is `ENOTDIR`;
//! - a descriptor opened without `FD_READ` / `FD_WRITE` is `EBADF` when read
//!   or written (POSIX's "not open for reading/writing"), any other missing
//!   right is `ENOTCAPABLE`;
//! - flags and enums are decoded before anything else: an undefined value is
//!   `EINVAL`.
//!
//! Result pointers are checked before the operation runs, so a bad pointer
//! is `EFAULT` with no side effect (no input consumed, nothing written).

use alloc::vec::Vec;

use crate::ctx::FdKind;
use crate::memory::GuestMemory;
use crate::sys::HostFd;
use crate::types::{
    Advice, DirEntry, Fd, Fdstat, Filestat, Filetype, SetTime, Whence, fdflags, fstflags, rights,
};
use crate::{Errno, Input, Output, WasiCtx};

/// `prestat`: a `u8` tag (`preopentype::dir` = 0) then the name length as
/// `u32` at offset 4.
const PRESTAT_SIZE: usize = 8;

/// A `u32` flags argument whose type is 16 bits wide, with only the `defined`
/// bits: anything else is `EINVAL`.
pub(super) fn flags16(raw: u32, defined: u16) -> Result<u16, Errno> {
    u16::try_from(raw)
        .ok()
        .filter(|f| f & !defined == 0)
        .ok_or(Errno::Inval)
}

/// Decodes the timestamps of `fd_filestat_set_times` and
/// `path_filestat_set_times`: a value and its `_NOW` flag together, or an
/// undefined bit, is `EINVAL`.
pub(super) fn set_times_args(
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(SetTime, SetTime), Errno> {
    let all = fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW;
    let flags = flags16(fst_flags, all)?;
    let decode = |value: u64, set: u16, now: u16| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(SetTime::At(value)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::Keep),
    };
    Ok((
        decode(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        decode(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

/// Where `fd_write` sends bytes.
#[derive(Clone, Copy)]
enum Sink {
    Stdout,
    Stderr,
    File(HostFd),
}

impl WasiCtx {
    /// The host handle of regular file `fd` if it has `needed`; any other
    /// kind of descriptor is `EBADF`.
    fn file_host(&self, fd: Fd, needed: u64) -> Result<HostFd, Errno> {
        let entry = self.entry(fd)?;
        match entry.kind {
            FdKind::File(host) => {
                entry.check(needed)?;
                Ok(host)
            }
            _ => Err(Errno::Badf),
        }
    }

    /// The host handle of a file for `fd_seek` / `fd_tell`: stdio is
    /// `ESPIPE`, a directory `EBADF`. `FD_SEEK` implies `FD_TELL`.
    fn seekable_host(&self, fd: Fd, needed: u64) -> Result<HostFd, Errno> {
        let entry = self.entry(fd)?;
        match entry.kind {
            FdKind::File(host) => {
                if needed != rights::FD_TELL || entry.check(rights::FD_SEEK).is_err() {
                    entry.check(needed)?;
                }
                Ok(host)
            }
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => Err(Errno::Spipe),
            FdKind::Dir { .. } => Err(Errno::Badf),
        }
    }

    /// Writes to standard output or error wherever the context sends it.
    fn write_stdio(&mut self, stderr: bool, data: &[u8]) -> Result<usize, Errno> {
        let out = if stderr {
            &mut self.stderr
        } else {
            &mut self.stdout
        };
        match out {
            Output::Inherit if stderr => self.sys.write_stderr(data),
            Output::Inherit => self.sys.write_stdout(data),
            Output::Capture(buf) => {
                buf.try_reserve(data.len()).map_err(|_| Errno::Nomem)?;
                buf.extend_from_slice(data);
                Ok(data.len())
            }
            Output::Discard => Ok(data.len()),
        }
    }

    /// Reads standard input from wherever the context takes it.
    fn read_stdin(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match &mut self.stdin {
            Input::Inherit => self.sys.read_stdin(buf),
            Input::Bytes { data, pos } => {
                let rest = data.get(*pos..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                for (dst, src) in buf.iter_mut().zip(rest) {
                    *dst = *src;
                }
                *pos += n;
                Ok(n)
            }
            Input::Empty => Ok(0),
        }
    }

    /// Fills the `iovs_len` iovecs at `iovs` in order with `read`, which gets
    /// the buffer and how many bytes the previous ones took. Stops at the
    /// first short read; an error after some bytes were read ends the loop and
    /// those bytes are the result. The total never exceeds `u32::MAX`.
    fn read_iovecs(
        &mut self,
        mem: &mut GuestMemory<'_>,
        iovs: u32,
        iovs_len: u32,
        mut read: impl FnMut(&mut WasiCtx, &mut [u8], u64) -> Result<usize, Errno>,
    ) -> Result<u32, Errno> {
        self.transfer_iovecs(mem, iovs, iovs_len, |ctx, mem, ptr, len, done| {
            read(ctx, mem.slice_mut(ptr, len)?, done)
        })
    }

    /// The writing counterpart of [`read_iovecs`](Self::read_iovecs).
    fn write_iovecs(
        &mut self,
        mem: &mut GuestMemory<'_>,
        iovs: u32,
        iovs_len: u32,
        mut write: impl FnMut(&mut WasiCtx, &[u8], u64) -> Result<usize, Errno>,
    ) -> Result<u32, Errno> {
        self.transfer_iovecs(mem, iovs, iovs_len, |ctx, mem, ptr, len, done| {
            write(ctx, mem.slice(ptr, len)?, done)
        })
    }

    /// The loop both share: `transfer(ctx, mem, ptr, len, done)` moves the
    /// bytes of one buffer, `done` being the bytes moved before it.
    fn transfer_iovecs(
        &mut self,
        mem: &mut GuestMemory<'_>,
        iovs: u32,
        iovs_len: u32,
        mut transfer: impl FnMut(
            &mut WasiCtx,
            &mut GuestMemory<'_>,
            u32,
            u32,
            u64,
        ) -> Result<usize, Errno>,
    ) -> Result<u32, Errno> {
        let iovs = mem.iovecs(iovs, iovs_len)?;
        let mut total: u32 = 0;
        for (ptr, len) in iovs {
            let len = len.min(u32::MAX - total);
            if len == 0 {
                continue;
            }
            match transfer(self, mem, ptr, len, u64::from(total)) {
                Ok(n) => {
                    let n = u32::try_from(n).unwrap_or(u32::MAX).min(len);
                    total += n;
                    if n < len {
                        break;
                    }
                }
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(total)
    }

    pub(crate) fn fd_advise(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        offset: u64,
        len: u64,
        advice: u32,
    ) -> Result<(), Errno> {
        let advice = Advice::from_raw(advice).ok_or(Errno::Inval)?;
        let host = self.file_host(fd, rights::FD_ADVISE)?;
        self.sys.advise(host, offset, len, advice)
    }

    pub(crate) fn fd_allocate(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let host = self.file_host(fd, rights::FD_ALLOCATE)?;
        self.sys.allocate(host, offset, len)
    }

    /// Closes any descriptor, preopens and stdio included; the slot is free
    /// even if the host reports an error closing the handle.
    pub(crate) fn fd_close(&mut self, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
        let entry = self
            .fds
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::Badf)?;
        match entry.kind {
            FdKind::File(host) | FdKind::Dir { host, .. } => self.sys.close(host),
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => Ok(()),
        }
    }

    pub(crate) fn fd_datasync(&mut self, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
        let host = self.file_host(fd, rights::FD_DATASYNC)?;
        self.sys.datasync(host)
    }

    pub(crate) fn fd_fdstat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        stat: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        let fdstat = Fdstat {
            filetype: entry.filetype(),
            flags: entry.flags,
            rights_base: entry.rights_base,
            rights_inheriting: entry.rights_inheriting,
        };
        mem.write(stat, &fdstat.encode())
    }

    /// Files pass the flags to the host and remember them; stdio only
    /// remembers them; directories are `EBADF` (as wasmtime).
    pub(crate) fn fd_fdstat_set_flags(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
    ) -> Result<(), Errno> {
        let flags = flags16(flags, fdflags::ALL)?;
        let entry = self.entry(fd)?;
        match entry.kind {
            FdKind::File(host) => {
                entry.check(rights::FD_FDSTAT_SET_FLAGS)?;
                self.sys.set_fdflags(host, flags)?;
            }
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => {
                entry.check(rights::FD_FDSTAT_SET_FLAGS)?
            }
            FdKind::Dir { .. } => return Err(Errno::Badf),
        }
        self.entry_mut(fd)?.flags = flags;
        Ok(())
    }

    /// Rights can only be dropped: asking for one the descriptor lacks is
    /// `ENOTCAPABLE` and changes nothing.
    pub(crate) fn fd_fdstat_set_rights(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        base: u64,
        inheriting: u64,
    ) -> Result<(), Errno> {
        let entry = self.entry_mut(fd)?;
        if base & !entry.rights_base != 0 || inheriting & !entry.rights_inheriting != 0 {
            return Err(Errno::Notcapable);
        }
        entry.rights_base = base;
        entry.rights_inheriting = inheriting;
        Ok(())
    }

    /// Stdio has a zeroed filestat of type character device.
    pub(crate) fn fd_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        stat: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        entry.check(rights::FD_FILESTAT_GET)?;
        let host = match entry.kind {
            FdKind::File(host) | FdKind::Dir { host, .. } => Some(host),
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => None,
        };
        mem.slice(stat, Filestat::SIZE as u32)?;
        let filestat = match host {
            Some(host) => self.sys.filestat(host)?,
            None => Filestat {
                filetype: Filetype::CharacterDevice,
                ..Filestat::default()
            },
        };
        mem.write(stat, &filestat.encode())
    }

    pub(crate) fn fd_filestat_set_size(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        size: u64,
    ) -> Result<(), Errno> {
        let host = self.file_host(fd, rights::FD_FILESTAT_SET_SIZE)?;
        self.sys.set_size(host, size)
    }

    /// Files and directories; stdio is `EBADF` (as wasmtime).
    pub(crate) fn fd_filestat_set_times(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) -> Result<(), Errno> {
        let (atim, mtim) = set_times_args(atim, mtim, fst_flags)?;
        let entry = self.entry(fd)?;
        let host = match entry.kind {
            FdKind::File(host) | FdKind::Dir { host, .. } => host,
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => return Err(Errno::Badf),
        };
        entry.check(rights::FD_FILESTAT_SET_TIMES)?;
        self.sys.set_times(host, atim, mtim)
    }

    pub(crate) fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nread: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        let host = match entry.kind {
            FdKind::File(host) => host,
            FdKind::Stdin => return Err(Errno::Spipe),
            _ => return Err(Errno::Badf),
        };
        entry.check(rights::FD_READ).map_err(|_| Errno::Badf)?;
        entry.check(rights::FD_SEEK)?;
        mem.slice(nread, 4)?;
        let n = self.read_iovecs(mem, iovs, iovs_len, |ctx, buf, done| {
            let at = offset.checked_add(done).ok_or(Errno::Overflow)?;
            ctx.sys.pread(host, buf, at)
        })?;
        mem.write_u32(nread, n)
    }

    /// The preopened directory's name length; anything else is `EBADF`.
    pub(crate) fn fd_prestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        prestat: u32,
    ) -> Result<(), Errno> {
        let FdKind::Dir {
            preopen: Some(name),
            ..
        } = &self.entry(fd)?.kind
        else {
            return Err(Errno::Badf);
        };
        let len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
        let mut record = [0u8; PRESTAT_SIZE];
        record[4..8].copy_from_slice(&len.to_le_bytes());
        mem.write(prestat, &record)
    }

    /// Copies the preopen's name, without a NUL; a buffer shorter than the
    /// name is `ENAMETOOLONG` and a descriptor that is not a preopen
    /// `ENOTDIR` (both as wasmtime).
    pub(crate) fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let FdKind::Dir {
            preopen: Some(name),
            ..
        } = &self.entry(fd)?.kind
        else {
            return Err(Errno::Notdir);
        };
        if name.len() > path_len as usize {
            return Err(Errno::Nametoolong);
        }
        mem.write(path, name.as_bytes())
    }

    pub(crate) fn fd_pwrite(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nwritten: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        let host = match entry.kind {
            FdKind::File(host) => host,
            FdKind::Stdout | FdKind::Stderr => return Err(Errno::Spipe),
            _ => return Err(Errno::Badf),
        };
        entry.check(rights::FD_WRITE).map_err(|_| Errno::Badf)?;
        entry.check(rights::FD_SEEK)?;
        mem.slice(nwritten, 4)?;
        let n = self.write_iovecs(mem, iovs, iovs_len, |ctx, data, done| {
            let at = offset.checked_add(done).ok_or(Errno::Overflow)?;
            ctx.sys.pwrite(host, data, at)
        })?;
        mem.write_u32(nwritten, n)
    }

    /// Reads stdin or a file into every iovec in turn, stopping at the first
    /// short read (end of input included).
    pub(crate) fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nread: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        let host = match entry.kind {
            FdKind::File(host) => Some(host),
            FdKind::Stdin => None,
            _ => return Err(Errno::Badf),
        };
        entry.check(rights::FD_READ).map_err(|_| Errno::Badf)?;
        mem.slice(nread, 4)?;
        let n = self.read_iovecs(mem, iovs, iovs_len, |ctx, buf, _| match host {
            Some(host) => ctx.sys.read(host, buf),
            None => ctx.read_stdin(buf),
        })?;
        mem.write_u32(nread, n)
    }

    /// Lists a directory from `cookie` on: each entry is a 24-byte `dirent`
    /// then its name, and the buffer is filled to the last byte (the last
    /// entry cut short) when the entries do not fit: `bufused < buf_len`
    /// means the end of the directory was reached.
    pub(crate) fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        bufused: u32,
    ) -> Result<(), Errno> {
        let host = self.dir_host(fd, rights::FD_READDIR)?;
        mem.slice(buf, buf_len)?;
        mem.slice(bufused, 4)?;
        // `buf_len` is within guest memory: the allocation is bounded by it.
        let cap = buf_len as usize;
        let mut out: Vec<u8> = Vec::new();
        out.try_reserve_exact(cap).map_err(|_| Errno::Nomem)?;
        if cap > 0 {
            self.sys.read_dir(host, cookie, &mut |entry: DirEntry| {
                let header = entry.encode_header();
                for part in [&header[..], entry.name.as_bytes()] {
                    let take = part.len().min(cap - out.len());
                    out.extend_from_slice(part.get(..take).unwrap_or_default());
                }
                out.len() < cap
            })?;
        }
        mem.write(buf, &out)?;
        mem.write_u32(bufused, out.len() as u32)
    }

    /// Moves descriptor `fd` to number `to`, closing what `to` was; both must
    /// be open (`EBADF`). Renumbering a descriptor to itself does nothing.
    pub(crate) fn fd_renumber(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        to: u32,
    ) -> Result<(), Errno> {
        self.entry(fd)?;
        self.entry(to)?;
        if fd == to {
            return Ok(());
        }
        let moved = self
            .fds
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::Badf)?;
        let slot = self.fds.get_mut(to as usize).ok_or(Errno::Badf)?;
        if let Some(old) = slot.replace(moved)
            && let FdKind::File(host) | FdKind::Dir { host, .. } = old.kind
        {
            // Like `dup2`, an error closing the replaced descriptor is not
            // reported: the renumbering itself succeeded.
            let _ = self.sys.close(host);
        }
        Ok(())
    }

    pub(crate) fn fd_seek(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        offset: i64,
        whence: u32,
        newoffset: u32,
    ) -> Result<(), Errno> {
        let whence = Whence::from_raw(whence).ok_or(Errno::Inval)?;
        let needed = if whence == Whence::Cur && offset == 0 {
            rights::FD_TELL
        } else {
            rights::FD_SEEK
        };
        let host = self.seekable_host(fd, needed)?;
        mem.slice(newoffset, 8)?;
        let pos = self.sys.seek(host, offset, whence)?;
        mem.write_u64(newoffset, pos)
    }

    pub(crate) fn fd_sync(&mut self, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
        let host = self.file_host(fd, rights::FD_SYNC)?;
        self.sys.sync(host)
    }

    pub(crate) fn fd_tell(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        offset: u32,
    ) -> Result<(), Errno> {
        let host = self.seekable_host(fd, rights::FD_TELL)?;
        mem.slice(offset, 8)?;
        let pos = self.sys.seek(host, 0, Whence::Cur)?;
        mem.write_u64(offset, pos)
    }

    /// Writes every iovec in turn to stdout, stderr or a file, stopping at
    /// the first short write.
    pub(crate) fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten: u32,
    ) -> Result<(), Errno> {
        let entry = self.entry(fd)?;
        let sink = match entry.kind {
            FdKind::Stdout => Sink::Stdout,
            FdKind::Stderr => Sink::Stderr,
            FdKind::File(host) => Sink::File(host),
            FdKind::Stdin | FdKind::Dir { .. } => return Err(Errno::Badf),
        };
        entry.check(rights::FD_WRITE).map_err(|_| Errno::Badf)?;
        mem.slice(nwritten, 4)?;
        let n = self.write_iovecs(mem, iovs, iovs_len, |ctx, data, _| match sink {
            Sink::Stdout => ctx.write_stdio(false, data),
            Sink::Stderr => ctx.write_stdio(true, data),
            Sink::File(host) => ctx.sys.write(host, data),
        })?;
        mem.write_u32(nwritten, n)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    use super::super::testing::{DATA, Fixture, OUT, ROOT};
    use crate::types::{Filetype, fdflags, oflags, rights};
    use crate::{Errno, Input};

    const IOV: u32 = 0x200;
    const BUF: u32 = 0x1000;

    /// `fd_write` of `chunks` (copied to guest memory) to `fd`.
    fn write(fx: &mut Fixture, fd: u32, chunks: &[&[u8]]) -> Result<u32, Errno> {
        let mut iovs = Vec::new();
        let mut at = BUF;
        for c in chunks {
            fx.put(at, c);
            iovs.push((at, c.len() as u32));
            at += c.len() as u32;
        }
        fx.iovecs(IOV, &iovs);
        let n = iovs.len() as u32;
        fx.call(|ctx, mem| ctx.fd_write(mem, fd, IOV, n, OUT))?;
        Ok(fx.u32_at(OUT))
    }

    /// `fd_read` of `fd` into buffers of `lens` bytes; the bytes read.
    fn read(fx: &mut Fixture, fd: u32, lens: &[u32]) -> Result<Vec<u8>, Errno> {
        let mut iovs = Vec::new();
        let mut at = BUF;
        for len in lens {
            iovs.push((at, *len));
            at += len;
        }
        fx.iovecs(IOV, &iovs);
        let n = iovs.len() as u32;
        fx.call(|ctx, mem| ctx.fd_read(mem, fd, IOV, n, OUT))?;
        let got = fx.u32_at(OUT) as usize;
        Ok(fx.get(BUF, got).to_vec())
    }

    fn drop_rights(fx: &mut Fixture, fd: u32, right: u64) {
        let (base, inheriting) = {
            let e = fx.ctx.entry(fd).unwrap();
            (e.rights_base, e.rights_inheriting)
        };
        fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, fd, base & !right, inheriting))
            .unwrap();
    }

    #[test]
    fn write_gathers_every_iovec_to_captured_stdout_and_stderr() {
        let mut fx = Fixture::new();
        assert_eq!(write(&mut fx, 1, &[b"hello ", b"", b"world"]), Ok(11));
        assert_eq!(write(&mut fx, 2, &[b"oops"]), Ok(4));
        assert_eq!(fx.ctx.captured_stdout(), b"hello world");
        assert_eq!(fx.ctx.captured_stderr(), b"oops");
    }

    #[test]
    fn inherited_stdout_stops_at_a_short_write_and_discard_counts_everything() {
        let mut fx = Fixture::with(|b| b.inherit_stdio());
        fx.state().chunk = 3;
        assert_eq!(write(&mut fx, 1, &[b"hello", b"world"]), Ok(3));
        assert_eq!(fx.state().stdout, b"hel");
        assert_eq!(write(&mut fx, 2, &[b"to", b"stderr"]), Ok(8));
        assert_eq!(fx.state().stderr, b"tostderr");

        let mut fx = Fixture::new();
        fx.ctx.stdout = crate::Output::Discard;
        assert_eq!(write(&mut fx, 1, &[b"gone", b"!"]), Ok(5));
        assert!(fx.ctx.captured_stdout().is_empty());
    }

    #[test]
    fn write_errors() {
        let mut fx = Fixture::new();
        assert_eq!(write(&mut fx, 0, &[b"x"]), Err(Errno::Badf), "stdin");
        assert_eq!(
            write(&mut fx, ROOT, &[b"x"]),
            Err(Errno::Badf),
            "a directory"
        );
        assert_eq!(
            write(&mut fx, 99, &[b"x"]),
            Err(Errno::Badf),
            "no such descriptor"
        );
        // An iovec array or buffer out of memory, a bad result pointer.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_write(mem, 1, u32::MAX - 3, 1, OUT)),
            Err(Errno::Fault)
        );
        fx.iovecs(IOV, &[(BUF, 0x10_0000)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_write(mem, 1, IOV, 1, OUT)),
            Err(Errno::Fault)
        );
        fx.iovecs(IOV, &[(BUF, 4)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_write(mem, 1, IOV, 1, 0xffff)),
            Err(Errno::Fault)
        );
        assert!(
            fx.ctx.captured_stdout().is_empty(),
            "nothing written on EFAULT"
        );
        // Without FD_WRITE it is EBADF, as a POSIX fd not open for writing.
        drop_rights(&mut fx, 1, rights::FD_WRITE);
        assert_eq!(write(&mut fx, 1, &[b"x"]), Err(Errno::Badf));
    }

    #[test]
    fn read_stdin_bytes_across_iovecs_until_the_end() {
        let mut fx = Fixture::with(|b| b.stdin_bytes(&b"abcdefg"[..]));
        assert_eq!(read(&mut fx, 0, &[2, 3]).unwrap(), b"abcde");
        assert_eq!(read(&mut fx, 0, &[4, 4]).unwrap(), b"fg");
        assert_eq!(read(&mut fx, 0, &[4]).unwrap(), b"");
        assert_eq!(
            fx.ctx.stdin,
            Input::Bytes {
                data: b"abcdefg".to_vec(),
                pos: 7
            }
        );

        let mut fx = Fixture::new();
        assert_eq!(read(&mut fx, 0, &[8]).unwrap(), b"", "Input::Empty");

        let mut fx = Fixture::with(|b| b.inherit_stdio());
        fx.state().stdin.extend(b"typed\n");
        fx.state().chunk = 4;
        assert_eq!(
            read(&mut fx, 0, &[3, 3, 3]).unwrap(),
            b"typed\n",
            "full iovecs continue"
        );
        assert_eq!(read(&mut fx, 0, &[3]).unwrap(), b"");
    }

    #[test]
    fn read_errors_consume_nothing() {
        let mut fx = Fixture::with(|b| b.stdin_bytes(&b"abc"[..]));
        assert_eq!(read(&mut fx, 1, &[4]), Err(Errno::Badf), "stdout");
        assert_eq!(read(&mut fx, ROOT, &[4]), Err(Errno::Badf), "a directory");
        fx.iovecs(IOV, &[(BUF, 3)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_read(mem, 0, IOV, 1, u32::MAX)),
            Err(Errno::Fault)
        );
        fx.iovecs(IOV, &[(BUF, 3), (0xfffe, 3)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_read(mem, 0, IOV, 2, OUT)),
            Err(Errno::Fault)
        );
        assert_eq!(read(&mut fx, 0, &[8]).unwrap(), b"abc");
    }

    #[test]
    fn files_read_write_seek_tell_pread_pwrite() {
        let mut fx = Fixture::new();
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(read(&mut fx, fd, &[5]).unwrap(), b"hello");
        assert_eq!(fx.call(|ctx, mem| ctx.fd_tell(mem, fd, OUT)), Ok(()));
        assert_eq!(fx.u64_at(OUT), 5);
        assert_eq!(fx.call(|ctx, mem| ctx.fd_seek(mem, fd, -2, 2, OUT)), Ok(()));
        assert_eq!(fx.u64_at(OUT), 9);
        assert_eq!(read(&mut fx, fd, &[1, 10]).unwrap(), b"ld");
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_seek(mem, fd, 0, 3, OUT)),
            Err(Errno::Inval),
            "whence"
        );

        assert_eq!(write(&mut fx, fd, &[b"!!"]), Ok(2));
        fx.iovecs(IOV, &[(BUF, 3), (BUF + 3, 3)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pread(mem, fd, IOV, 2, 4, OUT)),
            Ok(())
        );
        assert_eq!((fx.u32_at(OUT), fx.get(BUF, 6)), (6, &b"o worl"[..]));
        fx.put(BUF, b"HE");
        fx.iovecs(IOV, &[(BUF, 1), (BUF + 1, 1)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pwrite(mem, fd, IOV, 2, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 2);
        assert_eq!(fx.call(|ctx, mem| ctx.fd_tell(mem, fd, OUT)), Ok(()));
        assert_eq!(fx.u64_at(OUT), 13, "pread/pwrite leave the position alone");
        assert_eq!(fx.call(|ctx, mem| ctx.fd_seek(mem, fd, 0, 0, OUT)), Ok(()));
        assert_eq!(read(&mut fx, fd, &[32]).unwrap(), b"HEllo world!!");
    }

    #[test]
    fn positioned_operations_on_stdio_are_espipe_and_on_directories_ebadf() {
        let mut fx = Fixture::new();
        fx.iovecs(IOV, &[(BUF, 4)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pread(mem, 0, IOV, 1, 0, OUT)),
            Err(Errno::Spipe)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pwrite(mem, 1, IOV, 1, 0, OUT)),
            Err(Errno::Spipe)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pread(mem, 1, IOV, 1, 0, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pwrite(mem, 0, IOV, 1, 0, OUT)),
            Err(Errno::Badf)
        );
        for fd in 0..3 {
            assert_eq!(
                fx.call(|ctx, mem| ctx.fd_seek(mem, fd, 0, 1, OUT)),
                Err(Errno::Spipe)
            );
            assert_eq!(
                fx.call(|ctx, mem| ctx.fd_tell(mem, fd, OUT)),
                Err(Errno::Spipe)
            );
        }
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pread(mem, ROOT, IOV, 1, 0, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pwrite(mem, ROOT, IOV, 1, 0, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_seek(mem, ROOT, 0, 0, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_tell(mem, ROOT, OUT)),
            Err(Errno::Badf)
        );
        // Every file-only operation on a directory, as wasmtime's dir_fd_op_failures.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_advise(mem, ROOT, 0, 0, 4)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_allocate(mem, ROOT, 0, 1)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_datasync(mem, ROOT)),
            Err(Errno::Badf)
        );
        assert_eq!(fx.call(|ctx, mem| ctx.fd_sync(mem, ROOT)), Err(Errno::Badf));
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, ROOT, 4)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_size(mem, ROOT, 0)),
            Err(Errno::Badf)
        );
        assert_eq!(fx.call(|ctx, mem| ctx.fd_sync(mem, 1)), Err(Errno::Badf));
    }

    #[test]
    fn dropped_rights_are_enotcapable_and_cannot_come_back() {
        let mut fx = Fixture::new();
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        drop_rights(&mut fx, fd, rights::FD_SEEK);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_seek(mem, fd, 1, 0, OUT)),
            Err(Errno::Notcapable)
        );
        // FD_TELL remains: seeking by 0 from the current position is a tell.
        assert_eq!(fx.call(|ctx, mem| ctx.fd_seek(mem, fd, 0, 1, OUT)), Ok(()));
        assert_eq!(fx.call(|ctx, mem| ctx.fd_tell(mem, fd, OUT)), Ok(()));
        fx.iovecs(IOV, &[(BUF, 4)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_pread(mem, fd, IOV, 1, 0, OUT)),
            Err(Errno::Notcapable)
        );
        drop_rights(&mut fx, fd, rights::FD_TELL);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_tell(mem, fd, OUT)),
            Err(Errno::Notcapable)
        );
        drop_rights(&mut fx, fd, rights::FD_FILESTAT_GET);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_get(mem, fd, OUT)),
            Err(Errno::Notcapable)
        );
        drop_rights(&mut fx, fd, rights::FD_READ);
        assert_eq!(read(&mut fx, fd, &[4]), Err(Errno::Badf));
        let all = rights::ALL;
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, fd, all, 0)),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, 99, 0, 0)),
            Err(Errno::Badf)
        );
        // Inheriting rights too.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, ROOT, rights::DIRECTORY, rights::ALL)),
            Err(Errno::Notcapable)
        );
        drop_rights(&mut fx, ROOT, rights::PATH_OPEN);
        assert_eq!(
            fx.open(ROOT, "hello.txt", 0, rights::FD_READ, 0),
            Err(Errno::Notcapable)
        );
    }

    #[test]
    fn fdstat_of_stdio_directories_and_files() {
        let mut fx = Fixture::new();
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, 1, OUT)).unwrap();
        assert_eq!(fx.get(OUT, 1)[0], Filetype::CharacterDevice as u8);
        assert_eq!(
            (fx.u16_at(OUT + 2), fx.u64_at(OUT + 8), fx.u64_at(OUT + 16)),
            (0, rights::STDIO, 0)
        );
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, ROOT, OUT))
            .unwrap();
        assert_eq!(fx.get(OUT, 1)[0], Filetype::Directory as u8);
        assert_eq!(
            (fx.u64_at(OUT + 8), fx.u64_at(OUT + 16)),
            (rights::DIRECTORY, rights::DIRECTORY | rights::FILE)
        );

        let fd = fx
            .open(
                ROOT,
                "hello.txt",
                0,
                rights::FD_READ | rights::FD_WRITE,
                fdflags::APPEND as u32,
            )
            .unwrap();
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, fd, OUT)).unwrap();
        assert_eq!(fx.get(OUT, 1)[0], Filetype::RegularFile as u8);
        assert_eq!(fx.u16_at(OUT + 2), fdflags::APPEND);
        assert_eq!(fx.u64_at(OUT + 8), rights::FD_READ | rights::FD_WRITE);

        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, 99, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, 1, 0xfff0)),
            Err(Errno::Fault)
        );
    }

    #[test]
    fn set_flags_reaches_the_host_and_fdstat() {
        let mut fx = Fixture::new();
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, fd, 1 << 5)),
            Err(Errno::Inval)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, fd, 1 << 16)),
            Err(Errno::Inval)
        );
        let flags = (fdflags::APPEND | fdflags::NONBLOCK) as u32;
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, fd, flags)),
            Ok(())
        );
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, fd, OUT)).unwrap();
        assert_eq!(fx.u16_at(OUT + 2), flags as u16);
        let host = match fx.ctx.entry(fd).unwrap().kind {
            crate::ctx::FdKind::File(h) => h,
            _ => unreachable!(),
        };
        assert_eq!(fx.state().handles[&host].flags, flags as u16);
        // Stdio remembers them.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, 0, 4)),
            Ok(())
        );
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, 0, OUT)).unwrap();
        assert_eq!(fx.u16_at(OUT + 2), 4);
        drop_rights(&mut fx, fd, rights::FD_FDSTAT_SET_FLAGS);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_fdstat_set_flags(mem, fd, 0)),
            Err(Errno::Notcapable)
        );
    }

    #[test]
    fn filestat_of_stdio_files_and_times() {
        let mut fx = Fixture::new();
        fx.mem[OUT as usize..OUT as usize + 64].fill(0xaa);
        fx.call(|ctx, mem| ctx.fd_filestat_get(mem, 0, OUT))
            .unwrap();
        let mut expected = [0u8; 64];
        expected[16] = Filetype::CharacterDevice as u8;
        assert_eq!(fx.get(OUT, 64), &expected[..]);

        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        fx.call(|ctx, mem| ctx.fd_filestat_get(mem, fd, OUT))
            .unwrap();
        assert_eq!(
            (fx.get(OUT + 16, 1)[0], fx.u64_at(OUT + 32)),
            (Filetype::RegularFile as u8, 11)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_get(mem, fd, 0xffc0 + 1)),
            Err(Errno::Fault)
        );

        // ATIM with ATIM_NOW, MTIM with MTIM_NOW, undefined bits.
        for bad in [0b11, 0b1100, 0b1_0000, 1 << 16] {
            assert_eq!(
                fx.call(|ctx, mem| ctx.fd_filestat_set_times(mem, fd, 5, 6, bad)),
                Err(Errno::Inval)
            );
        }
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_times(mem, fd, 5, 6, 0b0101)),
            Ok(())
        );
        assert_eq!(fx.times(1), (5, 6));
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_times(mem, fd, 0, 9, 0b0110)),
            Ok(())
        );
        assert_eq!(fx.times(1), (super::super::testing::EPOCH, 9));
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_times(mem, 1, 0, 0, 0)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_times(mem, ROOT, 7, 0, 1)),
            Ok(())
        );
        assert_eq!(fx.state().inodes[0].atim, 7);

        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_set_size(mem, fd, 3)),
            Ok(())
        );
        assert_eq!(fx.call(|ctx, mem| ctx.fd_allocate(mem, fd, 4, 2)), Ok(()));
        assert_eq!(fx.state().inodes[1].node_len(), 6);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_advise(mem, fd, 0, 0, 6)),
            Err(Errno::Inval)
        );
        assert_eq!(fx.call(|ctx, mem| ctx.fd_advise(mem, fd, 0, 0, 5)), Ok(()));
        assert_eq!(fx.call(|ctx, mem| ctx.fd_sync(mem, fd)), Ok(()));
        assert_eq!(fx.call(|ctx, mem| ctx.fd_datasync(mem, fd)), Ok(()));
    }

    #[test]
    fn prestat_names() {
        let mut fx = Fixture::new();
        fx.call(|ctx, mem| ctx.fd_prestat_get(mem, ROOT, OUT))
            .unwrap();
        assert_eq!((fx.get(OUT, 1)[0], fx.u32_at(OUT + 4)), (0, 1));
        fx.put_u32(OUT, 0xffff_ffff);
        fx.call(|ctx, mem| ctx.fd_prestat_get(mem, DATA, OUT))
            .unwrap();
        assert_eq!(fx.get(OUT, 8), &[0, 0, 0, 0, 5, 0, 0, 0]);
        for fd in [0, 1, 2, 5, 99] {
            assert_eq!(
                fx.call(|ctx, mem| ctx.fd_prestat_get(mem, fd, OUT)),
                Err(Errno::Badf)
            );
        }
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_get(mem, ROOT, 0xfffc)),
            Err(Errno::Fault)
        );

        fx.put(0x300, b"########");
        fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, DATA, 0x300, 5))
            .unwrap();
        assert_eq!(fx.get(0x300, 8), b"/data###", "no NUL");
        fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, ROOT, 0x300, 100))
            .unwrap();
        assert_eq!(fx.get(0x300, 2), b"/d");
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, DATA, 0x300, 4)),
            Err(Errno::Nametoolong)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, DATA, 0xfffe, 5)),
            Err(Errno::Fault)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, 1, 0x300, 5)),
            Err(Errno::Notdir)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_dir_name(mem, 99, 0x300, 5)),
            Err(Errno::Badf)
        );
    }

    #[test]
    fn close_frees_the_slot_and_renumber_replaces() {
        let mut fx = Fixture::new();
        let handles = fx.open_handles();
        assert_eq!(fx.call(|ctx, mem| ctx.fd_close(mem, DATA)), Ok(()));
        assert_eq!(fx.open_handles(), handles - 1);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_close(mem, DATA)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_get(mem, DATA, OUT)),
            Err(Errno::Badf)
        );
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(fd, DATA, "the lowest free slot is reused");

        let other = fx.open(ROOT, "sub/a.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_renumber(mem, other, 99)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_renumber(mem, 99, other)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_renumber(mem, other, other)),
            Ok(())
        );
        let handles = fx.open_handles();
        assert_eq!(fx.call(|ctx, mem| ctx.fd_renumber(mem, other, fd)), Ok(()));
        assert_eq!(
            fx.open_handles(),
            handles - 1,
            "the replaced descriptor is closed"
        );
        assert_eq!(read(&mut fx, fd, &[8]).unwrap(), b"A");
        assert_eq!(read(&mut fx, other, &[8]), Err(Errno::Badf));

        // Stdio can be closed, and a preopen moved onto it keeps its name.
        assert_eq!(fx.call(|ctx, mem| ctx.fd_renumber(mem, ROOT, 1)), Ok(()));
        fx.call(|ctx, mem| ctx.fd_prestat_get(mem, 1, OUT)).unwrap();
        assert_eq!(fx.u32_at(OUT + 4), 1);
        assert_eq!(fx.call(|ctx, mem| ctx.fd_close(mem, 0)), Ok(()));
        assert_eq!(read(&mut fx, 0, &[1]), Err(Errno::Badf));
    }

    /// `(d_next, d_ino, d_type, name)` of the entries in `buf`.
    fn dirents(mut buf: &[u8]) -> Vec<(u64, u8, String)> {
        let mut out = Vec::new();
        while buf.len() >= 24 {
            let next = u64::from_le_bytes(buf[0..8].try_into().unwrap());
            let len = u32::from_le_bytes(buf[16..20].try_into().unwrap()) as usize;
            let name = String::from_utf8_lossy(&buf[24..(24 + len).min(buf.len())]).into_owned();
            out.push((next, buf[20], name));
            buf = &buf[(24 + len).min(buf.len())..];
        }
        out
    }

    #[test]
    fn readdir_lists_and_fills_the_buffer_exactly() {
        let mut fx = Fixture::new();
        let dir = Filetype::Directory as u8;
        let file = Filetype::RegularFile as u8;
        let link = Filetype::SymbolicLink as u8;
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 1024, 0, OUT)),
            Ok(())
        );
        let used = fx.u32_at(OUT);
        assert_eq!(
            used,
            24 * 5 + 1 + 2 + 9 + 4 + 3,
            "everything fits: bufused < buf_len"
        );
        assert_eq!(
            dirents(fx.get(BUF, used as usize)),
            vec![
                (1, dir, ".".into()),
                (2, dir, "..".into()),
                (3, file, "hello.txt".into()),
                (4, link, "link".into()),
                (5, dir, "sub".into()),
            ]
        );
        // Exactly two entries fit: the buffer is full, so there may be more.
        fx.mem[BUF as usize..BUF as usize + 64].fill(0xee);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 51, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 51);
        assert_eq!(
            dirents(fx.get(BUF, 51)),
            vec![(1, dir, ".".into()), (2, dir, "..".into())]
        );
        assert_eq!(fx.get(BUF + 51, 1), &[0xee], "nothing past buf_len");
        // The third entry's header cut short, then its name cut short.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 60, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 60);
        assert_eq!(fx.get(BUF + 51, 8), &3u64.to_le_bytes(), "a partial dirent");
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 51 + 24 + 4, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 79);
        assert_eq!(fx.get(BUF + 75, 4), b"hell");
        // Going on from a cookie.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 1024, 3, OUT)),
            Ok(())
        );
        let used = fx.u32_at(OUT) as usize;
        assert_eq!(
            dirents(fx.get(BUF, used)),
            vec![(4, link, "link".into()), (5, dir, "sub".into())]
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 1024, 5, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 0, "the end");
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 0, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 0);
    }

    #[test]
    fn readdir_errors() {
        let mut fx = Fixture::new();
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, fd, BUF, 64, 0, OUT)),
            Err(Errno::Notdir)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, 1, BUF, 64, 0, OUT)),
            Err(Errno::Notdir)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, 99, BUF, 64, 0, OUT)),
            Err(Errno::Badf)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, 0xff00, 0x101, 0, OUT)),
            Err(Errno::Fault)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, ROOT, BUF, 64, 0, 0xfffd)),
            Err(Errno::Fault)
        );
        let sub = fx
            .open(ROOT, "sub", oflags::DIRECTORY as u32, rights::DIRECTORY, 0)
            .unwrap();
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, sub, BUF, 1024, 2, OUT)),
            Ok(())
        );
        assert_eq!(
            dirents(fx.get(BUF, fx.u32_at(OUT) as usize)),
            vec![(3, 4, "a.txt".into())]
        );
        drop_rights(&mut fx, sub, rights::FD_READDIR);
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_readdir(mem, sub, BUF, 64, 0, OUT)),
            Err(Errno::Notcapable)
        );
    }
}
