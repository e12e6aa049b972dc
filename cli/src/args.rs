//! The command line grammar, parsed by hand.
//!
//! The grammar is small enough that a parser library would cost more (in
//! build time and in bending it to wasmtime's conventions) than it saves.
//! The conventions, and the messages, follow clap's, so that the tool reads
//! like wasmtime:
//!
//! ```text
//! kestrel run [--dir HOST[::GUEST]]... [--env NAME=VAL]... [--invoke NAME] <WASM> [--] [ARGS]...
//! kestrel compile [--fuel] --output <FILE> <WASM>
//! kestrel validate <WASM>...
//! kestrel help [COMMAND] | --help | -h | --version | -V
//! ```
//!
//! Options of `run` come before the module: everything after `<WASM>` belongs
//! to the guest (or to the function `--invoke` names), even words that start
//! with `-`, so `kestrel run ls.wasm -l` passes `-l` to the guest. A `--`
//! right after `<WASM>` is dropped, to allow the `<WASM> -- ARGS` form; a `--`
//! before `<WASM>` ends the options, for a module whose name starts with `-`.

use std::fmt;

/// The version printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print help for a topic to standard output.
    Help(Topic),
    /// Print `kestrel <version>`.
    Version,
    /// `kestrel run`.
    Run(RunOptions),
    /// `kestrel compile`.
    Compile(CompileOptions),
    /// `kestrel validate`: the files to check.
    Validate(Vec<String>),
}

/// A help page: the top level or one command's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `kestrel --help`.
    Main,
    /// `kestrel run --help`.
    Run,
    /// `kestrel compile --help`.
    Compile,
    /// `kestrel validate --help`.
    Validate,
}

impl Topic {
    /// The one-line usage, shown under a usage error.
    pub fn usage(self) -> &'static str {
        match self {
            Topic::Main => "Usage: kestrel <COMMAND>",
            Topic::Run => "Usage: kestrel run [OPTIONS] <WASM>...",
            Topic::Compile => "Usage: kestrel compile [OPTIONS] --output <FILE> <WASM>",
            Topic::Validate => "Usage: kestrel validate <WASM>...",
        }
    }

    /// The full help page.
    pub fn help(self) -> String {
        match self {
            Topic::Main => format!(
                "Kestrel {VERSION}: a portable WebAssembly interpreter

{usage}

Commands:
  run       Runs a WebAssembly module
  compile   Translates a module into a precompiled bytecode image
  validate  Checks that WebAssembly modules are valid
  help      Print this message or the help of the given command

Options:
  -h, --help     Print help
  -V, --version  Print version
",
                usage = self.usage()
            ),
            Topic::Run => format!(
                "Runs a WebAssembly module

{usage}

Arguments:
  <WASM>...  The module to run (a binary `.wasm`, a text `.wat` file, or a
             `.kbc` image from `kestrel compile`), then the arguments for
             it: the guest's arguments after its own name, or those of the
             function given to `--invoke`. Arguments after <WASM> go to the
             guest even if they start with `-`

Options:
      --dir <HOST_DIR[::GUEST_DIR]>  Grants the guest access to the host
                                     directory HOST_DIR, under the name
                                     GUEST_DIR (default: HOST_DIR as given),
                                     e.g. `--dir ./data::/data`
      --env <NAME=VAL>               Sets an environment variable for the
                                     guest
      --invoke <FUNCTION>            Calls this exported function instead of
                                     `_start` and prints its results
  -h, --help                         Print help

Exit status:
  the guest's `proc_exit` status (0 when `_start` returns), 1 for an error,
  {trap} when the guest traps (as wasmtime: 128 + SIGABRT on Unix), 2 for a
  usage error
",
                usage = self.usage(),
                trap = crate::run::TRAP_STATUS,
            ),
            Topic::Compile => format!(
                "Translates a WebAssembly module into a precompiled Kestrel bytecode
image: what `kestrel run` and `Module::from_image` load without translating
again (on a device, straight from flash). An image runs only on a Kestrel
with the same instruction set

{usage}

Arguments:
  <WASM>  The module to compile (a binary `.wasm` or a text `.wat` file)

Options:
  -o, --output <FILE>  Where to write the image (by convention, `.kbc`)
      --fuel           Compiles with fuel metering, for an engine with
                       `Config::consume_fuel` (an image loads only into an
                       engine with the same setting; `kestrel run` has it off)
  -h, --help           Print help

Exit status:
  0 when the image is written, 1 for an error, 2 for a usage error
",
                usage = self.usage()
            ),
            Topic::Validate => format!(
                "Checks that WebAssembly modules are valid: decodes, validates and
translates each one (or checks and verifies each image), and prints
`<WASM>: ok` for it

{usage}

Arguments:
  <WASM>...  The modules to check (binary `.wasm` or text `.wat` files, or
             `.kbc` images)

Options:
  -h, --help  Print help

Exit status:
  0 when every module is valid, 1 otherwise, 2 for a usage error
",
                usage = self.usage()
            ),
        }
    }
}

