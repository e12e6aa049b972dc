//! A guest recursing a million calls deep, run on a thread with only 256 KiB
//! of native stack: Kestrel keeps Wasm frames on its own stack, so the
//! recursion either completes or traps cleanly with "call stack exhausted",
//! and never overflows the host's stack. Memory use is measured with a
//! counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use kestrel_interp::{Config, Engine, Linker, Module, Store, Trap, TrapCode};

// ---------------------------------------------------------------------------
// Allocation accounting
// ---------------------------------------------------------------------------

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters do not
// affect the allocations.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Count the moment both blocks may exist, as a copying realloc has.
            grew(new_size);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Tests measure memory one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the peak number of bytes allocated
/// beyond what was live when it started.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = f();
    (r, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

// ---------------------------------------------------------------------------
// The guest
// ---------------------------------------------------------------------------

const WAT: &str = r#"
(module
  (func $f (export "f") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $f
      i32.const 1
      i32.add
    end))
"#;

const DEPTH: i32 = 1_000_000;
const MIB: usize = 1 << 20;

/// Native stack for the thread that runs the guest.
const SMALL_STACK: usize = 256 * 1024;

/// Runs `f` on a thread with a 256 KiB stack. An overflow of that stack
/// would abort the whole test process rather than fail one test.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("guest thread panicked")
}

/// A config of the defaults with the given limits applied.
fn config(depth: Option<usize>, slots: Option<usize>) -> Config {
    let mut config = Config::default();
    if let Some(depth) = depth {
        config.max_call_depth(depth);
    }
    if let Some(slots) = slots {
        config.max_stack_slots(slots);
    }
    config
}

struct Outcome {
    result: Result<i32, Trap>,
    /// Peak bytes allocated during the deep call.
    peak: usize,
    /// Whether the store still ran a shallow call afterwards, and a deep one
    /// the same way again.
    reusable: bool,
}

/// Calls `f(DEPTH)` under `config` on the small stack.
fn run_deep(config: Config) -> Outcome {
    let wasm = wat::parse_str(WAT).expect("WAT");
    on_small_stack(move || {
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &wasm).expect("module");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .expect("instantiate");
        let f = instance
            .get_typed_func::<i32, i32>(&store, "f")
            .expect("export f");
        let (result, peak) = measure(|| f.call(&mut store, DEPTH));
        let result = result.map_err(|e| {
            e.as_trap()
                .cloned()
                .unwrap_or_else(|| panic!("not a trap: {e}"))
        });
        match &result {
            Ok(v) => eprintln!("f({DEPTH}) = {v}; peak {peak} bytes"),
            Err(t) => eprintln!("{t} after {} frames; peak {peak} bytes", t.depth()),
        }
        let shallow = f.call(&mut store, 1000).ok() == Some(1000);
        let again = f.call(&mut store, DEPTH);
        let same_again = match (&result, &again) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => {
                b.as_trap().map(Trap::code) == Some(a.code())
                    && b.as_trap().map(|t| t.depth()) == Some(a.depth())
            }
            _ => false,
        };
        Outcome {
            result,
            peak,
            reusable: shallow && same_again,
        }
    })
}

fn expect_overflow(outcome: &Outcome) -> &Trap {
    let trap = match &outcome.result {
        Ok(v) => panic!("recursion {DEPTH} deep completed with {v}; it should have trapped"),
        Err(trap) => trap,
    };
    assert_eq!(trap.code(), TrapCode::StackOverflow);
    assert_eq!(trap.to_string(), "call stack exhausted");
    assert!(
        trap.backtrace()
            .iter()
            .all(|frame| frame.func_name.as_deref() == Some("f"))
    );
    // Only the innermost frames are kept, however deep the recursion.
    assert_eq!(trap.backtrace().len(), Trap::MAX_BACKTRACE);
    trap
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn default_limits_trap_a_million_deep_recursion() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = run_deep(Config::default());
    let trap = expect_overflow(&outcome);
    // The defaults allow 100,000 calls and 1 Mi slots; whichever comes first.
    assert!(trap.depth() <= 100_000, "{} frames", trap.depth());
    assert!(trap.depth() > 10_000, "{} frames", trap.depth());
    assert!(
        outcome.reusable,
        "the store did not behave the same after the trap"
    );
    // At most the 8 MiB slot limit, the frames and the backtrace.
    assert!(outcome.peak < 32 * MIB, "peak {} bytes", outcome.peak);
}

#[test]
fn call_depth_limit_one_short_of_a_million_traps() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // f(1,000,000) needs 1,000,001 frames; allow one fewer, with slots to
    // spare, so the call depth is what runs out.
    let outcome = run_deep(config(Some(DEPTH as usize), Some(64 * MIB)));
    let trap = expect_overflow(&outcome);
    assert_eq!(trap.depth(), DEPTH as usize, "trapped at the depth limit");
    assert!(
        outcome.reusable,
        "the store did not behave the same after the trap"
    );
    // The value stack and the frames: the backtrace keeps only the innermost.
    let per_frame = outcome.peak / DEPTH as usize;
    assert!(
        per_frame < 64,
        "{per_frame} bytes per frame (peak {} bytes)",
        outcome.peak
    );
}

#[test]
fn stack_slot_limit_traps_a_million_deep_recursion() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Calls to spare, but half a million slots are not enough for a million
    // frames: each frame needs at least its argument slot.
    let outcome = run_deep(config(Some(2_000_000), Some(DEPTH as usize / 2)));
    let trap = expect_overflow(&outcome);
    assert!(trap.depth() < DEPTH as usize / 2, "{} frames", trap.depth());
    assert!(
        trap.depth() > DEPTH as usize / 10,
        "{} frames",
        trap.depth()
    );
    assert!(
        outcome.reusable,
        "the store did not behave the same after the trap"
    );
    assert!(outcome.peak < 48 * MIB, "peak {} bytes", outcome.peak);
}

#[test]
fn a_million_deep_recursion_completes_when_allowed() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = run_deep(config(Some(1_100_000), Some(64 * MIB)));
    assert_eq!(outcome.result.as_ref().ok(), Some(&DEPTH));
    assert!(
        outcome.reusable,
        "the store did not give the same result again"
    );
    // A 16-byte frame and the 8-byte slot its argument is passed in (the
    // callee's frame overlaps the caller's from there) is 24 bytes; the
    // vectors' doubling and the copy while one is reallocated allow up to
    // four times that.
    let per_frame = outcome.peak / DEPTH as usize;
    assert!(
        per_frame < 96,
        "{per_frame} bytes per frame (peak {} bytes)",
        outcome.peak
    );
}
