//! A guest that calls WASI imports with arbitrary pointers, lengths and
//! flags: every call must end in an errno (or `proc_exit`), never a host
//! panic or an access outside guest memory.
//!
//! One module (built once) re-exports each of the 46 imports as `call_<name>`;
//! the input picks calls and their arguments (biased towards the edges of
//! the one-page memory) and fills memory with its bytes first, so iovecs,
//! paths and records are arbitrary too. Calls run in a `WasiCtx` over the
//! hosted implementation, with a scratch directory preopened as `/`, so
//! paths reach a real (sandboxed) filesystem.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use kestrel_interp::{Engine, Linker, Module, Store, Val, ValType};
use kestrel_wasi::types::{Advice, ClockId, DirEntry, Filestat, OpenOptions, SetTime, Whence};
use kestrel_wasi::{Errno, HostFd, I32Exit, WasiCtx, WasiSys, hosted::HostSys};
use libfuzzer_sys::fuzz_target;

/// `(name, parameter types)`, `i` for i32, `I` for i64; every function
/// returns an errno except `proc_exit`.
const FUNCTIONS: &[(&str, &str)] = &[
    ("args_get", "ii"),
    ("args_sizes_get", "ii"),
    ("environ_get", "ii"),
    ("environ_sizes_get", "ii"),
    ("clock_res_get", "ii"),
    ("clock_time_get", "iIi"),
    ("fd_advise", "iIIi"),
    ("fd_allocate", "iII"),
    ("fd_close", "i"),
    ("fd_datasync", "i"),
    ("fd_fdstat_get", "ii"),
    ("fd_fdstat_set_flags", "ii"),
    ("fd_fdstat_set_rights", "iII"),
    ("fd_filestat_get", "ii"),
    ("fd_filestat_set_size", "iI"),
    ("fd_filestat_set_times", "iIIi"),
    ("fd_pread", "iiiIi"),
    ("fd_prestat_get", "ii"),
    ("fd_prestat_dir_name", "iii"),
    ("fd_pwrite", "iiiIi"),
    ("fd_read", "iiii"),
    ("fd_readdir", "iiiIi"),
    ("fd_renumber", "ii"),
    ("fd_seek", "iIii"),
    ("fd_sync", "i"),
    ("fd_tell", "ii"),
    ("fd_write", "iiii"),
    ("path_create_directory", "iii"),
    ("path_filestat_get", "iiiii"),
    ("path_filestat_set_times", "iiiiIIi"),
    ("path_link", "iiiiiii"),
    ("path_open", "iiiiiIIii"),
    ("path_readlink", "iiiiii"),
    ("path_remove_directory", "iii"),
    ("path_rename", "iiiiii"),
    ("path_symlink", "iiiii"),
    ("path_unlink_file", "iii"),
    ("poll_oneoff", "iiii"),
    ("proc_exit", "i"),
    ("proc_raise", "i"),
    ("sched_yield", ""),
    ("random_get", "ii"),
    ("sock_accept", "iii"),
    ("sock_recv", "iiiiii"),
    ("sock_send", "iiiii"),
    ("sock_shutdown", "ii"),
];

fn wat() -> String {
    let mut imports = String::new();
    let mut exports = String::new();
    for (i, (name, params)) in FUNCTIONS.iter().enumerate() {
        let types: Vec<&str> = params
            .chars()
            .map(|c| if c == 'I' { "i64" } else { "i32" })
            .collect();
        let result = if *name == "proc_exit" {
            ""
        } else {
            "(result i32)"
        };
        imports.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func $f{i} (param {}) {result}))\n",
            types.join(" ")
        ));
        let gets: String = (0..types.len())
            .map(|p| format!("(local.get {p}) "))
            .collect();
        exports.push_str(&format!(
            "(func (export \"call_{name}\") (param {}) {result} (call $f{i} {gets}))\n",
            types.join(" ")
        ));
    }
    format!("(module\n{imports}(memory (export \"memory\") 1)\n{exports})")
}

/// The hosted implementation, except that `poll_oneoff` never really sleeps:
/// an arbitrary clock subscription would otherwise block for years.
struct NoSleep(HostSys);

