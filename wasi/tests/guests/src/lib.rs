//! Helpers shared by the guest programs of the WASI conformance suite.
//!
//! Every program prints one line per check (`<what>: <outcome>`), so the
//! suite can compare its standard output exactly, and also checks each
//! outcome itself: a wrong one is reported on standard error as
//! `CHECK FAILED: …` and the program goes on, so one run shows every
//! deviation; [`finish`] then panics, which traps the guest.

use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use wasi;
/// The raw imports (`i32` everywhere), for bad pointers and bad values that
/// the typed bindings cannot express.
pub use wasi::wasi_snapshot_preview1 as raw;

/// An address far outside linear memory.
pub const BAD_PTR: i32 = 0xFFFF_FFF0_u32 as i32;

/// The size of linear memory in bytes.
pub fn mem_end() -> u32 {
    (core::arch::wasm32::memory_size(0) * 65536) as u32
}

/// An address whose next `n` bytes straddle the end of linear memory: the
/// first half is inside, the rest outside.
pub fn straddle(n: u32) -> i32 {
    (mem_end() - n / 2) as i32
}

/// A guest pointer to `x`.
pub fn ptr<T: ?Sized>(x: &T) -> i32 {
    x as *const T as *const u8 as i32
}

/// A guest pointer to `x`, for the host to write.
pub fn mut_ptr<T: ?Sized>(x: &mut T) -> i32 {
    x as *mut T as *mut u8 as i32
}

/// The witx errno values.
pub mod errno {
    #![allow(missing_docs)]
    pub const SUCCESS: u16 = 0;
    pub const ACCES: u16 = 2;
    pub const BADF: u16 = 8;
    pub const EXIST: u16 = 20;
    pub const FAULT: u16 = 21;
    pub const ILSEQ: u16 = 25;
    pub const INVAL: u16 = 28;
    pub const ISDIR: u16 = 31;
    pub const LOOP: u16 = 32;
    pub const NAMETOOLONG: u16 = 37;
    pub const NOENT: u16 = 44;
    pub const NOSYS: u16 = 52;
    pub const NOTDIR: u16 = 54;
    pub const NOTEMPTY: u16 = 55;
    pub const NOTSOCK: u16 = 57;
    pub const NOTSUP: u16 = 58;
    pub const PERM: u16 = 63;
    pub const SPIPE: u16 = 70;
    pub const XDEV: u16 = 75;
    pub const NOTCAPABLE: u16 = 76;
}

const NAMES: [&str; 77] = [
    "SUCCESS",
    "E2BIG",
    "EACCES",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "EAFNOSUPPORT",
    "EAGAIN",
    "EALREADY",
    "EBADF",
    "EBADMSG",
    "EBUSY",
    "ECANCELED",
    "ECHILD",
    "ECONNABORTED",
    "ECONNREFUSED",
    "ECONNRESET",
    "EDEADLK",
    "EDESTADDRREQ",
    "EDOM",
    "EDQUOT",
    "EEXIST",
    "EFAULT",
    "EFBIG",
    "EHOSTUNREACH",
    "EIDRM",
    "EILSEQ",
    "EINPROGRESS",
    "EINTR",
    "EINVAL",
    "EIO",
    "EISCONN",
    "EISDIR",
    "ELOOP",
    "EMFILE",
    "EMLINK",
    "EMSGSIZE",
    "EMULTIHOP",
    "ENAMETOOLONG",
    "ENETDOWN",
    "ENETRESET",
    "ENETUNREACH",
    "ENFILE",
    "ENOBUFS",
    "ENODEV",
    "ENOENT",
    "ENOEXEC",
    "ENOLCK",
    "ENOLINK",
    "ENOMEM",
    "ENOMSG",
    "ENOPROTOOPT",
    "ENOSPC",
    "ENOSYS",
    "ENOTCONN",
    "ENOTDIR",
    "ENOTEMPTY",
    "ENOTRECOVERABLE",
    "ENOTSOCK",
    "ENOTSUP",
    "ENOTTY",
    "ENXIO",
    "EOVERFLOW",
    "EOWNERDEAD",
    "EPERM",
    "EPIPE",
    "EPROTO",
    "EPROTONOSUPPORT",
    "EPROTOTYPE",
    "ERANGE",
    "EROFS",
    "ESPIPE",
    "ESRCH",
    "ESTALE",
    "ETIMEDOUT",
    "ETXTBSY",
    "EXDEV",
    "ENOTCAPABLE",
];

/// `ok` for success, else the errno's name (`EBADF`).
pub fn errno_name(code: u16) -> String {
    match code {
        0 => "ok".to_string(),
        c if (c as usize) < NAMES.len() => NAMES[c as usize].to_string(),
        c => format!("errno {c}"),
    }
}

/// The errno of a call's outcome.
pub trait Outcome {
    /// 0 for success.
    fn code(&self) -> u16;
}

