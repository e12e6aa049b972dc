//! The measurements: execution, translation, instantiation and memory.

use std::any::Any;
use std::hint::black_box;
use std::time::Instant;

use wasmi::CompilationMode;

use crate::alloc_count::{HeapDelta, Snapshot};
use crate::engines::kestrel::Kestrel;
use crate::engines::wasm3::Wasm3;
use crate::engines::wasmi::Wasmi;
use crate::engines::{Runner, WasmEngine};

/// The median of some samples (the mean of the middle two for an even
/// count); `NaN` for none.
pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The result of one workload on every engine.
pub struct Execution {
    /// The native checksum.
    pub checksum: u64,
    /// Seconds per run, per engine (in the runners' order); empty for an
    /// engine that failed.
    pub samples: Vec<Vec<f64>>,
}

/// Runs workload `name` at size `n` on every runner: one warm-up run each
/// (which also translates or compiles lazily compiled code), then `runs`
/// timed runs, interleaved engine by engine, the order rotating each round.
/// Every checksum is compared with the native one; a mismatch or an error
/// is added to `failures` and the engine is left out for this workload.
pub fn execution(
    runners: &mut [Box<dyn Runner>],
    name: &str,
    n: u32,
    runs: usize,
    failures: &mut Vec<String>,
) -> Execution {
    let mut samples = vec![Vec::new(); runners.len()];
    let native = runners
        .iter()
        .position(|r| r.name() == "native")
        .expect("the native runner is there");
    let expected = match runners[native].run(name, n) {
        Ok(checksum) => checksum,
        Err(e) => {
            failures.push(format!("{name}: native: {e}"));
            return Execution {
                checksum: 0,
                samples,
            };
        }
    };
    let mut check = |runner: &dyn Runner, result: Result<u64, String>| -> bool {
        match result {
            Ok(checksum) if checksum == expected => true,
            Ok(checksum) => {
                failures.push(format!(
                    "{name} (n = {n}): {} returned checksum {checksum:#018x}, native {expected:#018x}",
                    runner.name()
                ));
                false
            }
            Err(e) => {
                failures.push(format!("{name} (n = {n}): {} failed: {e}", runner.name()));
                false
            }
        }
    };
    let mut ok: Vec<bool> = runners
        .iter_mut()
        .map(|runner| {
            let result = runner.run(name, n);
            check(runner.as_ref(), result)
        })
        .collect();
    let count = runners.len();
    for round in 0..runs {
        for k in 0..count {
            let i = (k + round) % count;
            if !ok[i] {
                continue;
            }
            let start = Instant::now();
            let result = runners[i].run(name, black_box(n));
            let elapsed = start.elapsed().as_secs_f64();
            if check(runners[i].as_ref(), result) {
                samples[i].push(elapsed);
            } else {
                ok[i] = false;
                samples[i].clear();
            }
        }
    }
    Execution {
        checksum: expected,
        samples,
    }
}

/// One way of loading the big module, timed.
pub struct Translation {
    /// The engine and mode.
    pub label: &'static str,
    /// What the engine does up front in this mode.
    pub note: &'static str,
    /// Seconds per load.
    pub samples: Vec<f64>,
    /// What the loaded module keeps on the heap.
    pub heap: HeapDelta,
}

type Loader<'a> = Box<dyn Fn() -> Result<Box<dyn Any>, String> + 'a>;

fn loader<'a, E: WasmEngine>(engine: &'a E, wasm: &'a [u8]) -> Loader<'a>
where
    E::Module: 'static,
{
    Box::new(move || engine.compile(wasm).map(|m| Box::new(m) as Box<dyn Any>))
}

