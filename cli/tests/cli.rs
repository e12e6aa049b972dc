//! The `kestrel` binary as a user runs it: output, messages and exit
//! statuses.

use std::path::{Path, PathBuf};
use std::process::Command;

const KESTREL: &str = env!("CARGO_BIN_EXE_kestrel");

/// The exit status of a trap: 128 + SIGABRT on Unix, as wasmtime.
const TRAP_STATUS: i32 = if cfg!(windows) { 3 } else { 134 };

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn kestrel_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(KESTREL)
        .args(args)
        .current_dir(dir)
        // Must not reach the guest: it sees only what --env gives.
        .env("KESTREL_TEST_HOST_SECRET", "leaked")
        .output()
        .expect("the kestrel binary runs");
    Run {
        status: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn kestrel(args: &[&str]) -> Run {
    kestrel_in(&workspace(), args)
}

/// The workspace root: the README's commands run from there.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is in the workspace")
        .to_path_buf()
}

/// Writes `contents` to a file named `name` in this test binary's scratch
/// directory and returns its path. Names are unique per test, since tests
/// run in parallel.
fn file(name: &str, contents: impl AsRef<[u8]>) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kestrel-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().expect("UTF-8 temp path").to_string()
}

/// A scratch directory, emptied.
fn scratch_dir(name: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("kestrel-cli-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_str().expect("UTF-8 temp path").to_string()
}

/// A WASI command that prints each string of a WASI list (`args_*` or
/// `environ_*`) on its own line.
fn list_printer(sizes_get: &str, get: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "{sizes_get}" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "{get}" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "\n")
  ;; 0: count, 4: bytes, 16: two iovecs, 32: nwritten, 1024: pointers, 8192: strings
  (func $strlen (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $s)))
  (func (export "_start")
    (local $i i32)
    (local $s i32)
    (if (call $sizes (i32.const 0) (i32.const 4)) (then unreachable))
    (if (call $get (i32.const 1024) (i32.const 8192)) (then unreachable))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
        (local.set $s (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.const 16) (local.get $s))
        (i32.store (i32.const 20) (call $strlen (local.get $s)))
        (i32.store (i32.const 24) (i32.const 100))
        (i32.store (i32.const 28) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))"#
    )
}

/// Plain exports for `--invoke`.
const MATH: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "mul64") (param i64 i64) (result i64)
    (i64.mul (local.get 0) (local.get 1)))
  (func (export "scale") (param f32 f32) (result f32)
    (f32.mul (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_s (local.get 0) (local.get 1))
    (i32.rem_s (local.get 0) (local.get 1)))
  (memory (export "memory") 1))"#;

#[test]
fn readme_example_prints_the_report() {
    let run = kestrel(&[
        "run",
        "--dir",
        "examples/wasi/data::/data",
        "examples/wasi/report.wat",
    ]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "readings: 6\ntotal: 2485\nmean: 414\n");
    assert_eq!(run.status, 0);
}

#[test]
fn example_reports_a_missing_preopen_or_file() {
    let run = kestrel(&["run", "examples/wasi/report.wat"]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "report: no preopened directory /data (run with --dir HOST_DIR::/data)\n"
    );

    let empty = scratch_dir("report-empty");
    let run = kestrel(&[
        "run",
        &format!("--dir={empty}::/data"),
        "examples/wasi/report.wat",
    ]);
    assert_eq!(run.status, 1);
    // 44 is WASI's ENOENT.
    assert_eq!(
        run.stderr,
        "report: cannot open /data/readings.txt: errno 44\n"
    );
}

