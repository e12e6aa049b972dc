//! Valid modules from wasm-smith (restricted to Kestrel's features) must
//! decode, validate and translate: `Module::new` is `Ok`, with and without
//! fuel metering, unless a documented limit declines the module.
#![no_main]

use arbitrary::Unstructured;
use kestrel_fuzz::{generate, is_documented_limit, report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(wasm) = generate::translate_module(&mut u) else {
        return;
    };
    for fuel in [false, true] {
        let mut config = kestrel_interp::Config::new();
        config.consume_fuel(fuel);
        let engine = kestrel_interp::Engine::new(&config);
        match kestrel_interp::Module::new(&engine, &wasm) {
            Ok(_) => {}
            Err(e) if is_documented_limit(&e) => {
                println!("documented limit: {e}");
                return;
            }
            Err(e) => {
                let path = report::write_artifact("translate", "rejected", &wasm);
                panic!(
                    "Kestrel rejected a valid module (consume_fuel = {fuel}): {e}\n\
                     module: {path}\n{}",
                    report::wat(&wasm)
                );
            }
        }
    }
});
