//! Property tests of every numeric instruction against a reference written
//! from the spec's text.
//!
//! The reference below shares nothing with `interp/src/exec/numeric.rs`: integer
//! ops are computed in `i128`/`u128`, and every float op is computed exactly on
//! the decoded `mantissa * 2^exponent` form with integer arithmetic and then
//! rounded to nearest-even by [`round`] (no host float instruction is used).
//! NaN results are checked against the spec's rules (`nans_N`): a NaN result
//! must be the canonical NaN (either sign) when every NaN input is canonical
//! or there is none, and an arithmetic (quiet) NaN otherwise. `abs`, `neg`,
//! `copysign` and the reinterpretations must be exact bit operations.
//!
//! Every instruction runs on [`CASES_REG`] generated inputs passed as
//! parameters, through one module holding every op, compiled once
//! ([`base`]). Every binary op and comparison also runs on [`CASES_FORMS`]
//! operand pairs through a module built per case ([`variants`], encoded
//! directly because `wat` is slow in debug builds) that applies it
//! - with constant operands on the right, on the left and on both sides;
//! - with its result stored into a fresh local, over its own operand in
//!   place, and through `local.tee`; and to the same local twice.
//!
//! These hit the translator's `…Imm` forms, its swapped forms for a constant
//! left operand, constant materialisation and `local.set` retargeting.
//! Comparisons also run as the condition of `if` (also with a local read
//! pending below the condition), `if`/`else`, `br_if`, `br_if` carrying a
//! value, `i32.eqz` + `br_if` and a backward `br_if` in a loop, with register,
//! right- and left-constant operands: the fused compare-and-branch ops.
//!
//! [`forms_are_exercised`] checks by translating sample modules that these
//! shapes do become the intended fused and immediate ops.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::OnceLock;

use kestrel_interp::{Engine, Func, Instance, Linker, Module, Store, TrapCode, Val};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config as ProptestConfig, TestError, TestRunner};

/// Cases per op on the cached module holding every op.
const CASES_REG: u32 = 1024;
/// Cases per op through a freshly compiled module with constant operands and
/// branch forms.
const CASES_FORMS: u32 = 256;

// ---------------------------------------------------------------------------
// The op table
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    fn wat(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unary,
    Binary,
    Compare,
}

struct OpDef {
    name: &'static str,
    kind: Kind,
    params: &'static [Ty],
    result: Ty,
}

/// Lists every op once: the table [`OPS`] and one `#[test]` per op.
macro_rules! ops {
    ($( $test:ident = $name:literal $kind:ident ($($p:ident),*) -> $r:ident; )*) => {
        const OPS: &[OpDef] = &[
            $( OpDef { name: $name, kind: Kind::$kind, params: &[$(Ty::$p),*], result: Ty::$r }, )*
        ];
        $(
            #[test]
            fn $test() {
                run_op($name);
            }
        )*
    };
}

ops! {
    i32_eqz = "i32.eqz" Unary(I32) -> I32;
    i32_clz = "i32.clz" Unary(I32) -> I32;
    i32_ctz = "i32.ctz" Unary(I32) -> I32;
    i32_popcnt = "i32.popcnt" Unary(I32) -> I32;
    i32_extend8_s = "i32.extend8_s" Unary(I32) -> I32;
    i32_extend16_s = "i32.extend16_s" Unary(I32) -> I32;
    i64_eqz = "i64.eqz" Unary(I64) -> I32;
    i64_clz = "i64.clz" Unary(I64) -> I64;
    i64_ctz = "i64.ctz" Unary(I64) -> I64;
    i64_popcnt = "i64.popcnt" Unary(I64) -> I64;
    i64_extend8_s = "i64.extend8_s" Unary(I64) -> I64;
    i64_extend16_s = "i64.extend16_s" Unary(I64) -> I64;
    i64_extend32_s = "i64.extend32_s" Unary(I64) -> I64;

    i32_add = "i32.add" Binary(I32, I32) -> I32;
    i32_sub = "i32.sub" Binary(I32, I32) -> I32;
    i32_mul = "i32.mul" Binary(I32, I32) -> I32;
    i32_div_s = "i32.div_s" Binary(I32, I32) -> I32;
    i32_div_u = "i32.div_u" Binary(I32, I32) -> I32;
    i32_rem_s = "i32.rem_s" Binary(I32, I32) -> I32;
    i32_rem_u = "i32.rem_u" Binary(I32, I32) -> I32;
    i32_and = "i32.and" Binary(I32, I32) -> I32;
    i32_or = "i32.or" Binary(I32, I32) -> I32;
    i32_xor = "i32.xor" Binary(I32, I32) -> I32;
    i32_shl = "i32.shl" Binary(I32, I32) -> I32;
    i32_shr_s = "i32.shr_s" Binary(I32, I32) -> I32;
    i32_shr_u = "i32.shr_u" Binary(I32, I32) -> I32;
    i32_rotl = "i32.rotl" Binary(I32, I32) -> I32;
    i32_rotr = "i32.rotr" Binary(I32, I32) -> I32;
    i64_add = "i64.add" Binary(I64, I64) -> I64;
    i64_sub = "i64.sub" Binary(I64, I64) -> I64;
    i64_mul = "i64.mul" Binary(I64, I64) -> I64;
    i64_div_s = "i64.div_s" Binary(I64, I64) -> I64;
    i64_div_u = "i64.div_u" Binary(I64, I64) -> I64;
    i64_rem_s = "i64.rem_s" Binary(I64, I64) -> I64;
    i64_rem_u = "i64.rem_u" Binary(I64, I64) -> I64;
    i64_and = "i64.and" Binary(I64, I64) -> I64;
    i64_or = "i64.or" Binary(I64, I64) -> I64;
    i64_xor = "i64.xor" Binary(I64, I64) -> I64;
    i64_shl = "i64.shl" Binary(I64, I64) -> I64;
    i64_shr_s = "i64.shr_s" Binary(I64, I64) -> I64;
    i64_shr_u = "i64.shr_u" Binary(I64, I64) -> I64;
    i64_rotl = "i64.rotl" Binary(I64, I64) -> I64;
    i64_rotr = "i64.rotr" Binary(I64, I64) -> I64;

    i32_eq = "i32.eq" Compare(I32, I32) -> I32;
    i32_ne = "i32.ne" Compare(I32, I32) -> I32;
    i32_lt_s = "i32.lt_s" Compare(I32, I32) -> I32;
    i32_lt_u = "i32.lt_u" Compare(I32, I32) -> I32;
    i32_gt_s = "i32.gt_s" Compare(I32, I32) -> I32;
    i32_gt_u = "i32.gt_u" Compare(I32, I32) -> I32;
    i32_le_s = "i32.le_s" Compare(I32, I32) -> I32;
    i32_le_u = "i32.le_u" Compare(I32, I32) -> I32;
    i32_ge_s = "i32.ge_s" Compare(I32, I32) -> I32;
    i32_ge_u = "i32.ge_u" Compare(I32, I32) -> I32;
    i64_eq = "i64.eq" Compare(I64, I64) -> I32;
    i64_ne = "i64.ne" Compare(I64, I64) -> I32;
    i64_lt_s = "i64.lt_s" Compare(I64, I64) -> I32;
    i64_lt_u = "i64.lt_u" Compare(I64, I64) -> I32;
    i64_gt_s = "i64.gt_s" Compare(I64, I64) -> I32;
    i64_gt_u = "i64.gt_u" Compare(I64, I64) -> I32;
    i64_le_s = "i64.le_s" Compare(I64, I64) -> I32;
    i64_le_u = "i64.le_u" Compare(I64, I64) -> I32;
    i64_ge_s = "i64.ge_s" Compare(I64, I64) -> I32;
    i64_ge_u = "i64.ge_u" Compare(I64, I64) -> I32;

    f32_abs = "f32.abs" Unary(F32) -> F32;
    f32_neg = "f32.neg" Unary(F32) -> F32;
    f32_ceil = "f32.ceil" Unary(F32) -> F32;
    f32_floor = "f32.floor" Unary(F32) -> F32;
    f32_trunc = "f32.trunc" Unary(F32) -> F32;
    f32_nearest = "f32.nearest" Unary(F32) -> F32;
    f32_sqrt = "f32.sqrt" Unary(F32) -> F32;
    f64_abs = "f64.abs" Unary(F64) -> F64;
    f64_neg = "f64.neg" Unary(F64) -> F64;
    f64_ceil = "f64.ceil" Unary(F64) -> F64;
    f64_floor = "f64.floor" Unary(F64) -> F64;
    f64_trunc = "f64.trunc" Unary(F64) -> F64;
    f64_nearest = "f64.nearest" Unary(F64) -> F64;
    f64_sqrt = "f64.sqrt" Unary(F64) -> F64;

    f32_add = "f32.add" Binary(F32, F32) -> F32;
    f32_sub = "f32.sub" Binary(F32, F32) -> F32;
    f32_mul = "f32.mul" Binary(F32, F32) -> F32;
    f32_div = "f32.div" Binary(F32, F32) -> F32;
    f32_min = "f32.min" Binary(F32, F32) -> F32;
    f32_max = "f32.max" Binary(F32, F32) -> F32;
    f32_copysign = "f32.copysign" Binary(F32, F32) -> F32;
    f64_add = "f64.add" Binary(F64, F64) -> F64;
    f64_sub = "f64.sub" Binary(F64, F64) -> F64;
    f64_mul = "f64.mul" Binary(F64, F64) -> F64;
    f64_div = "f64.div" Binary(F64, F64) -> F64;
    f64_min = "f64.min" Binary(F64, F64) -> F64;
    f64_max = "f64.max" Binary(F64, F64) -> F64;
    f64_copysign = "f64.copysign" Binary(F64, F64) -> F64;

    f32_eq = "f32.eq" Compare(F32, F32) -> I32;
    f32_ne = "f32.ne" Compare(F32, F32) -> I32;
    f32_lt = "f32.lt" Compare(F32, F32) -> I32;
    f32_gt = "f32.gt" Compare(F32, F32) -> I32;
    f32_le = "f32.le" Compare(F32, F32) -> I32;
    f32_ge = "f32.ge" Compare(F32, F32) -> I32;
    f64_eq = "f64.eq" Compare(F64, F64) -> I32;
    f64_ne = "f64.ne" Compare(F64, F64) -> I32;
    f64_lt = "f64.lt" Compare(F64, F64) -> I32;
    f64_gt = "f64.gt" Compare(F64, F64) -> I32;
    f64_le = "f64.le" Compare(F64, F64) -> I32;
    f64_ge = "f64.ge" Compare(F64, F64) -> I32;

    i32_wrap_i64 = "i32.wrap_i64" Unary(I64) -> I32;
    i64_extend_i32_s = "i64.extend_i32_s" Unary(I32) -> I64;
    i64_extend_i32_u = "i64.extend_i32_u" Unary(I32) -> I64;
    i32_trunc_f32_s = "i32.trunc_f32_s" Unary(F32) -> I32;
    i32_trunc_f32_u = "i32.trunc_f32_u" Unary(F32) -> I32;
    i32_trunc_f64_s = "i32.trunc_f64_s" Unary(F64) -> I32;
    i32_trunc_f64_u = "i32.trunc_f64_u" Unary(F64) -> I32;
    i64_trunc_f32_s = "i64.trunc_f32_s" Unary(F32) -> I64;
    i64_trunc_f32_u = "i64.trunc_f32_u" Unary(F32) -> I64;
    i64_trunc_f64_s = "i64.trunc_f64_s" Unary(F64) -> I64;
    i64_trunc_f64_u = "i64.trunc_f64_u" Unary(F64) -> I64;
    i32_trunc_sat_f32_s = "i32.trunc_sat_f32_s" Unary(F32) -> I32;
    i32_trunc_sat_f32_u = "i32.trunc_sat_f32_u" Unary(F32) -> I32;
    i32_trunc_sat_f64_s = "i32.trunc_sat_f64_s" Unary(F64) -> I32;
    i32_trunc_sat_f64_u = "i32.trunc_sat_f64_u" Unary(F64) -> I32;
    i64_trunc_sat_f32_s = "i64.trunc_sat_f32_s" Unary(F32) -> I64;
    i64_trunc_sat_f32_u = "i64.trunc_sat_f32_u" Unary(F32) -> I64;
    i64_trunc_sat_f64_s = "i64.trunc_sat_f64_s" Unary(F64) -> I64;
    i64_trunc_sat_f64_u = "i64.trunc_sat_f64_u" Unary(F64) -> I64;
    f32_convert_i32_s = "f32.convert_i32_s" Unary(I32) -> F32;
    f32_convert_i32_u = "f32.convert_i32_u" Unary(I32) -> F32;
    f32_convert_i64_s = "f32.convert_i64_s" Unary(I64) -> F32;
    f32_convert_i64_u = "f32.convert_i64_u" Unary(I64) -> F32;
    f64_convert_i32_s = "f64.convert_i32_s" Unary(I32) -> F64;
    f64_convert_i32_u = "f64.convert_i32_u" Unary(I32) -> F64;
    f64_convert_i64_s = "f64.convert_i64_s" Unary(I64) -> F64;
    f64_convert_i64_u = "f64.convert_i64_u" Unary(I64) -> F64;
    f32_demote_f64 = "f32.demote_f64" Unary(F64) -> F32;
    f64_promote_f32 = "f64.promote_f32" Unary(F32) -> F64;
    i32_reinterpret_f32 = "i32.reinterpret_f32" Unary(F32) -> I32;
    i64_reinterpret_f64 = "i64.reinterpret_f64" Unary(F64) -> I64;
    f32_reinterpret_i32 = "f32.reinterpret_i32" Unary(I32) -> F32;
    f64_reinterpret_i64 = "f64.reinterpret_i64" Unary(I64) -> F64;
}

