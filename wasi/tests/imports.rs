//! The crate provides exactly the 46 functions of `wasi_snapshot_preview1`,
//! each with its witx signature: a module importing all of them links
//! through `add_to_linker`, even over `NullSys`.

use kestrel_interp::{Engine, ErrorKind, LinkError, Linker, Module, Store};
use kestrel_wasi::{NullSys, WasiCtx};

/// Every function of `wasi_snapshot_preview1.witx` with its core Wasm
/// signature: `(params) -> results`. Pointers, sizes, fds, flags and enums
/// are `i32`; 64-bit values (`filesize`, `timestamp`, `rights`, `dircookie`,
/// `filedelta`) are `i64`; every function returns its `errno` as `i32`
/// except `proc_exit`, which returns nothing.
const WITX: &[(&str, &str, &str)] = &[
    ("args_get", "i32 i32", "i32"),
    ("args_sizes_get", "i32 i32", "i32"),
    ("environ_get", "i32 i32", "i32"),
    ("environ_sizes_get", "i32 i32", "i32"),
    ("clock_res_get", "i32 i32", "i32"),
    ("clock_time_get", "i32 i64 i32", "i32"),
    ("fd_advise", "i32 i64 i64 i32", "i32"),
    ("fd_allocate", "i32 i64 i64", "i32"),
    ("fd_close", "i32", "i32"),
    ("fd_datasync", "i32", "i32"),
    ("fd_fdstat_get", "i32 i32", "i32"),
    ("fd_fdstat_set_flags", "i32 i32", "i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64", "i32"),
    ("fd_filestat_get", "i32 i32", "i32"),
    ("fd_filestat_set_size", "i32 i64", "i32"),
    ("fd_filestat_set_times", "i32 i64 i64 i32", "i32"),
    ("fd_pread", "i32 i32 i32 i64 i32", "i32"),
    ("fd_prestat_get", "i32 i32", "i32"),
    ("fd_prestat_dir_name", "i32 i32 i32", "i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32", "i32"),
    ("fd_read", "i32 i32 i32 i32", "i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32", "i32"),
    ("fd_renumber", "i32 i32", "i32"),
    ("fd_seek", "i32 i64 i32 i32", "i32"),
    ("fd_sync", "i32", "i32"),
    ("fd_tell", "i32 i32", "i32"),
    ("fd_write", "i32 i32 i32 i32", "i32"),
    ("path_create_directory", "i32 i32 i32", "i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32", "i32"),
    (
        "path_filestat_set_times",
        "i32 i32 i32 i32 i64 i64 i32",
        "i32",
    ),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", "i32"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", "i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_remove_directory", "i32 i32 i32", "i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_symlink", "i32 i32 i32 i32 i32", "i32"),
    ("path_unlink_file", "i32 i32 i32", "i32"),
    ("poll_oneoff", "i32 i32 i32 i32", "i32"),
    ("proc_exit", "i32", ""),
    ("proc_raise", "i32", "i32"),
    ("sched_yield", "", "i32"),
    ("random_get", "i32 i32", "i32"),
    ("sock_accept", "i32 i32 i32", "i32"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", "i32"),
    ("sock_send", "i32 i32 i32 i32 i32", "i32"),
    ("sock_shutdown", "i32 i32", "i32"),
];

/// A module importing `imports` (name, params, results) from
/// `wasi_snapshot_preview1`, exporting a memory and one function per import
/// that calls it with zeros (`call_<name>`).
fn module_wat(imports: &[(&str, &str, &str)]) -> String {
    let mut wat = String::from("(module\n");
    for (name, params, results) in imports {
        let params = if params.is_empty() {
            String::new()
        } else {
            format!(" (param {params})")
        };
        let results = if results.is_empty() {
            String::new()
        } else {
            format!(" (result {results})")
        };
        wat += &format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name}{params}{results}))\n"
        );
    }
    wat += "  (memory (export \"memory\") 1)\n";
    for (name, params, results) in imports {
        let args: String = params
            .split_whitespace()
            .map(|t| format!(" ({t}.const 0)"))
            .collect();
        let result = if results.is_empty() {
            String::new()
        } else {
            format!(" (result {results})")
        };
        wat += &format!("  (func (export \"call_{name}\"){result} (call ${name}{args}))\n");
    }
    wat + ")\n"
}

