//! Kestrel's instruction set: the register bytecode that function bodies are
//! translated into and that the executor runs.
//!
//! # Operands
//!
//! Every operand is a [`Reg`]: a slot index relative to the running frame's
//! base. A frame's slots are, in order, the function's parameters, its other
//! locals, and the temporaries that hold the Wasm operand stack (the value at
//! stack height `h` lives in slot `locals + h`). Slots are untyped 64-bit
//! cells: `i32` and `f32` values occupy the low 32 bits with the high bits
//! zero, so a reinterpretation is free; references are `0` for null and
//! `index + 1` otherwise.
//!
//! # Naming
//!
//! Numeric ops carry the spec instruction's name (`I32Add`). Suffixes:
//! - `…Imm`: the right operand is an immediate `i32` (sign-extended for 64-bit
//!   ops) instead of a register.
//! - `Br…`: a comparison fused with a conditional branch; jumps to `target`
//!   when the comparison holds. `BrNot…` jumps when it does not hold.
//! - `StepBr…`: a branch that first adds an `i16` `step` to its (first)
//!   register, in place: a loop counter's step fused with the loop's branch.
//! - Other fused ops are named after what they compute: `I32AddShlImm` is
//!   `lhs + (rhs << imm)`, `F64AddMul` is `acc + lhs * rhs`.
//!
//! Branch targets are absolute indices into the function's op sequence.
//!
//! # The numeric table
//!
//! [`for_each_numeric!`] lists every numeric op once, with its operand types
//! and its meaning as a Rust expression. The [`Op`] enum, the executor's
//! handlers and the translator's mapping from Wasm operators are all generated
//! from that one list, so an op cannot be added to one stage and forgotten in
//! another.

#![allow(missing_docs)]

/// A slot index relative to the frame base.
pub type Reg = u16;

/// Reading and writing typed values in untyped 64-bit slots.
///
/// A 32-bit value (`i32`, `f32`) is written zero-extended, here and
/// everywhere else a slot is filled (`Val::to_bits`, `WasmTy`, constant
/// initialisers, the translator's constants); copies keep it so. So the
/// slot of an `i32` is already its `i64.extend_i32_u`, which the
/// translator emits no op for.
pub(crate) trait Slot: Copy {
    fn from_bits(bits: u64) -> Self;
    fn into_bits(self) -> u64;
}

macro_rules! slot_int {
    ($($t:ty => $via:ty),*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn from_bits(bits: u64) -> Self { bits as $via as $t }
            #[inline(always)]
            fn into_bits(self) -> u64 { self as $via as u64 }
        }
    )*};
}
slot_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl Slot for f32 {
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
    #[inline(always)]
    fn into_bits(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Slot for f64 {
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    #[inline(always)]
    fn into_bits(self) -> u64 {
        self.to_bits()
    }
}

impl Slot for bool {
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        bits != 0
    }
    #[inline(always)]
    fn into_bits(self) -> u64 {
        self as u64
    }
}

/// Widening an `i32` immediate to an operand type.
pub(crate) trait FromImm {
    fn from_imm(imm: i32) -> Self;
}
impl FromImm for i32 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm
    }
}
impl FromImm for u32 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm as u32
    }
}
impl FromImm for i64 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm as i64
    }
}
impl FromImm for u64 {
    #[inline(always)]
    fn from_imm(imm: i32) -> Self {
        imm as i64 as u64
    }
}

