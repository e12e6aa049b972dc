//! The `spectest` host module that the testsuite imports from.
//!
//! Mirrors the reference interpreter's `spectest` module: `print*` functions
//! (silent unless `KESTREL_SPEC_VERBOSE` is set), four constant globals, a
//! funcref table (10..20) and a memory (1..2 pages).

use kestrel_interp::{
    Error, FuncType, Global, GlobalType, Linker, Memory, MemoryType, Mutability, RefType, Store,
    Table, TableType, Val, ValType,
};

use crate::values::fmt_plain;

/// Name the host module is registered under.
pub const MODULE: &str = "spectest";

/// Defines every `spectest` export in `linker`, allocating the globals, table
/// and memory in `store`.
pub fn define_spectest(linker: &mut Linker<()>, store: &mut Store<()>) -> Result<(), Error> {
    const PRINTS: &[(&str, &[ValType])] = &[
        ("print", &[]),
        ("print_i32", &[ValType::I32]),
        ("print_i64", &[ValType::I64]),
        ("print_f32", &[ValType::F32]),
        ("print_f64", &[ValType::F64]),
        ("print_i32_f32", &[ValType::I32, ValType::F32]),
        ("print_f64_f64", &[ValType::F64, ValType::F64]),
    ];
    let verbose = std::env::var_os("KESTREL_SPEC_VERBOSE").is_some();
    for &(name, params) in PRINTS {
        let ty = FuncType::new(params.iter().cloned(), std::iter::empty::<ValType>());
        linker.func_new(MODULE, name, ty, move |_caller, args, _results| {
            if verbose {
                let args: Vec<String> = args.iter().map(fmt_plain).collect();
                println!("spectest.{name}({})", args.join(", "));
            }
            Ok(())
        })?;
    }

    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, init) in globals {
        let global = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), init)?;
        linker.define(&*store, MODULE, name, global)?;
    }

    let table = Table::new(
        &mut *store,
        TableType::new(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    )?;
    linker.define(&*store, MODULE, "table", table)?;

    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(&*store, MODULE, "memory", memory)?;
    Ok(())
}
