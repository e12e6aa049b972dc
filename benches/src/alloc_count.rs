//! Counting the heap: a global allocator that counts the Rust heap, and
//! glibc's own statistics, which also see allocations made by C code (wasm3).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting the bytes it hands out and takes back.
pub struct Counting;

static ALLOCATED: AtomicU64 = AtomicU64::new(0);
static FREED: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call forwards to `System` with the same arguments; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        FREED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The heap's state at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    /// Bytes ever allocated through the global allocator.
    allocated: u64,
    /// Bytes ever freed through the global allocator.
    freed: u64,
    /// Bytes in use in glibc's heap (Rust's and C's allocations alike), if
    /// glibc's statistics are available.
    malloc_in_use: Option<u64>,
}

impl Snapshot {
    /// The counters now.
    pub fn now() -> Snapshot {
        Snapshot {
            allocated: ALLOCATED.load(Ordering::Relaxed),
            freed: FREED.load(Ordering::Relaxed),
            malloc_in_use: malloc_in_use(),
        }
    }

    /// What changed from `self` to `later`.
    pub fn delta(&self, later: &Snapshot) -> HeapDelta {
        let live = |s: &Snapshot| s.allocated as i64 - s.freed as i64;
        HeapDelta {
            rust_live: live(later) - live(self),
            rust_allocated: later.allocated - self.allocated,
            malloc_live: match (self.malloc_in_use, later.malloc_in_use) {
                (Some(a), Some(b)) => Some(b as i64 - a as i64),
                _ => None,
            },
        }
    }
}

/// How the heap changed between two snapshots.
#[derive(Clone, Copy, Debug)]
pub struct HeapDelta {
    /// Growth of the live Rust heap (allocated minus freed), in bytes.
    pub rust_live: i64,
    /// Bytes allocated through the global allocator, freed or not.
    pub rust_allocated: u64,
    /// Growth of glibc's in-use heap, which also counts C allocations.
    pub malloc_live: Option<i64>,
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn malloc_in_use() -> Option<u64> {
    // SAFETY: `mallinfo2` only reads the allocator's statistics.
    let info = unsafe { libc::mallinfo2() };
    // Bytes in use in the main heap plus in mmap-ed chunks.
    Some((info.uordblks + info.hblkhd) as u64)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn malloc_in_use() -> Option<u64> {
    None
}
