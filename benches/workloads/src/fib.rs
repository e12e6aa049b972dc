//! Recursive calls: the naive doubly recursive Fibonacci function.

#[inline(never)]
fn fib(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// `fib(n)`: about 1.6^n calls.
pub fn run(n: u32) -> u64 {
    fib(core::hint::black_box(n))
}
