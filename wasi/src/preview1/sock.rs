//! `sock_*`: Kestrel's descriptor table holds no sockets.
//!
//! As wasmtime's preview1: a descriptor that does not exist is `EBADF`, any
//! other is `ENOTSOCK`. Nothing else is looked at (arguments, flags or guest
//! memory).

use crate::memory::GuestMemory;
use crate::{Errno, WasiCtx};

impl WasiCtx {
    fn not_a_socket(&self, fd: u32) -> Result<(), Errno> {
        self.entry(fd)?;
        Err(Errno::Notsock)
    }

    pub(crate) fn sock_accept(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        _flags: u32,
        _opened: u32,
    ) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sock_recv(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        _ri_data: u32,
        _ri_data_len: u32,
        _ri_flags: u32,
        _ro_datalen: u32,
        _ro_flags: u32,
    ) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }

    pub(crate) fn sock_send(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        _si_data: u32,
        _si_data_len: u32,
        _si_flags: u32,
        _so_datalen: u32,
    ) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }

    pub(crate) fn sock_shutdown(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: u32,
        _how: u32,
    ) -> Result<(), Errno> {
        self.not_a_socket(fd)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, ROOT};
    use crate::Errno;
    use crate::types::rights;

    #[test]
    fn descriptors_are_not_sockets_and_unknown_ones_are_ebadf() {
        let mut fx = Fixture::new();
        let file = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        for (fd, expected) in [
            (0, Errno::Notsock),
            (1, Errno::Notsock),
            (ROOT, Errno::Notsock),
            (file, Errno::Notsock),
            (99, Errno::Badf),
        ] {
            let results = fx.call(|ctx, mem| {
                [
                    ctx.sock_accept(mem, fd, 0, 0x40),
                    ctx.sock_recv(mem, fd, 0x200, 1, 0, 0x40, 0x44),
                    ctx.sock_send(mem, fd, 0x200, 1, 0, 0x40),
                    ctx.sock_shutdown(mem, fd, 3),
                ]
            });
            assert_eq!(results, [Err(expected); 4], "fd {fd}");
        }
        // Even with pointers that are not in memory: only the descriptor matters.
        assert_eq!(
            fx.call(|ctx, mem| ctx.sock_recv(mem, 1, u32::MAX, u32::MAX, 0, u32::MAX, u32::MAX)),
            Err(Errno::Notsock)
        );
    }
}
