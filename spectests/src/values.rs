//! Converting `.wast` arguments to engine values and checking results.
//!
//! Floats are compared bit-exactly; `nan:canonical` and `nan:arithmetic`
//! follow the spec's definitions (both accept either sign):
//! - canonical: a quiet NaN whose payload is exactly the payload MSB,
//! - arithmetic: any NaN whose payload MSB is set.

use kestrel_interp::{ExternRef, Store, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};

const F32_SIGN: u32 = 0x8000_0000;
const F32_EXP: u32 = 0x7f80_0000;
const F32_QUIET: u32 = 0x0040_0000;
const F64_SIGN: u64 = 0x8000_0000_0000_0000;
const F64_EXP: u64 = 0x7ff0_0000_0000_0000;
const F64_QUIET: u64 = 0x0008_0000_0000_0000;

/// Converts an `invoke` argument to a [`Val`].
///
/// `ref.extern N` allocates a fresh host reference holding `N as u32` in
/// `store`, so results can be compared by downcasting the host data.
pub fn arg_to_val(store: &mut Store<()>, arg: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(arg) = arg else {
        return Err(format!("unsupported non-core argument {arg:?}"));
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(heap) => match null_kind(heap) {
            Some(NullKind::Func) => Val::FuncRef(None),
            Some(NullKind::Extern) => Val::ExternRef(None),
            None => return Err(format!("unsupported argument ref.null {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut *store, *n))),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

/// Which null a `ref.null <heaptype>` denotes, if it is one the engine has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NullKind {
    Func,
    Extern,
}

fn null_kind(heap: &HeapType<'_>) -> Option<NullKind> {
    match heap {
        // `nofunc` / `noextern` are the bottom types later spec versions use
        // for the same nulls.
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Some(NullKind::Func),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Some(NullKind::Extern),
        _ => None,
    }
}

/// Whether `actual` satisfies the expected result `expected`.
///
/// Non-core (component) expectations never match.
pub fn ret_matches(store: &Store<()>, expected: &WastRet<'_>, actual: &Val) -> bool {
    match expected {
        WastRet::Core(core) => core_matches(store, core, actual),
        _ => false,
    }
}

fn core_matches(store: &Store<()>, expected: &WastRetCore<'_>, actual: &Val) -> bool {
    match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a),
        // An untyped `ref.null` accepts any null.
        (WastRetCore::RefNull(None), Val::FuncRef(None) | Val::ExternRef(None)) => true,
        (WastRetCore::RefNull(Some(heap)), Val::FuncRef(None)) => {
            null_kind(heap) == Some(NullKind::Func)
        }
        (WastRetCore::RefNull(Some(heap)), Val::ExternRef(None)) => {
            null_kind(heap) == Some(NullKind::Extern)
        }
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
            r.data(store).downcast_ref::<u32>() == Some(n)
        }
        // `(ref.func)` without an index accepts any non-null funcref. With an
        // index the public API cannot map a `Func` back to it, so such an
        // expectation fails rather than pass unchecked (none in wasm-v2).
        (WastRetCore::RefFunc(None), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alternatives), actual) => alternatives
            .iter()
            .any(|alt| core_matches(store, alt, actual)),
        _ => false,
    }
}

/// Bit-exact f32 comparison, or a NaN-pattern check.
pub fn f32_matches(expected: &NanPattern<F32>, bits: u32) -> bool {
    match expected {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & !F32_SIGN == F32_EXP | F32_QUIET,
        NanPattern::ArithmeticNan => bits & F32_EXP == F32_EXP && bits & F32_QUIET != 0,
    }
}

/// Bit-exact f64 comparison, or a NaN-pattern check.
pub fn f64_matches(expected: &NanPattern<F64>, bits: u64) -> bool {
    match expected {
        NanPattern::Value(v) => v.bits == bits,
        NanPattern::CanonicalNan => bits & !F64_SIGN == F64_EXP | F64_QUIET,
        NanPattern::ArithmeticNan => bits & F64_EXP == F64_EXP && bits & F64_QUIET != 0,
    }
}

/// Renders a value for failure messages (floats with their bit pattern, since
/// NaN payloads and signed zeros matter).
pub fn fmt_val(store: &Store<()>, val: &Val) -> String {
    #[allow(unreachable_patterns)] // in case `Val` grows (e.g. v128) or is non-exhaustive
    match val {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(bits) => format!("f32:{} (0x{bits:08x})", f32::from_bits(*bits)),
        Val::F64(bits) => format!("f64:{} (0x{bits:016x})", f64::from_bits(*bits)),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(r)) => match r.data(store).downcast_ref::<u32>() {
            Some(n) => format!("ref.extern {n}"),
            None => "ref.extern <non-u32 host data>".to_string(),
        },
        _ => "<unknown value kind>".to_string(),
    }
}

