//! The differential oracle: one module, run on Kestrel and on a reference
//! engine (wasmi), must behave the same.
//!
//! [`DifferentialOracle::run`] compiles the module, draws a call plan from
//! the fuzz input (every exported function, some twice, with arguments),
//! then instantiates the module on both engines and runs the plan. The
//! reference runs each step first. After instantiation and after every call
//! it compares:
//!
//! - the outcome: the results bit for bit, except that two NaNs of the same
//!   type are equal whatever their bits (the spec lets an arithmetic NaN have
//!   any payload and either sign), and references by null-ness and, for
//!   non-null `funcref`s, the referenced function's type; or the trap, by
//!   kind; or both failed with a non-trap error;
//! - every export: the same names, kinds and function types; every
//!   exported memory (size and bytes), global (value, compared like a
//!   result) and table (size, and each element like a result).
//!
//! Limits that legitimately differ between the engines end the comparison
//! without a verdict ([`Verdict::Skipped`]): running out of fuel (the engines
//! charge differently), call stack exhaustion (their depth limits differ), a
//! module the reference rejects, or one Kestrel declines by a documented
//! limit.
//!
//! The reference is wasmi 2 ([`wasmi2`]). wasmi 2.0.0 has a translation bug
//! (`select` whose condition is an `i32.eqz`, see `fuzz/README.md`), so a
//! mismatch is re-run against wasmi 1 ([`wasmi1`]) before it is reported:
//! when Kestrel and wasmi 1 agree on the whole plan, the run ends with
//! [`Verdict::ReferenceBug`] instead.

// A mismatch is reported once per run, off any hot path: its size does not
// matter.
#![allow(clippy::result_large_err)]

use std::fmt;

use arbitrary::Unstructured;

pub mod kestrel;
pub mod wasmi1;
pub mod wasmi2;

/// Kestrel's fuel setting for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KestrelFuel {
    /// No metering: Kestrel runs only steps that the reference has finished
    /// within its own fuel, so Kestrel terminates unless it has a bug (which
    /// the fuzzer then reports as a timeout). Covers the translation without
    /// fuel instrumentation, the one embedders use by default.
    Off,
    /// Metering on with this much fuel for the whole run (instantiation and
    /// every call).
    On(u64),
}

/// How the oracle runs a module.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Fuel for the reference for the whole run. When it runs out, the run
    /// ends without a verdict.
    pub reference_fuel: u64,
    /// Kestrel's fuel.
    pub kestrel_fuel: KestrelFuel,
    /// Kestrel's `Config::max_call_depth`.
    pub kestrel_max_call_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reference_fuel: 1_000_000,
            kestrel_fuel: KestrelFuel::On(10_000_000),
            kestrel_max_call_depth: 10_000,
        }
    }
}

impl Options {
    /// Options chosen by the fuzz input: Kestrel's fuel off, generous, or
    /// small (to exercise running out of fuel mid-run).
    pub fn arbitrary(u: &mut Unstructured<'_>) -> arbitrary::Result<Options> {
        let mut options = Options::default();
        options.kestrel_fuel = match u.int_in_range(0..=7u8)? {
            0..=2 => KestrelFuel::Off,
            3..=6 => options.kestrel_fuel,
            _ => KestrelFuel::On(u.int_in_range(0..=20_000)?),
        };
        Ok(options)
    }
}

/// A value type, the same for every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::FuncRef => "funcref",
            Ty::ExternRef => "externref",
        })
    }
}

/// A value as an engine reports it, in engine-independent form.
#[derive(Debug, Clone)]
pub enum Value {
    I32(i32),
    I64(i64),
    /// Bits.
    F32(u32),
    /// Bits.
    F64(u64),
    /// `None` for null, else the referenced function's type, as text.
    FuncRef(Option<String>),
    /// Whether the reference is non-null.
    ExternRef(bool),
}

