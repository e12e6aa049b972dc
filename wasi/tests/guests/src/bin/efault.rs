//! EFAULT from every pointer argument of the fd_* and path_* functions:
//! addresses far outside memory, ranges straddling its end, and iovecs whose
//! buffers lie outside. (args_*, environ_*, clock_*, random_get and
//! poll_oneoff have theirs in their own programs.)

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

fn main() {
    let root = ROOT as i32;
    let f = open(ROOT, "scratch.txt", wasi::OFLAGS_CREAT).expect("create scratch.txt") as i32;
    let d = open_dir(ROOT, "dir").expect("open dir") as i32;
    let mut buf = [0u8; 256];
    let mut n32 = 0u32;
    let good_iov = [mut_ptr(&mut buf[..]) as u32, 16u32];
    let bad_iov = [BAD_PTR as u32, 16u32];
    let end_iov = [straddle(16) as u32, 16u32];
    let nb = mut_ptr(&mut buf[..]);
    let p = |s: &'static str| (s.as_ptr() as i32, s.len() as i32);
    let (file, file_len) = p("file.txt");
    let (link, link_len) = p("link");
    let (newp, new_len) = p("new");
    let (dirp, dir_len) = p("dir");
    let mem = mem_end() as i32;

    let cases: Vec<(&str, i32)> = unsafe {
        vec![
            (
                "fd_write iovs out of bounds",
                raw::fd_write(f, BAD_PTR, 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_write iovs straddling the end",
                raw::fd_write(f, straddle(8), 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_write iovs count past memory",
                raw::fd_write(f, ptr(&good_iov), 0x2000_0000, mut_ptr(&mut n32)),
            ),
            (
                "fd_write buffer out of bounds",
                raw::fd_write(f, ptr(&bad_iov), 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_write buffer straddling the end",
                raw::fd_write(f, ptr(&end_iov), 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_write nwritten out of bounds",
                raw::fd_write(f, ptr(&good_iov), 1, BAD_PTR),
            ),
            (
                "fd_read iovs out of bounds",
                raw::fd_read(f, BAD_PTR, 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_read buffer out of bounds",
                raw::fd_read(f, ptr(&bad_iov), 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_read buffer straddling the end",
                raw::fd_read(f, ptr(&end_iov), 1, mut_ptr(&mut n32)),
            ),
            (
                "fd_read nread out of bounds",
                raw::fd_read(f, ptr(&good_iov), 1, BAD_PTR),
            ),
            (
                "fd_pwrite iovs out of bounds",
                raw::fd_pwrite(f, BAD_PTR, 1, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_pwrite buffer out of bounds",
                raw::fd_pwrite(f, ptr(&bad_iov), 1, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_pwrite nwritten out of bounds",
                raw::fd_pwrite(f, ptr(&good_iov), 1, 0, BAD_PTR),
            ),
            (
                "fd_pread iovs out of bounds",
                raw::fd_pread(f, BAD_PTR, 1, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_pread buffer out of bounds",
                raw::fd_pread(f, ptr(&bad_iov), 1, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_pread buffer straddling the end",
                raw::fd_pread(f, ptr(&end_iov), 1, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_pread nread out of bounds",
                raw::fd_pread(f, ptr(&good_iov), 1, 0, BAD_PTR),
            ),
            (
                "fd_seek newoffset out of bounds",
                raw::fd_seek(f, 0, 0, BAD_PTR),
            ),
            (
                "fd_seek newoffset straddling the end",
                raw::fd_seek(f, 0, 0, straddle(8)),
            ),
            ("fd_tell out of bounds", raw::fd_tell(f, BAD_PTR)),
            (
                "fd_fdstat_get out of bounds",
                raw::fd_fdstat_get(f, BAD_PTR),
            ),
            (
                "fd_fdstat_get straddling the end",
                raw::fd_fdstat_get(f, straddle(24)),
            ),
            (
                "fd_filestat_get out of bounds",
                raw::fd_filestat_get(f, BAD_PTR),
            ),
            (
                "fd_filestat_get straddling the end",
                raw::fd_filestat_get(f, straddle(64)),
            ),
            (
                "fd_prestat_get out of bounds",
                raw::fd_prestat_get(root, BAD_PTR),
            ),
            (
                "fd_prestat_get straddling the end",
                raw::fd_prestat_get(root, straddle(8)),
            ),
            (
                "fd_prestat_dir_name out of bounds",
                raw::fd_prestat_dir_name(root, BAD_PTR, 1),
            ),
            (
                "fd_prestat_dir_name just past the end",
                raw::fd_prestat_dir_name(root, mem, 1),
            ),
            (
                "fd_readdir buffer out of bounds",
                raw::fd_readdir(d, BAD_PTR, 256, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_readdir buffer straddling the end",
                raw::fd_readdir(d, straddle(256), 256, 0, mut_ptr(&mut n32)),
            ),
            (
                "fd_readdir bufused out of bounds",
                raw::fd_readdir(d, nb, 256, 0, BAD_PTR),
            ),
            (
                "path_open path out of bounds",
                raw::path_open(root, 0, BAD_PTR, 4, 0, 0, 0, 0, mut_ptr(&mut n32)),
            ),
            (
                "path_open path length past memory",
                raw::path_open(root, 0, file, mem, 0, 0, 0, 0, mut_ptr(&mut n32)),
            ),
            (
                "path_open fd out of bounds",
                raw::path_open(root, 0, file, file_len, 0, 2, 0, 0, BAD_PTR),
            ),
            (
                "path_create_directory path out of bounds",
                raw::path_create_directory(root, BAD_PTR, 3),
            ),
            (
                "path_create_directory path straddling the end",
                raw::path_create_directory(root, straddle(8), 8),
            ),
            (
                "path_filestat_get path out of bounds",
                raw::path_filestat_get(root, 0, BAD_PTR, 4, nb),
            ),
            (
                "path_filestat_get filestat out of bounds",
                raw::path_filestat_get(root, 0, file, file_len, BAD_PTR),
            ),
            (
                "path_filestat_get filestat straddling the end",
                raw::path_filestat_get(root, 0, file, file_len, straddle(64)),
            ),
            (
                "path_filestat_set_times path out of bounds",
                raw::path_filestat_set_times(root, 0, BAD_PTR, 4, 0, 0, 8),
            ),
            (
                "path_link old path out of bounds",
                raw::path_link(root, 0, BAD_PTR, 4, root, newp, new_len),
            ),
            (
                "path_link new path out of bounds",
                raw::path_link(root, 0, file, file_len, root, BAD_PTR, 4),
            ),
            (
                "path_readlink path out of bounds",
                raw::path_readlink(root, BAD_PTR, 4, nb, 256, mut_ptr(&mut n32)),
            ),
            (
                "path_readlink buffer out of bounds",
                raw::path_readlink(root, link, link_len, BAD_PTR, 256, mut_ptr(&mut n32)),
            ),
            (
                "path_readlink buffer straddling the end",
                raw::path_readlink(root, link, link_len, mem - 4, 256, mut_ptr(&mut n32)),
            ),
            (
                "path_readlink bufused out of bounds",
                raw::path_readlink(root, link, link_len, nb, 256, BAD_PTR),
            ),
            (
                "path_remove_directory path out of bounds",
                raw::path_remove_directory(root, BAD_PTR, 3),
            ),
            (
                "path_rename old path out of bounds",
                raw::path_rename(root, BAD_PTR, 4, root, newp, new_len),
            ),
            (
                "path_rename new path out of bounds",
                raw::path_rename(root, dirp, dir_len, root, BAD_PTR, 4),
            ),
            (
                "path_symlink old path out of bounds",
                raw::path_symlink(BAD_PTR, 4, root, newp, new_len),
            ),
            (
                "path_symlink new path out of bounds",
                raw::path_symlink(file, file_len, root, BAD_PTR, 4),
            ),
            (
                "path_unlink_file path out of bounds",
                raw::path_unlink_file(root, BAD_PTR, 4),
            ),
            (
                "path_unlink_file path straddling the end",
                raw::path_unlink_file(root, mem - 2, 4),
            ),
        ]
    };
    for (what, r) in cases {
        expect(what, r, FAULT);
    }
    // The descriptors still work.
    check_eq(
        "dir still lists",
        unsafe { wasi::fd_readdir(d as u32, buf.as_mut_ptr(), 256, 0) }.is_ok(),
        true,
    );
    expect(
        "unlink scratch.txt",
        unsafe { wasi::path_unlink_file(ROOT, "scratch.txt") },
        SUCCESS,
    );
    finish();
}
