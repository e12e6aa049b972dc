//! Descriptor operations on regular files: fd_read, fd_write, fd_pread,
//! fd_pwrite, fd_seek, fd_tell, fd_fdstat_get, fd_fdstat_set_flags,
//! fd_fdstat_set_rights, fd_filestat_get, fd_filestat_set_size,
//! fd_filestat_set_times, fd_advise, fd_allocate, fd_datasync, fd_sync,
//! fd_renumber, fd_close.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;
use wasi::{Ciovec, Iovec};

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

fn shown(r: &Result<Vec<u8>, wasi::Errno>) -> String {
    match r {
        Ok(b) => show(b),
        Err(e) => errno_name(e.raw()),
    }
}

fn seek(fd: u32, offset: i64, whence: wasi::Whence) -> Result<u64, wasi::Errno> {
    unsafe { wasi::fd_seek(fd, offset, whence) }
}

fn tell(fd: u32) -> Result<u64, wasi::Errno> {
    unsafe { wasi::fd_tell(fd) }
}

fn main() {
    reading();
    rights();
    writing();
    renumber();
    finish();
}

fn reading() {
    let rights = wasi::RIGHTS_FD_READ
        | wasi::RIGHTS_FD_SEEK
        | wasi::RIGHTS_FD_TELL
        | wasi::RIGHTS_FD_FILESTAT_GET
        | wasi::RIGHTS_FD_FDSTAT_SET_FLAGS
        | wasi::RIGHTS_FD_ADVISE;
    let fd = open_with(ROOT, 0, "data.txt", 0, rights, 0).expect("open data.txt");
    let stat = unsafe { wasi::fd_fdstat_get(fd) }.expect("fdstat");
    println!(
        "fdstat data.txt: {} flags={} base==requested: {} inheriting={:#x}",
        filetype_name(stat.fs_filetype.raw()),
        stat.fs_flags,
        stat.fs_rights_base == rights,
        stat.fs_rights_inheriting
    );
    check_eq("fdstat filetype", stat.fs_filetype.raw(), 4);
    check_eq("fdstat rights_base", stat.fs_rights_base, rights);
    check_eq("fdstat rights_inheriting", stat.fs_rights_inheriting, 0);

    // Scatter read.
    let (mut a, mut b) = ([0u8; 4], [0u8; 3]);
    let iovs = [
        Iovec {
            buf: a.as_mut_ptr(),
            buf_len: 4,
        },
        Iovec {
            buf: b.as_mut_ptr(),
            buf_len: 3,
        },
    ];
    let n = unsafe { wasi::fd_read(fd, &iovs) };
    println!("fd_read 2 iovecs: {:?} {} {}", n, show(&a), show(&b));
    check_eq("scatter read", (n, a, b), (Ok(7), *b"0123", *b"456"));
    check_eq("tell after read", tell(fd), Ok(7));
    let r = unsafe { wasi::fd_read(fd, &[]) };
    check_eq("read of no iovecs", r, Ok(0));
    let r = unsafe {
        wasi::fd_read(
            fd,
            &[Iovec {
                buf: a.as_mut_ptr(),
                buf_len: 0,
            }],
        )
    };
    check_eq("read of an empty iovec", r, Ok(0));
    println!("fd_read of zero iovecs / an empty iovec: 0 bytes");

    // Seeking.
    println!("fd_seek 2 SET: {:?}", seek(fd, 2, wasi::WHENCE_SET));
    println!("fd_seek 3 CUR: {:?}", seek(fd, 3, wasi::WHENCE_CUR));
    println!("fd_tell: {:?}", tell(fd));
    println!("fd_seek -4 END: {:?}", seek(fd, -4, wasi::WHENCE_END));
    check_eq("seek sequence", tell(fd), Ok(12));
    let rest = read(fd, 10);
    println!("fd_read 10 at 12: {}", shown(&rest));
    check_eq("read to end", rest, Ok(b"cdef".to_vec()));
    let eof = read(fd, 10);
    println!("fd_read at end: {}", shown(&eof));
    check_eq("read at end", eof, Ok(Vec::new()));
    expect(
        "fd_seek -100 CUR (before the start)",
        seek(fd, -100, wasi::WHENCE_CUR),
        INVAL,
    );
    check_eq("failed seek keeps the position", tell(fd), Ok(16));
    let mut off = 0u64;
    let r = unsafe { raw::fd_seek(fd as i32, 0, 3, mut_ptr(&mut off)) };
    expect("fd_seek whence=3", r, INVAL);
    let r = unsafe { raw::fd_seek(fd as i32, 0, 255, mut_ptr(&mut off)) };
    expect("fd_seek whence=255", r, INVAL);
    println!(
        "fd_seek 100 SET (past the end): {:?}",
        seek(fd, 100, wasi::WHENCE_SET)
    );
    check_eq("read past the end", read(fd, 4), Ok(Vec::new()));
    println!("fd_seek 0 END: {:?}", seek(fd, 0, wasi::WHENCE_END));
    seek(fd, 0, wasi::WHENCE_SET).expect("rewind");

    // Positional reads leave the position alone.
    let p = pread(fd, 4, 10);
    println!("fd_pread 4 at 10: {}", shown(&p));
    check_eq("pread", p, Ok(b"abcd".to_vec()));
    let (mut c, mut d) = ([0u8; 2], [0u8; 2]);
    let iovs = [
        Iovec {
            buf: c.as_mut_ptr(),
            buf_len: 2,
        },
        Iovec {
            buf: d.as_mut_ptr(),
            buf_len: 2,
        },
    ];
    let n = unsafe { wasi::fd_pread(fd, &iovs, 1) };
    println!("fd_pread 2 iovecs at 1: {:?} {} {}", n, show(&c), show(&d));
    check_eq("scatter pread", (n, c, d), (Ok(4), *b"12", *b"34"));
    check_eq("pread past the end", pread(fd, 4, 100), Ok(Vec::new()));
    println!("fd_pread at 100: 0 bytes");
    check_eq("tell after preads", tell(fd), Ok(0));
    println!("fd_tell after preads: {:?}", tell(fd));

    // Advice is only a hint, but its value is checked.
    for advice in 0..=5 {
        let r = unsafe { raw::fd_advise(fd as i32, 0, 16, advice) };
        check_eq(&format!("fd_advise {advice}"), r, 0);
    }
    println!("fd_advise 0..=5: ok");
    expect(
        "fd_advise advice=6",
        unsafe { raw::fd_advise(fd as i32, 0, 16, 6) },
        INVAL,
    );

    // Without the rights it was not opened with.
    let byte = *b"x";
    let cio = [Ciovec {
        buf: byte.as_ptr(),
        buf_len: 1,
    }];
    // Missing FD_READ / FD_WRITE: ENOTCAPABLE in the rights model, EBADF
    // ("not open for writing") in POSIX and wasmtime; both refuse.
    let either = &[BADF, NOTCAPABLE];
    let shown = "EBADF or ENOTCAPABLE";
    expect_any(
        "fd_write without FD_WRITE",
        unsafe { wasi::fd_write(fd, &cio) },
        either,
        shown,
    );
    expect_any(
        "fd_pwrite without FD_WRITE",
        unsafe { wasi::fd_pwrite(fd, &cio, 0) },
        either,
        shown,
    );
    expect(
        "fd_filestat_set_size without the right",
        unsafe { wasi::fd_filestat_set_size(fd, 0) },
        NOTCAPABLE,
    );
    expect(
        "fd_allocate without the right",
        unsafe { wasi::fd_allocate(fd, 0, 1) },
        NOTCAPABLE,
    );
    expect(
        "fd_datasync without the right",
        unsafe { wasi::fd_datasync(fd) },
        NOTCAPABLE,
    );
    expect(
        "fd_sync without the right",
        unsafe { wasi::fd_sync(fd) },
        NOTCAPABLE,
    );
    expect(
        "fd_filestat_set_times without the right",
        unsafe { wasi::fd_filestat_set_times(fd, 0, 0, wasi::FSTFLAGS_MTIM_NOW) },
        NOTCAPABLE,
    );
    check_eq(
        "data.txt unchanged",
        pread(fd, 100, 0),
        Ok(b"0123456789abcdef".to_vec()),
    );
    expect("fd_close", unsafe { wasi::fd_close(fd) }, SUCCESS);
    expect("fd_close again", unsafe { wasi::fd_close(fd) }, BADF);
}

