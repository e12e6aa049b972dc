//! The three guest programs, run in order, each in a fresh engine and store
//! so that its heap and stack marks are its own.

use kestrel_interp::{Engine, Error, Instance, Module, Store, TrapCode};
use kestrel_wasi::{I32Exit, WasiCtx};

use crate::guests::{self, Guest};
use crate::heap::HeapMarks;
use crate::{Board, Console, ConsoleSys, EXIT_CHECK_FAILED, engine_config, native, say};

/// The compute guest's inputs, fixed so the expected output is too.
const CRC_SEED: u32 = 1;
const CRC_LEN: usize = 2048;
const SORT_SEED: u32 = 2;
const SORT_LEN: usize = 256;

/// What hello's `proc_exit` status must be.
const HELLO_STATUS: i32 = 42;

#[cfg(feature = "precompiled")]
const LOADER: &str = "bytecode images made at build time (no translator on the device)";
#[cfg(not(feature = "precompiled"))]
const LOADER: &str = "Wasm binaries translated on the device";

pub(crate) fn run<C: Console>(board: &Board<C>) -> i32 {
    let c = board.console;
    say!(c, "-- Kestrel firmware on {} ({})", board.name, board.cpu);
    say!(c, "-- guests: {LOADER}");
    say!(
        c,
        "-- limits: max_call_depth {}, max_stack_slots {}",
        board.limits.max_call_depth,
        board.limits.max_stack_slots
    );
    say!(
        c,
        "# board: heap={} stack={}",
        board.heap.used() + board.heap.free(),
        board.stack.size()
    );

    // The native results first, outside the measured runs: the sort's array
    // is 1 KiB of stack.
    let expected = Expected {
        crc32: native::crc32(CRC_SEED, CRC_LEN),
        sort: native::sort_checksum::<SORT_LEN>(SORT_SEED),
    };

    let hello = measured(board, &guests::HELLO, |usage| hello(board, usage));
    let compute = measured(board, &guests::COMPUTE, |usage| {
        compute(board, &expected, usage)
    });
    let recursion = measured(board, &guests::RECURSION, |usage| recursion(board, usage));

    match (hello, compute, recursion) {
        (Some(status), Some(()), Some(())) => {
            say!(
                c,
                "-- done: every check passed; exit status {status} (hello's proc_exit)"
            );
            status
        }
        _ => {
            say!(
                c,
                "-- done: a check FAILED; exit status {EXIT_CHECK_FAILED}"
            );
            EXIT_CHECK_FAILED
        }
    }
}

/// The compute guest's results as [`native`] computes them.
struct Expected {
    crc32: u32,
    sort: i32,
}

/// What a program reports besides its result: the size of its linear
/// memory, and the heap marks after loading the module.
#[derive(Default)]
struct Usage {
    linear_memory: usize,
    load: Option<HeapMarks>,
}

/// Runs `program` on `guest` between fresh heap marks and a freshly painted
/// stack, then prints the marks as a `# ` line.
///
/// The programs are `#[inline(never)]` so that each one's locals (store,
/// module, linker) are on the stack only while it runs and count towards
/// its own peak, not as one large frame of `run` under all three.
#[inline(never)]
fn measured<C: Console, R>(
    board: &Board<C>,
    guest: &Guest,
    program: impl FnOnce(&mut Usage) -> Option<R>,
) -> Option<R> {
    let c = board.console;
    let before = board.heap.used();
    board.stack.paint();
    board.heap.reset_marks();
    let mut usage = Usage::default();
    let result = program(&mut usage);
    let heap = board.heap.marks();
    let stack = board.stack.used();
    let load = usage.load.map_or(0, |m| m.peak - before);
    say!(
        c,
        "# {}: flash={} heap_peak_load={load} heap_peak={} heap_extent={} linear_memory={} stack_peak={stack}",
        guest.name,
        guest.size(),
        heap.peak - before,
        heap.extent,
        usage.linear_memory,
    );
    if stack >= board.stack.size() {
        say!(c, "-- {}: the main stack was exhausted", guest.name);
        return None;
    }
    if board.heap.used() != before {
        say!(
            c,
            "-- {}: LEAK: {} bytes still allocated",
            guest.name,
            board.heap.used() - before
        );
        return None;
    }
    result
}

/// Prints a failed step; the program then reports failure.
fn check<C: Console, T>(c: C, program: &str, step: &str, result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            say!(c, "-- {program}: {step} FAILED: {e}");
            None
        }
    }
}

fn engine<C: Console>(board: &Board<C>) -> Engine {
    Engine::new(&engine_config(board.limits))
}

/// Loads `guest` and records the heap marks of loading.
fn load<C: Console>(
    board: &Board<C>,
    engine: &Engine,
    guest: &Guest,
    usage: &mut Usage,
) -> Option<Module> {
    let module = check(board.console, guest.name, "load", guest.load(engine));
    usage.load = Some(board.heap.marks());
    module
}

/// A store for a guest without WASI imports. It still holds a `WasiCtx`
/// (with no arguments) so that every guest uses the same `Store<WasiCtx>`:
/// Kestrel's store, instantiation and call paths are generic over the store
/// data, and one type means one copy of that code in flash.
fn plain_store<C: Console>(board: &Board<C>, engine: &Engine) -> Option<Store<WasiCtx>> {
    match WasiCtx::builder(ConsoleSys(board.console)).build() {
        Ok(ctx) => Some(Store::new(engine, ctx)),
        Err(e) => {
            say!(board.console, "-- WASI context FAILED: {e:?}");
            None
        }
    }
}