fn op_def(name: &str) -> &'static OpDef {
    OPS.iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} is not in OPS"))
}

// ---------------------------------------------------------------------------
// Reference semantics
// ---------------------------------------------------------------------------

/// What the spec allows as the result of an op on given inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Exactly these bits (low 32 bits for `i32`/`f32`).
    Bits(u64),
    /// A NaN; the canonical NaN (either sign) if `canonical`, else any
    /// arithmetic NaN.
    Nan {
        canonical: bool,
    },
    Trap(TrapCode),
}

use Expect::{Bits, Nan, Trap};

fn truth(b: bool) -> Expect {
    Bits(b as u64)
}

// ----- integers ------------------------------------------------------------

fn mask(n: u32) -> u128 {
    (1u128 << n) - 1
}

/// The `n`-bit value `x` read as unsigned.
fn unsigned(n: u32, x: u64) -> i128 {
    (x as u128 & mask(n)) as i128
}

/// The `n`-bit value `x` read as two's complement.
fn signed(n: u32, x: u64) -> i128 {
    let u = unsigned(n, x);
    if u >> (n - 1) & 1 == 1 {
        u - (1i128 << n)
    } else {
        u
    }
}

/// `v` modulo `2^n`.
fn wrap(n: u32, v: i128) -> u64 {
    v.rem_euclid(1i128 << n) as u64
}

fn int_unary(n: u32, op: &str, x: u64) -> Expect {
    let u = unsigned(n, x);
    let bit = |i: u32| (u >> i) & 1 == 1;
    Bits(match op {
        "eqz" => (u == 0) as u64,
        "clz" => (0..n).rev().take_while(|&i| !bit(i)).count() as u64,
        "ctz" => (0..n).take_while(|&i| !bit(i)).count() as u64,
        "popcnt" => (0..n).filter(|&i| bit(i)).count() as u64,
        "extend8_s" => wrap(n, signed(8, x)),
        "extend16_s" => wrap(n, signed(16, x)),
        "extend32_s" => wrap(n, signed(32, x)),
        _ => unreachable!("int unary {op}"),
    })
}

fn int_binary(n: u32, op: &str, x: u64, y: u64) -> Expect {
    let (a, b) = (unsigned(n, x), unsigned(n, y));
    let (sa, sb) = (signed(n, x), signed(n, y));
    let k = (b % n as i128) as u32;
    let max_s = (1i128 << (n - 1)) - 1;
    Bits(match op {
        "add" => wrap(n, a + b),
        "sub" => wrap(n, a - b),
        "mul" => (a as u128).wrapping_mul(b as u128) as u64 & mask(n) as u64,
        "div_s" | "div_u" | "rem_s" | "rem_u" if b == 0 => {
            return Trap(TrapCode::IntegerDivisionByZero);
        }
        // `/` on i128 truncates toward zero, as the spec's idiv/irem do.
        "div_s" if sa / sb > max_s => return Trap(TrapCode::IntegerOverflow),
        "div_s" => wrap(n, sa / sb),
        "div_u" => wrap(n, a / b),
        "rem_s" => wrap(n, sa - (sa / sb) * sb),
        "rem_u" => wrap(n, a - (a / b) * b),
        "and" => (a & b) as u64,
        "or" => (a | b) as u64,
        "xor" => (a ^ b) as u64,
        "shl" => wrap(n, a << k),
        "shr_u" => wrap(n, a >> k),
        // Arithmetic shift: floor division by 2^k.
        "shr_s" => wrap(n, sa.div_euclid(1i128 << k)),
        "rotl" => wrap(n, (a << k) | (a >> (n - k))),
        "rotr" => wrap(n, (a >> k) | (a << (n - k))),
        "eq" => (a == b) as u64,
        "ne" => (a != b) as u64,
        "lt_s" => (sa < sb) as u64,
        "lt_u" => (a < b) as u64,
        "gt_s" => (sa > sb) as u64,
        "gt_u" => (a > b) as u64,
        "le_s" => (sa <= sb) as u64,
        "le_u" => (a <= b) as u64,
        "ge_s" => (sa >= sb) as u64,
        "ge_u" => (a >= b) as u64,
        _ => unreachable!("int binary {op}"),
    })
}

// ----- floats: representation ------------------------------------------------

/// A binary floating-point format.
#[derive(Clone, Copy, Debug)]
struct Fmt {
    /// Precision, the implicit bit included.
    p: u32,
    /// Exponent field width.
    ebits: u32,
}

const F32: Fmt = Fmt { p: 24, ebits: 8 };
const F64: Fmt = Fmt { p: 53, ebits: 11 };

impl Fmt {
    fn bias(self) -> i32 {
        (1 << (self.ebits - 1)) - 1
    }
    /// The exponent of the least significant bit of subnormals.
    fn min_exp2(self) -> i32 {
        1 - self.bias() - (self.p as i32 - 1)
    }
    fn sign(self) -> u64 {
        1 << (self.p - 1 + self.ebits)
    }
    fn exp_max(self) -> u64 {
        (1 << self.ebits) - 1
    }
    fn man_mask(self) -> u64 {
        (1 << (self.p - 1)) - 1
    }
    fn quiet(self) -> u64 {
        1 << (self.p - 2)
    }
    fn canonical_nan(self) -> u64 {
        self.exp_max() << (self.p - 1) | self.quiet()
    }
    fn inf(self, neg: bool) -> u64 {
        self.exp_max() << (self.p - 1) | if neg { self.sign() } else { 0 }
    }
    fn zero(self, neg: bool) -> u64 {
        if neg { self.sign() } else { 0 }
    }
    fn is_nan(self, bits: u64) -> bool {
        bits & !self.sign() > self.exp_max() << (self.p - 1)
    }
    fn is_canonical_nan(self, bits: u64) -> bool {
        bits & !self.sign() == self.canonical_nan()
    }
    fn is_arithmetic_nan(self, bits: u64) -> bool {
        self.is_nan(bits) && bits & self.quiet() != 0
    }
}

