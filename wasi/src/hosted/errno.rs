//! `std::io::Error` → WASI [`Errno`].
//!
//! On Linux the OS error number is mapped exactly (the numbers are written
//! out here, so no `libc` dependency); everywhere else, and for errors that
//! carry no OS number, the [`io::ErrorKind`] decides.
//!
//! # Sandbox escapes
//!
//! cap-std refuses a path that would leave its directory (an absolute path,
//! `..` above the directory, a symbolic link pointing outside, or an
//! absolute symbolic link target) with a `PermissionDenied` error that has
//! **no** OS error number ("a path led outside of the filesystem"; on Linux
//! the kernel's `EXDEV` from `openat2(RESOLVE_BENEATH)` is turned into the
//! same error). Those become [`Errno::Perm`], exactly as wasmtime reports
//! them (`wasi-common`'s `From<io::Error>` maps a raw-less
//! `PermissionDenied` to `ERRNO_PERM`, and wasmtime's own WASI test suite
//! expects `ERRNO_PERM` for absolute paths and too many `..`; the
//! wasi-filesystem spec says `not-permitted`). A real `EACCES` from the OS
//! keeps its number and becomes [`Errno::Acces`], so the two stay apart.
//! `ENOTCAPABLE` is left to what it means in preview1: a descriptor lacking
//! a right, which [`WasiCtx`](crate::WasiCtx) checks before the host is
//! asked.

use std::io;

use crate::Errno;

/// The errno a sandbox escape is reported with (see the module docs).
pub const SANDBOX_ESCAPE: Errno = Errno::Perm;

/// Maps an I/O error to the errno a WASI guest sees.
pub(crate) fn from_io(err: &io::Error) -> Errno {
    err.raw_os_error()
        .and_then(from_raw_os_error)
        .unwrap_or_else(|| from_kind(err))
}

/// Maps a raw OS error number, where the platform's numbers are known:
/// Linux's (`asm-generic/errno-base.h` and `errno.h`, shared by every Linux
/// architecture except MIPS and SPARC, which have their own).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips32r6",
        target_arch = "mips64",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
pub(crate) fn from_raw_os_error(code: i32) -> Option<Errno> {
    linux(code)
}

/// Elsewhere the numbers differ; [`from_kind`] decides.
#[cfg(not(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips32r6",
        target_arch = "mips64",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
)))]
pub(crate) fn from_raw_os_error(_code: i32) -> Option<Errno> {
    None
}

/// The portable fallback: [`io::ErrorKind`].
fn from_kind(err: &io::Error) -> Errno {
    use io::ErrorKind as K;
    match err.kind() {
        // No OS number: cap-std's refusal of a path leaving the sandbox.
        K::PermissionDenied if err.raw_os_error().is_none() => SANDBOX_ESCAPE,
        K::PermissionDenied => Errno::Acces,
        K::NotFound => Errno::Noent,
        K::AlreadyExists => Errno::Exist,
        // Rust's path → C string conversion reports an interior NUL this way.
        K::InvalidInput => Errno::Inval,
        K::InvalidData => Errno::Ilseq,
        K::Interrupted => Errno::Intr,
        K::WouldBlock => Errno::Again,
        K::BrokenPipe => Errno::Pipe,
        K::TimedOut => Errno::Timedout,
        K::Unsupported => Errno::Notsup,
        K::OutOfMemory => Errno::Nomem,
        K::NotADirectory => Errno::Notdir,
        K::IsADirectory => Errno::Isdir,
        K::DirectoryNotEmpty => Errno::Notempty,
        K::ReadOnlyFilesystem => Errno::Rofs,
        K::StorageFull => Errno::Nospc,
        K::NotSeekable => Errno::Spipe,
        K::FileTooLarge => Errno::Fbig,
        K::ResourceBusy => Errno::Busy,
        K::ExecutableFileBusy => Errno::Txtbsy,
        K::Deadlock => Errno::Deadlk,
        K::CrossesDevices => Errno::Xdev,
        K::TooManyLinks => Errno::Mlink,
        K::InvalidFilename => Errno::Nametoolong,
        K::ArgumentListTooLong => Errno::TooBig,
        K::StaleNetworkFileHandle => Errno::Stale,
        K::QuotaExceeded => Errno::Dquot,
        K::ConnectionRefused => Errno::Connrefused,
        K::ConnectionReset => Errno::Connreset,
        K::ConnectionAborted => Errno::Connaborted,
        K::NotConnected => Errno::Notconn,
        K::AddrInUse => Errno::Addrinuse,
        K::AddrNotAvailable => Errno::Addrnotavail,
        K::HostUnreachable => Errno::Hostunreach,
        K::NetworkUnreachable => Errno::Netunreach,
        K::NetworkDown => Errno::Netdown,
        _ => Errno::Io,
    }
}

#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips32r6",
        target_arch = "mips64",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
fn linux(code: i32) -> Option<Errno> {
    Some(match code {
        1 => Errno::Perm,
        2 => Errno::Noent,
        3 => Errno::Srch,
        4 => Errno::Intr,
        5 => Errno::Io,
        6 => Errno::Nxio,
        7 => Errno::TooBig,
        8 => Errno::Noexec,
        9 => Errno::Badf,
        10 => Errno::Child,
        11 => Errno::Again,
        12 => Errno::Nomem,
        13 => Errno::Acces,
        14 => Errno::Fault,
        16 => Errno::Busy,
        17 => Errno::Exist,
        18 => Errno::Xdev,
        19 => Errno::Nodev,
        20 => Errno::Notdir,
        21 => Errno::Isdir,
        22 => Errno::Inval,
        23 => Errno::Nfile,
        24 => Errno::Mfile,
        25 => Errno::Notty,
        26 => Errno::Txtbsy,
        27 => Errno::Fbig,
        28 => Errno::Nospc,
        29 => Errno::Spipe,
        30 => Errno::Rofs,
        31 => Errno::Mlink,
        32 => Errno::Pipe,
        33 => Errno::Dom,
        34 => Errno::Range,
        35 => Errno::Deadlk,
        36 => Errno::Nametoolong,
        37 => Errno::Nolck,
        38 => Errno::Nosys,
        39 => Errno::Notempty,
        40 => Errno::Loop,
        42 => Errno::Nomsg,
        43 => Errno::Idrm,
        67 => Errno::Nolink,
        71 => Errno::Proto,
        72 => Errno::Multihop,
        74 => Errno::Badmsg,
        75 => Errno::Overflow,
        84 => Errno::Ilseq,
        88 => Errno::Notsock,
        89 => Errno::Destaddrreq,
        90 => Errno::Msgsize,
        91 => Errno::Prototype,
        92 => Errno::Noprotoopt,
        93 => Errno::Protonosupport,
        // EOPNOTSUPP and ENOTSUP are the same number on Linux.
        95 => Errno::Notsup,
        97 => Errno::Afnosupport,
        98 => Errno::Addrinuse,
        99 => Errno::Addrnotavail,
        100 => Errno::Netdown,
        101 => Errno::Netunreach,
        102 => Errno::Netreset,
        103 => Errno::Connaborted,
        104 => Errno::Connreset,
        105 => Errno::Nobufs,
        106 => Errno::Isconn,
        107 => Errno::Notconn,
        110 => Errno::Timedout,
        111 => Errno::Connrefused,
        113 => Errno::Hostunreach,
        114 => Errno::Already,
        115 => Errno::Inprogress,
        116 => Errno::Stale,
        122 => Errno::Dquot,
        125 => Errno::Canceled,
        130 => Errno::Ownerdead,
        131 => Errno::Notrecoverable,
        _ => return None,
    })
}
