//! `kestrel`: run and validate WebAssembly and WASI programs from the
//! command line.
//!
//! The layout:
//!
//! - `main.rs` (this file): parses, dispatches, prints the failure and exits
//!   with its status. Nothing else happens here.
//! - [`args`]: the command line grammar, hand-written with clap's messages
//!   and wasmtime's conventions, and the help pages.
//! - [`run`]: loading a module (binary or text), the WASI context, calling
//!   `_start` or the `--invoke` export, and mapping how the guest ended to
//!   an exit status; also `validate`, which shares the loading.
//! - [`invoke`]: `--invoke` arguments parsed by parameter type, and results
//!   printed as wasmtime prints them.
//! - [`compile`]: `kestrel compile`, a module to a precompiled bytecode
//!   image.
//!
//! Exit statuses: the guest's own (`proc_exit`, or 0 when `_start`
//! returns), 1 for an error, [`run::TRAP_STATUS`] (134) for a trap, 2 for a
//! usage error.

mod args;
mod compile;
mod invoke;
mod run;

use std::io::Write;
use std::process;

use args::Command;

fn main() {
    let status = match arguments() {
        Ok(args) => dispatch(args),
        Err(status) => status,
    };
    // `process::exit` skips destructors: make sure what the guest or the
    // tool printed is out. Nothing useful can be done if this fails.
    let _ = std::io::stdout().flush();
    process::exit(status);
}

/// The arguments after the program name. WASI hands strings to the guest,
/// so one that is not UTF-8 is a usage error, as clap makes it.
fn arguments() -> Result<Vec<String>, i32> {
    std::env::args_os()
        .skip(1)
        .map(|arg| arg.into_string())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            eprintln!(
                "error: invalid UTF-8 was detected in one or more arguments\n\n\
                 For more information, try '--help'."
            );
            2
        })
}

fn dispatch(args: Vec<String>) -> i32 {
    match args::parse(args) {
        Ok(Command::Help(topic)) => {
            // A closed pipe (`kestrel --help | head -1`) is not an error.
            let _ = write!(std::io::stdout(), "{}", topic.help());
            0
        }
        Ok(Command::Version) => {
            let _ = writeln!(std::io::stdout(), "kestrel {}", args::VERSION);
            0
        }
        Ok(Command::Run(opts)) => run::run(&opts).unwrap_or_else(|failure| {
            eprintln!("error: {failure}");
            failure.status()
        }),
        Ok(Command::Compile(opts)) => match compile::compile(&opts) {
            Ok(()) => 0,
            Err(failure) => {
                eprintln!("error: {failure}");
                failure.status()
            }
        },
        Ok(Command::Validate(files)) => run::validate(&files),
        Err(usage) => {
            eprintln!("{usage}");
            2
        }
    }
}
