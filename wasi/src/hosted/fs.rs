//! Files and directories: the handle table and every filesystem operation
//! of [`HostSys`].

use std::format;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::string::String;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use cap_fs_ext::{
    DirExt, FileTypeExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt,
    OpenOptionsSyncExt, Reopen,
};
use cap_std::fs::{Dir, FileType, Metadata, OpenOptions as HostOpenOptions};

use super::HostSys;
use super::errno::from_io;
use crate::types::{DirEntry, Filestat, Filetype, OpenOptions, SetTime, Whence, fdflags};
use crate::{Errno, HostFd};

/// An open file or directory.
pub(crate) enum Handle {
    File(FileHandle),
    Dir(DirHandle),
}

pub(crate) struct FileHandle {
    file: File,
    /// The `fdflags` as the guest last set them.
    fdflags: u16,
    /// The host file is open with `O_APPEND` (then `fdflags` has `APPEND`
    /// too); `APPEND` without it is done by seeking to the end.
    os_append: bool,
    /// The access the host file was opened with, to reopen it the same way.
    read: bool,
    write: bool,
}

pub(crate) struct DirHandle {
    dir: Dir,
    /// The inode of `..`, or 0 when it is outside what the handle was
    /// opened from.
    parent_ino: u64,
    /// The listing `read_dir` pages through, taken at cookie 0.
    listing: Option<Vec<Entry>>,
}

/// One directory entry of a listing, `.` and `..` included.
struct Entry {
    name: String,
    ino: u64,
    filetype: Filetype,
}

const SYNC_FLAGS: u16 = fdflags::SYNC | fdflags::DSYNC | fdflags::RSYNC;

fn err(e: io::Error) -> Errno {
    from_io(&e)
}

/// Runs `op` again while the host says it was interrupted.
fn retry<T>(mut op: impl FnMut() -> io::Result<T>) -> Result<T, Errno> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => return result.map_err(err),
        }
    }
}

impl HostSys {
    fn insert(&mut self, handle: Handle) -> Result<HostFd, Errno> {
        let slot = match self.handles.iter().position(Option::is_none) {
            Some(slot) => slot,
            None => {
                self.handles.try_reserve(1).map_err(|_| Errno::Nomem)?;
                self.handles.push(None);
                self.handles.len() - 1
            }
        };
        let fd = HostFd::try_from(slot).map_err(|_| Errno::Mfile)?;
        self.handles[slot] = Some(handle);
        Ok(fd)
    }