impl Outcome for i32 {
    fn code(&self) -> u16 {
        *self as u16
    }
}

impl Outcome for u16 {
    fn code(&self) -> u16 {
        *self
    }
}

impl<T> Outcome for Result<T, wasi::Errno> {
    fn code(&self) -> u16 {
        match self {
            Ok(_) => 0,
            Err(e) => e.raw(),
        }
    }
}

static FAILURES: AtomicUsize = AtomicUsize::new(0);

/// Reports a failed check; the program goes on.
pub fn fail(what: impl Display) {
    eprintln!("CHECK FAILED: {what}");
    FAILURES.fetch_add(1, Ordering::Relaxed);
}

/// Checks `cond`, reporting `what` if it is false.
pub fn check(cond: bool, what: impl Display) -> bool {
    if !cond {
        fail(what);
    }
    cond
}

/// Checks `got == want`, reporting both if not.
#[track_caller]
pub fn check_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> bool {
    if got != want {
        fail(format_args!(
            "{what}: got {got:?}, expected {want:?} (at line {})",
            std::panic::Location::caller().line()
        ));
        return false;
    }
    true
}

/// Prints `label: <outcome>` and checks the outcome is `want` (0 = success).
pub fn expect(label: &str, got: impl Outcome, want: u16) -> bool {
    let code = got.code();
    println!("{label}: {}", errno_name(code));
    if code != want {
        fail(format_args!(
            "{label}: got {} ({code}), expected {} ({want})",
            errno_name(code),
            errno_name(want)
        ));
        return false;
    }
    true
}

/// Prints `label: ok` and returns the value, or reports the error.
pub fn expect_ok<T>(label: &str, got: Result<T, wasi::Errno>) -> Option<T> {
    match got {
        Ok(v) => {
            println!("{label}: ok");
            Some(v)
        }
        Err(e) => {
            println!("{label}: {}", errno_name(e.raw()));
            fail(format_args!(
                "{label}: got {}, expected success",
                errno_name(e.raw())
            ));
            None
        }
    }
}

/// Like [`expect`] where the specification allows several outcomes: prints
/// `label: <shown>` when the outcome is one of `wants`.
pub fn expect_any(label: &str, got: impl Outcome, wants: &[u16], shown: &str) -> bool {
    let code = got.code();
    if wants.contains(&code) {
        println!("{label}: {shown}");
        true
    } else {
        println!("{label}: {}", errno_name(code));
        let names: Vec<String> = wants.iter().map(|w| errno_name(*w)).collect();
        fail(format_args!(
            "{label}: got {} ({code}), expected one of {}",
            errno_name(code),
            names.join(", ")
        ));
        false
    }
}

/// Ends the program: panics (so the guest traps) if any check failed.
pub fn finish() {
    let n = FAILURES.load(Ordering::Relaxed);
    if n > 0 {
        panic!("{n} check(s) failed");
    }
    println!("done");
}

/// Like [`finish`], reporting on standard error (for a program that closed
/// its standard output).
pub fn finish_quiet() {
    let n = FAILURES.load(Ordering::Relaxed);
    if n > 0 {
        panic!("{n} check(s) failed");
    }
    eprintln!("done");
}

/// Every right of a regular file.
pub const FILE_RIGHTS: u64 = wasi::RIGHTS_FD_DATASYNC
    | wasi::RIGHTS_FD_READ
    | wasi::RIGHTS_FD_SEEK
    | wasi::RIGHTS_FD_FDSTAT_SET_FLAGS
    | wasi::RIGHTS_FD_SYNC
    | wasi::RIGHTS_FD_TELL
    | wasi::RIGHTS_FD_WRITE
    | wasi::RIGHTS_FD_ADVISE
    | wasi::RIGHTS_FD_ALLOCATE
    | wasi::RIGHTS_FD_FILESTAT_GET
    | wasi::RIGHTS_FD_FILESTAT_SET_SIZE
    | wasi::RIGHTS_FD_FILESTAT_SET_TIMES
    | wasi::RIGHTS_POLL_FD_READWRITE;

/// Every right of a directory.
pub const DIR_RIGHTS: u64 = wasi::RIGHTS_FD_FDSTAT_SET_FLAGS
    | wasi::RIGHTS_FD_SYNC
    | wasi::RIGHTS_FD_ADVISE
    | wasi::RIGHTS_PATH_CREATE_DIRECTORY
    | wasi::RIGHTS_PATH_CREATE_FILE
    | wasi::RIGHTS_PATH_LINK_SOURCE
    | wasi::RIGHTS_PATH_LINK_TARGET
    | wasi::RIGHTS_PATH_OPEN
    | wasi::RIGHTS_FD_READDIR
    | wasi::RIGHTS_PATH_READLINK
    | wasi::RIGHTS_PATH_RENAME_SOURCE
    | wasi::RIGHTS_PATH_RENAME_TARGET
    | wasi::RIGHTS_PATH_FILESTAT_GET
    | wasi::RIGHTS_PATH_FILESTAT_SET_SIZE
    | wasi::RIGHTS_PATH_FILESTAT_SET_TIMES
    | wasi::RIGHTS_FD_FILESTAT_GET
    | wasi::RIGHTS_FD_FILESTAT_SET_TIMES
    | wasi::RIGHTS_PATH_SYMLINK
    | wasi::RIGHTS_PATH_REMOVE_DIRECTORY
    | wasi::RIGHTS_PATH_UNLINK_FILE
    | wasi::RIGHTS_POLL_FD_READWRITE;

