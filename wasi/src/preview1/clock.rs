//! Clocks, randomness and the process: `clock_*`, `random_get`,
//! `sched_yield`, `proc_raise` (`proc_exit` is in the registration: it ends
//! the call instead of returning).

use crate::memory::GuestMemory;
use crate::types::ClockId;
use crate::{Errno, WasiCtx};

impl WasiCtx {
    pub(crate) fn clock_res_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        id: u32,
        res: u32,
    ) -> Result<(), Errno> {
        let clock = ClockId::from_raw(id).ok_or(Errno::Inval)?;
        let value = self.sys.clock_res(clock)?;
        mem.write_u64(res, value)
    }

    pub(crate) fn clock_time_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        id: u32,
        precision: u64,
        time: u32,
    ) -> Result<(), Errno> {
        let clock = ClockId::from_raw(id).ok_or(Errno::Inval)?;
        // Check the destination before asking the host.
        mem.slice(time, 8)?;
        let value = self.sys.clock_time(clock, precision)?;
        mem.write_u64(time, value)
    }

    pub(crate) fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: u32,
        len: u32,
    ) -> Result<(), Errno> {
        let dest = mem.slice_mut(buf, len)?;
        self.sys.random(dest)
    }

    pub(crate) fn sched_yield(&mut self, _mem: &mut GuestMemory<'_>) -> Result<(), Errno> {
        self.sys.sched_yield()
    }

    /// Signals are not delivered to WASI guests; like wasmtime, report that
    /// the operation is not supported.
    pub(crate) fn proc_raise(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        _signal: u32,
    ) -> Result<(), Errno> {
        Err(Errno::Nosys)
    }
}