    fn handle_mut(&mut self, fd: HostFd) -> Result<&mut Handle, Errno> {
        let slot = usize::try_from(fd).map_err(|_| Errno::Badf)?;
        self.handles
            .get_mut(slot)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    fn handle(&self, fd: HostFd) -> Result<&Handle, Errno> {
        let slot = usize::try_from(fd).map_err(|_| Errno::Badf)?;
        self.handles
            .get(slot)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    /// A directory handle to resolve paths from: `ENOTDIR` for a file.
    fn dir(&self, fd: HostFd) -> Result<&Dir, Errno> {
        match self.handle(fd)? {
            Handle::Dir(d) => Ok(&d.dir),
            Handle::File(_) => Err(Errno::Notdir),
        }
    }

    /// A file handle, for an operation a directory does not have: `EBADF`
    /// for a directory, as wasmtime answers.
    pub(super) fn fs_file(&mut self, fd: HostFd) -> Result<&mut FileHandle, Errno> {
        match self.handle_mut(fd)? {
            Handle::File(f) => Ok(f),
            Handle::Dir(_) => Err(Errno::Badf),
        }
    }

    pub(super) fn fs_open_preopen(&mut self, path: &str) -> Result<HostFd, Errno> {
        let dir = Dir::open_ambient_dir(path, cap_std::ambient_authority()).map_err(err)?;
        // `..` of a preopen is outside the sandbox.
        self.insert(Handle::Dir(DirHandle::new(dir, 0)))
    }

    pub(super) fn fs_open_at(
        &mut self,
        dir: HostFd,
        path: &str,
        options: &OpenOptions,
    ) -> Result<HostFd, Errno> {
        let base = self.dir(dir)?;
        let handle = if options.directory {
            open_dir(base, path, options)?
        } else {
            open_file_or_dir(base, path, options)?
        };
        self.insert(handle)
    }

    pub(super) fn fs_close(&mut self, fd: HostFd) -> Result<(), Errno> {
        let slot = usize::try_from(fd).map_err(|_| Errno::Badf)?;
        match self.handles.get_mut(slot).and_then(Option::take) {
            // Dropping closes; like wasmtime, a close error is not reported
            // (the descriptor is gone either way).
            Some(_) => Ok(()),
            None => Err(Errno::Badf),
        }
    }

    pub(super) fn fs_read(&mut self, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno> {
        match self.handle_mut(fd)? {
            Handle::File(f) => retry(|| f.file.read(buf)),
            Handle::Dir(_) => Err(Errno::Isdir),
        }
    }

    pub(super) fn fs_pread(
        &mut self,
        fd: HostFd,
        buf: &mut [u8],
        offset: u64,
    ) -> Result<usize, Errno> {
        match self.handle_mut(fd)? {
            Handle::File(f) => retry(|| read_at(&f.file, buf, offset)),
            Handle::Dir(_) => Err(Errno::Isdir),
        }
    }

    pub(super) fn fs_write(&mut self, fd: HostFd, data: &[u8]) -> Result<usize, Errno> {
        let f = self.fs_file(fd)?;
        if f.fdflags & fdflags::APPEND != 0 && !f.os_append {
            f.file.seek(SeekFrom::End(0)).map_err(err)?;
        }
        retry(|| f.file.write(data))
    }

    pub(super) fn fs_pwrite(
        &mut self,
        fd: HostFd,
        data: &[u8],
        offset: u64,
    ) -> Result<usize, Errno> {
        let f = self.fs_file(fd)?;
        retry(|| write_at(&f.file, data, offset))
    }

    pub(super) fn fs_seek(
        &mut self,
        fd: HostFd,
        offset: i64,
        whence: Whence,
    ) -> Result<u64, Errno> {
        let f = self.fs_file(fd)?;
        let pos = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            Whence::Cur => SeekFrom::Current(offset),
            Whence::End => SeekFrom::End(offset),
        };
        f.file.seek(pos).map_err(err)
    }

    pub(super) fn fs_filestat(&mut self, fd: HostFd) -> Result<Filestat, Errno> {
        let meta = match self.handle(fd)? {
            Handle::File(f) => Metadata::from_file(&f.file),
            Handle::Dir(d) => d.dir.dir_metadata(),
        };
        Ok(filestat(&meta.map_err(err)?))
    }

    pub(super) fn fs_set_fdflags(&mut self, fd: HostFd, flags: u16) -> Result<(), Errno> {
        let f = self.fs_file(fd)?;
        if flags & !fdflags::ALL != 0 || (flags ^ f.fdflags) & SYNC_FLAGS != 0 {
            // Like wasmtime: only APPEND and NONBLOCK can change.
            return Err(Errno::Inval);
        }
        if flags & fdflags::APPEND == 0 && f.os_append {
            // Clearing O_APPEND needs fcntl, which std does not have: open
            // the same file again without it, at the same position.
            let pos = f.file.stream_position().map_err(err)?;
            let mut options = HostOpenOptions::new();
            options.read(f.read).write(f.write);
            set_sync_flags(&mut options, f.fdflags);
            let mut file = f.file.reopen(&options).map_err(err)?;
            file.seek(SeekFrom::Start(pos)).map_err(err)?;
            f.file = file;
            f.os_append = false;
        }
        f.fdflags = flags;
        Ok(())
    }

    pub(super) fn fs_set_size(&mut self, fd: HostFd, size: u64) -> Result<(), Errno> {
        let f = self.fs_file(fd)?;
        retry(|| f.file.set_len(size))
    }

    pub(super) fn fs_set_times(
        &mut self,
        fd: HostFd,
        atim: SetTime,
        mtim: SetTime,
    ) -> Result<(), Errno> {
        match self.handle(fd)? {
            Handle::File(f) => {
                fs_set_times::SetTimes::set_times(&f.file, fd_time(atim), fd_time(mtim))
            }
            // A directory handle may be an `O_PATH` descriptor (cap-std
            // opens directories that way on Linux), which `futimens`
            // refuses: set the times of "." relative to it instead.
            Handle::Dir(d) => DirExt::set_times(&d.dir, ".", path_time(atim), path_time(mtim)),
        }
        .map_err(err)
    }

    pub(super) fn fs_sync(&mut self, fd: HostFd, data_only: bool) -> Result<(), Errno> {
        let sync = |file: &File| {
            if data_only {
                file.sync_data()
            } else {
                file.sync_all()
            }
        };
        match self.handle(fd)? {
            Handle::File(f) => retry(|| sync(&f.file)),
            // `fsync` refuses an `O_PATH` descriptor too: open the
            // directory itself for reading.
            Handle::Dir(d) => {
                let mut options = HostOpenOptions::new();
                options.read(true).maybe_dir(true);
                let file = d.dir.open_with(".", &options).map_err(err)?.into_std();
                retry(|| sync(&file))
            }
        }
    }

    pub(super) fn fs_allocate(&mut self, fd: HostFd, offset: u64, len: u64) -> Result<(), Errno> {
        let f = self.fs_file(fd)?;
        if len == 0 {
            return Err(Errno::Inval);
        }
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= i64::MAX as u64)
            .ok_or(Errno::Fbig)?;
        let size = f.file.metadata().map_err(err)?.len();
        if size < end {
            retry(|| f.file.set_len(end))?;
        }
        Ok(())
    }

    pub(super) fn fs_poll_ready(&mut self, fd: HostFd, write: bool) -> Result<u64, Errno> {
        let f = self.fs_file(fd)?;
        if write {
            // A regular file never blocks a write; how much fits is unknown.
            return Ok(0);
        }
        let size = f.file.metadata().map_err(err)?.len();
        let pos = f.file.stream_position().map_err(err)?;
        Ok(size.saturating_sub(pos))
    }

    pub(super) fn fs_read_dir(
        &mut self,
        fd: HostFd,
        cookie: u64,
        each: &mut dyn FnMut(DirEntry) -> bool,
    ) -> Result<(), Errno> {
        let d = match self.handle_mut(fd)? {
            Handle::Dir(d) => d,
            Handle::File(_) => return Err(Errno::Notdir),
        };
        if cookie == 0 || d.listing.is_none() {
            d.listing = None;
            d.listing = Some(d.list().map_err(err)?);
        }
        let listing = d.listing.as_deref().unwrap_or_default();
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        for (i, entry) in listing.iter().enumerate().skip(start) {
            let entry = DirEntry {
                next: i as u64 + 1,
                ino: entry.ino,
                filetype: entry.filetype,
                name: entry.name.clone(),
            };
            if !each(entry) {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn fs_path_filestat(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
    ) -> Result<Filestat, Errno> {
        let base = self.dir(dir)?;
        // A path ending in "/", "/." or "/.." names a directory, through a
        // symbolic link if need be (POSIX `lstat("link/")` follows it, and
        // `lstat("file/")` is ENOTDIR); cap-std's `symlink_metadata` would
        // drop the suffix instead.
        let names_dir = [".", ".."].contains(&path)
            || ["/", "/.", "/.."]
                .iter()
                .any(|suffix| path.ends_with(suffix));
        let meta = if follow || names_dir {
            base.metadata(path)
        } else {
            base.symlink_metadata(path)
        };
        Ok(filestat(&meta.map_err(err)?))
    }

    pub(super) fn fs_path_set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        atim: SetTime,
        mtim: SetTime,
    ) -> Result<(), Errno> {
        let base = self.dir(dir)?;
        let (atim, mtim) = (path_time(atim), path_time(mtim));
        if follow {
            DirExt::set_times(base, path, atim, mtim)
        } else {
            DirExt::set_symlink_times(base, path, atim, mtim)
        }
        .map_err(err)
    }

    pub(super) fn fs_create_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.dir(dir)?.create_dir(path).map_err(err)
    }

    pub(super) fn fs_remove_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        let base = self.dir(dir)?;
        // cap-std reads "dir/" as "dir/." and refuses to remove ".", where
        // POSIX `rmdir("dir/")` removes the directory: drop the slashes
        // when what is left names a directory (not a link to one: that is
        // ENOTDIR, as natively).
        let trimmed = path.trim_end_matches('/');
        if trimmed.len() < path.len() && !trimmed.is_empty() {
            return match base.symlink_metadata(trimmed) {
                Ok(meta) if meta.is_dir() => base.remove_dir(trimmed).map_err(err),
                Ok(_) => Err(Errno::Notdir),
                Err(e) => Err(err(e)),
            };
        }
        base.remove_dir(path).map_err(err)
    }

    pub(super) fn fs_unlink_file(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        self.dir(dir)?.remove_file(path).map_err(err)
    }

    pub(super) fn fs_rename(
        &mut self,
        dir: HostFd,
        path: &str,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let (from, to) = (self.dir(dir)?, self.dir(new_dir)?);
        // cap-std drops a trailing slash from the new name; POSIX says a
        // trailing slash names a directory, so a file cannot move there.
        if new_path.ends_with('/') {
            let source = from.symlink_metadata(path.trim_end_matches('/'));
            if source.is_ok_and(|meta| !meta.is_dir()) {
                return Err(Errno::Notdir);
            }
        }
        from.rename(path, to, new_path).map_err(err)
    }

    pub(super) fn fs_link(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let (from, to) = (self.dir(dir)?, self.dir(new_dir)?);
        if follow {
            // Linking what a symbolic link points to: wasmtime refuses it
            // the same way (cap-std has no `linkat(AT_SYMLINK_FOLLOW)`).
            return Err(Errno::Inval);
        }
        from.hard_link(path, to, new_path).map_err(err)
    }

    pub(super) fn fs_symlink(
        &mut self,
        target: &str,
        dir: HostFd,
        path: &str,
    ) -> Result<(), Errno> {
        // cap-std refuses an absolute target as an escape: such a link could
        // only lead out of the sandbox. A relative one is stored as it is
        // and checked whenever something follows it.
        self.dir(dir)?.symlink(target, path).map_err(err)
    }

    pub(super) fn fs_readlink(&mut self, dir: HostFd, path: &str) -> Result<String, Errno> {
        let target = self.dir(dir)?.read_link(path).map_err(err)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| Errno::Ilseq)
    }
}

