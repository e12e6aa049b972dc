//! Tests of the hosted implementation on real temporary directories.
//!
//! Each test gets `<tmp>/kestrel-hosted-<pid>-<n>-<name>/` with `inside/`
//! (preopened: the sandbox) and `outside/` (a sibling holding canary files
//! that no escape may read, change, create or remove), deleted afterwards.

use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::sync::atomic::{AtomicU32, Ordering};
use std::vec::Vec;
use std::{format, fs, io};

use super::*;
use crate::types::{Filetype, fdflags};

const CANARY: &[u8] = b"outside: must never change";

struct Sandbox {
    root: PathBuf,
    sys: HostSys,
    /// The preopened `inside/`.
    dir: HostFd,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("kestrel-hosted-{}-{n}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("inside")).unwrap();
        fs::create_dir_all(root.join("outside/dir")).unwrap();
        fs::write(root.join("outside/canary"), CANARY).unwrap();
        fs::write(root.join("outside/dir/canary"), CANARY).unwrap();
        let mut sys = HostSys::new();
        let dir = sys
            .open_preopen(root.join("inside").to_str().unwrap())
            .unwrap();
        Sandbox { root, sys, dir }
    }

    fn inside(&self, path: &str) -> PathBuf {
        self.root.join("inside").join(path)
    }

    fn outside(&self, path: &str) -> PathBuf {
        self.root.join("outside").join(path)
    }

    /// A file with `data` inside the sandbox, written by the host.
    fn put(&self, path: &str, data: &[u8]) {
        fs::write(self.inside(path), data).unwrap();
    }

    fn open(&mut self, path: &str, options: OpenOptions) -> Result<HostFd, Errno> {
        self.sys.open_at(self.dir, path, &options)
    }

    /// Opens and closes at once.
    fn open_close(&mut self, path: &str, options: OpenOptions) -> Result<(), Errno> {
        let fd = self.open(path, options)?;
        self.sys.close(fd)
    }