fn fmt_of(ty: Ty) -> Fmt {
    match ty {
        Ty::F32 => F32,
        Ty::F64 => F64,
        _ => unreachable!(),
    }
}

#[derive(Clone, Copy, Debug)]
enum Class {
    Nan,
    Inf {
        neg: bool,
    },
    /// The value `±mag * 2^exp2` (zero when `mag == 0`).
    Finite {
        neg: bool,
        mag: u128,
        exp2: i32,
    },
}

fn decode(f: Fmt, bits: u64) -> Class {
    let neg = bits & f.sign() != 0;
    let e = (bits >> (f.p - 1)) & f.exp_max();
    let m = bits & f.man_mask();
    if e == f.exp_max() {
        if m == 0 {
            Class::Inf { neg }
        } else {
            Class::Nan
        }
    } else if e == 0 {
        Class::Finite {
            neg,
            mag: m as u128,
            exp2: f.min_exp2(),
        }
    } else {
        Class::Finite {
            neg,
            mag: (m | 1 << (f.p - 1)) as u128,
            exp2: f.min_exp2() + e as i32 - 1,
        }
    }
}

fn bit_len(x: u128) -> i32 {
    128 - x.leading_zeros() as i32
}

/// Rounds `±mag * 2^exp2` to the nearest value of format `f`, ties to even,
/// overflowing to infinity: IEEE 754 roundTiesToEven, written out.
fn round(f: Fmt, neg: bool, mag: u128, exp2: i32) -> u64 {
    if mag == 0 {
        return f.zero(neg);
    }
    let p = f.p as i32;
    // The exponent of the result's least significant bit.
    let lead = bit_len(mag) - 1 + exp2;
    let mut q = (lead - (p - 1)).max(f.min_exp2());
    let shift = q - exp2;
    let mut int = if shift <= 0 {
        mag << -shift
    } else if shift > 128 {
        0 // below half of the smallest subnormal
    } else {
        let int = if shift == 128 { 0 } else { mag >> shift };
        let rem = if shift == 128 {
            mag
        } else {
            mag & ((1u128 << shift) - 1)
        };
        let half = 1u128 << (shift - 1);
        if rem > half || (rem == half && int & 1 == 1) {
            int + 1
        } else {
            int
        }
    };
    if int == 1 << p {
        int >>= 1;
        q += 1;
    }
    if int == 0 {
        return f.zero(neg);
    }
    let sign = f.zero(neg);
    if int < 1 << (p - 1) {
        // Subnormal: q is min_exp2.
        return sign | int as u64;
    }
    let field = (q - f.min_exp2() + 1) as u64;
    if field >= f.exp_max() {
        return f.inf(neg);
    }
    sign | field << (p - 1) | (int as u64 & f.man_mask())
}

/// The spec's `nans_N{z*}` for the NaN inputs among `inputs`, if any.
fn nan_inputs(f: Fmt, inputs: &[u64]) -> Option<Expect> {
    let nans: Vec<u64> = inputs.iter().copied().filter(|&b| f.is_nan(b)).collect();
    (!nans.is_empty()).then(|| Nan {
        canonical: nans.iter().all(|&b| f.is_canonical_nan(b)),
    })
}

/// A NaN made from non-NaN inputs (`inf - inf`, `0 / 0`, `sqrt(-1)`).
const NEW_NAN: Expect = Nan { canonical: true };

// ----- floats: arithmetic ----------------------------------------------------

fn f_add(f: Fmt, a: u64, b: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a, b]) {
        return nan;
    }
    match (decode(f, a), decode(f, b)) {
        (Class::Inf { neg: x }, Class::Inf { neg: y }) if x != y => NEW_NAN,
        (Class::Inf { .. }, _) => Bits(a),
        (_, Class::Inf { .. }) => Bits(b),
        (
            Class::Finite {
                neg: na,
                mag: ma,
                exp2: ea,
            },
            Class::Finite {
                neg: nb,
                mag: mb,
                exp2: eb,
            },
        ) => {
            if ma == 0 && mb == 0 {
                // +0 unless both are -0.
                return Bits(f.zero(na && nb));
            }
            if ma == 0 {
                return Bits(b);
            }
            if mb == 0 {
                return Bits(a);
            }
            // Operands whose exponents are this far apart: the smaller is
            // below a quarter ulp of the larger, which is the result.
            if ea - eb > 73 {
                return Bits(a);
            }
            if eb - ea > 73 {
                return Bits(b);
            }
            let e = ea.min(eb);
            let va = (ma << (ea - e)) as i128 * if na { -1 } else { 1 };
            let vb = (mb << (eb - e)) as i128 * if nb { -1 } else { 1 };
            let sum = va + vb;
            // An exact zero sum is +0 in round-to-nearest.
            Bits(round(f, sum < 0, sum.unsigned_abs(), e))
        }
        _ => unreachable!(),
    }
}

fn f_sub(f: Fmt, a: u64, b: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a, b]) {
        return nan;
    }
    f_add(f, a, b ^ f.sign())
}

fn f_mul(f: Fmt, a: u64, b: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a, b]) {
        return nan;
    }
    let neg = (a ^ b) & f.sign() != 0;
    match (decode(f, a), decode(f, b)) {
        (Class::Inf { .. }, Class::Finite { mag: 0, .. })
        | (Class::Finite { mag: 0, .. }, Class::Inf { .. }) => NEW_NAN,
        (Class::Inf { .. }, _) | (_, Class::Inf { .. }) => Bits(f.inf(neg)),
        (
            Class::Finite {
                mag: ma, exp2: ea, ..
            },
            Class::Finite {
                mag: mb, exp2: eb, ..
            },
        ) => Bits(round(f, neg, ma * mb, ea + eb)),
        _ => unreachable!(),
    }
}

/// Shifts `mag` left until it has `bits` bits, adjusting the exponent.
fn normalize(mag: u128, exp2: i32, bits: i32) -> (u128, i32) {
    let s = bits - bit_len(mag);
    (mag << s, exp2 - s)
}

fn f_div(f: Fmt, a: u64, b: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a, b]) {
        return nan;
    }
    let neg = (a ^ b) & f.sign() != 0;
    match (decode(f, a), decode(f, b)) {
        (Class::Inf { .. }, Class::Inf { .. }) => NEW_NAN,
        (Class::Inf { .. }, _) => Bits(f.inf(neg)),
        (_, Class::Inf { .. }) => Bits(f.zero(neg)),
        (Class::Finite { mag: 0, .. }, Class::Finite { mag: 0, .. }) => NEW_NAN,
        (_, Class::Finite { mag: 0, .. }) => Bits(f.inf(neg)),
        (Class::Finite { mag: 0, .. }, _) => Bits(f.zero(neg)),
        (
            Class::Finite {
                mag: ma, exp2: ea, ..
            },
            Class::Finite {
                mag: mb, exp2: eb, ..
            },
        ) => {
            // 53-bit operands and 74 extra bits give a quotient of at least
            // 73 bits; one more bit below it records an inexact remainder,
            // which is all that rounding needs to know about it.
            let (ma, ea) = normalize(ma, ea, 53);
            let (mb, eb) = normalize(mb, eb, 53);
            let num = ma << 74;
            let (quot, rem) = (num / mb, num % mb);
            let sticky = (rem != 0) as u128;
            Bits(round(f, neg, quot << 1 | sticky, ea - eb - 74 - 1))
        }
        _ => unreachable!(),
    }
}

/// `floor(sqrt(n))`, digit by digit.
fn isqrt(mut n: u128) -> u128 {
    let mut root = 0u128;
    let mut bit = 1u128 << 126;
    while bit > n {
        bit >>= 2;
    }
    while bit != 0 {
        if n >= root + bit {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    root
}

fn f_sqrt(f: Fmt, a: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a]) {
        return nan;
    }
    match decode(f, a) {
        Class::Inf { neg: false } => Bits(a),
        Class::Inf { neg: true } => NEW_NAN,
        Class::Finite { mag: 0, .. } => Bits(a), // ±0
        Class::Finite { neg: true, .. } => NEW_NAN,
        Class::Finite {
            neg: false,
            mag,
            exp2,
        } => {
            // Scale to about 120 bits with an even exponent: the root has
            // about 60 bits, plus a sticky bit for the remainder.
            let (mut m, mut e) = normalize(mag, exp2, 120);
            if e % 2 != 0 {
                m >>= 1; // exact: normalize shifted in zeros
                e += 1;
            }
            let r = isqrt(m);
            let sticky = (m != r * r) as u128;
            Bits(round(f, false, r << 1 | sticky, e / 2 - 1))
        }
        Class::Nan => unreachable!(),
    }
}

fn key(f: Fmt, bits: u64) -> i128 {
    let mag = (bits & !f.sign()) as i128;
    if bits & f.sign() != 0 { -mag } else { mag }
}

