//! The hosted [`WasiSys`]: real files sandboxed by cap-std, the process's
//! stdio, the host's clocks and its secure random source.
//!
//! [`HostSys`] keeps a table of the files and directories it opened; a
//! [`HostFd`] is an index into it. Directories are `cap_std::fs::Dir`s, so
//! every path a guest passes is resolved *inside* the directory it is
//! relative to: an absolute path, `..` above that directory, or a symbolic
//! link leading out of it is refused with [`SANDBOX_ESCAPE`] (`EPERM`, what
//! wasmtime reports; see [`SANDBOX_ESCAPE`] for why not `ENOTCAPABLE`), and
//! nothing outside is read, written, created or removed. On Linux cap-std
//! does the resolution with `openat2(RESOLVE_BENEATH)` where the kernel has
//! it, so the check cannot be raced with renames or symlink swaps.
//!
//! What each operation does, where it is not plain POSIX:
//!
//! - **Clocks**: `Realtime` is the host's wall clock; `Monotonic` counts from
//!   one day (not 0) at [`HostSys::new`]; the CPU-time clocks are `EBADF`,
//!   as in wasmtime. Resolution: 1 ns.
//! - **`open_at`**: a path naming a directory opens it as a directory handle
//!   even without `oflags::DIRECTORY` when no write access is asked (C's
//!   `opendir` and wasmtime do this); with `DIRECTORY` a non-directory is
//!   `ENOTDIR`, and `DIRECTORY` with `CREAT`, `EXCL` or `TRUNC` is `EINVAL`.
//!   `follow == false` is `O_NOFOLLOW`: a symbolic link as the last
//!   component is `ELOOP`. A trailing slash on a regular file is `ENOTDIR`
//!   (`EISDIR` with `CREAT`, as on Linux).
//!   The host file is opened for writing whenever the guest creates or
//!   truncates (cap-std, like std, requires it); the guest's rights, checked
//!   by [`WasiCtx`](crate::WasiCtx), still decide what it may do.
//! - **`fdflags`**: `APPEND` at open is the host's `O_APPEND` (atomic
//!   appends); `SYNC`/`DSYNC`/`RSYNC`/`NONBLOCK` at open are passed to the
//!   host. `set_fdflags` may turn `APPEND` and `NONBLOCK` on and off (append
//!   turned on later seeks to the end before each write; turned off, the
//!   file is reopened without `O_APPEND` at the same position); changing a
//!   `*SYNC` flag is `EINVAL`, as in wasmtime. `NONBLOCK` has no effect on
//!   regular files. `pwrite` on a file opened with `APPEND` appends, as it
//!   does on Linux.
//! - **`read_dir`**: cookie 0 is `.`, 1 is `..`, then the entries sorted by
//!   name; the `next` of entry `i` is `i + 1`. The listing is read (and
//!   sorted) when a listing starts at cookie 0 and kept for the following
//!   calls on that handle, so cookies stay valid while the guest pages
//!   through. The inode of `..` is that of the parent when the parent can
//!   be reached from the directory the handle was opened from, inside the
//!   sandbox; otherwise (a preopen, or `.`) it is 0. A name that is not
//!   UTF-8 makes the listing fail with `EILSEQ`, as in wasmtime.
//! - **`allocate`**: extends the file to `offset + len` if it is shorter
//!   (without reserving blocks); `len == 0` is `EINVAL`, like
//!   `posix_fallocate`. (wasmtime answers `ENOTSUP`.)
//! - **`link`** with `follow` is `EINVAL` (as in wasmtime); **`symlink`**
//!   with an absolute target is refused as a sandbox escape, and
//!   **`readlink`** of a link with an absolute target likewise (cap-std's
//!   rules: such a link could only lead out).
//! - **Trailing slashes** mean "a directory", as in POSIX, in the three
//!   places cap-std reads them otherwise: renaming a file to `x/` is `ENOTDIR`, `remove_dir`
//!   of `dir/` removes `dir`, and `path_filestat` of `x/` without `follow`
//!   still resolves `x` if it is a symbolic link (`ENOTDIR` for a file).
//! - **Errors**: Linux error numbers map one to one; elsewhere
//!   [`std::io::ErrorKind`] decides.

mod clock;
mod errno;
mod fs;
mod stdio;
#[cfg(test)]
mod tests;

use std::string::String;
use std::time::Instant;
use std::vec::Vec;

pub use errno::SANDBOX_ESCAPE;

use crate::types::{Advice, ClockId, DirEntry, Filestat, OpenOptions, SetTime, Whence};
use crate::{Errno, HostFd, WasiSys};

/// The hosted implementation of [`WasiSys`] (see the [module docs](self)).
///
/// ```no_run
/// use kestrel_wasi::{WasiCtx, hosted::HostSys};
/// let ctx = WasiCtx::builder(HostSys::new())
///     .inherit_stdio()
///     .preopened_dir("/srv/data", "/data")
///     .build()?;
/// # Ok::<(), kestrel_wasi::Errno>(())
/// ```
pub struct HostSys {
    handles: Vec<Option<fs::Handle>>,
    start: Instant,
}

