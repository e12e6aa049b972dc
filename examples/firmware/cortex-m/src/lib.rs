//! What the Cortex-M firmwares (micro:bit, MPS2 AN386) share: ending the
//! program with an exit status through semihosting, and reporting a fault.
#![no_std]

use kestrel_firmware::{Console, say};

/// Ends the program: QEMU exits with `status`.
///
/// Semihosting's `SYS_EXIT` (0x18) on AArch32 takes only a reason, so it
/// can say "success" or "failure" but carry no status; `SYS_EXIT_EXTENDED`
/// (0x20, semihosting 2.0) takes a block `[reason, subcode]`, and QEMU exits
/// with the subcode when the reason is `ADP_Stopped_ApplicationExit`. Should
/// a debugger not implement it, the call returns and we fall back to
/// `SYS_EXIT`, which keeps at least success or failure.
///
/// QEMU must run with `-semihosting-config enable=on,target=native`;
/// without semihosting the `bkpt` is a fault. On a board without a debugger
/// attached, it is a fault too: a product would reset or sleep instead.
pub fn exit(status: i32) -> ! {
    use cortex_m_semihosting::debug;
    const SYS_EXIT_EXTENDED: usize = 0x20;
    const ADP_STOPPED_APPLICATION_EXIT: usize = 0x2_0026;
    let block = [ADP_STOPPED_APPLICATION_EXIT, status as usize];
    // SAFETY: a semihosting call with its documented parameter block.
    unsafe { cortex_m_semihosting::syscall(SYS_EXIT_EXTENDED, &block) };
    debug::exit(if status == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

/// Reports a HardFault on `console` and exits with
/// [`kestrel_firmware::EXIT_FAULT`]. Boards call this from their
/// `HardFault` handler.
pub fn fault(console: impl Console, frame: &cortex_m_rt::ExceptionFrame) -> ! {
    say!(
        console,
        "!! HardFault: pc={:#010x} lr={:#010x}",
        frame.pc(),
        frame.lr()
    );
    exit(kestrel_firmware::EXIT_FAULT)
}

/// Reports an unexpected interrupt or exception and exits. Boards call this
/// from their `DefaultHandler`.
pub fn unexpected(console: impl Console, irqn: i16) -> ! {
    say!(console, "!! unexpected exception {irqn}");
    exit(kestrel_firmware::EXIT_FAULT)
}
