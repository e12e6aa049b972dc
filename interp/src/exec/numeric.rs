//! WebAssembly 2.0 numeric operations whose semantics differ from Rust's
//! built-in operators or aren't in `core`: trapping integer division, NaN- and
//! signed-zero-aware `min`/`max`, rounding and `sqrt` (via `libm`, since
//! `core` lacks them under `no_std`), bit-exact sign operations, and
//! float-to-int truncation. Plain operators would panic (`i32::MIN % -1`),
//! drop NaNs (`f32::min`), leave signaling NaNs unquieted (`libm`), or
//! saturate where Wasm must trap (`as`). Float add/sub/mul/div, demote/promote
//! and int-to-float conversions are exact as Rust operators/`as` casts and
//! don't live here.

/// Why a numeric instruction trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericTrap {
    DivisionByZero,
    IntegerOverflow,
    InvalidConversion,
}

use NumericTrap::{DivisionByZero, IntegerOverflow, InvalidConversion};

// ---------------------------------------------------------------------------
// Integer division and remainder
// ---------------------------------------------------------------------------

/// `i32.div_s`: traps on zero divisor and on `i32::MIN / -1` (not representable).
#[inline]
pub fn i32_div_s(a: i32, b: i32) -> Result<i32, NumericTrap> {
    match b {
        0 => Err(DivisionByZero),
        -1 if a == i32::MIN => Err(IntegerOverflow),
        _ => Ok(a / b),
    }
}

/// `i32.div_u`: traps on zero divisor.
#[inline]
pub fn i32_div_u(a: u32, b: u32) -> Result<u32, NumericTrap> {
    a.checked_div(b).ok_or(DivisionByZero)
}

