//! The console, and WASI over it.

use core::fmt;

use kestrel_wasi::{Errno, WasiSys};

/// A byte sink for text: a UART, semihosting, a USB CDC endpoint.
///
/// Boards implement it on a zero-sized handle to their output device, which
/// is why it is `Copy`: the runner, WASI and the panic handler each hold
/// one. `Send + 'static` because WASI keeps its system interface in the
/// store as a `Box<dyn WasiSys + Send>`.
pub trait Console: Copy + Send + 'static {
    /// Writes all of `bytes`, blocking until the device took them.
    fn write(&self, bytes: &[u8]);
}

/// `core::fmt` output to a [`Console`].
pub struct Writer<C: Console>(pub C);

impl<C: Console> fmt::Write for Writer<C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// The firmware's WASI system interface: standard output and standard error
/// go to the console; everything else keeps `WasiSys`'s defaults, which fail
/// the way a system without that facility does (`ENOSYS` for clocks and
/// randomness, `EBADF` for files), and standard input is always at its end.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleSys<C: Console>(pub C);

impl<C: Console> WasiSys for ConsoleSys<C> {
    fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno> {
        self.0.write(data);
        Ok(data.len())
    }

    fn write_stderr(&mut self, data: &[u8]) -> Result<usize, Errno> {
        self.0.write(data);
        Ok(data.len())
    }
}