/// The options of `kestrel run`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunOptions {
    /// Host directories to preopen, in order (the first is fd 3).
    pub dirs: Vec<Preopen>,
    /// Environment variables for the guest, in order.
    pub env: Vec<(String, String)>,
    /// The export to call instead of `_start`.
    pub invoke: Option<String>,
    /// The module file, as given (it is also the guest's `argv[0]`).
    pub file: String,
    /// Everything after the file.
    pub args: Vec<String>,
}

/// The options of `kestrel compile`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompileOptions {
    /// The module to compile.
    pub input: String,
    /// Where to write the image.
    pub output: String,
    /// Whether to compile with fuel metering.
    pub fuel: bool,
}

/// A `--dir` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The directory on the host.
    pub host: String,
    /// The name the guest sees.
    pub guest: String,
}

/// A command line that does not fit the grammar; exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// What is wrong, without the `error: ` prefix.
    pub message: String,
    /// An optional `tip:` line.
    pub tip: Option<String>,
    /// The command whose usage to show.
    pub topic: Topic,
}

impl UsageError {
    fn new(topic: Topic, message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
            tip: None,
            topic,
        }
    }

    fn with_tip(mut self, tip: impl Into<String>) -> Self {
        self.tip = Some(tip.into());
        self
    }
}

/// Laid out as clap does, so that scripts and people used to wasmtime see
/// the same shape.
impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if let Some(tip) = &self.tip {
            writeln!(f, "\n  tip: {tip}")?;
        }
        writeln!(f, "\n{}\n", self.topic.usage())?;
        write!(f, "For more information, try '--help'.")
    }
}

/// Parses the arguments after the program name.
pub fn parse<I>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let Some(first) = args.next() else {
        return Err(UsageError::new(
            Topic::Main,
            "a command is required: `kestrel run`, `kestrel compile` or `kestrel validate`",
        ));
    };
    match first.as_str() {
        "-h" | "--help" => Ok(Command::Help(Topic::Main)),
        "-V" | "--version" => Ok(Command::Version),
        "help" => match args.next().as_deref() {
            None => Ok(Command::Help(Topic::Main)),
            Some("run") => Ok(Command::Help(Topic::Run)),
            Some("compile") => Ok(Command::Help(Topic::Compile)),
            Some("validate") => Ok(Command::Help(Topic::Validate)),
            Some("help") => Ok(Command::Help(Topic::Main)),
            Some(other) => Err(unknown_command(other)),
        },
        "run" => parse_run(args),
        "compile" => parse_compile(args),
        "validate" => parse_validate(args),
        flag if is_flag(flag) => Err(unexpected(Topic::Main, flag)),
        other => Err(unknown_command(other)),
    }
}

/// Whether `arg` is spelled like an option; a lone `-` is a value (by
/// convention, standard input).
fn is_flag(arg: &str) -> bool {
    arg.starts_with('-') && arg != "-"
}

fn unexpected(topic: Topic, arg: &str) -> UsageError {
    UsageError::new(topic, format!("unexpected argument '{arg}' found"))
}

fn unknown_command(name: &str) -> UsageError {
    let error = UsageError::new(Topic::Main, format!("unrecognized subcommand '{name}'"));
    // The likeliest slip: `kestrel app.wasm`, as wasmtime would allow.
    if name.ends_with(".wasm") || name.ends_with(".wat") {
        error.with_tip(format!("to run a module, use 'kestrel run {name}'"))
    } else {
        error
    }
}

/// The options that take a value, with their value names for messages.
const DIR: &str = "--dir <HOST_DIR[::GUEST_DIR]>";
const ENV: &str = "--env <NAME=VAL>";
const INVOKE: &str = "--invoke <FUNCTION>";
const OUTPUT: &str = "--output <FILE>";