/// Renders a list of values as `[a, b, ...]`.
pub fn fmt_vals(store: &Store<()>, vals: &[Val]) -> String {
    let items: Vec<String> = vals.iter().map(|v| fmt_val(store, v)).collect();
    format!("[{}]", items.join(", "))
}

/// Renders a store-independent value (host function arguments in verbose mode).
pub fn fmt_plain(val: &Val) -> String {
    #[allow(unreachable_patterns)]
    match val {
        Val::I32(v) => format!("{v} : i32"),
        Val::I64(v) => format!("{v} : i64"),
        Val::F32(bits) => format!("{} : f32", f32::from_bits(*bits)),
        Val::F64(bits) => format!("{} : f64", f64::from_bits(*bits)),
        _ => "<ref>".to_string(),
    }
}

/// Renders an expected result for failure messages.
pub fn fmt_ret(expected: &WastRet<'_>) -> String {
    match expected {
        WastRet::Core(core) => fmt_ret_core(core),
        other => format!("{other:?}"),
    }
}

fn fmt_ret_core(expected: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, ty: &str, value: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty}:nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}:nan:arithmetic"),
            NanPattern::Value(v) => value(v),
        }
    }
    match expected {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => nan(p, "f32", |v| {
            format!("f32:{} (0x{:08x})", f32::from_bits(v.bits), v.bits)
        }),
        WastRetCore::F64(p) => nan(p, "f64", |v| {
            format!("f64:{} (0x{:016x})", f64::from_bits(v.bits), v.bits)
        }),
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(heap)) => match null_kind(heap) {
            Some(NullKind::Func) => "ref.null func".to_string(),
            Some(NullKind::Extern) => "ref.null extern".to_string(),
            None => format!("ref.null {heap:?}"),
        },
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(alts) => {
            let alts: Vec<String> = alts.iter().map(fmt_ret_core).collect();
            format!("either({})", alts.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

/// Renders a list of expected results as `[a, b, ...]`.
pub fn fmt_rets(expected: &[WastRet<'_>]) -> String {
    let items: Vec<String> = expected.iter().map(fmt_ret).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32p(bits: u32) -> NanPattern<F32> {
        NanPattern::Value(F32 { bits })
    }

    #[test]
    fn f32_patterns() {
        let canon = NanPattern::<F32>::CanonicalNan;
        let arith = NanPattern::<F32>::ArithmeticNan;
        assert!(f32_matches(&canon, 0x7fc0_0000));
        assert!(f32_matches(&canon, 0xffc0_0000));
        assert!(!f32_matches(&canon, 0x7fc0_0001)); // extra payload bit
        assert!(!f32_matches(&canon, 0x7fa0_0000)); // signalling
        assert!(!f32_matches(&canon, 0x7f80_0000)); // infinity
        assert!(f32_matches(&arith, 0x7fc0_0000));
        assert!(f32_matches(&arith, 0xffc0_1234));
        assert!(!f32_matches(&arith, 0x7fa0_0000));
        assert!(!f32_matches(&arith, 0x7f80_0000));
        assert!(!f32_matches(&arith, 0x3fc0_0000)); // finite with bit 22 set
        assert!(f32_matches(&f32p(0x8000_0000), 0x8000_0000));
        assert!(!f32_matches(&f32p(0x8000_0000), 0)); // -0 vs +0
    }

    #[test]
    fn f64_patterns() {
        let canon = NanPattern::<F64>::CanonicalNan;
        let arith = NanPattern::<F64>::ArithmeticNan;
        assert!(f64_matches(&canon, 0x7ff8_0000_0000_0000));
        assert!(f64_matches(&canon, 0xfff8_0000_0000_0000));
        assert!(!f64_matches(&canon, 0x7ff8_0000_0000_0001));
        assert!(!f64_matches(&canon, 0x7ff4_0000_0000_0000));
        assert!(f64_matches(&arith, 0x7ffc_0000_0000_0000));
        assert!(!f64_matches(&arith, 0x7ff0_0000_0000_0001));
        assert!(!f64_matches(&arith, 0x7ff0_0000_0000_0000));
        assert!(!f64_matches(&arith, 0x3ff8_0000_0000_0000));
        assert!(f64_matches(&NanPattern::Value(F64 { bits: 1 }), 1));
    }
}
