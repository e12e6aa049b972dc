//! poll_oneoff: relative and absolute clock subscriptions, fd_read and
//! fd_write subscriptions on files and stdio echoing their userdata, and the
//! error cases.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

const MS: u64 = 1_000_000;
const SUB: usize = 48;
const EVENT: usize = 32;

/// A `subscription` with a clock.
fn clock(userdata: u64, id: u32, timeout: u64, flags: u16) -> [u8; SUB] {
    let mut s = [0u8; SUB];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = 0; // eventtype::clock
    s[16..20].copy_from_slice(&id.to_le_bytes());
    s[24..32].copy_from_slice(&timeout.to_le_bytes());
    s[32..40].copy_from_slice(&0u64.to_le_bytes()); // precision
    s[40..42].copy_from_slice(&flags.to_le_bytes());
    s
}

/// A `subscription` for `fd` with event type `tag` (1 read, 2 write).
fn fd_sub(userdata: u64, tag: u8, fd: u32) -> [u8; SUB] {
    let mut s = [0u8; SUB];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = tag;
    s[16..20].copy_from_slice(&fd.to_le_bytes());
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

/// Calls poll_oneoff; returns its errno and the events it reported.
fn poll(subs: &[[u8; SUB]]) -> (u16, Vec<Event>) {
    let input: Vec<u8> = subs.iter().flatten().copied().collect();
    // One spare event slot filled with a pattern, to see that nothing is
    // written past `nevents`.
    let mut out = vec![0xEEu8; (subs.len() + 1) * EVENT];
    let mut n = 0xFFFF_FFFFu32;
    let r = unsafe {
        raw::poll_oneoff(
            ptr(&input[..]),
            mut_ptr(&mut out[..]),
            subs.len() as i32,
            mut_ptr(&mut n),
        )
    };
    if r != 0 {
        return (r as u16, Vec::new());
    }
    check(
        n as usize <= subs.len(),
        format_args!("nevents {n} <= nsubscriptions"),
    );
    let n = (n as usize).min(subs.len());
    check(
        out[n * EVENT..].iter().all(|b| *b == 0xEE),
        "nothing written past the reported events",
    );
    let events = (0..n)
        .map(|i| {
            let e = &out[i * EVENT..(i + 1) * EVENT];
            Event {
                userdata: u64::from_le_bytes(e[0..8].try_into().unwrap()),
                error: u16::from_le_bytes(e[8..10].try_into().unwrap()),
                kind: e[10],
                nbytes: u64::from_le_bytes(e[16..24].try_into().unwrap()),
                flags: u16::from_le_bytes(e[24..26].try_into().unwrap()),
            }
        })
        .collect();
    (0, events)
}

fn mono() -> u64 {
    now(wasi::CLOCKID_MONOTONIC)
}

/// Checks that the call gave exactly the events `want` (userdata, type),
/// in any order, each with errno 0; prints `label: <events>`.
fn expect_events(label: &str, (r, events): (u16, Vec<Event>), want: &[(u64, u8)]) {
    if r != 0 {
        println!("{label}: {}", errno_name(r));
        fail(format_args!(
            "{label}: poll_oneoff failed with {}",
            errno_name(r)
        ));
        return;
    }
    let mut got: Vec<(u64, u8)> = events.iter().map(|e| (e.userdata, e.kind)).collect();
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    let shown: Vec<String> = got
        .iter()
        .map(|(u, k)| format!("{u:#x}/{}", kind_name(*k)))
        .collect();
    println!("{label}: {}", shown.join(" "));
    check_eq(label, got, want);
    for e in &events {
        check_eq(&format!("{label}: event error"), e.error, 0);
        if e.kind == 0 {
            check_eq(
                &format!("{label}: clock event nbytes"),
                (e.nbytes, e.flags),
                (0, 0),
            );
        }
    }
}

fn kind_name(k: u8) -> &'static str {
    match k {
        0 => "clock",
        1 => "fd_read",
        2 => "fd_write",
        _ => "?",
    }
}

/// An error reported either for the whole call or in the event of the one
/// subscription.
fn expect_sub_error(label: &str, (r, events): (u16, Vec<Event>), userdata: u64, want: u16) {
    let got = if r != 0 {
        r
    } else if events.len() == 1 && events[0].userdata == userdata {
        events[0].error
    } else {
        fail(format_args!("{label}: unexpected events {events:?}"));
        0
    };
    expect(label, got, want);
}

