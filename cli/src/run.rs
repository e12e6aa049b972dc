//! `kestrel run` and `kestrel validate`: loading a module (or a precompiled
//! image), setting up WASI, calling the guest, and turning how it ended into
//! an exit status.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use kestrel_interp::{
    Engine, Error, ErrorKind, Extern, Func, ImageError, Instance, Linker, Module, Store, Val,
};
use kestrel_wasi::{I32Exit, WasiCtx, hosted::HostSys};

use crate::args::RunOptions;
use crate::invoke;

/// The exit status after a trap: what a process killed by `SIGABRT` reports
/// on Unix (128 + 6), as wasmtime does, so that shells and CI tell a crashed
/// guest from one that chose to exit with an error. On Windows wasmtime uses
/// 3, the status of `abort()` there.
pub const TRAP_STATUS: i32 = if cfg!(windows) { 3 } else { 134 };

/// Why a command failed; `main` prints it after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The module could not be loaded, linked or called: exit status 1.
    Error(String),
    /// The guest trapped: the trap with its backtrace, exit status
    /// [`TRAP_STATUS`].
    Trap(String),
}

impl Failure {
    /// The process exit status for this failure.
    pub fn status(&self) -> i32 {
        match self {
            Failure::Error(_) => 1,
            Failure::Trap(_) => TRAP_STATUS,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(message) => f.write_str(message),
            Failure::Trap(trap) => write!(f, "wasm trap: {trap}"),
        }
    }
}

fn error(message: impl Into<String>) -> Failure {
    Failure::Error(message.into())
}

/// Reads `path` and compiles it: text is assembled first, and a
/// precompiled image (it starts with `\0kbc`) is loaded as it is.
pub fn load(engine: &Engine, path: &str) -> Result<Module, Failure> {
    let bytes = read(path)?;
    if kestrel_interp::image::is_image(&bytes) {
        return Module::from_image_copied(engine, &bytes)
            .map_err(|e| error(format!("failed to load `{path}`: {}", image_error(&e))));
    }
    compile(engine, path, &bytes)
}

/// The contents of `path`.
pub fn read(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| error(format!("failed to read `{path}`: {e}")))
}

/// Compiles the module in `bytes`, read from `path` (binary or text).
pub fn compile(engine: &Engine, path: &str, bytes: &[u8]) -> Result<Module, Failure> {
    let wasm = to_binary(path, bytes)?;
    Module::new(engine, &wasm).map_err(|e| {
        error(format!(
            "failed to load `{path}`: {}",
            one_line(&e.to_string())
        ))
    })
}

/// Why an image did not load, with what to do about a fuel mismatch in
/// this tool's words.
fn image_error(e: &Error) -> String {
    match e.kind() {
        ErrorKind::Image(ImageError::ConfigMismatch {
            setting: "Config::consume_fuel",
            image: true,
            ..
        }) => "the image was compiled with `--fuel`, which `kestrel run` does not meter: \
               compile it without `--fuel`"
            .to_string(),
        _ => one_line(&e.to_string()),
    }
}

/// The binary form of the file's contents.
///
/// Binaries start with `\0asm`; text starts (after whitespace and comments)
/// with `(`. A file that looks like neither is text only if it is named
/// `.wat`, so that a typo in a text file is a syntax error with its line and
/// column, and a corrupt binary is said to be one.
fn to_binary<'a>(path: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, Failure> {
    match wat::Detect::from_bytes(bytes) {
        wat::Detect::WasmBinary => return Ok(Cow::Borrowed(bytes)),
        wat::Detect::WasmText => {}
        wat::Detect::Unknown if path.ends_with(".wat") => {}
        // wasmparser would say "magic header not detected" and dump both
        // headers as arrays over a dozen lines.
        wat::Detect::Unknown => {
            return Err(error(format!(
                "failed to load `{path}`: not a WebAssembly module \
                 (a binary starts with `\\0asm`, a text module with `(`)"
            )));
        }
    }
    wat::Parser::new()
        .parse_bytes(Some(path.as_ref()), bytes)
        .map_err(|e| error(wat_error(&e.to_string())))
}

