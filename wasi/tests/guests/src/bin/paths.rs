//! The path_* functions inside the preopen: path_open (creat, excl, trunc,
//! directory, symlink_follow, trailing slashes), path_create_directory,
//! path_remove_directory, path_unlink_file, path_rename, path_link,
//! path_symlink, path_readlink, path_filestat_get, path_filestat_set_times,
//! with their error cases.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

const FOLLOW: u32 = wasi::LOOKUPFLAGS_SYMLINK_FOLLOW;
const READ: u64 = wasi::RIGHTS_FD_READ;

fn open_read(path: &str, lookup: u32) -> Result<u32, wasi::Errno> {
    open_with(ROOT, lookup, path, 0, READ, 0)
}

fn show(r: Result<Vec<u8>, wasi::Errno>) -> String {
    match r {
        Ok(b) => format!("{:?}", String::from_utf8_lossy(&b)),
        Err(e) => errno_name(e.raw()),
    }
}

fn contents(path: &str) -> Result<Vec<u8>, wasi::Errno> {
    slurp(ROOT, path)
}

fn stat_line(path: &str, follow: bool) -> String {
    match path_filestat(ROOT, path, follow) {
        // A directory's size depends on the file system.
        Ok(s) if s.filetype.raw() == 3 => filetype_name(3).to_string(),
        Ok(s) => format!("{} size={}", filetype_name(s.filetype.raw()), s.size),
        Err(e) => errno_name(e.raw()),
    }
}

fn main() {
    path_open();
    filestat_checks();
    set_times();
    create_remove();
    rename();
    links();
    finish();
}

