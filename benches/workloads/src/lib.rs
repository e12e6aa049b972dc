//! The benchmark workloads of Kestrel's side-by-side suite.
//!
//! Each workload is a module with `pub fn run(n: u32) -> u64`: it does an
//! amount of work that grows with `n` and returns a checksum of what it
//! computed, so every engine can be checked against the native build. The
//! workloads take no input and call no imports; the data they work on is
//! generated from fixed seeds.
//!
//! The crate is `no_std` with `alloc`. On the host it is an ordinary library
//! (the runner links it as the native baseline). For `wasm32v1-none` it is
//! built as a cdylib: this file then adds a `dlmalloc` global allocator, a
//! panic handler that traps, and one export per workload,
//! `extern "C" fn <name>(n: u32) -> u64`.
#![no_std]

extern crate alloc;

mod rng;

/// A workload: its export name, what it exercises, and its entry point.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// The name of the module here and of the Wasm export.
    pub name: &'static str,
    /// What the workload does and what kind of code that is.
    pub description: &'static str,
    /// Runs the workload at size `n` and returns its checksum.
    pub run: fn(u32) -> u64,
}

macro_rules! workloads {
    ($($name:ident: $description:literal,)*) => {
        $(pub mod $name;)*

        /// Every workload, in the order the runner reports them.
        pub const ALL: &[Workload] = &[$(Workload {
            name: stringify!($name),
            description: $description,
            run: $name::run,
        }),*];

        /// The Wasm exports: one function per workload.
        #[cfg(target_family = "wasm")]
        mod exports {
            $(
                #[doc = $description]
                #[unsafe(no_mangle)]
                pub extern "C" fn $name(n: u32) -> u64 {
                    super::$name::run(n)
                }
            )*
        }
    };
}

workloads! {
    fib: "recursive calls: naive recursive Fibonacci of n",
    collatz: "tight integer loop: the longest Collatz chain of the starts below n",
    sieve: "integer loop over a byte array: sieve of Eratosthenes up to n, 8 times",
    sort: "memory-heavy: sort_unstable and a stable sort of n pseudo-random keys",
    sha256: "32-bit integer crypto: SHA-256 (sha2 crate) over a 16 KiB buffer, n times, chained",
    blake2b: "64-bit integer crypto: BLAKE2b-512 (blake2 crate) over a 16 KiB buffer, n times, chained",
    nbody: "floating point: the n-body simulation of the five Jovian planets, n steps",
    matmul: "floating point and memory: n x n f64 matrix multiply, then transpose",
    deflate: "compression: miniz_oxide deflate (level 6) and inflate of n KiB of generated text",
    json: "parsing: serde_json deserialize n records into structs, aggregate, serialize back",
    regex: "text search: regex-automata (the regex crate's engines) over n KiB of generated log lines",
    vm: "branchy interpreter: a stack bytecode VM counting primes below n by trial division",
}

#[cfg(target_family = "wasm")]
mod wasm_runtime {
    #[global_allocator]
    static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }
}

/// FNV-1a over bytes: a checksum of a whole buffer.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