fn rights() {
    let fd = open(ROOT, "data.txt", 0).expect("open data.txt");
    let r = unsafe { wasi::fd_fdstat_set_rights(fd, wasi::RIGHTS_FD_READ, 0) };
    expect("fd_fdstat_set_rights to FD_READ", r, SUCCESS);
    let stat = unsafe { wasi::fd_fdstat_get(fd) }.expect("fdstat");
    println!(
        "rights now: base={:#x} inheriting={:#x}",
        stat.fs_rights_base, stat.fs_rights_inheriting
    );
    check_eq(
        "rights after drop",
        (stat.fs_rights_base, stat.fs_rights_inheriting),
        (wasi::RIGHTS_FD_READ, 0),
    );
    check_eq("fd_read with FD_READ", read(fd, 4), Ok(b"0123".to_vec()));
    println!("fd_read with FD_READ: ok");
    expect(
        "fd_seek after the drop",
        seek(fd, 0, wasi::WHENCE_SET),
        NOTCAPABLE,
    );
    expect("fd_tell after the drop", tell(fd), NOTCAPABLE);
    expect_any(
        "fd_write after the drop",
        write_all(fd, b"x"),
        &[BADF, NOTCAPABLE],
        "EBADF or ENOTCAPABLE",
    );
    expect("fd_filestat_get after the drop", filestat(fd), NOTCAPABLE);
    expect(
        "fd_advise after the drop",
        unsafe { wasi::fd_advise(fd, 0, 0, wasi::ADVICE_NORMAL) },
        NOTCAPABLE,
    );
    expect(
        "fd_fdstat_set_flags after the drop",
        unsafe { wasi::fd_fdstat_set_flags(fd, 0) },
        NOTCAPABLE,
    );
    let r =
        unsafe { wasi::fd_fdstat_set_rights(fd, wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_WRITE, 0) };
    expect("fd_fdstat_set_rights adding FD_WRITE", r, NOTCAPABLE);
    let r = unsafe { wasi::fd_fdstat_set_rights(fd, wasi::RIGHTS_FD_READ, wasi::RIGHTS_FD_READ) };
    expect(
        "fd_fdstat_set_rights adding inheriting rights",
        r,
        NOTCAPABLE,
    );
    let r = unsafe { wasi::fd_fdstat_set_rights(fd, 0, 0) };
    expect("fd_fdstat_set_rights to nothing", r, SUCCESS);
    expect_any(
        "fd_read with no rights",
        read(fd, 1),
        &[BADF, NOTCAPABLE],
        "EBADF or ENOTCAPABLE",
    );
    let stat = unsafe { wasi::fd_fdstat_get(fd) };
    expect("fd_fdstat_get needs no rights", stat.map(|_| ()), SUCCESS);
    expect(
        "fd_close needs no rights",
        unsafe { wasi::fd_close(fd) },
        SUCCESS,
    );
}

