//! Linear memories: their bytes, how far the guest may have written, and the
//! engine's pool of zeroed buffers.
//!
//! A fresh instance needs zeroed memory, and zeroing is most of what
//! instantiating a small module costs (a 64 KiB page is ~1.5 µs of `memset`,
//! against ~70 ns for everything else). So a [`MemoryEntity`] remembers a
//! bound below which anything may have been written and above which every
//! byte is still zero. When its store is dropped, only the bytes below that
//! bound are zeroed and the buffer goes back to the engine's [`MemoryPool`],
//! from which the next memory of a similar size is taken ready to use. An
//! instance that touches little of its memory (a request handler, say) thus
//! pays for what it touched, not for what it declared.
//!
//! The bound is kept exact enough by construction: every write path either
//! goes through [`MemoryEntity::store`] (the executor's stores, checked
//! against the bound, raising it on the cold path) or first calls
//! [`MemoryEntity::touch`] / [`MemoryEntity::bytes_mut`]. The bytes
//! themselves stay a plain, fully initialised `Vec<u8>`, so readers need no
//! care at all.

use alloc::vec::Vec;

use kestrel_core::MemoryType;

use crate::limits::Limiter;

/// How far the written bound moves at once when a store goes past it: few
/// enough trips to the cold path for a guest that walks its whole memory,
/// small enough that a guest using a little of it zeroes a little.
const TOUCH_GRAIN: usize = 64 * 1024;

/// A linear memory in a store.
#[derive(Debug)]
pub(crate) struct MemoryEntity {
    pub ty: MemoryType,
    bytes: Vec<u8>,
    /// Every byte at or above this index is zero (`written <= bytes.len()`).
    written: usize,
}

impl MemoryEntity {
    /// A memory of `len` zero bytes: a buffer from `pool` if it has one,
    /// else a new allocation. `None` if the host is out of memory.
    pub(crate) fn new(ty: MemoryType, len: usize, pool: Option<&MemoryPool>) -> Option<Self> {
        let bytes = match pool.and_then(|pool| pool.take(len)) {
            Some(bytes) => bytes,
            None => {
                let mut bytes = Vec::new();
                bytes.try_reserve_exact(len).ok()?;
                bytes.resize(len, 0);
                bytes
            }
        };
        Some(MemoryEntity {
            ty,
            bytes,
            written: 0,
        })
    }

    /// A memory of no bytes, for instances that have none.
    pub(crate) fn empty() -> Self {
        MemoryEntity {
            ty: MemoryType::new(0, Some(0)),
            bytes: Vec::new(),
            written: 0,
        }
    }

    pub(crate) fn pages(&self) -> u32 {
        (self.bytes.len() as u64 >> self.ty.page_size_log2) as u32
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The bytes, for reading.
    #[inline(always)]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, for writing anywhere.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.written = self.bytes.len();
        &mut self.bytes
    }

    /// The bytes, for writing below `end` (at most the length).
    #[inline]
    pub(crate) fn touch(&mut self, end: usize) -> &mut [u8] {
        if end > self.written {
            self.raise(end);
        }
        &mut self.bytes
    }

    #[cold]
    fn raise(&mut self, end: usize) {
        let grain = end.div_ceil(TOUCH_GRAIN).saturating_mul(TOUCH_GRAIN);
        self.written = grain.min(self.bytes.len()).max(self.written);
    }

    /// A pointer to the bytes and the written bound, for an executor that
    /// checks accesses against the bound itself. The pointer is made without
    /// a reference to the bytes; it stays valid until the memory grows.
    #[cfg_attr(not(kestrel_tail_calls), allow(dead_code))]
    #[inline(always)]
    pub(crate) fn raw_view(&mut self) -> (*mut u8, usize) {
        (self.bytes.as_mut_ptr(), self.written)
    }

    /// Stores `bytes` at `start` if they fit below the written bound; the
    /// executor's fast path. `false` means: use [`store_cold`](Self::store_cold).
    #[inline(always)]
    pub(crate) fn store_fast<const N: usize>(&mut self, start: u64, bytes: [u8; N]) -> bool {
        let end = start + N as u64;
        if end > self.written as u64 {
            return false;
        }
        let start = start as usize;
        match self.bytes.get_mut(start..start + N) {
            Some(dst) => {
                dst.copy_from_slice(&bytes);
                true
            }
            None => false,
        }
    }