/// `i32.rem_s`: traps on zero divisor; `i32::MIN % -1` is 0 in Wasm, whereas
/// Rust's `%` panics on it, hence `wrapping_rem`.
#[inline]
pub fn i32_rem_s(a: i32, b: i32) -> Result<i32, NumericTrap> {
    if b == 0 {
        Err(DivisionByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

/// `i32.rem_u`: traps on zero divisor.
#[inline]
pub fn i32_rem_u(a: u32, b: u32) -> Result<u32, NumericTrap> {
    a.checked_rem(b).ok_or(DivisionByZero)
}

/// `i64.div_s`: traps on zero divisor and on `i64::MIN / -1` (not representable).
#[inline]
pub fn i64_div_s(a: i64, b: i64) -> Result<i64, NumericTrap> {
    match b {
        0 => Err(DivisionByZero),
        -1 if a == i64::MIN => Err(IntegerOverflow),
        _ => Ok(a / b),
    }
}

/// `i64.div_u`: traps on zero divisor.
#[inline]
pub fn i64_div_u(a: u64, b: u64) -> Result<u64, NumericTrap> {
    a.checked_div(b).ok_or(DivisionByZero)
}

/// `i64.rem_s`: traps on zero divisor; `i64::MIN % -1` is 0 (see [`i32_rem_s`]).
#[inline]
pub fn i64_rem_s(a: i64, b: i64) -> Result<i64, NumericTrap> {
    if b == 0 {
        Err(DivisionByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

/// `i64.rem_u`: traps on zero divisor.
#[inline]
pub fn i64_rem_u(a: u64, b: u64) -> Result<u64, NumericTrap> {
    a.checked_rem(b).ok_or(DivisionByZero)
}

// ---------------------------------------------------------------------------
// NaN handling
// ---------------------------------------------------------------------------

// Every NaN these functions produce is the positive canonical NaN. The spec
// requires a canonical NaN when all NaN inputs are canonical (or there are
// none, e.g. `sqrt(-1)`) and any arithmetic (quiet) NaN otherwise, so the
// canonical NaN is always valid, and it's deterministic across targets.
const CANONICAL_NAN_F32: f32 = f32::from_bits(0x7fc0_0000);
const CANONICAL_NAN_F64: f64 = f64::from_bits(0x7ff8_0000_0000_0000);

/// Replaces any NaN by the canonical NaN; `libm` may return a signaling NaN
/// input unchanged, which Wasm forbids.
#[inline]
fn canon_f32(x: f32) -> f32 {
    if x.is_nan() { CANONICAL_NAN_F32 } else { x }
}

#[inline]
fn canon_f64(x: f64) -> f64 {
    if x.is_nan() { CANONICAL_NAN_F64 } else { x }
}

// ---------------------------------------------------------------------------
// Float min / max
// ---------------------------------------------------------------------------
//
// Rust's `f32::min` returns the non-NaN operand and leaves the order of ±0
// unspecified; Wasm propagates NaN and orders -0 below +0.

/// `f32.min`: NaN if either operand is NaN; `min(-0, +0) = -0`.
#[inline]
pub fn f32_min(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        CANONICAL_NAN_F32
    } else if a == b {
        // Equal non-NaNs differ at most in the sign of zero: OR keeps -0.
        f32::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f32.max`: NaN if either operand is NaN; `max(-0, +0) = +0`.
#[inline]
pub fn f32_max(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        CANONICAL_NAN_F32
    } else if a == b {
        // Equal non-NaNs differ at most in the sign of zero: AND keeps +0.
        f32::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

/// `f64.min`: NaN if either operand is NaN; `min(-0, +0) = -0`.
#[inline]
pub fn f64_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        CANONICAL_NAN_F64
    } else if a == b {
        f64::from_bits(a.to_bits() | b.to_bits())
    } else if a < b {
        a
    } else {
        b
    }
}

/// `f64.max`: NaN if either operand is NaN; `max(-0, +0) = +0`.
#[inline]
pub fn f64_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        CANONICAL_NAN_F64
    } else if a == b {
        f64::from_bits(a.to_bits() & b.to_bits())
    } else if a > b {
        a
    } else {
        b
    }
}

// ---------------------------------------------------------------------------
// Rounding and square root
// ---------------------------------------------------------------------------
//
// `libm`'s versions are exact (sqrt correctly rounded) and keep the sign of
// zero; only their NaN results need canonicalising.

/// `f32.nearest`: round to nearest integer, ties to even.
#[inline]
pub fn f32_nearest(x: f32) -> f32 {
    canon_f32(libm::rintf(x))
}

/// `f64.nearest`: round to nearest integer, ties to even.
#[inline]
pub fn f64_nearest(x: f64) -> f64 {
    canon_f64(libm::rint(x))
}

/// `f32.ceil`.
#[inline]
pub fn f32_ceil(x: f32) -> f32 {
    canon_f32(libm::ceilf(x))
}

/// `f64.ceil`.
#[inline]
pub fn f64_ceil(x: f64) -> f64 {
    canon_f64(libm::ceil(x))
}

/// `f32.floor`.
#[inline]
pub fn f32_floor(x: f32) -> f32 {
    canon_f32(libm::floorf(x))
}

/// `f64.floor`.
#[inline]
pub fn f64_floor(x: f64) -> f64 {
    canon_f64(libm::floor(x))
}

/// `f32.trunc`.
#[inline]
pub fn f32_trunc(x: f32) -> f32 {
    canon_f32(libm::truncf(x))
}

/// `f64.trunc`.
#[inline]
pub fn f64_trunc(x: f64) -> f64 {
    canon_f64(libm::trunc(x))
}

/// `f32.sqrt`: negative inputs (other than -0) give the canonical NaN.
#[inline]
pub fn f32_sqrt(x: f32) -> f32 {
    canon_f32(libm::sqrtf(x))
}

/// `f64.sqrt`: negative inputs (other than -0) give the canonical NaN.
#[inline]
pub fn f64_sqrt(x: f64) -> f64 {
    canon_f64(libm::sqrt(x))
}

// ---------------------------------------------------------------------------
// Sign operations
// ---------------------------------------------------------------------------
//
// Wasm defines these on the bit pattern, NaN payloads included; arithmetic
// (e.g. `-x` or `0.0 - x`) could quiet or canonicalise a NaN, so use bits.

const F32_SIGN: u32 = 1 << 31;
const F64_SIGN: u64 = 1 << 63;

/// `f32.abs`: clears the sign bit.
#[inline]
pub fn f32_abs(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & !F32_SIGN)
}

/// `f64.abs`: clears the sign bit.
#[inline]
pub fn f64_abs(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & !F64_SIGN)
}

/// `f32.neg`: flips the sign bit.
#[inline]
pub fn f32_neg(x: f32) -> f32 {
    f32::from_bits(x.to_bits() ^ F32_SIGN)
}

/// `f64.neg`: flips the sign bit.
#[inline]
pub fn f64_neg(x: f64) -> f64 {
    f64::from_bits(x.to_bits() ^ F64_SIGN)
}

/// `f32.copysign`: magnitude bits of `a`, sign bit of `b`.
#[inline]
pub fn f32_copysign(a: f32, b: f32) -> f32 {
    f32::from_bits((a.to_bits() & !F32_SIGN) | (b.to_bits() & F32_SIGN))
}

/// `f64.copysign`: magnitude bits of `a`, sign bit of `b`.
#[inline]
pub fn f64_copysign(a: f64, b: f64) -> f64 {
    f64::from_bits((a.to_bits() & !F64_SIGN) | (b.to_bits() & F64_SIGN))
}

// ---------------------------------------------------------------------------
// Trapping float-to-int truncation
// ---------------------------------------------------------------------------
//
// `x` converts iff `LO < x < HI`, where `HI` is `MAX + 1` (a power of two,
// always exact) and `LO` is the largest float whose truncation is below
// `MIN`: `MIN - 1` when representable, otherwise the float just below `MIN`
// (near -2^31 and -2^63 the spacing exceeds 1). Every bound literal is exactly
// representable in its type, so the comparisons are exact. NaN fails both
// comparisons and is then told apart from overflow. Inside the range `as`
// truncates toward zero exactly.

/// `i32.trunc_f32_s`.
#[inline]
pub fn i32_trunc_f32_s(x: f32) -> Result<i32, NumericTrap> {
    // f32 spacing at 2^31 is 2^8, so the float below -2^31 is -2^31 - 256.
    if x > -2_147_483_904.0 && x < 2_147_483_648.0 {
        Ok(x as i32)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i32.trunc_f32_u`.
#[inline]
pub fn i32_trunc_f32_u(x: f32) -> Result<u32, NumericTrap> {
    // -1 and 2^32 are exact in f32; (-1, 0) truncates to 0.
    if x > -1.0 && x < 4_294_967_296.0 {
        Ok(x as u32)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i32.trunc_f64_s`.
#[inline]
pub fn i32_trunc_f64_s(x: f64) -> Result<i32, NumericTrap> {
    // -2^31 - 1 and 2^31 are exact in f64.
    if x > -2_147_483_649.0 && x < 2_147_483_648.0 {
        Ok(x as i32)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i32.trunc_f64_u`.
#[inline]
pub fn i32_trunc_f64_u(x: f64) -> Result<u32, NumericTrap> {
    // -1 and 2^32 are exact in f64.
    if x > -1.0 && x < 4_294_967_296.0 {
        Ok(x as u32)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i64.trunc_f32_s`.
#[inline]
pub fn i64_trunc_f32_s(x: f32) -> Result<i64, NumericTrap> {
    // f32 spacing at 2^63 is 2^40, so the float below -2^63 is -2^63 - 2^40.
    if x > -9_223_373_136_366_403_584.0 && x < 9_223_372_036_854_775_808.0 {
        Ok(x as i64)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i64.trunc_f32_u`.
#[inline]
pub fn i64_trunc_f32_u(x: f32) -> Result<u64, NumericTrap> {
    // -1 and 2^64 are exact in f32.
    if x > -1.0 && x < 18_446_744_073_709_551_616.0 {
        Ok(x as u64)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i64.trunc_f64_s`.
#[inline]
pub fn i64_trunc_f64_s(x: f64) -> Result<i64, NumericTrap> {
    // f64 spacing at 2^63 is 2^11, so the float below -2^63 is -2^63 - 2048.
    if x > -9_223_372_036_854_777_856.0 && x < 9_223_372_036_854_775_808.0 {
        Ok(x as i64)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

/// `i64.trunc_f64_u`.
#[inline]
pub fn i64_trunc_f64_u(x: f64) -> Result<u64, NumericTrap> {
    // -1 and 2^64 are exact in f64.
    if x > -1.0 && x < 18_446_744_073_709_551_616.0 {
        Ok(x as u64)
    } else if x.is_nan() {
        Err(InvalidConversion)
    } else {
        Err(IntegerOverflow)
    }
}

// ---------------------------------------------------------------------------
// Saturating float-to-int truncation
// ---------------------------------------------------------------------------
//
// Since Rust 1.45 float-to-int `as` casts truncate toward zero, saturate to
// the target's MIN/MAX (including ±inf) and map NaN to 0 on every target:
// exactly the `trunc_sat` semantics. These exist to name that guarantee.

/// `i32.trunc_sat_f32_s`.
#[inline]
pub fn i32_trunc_sat_f32_s(x: f32) -> i32 {
    x as i32
}

/// `i32.trunc_sat_f32_u`.
#[inline]
pub fn i32_trunc_sat_f32_u(x: f32) -> u32 {
    x as u32
}

/// `i32.trunc_sat_f64_s`.
#[inline]
pub fn i32_trunc_sat_f64_s(x: f64) -> i32 {
    x as i32
}

/// `i32.trunc_sat_f64_u`.
#[inline]
pub fn i32_trunc_sat_f64_u(x: f64) -> u32 {
    x as u32
}

/// `i64.trunc_sat_f32_s`.
#[inline]
pub fn i64_trunc_sat_f32_s(x: f32) -> i64 {
    x as i64
}

/// `i64.trunc_sat_f32_u`.
#[inline]
pub fn i64_trunc_sat_f32_u(x: f32) -> u64 {
    x as u64
}

/// `i64.trunc_sat_f64_s`.
#[inline]
pub fn i64_trunc_sat_f64_s(x: f64) -> i64 {
    x as i64
}

/// `i64.trunc_sat_f64_u`.
#[inline]
pub fn i64_trunc_sat_f64_u(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    // NaN bit patterns, named as in the spec testsuite.
    const F32_NAN: u32 = 0x7fc0_0000; // nan (canonical)
    const F32_NEG_NAN: u32 = 0xffc0_0000; // -nan (canonical)
    const F32_SNAN: u32 = 0x7fa0_0000; // nan:0x200000 (signaling)
    const F32_NEG_SNAN: u32 = 0xffa0_0000; // -nan:0x200000
    const F32_QNAN_PAYLOAD: u32 = 0x7fc0_1234; // nan:0x401234 (arithmetic)
    const F64_NAN: u64 = 0x7ff8_0000_0000_0000;
    const F64_NEG_NAN: u64 = 0xfff8_0000_0000_0000;
    const F64_SNAN: u64 = 0x7ff4_0000_0000_0000; // nan:0x4000000000000
    const F64_NEG_SNAN: u64 = 0xfff4_0000_0000_0000;
    const F64_QNAN_PAYLOAD: u64 = 0x7ff8_0000_0000_1234;

    fn f32b(bits: u32) -> f32 {
        f32::from_bits(bits)
    }

    fn f64b(bits: u64) -> f64 {
        f64::from_bits(bits)
    }

    /// nan:canonical in the spec testsuite (either sign).
    fn is_canonical_f32(x: f32) -> bool {
        x.to_bits() & !F32_SIGN == F32_NAN
    }

    fn is_canonical_f64(x: f64) -> bool {
        x.to_bits() & !F64_SIGN == F64_NAN
    }

    /// nan:arithmetic in the spec testsuite: quiet bit set.
    fn is_arithmetic_f32(x: f32) -> bool {
        x.is_nan() && x.to_bits() & 0x0040_0000 != 0
    }

    fn is_arithmetic_f64(x: f64) -> bool {
        x.is_nan() && x.to_bits() & 0x0008_0000_0000_0000 != 0
    }

    /// Asserts bit-exact equality so signs of zero and NaN payloads count.
    #[track_caller]
    fn same32(got: f32, want: f32) {
        assert_eq!(got.to_bits(), want.to_bits(), "got {got:?}, want {want:?}");
    }

    #[track_caller]
    fn same64(got: f64, want: f64) {
        assert_eq!(got.to_bits(), want.to_bits(), "got {got:?}, want {want:?}");
    }

    // ----- integer division -----

    #[test]
    fn i32_div_s_cases() {
        assert_eq!(i32_div_s(1, 0), Err(DivisionByZero));
        assert_eq!(i32_div_s(0, 0), Err(DivisionByZero));
        // Zero divisor wins over overflow-looking operands.
        assert_eq!(i32_div_s(i32::MIN, 0), Err(DivisionByZero));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i32_div_s(i32::MIN, 1), Ok(i32::MIN));
        assert_eq!(i32_div_s(i32::MIN, 2), Ok(-0x4000_0000));
        assert_eq!(i32_div_s(i32::MAX, -1), Ok(-i32::MAX));
        assert_eq!(i32_div_s(-1, -1), Ok(1));
        // Truncates toward zero.
        assert_eq!(i32_div_s(7, 3), Ok(2));
        assert_eq!(i32_div_s(-7, 3), Ok(-2));
        assert_eq!(i32_div_s(7, -3), Ok(-2));
        assert_eq!(i32_div_s(-7, -3), Ok(2));
        assert_eq!(i32_div_s(5, 2), Ok(2));
        assert_eq!(i32_div_s(-5, 2), Ok(-2));
    }

    #[test]
    fn i32_div_u_cases() {
        assert_eq!(i32_div_u(1, 0), Err(DivisionByZero));
        assert_eq!(i32_div_u(0, 0), Err(DivisionByZero));
        assert_eq!(i32_div_u(0x8000_0000, 0xffff_ffff), Ok(0));
        assert_eq!(i32_div_u(0x8000_0000, 2), Ok(0x4000_0000));
        assert_eq!(i32_div_u(0x8ff0_0ff0, 0x1_0001), Ok(0x8fef));
        assert_eq!(i32_div_u(0x8000_0001, 1000), Ok(0x20_c49b));
        assert_eq!(i32_div_u(u32::MAX, 1), Ok(u32::MAX));
        assert_eq!(i32_div_u(5, 2), Ok(2));
    }

    #[test]
    fn i32_rem_s_cases() {
        assert_eq!(i32_rem_s(1, 0), Err(DivisionByZero));
        assert_eq!(i32_rem_s(0, 0), Err(DivisionByZero));
        // No trap, unlike div_s (and unlike Rust's `%`, which panics).
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i32_rem_s(i32::MIN, 2), Ok(0));
        assert_eq!(i32_rem_s(i32::MAX, -1), Ok(0));
        // Sign follows the dividend.
        assert_eq!(i32_rem_s(7, 3), Ok(1));
        assert_eq!(i32_rem_s(-7, 3), Ok(-1));
        assert_eq!(i32_rem_s(7, -3), Ok(1));
        assert_eq!(i32_rem_s(-7, -3), Ok(-1));
        assert_eq!(i32_rem_s(i32::MIN, 3), Ok(-2));
    }

    #[test]
    fn i32_rem_u_cases() {
        assert_eq!(i32_rem_u(1, 0), Err(DivisionByZero));
        assert_eq!(i32_rem_u(0, 0), Err(DivisionByZero));
        assert_eq!(i32_rem_u(0x8000_0000, 0xffff_ffff), Ok(0x8000_0000));
        assert_eq!(i32_rem_u(0x8000_0000, 2), Ok(0));
        assert_eq!(i32_rem_u(0x8ff0_0ff0, 0x1_0001), Ok(0x8001));
        assert_eq!(i32_rem_u(0x8000_0001, 1000), Ok(649));
        assert_eq!(i32_rem_u(u32::MAX, u32::MAX), Ok(0));
    }

    #[test]
    fn i64_div_s_cases() {
        assert_eq!(i64_div_s(1, 0), Err(DivisionByZero));
        assert_eq!(i64_div_s(0, 0), Err(DivisionByZero));
        assert_eq!(i64_div_s(i64::MIN, 0), Err(DivisionByZero));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(IntegerOverflow));
        assert_eq!(i64_div_s(i64::MIN, 1), Ok(i64::MIN));
        assert_eq!(i64_div_s(i64::MIN, 2), Ok(-0x4000_0000_0000_0000));
        assert_eq!(i64_div_s(i64::MAX, -1), Ok(-i64::MAX));
        assert_eq!(i64_div_s(-7, 3), Ok(-2));
        assert_eq!(i64_div_s(7, -3), Ok(-2));
        assert_eq!(i64_div_s(-7, -3), Ok(2));
    }

    #[test]
    fn i64_div_u_cases() {
        assert_eq!(i64_div_u(1, 0), Err(DivisionByZero));
        assert_eq!(i64_div_u(0, 0), Err(DivisionByZero));
        assert_eq!(i64_div_u(0x8000_0000_0000_0000, u64::MAX), Ok(0));
        assert_eq!(
            i64_div_u(0x8000_0000_0000_0000, 2),
            Ok(0x4000_0000_0000_0000)
        );
        assert_eq!(
            i64_div_u(0x8000_0000_0000_0001, 1000),
            Ok(0x20_c49b_a5e3_53f7)
        );
        assert_eq!(i64_div_u(u64::MAX, 1), Ok(u64::MAX));
    }

    #[test]
    fn i64_rem_s_cases() {
        assert_eq!(i64_rem_s(1, 0), Err(DivisionByZero));
        assert_eq!(i64_rem_s(0, 0), Err(DivisionByZero));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i64_rem_s(i64::MIN, 2), Ok(0));
        assert_eq!(i64_rem_s(-7, 3), Ok(-1));
        assert_eq!(i64_rem_s(7, -3), Ok(1));
        assert_eq!(i64_rem_s(i64::MIN, 3), Ok(-2));
    }

    #[test]
    fn i64_rem_u_cases() {
        assert_eq!(i64_rem_u(1, 0), Err(DivisionByZero));
        assert_eq!(i64_rem_u(0, 0), Err(DivisionByZero));
        assert_eq!(
            i64_rem_u(0x8000_0000_0000_0000, u64::MAX),
            Ok(0x8000_0000_0000_0000)
        );
        assert_eq!(i64_rem_u(0x8000_0000_0000_0001, 1000), Ok(809));
        assert_eq!(i64_rem_u(u64::MAX, u64::MAX), Ok(0));
    }

    // ----- min / max -----

    #[test]
    fn min_max_signed_zeros() {
        for (a, b) in [(0.0f32, -0.0f32), (-0.0, 0.0), (-0.0, -0.0)] {
            same32(f32_min(a, b), -0.0);
        }
        for (a, b) in [(0.0f32, -0.0f32), (-0.0, 0.0), (0.0, 0.0)] {
            same32(f32_max(a, b), 0.0);
        }
        same32(f32_max(-0.0, -0.0), -0.0);
        same32(f32_min(0.0, 0.0), 0.0);
        for (a, b) in [(0.0f64, -0.0f64), (-0.0, 0.0), (-0.0, -0.0)] {
            same64(f64_min(a, b), -0.0);
        }
        for (a, b) in [(0.0f64, -0.0f64), (-0.0, 0.0), (0.0, 0.0)] {
            same64(f64_max(a, b), 0.0);
        }
        same64(f64_max(-0.0, -0.0), -0.0);
        same64(f64_min(0.0, 0.0), 0.0);
    }

    #[test]
    fn min_max_ordinary() {
        same32(f32_min(1.0, 2.0), 1.0);
        same32(f32_min(2.0, 1.0), 1.0);
        same32(f32_max(1.0, 2.0), 2.0);
        same32(f32_max(2.0, 1.0), 2.0);
        same32(f32_min(-0.0, 1e-45), -0.0);
        same32(f32_max(-1e-45, 0.0), 0.0);
        same32(f32_min(f32::NEG_INFINITY, f32::MIN), f32::NEG_INFINITY);
        same32(f32_max(f32::INFINITY, f32::MAX), f32::INFINITY);
        same32(f32_min(f32::INFINITY, -0.0), -0.0);
        same32(f32_max(f32::NEG_INFINITY, -0.0), -0.0);
        same64(f64_min(-1.5, 1.5), -1.5);
        same64(f64_max(-1.5, 1.5), 1.5);
        same64(f64_min(f64::NEG_INFINITY, f64::MIN), f64::NEG_INFINITY);
        same64(f64_max(f64::INFINITY, f64::MAX), f64::INFINITY);
        same64(f64_max(5e-324, 0.0), 5e-324);
    }

    #[test]
    fn min_max_nan_f32() {
        let others = [0.0f32, -0.0, 1.0, f32::INFINITY, f32::NEG_INFINITY];
        // Canonical NaN inputs must give a canonical NaN.
        for nan in [F32_NAN, F32_NEG_NAN].map(f32b) {
            for x in others.into_iter().chain([nan]) {
                for r in [
                    f32_min(nan, x),
                    f32_min(x, nan),
                    f32_max(nan, x),
                    f32_max(x, nan),
                ] {
                    assert!(is_canonical_f32(r), "{:#x}", r.to_bits());
                }
            }
        }
        // Other NaNs (signaling included) must give an arithmetic (quiet) NaN.
        for nan in [F32_SNAN, F32_NEG_SNAN, F32_QNAN_PAYLOAD].map(f32b) {
            for x in others.into_iter().chain([nan, f32b(F32_NAN)]) {
                for r in [
                    f32_min(nan, x),
                    f32_min(x, nan),
                    f32_max(nan, x),
                    f32_max(x, nan),
                ] {
                    assert!(is_arithmetic_f32(r), "{:#x}", r.to_bits());
                }
            }
        }
    }

    #[test]
    fn min_max_nan_f64() {
        let others = [0.0f64, -0.0, 1.0, f64::INFINITY, f64::NEG_INFINITY];
        for nan in [F64_NAN, F64_NEG_NAN].map(f64b) {
            for x in others.into_iter().chain([nan]) {
                for r in [
                    f64_min(nan, x),
                    f64_min(x, nan),
                    f64_max(nan, x),
                    f64_max(x, nan),
                ] {
                    assert!(is_canonical_f64(r), "{:#x}", r.to_bits());
                }
            }
        }
        for nan in [F64_SNAN, F64_NEG_SNAN, F64_QNAN_PAYLOAD].map(f64b) {
            for x in others.into_iter().chain([nan, f64b(F64_NAN)]) {
                for r in [
                    f64_min(nan, x),
                    f64_min(x, nan),
                    f64_max(nan, x),
                    f64_max(x, nan),
                ] {
                    assert!(is_arithmetic_f64(r), "{:#x}", r.to_bits());
                }
            }
        }
    }

    // ----- nearest -----

    #[test]
    fn f32_nearest_cases() {
        let cases: [(f32, f32); 22] = [
            (0.0, 0.0),
            (-0.0, -0.0),
            (0.5, 0.0),
            (-0.5, -0.0),
            (0.4, 0.0),
            (-0.4, -0.0),
            (1.5, 2.0),
            (-1.5, -2.0),
            (2.5, 2.0),
            (-2.5, -2.0),
            (3.5, 4.0),
            (-3.5, -4.0),
            (4.5, 4.0),
            (-4.5, -4.0),
            (0.6, 1.0),
            (-0.6, -1.0),
            // 0x1.fffffep-2: the largest float below 0.5; `floor(x + 0.5)` gets 1.0.
            (0.49999997, 0.0),
            (-0.49999997, -0.0),
            // 0x1.fffffep+22 = 8388607.5, a tie: 8388608 is even.
            (8388607.5, 8388608.0),
            (-8388607.5, -8388608.0),
            // >= 2^23: already integral, unchanged.
            (8388609.0, 8388609.0),
            (-8388609.0, -8388609.0),
        ];
        for (x, want) in cases {
            same32(f32_nearest(x), want);
        }
        for x in [
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            16777215.0,
            1e30,
        ] {
            same32(f32_nearest(x), x);
        }
        same32(f32_nearest(f32b(1)), 0.0); // smallest subnormal
        same32(f32_nearest(f32b(F32_SIGN | 1)), -0.0);
    }

    #[test]
    fn f64_nearest_cases() {
        let cases: [(f64, f64); 19] = [
            (0.0, 0.0),
            (-0.0, -0.0),
            (0.5, 0.0),
            (-0.5, -0.0),
            (-0.4, -0.0),
            (1.5, 2.0),
            (-1.5, -2.0),
            (2.5, 2.0),
            (-2.5, -2.0),
            (3.5, 4.0),
            (-3.5, -4.0),
            (4.5, 4.0),
            (-4.5, -4.0),
            // 0x1.fffffffffffffp-2: the largest double below 0.5.
            (0.49999999999999994, 0.0),
            (-0.49999999999999994, -0.0),
            // 0x1.fffffffffffffp+51 = 2^52 - 0.5, a tie: 2^52 is even.
            (4503599627370495.5, 4503599627370496.0),
            (-4503599627370495.5, -4503599627370496.0),
            // >= 2^52: already integral, unchanged.
            (4503599627370497.0, 4503599627370497.0),
            (-4503599627370497.0, -4503599627370497.0),
        ];
        for (x, want) in cases {
            same64(f64_nearest(x), want);
        }
        for x in [f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN, 1e300] {
            same64(f64_nearest(x), x);
        }
        same64(f64_nearest(f64b(1)), 0.0);
        same64(f64_nearest(f64b(F64_SIGN | 1)), -0.0);
    }

    // ----- ceil / floor / trunc -----

    #[test]
    fn f32_ceil_floor_trunc_cases() {
        // (x, ceil, floor, trunc)
        let cases: [(f32, f32, f32, f32); 12] = [
            (0.0, 0.0, 0.0, 0.0),
            (-0.0, -0.0, -0.0, -0.0),
            (0.5, 1.0, 0.0, 0.0),
            (-0.5, -0.0, -1.0, -0.0),
            (1.0, 1.0, 1.0, 1.0),
            (-1.0, -1.0, -1.0, -1.0),
            (1.5, 2.0, 1.0, 1.0),
            (-1.5, -1.0, -2.0, -1.0),
            (8388607.5, 8388608.0, 8388607.0, 8388607.0),
            (-8388607.5, -8388607.0, -8388608.0, -8388607.0),
            (8388609.0, 8388609.0, 8388609.0, 8388609.0),
            (f32::MAX, f32::MAX, f32::MAX, f32::MAX),
        ];
        for (x, c, f, t) in cases {
            same32(f32_ceil(x), c);
            same32(f32_floor(x), f);
            same32(f32_trunc(x), t);
        }
        let tiny = f32b(1);
        let neg_tiny = f32b(F32_SIGN | 1);
        same32(f32_ceil(tiny), 1.0);
        same32(f32_floor(tiny), 0.0);
        same32(f32_trunc(tiny), 0.0);
        same32(f32_ceil(neg_tiny), -0.0);
        same32(f32_floor(neg_tiny), -1.0);
        same32(f32_trunc(neg_tiny), -0.0);
        for x in [f32::INFINITY, f32::NEG_INFINITY] {
            same32(f32_ceil(x), x);
            same32(f32_floor(x), x);
            same32(f32_trunc(x), x);
        }
    }

    #[test]
    fn f64_ceil_floor_trunc_cases() {
        let cases: [(f64, f64, f64, f64); 12] = [
            (0.0, 0.0, 0.0, 0.0),
            (-0.0, -0.0, -0.0, -0.0),
            (0.5, 1.0, 0.0, 0.0),
            (-0.5, -0.0, -1.0, -0.0),
            (1.0, 1.0, 1.0, 1.0),
            (-1.0, -1.0, -1.0, -1.0),
            (1.5, 2.0, 1.0, 1.0),
            (-1.5, -1.0, -2.0, -1.0),
            (
                4503599627370495.5,
                4503599627370496.0,
                4503599627370495.0,
                4503599627370495.0,
            ),
            (
                -4503599627370495.5,
                -4503599627370495.0,
                -4503599627370496.0,
                -4503599627370495.0,
            ),
            (
                4503599627370497.0,
                4503599627370497.0,
                4503599627370497.0,
                4503599627370497.0,
            ),
            (f64::MAX, f64::MAX, f64::MAX, f64::MAX),
        ];
        for (x, c, f, t) in cases {
            same64(f64_ceil(x), c);
            same64(f64_floor(x), f);
            same64(f64_trunc(x), t);
        }
        let tiny = f64b(1);
        let neg_tiny = f64b(F64_SIGN | 1);
        same64(f64_ceil(tiny), 1.0);
        same64(f64_floor(tiny), 0.0);
        same64(f64_ceil(neg_tiny), -0.0);
        same64(f64_floor(neg_tiny), -1.0);
        same64(f64_trunc(neg_tiny), -0.0);
        for x in [f64::INFINITY, f64::NEG_INFINITY] {
            same64(f64_ceil(x), x);
            same64(f64_floor(x), x);
            same64(f64_trunc(x), x);
        }
    }

    // ----- sqrt -----

    #[test]
    fn f32_sqrt_cases() {
        same32(f32_sqrt(0.0), 0.0);
        same32(f32_sqrt(-0.0), -0.0); // IEEE: sqrt(-0) = -0
        same32(f32_sqrt(4.0), 2.0);
        same32(f32_sqrt(f32::INFINITY), f32::INFINITY);
        // Correct rounding: 0x1.000002p+0 -> 0x1p+0, 0x1.000004p+0 -> 0x1.000002p+0.
        same32(f32_sqrt(f32b(0x3f80_0001)), 1.0);
        same32(f32_sqrt(f32b(0x3f80_0002)), f32b(0x3f80_0001));
        // No NaN inputs: the result must be canonical.
        for x in [-1.0f32, f32::NEG_INFINITY, f32b(F32_SIGN | 1), f32::MIN] {
            assert!(is_canonical_f32(f32_sqrt(x)), "sqrt({x:?})");
        }
    }

    #[test]
    fn f64_sqrt_cases() {
        same64(f64_sqrt(0.0), 0.0);
        same64(f64_sqrt(-0.0), -0.0);
        same64(f64_sqrt(4.0), 2.0);
        same64(f64_sqrt(f64::INFINITY), f64::INFINITY);
        // Correct rounding near 1 (float_misc.wast).
        same64(
            f64_sqrt(f64b(0x3fef_ffff_ffff_ffff)),
            f64b(0x3fef_ffff_ffff_ffff),
        );
        same64(
            f64_sqrt(f64b(0x3fef_ffff_ffff_fffe)),
            f64b(0x3fef_ffff_ffff_ffff),
        );
        for x in [-1.0f64, f64::NEG_INFINITY, f64b(F64_SIGN | 1), f64::MIN] {
            assert!(is_canonical_f64(f64_sqrt(x)), "sqrt({x:?})");
        }
    }

    // ----- NaN propagation through unary ops -----

    #[test]
    fn unary_nan_f32() {
        let ops: [fn(f32) -> f32; 5] = [f32_nearest, f32_ceil, f32_floor, f32_trunc, f32_sqrt];
        for op in ops {
            for nan in [F32_NAN, F32_NEG_NAN].map(f32b) {
                assert!(is_canonical_f32(op(nan)));
            }
            // libm alone would return the signaling NaN unchanged.
            for nan in [F32_SNAN, F32_NEG_SNAN, F32_QNAN_PAYLOAD].map(f32b) {
                assert!(is_arithmetic_f32(op(nan)), "{:#x}", op(nan).to_bits());
            }
        }
    }

    #[test]
    fn unary_nan_f64() {
        let ops: [fn(f64) -> f64; 5] = [f64_nearest, f64_ceil, f64_floor, f64_trunc, f64_sqrt];
        for op in ops {
            for nan in [F64_NAN, F64_NEG_NAN].map(f64b) {
                assert!(is_canonical_f64(op(nan)));
            }
            for nan in [F64_SNAN, F64_NEG_SNAN, F64_QNAN_PAYLOAD].map(f64b) {
                assert!(is_arithmetic_f64(op(nan)), "{:#x}", op(nan).to_bits());
            }
        }
    }

    // ----- abs / neg / copysign -----

    #[test]
    fn f32_sign_ops() {
        same32(f32_abs(-0.0), 0.0);
        same32(f32_abs(0.0), 0.0);
        same32(f32_abs(-1.5), 1.5);
        same32(f32_abs(f32::NEG_INFINITY), f32::INFINITY);
        same32(f32_neg(0.0), -0.0);
        same32(f32_neg(-0.0), 0.0);
        same32(f32_neg(1.5), -1.5);
        same32(f32_neg(f32::INFINITY), f32::NEG_INFINITY);
        // NaNs: only the sign bit changes, payload and signaling bit stay.
        same32(f32_abs(f32b(F32_NEG_SNAN)), f32b(F32_SNAN));
        same32(f32_abs(f32b(F32_SNAN)), f32b(F32_SNAN));
        same32(f32_abs(f32b(0xffc0_1234)), f32b(F32_QNAN_PAYLOAD));
        same32(f32_neg(f32b(F32_SNAN)), f32b(F32_NEG_SNAN));
        same32(f32_neg(f32b(F32_NEG_NAN)), f32b(F32_NAN));
        same32(f32_neg(f32b(F32_QNAN_PAYLOAD)), f32b(0xffc0_1234));

        same32(f32_copysign(1.5, -0.0), -1.5);
        same32(f32_copysign(-1.5, 0.0), 1.5);
        same32(f32_copysign(0.0, -1.0), -0.0);
        same32(f32_copysign(-0.0, f32::INFINITY), 0.0);
        // Sign taken from a NaN's sign bit.
        same32(f32_copysign(1.0, f32b(F32_NEG_NAN)), -1.0);
        same32(f32_copysign(-1.0, f32b(F32_SNAN)), 1.0);
        // NaN magnitude kept bit-exactly.
        same32(f32_copysign(f32b(F32_SNAN), -1.0), f32b(F32_NEG_SNAN));
        same32(
            f32_copysign(f32b(F32_NEG_SNAN), f32b(F32_NAN)),
            f32b(F32_SNAN),
        );
        same32(
            f32_copysign(f32b(F32_QNAN_PAYLOAD), -0.0),
            f32b(0xffc0_1234),
        );
    }

    #[test]
    fn f64_sign_ops() {
        same64(f64_abs(-0.0), 0.0);
        same64(f64_abs(-1.5), 1.5);
        same64(f64_abs(f64::NEG_INFINITY), f64::INFINITY);
        same64(f64_neg(0.0), -0.0);
        same64(f64_neg(-0.0), 0.0);
        same64(f64_neg(1.5), -1.5);
        same64(f64_abs(f64b(F64_NEG_SNAN)), f64b(F64_SNAN));
        same64(
            f64_abs(f64b(F64_QNAN_PAYLOAD | F64_SIGN)),
            f64b(F64_QNAN_PAYLOAD),
        );
        same64(f64_neg(f64b(F64_SNAN)), f64b(F64_NEG_SNAN));
        same64(f64_neg(f64b(F64_NEG_NAN)), f64b(F64_NAN));

        same64(f64_copysign(1.5, -0.0), -1.5);
        same64(f64_copysign(-1.5, 0.0), 1.5);
        same64(f64_copysign(0.0, -1.0), -0.0);
        same64(f64_copysign(1.0, f64b(F64_NEG_NAN)), -1.0);
        same64(f64_copysign(-1.0, f64b(F64_SNAN)), 1.0);
        same64(f64_copysign(f64b(F64_SNAN), -1.0), f64b(F64_NEG_SNAN));
        same64(
            f64_copysign(f64b(F64_NEG_SNAN), f64b(F64_NAN)),
            f64b(F64_SNAN),
        );
    }

    // ----- trapping truncation -----

    /// NaNs of every kind are InvalidConversion; infinities are IntegerOverflow.
    #[test]
    fn trunc_nan_and_infinity() {
        let nans32 = [
            F32_NAN,
            F32_NEG_NAN,
            F32_SNAN,
            F32_NEG_SNAN,
            F32_QNAN_PAYLOAD,
        ]
        .map(f32b);
        for x in nans32 {
            assert_eq!(i32_trunc_f32_s(x), Err(InvalidConversion));
            assert_eq!(i32_trunc_f32_u(x), Err(InvalidConversion));
            assert_eq!(i64_trunc_f32_s(x), Err(InvalidConversion));
            assert_eq!(i64_trunc_f32_u(x), Err(InvalidConversion));
        }
        let nans64 = [
            F64_NAN,
            F64_NEG_NAN,
            F64_SNAN,
            F64_NEG_SNAN,
            F64_QNAN_PAYLOAD,
        ]
        .map(f64b);
        for x in nans64 {
            assert_eq!(i32_trunc_f64_s(x), Err(InvalidConversion));
            assert_eq!(i32_trunc_f64_u(x), Err(InvalidConversion));
            assert_eq!(i64_trunc_f64_s(x), Err(InvalidConversion));
            assert_eq!(i64_trunc_f64_u(x), Err(InvalidConversion));
        }
        for x in [f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(i32_trunc_f32_s(x), Err(IntegerOverflow));
            assert_eq!(i32_trunc_f32_u(x), Err(IntegerOverflow));
            assert_eq!(i64_trunc_f32_s(x), Err(IntegerOverflow));
            assert_eq!(i64_trunc_f32_u(x), Err(IntegerOverflow));
        }
        for x in [f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(i32_trunc_f64_s(x), Err(IntegerOverflow));
            assert_eq!(i32_trunc_f64_u(x), Err(IntegerOverflow));
            assert_eq!(i64_trunc_f64_s(x), Err(IntegerOverflow));
            assert_eq!(i64_trunc_f64_u(x), Err(IntegerOverflow));
        }
    }

    #[test]
    fn i32_trunc_f32_s_cases() {
        let f = i32_trunc_f32_s;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(f32b(1)), Ok(0));
        assert_eq!(f(1.0), Ok(1));
        assert_eq!(f(1.1), Ok(1));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(-1.0), Ok(-1));
        assert_eq!(f(-1.1), Ok(-1));
        assert_eq!(f(-1.5), Ok(-1));
        assert_eq!(f(-1.9), Ok(-1));
        assert_eq!(f(-2.0), Ok(-2));
        // Largest f32 below 2^31, and 2^31 itself.
        assert_eq!(f(2147483520.0), Ok(2147483520));
        assert_eq!(f(2147483648.0f32.next_down()), Ok(2147483520));
        assert_eq!(f(2147483648.0), Err(IntegerOverflow));
        // -2^31 is fine; the next f32 below it (-2^31 - 256) is not.
        assert_eq!(f(-2147483648.0), Ok(i32::MIN));
        assert_eq!((-2147483648.0f32).next_down(), -2147483904.0);
        assert_eq!(f(-2147483904.0), Err(IntegerOverflow));
        assert_eq!(f(f32::MAX), Err(IntegerOverflow));
        assert_eq!(f(f32::MIN), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f32_u_cases() {
        let f = i32_trunc_f32_u;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(1.0), Ok(1));
        assert_eq!(f(1.1), Ok(1));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(1e8), Ok(100000000));
        assert_eq!(f(2147483648.0), Ok(0x8000_0000));
        // Largest f32 below 2^32, and 2^32 itself.
        assert_eq!(f(4294967040.0), Ok(4294967040));
        assert_eq!(f(4294967296.0f32.next_down()), Ok(4294967040));
        assert_eq!(f(4294967296.0), Err(IntegerOverflow));
        // (-1, 0) truncates to 0; -1 does not.
        assert_eq!(f(-0.9), Ok(0));
        assert_eq!(f(f32b(0xbf7f_ffff)), Ok(0)); // -0x1.fffffep-1
        assert_eq!(f(-1.0), Err(IntegerOverflow));
        assert_eq!(f(-2.0), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f64_s_cases() {
        let f = i32_trunc_f64_s;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(f64b(1)), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(-1.5), Ok(-1));
        assert_eq!(f(-1.9), Ok(-1));
        assert_eq!(f(2147483647.0), Ok(i32::MAX));
        assert_eq!(f(2147483647.9), Ok(i32::MAX));
        assert_eq!(f(2147483648.0f64.next_down()), Ok(i32::MAX));
        assert_eq!(f(2147483648.0), Err(IntegerOverflow));
        assert_eq!(f(-2147483648.0), Ok(i32::MIN));
        assert_eq!(f(-2147483648.9), Ok(i32::MIN));
        assert_eq!(f((-2147483649.0f64).next_up()), Ok(i32::MIN));
        assert_eq!(f(-2147483649.0), Err(IntegerOverflow));
        assert_eq!(f(1e16), Err(IntegerOverflow));
        assert_eq!(f(-1e16), Err(IntegerOverflow));
    }

    #[test]
    fn i32_trunc_f64_u_cases() {
        let f = i32_trunc_f64_u;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(1e8), Ok(100000000));
        assert_eq!(f(2147483648.0), Ok(0x8000_0000));
        assert_eq!(f(4294967295.0), Ok(u32::MAX));
        assert_eq!(f(4294967295.9), Ok(u32::MAX));
        assert_eq!(f(4294967296.0f64.next_down()), Ok(u32::MAX));
        assert_eq!(f(4294967296.0), Err(IntegerOverflow));
        assert_eq!(f(-0.9), Ok(0));
        assert_eq!(f((-1.0f64).next_up()), Ok(0));
        assert_eq!(f(-1.0), Err(IntegerOverflow));
        assert_eq!(f(1e16), Err(IntegerOverflow));
        assert_eq!(f(1e30), Err(IntegerOverflow));
        assert_eq!(f(9223372036854775808.0), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f32_s_cases() {
        let f = i64_trunc_f32_s;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(-1.5), Ok(-1));
        assert_eq!(f(4294967296.0), Ok(4294967296));
        assert_eq!(f(-4294967296.0), Ok(-4294967296));
        // Largest f32 below 2^63, and 2^63 itself.
        assert_eq!(f(9223371487098961920.0), Ok(9223371487098961920));
        assert_eq!(
            f(9223372036854775808.0f32.next_down()),
            Ok(9223371487098961920)
        );
        assert_eq!(f(9223372036854775808.0), Err(IntegerOverflow));
        // -2^63 is fine; the next f32 below it (-2^63 - 2^40) is not.
        assert_eq!(f(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            (-9223372036854775808.0f32).next_down(),
            -9223373136366403584.0
        );
        assert_eq!(f(-9223373136366403584.0), Err(IntegerOverflow));
        assert_eq!(f(f32::MAX), Err(IntegerOverflow));
        assert_eq!(f(f32::MIN), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f32_u_cases() {
        let f = i64_trunc_f32_u;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(4294967296.0), Ok(4294967296));
        // Largest f32 below 2^64, and 2^64 itself.
        assert_eq!(f(18446742974197923840.0), Ok(18446742974197923840));
        assert_eq!(
            f(18446744073709551616.0f32.next_down()),
            Ok(18446742974197923840)
        );
        assert_eq!(f(18446744073709551616.0), Err(IntegerOverflow));
        assert_eq!(f(-0.9), Ok(0));
        assert_eq!(f((-1.0f32).next_up()), Ok(0));
        assert_eq!(f(-1.0), Err(IntegerOverflow));
        assert_eq!(f(f32::MAX), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f64_s_cases() {
        let f = i64_trunc_f64_s;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(f64b(1)), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(-1.5), Ok(-1));
        assert_eq!(f(-1.9), Ok(-1));
        assert_eq!(f(4294967296.0), Ok(4294967296));
        // Largest f64 below 2^63, and 2^63 itself.
        assert_eq!(f(9223372036854774784.0), Ok(9223372036854774784));
        assert_eq!(
            f(9223372036854775808.0f64.next_down()),
            Ok(9223372036854774784)
        );
        assert_eq!(f(9223372036854775808.0), Err(IntegerOverflow));
        // -2^63 is fine; the next f64 below it (-2^63 - 2048) is not.
        assert_eq!(f(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            (-9223372036854775808.0f64).next_down(),
            -9223372036854777856.0
        );
        assert_eq!(f(-9223372036854777856.0), Err(IntegerOverflow));
        assert_eq!(f(f64::MAX), Err(IntegerOverflow));
        assert_eq!(f(f64::MIN), Err(IntegerOverflow));
    }

    #[test]
    fn i64_trunc_f64_u_cases() {
        let f = i64_trunc_f64_u;
        assert_eq!(f(0.0), Ok(0));
        assert_eq!(f(-0.0), Ok(0));
        assert_eq!(f(1.5), Ok(1));
        assert_eq!(f(4294967295.0), Ok(0xffff_ffff));
        assert_eq!(f(4294967296.0), Ok(0x1_0000_0000));
        assert_eq!(f(9223372036854775808.0), Ok(0x8000_0000_0000_0000));
        // Largest f64 below 2^64, and 2^64 itself.
        assert_eq!(f(18446744073709549568.0), Ok(18446744073709549568));
        assert_eq!(
            f(18446744073709551616.0f64.next_down()),
            Ok(18446744073709549568)
        );
        assert_eq!(f(18446744073709551616.0), Err(IntegerOverflow));
        assert_eq!(f(-0.9), Ok(0));
        assert_eq!(f((-1.0f64).next_up()), Ok(0));
        assert_eq!(f(-1.0), Err(IntegerOverflow));
        assert_eq!(f(1e30), Err(IntegerOverflow));
    }

    // ----- saturating truncation -----

    #[test]
    fn trunc_sat_nan_infinity_and_bounds() {
        for x in [F32_NAN, F32_NEG_NAN, F32_SNAN, F32_NEG_SNAN].map(f32b) {
            assert_eq!(i32_trunc_sat_f32_s(x), 0);
            assert_eq!(i32_trunc_sat_f32_u(x), 0);
            assert_eq!(i64_trunc_sat_f32_s(x), 0);
            assert_eq!(i64_trunc_sat_f32_u(x), 0);
        }
        for x in [F64_NAN, F64_NEG_NAN, F64_SNAN, F64_NEG_SNAN].map(f64b) {
            assert_eq!(i32_trunc_sat_f64_s(x), 0);
            assert_eq!(i32_trunc_sat_f64_u(x), 0);
            assert_eq!(i64_trunc_sat_f64_s(x), 0);
            assert_eq!(i64_trunc_sat_f64_u(x), 0);
        }

        assert_eq!(i32_trunc_sat_f32_s(f32::INFINITY), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(f32::NEG_INFINITY), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(2147483648.0), i32::MAX);
        assert_eq!(i32_trunc_sat_f32_s(-2147483904.0), i32::MIN);
        assert_eq!(i32_trunc_sat_f32_s(-1.9), -1);

        assert_eq!(i32_trunc_sat_f32_u(f32::INFINITY), u32::MAX);
        assert_eq!(i32_trunc_sat_f32_u(f32::NEG_INFINITY), 0);
        assert_eq!(i32_trunc_sat_f32_u(4294967296.0), u32::MAX);
        assert_eq!(i32_trunc_sat_f32_u(-1.0), 0);
        assert_eq!(i32_trunc_sat_f32_u(-0.9), 0);

        assert_eq!(i32_trunc_sat_f64_s(f64::INFINITY), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_s(f64::NEG_INFINITY), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_s(2147483648.0), i32::MAX);
        assert_eq!(i32_trunc_sat_f64_s(-2147483649.0), i32::MIN);
        assert_eq!(i32_trunc_sat_f64_s(2147483647.9), i32::MAX);

        assert_eq!(i32_trunc_sat_f64_u(f64::INFINITY), u32::MAX);
        assert_eq!(i32_trunc_sat_f64_u(f64::NEG_INFINITY), 0);
        assert_eq!(i32_trunc_sat_f64_u(4294967296.0), u32::MAX);
        assert_eq!(i32_trunc_sat_f64_u(1e16), u32::MAX);
        assert_eq!(i32_trunc_sat_f64_u(-1.0), 0);

        assert_eq!(i64_trunc_sat_f32_s(f32::INFINITY), i64::MAX);
        assert_eq!(i64_trunc_sat_f32_s(f32::NEG_INFINITY), i64::MIN);
        assert_eq!(i64_trunc_sat_f32_s(9223372036854775808.0), i64::MAX);
        assert_eq!(i64_trunc_sat_f32_s(-9223373136366403584.0), i64::MIN);

        assert_eq!(i64_trunc_sat_f32_u(f32::INFINITY), u64::MAX);
        assert_eq!(i64_trunc_sat_f32_u(18446744073709551616.0), u64::MAX);
        assert_eq!(i64_trunc_sat_f32_u(-1.0), 0);

        assert_eq!(i64_trunc_sat_f64_s(f64::INFINITY), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_s(f64::NEG_INFINITY), i64::MIN);
        assert_eq!(i64_trunc_sat_f64_s(9223372036854775808.0), i64::MAX);
        assert_eq!(i64_trunc_sat_f64_s(-9223372036854777856.0), i64::MIN);

        assert_eq!(i64_trunc_sat_f64_u(f64::INFINITY), u64::MAX);
        assert_eq!(i64_trunc_sat_f64_u(f64::NEG_INFINITY), 0);
        assert_eq!(i64_trunc_sat_f64_u(18446744073709551616.0), u64::MAX);
        assert_eq!(i64_trunc_sat_f64_u(-1.0), 0);
    }

    /// Wherever the trapping form succeeds the saturating one must agree.
    #[test]
    fn trunc_sat_agrees_with_trapping_in_range() {
        let xs32 = [
            0.0f32,
            -0.0,
            0.9,
            -0.9,
            1.5,
            -1.5,
            2147483520.0,
            -2147483648.0,
            4294967040.0,
            9223371487098961920.0,
            -9223372036854775808.0,
            18446742974197923840.0,
        ];
        for x in xs32 {
            if let Ok(v) = i32_trunc_f32_s(x) {
                assert_eq!(i32_trunc_sat_f32_s(x), v);
            }
            if let Ok(v) = i32_trunc_f32_u(x) {
                assert_eq!(i32_trunc_sat_f32_u(x), v);
            }
            if let Ok(v) = i64_trunc_f32_s(x) {
                assert_eq!(i64_trunc_sat_f32_s(x), v);
            }
            if let Ok(v) = i64_trunc_f32_u(x) {
                assert_eq!(i64_trunc_sat_f32_u(x), v);
            }
        }
        let xs64 = [
            0.0f64,
            -0.0,
            0.9,
            -0.9,
            1.5,
            -1.5,
            2147483647.9,
            -2147483648.9,
            4294967295.9,
            9223372036854774784.0,
            -9223372036854775808.0,
            18446744073709549568.0,
        ];
        for x in xs64 {
            if let Ok(v) = i32_trunc_f64_s(x) {
                assert_eq!(i32_trunc_sat_f64_s(x), v);
            }
            if let Ok(v) = i32_trunc_f64_u(x) {
                assert_eq!(i32_trunc_sat_f64_u(x), v);
            }
            if let Ok(v) = i64_trunc_f64_s(x) {
                assert_eq!(i64_trunc_sat_f64_s(x), v);
            }
            if let Ok(v) = i64_trunc_f64_u(x) {
                assert_eq!(i64_trunc_sat_f64_u(x), v);
            }
        }
    }

    // ----- int-to-float: justifies not wrapping `as` -----

    /// Double-rounding cases from conversions.wast: Rust's `as` rounds once,
    /// to nearest-even, as Wasm requires.
    #[test]
    fn int_to_float_as_is_exact() {
        same32(16777217i32 as f32, 16777216.0);
        same32(16777219i32 as f32, 16777220.0);
        same32(-16777217i32 as f32, -16777216.0);
        same32(0xffff_ff7f_u32 as f32, 4294967040.0);
        same32(0x8000_0080_u32 as f32, 2147483648.0);
        same32(0x8000_0081_u32 as f32, 2147483904.0);
        same32(0x0020_0000_2000_0001_i64 as f32, 9007200328482816.0);
        same32(-0x0020_0000_2000_0001_i64 as f32, -9007200328482816.0);
        same32(0x8000_0080_0000_0001_u64 as f32, 9223373136366403584.0);
        same32(0xffff_fe80_0000_0001_u64 as f32, 18446742974197923840.0);
        same32(u64::MAX as f32, 18446744073709551616.0);
        same32(i64::MIN as f32, -9223372036854775808.0);
        same64(9007199254740993i64 as f64, 9007199254740992.0);
        same64(9007199254740995i64 as f64, 9007199254740996.0);
        same64(-9007199254740993i64 as f64, -9007199254740992.0);
        same64(0x8000_0000_0000_0401_u64 as f64, 9223372036854777856.0);
        same64(0xffff_ffff_ffff_f401_u64 as f64, 18446744073709549568.0);
        same64(u64::MAX as f64, 18446744073709551616.0);
        same64(u32::MAX as f64, 4294967295.0);
    }
}