fn instantiate(
    wat: &str,
) -> Result<(Store<WasiCtx>, kestrel_interp::Instance), kestrel_interp::Error> {
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).expect("valid WAT"))?;
    let mut linker = Linker::<WasiCtx>::new(&engine);
    kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx)?;
    let ctx = WasiCtx::builder(NullSys).build().expect("build");
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    Ok((store, instance))
}

#[test]
fn functions_are_the_46_of_the_witx() {
    assert_eq!(WITX.len(), 46);
    let mut reference: Vec<&str> = WITX.iter().map(|(name, _, _)| *name).collect();
    reference.sort_unstable();
    reference.dedup();
    assert_eq!(reference.len(), 46, "the reference names are distinct");

    let mut listed: Vec<&str> = kestrel_wasi::preview1::FUNCTIONS.to_vec();
    assert_eq!(listed.len(), 46, "FUNCTIONS has 46 entries");
    listed.sort_unstable();
    let before = listed.len();
    listed.dedup();
    assert_eq!(listed.len(), before, "FUNCTIONS has no duplicates");
    assert_eq!(listed, reference);
    assert_eq!(kestrel_wasi::preview1::MODULE, "wasi_snapshot_preview1");
}

#[test]
fn a_module_importing_all_46_links_over_null_sys() {
    let wat = module_wat(WITX);
    let (mut store, instance) =
        instantiate(&wat).unwrap_or_else(|e| panic!("instantiate: {e}\n{wat}"));
    // NullSys answers without touching the outside world.
    let call = |store: &mut Store<WasiCtx>, name: &str| {
        instance
            .get_typed_func::<(), i32>(&*store, &format!("call_{name}"))
            .unwrap()
            .call(store, ())
            .unwrap()
    };
    assert_eq!(call(&mut store, "sched_yield"), 0);
    assert_eq!(call(&mut store, "args_sizes_get"), 0, "no arguments");
    assert_eq!(call(&mut store, "proc_raise"), 52, "ENOSYS");
    assert_eq!(
        call(&mut store, "random_get"),
        52,
        "ENOSYS: NullSys has no randomness"
    );
    assert_eq!(
        call(&mut store, "clock_time_get"),
        52,
        "ENOSYS: NullSys has no clock"
    );
    assert_eq!(
        call(&mut store, "fd_prestat_get"),
        8,
        "EBADF: fd 0 is not a preopen"
    );
    let exit = instance
        .get_typed_func::<(), ()>(&store, "call_proc_exit")
        .unwrap();
    let err = exit
        .call(&mut store, ())
        .expect_err("proc_exit ends the call");
    assert_eq!(
        err.downcast_ref::<kestrel_wasi::I32Exit>(),
        Some(&kestrel_wasi::I32Exit(0))
    );
}

#[test]
fn each_import_alone_links() {
    for import in WITX {
        let wat = module_wat(std::slice::from_ref(import));
        if let Err(e) = instantiate(&wat) {
            panic!("{}: {e}", import.0);
        }
    }
}

#[test]
fn a_wrong_signature_or_unknown_name_does_not_link() {
    // Every signature with one parameter type changed, one parameter more,
    // or a result removed is refused.
    for (name, params, results) in WITX {
        let mut wrongs: Vec<(String, String)> = Vec::new();
        let ps: Vec<&str> = params.split_whitespace().collect();
        for i in 0..ps.len() {
            let mut changed = ps.clone();
            changed[i] = if ps[i] == "i32" { "i64" } else { "i32" };
            wrongs.push((changed.join(" "), results.to_string()));
        }
        wrongs.push((
            format!("{params} i32").trim().to_string(),
            results.to_string(),
        ));
        wrongs.push((
            params.to_string(),
            if results.is_empty() {
                "i32".into()
            } else {
                String::new()
            },
        ));
        for (p, r) in wrongs {
            let wat = module_wat(&[(name, &p, &r)]);
            match instantiate(&wat) {
                Ok(_) => panic!("{name} linked with the wrong signature ({p}) -> ({r})"),
                Err(e) => assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::Link(LinkError::IncompatibleImport { .. })
                    ),
                    "{name} ({p}) -> ({r}): {e}"
                ),
            }
        }
    }
    for name in ["fd_bogus", "path_open2", "proc_exit_", "sock_connect"] {
        match instantiate(&module_wat(&[(name, "i32", "i32")])) {
            Ok(_) => panic!("{name} linked"),
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::Link(LinkError::UnknownImport { .. })),
                "{name}: {e}"
            ),
        }
    }
}