/// The preopened directory every program works in (the first preopen).
pub const ROOT: u32 = 3;

/// Opens `path` under `dir` with every file right.
pub fn open(dir: u32, path: &str, oflags: u16) -> Result<u32, wasi::Errno> {
    open_with(dir, 0, path, oflags, FILE_RIGHTS, 0)
}

/// Opens `path` under `dir` with these lookup flags, base rights (no
/// inheriting rights) and `fdflags`.
pub fn open_with(
    dir: u32,
    lookup: u32,
    path: &str,
    oflags: u16,
    rights: u64,
    fdflags: u16,
) -> Result<u32, wasi::Errno> {
    unsafe { wasi::path_open(dir, lookup, path, oflags, rights, 0, fdflags) }
}

/// Opens directory `path` under `dir` with every directory right.
pub fn open_dir(dir: u32, path: &str) -> Result<u32, wasi::Errno> {
    unsafe {
        wasi::path_open(
            dir,
            wasi::LOOKUPFLAGS_SYMLINK_FOLLOW,
            path,
            wasi::OFLAGS_DIRECTORY,
            DIR_RIGHTS,
            DIR_RIGHTS | FILE_RIGHTS,
            0,
        )
    }
}

/// Writes all of `data` at the current position.
pub fn write_all(fd: u32, data: &[u8]) -> Result<usize, wasi::Errno> {
    unsafe {
        wasi::fd_write(
            fd,
            &[wasi::Ciovec {
                buf: data.as_ptr(),
                buf_len: data.len(),
            }],
        )
    }
}

/// Reads up to `max` bytes at the current position.
pub fn read(fd: u32, max: usize) -> Result<Vec<u8>, wasi::Errno> {
    let mut buf = vec![0u8; max];
    let n = unsafe {
        wasi::fd_read(
            fd,
            &[wasi::Iovec {
                buf: buf.as_mut_ptr(),
                buf_len: max,
            }],
        )?
    };
    buf.truncate(n);
    Ok(buf)
}

/// Reads up to `max` bytes at `offset`.
pub fn pread(fd: u32, max: usize, offset: u64) -> Result<Vec<u8>, wasi::Errno> {
    let mut buf = vec![0u8; max];
    let n = unsafe {
        wasi::fd_pread(
            fd,
            &[wasi::Iovec {
                buf: buf.as_mut_ptr(),
                buf_len: max,
            }],
            offset,
        )?
    };
    buf.truncate(n);
    Ok(buf)
}

/// Metadata of an open descriptor.
pub fn filestat(fd: u32) -> Result<wasi::Filestat, wasi::Errno> {
    unsafe { wasi::fd_filestat_get(fd) }
}

/// Metadata of `path` under `dir`.
pub fn path_filestat(dir: u32, path: &str, follow: bool) -> Result<wasi::Filestat, wasi::Errno> {
    let flags = if follow {
        wasi::LOOKUPFLAGS_SYMLINK_FOLLOW
    } else {
        0
    };
    unsafe { wasi::path_filestat_get(dir, flags, path) }
}

/// The name of a filetype value.
pub fn filetype_name(t: u8) -> &'static str {
    match t {
        0 => "UNKNOWN",
        1 => "BLOCK_DEVICE",
        2 => "CHARACTER_DEVICE",
        3 => "DIRECTORY",
        4 => "REGULAR_FILE",
        5 => "SOCKET_DGRAM",
        6 => "SOCKET_STREAM",
        7 => "SYMBOLIC_LINK",
        _ => "INVALID",
    }
}

/// The current time of `clock` in nanoseconds.
pub fn now(clock: wasi::Clockid) -> u64 {
    unsafe { wasi::clock_time_get(clock, 1).expect("clock_time_get") }
}

/// The contents of a file, or the error.
pub fn slurp(dir: u32, path: &str) -> Result<Vec<u8>, wasi::Errno> {
    let fd = open_with(dir, 0, path, 0, wasi::RIGHTS_FD_READ, 0)?;
    let mut out = Vec::new();
    loop {
        let chunk = read(fd, 4096)?;
        if chunk.is_empty() {
            break;
        }
        out.extend_from_slice(&chunk);
    }
    unsafe { wasi::fd_close(fd)? };
    Ok(out)
}