impl DirHandle {
    fn new(dir: Dir, parent_ino: u64) -> DirHandle {
        DirHandle {
            dir,
            parent_ino,
            listing: None,
        }
    }

    /// `.`, `..`, then the entries sorted by name.
    fn list(&self) -> io::Result<Vec<Entry>> {
        let dot = Entry {
            name: ".".into(),
            ino: ids(&self.dir.dir_metadata()?).1,
            filetype: Filetype::Directory,
        };
        let dotdot = Entry {
            name: "..".into(),
            ino: self.parent_ino,
            filetype: Filetype::Directory,
        };
        let mut entries = Vec::new();
        for entry in self.dir.entries()? {
            let entry = entry?;
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                // Removed since the directory was read.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let name = entry
                .file_name()
                .into_string()
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            entries.push(Entry {
                name,
                ino: ids(&meta).1,
                filetype: filetype(meta.file_type()),
            });
        }
        entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let mut listing = Vec::with_capacity(entries.len() + 2);
        listing.push(dot);
        listing.push(dotdot);
        listing.extend(entries);
        Ok(listing)
    }
}

/// `path_open` with `oflags::DIRECTORY`.
fn open_dir(base: &Dir, path: &str, options: &OpenOptions) -> Result<Handle, Errno> {
    if options.create || options.exclusive || options.truncate {
        return Err(Errno::Inval);
    }
    let dir = if options.follow {
        base.open_dir(path)
    } else {
        base.open_dir_nofollow(path)
    }
    .map_err(err)?;
    if options.write {
        return Err(Errno::Isdir);
    }
    Ok(Handle::Dir(DirHandle::new(dir, parent_ino(base, path))))
}