fn path_open() {
    let fd = open_read("file.txt", 0).expect("open file.txt");
    let got = read(fd, 100);
    println!("path_open file.txt: {}", show(got.clone()));
    check_eq("file.txt", got, Ok(b"content\n".to_vec()));
    unsafe { wasi::fd_close(fd) }.expect("close");
    expect("path_open missing.txt", open_read("missing.txt", 0), NOENT);

    // creat, excl, trunc.
    let fd = open(ROOT, "new.txt", wasi::OFLAGS_CREAT);
    if let Some(fd) = expect_ok("path_open new.txt CREAT", fd) {
        check_eq("created empty", filestat(fd).map(|s| s.size), Ok(0));
        check_eq("write", write_all(fd, b"new\n"), Ok(4));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let fd = open(ROOT, "new.txt", wasi::OFLAGS_CREAT);
    if let Some(fd) = expect_ok("path_open new.txt CREAT again (exists)", fd) {
        check_eq(
            "CREAT alone keeps the contents",
            read(fd, 100),
            Ok(b"new\n".to_vec()),
        );
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let r = open(ROOT, "new.txt", wasi::OFLAGS_CREAT | wasi::OFLAGS_EXCL);
    expect("path_open new.txt CREAT|EXCL", r, EXIST);
    let r = open(ROOT, "dir", wasi::OFLAGS_CREAT | wasi::OFLAGS_EXCL);
    expect("path_open dir CREAT|EXCL", r, EXIST);
    let r = open(ROOT, "link_to_file", wasi::OFLAGS_CREAT | wasi::OFLAGS_EXCL);
    expect(
        "path_open link_to_file CREAT|EXCL (a symlink exists)",
        r,
        EXIST,
    );
    let fd = open(ROOT, "trunc.txt", wasi::OFLAGS_TRUNC);
    if let Some(fd) = expect_ok("path_open trunc.txt TRUNC", fd) {
        check_eq("truncated", filestat(fd).map(|s| s.size), Ok(0));
        check_eq("write", write_all(fd, b"t\n"), Ok(2));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }

    // directory.
    let fd = open_with(
        ROOT,
        0,
        "dir",
        wasi::OFLAGS_DIRECTORY,
        wasi::RIGHTS_FD_READDIR,
        0,
    );
    if let Some(fd) = expect_ok("path_open dir DIRECTORY", fd) {
        let t = unsafe { wasi::fd_fdstat_get(fd) }.map(|s| s.fs_filetype.raw());
        check_eq("directory filetype", t, Ok(3));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let fd = open_read("dir", 0);
    if let Some(fd) = expect_ok("path_open dir without DIRECTORY, read only", fd) {
        let t = unsafe { wasi::fd_fdstat_get(fd) }.map(|s| s.fs_filetype.raw());
        check_eq("directory filetype", t, Ok(3));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let r = open_with(ROOT, 0, "file.txt", wasi::OFLAGS_DIRECTORY, READ, 0);
    expect("path_open file.txt DIRECTORY", r, NOTDIR);
    expect("path_open \"file.txt/\"", open_read("file.txt/", 0), NOTDIR);
    expect(
        "path_open \"file.txt/.\"",
        open_read("file.txt/.", 0),
        NOTDIR,
    );
    expect(
        "path_open \"file.txt/x\"",
        open_read("file.txt/x", 0),
        NOTDIR,
    );
    expect(
        "path_open \"dir/inner.txt/\"",
        open_read("dir/inner.txt/", 0),
        NOTDIR,
    );
    expect("path_open \"missing/x\"", open_read("missing/x", 0), NOENT);
    let r = open_with(ROOT, 0, "dir", 0, READ | wasi::RIGHTS_FD_WRITE, 0);
    expect("path_open dir for writing", r, ISDIR);
    let r = open(ROOT, "dir", wasi::OFLAGS_CREAT);
    expect("path_open dir CREAT", r, ISDIR);
    let r = open(ROOT, "dir", wasi::OFLAGS_TRUNC);
    expect("path_open dir TRUNC", r, ISDIR);
    expect("path_open \"\"", open_read("", 0), NOENT);
    for path in [".", "dir/..", "./dir/../dir", "dir/"] {
        let fd = open_with(
            ROOT,
            0,
            path,
            wasi::OFLAGS_DIRECTORY,
            wasi::RIGHTS_FD_READDIR,
            0,
        );
        if let Some(fd) = expect_ok(&format!("path_open {path:?} DIRECTORY"), fd) {
            unsafe { wasi::fd_close(fd) }.expect("close");
        }
    }
    let fd = open_read("./dir/../file.txt", 0);
    if let Some(fd) = expect_ok("path_open \"./dir/../file.txt\"", fd) {
        unsafe { wasi::fd_close(fd) }.expect("close");
    }

    // symlink_follow.
    let fd = open_read("link_to_file", FOLLOW);
    if let Some(fd) = expect_ok("path_open link_to_file SYMLINK_FOLLOW", fd) {
        check_eq("through the link", read(fd, 100), Ok(b"content\n".to_vec()));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    expect(
        "path_open link_to_file without SYMLINK_FOLLOW",
        open_read("link_to_file", 0),
        LOOP,
    );
    let fd = open_read("link_to_dir/inner.txt", 0);
    if let Some(fd) = expect_ok(
        "path_open link_to_dir/inner.txt (links inside a path are followed)",
        fd,
    ) {
        check_eq("through the link", read(fd, 100), Ok(b"inner\n".to_vec()));
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let fd = open_with(
        ROOT,
        FOLLOW,
        "link_to_dir",
        wasi::OFLAGS_DIRECTORY,
        wasi::RIGHTS_FD_READDIR,
        0,
    );
    if let Some(fd) = expect_ok("path_open link_to_dir DIRECTORY SYMLINK_FOLLOW", fd) {
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    expect(
        "path_open dangling SYMLINK_FOLLOW",
        open_read("dangling", FOLLOW),
        NOENT,
    );
    expect(
        "path_open dangling without SYMLINK_FOLLOW",
        open_read("dangling", 0),
        LOOP,
    );

    // Bad values.
    let mut fd = 0u32;
    let (p, l) = ("file.txt".as_ptr() as i32, 8);
    let r = unsafe {
        raw::path_open(
            ROOT as i32,
            0,
            p,
            l,
            0x10,
            READ as i64,
            0,
            0,
            mut_ptr(&mut fd),
        )
    };
    expect("path_open oflags 0x10", r, INVAL);
    let r = unsafe {
        raw::path_open(
            ROOT as i32,
            0,
            p,
            l,
            0,
            READ as i64,
            0,
            0x20,
            mut_ptr(&mut fd),
        )
    };
    expect("path_open fdflags 0x20", r, INVAL);
    let bad_utf8 = [b'f', 0xFF, 0xFE];
    let r = unsafe {
        raw::path_open(
            ROOT as i32,
            0,
            ptr(&bad_utf8),
            3,
            0,
            READ as i64,
            0,
            0,
            mut_ptr(&mut fd),
        )
    };
    expect("path_open with a path that is not UTF-8", r, ILSEQ);
}

fn filestat_checks() {
    for (path, follow) in [
        ("file.txt", false),
        ("dir", false),
        ("link_to_file", false),
        ("link_to_file", true),
        ("link_to_dir", false),
        ("link_to_dir", true),
        ("dangling", false),
    ] {
        println!(
            "path_filestat_get {path:?} follow={follow}: {}",
            stat_line(path, follow)
        );
    }
    check_eq(
        "file",
        path_filestat(ROOT, "file.txt", false).map(|s| (s.filetype.raw(), s.size, s.nlink)),
        Ok((4, 8, 1)),
    );
    check_eq(
        "link",
        path_filestat(ROOT, "link_to_file", false).map(|s| (s.filetype.raw(), s.size)),
        Ok((7, 8)),
    );
    check_eq(
        "followed",
        path_filestat(ROOT, "link_to_file", true).map(|s| (s.filetype.raw(), s.size)),
        Ok((4, 8)),
    );
    check_eq(
        "dir",
        path_filestat(ROOT, "dir", false).map(|s| s.filetype.raw()),
        Ok(3),
    );
    check_eq(
        "dir link",
        path_filestat(ROOT, "link_to_dir", false).map(|s| s.filetype.raw()),
        Ok(7),
    );
    check_eq(
        "dir followed",
        path_filestat(ROOT, "link_to_dir", true).map(|s| s.filetype.raw()),
        Ok(3),
    );
    check_eq(
        "dangling",
        path_filestat(ROOT, "dangling", false).map(|s| s.filetype.raw()),
        Ok(7),
    );
    let fd = open_with(
        ROOT,
        0,
        "file.txt",
        0,
        READ | wasi::RIGHTS_FD_FILESTAT_GET,
        0,
    )
    .expect("open");
    check_eq(
        "fd and path filestat agree",
        filestat(fd).map(|s| (s.dev, s.ino)),
        path_filestat(ROOT, "file.txt", true).map(|s| (s.dev, s.ino)),
    );
    unsafe { wasi::fd_close(fd) }.expect("close");
    expect(
        "path_filestat_get missing",
        path_filestat(ROOT, "missing", false),
        NOENT,
    );
    expect(
        "path_filestat_get dangling SYMLINK_FOLLOW",
        path_filestat(ROOT, "dangling", true),
        NOENT,
    );
    let mut st = [0u8; 64];
    let r = unsafe {
        raw::path_filestat_get(ROOT as i32, 0, "dir".as_ptr() as i32, 3, mut_ptr(&mut st))
    };
    expect("path_filestat_get raw", r, SUCCESS);
    check_eq("filestat filetype byte", st[16], 3);
}

fn set_times() {
    let (atim, mtim) = (1_400_000_000_000_000_001u64, 1_300_000_000_000_000_002u64);
    let r = unsafe {
        wasi::path_filestat_set_times(
            ROOT,
            0,
            "file.txt",
            atim,
            mtim,
            wasi::FSTFLAGS_ATIM | wasi::FSTFLAGS_MTIM,
        )
    };
    expect("path_filestat_set_times file.txt ATIM|MTIM", r, SUCCESS);
    let st = path_filestat(ROOT, "file.txt", false).expect("stat");
    println!("file.txt atim={} mtim={}", st.atim, st.mtim);
    check_eq("times", (st.atim, st.mtim), (atim, mtim));
    // Through the link with SYMLINK_FOLLOW: the target changes.
    let r = unsafe {
        wasi::path_filestat_set_times(
            ROOT,
            FOLLOW,
            "link_to_file",
            0,
            mtim + 5,
            wasi::FSTFLAGS_MTIM,
        )
    };
    expect(
        "path_filestat_set_times link_to_file MTIM SYMLINK_FOLLOW",
        r,
        SUCCESS,
    );
    check_eq(
        "target mtim",
        path_filestat(ROOT, "file.txt", false).map(|s| (s.atim, s.mtim)),
        Ok((atim, mtim + 5)),
    );
    // Without it: the link itself.
    let r = unsafe {
        wasi::path_filestat_set_times(ROOT, 0, "link_to_file", 0, mtim + 9, wasi::FSTFLAGS_MTIM)
    };
    expect(
        "path_filestat_set_times link_to_file MTIM (the link itself)",
        r,
        SUCCESS,
    );
    check_eq(
        "link mtim",
        path_filestat(ROOT, "link_to_file", false).map(|s| s.mtim),
        Ok(mtim + 9),
    );
    check_eq(
        "target kept",
        path_filestat(ROOT, "file.txt", false).map(|s| s.mtim),
        Ok(mtim + 5),
    );
    let before = now(wasi::CLOCKID_REALTIME);
    let r = unsafe {
        wasi::path_filestat_set_times(
            ROOT,
            0,
            "dir",
            0,
            0,
            wasi::FSTFLAGS_ATIM_NOW | wasi::FSTFLAGS_MTIM_NOW,
        )
    };
    expect("path_filestat_set_times dir ATIM_NOW|MTIM_NOW", r, SUCCESS);
    let st = path_filestat(ROOT, "dir", false).expect("stat");
    let sec = 1_000_000_000;
    check(
        st.mtim + 2 * sec >= before && st.mtim <= now(wasi::CLOCKID_REALTIME) + 2 * sec,
        "dir mtim is now",
    );
    let r =
        unsafe { wasi::path_filestat_set_times(ROOT, 0, "missing", 0, 0, wasi::FSTFLAGS_MTIM_NOW) };
    expect("path_filestat_set_times missing", r, NOENT);
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
        let r = unsafe {
            raw::path_filestat_set_times(
                ROOT as i32,
                0,
                "file.txt".as_ptr() as i32,
                8,
                0,
                0,
                flags as i32,
            )
        };
        expect(&format!("path_filestat_set_times {name}"), r, INVAL);
    }
    check_eq(
        "failed calls changed nothing",
        path_filestat(ROOT, "file.txt", false).map(|s| s.mtim),
        Ok(mtim + 5),
    );
}

fn create_remove() {
    let mk = |p: &str| unsafe { wasi::path_create_directory(ROOT, p) };
    let rm = |p: &str| unsafe { wasi::path_remove_directory(ROOT, p) };
    let unlink = |p: &str| unsafe { wasi::path_unlink_file(ROOT, p) };
    expect("path_create_directory newdir", mk("newdir"), SUCCESS);
    check_eq(
        "newdir is a directory",
        path_filestat(ROOT, "newdir", false).map(|s| s.filetype.raw()),
        Ok(3),
    );
    expect("path_create_directory newdir again", mk("newdir"), EXIST);
    expect("path_create_directory file.txt", mk("file.txt"), EXIST);
    expect(
        "path_create_directory dangling (a symlink)",
        mk("dangling"),
        EXIST,
    );
    expect("path_create_directory missing/x", mk("missing/x"), NOENT);
    expect("path_create_directory file.txt/x", mk("file.txt/x"), NOTDIR);
    expect("path_create_directory \"\"", mk(""), NOENT);
    expect(
        "path_create_directory newdir/child",
        mk("newdir/child"),
        SUCCESS,
    );

    expect("path_remove_directory dir (not empty)", rm("dir"), NOTEMPTY);
    expect("path_remove_directory file.txt", rm("file.txt"), NOTDIR);
    expect("path_remove_directory missing", rm("missing"), NOENT);
    expect(
        "path_remove_directory link_to_dir (a symlink)",
        rm("link_to_dir"),
        NOTDIR,
    );
    expect(
        "path_remove_directory newdir/child",
        rm("newdir/child"),
        SUCCESS,
    );
    expect("path_remove_directory empty", rm("empty"), SUCCESS);
    expect(
        "path_filestat_get empty after removal",
        path_filestat(ROOT, "empty", false),
        NOENT,
    );

    expect("path_unlink_file dir", unlink("dir"), ISDIR);
    expect("path_unlink_file missing", unlink("missing"), NOENT);
    expect(
        "path_unlink_file \"file.txt/\"",
        unlink("file.txt/"),
        NOTDIR,
    );
    expect("path_unlink_file new.txt", unlink("new.txt"), SUCCESS);
    expect(
        "path_filestat_get new.txt after unlink",
        path_filestat(ROOT, "new.txt", false),
        NOENT,
    );
    expect(
        "path_unlink_file link_to_dir (the link, not the dir)",
        unlink("link_to_dir"),
        SUCCESS,
    );
    check_eq(
        "dir survives",
        path_filestat(ROOT, "dir/inner.txt", false).map(|s| s.size),
        Ok(6),
    );
    println!("dir/inner.txt survives unlinking the link to dir");
}

fn rename() {
    let mv = |a: &str, b: &str| unsafe { wasi::path_rename(ROOT, a, ROOT, b) };
    expect(
        "path_rename two.txt -> renamed.txt",
        mv("two.txt", "renamed.txt"),
        SUCCESS,
    );
    println!("renamed.txt: {}", show(contents("renamed.txt")));
    expect(
        "path_filestat_get two.txt after rename",
        path_filestat(ROOT, "two.txt", false),
        NOENT,
    );
    expect("path_rename missing -> x", mv("missing", "x"), NOENT);
    expect(
        "path_rename trunc.txt -> renamed.txt (replaces)",
        mv("trunc.txt", "renamed.txt"),
        SUCCESS,
    );
    println!("renamed.txt: {}", show(contents("renamed.txt")));
    check_eq("replaced", contents("renamed.txt"), Ok(b"t\n".to_vec()));
    expect(
        "path_rename renamed.txt -> dir",
        mv("renamed.txt", "dir"),
        ISDIR,
    );
    expect(
        "path_rename dir -> renamed.txt",
        mv("dir", "renamed.txt"),
        NOTDIR,
    );
    expect_any(
        "path_rename newdir -> full (not empty)",
        mv("newdir", "full"),
        &[NOTEMPTY, EXIST],
        "ENOTEMPTY or EEXIST",
    );
    expect(
        "path_rename newdir -> moved_dir",
        mv("newdir", "moved_dir"),
        SUCCESS,
    );
    expect(
        "path_rename moved_dir -> moved_dir/inside",
        mv("moved_dir", "moved_dir/inside"),
        INVAL,
    );
    expect(
        "path_rename missing_dir/x -> y",
        mv("missing_dir/x", "y"),
        NOENT,
    );
    expect(
        "path_rename renamed.txt -> missing_dir/x",
        mv("renamed.txt", "missing_dir/x"),
        NOENT,
    );
    let d = open_dir(ROOT, "full").expect("open full");
    let r = unsafe { wasi::path_rename(d, "x.txt", ROOT, "x_moved.txt") };
    expect("path_rename across directory descriptors", r, SUCCESS);
    let r = unsafe { wasi::path_rename(ROOT, "x_moved.txt", d, "x.txt") };
    expect("path_rename back", r, SUCCESS);
    unsafe { wasi::fd_close(d) }.expect("close");
    println!("full/x.txt: {}", show(contents("full/x.txt")));
}

fn links() {
    let r = unsafe { wasi::path_link(ROOT, 0, "file.txt", ROOT, "hard.txt") };
    expect("path_link file.txt -> hard.txt", r, SUCCESS);
    let (a, b) = (
        path_filestat(ROOT, "file.txt", false),
        path_filestat(ROOT, "hard.txt", false),
    );
    println!(
        "nlink: file.txt {:?}, hard.txt {:?}",
        a.map(|s| s.nlink),
        b.map(|s| s.nlink)
    );
    check_eq(
        "same inode",
        a.map(|s| (s.ino, s.nlink)),
        b.map(|s| (s.ino, 2)),
    );
    let r = unsafe { wasi::path_link(ROOT, 0, "file.txt", ROOT, "hard.txt") };
    expect("path_link to an existing name", r, EXIST);
    let r = unsafe { wasi::path_link(ROOT, 0, "missing", ROOT, "x") };
    expect("path_link missing", r, NOENT);
    let r = unsafe { wasi::path_link(ROOT, 0, "dir", ROOT, "dirlink") };
    expect("path_link of a directory", r, PERM);
    // Following a symlink in the old path is what the flag means; wasmtime
    // (and so a compatible host) refuses the flag with EINVAL instead.
    let r = unsafe { wasi::path_link(ROOT, FOLLOW, "link_to_file", ROOT, "hard2.txt") };
    let label = "path_link link_to_file SYMLINK_FOLLOW -> hard2.txt";
    expect_any(
        label,
        r,
        &[SUCCESS, INVAL],
        "ok (a link to file.txt) or EINVAL (unsupported)",
    );
    if r.is_ok() {
        let t = path_filestat(ROOT, "hard2.txt", false).map(|s| (s.filetype.raw(), s.nlink));
        check_eq(
            "hard2.txt is a link to file.txt, not to the symlink",
            t,
            Ok((4, 3)),
        );
        check_eq(
            "remove hard2.txt",
            unsafe { wasi::path_unlink_file(ROOT, "hard2.txt") },
            Ok(()),
        );
    }
    expect(
        "path_filestat_get hard2.txt afterwards",
        path_filestat(ROOT, "hard2.txt", false),
        NOENT,
    );

    let r = unsafe { wasi::path_symlink("file.txt", ROOT, "sym") };
    expect("path_symlink file.txt <- sym", r, SUCCESS);
    let mut buf = [0xAAu8; 32];
    let n = unsafe { wasi::path_readlink(ROOT, "sym", buf.as_mut_ptr(), 32) };
    println!(
        "path_readlink sym: {n:?} {:?}",
        String::from_utf8_lossy(&buf[..*n.as_ref().unwrap_or(&0)])
    );
    check_eq("readlink", n, Ok(8));
    check_eq(
        "no NUL, nothing past the target",
        &buf[..9],
        b"file.txt\xAA",
    );
    let mut exact = [0xAAu8; 12];
    let n = unsafe { wasi::path_readlink(ROOT, "sym", exact.as_mut_ptr(), 8) };
    check_eq(
        "readlink into exactly 8 bytes",
        (n, &exact),
        (Ok(8), b"file.txt\xAA\xAA\xAA\xAA"),
    );
    let mut short = [0xAAu8; 8];
    let n = unsafe { wasi::path_readlink(ROOT, "sym", short.as_mut_ptr(), 4) };
    println!(
        "path_readlink sym into 4 bytes: {n:?} {:?}",
        String::from_utf8_lossy(&short[..4])
    );
    check_eq("truncated", (n, &short), (Ok(4), b"file\xAA\xAA\xAA\xAA"));
    expect(
        "path_symlink over an existing link",
        unsafe { wasi::path_symlink("x", ROOT, "sym") },
        EXIST,
    );
    expect(
        "path_symlink over a file",
        unsafe { wasi::path_symlink("x", ROOT, "file.txt") },
        EXIST,
    );
    expect(
        "path_symlink in a missing directory",
        unsafe { wasi::path_symlink("x", ROOT, "missing/sym") },
        NOENT,
    );
    expect(
        "path_symlink dir <- symdir",
        unsafe { wasi::path_symlink("dir", ROOT, "symdir") },
        SUCCESS,
    );
    println!("symdir/inner.txt: {}", show(contents("symdir/inner.txt")));
    expect(
        "path_symlink nowhere2 <- dangling2",
        unsafe { wasi::path_symlink("nowhere2", ROOT, "dangling2") },
        SUCCESS,
    );
    let t = path_filestat(ROOT, "dangling2", false).map(|s| s.filetype.raw());
    check_eq("dangling2 is a symlink", t, Ok(7));

    let mut buf = [0u8; 32];
    let rl = |p: &str, buf: &mut [u8]| unsafe {
        wasi::path_readlink(ROOT, p, buf.as_mut_ptr(), buf.len())
    };
    expect(
        "path_readlink file.txt (not a link)",
        rl("file.txt", &mut buf),
        INVAL,
    );
    expect("path_readlink dir (not a link)", rl("dir", &mut buf), INVAL);
    expect("path_readlink missing", rl("missing", &mut buf), NOENT);
    let n = rl("dangling", &mut buf);
    println!(
        "path_readlink dangling: {:?}",
        String::from_utf8_lossy(&buf[..*n.as_ref().unwrap_or(&0)])
    );
}