impl Value {
    /// Whether the engines agree: bit for bit, except that any two NaNs of
    /// the same type are equal.
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::I32(a), Value::I32(b)) => a == b,
            (Value::I64(a), Value::I64(b)) => a == b,
            (Value::F32(a), Value::F32(b)) => {
                a == b || (f32::from_bits(*a).is_nan() && f32::from_bits(*b).is_nan())
            }
            (Value::F64(a), Value::F64(b)) => {
                a == b || (f64::from_bits(*a).is_nan() && f64::from_bits(*b).is_nan())
            }
            (Value::FuncRef(a), Value::FuncRef(b)) => a == b,
            (Value::ExternRef(a), Value::ExternRef(b)) => a == b,
            _ => false,
        }
    }

    /// An argument of type `ty` from the fuzz input (zero once it runs out).
    pub fn arbitrary(ty: Ty, u: &mut Unstructured<'_>) -> Value {
        // Small values hit more interesting paths (shifts, indices, sizes)
        // than uniformly random ones, so pick the shape first.
        if u.is_empty() {
            return match ty {
                Ty::I32 => Value::I32(0),
                Ty::I64 => Value::I64(0),
                Ty::F32 => Value::F32(0),
                Ty::F64 => Value::F64(0),
                Ty::FuncRef => Value::FuncRef(None),
                Ty::ExternRef => Value::ExternRef(false),
            };
        }
        let small = u.ratio(1, 2).unwrap_or(true);
        match ty {
            Ty::I32 if small => Value::I32(u.int_in_range(-4..=64).unwrap_or(0)),
            Ty::I32 => Value::I32(u.arbitrary().unwrap_or(0)),
            Ty::I64 if small => Value::I64(u.int_in_range(-4..=64).unwrap_or(0)),
            Ty::I64 => Value::I64(u.arbitrary().unwrap_or(0)),
            Ty::F32 if small => Value::F32((u.int_in_range(-4..=64).unwrap_or(0) as f32).to_bits()),
            Ty::F32 => Value::F32(u.arbitrary().unwrap_or(0)),
            Ty::F64 if small => Value::F64((u.int_in_range(-4..=64).unwrap_or(0) as f64).to_bits()),
            Ty::F64 => Value::F64(u.arbitrary().unwrap_or(0)),
            Ty::FuncRef => Value::FuncRef(None),
            Ty::ExternRef => Value::ExternRef(false),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{v} ({:#x})", *v as u32),
            Value::I64(v) => write!(f, "i64:{v} ({:#x})", *v as u64),
            Value::F32(b) => write!(f, "f32:{} ({b:#010x})", f32::from_bits(*b)),
            Value::F64(b) => write!(f, "f64:{} ({b:#018x})", f64::from_bits(*b)),
            Value::FuncRef(None) => f.write_str("funcref:null"),
            Value::FuncRef(Some(ty)) => write!(f, "funcref:<func {ty}>"),
            Value::ExternRef(false) => f.write_str("externref:null"),
            Value::ExternRef(true) => f.write_str("externref:<non-null>"),
        }
    }
}

/// Why execution trapped, in engine-independent form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    /// A table access out of bounds, including `call_indirect` with an index
    /// past the table's end (Kestrel's `UndefinedElement`; wasmi reports
    /// that as `TableOutOfBounds` too).
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    /// Not compared: the engines' limits differ.
    StackOverflow,
    /// Not compared: the engines charge fuel differently.
    OutOfFuel,
    /// A trap code of wasmi that Kestrel has no counterpart for
    /// (`GrowthOperationLimited`, `OutOfSystemMemory`, ...).
    Other,
}

/// What one step (instantiation or a call) did on one engine.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Finished; the results (none for instantiation).
    Returned(Vec<Value>),
    /// Trapped.
    Trapped(TrapKind),
    /// Failed with an error that is not a trap.
    Failed(String),
}

impl Outcome {
    /// The engines' limits differ here, so the run ends without a verdict.
    pub(crate) fn hit_limit(&self) -> Option<&'static str> {
        match self {
            Outcome::Trapped(TrapKind::OutOfFuel) => Some("out of fuel"),
            Outcome::Trapped(TrapKind::StackOverflow) => Some("call stack exhausted"),
            Outcome::Trapped(TrapKind::Other) => Some("engine-specific trap"),
            _ => None,
        }
    }

    pub(crate) fn same(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Returned(a), Outcome::Returned(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.same(b))
            }
            (Outcome::Trapped(a), Outcome::Trapped(b)) => a == b,
            (Outcome::Failed(_), Outcome::Failed(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned(values) => {
                f.write_str("returned [")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Outcome::Trapped(kind) => write!(f, "trapped: {kind:?}"),
            Outcome::Failed(message) => write!(f, "failed: {message}"),
        }
    }
}

/// The kind of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Func,
    Memory,
    Global,
    Table,
}

