//! `kestrel compile`: a module translated once, on the host, into the
//! bytecode image that `kestrel run` and `Module::from_image` load.

use kestrel_interp::{Config, Engine};

use crate::args::CompileOptions;
use crate::run::{self, Failure};

/// Compiles `opts.input` and writes its image to `opts.output`.
pub fn compile(opts: &CompileOptions) -> Result<(), Failure> {
    let mut config = Config::new();
    config.consume_fuel(opts.fuel);
    let engine = Engine::new(&config);
    let input = &opts.input;
    let bytes = run::read(input)?;
    if kestrel_interp::image::is_image(&bytes) {
        return Err(Failure::Error(format!(
            "`{input}` is already a Kestrel bytecode image"
        )));
    }
    let image = run::compile(&engine, input, &bytes)?.serialize();
    std::fs::write(&opts.output, image)
        .map_err(|e| Failure::Error(format!("failed to write `{}`: {e}", opts.output)))
}
