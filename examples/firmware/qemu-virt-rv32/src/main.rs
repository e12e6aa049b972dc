//! Kestrel firmware for RV32IMAC (`riscv32imac-unknown-none-elf`) on QEMU's
//! `virt` board.
//!
//! Runs the three guest programs of `kestrel-firmware` with the console on
//! the 16550 UART at 0x1000_0000 and exits through the SiFive test device
//! at 0x10_0000 with the status `run` returns. The guests are Wasm binaries
//! translated on the device.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};

use kestrel_firmware::{Board, Console, Limits, Stack, TrackedHeap, say};

/// The heap: everything the guests need, Kestrel's module, store, value
/// stack and the guests' linear memories included.
const HEAP_SIZE: usize = 96 * 1024;

/// Kestrel's call limits; see the Cortex-M4F firmware, which has the same
/// heap.
const LIMITS: Limits = Limits {
    max_call_depth: 1000,
    max_stack_slots: 4096,
};

#[global_allocator]
static HEAP: TrackedHeap = TrackedHeap::empty();

/// The heap's memory, in .bss.
static mut HEAP_MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];

/// The 16550 UART's transmit holding register.
const UART_THR: usize = 0x1000_0000;
/// The line status register: bit 5 is "transmit holding register empty".
const UART_LSR: usize = 0x1000_0005;

/// The console: the 16550 UART, which QEMU connects to its first serial
/// port and needs no set-up.
#[derive(Debug, Clone, Copy)]
struct Uart;

impl Console for Uart {
    fn write(&self, bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: the UART's registers; single hart, no interrupts.
            unsafe {
                while read_volatile(UART_LSR as *const u8) & 0x20 == 0 {}
                write_volatile(UART_THR as *mut u8, b);
            }
        }
    }
}

/// Ends the program through the SiFive test device, whose finisher makes
/// QEMU exit: `0x5555` exits with 0, `status << 16 | 0x3333` with `status`.
fn exit(status: i32) -> ! {
    const FINISHER: usize = 0x10_0000;
    let value = if status == 0 {
        0x5555
    } else {
        ((status as u32 & 0xffff) << 16) | 0x3333
    };
    // SAFETY: the test device's only register.
    unsafe { write_volatile(FINISHER as *mut u32, value) };
    loop {
        riscv::asm::wfi();
    }
}

#[riscv_rt::entry]
fn main() -> ! {
    // SAFETY: called once, before any allocation, with memory only the heap
    // uses.
    unsafe { HEAP.init(&raw mut HEAP_MEMORY as usize, HEAP_SIZE) };

    unsafe extern "C" {
        static __estack: u32;
        static __sstack: u32;
    }
    // SAFETY: riscv-rt's bounds of the main stack (see memory.x), which we
    // run on.
    let stack = unsafe { Stack::new(&raw const __estack as usize, &raw const __sstack as usize) };

    let board = Board {
        name: "riscv-virt",
        cpu: "RV32IMAC, riscv32imac-unknown-none-elf",
        console: Uart,
        heap: &HEAP,
        stack,
        limits: LIMITS,
    };
    exit(kestrel_firmware::run(&board))
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    kestrel_firmware::report_panic(Uart, info);
    exit(kestrel_firmware::EXIT_PANIC)
}

/// Every exception (an illegal instruction, a misaligned or faulting
/// access) ends here: report it and exit, rather than riscv-rt's default of
/// spinning forever.
#[unsafe(export_name = "ExceptionHandler")]
fn exception_handler(frame: &riscv_rt::TrapFrame) -> ! {
    say!(
        Uart,
        "!! exception: mcause={:#x} mepc={:#010x} mtval={:#x} ra={:#010x}",
        riscv::register::mcause::read().bits(),
        riscv::register::mepc::read(),
        riscv::register::mtval::read(),
        frame.ra
    );
    exit(kestrel_firmware::EXIT_FAULT)
}