fn f_compare(f: Fmt, op: &str, a: u64, b: u64) -> Expect {
    if f.is_nan(a) || f.is_nan(b) {
        return truth(op == "ne");
    }
    let (ka, kb) = (key(f, a), key(f, b));
    truth(match op {
        "eq" => ka == kb,
        "ne" => ka != kb,
        "lt" => ka < kb,
        "gt" => ka > kb,
        "le" => ka <= kb,
        "ge" => ka >= kb,
        _ => unreachable!("float compare {op}"),
    })
}

fn f_min_max(f: Fmt, min: bool, a: u64, b: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a, b]) {
        return nan;
    }
    let (ka, kb) = (key(f, a), key(f, b));
    Bits(if ka == kb {
        // Equal values differ at most in the sign of a zero: min(-0, +0) is
        // -0 and max(-0, +0) is +0.
        let a_neg = a & f.sign() != 0;
        if a_neg == min { a } else { b }
    } else if (ka < kb) == min {
        a
    } else {
        b
    })
}

fn f_round(f: Fmt, mode: &str, a: u64) -> Expect {
    if let Some(nan) = nan_inputs(f, &[a]) {
        return nan;
    }
    match decode(f, a) {
        Class::Inf { .. } => Bits(a),
        Class::Finite { exp2, .. } if exp2 >= 0 => Bits(a), // integral
        Class::Finite { neg, mag, exp2 } => {
            let s = -exp2;
            let (int, frac, half) = if s >= 128 {
                (0, mag, u128::MAX) // |a| < 0.5; never a tie
            } else {
                (mag >> s, mag & ((1u128 << s) - 1), 1u128 << (s - 1))
            };
            let up = match (mode, neg) {
                ("trunc", _) | ("floor", false) | ("ceil", true) => false,
                ("floor", true) | ("ceil", false) => frac != 0,
                ("nearest", _) => frac > half || (frac == half && int & 1 == 1),
                _ => unreachable!("rounding mode {mode}"),
            };
            // A zero result keeps the operand's sign: ceil(-0.5) = -0.
            Bits(round(f, neg, int + up as u128, 0))
        }
        Class::Nan => unreachable!(),
    }
}

/// Truncation toward zero of a float: the integer, or why there is none.
enum Truncated {
    Int(i128),
    Nan,
    /// Beyond any 64-bit range, with the sign.
    Huge(bool),
}

fn truncate(f: Fmt, a: u64) -> Truncated {
    match decode(f, a) {
        Class::Nan => Truncated::Nan,
        Class::Inf { neg } => Truncated::Huge(neg),
        Class::Finite { neg, mag, exp2 } => {
            let v = if exp2 >= 0 {
                if exp2 > 64 {
                    return Truncated::Huge(neg);
                }
                mag << exp2
            } else if -exp2 >= 128 {
                0
            } else {
                mag >> -exp2
            };
            Truncated::Int(if neg { -(v as i128) } else { v as i128 })
        }
    }
}

fn int_range(n: u32, signed: bool) -> (i128, i128) {
    if signed {
        (-(1i128 << (n - 1)), (1i128 << (n - 1)) - 1)
    } else {
        (0, (1i128 << n) - 1)
    }
}

fn trunc_trapping(f: Fmt, n: u32, signed: bool, a: u64) -> Expect {
    let (lo, hi) = int_range(n, signed);
    match truncate(f, a) {
        Truncated::Nan => Trap(TrapCode::BadConversionToInteger),
        Truncated::Huge(_) => Trap(TrapCode::IntegerOverflow),
        Truncated::Int(v) if v < lo || v > hi => Trap(TrapCode::IntegerOverflow),
        Truncated::Int(v) => Bits(wrap(n, v)),
    }
}

fn trunc_sat(f: Fmt, n: u32, signed: bool, a: u64) -> Expect {
    let (lo, hi) = int_range(n, signed);
    Bits(wrap(
        n,
        match truncate(f, a) {
            Truncated::Nan => 0,
            Truncated::Huge(neg) => {
                if neg {
                    lo
                } else {
                    hi
                }
            }
            Truncated::Int(v) => v.clamp(lo, hi),
        },
    ))
}

fn convert(f: Fmt, v: i128) -> Expect {
    Bits(round(f, v < 0, v.unsigned_abs(), 0))
}

/// `demote`/`promote`: the same value in another format, rounded.
fn refloat(from: Fmt, to: Fmt, a: u64) -> Expect {
    match decode(from, a) {
        Class::Nan => Nan {
            canonical: from.is_canonical_nan(a),
        },
        Class::Inf { neg } => Bits(to.inf(neg)),
        Class::Finite { neg, mag, exp2 } => Bits(round(to, neg, mag, exp2)),
    }
}

fn width(ty: &str) -> u32 {
    match ty {
        "i32" | "f32" => 32,
        "i64" | "f64" => 64,
        _ => unreachable!("type {ty}"),
    }
}

fn fmt_named(ty: &str) -> Fmt {
    match ty {
        "f32" => F32,
        "f64" => F64,
        _ => unreachable!("float type {ty}"),
    }
}

/// The reference result of op `name` on the argument bits `a`.
fn reference(name: &str, a: &[u64]) -> Expect {
    let (ty, op) = name.split_once('.').unwrap();
    let n = width(ty);
    let parts: Vec<&str> = op.split('_').collect();
    match (ty, parts.as_slice()) {
        (_, ["reinterpret", _]) => Bits(a[0]),
        ("i32", ["wrap", "i64"]) => Bits(a[0] & 0xffff_ffff),
        ("i64", ["extend", "i32", "s"]) => Bits(wrap(64, signed(32, a[0]))),
        ("i64", ["extend", "i32", "u"]) => Bits(a[0] & 0xffff_ffff),
        (_, ["trunc", from, su]) if ty.starts_with('i') => {
            trunc_trapping(fmt_named(from), n, *su == "s", a[0])
        }
        (_, ["trunc", "sat", from, su]) => trunc_sat(fmt_named(from), n, *su == "s", a[0]),
        (_, ["convert", from, su]) => {
            let bits = width(from);
            let v = if *su == "s" {
                signed(bits, a[0])
            } else {
                unsigned(bits, a[0])
            };
            convert(fmt_named(ty), v)
        }
        ("f32", ["demote", "f64"]) => refloat(F64, F32, a[0]),
        ("f64", ["promote", "f32"]) => refloat(F32, F64, a[0]),
        ("i32" | "i64", _) if a.len() == 1 => int_unary(n, op, a[0]),
        ("i32" | "i64", _) => int_binary(n, op, a[0], a[1]),
        ("f32" | "f64", _) => {
            let f = fmt_named(ty);
            match op {
                "abs" => Bits(a[0] & !f.sign()),
                "neg" => Bits(a[0] ^ f.sign()),
                "copysign" => Bits(a[0] & !f.sign() | a[1] & f.sign()),
                "sqrt" => f_sqrt(f, a[0]),
                "ceil" | "floor" | "trunc" | "nearest" => f_round(f, op, a[0]),
                "add" => f_add(f, a[0], a[1]),
                "sub" => f_sub(f, a[0], a[1]),
                "mul" => f_mul(f, a[0], a[1]),
                "div" => f_div(f, a[0], a[1]),
                "min" => f_min_max(f, true, a[0], a[1]),
                "max" => f_min_max(f, false, a[0], a[1]),
                _ => f_compare(f, op, a[0], a[1]),
            }
        }
        _ => unreachable!("op {name}"),
    }
}

/// Whether `got` is an outcome the spec allows.
fn allowed(result: Ty, expect: Expect, got: Result<u64, TrapCode>) -> bool {
    match (expect, got) {
        (Bits(want), Ok(bits)) => bits == want,
        (Nan { canonical }, Ok(bits)) => {
            let f = fmt_of(result);
            if canonical {
                f.is_canonical_nan(bits)
            } else {
                f.is_arithmetic_nan(bits)
            }
        }
        (Trap(want), Err(code)) => want == code,
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Running ops in the interpreter
// ---------------------------------------------------------------------------

fn to_val(ty: Ty, bits: u64) -> Val {
    match ty {
        Ty::I32 => Val::I32(bits as u32 as i32),
        Ty::I64 => Val::I64(bits as i64),
        Ty::F32 => Val::F32(bits as u32),
        Ty::F64 => Val::F64(bits),
    }
}

fn from_val(val: &Val) -> u64 {
    match *val {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(x) => x as u64,
        Val::F64(x) => x,
        ref other => panic!("unexpected result {other:?}"),
    }
}

fn call(
    store: &mut Store<()>,
    func: Func,
    params: &[(Ty, u64)],
    result: Ty,
) -> Result<u64, TrapCode> {
    let args: Vec<Val> = params.iter().map(|&(t, b)| to_val(t, b)).collect();
    let mut out = [to_val(result, 0)];
    match func.call(&mut *store, &args, &mut out) {
        Ok(()) => Ok(from_val(&out[0])),
        Err(e) => Err(e
            .as_trap()
            .unwrap_or_else(|| panic!("call failed without a trap: {e}"))
            .code()),
    }
}

fn show(ty: Ty, bits: u64) -> String {
    match ty {
        Ty::I32 => format!("i32 {:#010x} ({})", bits as u32, bits as u32 as i32),
        Ty::I64 => format!("i64 {bits:#018x} ({})", bits as i64),
        Ty::F32 => format!(
            "f32 {:#010x} ({:e})",
            bits as u32,
            f32::from_bits(bits as u32)
        ),
        Ty::F64 => format!("f64 {bits:#018x} ({:e})", f64::from_bits(bits)),
    }
}

fn show_got(ty: Ty, got: Result<u64, TrapCode>) -> String {
    match got {
        Ok(bits) => show(ty, bits),
        Err(code) => format!("trap {code:?}"),
    }
}

fn show_expect(ty: Ty, e: Expect) -> String {
    match e {
        Bits(bits) => show(ty, bits),
        Nan { canonical: true } => "canonical NaN".into(),
        Nan { canonical: false } => "arithmetic NaN".into(),
        Trap(code) => format!("trap {code:?}"),
    }
}

/// The engine and the module exporting every op under its name, applied to
/// its parameters; compiled once for all tests.
fn base() -> &'static (Engine, Module) {
    static BASE: OnceLock<(Engine, Module)> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut wat = String::from("(module\n");
        for def in OPS {
            let params: Vec<&str> = def.params.iter().map(|t| t.wat()).collect();
            let gets: String = (0..def.params.len())
                .map(|i| format!(" (local.get {i})"))
                .collect();
            writeln!(
                wat,
                "  (func (export \"{}\") (param {}) (result {}) ({}{gets}))",
                def.name,
                params.join(" "),
                def.result.wat(),
                def.name
            )
            .unwrap();
        }
        wat.push(')');
        let engine = Engine::default();
        let module =
            Module::new(&engine, wat::parse_str(&wat).expect("base WAT")).expect("base module");
        (engine, module)
    })
}

