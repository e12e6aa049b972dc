//! Test support: an in-memory [`WasiSys`] over a tiny directory tree, with a
//! fake clock and recorded stdio, and a [`Fixture`] that drives the preview1
//! functions over a guest memory held in a `Vec`.
//!
//! The tree every fixture starts with:
//!
//! ```text
//! /              (preopened as "/", descriptor 3)
//! ├── hello.txt  "hello world"
//! ├── link       -> hello.txt
//! └── sub/       (preopened as "/data", descriptor 4)
//!     └── a.txt  "A"
//! ```

extern crate std;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::memory::GuestMemory;
use crate::sys::{HostFd, WasiSys};
use crate::types::{ClockId, DirEntry, Filestat, Filetype, OpenOptions, SetTime, Whence};
use crate::{Errno, WasiCtx, WasiCtxBuilder};

/// The wall clock is this far ahead of the monotonic one.
pub(crate) const EPOCH: u64 = 1_700_000_000_000_000_000;

pub(crate) enum Node {
    File(Vec<u8>),
    Dir {
        entries: BTreeMap<String, usize>,
        parent: usize,
    },
    Symlink(String),
}

pub(crate) struct Inode {
    pub node: Node,
    pub atim: u64,
    pub mtim: u64,
    pub nlink: u64,
}

impl Inode {
    /// The length of a file's data (or a directory's entry count).
    pub(crate) fn node_len(&self) -> usize {
        match &self.node {
            Node::File(data) => data.len(),
            Node::Dir { entries, .. } => entries.len(),
            Node::Symlink(target) => target.len(),
        }
    }
}

pub(crate) struct Handle {
    pub ino: usize,
    pub pos: u64,
    pub read: bool,
    pub write: bool,
    pub flags: u16,
}

/// Everything the fake system holds; tests inspect it through
/// [`Fixture::state`].
pub(crate) struct State {
    pub inodes: Vec<Inode>,
    pub handles: BTreeMap<HostFd, Handle>,
    next_handle: HostFd,
    /// The monotonic clock, advanced only by `sleep`.
    pub now: u64,
    pub sleeps: Vec<u64>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub stdin: VecDeque<u8>,
    /// At most this many bytes per `write_stdout` / `read_stdin` call.
    pub chunk: usize,
    /// Every `open_at` request.
    pub opens: Vec<OpenOptions>,
    /// Every handle closed.
    pub closed: Vec<HostFd>,
    /// What `poll_ready` answers.
    pub ready: Result<u64, Errno>,
}

fn file(data: &[u8]) -> Inode {
    Inode {
        node: Node::File(data.to_vec()),
        atim: 1,
        mtim: 2,
        nlink: 1,
    }
}

fn dir(entries: &[(&str, usize)], parent: usize) -> Inode {
    let entries = entries.iter().map(|(n, i)| (n.to_string(), *i)).collect();
    Inode {
        node: Node::Dir { entries, parent },
        atim: 1,
        mtim: 2,
        nlink: 2,
    }
}

/// Splits a path into its components, empty ones (from `//` or a trailing
/// `/`) removed.
fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

impl State {
    fn new() -> State {
        State {
            inodes: vec![
                dir(&[("hello.txt", 1), ("sub", 2), ("link", 4)], 0),
                file(b"hello world"),
                dir(&[("a.txt", 3)], 0),
                file(b"A"),
                Inode {
                    node: Node::Symlink("hello.txt".into()),
                    atim: 1,
                    mtim: 2,
                    nlink: 1,
                },
            ],
            handles: BTreeMap::new(),
            next_handle: 100,
            now: 0,
            sleeps: Vec::new(),
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdin: VecDeque::new(),
            chunk: usize::MAX,
            opens: Vec::new(),
            closed: Vec::new(),
            ready: Ok(7),
        }
    }

    fn handle(&mut self, fd: HostFd) -> Result<&mut Handle, Errno> {
        self.handles.get_mut(&fd).ok_or(Errno::Badf)
    }

    fn inode(&mut self, ino: usize) -> Result<&mut Inode, Errno> {
        self.inodes.get_mut(ino).ok_or(Errno::Io)
    }