/// Times loading `wasm` (`Module::new` and its equivalents), `reps` times
/// per engine and mode, interleaved, after one warm-up load each; and
/// measures the heap a loaded module keeps.
pub fn translation(wasm: &[u8], reps: usize) -> Result<Vec<Translation>, String> {
    let kestrel = Kestrel::new();
    let kestrel_one_thread = Kestrel::single_threaded();
    let wasmi_eager = Wasmi::with_mode(CompilationMode::Eager);
    let wasmi_lazy_translation = Wasmi::with_mode(CompilationMode::LazyTranslation);
    let wasmi_lazy = Wasmi::with_mode(CompilationMode::Lazy);
    let wasm3_env = wasm3::Environment::new().map_err(|e| e.to_string())?;
    let cases: Vec<(&'static str, &'static str, Loader<'_>)> = vec![
        (
            "kestrel",
            "eager: decode, validate and translate every function, on all cores",
            loader(&kestrel, wasm),
        ),
        (
            "kestrel, one thread",
            "eager, as above, on the calling thread only (`Config::parallel_translation(false)`)",
            loader(&kestrel_one_thread, wasm),
        ),
        (
            "wasmi eager",
            "CompilationMode::Eager: validate and translate every function",
            loader(&wasmi_eager, wasm),
        ),
        (
            "wasmi lazy-translation",
            "CompilationMode::LazyTranslation (the default): validate now, translate on first call",
            loader(&wasmi_lazy_translation, wasm),
        ),
        (
            "wasmi lazy",
            "CompilationMode::Lazy: validate and translate on first call",
            loader(&wasmi_lazy, wasm),
        ),
        (
            "wasm3",
            "m3_ParseModule: parse only; functions compile on first call",
            Box::new(|| {
                wasm3::Module::parse(&wasm3_env, wasm)
                    .map(|m| Box::new(m) as Box<dyn Any>)
                    .map_err(|e| e.to_string())
            }),
        ),
    ];
    let mut samples = vec![Vec::new(); cases.len()];
    let mut heaps = Vec::new();
    for (label, _, load) in &cases {
        drop(load().map_err(|e| format!("{label}: {e}"))?);
        let before = Snapshot::now();
        let module = load().map_err(|e| format!("{label}: {e}"))?;
        heaps.push(before.delta(&Snapshot::now()));
        drop(module);
    }
    for round in 0..reps {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let start = Instant::now();
            let module = (cases[i].2)()?;
            samples[i].push(start.elapsed().as_secs_f64());
            drop(module);
        }
    }
    Ok(cases
        .into_iter()
        .zip(samples)
        .zip(heaps)
        .map(|(((label, note, _), samples), heap)| Translation {
            label,
            note,
            samples,
            heap,
        })
        .collect())
}

/// Instantiation times of one engine.
pub struct Instantiation {
    /// The engine.
    pub engine: &'static str,
    /// Seconds per instantiation of the tiny module.
    pub tiny: Vec<f64>,
    /// Seconds per instantiation of the workloads module.
    pub large: Vec<f64>,
}

/// What one instance costs in memory.
pub struct InstanceMemory {
    /// The engine.
    pub engine: &'static str,
    /// The tiny module's instance.
    pub tiny: HeapDelta,
    /// The workloads module's instance.
    pub large: HeapDelta,
}

/// An engine with both modules compiled.
trait Instantiate {
    fn name(&self) -> &'static str;
    /// Instantiates module `which` (0 tiny, 1 large) `iters` times, pushing
    /// the seconds each took; instances are dropped outside the timing.
    fn time(&self, which: usize, iters: usize, out: &mut Vec<f64>) -> Result<(), String>;
    /// The heap one more instance of module `which` takes.
    fn heap(&self, which: usize) -> Result<HeapDelta, String>;
    /// Calls the tiny module's `f(7)`.
    fn check_tiny(&self) -> Result<u64, String>;
}

struct Prepared<E: WasmEngine> {
    engine: E,
    modules: [E::Module; 2],
}