fn parse_run(mut args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    let mut opts = RunOptions::default();
    let file = loop {
        let Some(arg) = args.next() else {
            return Err(missing_wasm(Topic::Run));
        };
        if arg == "--" {
            break args.next().ok_or_else(|| missing_wasm(Topic::Run))?;
        }
        if !is_flag(&arg) {
            break arg;
        }
        // `--name=value` or `--name value`.
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help(Topic::Run)),
            "--dir" => {
                let value = value(inline, &mut args, DIR, Topic::Run)?;
                opts.dirs.push(parse_dir(&value)?);
            }
            "--env" => {
                let value = value(inline, &mut args, ENV, Topic::Run)?;
                opts.env.push(parse_env(&value)?);
            }
            "--invoke" => {
                let value = value(inline, &mut args, INVOKE, Topic::Run)?;
                if opts.invoke.is_some() {
                    return Err(UsageError::new(
                        Topic::Run,
                        format!("the argument '{INVOKE}' cannot be used multiple times"),
                    ));
                }
                opts.invoke = Some(value);
            }
            _ => {
                return Err(unexpected(Topic::Run, &arg).with_tip(format!(
                    "to pass '{arg}' to the guest, put it after the module: \
                     'kestrel run <WASM> {arg}'"
                )));
            }
        }
    };
    opts.file = file;
    let mut rest = args.peekable();
    // `<WASM> -- ARGS`: the separator itself is not an argument.
    rest.next_if(|a| a == "--");
    opts.args = rest.collect();
    Ok(Command::Run(opts))
}