    fn entries(&mut self, ino: usize) -> Result<&mut BTreeMap<String, usize>, Errno> {
        match &mut self.inode(ino)?.node {
            Node::Dir { entries, .. } => Ok(entries),
            _ => Err(Errno::Notdir),
        }
    }

    fn is_dir(&self, ino: usize) -> bool {
        matches!(
            self.inodes.get(ino).map(|i| &i.node),
            Some(Node::Dir { .. })
        )
    }

    fn dir_of(&mut self, fd: HostFd) -> Result<usize, Errno> {
        let ino = self.handle(fd)?.ino;
        if self.is_dir(ino) {
            Ok(ino)
        } else {
            Err(Errno::Notdir)
        }
    }

    /// Resolves `path` under directory `start`, never above it (`EPERM`, as
    /// cap-std), following symbolic links in the middle of the path and, if
    /// `follow`, at its end.
    fn lookup(&mut self, start: usize, path: &str, follow: bool) -> Result<usize, Errno> {
        if path.is_empty() {
            return Err(Errno::Noent);
        }
        if path.starts_with('/') {
            return Err(Errno::Perm);
        }
        let must_be_dir = path.ends_with('/');
        let mut stack = vec![start];
        let mut queue: VecDeque<String> = components(path).map(String::from).collect();
        let mut links = 0;
        while let Some(name) = queue.pop_front() {
            let cur = *stack.last().ok_or(Errno::Perm)?;
            match name.as_str() {
                "." => continue,
                ".." => {
                    if stack.len() == 1 {
                        return Err(Errno::Perm);
                    }
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            let child = *self.entries(cur)?.get(&name).ok_or(Errno::Noent)?;
            if let Node::Symlink(target) = &self.inode(child)?.node
                && (!queue.is_empty() || follow || must_be_dir)
            {
                links += 1;
                if links > 8 {
                    return Err(Errno::Loop);
                }
                if target.starts_with('/') {
                    return Err(Errno::Perm);
                }
                let target = target.clone();
                for c in components(&target).rev() {
                    queue.push_front(c.to_string());
                }
                continue;
            }
            stack.push(child);
        }
        let ino = *stack.last().ok_or(Errno::Perm)?;
        if must_be_dir && !self.is_dir(ino) {
            return Err(Errno::Notdir);
        }
        Ok(ino)
    }

    /// The directory that would hold `path` and the last component's name.
    fn parent(&mut self, start: usize, path: &str) -> Result<(usize, String), Errno> {
        if path.starts_with('/') {
            return Err(Errno::Perm);
        }
        let mut parts: Vec<&str> = components(path).collect();
        let name = parts.pop().ok_or(Errno::Noent)?;
        if name == "." || name == ".." {
            return Err(Errno::Inval);
        }
        let dir = if parts.is_empty() {
            start
        } else {
            self.lookup(start, &parts.join("/"), true)?
        };
        if !self.is_dir(dir) {
            return Err(Errno::Notdir);
        }
        Ok((dir, name.to_string()))
    }

    fn stat(&self, ino: usize) -> Result<Filestat, Errno> {
        let inode = self.inodes.get(ino).ok_or(Errno::Io)?;
        let (filetype, size) = match &inode.node {
            Node::File(data) => (Filetype::RegularFile, data.len()),
            Node::Dir { entries, .. } => (Filetype::Directory, entries.len()),
            Node::Symlink(target) => (Filetype::SymbolicLink, target.len()),
        };
        Ok(Filestat {
            dev: 1,
            ino: ino as u64,
            filetype,
            nlink: inode.nlink,
            size: size as u64,
            atim: inode.atim,
            mtim: inode.mtim,
            ctim: inode.mtim,
        })
    }

    fn set_times(&mut self, ino: usize, atim: SetTime, mtim: SetTime) -> Result<(), Errno> {
        let now = EPOCH + self.now;
        let inode = self.inode(ino)?;
        for (slot, value) in [(&mut inode.atim, atim), (&mut inode.mtim, mtim)] {
            match value {
                SetTime::Keep => {}
                SetTime::Now => *slot = now,
                SetTime::At(t) => *slot = t,
            }
        }
        Ok(())
    }

    fn new_handle(&mut self, ino: usize, read: bool, write: bool, flags: u16) -> HostFd {
        let fd = self.next_handle;
        self.next_handle += 1;
        self.handles.insert(
            fd,
            Handle {
                ino,
                pos: 0,
                read,
                write,
                flags,
            },
        );
        fd
    }

    fn add(&mut self, inode: Inode) -> usize {
        self.inodes.push(inode);
        self.inodes.len() - 1
    }

    fn file_data(&mut self, fd: HostFd, write: bool) -> Result<(&mut Vec<u8>, u64, u16), Errno> {
        let h = self.handles.get(&fd).ok_or(Errno::Badf)?;
        if (write && !h.write) || (!write && !h.read) {
            return Err(Errno::Badf);
        }
        let (ino, pos, flags) = (h.ino, h.pos, h.flags);
        match &mut self.inode(ino)?.node {
            Node::File(data) => Ok((data, pos, flags)),
            Node::Dir { .. } => Err(Errno::Isdir),
            Node::Symlink(_) => Err(Errno::Inval),
        }
    }
}

fn read_at(data: &[u8], buf: &mut [u8], at: u64) -> usize {
    let start = usize::try_from(at).unwrap_or(usize::MAX).min(data.len());
    let n = (data.len() - start).min(buf.len());
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

fn write_at(data: &mut Vec<u8>, bytes: &[u8], at: u64) -> Result<usize, Errno> {
    let start = usize::try_from(at).map_err(|_| Errno::Fbig)?;
    let end = start.checked_add(bytes.len()).ok_or(Errno::Fbig)?;
    if data.len() < end {
        data.resize(end, 0);
    }
    data[start..end].copy_from_slice(bytes);
    Ok(bytes.len())
}

/// The fake system; it shares its [`State`] with the test.
pub(crate) struct FakeSys(pub Arc<Mutex<State>>);

impl FakeSys {
    fn st(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl WasiSys for FakeSys {
    fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno> {
        let mut st = self.st();
        let n = data.len().min(st.chunk);
        st.stdout.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn write_stderr(&mut self, data: &[u8]) -> Result<usize, Errno> {
        self.st().stderr.extend_from_slice(data);
        Ok(data.len())
    }

    fn read_stdin(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut st = self.st();
        let n = buf.len().min(st.chunk).min(st.stdin.len());
        for (b, byte) in buf.iter_mut().zip(st.stdin.drain(..n)) {
            *b = byte;
        }
        Ok(n)
    }

    fn clock_time(&mut self, clock: ClockId, _precision: u64) -> Result<u64, Errno> {
        let now = self.st().now;
        match clock {
            ClockId::Monotonic => Ok(now),
            ClockId::Realtime => Ok(EPOCH + now),
            _ => Err(Errno::Notsup),
        }
    }

    fn sleep(&mut self, nanos: u64) -> Result<(), Errno> {
        let mut st = self.st();
        st.now += nanos;
        st.sleeps.push(nanos);
        Ok(())
    }

    fn open_preopen(&mut self, path: &str) -> Result<HostFd, Errno> {
        let mut st = self.st();
        let ino = st.lookup(0, path, true)?;
        if !st.is_dir(ino) {
            return Err(Errno::Notdir);
        }
        Ok(st.new_handle(ino, true, false, 0))
    }

    fn open_at(&mut self, dir: HostFd, path: &str, o: &OpenOptions) -> Result<HostFd, Errno> {
        let mut st = self.st();
        st.opens.push(*o);
        let start = st.dir_of(dir)?;
        let ino = if o.create {
            let (parent, name) = st.parent(start, path)?;
            match st.entries(parent)?.get(&name).copied() {
                Some(_) if o.exclusive => return Err(Errno::Exist),
                Some(_) => st.lookup(start, path, o.follow)?,
                None => {
                    let ino = st.add(file(b""));
                    st.entries(parent)?.insert(name, ino);
                    ino
                }
            }
        } else {
            st.lookup(start, path, o.follow)?
        };
        match st.inodes.get(ino).map(|i| &i.node) {
            Some(Node::Symlink(_)) => return Err(Errno::Loop),
            Some(Node::Dir { .. }) if o.write => return Err(Errno::Isdir),
            Some(Node::File(_)) if o.directory => return Err(Errno::Notdir),
            _ => {}
        }
        if o.truncate
            && let Node::File(data) = &mut st.inode(ino)?.node
        {
            data.clear();
        }
        Ok(st.new_handle(ino, o.read, o.write, o.fdflags))
    }

    fn close(&mut self, fd: HostFd) -> Result<(), Errno> {
        let mut st = self.st();
        st.handles.remove(&fd).ok_or(Errno::Badf)?;
        st.closed.push(fd);
        Ok(())
    }

    fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut st = self.st();
        let (data, pos, _) = st.file_data(fd, false)?;
        let n = read_at(data, buf, pos);
        st.handle(fd)?.pos += n as u64;
        Ok(n)
    }

    fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let mut st = self.st();
        let (data, _, _) = st.file_data(fd, false)?;
        Ok(read_at(data, buf, offset))
    }

    fn write(&mut self, fd: HostFd, bytes: &[u8]) -> Result<usize, Errno> {
        let mut st = self.st();
        let (data, pos, flags) = st.file_data(fd, true)?;
        let at = if flags & crate::types::fdflags::APPEND != 0 {
            data.len() as u64
        } else {
            pos
        };
        let n = write_at(data, bytes, at)?;
        st.handle(fd)?.pos = at + n as u64;
        Ok(n)
    }

    fn pwrite(&mut self, fd: HostFd, bytes: &[u8], offset: u64) -> Result<usize, Errno> {
        let mut st = self.st();
        let (data, _, _) = st.file_data(fd, true)?;
        write_at(data, bytes, offset)
    }

    fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> Result<u64, Errno> {
        let mut st = self.st();
        let h = st.handles.get(&fd).ok_or(Errno::Badf)?;
        let (ino, pos) = (h.ino, h.pos);
        let size = st.stat(ino)?.size;
        let base = match whence {
            Whence::Set => 0,
            Whence::Cur => pos,
            Whence::End => size,
        };
        let new = base.checked_add_signed(offset).ok_or(Errno::Inval)?;
        st.handle(fd)?.pos = new;
        Ok(new)
    }

    fn filestat(&mut self, fd: HostFd) -> Result<Filestat, Errno> {
        let mut st = self.st();
        let ino = st.handle(fd)?.ino;
        st.stat(ino)
    }

    fn set_fdflags(&mut self, fd: HostFd, flags: u16) -> Result<(), Errno> {
        self.st().handle(fd)?.flags = flags;
        Ok(())
    }

    fn set_size(&mut self, fd: HostFd, size: u64) -> Result<(), Errno> {
        let mut st = self.st();
        let (data, _, _) = st.file_data(fd, true)?;
        data.resize(usize::try_from(size).map_err(|_| Errno::Fbig)?, 0);
        Ok(())
    }

    fn set_times(&mut self, fd: HostFd, atim: SetTime, mtim: SetTime) -> Result<(), Errno> {
        let mut st = self.st();
        let ino = st.handle(fd)?.ino;
        st.set_times(ino, atim, mtim)
    }

    fn sync(&mut self, fd: HostFd) -> Result<(), Errno> {
        self.st().handle(fd).map(|_| ())
    }

    fn datasync(&mut self, fd: HostFd) -> Result<(), Errno> {
        self.st().handle(fd).map(|_| ())
    }

    fn allocate(&mut self, fd: HostFd, offset: u64, len: u64) -> Result<(), Errno> {
        let mut st = self.st();
        let (data, _, _) = st.file_data(fd, true)?;
        let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
        let end = usize::try_from(end).map_err(|_| Errno::Fbig)?;
        if data.len() < end {
            data.resize(end, 0);
        }
        Ok(())
    }

    fn read_dir(
        &mut self,
        fd: HostFd,
        cookie: u64,
        each: &mut dyn FnMut(DirEntry) -> bool,
    ) -> Result<(), Errno> {
        let mut st = self.st();
        let ino = st.dir_of(fd)?;
        let Some(Node::Dir { entries, parent }) = st.inodes.get(ino).map(|i| &i.node) else {
            return Err(Errno::Notdir);
        };
        let mut all = vec![(".".to_string(), ino), ("..".to_string(), *parent)];
        all.extend(entries.iter().map(|(n, i)| (n.clone(), *i)));
        let skip = usize::try_from(cookie).unwrap_or(usize::MAX);
        for (i, (name, child)) in all.into_iter().enumerate().skip(skip) {
            let filetype = st.stat(child)?.filetype;
            let entry = DirEntry {
                next: i as u64 + 1,
                ino: child as u64,
                filetype,
                name,
            };
            if !each(entry) {
                break;
            }
        }
        Ok(())
    }

    fn path_filestat(&mut self, dir: HostFd, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let ino = st.lookup(start, path, follow)?;
        st.stat(ino)
    }

    fn path_set_times(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        atim: SetTime,
        mtim: SetTime,
    ) -> Result<(), Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let ino = st.lookup(start, path, follow)?;
        st.set_times(ino, atim, mtim)
    }

    fn create_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let (parent, name) = st.parent(start, path)?;
        if st.entries(parent)?.contains_key(&name) {
            return Err(Errno::Exist);
        }
        let ino = st.add(self::dir(&[], parent));
        st.entries(parent)?.insert(name, ino);
        Ok(())
    }

    fn remove_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let (parent, name) = st.parent(start, path)?;
        let ino = *st.entries(parent)?.get(&name).ok_or(Errno::Noent)?;
        if !st.entries(ino)?.is_empty() {
            return Err(Errno::Notempty);
        }
        st.entries(parent)?.remove(&name);
        Ok(())
    }

    fn unlink_file(&mut self, dir: HostFd, path: &str) -> Result<(), Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let (parent, name) = st.parent(start, path)?;
        let ino = *st.entries(parent)?.get(&name).ok_or(Errno::Noent)?;
        if st.is_dir(ino) {
            return Err(Errno::Isdir);
        }
        st.entries(parent)?.remove(&name);
        st.inode(ino)?.nlink -= 1;
        Ok(())
    }

