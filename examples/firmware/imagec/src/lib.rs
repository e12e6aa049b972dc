//! Turns a Wasm binary into a Kestrel bytecode image, on the build machine.
//!
//! The firmware's build script (`common/build.rs`) calls [`compile`] for
//! every guest when the firmware runs precompiled images. The translation is
//! kestrel-interp's own, from the same sources the firmware runs, with the
//! translator enabled; `Module::from_image` on the device checks the image
//! (format version, instruction set fingerprint, checksum, settings) and
//! verifies every function's bytecode before running it.

use kestrel_interp::{Config, Engine, Error, Module};

/// Translates `wasm` and serializes the module.
///
/// The engine settings that shape the bytecode must be the firmware's
/// (`kestrel_firmware::engine_config`): custom page sizes on, fuel metering
/// off. The call limits are not part of an image.
pub fn compile(wasm: &[u8]) -> Result<Vec<u8>, Error> {
    let mut config = Config::new();
    config.wasm_custom_page_sizes(true);
    let engine = Engine::new(&config);
    Ok(Module::new(&engine, wasm)?.serialize())
}
