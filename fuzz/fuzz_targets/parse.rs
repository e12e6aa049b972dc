//! Arbitrary bytes into `Module::new`: an `Ok` or an `Err`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the engine: fuel metering changes the translation.
    let (fuel, bytes) = match data.split_first() {
        Some((&b, rest)) if b & 0x80 != 0 => (true, rest),
        _ => (false, data),
    };
    let mut config = kestrel_interp::Config::new();
    config.consume_fuel(fuel);
    let engine = kestrel_interp::Engine::new(&config);
    let _ = kestrel_interp::Module::new(&engine, bytes);
});