    fn rename(
        &mut self,
        dir: HostFd,
        path: &str,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let mut st = self.st();
        let (from, to) = (st.dir_of(dir)?, st.dir_of(new_dir)?);
        let (old_parent, old_name) = st.parent(from, path)?;
        let (new_parent, new_name) = st.parent(to, new_path)?;
        let ino = st
            .entries(old_parent)?
            .remove(&old_name)
            .ok_or(Errno::Noent)?;
        st.entries(new_parent)?.insert(new_name, ino);
        if let Node::Dir { parent, .. } = &mut st.inode(ino)?.node {
            *parent = new_parent;
        }
        Ok(())
    }

    fn link(
        &mut self,
        dir: HostFd,
        path: &str,
        follow: bool,
        new_dir: HostFd,
        new_path: &str,
    ) -> Result<(), Errno> {
        let mut st = self.st();
        let (from, to) = (st.dir_of(dir)?, st.dir_of(new_dir)?);
        let ino = st.lookup(from, path, follow)?;
        if st.is_dir(ino) {
            return Err(Errno::Perm);
        }
        let (parent, name) = st.parent(to, new_path)?;
        if st.entries(parent)?.contains_key(&name) {
            return Err(Errno::Exist);
        }
        st.entries(parent)?.insert(name, ino);
        st.inode(ino)?.nlink += 1;
        Ok(())
    }

    fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> Result<(), Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let (parent, name) = st.parent(start, path)?;
        if st.entries(parent)?.contains_key(&name) {
            return Err(Errno::Exist);
        }
        let ino = st.add(Inode {
            node: Node::Symlink(target.into()),
            atim: 1,
            mtim: 2,
            nlink: 1,
        });
        st.entries(parent)?.insert(name, ino);
        Ok(())
    }

    fn readlink(&mut self, dir: HostFd, path: &str) -> Result<String, Errno> {
        let mut st = self.st();
        let start = st.dir_of(dir)?;
        let ino = st.lookup(start, path, false)?;
        match &st.inode(ino)?.node {
            Node::Symlink(target) => Ok(target.clone()),
            _ => Err(Errno::Inval),
        }
    }

    fn poll_ready(&mut self, fd: HostFd, _write: bool) -> Result<u64, Errno> {
        let mut st = self.st();
        st.handle(fd)?;
        st.ready
    }
}

/// Guest memory size of a fixture.
pub(crate) const MEM_SIZE: usize = 64 * 1024;
/// The preopened root, "/".
pub(crate) const ROOT: u32 = 3;
/// The preopened `sub`, "/data".
pub(crate) const DATA: u32 = 4;
/// Where [`Fixture::path`] puts paths.
pub(crate) const PATH: u32 = 0x100;
/// Where the single-result functions write their result in the tests.
pub(crate) const OUT: u32 = 0x40;

