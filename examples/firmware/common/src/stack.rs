//! Measuring the main stack by painting it.

use core::ptr;

/// The main stack: `bottom..top`, growing down from `top`.
///
/// [`paint`](Self::paint) fills the unused part with a pattern;
/// [`used`](Self::used) later finds the lowest word that no longer holds it.
/// The difference is the deepest the stack went in between, as long as no
/// function left a word equal to the pattern at its deepest point (the
/// chance of which is negligible).
#[derive(Debug, Clone, Copy)]
pub struct Stack {
    bottom: usize,
    top: usize,
}

/// The paint: an odd, unaligned-looking value no pointer or small integer
/// takes.
const PAINT: u32 = 0xC5AC_CE55;

/// What [`Stack::paint`] leaves unpainted below its own frame, for the few
/// words the painting loop itself may push.
const MARGIN: usize = 128;

impl Stack {
    /// The stack between the linker script's bounds.
    ///
    /// # Safety
    ///
    /// `bottom..top` must be the stack the program runs on, word-aligned,
    /// and used by nothing else: [`paint`](Self::paint) writes below the
    /// current stack pointer.
    pub const unsafe fn new(bottom: usize, top: usize) -> Self {
        Stack { bottom, top }
    }

    /// The stack's size in bytes.
    pub fn size(&self) -> usize {
        self.top - self.bottom
    }

    /// Paints the unused part of the stack: every word from the bottom up to
    /// a little below this function's frame.
    #[inline(never)]
    pub fn paint(&self) {
        let here = 0u32;
        let limit = (ptr::addr_of!(here) as usize).saturating_sub(MARGIN) & !3;
        let mut p = self.bottom;
        while p < limit {
            // SAFETY: `p` is a word of the stack region (see `new`) below
            // the live frames, which no Rust object occupies.
            unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
    }

    /// The most bytes of stack in use at once since the last
    /// [`paint`](Self::paint), counted from the top of the stack.
    pub fn used(&self) -> usize {
        let mut p = self.bottom;
        // SAFETY: reads words of the stack region (see `new`).
        while p < self.top && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        self.top - p
    }
}