/// `kestrel compile`: options before or after the module, as clap allows;
/// `--` ends the options.
fn parse_compile(mut args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    let mut input = None;
    let mut output = None;
    let mut fuel = false;
    let mut options_ended = false;
    while let Some(arg) = args.next() {
        if options_ended || !is_flag(&arg) {
            if input.is_some() {
                return Err(unexpected(Topic::Compile, &arg));
            }
            input = Some(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        match name {
            "--" => options_ended = true,
            "-h" | "--help" => return Ok(Command::Help(Topic::Compile)),
            "-o" | "--output" => {
                let value = value(inline, &mut args, OUTPUT, Topic::Compile)?;
                if output.is_some() {
                    return Err(UsageError::new(
                        Topic::Compile,
                        format!("the argument '{OUTPUT}' cannot be used multiple times"),
                    ));
                }
                output = Some(value);
            }
            "--fuel" if inline.is_none() => fuel = true,
            _ => return Err(unexpected(Topic::Compile, &arg)),
        }
    }
    let missing = |what: &str| {
        UsageError::new(
            Topic::Compile,
            format!("the following required arguments were not provided:\n  {what}"),
        )
    };
    Ok(Command::Compile(CompileOptions {
        input: input.ok_or_else(|| missing("<WASM>"))?,
        output: output.ok_or_else(|| missing(OUTPUT))?,
        fuel,
    }))
}

fn parse_validate(args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    let mut files = Vec::new();
    let mut options_ended = false;
    for arg in args {
        if options_ended || !is_flag(&arg) {
            files.push(arg);
        } else if arg == "--" {
            options_ended = true;
        } else if arg == "-h" || arg == "--help" {
            return Ok(Command::Help(Topic::Validate));
        } else {
            return Err(unexpected(Topic::Validate, &arg));
        }
    }
    if files.is_empty() {
        return Err(missing_wasm(Topic::Validate));
    }
    Ok(Command::Validate(files))
}

fn missing_wasm(topic: Topic) -> UsageError {
    UsageError::new(
        topic,
        "the following required arguments were not provided:\n  <WASM>...",
    )
}

/// The value of an option: after `=`, or the next argument. Like clap, a
/// next argument that looks like an option is not taken as the value, so
/// that `--dir --env X=1` reports the missing directory instead of
/// preopening a directory named `--env`.
fn value(
    inline: Option<String>,
    args: &mut impl Iterator<Item = String>,
    option: &str,
    topic: Topic,
) -> Result<String, UsageError> {
    let missing = || {
        UsageError::new(
            topic,
            format!("a value is required for '{option}' but none was supplied"),
        )
    };
    match inline {
        Some(value) => Ok(value),
        None => match args.next() {
            Some(value) if !is_flag(&value) => Ok(value),
            _ => Err(missing()),
        },
    }
}

fn invalid(option: &str, value: &str, why: &str) -> UsageError {
    UsageError::new(
        Topic::Run,
        format!("invalid value '{value}' for '{option}': {why}"),
    )
}

/// `HOST` (the guest sees it under the same name) or `HOST::GUEST`, as
/// wasmtime spells it.
fn parse_dir(value: &str) -> Result<Preopen, UsageError> {
    let (host, guest) = value.split_once("::").unwrap_or((value, value));
    if host.is_empty() {
        return Err(invalid(DIR, value, "the host directory is empty"));
    }
    if guest.is_empty() {
        return Err(invalid(DIR, value, "the guest directory name is empty"));
    }
    Ok(Preopen {
        host: host.to_string(),
        guest: guest.to_string(),
    })
}

/// `NAME=VAL`; the value may be empty or contain `=`, the name may not. A
/// bare `NAME` (which wasmtime takes to mean "inherit it") is rejected: the
/// guest sees only what is spelled out.
fn parse_env(value: &str) -> Result<(String, String), UsageError> {
    match value.split_once('=') {
        Some(("", _)) => Err(invalid(ENV, value, "the variable name is empty")),
        Some((name, val)) => Ok((name.to_string(), val.to_string())),
        None => Err(invalid(ENV, value, "expected NAME=VAL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, UsageError> {
        super::parse(args.iter().copied())
    }

    fn run(args: &[&str]) -> RunOptions {
        match parse(args) {
            Ok(Command::Run(opts)) => opts,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    fn error(args: &[&str]) -> UsageError {
        match parse(args) {
            Err(e) => e,
            Ok(cmd) => panic!("{args:?} parsed as {cmd:?}"),
        }
    }

    fn dir(host: &str, guest: &str) -> Preopen {
        Preopen {
            host: host.into(),
            guest: guest.into(),
        }
    }

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn help_and_version() {
        for args in [&["--help"][..], &["-h"], &["help"], &["help", "help"]] {
            assert_eq!(parse(args), Ok(Command::Help(Topic::Main)), "{args:?}");
        }
        for args in [&["run", "--help"][..], &["run", "-h"], &["help", "run"]] {
            assert_eq!(parse(args), Ok(Command::Help(Topic::Run)), "{args:?}");
        }
        // Help wins over what would follow it.
        assert_eq!(
            parse(&["run", "--dir", "x", "--help", "--bogus"]),
            Ok(Command::Help(Topic::Run))
        );
        for args in [&["validate", "--help"][..], &["help", "validate"]] {
            assert_eq!(parse(args), Ok(Command::Help(Topic::Validate)), "{args:?}");
        }
        assert_eq!(parse(&["--version"]), Ok(Command::Version));
        assert_eq!(parse(&["-V"]), Ok(Command::Version));
    }

    #[test]
    fn run_plain() {
        assert_eq!(
            run(&["run", "app.wasm"]),
            RunOptions {
                file: "app.wasm".into(),
                ..RunOptions::default()
            }
        );
    }

    #[test]
    fn run_every_option_both_spellings() {
        let opts = run(&[
            "run",
            "--dir",
            "data",
            "--dir=.::/",
            "--env",
            "A=1",
            "--env=B=x=y",
            "--env",
            "EMPTY=",
            "--invoke=add",
            "m.wat",
            "1",
            "2",
        ]);
        assert_eq!(opts.dirs, [dir("data", "data"), dir(".", "/")]);
        assert_eq!(
            opts.env,
            [
                ("A".into(), "1".into()),
                ("B".into(), "x=y".into()),
                ("EMPTY".into(), String::new())
            ]
        );
        assert_eq!(opts.invoke.as_deref(), Some("add"));
        assert_eq!(opts.file, "m.wat");
        assert_eq!(opts.args, strings(&["1", "2"]));
        assert_eq!(
            run(&["run", "--invoke", "f", "m.wasm"]).invoke.as_deref(),
            Some("f")
        );
    }

    #[test]
    fn dir_guest_names() {
        let dirs = run(&["run", "--dir", "examples/data::/data", "--dir", "/tmp", "m"]).dirs;
        assert_eq!(dirs, [dir("examples/data", "/data"), dir("/tmp", "/tmp")]);
        // Only the first `::` separates.
        assert_eq!(run(&["run", "--dir=a::b::c", "m"]).dirs, [dir("a", "b::c")]);
    }

    #[test]
    fn args_after_the_module_go_to_the_guest() {
        let opts = run(&["run", "m.wasm", "-l", "--dir", "x", "--help", "--"]);
        assert_eq!(opts.file, "m.wasm");
        assert!(opts.dirs.is_empty());
        assert_eq!(opts.args, strings(&["-l", "--dir", "x", "--help", "--"]));
    }

    #[test]
    fn double_dash() {
        // Right after the module it separates and is dropped...
        let opts = run(&["run", "m.wasm", "--", "-x", "y"]);
        assert_eq!(opts.args, strings(&["-x", "y"]));
        // ...once: a second one is the guest's.
        assert_eq!(run(&["run", "m", "--", "--"]).args, strings(&["--"]));
        // Before the module it ends the options.
        let opts = run(&["run", "--env", "A=1", "--", "-odd.wasm", "a"]);
        assert_eq!(opts.file, "-odd.wasm");
        assert_eq!(opts.args, strings(&["a"]));
        assert_eq!(opts.env, [("A".into(), "1".into())]);
        assert_eq!(run(&["run", "--", "m", "--", "z"]).args, strings(&["z"]));
        // A lone `-` is a value, not an option.
        assert_eq!(run(&["run", "-"]).file, "-");
    }

    #[test]
    fn validate_files() {
        assert_eq!(
            parse(&["validate", "a.wasm", "b.wat"]),
            Ok(Command::Validate(strings(&["a.wasm", "b.wat"])))
        );
        assert_eq!(
            parse(&["validate", "--", "-a.wasm"]),
            Ok(Command::Validate(strings(&["-a.wasm"])))
        );
        assert_eq!(error(&["validate"]).topic, Topic::Validate);
        assert!(error(&["validate"]).message.contains("<WASM>"));
        assert_eq!(
            error(&["validate", "--strict", "a.wasm"]).message,
            "unexpected argument '--strict' found"
        );
    }

    fn compile(args: &[&str]) -> CompileOptions {
        match parse(args) {
            Ok(Command::Compile(opts)) => opts,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn compile_options_anywhere() {
        let expected = CompileOptions {
            input: "m.wat".into(),
            output: "m.kbc".into(),
            fuel: false,
        };
        assert_eq!(compile(&["compile", "m.wat", "-o", "m.kbc"]), expected);
        assert_eq!(compile(&["compile", "-o", "m.kbc", "m.wat"]), expected);
        assert_eq!(compile(&["compile", "--output=m.kbc", "m.wat"]), expected);
        assert_eq!(
            compile(&["compile", "--output", "m.kbc", "m.wat"]),
            expected
        );
        let fuel = compile(&["compile", "--fuel", "m.wat", "-o", "m.kbc"]);
        assert!(fuel.fuel);
        // After `--` a name may start with `-`.
        assert_eq!(
            compile(&["compile", "-o", "x", "--", "-m.wat"]).input,
            "-m.wat"
        );
        for args in [
            &["compile", "--help"][..],
            &["compile", "m.wat", "-h"],
            &["help", "compile"],
        ] {
            assert_eq!(parse(args), Ok(Command::Help(Topic::Compile)), "{args:?}");
        }
    }

    #[test]
    fn compile_usage_errors() {
        let e = error(&["compile", "m.wat"]);
        assert_eq!(e.topic, Topic::Compile);
        assert!(e.message.contains("--output <FILE>"), "{e}");
        assert!(error(&["compile", "-o", "x"]).message.contains("<WASM>"));
        assert_eq!(
            error(&["compile", "-o"]).message,
            "a value is required for '--output <FILE>' but none was supplied"
        );
        assert_eq!(
            error(&["compile", "a.wat", "b.wat", "-o", "x"]).message,
            "unexpected argument 'b.wat' found"
        );
        assert_eq!(
            error(&["compile", "--fuel=yes", "a.wat", "-o", "x"]).message,
            "unexpected argument '--fuel=yes' found"
        );
        assert!(
            error(&["compile", "a.wat", "-o", "x", "-o", "y"])
                .message
                .contains("cannot be used multiple times")
        );
    }

    #[test]
    fn missing_values() {
        for (args, option) in [
            (&["run", "--dir"][..], DIR),
            (&["run", "--env"], ENV),
            (&["run", "--invoke"], INVOKE),
            // The next word is an option, not a value.
            (&["run", "--dir", "--env", "A=1", "m"], DIR),
        ] {
            assert_eq!(
                error(args).message,
                format!("a value is required for '{option}' but none was supplied"),
                "{args:?}"
            );
        }
    }

    #[test]
    fn missing_module() {
        for args in [&["run"][..], &["run", "--dir", "x"], &["run", "--"]] {
            let e = error(args);
            assert_eq!(e.topic, Topic::Run);
            assert!(e.message.contains("<WASM>"), "{args:?}: {e}");
        }
    }

    #[test]
    fn invalid_values() {
        assert_eq!(
            error(&["run", "--env", "NOEQUALS", "m"]).message,
            "invalid value 'NOEQUALS' for '--env <NAME=VAL>': expected NAME=VAL"
        );
        assert!(
            error(&["run", "--env==v", "m"])
                .message
                .contains("name is empty")
        );
        assert!(
            error(&["run", "--dir=", "m"])
                .message
                .contains("host directory")
        );
        assert!(
            error(&["run", "--dir", "::/x", "m"])
                .message
                .contains("host directory")
        );
        assert!(
            error(&["run", "--dir", "x::", "m"])
                .message
                .contains("guest directory")
        );
        assert!(
            error(&["run", "--invoke", "a", "--invoke", "b", "m"])
                .message
                .contains("cannot be used multiple times")
        );
    }

    #[test]
    fn unknown_flags_and_commands() {
        let e = error(&["run", "--foo", "m.wasm"]);
        assert_eq!(e.message, "unexpected argument '--foo' found");
        assert_eq!(e.topic, Topic::Run);
        // `--foo=1` is reported whole, as written.
        assert_eq!(
            error(&["run", "--foo=1", "m"]).message,
            "unexpected argument '--foo=1' found"
        );
        assert_eq!(
            error(&["run", "-x", "m"]).message,
            "unexpected argument '-x' found"
        );
        assert_eq!(
            error(&["--foo"]).message,
            "unexpected argument '--foo' found"
        );
        assert_eq!(
            error(&["frobnicate"]).message,
            "unrecognized subcommand 'frobnicate'"
        );
        assert_eq!(
            error(&["help", "frobnicate"]).message,
            "unrecognized subcommand 'frobnicate'"
        );
        assert!(
            error(&["app.wasm"])
                .tip
                .unwrap()
                .contains("kestrel run app.wasm")
        );
        assert_eq!(error(&[]).topic, Topic::Main);
    }

    #[test]
    fn usage_error_layout() {
        let text = error(&["run", "--foo", "m"]).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "error: unexpected argument '--foo' found");
        assert!(lines.contains(&"Usage: kestrel run [OPTIONS] <WASM>..."));
        assert_eq!(lines.last(), Some(&"For more information, try '--help'."));
    }

    /// The column where a help line's description starts: after the gap
    /// that follows a flag or argument name, or the indentation of a
    /// continuation line.
    fn description_column(line: &str) -> usize {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        // Names are indented by at most 6 columns (`      --dir`),
        // continuations by more.
        if indent > 6 {
            return indent;
        }
        let gap = trimmed.find("  ").expect("a gap after the name");
        let after = &trimmed[gap..];
        indent + gap + after.len() - after.trim_start().len()
    }

    #[test]
    fn help_pages_are_aligned() {
        for topic in [Topic::Main, Topic::Run, Topic::Compile, Topic::Validate] {
            let help = topic.help();
            assert!(help.contains(topic.usage()));
            // Nothing wider than a classic terminal.
            for line in help.lines() {
                assert!(line.len() <= 80, "{topic:?}: too wide: {line}");
            }
            // In each section, every description starts in one column.
            for section in ["Commands:", "Arguments:", "Options:"] {
                let lines: Vec<&str> = help
                    .lines()
                    .skip_while(|l| *l != section)
                    .skip(1)
                    .take_while(|l| !l.is_empty())
                    .collect();
                let Some(first) = lines.first() else { continue };
                let column = description_column(first);
                for line in &lines {
                    assert_eq!(description_column(line), column, "{topic:?}: {line:?}");
                }
            }
        }
    }
}
