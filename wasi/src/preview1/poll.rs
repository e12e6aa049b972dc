//! `poll_oneoff`: wait for clocks, or report descriptors ready.
//!
//! Descriptors never block here: a file is ready as soon as the
//! [`WasiSys::poll_ready`](crate::WasiSys::poll_ready) says how much it has,
//! stdio is always ready. So if any descriptor subscription is present the
//! call reports at once, without sleeping (with any clock already due);
//! otherwise it sleeps until the earliest clock and reports the clocks due
//! then.

use alloc::vec::Vec;

use crate::ctx::FdKind;
use crate::memory::GuestMemory;
use crate::types::{ClockId, poll, rights};
use crate::{Errno, Input, WasiCtx};

/// `eventrwflags::fd_readwrite_hangup`
const HANGUP: u16 = 1;

/// One decoded subscription.
enum Sub {
    /// Nanoseconds left until the clock fires, or why they cannot be known.
    Clock(Result<u64, Errno>),
    /// A descriptor to be read (`write == false`) or written.
    Fd { fd: u32, write: bool },
}

/// One `event` to write back.
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn encode(&self) -> [u8; poll::EVENT_SIZE] {
        let mut b = [0u8; poll::EVENT_SIZE];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&(self.error as u16).to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

impl WasiCtx {
    /// Decodes the subscription at `at`; a tag, clock or flag the witx does
    /// not define is `EINVAL` for the whole call.
    fn subscription(&mut self, mem: &GuestMemory<'_>, at: u32) -> Result<(u64, u8, Sub), Errno> {
        let field = |offset: u32| at.checked_add(offset).ok_or(Errno::Fault);
        let userdata = mem.read_u64(at)?;
        let tag = mem
            .slice(field(8)?, 1)?
            .first()
            .copied()
            .ok_or(Errno::Fault)?;
        let sub = match tag {
            poll::CLOCK => {
                let clock = ClockId::from_raw(mem.read_u32(field(16)?)?).ok_or(Errno::Inval)?;
                let timeout = mem.read_u64(field(24)?)?;
                let precision = mem.read_u64(field(32)?)?;
                let flags = mem.read_u16(field(40)?)?;
                if flags & !poll::ABSTIME != 0 {
                    return Err(Errno::Inval);
                }
                let remaining = if flags & poll::ABSTIME != 0 {
                    self.sys
                        .clock_time(clock, precision)
                        .map(|now| timeout.saturating_sub(now))
                } else {
                    Ok(timeout)
                };
                Sub::Clock(remaining)
            }
            poll::FD_READ | poll::FD_WRITE => Sub::Fd {
                fd: mem.read_u32(field(16)?)?,
                write: tag == poll::FD_WRITE,
            },
            _ => return Err(Errno::Inval),
        };
        Ok((userdata, tag, sub))
    }

    /// How much `fd` can be read or written now, and the event flags: stdin
    /// reports the bytes left of [`Input::Bytes`] and hangs up at the end
    /// of its input; other stdio reports 0 bytes; files ask the host.
    fn fd_readiness(&mut self, fd: u32, write: bool) -> Result<(u64, u16), Errno> {
        let entry = self.entry(fd)?;
        let host = match (&entry.kind, write) {
            (FdKind::File(host), _) => Some(*host),
            (FdKind::Stdin, false) | (FdKind::Stdout | FdKind::Stderr, true) => None,
            _ => return Err(Errno::Badf),
        };
        entry.check(rights::POLL_FD_READWRITE)?;
        match host {
            Some(host) => Ok((self.sys.poll_ready(host, write)?, 0)),
            None if write => Ok((0, 0)),
            None => Ok(match &self.stdin {
                Input::Inherit => (0, 0),
                Input::Bytes { data, pos } => {
                    let left = data.len().saturating_sub(*pos) as u64;
                    (left, if left == 0 { HANGUP } else { 0 })
                }
                Input::Empty => (0, HANGUP),
            }),
        }
    }

    pub(crate) fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        subscriptions: u32,
        events: u32,
        nsubscriptions: u32,
        nevents: u32,
    ) -> Result<(), Errno> {
        // No subscription would sleep forever: preview1 has no such thing.
        if nsubscriptions == 0 {
            return Err(Errno::Inval);
        }
        let in_size = nsubscriptions
            .checked_mul(poll::SUBSCRIPTION_SIZE as u32)
            .ok_or(Errno::Fault)?;
        let out_size = nsubscriptions
            .checked_mul(poll::EVENT_SIZE as u32)
            .ok_or(Errno::Fault)?;
        mem.slice(subscriptions, in_size)?;
        mem.slice(events, out_size)?;
        mem.slice(nevents, 4)?;

        // Both regions are in memory: `nsubscriptions` is bounded by its size.
        let mut subs = Vec::new();
        subs.try_reserve_exact(nsubscriptions as usize)
            .map_err(|_| Errno::Nomem)?;
        for i in 0..nsubscriptions {
            let at = subscriptions + i * poll::SUBSCRIPTION_SIZE as u32;
            subs.push(self.subscription(mem, at)?);
        }

        let immediate = subs.iter().any(|(_, _, sub)| match sub {
            Sub::Fd { .. } => true,
            Sub::Clock(remaining) => !matches!(remaining, Ok(n) if *n > 0),
        });
        let due = if immediate {
            0
        } else {
            let earliest = subs
                .iter()
                .filter_map(|(_, _, sub)| match sub {
                    Sub::Clock(Ok(n)) => Some(*n),
                    _ => None,
                })
                .min()
                .unwrap_or(0);
            self.sys.sleep(earliest)?;
            earliest
        };

        let mut count: u32 = 0;
        for (userdata, kind, sub) in subs {
            let event = match sub {
                Sub::Clock(Ok(n)) if n <= due => Event {
                    userdata,
                    error: Errno::Success,
                    kind,
                    nbytes: 0,
                    flags: 0,
                },
                Sub::Clock(Ok(_)) => continue,
                Sub::Clock(Err(error)) => Event {
                    userdata,
                    error,
                    kind,
                    nbytes: 0,
                    flags: 0,
                },
                Sub::Fd { fd, write } => match self.fd_readiness(fd, write) {
                    Ok((nbytes, flags)) => Event {
                        userdata,
                        error: Errno::Success,
                        kind,
                        nbytes,
                        flags,
                    },
                    Err(error) => Event {
                        userdata,
                        error,
                        kind,
                        nbytes: 0,
                        flags: 0,
                    },
                },
            };
            mem.write(events + count * poll::EVENT_SIZE as u32, &event.encode())?;
            count += 1;
        }
        mem.write_u32(nevents, count)
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::super::testing::{Fixture, OUT, ROOT};
    use crate::types::{poll, rights};
    use crate::{Errno, Input};

    const SUBS: u32 = 0x400;
    const EVENTS: u32 = 0x800;

    enum S {
        /// userdata, clock id, timeout, flags
        Clock(u64, u32, u64, u16),
        /// userdata, fd
        Read(u64, u32),
        Write(u64, u32),
    }

    fn put_subs(fx: &mut Fixture, subs: &[S]) {
        for (i, s) in subs.iter().enumerate() {
            let at = SUBS + 48 * i as u32;
            fx.put(at, &[0; 48]);
            match *s {
                S::Clock(userdata, id, timeout, flags) => {
                    fx.put_u64(at, userdata);
                    fx.put(at + 8, &[poll::CLOCK]);
                    fx.put_u32(at + 16, id);
                    fx.put_u64(at + 24, timeout);
                    fx.put_u64(at + 32, 1);
                    fx.put(at + 40, &flags.to_le_bytes());
                }
                S::Read(userdata, fd) | S::Write(userdata, fd) => {
                    fx.put_u64(at, userdata);
                    let tag = if matches!(s, S::Read(..)) {
                        poll::FD_READ
                    } else {
                        poll::FD_WRITE
                    };
                    fx.put(at + 8, &[tag]);
                    fx.put_u32(at + 16, fd);
                }
            }
        }
    }

    /// `(userdata, error, type, nbytes, flags)` of an event.
    type Ev = (u64, u16, u8, u64, u16);

    fn poll(fx: &mut Fixture, subs: &[S]) -> Result<Vec<Ev>, Errno> {
        put_subs(fx, subs);
        let n = subs.len() as u32;
        fx.mem[EVENTS as usize..EVENTS as usize + 32 * subs.len()].fill(0xcc);
        fx.call(|ctx, mem| ctx.poll_oneoff(mem, SUBS, EVENTS, n, OUT))?;
        Ok((0..fx.u32_at(OUT))
            .map(|i| {
                let at = EVENTS + 32 * i;
                (
                    fx.u64_at(at),
                    fx.u16_at(at + 8),
                    fx.get(at + 10, 1)[0],
                    fx.u64_at(at + 16),
                    fx.u16_at(at + 24),
                )
            })
            .collect())
    }

    const MONO: u32 = 1;
    const REAL: u32 = 0;
    const ABS: u16 = poll::ABSTIME;

    #[test]
    fn relative_clock_sleeps_and_echoes_userdata() {
        let mut fx = Fixture::new();
        assert_eq!(
            poll(&mut fx, &[S::Clock(0xdead_beef_0000_0001, MONO, 1000, 0)]),
            Ok(vec![(0xdead_beef_0000_0001, 0, 0, 0, 0)])
        );
        assert_eq!(fx.state().sleeps, [1000]);
        // The earliest of several fires, alone.
        let events = poll(
            &mut fx,
            &[
                S::Clock(1, MONO, 2000, 0),
                S::Clock(2, REAL, 500, 0),
                S::Clock(3, MONO, 500, 0),
            ],
        );
        assert_eq!(events, Ok(vec![(2, 0, 0, 0, 0), (3, 0, 0, 0, 0)]));
        assert_eq!(fx.state().sleeps, [1000, 500]);
        assert_eq!(fx.state().now, 1500);
    }

    #[test]
    fn absolute_clocks_are_measured_against_the_clock() {
        let mut fx = Fixture::new();
        fx.state().now = 10_000;
        assert_eq!(
            poll(&mut fx, &[S::Clock(7, MONO, 15_000, ABS)]),
            Ok(vec![(7, 0, 0, 0, 0)])
        );
        assert_eq!(fx.state().sleeps, [5000]);
        // A deadline already past fires without sleeping.
        assert_eq!(
            poll(
                &mut fx,
                &[S::Clock(8, MONO, 3, ABS), S::Clock(9, MONO, 99, 0)]
            ),
            Ok(vec![(8, 0, 0, 0, 0)])
        );
        assert_eq!(fx.state().sleeps, [5000]);
        // The wall clock.
        let deadline = super::super::testing::EPOCH + 15_000 + 250;
        assert_eq!(
            poll(&mut fx, &[S::Clock(10, REAL, deadline, ABS)]),
            Ok(vec![(10, 0, 0, 0, 0)])
        );
        assert_eq!(fx.state().sleeps, [5000, 250]);
        // A clock the host cannot read is an event with its error.
        assert_eq!(
            poll(
                &mut fx,
                &[S::Clock(11, 2, 5, ABS), S::Clock(12, MONO, 5, 0)]
            ),
            Ok(vec![(11, Errno::Notsup as u16, 0, 0, 0)])
        );
        assert_eq!(fx.state().sleeps, [5000, 250]);
    }

    #[test]
    fn descriptors_are_ready_at_once() {
        let mut fx = Fixture::with(|b| b.stdin_bytes(&b"12345"[..]));
        let file = fx.open(ROOT, "hello.txt", 0, rights::ALL, 0).unwrap();
        let events = poll(
            &mut fx,
            &[
                S::Clock(1, MONO, 1_000_000, 0),
                S::Read(2, 0),
                S::Write(3, 1),
                S::Write(4, 2),
                S::Read(5, file),
                S::Clock(6, MONO, 0, 0),
            ],
        );
        assert_eq!(
            events,
            Ok(vec![
                (2, 0, 1, 5, 0),
                (3, 0, 2, 0, 0),
                (4, 0, 2, 0, 0),
                (5, 0, 1, 7, 0),
                (6, 0, 0, 0, 0)
            ])
        );
        assert!(fx.state().sleeps.is_empty());
        fx.ctx.stdin = Input::Bytes {
            data: b"12345".to_vec(),
            pos: 5,
        };
        assert_eq!(
            poll(&mut fx, &[S::Read(1, 0)]),
            Ok(vec![(1, 0, 1, 0, 1)]),
            "hang-up at the end"
        );
        fx.ctx.stdin = Input::Empty;
        assert_eq!(poll(&mut fx, &[S::Read(1, 0)]), Ok(vec![(1, 0, 1, 0, 1)]));
        fx.state().ready = Err(Errno::Io);
        assert_eq!(
            poll(&mut fx, &[S::Write(1, file)]),
            Ok(vec![(1, Errno::Io as u16, 2, 0, 0)])
        );
    }

    #[test]
    fn bad_descriptors_are_events_with_an_error() {
        let mut fx = Fixture::new();
        let file = fx.open(ROOT, "hello.txt", 0, rights::FD_READ, 0).unwrap();
        let badf = Errno::Badf as u16;
        let events = poll(
            &mut fx,
            &[
                S::Read(1, 99),
                S::Read(2, ROOT),
                S::Write(3, 0),
                S::Read(4, 1),
                S::Read(5, file),
            ],
        );
        assert_eq!(
            events,
            Ok(vec![
                (1, badf, 1, 0, 0),
                (2, badf, 1, 0, 0),
                (3, badf, 2, 0, 0),
                (4, badf, 1, 0, 0),
                (5, Errno::Notcapable as u16, 1, 0, 0)
            ])
        );
    }

    #[test]
    fn malformed_calls() {
        let mut fx = Fixture::new();
        assert_eq!(
            fx.call(|ctx, mem| ctx.poll_oneoff(mem, SUBS, EVENTS, 0, OUT)),
            Err(Errno::Inval)
        );
        put_subs(&mut fx, &[S::Clock(1, MONO, 10, 0)]);
        fx.put(SUBS + 8, &[3]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.poll_oneoff(mem, SUBS, EVENTS, 1, OUT)),
            Err(Errno::Inval),
            "tag"
        );
        put_subs(&mut fx, &[S::Clock(1, 4, 10, 0)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.poll_oneoff(mem, SUBS, EVENTS, 1, OUT)),
            Err(Errno::Inval),
            "clock"
        );
        put_subs(&mut fx, &[S::Clock(1, MONO, 10, 2)]);
        assert_eq!(
            fx.call(|ctx, mem| ctx.poll_oneoff(mem, SUBS, EVENTS, 1, OUT)),
            Err(Errno::Inval),
            "flags"
        );

        put_subs(
            &mut fx,
            &[S::Clock(1, MONO, 10, 0), S::Clock(2, MONO, 10, 0)],
        );
        for (subs, events, n, nevents) in [
            (0xffe0, EVENTS, 1, OUT),  // subscriptions past the end
            (SUBS, 0xffe1, 1, OUT),    // events past the end
            (SUBS, 0xffe0, 2, OUT),    // room for one event, not two
            (SUBS, EVENTS, 2, 0xfffd), // nevents
            (SUBS, EVENTS, u32::MAX, OUT),
            (SUBS, EVENTS, 0x0800_0000, OUT), // 48 * n overflows
        ] {
            let r = fx.call(|ctx, mem| ctx.poll_oneoff(mem, subs, events, n, nevents));
            assert_eq!(
                r,
                Err(Errno::Fault),
                "{subs:#x} {events:#x} {n} {nevents:#x}"
            );
        }
        assert!(fx.state().sleeps.is_empty(), "nothing slept on EFAULT");
    }

    #[test]
    fn a_host_without_sleep_fails_the_call() {
        let mut fx = Fixture::new();
        fx.ctx = crate::WasiCtx::builder(crate::NullSys).build().unwrap();
        assert_eq!(
            poll(&mut fx, &[S::Clock(1, MONO, 10, 0)]),
            Err(Errno::Nosys)
        );
        assert_eq!(
            poll(&mut fx, &[S::Clock(1, MONO, 10, ABS)]),
            Ok(vec![(1, Errno::Nosys as u16, 0, 0, 0)])
        );
    }
}
