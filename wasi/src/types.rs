//! The data types of `wasi_snapshot_preview1`, their witx values, and their
//! exact layouts in guest memory.

/// A file descriptor as the guest sees it.
pub type Fd = u32;

/// A clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ClockId {
    /// Wall-clock time, nanoseconds since the Unix epoch.
    Realtime = 0,
    /// A clock that never goes back, from an arbitrary start.
    Monotonic = 1,
    /// CPU time of the process.
    ProcessCputime = 2,
    /// CPU time of the thread.
    ThreadCputime = 3,
}

impl ClockId {
    pub(crate) fn from_raw(raw: u32) -> Option<ClockId> {
        Some(match raw {
            0 => ClockId::Realtime,
            1 => ClockId::Monotonic,
            2 => ClockId::ProcessCputime,
            3 => ClockId::ThreadCputime,
            _ => return None,
        })
    }
}

/// The type of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Filetype {
    /// Unknown, or not one of the others.
    #[default]
    Unknown = 0,
    /// A block device.
    BlockDevice = 1,
    /// A character device (a terminal, a UART).
    CharacterDevice = 2,
    /// A directory.
    Directory = 3,
    /// A regular file.
    RegularFile = 4,
    /// A datagram socket.
    SocketDgram = 5,
    /// A stream socket.
    SocketStream = 6,
    /// A symbolic link.
    SymbolicLink = 7,
}

/// Where a seek offset is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Whence {
    /// From the start.
    Set = 0,
    /// From the current position.
    Cur = 1,
    /// From the end.
    End = 2,
}

impl Whence {
    pub(crate) fn from_raw(raw: u32) -> Option<Whence> {
        Some(match raw {
            0 => Whence::Set,
            1 => Whence::Cur,
            2 => Whence::End,
            _ => return None,
        })
    }
}

/// `fdflags`
pub mod fdflags {
    /// Writes append to the end.
    pub const APPEND: u16 = 1 << 0;
    /// Data integrity synchronised writes.
    pub const DSYNC: u16 = 1 << 1;
    /// Non-blocking mode.
    pub const NONBLOCK: u16 = 1 << 2;
    /// Synchronised reads.
    pub const RSYNC: u16 = 1 << 3;
    /// File integrity synchronised writes.
    pub const SYNC: u16 = 1 << 4;
    /// Every defined flag.
    pub const ALL: u16 = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC;
}

/// `oflags`: how `path_open` opens a file.
pub mod oflags {
    /// Create the file if it does not exist.
    pub const CREAT: u16 = 1 << 0;
    /// Fail if the path is not a directory.
    pub const DIRECTORY: u16 = 1 << 1;
    /// With `CREAT`, fail if the file exists.
    pub const EXCL: u16 = 1 << 2;
    /// Truncate the file to size 0.
    pub const TRUNC: u16 = 1 << 3;
    /// Every defined flag.
    pub const ALL: u16 = CREAT | DIRECTORY | EXCL | TRUNC;
}

/// `lookupflags`
pub mod lookupflags {
    /// Follow a symbolic link at the end of the path.
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// `fstflags`: which timestamps `*_set_times` changes.
pub mod fstflags {
    /// Set the access time to the given value.
    pub const ATIM: u16 = 1 << 0;
    /// Set the access time to now.
    pub const ATIM_NOW: u16 = 1 << 1;
    /// Set the modification time to the given value.
    pub const MTIM: u16 = 1 << 2;
    /// Set the modification time to now.
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// `rights`: what a descriptor may be used for.
pub mod rights {
    #![allow(missing_docs)]
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right.
    pub const ALL: u64 = (1 << 30) - 1;
    /// What a regular file may be used for.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// What a directory may be used for.
    pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | POLL_FD_READWRITE;
    /// What stdio may be used for.
    pub const STDIO: u64 =
        FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `filestat`: metadata of a file (64 bytes in guest memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filestat {
    /// Device ID.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// File type.
    pub filetype: Filetype,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access, nanoseconds since the epoch.
    pub atim: u64,
    /// Last modification.
    pub mtim: u64,
    /// Last status change.
    pub ctim: u64,
}

impl Filestat {
    /// Size in guest memory.
    pub const SIZE: usize = 64;

    pub(crate) fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype as u8;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        b
    }
}

/// `fdstat`: the state of a descriptor (24 bytes in guest memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fdstat {
    /// File type.
    pub filetype: Filetype,
    /// `fdflags`.
    pub flags: u16,
    /// Rights of the descriptor.
    pub rights_base: u64,
    /// Rights descriptors opened through it may get.
    pub rights_inheriting: u64,
}

impl Fdstat {
    /// Size in guest memory.
    pub const SIZE: usize = 24;

