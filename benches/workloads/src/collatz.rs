//! A tight integer loop: Collatz chains, in 64-bit arithmetic.

/// The start below `n` with the longest chain, and the total number of steps
/// of all chains.
pub fn run(n: u32) -> u64 {
    let mut total: u64 = 0;
    let mut best_len = 0u32;
    let mut best_start = 0u32;
    for start in 1..n {
        let mut x = u64::from(start);
        let mut len = 0u32;
        while x != 1 {
            x = if x & 1 == 0 { x >> 1 } else { 3 * x + 1 };
            len += 1;
        }
        total += u64::from(len);
        if len > best_len {
            best_len = len;
            best_start = start;
        }
    }
    (u64::from(best_start) << 40) ^ (u64::from(best_len) << 32) ^ total
}
