//! sock_accept, sock_recv, sock_send, sock_shutdown: no descriptor here is a
//! socket, so ENOTSOCK on open ones and EBADF on closed or unknown ones.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

fn socket_calls(fd: i32) -> [(&'static str, u16); 4] {
    let mut buf = [0u8; 16];
    let iov = [mut_ptr(&mut buf[..]) as u32, 16u32];
    let mut n = 0u32;
    let mut flags = 0u16;
    let mut new_fd = 0u32;
    unsafe {
        [
            (
                "sock_accept",
                raw::sock_accept(fd, 0, mut_ptr(&mut new_fd)) as u16,
            ),
            (
                "sock_recv",
                raw::sock_recv(fd, ptr(&iov), 1, 0, mut_ptr(&mut n), mut_ptr(&mut flags)) as u16,
            ),
            (
                "sock_send",
                raw::sock_send(fd, ptr(&iov), 1, 0, mut_ptr(&mut n)) as u16,
            ),
            ("sock_shutdown", raw::sock_shutdown(fd, 3) as u16),
        ]
    }
}

fn main() {
    let file = open(ROOT, "file.txt", 0).expect("open file.txt");
    let dir = open_dir(ROOT, "dir").expect("open dir");
    for (what, fd) in [
        ("stdin", 0),
        ("stdout", 1),
        ("a file", file),
        ("the preopen", ROOT),
        ("a directory", dir),
    ] {
        for (name, r) in socket_calls(fd as i32) {
            expect(&format!("{name} on {what}"), r, NOTSOCK);
        }
    }
    // The typed bindings too.
    let r = unsafe { wasi::sock_shutdown(file, wasi::SDFLAGS_RD) };
    expect("sock_shutdown RD on a file", r, NOTSOCK);
    let r = unsafe { wasi::sock_accept(file, 0) };
    expect("sock_accept on a file", r, NOTSOCK);
    unsafe { wasi::fd_close(file) }.expect("close");
    for (what, fd) in [("a closed fd", file as i32), ("fd 1234", 1234)] {
        for (name, r) in socket_calls(fd) {
            expect(&format!("{name} on {what}"), r, BADF);
        }
    }
    finish();
}
