//! clock_res_get, clock_time_get, random_get, sched_yield, and std's
//! Instant, SystemTime and thread::sleep (poll_oneoff) over them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

const MS: u64 = 1_000_000;

fn main() {
    // Resolution of the two clocks every host has.
    for (name, id) in [
        ("REALTIME", wasi::CLOCKID_REALTIME),
        ("MONOTONIC", wasi::CLOCKID_MONOTONIC),
    ] {
        let res = unsafe { wasi::clock_res_get(id) };
        if let Some(res) = expect_ok(&format!("clock_res_get {name}"), res) {
            check(
                res > 0 && res <= 1_000 * MS,
                format_args!("{name} resolution {res} in (0, 1s]"),
            );
        }
    }
    // CPU-time clocks: supported (non-zero resolution, a time), or EINVAL
    // for both calls, as the witx says for unsupported clocks.
    for (name, id) in [("PROCESS_CPUTIME_ID", 2u32), ("THREAD_CPUTIME_ID", 3)] {
        let mut res = 0u64;
        let r1 = unsafe { raw::clock_res_get(id as i32, mut_ptr(&mut res)) };
        let mut t = 0u64;
        let r2 = unsafe { raw::clock_time_get(id as i32, 0, mut_ptr(&mut t)) };
        let label = format!("clock {name}");
        if expect_any(&label, r1, &[SUCCESS, INVAL], "supported or EINVAL") {
            check_eq("clock_time_get agrees with clock_res_get", r2, r1);
            if r1 == 0 {
                check(res > 0, format_args!("{name} resolution is non-zero"));
            }
        }
    }
    // Bad clock ids.
    for id in [4u32, 5, 0x100, u32::MAX] {
        let mut v = 0u64;
        let r = unsafe { raw::clock_res_get(id as i32, mut_ptr(&mut v)) };
        expect(&format!("clock_res_get id={id}"), r, INVAL);
        let r = unsafe { raw::clock_time_get(id as i32, 0, mut_ptr(&mut v)) };
        expect(&format!("clock_time_get id={id}"), r, INVAL);
    }
    // Bad pointers.
    let r = unsafe { raw::clock_res_get(0, BAD_PTR) };
    expect("clock_res_get out of bounds", r, FAULT);
    let r = unsafe { raw::clock_res_get(1, straddle(8)) };
    expect("clock_res_get straddling the end", r, FAULT);
    let r = unsafe { raw::clock_time_get(0, 0, BAD_PTR) };
    expect("clock_time_get out of bounds", r, FAULT);
    let r = unsafe { raw::clock_time_get(1, 0, straddle(8)) };
    expect("clock_time_get straddling the end", r, FAULT);

    // Realtime is the Unix epoch clock, and std agrees with it.
    let rt = now(wasi::CLOCKID_REALTIME);
    let since_2020 = rt > 1_577_836_800 * 1_000 * MS;
    let before_2100 = rt < 4_102_444_800 * 1_000 * MS;
    check(
        since_2020 && before_2100,
        format_args!("realtime {rt} is a date in 2020..2100"),
    );
    println!(
        "realtime is after 2020 and before 2100: {}",
        since_2020 && before_2100
    );
    let std_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after the epoch")
        .as_nanos() as u64;
    check(
        std_now >= rt && std_now - rt < 10_000 * MS,
        "SystemTime::now agrees with clock_time_get",
    );
    println!("SystemTime::now agrees with clock_time_get(REALTIME)");

    // Monotonic never goes back, whatever precision is asked.
    let mut last = 0;
    let mut monotonic = true;
    for precision in [0u64, 1, 1000, u64::MAX] {
        for _ in 0..50 {
            let t = unsafe { wasi::clock_time_get(wasi::CLOCKID_MONOTONIC, precision) }
                .expect("monotonic");
            monotonic &= t >= last;
            last = t;
        }
    }
    check(monotonic, "monotonic clock never goes back");
    println!("monotonic never goes back over 200 reads: {monotonic}");

    // sleep (poll_oneoff with a relative clock) lasts at least its duration.
    let start = Instant::now();
    let t0 = now(wasi::CLOCKID_MONOTONIC);
    std::thread::sleep(Duration::from_millis(20));
    let slept = now(wasi::CLOCKID_MONOTONIC) - t0;
    let elapsed = start.elapsed();
    check(slept >= 20 * MS, format_args!("slept {slept}ns >= 20ms"));
    check(
        elapsed >= Duration::from_millis(20),
        "Instant::elapsed >= 20ms",
    );
    check(slept < 5_000 * MS, format_args!("slept {slept}ns < 5s"));
    println!("thread::sleep(20ms) lasted at least 20ms and less than 5s");

    // sched_yield.
    expect("sched_yield", unsafe { wasi::sched_yield() }, SUCCESS);
    expect("sched_yield raw", unsafe { raw::sched_yield() }, SUCCESS);

    // random_get.
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    expect(
        "random_get 64 bytes",
        unsafe { wasi::random_get(a.as_mut_ptr(), a.len()) },
        SUCCESS,
    );
    expect(
        "random_get 64 more bytes",
        unsafe { wasi::random_get(b.as_mut_ptr(), b.len()) },
        SUCCESS,
    );
    check(a != b, "two random buffers differ");
    check(a.iter().any(|x| *x != 0), "random bytes are not all zero");
    println!("two random buffers differ: {}", a != b);
    let mut big = vec![0u8; 65536];
    expect(
        "random_get 64 KiB",
        unsafe { wasi::random_get(big.as_mut_ptr(), big.len()) },
        SUCCESS,
    );
    let mut seen = [0u32; 256];
    for x in &big {
        seen[*x as usize] += 1;
    }
    let all_values = seen.iter().all(|n| *n > 0);
    check(all_values, "64 KiB of random bytes take every byte value");
    println!("64 KiB of random bytes take all 256 values: {all_values}");
    let mut one = [0x5Au8; 4];
    expect(
        "random_get 0 bytes",
        unsafe { raw::random_get(mut_ptr(&mut one), 0) },
        SUCCESS,
    );
    check_eq("random_get of 0 bytes writes nothing", one, [0x5A; 4]);
    expect(
        "random_get out of bounds",
        unsafe { raw::random_get(BAD_PTR, 8) },
        FAULT,
    );
    expect(
        "random_get straddling the end",
        unsafe { raw::random_get(straddle(16), 16) },
        FAULT,
    );
    let len_past =
        unsafe { raw::random_get(mut_ptr(&mut one), (mem_end() as i32).wrapping_add(1)) };
    expect("random_get length past memory", len_past, FAULT);
    // std's HashMap seeds itself from random_get.
    let mut m = std::collections::HashMap::new();
    m.insert("k", 1);
    println!("HashMap works: {}", m["k"] == 1);
    finish();
}
