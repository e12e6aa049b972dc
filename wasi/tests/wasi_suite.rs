//! The WASI conformance suite: Rust programs built for `wasm32-wasip1`
//! (`tests/guests`) run in Kestrel over the hosted implementation, each in a
//! fresh temporary directory tree, and their standard output, standard
//! error, exit status and resulting files are compared with what is
//! expected.
//!
//! `cargo test -p kestrel-wasi --test wasi_suite [FILTER]` runs the cases
//! whose names contain FILTER. The guests are built once per run with
//! `cargo build --release --target wasm32-wasip1` into
//! `<target dir>/wasi-guests`; a failing case also leaves its actual output
//! in `<target dir>/wasi-guests/actual/<case>.stdout` (and `.stderr`).
//!
//! Each guest prints one line per check and checks each outcome itself,
//! reporting wrong ones as `CHECK FAILED: …` on standard error before it
//! traps; the expected standard output is in
//! `tests/guests/expected/<case>.stdout`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kestrel_interp::{Engine, Linker, Module, Store};
use kestrel_wasi::hosted::HostSys;
use kestrel_wasi::{I32Exit, WasiCtx};

/// How long one case may run before it counts as hung.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Directory trees

/// An entry of a directory tree, as set up before a run or expected after.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Dir,
    File(Vec<u8>),
    /// A symbolic link; `{tmp}` in the target stands for the case's
    /// temporary directory.
    Link(String),
}

type Tree = Vec<(String, Node)>;

fn dir(path: &str) -> (String, Node) {
    (path.to_string(), Node::Dir)
}

fn file(path: &str, contents: impl AsRef<[u8]>) -> (String, Node) {
    (path.to_string(), Node::File(contents.as_ref().to_vec()))
}

fn link(path: &str, target: &str) -> (String, Node) {
    (path.to_string(), Node::Link(target.to_string()))
}

/// `tree` with the entries at `remove` (and below them) left out and `add`
/// added or replacing.
fn edit(tree: &Tree, remove: &[&str], add: Tree) -> Tree {
    let mut out: Tree = tree
        .iter()
        .filter(|(p, _)| {
            !remove
                .iter()
                .any(|r| p == r || p.starts_with(&format!("{r}/")))
        })
        .filter(|(p, _)| !add.iter().any(|(a, _)| a == p))
        .cloned()
        .collect();
    out.extend(add);
    out
}

fn create_tree(root: &Path, tree: &Tree) -> Result<(), String> {
    for (path, node) in tree {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("create {}: {e}", parent.display()))?;
        }
        let r = match node {
            Node::Dir => std::fs::create_dir_all(&full),
            Node::File(data) => std::fs::write(&full, data),
            Node::Link(target) => symlink(&target.replace("{tmp}", &root.to_string_lossy()), &full),
        };
        r.map_err(|e| format!("create {path}: {e}"))?;
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &str, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn symlink(_target: &str, _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "symbolic links are only set up on Unix",
    ))
}