/// Calls `$callback!` with the table of numeric ops, preceded by `$extra`.
///
/// Sections:
/// - `unary`: `Name(arg) -> result = fn;` becomes `Name { dst, src }`.
/// - `unary_trap`: as `unary`, the function returns `Result<_, NumericTrap>`.
/// - `binary`: `Name / NameImm (lhs, rhs) -> result = fn;` becomes
///   `Name { dst, lhs, rhs }` and, if named, `NameImm { dst, lhs, imm }`.
/// - `binary_trap`: as `binary` without immediates, may trap.
/// - `compare`: `Name / BrName / BrNotName [/ NameImm / BrNameImm /
///   BrNotNameImm [/ StepBrName / StepBrNameImm]] (operand) = fn;` becomes
///   the comparison producing an `i32` plus the branch forms fused with it;
///   `StepBr…` first adds an `i16` step to `lhs` (see [`Op::step_branch`]).
/// - `chain`: `Name (operand) = fn;` becomes `Name { dst, lhs, rhs, imm }`,
///   `dst = fn(lhs, rhs, imm)`: two ops whose first result only feeds the
///   second, in one (see [`Op::chain`]).
macro_rules! for_each_numeric {
    ($callback:ident $($extra:tt)*) => {
        $callback! {
            $($extra)*
            unary {
                I32Eqz(i32) -> bool = |x: i32| x == 0;
                I64Eqz(i64) -> bool = |x: i64| x == 0;
                I32Clz(u32) -> u32 = |x: u32| x.leading_zeros();
                I32Ctz(u32) -> u32 = |x: u32| x.trailing_zeros();
                I32Popcnt(u32) -> u32 = |x: u32| x.count_ones();
                I64Clz(u64) -> u64 = |x: u64| x.leading_zeros() as u64;
                I64Ctz(u64) -> u64 = |x: u64| x.trailing_zeros() as u64;
                I64Popcnt(u64) -> u64 = |x: u64| x.count_ones() as u64;
                F32Abs(f32) -> f32 = numeric::f32_abs;
                F32Neg(f32) -> f32 = numeric::f32_neg;
                F32Ceil(f32) -> f32 = numeric::f32_ceil;
                F32Floor(f32) -> f32 = numeric::f32_floor;
                F32Trunc(f32) -> f32 = numeric::f32_trunc;
                F32Nearest(f32) -> f32 = numeric::f32_nearest;
                F32Sqrt(f32) -> f32 = numeric::f32_sqrt;
                F64Abs(f64) -> f64 = numeric::f64_abs;
                F64Neg(f64) -> f64 = numeric::f64_neg;
                F64Ceil(f64) -> f64 = numeric::f64_ceil;
                F64Floor(f64) -> f64 = numeric::f64_floor;
                F64Trunc(f64) -> f64 = numeric::f64_trunc;
                F64Nearest(f64) -> f64 = numeric::f64_nearest;
                F64Sqrt(f64) -> f64 = numeric::f64_sqrt;
                I32WrapI64(u64) -> u32 = |x: u64| x as u32;
                I64ExtendI32S(i32) -> i64 = |x: i32| x as i64;
                I64ExtendI32U(u32) -> u64 = |x: u32| x as u64;
                F32ConvertI32S(i32) -> f32 = |x: i32| x as f32;
                F32ConvertI32U(u32) -> f32 = |x: u32| x as f32;
                F32ConvertI64S(i64) -> f32 = |x: i64| x as f32;
                F32ConvertI64U(u64) -> f32 = |x: u64| x as f32;
                F32DemoteF64(f64) -> f32 = |x: f64| x as f32;
                F64ConvertI32S(i32) -> f64 = |x: i32| x as f64;
                F64ConvertI32U(u32) -> f64 = |x: u32| x as f64;
                F64ConvertI64S(i64) -> f64 = |x: i64| x as f64;
                F64ConvertI64U(u64) -> f64 = |x: u64| x as f64;
                F64PromoteF32(f32) -> f64 = |x: f32| x as f64;
                I32Extend8S(i32) -> i32 = |x: i32| x as i8 as i32;
                I32Extend16S(i32) -> i32 = |x: i32| x as i16 as i32;
                I64Extend8S(i64) -> i64 = |x: i64| x as i8 as i64;
                I64Extend16S(i64) -> i64 = |x: i64| x as i16 as i64;
                I64Extend32S(i64) -> i64 = |x: i64| x as i32 as i64;
                I32TruncSatF32S(f32) -> i32 = numeric::i32_trunc_sat_f32_s;
                I32TruncSatF32U(f32) -> u32 = numeric::i32_trunc_sat_f32_u;
                I32TruncSatF64S(f64) -> i32 = numeric::i32_trunc_sat_f64_s;
                I32TruncSatF64U(f64) -> u32 = numeric::i32_trunc_sat_f64_u;
                I64TruncSatF32S(f32) -> i64 = numeric::i64_trunc_sat_f32_s;
                I64TruncSatF32U(f32) -> u64 = numeric::i64_trunc_sat_f32_u;
                I64TruncSatF64S(f64) -> i64 = numeric::i64_trunc_sat_f64_s;
                I64TruncSatF64U(f64) -> u64 = numeric::i64_trunc_sat_f64_u;
            }
            unary_trap {
                I32TruncF32S(f32) -> i32 = numeric::i32_trunc_f32_s;
                I32TruncF32U(f32) -> u32 = numeric::i32_trunc_f32_u;
                I32TruncF64S(f64) -> i32 = numeric::i32_trunc_f64_s;
                I32TruncF64U(f64) -> u32 = numeric::i32_trunc_f64_u;
                I64TruncF32S(f32) -> i64 = numeric::i64_trunc_f32_s;
                I64TruncF32U(f32) -> u64 = numeric::i64_trunc_f32_u;
                I64TruncF64S(f64) -> i64 = numeric::i64_trunc_f64_s;
                I64TruncF64U(f64) -> u64 = numeric::i64_trunc_f64_u;
            }
            binary {
                I32Add / I32AddImm (i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_add(b);
                I32Sub / I32SubImm (i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_sub(b);
                I32Mul / I32MulImm (i32, i32) -> i32 = |a: i32, b: i32| a.wrapping_mul(b);
                I32And / I32AndImm (u32, u32) -> u32 = |a: u32, b: u32| a & b;
                I32Or / I32OrImm (u32, u32) -> u32 = |a: u32, b: u32| a | b;
                I32Xor / I32XorImm (u32, u32) -> u32 = |a: u32, b: u32| a ^ b;
                I32Shl / I32ShlImm (u32, u32) -> u32 = |a: u32, b: u32| a.wrapping_shl(b);
                I32ShrS / I32ShrSImm (i32, u32) -> i32 = |a: i32, b: u32| a.wrapping_shr(b);
                I32ShrU / I32ShrUImm (u32, u32) -> u32 = |a: u32, b: u32| a.wrapping_shr(b);
                I32Rotl / I32RotlImm (u32, u32) -> u32 = |a: u32, b: u32| a.rotate_left(b & 31);
                I32Rotr / I32RotrImm (u32, u32) -> u32 = |a: u32, b: u32| a.rotate_right(b & 31);
                I64Add / I64AddImm (i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_add(b);
                I64Sub / I64SubImm (i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_sub(b);
                I64Mul / I64MulImm (i64, i64) -> i64 = |a: i64, b: i64| a.wrapping_mul(b);
                I64And / I64AndImm (u64, u64) -> u64 = |a: u64, b: u64| a & b;
                I64Or / I64OrImm (u64, u64) -> u64 = |a: u64, b: u64| a | b;
                I64Xor / I64XorImm (u64, u64) -> u64 = |a: u64, b: u64| a ^ b;
                I64Shl / I64ShlImm (u64, u64) -> u64 = |a: u64, b: u64| a.wrapping_shl(b as u32);
                I64ShrS / I64ShrSImm (i64, u64) -> i64 = |a: i64, b: u64| a.wrapping_shr(b as u32);
                I64ShrU / I64ShrUImm (u64, u64) -> u64 = |a: u64, b: u64| a.wrapping_shr(b as u32);
                I64Rotl / I64RotlImm (u64, u64) -> u64 = |a: u64, b: u64| a.rotate_left((b & 63) as u32);
                I64Rotr / I64RotrImm (u64, u64) -> u64 = |a: u64, b: u64| a.rotate_right((b & 63) as u32);
                F32Add (f32, f32) -> f32 = |a: f32, b: f32| a + b;
                F32Sub (f32, f32) -> f32 = |a: f32, b: f32| a - b;
                F32Mul (f32, f32) -> f32 = |a: f32, b: f32| a * b;
                F32Div (f32, f32) -> f32 = |a: f32, b: f32| a / b;
                F32Min (f32, f32) -> f32 = numeric::f32_min;
                F32Max (f32, f32) -> f32 = numeric::f32_max;
                F32Copysign (f32, f32) -> f32 = numeric::f32_copysign;
                F64Add (f64, f64) -> f64 = |a: f64, b: f64| a + b;
                F64Sub (f64, f64) -> f64 = |a: f64, b: f64| a - b;
                F64Mul (f64, f64) -> f64 = |a: f64, b: f64| a * b;
                F64Div (f64, f64) -> f64 = |a: f64, b: f64| a / b;
                F64Min (f64, f64) -> f64 = numeric::f64_min;
                F64Max (f64, f64) -> f64 = numeric::f64_max;
                F64Copysign (f64, f64) -> f64 = numeric::f64_copysign;
            }
            binary_trap {
                I32DivS (i32, i32) -> i32 = numeric::i32_div_s;
                I32DivU (u32, u32) -> u32 = numeric::i32_div_u;
                I32RemS (i32, i32) -> i32 = numeric::i32_rem_s;
                I32RemU (u32, u32) -> u32 = numeric::i32_rem_u;
                I64DivS (i64, i64) -> i64 = numeric::i64_div_s;
                I64DivU (u64, u64) -> u64 = numeric::i64_div_u;
                I64RemS (i64, i64) -> i64 = numeric::i64_rem_s;
                I64RemU (u64, u64) -> u64 = numeric::i64_rem_u;
            }
            compare {
                I32Eq / BrI32Eq / BrNotI32Eq / I32EqImm / BrI32EqImm / BrNotI32EqImm / StepBrI32Eq / StepBrI32EqImm (i32) = |a: i32, b: i32| a == b;
                I32Ne / BrI32Ne / BrNotI32Ne / I32NeImm / BrI32NeImm / BrNotI32NeImm / StepBrI32Ne / StepBrI32NeImm (i32) = |a: i32, b: i32| a != b;
                I32LtS / BrI32LtS / BrNotI32LtS / I32LtSImm / BrI32LtSImm / BrNotI32LtSImm / StepBrI32LtS / StepBrI32LtSImm (i32) = |a: i32, b: i32| a < b;
                I32LtU / BrI32LtU / BrNotI32LtU / I32LtUImm / BrI32LtUImm / BrNotI32LtUImm / StepBrI32LtU / StepBrI32LtUImm (u32) = |a: u32, b: u32| a < b;
                I32GtS / BrI32GtS / BrNotI32GtS / I32GtSImm / BrI32GtSImm / BrNotI32GtSImm / StepBrI32GtS / StepBrI32GtSImm (i32) = |a: i32, b: i32| a > b;
                I32GtU / BrI32GtU / BrNotI32GtU / I32GtUImm / BrI32GtUImm / BrNotI32GtUImm / StepBrI32GtU / StepBrI32GtUImm (u32) = |a: u32, b: u32| a > b;
                I32LeS / BrI32LeS / BrNotI32LeS / I32LeSImm / BrI32LeSImm / BrNotI32LeSImm / StepBrI32LeS / StepBrI32LeSImm (i32) = |a: i32, b: i32| a <= b;
                I32LeU / BrI32LeU / BrNotI32LeU / I32LeUImm / BrI32LeUImm / BrNotI32LeUImm / StepBrI32LeU / StepBrI32LeUImm (u32) = |a: u32, b: u32| a <= b;
                I32GeS / BrI32GeS / BrNotI32GeS / I32GeSImm / BrI32GeSImm / BrNotI32GeSImm / StepBrI32GeS / StepBrI32GeSImm (i32) = |a: i32, b: i32| a >= b;
                I32GeU / BrI32GeU / BrNotI32GeU / I32GeUImm / BrI32GeUImm / BrNotI32GeUImm / StepBrI32GeU / StepBrI32GeUImm (u32) = |a: u32, b: u32| a >= b;
                I64Eq / BrI64Eq / BrNotI64Eq / I64EqImm / BrI64EqImm / BrNotI64EqImm (i64) = |a: i64, b: i64| a == b;
                I64Ne / BrI64Ne / BrNotI64Ne / I64NeImm / BrI64NeImm / BrNotI64NeImm (i64) = |a: i64, b: i64| a != b;
                I64LtS / BrI64LtS / BrNotI64LtS / I64LtSImm / BrI64LtSImm / BrNotI64LtSImm (i64) = |a: i64, b: i64| a < b;
                I64LtU / BrI64LtU / BrNotI64LtU / I64LtUImm / BrI64LtUImm / BrNotI64LtUImm (u64) = |a: u64, b: u64| a < b;
                I64GtS / BrI64GtS / BrNotI64GtS / I64GtSImm / BrI64GtSImm / BrNotI64GtSImm (i64) = |a: i64, b: i64| a > b;
                I64GtU / BrI64GtU / BrNotI64GtU / I64GtUImm / BrI64GtUImm / BrNotI64GtUImm (u64) = |a: u64, b: u64| a > b;
                I64LeS / BrI64LeS / BrNotI64LeS / I64LeSImm / BrI64LeSImm / BrNotI64LeSImm (i64) = |a: i64, b: i64| a <= b;
                I64LeU / BrI64LeU / BrNotI64LeU / I64LeUImm / BrI64LeUImm / BrNotI64LeUImm (u64) = |a: u64, b: u64| a <= b;
                I64GeS / BrI64GeS / BrNotI64GeS / I64GeSImm / BrI64GeSImm / BrNotI64GeSImm (i64) = |a: i64, b: i64| a >= b;
                I64GeU / BrI64GeU / BrNotI64GeU / I64GeUImm / BrI64GeUImm / BrNotI64GeUImm (u64) = |a: u64, b: u64| a >= b;
                F32Eq / BrF32Eq / BrNotF32Eq (f32) = |a: f32, b: f32| a == b;
                F32Ne / BrF32Ne / BrNotF32Ne (f32) = |a: f32, b: f32| a != b;
                F32Lt / BrF32Lt / BrNotF32Lt (f32) = |a: f32, b: f32| a < b;
                F32Gt / BrF32Gt / BrNotF32Gt (f32) = |a: f32, b: f32| a > b;
                F32Le / BrF32Le / BrNotF32Le (f32) = |a: f32, b: f32| a <= b;
                F32Ge / BrF32Ge / BrNotF32Ge (f32) = |a: f32, b: f32| a >= b;
                F64Eq / BrF64Eq / BrNotF64Eq (f64) = |a: f64, b: f64| a == b;
                F64Ne / BrF64Ne / BrNotF64Ne (f64) = |a: f64, b: f64| a != b;
                F64Lt / BrF64Lt / BrNotF64Lt (f64) = |a: f64, b: f64| a < b;
                F64Gt / BrF64Gt / BrNotF64Gt (f64) = |a: f64, b: f64| a > b;
                F64Le / BrF64Le / BrNotF64Le (f64) = |a: f64, b: f64| a <= b;
                F64Ge / BrF64Ge / BrNotF64Ge (f64) = |a: f64, b: f64| a >= b;
            }
            chain {
                I32AddShlImm (u32) = |a: u32, b: u32, imm: i32| a.wrapping_add(b.wrapping_shl(imm as u32));
                I32XorRotlImm (u32) = |a: u32, b: u32, imm: i32| a ^ b.rotate_left(imm as u32 & 31);
                I32XorShrUImm (u32) = |a: u32, b: u32, imm: i32| a ^ b.wrapping_shr(imm as u32);
                I64RotlXorImm (u64) = |a: u64, b: u64, imm: i32| (a ^ b).rotate_left(imm as u32 & 63);
            }
        }
    };
}
pub(crate) use for_each_numeric;

/// Calls `$callback!` with the table of memory accesses (loads and stores of
/// memory 0 at `addr + offset`), preceded by `$extra`: `Name / NameIdx(in
/// memory) -> in slot` for loads, `Name / NameIdx(in slot) -> in memory` for
/// stores. `NameIdx` is the access fused with the `i32.add` that computed
/// its address: it reads `base + index` (wrapping, as the add did). A load's
/// `NameImm` is the load without offset fused with an `i32.add` of a
/// constant (compilers emit one where they cannot prove that the sum does
/// not wrap, so cannot use the offset): it reads `addr + imm`, wrapping.
/// A load's `NameShl` is the load fused with the `I32AddShlImm` that
/// computed its address (array indexing): it reads `base + (index <<
/// shift)`, wrapping, plus an offset that fits a `u16`.
/// A store's `NameImm` and `NameIdxImm` are `Name` and `NameIdx` storing a
/// constant (an `i32` or, with an index, an `i16`, widened as a slot
/// immediate is), which then needs no op of its own.
macro_rules! for_each_memory {
    ($callback:ident $($extra:tt)*) => {
        $callback! {
            $($extra)*
            load {
                I32Load / I32LoadIdx / I32LoadImm / I32LoadShl(u32) -> u32;
                I64Load / I64LoadIdx / I64LoadImm / I64LoadShl(u64) -> u64;
                F32Load / F32LoadIdx / F32LoadImm / F32LoadShl(u32) -> u32;
                F64Load / F64LoadIdx / F64LoadImm / F64LoadShl(u64) -> u64;
                I32Load8S / I32Load8SIdx / I32Load8SImm / I32Load8SShl(i8) -> i32;
                I32Load8U / I32Load8UIdx / I32Load8UImm / I32Load8UShl(u8) -> u32;
                I32Load16S / I32Load16SIdx / I32Load16SImm / I32Load16SShl(i16) -> i32;
                I32Load16U / I32Load16UIdx / I32Load16UImm / I32Load16UShl(u16) -> u32;
                I64Load8S / I64Load8SIdx / I64Load8SImm / I64Load8SShl(i8) -> i64;
                I64Load8U / I64Load8UIdx / I64Load8UImm / I64Load8UShl(u8) -> u64;
                I64Load16S / I64Load16SIdx / I64Load16SImm / I64Load16SShl(i16) -> i64;
                I64Load16U / I64Load16UIdx / I64Load16UImm / I64Load16UShl(u16) -> u64;
                I64Load32S / I64Load32SIdx / I64Load32SImm / I64Load32SShl(i32) -> i64;
                I64Load32U / I64Load32UIdx / I64Load32UImm / I64Load32UShl(u32) -> u64;
            }
            store {
                I32Store / I32StoreIdx / I32StoreImm / I32StoreIdxImm(u32) -> u32;
                I64Store / I64StoreIdx / I64StoreImm / I64StoreIdxImm(u64) -> u64;
                F32Store / F32StoreIdx / F32StoreImm / F32StoreIdxImm(u32) -> u32;
                F64Store / F64StoreIdx / F64StoreImm / F64StoreIdxImm(u64) -> u64;
                I32Store8 / I32Store8Idx / I32Store8Imm / I32Store8IdxImm(u32) -> u8;
                I32Store16 / I32Store16Idx / I32Store16Imm / I32Store16IdxImm(u32) -> u16;
                I64Store8 / I64Store8Idx / I64Store8Imm / I64Store8IdxImm(u64) -> u8;
                I64Store16 / I64Store16Idx / I64Store16Imm / I64Store16IdxImm(u64) -> u16;
                I64Store32 / I64Store32Idx / I64Store32Imm / I64Store32IdxImm(u64) -> u32;
            }
        }
    };
}
pub(crate) use for_each_memory;

/// Defines `Op` from its variant list and derives from that same list what
/// precompiled images need (see `crate::image`): the tag of each op, its
/// fields in declaration order, and the shape of the instruction set, so
/// that an op added to the tables is covered without further code.
///
/// `#[repr(u16)]` on `Op` fixes its layout (a `repr(C)` union of `repr(C)`
/// structs that each start with the `u16` tag), which is what lets an image
/// in flash be used as `[Op]` without a copy.
macro_rules! op_enum {
    (
        $(#[$attr:meta])*
        pub enum Op {
            $( $(#[$vattr:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        pub enum Op {
            $( $(#[$vattr])* $name $({ $($field: $ty),* })?, )*
        }

        /// The tag of each op: `#[repr(u16)]` numbers the variants of `Op`
        /// from zero in declaration order, and so does this mirror.
        #[repr(u16)]
        #[derive(Clone, Copy)]
        enum OpTag {
            $( $name, )*
        }

        impl Op {
            /// Every op's name with its fields' names, sizes and alignments
            /// (in bytes), in declaration order: the shape of the
            /// instruction set, from which images take their fingerprint.
            pub const SHAPE: &'static [(&'static str, &'static [(&'static str, usize, usize)])] = &[
                $( (stringify!($name), &[ $( $( (
                    stringify!($field),
                    core::mem::size_of::<$ty>(),
                    core::mem::align_of::<$ty>(),
                ) ),* )? ]), )*
            ];

            /// The op's tag, its discriminant in memory.
            pub(crate) fn tag(&self) -> u16 {
                match self {
                    $( Op::$name { .. } => OpTag::$name as u16, )*
                }
            }

            /// Calls `f` with the size, alignment and value (zero- or
            /// sign-extended) of each field, in declaration order.
            pub(crate) fn for_each_field(&self, mut f: impl FnMut(usize, usize, u64)) {
                match *self {
                    $( Op::$name $({ $($field),* })? => {
                        $( $( f(
                            core::mem::size_of::<$ty>(),
                            core::mem::align_of::<$ty>(),
                            $field as u64,
                        ); )* )?
                    } )*
                }
            }

            /// The op with tag `tag`, each field read by `read(size,
            /// alignment)` in declaration order; `None` if no op has that
            /// tag.
            pub(crate) fn from_fields(tag: u16, mut read: impl FnMut(usize, usize) -> u64) -> Option<Op> {
                $(
                    if tag == OpTag::$name as u16 {
                        return Some(Op::$name $({ $(
                            $field: read(core::mem::size_of::<$ty>(), core::mem::align_of::<$ty>()) as $ty
                        ),* })?);
                    }
                )*
                None
            }
        }
    };
}

macro_rules! define_op {
    (
        load { $( $ln:ident / $lx:ident / $li:ident / $ls:ident ($lm:ty) -> $lv:ty; )* }
        store { $( $sn:ident / $sx:ident / $sk:ident / $sxk:ident ($sv:ty) -> $sm:ty; )* }
        unary { $( $un:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $tn:ident ($ta:ty) -> $tr:ty = $tf:expr; )* }
        binary { $( $bn:ident $(/ $bimm:ident)? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $btn:ident ($bta:ty, $btb:ty) -> $btr:ty = $btf:expr; )* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $( $chn:ident ($cht:ty) = $chf:expr; )* }
    ) => {
        op_enum! {
        /// One instruction of Kestrel's register bytecode.
        ///
        /// See the [module documentation](self) for the operand model. The
        /// numeric ops are generated from [`for_each_numeric!`]; their meaning
        /// is the spec instruction of the same name.
        #[derive(Debug, Clone, Copy, PartialEq)]
        #[repr(u16)]
        pub enum Op {
            /// Trap with `unreachable`.
            Unreachable,
            /// Charge `amount` units of fuel for the straight-line run of code
            /// that starts here; pause or trap (before charging) if there is
            /// not that much left.
            ConsumeFuel { amount: u32 },
            /// Jump to `target`.
            Br { target: u32 },
            /// Jump to `target` if `cond` (an `i32`) is not zero.
            BrIfNez { cond: Reg, target: u32 },
            /// Jump to `target` if `cond` (an `i32`) is zero.
            BrIfEqz { cond: Reg, target: u32 },
            /// `cond += step` (as `i32.add`), then jump to `target` if
            /// `cond` is not zero: a loop's counter step fused with its
            /// branch.
            StepBrIfNez { cond: Reg, step: i16, target: u32 },
            /// `cond += step`, then jump to `target` if `cond` is zero.
            StepBrIfEqz { cond: Reg, step: i16, target: u32 },
            /// Jump to `target` if `lhs & imm` (as `i32`) is not zero: a
            /// test of flag bits, `br_if (i32.and x mask)`.
            BrIfAndNez { lhs: Reg, imm: u32, target: u32 },
            /// Jump to `target` if `lhs & imm` (as `i32`) is zero.
            BrIfAndEqz { lhs: Reg, imm: u32, target: u32 },
            /// Jump to entry `min(index, len)` of the `len + 1` ops that
            /// follow; each entry is a `Br` or a `BrCopy`.
            BrTable { index: Reg, len: u32 },
            /// Copy `count` slots from `src` to `dst` (as `memmove`), then
            /// jump to `target`. The branch form of a `br` that carries values.
            BrCopy { dst: Reg, src: Reg, count: u16, target: u32 },
            /// Return from the function with no results.
            Return,
            /// Return `count` results found in slots `src..src + count`.
            ReturnMany { src: Reg, count: u16 },
            /// `dst = src`
            Copy { dst: Reg, src: Reg },
            /// `a += imm_a`, then `b += imm_b` (as `i32.add`): two pointers
            /// or counters stepped in place one after the other, as strided
            /// loops do.
            I32AddImm2 { a: Reg, b: Reg, imm_a: i16, imm_b: i16 },
            /// `dst = src`, then `dst2 = src2`: two copies in a row (the
            /// moves of a loop's variables at its back edge, a call's
            /// arguments).
            Copy2 { dst: Reg, src: Reg, dst2: Reg, src2: Reg },
            /// `dst = value` (32-bit constant, zero-extended).
            Const32 { dst: Reg, value: u32 },
            /// `dst = hi << 32 | lo`.
            Const64 { dst: Reg, lo: u32, hi: u32 },
            /// `dst = if cond != 0 { a } else { b }`.
            Select { dst: Reg, cond: Reg, a: Reg, b: Reg },
            /// `dst = if src & mask != 0 { a } else { b }`: a `select` on a
            /// flag test, `i32.and` or `i64.and` with a constant of at most
            /// 16 bits (`x & 1` in CRCs, hashes, Collatz steps).
            SelectAnd { dst: Reg, src: Reg, a: Reg, b: Reg, mask: u16 },
            /// `dst = acc + lhs * rhs` in `f64`, rounded after each
            /// operation as the `f64.mul` and `f64.add` it replaces (not a
            /// fused multiply-add).
            F64AddMul { dst: Reg, acc: Reg, lhs: Reg, rhs: Reg },
            /// `dst = acc - lhs * rhs` in `f64`, rounded after each operation.
            F64SubMul { dst: Reg, acc: Reg, lhs: Reg, rhs: Reg },
            /// Copy 1 byte from `from + from_offset` to `to + to_offset`
            /// (`i32` addresses in registers, offsets added without
            /// wrapping): a load whose value only a store of the same width
            /// reads, as in a `memcpy` loop or a struct move. The read is
            /// checked first, as when the two ran apart.
            Move8 { to: Reg, from: Reg, to_offset: u16, from_offset: u32 },
            /// [`Op::Move8`] of 2 bytes.
            Move16 { to: Reg, from: Reg, to_offset: u16, from_offset: u32 },
            /// [`Op::Move8`] of 4 bytes.
            Move32 { to: Reg, from: Reg, to_offset: u16, from_offset: u32 },
            /// [`Op::Move8`] of 8 bytes.
            Move64 { to: Reg, from: Reg, to_offset: u16, from_offset: u32 },
            /// `dst = globals[global]` (instance-relative index).
            GlobalGet { dst: Reg, global: u32 },
            /// `globals[global] = src`.
            GlobalSet { src: Reg, global: u32 },
            /// Call function `func` (instance-relative index); arguments are
            /// in `base..`, results are written to `base..`. `base` is also
            /// the callee's frame base.
            Call { func: u32, base: Reg },
            /// As `Call`, for defined function `func` of the same module
            /// (index among the module's own functions): resolved when
            /// translating, so the call never leaves the dispatch loop.
            CallInternal { func: u32, base: Reg },
            /// Call the function that table `table` holds at index `index`,
            /// checking it against type `ty`; arguments and results as `Call`.
            CallIndirect { base: Reg, index: Reg, table: u16, ty: u32 },
            /// `dst = memory.size` in pages.
            MemorySize { dst: Reg },
            /// `dst = memory.grow(delta)`: old size in pages, or -1.
            MemoryGrow { dst: Reg, delta: Reg },
            /// `memory.fill(dst, value, len)`.
            MemoryFill { dst: Reg, value: Reg, len: Reg },
            /// `memory.copy(dst, src, len)`.
            MemoryCopy { dst: Reg, src: Reg, len: Reg },
            /// `memory.init(data, dst, src, len)`.
            MemoryInit { dst: Reg, src: Reg, len: Reg, data: u32 },
            /// `data.drop(data)`.
            DataDrop { data: u32 },
            /// `dst = table[index]`.
            TableGet { dst: Reg, index: Reg, table: u32 },
            /// `table[index] = value`.
            TableSet { index: Reg, value: Reg, table: u32 },
            /// `dst = table.size`.
            TableSize { dst: Reg, table: u32 },
            /// `dst = table.grow(init, delta)`; `delta` is in `dst + 1`, the
            /// init value in `dst`.
            TableGrow { dst: Reg, table: u32 },
            /// `table.fill(dst, value, len)`; operands in `args..args + 3`.
            TableFill { args: Reg, table: u32 },
            /// `table.copy(dst, src, len)`; operands in `args..args + 3`.
            TableCopy { args: Reg, dst_table: u32, src_table: u32 },
            /// `table.init(elem, dst, src, len)`; operands in `args..args + 3`.
            TableInit { args: Reg, table: u32, elem: u32 },
            /// `elem.drop(elem)`.
            ElemDrop { elem: u32 },
            /// `dst = ref.func func` (instance-relative index).
            RefFunc { dst: Reg, func: u32 },
            /// `dst = ref.is_null src`.
            RefIsNull { dst: Reg, src: Reg },
            $( $ln { dst: Reg, addr: Reg, offset: u32 }, )*
            $( $sn { addr: Reg, value: Reg, offset: u32 }, )*
            $( $lx { dst: Reg, base: Reg, index: Reg, offset: u32 }, )*
            $( $li { dst: Reg, addr: Reg, imm: i32 }, )*
            $( $ls { dst: Reg, base: Reg, index: Reg, offset: u16, shift: u8 }, )*
            $( $sx { base: Reg, index: Reg, value: Reg, offset: u32 }, )*
            $( $sk { addr: Reg, value: i32, offset: u32 }, )*
            $( $sxk { base: Reg, index: Reg, value: i16, offset: u32 }, )*
            $( $un { dst: Reg, src: Reg }, )*
            $( $tn { dst: Reg, src: Reg }, )*
            $(
                $bn { dst: Reg, lhs: Reg, rhs: Reg },
                $( $bimm { dst: Reg, lhs: Reg, imm: i32 }, )?
            )*
            $( $btn { dst: Reg, lhs: Reg, rhs: Reg }, )*
            $(
                $cn { dst: Reg, lhs: Reg, rhs: Reg },
                $cbr { lhs: Reg, rhs: Reg, target: u32 },
                $cbrnot { lhs: Reg, rhs: Reg, target: u32 },
                $(
                    $cimm { dst: Reg, lhs: Reg, imm: i32 },
                    $cbrimm { lhs: Reg, imm: i32, target: u32 },
                    $cbrnotimm { lhs: Reg, imm: i32, target: u32 },
                    $(
                        $cstep { lhs: Reg, rhs: Reg, step: i16, target: u32 },
                        $cstepimm { lhs: Reg, step: i16, imm: i16, target: u32 },
                    )?
                )?
            )*
            $( $chn { dst: Reg, lhs: Reg, rhs: Reg, imm: i32 }, )*
        }
        }
    };
}

for_each_memory!(for_each_numeric define_op);

macro_rules! define_op_access {
    (
        load { $( $ln:ident / $lx:ident / $li:ident / $ls:ident ($lm:ty) -> $lv:ty; )* }
        store { $( $sn:ident / $sx:ident / $sk:ident / $sxk:ident ($sv:ty) -> $sm:ty; )* }
        unary { $( $un:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $tn:ident ($ta:ty) -> $tr:ty = $tf:expr; )* }
        binary { $( $bn:ident $(/ $bimm:ident)? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $btn:ident ($bta:ty, $btb:ty) -> $btr:ty = $btf:expr; )* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $( $chn:ident ($cht:ty) = $chf:expr; )* }
    ) => {
        // Used by the translator only.
        #[cfg_attr(not(feature = "translate"), allow(dead_code))]
        impl Op {
            /// The result slot of an op that only writes its result there and
            /// reads nothing from it first: such an op may be retargeted to
            /// write straight into a local.
            pub(crate) fn pure_dst_mut(&mut self) -> Option<&mut Reg> {
                match self {
                    Op::Const32 { dst, .. }
                    | Op::Const64 { dst, .. }
                    | Op::Select { dst, .. }
                    | Op::SelectAnd { dst, .. }
                    | Op::F64AddMul { dst, .. }
                    | Op::F64SubMul { dst, .. }
                    | Op::GlobalGet { dst, .. }
                    | Op::MemorySize { dst }
                    | Op::MemoryGrow { dst, .. }
                    | Op::TableGet { dst, .. }
                    | Op::TableSize { dst, .. }
                    | Op::RefFunc { dst, .. }
                    | Op::RefIsNull { dst, .. } => Some(dst),
                    $(
                        Op::$ln { dst, .. }
                        | Op::$lx { dst, .. }
                        | Op::$li { dst, .. }
                        | Op::$ls { dst, .. } => Some(dst),
                    )*
                    $( Op::$un { dst, .. } => Some(dst), )*
                    $( Op::$tn { dst, .. } => Some(dst), )*
                    $(
                        Op::$bn { dst, .. } => Some(dst),
                        $( Op::$bimm { dst, .. } => Some(dst), )?
                    )*
                    $( Op::$btn { dst, .. } => Some(dst), )*
                    $(
                        Op::$cn { dst, .. } => Some(dst),
                        $( Op::$cimm { dst, .. } => Some(dst), )?
                    )*
                    $( Op::$chn { dst, .. } => Some(dst), )*
                    _ => None,
                }
            }

            /// The address register, offset and width in bytes of a load
            /// that is neither fused with its address nor a `…Imm` form.
            pub(crate) fn plain_load(&self) -> Option<(Reg, u32, usize)> {
                match *self {
                    $( Op::$ln { addr, offset, .. } => Some((addr, offset, core::mem::size_of::<$lm>())), )*
                    _ => None,
                }
            }

            /// Whether the op has a jump target ([`Op::target_mut`]): one
            /// table lookup, for passes over every op of a function.
            pub(crate) fn has_target(&self) -> bool {
                const fn mark(bits: &mut [u8; Op::SHAPE.len().div_ceil(8)], tag: OpTag) {
                    let tag = tag as usize;
                    bits[tag / 8] |= 1 << (tag % 8);
                }
                const BITS: [u8; Op::SHAPE.len().div_ceil(8)] = {
                    let mut bits = [0; Op::SHAPE.len().div_ceil(8)];
                    mark(&mut bits, OpTag::Br);
                    mark(&mut bits, OpTag::BrIfNez);
                    mark(&mut bits, OpTag::BrIfEqz);
                    mark(&mut bits, OpTag::StepBrIfNez);
                    mark(&mut bits, OpTag::StepBrIfEqz);
                    mark(&mut bits, OpTag::BrIfAndNez);
                    mark(&mut bits, OpTag::BrIfAndEqz);
                    mark(&mut bits, OpTag::BrCopy);
                    $(
                        mark(&mut bits, OpTag::$cbr);
                        mark(&mut bits, OpTag::$cbrnot);
                        $(
                            mark(&mut bits, OpTag::$cbrimm);
                            mark(&mut bits, OpTag::$cbrnotimm);
                            $( mark(&mut bits, OpTag::$cstep); mark(&mut bits, OpTag::$cstepimm); )?
                        )?
                    )*
                    bits
                };
                let tag = self.tag() as usize;
                BITS[tag / 8] & (1 << (tag % 8)) != 0
            }

            /// The jump target of a branch op, for patching forward branches.
            pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    Op::Br { target }
                    | Op::BrIfNez { target, .. }
                    | Op::BrIfEqz { target, .. }
                    | Op::StepBrIfNez { target, .. }
                    | Op::StepBrIfEqz { target, .. }
                    | Op::BrIfAndNez { target, .. }
                    | Op::BrIfAndEqz { target, .. }
                    | Op::BrCopy { target, .. } => Some(target),
                    $(
                        Op::$cbr { target, .. } | Op::$cbrnot { target, .. } => Some(target),
                        $(
                            Op::$cbrimm { target, .. } | Op::$cbrnotimm { target, .. } => Some(target),
                            $( Op::$cstep { target, .. } | Op::$cstepimm { target, .. } => Some(target), )?
                        )?
                    )*
                    _ => None,
                }
            }
        }
    };
}
for_each_memory!(for_each_numeric define_op_access);

macro_rules! define_fusion {
    (
        load { $($load:tt)* }
        store { $($store:tt)* }
        unary { $($unary:tt)* }
        unary_trap { $($unary_trap:tt)* }
        binary { $($binary:tt)* }
        binary_trap { $($binary_trap:tt)* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $($chain:tt)* }
    ) => {
        // Used by the translator only.
        #[cfg_attr(not(feature = "translate"), allow(dead_code))]
        impl Op {
            /// The branch that jumps when this comparison's result (or this
            /// `i32.and` with a constant's) is non-zero (`when`) or zero
            /// (`!when`), reading the op's operands directly. `None` for
            /// other ops.
            pub(crate) fn fuse_branch(&self, when: bool) -> Option<Op> {
                Some(match *self {
                    Op::I32Eqz { src, .. } | Op::I64Eqz { src, .. } => match when {
                        true => Op::BrIfEqz { cond: src, target: 0 },
                        false => Op::BrIfNez { cond: src, target: 0 },
                    },
                    Op::I32AndImm { lhs, imm, .. } => {
                        let imm = imm as u32;
                        match when {
                            true => Op::BrIfAndNez { lhs, imm, target: 0 },
                            false => Op::BrIfAndEqz { lhs, imm, target: 0 },
                        }
                    }
                    $(
                        Op::$cn { lhs, rhs, .. } => match when {
                            true => Op::$cbr { lhs, rhs, target: 0 },
                            false => Op::$cbrnot { lhs, rhs, target: 0 },
                        },
                        $(
                            Op::$cimm { lhs, imm, .. } => match when {
                                true => Op::$cbrimm { lhs, imm, target: 0 },
                                false => Op::$cbrnotimm { lhs, imm, target: 0 },
                            },
                        )?
                    )*
                    _ => return None,
                })
            }

            /// The branch that jumps to the same target when this one does
            /// not (a `StepBr…` steps its counter as this one does). `None`
            /// for other ops.
            pub(crate) fn inverted(&self) -> Option<Op> {
                Some(match *self {
                    Op::BrIfNez { cond, target } => Op::BrIfEqz { cond, target },
                    Op::BrIfEqz { cond, target } => Op::BrIfNez { cond, target },
                    Op::BrIfAndNez { lhs, imm, target } => Op::BrIfAndEqz { lhs, imm, target },
                    Op::BrIfAndEqz { lhs, imm, target } => Op::BrIfAndNez { lhs, imm, target },
                    $(
                        Op::$cbr { lhs, rhs, target } => Op::$cbrnot { lhs, rhs, target },
                        Op::$cbrnot { lhs, rhs, target } => Op::$cbr { lhs, rhs, target },
                        $(
                            Op::$cbrimm { lhs, imm, target } => Op::$cbrnotimm { lhs, imm, target },
                            Op::$cbrnotimm { lhs, imm, target } => Op::$cbrimm { lhs, imm, target },
                        )?
                    )*
                    _ => return self.inverted_step(),
                })
            }

            /// This branch (one that jumps when its condition holds) with
            /// `reg += step` done first, if it tests `reg`: the step of a
            /// loop counter fused into the loop's branch. `None` if there is
            /// no such form.
            pub(crate) fn step_branch(&self, reg: Reg, step: i16) -> Option<Op> {
                self.step_lhs(reg, step).or_else(|| self.swapped()?.step_lhs(reg, step))
            }

            /// As [`step_branch`](Self::step_branch), for `reg` as the
            /// left operand.
            fn step_lhs(&self, reg: Reg, step: i16) -> Option<Op> {
                Some(match *self {
                    Op::BrIfNez { cond, target } if cond == reg => Op::StepBrIfNez { cond, step, target },
                    Op::BrIfEqz { cond, target } if cond == reg => Op::StepBrIfEqz { cond, step, target },
                    $($($(
                        Op::$cbr { lhs, rhs, target } if lhs == reg => Op::$cstep { lhs, rhs, step, target },
                        Op::$cbrimm { lhs, imm, target } if lhs == reg => Op::$cstepimm {
                            lhs,
                            step,
                            imm: i16::try_from(imm).ok()?,
                            target,
                        },
                    )?)?)*
                    _ => return None,
                })
            }
        }
    };
}
for_each_memory!(for_each_numeric define_fusion);

// Used by the translator only.
#[cfg_attr(not(feature = "translate"), allow(dead_code))]
impl Op {
    /// `self` and then `next` as one op, for `next` the only reader of
    /// `self`'s result (a temporary): the caller makes sure of that, and
    /// that no branch lands on `next`. `None` if there is no such op.
    ///
    /// The fused op reads `self`'s operands when `next` would have run,
    /// which is the same: `self` wrote only its result.
    pub(crate) fn chain(&self, next: &Op) -> Option<Op> {
        Some(match (*self, *next) {
            // Array indexing: `base + (i << k)`.
            (
                Op::I32ShlImm {
                    dst: t,
                    lhs: b,
                    imm,
                },
                Op::I32Add { dst, lhs, rhs },
            ) if rhs == t && lhs != t => Op::I32AddShlImm {
                dst,
                lhs,
                rhs: b,
                imm,
            },
            // The rotations and shifts of SHA-2 and the BLAKE2 mixing
            // function.
            (
                Op::I32RotlImm {
                    dst: t,
                    lhs: b,
                    imm,
                },
                Op::I32Xor { dst, lhs, rhs },
            ) if rhs == t && lhs != t => Op::I32XorRotlImm {
                dst,
                lhs,
                rhs: b,
                imm,
            },
            (
                Op::I32ShrUImm {
                    dst: t,
                    lhs: b,
                    imm,
                },
                Op::I32Xor { dst, lhs, rhs },
            ) if rhs == t && lhs != t => Op::I32XorShrUImm {
                dst,
                lhs,
                rhs: b,
                imm,
            },
            (
                Op::I64Xor {
                    dst: t,
                    lhs: a,
                    rhs: b,
                },
                Op::I64RotlImm { dst, lhs, imm },
            ) if lhs == t => Op::I64RotlXorImm {
                dst,
                lhs: a,
                rhs: b,
                imm,
            },
            // Dot products and other sums of products.
            (
                Op::F64Mul {
                    dst: t,
                    lhs: a,
                    rhs: b,
                },
                Op::F64Add { dst, lhs, rhs },
            ) if rhs == t && lhs != t => Op::F64AddMul {
                dst,
                acc: lhs,
                lhs: a,
                rhs: b,
            },
            (
                Op::F64Mul {
                    dst: t,
                    lhs: a,
                    rhs: b,
                },
                Op::F64Sub { dst, lhs, rhs },
            ) if rhs == t && lhs != t => Op::F64SubMul {
                dst,
                acc: lhs,
                lhs: a,
                rhs: b,
            },
            _ => return None,
        })
    }

    /// The `Move…` op that copies `width` bytes, if there is one.
    pub(crate) fn moving(
        width: usize,
        to: Reg,
        from: Reg,
        to_offset: u16,
        from_offset: u32,
    ) -> Option<Op> {
        Some(match width {
            1 => Op::Move8 {
                to,
                from,
                to_offset,
                from_offset,
            },
            2 => Op::Move16 {
                to,
                from,
                to_offset,
                from_offset,
            },
            4 => Op::Move32 {
                to,
                from,
                to_offset,
                from_offset,
            },
            8 => Op::Move64 {
                to,
                from,
                to_offset,
                from_offset,
            },
            _ => return None,
        })
    }

    /// [`inverted`](Self::inverted) for the `StepBr…` ops: the same step,
    /// then the opposite test (for integers, `!(a < b)` is `a >= b`).
    fn inverted_step(&self) -> Option<Op> {
        macro_rules! opposite {
            ($($a:ident / $ai:ident <=> $b:ident / $bi:ident),*) => {
                match *self {
                    Op::StepBrIfNez { cond, step, target } => Op::StepBrIfEqz { cond, step, target },
                    Op::StepBrIfEqz { cond, step, target } => Op::StepBrIfNez { cond, step, target },
                    $(
                        Op::$a { lhs, rhs, step, target } => Op::$b { lhs, rhs, step, target },
                        Op::$b { lhs, rhs, step, target } => Op::$a { lhs, rhs, step, target },
                        Op::$ai { lhs, imm, step, target } => Op::$bi { lhs, imm, step, target },
                        Op::$bi { lhs, imm, step, target } => Op::$ai { lhs, imm, step, target },
                    )*
                    _ => return None,
                }
            };
        }
        Some(opposite!(
            StepBrI32Eq / StepBrI32EqImm <=> StepBrI32Ne / StepBrI32NeImm,
            StepBrI32LtS / StepBrI32LtSImm <=> StepBrI32GeS / StepBrI32GeSImm,
            StepBrI32LtU / StepBrI32LtUImm <=> StepBrI32GeU / StepBrI32GeUImm,
            StepBrI32GtS / StepBrI32GtSImm <=> StepBrI32LeS / StepBrI32LeSImm,
            StepBrI32GtU / StepBrI32GtUImm <=> StepBrI32LeU / StepBrI32LeUImm
        ))
    }

    /// An `i32` compare-and-branch with its operands swapped and the
    /// comparison mirrored, so that `rhs` becomes `lhs`.
    fn swapped(&self) -> Option<Op> {
        macro_rules! mirror {
            ($($a:ident <=> $b:ident),*) => {
                match *self {
                    Op::BrI32Eq { lhs, rhs, target } => Op::BrI32Eq { lhs: rhs, rhs: lhs, target },
                    Op::BrI32Ne { lhs, rhs, target } => Op::BrI32Ne { lhs: rhs, rhs: lhs, target },
                    $(
                        Op::$a { lhs, rhs, target } => Op::$b { lhs: rhs, rhs: lhs, target },
                        Op::$b { lhs, rhs, target } => Op::$a { lhs: rhs, rhs: lhs, target },
                    )*
                    _ => return None,
                }
            };
        }
        Some(
            mirror!(BrI32LtS <=> BrI32GtS, BrI32LtU <=> BrI32GtU, BrI32LeS <=> BrI32GeS, BrI32LeU <=> BrI32GeU),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ops are copied out of the code on every dispatch: keep them small.
    #[test]
    fn op_is_twelve_bytes() {
        assert_eq!(core::mem::size_of::<Op>(), 12);
    }

    /// `has_target`'s table lists exactly the ops `target_mut` matches.
    #[test]
    fn the_target_table_matches_target_mut() {
        let mut branches = 0;
        for tag in 0..Op::SHAPE.len() {
            let mut op = Op::from_fields(tag as u16, |_, _| 0).expect("every tag has an op");
            assert_eq!(op.has_target(), op.target_mut().is_some(), "{op:?}");
            branches += usize::from(op.has_target());
        }
        assert!(branches > 60, "{branches} branch ops");
    }

    #[test]
    fn slots_zero_extend_32_bit_values() {
        assert_eq!((-1i32).into_bits(), 0xffff_ffff);
        assert_eq!((-1.0f32).into_bits(), 0xbf80_0000);
        assert_eq!(<i32 as Slot>::from_bits(0xffff_ffff), -1);
        assert_eq!(<i64 as FromImm>::from_imm(-1), -1);
        assert_eq!(<u64 as FromImm>::from_imm(-1), u64::MAX);
        assert_eq!(<u32 as FromImm>::from_imm(-1), u32::MAX);
    }

    proptest::proptest! {
        /// Kestrel's one value encoding: a typed value survives the trip
        /// through its 64-bit slot bit for bit, 32-bit values leave the
        /// high half zero, and immediates widen by sign.
        #[test]
        #[cfg_attr(miri, ignore = "proptest reads the file system, which Miri isolates")]
        fn slots_round_trip(a: i32, b: u32, c: i64, d: u64, e: u32, f: u64, imm: i32) {
            proptest::prop_assert_eq!(<i32 as Slot>::from_bits(a.into_bits()), a);
            proptest::prop_assert_eq!(<u32 as Slot>::from_bits(b.into_bits()), b);
            proptest::prop_assert_eq!(<i64 as Slot>::from_bits(c.into_bits()), c);
            proptest::prop_assert_eq!(<u64 as Slot>::from_bits(d.into_bits()), d);
            let x = f32::from_bits(e);
            proptest::prop_assert_eq!(<f32 as Slot>::from_bits(x.into_bits()).to_bits(), e);
            let y = f64::from_bits(f);
            proptest::prop_assert_eq!(<f64 as Slot>::from_bits(y.into_bits()).to_bits(), f);
            proptest::prop_assert_eq!(a.into_bits() >> 32, 0);
            proptest::prop_assert_eq!(x.into_bits() >> 32, 0);
            // An i32 slot is read back from the low half whatever is above.
            proptest::prop_assert_eq!(<i32 as Slot>::from_bits(d << 32 | a as u32 as u64), a);
            proptest::prop_assert_eq!(<i64 as FromImm>::from_imm(imm), imm as i64);
            proptest::prop_assert_eq!(<u64 as FromImm>::from_imm(imm), imm as i64 as u64);
        }
    }

    #[test]
    fn compares_fuse_into_branches_both_ways() {
        let cmp = Op::I32LtSImm {
            dst: 3,
            lhs: 1,
            imm: 10,
        };
        assert_eq!(
            cmp.fuse_branch(true),
            Some(Op::BrI32LtSImm {
                lhs: 1,
                imm: 10,
                target: 0
            })
        );
        assert_eq!(
            cmp.fuse_branch(false),
            Some(Op::BrNotI32LtSImm {
                lhs: 1,
                imm: 10,
                target: 0
            })
        );
        let eqz = Op::I64Eqz { dst: 3, src: 2 };
        assert_eq!(
            eqz.fuse_branch(true),
            Some(Op::BrIfEqz { cond: 2, target: 0 })
        );
        assert_eq!(
            Op::I32Add {
                dst: 0,
                lhs: 1,
                rhs: 2
            }
            .fuse_branch(true),
            None
        );
    }
}