/// A [`WasiCtx`] over a [`FakeSys`] and a zeroed guest memory.
pub(crate) struct Fixture {
    pub ctx: WasiCtx,
    pub state: Arc<Mutex<State>>,
    pub mem: Vec<u8>,
}

impl Fixture {
    /// Standard output and error captured, no standard input, two preopens.
    pub(crate) fn new() -> Fixture {
        Fixture::with(|b| b)
    }

    /// Like [`Fixture::new`], with the builder adjusted by `f`.
    pub(crate) fn with(f: impl FnOnce(WasiCtxBuilder) -> WasiCtxBuilder) -> Fixture {
        let state = Arc::new(Mutex::new(State::new()));
        let builder = WasiCtx::builder(FakeSys(state.clone()))
            .capture_stdout()
            .capture_stderr()
            .preopened_dir(".", "/")
            .preopened_dir("sub", "/data");
        let ctx = f(builder).build().expect("a fixture context builds");
        Fixture {
            ctx,
            state,
            mem: vec![0; MEM_SIZE],
        }
    }

    /// Runs `f` on the context and the guest memory.
    pub(crate) fn call<R>(&mut self, f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> R) -> R {
        let mut mem = GuestMemory(&mut self.mem);
        f(&mut self.ctx, &mut mem)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn put(&mut self, ptr: u32, bytes: &[u8]) {
        let at = ptr as usize;
        self.mem[at..at + bytes.len()].copy_from_slice(bytes);
    }

    pub(crate) fn get(&self, ptr: u32, len: usize) -> &[u8] {
        &self.mem[ptr as usize..ptr as usize + len]
    }

    pub(crate) fn put_u32(&mut self, ptr: u32, v: u32) {
        self.put(ptr, &v.to_le_bytes());
    }

    pub(crate) fn put_u64(&mut self, ptr: u32, v: u64) {
        self.put(ptr, &v.to_le_bytes());
    }

    pub(crate) fn u16_at(&self, ptr: u32) -> u16 {
        u16::from_le_bytes(self.get(ptr, 2).try_into().unwrap())
    }

    pub(crate) fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.get(ptr, 4).try_into().unwrap())
    }

    pub(crate) fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.get(ptr, 8).try_into().unwrap())
    }

    /// Writes an iovec array of `bufs` at `at`.
    pub(crate) fn iovecs(&mut self, at: u32, bufs: &[(u32, u32)]) {
        for (i, (ptr, len)) in bufs.iter().enumerate() {
            let i = i as u32;
            self.put_u32(at + 8 * i, *ptr);
            self.put_u32(at + 8 * i + 4, *len);
        }
    }

    /// Writes `path` at [`PATH`]; returns its pointer and length.
    pub(crate) fn path(&mut self, path: &str) -> (u32, u32) {
        self.put(PATH, path.as_bytes());
        (PATH, path.len() as u32)
    }

    /// `path_open` relative to `dir`; the new descriptor.
    pub(crate) fn open(
        &mut self,
        dir: u32,
        path: &str,
        oflags: u32,
        rights: u64,
        fdflags: u32,
    ) -> Result<u32, Errno> {
        let (p, len) = self.path(path);
        self.call(|ctx, mem| {
            ctx.path_open(mem, dir, 1, p, len, oflags, rights, rights, fdflags, OUT)
        })?;
        Ok(self.u32_at(OUT))
    }

    /// `(atim, mtim)` of inode `ino`.
    pub(crate) fn times(&self, ino: usize) -> (u64, u64) {
        let st = self.state();
        (st.inodes[ino].atim, st.inodes[ino].mtim)
    }

    /// Every handle the fake has open.
    pub(crate) fn open_handles(&self) -> usize {
        self.state().handles.len()
    }
}