/// Everything under `root`, symbolic links not followed, by relative path.
fn read_tree(root: &Path) -> Result<BTreeMap<String, Node>, String> {
    fn walk(root: &Path, rel: &str, out: &mut BTreeMap<String, Node>) -> Result<(), String> {
        let here = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        };
        let entries =
            std::fs::read_dir(&here).map_err(|e| format!("read_dir {}: {e}", here.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let full = root.join(&path);
            let meta = std::fs::symlink_metadata(&full).map_err(|e| format!("{path}: {e}"))?;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&full).map_err(|e| format!("{path}: {e}"))?;
                let target = target
                    .to_string_lossy()
                    .replace(&*root.to_string_lossy(), "{tmp}");
                out.insert(path, Node::Link(target));
            } else if meta.is_dir() {
                out.insert(path.clone(), Node::Dir);
                walk(root, &path, out)?;
            } else {
                let data = std::fs::read(&full).map_err(|e| format!("{path}: {e}"))?;
                out.insert(path, Node::File(data));
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(root, "", &mut out)?;
    Ok(out)
}

fn show_node(node: &Node) -> String {
    match node {
        Node::Dir => "a directory".to_string(),
        Node::Link(t) => format!("a symlink to {t:?}"),
        Node::File(d) if d.len() > 80 => format!("a file of {} bytes", d.len()),
        Node::File(d) => format!("a file {:?}", String::from_utf8_lossy(d)),
    }
}

/// The differences between the tree found and the one expected.
fn compare_trees(found: &BTreeMap<String, Node>, expected: &Tree) -> Vec<String> {
    let expected: BTreeMap<String, Node> = expected.iter().cloned().collect();
    let mut out = Vec::new();
    for (path, want) in &expected {
        match found.get(path) {
            None => out.push(format!("{path}: missing, expected {}", show_node(want))),
            Some(got) if got != want => out.push(format!(
                "{path}: {}, expected {}",
                show_node(got),
                show_node(want)
            )),
            Some(_) => {}
        }
    }
    for (path, got) in found {
        if !expected.contains_key(path) {
            out.push(format!("{path}: unexpected {}", show_node(got)));
        }
    }
    out
}

/// What must not change outside a sandbox: kind, contents, link target,
/// modification time and link count of every entry.
fn snapshot_outside(root: &Path, inside: &str) -> Result<BTreeMap<String, String>, String> {
    let tree = read_tree(root)?;
    let mut out = BTreeMap::new();
    for (path, node) in tree {
        if path == inside || path.starts_with(&format!("{inside}/")) {
            continue;
        }
        let meta = std::fs::symlink_metadata(root.join(&path)).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        let nlink = std::os::unix::fs::MetadataExt::nlink(&meta);
        #[cfg(not(unix))]
        let nlink = 0;
        out.insert(
            path,
            format!(
                "{} mtime={:?} nlink={nlink}",
                show_node(&node),
                meta.modified().ok()
            ),
        );
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Cases

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Status(i32),
    Trap,
}

#[derive(Debug, Clone, Copy)]
enum Stderr {
    Exact(&'static str),
    Contains(&'static str),
}

struct Case {
    name: &'static str,
    /// The guest binary.
    guest: &'static str,
    /// argv, program name first; `{tmp}` is the temporary directory.
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    stdin: Option<&'static [u8]>,
    /// Host directory (relative to the temporary one) and guest name.
    preopens: &'static [(&'static str, &'static str)],
    /// The tree created before the run.
    setup: fn() -> Tree,
    /// The tree expected after it.
    after: fn() -> Tree,
    stderr: Stderr,
    exit: Exit,
    /// A directory (relative to the temporary one) outside of which nothing
    /// may change, not even a modification time.
    sandbox: Option<&'static str>,
}

impl Case {
    /// A case with no files, no input, empty stderr and status 0.
    const fn new(name: &'static str, guest: &'static str) -> Case {
        Case {
            name,
            guest,
            args: &[],
            env: &[],
            stdin: None,
            preopens: &[],
            setup: Vec::new,
            after: Vec::new,
            stderr: Stderr::Exact(""),
            exit: Exit::Status(0),
            sandbox: None,
        }
    }
}

const ROOT: &[(&str, &str)] = &[("root", "/")];

fn cases() -> Vec<Case> {
    vec![
        Case {
            args: &[
                "args_env",
                "hello",
                "two words",
                "ünïcode ✓",
                "",
                "--flag=x",
            ],
            env: &[
                ("FOO", "bar"),
                ("EMPTY", ""),
                ("EQ", "a=b=c"),
                ("UNICODE", "✓"),
                ("PATH", "/bin"),
            ],
            ..Case::new("args_env", "args_env")
        },
        Case::new("args_env_empty", "args_env"),
        Case::new("clocks", "clocks"),
        Case {
            stdin: Some(b"poll-stdin\n"),
            preopens: ROOT,
            setup: || vec![file("root/poll.txt", "poll me\n")],
            after: || vec![dir("root"), file("root/poll.txt", "poll me\n")],
            ..Case::new("poll", "poll")
        },
        Case {
            preopens: ROOT,
            setup: fd_io_setup,
            after: fd_io_after,
            ..Case::new("fd_io", "fd_io")
        },
        Case {
            preopens: ROOT,
            setup: fd_errors_setup,
            after: fd_errors_setup,
            ..Case::new("fd_errors", "fd_errors")
        },
        Case {
            preopens: ROOT,
            setup: efault_setup,
            after: efault_setup,
            ..Case::new("efault", "efault")
        },
        Case {
            preopens: &[("root", "/"), ("data", "/data"), ("rel", "relative/name")],
            setup: prestat_setup,
            after: prestat_setup,
            ..Case::new("prestat", "prestat")
        },
        Case {
            preopens: ROOT,
            setup: readdir_setup,
            after: readdir_after,
            ..Case::new("readdir", "readdir")
        },
        Case {
            preopens: ROOT,
            setup: paths_setup,
            after: paths_after,
            ..Case::new("paths", "paths")
        },
        Case {
            preopens: ROOT,
            setup: trailing_slash_setup,
            after: trailing_slash_setup,
            ..Case::new("trailing_slash", "trailing_slash")
        },
        Case {
            preopens: ROOT,
            setup: || vec![dir("root")],
            after: fs_std_after,
            ..Case::new("fs_std", "fs_std")
        },
        Case {
            stdin: Some(b"line one\nline two\nlast line, no newline"),
            stderr: Stderr::Exact(
                "a line on stderr\nto stdout\nfd_close 1: ok\nfd_write 1 after close: EBADF\nend\ndone\n",
            ),
            ..Case::new("stdio", "stdio")
        },
        Case {
            args: &["exit", "42"],
            exit: Exit::Status(42),
            ..Case::new("exit_42", "exit")
        },
        Case {
            args: &["exit", "1"],
            exit: Exit::Status(1),
            ..Case::new("exit_1", "exit")
        },
        Case {
            args: &["exit", "return"],
            ..Case::new("exit_return", "exit")
        },
        Case {
            args: &["exit", "std-exit-0"],
            ..Case::new("exit_std_0", "exit")
        },
        Case {
            args: &["exit", "panic"],
            exit: Exit::Trap,
            stderr: Stderr::Contains("deliberate panic"),
            ..Case::new("exit_panic_traps", "exit")
        },
        Case {
            preopens: ROOT,
            setup: sock_setup,
            after: sock_setup,
            ..Case::new("sock", "sock")
        },
        Case {
            args: &["sandbox", "{tmp}"],
            preopens: &[("sandbox", "/")],
            setup: sandbox_setup,
            after: sandbox_after,
            sandbox: Some("sandbox"),
            ..Case::new("sandbox", "sandbox")
        },
    ]
}

fn fd_io_setup() -> Tree {
    vec![dir("root"), file("root/data.txt", "0123456789abcdef")]
}

fn fd_io_after() -> Tree {
    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    edit(
        &fd_io_setup(),
        &[],
        vec![
            file("root/out.txt", "JELLO, world\ntail\n"),
            file("root/big.bin", big),
        ],
    )
}

fn fd_errors_setup() -> Tree {
    vec![
        dir("root"),
        file("root/victim.txt", "victim\n"),
        file("root/sub/inner.txt", "inner\n"),
        dir("root/sub"),
        dir("root/sub/deeper"),
    ]
}

fn efault_setup() -> Tree {
    let mut t = vec![
        dir("root"),
        dir("root/dir"),
        file("root/file.txt", "efault\n"),
        link("root/link", "file.txt"),
    ];
    for i in 0..8 {
        t.push(file(&format!("root/dir/entry_number_{i}.txt"), ""));
    }
    t
}

fn prestat_setup() -> Tree {
    vec![
        dir("root"),
        file("root/hello.txt", "hello\n"),
        dir("root/sub"),
        dir("data"),
        file("data/in_data.txt", "data\n"),
        dir("rel"),
    ]
}

fn readdir_setup() -> Tree {
    vec![
        dir("root"),
        dir("root/dir"),
        file("root/dir/a", "A"),
        file("root/dir/bb", "BB"),
        dir("root/dir/sub"),
        link("root/dir/link", "a"),
        file("root/file.txt", "not a directory\n"),
    ]
}

fn readdir_after() -> Tree {
    edit(&readdir_setup(), &[], vec![file("root/dir/new", "")])
}

fn paths_setup() -> Tree {
    vec![
        dir("root"),
        file("root/file.txt", "content\n"),
        file("root/trunc.txt", "truncate me\n"),
        file("root/two.txt", "two\n"),
        dir("root/dir"),
        file("root/dir/inner.txt", "inner\n"),
        dir("root/empty"),
        dir("root/full"),
        file("root/full/x.txt", "x"),
        link("root/link_to_file", "file.txt"),
        link("root/link_to_dir", "dir"),
        link("root/dangling", "nowhere"),
    ]
}

fn paths_after() -> Tree {
    edit(
        &paths_setup(),
        &[
            "root/trunc.txt",
            "root/two.txt",
            "root/empty",
            "root/link_to_dir",
        ],
        vec![
            file("root/renamed.txt", "t\n"),
            dir("root/moved_dir"),
            file("root/hard.txt", "content\n"),
            link("root/sym", "file.txt"),
            link("root/symdir", "dir"),
            link("root/dangling2", "nowhere2"),
        ],
    )
}

fn trailing_slash_setup() -> Tree {
    vec![
        dir("root"),
        file("root/file.txt", "file\n"),
        file("root/rename_me.txt", "rename me\n"),
        dir("root/dir"),
        link("root/link_to_file", "file.txt"),
        link("root/link_to_dir", "dir"),
        link("root/unlink_me", "file.txt"),
    ]
}

fn fs_std_after() -> Tree {
    vec![
        dir("root"),
        dir("root/a"),
        dir("root/a/b"),
        dir("root/a/b/c"),
        file("root/a/hello.txt", "hello world\nmore\n"),
        file("root/a/hard.txt", "hello world\nmore\n"),
        link("root/a/sym", "hello.txt"),
        file("root/a/trunc.txt", "0123"),
    ]
}

fn sock_setup() -> Tree {
    vec![
        dir("root"),
        file("root/file.txt", "not a socket\n"),
        dir("root/dir"),
    ]
}

fn sandbox_setup() -> Tree {
    vec![
        file("canary.txt", "canary\n"),
        dir("outside_dir"),
        file("outside_dir/secret.txt", "secret\n"),
        dir("outside_empty"),
        dir("sandbox"),
        file("sandbox/file.txt", "inside\n"),
        dir("sandbox/sub"),
        link("sandbox/sub/up2", "../.."),
        link("sandbox/up", ".."),
        link("sandbox/rel_canary", "../canary.txt"),
        link("sandbox/abs_canary", "{tmp}/canary.txt"),
        link("sandbox/abs_dir", "{tmp}"),
        link("sandbox/abs_inside", "{tmp}/sandbox/file.txt"),
        link("sandbox/deep", "sub/../../canary.txt"),
        link("sandbox/chain1", "chain2"),
        link("sandbox/chain2", "../canary.txt"),
        link("sandbox/loop1", "loop2"),
        link("sandbox/loop2", "loop1"),
        link("sandbox/self", "self"),
        link("sandbox/dangling_out", "../created_outside"),
    ]
}

fn sandbox_after() -> Tree {
    edit(
        &sandbox_setup(),
        &[],
        vec![
            link("sandbox/g_rel", "../canary.txt"),
            link("sandbox/g_up", ".."),
            link("sandbox/g_deep", "sub/../../outside_dir"),
        ],
    )
}

// ---------------------------------------------------------------------------
// Running

struct Run {
    status: Result<i32, String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn run_guest(engine: &Engine, module: &Module, case: &Case, tmp: &Path) -> Result<Run, String> {
    let tmp_str = tmp.to_str().ok_or("temporary path is not UTF-8")?;
    let mut builder = WasiCtx::builder(HostSys::new())
        .capture_stdout()
        .capture_stderr();
    for arg in case.args {
        builder = builder.arg(arg.replace("{tmp}", tmp_str));
    }
    for (k, v) in case.env {
        builder = builder.env(k, v);
    }
    if let Some(input) = case.stdin {
        builder = builder.stdin_bytes(input.to_vec());
    }
    for (host, guest) in case.preopens {
        builder = builder.preopened_dir(format!("{tmp_str}/{host}"), *guest);
    }
    let ctx = builder
        .build()
        .map_err(|e| format!("WasiCtx::build: {e}"))?;
    let mut linker = Linker::<WasiCtx>::new(engine);
    kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx)
        .map_err(|e| format!("add_to_linker: {e}"))?;
    let mut store = Store::new(engine, ctx);
    let instance = linker
        .instantiate(&mut store, module)
        .map_err(|e| format!("instantiate: {e}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .map_err(|e| format!("_start: {e}"))?;
    let status = match start.call(&mut store, ()) {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(format!("{e}")),
        },
    };
    let ctx = store.data();
    Ok(Run {
        status,
        stdout: ctx.captured_stdout().to_vec(),
        stderr: ctx.captured_stderr().to_vec(),
    })
}

/// A fresh, empty directory under the system's temporary directory.
fn temp_dir(case: &str) -> Result<PathBuf, String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "kestrel-wasi-{}-{}-{}-{nanos}",
        case,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    // The canonical path, so that symlinks and `{tmp}` agree with what the
    // host resolves.
    dir.canonicalize().map_err(|e| e.to_string())
}

/// The first difference between two outputs, with a little context.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let i = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let mut out = String::new();
    let _ = write!(out, "first difference at line {}:", i + 1);
    for (tag, lines) in [("expected", &e), ("actual  ", &a)] {
        for line in lines.iter().skip(i).take(3) {
            let _ = write!(out, "\n      {tag} | {line}");
        }
        if lines.len() <= i {
            let _ = write!(out, "\n      {tag} | <end of output>");
        }
    }
    if e.len() == a.len() && i >= e.len() {
        out = "outputs differ in line endings".to_string();
    }
    out
}

/// What the guest said on stderr: its failed checks and its panic, or else
/// its last lines.
fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = s.lines().collect();
    let checks: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("CHECK FAILED") || l.contains("panicked at"))
        .collect();
    let shown: Vec<&str> = if checks.is_empty() {
        lines[lines.len().saturating_sub(12)..].to_vec()
    } else {
        checks.into_iter().take(60).collect()
    };
    shown.iter().map(|l| format!("\n      | {l}")).collect()
}

/// Runs one case; the reasons it failed, if it did.
fn check_case(engine: &Engine, module: &Module, case: &'static Case, dirs: &Dirs) -> Vec<String> {
    let tmp = match temp_dir(case.name) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let result = run_checked(engine, module, case, dirs, &tmp);
    if let Err(e) = std::fs::remove_dir_all(&tmp) {
        eprintln!("warning: could not remove {}: {e}", tmp.display());
    }
    result
}

fn run_checked(
    engine: &Engine,
    module: &Module,
    case: &'static Case,
    dirs: &Dirs,
    tmp: &Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = create_tree(tmp, &(case.setup)()) {
        return vec![format!("setup: {e}")];
    }
    let before = match case.sandbox.map(|s| snapshot_outside(tmp, s)).transpose() {
        Ok(b) => b,
        Err(e) => return vec![format!("snapshot: {e}")],
    };

    // Run in a thread, so a hung guest fails its case instead of the suite.
    let (tx, rx) = mpsc::channel();
    let (engine2, module2, tmp2) = (engine.clone(), module.clone(), tmp.to_path_buf());
    std::thread::Builder::new()
        .name(case.name.to_string())
        .spawn(move || {
            let _ = tx.send(run_guest(&engine2, &module2, case, &tmp2));
        })
        .expect("spawn");
    let run = match rx.recv_timeout(CASE_TIMEOUT) {
        Ok(Ok(run)) => run,
        Ok(Err(e)) => return vec![e],
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return vec![format!("timed out after {CASE_TIMEOUT:?}")];
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => return vec!["the host panicked".to_string()],
    };

    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    match (&run.status, case.exit) {
        (Ok(got), Exit::Status(want)) if *got == want => {}
        (Err(_), Exit::Trap) => {}
        (Ok(got), Exit::Status(want)) => {
            problems.push(format!("exit status {got}, expected {want}"))
        }
        (Ok(got), Exit::Trap) => problems.push(format!("exit status {got}, expected a trap")),
        (Err(trap), Exit::Status(want)) => {
            problems.push(format!("trapped ({trap}), expected exit status {want}"))
        }
    }
    let expected_path = dirs.expected.join(format!("{}.stdout", case.name));
    match std::fs::read_to_string(&expected_path) {
        Ok(expected) if expected == stdout => {}
        Ok(expected) => problems.push(format!(
            "stdout differs from {}: {}",
            expected_path.display(),
            diff(&expected, &stdout)
        )),
        Err(e) => problems.push(format!("{}: {e}", expected_path.display())),
    }
    match case.stderr {
        Stderr::Exact(want) if want == stderr => {}
        Stderr::Contains(want) if stderr.contains(want) => {}
        Stderr::Exact("") => problems.push(format!("stderr is not empty:{}", excerpt(&run.stderr))),
        Stderr::Exact(want) => problems.push(format!("stderr differs: {}", diff(want, &stderr))),
        Stderr::Contains(want) => {
            problems.push(format!("stderr lacks {want:?}:{}", excerpt(&run.stderr)))
        }
    }
    match read_tree(tmp) {
        Ok(found) => {
            let diffs = compare_trees(&found, &(case.after)());
            if !diffs.is_empty() {
                problems.push(format!(
                    "files differ:{}",
                    diffs
                        .iter()
                        .map(|d| format!("\n      {d}"))
                        .collect::<String>()
                ));
            }
        }
        Err(e) => problems.push(format!("reading the resulting files: {e}")),
    }
    if let (Some(before), Some(inside)) = (before, case.sandbox) {
        match snapshot_outside(tmp, inside) {
            Ok(after) if after == before => {}
            Ok(after) => {
                let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
                let changed: Vec<String> = keys
                    .into_iter()
                    .filter(|k| before.get(*k) != after.get(*k))
                    .map(|k| format!("\n      {k}: {:?} -> {:?}", before.get(k), after.get(k)))
                    .collect();
                problems.push(format!(
                    "SANDBOX ESCAPE: changed outside {inside}/:{}",
                    changed.concat()
                ));
            }
            Err(e) => problems.push(format!("snapshot: {e}")),
        }
    }
    if !problems.is_empty() {
        let _ = std::fs::create_dir_all(&dirs.actual);
        let _ = std::fs::write(
            dirs.actual.join(format!("{}.stdout", case.name)),
            &run.stdout,
        );
        let _ = std::fs::write(
            dirs.actual.join(format!("{}.stderr", case.name)),
            &run.stderr,
        );
        let stderr_reported = problems.iter().any(|p| p.starts_with("stderr"));
        let guest_complained = stderr.contains("CHECK FAILED") || stderr.contains("panicked");
        if guest_complained && !stderr_reported {
            problems.push(format!("guest stderr:{}", excerpt(&run.stderr)));
        }
    }
    problems
}

// ---------------------------------------------------------------------------
// Building the guests

struct Dirs {
    /// `tests/guests/expected`.
    expected: PathBuf,
    /// Where failing cases leave their output.
    actual: PathBuf,
    /// The built `.wasm` files.
    wasm: PathBuf,
}

const TARGET: &str = "wasm32-wasip1";

fn build_guests() -> Result<Dirs, String> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().ok_or("no workspace directory")?;
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => workspace.join(d),
        None => workspace.join("target"),
    }
    .join("wasi-guests");
    let cargo = env!("CARGO");
    // The rustc beside this cargo, so the guests are built by the same
    // toolchain whatever rustup would pick in their directory.
    let rustc = Path::new(cargo).with_file_name(format!("rustc{}", std::env::consts::EXE_SUFFIX));
    let rustc = if rustc.exists() {
        rustc
    } else {
        PathBuf::from("rustc")
    };
    let missing_target = || {
        format!(
            "the {TARGET} target is not installed for the toolchain of {cargo}: \
             install it with `rustup target add {TARGET}`"
        )
    };
    let target_installed = || -> Option<bool> {
        let out = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .ok()?;
        let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
        out.status.success().then(|| {
            Path::new(&sysroot)
                .join("lib/rustlib")
                .join(TARGET)
                .exists()
        })
    };
    if target_installed() == Some(false) {
        // So that `cargo test --workspace` works on a fresh machine without
        // a set-up step: rustup (inheriting this cargo's RUSTUP_TOOLCHAIN)
        // adds the target to the toolchain running the tests.
        println!("installing the {TARGET} target: rustup target add {TARGET}");
        let added = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .is_ok_and(|status| status.success());
        if !added || target_installed() == Some(false) {
            return Err(missing_target());
        }
    }
    let manifest = manifest_dir.join("tests/guests/Cargo.toml");
    let started = Instant::now();
    let out = Command::new(cargo)
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTC", &rustc)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .output()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("may not be installed") || stderr.contains("can't find crate for `std`")
        {
            return Err(format!("{}\n{stderr}", missing_target()));
        }
        return Err(format!("building the guests failed:\n{stderr}"));
    }
    println!(
        "built the guests in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(Dirs {
        expected: manifest_dir.join("tests/guests/expected"),
        actual: target_dir.join("actual"),
        wasm: target_dir.join(TARGET).join("release"),
    })
}