    fn read_all(&mut self, fd: HostFd) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = self.sys.read(fd, &mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    fn list(&mut self, fd: HostFd, cookie: u64) -> Vec<DirEntry> {
        let mut entries = Vec::new();
        self.sys
            .read_dir(fd, cookie, &mut |e| {
                entries.push(e);
                true
            })
            .unwrap();
        entries
    }

    /// Everything under `outside/`, with contents, to compare before and
    /// after an escape attempt.
    fn outside_snapshot(&self) -> Vec<(String, Vec<u8>, u64)> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>, u64)>) {
            let mut names: Vec<_> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            for name in names {
                let path = dir.join(&name);
                let rel = format!("{prefix}{}", name.to_str().unwrap());
                let meta = fs::symlink_metadata(&path).unwrap();
                let mtime = meta
                    .modified()
                    .unwrap()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                if meta.is_dir() {
                    out.push((format!("{rel}/"), Vec::new(), 0));
                    walk(&path, &format!("{rel}/"), out);
                } else {
                    let data = fs::read(&path).unwrap_or_default();
                    out.push((rel, data, mtime.as_nanos() as u64));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.join("outside"), "", &mut out);
        out
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn read() -> OpenOptions {
    OpenOptions {
        read: true,
        follow: true,
        ..OpenOptions::default()
    }
}

fn read_write() -> OpenOptions {
    OpenOptions {
        write: true,
        ..read()
    }
}

fn create() -> OpenOptions {
    OpenOptions {
        create: true,
        ..read_write()
    }
}

fn directory() -> OpenOptions {
    OpenOptions {
        directory: true,
        ..read()
    }
}

fn nofollow(options: OpenOptions) -> OpenOptions {
    OpenOptions {
        follow: false,
        ..options
    }
}

fn names(entries: &[DirEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

// ---------------------------------------------------------------- files

#[test]
fn open_create_exclusive_truncate() {
    let mut sb = Sandbox::new("open");
    assert_eq!(sb.open("missing", read()), Err(Errno::Noent));

    let fd = sb.open("new", create()).unwrap();
    assert_eq!(sb.sys.write(fd, b"hello world"), Ok(11));
    sb.sys.close(fd).unwrap();
    assert_eq!(fs::read(sb.inside("new")).unwrap(), b"hello world");

    let exclusive = OpenOptions {
        exclusive: true,
        ..create()
    };
    assert_eq!(sb.open("new", exclusive), Err(Errno::Exist));
    let fd = sb.open("fresh", exclusive).unwrap();
    sb.sys.close(fd).unwrap();
    assert!(sb.inside("fresh").is_file());

    // Creating without asking for write access still works (POSIX allows
    // O_CREAT | O_RDONLY).
    let fd = sb
        .open(
            "readonly-create",
            OpenOptions {
                create: true,
                ..read()
            },
        )
        .unwrap();
    sb.sys.close(fd).unwrap();
    assert!(sb.inside("readonly-create").is_file());

    // Opening without create keeps the contents; truncate empties.
    let fd = sb.open("new", read()).unwrap();
    assert_eq!(sb.read_all(fd), b"hello world");
    sb.sys.close(fd).unwrap();
    let truncate = OpenOptions {
        truncate: true,
        ..read_write()
    };
    let fd = sb.open("new", truncate).unwrap();
    assert_eq!(sb.sys.filestat(fd).unwrap().size, 0);
    sb.sys.close(fd).unwrap();
    assert_eq!(fs::read(sb.inside("new")).unwrap(), b"");
}

#[test]
fn append_mode_at_open_and_through_fdflags() {
    let mut sb = Sandbox::new("append");
    sb.put("log", b"one\n");
    let append = OpenOptions {
        fdflags: fdflags::APPEND,
        ..read_write()
    };
    let fd = sb.open("log", append).unwrap();
    // Even after seeking to the start, writes go to the end.
    assert_eq!(sb.sys.seek(fd, 0, Whence::Set), Ok(0));
    sb.sys.write(fd, b"two\n").unwrap();
    assert_eq!(fs::read(sb.inside("log")).unwrap(), b"one\ntwo\n");

    // Turning APPEND off: writes go to the position again (the position
    // is kept across the reopen).
    assert_eq!(sb.sys.seek(fd, 4, Whence::Set), Ok(4));
    sb.sys.set_fdflags(fd, 0).unwrap();
    assert_eq!(sb.sys.seek(fd, 0, Whence::Cur), Ok(4));
    sb.sys.write(fd, b"TWO\n").unwrap();
    assert_eq!(fs::read(sb.inside("log")).unwrap(), b"one\nTWO\n");

    // Turning it on again: to the end.
    sb.sys
        .set_fdflags(fd, fdflags::APPEND | fdflags::NONBLOCK)
        .unwrap();
    sb.sys.seek(fd, 0, Whence::Set).unwrap();
    sb.sys.write(fd, b"three\n").unwrap();
    assert_eq!(fs::read(sb.inside("log")).unwrap(), b"one\nTWO\nthree\n");

    // The *SYNC flags cannot change after open; unknown bits are invalid.
    assert_eq!(sb.sys.set_fdflags(fd, fdflags::SYNC), Err(Errno::Inval));
    assert_eq!(sb.sys.set_fdflags(fd, 1 << 9), Err(Errno::Inval));
    sb.sys.close(fd).unwrap();

    // APPEND with TRUNC empties first, then appends.
    let fd = sb
        .open(
            "log",
            OpenOptions {
                truncate: true,
                ..append
            },
        )
        .unwrap();
    sb.sys.write(fd, b"a").unwrap();
    sb.sys.seek(fd, 0, Whence::Set).unwrap();
    sb.sys.write(fd, b"b").unwrap();
    sb.sys.close(fd).unwrap();
    assert_eq!(fs::read(sb.inside("log")).unwrap(), b"ab");

    // A file opened with SYNC keeps it; re-setting the same flags is fine.
    let fd = sb
        .open(
            "log",
            OpenOptions {
                fdflags: fdflags::SYNC,
                ..read_write()
            },
        )
        .unwrap();
    sb.sys
        .set_fdflags(fd, fdflags::SYNC | fdflags::NONBLOCK)
        .unwrap();
    assert_eq!(sb.sys.set_fdflags(fd, 0), Err(Errno::Inval));
    // Directories have no fdflags to set.
    assert_eq!(sb.sys.set_fdflags(sb.dir, 0), Err(Errno::Badf));
}

#[test]
fn read_write_pread_pwrite_seek() {
    let mut sb = Sandbox::new("rw");
    let fd = sb.open("f", create()).unwrap();
    assert_eq!(sb.sys.write(fd, b"0123456789"), Ok(10));
    assert_eq!(sb.sys.seek(fd, 2, Whence::Set), Ok(2));
    let mut buf = [0u8; 3];
    assert_eq!(sb.sys.read(fd, &mut buf), Ok(3));
    assert_eq!(&buf, b"234");

    // pread and pwrite leave the position alone.
    assert_eq!(sb.sys.pread(fd, &mut buf, 7), Ok(3));
    assert_eq!(&buf, b"789");
    assert_eq!(sb.sys.pwrite(fd, b"XY", 8), Ok(2));
    assert_eq!(sb.sys.seek(fd, 0, Whence::Cur), Ok(5));
    assert_eq!(sb.sys.read(fd, &mut buf), Ok(3));
    assert_eq!(&buf, b"567");
    assert_eq!(sb.sys.pread(fd, &mut buf, 100), Ok(0));

    assert_eq!(sb.sys.seek(fd, -1, Whence::End), Ok(9));
    assert_eq!(sb.sys.read(fd, &mut buf), Ok(1));
    assert_eq!(buf[0], b'Y');
    assert_eq!(sb.sys.seek(fd, -1, Whence::Set), Err(Errno::Inval));
    assert_eq!(sb.sys.seek(fd, -100, Whence::Cur), Err(Errno::Inval));
    // Past the end is allowed; a write there leaves a hole.
    assert_eq!(sb.sys.seek(fd, 12, Whence::Set), Ok(12));
    sb.sys.write(fd, b"!").unwrap();
    assert_eq!(fs::read(sb.inside("f")).unwrap(), b"01234567XY\0\0!");

    // poll_ready: bytes left to read from the position.
    sb.sys.seek(fd, 3, Whence::Set).unwrap();
    assert_eq!(sb.sys.poll_ready(fd, false), Ok(10));
    assert_eq!(sb.sys.poll_ready(fd, true), Ok(0));

    sb.sys.sync(fd).unwrap();
    sb.sys.datasync(fd).unwrap();
    sb.sys.sync(sb.dir).unwrap();
    sb.sys.advise(fd, 0, 10, Advice::Sequential).unwrap();
    sb.sys.close(fd).unwrap();

    // A read-only handle cannot write: the host says EBADF.
    let fd = sb.open("f", read()).unwrap();
    assert_eq!(sb.sys.write(fd, b"no"), Err(Errno::Badf));
    // File operations on a directory.
    assert_eq!(sb.sys.read(sb.dir, &mut buf), Err(Errno::Isdir));
    assert_eq!(sb.sys.write(sb.dir, b"x"), Err(Errno::Badf));
    assert_eq!(sb.sys.seek(sb.dir, 0, Whence::Set), Err(Errno::Badf));
    assert_eq!(sb.sys.poll_ready(sb.dir, false), Err(Errno::Badf));
}

#[test]
fn sizes_allocate_and_filestat() {
    let mut sb = Sandbox::new("stat");
    let fd = sb.open("f", create()).unwrap();
    sb.sys.write(fd, b"abc").unwrap();
    sb.sys.set_size(fd, 10).unwrap();
    assert_eq!(sb.sys.filestat(fd).unwrap().size, 10);
    sb.sys.set_size(fd, 2).unwrap();
    assert_eq!(fs::read(sb.inside("f")).unwrap(), b"ab");

    // allocate only grows.
    sb.sys.allocate(fd, 5, 15).unwrap();
    assert_eq!(sb.sys.filestat(fd).unwrap().size, 20);
    sb.sys.allocate(fd, 0, 4).unwrap();
    assert_eq!(sb.sys.filestat(fd).unwrap().size, 20);
    assert_eq!(sb.sys.allocate(fd, 0, 0), Err(Errno::Inval));
    assert_eq!(sb.sys.allocate(fd, u64::MAX, 2), Err(Errno::Fbig));

    let stat = sb.sys.filestat(fd).unwrap();
    assert_eq!(stat.filetype, Filetype::RegularFile);
    assert_eq!(stat.nlink, 1);
    assert_ne!(stat.ino, 0);
    assert_eq!(sb.sys.path_filestat(sb.dir, "f", true), Ok(stat));
    let host = fs::metadata(sb.inside("f")).unwrap();
    let mtime = host
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    assert_eq!(stat.mtim, mtime.as_nanos() as u64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!((stat.dev, stat.ino), (host.dev(), host.ino()));
    }

    let dir = sb.sys.filestat(sb.dir).unwrap();
    assert_eq!(dir.filetype, Filetype::Directory);
    assert_eq!(
        sb.sys.path_filestat(sb.dir, ".", true).unwrap().ino,
        dir.ino
    );
    assert_eq!(
        sb.sys.path_filestat(sb.dir, "missing", true),
        Err(Errno::Noent)
    );
}

#[test]
fn set_times_on_handles_and_paths() {
    let mut sb = Sandbox::new("times");
    let fd = sb.open("f", create()).unwrap();
    let t1 = 1_000_000_000_123_456_789;
    let t2 = 1_100_000_000_000_000_007;
    sb.sys
        .set_times(fd, SetTime::At(t1), SetTime::At(t2))
        .unwrap();
    let stat = sb.sys.filestat(fd).unwrap();
    assert_eq!((stat.atim, stat.mtim), (t1, t2));

    // Keep leaves one alone; Now is the wall clock.
    sb.sys.set_times(fd, SetTime::Keep, SetTime::Now).unwrap();
    let stat = sb.sys.filestat(fd).unwrap();
    assert_eq!(stat.atim, t1);
    let now = sb.sys.clock_time(ClockId::Realtime, 0).unwrap();
    assert!(
        stat.mtim.abs_diff(now) < 60_000_000_000,
        "{} vs {now}",
        stat.mtim
    );

    sb.sys
        .path_set_times(sb.dir, "f", true, SetTime::At(t2), SetTime::At(t1))
        .unwrap();
    let stat = sb.sys.filestat(fd).unwrap();
    assert_eq!((stat.atim, stat.mtim), (t2, t1));

    sb.sys
        .set_times(sb.dir, SetTime::Keep, SetTime::At(t1))
        .unwrap();
    assert_eq!(sb.sys.filestat(sb.dir).unwrap().mtim, t1);
    assert_eq!(
        sb.sys
            .path_set_times(sb.dir, "missing", true, SetTime::Now, SetTime::Now),
        Err(Errno::Noent)
    );
}

#[cfg(unix)]
#[test]
fn symlink_times_without_following() {
    let mut sb = Sandbox::new("symtimes");
    sb.put("target", b"t");
    sb.sys.symlink("target", sb.dir, "link").unwrap();
    let before = sb.sys.path_filestat(sb.dir, "target", false).unwrap();
    sb.sys
        .path_set_times(
            sb.dir,
            "link",
            false,
            SetTime::Keep,
            SetTime::At(1_000_000_000),
        )
        .unwrap();
    let link = sb.sys.path_filestat(sb.dir, "link", false).unwrap();
    assert_eq!(link.filetype, Filetype::SymbolicLink);
    assert_eq!(link.mtim, 1_000_000_000);
    assert_eq!(
        sb.sys.path_filestat(sb.dir, "target", false).unwrap().mtim,
        before.mtim
    );
}

// ---------------------------------------------------------- directories

#[test]
fn read_dir_order_cookies_and_dots() {
    let mut sb = Sandbox::new("readdir");
    for name in ["b", "a", "c"] {
        sb.put(name, b"");
    }
    fs::create_dir(sb.inside("d")).unwrap();
    fs::write(sb.inside("d/inner"), b"").unwrap();

    let all = sb.list(sb.dir, 0);
    assert_eq!(names(&all), [".", "..", "a", "b", "c", "d"]);
    let nexts: Vec<u64> = all.iter().map(|e| e.next).collect();
    assert_eq!(nexts, [1, 2, 3, 4, 5, 6]);
    assert_eq!(all[0].filetype, Filetype::Directory);
    assert_eq!(all[1].filetype, Filetype::Directory);
    assert_eq!(all[2].filetype, Filetype::RegularFile);
    assert_eq!(all[5].filetype, Filetype::Directory);
    let root_ino = sb.sys.filestat(sb.dir).unwrap().ino;
    assert_eq!(all[0].ino, root_ino);
    // `..` of the preopen is outside the sandbox.
    assert_eq!(all[1].ino, 0);
    assert_eq!(
        all[2].ino,
        sb.sys.path_filestat(sb.dir, "a", false).unwrap().ino
    );

    // Starting from a cookie resumes there; past the end there is nothing.
    assert_eq!(names(&sb.list(sb.dir, 3)), ["b", "c", "d"]);
    assert_eq!(names(&sb.list(sb.dir, 6)), Vec::<&str>::new());
    assert_eq!(names(&sb.list(sb.dir, u64::MAX)), Vec::<&str>::new());

    // The callback's `false` stops the listing.
    let mut seen = Vec::new();
    sb.sys
        .read_dir(sb.dir, 1, &mut |e| {
            seen.push(e.name);
            seen.len() < 2
        })
        .unwrap();
    assert_eq!(seen, ["..", "a"]);

    // Paging keeps the listing taken at cookie 0; a new listing sees changes.
    assert_eq!(names(&sb.list(sb.dir, 0))[..3], [".", "..", "a"]);
    sb.put("aa", b"");
    assert_eq!(names(&sb.list(sb.dir, 3)), ["b", "c", "d"]);
    assert_eq!(
        names(&sb.list(sb.dir, 0)),
        [".", "..", "a", "aa", "b", "c", "d"]
    );

    // A subdirectory's `..` is the preopen.
    let sub = sb.open("d", directory()).unwrap();
    let entries = sb.list(sub, 0);
    assert_eq!(names(&entries), [".", "..", "inner"]);
    assert_eq!(entries[1].ino, root_ino);
    assert_eq!(
        entries[0].ino,
        sb.sys.path_filestat(sb.dir, "d", true).unwrap().ino
    );

    // read_dir on a file.
    let fd = sb.open("a", read()).unwrap();
    assert_eq!(sb.sys.read_dir(fd, 0, &mut |_| true), Err(Errno::Notdir));
}

#[test]
fn opening_directories() {
    let mut sb = Sandbox::new("dirs");
    fs::create_dir(sb.inside("d")).unwrap();
    fs::write(sb.inside("d/x"), b"").unwrap();
    sb.put("file", b"data");

    // Without DIRECTORY, read-only: a directory handle all the same.
    let fd = sb.open("d", read()).unwrap();
    assert_eq!(sb.sys.filestat(fd).unwrap().filetype, Filetype::Directory);
    assert_eq!(names(&sb.list(fd, 2)), ["x"]);
    let x = sb.sys.open_at(fd, "x", &read()).unwrap();
    sb.sys.close(x).unwrap();
    // Trailing slashes name the directory too.
    sb.open_close("d/", read()).unwrap();
    sb.open_close("d//", directory()).unwrap();
    sb.open_close(".", directory()).unwrap();

    // Writing a directory, or DIRECTORY with a file.
    assert_eq!(sb.open("d", read_write()), Err(Errno::Isdir));
    assert_eq!(
        sb.open(
            "d",
            OpenOptions {
                write: true,
                ..directory()
            }
        ),
        Err(Errno::Isdir)
    );
    assert_eq!(sb.open("file", directory()), Err(Errno::Notdir));
    assert_eq!(sb.open("missing", directory()), Err(Errno::Noent));
    let create_dir = OpenOptions {
        create: true,
        ..directory()
    };
    assert_eq!(sb.open("newdir", create_dir), Err(Errno::Inval));
    assert!(!sb.inside("newdir").exists());

    // A trailing slash on a regular file.
    assert_eq!(sb.open("file/", read()), Err(Errno::Notdir));
    assert_eq!(sb.open("file/.", read()), Err(Errno::Notdir));
    assert_eq!(sb.open("file//", read()), Err(Errno::Notdir));
    // With O_CREAT Linux says EISDIR (a trailing slash asks for a
    // directory); cap-std, resolving paths itself where `openat2` is
    // missing, says EINVAL.
    for path in ["file/", "nofile/"] {
        let result = sb.open(path, create());
        assert!(
            matches!(result, Err(Errno::Isdir | Errno::Inval)),
            "{path}: {result:?}"
        );
    }
    assert_eq!(fs::read(sb.inside("file")).unwrap(), b"data");
    assert!(!sb.inside("nofile").exists());

    // Paths from a file handle.
    let f = sb.open("file", read()).unwrap();
    assert_eq!(sb.sys.open_at(f, "x", &read()), Err(Errno::Notdir));
    assert_eq!(sb.sys.create_dir(f, "x"), Err(Errno::Notdir));
    assert_eq!(sb.sys.read_dir(f, 0, &mut |_| true), Err(Errno::Notdir));
    // `..` inside the sandbox is fine.
    let fd = sb.open("d/../d/./x", read()).unwrap();
    sb.sys.close(fd).unwrap();
    assert_eq!(sb.open("", read()), Err(Errno::Noent));
}

#[cfg(unix)]
#[test]
fn following_symlinks_or_not() {
    let mut sb = Sandbox::new("follow");
    sb.put("target", b"via link");
    fs::create_dir(sb.inside("tdir")).unwrap();
    sb.sys.symlink("target", sb.dir, "link").unwrap();
    sb.sys.symlink("tdir", sb.dir, "dlink").unwrap();
    sb.sys.symlink("nowhere", sb.dir, "dangling").unwrap();

    let fd = sb.open("link", read()).unwrap();
    assert_eq!(sb.read_all(fd), b"via link");
    assert_eq!(sb.open("link", nofollow(read())), Err(Errno::Loop));
    assert_eq!(sb.open("link", nofollow(create())), Err(Errno::Loop));
    let result = sb.open("dlink", nofollow(directory()));
    assert!(
        matches!(result, Err(Errno::Loop | Errno::Notdir)),
        "{result:?}"
    );
    sb.open_close("dlink", directory()).unwrap();
    assert_eq!(sb.open("link", directory()), Err(Errno::Notdir));
    // A dangling link: following creates its target inside the sandbox.
    assert_eq!(sb.open("dangling", read()), Err(Errno::Noent));
    sb.open_close("dangling", create()).unwrap();
    assert!(sb.inside("nowhere").is_file());

    assert_eq!(
        sb.sys
            .path_filestat(sb.dir, "link", false)
            .unwrap()
            .filetype,
        Filetype::SymbolicLink
    );
    assert_eq!(
        sb.sys.path_filestat(sb.dir, "link", true).unwrap().filetype,
        Filetype::RegularFile
    );
    assert_eq!(sb.sys.readlink(sb.dir, "link").as_deref(), Ok("target"));
    assert_eq!(sb.sys.readlink(sb.dir, "target"), Err(Errno::Inval));

    // Listing shows the link itself.
    let entries = sb.list(sb.dir, 0);
    let link = entries.iter().find(|e| e.name == "link").unwrap();
    assert_eq!(link.filetype, Filetype::SymbolicLink);

    // Loops.
    sb.sys.symlink("loop2", sb.dir, "loop1").unwrap();
    sb.sys.symlink("loop1", sb.dir, "loop2").unwrap();
    sb.sys.symlink("self", sb.dir, "self").unwrap();
    assert_eq!(sb.open("loop1", read()), Err(Errno::Loop));
    assert_eq!(sb.open("self", read()), Err(Errno::Loop));
    assert_eq!(sb.open("self/x", read()), Err(Errno::Loop));
    assert_eq!(
        sb.sys.path_filestat(sb.dir, "loop1", true),
        Err(Errno::Loop)
    );
    assert_eq!(
        sb.sys
            .path_filestat(sb.dir, "loop1", false)
            .unwrap()
            .filetype,
        Filetype::SymbolicLink
    );
}

#[test]
fn path_operations() {
    let mut sb = Sandbox::new("paths");
    sb.sys.create_dir(sb.dir, "d").unwrap();
    assert_eq!(sb.sys.create_dir(sb.dir, "d"), Err(Errno::Exist));
    assert_eq!(sb.sys.create_dir(sb.dir, "no/such"), Err(Errno::Noent));
    sb.put("d/f", b"x");
    assert_eq!(sb.sys.remove_dir(sb.dir, "d"), Err(Errno::Notempty));
    assert_eq!(sb.sys.remove_dir(sb.dir, "d/f"), Err(Errno::Notdir));
    assert_eq!(sb.sys.unlink_file(sb.dir, "d"), Err(Errno::Isdir));
    assert_eq!(sb.sys.unlink_file(sb.dir, "d/"), Err(Errno::Isdir));
    assert_eq!(sb.sys.unlink_file(sb.dir, "d/f/"), Err(Errno::Notdir));
    assert_eq!(sb.sys.unlink_file(sb.dir, "missing"), Err(Errno::Noent));

    sb.sys.rename(sb.dir, "d/f", sb.dir, "g").unwrap();
    assert_eq!(fs::read(sb.inside("g")).unwrap(), b"x");
    let d = sb.open("d", directory()).unwrap();
    sb.sys.rename(sb.dir, "g", d, "h").unwrap();
    assert!(sb.inside("d/h").is_file());
    assert_eq!(
        sb.sys.rename(sb.dir, "missing", sb.dir, "x"),
        Err(Errno::Noent)
    );

    sb.sys.link(d, "h", false, sb.dir, "hard").unwrap();
    assert_eq!(
        sb.sys.path_filestat(sb.dir, "hard", false).unwrap().nlink,
        2
    );
    assert_eq!(
        sb.sys.link(d, "h", false, sb.dir, "hard"),
        Err(Errno::Exist)
    );
    assert_eq!(
        sb.sys.link(d, "h", true, sb.dir, "hard2"),
        Err(Errno::Inval)
    );

    sb.sys.unlink_file(sb.dir, "hard").unwrap();
    sb.sys.unlink_file(d, "h").unwrap();
    sb.sys.close(d).unwrap();
    sb.sys.remove_dir(sb.dir, "d").unwrap();
    assert!(!sb.inside("d").exists());
}

/// Trailing slashes on the path operations, as wasmtime's preview1 tests
/// expect them on Linux.
#[cfg(unix)]
#[test]
fn trailing_slashes() {
    let mut sb = Sandbox::new("slashes");
    sb.put("file", b"");
    sb.sys.create_dir(sb.dir, "dir").unwrap();
    let s = &mut sb.sys;
    let d = sb.dir;
    assert_eq!(s.symlink("source", d, "target/"), Err(Errno::Noent));
    assert_eq!(s.symlink("source", d, "dir/"), Err(Errno::Exist));
    assert_eq!(s.symlink("source", d, "file/"), Err(Errno::Notdir));
    assert_eq!(s.symlink("source", d, "file"), Err(Errno::Exist));
    assert_eq!(s.link(d, "file", false, d, "link/"), Err(Errno::Noent));
    assert_eq!(s.link(d, "file", false, d, "file"), Err(Errno::Exist));
    assert_eq!(s.link(d, "dir", false, d, "dirlink"), Err(Errno::Perm));
    assert_eq!(s.rename(d, "file/", d, "other"), Err(Errno::Notdir));
    assert_eq!(s.rename(d, "file", d, "other/"), Err(Errno::Notdir));
    assert_eq!(s.rename(d, "file/", d, "other/"), Err(Errno::Notdir));
    s.rename(d, "dir/", d, "dir2").unwrap();
    s.rename(d, "dir2", d, "dir3/").unwrap();
    s.remove_dir(d, "dir3//").unwrap();
    assert!(!sb.inside("dir3").exists());
    let s = &mut sb.sys;
    assert_eq!(s.remove_dir(d, "file/"), Err(Errno::Notdir));
    assert_eq!(s.remove_dir(d, "missing/"), Err(Errno::Noent));
    s.create_dir(d, "target").unwrap();
    s.symlink("target", d, "dirlink").unwrap();
    assert_eq!(s.remove_dir(d, "dirlink/"), Err(Errno::Notdir));
    assert_eq!(s.remove_dir(d, "dirlink"), Err(Errno::Notdir));
    s.create_dir(d, "made/").unwrap();
    assert!(sb.inside("made").is_dir());
    let s = &mut sb.sys;
    assert_eq!(
        s.path_filestat(d, "made/", false).unwrap().filetype,
        Filetype::Directory
    );
    for path in ["file/", "file/.", "file//"] {
        assert_eq!(
            s.path_filestat(d, path, false),
            Err(Errno::Notdir),
            "{path}"
        );
        assert_eq!(s.path_filestat(d, path, true), Err(Errno::Notdir), "{path}");
    }
    // A trailing slash follows a symbolic link even without `follow`.
    s.symlink("made", d, "madelink").unwrap();
    let stat = s.path_filestat(d, "madelink/", false).unwrap();
    assert_eq!(stat.filetype, Filetype::Directory);
    assert_eq!(
        s.path_filestat(d, "madelink", false).unwrap().filetype,
        Filetype::SymbolicLink
    );
    assert!(sb.inside("file").is_file());
}

#[test]
fn handle_table() {
    let mut sb = Sandbox::new("handles");
    sb.put("f", b"");
    let a = sb.open("f", read()).unwrap();
    let b = sb.open("f", read()).unwrap();
    assert_ne!(a, b);
    sb.sys.close(a).unwrap();
    assert_eq!(sb.sys.close(a), Err(Errno::Badf));
    assert_eq!(sb.sys.read(a, &mut [0; 1]), Err(Errno::Badf));
    // The lowest free slot is reused.
    assert_eq!(sb.open("f", read()), Ok(a));
    assert_eq!(sb.sys.filestat(999), Err(Errno::Badf));
    assert_eq!(sb.sys.open_at(999, "f", &read()), Err(Errno::Badf));
    assert_eq!(sb.sys.advise(999, 0, 0, Advice::Normal), Err(Errno::Badf));
    assert!(format!("{:?}", sb.sys).contains("open: 3"));

    // WasiCtx::builder needs `Send + 'static`.
    fn sendable<T: WasiSys + Send + 'static>(_: &T) {}
    let mut sys = HostSys::default();
    sendable(&sys);
    assert_eq!(sys.open_preopen("/definitely/not/here"), Err(Errno::Noent));
    let file = sb.inside("f");
    assert_eq!(sys.open_preopen(file.to_str().unwrap()), Err(Errno::Notdir));
}

// ------------------------------------------------ clocks, random, stdio

#[test]
fn clocks_random_and_sleep() {
    let mut sys = HostSys::new();
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let t = sys.clock_time(ClockId::Realtime, 1).unwrap();
    assert!(t.abs_diff(wall) < 10_000_000_000);

    let m1 = sys.clock_time(ClockId::Monotonic, 1).unwrap();
    assert!(m1 >= clock::MONOTONIC_START_NS);
    sys.sleep(2_000_000).unwrap();
    let m2 = sys.clock_time(ClockId::Monotonic, 1).unwrap();
    assert!(m2 >= m1 + 2_000_000, "{m1} {m2}");

    assert_eq!(sys.clock_res(ClockId::Realtime), Ok(1));
    assert_eq!(sys.clock_res(ClockId::Monotonic), Ok(1));
    for clock in [ClockId::ProcessCputime, ClockId::ThreadCputime] {
        assert_eq!(sys.clock_time(clock, 0), Err(Errno::Inval));
        assert_eq!(sys.clock_res(clock), Err(Errno::Inval));
    }

    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    sys.random(&mut a).unwrap();
    sys.random(&mut b).unwrap();
    assert_ne!(a, b);
    sys.random(&mut []).unwrap();
    sys.sched_yield().unwrap();
}

#[test]
fn stdio_writes_report_their_length() {
    let mut sys = HostSys::new();
    assert_eq!(sys.write_stdout(b""), Ok(0));
    assert_eq!(sys.write_stderr(b""), Ok(0));
    assert_eq!(sys.read_stdin(&mut []), Ok(0));
}

#[test]
fn errno_mapping() {
    use errno::from_io;
    let escape = io::Error::new(
        io::ErrorKind::PermissionDenied,
        "a path led outside of the filesystem",
    );
    assert_eq!(from_io(&escape), Errno::Perm);
    assert_eq!(
        from_io(&io::Error::from(io::ErrorKind::NotFound)),
        Errno::Noent
    );
    assert_eq!(
        from_io(&io::Error::from(io::ErrorKind::InvalidInput)),
        Errno::Inval
    );
    assert_eq!(
        from_io(&io::Error::from(io::ErrorKind::IsADirectory)),
        Errno::Isdir
    );
    assert_eq!(from_io(&io::Error::other("?")), Errno::Io);
    #[cfg(target_os = "linux")]
    {
        let raw = |n| from_io(&io::Error::from_raw_os_error(n));
        // A real EACCES stays EACCES; EPERM stays EPERM.
        assert_eq!(raw(13), Errno::Acces);
        assert_eq!(raw(1), Errno::Perm);
        let table = [
            (2, Errno::Noent),
            (4, Errno::Intr),
            (5, Errno::Io),
            (6, Errno::Nxio),
            (7, Errno::TooBig),
            (9, Errno::Badf),
            (11, Errno::Again),
            (12, Errno::Nomem),
            (16, Errno::Busy),
            (17, Errno::Exist),
            (18, Errno::Xdev),
            (19, Errno::Nodev),
            (20, Errno::Notdir),
            (21, Errno::Isdir),
            (22, Errno::Inval),
            (23, Errno::Nfile),
            (24, Errno::Mfile),
            (25, Errno::Notty),
            (26, Errno::Txtbsy),
            (27, Errno::Fbig),
            (28, Errno::Nospc),
            (29, Errno::Spipe),
            (30, Errno::Rofs),
            (31, Errno::Mlink),
            (32, Errno::Pipe),
            (36, Errno::Nametoolong),
            (38, Errno::Nosys),
            (39, Errno::Notempty),
            (40, Errno::Loop),
            (75, Errno::Overflow),
            (84, Errno::Ilseq),
            (95, Errno::Notsup),
            (110, Errno::Timedout),
            (122, Errno::Dquot),
        ];
        for (code, errno) in table {
            assert_eq!(raw(code), errno, "errno {code}");
        }
        // A number with no WASI code falls back on its kind.
        assert_eq!(raw(15), Errno::Io);
    }
}

// ------------------------------------------------------ sandbox escapes

/// Runs `attempt`, checks that it failed with one of `expected` and that
/// nothing under `outside/` changed.
fn refused<T: core::fmt::Debug>(
    sb: &mut Sandbox,
    what: &str,
    expected: &[Errno],
    attempt: impl FnOnce(&mut Sandbox) -> Result<T, Errno>,
) {
    let before = sb.outside_snapshot();
    let result = attempt(sb);
    assert!(
        matches!(&result, Err(e) if expected.contains(e)),
        "{what}: expected {expected:?}, got {result:?}"
    );
    assert_eq!(sb.outside_snapshot(), before, "{what}: changed the outside");
    assert_eq!(fs::read(sb.outside("canary")).unwrap(), CANARY, "{what}");
}

const ESCAPE: Errno = SANDBOX_ESCAPE;

#[test]
fn escapes_through_dot_dot_and_absolute_paths() {
    let mut sb = Sandbox::new("escape-dots");
    sb.sys.create_dir(sb.dir, "a").unwrap();
    sb.put("file", b"inside");
    let canary = sb.outside("canary").to_str().unwrap().to_string();
    assert_eq!(ESCAPE, Errno::Perm);

    refused(&mut sb, "absolute /etc/passwd", &[ESCAPE], |sb| {
        sb.open("/etc/passwd", read())
    });
    refused(&mut sb, "absolute host path", &[ESCAPE], |sb| {
        sb.open(&canary, read_write())
    });
    refused(&mut sb, "absolute /", &[ESCAPE], |sb| {
        sb.open("/", directory())
    });
    refused(&mut sb, "..", &[ESCAPE], |sb| sb.open("..", directory()));
    refused(&mut sb, "../outside/canary", &[ESCAPE], |sb| {
        sb.open("../outside/canary", read())
    });
    refused(&mut sb, "truncate ../outside/canary", &[ESCAPE], |sb| {
        let truncate = OpenOptions {
            truncate: true,
            ..read_write()
        };
        sb.open("../outside/canary", truncate)
    });
    refused(&mut sb, "a/../../outside/canary", &[ESCAPE], |sb| {
        sb.open("a/../../outside/canary", read())
    });
    refused(&mut sb, "./..", &[ESCAPE], |sb| sb.open("./..", read()));
    refused(&mut sb, "a/../..", &[ESCAPE], |sb| {
        sb.open("a/../..", directory())
    });
    refused(&mut sb, "a/../../", &[ESCAPE], |sb| {
        sb.open("a/../../", read())
    });
    refused(&mut sb, "../outside/", &[ESCAPE], |sb| {
        sb.open("../outside/", directory())
    });
    refused(&mut sb, "create ../outside/new", &[ESCAPE], |sb| {
        sb.open("../outside/new", create())
    });
    refused(&mut sb, "many ..", &[ESCAPE], |sb| {
        let path = format!("{}etc/passwd", "../".repeat(64));
        sb.open(&path, read())
    });
    refused(&mut sb, "mkdir ../x", &[ESCAPE], |sb| {
        sb.sys.create_dir(sb.dir, "../newdir")
    });
    refused(&mut sb, "mkdir a/../../x", &[ESCAPE], |sb| {
        sb.sys.create_dir(sb.dir, "a/../../newdir")
    });
    refused(&mut sb, "rmdir ../outside/dir", &[ESCAPE], |sb| {
        sb.sys.remove_dir(sb.dir, "../outside/dir")
    });
    refused(&mut sb, "rmdir ..", &[ESCAPE], |sb| {
        sb.sys.remove_dir(sb.dir, "..")
    });
    refused(&mut sb, "rmdir ../outside/dir/", &[ESCAPE], |sb| {
        sb.sys.remove_dir(sb.dir, "../outside/dir/")
    });
    refused(&mut sb, "unlink ../outside/canary", &[ESCAPE], |sb| {
        sb.sys.unlink_file(sb.dir, "../outside/canary")
    });
    refused(&mut sb, "rename outside in", &[ESCAPE], |sb| {
        sb.sys.rename(sb.dir, "../outside/canary", sb.dir, "stolen")
    });
    refused(&mut sb, "rename inside out", &[ESCAPE], |sb| {
        sb.sys.rename(sb.dir, "file", sb.dir, "../outside/planted")
    });
    refused(&mut sb, "rename over the canary", &[ESCAPE], |sb| {
        sb.sys.rename(sb.dir, "file", sb.dir, "../outside/canary")
    });
    refused(&mut sb, "hard link to an outside file", &[ESCAPE], |sb| {
        sb.sys
            .link(sb.dir, "../outside/canary", false, sb.dir, "hardlink")
    });
    refused(&mut sb, "hard link placed outside", &[ESCAPE], |sb| {
        sb.sys
            .link(sb.dir, "file", false, sb.dir, "../outside/hardlink")
    });
    refused(&mut sb, "filestat ../outside/canary", &[ESCAPE], |sb| {
        sb.sys.path_filestat(sb.dir, "../outside/canary", false)
    });
    refused(&mut sb, "filestat ..", &[ESCAPE], |sb| {
        sb.sys.path_filestat(sb.dir, "..", true)
    });
    refused(&mut sb, "set_times ../outside/canary", &[ESCAPE], |sb| {
        sb.sys.path_set_times(
            sb.dir,
            "../outside/canary",
            true,
            SetTime::At(0),
            SetTime::At(0),
        )
    });
    refused(
        &mut sb,
        "set_times nofollow ../outside/canary",
        &[ESCAPE],
        |sb| {
            sb.sys.path_set_times(
                sb.dir,
                "../outside/canary",
                false,
                SetTime::Now,
                SetTime::Now,
            )
        },
    );
    refused(&mut sb, "readlink ..", &[ESCAPE], |sb| {
        sb.sys.readlink(sb.dir, "../outside/canary")
    });
    refused(&mut sb, "symlink placed outside", &[ESCAPE], |sb| {
        sb.sys.symlink("x", sb.dir, "../outside/link")
    });

    // A subdirectory handle is a sandbox of its own: `..` from it is out.
    let sub = sb.open("a", directory()).unwrap();
    refused(&mut sb, "subdirectory ../file", &[ESCAPE], |sb| {
        sb.sys.open_at(sub, "../file", &read())
    });
    assert!(!sb.inside("stolen").exists() && !sb.inside("hardlink").exists());
    assert!(!sb.root.join("newdir").exists());
}

#[test]
fn escapes_with_unusual_paths() {
    let mut sb = Sandbox::new("escape-paths");
    sb.put("file", b"inside");

    // Interior NUL bytes never reach the OS (and cannot truncate the path).
    refused(&mut sb, "NUL", &[Errno::Inval], |sb| {
        sb.open("file\0", read())
    });
    refused(&mut sb, "NUL then ..", &[Errno::Inval], |sb| {
        sb.open("file\0/../../outside/canary", read())
    });
    refused(&mut sb, "create with NUL", &[Errno::Inval], |sb| {
        sb.open("x\0../outside/canary", create())
    });

    // Trailing-slash tricks on a regular file.
    refused(&mut sb, "file/", &[Errno::Notdir], |sb| {
        sb.open("file/", read_write())
    });
    refused(&mut sb, "file/.", &[Errno::Notdir], |sb| {
        sb.open("file/.", read())
    });
    refused(&mut sb, "file/..", &[Errno::Notdir], |sb| {
        sb.open("file/..", read())
    });
    refused(
        &mut sb,
        "file/../../outside/canary",
        &[Errno::Notdir],
        |sb| sb.open("file/../../outside/canary", read()),
    );

    // Very long paths and names.
    // The kernel measures the whole path (`openat2`); cap-std's own
    // resolution, used where `openat2` is missing, walks it and stops at
    // the first missing component.
    refused(
        &mut sb,
        "long path",
        &[Errno::Nametoolong, Errno::Noent],
        |sb| {
            let path = "a/".repeat(3000);
            sb.open(&path, create())
        },
    );
    refused(&mut sb, "long name", &[Errno::Nametoolong], |sb| {
        let name = "n".repeat(300);
        sb.open(&name, create())
    });
    refused(&mut sb, "long path of ..", &[ESCAPE], |sb| {
        let path = format!("{}outside/canary", "../".repeat(1000));
        sb.open(&path, read())
    });
    assert_eq!(fs::read(sb.inside("file")).unwrap(), b"inside");
}

#[cfg(unix)]
#[test]
fn escapes_through_symlinks() {
    let mut sb = Sandbox::new("escape-links");
    sb.put("file", b"inside");
    sb.sys.create_dir(sb.dir, "a").unwrap();
    // Links a guest can make itself (relative targets are stored as they
    // are, and checked when followed)...
    sb.sys.symlink("../outside/canary", sb.dir, "out").unwrap();
    sb.sys.symlink("../outside", sb.dir, "outdir").unwrap();
    sb.sys.symlink("..", sb.dir, "up").unwrap();
    sb.sys.symlink("a/../..", sb.dir, "up2").unwrap();
    sb.sys
        .symlink("../outside/new", sb.dir, "dangling-out")
        .unwrap();
    sb.sys
        .symlink("up/outside/canary", sb.dir, "chain")
        .unwrap();
    // ...and ones it cannot: absolute targets, planted by someone else.
    std::os::unix::fs::symlink("/etc/passwd", sb.inside("passwd")).unwrap();
    std::os::unix::fs::symlink(sb.outside("canary"), sb.inside("abs-canary")).unwrap();
    std::os::unix::fs::symlink(sb.outside("dir"), sb.inside("abs-dir")).unwrap();

    refused(&mut sb, "symlink to ../outside/canary", &[ESCAPE], |sb| {
        sb.open("out", read())
    });
    refused(&mut sb, "write through symlink", &[ESCAPE], |sb| {
        let truncate = OpenOptions {
            truncate: true,
            ..read_write()
        };
        sb.open("out", truncate)
    });
    refused(&mut sb, "symlink to /etc/passwd", &[ESCAPE], |sb| {
        sb.open("passwd", read())
    });
    refused(&mut sb, "absolute symlink to the canary", &[ESCAPE], |sb| {
        sb.open("abs-canary", read_write())
    });
    refused(
        &mut sb,
        "absolute symlink to a directory",
        &[ESCAPE],
        |sb| sb.open("abs-dir/canary", read()),
    );
    refused(&mut sb, ".. through a directory symlink", &[ESCAPE], |sb| {
        sb.open("up/outside/canary", read())
    });
    refused(&mut sb, "symlink to a/../..", &[ESCAPE], |sb| {
        sb.open("up2/outside/canary", read())
    });
    refused(&mut sb, "chain of symlinks", &[ESCAPE], |sb| {
        sb.open("chain", read())
    });
    refused(
        &mut sb,
        "symlink to the outside directory",
        &[ESCAPE],
        |sb| sb.open("outdir", directory()),
    );
    refused(&mut sb, "file in a symlinked directory", &[ESCAPE], |sb| {
        sb.open("outdir/canary", read())
    });
    refused(
        &mut sb,
        "create through a dangling symlink",
        &[ESCAPE],
        |sb| sb.open("dangling-out", create()),
    );
    // O_CREAT | O_EXCL never follows a final symlink: EEXIST, as natively.
    refused(
        &mut sb,
        "exclusive create through a dangling symlink",
        &[Errno::Exist],
        |sb| {
            let exclusive = OpenOptions {
                exclusive: true,
                ..create()
            };
            sb.open("dangling-out", exclusive)
        },
    );
    refused(&mut sb, "mkdir in a symlinked directory", &[ESCAPE], |sb| {
        sb.sys.create_dir(sb.dir, "outdir/new")
    });
    refused(
        &mut sb,
        "unlink in a symlinked directory",
        &[ESCAPE],
        |sb| sb.sys.unlink_file(sb.dir, "outdir/canary"),
    );
    refused(&mut sb, "rmdir in a symlinked directory", &[ESCAPE], |sb| {
        sb.sys.remove_dir(sb.dir, "outdir/dir")
    });
    refused(
        &mut sb,
        "rename into a symlinked directory",
        &[ESCAPE],
        |sb| sb.sys.rename(sb.dir, "file", sb.dir, "outdir/planted"),
    );
    refused(
        &mut sb,
        "hard link through a symlinked directory",
        &[ESCAPE],
        |sb| {
            sb.sys
                .link(sb.dir, "outdir/canary", false, sb.dir, "stolen")
        },
    );
    refused(
        &mut sb,
        "symlink created in a symlinked directory",
        &[ESCAPE],
        |sb| sb.sys.symlink("x", sb.dir, "up/outside/link"),
    );
    refused(&mut sb, "filestat through a symlink", &[ESCAPE], |sb| {
        sb.sys.path_filestat(sb.dir, "out", true)
    });
    refused(&mut sb, "filestat of /etc/passwd", &[ESCAPE], |sb| {
        sb.sys.path_filestat(sb.dir, "passwd", true)
    });
    refused(&mut sb, "set_times through a symlink", &[ESCAPE], |sb| {
        sb.sys
            .path_set_times(sb.dir, "out", true, SetTime::At(0), SetTime::At(0))
    });
    refused(
        &mut sb,
        "readlink in a symlinked directory",
        &[ESCAPE],
        |sb| sb.sys.readlink(sb.dir, "outdir/x"),
    );
    // An absolute target would only ever lead out: not even its text is
    // handed over, and a guest cannot make one.
    refused(&mut sb, "readlink of an absolute link", &[ESCAPE], |sb| {
        sb.sys.readlink(sb.dir, "passwd")
    });
    refused(
        &mut sb,
        "symlink with an absolute target",
        &[ESCAPE],
        |sb| sb.sys.symlink("/etc/passwd", sb.dir, "abs"),
    );
    assert!(fs::symlink_metadata(sb.inside("abs")).is_err());

    // A hard link to a symlink (not followed) is allowed: it is one more
    // name for the link, which still cannot be followed out.
    sb.sys
        .link(sb.dir, "out", false, sb.dir, "out-hard")
        .unwrap();
    refused(
        &mut sb,
        "hard link to an escaping symlink",
        &[ESCAPE],
        |sb| sb.open("out-hard", read()),
    );
    // Not following: the link itself is what is stat'ed and timed.
    let before = sb.outside_snapshot();
    let stat = sb.sys.path_filestat(sb.dir, "out", false).unwrap();
    assert_eq!(stat.filetype, Filetype::SymbolicLink);
    sb.sys
        .path_set_times(sb.dir, "out", false, SetTime::At(0), SetTime::At(0))
        .unwrap();
    assert_eq!(
        sb.sys.readlink(sb.dir, "out").as_deref(),
        Ok("../outside/canary")
    );
    // Removing a link removes the link, never its target.
    sb.sys.unlink_file(sb.dir, "out").unwrap();
    sb.sys.unlink_file(sb.dir, "abs-canary").unwrap();
    sb.sys.unlink_file(sb.dir, "outdir").unwrap();
    assert_eq!(sb.outside_snapshot(), before);
    assert!(!sb.inside("stolen").exists());
}

#[test]
fn listing_never_shows_the_outside() {
    let mut sb = Sandbox::new("escape-list");
    let entries = sb.list(sb.dir, 0);
    assert_eq!(names(&entries), [".", ".."]);
    refused(&mut sb, "open .. to list it", &[ESCAPE], |sb| {
        sb.open("..", read())
    });
    let all: Vec<String> = entries.into_iter().map(|e| e.name).collect();
    assert!(
        !all.iter().any(|n| n == "outside" || n == "canary"),
        "{all:?}"
    );
}
