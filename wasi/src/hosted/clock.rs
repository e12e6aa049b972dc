//! Clocks, sleeping and randomness.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::errno;
use crate::Errno;
use crate::types::ClockId;

/// What the monotonic clock reads at [`HostSys::new`](super::HostSys::new):
/// one day. Any start would do (only differences mean something), but not
/// 0: guests subtract from "now" (Rust's `Instant::now() - interval`
/// panics when that goes below the clock's zero), and a small value is
/// easy to mistake for "unset".
pub(crate) const MONOTONIC_START_NS: u64 = 86_400 * 1_000_000_000;

/// The time of `clock` in nanoseconds.
///
/// - `Realtime`: the host's wall clock, since the Unix epoch.
/// - `Monotonic`: [`MONOTONIC_START_NS`] plus the time since `start`
///   (an [`Instant`], so it never goes back).
/// - `ProcessCputime` / `ThreadCputime`: `EINVAL`, the witx's answer for
///   an unsupported clock (wasmtime gives `EBADF`); `std` has no CPU-time
///   clock, and passing the
///   monotonic clock off as one would count time spent asleep. (wasi-libc's
///   emulated `clock()` and `getrusage()` use the monotonic clock
///   themselves, so C programs calling those still work.)
pub(crate) fn time(start: Instant, clock: ClockId) -> Result<u64, Errno> {
    match clock {
        ClockId::Realtime => {
            let since = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| Errno::Overflow)?;
            nanos(since)
        }
        ClockId::Monotonic => {
            let elapsed = nanos(start.elapsed())?;
            elapsed
                .checked_add(MONOTONIC_START_NS)
                .ok_or(Errno::Overflow)
        }
        ClockId::ProcessCputime | ClockId::ThreadCputime => Err(Errno::Inval),
    }
}

/// The resolution of `clock`: 1 ns for the two clocks there are (both are
/// read from nanosecond-resolution host clocks), `EINVAL` for the CPU-time
/// clocks, as [`time`] says.
pub(crate) fn res(clock: ClockId) -> Result<u64, Errno> {
    match clock {
        ClockId::Realtime | ClockId::Monotonic => Ok(1),
        ClockId::ProcessCputime | ClockId::ThreadCputime => Err(Errno::Inval),
    }
}

fn nanos(d: Duration) -> Result<u64, Errno> {
    u64::try_from(d.as_nanos()).map_err(|_| Errno::Overflow)
}

/// Blocks the calling thread for `nanos` nanoseconds.
pub(crate) fn sleep(nanos: u64) {
    std::thread::sleep(Duration::from_nanos(nanos));
}

/// Fills `buf` from the host's secure random source.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), Errno> {
    getrandom::fill(buf).map_err(|e| {
        e.raw_os_error()
            .and_then(errno::from_raw_os_error)
            .unwrap_or(Errno::Io)
    })
}