/// A text syntax error on one line, as compilers print them:
/// `file:line:col: message`.
///
/// wat renders the message, then `--> file:line:col` and the offending line
/// with a caret under it; the location is kept and the picture dropped, so
/// that every error of the tool is one line.
fn wat_error(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let message = lines.next().unwrap_or_default();
    match lines
        .next()
        .and_then(|l| l.trim_start().strip_prefix("--> "))
    {
        Some(location) => format!("{location}: {message}"),
        None => one_line(rendered),
    }
}

/// `message` with every run of whitespace, line breaks included, made one
/// space: some validator messages span lines or pad with spaces.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `kestrel validate`: prints `<file>: ok` for each valid module and an
/// error for each other; returns the exit status.
pub fn validate(files: &[String]) -> i32 {
    let engine = Engine::default();
    let mut status = 0;
    for file in files {
        match load(&engine, file) {
            Ok(_) => println!("{file}: ok"),
            Err(failure) => {
                eprintln!("error: {failure}");
                status = failure.status();
            }
        }
    }
    status
}

/// `kestrel run`: the exit status the guest chose, or why it failed.
pub fn run(opts: &RunOptions) -> Result<i32, Failure> {
    let engine = Engine::default();
    let module = load(&engine, &opts.file)?;
    let mut linker = Linker::<WasiCtx>::new(&engine);
    kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx)
        .map_err(|e| error(format!("failed to define the WASI functions: {e}")))?;
    let mut store = Store::new(&engine, wasi_context(opts)?);
    // The module's start function runs here and may already exit or trap.
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => return ended(e),
    };
    match &opts.invoke {
        None => run_command(&mut store, instance, &opts.file),
        Some(name) => run_invoke(&mut store, instance, &opts.file, name, &opts.args),
    }
}

/// The guest's WASI view: its arguments start with the module's name as
/// given, as a shell gives a program its own name; its environment is only
/// what `--env` spells out; its files are only the `--dir` directories.
fn wasi_context(opts: &RunOptions) -> Result<WasiCtx, Failure> {
    let mut builder = WasiCtx::builder(HostSys::new())
        .inherit_stdio()
        .arg(&opts.file)
        .args(&opts.args);
    for (name, value) in &opts.env {
        builder = builder.env(name, value);
    }
    for dir in &opts.dirs {
        // Checked here for the operating system's own message ("No such
        // file or directory (os error 2)"); WASI would only give an errno.
        match std::fs::metadata(&dir.host) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(error(format!("`{}` is not a directory", dir.host))),
            Err(e) => {
                return Err(error(format!(
                    "failed to open directory `{}`: {e}",
                    dir.host
                )));
            }
        }
        builder = builder.preopened_dir(dir.host.as_str(), dir.guest.as_str());
    }
    builder
        .build()
        .map_err(|e| error(format!("failed to set up WASI for the guest: {e}")))
}

/// How a call that entered Wasm ended with an error: `proc_exit` is a normal
/// end with its status; a trap and any other error are failures.
fn ended(e: Error) -> Result<i32, Failure> {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return Ok(exit.0);
    }
    match e.as_trap() {
        // The alternate form adds the Wasm backtrace, one frame a line, with
        // names from the module's name section.
        Some(trap) => Err(Failure::Trap(format!("{trap:#}"))),
        None => Err(error(e.to_string())),
    }
}

/// Calls `func`, which takes and returns nothing; 0 when it returns.
fn call_unit(store: &mut Store<WasiCtx>, func: Func, name: &str) -> Result<i32, Failure> {
    let ty = func.ty(&*store);
    if !ty.params().is_empty() || !ty.results().is_empty() {
        return Err(error(format!(
            "`{name}` must take no parameters and return nothing, but its type is {ty}"
        )));
    }
    match func.call(&mut *store, &[], &mut []) {
        Ok(()) => Ok(0),
        Err(e) => ended(e),
    }
}

