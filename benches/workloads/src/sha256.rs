//! 32-bit integer crypto: SHA-256 from the `sha2` crate (portable code).

use alloc::vec::Vec;
use sha2::{Digest, Sha256};

use crate::rng::Rng;

/// Hashes a 16 KiB buffer `n` times; each digest is written back into the
/// buffer, so every round depends on the one before.
pub fn run(n: u32) -> u64 {
    let mut rng = Rng::new(0x5eed_0256);
    let mut buf: Vec<u8> = (0..16 * 1024).map(|_| rng.next_u32() as u8).collect();
    let mut digest = [0u8; 32];
    for round in 0..n as usize {
        digest.copy_from_slice(&Sha256::digest(&buf));
        let at = (round * 32) % buf.len();
        buf[at..at + 32].copy_from_slice(&digest);
    }
    u64::from_le_bytes(digest[..8].try_into().unwrap())
}