/// Every guest imports only `wasi_snapshot_preview1` functions, and together
/// they import all of them.
fn check_coverage(modules: &BTreeMap<&'static str, Module>) -> Vec<String> {
    let mut imported = BTreeSet::new();
    let mut problems = Vec::new();
    for (guest, module) in modules {
        for import in module.imports() {
            if import.module() != kestrel_wasi::preview1::MODULE {
                problems.push(format!(
                    "{guest} imports {}::{}",
                    import.module(),
                    import.name()
                ));
            }
            imported.insert(import.name().to_string());
        }
    }
    for f in kestrel_wasi::preview1::FUNCTIONS {
        if !imported.contains(*f) {
            problems.push(format!("no guest imports {f}"));
        }
    }
    problems
}

// ---------------------------------------------------------------------------

fn main() -> ExitCode {
    // An optional filter; libtest's flags (`--nocapture`, `--test-threads 2`
    // …) are accepted and ignored.
    let mut filter = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if matches!(
            arg.as_str(),
            "--test-threads"
                | "--skip"
                | "--format"
                | "--color"
                | "--logfile"
                | "-Z"
                | "--report-time"
        ) {
            args.next();
        } else if !arg.starts_with('-') {
            filter = Some(arg);
        }
    }
    let selected = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    let dirs = match build_guests() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            println!("wasi: 0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    // Only this run's failures are left there.
    let _ = std::fs::remove_dir_all(&dirs.actual);
    let cases: &'static [Case] = cases().leak();
    let engine = Engine::default();
    let (mut passed, mut failed) = (0, 0);
    let mut report = |name: &str, problems: Vec<String>| {
        if problems.is_empty() {
            println!("ok {name}");
            passed += 1;
        } else {
            println!("FAILED {name}: {}", problems.join("\n    "));
            failed += 1;
        }
    };

    let mut modules = BTreeMap::new();
    let mut load_errors = BTreeMap::new();
    let guests: BTreeSet<&str> = cases.iter().map(|c| c.guest).collect();
    let started = Instant::now();
    for guest in guests {
        let path = dirs.wasm.join(format!("{guest}.wasm"));
        match std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display())) {
            Ok(bytes) => match Module::new(&engine, bytes) {
                Ok(m) => {
                    modules.insert(guest, m);
                }
                Err(e) => {
                    load_errors.insert(guest, format!("Module::new({guest}.wasm): {e}"));
                }
            },
            Err(e) => {
                load_errors.insert(guest, e);
            }
        }
    }
    println!(
        "loaded {} guests in {:.1}s",
        modules.len(),
        started.elapsed().as_secs_f64()
    );

    if selected("coverage") {
        let mut problems: Vec<String> = load_errors.values().cloned().collect();
        problems.extend(check_coverage(&modules));
        report("coverage", problems);
    }
    for case in cases.iter().filter(|c| selected(c.name)) {
        let problems = match modules.get(case.guest) {
            Some(module) => {
                let started = Instant::now();
                let p = check_case(&engine, module, case, &dirs);
                let took = started.elapsed();
                if took > Duration::from_secs(5) {
                    eprintln!("note: {} took {:.1}s", case.name, took.as_secs_f64());
                }
                p
            }
            None => vec![load_errors.get(case.guest).cloned().unwrap_or_default()],
        };
        report(case.name, problems);
    }
    println!("wasi: {passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