fn instantiate(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, module)
        .expect("instantiate");
    (store, instance)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

fn report<T: std::fmt::Debug>(name: &str, what: &str, result: Result<(), TestError<T>>) {
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, value)) => {
            panic!("{name} ({what}): {reason}\nminimal failing input: {value:?}")
        }
        Err(e) => panic!("{name} ({what}): {e}"),
    }
}

/// Checks op `name` on the cached module, then through constant operands and
/// (for comparisons) branch forms.
fn run_op(name: &str) {
    let def = op_def(name);
    let (engine, module) = base();
    let (store, instance) = instantiate(engine, module);
    let func = instance.get_func(&store, name).expect("export");
    let store = RefCell::new(store);
    let strategy = args_strategy(def);

    let result = runner(CASES_REG).run(&strategy, |args| {
        let params: Vec<(Ty, u64)> = def
            .params
            .iter()
            .copied()
            .zip(args.iter().copied())
            .collect();
        let got = call(&mut store.borrow_mut(), func, &params, def.result);
        let want = reference(name, &args);
        prop_assert!(
            allowed(def.result, want, got),
            "{name}({}) = {}, want {}",
            args.iter()
                .zip(def.params)
                .map(|(&b, &t)| show(t, b))
                .collect::<Vec<_>>()
                .join(", "),
            show_got(def.result, got),
            show_expect(def.result, want)
        );
        Ok(())
    });
    report(name, "register operands", result);

    if def.kind != Kind::Unary {
        let result = runner(CASES_FORMS).run(&strategy, |args| check_forms(def, args[0], args[1]));
        report(name, "constant operands and branch forms", result);
    }
}

// ---------------------------------------------------------------------------
// Constant operands and branch forms
// ---------------------------------------------------------------------------
//
// A module per case: `wat` takes milliseconds per module in a debug build,
// so these modules are encoded directly. Each function is written once and
// yields both its binary encoding and its flat WAT text; the text is shown in
// failures, and `forms_binary_matches_wat` checks that `wat` encodes it to the
// same bytes.

/// The WAT text of a constant's value, exactly these bits.
fn const_text(ty: Ty, bits: u64) -> String {
    match ty {
        Ty::I32 => format!("{}", bits as u32 as i32),
        Ty::I64 => format!("{}", bits as i64),
        Ty::F32 | Ty::F64 => {
            let f = fmt_of(ty);
            let sign = if bits & f.sign() != 0 { "-" } else { "" };
            match decode(f, bits) {
                Class::Nan => format!("{sign}nan:{:#x}", bits & f.man_mask()),
                Class::Inf { .. } => format!("{sign}inf"),
                Class::Finite { mag, exp2, .. } => format!("{sign}{mag:#x}p{exp2}"),
            }
        }
    }
}

/// The encoding of each op in [`OPS`], as `wat` encodes it.
fn opcode(name: &str) -> &'static [u8] {
    static OPCODES: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    let table = OPCODES.get_or_init(|| {
        OPS.iter()
            .map(|def| {
                // `wat` does not validate: a lone op is a fine body. The
                // module ends with the body `size 0x00 op.. 0x0b`.
                let bytes = wat::parse_str(format!("(module (func {}))", def.name)).unwrap();
                let n = bytes.len();
                let k = (1..=4)
                    .find(|&k| bytes[n - k - 3] as usize == k + 2 && bytes[n - k - 2] == 0)
                    .expect("op encoding");
                (def.name, bytes[n - k - 1..n - 1].to_vec())
            })
            .collect()
    });
    &table.iter().find(|(n, _)| *n == name).expect("opcode").1
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

fn valtype(ty: Ty) -> u8 {
    match ty {
        Ty::I32 => 0x7f,
        Ty::I64 => 0x7e,
        Ty::F32 => 0x7d,
        Ty::F64 => 0x7c,
    }
}

/// A function body under construction: its bytes and its flat WAT text.
#[derive(Default)]
struct Body {
    code: Vec<u8>,
    text: String,
}

/// An operand of a binary op: a local or a constant.
#[derive(Clone, Copy)]
enum Opnd {
    Local(u32),
    Const(u64),
}

impl Body {
    fn ins(&mut self, text: &str, bytes: &[u8]) -> &mut Self {
        self.code.extend_from_slice(bytes);
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(text);
        self
    }
    fn with_index(&mut self, text: &str, opcode: u8, index: u32) -> &mut Self {
        let mut bytes = vec![opcode];
        uleb(&mut bytes, index as u64);
        self.ins(&format!("{text} {index}"), &bytes)
    }
    fn get(&mut self, i: u32) -> &mut Self {
        self.with_index("local.get", 0x20, i)
    }
    fn set(&mut self, i: u32) -> &mut Self {
        self.with_index("local.set", 0x21, i)
    }
    fn tee(&mut self, i: u32) -> &mut Self {
        self.with_index("local.tee", 0x22, i)
    }
    fn br_if(&mut self, depth: u32) -> &mut Self {
        self.with_index("br_if", 0x0d, depth)
    }
    fn konst(&mut self, ty: Ty, bits: u64) -> &mut Self {
        let mut bytes = Vec::new();
        match ty {
            Ty::I32 => {
                bytes.push(0x41);
                sleb(&mut bytes, bits as u32 as i32 as i64);
            }
            Ty::I64 => {
                bytes.push(0x42);
                sleb(&mut bytes, bits as i64);
            }
            Ty::F32 => {
                bytes.push(0x43);
                bytes.extend_from_slice(&(bits as u32).to_le_bytes());
            }
            Ty::F64 => {
                bytes.push(0x44);
                bytes.extend_from_slice(&bits.to_le_bytes());
            }
        }
        self.ins(
            &format!("{}.const {}", ty.wat(), const_text(ty, bits)),
            &bytes,
        )
    }
    fn i32c(&mut self, v: i32) -> &mut Self {
        self.konst(Ty::I32, v as u32 as u64)
    }
    fn op(&mut self, name: &str) -> &mut Self {
        self.ins(name, opcode(name))
    }
    fn operand(&mut self, ty: Ty, o: Opnd) -> &mut Self {
        match o {
            Opnd::Local(i) => self.get(i),
            Opnd::Const(bits) => self.konst(ty, bits),
        }
    }
    /// `lhs rhs op`
    fn apply(&mut self, def: &OpDef, lhs: Opnd, rhs: Opnd) -> &mut Self {
        self.operand(def.params[0], lhs)
            .operand(def.params[1], rhs)
            .op(def.name)
    }
    fn block(&mut self, kind: &str, opcode: u8, result: Option<Ty>) -> &mut Self {
        match result {
            None => self.ins(kind, &[opcode, 0x40]),
            Some(t) => self.ins(
                &format!("{kind} (result {})", t.wat()),
                &[opcode, valtype(t)],
            ),
        }
    }
    fn end(&mut self) -> &mut Self {
        self.ins("end", &[0x0b])
    }
}

/// One exported function of a forms module.
struct Variant {
    name: String,
    /// Indices into the case's `[x, y]` passed as parameters.
    args: Vec<usize>,
    /// Whether the op sees `[x, x]` rather than `[x, y]`.
    same: bool,
    /// Locals besides the parameters.
    locals: Vec<Ty>,
    body: Body,
}

