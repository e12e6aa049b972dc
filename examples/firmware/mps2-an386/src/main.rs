//! Kestrel firmware for the MPS2 AN386 board: a Cortex-M4F
//! (`thumbv7em-none-eabihf`), run under QEMU as `mps2-an386`.
//!
//! Runs the three guest programs of `kestrel-firmware` with the console on
//! the CMSDK UART0 and exits through semihosting with the status `run`
//! returns. By
//! default the guests are Wasm binaries translated on the device; with the
//! `precompiled` feature (and without `translate`) they are bytecode images
//! and the firmware has no translator.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};

use cortex_m_rt::{ExceptionFrame, entry, exception};
use kestrel_firmware::{Board, Console, Limits, Stack, TrackedHeap};

/// The heap: everything the guests need, Kestrel's module, store, value
/// stack and the guests' linear memories included. It sits in RAM after
/// `.data` and `.bss`; see memory.x for the map.
const HEAP_SIZE: usize = 96 * 1024;

/// Kestrel's call limits. 16 bytes per frame and 8 per slot, with room for
/// the vectors' doubling: at most 16 KiB of frames and 32 KiB of slots,
/// which the heap holds beside a loaded module.
const LIMITS: Limits = Limits {
    max_call_depth: 1000,
    max_stack_slots: 4096,
};

#[global_allocator]
static HEAP: TrackedHeap = TrackedHeap::empty();

/// UART0 of the CMSDK APB UART block, which QEMU connects to its first
/// serial port.
const UART0: usize = 0x4000_4000;
/// Data register: a write sends a byte.
const DATA: usize = UART0;
/// State register: bit 0 is "transmit buffer full".
const STATE: usize = UART0 + 0x04;
/// Control register: bit 0 enables the transmitter.
const CTRL: usize = UART0 + 0x08;
/// Baud rate divider; the UART wants at least 16.
const BAUDDIV: usize = UART0 + 0x10;

/// The console: UART0.
#[derive(Debug, Clone, Copy)]
struct Uart0(());

impl Uart0 {
    /// Enables the transmitter. Doing it again is harmless, so the panic
    /// and fault handlers call this too.
    fn init() -> Self {
        // SAFETY: the UART's registers, which nothing else in this firmware
        // touches; single core, no interrupts.
        unsafe {
            write_volatile(BAUDDIV as *mut u32, 16);
            write_volatile(CTRL as *mut u32, 1);
        }
        Uart0(())
    }
}

impl Console for Uart0 {
    fn write(&self, bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: as in `init`.
            unsafe {
                while read_volatile(STATE as *const u32) & 1 != 0 {}
                write_volatile(DATA as *mut u32, u32::from(b));
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
        name: "mps2-an386",
        cpu: "Cortex-M4F, thumbv7em-none-eabihf",
        console: Uart0::init(),
        heap: &HEAP,
        stack,
        limits: LIMITS,
    };
    kestrel_fw_cortex_m::exit(kestrel_firmware::run(&board))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    kestrel_firmware::report_panic(Uart0::init(), info);
    kestrel_fw_cortex_m::exit(kestrel_firmware::EXIT_PANIC)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    kestrel_fw_cortex_m::fault(Uart0::init(), frame)
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    kestrel_fw_cortex_m::unexpected(Uart0::init(), irqn)
}
