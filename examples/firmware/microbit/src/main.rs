//! Kestrel firmware for the BBC micro:bit: an nRF51822, a Cortex-M0
//! (`thumbv6m-none-eabi`) with 256 KiB of flash and 16 KiB of RAM, run under
//! QEMU as `microbit`.
//!
//! ARMv6-M has no atomic compare-and-swap, which wasmparser's validator
//! needs, so this firmware has no translator: the guests are bytecode
//! images that `kestrel-firmware`'s build script makes on the build machine,
//! embedded in flash and run in place. The console is the nRF51's UART; the
//! exit status goes out through semihosting.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};

use cortex_m_rt::{ExceptionFrame, entry, exception};
use kestrel_firmware::{Board, Console, Limits, Stack, TrackedHeap};

/// The heap: Kestrel's modules (their bytecode stays in flash), stores,
/// value stacks and the guests' linear memories. With the 4 KiB stack and
/// the firmware's few statics it fills the 16 KiB of RAM (see memory.x).
const HEAP_SIZE: usize = 11 * 1024 + 512;

/// Kestrel's call limits. 16 bytes per frame and 8 per slot, and the
/// vectors grow by doubling: at most 2 KiB of frames and 4 KiB of slots,
/// plus the trap's backtrace (up to 100 frames).
const LIMITS: Limits = Limits {
    max_call_depth: 128,
    max_stack_slots: 512,
};

#[global_allocator]
static HEAP: TrackedHeap = TrackedHeap::empty();

/// The nRF51 UART.
const UART: usize = 0x4000_2000;
const STARTTX: usize = UART + 0x008;
const TXDRDY: usize = UART + 0x11C;
const ENABLE: usize = UART + 0x500;
const TXD: usize = UART + 0x51C;

/// The console: the nRF51's UART, which QEMU connects to its first serial
/// port.
#[derive(Debug, Clone, Copy)]
struct Uart(());

impl Uart {
    /// Enables the UART and starts its transmitter; doing it again is
    /// harmless, so the panic and fault handlers call this too.
    fn init() -> Self {
        // SAFETY: the UART's registers, which nothing else in this firmware
        // touches; single core, no interrupts.
        unsafe {
            write_volatile(ENABLE as *mut u32, 4);
            write_volatile(STARTTX as *mut u32, 1);
        }
        Uart(())
    }
}

impl Console for Uart {
    fn write(&self, bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: as in `init`. The TXDRDY event says the byte left.
            unsafe {
                write_volatile(TXDRDY as *mut u32, 0);
                write_volatile(TXD as *mut u32, u32::from(b));
                while read_volatile(TXDRDY as *const u32) == 0 {}
            }
        }
    }
}

#[entry]
fn main() -> ! {
    // cortex-m-rt turns a `static mut` declared here into a `&'static mut`
    // that only this function holds.
    static mut HEAP_MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once, before any allocation, with memory only the heap
    // uses.
    unsafe { HEAP.init(HEAP_MEMORY.as_mut_ptr() as usize, HEAP_SIZE) };

    unsafe extern "C" {
        static _stack_start: u32;
        static _stack_end: u32;
    }
    // SAFETY: the linker script's bounds of the main stack, which we run on.
    let stack = unsafe {
        Stack::new(
            &raw const _stack_end as usize,
            &raw const _stack_start as usize,
        )
    };

    let board = Board {
        name: "microbit",
        cpu: "nRF51822, Cortex-M0, thumbv6m-none-eabi",
        console: Uart::init(),
        heap: &HEAP,
        stack,
        limits: LIMITS,
    };
    kestrel_fw_cortex_m::exit(kestrel_firmware::run(&board))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    kestrel_firmware::report_panic(Uart::init(), info);
    kestrel_fw_cortex_m::exit(kestrel_firmware::EXIT_PANIC)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    kestrel_fw_cortex_m::fault(Uart::init(), frame)
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    kestrel_fw_cortex_m::unexpected(Uart::init(), irqn)
}
