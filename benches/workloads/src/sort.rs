//! Memory-heavy loops: sorting a big array two ways.

use alloc::vec::Vec;

use crate::rng::Rng;

/// Sorts `n` pseudo-random `u32`s with `sort_unstable` (pattern-defeating
/// quicksort), then `n` pseudo-random `(key, index)` pairs by key with the
/// stable `sort_by_key` (a merge sort), and checksums both orders.
pub fn run(n: u32) -> u64 {
    let mut rng = Rng::new(0x5eed_0001);
    let mut keys: Vec<u32> = (0..n).map(|_| rng.next_u32()).collect();
    keys.sort_unstable();
    let mut sum = 0u64;
    for (i, k) in keys.iter().enumerate() {
        sum = sum.wrapping_add(u64::from(*k).wrapping_mul(i as u64 + 1));
    }
    let mut pairs: Vec<(u16, u32)> = (0..n).map(|i| (rng.next_u32() as u16, i)).collect();
    pairs.sort_by_key(|p| p.0);
    for (i, p) in pairs.iter().enumerate() {
        // A stable sort keeps equal keys in index order: that is checked
        // through the checksum.
        sum = sum.wrapping_mul(31).wrapping_add(u64::from(p.1) ^ i as u64);
    }
    sum
}