/// One engine running one module: what the oracle needs of it.
pub trait Runner {
    /// The engine's name in reports.
    fn name(&self) -> &'static str;
    /// Instantiates the module: `Returned([])` on success.
    fn instantiate(&mut self) -> Outcome;
    /// The instance's exports, in order.
    fn exports(&self) -> Vec<(String, ExportKind)>;
    /// The type of exported function `name`, as text.
    fn func_type(&self, name: &str) -> Option<String>;
    /// Calls exported function `name`.
    fn call(&mut self, name: &str, args: &[Value]) -> Outcome;
    /// The bytes of exported memory `name`.
    fn memory(&self, name: &str) -> Option<&[u8]>;
    /// The value of exported global `name`.
    fn global(&self, name: &str) -> Option<Value>;
    /// The elements of exported table `name`.
    fn table(&self, name: &str) -> Option<Vec<Value>>;
}

/// One call of the plan.
#[derive(Debug, Clone)]
pub struct Call {
    /// The exported function.
    pub name: String,
    /// Its arguments.
    pub args: Vec<Value>,
}

/// The engines disagree.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// Where: "compile", "instantiate", "call `name`", "memory `name` after
    /// call `f`", ...
    pub stage: String,
    /// Arguments of the call, if the stage is one.
    pub args: Vec<Value>,
    /// What Kestrel did or holds.
    pub kestrel: String,
    /// The reference engine.
    pub reference_name: &'static str,
    /// What the reference did or holds.
    pub reference: String,
    /// What else is known (for example that the tie-breaker agreed with the
    /// reference too).
    pub note: Option<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "stage:   {}", self.stage)?;
        if !self.args.is_empty() {
            let args: Vec<String> = self.args.iter().map(|v| v.to_string()).collect();
            writeln!(f, "args:    [{}]", args.join(", "))?;
        }
        writeln!(f, "kestrel: {}", self.kestrel)?;
        write!(f, "{}: {}", self.reference_name, self.reference)?;
        if let Some(note) = &self.note {
            write!(f, "\nnote:    {note}")?;
        }
        Ok(())
    }
}

/// How a run that found no Kestrel bug ended.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every step was compared and agreed.
    Agreed {
        /// Calls compared.
        calls: usize,
    },
    /// Both engines failed to instantiate the module, the same way.
    BothFailedToInstantiate,
    /// The run ended early for a reason that is not a bug; steps before
    /// it agreed.
    Skipped {
        /// Why.
        reason: String,
        /// Calls compared before.
        calls: usize,
    },
    /// wasmi 2 disagreed with Kestrel, but wasmi 1 agreed with Kestrel on the
    /// whole plan: a bug of wasmi 2.
    ReferenceBug(Mismatch),
}

/// Runs one module on Kestrel and the reference and compares them.
pub struct DifferentialOracle<'a> {
    wasm: &'a [u8],
    options: Options,
}

impl<'a> DifferentialOracle<'a> {
    /// An oracle for the module `wasm`.
    pub fn new(wasm: &'a [u8], options: Options) -> Self {
        DifferentialOracle { wasm, options }
    }

    /// Runs the module on both engines, with the call plan drawn from `u`.
    pub fn run(&self, u: &mut Unstructured<'_>) -> Result<Verdict, Mismatch> {
        let kestrel = match kestrel::KestrelRunner::new(self.wasm, self.options) {
            Ok(k) => k,
            Err(e) if crate::is_documented_limit(&e) => {
                return Ok(Verdict::Skipped {
                    reason: format!("Kestrel limit: {e}"),
                    calls: 0,
                });
            }
            Err(e) => {
                return Err(Mismatch {
                    stage: "compile".into(),
                    args: vec![],
                    kestrel: format!("rejected: {e}"),
                    reference_name: "wasm-smith",
                    reference: "generated it as a valid Wasm 2.0 module".into(),
                    note: None,
                });
            }
        };
        let plan = kestrel.plan(u);
        let wasmi2 = without_panic_hook(|| {
            wasmi2::Wasmi2Runner::new(self.wasm, self.options.reference_fuel)
        });
        let mut reference = match wasmi2 {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                return Ok(Verdict::Skipped {
                    reason: format!("wasmi 2 rejected the module: {e}"),
                    calls: 0,
                });
            }
            // wasmi 2.0.0's translator panics on some valid modules ("a
            // register operand already exists on the stack", see
            // fuzz/README.md): compare with wasmi 1 alone.
            None => {
                let mut wasmi1 =
                    match wasmi1::Wasmi1Runner::new(self.wasm, self.options.reference_fuel) {
                        Ok(r) => r,
                        Err(e) => {
                            return Ok(Verdict::Skipped {
                                reason: format!("wasmi 2 panicked, wasmi 1 rejected: {e}"),
                                calls: 0,
                            });
                        }
                    };
                return compare(kestrel, &mut wasmi1, &plan).map_err(|m| Mismatch {
                    note: Some(
                        "wasmi 2 panicked translating the module; wasmi 1 is the reference".into(),
                    ),
                    ..m
                });
            }
        };
        let mismatch = match compare(kestrel, &mut reference, &plan) {
            Ok(verdict) => return Ok(verdict),
            Err(m) => m,
        };

