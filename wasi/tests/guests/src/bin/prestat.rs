//! fd_prestat_get and fd_prestat_dir_name over several preopens (one named
//! "/", as `--dir host::/` gives), their exact name bytes with no NUL, and
//! std resolving absolute paths through the longest matching preopen.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

fn main() {
    let mut fd = 3;
    loop {
        let mut pre = [0xAAu8; 8];
        let r = unsafe { raw::fd_prestat_get(fd as i32, mut_ptr(&mut pre)) };
        if r as u16 == BADF {
            println!("fd {fd}: not a preopen (EBADF)");
            break;
        }
        if !check_eq("fd_prestat_get", r, 0) {
            break;
        }
        let tag = pre[0];
        let len = u32::from_le_bytes(pre[4..8].try_into().unwrap());
        check_eq("prestat tag is preopentype::dir", tag, 0);
        // Exactly the name's bytes: no NUL, nothing past it.
        let mut name = vec![0xAAu8; len as usize + 16];
        let r = unsafe { raw::fd_prestat_dir_name(fd as i32, mut_ptr(&mut name[..]), len as i32) };
        check_eq("fd_prestat_dir_name", r, 0);
        check(
            name[len as usize..].iter().all(|b| *b == 0xAA),
            "nothing written past the name",
        );
        let shown = String::from_utf8_lossy(&name[..len as usize]).into_owned();
        check(!name[..len as usize].contains(&0), "no NUL in the name");
        println!("fd {fd}: preopened directory {shown:?} (name length {len})");
        // A larger buffer gets the same bytes, still without a NUL.
        let mut big = vec![0xAAu8; len as usize + 16];
        let r =
            unsafe { raw::fd_prestat_dir_name(fd as i32, mut_ptr(&mut big[..]), len as i32 + 8) };
        check_eq("fd_prestat_dir_name with a larger buffer", r, 0);
        check_eq("same bytes, no NUL, nothing more", &big, &name);
        // A smaller one is refused.
        let mut small = vec![0xAAu8; len as usize + 16];
        let r =
            unsafe { raw::fd_prestat_dir_name(fd as i32, mut_ptr(&mut small[..]), len as i32 - 1) };
        expect(
            &format!("fd {fd}: fd_prestat_dir_name with a buffer 1 byte short"),
            r,
            NAMETOOLONG,
        );
        let stat = unsafe { wasi::fd_fdstat_get(fd) }.expect("fdstat");
        check_eq("preopen filetype", stat.fs_filetype.raw(), 3);
        check(
            stat.fs_rights_base & wasi::RIGHTS_PATH_OPEN != 0,
            "preopen may open paths",
        );
        fd += 1;
    }

    // Only preopens have a prestat.
    let mut pre = [0u8; 8];
    for fd in [0, 1, 2, 1000] {
        let r = unsafe { raw::fd_prestat_get(fd, mut_ptr(&mut pre)) };
        expect(&format!("fd_prestat_get fd {fd}"), r, BADF);
        // Not specified; wasmtime says ENOTDIR.
        let r = unsafe { raw::fd_prestat_dir_name(fd, mut_ptr(&mut pre), 8) };
        expect_any(
            &format!("fd_prestat_dir_name fd {fd}"),
            r,
            &[BADF, NOTDIR],
            "EBADF or ENOTDIR",
        );
    }
    let sub = open_dir(ROOT, "sub").expect("open sub");
    expect(
        "fd_prestat_get on an opened (not preopened) directory",
        unsafe { wasi::fd_prestat_get(sub) },
        BADF,
    );
    let r = unsafe { raw::fd_prestat_dir_name(sub as i32, mut_ptr(&mut pre), 8) };
    expect_any(
        "fd_prestat_dir_name on it",
        r,
        &[BADF, NOTDIR],
        "EBADF or ENOTDIR",
    );
    unsafe { wasi::fd_close(sub) }.expect("close");

    // std finds files through the preopen whose name is the longest prefix.
    println!(
        "read /hello.txt: {:?}",
        std::fs::read_to_string("/hello.txt").ok()
    );
    println!(
        "read /data/in_data.txt: {:?}",
        std::fs::read_to_string("/data/in_data.txt").ok()
    );
    println!(
        "read hello.txt (relative to /): {:?}",
        std::fs::read_to_string("hello.txt").ok()
    );
    println!(
        "read /sub/../hello.txt: {:?}",
        std::fs::read_to_string("/sub/../hello.txt").ok()
    );
    let mut names: Vec<String> = std::fs::read_dir("/")
        .expect("read_dir /")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    names.sort();
    println!("read_dir /: {names:?}");

    // A closed preopen is gone.
    let last = fd - 1;
    expect(
        &format!("fd_close preopen {last}"),
        unsafe { wasi::fd_close(last) },
        SUCCESS,
    );
    expect(
        &format!("fd_prestat_get {last} after close"),
        unsafe { wasi::fd_prestat_get(last) },
        BADF,
    );
    finish();
}