macro_rules! delegate {
    ($(fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {$(
        fn $name(&mut self $(, $arg: $ty)*) -> $ret {
            self.0.$name($($arg),*)
        }
    )*};
}

impl WasiSys for NoSleep {
    fn sleep(&mut self, _nanos: u64) -> Result<(), Errno> {
        Ok(())
    }

    delegate! {
        fn write_stdout(&mut self, data: &[u8]) -> Result<usize, Errno>;
        fn write_stderr(&mut self, data: &[u8]) -> Result<usize, Errno>;
        fn read_stdin(&mut self, buf: &mut [u8]) -> Result<usize, Errno>;
        fn clock_time(&mut self, clock: ClockId, precision: u64) -> Result<u64, Errno>;
        fn clock_res(&mut self, clock: ClockId) -> Result<u64, Errno>;
        fn random(&mut self, buf: &mut [u8]) -> Result<(), Errno>;
        fn sched_yield(&mut self) -> Result<(), Errno>;
        fn open_preopen(&mut self, path: &str) -> Result<HostFd, Errno>;
        fn open_at(&mut self, dir: HostFd, path: &str, options: &OpenOptions) -> Result<HostFd, Errno>;
        fn close(&mut self, fd: HostFd) -> Result<(), Errno>;
        fn read(&mut self, fd: HostFd, buf: &mut [u8]) -> Result<usize, Errno>;
        fn pread(&mut self, fd: HostFd, buf: &mut [u8], offset: u64) -> Result<usize, Errno>;
        fn write(&mut self, fd: HostFd, data: &[u8]) -> Result<usize, Errno>;
        fn pwrite(&mut self, fd: HostFd, data: &[u8], offset: u64) -> Result<usize, Errno>;
        fn seek(&mut self, fd: HostFd, offset: i64, whence: Whence) -> Result<u64, Errno>;
        fn filestat(&mut self, fd: HostFd) -> Result<Filestat, Errno>;
        fn set_fdflags(&mut self, fd: HostFd, flags: u16) -> Result<(), Errno>;
        fn set_size(&mut self, fd: HostFd, size: u64) -> Result<(), Errno>;
        fn set_times(&mut self, fd: HostFd, atim: SetTime, mtim: SetTime) -> Result<(), Errno>;
        fn sync(&mut self, fd: HostFd) -> Result<(), Errno>;
        fn datasync(&mut self, fd: HostFd) -> Result<(), Errno>;
        fn advise(&mut self, fd: HostFd, offset: u64, len: u64, advice: Advice) -> Result<(), Errno>;
        fn allocate(&mut self, fd: HostFd, offset: u64, len: u64) -> Result<(), Errno>;
        fn read_dir(&mut self, fd: HostFd, cookie: u64, each: &mut dyn FnMut(DirEntry) -> bool) -> Result<(), Errno>;
        fn path_filestat(&mut self, dir: HostFd, path: &str, follow: bool) -> Result<Filestat, Errno>;
        fn path_set_times(&mut self, dir: HostFd, path: &str, follow: bool, atim: SetTime, mtim: SetTime) -> Result<(), Errno>;
        fn create_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno>;
        fn remove_dir(&mut self, dir: HostFd, path: &str) -> Result<(), Errno>;
        fn unlink_file(&mut self, dir: HostFd, path: &str) -> Result<(), Errno>;
        fn rename(&mut self, dir: HostFd, path: &str, new_dir: HostFd, new_path: &str) -> Result<(), Errno>;
        fn link(&mut self, dir: HostFd, path: &str, follow: bool, new_dir: HostFd, new_path: &str) -> Result<(), Errno>;
        fn symlink(&mut self, target: &str, dir: HostFd, path: &str) -> Result<(), Errno>;
        fn readlink(&mut self, dir: HostFd, path: &str) -> Result<String, Errno>;
        fn poll_ready(&mut self, fd: HostFd, write: bool) -> Result<u64, Errno>;
    }
}

struct Setup {
    engine: Engine,
    module: Module,
    linker: Linker<WasiCtx>,
    dir: String,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let engine = Engine::default();
        let module =
            Module::new(&engine, wat::parse_str(wat()).expect("valid WAT")).expect("module");
        let mut linker = Linker::new(&engine);
        kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx).expect("link");
        let dir = std::env::temp_dir().join(format!("kestrel-fuzz-wasi-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("scratch dir");
        std::fs::write(dir.join("file.txt"), b"hello").expect("scratch file");
        Setup {
            engine,
            module,
            linker,
            dir: dir.to_string_lossy().into_owned(),
        }
    })
}

/// An argument near an interesting edge: memory is one page (65536 bytes).
fn arg32(u: &mut Unstructured<'_>) -> arbitrary::Result<i32> {
    Ok(match u.int_in_range(0..=5)? {
        0 => u.int_in_range(0..=16)?,
        1 => 65536 - u.int_in_range(0..=32)?,
        2 => u.int_in_range(0..=65536)?,
        3 => u.int_in_range(0..=8)? << 28,
        4 => -(u.int_in_range(1..=16)?),
        _ => i32::arbitrary(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let mut u = Unstructured::new(data);
    let Ok(fill) = u.bytes(u.len().min(512)) else {
        return;
    };
    let ctx = WasiCtx::builder(NoSleep(HostSys::new()))
        .arg("fuzz")
        .env("K", "V")
        .capture_stdout()
        .capture_stderr()
        .stdin_bytes(fill.to_vec())
        .preopened_dir(setup.dir.clone(), "/")
        .build()
        .expect("context");
    let mut store = Store::new(&setup.engine, ctx);
    let instance = setup
        .linker
        .instantiate(&mut store, &setup.module)
        .expect("instantiate");
    let memory = instance.get_memory(&store, "memory").expect("memory");
    for (chunk, at) in fill.chunks(64).zip((0..).step_by(4096)) {
        memory.write(&mut store, at, chunk).expect("in bounds");
    }
    for _ in 0..8 {
        let Ok(which) = u.choose_index(FUNCTIONS.len()) else {
            return;
        };
        let (name, params) = FUNCTIONS[which];
        let func = instance
            .get_func(&store, &format!("call_{name}"))
            .expect("export");
        let mut args = Vec::new();
        for c in params.chars() {
            args.push(match c {
                'I' => match u.int_in_range(0..=2) {
                    Ok(0) => Val::I64(arg32(&mut u).unwrap_or(0) as i64),
                    _ => Val::I64(i64::arbitrary(&mut u).unwrap_or(0)),
                },
                _ => Val::I32(arg32(&mut u).unwrap_or(0)),
            });
        }
        let results = func.ty(&store).results().len();
        let mut out = vec![Val::I32(0); results];
        match func.call(&mut store, &args, &mut out) {
            Ok(()) => {
                if let Some(Val::I32(errno)) = out.first() {
                    assert!((0..=76).contains(errno), "{name} returned errno {errno}");
                }
                assert!(out.iter().all(|v| v.ty() == ValType::I32));
            }
            // proc_exit ends the guest; that is the only way a call may fail.
            Err(e) if e.downcast_ref::<I32Exit>().is_some() => return,
            Err(e) => panic!("{name}({args:?}) failed with a host error: {e}"),
        }
    }
});