#[test]
fn example_parses_what_it_is_given() {
    // Negative numbers, CRLF, a blank line, no final newline, and more than
    // one 4096-byte read.
    let dir = scratch_dir("report-data");
    let mut data = String::from("10\r\n-25\r\n\r\n  7\n");
    for i in 1..=1000 {
        data.push_str(&format!("{i}\n"));
    }
    data.push('8');
    std::fs::write(Path::new(&dir).join("readings.txt"), data).unwrap();
    let run = kestrel(&[
        "run",
        "--dir",
        &format!("{dir}::/data"),
        "examples/wasi/report.wat",
    ]);
    assert_eq!(run.stderr, "");
    // 10 - 25 + 7 + 500500 + 8 = 500500, over 1004 readings.
    assert_eq!(run.stdout, "readings: 1004\ntotal: 500500\nmean: 498\n");
    assert_eq!(run.status, 0);
}

#[test]
fn exit_status_is_the_guests() {
    let wat = file(
        "exit7.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7)) unreachable))"#,
    );
    let run = kestrel(&["run", &wat]);
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.as_str()),
        (7, "", "")
    );

    // Returning from `_start` is status 0, and a module without WASI
    // imports runs too.
    let wat = file("returns.wat", r#"(module (func (export "_start")))"#);
    let run = kestrel(&["run", &wat]);
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn invoke_parses_arguments_and_prints_results() {
    let wat = file("math.wat", MATH);
    for (args, expected) in [
        (&["add", "40", "2"][..], "42\n"),
        (&["add", "0x7fffffff", "1"], "-2147483648\n"),
        (&["add", "4294967295", "-1"], "-2\n"),
        (&["mul64", "0x100000000", "3"], "12884901888\n"),
        (&["mul64", "-9000000000", "2"], "-18000000000\n"),
        (&["scale", "1.5", "-2"], "-3\n"),
        (&["scale", "0.5", "inf"], "inf\n"),
        (&["divmod", "17", "5"], "3\n2\n"),
    ] {
        let run = kestrel(&["run", "--invoke", args[0], &wat, args[1], args[2]]);
        assert_eq!(run.stderr, "", "{args:?}");
        assert_eq!(run.stdout, expected, "{args:?}");
        assert_eq!(run.status, 0, "{args:?}");
    }
    // `--invoke=NAME`, and `--` before the arguments.
    let run = kestrel(&["run", "--invoke=add", &wat, "--", "-1", "-2"]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "-3\n"));
}

#[test]
fn invoke_errors() {
    let wat = file("math-errors.wat", MATH);
    let run = kestrel(&["run", "--invoke", "add", &wat, "1"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        "error: `add` takes 2 arguments (i32, i32) but 1 was given\n"
    );
    let run = kestrel(&["run", "--invoke", "mul64", &wat, "1", "two"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.starts_with(
            "error: invalid argument 'two' for parameter 2 of `mul64`: expected an i64"
        ),
        "{}",
        run.stderr
    );
    let run = kestrel(&["run", "--invoke", "sub", &wat]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: `{wat}` exports no function named `sub`; its exported functions: \
             `add`, `mul64`, `scale`, `divmod`\n"
        )
    );
    let run = kestrel(&["run", "--invoke", "memory", &wat]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("`memory`"), "{}", run.stderr);
    assert!(run.stderr.contains("is not a function"), "{}", run.stderr);
}

#[test]
fn reactors_are_initialized_and_need_invoke() {
    let wat = file(
        "reactor.wat",
        r#"(module
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $base (i32.const 40)))
  (func (export "get") (result i32) (i32.add (global.get $base) (i32.const 2))))"#,
    );
    let run = kestrel(&["run", "--invoke", "get", &wat]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "42\n"));
    let run = kestrel(&["run", &wat]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("is a reactor"), "{}", run.stderr);
    assert!(run.stderr.contains("--invoke"), "{}", run.stderr);
}

