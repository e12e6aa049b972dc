//! Standard input, output and error: reading stdin to its end, gather writes,
//! stderr, their fdstat, and a closed stdout.

use std::io::{Read, Write};

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("read stdin");
    println!(
        "stdin: {} bytes, {} lines",
        input.len(),
        input.lines().count()
    );
    for line in input.lines() {
        println!("  {}", line.to_uppercase());
    }
    let mut more = [0u8; 16];
    let n = std::io::stdin().read(&mut more).expect("read at end");
    println!("read at end of stdin: {n} bytes");
    let after = read(0, 16);
    println!("fd_read on stdin at its end: {:?}", after.map(|b| b.len()));

    eprintln!("a line on stderr");
    let parts: [&[u8]; 3] = [b"gather ", b"write ", b"to stdout\n"];
    let cio: Vec<wasi::Ciovec> = parts
        .iter()
        .map(|p| wasi::Ciovec {
            buf: p.as_ptr(),
            buf_len: p.len(),
        })
        .collect();
    let n = unsafe { wasi::fd_write(1, &cio) };
    check_eq("gather write to stdout", n, Ok(23));
    let n = unsafe { wasi::fd_write(2, &cio[2..]) };
    check_eq("write to stderr", n, Ok(10));
    let long = "x".repeat(1000);
    println!("{long}");
    std::io::stdout().flush().expect("flush");

    for fd in 0..3 {
        let stat = unsafe { wasi::fd_fdstat_get(fd) };
        let t = stat.map(|s| filetype_name(s.fs_filetype.raw()));
        println!("fd_fdstat_get {fd}: {t:?}");
        let ft = unsafe { wasi::fd_filestat_get(fd) }.map(|s| filetype_name(s.filetype.raw()));
        check_eq("fdstat and filestat agree on the type", ft, t);
    }
    let r = unsafe { wasi::fd_seek(1, 0, wasi::WHENCE_CUR) };
    expect_any("fd_seek on stdout", r, &[SPIPE, NOTCAPABLE], "refused");
    let r = unsafe { wasi::fd_tell(1) };
    expect_any("fd_tell on stdout", r, &[SPIPE, NOTCAPABLE], "refused");

    // Once stdout is closed, writes to it are EBADF (std drops them).
    std::io::stdout().flush().expect("flush");
    let r = unsafe { wasi::fd_close(1) };
    eprintln!("fd_close 1: {}", errno_name(r.code()));
    let r = write_all(1, b"lost\n");
    eprintln!("fd_write 1 after close: {}", errno_name(r.code()));
    check_eq("write after close", r.code(), BADF);
    println!("this line is dropped by std");
    eprintln!("end");
    kestrel_wasi_guests::finish_quiet();
}