    /// Stores `bytes` at `start`, raising the written bound; `false` if they
    /// do not fit in the memory.
    #[cold]
    #[inline(never)]
    pub(crate) fn store_cold<const N: usize>(&mut self, start: u64, bytes: [u8; N]) -> bool {
        let end = start + N as u64;
        if end > self.bytes.len() as u64 {
            return false;
        }
        let start = start as usize;
        self.touch(start + N)[start..start + N].copy_from_slice(&bytes);
        true
    }

    /// Grows by `delta` pages; the old size, or `None` past the limits. The
    /// new bytes are zero, so the written bound stays where it is.
    pub(crate) fn grow(&mut self, delta: u32, limiter: &mut Limiter) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let max_pages = self.ty.max_pages();
        let max = self.ty.limits.max.unwrap_or(max_pages).min(max_pages);
        if new > max {
            return None;
        }
        let new_len = self.ty.bytes_of(new)?;
        if let Some(limiter) = limiter {
            let maximum = self.ty.limits.max.and_then(|m| self.ty.bytes_of(m));
            if !limiter.memory_growing(self.bytes.len(), new_len, maximum) {
                return None;
            }
        }
        // A host out of memory is reported to the guest as a failed grow.
        self.bytes
            .try_reserve_exact(new_len - self.bytes.len())
            .ok()?;
        self.bytes.resize(new_len, 0);
        Some(old)
    }

    /// Gives the buffer back to `pool`, zeroing what may have been written.
    pub(crate) fn recycle(mut self, pool: &MemoryPool) {
        if pool.wants(self.bytes.len()) {
            self.bytes[..self.written].fill(0);
            pool.give(self.bytes);
        }
    }
}

/// At most this many buffers are pooled, so finding one stays cheap.
#[cfg(feature = "std")]
const MAX_BUFFERS: usize = 64;

/// Zeroed memory buffers kept between stores of one engine.
///
/// Bounded by [`Config::memory_pool_bytes`](crate::Config::memory_pool_bytes):
/// the pool holds at most that many bytes of buffers, never a buffer larger
/// than that, and at most `MAX_BUFFERS` buffers; the oldest go first.
#[derive(Debug)]
pub(crate) struct MemoryPool {
    #[cfg(feature = "std")]
    buffers: std::sync::Mutex<Vec<Vec<u8>>>,
    max_bytes: usize,
}

impl MemoryPool {
    pub(crate) fn new(max_bytes: usize) -> Self {
        MemoryPool {
            #[cfg(feature = "std")]
            buffers: std::sync::Mutex::new(Vec::new()),
            max_bytes,
        }
    }

    /// Whether a buffer of `len` bytes could be kept (checked before it is
    /// zeroed, so a buffer that will be freed anyway is not).
    fn wants(&self, len: usize) -> bool {
        cfg!(feature = "std") && len > 0 && len <= self.max_bytes
    }