        // Tie-break with wasmi 1 on the same plan, from a fresh start.
        let kestrel = kestrel::KestrelRunner::new(self.wasm, self.options)
            .expect("the module compiled a moment ago");
        let mut tie_breaker =
            match wasmi1::Wasmi1Runner::new(self.wasm, self.options.reference_fuel) {
                Ok(r) => r,
                Err(e) => {
                    return Err(Mismatch {
                        note: Some(format!("wasmi 1 rejected the module: {e}")),
                        ..mismatch
                    });
                }
            };
        match compare(kestrel, &mut tie_breaker, &plan) {
            Ok(Verdict::Agreed { .. }) | Ok(Verdict::BothFailedToInstantiate) => {
                Ok(Verdict::ReferenceBug(mismatch))
            }
            Ok(Verdict::Skipped { reason, .. }) => Err(Mismatch {
                note: Some(format!("wasmi 1 could not confirm or refute: {reason}")),
                ..mismatch
            }),
            Ok(Verdict::ReferenceBug(_)) => unreachable!("compare does not tie-break"),
            Err(m) => Err(Mismatch {
                note: Some(format!(
                    "wasmi 2 disagrees too, at {}: {}",
                    mismatch.stage, mismatch.reference
                )),
                ..m
            }),
        }
    }
}

/// Runs `plan` on Kestrel and `reference`, step by step, the reference
/// first.
pub fn compare(
    mut kestrel: kestrel::KestrelRunner,
    reference: &mut dyn Runner,
    plan: &[Call],
) -> Result<Verdict, Mismatch> {
    let name = reference.name();
    let mismatch = |stage: String, args: &[Value], k: String, r: String| Mismatch {
        stage,
        args: args.to_vec(),
        kestrel: k,
        reference_name: name,
        reference: r,
        note: None,
    };
    let skipped = |reason: String, calls: usize| Ok(Verdict::Skipped { reason, calls });

    // Instantiate.
    let r = reference.instantiate();
    if let Some(limit) = r.hit_limit() {
        return skipped(format!("{name} instantiation: {limit}"), 0);
    }
    let k = kestrel.instantiate();
    if let Some(limit) = k.hit_limit() {
        return skipped(format!("Kestrel instantiation: {limit}"), 0);
    }
    // Both succeed or both fail; two traps must be of the same kind. A trap
    // and a non-trap error are the same failure here: wasmi reports a
    // segment out of bounds as an instantiation error, Kestrel (like the
    // spec) as a trap.
    let same = match (&k, &r) {
        (Outcome::Returned(_), Outcome::Returned(_)) => true,
        (Outcome::Trapped(a), Outcome::Trapped(b)) => a == b,
        (Outcome::Returned(_), _) | (_, Outcome::Returned(_)) => false,
        _ => true,
    };
    if !same {
        return Err(mismatch(
            "instantiate".into(),
            &[],
            k.to_string(),
            r.to_string(),
        ));
    }
    if !matches!(k, Outcome::Returned(_)) {
        return Ok(Verdict::BothFailedToInstantiate);
    }

    // The same exports (as sets: wasmi lists them sorted by name, Kestrel in
    // module order).
    let exports = kestrel.exports();
    let mut k_exports = exports.clone();
    let mut r_exports = reference.exports();
    k_exports.sort_by(|a, b| a.0.cmp(&b.0));
    r_exports.sort_by(|a, b| a.0.cmp(&b.0));
    if k_exports != r_exports {
        return Err(mismatch(
            "exports".into(),
            &[],
            format!("{k_exports:?}"),
            format!("{r_exports:?}"),
        ));
    }
    for (export, kind) in &exports {
        if *kind == ExportKind::Func {
            let (k, r) = (kestrel.func_type(export), reference.func_type(export));
            if k != r {
                return Err(mismatch(
                    format!("type of export `{export}`"),
                    &[],
                    format!("{k:?}"),
                    format!("{r:?}"),
                ));
            }
        }
    }
    if let Some((what, k, r)) = state_difference(&kestrel, reference, &exports) {
        return Err(mismatch(format!("{what} after instantiation"), &[], k, r));
    }

    // Run the plan.
    let mut calls = 0;
    for call in plan {
        let r = reference.call(&call.name, &call.args);
        if let Some(limit) = r.hit_limit() {
            return skipped(format!("{name} call `{}`: {limit}", call.name), calls);
        }
        let k = kestrel.call(&call.name, &call.args);
        if let Some(limit) = k.hit_limit() {
            return skipped(format!("Kestrel call `{}`: {limit}", call.name), calls);
        }
        calls += 1;
        if !k.same(&r) {
            return Err(mismatch(
                format!("call `{}`", call.name),
                &call.args,
                k.to_string(),
                r.to_string(),
            ));
        }
        if let Some((what, k, r)) = state_difference(&kestrel, reference, &exports) {
            return Err(mismatch(
                format!("{what} after call `{}`", call.name),
                &call.args,
                k,
                r,
            ));
        }
    }
    Ok(Verdict::Agreed { calls })
}

