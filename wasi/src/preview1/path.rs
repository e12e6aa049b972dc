//! `path_*`: operations on paths relative to a directory descriptor.
//!
//! The order of checks is that of wasmtime's preview1: flags are decoded
//! first (`EINVAL`), then every directory descriptor is looked up (`EBADF`
//! if it does not exist, `ENOTDIR` if it is not a directory) and its rights
//! checked (`ENOTCAPABLE`), then the paths are read (`EFAULT`, `EILSEQ`).
//!
//! Containment is the [`WasiSys`](crate::WasiSys)'s job; this layer only
//! turns away what is cheap to spot and would mean something else on a host:
//! an absolute path is `EPERM` (what wasmtime returns: cap-std's "path
//! escapes the directory") and a NUL byte is `EINVAL` (as POSIX hosts).

use crate::ctx::{FdEntry, FdKind};
use crate::memory::GuestMemory;
use crate::sys::HostFd;
use crate::types::{Fd, Filestat, Filetype, OpenOptions, fdflags, lookupflags, oflags, rights};
use crate::{Errno, WasiCtx};

use super::fd::{flags16, set_times_args};

/// A path argument: UTF-8 (`EILSEQ`), no NUL (`EINVAL`), relative (`EPERM`).
fn path_arg<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> Result<&'m str, Errno> {
    let path = mem.str(ptr, len)?;
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(path)
}

/// `lookupflags`: whether to follow a symbolic link at the end of the path.
fn follow(flags: u32) -> Result<bool, Errno> {
    if flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(flags & lookupflags::SYMLINK_FOLLOW != 0)
}

impl WasiCtx {
    /// The host handle of directory `fd` if it has `needed`; any other kind
    /// of descriptor is `ENOTDIR`.
    pub(super) fn dir_host(&self, fd: Fd, needed: u64) -> Result<HostFd, Errno> {
        let entry = self.entry(fd)?;
        match entry.kind {
            FdKind::Dir { host, .. } => {
                entry.check(needed)?;
                Ok(host)
            }
            _ => Err(Errno::Notdir),
        }
    }

