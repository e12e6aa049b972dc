//! proc_exit and proc_raise: the first argument picks how the program ends.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    println!("mode {mode}");
    let r = unsafe { wasi::proc_raise(wasi::SIGNAL_TERM) };
    expect("proc_raise TERM", r, NOSYS);
    let r = unsafe { raw::proc_raise(0) };
    expect("proc_raise 0", r, NOSYS);
    match mode.as_str() {
        "return" => {
            println!("returning from main");
            finish();
        }
        "std-exit-0" => {
            println!("std::process::exit(0)");
            std::process::exit(0);
        }
        "panic" => {
            println!("panicking");
            panic!("deliberate panic");
        }
        code => {
            let code: u32 = code.parse().expect("an exit status");
            println!("proc_exit({code})");
            unsafe { wasi::proc_exit(code) };
            println!("not reached");
            panic!("proc_exit returned");
        }
    }
}