/// The functions of the forms module of `def` on operands `x` and `y`.
fn variants(def: &OpDef, x: u64, y: u64) -> Vec<Variant> {
    use Opnd::{Const, Local};
    let mut out = Vec::new();
    let mut add = |name: String, args: &[usize], same: bool, locals: &[Ty], body: &mut Body| {
        out.push(Variant {
            name,
            args: args.to_vec(),
            same,
            locals: locals.to_vec(),
            body: std::mem::take(body),
        });
    };
    let mut b = Body::default();
    add(
        "cc".into(),
        &[],
        false,
        &[],
        b.apply(def, Const(x), Const(y)),
    );
    add(
        "same".into(),
        &[0],
        true,
        &[],
        b.apply(def, Local(0), Local(0)),
    );
    let forms: [(&str, Opnd, Opnd, &[usize]); 3] = [
        ("rr", Local(0), Local(1), &[0, 1]),
        ("rc", Local(0), Const(y), &[0]),
        ("cr", Const(x), Local(0), &[1]),
    ];
    for (tag, l, r, used) in forms {
        let n = used.len() as u32;
        add(tag.into(), used, false, &[], b.apply(def, l, r));
        // Into a fresh local: the op's destination is retargeted.
        b.apply(def, l, r).set(n).get(n);
        add(format!("set_{tag}"), used, false, &[def.result], &mut b);
        if def.params[0] == def.result {
            // In place, over the left operand (or the only parameter).
            b.apply(def, l, r).set(0).get(0);
            add(format!("self_{tag}"), used, false, &[], &mut b);
            // Through local.tee, then read again.
            b.apply(def, l, r).tee(0).ins("drop", &[0x1a]).get(0);
            add(format!("tee_{tag}"), used, false, &[], &mut b);
        }
        if def.kind != Kind::Compare {
            continue;
        }
        let ret = |b: &mut Body, v: i32| {
            b.i32c(v).ins("return", &[0x0f]);
        };
        // if (cmp) { return 1 } 0
        b.apply(def, l, r).block("if", 0x04, None);
        ret(&mut b, 1);
        b.end().i32c(0);
        add(format!("if_{tag}"), used, false, &[], &mut b);
        // The same with a local read pending below the condition: the
        // condition is computed into a register before the block.
        b.get(0).apply(def, l, r).block("if", 0x04, None);
        ret(&mut b, 1);
        b.end().ins("drop", &[0x1a]).i32c(0);
        add(format!("ifpre_{tag}"), used, false, &[], &mut b);
        // if (result i32) (cmp) { 1 } else { 0 }
        b.apply(def, l, r)
            .block("if", 0x04, Some(Ty::I32))
            .i32c(1)
            .ins("else", &[0x05])
            .i32c(0)
            .end();
        add(format!("ifelse_{tag}"), used, false, &[], &mut b);
        // block { br_if 0 (cmp); return 0 } 1
        b.block("block", 0x02, None).apply(def, l, r).br_if(0);
        ret(&mut b, 0);
        b.end().i32c(1);
        add(format!("brif_{tag}"), used, false, &[], &mut b);
        // block { br_if 0 (eqz (cmp)); return 1 } 0
        b.block("block", 0x02, None)
            .apply(def, l, r)
            .op("i32.eqz")
            .br_if(0);
        ret(&mut b, 1);
        b.end().i32c(0);
        add(format!("eqzbr_{tag}"), used, false, &[], &mut b);
        // block (result i32) { drop (br_if 0 1 (cmp)); 0 }
        b.block("block", 0x02, Some(Ty::I32))
            .i32c(1)
            .apply(def, l, r)
            .br_if(0)
            .ins("drop", &[0x1a])
            .i32c(0)
            .end();
        add(format!("brval_{tag}"), used, false, &[], &mut b);
        // A backward fused branch: the loop runs twice iff the comparison
        // holds; returns the number of extra iterations.
        b.block("block", 0x02, None)
            .block("loop", 0x03, None)
            .get(n)
            .i32c(1)
            .op("i32.add")
            .set(n)
            .get(n)
            .i32c(1)
            .op("i32.gt_u")
            .br_if(1)
            .apply(def, l, r)
            .br_if(0)
            .end()
            .end()
            .get(n)
            .i32c(1)
            .op("i32.sub");
        add(format!("loop_{tag}"), used, false, &[Ty::I32], &mut b);
    }
    out
}

fn param_types(def: &OpDef, v: &Variant) -> Vec<Ty> {
    v.args.iter().map(|_| def.params[0]).collect()
}