/// `path_open` without `oflags::DIRECTORY`: a file, or a directory when the
/// path names one and no write access is asked.
fn open_file_or_dir(base: &Dir, path: &str, options: &OpenOptions) -> Result<Handle, Errno> {
    let append = options.fdflags & fdflags::APPEND != 0;
    let create_new = options.create && options.exclusive;
    // The host refuses to create or truncate without write access (POSIX
    // allows `O_CREAT | O_RDONLY`, cap-std and std do not).
    let write = options.write || options.create || options.truncate || append;
    let read = options.read || !write;
    // cap-std also refuses `O_TRUNC | O_APPEND` (unless creating a new
    // file): truncate right after opening instead.
    let truncate_later = append && options.truncate && !create_new;

    let mut host = HostOpenOptions::new();
    host.read(read)
        .write(write)
        .append(append)
        .create(options.create)
        .create_new(create_new)
        .truncate(options.truncate && !truncate_later);
    host.follow(if options.follow {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    });
    host.maybe_dir(!write);
    set_sync_flags(&mut host, options.fdflags);

    let file = base.open_with(path, &host).map_err(err)?.into_std();
    if file.metadata().map_err(err)?.is_dir() {
        let dir = Dir::from_std_file(file);
        return Ok(Handle::Dir(DirHandle::new(dir, parent_ino(base, path))));
    }
    if truncate_later {
        retry(|| file.set_len(0))?;
    }
    Ok(Handle::File(FileHandle {
        file,
        fdflags: options.fdflags & fdflags::ALL,
        os_append: append,
        read,
        write,
    }))
}