impl HostSys {
    /// A host with no open files; the monotonic clock starts now.
    pub fn new() -> HostSys {
        HostSys {
            handles: Vec::new(),
            start: Instant::now(),
        }
    }
}

impl Default for HostSys {
    fn default() -> HostSys {
        HostSys::new()
    }
}

impl core::fmt::Debug for HostSys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HostSys")
            .field("open", &self.handles.iter().filter(|h| h.is_some()).count())
            .finish_non_exhaustive()
    }
}

impl WasiSys for HostSys {
    fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno> {
        stdio::write_stdout(data)
    }

    fn write_stderr(&mut self, data: &[u8]) -> Result<usize, Errno> {
        stdio::write_stderr(data)
    }

    fn read_stdin(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        stdio::read_stdin(buf)
    }

    fn clock_time(&mut self, clock: ClockId, _precision: u64) -> Result<u64, Errno> {
        clock::time(self.start, clock)
    }

    fn clock_res(&mut self, clock: ClockId) -> Result<u64, Errno> {
        clock::res(clock)
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        clock::random(buf)
    }

    fn sched_yield(&mut self) -> Result<(), Errno> {
        std::thread::yield_now();
        Ok(())
    }

    fn sleep(&mut self, nanos: u64) -> Result<(), Errno> {
        clock::sleep(nanos);
        Ok(())
    }

    fn open_preopen(&mut self, path: &str) -> Result<HostFd, Errno> {
        self.fs_open_preopen(path)
    }

    fn open_at(&mut self, dir: HostFd, path: &str, options: &OpenOptions) -> Result<HostFd, Errno> {
        self.fs_open_at(dir, path, options)
    }

    fn close(&mut self, fd: HostFd) -> Result<(), Errno> {
        self.fs_close(fd)
    }

    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno> {
        self.fs_read(fd, buf)
    }

    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        self.fs_pread(fd, buf, offset)
    }

    fn write(&mut self, fd: HostFd, data: &[u8]) -> Result<usize, Errno> {
        self.fs_write(fd, data)
    }

    fn pwrite(&mut self, fd: HostFd, data: &[u8], offset: u64) -> Result<usize, Errno> {
        self.fs_pwrite(fd, data, offset)
    }

    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> Result<u64, Errno> {
        self.fs_seek(fd, offset, whence)
    }

    fn filestat(&mut self, fd: HostFd) -> Result<Filestat, Errno> {
        self.fs_filestat(fd)
    }

    fn set_fdflags(&mut self, fd: HostFd, flags: u16) -> Result<(), Errno> {
        self.fs_set_fdflags(fd, flags)
    }

    fn set_size(&mut self, fd: HostFd, size: u64) -> Result<(), Errno> {
        self.fs_set_size(fd, size)
    }

    fn set_times(&mut self, fd: HostFd, atim: SetTime, mtim: SetTime) -> Result<(), Errno> {
        self.fs_set_times(fd, atim, mtim)
    }

    fn sync(&mut self, fd: HostFd) -> Result<(), Errno> {
        self.fs_sync(fd, false)
    }

    fn datasync(&mut self, fd: HostFd) -> Result<(), Errno> {
        self.fs_sync(fd, true)
    }

    fn advise(
        &mut self,
        fd: HostFd,
        _offset: u64,
        _len: u64,
        _advice: Advice,
    ) -> Result<(), Errno> {
        // A hint: checking the handle is all there is to do.
        self.fs_file(fd).map(|_| ())
    }

    fn allocate(&mut self, fd: HostFd, offset: u64, len: u64) -> Result<(), Errno> {
        self.fs_allocate(fd, offset, len)
    }

    fn read_dir(
        &mut self,
        fd: HostFd,
        cookie: u64,
        each: &mut dyn FnMut(DirEntry) -> bool,
    ) -> Result<(), Errno> {
        self.fs_read_dir(fd, cookie, each)
    }

    fn path_filestat(&mut self, dir: HostFd, path: &str, follow: bool) -> Result<Filestat, Errno> {
        self.fs_path_filestat(dir, path, follow)
    }

    fn path_set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        atim: SetTime,
        mtim: SetTime,
    ) -> Result<(), Errno> {
        self.fs_path_set_times(dir, path, follow, atim, mtim)
    }

    fn create_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.fs_create_dir(dir, path)
    }

    fn remove_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.fs_remove_dir(dir, path)
    }

    fn unlink_file(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.fs_unlink_file(dir, path)
    }

    fn rename(
        &mut self,
        dir: HostFd,
        path: &str,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        self.fs_rename(dir, path, new_dir, new_path)
    }

    fn link(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        self.fs_link(dir, path, follow, new_dir, new_path)
    }

    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.fs_symlink(target, dir, path)
    }

    fn readlink(&mut self, dir: HostFd, path: &str) -> Result<String, Errno> {
        self.fs_readlink(dir, path)
    }

    fn poll_ready(&mut self, fd: HostFd, write: bool) -> Result<u64, Errno> {
        self.fs_poll_ready(fd, write)
    }
}
