//! A trailing slash means "a directory" in every path_* function: on a
//! file, or a symlink to one, it is ENOTDIR (POSIX; what Linux does); it
//! resolves a symlink to a directory even without SYMLINK_FOLLOW; on a
//! directory it is allowed. It must never be dropped (renaming a file to
//! "x/" must not make a file "x"). Each check works on its own files, so a
//! wrong answer cannot spoil the next ones.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

const FOLLOW: u32 = wasi::LOOKUPFLAGS_SYMLINK_FOLLOW;

fn kind(path: &str) -> String {
    match path_filestat(ROOT, path, false) {
        Ok(s) => filetype_name(s.filetype.raw()).to_string(),
        Err(e) => errno_name(e.raw()),
    }
}

fn main() {
    let open = |path: &str, lookup: u32, oflags: u16, rights: u64| unsafe {
        wasi::path_open(ROOT, lookup, path, oflags, rights, 0, 0)
    };
    let read = wasi::RIGHTS_FD_READ;
    expect(
        "path_open \"file.txt/\"",
        open("file.txt/", FOLLOW, 0, read),
        NOTDIR,
    );
    expect(
        "path_open \"link_to_file/\"",
        open("link_to_file/", 0, 0, read),
        NOTDIR,
    );
    let r = open(
        "link_to_dir/",
        0,
        wasi::OFLAGS_DIRECTORY,
        wasi::RIGHTS_FD_READDIR,
    );
    if let Some(fd) = expect_ok(
        "path_open \"link_to_dir/\" DIRECTORY without SYMLINK_FOLLOW",
        r,
    ) {
        unsafe { wasi::fd_close(fd) }.expect("close");
    }
    let r = open(
        "new.txt/",
        0,
        wasi::OFLAGS_CREAT,
        read | wasi::RIGHTS_FD_WRITE,
    );
    expect_any(
        "path_open \"new.txt/\" CREAT",
        r,
        &[ISDIR, NOTDIR, NOENT],
        "refused",
    );
    println!("new.txt afterwards: {}", kind("new.txt"));
    check_eq("new.txt not created", kind("new.txt"), "ENOENT".to_string());

    for (path, follow) in [
        ("file.txt/", false),
        ("file.txt/", true),
        ("link_to_file/", false),
    ] {
        let r = path_filestat(ROOT, path, follow);
        expect(
            &format!("path_filestat_get {path:?} follow={follow}"),
            r,
            NOTDIR,
        );
    }
    for path in ["dir/", "link_to_dir/"] {
        let r = path_filestat(ROOT, path, false).map(|s| filetype_name(s.filetype.raw()));
        println!("path_filestat_get {path:?} follow=false: {r:?}");
        check_eq(path, r, Ok("DIRECTORY"));
    }
    let r = unsafe {
        wasi::path_filestat_set_times(ROOT, 0, "file.txt/", 0, 0, wasi::FSTFLAGS_MTIM_NOW)
    };
    expect("path_filestat_set_times \"file.txt/\"", r, NOTDIR);

    let r = unsafe { wasi::path_rename(ROOT, "file.txt/", ROOT, "x") };
    expect("path_rename \"file.txt/\" -> x", r, NOTDIR);
    let r = unsafe { wasi::path_rename(ROOT, "rename_me.txt", ROOT, "x/") };
    expect("path_rename rename_me.txt -> \"x/\"", r, NOTDIR);
    println!(
        "after the renames: rename_me.txt {}, x {}",
        kind("rename_me.txt"),
        kind("x")
    );
    let r = unsafe { wasi::path_link(ROOT, 0, "file.txt/", ROOT, "x") };
    expect("path_link \"file.txt/\" -> x", r, NOTDIR);

    let mut buf = [0u8; 32];
    let r = unsafe { wasi::path_readlink(ROOT, "link_to_file/", buf.as_mut_ptr(), buf.len()) };
    expect("path_readlink \"link_to_file/\"", r, NOTDIR);
    let r = unsafe { wasi::path_readlink(ROOT, "link_to_dir/", buf.as_mut_ptr(), buf.len()) };
    expect(
        "path_readlink \"link_to_dir/\" (the directory, not a link)",
        r,
        INVAL,
    );

    let r = unsafe { wasi::path_unlink_file(ROOT, "file.txt/") };
    expect("path_unlink_file \"file.txt/\"", r, NOTDIR);
    let r = unsafe { wasi::path_unlink_file(ROOT, "unlink_me/") };
    expect(
        "path_unlink_file \"unlink_me/\" (a symlink to a file)",
        r,
        NOTDIR,
    );
    println!("unlink_me afterwards: {}", kind("unlink_me"));

    let r = unsafe { wasi::path_create_directory(ROOT, "newdir/") };
    expect("path_create_directory \"newdir/\"", r, SUCCESS);
    let r = unsafe { wasi::path_create_directory(ROOT, "file.txt/") };
    expect("path_create_directory \"file.txt/\"", r, EXIST);
    let r = unsafe { wasi::path_rename(ROOT, "newdir/", ROOT, "newdir2/") };
    expect("path_rename \"newdir/\" -> \"newdir2/\"", r, SUCCESS);
    let r = unsafe { wasi::path_remove_directory(ROOT, "newdir2/") };
    expect("path_remove_directory \"newdir2/\"", r, SUCCESS);
    let r = unsafe { wasi::path_remove_directory(ROOT, "link_to_dir/") };
    expect(
        "path_remove_directory \"link_to_dir/\" (a symlink)",
        r,
        NOTDIR,
    );
    println!(
        "newdir {}, newdir2 {}, dir {}",
        kind("newdir"),
        kind("newdir2"),
        kind("dir")
    );
    finish();
}
