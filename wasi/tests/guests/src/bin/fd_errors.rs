//! EBADF from every function that takes a descriptor, for a closed one and
//! one never opened; ENOTCAPABLE from directory operations once
//! fd_fdstat_set_rights dropped their rights, and from path_open asking more
//! than a directory's inheriting rights.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

/// Calls every function that takes a descriptor with `fd` in its place;
/// `other` is an open file that must survive every call.
fn every_fd_call(fd: i32, other: i32) -> Vec<(&'static str, i32)> {
    let root = ROOT as i32;
    let mut buf = [0u8; 256];
    let mut out64 = 0u64;
    let mut out32 = 0u32;
    let mut out16 = 0u16;
    let mut stat = [0u8; 64];
    let iov = [mut_ptr(&mut buf[..]) as u32, 16u32];
    let p = |s: &str| (s.as_ptr() as i32, s.len() as i32);
    let (x, xl) = p("x");
    let (y, yl) = p("y");
    let (v, vl) = p("victim.txt");
    unsafe {
        vec![
            ("fd_advise", raw::fd_advise(fd, 0, 0, 0)),
            ("fd_allocate", raw::fd_allocate(fd, 0, 1)),
            ("fd_datasync", raw::fd_datasync(fd)),
            ("fd_fdstat_get", raw::fd_fdstat_get(fd, mut_ptr(&mut stat))),
            ("fd_fdstat_set_flags", raw::fd_fdstat_set_flags(fd, 0)),
            ("fd_fdstat_set_rights", raw::fd_fdstat_set_rights(fd, 0, 0)),
            (
                "fd_filestat_get",
                raw::fd_filestat_get(fd, mut_ptr(&mut stat)),
            ),
            ("fd_filestat_set_size", raw::fd_filestat_set_size(fd, 0)),
            (
                "fd_filestat_set_times",
                raw::fd_filestat_set_times(fd, 0, 0, 0),
            ),
            (
                "fd_pread",
                raw::fd_pread(fd, ptr(&iov), 1, 0, mut_ptr(&mut out32)),
            ),
            (
                "fd_prestat_get",
                raw::fd_prestat_get(fd, mut_ptr(&mut stat)),
            ),
            (
                "fd_prestat_dir_name",
                raw::fd_prestat_dir_name(fd, mut_ptr(&mut buf[..]), 16),
            ),
            (
                "fd_pwrite",
                raw::fd_pwrite(fd, ptr(&iov), 1, 0, mut_ptr(&mut out32)),
            ),
            (
                "fd_read",
                raw::fd_read(fd, ptr(&iov), 1, mut_ptr(&mut out32)),
            ),
            (
                "fd_readdir",
                raw::fd_readdir(fd, mut_ptr(&mut buf[..]), 256, 0, mut_ptr(&mut out32)),
            ),
            ("fd_renumber from", raw::fd_renumber(fd, other)),
            ("fd_renumber to", raw::fd_renumber(other, fd)),
            ("fd_seek", raw::fd_seek(fd, 0, 0, mut_ptr(&mut out64))),
            ("fd_sync", raw::fd_sync(fd)),
            ("fd_tell", raw::fd_tell(fd, mut_ptr(&mut out64))),
            (
                "fd_write",
                raw::fd_write(fd, ptr(&iov), 1, mut_ptr(&mut out32)),
            ),
            (
                "path_create_directory",
                raw::path_create_directory(fd, x, xl),
            ),
            (
                "path_filestat_get",
                raw::path_filestat_get(fd, 0, x, xl, mut_ptr(&mut stat)),
            ),
            (
                "path_filestat_set_times",
                raw::path_filestat_set_times(fd, 0, x, xl, 0, 0, 0),
            ),
            (
                "path_link source",
                raw::path_link(fd, 0, x, xl, root, y, yl),
            ),
            (
                "path_link target",
                raw::path_link(root, 0, v, vl, fd, y, yl),
            ),
            (
                "path_open",
                raw::path_open(fd, 0, x, xl, 0, 0, 0, 0, mut_ptr(&mut out32)),
            ),
            (
                "path_readlink",
                raw::path_readlink(fd, x, xl, mut_ptr(&mut buf[..]), 256, mut_ptr(&mut out32)),
            ),
            (
                "path_remove_directory",
                raw::path_remove_directory(fd, x, xl),
            ),
            (
                "path_rename source",
                raw::path_rename(fd, x, xl, root, y, yl),
            ),
            (
                "path_rename target",
                raw::path_rename(root, v, vl, fd, y, yl),
            ),
            ("path_symlink", raw::path_symlink(x, xl, fd, y, yl)),
            ("path_unlink_file", raw::path_unlink_file(fd, x, xl)),
            ("sock_accept", raw::sock_accept(fd, 0, mut_ptr(&mut out32))),
            (
                "sock_recv",
                raw::sock_recv(
                    fd,
                    ptr(&iov),
                    1,
                    0,
                    mut_ptr(&mut out32),
                    mut_ptr(&mut out16),
                ),
            ),
            (
                "sock_send",
                raw::sock_send(fd, ptr(&iov), 1, 0, mut_ptr(&mut out32)),
            ),
            ("sock_shutdown", raw::sock_shutdown(fd, 3)),
            ("fd_close", raw::fd_close(fd)),
        ]
    }
}