    /// A zeroed buffer of `len` bytes: the smallest pooled one at least that
    /// long and at most twice as long (so a small memory does not pin a big
    /// buffer), cut to `len`.
    fn take(&self, len: usize) -> Option<Vec<u8>> {
        #[cfg(feature = "std")]
        {
            if !self.wants(len) {
                return None;
            }
            let mut buffers = self.buffers.lock().ok()?;
            // Most often a module is instantiated again: an exact fit.
            let i = match buffers.iter().rposition(|b| b.len() == len) {
                Some(i) => i,
                None => {
                    buffers
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| b.len() >= len && b.len() / 2 <= len)
                        .min_by_key(|(_, b)| b.len())?
                        .0
                }
            };
            let mut bytes = buffers.swap_remove(i);
            drop(buffers);
            bytes.truncate(len);
            Some(bytes)
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = len;
            None
        }
    }

    /// Keeps `bytes`, which are all zero, if the pool has room; the oldest
    /// buffers make way for it if not.
    fn give(&self, bytes: Vec<u8>) {
        #[cfg(feature = "std")]
        if let Ok(mut buffers) = self.buffers.lock() {
            let mut held: usize = buffers.iter().map(Vec::capacity).sum();
            while !buffers.is_empty()
                && (held + bytes.capacity() > self.max_bytes || buffers.len() >= MAX_BUFFERS)
            {
                held -= buffers.remove(0).capacity();
            }
            if held + bytes.capacity() <= self.max_bytes {
                buffers.push(bytes);
            }
        }
        #[cfg(not(feature = "std"))]
        drop(bytes);
    }

    /// How many buffers the pool holds.
    #[cfg(all(test, feature = "std"))]
    fn held(&self) -> usize {
        self.buffers.lock().map_or(0, |b| b.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(pages: u32) -> MemoryType {
        MemoryType::new(pages, None)
    }

    #[test]
    fn stores_raise_the_written_bound_by_grains() {
        let mut m = MemoryEntity::new(page(4), 4 * 65536, None).unwrap();
        assert_eq!(m.written, 0);
        // Below the bound nothing needs raising; at 0 everything does.
        assert!(!m.store_fast(0, [1]));
        assert!(m.store_cold(70_000, [1, 2]));
        assert_eq!(m.written, 2 * TOUCH_GRAIN);
        assert!(m.store_fast(10, [3]));
        assert_eq!(m.bytes()[70_000..70_002], [1, 2]);
        // Past the end: nothing is written, the bound does not move.
        assert!(!m.store_cold(4 * 65536 - 1, [9, 9]));
        assert_eq!(m.written, 2 * TOUCH_GRAIN);
        // The bound never exceeds the length.
        m.touch(usize::MAX);
        assert_eq!(m.written, m.len());
    }

    #[test]
    fn bytes_mut_marks_everything_written() {
        let mut m = MemoryEntity::new(page(1), 65536, None).unwrap();
        m.bytes_mut()[65535] = 1;
        assert_eq!(m.written, 65536);
    }

    #[cfg(feature = "std")]
    #[test]
    fn recycled_buffers_come_back_zeroed() {
        let pool = MemoryPool::new(1 << 20);
        let mut m = MemoryEntity::new(page(2), 2 * 65536, Some(&pool)).unwrap();
        assert!(m.store_cold(5, [7; 8]));
        m.bytes_mut()[2 * 65536 - 1] = 9;
        m.recycle(&pool);
        assert_eq!(pool.held(), 1);
        // A one-page memory may take the two-page buffer, cut to size.
        let m = MemoryEntity::new(page(1), 65536, Some(&pool)).unwrap();
        assert_eq!(pool.held(), 0);
        assert_eq!(m.len(), 65536);
        assert!(m.bytes().iter().all(|&b| b == 0));
        // Growing it back shows zeros too, past the cut.
        let mut m = m;
        assert_eq!(m.grow(1, &mut None), Some(1));
        assert!(m.bytes().iter().all(|&b| b == 0));
    }

    #[cfg(feature = "std")]
    #[test]
    fn the_pool_is_bounded() {
        let pool = MemoryPool::new(3 * 65536);
        for _ in 0..5 {
            MemoryEntity::new(page(1), 65536, None)
                .unwrap()
                .recycle(&pool);
        }
        assert_eq!(pool.held(), 3);
        let many = MemoryPool::new(usize::MAX);
        for _ in 0..MAX_BUFFERS + 3 {
            MemoryEntity::new(page(1), 65536, None)
                .unwrap()
                .recycle(&many);
        }
        assert_eq!(many.held(), MAX_BUFFERS);
        // Too big to keep at all.
        MemoryEntity::new(page(4), 4 * 65536, None)
            .unwrap()
            .recycle(&pool);
        assert_eq!(pool.held(), 3);
        // Four times too long for a one-page request: not taken.
        let small = MemoryPool::new(1 << 20);
        MemoryEntity::new(page(4), 4 * 65536, None)
            .unwrap()
            .recycle(&small);
        assert!(MemoryEntity::new(page(1), 65536, Some(&small)).is_some());
        assert_eq!(small.held(), 1);
    }
}
