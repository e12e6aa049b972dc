//! The heap: embedded-alloc's first-fit linked-list allocator, wrapped to
//! record how much of it is used.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

use critical_section::Mutex;
use embedded_alloc::LlffHeap;

/// A `#[global_allocator]` that keeps high-water marks.
///
/// Two marks, both reset by [`reset_marks`](Self::reset_marks) before each
/// guest:
///
/// - the **peak**: the most bytes in use at once, as the allocator counts
///   them (requests rounded up to its 8-byte granule);
/// - the **extent**: how far above the heap's start any allocation reached.
///   A first-fit allocator fills from the bottom, so this is the heap size
///   the same run needs, fragmentation included.
///
/// Why linked-list first fit rather than TLSF: it is the smaller of
/// embedded-alloc's two allocators in flash, and Kestrel's allocations are
/// few and long-lived (the module, the store, the value stack), so its
/// linear search costs little.
pub struct TrackedHeap {
    heap: LlffHeap,
    marks: Mutex<Cell<Marks>>,
}

#[derive(Debug, Clone, Copy)]
struct Marks {
    start: usize,
    peak: usize,
    end: usize,
}

/// The marks since the last reset.
#[derive(Debug, Clone, Copy)]
pub struct HeapMarks {
    /// The most bytes in use at once.
    pub peak: usize,
    /// The highest address reached, as an offset from the heap's start.
    pub extent: usize,
}

impl TrackedHeap {
    /// A heap without memory; give it some with [`init`](Self::init) before
    /// the first allocation.
    pub const fn empty() -> Self {
        TrackedHeap {
            heap: LlffHeap::empty(),
            marks: Mutex::new(Cell::new(Marks {
                start: 0,
                peak: 0,
                end: 0,
            })),
        }
    }

    /// Hands `size` bytes at `start` to the allocator.
    ///
    /// # Safety
    ///
    /// Call once, before any allocation, with memory nothing else uses.
    pub unsafe fn init(&self, start: usize, size: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.heap.init(start, size) };
        critical_section::with(|cs| {
            self.marks.borrow(cs).set(Marks {
                start,
                peak: 0,
                end: start,
            })
        });
    }

    /// Bytes in use now.
    pub fn used(&self) -> usize {
        self.heap.used()
    }

    /// Bytes free now.
    pub fn free(&self) -> usize {
        self.heap.free()
    }

    /// Starts new marks from what is in use now.
    pub fn reset_marks(&self) {
        let used = self.heap.used();
        critical_section::with(|cs| {
            let marks = self.marks.borrow(cs);
            let m = marks.get();
            marks.set(Marks {
                peak: used,
                end: m.start,
                ..m
            });
        });
    }

    /// The marks since the last reset.
    pub fn marks(&self) -> HeapMarks {
        let m = critical_section::with(|cs| self.marks.borrow(cs).get());
        HeapMarks {
            peak: m.peak,
            extent: m.end - m.start,
        }
    }

    fn note(&self, ptr: *mut u8, size: usize) {
        if ptr.is_null() {
            return;
        }
        let used = self.heap.used();
        let end = ptr as usize + size;
        critical_section::with(|cs| {
            let marks = self.marks.borrow(cs);
            let mut m = marks.get();
            m.peak = m.peak.max(used);
            m.end = m.end.max(end);
            marks.set(m);
        });
    }
}

// SAFETY: every method forwards to `LlffHeap`, a correct allocator; the
// marks are only bookkeeping.
unsafe impl GlobalAlloc for TrackedHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.heap.alloc(layout) };
        self.note(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}