fn main() {
    let victim = open(ROOT, "victim.txt", 0).expect("open victim.txt") as i32;
    for (what, fd) in [("never opened fd 1234", 1234), ("fd -1", -1)] {
        let results = every_fd_call(fd, victim);
        let wrong: Vec<String> = results
            .iter()
            .filter(|(_, r)| *r as u16 != BADF)
            .map(|(name, r)| format!("{name}={}", errno_name(*r as u16)))
            .collect();
        println!(
            "{what}: {} calls, not EBADF: [{}]",
            results.len(),
            wrong.join(", ")
        );
        check(
            wrong.is_empty(),
            format_args!("{what}: every call is EBADF"),
        );
    }
    let closed = open(ROOT, "victim.txt", 0).expect("open victim.txt");
    expect(
        "close a second descriptor",
        unsafe { wasi::fd_close(closed) },
        SUCCESS,
    );
    let results = every_fd_call(closed as i32, victim);
    let wrong: Vec<String> = results
        .iter()
        .filter(|(_, r)| *r as u16 != BADF)
        .map(|(name, r)| format!("{name}={}", errno_name(*r as u16)))
        .collect();
    println!(
        "closed fd: {} calls, not EBADF: [{}]",
        results.len(),
        wrong.join(", ")
    );
    check(wrong.is_empty(), "closed fd: every call is EBADF");
    check_eq(
        "the other file survived",
        read(victim as u32, 100),
        Ok(b"victim\n".to_vec()),
    );
    println!("the other descriptor still reads victim.txt");

    dropped_dir_rights();
    inheriting_rights();
    finish();
}

/// Every directory operation on a directory whose rights were all dropped.
fn dropped_dir_rights() {
    let d = open_dir(ROOT, "sub").expect("open sub");
    let probe = unsafe { wasi::path_filestat_get(d, 0, "inner.txt") };
    expect(
        "path_filestat_get with all rights",
        probe.map(|_| ()),
        SUCCESS,
    );
    expect(
        "fd_fdstat_set_rights to nothing",
        unsafe { wasi::fd_fdstat_set_rights(d, 0, 0) },
        SUCCESS,
    );
    let mut buf = [0u8; 256];
    let r = [
        (
            "path_open",
            unsafe { wasi::path_open(d, 0, "inner.txt", 0, 0, 0, 0) }.code(),
        ),
        (
            "path_create_directory",
            unsafe { wasi::path_create_directory(d, "new") }.code(),
        ),
        (
            "path_remove_directory",
            unsafe { wasi::path_remove_directory(d, "deeper") }.code(),
        ),
        (
            "path_unlink_file",
            unsafe { wasi::path_unlink_file(d, "inner.txt") }.code(),
        ),
        (
            "path_filestat_get",
            unsafe { wasi::path_filestat_get(d, 0, "inner.txt") }.code(),
        ),
        (
            "path_filestat_set_times",
            unsafe { wasi::path_filestat_set_times(d, 0, "inner.txt", 0, 0, 0) }.code(),
        ),
        (
            "path_readlink",
            unsafe { wasi::path_readlink(d, "inner.txt", buf.as_mut_ptr(), 256) }.code(),
        ),
        (
            "path_symlink",
            unsafe { wasi::path_symlink("inner.txt", d, "sym") }.code(),
        ),
        (
            "path_rename source",
            unsafe { wasi::path_rename(d, "inner.txt", ROOT, "moved") }.code(),
        ),
        (
            "path_rename target",
            unsafe { wasi::path_rename(ROOT, "victim.txt", d, "moved") }.code(),
        ),
        (
            "path_link source",
            unsafe { wasi::path_link(d, 0, "inner.txt", ROOT, "linked") }.code(),
        ),
        (
            "path_link target",
            unsafe { wasi::path_link(ROOT, 0, "victim.txt", d, "linked") }.code(),
        ),
        (
            "fd_readdir",
            unsafe { wasi::fd_readdir(d, buf.as_mut_ptr(), 256, 0) }.code(),
        ),
        (
            "fd_filestat_get",
            unsafe { wasi::fd_filestat_get(d) }.code(),
        ),
        (
            "fd_filestat_set_times",
            unsafe { wasi::fd_filestat_set_times(d, 0, 0, wasi::FSTFLAGS_MTIM_NOW) }.code(),
        ),
    ];
    for (name, code) in r {
        expect(
            &format!("{name} on a directory without rights"),
            code,
            NOTCAPABLE,
        );
    }
    let r = unsafe { wasi::fd_fdstat_set_rights(d, wasi::RIGHTS_PATH_OPEN, 0) };
    expect("fd_fdstat_set_rights giving PATH_OPEN back", r, NOTCAPABLE);
    unsafe { wasi::fd_close(d) }.expect("close");
}

