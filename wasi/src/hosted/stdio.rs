//! The process's standard streams.

use std::io::{self, Read, Write};

use super::errno::from_io;
use crate::Errno;

/// Writes all of `data` to the process's stdout and flushes it, so the
/// guest's stdout and stderr come out in the order it wrote them.
pub(crate) fn write_stdout(data: &[u8]) -> Result<usize, Errno> {
    let mut out = io::stdout().lock();
    out.write_all(data)
        .and_then(|()| out.flush())
        .map_err(|e| from_io(&e))?;
    Ok(data.len())
}

/// Writes all of `data` to the process's stderr (unbuffered).
pub(crate) fn write_stderr(data: &[u8]) -> Result<usize, Errno> {
    let mut err = io::stderr().lock();
    err.write_all(data)
        .and_then(|()| err.flush())
        .map_err(|e| from_io(&e))?;
    Ok(data.len())
}

/// Reads what is available from the process's stdin (blocking until
/// something is); `Ok(0)` is end of input.
pub(crate) fn read_stdin(buf: &mut [u8]) -> Result<usize, Errno> {
    let mut input = io::stdin().lock();
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => return result.map_err(|e| from_io(&e)),
        }
    }
}