    pub(crate) fn path_create_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.dir_host(fd, rights::PATH_CREATE_DIRECTORY)?;
        let path = path_arg(mem, path, path_len)?;
        self.sys.create_dir(dir, path)
    }

    pub(crate) fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        path: u32,
        path_len: u32,
        stat: u32,
    ) -> Result<(), Errno> {
        let follow = follow(flags)?;
        let dir = self.dir_host(fd, rights::PATH_FILESTAT_GET)?;
        mem.slice(stat, Filestat::SIZE as u32)?;
        let filestat = self
            .sys
            .path_filestat(dir, path_arg(mem, path, path_len)?, follow)?;
        mem.write(stat, &filestat.encode())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        flags: u32,
        path: u32,
        path_len: u32,
        atim: u64,
        mtim: u64,
        fst_flags: u32,
    ) -> Result<(), Errno> {
        let follow = follow(flags)?;
        let (atim, mtim) = set_times_args(atim, mtim, fst_flags)?;
        let dir = self.dir_host(fd, rights::PATH_FILESTAT_SET_TIMES)?;
        let path = path_arg(mem, path, path_len)?;
        self.sys.path_set_times(dir, path, follow, atim, mtim)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn path_link(
        &mut self,
        mem: &mut GuestMemory<'_>,
        old_fd: u32,
        old_flags: u32,
        old_path: u32,
        old_path_len: u32,
        new_fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        let follow = follow(old_flags)?;
        let old_dir = self.dir_host(old_fd, rights::PATH_LINK_SOURCE)?;
        let new_dir = self.dir_host(new_fd, rights::PATH_LINK_TARGET)?;
        let old_path = path_arg(mem, old_path, old_path_len)?;
        let new_path = path_arg(mem, new_path, new_path_len)?;
        self.sys.link(old_dir, old_path, follow, new_dir, new_path)
    }

    /// Opens a file or directory under `fd`.
    ///
    /// The host is asked to read if the rights the new descriptor gets
    /// include `FD_READ` or `FD_READDIR`, to write if they include
    /// `FD_WRITE`, `FD_ALLOCATE` or `FD_FILESTAT_SET_SIZE`, or `fdflags`
    /// has `APPEND`, or the file is created or truncated (creating or
    /// truncating implies writing, as in wasmtime); with neither, to read
    /// (POSIX's `O_RDONLY`). The new descriptor's rights are those asked for
    /// that apply to what was opened (a file or, according to the host's
    /// `filestat`, a directory); asking for an applicable right the
    /// directory does not pass on is `ENOTCAPABLE`, as the witx says. Its
    /// `fdflags` are kept for `fd_fdstat_get`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        dirflags: u32,
        path: u32,
        path_len: u32,
        oflags: u32,
        rights_base: u64,
        rights_inheriting: u64,
        fdflags: u32,
        opened: u32,
    ) -> Result<(), Errno> {
        let follow = follow(dirflags)?;
        let oflags = flags16(oflags, oflags::ALL)?;
        let fdflags = flags16(fdflags, fdflags::ALL)?;
        let directory = oflags & oflags::DIRECTORY != 0;
        let create = oflags & oflags::CREAT != 0;
        let exclusive = oflags & oflags::EXCL != 0;
        let truncate = oflags & oflags::TRUNC != 0;
        if directory && (create || exclusive || truncate) {
            return Err(Errno::Inval);
        }

        let mut needed = rights::PATH_OPEN;
        if create {
            needed |= rights::PATH_CREATE_FILE;
        }
        if truncate {
            needed |= rights::PATH_FILESTAT_SET_SIZE;
        }
        let dir = self.dir_host(fd, needed)?;
        let inherited = self.entry(fd)?.rights_inheriting;
        // Rights that do not apply to the kind of file opened may be asked
        // for and are dropped; applicable ones must be inheritable. When the
        // kind is known before opening, check before anything is created.
        let exceeds = |applicable: u64| rights_base & applicable & !inherited != 0;
        // Inheriting rights pass on to whatever is opened later through the
        // new descriptor: any file or directory right must be inheritable.
        let inherits_more =
            rights_inheriting & (rights::FILE | rights::DIRECTORY) & !inherited != 0;
        if inherits_more
            || (directory && exceeds(rights::DIRECTORY))
            || (create && exceeds(rights::FILE))
        {
            return Err(Errno::Notcapable);
        }
        let base = rights_base & inherited;
        let inheriting = rights_inheriting & inherited;

        let path = path_arg(mem, path, path_len)?;
        // Checked before opening, so a bad pointer leaks no handle.
        mem.slice(opened, 4)?;

        let mut read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
        let write = base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
            != 0
            || fdflags & fdflags::APPEND != 0
            || create
            || truncate;
        if !read && !write {
            read = true;
        }
        let options = OpenOptions {
            read,
            write,
            create,
            exclusive,
            truncate,
            directory,
            follow,
            fdflags,
        };
        let host = self.sys.open_at(dir, path, &options)?;

        let is_dir = match self.sys.filestat(host) {
            Ok(stat) => stat.filetype == Filetype::Directory,
            Err(e) => {
                let _ = self.sys.close(host);
                return Err(e);
            }
        };
        if directory && !is_dir {
            let _ = self.sys.close(host);
            return Err(Errno::Notdir);
        }
        if exceeds(if is_dir {
            rights::DIRECTORY
        } else {
            rights::FILE
        }) {
            let _ = self.sys.close(host);
            return Err(Errno::Notcapable);
        }
        let entry = if is_dir {
            FdEntry {
                kind: FdKind::Dir {
                    host,
                    preopen: None,
                },
                rights_base: base & rights::DIRECTORY,
                rights_inheriting: inheriting,
                flags: fdflags,
            }
        } else {
            FdEntry {
                kind: FdKind::File(host),
                rights_base: base & rights::FILE,
                rights_inheriting: inheriting,
                flags: fdflags,
            }
        };
        let new_fd = match self.insert(entry) {
            Ok(new_fd) => new_fd,
            Err(e) => {
                let _ = self.sys.close(host);
                return Err(e);
            }
        };
        mem.write_u32(opened, new_fd)
    }

    /// The link's target, cut to `buf_len` bytes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
        buf: u32,
        buf_len: u32,
        bufused: u32,
    ) -> Result<(), Errno> {
        let dir = self.dir_host(fd, rights::PATH_READLINK)?;
        mem.slice(buf, buf_len)?;
        mem.slice(bufused, 4)?;
        let target = self.sys.readlink(dir, path_arg(mem, path, path_len)?)?;
        let bytes = target.as_bytes();
        let n = bytes.len().min(buf_len as usize);
        mem.write(buf, bytes.get(..n).unwrap_or_default())?;
        mem.write_u32(bufused, n as u32)
    }

    pub(crate) fn path_remove_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.dir_host(fd, rights::PATH_REMOVE_DIRECTORY)?;
        let path = path_arg(mem, path, path_len)?;
        self.sys.remove_dir(dir, path)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn path_rename(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        old_path: u32,
        old_path_len: u32,
        new_fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        let old_dir = self.dir_host(fd, rights::PATH_RENAME_SOURCE)?;
        let new_dir = self.dir_host(new_fd, rights::PATH_RENAME_TARGET)?;
        let old_path = path_arg(mem, old_path, old_path_len)?;
        let new_path = path_arg(mem, new_path, new_path_len)?;
        self.sys.rename(old_dir, old_path, new_dir, new_path)
    }

    /// Creates a link at `new_path` to `old_path`, which is stored as it is
    /// (it only has to be UTF-8): the host decides what it may point to.
    pub(crate) fn path_symlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        old_path: u32,
        old_path_len: u32,
        fd: u32,
        new_path: u32,
        new_path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.dir_host(fd, rights::PATH_SYMLINK)?;
        let target = mem.str(old_path, old_path_len)?;
        let new_path = path_arg(mem, new_path, new_path_len)?;
        self.sys.symlink(target, dir, new_path)
    }

    pub(crate) fn path_unlink_file(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: u32,
        path: u32,
        path_len: u32,
    ) -> Result<(), Errno> {
        let dir = self.dir_host(fd, rights::PATH_UNLINK_FILE)?;
        let path = path_arg(mem, path, path_len)?;
        self.sys.unlink_file(dir, path)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DATA, Fixture, OUT, PATH, ROOT};
    use crate::Errno;
    use crate::types::{Filetype, OpenOptions, fdflags, lookupflags, oflags, rights};

    const P2: u32 = 0x180;
    const BUF: u32 = 0x1000;
    const FOLLOW: u32 = lookupflags::SYMLINK_FOLLOW;

    fn filetype_of(fx: &mut Fixture, dir: u32, path: &str, flags: u32) -> Result<u8, Errno> {
        let (p, len) = fx.path(path);
        fx.call(|ctx, mem| ctx.path_filestat_get(mem, dir, flags, p, len, OUT))?;
        Ok(fx.get(OUT + 16, 1)[0])
    }

    fn last_open(fx: &Fixture) -> OpenOptions {
        *fx.state().opens.last().expect("an open_at call")
    }

    #[test]
    fn open_a_file_and_read_it() {
        let mut fx = Fixture::new();
        let fd = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(fd, 5);
        fx.put_u32(0x200, BUF);
        fx.put_u32(0x204, 64);
        fx.call(|ctx, mem| ctx.fd_read(mem, fd, 0x200, 1, OUT))
            .unwrap();
        assert_eq!(fx.get(BUF, fx.u32_at(OUT) as usize), b"hello world");
        let entry = fx.ctx.entry(fd).unwrap();
        assert_eq!(entry.rights_base, rights::FILE, "asked ∩ inheriting ∩ FILE");
        assert_eq!(entry.rights_inheriting, rights::DIRECTORY | rights::FILE);
        let o = last_open(&fx);
        assert!(o.read && o.write && o.follow && !o.create && !o.directory);

        // Through a symbolic link, following it.
        let fd = fx.open(ROOT, "link", 0, rights::FD_READ, 0).unwrap();
        let o = last_open(&fx);
        assert!(o.read && !o.write, "{o:?}");
        assert_eq!(fx.ctx.entry(fd).unwrap().rights_base, rights::FD_READ);
        // Without following it the host refuses.
        let (p, len) = fx.path("link");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_open(mem, ROOT, 0, p, len, 0, 0, 0, 0, OUT)),
            Err(Errno::Loop)
        );
        assert!(!last_open(&fx).follow);
    }

    #[test]
    fn open_a_directory_and_use_it() {
        let mut fx = Fixture::new();
        let sub = fx
            .open(ROOT, "sub", oflags::DIRECTORY as u32, rights::DIRECTORY, 0)
            .unwrap();
        let entry = fx.ctx.entry(sub).unwrap();
        assert_eq!(entry.rights_base, rights::DIRECTORY);
        assert!(matches!(
            entry.kind,
            crate::ctx::FdKind::Dir { preopen: None, .. }
        ));
        fx.call(|ctx, mem| ctx.fd_fdstat_get(mem, sub, OUT))
            .unwrap();
        assert_eq!(fx.get(OUT, 1)[0], Filetype::Directory as u8);
        // Not a preopen.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_prestat_get(mem, sub, OUT)),
            Err(Errno::Badf)
        );
        // A directory opened without oflags::DIRECTORY is a directory too.
        let sub2 = fx
            .open(ROOT, "sub/", 0, rights::FD_READDIR | rights::PATH_OPEN, 0)
            .unwrap();
        assert!(matches!(
            fx.ctx.entry(sub2).unwrap().kind,
            crate::ctx::FdKind::Dir { .. }
        ));
        // The new directory's inheriting rights are what it asked for: no
        // FD_READ, so a file under it cannot be opened for reading.
        assert_eq!(
            fx.ctx.entry(sub2).unwrap().rights_inheriting,
            rights::FD_READDIR | rights::PATH_OPEN
        );
        assert_eq!(
            fx.open(sub2, "a.txt", 0, rights::FD_READ, 0),
            Err(Errno::Notcapable)
        );
        // Asking to write a directory is the host's EISDIR, as wasmtime on POSIX.
        let rw = rights::FD_READ | rights::FD_WRITE;
        assert_eq!(
            fx.open(ROOT, ".", oflags::DIRECTORY as u32, rw, 0),
            Err(Errno::Isdir)
        );
        assert!(last_open(&fx).write);
        // `oflags::DIRECTORY` on a file.
        assert_eq!(
            fx.open(ROOT, "hello.txt", oflags::DIRECTORY as u32, 0, 0),
            Err(Errno::Notdir)
        );
        // Escaping through "..": the host's sandbox.
        assert_eq!(fx.open(sub, "../hello.txt", 0, 0, 0), Err(Errno::Perm));
    }

    #[test]
    fn open_creates_truncates_and_keeps_fdflags() {
        let mut fx = Fixture::new();
        let creat = oflags::CREAT as u32;
        let fd = fx
            .open(
                ROOT,
                "new.txt",
                creat,
                rights::FD_READ,
                fdflags::APPEND as u32,
            )
            .unwrap();
        let o = last_open(&fx);
        assert!(o.create && o.write && o.read && !o.exclusive && !o.truncate);
        assert_eq!(o.fdflags, fdflags::APPEND);
        assert_eq!(fx.ctx.entry(fd).unwrap().flags, fdflags::APPEND);
        assert_eq!(
            filetype_of(&mut fx, ROOT, "new.txt", 0),
            Ok(Filetype::RegularFile as u8)
        );
        let excl = (oflags::CREAT | oflags::EXCL) as u32;
        assert_eq!(
            fx.open(ROOT, "new.txt", excl, rights::FD_WRITE, 0),
            Err(Errno::Exist)
        );
        let fd = fx
            .open(ROOT, "hello.txt", oflags::TRUNC as u32, 0, 0)
            .unwrap();
        assert!(last_open(&fx).truncate);
        assert_eq!(fx.state().inodes[1].node_len(), 0);
        // Opened with no rights at all: not even its filestat.
        assert_eq!(
            fx.call(|ctx, mem| ctx.fd_filestat_get(mem, fd, OUT)),
            Err(Errno::Notcapable)
        );
        // No rights at all: the host reads.
        fx.open(ROOT, "sub/a.txt", 0, 0, 0).unwrap();
        let o = last_open(&fx);
        assert!(o.read && !o.write);
    }

    #[test]
    fn open_flag_errors() {
        let mut fx = Fixture::new();
        let opens = fx.state().opens.len();
        let (p, len) = fx.path("hello.txt");
        let open = |fx: &mut Fixture, dirflags, oflags, fdflags| {
            fx.call(|ctx, mem| {
                ctx.path_open(mem, ROOT, dirflags, p, len, oflags, 0, 0, fdflags, OUT)
            })
        };
        assert_eq!(open(&mut fx, 2, 0, 0), Err(Errno::Inval), "dirflags");
        assert_eq!(open(&mut fx, 0, 1 << 4, 0), Err(Errno::Inval), "oflags");
        assert_eq!(open(&mut fx, 0, 1 << 16, 0), Err(Errno::Inval), "oflags");
        assert_eq!(open(&mut fx, 0, 0, 1 << 5), Err(Errno::Inval), "fdflags");
        for bad in [oflags::CREAT, oflags::EXCL, oflags::TRUNC] {
            let flags = (oflags::DIRECTORY | bad) as u32;
            assert_eq!(
                open(&mut fx, 0, flags, 0),
                Err(Errno::Inval),
                "directory with {bad}"
            );
        }
        assert_eq!(fx.state().opens.len(), opens, "the host was never asked");
    }

    #[test]
    fn open_descriptor_and_path_errors() {
        let mut fx = Fixture::new();
        let file = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        assert_eq!(fx.open(file, "x", 0, 0, 0), Err(Errno::Notdir));
        assert_eq!(fx.open(1, "x", 0, 0, 0), Err(Errno::Notdir));
        assert_eq!(fx.open(99, "x", 0, 0, 0), Err(Errno::Badf));
        assert_eq!(
            fx.open(ROOT, "/hello.txt", 0, 0, 0),
            Err(Errno::Perm),
            "absolute"
        );
        assert_eq!(
            fx.open(ROOT, "hello.txt\0", 0, 0, 0),
            Err(Errno::Inval),
            "NUL"
        );
        assert_eq!(fx.open(ROOT, "missing", 0, 0, 0), Err(Errno::Noent));
        fx.put(PATH, &[b'a', 0xff, 0xfe]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_open(mem, ROOT, 0, PATH, 3, 0, 0, 0, 0, OUT)),
            Err(Errno::Ilseq)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_open(mem, ROOT, 0, 0xfff0, 0x20, 0, 0, 0, 0, OUT)),
            Err(Errno::Fault)
        );
        // A bad result pointer: nothing is opened.
        let handles = fx.open_handles();
        let (p, len) = fx.path("hello.txt");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_open(mem, ROOT, 0, p, len, 0, 0, 0, 0, 0xfffe)),
            Err(Errno::Fault)
        );
        assert_eq!(fx.open_handles(), handles);
    }

    #[test]
    fn open_needs_the_directory_rights() {
        let mut fx = Fixture::new();
        let base = rights::DIRECTORY & !rights::PATH_CREATE_FILE & !rights::PATH_FILESTAT_SET_SIZE;
        let inheriting = rights::FD_READ | rights::FD_SEEK;
        fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, ROOT, base, inheriting))
            .unwrap();
        assert_eq!(
            fx.open(ROOT, "n", oflags::CREAT as u32, 0, 0),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            fx.open(ROOT, "hello.txt", oflags::TRUNC as u32, 0, 0),
            Err(Errno::Notcapable)
        );
        // File rights the directory does not pass on are refused ...
        assert_eq!(
            fx.open(ROOT, "hello.txt", 0, rights::FD_READ | rights::FD_WRITE, 0),
            Err(Errno::Notcapable)
        );
        // ... rights that do not apply to a file are dropped.
        let asked = rights::FD_READ | rights::SOCK_SHUTDOWN;
        let fd = fx.open(ROOT, "hello.txt", 0, asked, 0).unwrap();
        assert_eq!(fx.ctx.entry(fd).unwrap().rights_base, rights::FD_READ);
        assert!(!last_open(&fx).write);
        assert_eq!(fx.ctx.entry(fd).unwrap().rights_inheriting, rights::FD_READ);
    }

    #[test]
    fn directories_are_created_and_removed() {
        let mut fx = Fixture::new();
        let (p, len) = fx.path("newdir");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_create_directory(mem, ROOT, p, len)),
            Ok(())
        );
        assert_eq!(
            filetype_of(&mut fx, ROOT, "newdir", 0),
            Ok(Filetype::Directory as u8)
        );
        let (p, len) = fx.path("newdir");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_create_directory(mem, ROOT, p, len)),
            Err(Errno::Exist)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_remove_directory(mem, ROOT, p, len)),
            Ok(())
        );
        assert_eq!(filetype_of(&mut fx, ROOT, "newdir", 0), Err(Errno::Noent));
        let (p, len) = fx.path("/newdir");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_create_directory(mem, ROOT, p, len)),
            Err(Errno::Perm)
        );
        let (p, len) = fx.path("sub");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_remove_directory(mem, ROOT, p, len)),
            Err(Errno::Notempty)
        );
        let (p, len) = fx.path("x");
        fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, ROOT, rights::PATH_OPEN, 0))
            .unwrap();
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_create_directory(mem, ROOT, p, len)),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_remove_directory(mem, ROOT, p, len)),
            Err(Errno::Notcapable)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_unlink_file(mem, ROOT, p, len)),
            Err(Errno::Notcapable)
        );
    }

    #[test]
    fn every_path_function_wants_a_directory() {
        let mut fx = Fixture::new();
        let file = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        let (p, len) = fx.path("foo");
        for fd in [file, 0] {
            let r = [
                fx.call(|ctx, mem| ctx.path_create_directory(mem, fd, p, len)),
                fx.call(|ctx, mem| ctx.path_filestat_get(mem, fd, 0, p, len, OUT)),
                fx.call(|ctx, mem| ctx.path_filestat_set_times(mem, fd, 0, p, len, 0, 0, 0)),
                fx.call(|ctx, mem| ctx.path_link(mem, fd, 0, p, len, ROOT, p, len)),
                fx.call(|ctx, mem| ctx.path_link(mem, ROOT, 0, p, len, fd, p, len)),
                fx.call(|ctx, mem| ctx.path_readlink(mem, fd, p, len, BUF, 0, OUT)),
                fx.call(|ctx, mem| ctx.path_remove_directory(mem, fd, p, len)),
                fx.call(|ctx, mem| ctx.path_rename(mem, fd, p, len, ROOT, p, len)),
                fx.call(|ctx, mem| ctx.path_rename(mem, ROOT, p, len, fd, p, len)),
                fx.call(|ctx, mem| ctx.path_symlink(mem, p, len, fd, p, len)),
                fx.call(|ctx, mem| ctx.path_unlink_file(mem, fd, p, len)),
            ];
            assert_eq!(r, [Err(Errno::Notdir); 11], "fd {fd}");
        }
        let r = fx.call(|ctx, mem| ctx.path_rename(mem, ROOT, p, len, 77, p, len));
        assert_eq!(r, Err(Errno::Badf));
    }

    #[test]
    fn filestat_follows_links_only_when_asked_and_set_times() {
        let mut fx = Fixture::new();
        assert_eq!(
            filetype_of(&mut fx, ROOT, "link", 0),
            Ok(Filetype::SymbolicLink as u8)
        );
        assert_eq!(
            filetype_of(&mut fx, ROOT, "link", FOLLOW),
            Ok(Filetype::RegularFile as u8)
        );
        assert_eq!(fx.u64_at(OUT + 32), 11, "size of hello.txt");
        assert_eq!(
            filetype_of(&mut fx, DATA, "a.txt", 0),
            Ok(Filetype::RegularFile as u8)
        );
        assert_eq!(filetype_of(&mut fx, ROOT, "link", 2), Err(Errno::Inval));
        let (p, len) = fx.path("link");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_filestat_get(mem, ROOT, 0, p, len, 0xffc1)),
            Err(Errno::Fault)
        );

        assert_eq!(
            fx.call(
                |ctx, mem| ctx.path_filestat_set_times(mem, ROOT, FOLLOW, p, len, 10, 20, 0b0101)
            ),
            Ok(())
        );
        assert_eq!(fx.times(1), (10, 20));
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_filestat_set_times(mem, ROOT, 0, p, len, 0, 30, 0b0100)),
            Ok(())
        );
        assert_eq!((fx.times(4).1, fx.times(1).1), (30, 20), "the link itself");
        for bad in [0b0011, 0b1100, 0b10000] {
            let r =
                fx.call(|ctx, mem| ctx.path_filestat_set_times(mem, ROOT, 0, p, len, 0, 0, bad));
            assert_eq!(r, Err(Errno::Inval));
        }
        let r = fx.call(|ctx, mem| ctx.path_filestat_set_times(mem, ROOT, 4, p, len, 0, 0, 0));
        assert_eq!(r, Err(Errno::Inval), "lookupflags");
    }

    #[test]
    fn symlink_readlink_truncates() {
        let mut fx = Fixture::new();
        fx.put(P2, b"sub/a.txt");
        let (p, len) = fx.path("alink");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_symlink(mem, P2, 9, ROOT, p, len)),
            Ok(())
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, BUF, 64, OUT)),
            Ok(())
        );
        assert_eq!((fx.u32_at(OUT), fx.get(BUF, 9)), (9, &b"sub/a.txt"[..]));
        fx.put(BUF, b"........");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, BUF, 3, OUT)),
            Ok(())
        );
        assert_eq!((fx.u32_at(OUT), fx.get(BUF, 4)), (3, &b"sub."[..]));
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, BUF, 0, OUT)),
            Ok(())
        );
        assert_eq!(fx.u32_at(OUT), 0);
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, 0xfff0, 0x11, OUT)),
            Err(Errno::Fault)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, BUF, 8, 0xfffd)),
            Err(Errno::Fault)
        );
        let fd = fx.open(ROOT, "alink", 0, rights::FD_READ, 0).unwrap();
        assert!(matches!(
            fx.ctx.entry(fd).unwrap().kind,
            crate::ctx::FdKind::File(_)
        ));
        let (p, len) = fx.path("hello.txt");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_readlink(mem, ROOT, p, len, BUF, 8, OUT)),
            Err(Errno::Inval)
        );
        // The target is not interpreted: an absolute one is the host's business.
        fx.put(P2, b"/etc/passwd");
        let (p, len) = fx.path("abs");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_symlink(mem, P2, 11, ROOT, p, len)),
            Ok(())
        );
        // But the link's own path is.
        let (p, len) = fx.path("/abs");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_symlink(mem, P2, 11, ROOT, p, len)),
            Err(Errno::Perm)
        );
        fx.put(P2, &[0xc3]);
        let (p, len) = fx.path("bad");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_symlink(mem, P2, 1, ROOT, p, len)),
            Err(Errno::Ilseq)
        );
    }

    #[test]
    fn rename_link_unlink() {
        let mut fx = Fixture::new();
        fx.put(P2, b"moved.txt");
        let (p, len) = fx.path("hello.txt");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_rename(mem, ROOT, p, len, DATA, P2, 9)),
            Ok(())
        );
        assert_eq!(
            filetype_of(&mut fx, DATA, "moved.txt", 0),
            Ok(Filetype::RegularFile as u8)
        );
        assert_eq!(
            filetype_of(&mut fx, ROOT, "hello.txt", 0),
            Err(Errno::Noent)
        );

        fx.put(P2, b"again.txt");
        let (p, len) = fx.path("sub/moved.txt");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_link(mem, ROOT, 0, p, len, DATA, P2, 9)),
            Ok(())
        );
        assert_eq!(
            filetype_of(&mut fx, DATA, "again.txt", 0),
            Ok(Filetype::RegularFile as u8)
        );
        assert_eq!(fx.u64_at(OUT + 24), 2, "nlink");
        let (p, len) = fx.path("/x");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_link(mem, ROOT, 0, P2, 9, DATA, p, len)),
            Err(Errno::Perm)
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_link(mem, ROOT, 2, P2, 9, DATA, P2, 9)),
            Err(Errno::Inval)
        );

        let (p, len) = fx.path("again.txt");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_unlink_file(mem, DATA, p, len)),
            Ok(())
        );
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_unlink_file(mem, DATA, p, len)),
            Err(Errno::Noent)
        );
        let (p, len) = fx.path("sub");
        assert_eq!(
            fx.call(|ctx, mem| ctx.path_unlink_file(mem, ROOT, p, len)),
            Err(Errno::Isdir)
        );

        let base = rights::DIRECTORY & !rights::PATH_RENAME_TARGET & !rights::PATH_LINK_SOURCE;
        fx.call(|ctx, mem| ctx.fd_fdstat_set_rights(mem, DATA, base, 0))
            .unwrap();
        let r = fx.call(|ctx, mem| ctx.path_rename(mem, ROOT, P2, 9, DATA, P2, 9));
        assert_eq!(r, Err(Errno::Notcapable));
        let r = fx.call(|ctx, mem| ctx.path_link(mem, DATA, 0, P2, 9, ROOT, P2, 9));
        assert_eq!(r, Err(Errno::Notcapable));
    }
}
