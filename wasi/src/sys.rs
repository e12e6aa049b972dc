//! The one trait through which WASI touches the outside world.

use alloc::string::String;

use crate::Errno;
use crate::types::{Advice, ClockId, DirEntry, Filestat, OpenOptions, SetTime, Whence};

/// A handle the [`WasiSys`] implementation gives out for a file or directory
/// it opened; the guest never sees it (it sees WASI descriptors, which
/// [`WasiCtx`](crate::WasiCtx) maps to handles).
pub type HostFd = u32;

/// What WASI needs from its host: console, clocks, randomness and, when
/// there is one, a filesystem.
///
/// The ABI glue ([`WasiCtx`](crate::WasiCtx)) does everything else: it checks
/// guest pointers, decodes arguments, keeps the descriptor table and rights,
/// and writes results back. A firmware implementation usually writes only
/// [`write_stdout`](WasiSys::write_stdout), a clock and maybe
/// [`random`](WasiSys::random): every other method has a default that fails
/// the way a system without that facility does (`ENOSYS` for a missing
/// service, `EBADF` where no descriptor can exist), so a program importing
/// all 46 functions still instantiates and runs.
///
/// ```
/// use kestrel_wasi::{Errno, WasiSys, types::ClockId};
///
/// /// Console on a UART, time from a tick counter.
/// struct Board { ticks: u64 }
///
/// impl WasiSys for Board {
///     fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno> {
///         // uart_write(data);
///         Ok(data.len())
///     }
///     fn clock_time(&mut self, clock: ClockId, _precision: u64) -> Result<u64, Errno> {
///         match clock {
///             ClockId::Monotonic => Ok(self.ticks * 1_000),
///             _ => Err(Errno::Inval),
///         }
///     }
/// }
/// ```
#[allow(unused_variables)]
pub trait WasiSys {
    /// Writes to standard output; returns how many bytes were written.
    fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Writes to standard error.
    fn write_stderr(&mut self, data: &[u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Reads from standard input; `Ok(0)` is end of input.
    fn read_stdin(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        Ok(0)
    }

    /// The time of `clock` in nanoseconds.
    fn clock_time(&mut self, clock: ClockId, precision: u64) -> Result<u64, Errno> {
        Err(Errno::Nosys)
    }

    /// The resolution of `clock` in nanoseconds.
    fn clock_res(&mut self, clock: ClockId) -> Result<u64, Errno> {
        Err(Errno::Nosys)
    }

    /// Fills `buf` with random bytes.
    fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        Err(Errno::Nosys)
    }

    /// Lets other work run.
    fn sched_yield(&mut self) -> Result<(), Errno> {
        Ok(())
    }

    /// Blocks for `nanos` nanoseconds (for `poll_oneoff` clock subscriptions).
    fn sleep(&mut self, nanos: u64) -> Result<(), Errno> {
        Err(Errno::Nosys)
    }

    /// Opens the host directory `path` to preopen it for the guest.
    fn open_preopen(&mut self, path: &str) -> Result<HostFd, Errno> {
        Err(Errno::Nosys)
    }

    /// Opens `path` relative to directory `dir`. The path is never absolute
    /// and the implementation must not let it resolve outside `dir`
    /// (through `..` or symbolic links): that is the sandbox.
    fn open_at(&mut self, dir: HostFd, path: &str, options: &OpenOptions) -> Result<HostFd, Errno> {
        Err(Errno::Nosys)
    }

    /// Closes a handle.
    fn close(&mut self, fd: HostFd) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Reads at the current position.
    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Reads at `offset` without moving the position.
    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Writes at the current position (or the end, in append mode).
    fn write(&mut self, fd: HostFd, data: &[u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Writes at `offset` without moving the position.
    fn pwrite(&mut self, fd: HostFd, data: &[u8], offset: u64) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Moves the position; returns the new one.
    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> Result<u64, Errno> {
        Err(Errno::Badf)
    }

    /// Metadata of an open handle.
    fn filestat(&mut self, fd: HostFd) -> Result<Filestat, Errno> {
        Err(Errno::Badf)
    }

    /// Changes the `fdflags` (append, nonblock …) of an open handle.
    fn set_fdflags(&mut self, fd: HostFd, flags: u16) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Truncates or extends a file.
    fn set_size(&mut self, fd: HostFd, size: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Changes the timestamps of an open handle.
    fn set_times(&mut self, fd: HostFd, atim: SetTime, mtim: SetTime) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Flushes data and metadata.
    fn sync(&mut self, fd: HostFd) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Flushes data.
    fn datasync(&mut self, fd: HostFd) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// An access pattern hint; doing nothing is correct.
    fn advise(&mut self, fd: HostFd, offset: u64, len: u64, advice: Advice) -> Result<(), Errno> {
        Ok(())
    }

    /// Makes sure `offset..offset + len` is allocated.
    fn allocate(&mut self, fd: HostFd, offset: u64, len: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Lists directory `fd` from `cookie` on (`0` is the start), `.` and `..`
    /// included, calling `each` per entry until it returns `false`.
    fn read_dir(
        &mut self,
        fd: HostFd,
        cookie: u64,
        each: &mut dyn FnMut(DirEntry) -> bool,
    ) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Metadata of `path` under `dir`.
    fn path_filestat(&mut self, dir: HostFd, path: &str, follow: bool) -> Result<Filestat, Errno> {
        Err(Errno::Badf)
    }

    /// Changes the timestamps of `path` under `dir`.
    fn path_set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        atim: SetTime,
        mtim: SetTime,
    ) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Creates a directory.
    fn create_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Removes an empty directory.
    fn remove_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Removes a file or symbolic link.
    fn unlink_file(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Renames `path` under `dir` to `new_path` under `new_dir`.
    fn rename(
        &mut self,
        dir: HostFd,
        path: &str,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Creates a hard link.
    fn link(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Creates a symbolic link at `path` under `dir` pointing to `target`.
    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// The target of the symbolic link `path` under `dir`.
    fn readlink(&mut self, dir: HostFd, path: &str) -> Result<String, Errno> {
        Err(Errno::Badf)
    }

    /// For `poll_oneoff`: how many bytes `fd` can be read (`write == false`)
    /// or written without blocking; `Ok(0)` with ready semantics is fine for
    /// regular files.
    fn poll_ready(&mut self, fd: HostFd, write: bool) -> Result<u64, Errno> {
        Ok(0)
    }
}

/// A system with nothing: no console, no clocks, no files. Programs still
/// link and run; every call fails as the trait's defaults say.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSys;

impl WasiSys for NullSys {}
