//! Floating point and memory: a dense matrix product and a transpose.

use alloc::vec::Vec;

use crate::rng::Rng;

/// `C = A × B` for pseudo-random `n × n` matrices of `f64` (the i-k-j loop
/// order), then `Cᵀ`; the checksum mixes the bits of every element of `Cᵀ`.
pub fn run(n: u32) -> u64 {
    let n = n as usize;
    let mut rng = Rng::new(0x5eed_03a7);
    let mut random = || (rng.next_u32() >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
    let a: Vec<f64> = (0..n * n).map(|_| random()).collect();
    let b: Vec<f64> = (0..n * n).map(|_| random()).collect();
    let mut c = alloc::vec![0.0f64; n * n];
    for i in 0..n {
        let row = &mut c[i * n..(i + 1) * n];
        for k in 0..n {
            let aik = a[i * n + k];
            let brow = &b[k * n..(k + 1) * n];
            for (cij, bkj) in row.iter_mut().zip(brow) {
                *cij += aik * bkj;
            }
        }
    }
    let mut t = alloc::vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = c[i * n + j];
        }
    }
    t.iter().fold(0u64, |h, x| h.rotate_left(5) ^ x.to_bits())
}