fn main() {
    // Relative monotonic clock.
    let t0 = mono();
    let r = poll(&[clock(0x1122_3344_5566_7788, 1, 10 * MS, 0)]);
    let took = mono() - t0;
    expect_events("relative monotonic 10ms", r, &[(0x1122_3344_5566_7788, 0)]);
    check(
        took >= 10 * MS,
        format_args!("relative 10ms lasted {took}ns"),
    );
    println!("relative 10ms lasted at least 10ms: {}", took >= 10 * MS);

    // Absolute monotonic clock.
    let t0 = mono();
    let deadline = t0 + 15 * MS;
    let r = poll(&[clock(
        2,
        1,
        deadline,
        wasi::SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    let t1 = mono();
    expect_events("absolute monotonic now+15ms", r, &[(2, 0)]);
    check(
        t1 >= deadline,
        format_args!("absolute: woke at {t1}, deadline {deadline}"),
    );
    println!("absolute deadline reached: {}", t1 >= deadline);

    // Deadlines already passed return at once.
    let t0 = mono();
    let r = poll(&[clock(
        3,
        1,
        t0.saturating_sub(1_000 * MS),
        wasi::SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    expect_events("absolute deadline in the past", r, &[(3, 0)]);
    let r = poll(&[clock(4, 1, 0, 0)]);
    expect_events("relative timeout 0", r, &[(4, 0)]);
    check(mono() - t0 < 2_000 * MS, "past deadlines return at once");

    // Realtime clock, relative and absolute.
    let r = poll(&[clock(5, 0, 5 * MS, 0)]);
    expect_events("relative realtime 5ms", r, &[(5, 0)]);
    let rt = now(wasi::CLOCKID_REALTIME);
    let r = poll(&[clock(
        6,
        0,
        rt + 5 * MS,
        wasi::SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    expect_events("absolute realtime now+5ms", r, &[(6, 0)]);
    check(
        now(wasi::CLOCKID_REALTIME) >= rt + 5 * MS,
        "absolute realtime deadline reached",
    );

    // The earliest of two clocks fires alone.
    let t0 = mono();
    let r = poll(&[clock(7, 1, 60_000 * MS, 0), clock(8, 1, 2 * MS, 0)]);
    expect_events("clocks 60s and 2ms", r, &[(8, 0)]);
    check(
        mono() - t0 < 30_000 * MS,
        "the 60s clock did not hold the call",
    );

    // fd subscriptions: regular files are always ready.
    let file = open(ROOT, "poll.txt", 0).expect("open poll.txt");
    let r = poll(&[fd_sub(0xAA, 1, file)]);
    expect_events("fd_read on a regular file", r, &[(0xAA, 1)]);
    let r = poll(&[fd_sub(0xBB, 2, file)]);
    expect_events("fd_write on a regular file", r, &[(0xBB, 2)]);
    let t0 = mono();
    let r = poll(&[
        clock(0xC0, 1, 60_000 * MS, 0),
        fd_sub(0xC1, 1, file),
        fd_sub(0xC2, 2, file),
        fd_sub(0xC3, 2, 1),
    ]);
    expect_events(
        "file read+write, stdout write, 60s clock",
        r,
        &[(0xC1, 1), (0xC2, 2), (0xC3, 2)],
    );
    check(
        mono() - t0 < 30_000 * MS,
        "ready descriptors did not wait for the clock",
    );
    let r = poll(&[fd_sub(0xD0, 2, 1)]);
    expect_events("fd_write on stdout", r, &[(0xD0, 2)]);
    let r = poll(&[fd_sub(0xD1, 2, 2)]);
    expect_events("fd_write on stderr", r, &[(0xD1, 2)]);
    let r = poll(&[fd_sub(0xD2, 1, 0)]);
    expect_events("fd_read on stdin with input", r, &[(0xD2, 1)]);

    // Errors.
    let (r, _) = poll(&[]);
    expect("no subscriptions", r, INVAL);
    expect_sub_error("fd_read on fd 99", poll(&[fd_sub(0xE0, 1, 99)]), 0xE0, BADF);
    expect_sub_error(
        "fd_write on fd 99",
        poll(&[fd_sub(0xE1, 2, 99)]),
        0xE1,
        BADF,
    );
    let closed = open(ROOT, "poll.txt", 0).expect("open poll.txt");
    unsafe { wasi::fd_close(closed).expect("close") };
    expect_sub_error(
        "fd_read on a closed fd",
        poll(&[fd_sub(0xE2, 1, closed)]),
        0xE2,
        BADF,
    );
    expect_sub_error("clock id 4", poll(&[clock(0xE3, 4, 0, 0)]), 0xE3, INVAL);
    expect_sub_error("event type 3", poll(&[fd_sub(0xE4, 3, 1)]), 0xE4, INVAL);
    let mut bad_flags = clock(0xE5, 1, 0, 0);
    bad_flags[40] = 0x02;
    expect_sub_error("clock flags 0x2", poll(&[bad_flags]), 0xE5, INVAL);

    let sub = clock(0xF0, 1, 0, 0);
    let mut out = [0u8; EVENT];
    let mut n = 0u32;
    let r = unsafe { raw::poll_oneoff(BAD_PTR, mut_ptr(&mut out), 1, mut_ptr(&mut n)) };
    expect("subscriptions out of bounds", r, FAULT);
    let r =
        unsafe { raw::poll_oneoff(straddle(SUB as u32), mut_ptr(&mut out), 1, mut_ptr(&mut n)) };
    expect("subscriptions straddling the end", r, FAULT);
    let r = unsafe { raw::poll_oneoff(ptr(&sub), BAD_PTR, 1, mut_ptr(&mut n)) };
    expect("events out of bounds", r, FAULT);
    let r = unsafe { raw::poll_oneoff(ptr(&sub), mut_ptr(&mut out), 1, BAD_PTR) };
    expect("nevents out of bounds", r, FAULT);
    let r = unsafe { raw::poll_oneoff(ptr(&sub), mut_ptr(&mut out), 0x1000_0000, mut_ptr(&mut n)) };
    expect("nsubscriptions past memory", r, FAULT);
    finish();
}