fn memory_size(store: &Store<WasiCtx>, instance: &Instance) -> usize {
    instance
        .get_memory(store, "memory")
        .map_or(0, |m| m.data(store).len())
}

/// hello: a WASI command whose exit status comes back through `proc_exit`.
#[inline(never)]
fn hello<C: Console>(board: &Board<C>, usage: &mut Usage) -> Option<i32> {
    let c = board.console;
    say!(
        c,
        "-- hello: WASI command, argv = [\"hello\", \"{}\"]",
        board.name
    );
    let engine = engine(board);
    let module = load(board, &engine, &guests::HELLO, usage)?;
    let mut linker = kestrel_interp::Linker::<WasiCtx>::new(&engine);
    check(
        c,
        "hello",
        "WASI",
        kestrel_wasi::add_to_linker(&mut linker, |ctx| ctx),
    )?;
    let ctx = WasiCtx::builder(ConsoleSys(c))
        .arg("hello")
        .arg(board.name)
        .inherit_stdio()
        .build();
    let ctx = match ctx {
        Ok(ctx) => ctx,
        Err(e) => {
            say!(c, "-- hello: WASI context FAILED: {e:?}");
            return None;
        }
    };
    let mut store = Store::new(&engine, ctx);
    let instance = check(
        c,
        "hello",
        "instantiate",
        linker.instantiate(&mut store, &module),
    )?;
    usage.linear_memory = memory_size(&store, &instance);
    let start = check(
        c,
        "hello",
        "_start",
        instance.get_typed_func::<(), ()>(&store, "_start"),
    )?;
    let status = match start.call(&mut store, ()) {
        // A command that returns from `_start` exits with 0.
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => exit.0,
            None => {
                say!(c, "-- hello: FAILED: {e}");
                return None;
            }
        },
    };
    say!(c, "-- hello: proc_exit({status})");
    // The status is not checked here but by whoever runs the firmware: it
    // becomes the exit status. A wrong one is still worth a word.
    if status != HELLO_STATUS {
        say!(c, "-- hello: expected proc_exit({HELLO_STATUS})");
    }
    Some(status)
}

/// compute: CRC-32 and a sort, checked against [`native`].
#[inline(never)]
fn compute<C: Console>(board: &Board<C>, expected: &Expected, usage: &mut Usage) -> Option<()> {
    let c = board.console;
    let engine = engine(board);
    let module = load(board, &engine, &guests::COMPUTE, usage)?;
    let mut store = plain_store(board, &engine)?;
    let instance = check(
        c,
        "compute",
        "instantiate",
        Instance::new(&mut store, &module, &[]),
    )?;
    usage.linear_memory = memory_size(&store, &instance);

    let crc32 = check(
        c,
        "compute",
        "crc32",
        instance.get_typed_func::<(i32, i32), i32>(&store, "crc32"),
    )?;
    let got = check(
        c,
        "compute",
        "crc32",
        crc32.call(&mut store, (CRC_SEED as i32, CRC_LEN as i32)),
    )? as u32;
    let want = expected.crc32;
    let crc_ok = got == want;
    say!(
        c,
        "-- compute: crc32 of {CRC_LEN} generated bytes = {got:#010x}, native {want:#010x}: {}",
        verdict(crc_ok)
    );

    let sort = check(
        c,
        "compute",
        "sort",
        instance.get_typed_func::<(i32, i32), i32>(&store, "sort"),
    )?;
    let got = check(
        c,
        "compute",
        "sort",
        sort.call(&mut store, (SORT_SEED as i32, SORT_LEN as i32)),
    )?;
    let want = expected.sort;
    let sort_ok = got == want;
    say!(
        c,
        "-- compute: sorted {SORT_LEN} values, checksum {got}, native {want}: {}",
        verdict(sort_ok)
    );
    (crc_ok && sort_ok).then_some(())
}

/// recursion: must end in the `call stack exhausted` trap.
#[inline(never)]
fn recursion<C: Console>(board: &Board<C>, usage: &mut Usage) -> Option<()> {
    let c = board.console;
    let engine = engine(board);
    let module = load(board, &engine, &guests::RECURSION, usage)?;
    let mut store = plain_store(board, &engine)?;
    let instance = check(
        c,
        "recursion",
        "instantiate",
        Instance::new(&mut store, &module, &[]),
    )?;
    let down = check(
        c,
        "recursion",
        "down",
        instance.get_typed_func::<i32, i32>(&store, "down"),
    )?;
    match down.call(&mut store, 0) {
        Ok(v) => {
            say!(c, "-- recursion: returned {v}, expected a trap: FAILED");
            None
        }
        Err(e) => match e.as_trap() {
            Some(trap) if trap.code() == TrapCode::StackOverflow => {
                let innermost = trap.backtrace().first();
                say!(
                    c,
                    "-- recursion: trapped after {} nested calls: {e}",
                    trap.depth()
                );
                match innermost {
                    Some(frame) => say!(c, "-- recursion: innermost frame: {frame}: ok"),
                    None => say!(c, "-- recursion: no backtrace: ok"),
                }
                Some(())
            }
            _ => {
                say!(
                    c,
                    "-- recursion: expected `call stack exhausted`, got: {e}: FAILED"
                );
                None
            }
        },
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISMATCH" }
}
