//! The compute guest's algorithms in Rust, to check its results.
//!
//! These must match `guests/compute.wat` step for step: the same LCG, the
//! same CRC-32 and the same checksum of the sorted values.

/// One step of the LCG of Numerical Recipes.
fn next(x: u32) -> u32 {
    x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223)
}

/// The CRC-32 (IEEE) of `len` bytes, each the top byte of successive LCG
/// states from `seed`. Computed bit by bit rather than with a table: the
/// check should not share the guest's method.
#[inline(never)]
pub fn crc32(seed: u32, len: usize) -> u32 {
    let mut x = seed;
    let mut crc = !0u32;
    for _ in 0..len {
        x = next(x);
        crc ^= x >> 24;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The checksum `sum of a[i] * (i + 1)` (wrapping) of `N` successive LCG
/// states from `seed`, as `i32`, sorted ascending.
// Not inlined: its array would make the caller's frame 1 KiB larger for
// the whole run.
#[inline(never)]
pub fn sort_checksum<const N: usize>(seed: u32) -> i32 {
    let mut values = [0i32; N];
    let mut x = seed;
    for v in values.iter_mut() {
        x = next(x);
        *v = x as i32;
    }
    // Selection sort: small code, and not the guest's insertion sort.
    for i in 0..N {
        let mut min = i;
        for j in i + 1..N {
            if values[j] < values[min] {
                min = j;
            }
        }
        values.swap(i, min);
    }
    values
        .iter()
        .zip(1i32..)
        .fold(0i32, |sum, (&v, i)| sum.wrapping_add(v.wrapping_mul(i)))
}
