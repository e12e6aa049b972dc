//! Attempts to leave the preopened directory, each of which must be refused:
//! absolute paths, "..", symbolic links (made by the host and by the guest)
//! pointing outside, loops, and every path_* function through such paths.
//! Prints `escape <name>: refused errno=<n>` per attempt.
//!
//! Argument 1 is the host path of the directory that holds the preopen, so
//! that absolute host paths can be tried; it is never printed.

use kestrel_wasi_guests::*;

const FOLLOW: u32 = wasi::LOOKUPFLAGS_SYMLINK_FOLLOW;
const READ: u64 = wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_READDIR;

/// Opens for reading, and for writing too when creating or truncating.
fn open_at(dir: u32, path: &str, lookup: u32, oflags: u16) -> Result<u32, wasi::Errno> {
    let writes = oflags & (wasi::OFLAGS_CREAT | wasi::OFLAGS_TRUNC) != 0;
    let rights = if writes {
        READ | wasi::RIGHTS_FD_WRITE
    } else {
        READ
    };
    unsafe { wasi::path_open(dir, lookup, path, oflags, rights, 0, 0) }
}

struct Attempts {
    count: usize,
}

impl Attempts {
    /// Records one attempt: `result` is its outcome, an opened descriptor
    /// when it succeeded.
    fn attempt(&mut self, name: &str, result: Result<Option<u32>, wasi::Errno>) {
        self.count += 1;
        match result {
            Err(e) => println!("escape {name}: refused errno={}", e.raw()),
            Ok(fd) => {
                let leaked = fd.map(|fd| {
                    let bytes = read(fd, 64).unwrap_or_default();
                    unsafe { wasi::fd_close(fd) }.ok();
                    String::from_utf8_lossy(&bytes).into_owned()
                });
                println!("escape {name}: SUCCEEDED");
                fail(format_args!("escape {name} succeeded (read {leaked:?})"));
            }
        }
    }

    fn open(&mut self, name: &str, path: &str, lookup: u32, oflags: u16) {
        self.attempt(name, open_at(ROOT, path, lookup, oflags).map(Some));
    }

    fn call(&mut self, name: &str, result: Result<(), wasi::Errno>) {
        self.attempt(name, result.map(|()| None));
    }
}