/// The module's binary encoding: a type per distinct signature in order of
/// first use, one function and export per variant.
fn forms_binary(def: &OpDef, vs: &[Variant]) -> Vec<u8> {
    fn section(out: &mut Vec<u8>, id: u8, count: usize, content: &[u8]) {
        let mut body = Vec::new();
        uleb(&mut body, count as u64);
        body.extend_from_slice(content);
        out.push(id);
        uleb(out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    let mut types: Vec<Vec<Ty>> = Vec::new();
    let mut funcs = Vec::new();
    for v in vs {
        let params = param_types(def, v);
        let index = types.iter().position(|t| *t == params).unwrap_or_else(|| {
            types.push(params);
            types.len() - 1
        });
        uleb(&mut funcs, index as u64);
    }
    let mut type_sec = Vec::new();
    for params in &types {
        type_sec.push(0x60);
        uleb(&mut type_sec, params.len() as u64);
        type_sec.extend(params.iter().map(|&t| valtype(t)));
        type_sec.extend([1, valtype(def.result)]);
    }
    let mut exports = Vec::new();
    let mut code = Vec::new();
    for (i, v) in vs.iter().enumerate() {
        uleb(&mut exports, v.name.len() as u64);
        exports.extend_from_slice(v.name.as_bytes());
        exports.push(0x00);
        uleb(&mut exports, i as u64);
        let mut body = Vec::new();
        uleb(&mut body, v.locals.len() as u64);
        for &t in &v.locals {
            body.extend([1, valtype(t)]);
        }
        body.extend_from_slice(&v.body.code);
        body.push(0x0b);
        uleb(&mut code, body.len() as u64);
        code.extend_from_slice(&body);
    }
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    section(&mut out, 1, types.len(), &type_sec);
    section(&mut out, 3, vs.len(), &funcs);
    section(&mut out, 7, vs.len(), &exports);
    section(&mut out, 10, vs.len(), &code);
    out
}

/// The same module as WAT text.
fn forms_wat(def: &OpDef, vs: &[Variant]) -> String {
    let mut wat = String::from("(module\n");
    for v in vs {
        let params: String = param_types(def, v)
            .iter()
            .map(|t| format!(" {}", t.wat()))
            .collect();
        let params = if params.is_empty() {
            String::new()
        } else {
            format!(" (param{params})")
        };
        let locals: String = v
            .locals
            .iter()
            .map(|t| format!(" (local {})", t.wat()))
            .collect();
        writeln!(
            wat,
            "  (func (export \"{}\"){params} (result {}){locals} {})",
            v.name,
            def.result.wat(),
            v.body.text
        )
        .unwrap();
    }
    wat.push(')');
    wat
}

fn check_forms(def: &OpDef, x: u64, y: u64) -> Result<(), TestCaseError> {
    let vs = variants(def, x, y);
    let (engine, _) = base();
    let module = Module::new(engine, forms_binary(def, &vs))
        .unwrap_or_else(|e| panic!("module rejected {e}:\n{}", forms_wat(def, &vs)));
    let (mut store, instance) = instantiate(engine, &module);
    let t = def.params[0];
    for v in &vs {
        let func = instance.get_func(&store, &v.name).expect("variant export");
        let vals = [x, y];
        let params: Vec<(Ty, u64)> = v.args.iter().map(|&i| (t, vals[i])).collect();
        let got = call(&mut store, func, &params, def.result);
        let operands = if v.same { [x, x] } else { [x, y] };
        let want = reference(def.name, &operands);
        prop_assert!(
            allowed(def.result, want, got),
            "{} form `{}` ({}): got {}, want {}\nbody: {}",
            def.name,
            v.name,
            operands
                .iter()
                .map(|&b| show(t, b))
                .collect::<Vec<_>>()
                .join(", "),
            show_got(def.result, got),
            show_expect(def.result, want),
            v.body.text
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Input strategies
// ---------------------------------------------------------------------------

/// Powers of two and their neighbours, both signs, for an `n`-bit integer.
fn int_edges(n: u32) -> Vec<u64> {
    let m = mask(n) as u64;
    let mut v = vec![0, m, m >> 1, (m >> 1) + 1, (m >> 1) + 2, (m >> 1) - 1];
    for k in 0..n {
        let p = 1u64 << k;
        for x in [p, p.wrapping_sub(1), p.wrapping_add(1)] {
            v.push(x & m);
            v.push(x.wrapping_neg() & m);
        }
    }
    if n == 64 {
        // The 32-bit boundaries, for immediates and wrap/extend.
        for x in [0x7fff_ffffu64, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000] {
            v.push(x);
            v.push(x.wrapping_neg());
        }
    }
    v
}

fn int_strategy(n: u32) -> BoxedStrategy<u64> {
    let m = mask(n) as u64;
    prop_oneof![
        3 => any::<u64>().prop_map(move |x| x & m),
        2 => select(int_edges(n)),
        2 => (-40i64..=40).prop_map(move |x| x as u64 & m),
        // Every magnitude, and many trailing zeros (conversion ties).
        2 => (any::<u64>(), 0..n).prop_map(move |(r, k)| (r & m) >> k),
        1 => (any::<u64>(), 0..n).prop_map(move |(r, k)| (r & m) >> k << k),
        1 => (any::<u64>(), 0..n, 0..n).prop_map(move |(r, k, j)| ((r & m) >> k >> j << j) | (1u64 << j >> 1)),
        // Sign-extended 32-bit values (i64 immediates).
        1 => any::<i32>().prop_map(move |x| x as i64 as u64 & m),
    ]
    .boxed()
}

fn float_edges(f: Fmt) -> Vec<u64> {
    let base: Vec<u64> = if f.p == 24 {
        vec![
            0,
            1,
            0x007f_ffff,
            0x0080_0000,
            0x7f7f_ffff,
            0x7f80_0000,
            0x3f80_0000,
            0x3f00_0000,
            0x3fc0_0000,
            0x4020_0000,
            0x4b00_0000,
            0x4b80_0000,
            0x4f00_0000,
            0x4f80_0000,
            0x5f00_0000,
            0x5f80_0000,
            0x3eff_ffff,
            0x4040_0000,
        ]
    } else {
        vec![
            0,
            1,
            0x000f_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x7ff0_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0x3fe0_0000_0000_0000,
            0x3ff8_0000_0000_0000,
            0x4004_0000_0000_0000,
            0x4330_0000_0000_0000,
            0x4340_0000_0000_0000,
            0x41e0_0000_0000_0000,
            0x41e0_0000_0020_0000, // 2^31 + 1
            0x41f0_0000_0000_0000,
            0x43e0_0000_0000_0000,
            0x43f0_0000_0000_0000,
            0x47ef_ffff_e000_0000, // f32::MAX
            0x47ef_ffff_f000_0000, // f32::MAX + half an ulp
            0x36a0_0000_0000_0000, // 2^-149
            0x3690_0000_0000_0000, // 2^-150
            0x3810_0000_0000_0000, // 2^-126
            0x3fdf_ffff_ffff_ffff,
        ]
    };
    let mut v = Vec::new();
    for b in base {
        for x in [b.wrapping_sub(1), b, b + 1] {
            let x = x & (f.sign() - 1);
            v.push(x);
            v.push(x | f.sign());
        }
    }
    let e = f.exp_max() << (f.p - 1);
    for nan in [
        f.canonical_nan(),
        f.canonical_nan() | 1,
        e | 1,
        e | f.man_mask(),
        e | (f.quiet() >> 1),
        e | (f.man_mask() >> 1),
        e | f.quiet() | (f.quiet() >> 1),
    ] {
        v.push(nan);
        v.push(nan | f.sign());
    }
    v
}

fn float_strategy(f: Fmt) -> BoxedStrategy<u64> {
    let width = f.p + f.ebits;
    let all = if width == 32 {
        u32::MAX as u64
    } else {
        u64::MAX
    };
    let bias = f.bias() as u64;
    let man = f.man_mask();
    let pm = f.p - 1;
    let sign = f.sign();
    let build = move |neg: bool, e: u64, m: u64, k: u32| {
        (if neg { sign } else { 0 }) | e << pm | (m & man) >> k << k
    };
    let mut options: Vec<(u32, BoxedStrategy<u64>)> = vec![
        (3, any::<u64>().prop_map(move |x| x & all).boxed()),
        (3, select(float_edges(f)).boxed()),
        // Exponents around the integer range of conversions and rounding,
        // with many trailing zeros now and then (ties, exact integers).
        (
            3,
            (any::<bool>(), bias - 3..=bias + 66, any::<u64>(), 0..=pm)
                .prop_map(move |(s, e, m, k)| build(s, e, m, k))
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), 0..f.exp_max(), any::<u64>(), 0..=pm)
                .prop_map(move |(s, e, m, k)| build(s, e, m, k))
                .boxed(),
        ),
        // NaNs with any payload, quiet or signalling.
        (
            1,
            (any::<bool>(), any::<u64>())
                .prop_map(move |(s, m)| {
                    let m = (m & man).max(1);
                    (if s { sign } else { 0 }) | f.exp_max() << pm | m
                })
                .boxed(),
        ),
        // Small multiples of 1/4: halves for `nearest`.
        (
            1,
            (-80i32..=80, any::<bool>())
                .prop_map(move |(n, neg0)| {
                    let q = n as f64 / 4.0;
                    let bits = if width == 32 {
                        (q as f32).to_bits() as u64
                    } else {
                        q.to_bits()
                    };
                    if n == 0 && neg0 { bits | sign } else { bits }
                })
                .boxed(),
        ),
    ];
    if width == 64 {
        // Near the edges of f32's range, with the bits below f32's precision
        // at and around the halfway point: demotion's rounding.
        options.push((
            2,
            (
                any::<bool>(),
                prop_oneof![bias - 152..=bias - 124, bias + 125..=bias + 128],
                any::<u64>(),
                select(vec![
                    0u64,
                    0x1000_0000,
                    0x0fff_ffff,
                    0x1000_0001,
                    0x1fff_ffff,
                ]),
            )
                .prop_map(move |(s, e, m, low)| build(s, e, (m & !0x1fff_ffff) | low, 0))
                .boxed(),
        ));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

fn scalar_strategy(ty: Ty) -> BoxedStrategy<u64> {
    match ty {
        Ty::I32 => int_strategy(32),
        Ty::I64 => int_strategy(64),
        Ty::F32 => float_strategy(F32),
        Ty::F64 => float_strategy(F64),
    }
}

/// Pairs of operands: independent, equal, negated, and neighbours.
fn pair_strategy(ty: Ty) -> BoxedStrategy<(u64, u64)> {
    let s = scalar_strategy(ty);
    let (m, neg): (u64, fn(u64) -> u64) = match ty {
        Ty::I32 => (u32::MAX as u64, |x| x.wrapping_neg()),
        Ty::I64 => (u64::MAX, |x| x.wrapping_neg()),
        Ty::F32 => (u32::MAX as u64, |x| x ^ F32.sign()),
        Ty::F64 => (u64::MAX, |x| x ^ F64.sign()),
    };
    prop_oneof![
        5 => (s.clone(), s.clone()),
        1 => s.clone().prop_map(|x| (x, x)),
        1 => s.clone().prop_map(move |x| (x, neg(x) & m)),
        1 => (s.clone(), -3i64..=3).prop_map(move |(x, d)| (x, x.wrapping_add(d as u64) & m)),
        1 => (s, -3i64..=3).prop_map(move |(x, d)| (x.wrapping_add(d as u64) & m, x)),
    ]
    .boxed()
}

fn args_strategy(def: &OpDef) -> BoxedStrategy<Vec<u64>> {
    match def.params {
        [t] => scalar_strategy(*t).prop_map(|x| vec![x]).boxed(),
        [t, _] => pair_strategy(*t).prop_map(|(x, y)| vec![x, y]).boxed(),
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------
// Checks of the harness itself
// ---------------------------------------------------------------------------

/// The op's name in Kestrel's instruction set: `i32.lt_s` is `I32LtS`.
fn isa_name(wasm: &str) -> String {
    wasm.split(['.', '_'])
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .unwrap()
                .to_uppercase()
                .chain(c)
                .collect::<String>()
        })
        .collect()
}

/// The Debug text of the ops each function of `bytes` translates to.
fn translated(bytes: &[u8]) -> Vec<String> {
    let info = kestrel_core::ModuleInfo::decode(bytes).unwrap();
    (0..info.funcs.len())
        .map(|i| {
            let f = kestrel_interp::translate::translate(&info, bytes, i, false).unwrap();
            format!("{:?}", f.ops)
        })
        .collect()
}

/// Integer binary ops with an `…Imm` form, per `for_each_numeric!`.
fn has_imm(def: &OpDef) -> bool {
    let (ty, op) = def.name.split_once('.').unwrap();
    ty.starts_with('i')
        && !matches!(op, "div_s" | "div_u" | "rem_s" | "rem_u")
        && def.kind != Kind::Unary
}

/// The op computing the same result with swapped operands, if the translator
/// knows it (its `commuted`).
fn swapped(name: &str) -> Option<String> {
    let (ty, op) = name.split_once('.').unwrap();
    let op = match op {
        "add" | "mul" | "and" | "or" | "xor" | "eq" | "ne" => op.to_string(),
        _ if op.starts_with("lt") => op.replacen("lt", "gt", 1),
        _ if op.starts_with("gt") => op.replacen("gt", "lt", 1),
        _ if op.starts_with("le") => op.replacen("le", "ge", 1),
        _ if op.starts_with("ge") => op.replacen("ge", "le", 1),
        _ => return None,
    };
    Some(format!("{ty}.{op}"))
}

/// The forms modules do reach the immediate, swapped and fused ops, so the
/// property tests above exercise them.
#[test]
fn forms_are_exercised() {
    for def in OPS.iter().filter(|d| d.kind != Kind::Unary) {
        // Small constants fit every immediate.
        let vs = variants(def, 5, 7);
        let ops = translated(&forms_binary(def, &vs));
        let find = |name: &str| -> &String {
            let i = vs.iter().position(|v| v.name == name).unwrap();
            &ops[i]
        };
        let n = isa_name(def.name);
        let contains = |text: &String, op: &str| text.contains(&format!("{op} {{"));
        assert!(
            contains(find("rr"), &n),
            "{}: rr is {}",
            def.name,
            find("rr")
        );
        if has_imm(def) {
            let imm = format!("{n}Imm");
            for form in ["rc", "set_rc"] {
                assert!(
                    contains(find(form), &imm),
                    "{}: {form} is {}",
                    def.name,
                    find(form)
                );
            }
            if def.params[0] == def.result {
                assert!(
                    contains(find("self_rc"), &imm),
                    "{}: self_rc is {}",
                    def.name,
                    find("self_rc")
                );
            }
            if let Some(s) = swapped(def.name) {
                let imm = format!("{}Imm", isa_name(&s));
                assert!(
                    contains(find("cr"), &imm),
                    "{}: cr is {}",
                    def.name,
                    find("cr")
                );
            }
        }
        if def.kind == Kind::Compare {
            let imm = if has_imm(def) { "Imm" } else { "" };
            assert!(
                contains(find("if_rr"), &format!("BrNot{n}")),
                "{}: {}",
                def.name,
                find("if_rr")
            );
            assert!(
                contains(find("brif_rr"), &format!("Br{n}")),
                "{}: {}",
                def.name,
                find("brif_rr")
            );
            assert!(
                contains(find("loop_rr"), &format!("Br{n}")),
                "{}: {}",
                def.name,
                find("loop_rr")
            );
            assert!(
                contains(find("if_rc"), &format!("BrNot{n}{imm}")),
                "{}: {}",
                def.name,
                find("if_rc")
            );
            assert!(
                contains(find("brif_rc"), &format!("Br{n}{imm}")),
                "{}: {}",
                def.name,
                find("brif_rc")
            );
            if let (Some(s), true) = (swapped(def.name), has_imm(def)) {
                let s = isa_name(&s);
                assert!(
                    contains(find("if_cr"), &format!("BrNot{s}Imm")),
                    "{}: {}",
                    def.name,
                    find("if_cr")
                );
                assert!(
                    contains(find("brif_cr"), &format!("Br{s}Imm")),
                    "{}: {}",
                    def.name,
                    find("brif_cr")
                );
            }
        }
    }
}

/// The forms modules are encoded as `wat` encodes their text, so the text
/// shown in failures is what ran; constants keep their exact bits.
#[test]
fn forms_binary_matches_wat() {
    for def in OPS.iter().filter(|d| d.kind != Kind::Unary) {
        let strategy = args_strategy(def);
        let result = runner(4).run(&strategy, |args| {
            let vs = variants(def, args[0], args[1]);
            let text = forms_wat(def, &vs);
            let from_wat = wat::parse_str(&text).unwrap();
            prop_assert!(from_wat == forms_binary(def, &vs), "{}", text);
            Ok(())
        });
        report(def.name, "encoding", result);
    }
}

/// Spot checks of the reference against values from the spec testsuite.
#[test]
fn reference_spot_checks() {
    let f32b = |x: f32| x.to_bits() as u64;
    let f64b = |x: f64| x.to_bits();
    assert_eq!(
        reference("f32.add", &[f32b(1.0), f32b(2.0)]),
        Bits(f32b(3.0))
    );
    assert_eq!(
        reference("f32.add", &[f32b(0.1), f32b(0.2)]),
        Bits(f32b(0.1 + 0.2))
    );
    assert_eq!(
        reference("f64.add", &[f64b(0.1), f64b(0.2)]),
        Bits(f64b(0.1 + 0.2))
    );
    assert_eq!(reference("f64.sub", &[f64b(1.0), f64b(1.0)]), Bits(0));
    assert_eq!(
        reference("f64.mul", &[f64b(1e300), f64b(1e10)]),
        Bits(f64b(f64::INFINITY))
    );
    assert_eq!(
        reference("f64.div", &[f64b(1.0), f64b(3.0)]),
        Bits(f64b(1.0 / 3.0))
    );
    assert_eq!(
        reference("f32.div", &[f32b(1.0), f32b(3.0)]),
        Bits(f32b(1.0 / 3.0))
    );
    assert_eq!(
        reference("f64.sqrt", &[f64b(2.0)]),
        Bits(f64b(std::f64::consts::SQRT_2))
    );
    assert_eq!(
        reference("f32.sqrt", &[f32b(2.0)]),
        Bits(f32b(std::f32::consts::SQRT_2))
    );
    assert_eq!(reference("f32.sqrt", &[f32b(-1.0)]), NEW_NAN);
    assert_eq!(reference("f32.sqrt", &[f32b(-0.0)]), Bits(f32b(-0.0)));
    assert_eq!(reference("f32.nearest", &[f32b(2.5)]), Bits(f32b(2.0)));
    assert_eq!(reference("f32.nearest", &[f32b(-3.5)]), Bits(f32b(-4.0)));
    assert_eq!(reference("f32.nearest", &[f32b(-0.5)]), Bits(f32b(-0.0)));
    assert_eq!(reference("f64.ceil", &[f64b(-0.5)]), Bits(f64b(-0.0)));
    assert_eq!(reference("f64.floor", &[f64b(-0.5)]), Bits(f64b(-1.0)));
    assert_eq!(reference("f64.floor", &[f64b(f64::from_bits(1))]), Bits(0));
    assert_eq!(reference("f64.ceil", &[1]), Bits(f64b(1.0)));
    assert_eq!(
        reference("f32.min", &[f32b(0.0), f32b(-0.0)]),
        Bits(f32b(-0.0))
    );
    assert_eq!(
        reference("f32.max", &[f32b(-0.0), f32b(0.0)]),
        Bits(f32b(0.0))
    );
    assert_eq!(
        reference("f32.min", &[0x7fa0_0000, f32b(1.0)]),
        Nan { canonical: false }
    );
    assert_eq!(
        reference("f32.min", &[0xffc0_0000, f32b(1.0)]),
        Nan { canonical: true }
    );
    assert_eq!(
        reference("f32.demote_f64", &[0x47ef_ffff_f000_0000]),
        Bits(f32b(f32::INFINITY))
    );
    assert_eq!(
        reference("f32.demote_f64", &[0x36a0_0000_0000_0000]),
        Bits(1)
    );
    assert_eq!(
        reference("f32.demote_f64", &[0x3690_0000_0000_0000]),
        Bits(0)
    );
    assert_eq!(
        reference("f32.demote_f64", &[0x3698_0000_0000_0000]),
        Bits(1)
    );
    assert_eq!(
        reference("f64.promote_f32", &[1]),
        Bits(0x36a0_0000_0000_0000)
    );
    assert_eq!(
        reference("f32.convert_i32_s", &[16777217]),
        Bits(f32b(16777216.0))
    );
    assert_eq!(
        reference("f32.convert_i64_u", &[u64::MAX]),
        Bits(f32b(18446744073709551616.0))
    );
    assert_eq!(
        reference("f64.convert_i64_s", &[9007199254740993]),
        Bits(f64b(9007199254740992.0))
    );
    assert_eq!(
        reference("i32.trunc_f32_s", &[f32b(-2147483904.0)]),
        Trap(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        reference("i32.trunc_f32_s", &[f32b(-2147483648.0)]),
        Bits(0x8000_0000)
    );
    assert_eq!(reference("i32.trunc_f32_u", &[f32b(-0.9)]), Bits(0));
    assert_eq!(
        reference("i32.trunc_f64_s", &[0x7ff4_0000_0000_0000]),
        Trap(TrapCode::BadConversionToInteger)
    );
    assert_eq!(
        reference("i64.trunc_sat_f64_s", &[f64b(-1e300)]),
        Bits(i64::MIN as u64)
    );
    assert_eq!(
        reference("i32.div_s", &[0x8000_0000, 0xffff_ffff]),
        Trap(TrapCode::IntegerOverflow)
    );
    assert_eq!(reference("i32.rem_s", &[0x8000_0000, 0xffff_ffff]), Bits(0));
    assert_eq!(
        reference("i32.rem_s", &[(-7i32) as u32 as u64, 2]),
        Bits((-1i32) as u32 as u64)
    );
    assert_eq!(
        reference("i32.shr_s", &[0x8000_0000, 33]),
        Bits(0xc000_0000)
    );
    assert_eq!(reference("i64.rotl", &[0x8000_0000_0000_0001, 65]), Bits(3));
    assert_eq!(reference("i32.clz", &[0]), Bits(32));
    assert_eq!(reference("i64.ctz", &[0x8000_0000_0000_0000]), Bits(63));
    assert_eq!(
        reference("i64.extend_i32_s", &[0x8000_0000]),
        Bits(0xffff_ffff_8000_0000)
    );
    assert_eq!(reference("f64.lt", &[f64b(-0.0), f64b(0.0)]), Bits(0));
    assert_eq!(
        reference("f64.ne", &[F64.canonical_nan(), F64.canonical_nan()]),
        Bits(1)
    );
}

/// The host's (hardware) float arithmetic agrees with the integer reference:
/// a check of the reference, not of Kestrel.
#[test]
fn reference_agrees_with_host_floats() {
    let mut runner = runner(4096);
    type HostOp = fn(f64, f64) -> f64;
    let ops: [(&str, HostOp); 4] = [
        ("add", |a, b| a + b),
        ("sub", |a, b| a - b),
        ("mul", |a, b| a * b),
        ("div", |a, b| a / b),
    ];
    let result = runner.run(&pair_strategy(Ty::F64), |(a, b)| {
        for (op, host) in ops {
            let r = host(f64::from_bits(a), f64::from_bits(b));
            let want = reference(&format!("f64.{op}"), &[a, b]);
            if !r.is_nan() {
                prop_assert_eq!(want, Bits(r.to_bits()), "f64.{}({:#x}, {:#x})", op, a, b);
            }
        }
        let s = f64::from_bits(a).sqrt();
        if !s.is_nan() {
            prop_assert_eq!(
                reference("f64.sqrt", &[a]),
                Bits(s.to_bits()),
                "sqrt {:#x}",
                a
            );
        }
        Ok(())
    });
    report("reference", "host f64", result);

    type HostOp32 = fn(f32, f32) -> f32;
    let ops: [(&str, HostOp32); 4] = [
        ("add", |a, b| a + b),
        ("sub", |a, b| a - b),
        ("mul", |a, b| a * b),
        ("div", |a, b| a / b),
    ];
    let result = runner.run(&pair_strategy(Ty::F32), |(a, b)| {
        let (x, y) = (f32::from_bits(a as u32), f32::from_bits(b as u32));
        for (op, host) in ops {
            let r = host(x, y);
            let want = reference(&format!("f32.{op}"), &[a, b]);
            if !r.is_nan() {
                prop_assert_eq!(
                    want,
                    Bits(r.to_bits() as u64),
                    "f32.{}({:#x}, {:#x})",
                    op,
                    a,
                    b
                );
            }
        }
        let s = x.sqrt();
        if !s.is_nan() {
            prop_assert_eq!(
                reference("f32.sqrt", &[a]),
                Bits(s.to_bits() as u64),
                "sqrt {:#x}",
                a
            );
        }
        Ok(())
    });
    report("reference", "host f32", result);
}

/// Every op of the table is in `OPS` exactly once.
#[test]
fn op_table_has_no_duplicates() {
    let mut names: Vec<&str> = OPS.iter().map(|d| d.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), OPS.len());
    assert_eq!(OPS.len(), 136);
}