impl<E: WasmEngine> Prepared<E> {
    fn new(engine: E, tiny: &[u8], large: &[u8]) -> Result<Self, String> {
        let modules = [engine.compile(tiny)?, engine.compile(large)?];
        Ok(Prepared { engine, modules })
    }
}

impl<E: WasmEngine> Instantiate for Prepared<E> {
    fn name(&self) -> &'static str {
        self.engine.name()
    }

    fn time(&self, which: usize, iters: usize, out: &mut Vec<f64>) -> Result<(), String> {
        for _ in 0..iters {
            let start = Instant::now();
            let instance = self.engine.instantiate(&self.modules[which])?;
            out.push(start.elapsed().as_secs_f64());
            drop(black_box(instance));
        }
        Ok(())
    }

    fn heap(&self, which: usize) -> Result<HeapDelta, String> {
        // The first instance stays alive while the second is measured: it
        // takes any first-use costs, and any memory buffer an engine keeps
        // for reuse (Kestrel's pool), so the measured instance's linear
        // memory is allocated and counted as for every other engine.
        let first = self.engine.instantiate(&self.modules[which])?;
        let before = Snapshot::now();
        let instance = self.engine.instantiate(&self.modules[which])?;
        let delta = before.delta(&Snapshot::now());
        drop(instance);
        drop(first);
        Ok(delta)
    }

    fn check_tiny(&self) -> Result<u64, String> {
        let mut instance = self.engine.instantiate(&self.modules[0])?;
        self.engine.call(&mut instance, "f", 7)
    }
}

/// Times instantiating the tiny module and the workloads module on each
/// Wasm engine (a fresh store or runtime and an instance in it), `rounds`
/// rounds interleaved between engines; and measures one instance's heap.
pub fn instantiation(
    tiny: &[u8],
    large: &[u8],
    rounds: usize,
    failures: &mut Vec<String>,
) -> Result<(Vec<Instantiation>, Vec<InstanceMemory>), String> {
    let engines: Vec<Box<dyn Instantiate>> = vec![
        Box::new(Prepared::new(Kestrel::new(), tiny, large).map_err(|e| format!("kestrel: {e}"))?),
        Box::new(
            Prepared::new(Kestrel::without_memory_pool(), tiny, large)
                .map_err(|e| format!("kestrel: {e}"))?,
        ),
        Box::new(Prepared::new(Wasmi::new(), tiny, large).map_err(|e| format!("wasmi: {e}"))?),
        Box::new(Prepared::new(Wasm3::new()?, tiny, large).map_err(|e| format!("wasm3: {e}"))?),
    ];
    for engine in &engines {
        match engine.check_tiny() {
            Ok(7) => {}
            Ok(other) => failures.push(format!(
                "tiny module: {} returned {other}, not 7",
                engine.name()
            )),
            Err(e) => failures.push(format!("tiny module: {}: {e}", engine.name())),
        }
    }
    let mut times: Vec<[Vec<f64>; 2]> = engines.iter().map(|_| [Vec::new(), Vec::new()]).collect();
    for engine in &engines {
        // Warm up: first-use costs (lazy statics, allocator arenas).
        let mut scratch = Vec::new();
        engine.time(0, 10, &mut scratch)?;
        engine.time(1, 1, &mut scratch)?;
    }
    for round in 0..rounds {
        for k in 0..engines.len() {
            let i = (k + round) % engines.len();
            let [t, l] = &mut times[i];
            engines[i].time(0, 400, t)?;
            engines[i].time(1, 6, l)?;
        }
    }
    let mut memory = Vec::new();
    for engine in &engines {
        memory.push(InstanceMemory {
            engine: engine.name(),
            tiny: engine.heap(0)?,
            large: engine.heap(1)?,
        });
    }
    let instantiation = engines
        .iter()
        .zip(times)
        .map(|(engine, [tiny, large])| Instantiation {
            engine: engine.name(),
            tiny,
            large,
        })
        .collect();
    Ok((instantiation, memory))
}
