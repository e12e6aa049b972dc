//! An integer loop over a byte array: the sieve of Eratosthenes.

use alloc::vec;

/// Sieves the numbers up to `n` eight times (a fresh array each time) and
/// returns the number of primes and their sum.
pub fn run(n: u32) -> u64 {
    let n = n as usize;
    let mut result = 0u64;
    for round in 0..8u64 {
        let mut composite = vec![false; n + 1];
        let mut count = 0u64;
        let mut sum = 0u64;
        for i in 2..=n {
            if composite[i] {
                continue;
            }
            count += 1;
            sum += i as u64;
            // `i * i` in 64 bits: usize is 32 bits on wasm32.
            let mut j = (i as u64 * i as u64).min(n as u64 + 1) as usize;
            while j <= n {
                composite[j] = true;
                j += i;
            }
        }
        result = result.rotate_left(7) ^ (count << 32) ^ sum ^ round;
    }
    result
}