#[test]
fn traps_print_the_backtrace_and_exit_134() {
    let wat = file(
        "boom.wat",
        r#"(module
  (func $boom unreachable)
  (func $middle call $boom)
  (func $main (export "_start") call $middle))"#,
    );
    let run = kestrel(&["run", &wat]);
    assert_eq!(run.status, TRAP_STATUS);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines[0], "error: wasm trap: unreachable", "{}", run.stderr);
    assert_eq!(lines[1], "wasm backtrace:");
    let frames: Vec<&str> = lines[2..].iter().map(|l| l.trim()).collect();
    assert_eq!(frames, ["0: boom", "1: middle", "2: main"]);

    // The same under --invoke.
    let run = kestrel(&["run", "--invoke", "_start", &wat]);
    assert_eq!(run.status, TRAP_STATUS);
    assert!(run.stderr.starts_with("error: wasm trap: unreachable\n"));
}

#[test]
fn missing_file() {
    let run = kestrel(&["run", "missing.wasm"]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stdout, "");
    if cfg!(unix) {
        assert_eq!(
            run.stderr,
            "error: failed to read `missing.wasm`: No such file or directory (os error 2)\n"
        );
    } else {
        assert!(
            run.stderr
                .starts_with("error: failed to read `missing.wasm`: ")
        );
    }
}