fn writing() {
    let w = open(ROOT, "out.txt", wasi::OFLAGS_CREAT | wasi::OFLAGS_TRUNC).expect("create out.txt");
    let st = filestat(w).expect("filestat");
    println!(
        "new out.txt: {} size={} nlink={}",
        filetype_name(st.filetype.raw()),
        st.size,
        st.nlink
    );
    check_eq(
        "new file",
        (st.filetype.raw(), st.size, st.nlink),
        (4, 0, 1),
    );
    let parts: [&[u8]; 3] = [b"hello, ", b"world", b"\n"];
    let cio: Vec<Ciovec> = parts
        .iter()
        .map(|p| Ciovec {
            buf: p.as_ptr(),
            buf_len: p.len(),
        })
        .collect();
    let n = unsafe { wasi::fd_write(w, &cio) };
    println!("fd_write 3 iovecs: {n:?}");
    check_eq("gather write", n, Ok(13));
    check_eq("tell after write", tell(w), Ok(13));
    let n = unsafe { wasi::fd_write(w, &[]) };
    check_eq("write of no iovecs", n, Ok(0));
    let n = unsafe {
        wasi::fd_pwrite(
            w,
            &[Ciovec {
                buf: b"HELLO".as_ptr(),
                buf_len: 5,
            }],
            0,
        )
    };
    println!("fd_pwrite 5 at 0: {n:?}");
    let n = unsafe {
        wasi::fd_pwrite(
            w,
            &[Ciovec {
                buf: b"!!".as_ptr(),
                buf_len: 2,
            }],
            20,
        )
    };
    println!("fd_pwrite 2 at 20: {n:?}");
    println!("fd_tell after pwrites: {:?}", tell(w));
    check_eq("tell after pwrites", tell(w), Ok(13));
    let st = filestat(w).expect("filestat");
    println!("size after pwrite past the end: {}", st.size);
    check_eq("size", st.size, 22);
    check_eq(
        "hole reads as zeros",
        pread(w, 100, 13),
        Ok(b"\0\0\0\0\0\0\0!!".to_vec()),
    );

    expect(
        "fd_filestat_set_size 13",
        unsafe { wasi::fd_filestat_set_size(w, 13) },
        SUCCESS,
    );
    check_eq(
        "truncated",
        pread(w, 100, 0),
        Ok(b"HELLO, world\n".to_vec()),
    );
    expect(
        "fd_filestat_set_size 16",
        unsafe { wasi::fd_filestat_set_size(w, 16) },
        SUCCESS,
    );
    check_eq(
        "extended with zeros",
        pread(w, 100, 10),
        Ok(b"ld\n\0\0\0".to_vec()),
    );
    check_eq("size", filestat(w).map(|s| s.size), Ok(16));
    unsafe { wasi::fd_filestat_set_size(w, 13) }.expect("truncate");

    expect(
        "fd_allocate 0+10 (inside)",
        unsafe { wasi::fd_allocate(w, 0, 10) },
        SUCCESS,
    );
    check_eq(
        "allocate inside keeps the size",
        filestat(w).map(|s| s.size),
        Ok(13),
    );
    expect(
        "fd_allocate 10+20 (past the end)",
        unsafe { wasi::fd_allocate(w, 10, 20) },
        SUCCESS,
    );
    let size = filestat(w).map(|s| s.size);
    println!("size after fd_allocate 10+20: {size:?}");
    check_eq("allocate extends the file", size, Ok(30));
    check_eq(
        "allocated bytes are zeros",
        pread(w, 100, 13),
        Ok(vec![0; 17]),
    );
    unsafe { wasi::fd_filestat_set_size(w, 13) }.expect("truncate");

    expect("fd_datasync", unsafe { wasi::fd_datasync(w) }, SUCCESS);
    expect("fd_sync", unsafe { wasi::fd_sync(w) }, SUCCESS);

    // Append mode.
    let flags = unsafe { wasi::fd_fdstat_get(w) }.map(|s| s.fs_flags);
    println!("fdflags: {flags:?}");
    expect(
        "fd_fdstat_set_flags APPEND",
        unsafe { wasi::fd_fdstat_set_flags(w, wasi::FDFLAGS_APPEND) },
        SUCCESS,
    );
    let flags = unsafe { wasi::fd_fdstat_get(w) }.map(|s| s.fs_flags);
    println!("fdflags: {flags:?}");
    check_eq("append flag", flags, Ok(wasi::FDFLAGS_APPEND));
    seek(w, 0, wasi::WHENCE_SET).expect("rewind");
    check_eq("append write", write_all(w, b"tail\n"), Ok(5));
    check_eq(
        "appended",
        pread(w, 100, 0),
        Ok(b"HELLO, world\ntail\n".to_vec()),
    );
    println!("write in append mode went to the end: {:?}", tell(w));
    check_eq("position after an append", tell(w), Ok(18));
    expect(
        "fd_fdstat_set_flags 0",
        unsafe { wasi::fd_fdstat_set_flags(w, 0) },
        SUCCESS,
    );
    seek(w, 0, wasi::WHENCE_SET).expect("rewind");
    check_eq("overwrite", write_all(w, b"J"), Ok(1));
    check_eq(
        "overwritten",
        pread(w, 100, 0),
        Ok(b"JELLO, world\ntail\n".to_vec()),
    );
    println!("write without append went to the position");
    let r = unsafe { raw::fd_fdstat_set_flags(w as i32, 0x20) };
    expect("fd_fdstat_set_flags 0x20", r, INVAL);
    let r = unsafe { raw::fd_fdstat_set_flags(w as i32, 0xFFFF) };
    expect("fd_fdstat_set_flags 0xffff", r, INVAL);

    // Timestamps.
    let (atim, mtim) = (1_600_000_000_123_456_789u64, 1_500_000_000_987_654_321u64);
    let r = unsafe {
        wasi::fd_filestat_set_times(w, atim, mtim, wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM)
    };
    expect("fd_filestat_set_times ATIM|MTIM", r, SUCCESS);
    let st = filestat(w).expect("filestat");
    println!("atim={} mtim={}", st.atim, st.mtim);
    check_eq("times set", (st.atim, st.mtim), (atim, mtim));
    let before = now(wasi::CLOCKID_REALTIME);
    let r = unsafe { wasi::fd_filestat_set_times(w, 0, 0, wasi::FSTFLAGS_MTIM_NOW) };
    expect("fd_filestat_set_times MTIM_NOW", r, SUCCESS);
    let after = now(wasi::CLOCKID_REALTIME);
    let st = filestat(w).expect("filestat");
    check_eq("atim kept", st.atim, atim);
    let sec = 1_000_000_000;
    check(
        st.mtim + 2 * sec >= before && st.mtim <= after + 2 * sec,
        "mtim is now",
    );
    println!("mtim is now, atim kept: {}", st.atim == atim);
    let r = unsafe { wasi::fd_filestat_set_times(w, 5, 5, 0) };
    expect("fd_filestat_set_times no flags", r, SUCCESS);
    check_eq(
        "no flags changes nothing",
        filestat(w).map(|s| s.atim),
        Ok(atim),
    );
    for (flags, name) in [
        (
            wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_ATIM_NOW,
            "ATIM|ATIM_NOW",
        ),
        (
            wasi::FSTFLAGS_MTIM | wasi::FSTFLAGS_MTIM_NOW,
            "MTIM|MTIM_NOW",
        ),
        (0x10, "0x10"),
    ] {
        let r = unsafe { raw::fd_filestat_set_times(w as i32, 0, 0, flags as i32) };
        expect(&format!("fd_filestat_set_times {name}"), r, INVAL);
    }
    let r = unsafe {
        wasi::fd_filestat_set_times(w, atim, mtim, wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM)
    };
    check_eq("set the times back", r, Ok(()));
    expect("fd_close out.txt", unsafe { wasi::fd_close(w) }, SUCCESS);

    // A large file, written in pieces and read back.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let big =
        open(ROOT, "big.bin", wasi::OFLAGS_CREAT | wasi::OFLAGS_EXCL).expect("create big.bin");
    let mut written = 0;
    for chunk in data.chunks(30_000) {
        written += write_all(big, chunk).expect("write");
    }
    println!("big.bin: wrote {written} bytes");
    let back = pread(big, 200_000, 0).expect("pread");
    check(back == data, "big.bin reads back");
    println!("big.bin reads back: {}", back == data);
    unsafe { wasi::fd_close(big) }.expect("close");
}