fn main() {
    let host = std::env::args()
        .nth(1)
        .expect("the host directory as argument 1");
    let canary_abs = format!("{host}/canary.txt");
    let mut a = Attempts { count: 0 };

    // Absolute paths.
    a.open("absolute_etc_passwd", "/etc/passwd", FOLLOW, 0);
    a.open("absolute_host_canary", &canary_abs, FOLLOW, 0);
    a.open("absolute_root_dir", "/", FOLLOW, wasi::OFLAGS_DIRECTORY);
    // "..".
    a.open("dotdot_dir", "..", FOLLOW, wasi::OFLAGS_DIRECTORY);
    a.open("dotdot_file", "../canary.txt", FOLLOW, 0);
    a.open("dot_dotdot_file", "./../canary.txt", FOLLOW, 0);
    a.open("sub_dotdot_dotdot", "sub/../../canary.txt", FOLLOW, 0);
    a.open(
        "sub_dotdot_dotdot_dir",
        "sub/../..",
        FOLLOW,
        wasi::OFLAGS_DIRECTORY,
    );
    a.open("out_and_back_in", "../sandbox/file.txt", FOLLOW, 0);
    a.open(
        "many_dotdots",
        "../../../../../../../../etc/passwd",
        FOLLOW,
        0,
    );
    a.open("dotdot_outside_dir", "../outside_dir/secret.txt", FOLLOW, 0);
    // Symbolic links made by the host.
    a.open("symlink_relative_out", "rel_canary", FOLLOW, 0);
    a.open("symlink_absolute_out", "abs_canary", FOLLOW, 0);
    a.open("symlink_absolute_in", "abs_inside", FOLLOW, 0);
    a.open("symlink_to_parent", "up/canary.txt", FOLLOW, 0);
    a.open(
        "symlink_to_parent_dir",
        "up",
        FOLLOW,
        wasi::OFLAGS_DIRECTORY,
    );
    a.open("symlink_absolute_dir", "abs_dir/canary.txt", FOLLOW, 0);
    a.open("symlink_nested_up", "sub/up2/canary.txt", FOLLOW, 0);
    a.open("symlink_with_dotdots", "deep", FOLLOW, 0);
    a.open("symlink_chain_out", "chain1", FOLLOW, 0);
    a.open("symlink_loop", "loop1", FOLLOW, 0);
    a.open("symlink_to_itself", "self", FOLLOW, 0);
    a.open("symlink_loop_in_path", "loop1/x", 0, 0);
    a.open(
        "create_through_dangling_symlink",
        "dangling_out",
        FOLLOW,
        wasi::OFLAGS_CREAT,
    );
    // Symbolic links made by the guest: making one is refused (a host may
    // refuse targets that can only lead out) or following it is.
    for (name, target, link, path) in [
        (
            "guest_symlink_relative_out",
            "../canary.txt",
            "g_rel",
            "g_rel",
        ),
        (
            "guest_symlink_absolute_out",
            canary_abs.as_str(),
            "g_abs",
            "g_abs",
        ),
        ("guest_symlink_to_parent", "..", "g_up", "g_up/canary.txt"),
        (
            "guest_symlink_with_dotdots",
            "sub/../../outside_dir",
            "g_deep",
            "g_deep/secret.txt",
        ),
    ] {
        match unsafe { wasi::path_symlink(target, ROOT, link) } {
            Ok(()) => a.open(name, path, FOLLOW, 0),
            Err(e) => a.attempt(name, Err(e)),
        }
    }
    // Writing outside.
    let mk = |p: &str| unsafe { wasi::path_create_directory(ROOT, p) };
    a.call("mkdir_dotdot", mk("../escape_dir"));
    a.call("mkdir_through_symlink", mk("up/escape_dir"));
    a.call("mkdir_absolute", mk(&format!("{host}/escape_dir")));
    a.open(
        "create_dotdot",
        "../escape_file",
        FOLLOW,
        wasi::OFLAGS_CREAT,
    );
    a.open(
        "create_through_symlink",
        "up/escape_file",
        FOLLOW,
        wasi::OFLAGS_CREAT,
    );
    a.open(
        "truncate_outside",
        "../canary.txt",
        FOLLOW,
        wasi::OFLAGS_TRUNC,
    );
    a.call("unlink_dotdot", unsafe {
        wasi::path_unlink_file(ROOT, "../canary.txt")
    });
    a.call("unlink_through_symlink", unsafe {
        wasi::path_unlink_file(ROOT, "up/canary.txt")
    });
    a.call("rmdir_dotdot", unsafe {
        wasi::path_remove_directory(ROOT, "../outside_empty")
    });
    a.call("rmdir_through_symlink", unsafe {
        wasi::path_remove_directory(ROOT, "up/outside_empty")
    });
    a.call("rename_out", unsafe {
        wasi::path_rename(ROOT, "file.txt", ROOT, "../moved_out.txt")
    });
    a.call("rename_in", unsafe {
        wasi::path_rename(ROOT, "../canary.txt", ROOT, "stolen.txt")
    });
    a.call("rename_in_through_symlink", unsafe {
        wasi::path_rename(ROOT, "up/canary.txt", ROOT, "stolen.txt")
    });
    a.call("link_in", unsafe {
        wasi::path_link(ROOT, 0, "../canary.txt", ROOT, "hard_in")
    });
    a.call("link_out", unsafe {
        wasi::path_link(ROOT, 0, "file.txt", ROOT, "../hard_out")
    });
    a.call("link_following_symlink_out", unsafe {
        wasi::path_link(ROOT, FOLLOW, "rel_canary", ROOT, "hard_via_link")
    });
    a.call("symlink_placed_outside", unsafe {
        wasi::path_symlink("file.txt", ROOT, "../sym_out")
    });
    // Reading metadata outside.
    let mut buf = [0u8; 64];
    let r = unsafe { wasi::path_readlink(ROOT, "../sandbox/up", buf.as_mut_ptr(), buf.len()) };
    a.call("readlink_dotdot", r.map(|_| ()));
    let r = unsafe { wasi::path_readlink(ROOT, "up/sandbox/up", buf.as_mut_ptr(), buf.len()) };
    a.call("readlink_through_symlink", r.map(|_| ()));
    a.call(
        "filestat_dotdot",
        path_filestat(ROOT, "../canary.txt", false).map(|_| ()),
    );
    a.call(
        "filestat_following_symlink",
        path_filestat(ROOT, "rel_canary", true).map(|_| ()),
    );
    a.call(
        "filestat_through_symlink",
        path_filestat(ROOT, "up/canary.txt", false).map(|_| ()),
    );
    let t = |flags: u32, p: &str| unsafe {
        wasi::path_filestat_set_times(ROOT, flags, p, 0, 0, wasi::FSTFLAGS_MTIM_NOW)
    };
    a.call("set_times_dotdot", t(0, "../canary.txt"));
    a.call("set_times_following_symlink", t(FOLLOW, "rel_canary"));
    a.call("set_times_absolute", t(FOLLOW, &canary_abs));
    // A directory descriptor is a sandbox of its own.
    let sub = open_dir(ROOT, "sub").expect("open sub");
    let r = open_at(sub, "../file.txt", FOLLOW, 0);
    a.attempt("subdir_fd_dotdot", r.map(Some));
    let r = open_at(sub, "..", FOLLOW, wasi::OFLAGS_DIRECTORY);
    a.attempt("subdir_fd_parent", r.map(Some));
    unsafe { wasi::fd_close(sub) }.expect("close");
    // Not escapes, but refused the same way in any case.
    a.open("trailing_slash_on_file", "file.txt/", FOLLOW, 0);
    a.open(
        "file_as_directory_then_dotdot",
        "file.txt/../../canary.txt",
        FOLLOW,
        0,
    );
    a.open("backslash_is_not_a_separator", "..\\canary.txt", FOLLOW, 0);
    println!("{} escape attempts, all refused", a.count);

    // The inside is still usable.
    println!(
        "file.txt: {:?}",
        slurp(ROOT, "file.txt").map(|b| String::from_utf8_lossy(&b).into_owned())
    );
    println!(
        "sub/../file.txt: {:?}",
        slurp(ROOT, "sub/../file.txt").map(|b| String::from_utf8_lossy(&b).into_owned())
    );
    let nofollow =
        path_filestat(ROOT, "rel_canary", false).map(|s| filetype_name(s.filetype.raw()));
    println!("rel_canary itself (no follow): {nofollow:?}");
    let mut buf = [0u8; 64];
    let n = unsafe { wasi::path_readlink(ROOT, "rel_canary", buf.as_mut_ptr(), buf.len()) };
    println!(
        "readlink rel_canary: {:?}",
        n.map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
    );
    // g_abs names the host directory; it must not stay behind.
    let _ = unsafe { wasi::path_unlink_file(ROOT, "g_abs") };
    finish();
}
