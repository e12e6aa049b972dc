//! A wasm-smith module run on Kestrel and on wasmi must behave the same:
//! see `kestrel_fuzz::oracle` for what is compared.
#![no_main]

use arbitrary::Unstructured;
use kestrel_fuzz::oracle::{DifferentialOracle, Options};
use kestrel_fuzz::{generate, report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(options) = Options::arbitrary(&mut u) else {
        return;
    };
    let Ok((wasm, termination)) = generate::differential_module(&mut u) else {
        return;
    };
    if let Err(mismatch) = DifferentialOracle::new(&wasm, options).run(&mut u) {
        let path = report::write_artifact("differential", "mismatch", &wasm);
        panic!(
            "Kestrel and wasmi disagree\n{mismatch}\noptions: {options:?}\n\
             termination: {termination:?}\nmodule: {path}\n{}",
            report::wat(&wasm)
        );
    }
});
