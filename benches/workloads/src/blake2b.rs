//! 64-bit integer crypto: BLAKE2b-512 from the `blake2` crate.

use alloc::vec::Vec;
use blake2::{Blake2b512, Digest};

use crate::rng::Rng;

/// Hashes a 16 KiB buffer `n` times; each digest is written back into the
/// buffer, so every round depends on the one before.
pub fn run(n: u32) -> u64 {
    let mut rng = Rng::new(0x5eed_0b2b);
    let mut buf: Vec<u8> = (0..16 * 1024).map(|_| rng.next_u32() as u8).collect();
    let mut digest = [0u8; 64];
    for round in 0..n as usize {
        digest.copy_from_slice(&Blake2b512::digest(&buf));
        let at = (round * 64) % buf.len();
        buf[at..at + 64].copy_from_slice(&digest);
    }
    u64::from_le_bytes(digest[..8].try_into().unwrap())
}