/// The first difference between the engines' exported memories, globals and
/// tables, as (what, Kestrel's, the reference's).
fn state_difference(
    kestrel: &dyn Runner,
    reference: &dyn Runner,
    exports: &[(String, ExportKind)],
) -> Option<(String, String, String)> {
    for (name, kind) in exports {
        match kind {
            ExportKind::Func => {}
            ExportKind::Memory => {
                let (Some(k), Some(r)) = (kestrel.memory(name), reference.memory(name)) else {
                    return Some((format!("memory `{name}`"), "?".into(), "?".into()));
                };
                if k.len() != r.len() {
                    return Some((
                        format!("size of memory `{name}`"),
                        format!("{} bytes", k.len()),
                        format!("{} bytes", r.len()),
                    ));
                }
                if k != r {
                    let at = k.iter().zip(r).position(|(a, b)| a != b).unwrap_or(0);
                    let end = (at + 16).min(k.len());
                    return Some((
                        format!("memory `{name}` at byte {at:#x}"),
                        format!("{:02x?}", &k[at..end]),
                        format!("{:02x?}", &r[at..end]),
                    ));
                }
            }
            ExportKind::Global => {
                let (k, r) = (kestrel.global(name), reference.global(name));
                let same = matches!((&k, &r), (Some(k), Some(r)) if k.same(r));
                if !same {
                    return Some((format!("global `{name}`"), show(&k), show(&r)));
                }
            }
            ExportKind::Table => {
                let (Some(k), Some(r)) = (kestrel.table(name), reference.table(name)) else {
                    return Some((format!("table `{name}`"), "?".into(), "?".into()));
                };
                if k.len() != r.len() {
                    return Some((
                        format!("size of table `{name}`"),
                        k.len().to_string(),
                        r.len().to_string(),
                    ));
                }
                if let Some(i) = k.iter().zip(&r).position(|(a, b)| !a.same(b)) {
                    return Some((
                        format!("table `{name}` element {i}"),
                        k[i].to_string(),
                        r[i].to_string(),
                    ));
                }
            }
        }
    }
    None
}

fn show(v: &Option<Value>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => "<missing>".into(),
    }
}

/// A function type as text, the same for every engine.
pub(crate) fn signature(
    params: impl Iterator<Item = Ty>,
    results: impl Iterator<Item = Ty>,
) -> String {
    let params: Vec<String> = params.map(|t| t.to_string()).collect();
    let results: Vec<String> = results.map(|t| t.to_string()).collect();
    format!("({}) -> ({})", params.join(" "), results.join(" "))
}

/// Runs `f`, returning `None` if it panics, with the panic hook silenced
/// meanwhile: libFuzzer's hook aborts the process on any panic, which would
/// report a reference engine's bug as a Kestrel crash.
fn without_panic_hook<R>(f: impl FnOnce() -> R) -> Option<R> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.ok()
}