/// path_open cannot give a new descriptor more than the directory's
/// inheriting rights, nor create without PATH_CREATE_FILE.
fn inheriting_rights() {
    let base = wasi::RIGHTS_PATH_OPEN | wasi::RIGHTS_FD_READDIR;
    let d = unsafe {
        wasi::path_open(
            ROOT,
            0,
            "sub",
            wasi::OFLAGS_DIRECTORY,
            base,
            wasi::RIGHTS_FD_READ,
            0,
        )
    }
    .expect("open sub");
    let stat = unsafe { wasi::fd_fdstat_get(d) }.expect("fdstat");
    check_eq(
        "dir rights",
        (stat.fs_rights_base, stat.fs_rights_inheriting),
        (base, wasi::RIGHTS_FD_READ),
    );
    let f = unsafe { wasi::path_open(d, 0, "inner.txt", 0, wasi::RIGHTS_FD_READ, 0, 0) };
    if let Some(f) = expect_ok("path_open asking FD_READ (inherited)", f) {
        let stat = unsafe { wasi::fd_fdstat_get(f) }.expect("fdstat");
        check_eq("file rights", stat.fs_rights_base, wasi::RIGHTS_FD_READ);
        check_eq("read", read(f, 100), Ok(b"inner\n".to_vec()));
        unsafe { wasi::fd_close(f) }.expect("close");
    }
    // The witx lets path_open give fewer rights than asked only where they
    // do not apply to the file; FD_WRITE applies, so: ENOTCAPABLE.
    let f = unsafe {
        wasi::path_open(
            d,
            0,
            "inner.txt",
            0,
            wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_WRITE,
            0,
            0,
        )
    };
    no_write_right("path_open asking FD_WRITE (not inherited)", f);
    let f = unsafe {
        wasi::path_open(
            d,
            0,
            "inner.txt",
            0,
            wasi::RIGHTS_FD_READ,
            wasi::RIGHTS_FD_WRITE,
            0,
        )
    };
    no_write_right("path_open asking inheriting FD_WRITE", f);
    let f = unsafe {
        wasi::path_open(
            d,
            0,
            "created.txt",
            wasi::OFLAGS_CREAT,
            wasi::RIGHTS_FD_READ,
            0,
            0,
        )
    };
    expect("path_open CREAT without PATH_CREATE_FILE", f, NOTCAPABLE);
    let f = unsafe {
        wasi::path_open(
            d,
            0,
            "inner.txt",
            wasi::OFLAGS_TRUNC,
            wasi::RIGHTS_FD_READ,
            0,
            0,
        )
    };
    expect(
        "path_open TRUNC without PATH_FILESTAT_SET_SIZE",
        f,
        NOTCAPABLE,
    );
    let r = unsafe { wasi::path_create_directory(d, "newdir") };
    expect("path_create_directory without the right", r, NOTCAPABLE);
    let r = unsafe { wasi::path_filestat_get(d, 0, "inner.txt") };
    expect("path_filestat_get without the right", r, NOTCAPABLE);
    unsafe { wasi::fd_close(d) }.expect("close");
}

/// Checks a path_open that asked for FD_WRITE beyond the directory's
/// inheriting rights: ENOTCAPABLE; and if it opened anyway, the descriptor
/// must not have the right nor be able to write.
fn no_write_right(label: &str, opened: Result<u32, wasi::Errno>) {
    expect(label, opened, NOTCAPABLE);
    if let Ok(f) = opened {
        let stat = unsafe { wasi::fd_fdstat_get(f) }.expect("fdstat");
        check(
            stat.fs_rights_base & wasi::RIGHTS_FD_WRITE == 0,
            format_args!("{label}: the descriptor got FD_WRITE"),
        );
        check(
            stat.fs_rights_inheriting & wasi::RIGHTS_FD_WRITE == 0,
            format_args!("{label}: it got inheriting FD_WRITE"),
        );
        check(
            write_all(f, b"x").is_err(),
            format_args!("{label}: it can write"),
        );
        unsafe { wasi::fd_close(f) }.expect("close");
    }
}