fn set_sync_flags(options: &mut HostOpenOptions, flags: u16) {
    options
        .sync(flags & fdflags::SYNC != 0)
        .dsync(flags & fdflags::DSYNC != 0)
        .rsync(flags & fdflags::RSYNC != 0)
        .nonblock(flags & fdflags::NONBLOCK != 0);
}

/// The inode of `path/..` when it is inside `base`, else 0.
fn parent_ino(base: &Dir, path: &str) -> u64 {
    base.metadata(format!("{path}/.."))
        .map(|meta| ids(&meta).1)
        .unwrap_or(0)
}

fn filetype(ft: FileType) -> Filetype {
    if ft.is_dir() {
        Filetype::Directory
    } else if ft.is_file() {
        Filetype::RegularFile
    } else if ft.is_symlink() {
        Filetype::SymbolicLink
    } else if ft.is_block_device() {
        Filetype::BlockDevice
    } else if ft.is_char_device() {
        Filetype::CharacterDevice
    } else if ft.is_socket() {
        // WASI tells stream from datagram sockets; a directory entry does
        // not. Stream is the likelier (and what a Unix socket file mostly is).
        Filetype::SocketStream
    } else {
        // FIFOs have no WASI file type.
        Filetype::Unknown
    }
}

fn filestat(meta: &Metadata) -> Filestat {
    let (dev, ino, nlink) = ids(meta);
    let (atim, mtim, ctim) = times(meta);
    Filestat {
        dev,
        ino,
        filetype: filetype(meta.file_type()),
        nlink,
        size: meta.len(),
        atim,
        mtim,
        ctim,
    }
}

/// Device, inode and link count.
fn ids(meta: &Metadata) -> (u64, u64, u64) {
    use cap_fs_ext::MetadataExt;
    (meta.dev(), meta.ino(), meta.nlink())
}

/// Access, modification and status change times, in nanoseconds since the
/// epoch (a time before it reads 0).
#[cfg(unix)]
fn times(meta: &Metadata) -> (u64, u64, u64) {
    use cap_std::fs::MetadataExt;
    let ns = |secs: i64, nsec: i64| match u64::try_from(secs) {
        Ok(secs) => secs
            .saturating_mul(1_000_000_000)
            .saturating_add(nsec as u64),
        Err(_) => 0,
    };
    (
        ns(meta.atime(), meta.atime_nsec()),
        ns(meta.mtime(), meta.mtime_nsec()),
        ns(meta.ctime(), meta.ctime_nsec()),
    )
}

/// Elsewhere there is no status change time: the creation time stands in.
#[cfg(not(unix))]
fn times(meta: &Metadata) -> (u64, u64, u64) {
    let ns = |t: io::Result<cap_std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    };
    (ns(meta.accessed()), ns(meta.modified()), ns(meta.created()))
}

fn std_time(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

fn fd_time(t: SetTime) -> Option<fs_set_times::SystemTimeSpec> {
    match t {
        SetTime::Keep => None,
        SetTime::Now => Some(fs_set_times::SystemTimeSpec::SymbolicNow),
        SetTime::At(nanos) => Some(fs_set_times::SystemTimeSpec::Absolute(std_time(nanos))),
    }
}

fn path_time(t: SetTime) -> Option<cap_fs_ext::SystemTimeSpec> {
    match t {
        SetTime::Keep => None,
        SetTime::Now => Some(cap_fs_ext::SystemTimeSpec::SymbolicNow),
        SetTime::At(nanos) => Some(cap_fs_ext::SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(std_time(nanos)),
        )),
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(unix)]
fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::write_at(file, data, offset)
}

/// Windows' positioned I/O moves the file position: put it back.
#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let pos = (&*file).stream_position()?;
    let result = std::os::windows::fs::FileExt::seek_read(file, buf, offset);
    (&*file).seek(SeekFrom::Start(pos))?;
    result
}

#[cfg(windows)]
fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<usize> {
    let pos = (&*file).stream_position()?;
    let result = std::os::windows::fs::FileExt::seek_write(file, data, offset);
    (&*file).seek(SeekFrom::Start(pos))?;
    result
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<usize> {
    Err(io::ErrorKind::Unsupported.into())
}