fn renumber() {
    let a = open(ROOT, "out.txt", 0).expect("open out.txt");
    let b = open(ROOT, "data.txt", 0).expect("open data.txt");
    expect(
        "fd_renumber b -> a",
        unsafe { wasi::fd_renumber(b, a) },
        SUCCESS,
    );
    let got = read(a, 4);
    println!("a now reads: {}", shown(&got));
    check_eq("a is data.txt", got, Ok(b"0123".to_vec()));
    expect("fd_read on the old number", read(b, 1), BADF);
    expect(
        "fd_close on the old number",
        unsafe { wasi::fd_close(b) },
        BADF,
    );
    expect(
        "fd_renumber a -> a",
        unsafe { wasi::fd_renumber(a, a) },
        SUCCESS,
    );
    check_eq("a still works", read(a, 4), Ok(b"4567".to_vec()));
    expect(
        "fd_renumber a -> 1234 (not open)",
        unsafe { wasi::fd_renumber(a, 1234) },
        BADF,
    );
    expect(
        "fd_renumber 1234 -> a",
        unsafe { wasi::fd_renumber(1234, a) },
        BADF,
    );
    check_eq(
        "a survives failed renumbers",
        read(a, 4),
        Ok(b"89ab".to_vec()),
    );
    expect("fd_close a", unsafe { wasi::fd_close(a) }, SUCCESS);
}