    pub(crate) fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0] = self.filetype as u8;
        b[2..4].copy_from_slice(&self.flags.to_le_bytes());
        b[8..16].copy_from_slice(&self.rights_base.to_le_bytes());
        b[16..24].copy_from_slice(&self.rights_inheriting.to_le_bytes());
        b
    }
}

/// A directory entry, as a [`WasiSys`](crate::WasiSys) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The cookie of the entry after this one.
    pub next: u64,
    /// Inode.
    pub ino: u64,
    /// File type.
    pub filetype: Filetype,
    /// The name, without a trailing NUL.
    pub name: alloc::string::String,
}

impl DirEntry {
    /// Size of the fixed header (`dirent`) before the name, in guest memory.
    pub const HEADER_SIZE: usize = 24;

    pub(crate) fn encode_header(&self) -> [u8; Self::HEADER_SIZE] {
        let mut b = [0u8; Self::HEADER_SIZE];
        b[0..8].copy_from_slice(&self.next.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16..20].copy_from_slice(&(self.name.len() as u32).to_le_bytes());
        b[20] = self.filetype as u8;
        b
    }
}

/// A new timestamp for `*_set_times`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    Keep,
    /// The current time.
    Now,
    /// This many nanoseconds since the epoch.
    At(u64),
}

/// How `path_open` opens a file, decoded from `oflags`, `fdflags`, rights and
/// `lookupflags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenOptions {
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Create if missing (`oflags::CREAT`).
    pub create: bool,
    /// With `create`, fail if it exists (`oflags::EXCL`).
    pub exclusive: bool,
    /// Truncate to zero length (`oflags::TRUNC`).
    pub truncate: bool,
    /// Must be a directory (`oflags::DIRECTORY`).
    pub directory: bool,
    /// Follow a symbolic link in the last path component.
    pub follow: bool,
    /// The descriptor's `fdflags` (append, sync, nonblock …).
    pub fdflags: u16,
}

/// `advice` for `fd_advise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Advice {
    Normal = 0,
    Sequential = 1,
    Random = 2,
    Willneed = 3,
    Dontneed = 4,
    Noreuse = 5,
}

impl Advice {
    pub(crate) fn from_raw(raw: u32) -> Option<Advice> {
        Some(match raw {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::Willneed,
            4 => Advice::Dontneed,
            5 => Advice::Noreuse,
            _ => return None,
        })
    }
}

/// Sizes of the records `poll_oneoff` reads and writes.
pub mod poll {
    /// `subscription`
    pub const SUBSCRIPTION_SIZE: usize = 48;
    /// `event`
    pub const EVENT_SIZE: usize = 32;
    /// `eventtype::clock`
    pub const CLOCK: u8 = 0;
    /// `eventtype::fd_read`
    pub const FD_READ: u8 = 1;
    /// `eventtype::fd_write`
    pub const FD_WRITE: u8 = 2;
    /// `subclockflags::subscription_clock_abstime`
    pub const ABSTIME: u16 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_have_witx_sizes_and_offsets() {
        let stat = Filestat {
            dev: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        }
        .encode();
        assert_eq!(stat.len(), 64);
        assert_eq!(stat[16], 4);
        assert_eq!(stat[24], 3);
        assert_eq!(stat[56], 7);
        let fdstat = Fdstat {
            filetype: Filetype::Directory,
            flags: fdflags::APPEND,
            rights_base: 1,
            rights_inheriting: 2,
        }
        .encode();
        assert_eq!(
            (fdstat.len(), fdstat[0], fdstat[2], fdstat[8], fdstat[16]),
            (24, 3, 1, 1, 2)
        );
        let dirent = DirEntry {
            next: 9,
            ino: 8,
            filetype: Filetype::SymbolicLink,
            name: "abc".into(),
        }
        .encode_header();
        assert_eq!((dirent[0], dirent[8], dirent[16], dirent[20]), (9, 8, 3, 7));
    }
}