#[test]
fn invalid_modules() {
    // A binary of a version that does not exist.
    let wasm = file("version2.wasm", b"\0asm\x02\0\0\0");
    let run = kestrel(&["run", &wasm]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: failed to load `{wasm}`: invalid module at byte offset 0x4: \
             unknown binary version: 0x2\n"
        )
    );
    // Text that assembles but does not validate.
    let wat = file("untyped.wat", "(module (func (drop)))");
    let run = kestrel(&["run", &wat]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("invalid module"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // Text that does not parse: the location, on one line.
    let wat = file("syntax.wat", "(module\n  (fnuc))");
    let run = kestrel(&["run", &wat]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!("error: {wat}:2:4: expected valid module field\n")
    );
    // Neither binary nor text.
    let wasm = file("garbage.wasm", "garbage");
    let run = kestrel(&["run", &wasm]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("not a WebAssembly module"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn unknown_import() {
    let wat = file(
        "import.wat",
        r#"(module (import "env" "log" (func (param i32))) (func (export "_start")))"#,
    );
    let run = kestrel(&["run", &wat]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        "error: unknown import: `env::log` has not been defined\n"
    );
}

#[test]
fn missing_preopen_directory() {
    let wat = file("noop.wat", r#"(module (func (export "_start")))"#);
    let run = kestrel(&["run", "--dir", "no/such/dir", &wat]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("error: failed to open directory `no/such/dir`: "),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    for (args, first) in [
        (
            &["run", "--foo", "x.wasm"][..],
            "error: unexpected argument '--foo' found",
        ),
        (&["--foo"], "error: unexpected argument '--foo' found"),
        (
            &["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        (
            &["run", "--env", "NOVALUE", "x.wasm"],
            "error: invalid value 'NOVALUE' for '--env <NAME=VAL>': expected NAME=VAL",
        ),
        (
            &["run", "--dir"],
            "error: a value is required for '--dir <HOST_DIR[::GUEST_DIR]>' but none was supplied",
        ),
        (
            &["run"],
            "error: the following required arguments were not provided:",
        ),
        (
            &[],
            "error: a command is required: `kestrel run`, `kestrel compile` or `kestrel validate`",
        ),
    ] {
        let run = kestrel(args);
        assert_eq!(run.status, 2, "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr.lines().next(), Some(first), "{args:?}");
        assert_eq!(
            run.stderr.lines().last(),
            Some("For more information, try '--help'."),
            "{args:?}"
        );
    }
}

#[test]
fn help_and_version() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let run = kestrel(args);
        assert_eq!(run.status, 0);
        assert!(run.stdout.contains("Usage: kestrel <COMMAND>"), "{args:?}");
        assert!(run.stdout.contains("\nCommands:\n  run "), "{args:?}");
    }
    for args in [&["run", "--help"][..], &["help", "run"]] {
        let run = kestrel(args);
        assert_eq!(run.status, 0);
        assert!(
            run.stdout
                .contains("Usage: kestrel run [OPTIONS] <WASM>...\n"),
            "{args:?}"
        );
        assert!(run.stdout.contains("\nArguments:\n"));
        assert!(run.stdout.contains("\nOptions:\n"));
        assert!(run.stdout.contains("--dir <HOST_DIR[::GUEST_DIR]>"));
    }
    let run = kestrel(&["--version"]);
    assert_eq!(run.status, 0);
    assert_eq!(
        run.stdout,
        format!("kestrel {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn validate() {
    let good = file("valid.wat", MATH);
    let run = kestrel(&["validate", &good]);
    assert_eq!((run.status, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, format!("{good}: ok\n"));

    let bad = file("invalid.wat", "(module (func (result i32)))");
    let run = kestrel(&["validate", &good, &bad]);
    assert_eq!(run.status, 1);
    assert_eq!(run.stdout, format!("{good}: ok\n"));
    assert!(
        run.stderr
            .starts_with(&format!("error: failed to load `{bad}`: invalid module")),
        "{}",
        run.stderr
    );
}

#[test]
fn env_reaches_the_guest_and_nothing_else() {
    let wat = file(
        "environ.wat",
        list_printer("environ_sizes_get", "environ_get"),
    );
    let run = kestrel(&[
        "run",
        "--env",
        "GREETING=hello world",
        "--env=EMPTY=",
        "--env",
        "EQUATION=a=b",
        &wat,
    ]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "GREETING=hello world\nEMPTY=\nEQUATION=a=b\n");
    assert_eq!(run.status, 0);
}

#[test]
fn args_reach_the_guest() {
    let wat = file("args.wat", list_printer("args_sizes_get", "args_get"));
    // After the module everything is the guest's, options included; a `--`
    // right after it separates.
    let run = kestrel(&["run", &wat, "--", "-x", "two words", "--dir", "--"]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, format!("{wat}\n-x\ntwo words\n--dir\n--\n"));
    assert_eq!(run.status, 0);

    let run = kestrel(&["run", &wat, "--help"]);
    assert_eq!(run.stdout, format!("{wat}\n--help\n"));
}

/// A scratch path that does not exist yet.
fn output(name: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("kestrel-cli-tests")
        .join(name);
    let _ = std::fs::remove_file(&path);
    path.to_str().expect("UTF-8 temp path").to_string()
}

#[test]
fn compiled_images_run_like_their_module() {
    let wat = file("math-image.wat", MATH);
    let kbc = output("math.kbc");
    let run = kestrel(&["compile", &wat, "-o", &kbc]);
    assert_eq!(
        (run.status, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    let image = std::fs::read(&kbc).unwrap();
    assert!(image.starts_with(b"\0kbc"));
    for (name, args, expected) in [
        ("add", &["40", "2"][..], "42\n"),
        ("mul64", &["-3", "5"], "-15\n"),
        ("divmod", &["7", "2"], "3\n1\n"),
    ] {
        let mut from_image = vec!["run", "--invoke", name, &kbc];
        from_image.extend(args);
        let mut from_text = vec!["run", "--invoke", name, &wat];
        from_text.extend(args);
        let (a, b) = (kestrel(&from_image), kestrel(&from_text));
        assert_eq!((a.status, a.stdout.as_str()), (0, expected), "{}", a.stderr);
        assert_eq!((b.status, b.stdout), (a.status, a.stdout));
    }
    // `validate` checks images too.
    let run = kestrel(&["validate", &kbc]);
    assert_eq!((run.status, run.stdout), (0, format!("{kbc}: ok\n")));
}

#[test]
fn compiled_wasi_commands_get_their_arguments() {
    let wat = file("args-image.wat", list_printer("args_sizes_get", "args_get"));
    let kbc = output("args.kbc");
    assert_eq!(kestrel(&["compile", "--output", &kbc, &wat]).status, 0);
    let run = kestrel(&["run", &kbc, "one", "two words"]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, format!("{kbc}\none\ntwo words\n"));
    assert_eq!(run.status, 0);
}

#[test]
fn compiled_traps_keep_their_names() {
    let wat = file(
        "boom-image.wat",
        r#"(module
  (func $boom unreachable)
  (func $main (export "_start") call $boom))"#,
    );
    let kbc = output("boom.kbc");
    assert_eq!(kestrel(&["compile", &wat, "-o", &kbc]).status, 0);
    let run = kestrel(&["run", &kbc]);
    assert_eq!(run.status, TRAP_STATUS);
    let frames: Vec<&str> = run.stderr.lines().skip(2).map(|l| l.trim()).collect();
    assert_eq!(frames, ["0: boom", "1: main"], "{}", run.stderr);
}

#[test]
fn compile_errors() {
    // Not a valid module: the loader's one-line message.
    let bad = file("invalid-image.wat", "(module (func (result i32)))");
    let run = kestrel(&["compile", &bad, "-o", &output("never.kbc")]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with(&format!("error: failed to load `{bad}`: invalid module")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // An output that cannot be written.
    let good = file("good-image.wat", MATH);
    let run = kestrel(&["compile", &good, "-o", "no/such/dir/m.kbc"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("error: failed to write `no/such/dir/m.kbc`: "),
        "{}",
        run.stderr
    );
    // An image is not compiled again.
    let kbc = output("twice.kbc");
    assert_eq!(kestrel(&["compile", &good, "-o", &kbc]).status, 0);
    let run = kestrel(&["compile", &kbc, "-o", &output("thrice.kbc")]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!("error: `{kbc}` is already a Kestrel bytecode image\n")
    );
    // Usage errors.
    let run = kestrel(&["compile", &good]);
    assert_eq!(run.status, 2);
    assert_eq!(
        run.stderr.lines().next(),
        Some("error: the following required arguments were not provided:")
    );
    assert!(
        run.stderr
            .contains("Usage: kestrel compile [OPTIONS] --output <FILE> <WASM>")
    );
}

#[test]
fn bad_images_are_one_line_errors() {
    let good = file("corrupt-src.wat", MATH);
    let kbc = output("corrupt.kbc");
    assert_eq!(kestrel(&["compile", &good, "-o", &kbc]).status, 0);
    let mut image = std::fs::read(&kbc).unwrap();
    let last = image.len() - 1;
    image[last] ^= 1;
    let corrupt = file("corrupt-flipped.kbc", &image);
    let run = kestrel(&["run", "--invoke", "add", &corrupt, "1", "2"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: failed to load `{corrupt}`: image is corrupt: its checksum is "
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    let truncated = file("corrupt-truncated.kbc", &image[..40]);
    let run = kestrel(&["run", &truncated]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: failed to load `{truncated}`: image is truncated: the end of the image is cut off\n"
        )
    );
    // Compiled with fuel metering, which `kestrel run` does not do.
    let metered = output("metered.kbc");
    assert_eq!(
        kestrel(&["compile", "--fuel", &good, "-o", &metered]).status,
        0
    );
    let run = kestrel(&["run", "--invoke", "add", &metered, "1", "2"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("compiled with `--fuel`"),
        "{}",
        run.stderr
    );
}

#[test]
fn compile_help() {
    for args in [&["compile", "--help"][..], &["help", "compile"]] {
        let run = kestrel(args);
        assert_eq!(run.status, 0);
        assert!(
            run.stdout
                .contains("Usage: kestrel compile [OPTIONS] --output <FILE> <WASM>\n")
        );
        assert!(run.stdout.contains("-o, --output <FILE>"));
        assert!(run.stdout.contains("--fuel"));
    }
    assert!(kestrel(&["--help"]).stdout.contains("\n  compile   "));
}