/// Without `--invoke`, as wasmtime: a command's `_start`. A reactor (it
/// exports `_initialize` but no `_start`) is a library with no entry point,
/// so the user must say what to call. A module with neither has run its
/// start function at instantiation, and that is all it does.
fn run_command(store: &mut Store<WasiCtx>, instance: Instance, file: &str) -> Result<i32, Failure> {
    if let Some(start) = instance.get_func(&*store, "_start") {
        return call_unit(store, start, "_start");
    }
    if instance.get_func(&*store, "_initialize").is_some() {
        return Err(error(format!(
            "`{file}` is a reactor (it exports `_initialize` but no `_start`): \
             use `--invoke NAME` to call one of its exports"
        )));
    }
    Ok(0)
}

/// `--invoke NAME ARGS...`: `_initialize` first if the module has one (a
/// reactor's exports assume it ran), then `NAME`, whose results go to
/// standard output one a line.
fn run_invoke(
    store: &mut Store<WasiCtx>,
    instance: Instance,
    file: &str,
    name: &str,
    args: &[String],
) -> Result<i32, Failure> {
    let Some(func) = instance.get_func(&*store, name) else {
        return Err(error(no_such_function(store, instance, file, name)));
    };
    let ty = func.ty(&*store);
    // Arguments are checked before any guest code runs.
    let params = invoke::parse_args(name, ty.params(), args).map_err(error)?;
    if name != "_initialize"
        && let Some(init) = instance.get_func(&*store, "_initialize")
    {
        match call_unit(store, init, "_initialize") {
            Ok(_) => {}
            // `proc_exit` during initialisation ends the run too.
            other => return other,
        }
    }
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    if let Err(e) = func.call(&mut *store, &params, &mut results) {
        return ended(e);
    }
    let mut out = std::io::stdout().lock();
    for result in &results {
        writeln!(out, "{}", invoke::format_val(result))
            .map_err(|e| error(format!("failed to print the results: {e}")))?;
    }
    Ok(0)
}

/// The message for an `--invoke` of a function that is not exported, with
/// what is, since the usual cause is a typo or a mangled name.
fn no_such_function(store: &Store<WasiCtx>, instance: Instance, file: &str, name: &str) -> String {
    let funcs: Vec<String> = instance
        .exports(store)
        .into_iter()
        .filter(|(_, e)| matches!(e, Extern::Func(_)))
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    let what = if instance.get_export(store, name).is_some() {
        format!("the export `{name}` of `{file}` is not a function")
    } else {
        format!("`{file}` exports no function named `{name}`")
    };
    if funcs.is_empty() {
        format!("{what}; it exports no functions")
    } else {
        format!("{what}; its exported functions: {}", funcs.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_errors_become_one_line() {
        let rendered = "expected valid module field\n     --> m.wat:3:4\n      |\n    3 |   (foo))\n      |    ^";
        assert_eq!(
            wat_error(rendered),
            "m.wat:3:4: expected valid module field"
        );
        // Without a location (a file that is not UTF-8), the message as is.
        assert_eq!(
            wat_error("failed to parse `m.wat`: input bytes aren't valid utf-8"),
            "failed to parse `m.wat`: input bytes aren't valid utf-8"
        );
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let Err(Failure::Error(message)) = to_binary("m.wat", b"(module\n  (foo))") else {
            panic!("a syntax error");
        };
        assert_eq!(message, "m.wat:2:4: expected valid module field");
        assert!(to_binary("m.wat", b"(module)").is_ok());
        // A binary is passed through whatever its name.
        assert_eq!(
            to_binary("m.wat", b"\0asm\x01\0\0\0").ok().as_deref(),
            Some(&b"\0asm\x01\0\0\0"[..])
        );
    }

    #[test]
    fn neither_binary_nor_text() {
        let Err(Failure::Error(message)) = to_binary("m.wasm", b"garbage") else {
            panic!("not a module");
        };
        assert!(message.starts_with("failed to load `m.wasm`: not a WebAssembly module"));
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(
            one_line("unknown binary version:\n        0x2"),
            "unknown binary version: 0x2"
        );
    }

    #[test]
    fn trap_status_is_sigabrt_on_unix() {
        if cfg!(unix) {
            assert_eq!(TRAP_STATUS, 128 + 6);
        }
        assert_eq!(Failure::Trap(String::new()).status(), TRAP_STATUS);
        assert_eq!(Failure::Error(String::new()).status(), 1);
    }
}
