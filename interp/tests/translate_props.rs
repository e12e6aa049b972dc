//! Property test of the translator: random code over `i32` and `i64` locals
//! (constants, `local.get`/`set`/`tee`, integer ops and comparisons that may
//! trap, `select`, `drop`, nested `block`/`loop`/`if` with parameters and
//! multiple results, `br_if` and `br` carrying values, and bounded backward
//! branches) must leave the same locals, or give the same trap, in Kestrel as
//! in a plain stack-machine evaluator written here.
//!
//! Programs are built from a sequence of choices that proptest generates and
//! shrinks. The generator keeps a typed model of the operand stack, so every
//! program validates: an instruction is emitted only when its operands are on
//! the stack, and every block ends with exactly its results. A failing
//! program is then minimised further by removing instructions while it still
//! validates and still fails. This exercises what the translator does beyond
//! one op at a time: lazy `local.get`s that must be materialised before their
//! local is overwritten (also on entering a block), `local.set`/`local.tee`
//! retargeting the op that produced the value, constants folded into `…Imm`
//! operands (on either side), comparisons fused with `br_if`/`if`, and values
//! carried by branches into block results and loop parameters.

use std::fmt::Write as _;
use std::sync::OnceLock;

use kestrel_interp::{Engine, Linker, Module, Store, TrapCode, Val};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestError, TestRunner};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    I32,
    I64,
}

impl Ty {
    fn wat(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        }
    }
}

/// The locals the generated code reads and writes: parameters, then
/// declared locals.
const LOCALS: [Ty; 8] = [
    Ty::I32,
    Ty::I32,
    Ty::I64,
    Ty::I64,
    Ty::I32,
    Ty::I32,
    Ty::I64,
    Ty::I64,
];
const PARAMS: usize = 4;
/// One more `i32` local, counting the backward branches taken, so that
/// loops end: every backward branch is taken only while it is below
/// [`MAX_BACK`].
const COUNTER: u32 = LOCALS.len() as u32;
const MAX_BACK: i32 = 3;
/// The function returns every local, the counter included.
const RESULTS: usize = LOCALS.len() + 1;

const BINARY: [&str; 15] = [
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr",
];
const COMPARE: [&str; 10] = [
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];
const UNARY: [&str; 6] = ["eqz", "clz", "ctz", "popcnt", "extend8_s", "extend16_s"];

/// A block type: parameters taken from the stack, results left on it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BlockTy {
    params: Vec<Ty>,
    results: Vec<Ty>,
}

#[derive(Clone, Debug)]
enum Ins {
    Const(Ty, u64),
    Get(u32),
    Set(u32),
    Tee(u32),
    /// A binary op or comparison on two operands of this type.
    Binary(Ty, &'static str),
    Compare(Ty, &'static str),
    Unary(Ty, &'static str),
    /// `i32.wrap_i64`
    Wrap,
    /// `i64.extend_i32_s` / `_u`
    Extend(bool),
    Select,
    Drop,
    Block(BlockTy, Vec<Ins>),
    Loop(BlockTy, Vec<Ins>),
    If(BlockTy, Vec<Ins>, Vec<Ins>),
    BrIf(u32),
    Br(u32),
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// A label in scope while generating: the types a branch to it carries.
#[derive(Clone)]
struct Label {
    types: Vec<Ty>,
    is_loop: bool,
}

/// Reads choices; once they run out every choice is 0 and generation winds
/// down, so any sequence gives a valid program and shrinking works on them.
struct Gen<'a> {
    choices: &'a [u32],
    pos: usize,
    /// Instructions left to emit.
    budget: usize,
}

const INTERESTING: [i64; 16] = [
    0,
    1,
    -1,
    2,
    7,
    31,
    32,
    33,
    63,
    64,
    0x7fff_ffff,
    -0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    i64::MIN,
    i64::MAX,
];

impl Gen<'_> {
    fn exhausted(&self) -> bool {
        self.pos >= self.choices.len() || self.budget == 0
    }

    fn raw(&mut self) -> u32 {
        let c = self.choices.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        c
    }

    fn pick(&mut self, n: usize) -> usize {
        self.raw() as usize % n
    }

    fn ty(&mut self) -> Ty {
        if self.pick(2) == 0 { Ty::I32 } else { Ty::I64 }
    }

    fn constant(&mut self, ty: Ty) -> u64 {
        let v = match self.pick(3) {
            0 => INTERESTING[self.pick(INTERESTING.len())],
            1 => self.pick(17) as i64 - 8,
            _ => ((self.raw() as u64) << 32 | self.raw() as u64) as i64,
        } as u64;
        match ty {
            Ty::I32 => v & 0xffff_ffff,
            Ty::I64 => v,
        }
    }

    /// A local of type `ty`.
    fn local_of(&mut self, ty: Ty) -> u32 {
        let candidates: Vec<u32> = (0..LOCALS.len() as u32)
            .filter(|&i| LOCALS[i as usize] == ty)
            .collect();
        candidates[self.pick(candidates.len())]
    }

    /// Pushes a value of type `ty`: a local, a constant or (for `i32`) a
    /// comparison of two of them.
    fn push_value(&mut self, ty: Ty, body: &mut Vec<Ins>, stack: &mut Vec<Ty>) {
        match self.pick(3) {
            0 => {
                let k = self.local_of(ty);
                body.push(Ins::Get(k));
            }
            1 if ty == Ty::I32 => {
                let t = self.ty();
                let mut scratch = Vec::new();
                self.push_value(t, body, &mut scratch);
                self.push_value(t, body, &mut scratch);
                body.push(Ins::Compare(t, COMPARE[self.pick(COMPARE.len())]));
            }
            _ => {
                let c = self.constant(ty);
                body.push(Ins::Const(ty, c));
            }
        }
        stack.push(ty);
    }

    fn types(&mut self, max: usize) -> Vec<Ty> {
        let n = self.pick(max + 1);
        (0..n).map(|_| self.ty()).collect()
    }

    /// A block body turning `params` into exactly `results`; `labels` are
    /// the enclosing labels, innermost last.
    fn block(&mut self, labels: &mut Vec<Label>, params: &[Ty], results: &[Ty]) -> Vec<Ins> {
        let mut body = Vec::new();
        let mut stack: Vec<Ty> = params.to_vec();
        while !self.exhausted() {
            self.budget -= 1;
            let top = stack.last().copied();
            let under = stack.len().checked_sub(2).map(|i| stack[i]);
            match self.pick(17) {
                0 | 1 => {
                    let ty = self.ty();
                    let c = self.constant(ty);
                    body.push(Ins::Const(ty, c));
                    stack.push(ty);
                }
                2..=4 => {
                    let k = self.pick(LOCALS.len()) as u32;
                    body.push(Ins::Get(k));
                    stack.push(LOCALS[k as usize]);
                }
                5 | 6 if top.is_some() => {
                    let k = self.local_of(top.unwrap());
                    body.push(Ins::Set(k));
                    stack.pop();
                }
                7 if top.is_some() => {
                    let k = self.local_of(top.unwrap());
                    body.push(Ins::Tee(k));
                }
                8 | 9 if top.is_some() && top == under => {
                    let ty = top.unwrap();
                    let op = BINARY[self.pick(BINARY.len())];
                    body.push(Ins::Binary(ty, op));
                    stack.pop();
                }
                10 if top.is_some() && top == under => {
                    let ty = top.unwrap();
                    let op = COMPARE[self.pick(COMPARE.len())];
                    body.push(Ins::Compare(ty, op));
                    stack.pop();
                    stack.pop();
                    stack.push(Ty::I32);
                }
                11 if top.is_some() => {
                    let ty = top.unwrap();
                    match self.pick(4) {
                        0 if ty == Ty::I64 => {
                            body.push(Ins::Wrap);
                            stack.pop();
                            stack.push(Ty::I32);
                        }
                        1 if ty == Ty::I32 => {
                            body.push(Ins::Extend(self.pick(2) == 0));
                            stack.pop();
                            stack.push(Ty::I64);
                        }
                        _ => {
                            let op = UNARY[self.pick(UNARY.len())];
                            body.push(Ins::Unary(ty, op));
                            if op == "eqz" {
                                stack.pop();
                                stack.push(Ty::I32);
                            }
                        }
                    }
                }
                12 if stack.len() >= 3
                    && top == Some(Ty::I32)
                    && under == stack.get(stack.len() - 3).copied() =>
                {
                    body.push(Ins::Select);
                    stack.truncate(stack.len() - 2);
                }
                13 if top.is_some() => {
                    body.push(Ins::Drop);
                    stack.pop();
                }
                14 | 15 if labels.len() < 4 => {
                    // `if` takes its condition from the top, and its
                    // parameters (like a block's) from below it.
                    let kind = self.pick(3);
                    let is_if = kind == 2 && top == Some(Ty::I32);
                    let avail = stack.len() - is_if as usize;
                    let np = self.pick(avail.min(2) + 1);
                    let bt = BlockTy {
                        params: stack[avail - np..avail].to_vec(),
                        results: self.types(2),
                    };
                    stack.truncate(avail - np);
                    let is_loop = kind == 1;
                    labels.push(Label {
                        types: if is_loop {
                            bt.params.clone()
                        } else {
                            bt.results.clone()
                        },
                        is_loop,
                    });
                    let first = self.block(labels, &bt.params, &bt.results);
                    let ins = if is_if {
                        let second = self.block(labels, &bt.params, &bt.results);
                        Ins::If(bt.clone(), first, second)
                    } else if is_loop {
                        Ins::Loop(bt.clone(), first)
                    } else {
                        Ins::Block(bt.clone(), first)
                    };
                    labels.pop();
                    body.push(ins);
                    stack.extend(&bt.results);
                }
                16 if !labels.is_empty() => {
                    let depth = self.pick(labels.len());
                    let label = labels[labels.len() - 1 - depth].clone();
                    let k = label.types.len();
                    if label.is_loop {
                        // Back to the loop head with fresh parameters, while
                        // the counter allows.
                        for &t in &label.types {
                            self.push_value(t, &mut body, &mut stack);
                        }
                        body.extend([
                            Ins::Get(COUNTER),
                            Ins::Const(Ty::I32, 1),
                            Ins::Binary(Ty::I32, "add"),
                            Ins::Tee(COUNTER),
                            Ins::Const(Ty::I32, MAX_BACK as u64),
                            Ins::Compare(Ty::I32, "lt_u"),
                            Ins::BrIf(depth as u32),
                        ]);
                        continue;
                    }
                    let conditional = self.pick(4) != 0;
                    let c = conditional as usize;
                    let values_ok = stack.len() >= k + c
                        && stack[stack.len() - k - c..stack.len() - c] == label.types[..]
                        && (!conditional || top == Some(Ty::I32));
                    if !values_ok {
                        // Push the values (and the condition) it needs.
                        for &t in &label.types {
                            self.push_value(t, &mut body, &mut stack);
                        }
                        if conditional {
                            self.push_value(Ty::I32, &mut body, &mut stack);
                        }
                    }
                    if conditional {
                        body.push(Ins::BrIf(depth as u32));
                        stack.pop();
                    } else {
                        body.push(Ins::Br(depth as u32));
                        // The rest of the block is unreachable: end it.
                        return body;
                    }
                }
                _ => {
                    let ty = self.ty();
                    self.push_value(ty, &mut body, &mut stack);
                }
            }
        }
        // Leave exactly `results`: store or drop what is not a prefix of
        // them, then push what is missing.
        while stack.len() > results.len() || stack[..] != results[..stack.len()] {
            let top = stack.pop().unwrap();
            if self.pick(2) == 0 {
                let k = self.local_of(top);
                body.push(Ins::Set(k));
            } else {
                body.push(Ins::Drop);
            }
        }
        for &t in &results[stack.len()..] {
            self.push_value(t, &mut body, &mut Vec::new());
        }
        body
    }
}

fn generate(choices: &[u32]) -> Vec<Ins> {
    let mut g = Gen {
        choices,
        pos: 0,
        budget: 120,
    };
    g.block(&mut Vec::new(), &[], &[])
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn block_type_text(bt: &BlockTy) -> String {
    let mut s = String::new();
    for (word, types) in [("param", &bt.params), ("result", &bt.results)] {
        if !types.is_empty() {
            let names: Vec<&str> = types.iter().map(|t| t.wat()).collect();
            write!(s, " ({word} {})", names.join(" ")).unwrap();
        }
    }
    s
}

fn render_body(body: &[Ins], indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for ins in body {
        match ins {
            Ins::Const(Ty::I32, v) => writeln!(out, "{pad}i32.const {}", *v as u32 as i32),
            Ins::Const(Ty::I64, v) => writeln!(out, "{pad}i64.const {}", *v as i64),
            Ins::Get(k) => writeln!(out, "{pad}local.get {k}"),
            Ins::Set(k) => writeln!(out, "{pad}local.set {k}"),
            Ins::Tee(k) => writeln!(out, "{pad}local.tee {k}"),
            Ins::Binary(t, op) | Ins::Compare(t, op) | Ins::Unary(t, op) => {
                writeln!(out, "{pad}{}.{op}", t.wat())
            }
            Ins::Wrap => writeln!(out, "{pad}i32.wrap_i64"),
            Ins::Extend(true) => writeln!(out, "{pad}i64.extend_i32_s"),
            Ins::Extend(false) => writeln!(out, "{pad}i64.extend_i32_u"),
            Ins::Select => writeln!(out, "{pad}select"),
            Ins::Drop => writeln!(out, "{pad}drop"),
            Ins::Block(bt, inner) | Ins::Loop(bt, inner) => {
                let word = if matches!(ins, Ins::Loop(..)) {
                    "loop"
                } else {
                    "block"
                };
                writeln!(out, "{pad}{word}{}", block_type_text(bt)).unwrap();
                render_body(inner, indent + 1, out);
                writeln!(out, "{pad}end")
            }
            Ins::If(bt, then, els) => {
                writeln!(out, "{pad}if{}", block_type_text(bt)).unwrap();
                render_body(then, indent + 1, out);
                writeln!(out, "{pad}else").unwrap();
                render_body(els, indent + 1, out);
                writeln!(out, "{pad}end")
            }
            Ins::BrIf(d) => writeln!(out, "{pad}br_if {d}"),
            Ins::Br(d) => writeln!(out, "{pad}br {d}"),
        }
        .unwrap();
    }
}

fn render(body: &[Ins]) -> String {
    let params: Vec<&str> = LOCALS[..PARAMS].iter().map(|t| t.wat()).collect();
    let locals: Vec<&str> = LOCALS[PARAMS..].iter().map(|t| t.wat()).collect();
    let results: Vec<&str> = LOCALS.iter().map(|t| t.wat()).collect();
    let mut out = format!(
        "(module (func (export \"f\") (param {}) (result {} i32) (local {} i32)\n",
        params.join(" "),
        results.join(" "),
        locals.join(" ")
    );
    render_body(body, 1, &mut out);
    for k in 0..RESULTS {
        writeln!(out, "  local.get {k}").unwrap();
    }
    out.push_str("))");
    out
}

// ---------------------------------------------------------------------------
// The reference evaluator
// ---------------------------------------------------------------------------

fn int_binary(ty: Ty, op: &str, a: u64, b: u64) -> Result<u64, TrapCode> {
    use TrapCode::{IntegerDivisionByZero as Div0, IntegerOverflow as Ovf};
    Ok(match ty {
        Ty::I32 => {
            let (a, b) = (a as u32, b as u32);
            let (sa, sb) = (a as i32, b as i32);
            (match op {
                "add" => a.wrapping_add(b),
                "sub" => a.wrapping_sub(b),
                "mul" => a.wrapping_mul(b),
                "div_s" | "div_u" | "rem_s" | "rem_u" if b == 0 => return Err(Div0),
                "div_s" => sa.checked_div(sb).ok_or(Ovf)? as u32,
                "div_u" => a / b,
                "rem_s" => sa.wrapping_rem(sb) as u32,
                "rem_u" => a % b,
                "and" => a & b,
                "or" => a | b,
                "xor" => a ^ b,
                "shl" => a.wrapping_shl(b),
                "shr_s" => sa.wrapping_shr(b) as u32,
                "shr_u" => a.wrapping_shr(b),
                "rotl" => a.rotate_left(b % 32),
                "rotr" => a.rotate_right(b % 32),
                "eq" => (a == b) as u32,
                "ne" => (a != b) as u32,
                "lt_s" => (sa < sb) as u32,
                "lt_u" => (a < b) as u32,
                "gt_s" => (sa > sb) as u32,
                "gt_u" => (a > b) as u32,
                "le_s" => (sa <= sb) as u32,
                "le_u" => (a <= b) as u32,
                "ge_s" => (sa >= sb) as u32,
                "ge_u" => (a >= b) as u32,
                _ => unreachable!("{op}"),
            }) as u64
        }
        Ty::I64 => {
            let (sa, sb) = (a as i64, b as i64);
            match op {
                "add" => a.wrapping_add(b),
                "sub" => a.wrapping_sub(b),
                "mul" => a.wrapping_mul(b),
                "div_s" | "div_u" | "rem_s" | "rem_u" if b == 0 => return Err(Div0),
                "div_s" => sa.checked_div(sb).ok_or(Ovf)? as u64,
                "div_u" => a / b,
                "rem_s" => sa.wrapping_rem(sb) as u64,
                "rem_u" => a % b,
                "and" => a & b,
                "or" => a | b,
                "xor" => a ^ b,
                "shl" => a.wrapping_shl(b as u32),
                "shr_s" => sa.wrapping_shr(b as u32) as u64,
                "shr_u" => a.wrapping_shr(b as u32),
                "rotl" => a.rotate_left((b % 64) as u32),
                "rotr" => a.rotate_right((b % 64) as u32),
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
                _ => unreachable!("{op}"),
            }
        }
    })
}

fn int_unary(ty: Ty, op: &str, a: u64) -> u64 {
    match ty {
        Ty::I32 => {
            let a = a as u32;
            (match op {
                "eqz" => (a == 0) as u32,
                "clz" => a.leading_zeros(),
                "ctz" => a.trailing_zeros(),
                "popcnt" => a.count_ones(),
                "extend8_s" => a as i8 as i32 as u32,
                "extend16_s" => a as i16 as i32 as u32,
                _ => unreachable!("{op}"),
            }) as u64
        }
        Ty::I64 => match op {
            "eqz" => (a == 0) as u64,
            "clz" => a.leading_zeros() as u64,
            "ctz" => a.trailing_zeros() as u64,
            "popcnt" => a.count_ones() as u64,
            "extend8_s" => a as i8 as i64 as u64,
            "extend16_s" => a as i16 as i64 as u64,
            _ => unreachable!("{op}"),
        },
    }
}

/// How a block's body ended.
enum Flow {
    Next,
    /// A branch `depth` labels out, carrying these values.
    Branch(u32, Vec<u64>),
}

/// Why the evaluator stopped early.
enum Stop {
    Trap(TrapCode),
    /// Ran out of steps: only a minimised program (one whose loop counter was
    /// removed) can loop forever.
    Steps,
}

impl From<TrapCode> for Stop {
    fn from(code: TrapCode) -> Self {
        Stop::Trap(code)
    }
}

struct Machine {
    steps: u32,
    stack: Vec<u64>,
    locals: [u64; RESULTS],
    /// The arity of each enclosing label, innermost last.
    labels: Vec<usize>,
}

impl Machine {
    fn pop(&mut self) -> u64 {
        self.stack.pop().expect("generator keeps the stack typed")
    }

    fn branch(&mut self, depth: u32) -> Flow {
        let arity = self.labels[self.labels.len() - 1 - depth as usize];
        let values = self.stack.split_off(self.stack.len() - arity);
        Flow::Branch(depth, values)
    }

    /// Runs a block, loop or `if` arm of type `bt`.
    fn structured(&mut self, bt: &BlockTy, is_loop: bool, body: &[Ins]) -> Result<Flow, Stop> {
        let base = self.stack.len() - bt.params.len();
        loop {
            self.labels.push(if is_loop {
                bt.params.len()
            } else {
                bt.results.len()
            });
            let flow = self.run(body);
            self.labels.pop();
            match flow? {
                Flow::Next => return Ok(Flow::Next),
                Flow::Branch(0, values) => {
                    self.stack.truncate(base);
                    self.stack.extend(values);
                    if !is_loop {
                        return Ok(Flow::Next);
                    }
                }
                Flow::Branch(d, values) => return Ok(Flow::Branch(d - 1, values)),
            }
        }
    }

    fn run(&mut self, body: &[Ins]) -> Result<Flow, Stop> {
        for ins in body {
            self.steps = self.steps.checked_sub(1).ok_or(Stop::Steps)?;
            let flow = match ins {
                Ins::Const(_, v) => {
                    self.stack.push(*v);
                    Flow::Next
                }
                Ins::Get(k) => {
                    self.stack.push(self.locals[*k as usize]);
                    Flow::Next
                }
                Ins::Set(k) => {
                    self.locals[*k as usize] = self.pop();
                    Flow::Next
                }
                Ins::Tee(k) => {
                    self.locals[*k as usize] = *self.stack.last().unwrap();
                    Flow::Next
                }
                Ins::Binary(t, op) | Ins::Compare(t, op) => {
                    let b = self.pop();
                    let a = self.pop();
                    self.stack.push(int_binary(*t, op, a, b)?);
                    Flow::Next
                }
                Ins::Unary(t, op) => {
                    let a = self.pop();
                    self.stack.push(int_unary(*t, op, a));
                    Flow::Next
                }
                Ins::Wrap => {
                    let a = self.pop();
                    self.stack.push(a & 0xffff_ffff);
                    Flow::Next
                }
                Ins::Extend(signed) => {
                    let a = self.pop();
                    self.stack.push(if *signed {
                        a as u32 as i32 as i64 as u64
                    } else {
                        a & 0xffff_ffff
                    });
                    Flow::Next
                }
                Ins::Select => {
                    let c = self.pop();
                    let b = self.pop();
                    let a = self.pop();
                    self.stack.push(if c as u32 != 0 { a } else { b });
                    Flow::Next
                }
                Ins::Drop => {
                    self.pop();
                    Flow::Next
                }
                Ins::Block(bt, inner) => self.structured(bt, false, inner)?,
                Ins::Loop(bt, inner) => self.structured(bt, true, inner)?,
                Ins::If(bt, then, els) => {
                    let c = self.pop();
                    self.structured(bt, false, if c as u32 != 0 { then } else { els })?
                }
                Ins::BrIf(d) => {
                    if self.pop() as u32 != 0 {
                        self.branch(*d)
                    } else {
                        Flow::Next
                    }
                }
                Ins::Br(d) => self.branch(*d),
            };
            if let Flow::Branch(..) = flow {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }
}

/// The locals after running `body`, or its trap; `None` if it runs too long.
fn evaluate_bounded(
    body: &[Ins],
    params: [u64; PARAMS],
) -> Option<Result<[u64; RESULTS], TrapCode>> {
    let mut m = Machine {
        steps: 1_000_000,
        stack: Vec::new(),
        locals: [0; RESULTS],
        labels: Vec::new(),
    };
    m.locals[..PARAMS].copy_from_slice(&params);
    match m.run(body) {
        Ok(Flow::Next) => {}
        Ok(Flow::Branch(..)) => unreachable!("branches target blocks only"),
        Err(Stop::Trap(code)) => return Some(Err(code)),
        Err(Stop::Steps) => return None,
    }
    assert!(m.stack.is_empty(), "the body leaves no values");
    Some(Ok(m.locals))
}

fn evaluate(body: &[Ins], params: [u64; PARAMS]) -> Result<[u64; RESULTS], TrapCode> {
    evaluate_bounded(body, params).expect("generated programs end")
}

// ---------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fn interpret(wat: &str, params: [u64; PARAMS]) -> Result<[u64; RESULTS], TrapCode> {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("bad WAT {e}:\n{wat}"));
    let module = Module::new(engine(), bytes).unwrap_or_else(|e| panic!("rejected {e}:\n{wat}"));
    let mut store = Store::new(engine(), ());
    let instance = Linker::new(engine())
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let args: Vec<Val> = params
        .iter()
        .zip(LOCALS)
        .map(|(&v, t)| match t {
            Ty::I32 => Val::I32(v as u32 as i32),
            Ty::I64 => Val::I64(v as i64),
        })
        .collect();
    let mut out = [Val::I32(0); RESULTS];
    match f.call(&mut store, &args, &mut out) {
        Ok(()) => Ok(out.map(|v| match v {
            Val::I32(x) => x as u32 as u64,
            Val::I64(x) => x as u64,
            other => panic!("unexpected {other:?}"),
        })),
        Err(e) => Err(e.as_trap().expect("a trap").code()),
    }
}

fn param_strategy(ty: Ty) -> BoxedStrategy<u64> {
    let m = match ty {
        Ty::I32 => 0xffff_ffff,
        Ty::I64 => u64::MAX,
    };
    prop_oneof![
        any::<u64>().prop_map(move |v| v & m),
        proptest::sample::select(INTERESTING.to_vec()).prop_map(move |v| v as u64 & m),
        (-4i64..=4).prop_map(move |v| v as u64 & m),
    ]
    .boxed()
}

/// Whether Kestrel and the evaluator disagree on a program that validates.
fn disagrees(body: &[Ins], params: [u64; PARAMS]) -> bool {
    let wat = render(body);
    let Ok(bytes) = wat::parse_str(&wat) else {
        return false;
    };
    if Module::validate(engine(), &bytes).is_err() {
        return false;
    }
    match evaluate_bounded(body, params) {
        Some(want) => interpret(&wat, params) != want,
        None => false,
    }
}

/// The paths to every instruction sequence of a program: the top level, then
/// each block body and `if` arm, as (instruction index, arm) steps.
fn sequences(body: &[Ins], prefix: &mut Vec<(usize, usize)>, out: &mut Vec<Vec<(usize, usize)>>) {
    out.push(prefix.clone());
    for (i, ins) in body.iter().enumerate() {
        let arms: Vec<&Vec<Ins>> = match ins {
            Ins::Block(_, b) | Ins::Loop(_, b) => vec![b],
            Ins::If(_, a, b) => vec![a, b],
            _ => continue,
        };
        for (arm, inner) in arms.into_iter().enumerate() {
            prefix.push((i, arm));
            sequences(inner, prefix, out);
            prefix.pop();
        }
    }
}

fn sequence_at<'a>(body: &'a mut Vec<Ins>, path: &[(usize, usize)]) -> &'a mut Vec<Ins> {
    match path.split_first() {
        None => body,
        Some((&(i, arm), rest)) => match &mut body[i] {
            Ins::Block(_, b) | Ins::Loop(_, b) => sequence_at(b, rest),
            Ins::If(_, a, b) => sequence_at(if arm == 0 { a } else { b }, rest),
            _ => unreachable!(),
        },
    }
}

/// Shrinks a failing program further than proptest can through its choices:
/// removes runs of instructions (and whole blocks) while the program still
/// validates and still fails.
fn minimize(mut body: Vec<Ins>, params: [u64; PARAMS]) -> Vec<Ins> {
    'progress: loop {
        let mut paths = Vec::new();
        sequences(&body, &mut Vec::new(), &mut paths);
        for path in paths {
            let len = sequence_at(&mut body, &path).len();
            for run in [4, 2, 1] {
                for start in 0..len.saturating_sub(run - 1) {
                    let mut candidate = body.clone();
                    sequence_at(&mut candidate, &path).drain(start..start + run);
                    if disagrees(&candidate, params) {
                        body = candidate;
                        continue 'progress;
                    }
                }
            }
            // A value and its consumer: two instructions apart.
            for i in 0..len {
                for j in i + 1..len {
                    let mut candidate = body.clone();
                    let seq = sequence_at(&mut candidate, &path);
                    seq.remove(j);
                    seq.remove(i);
                    if disagrees(&candidate, params) {
                        body = candidate;
                        continue 'progress;
                    }
                }
            }
        }
        return body;
    }
}

fn check(choices: &[u32], params: [u64; PARAMS]) -> Result<(), TestCaseError> {
    let body = generate(choices);
    let wat = render(&body);
    let want = evaluate(&body, params);
    let got = interpret(&wat, params);
    prop_assert_eq!(got, want, "params {:x?}\n{}", params, wat);
    Ok(())
}

fn run(cases: u32, max_choices: usize) {
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        vec(any::<u32>(), 0..max_choices),
        [
            param_strategy(Ty::I32),
            param_strategy(Ty::I32),
            param_strategy(Ty::I64),
            param_strategy(Ty::I64),
        ],
    );
    match runner.run(&strategy, |(choices, params)| check(&choices, params)) {
        Ok(()) => {}
        Err(TestError::Fail(_, (choices, params))) => {
            let body = minimize(generate(&choices), params);
            let wat = render(&body);
            panic!(
                "Kestrel and the evaluator disagree\n\
                 params: {params:#x?}\n\
                 Kestrel:   {:x?}\n\
                 evaluator: {:x?}\n\
                 minimal program:\n{wat}\n\
                 choices: {choices:?}",
                interpret(&wat, params),
                evaluate(&body, params),
            )
        }
        Err(e) => panic!("{e}"),
    }
}

/// Short programs: mostly local traffic and immediates.
#[test]
fn short_programs_match_the_evaluator() {
    run(8000, 40);
}

/// Longer programs with nested blocks and branches.
#[test]
fn long_programs_match_the_evaluator() {
    run(4000, 400);
}

/// The generator's programs validate and cover every kind of instruction.
#[test]
fn generator_covers_every_instruction() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let seen = std::cell::RefCell::new(std::collections::BTreeSet::new());
    fn walk(body: &[Ins], seen: &mut std::collections::BTreeSet<&'static str>) {
        for ins in body {
            let kind = match ins {
                Ins::Const(..) => "const",
                Ins::Get(_) => "get",
                Ins::Set(_) => "set",
                Ins::Tee(_) => "tee",
                Ins::Binary(..) => "binary",
                Ins::Compare(..) => "compare",
                Ins::Unary(..) => "unary",
                Ins::Wrap => "wrap",
                Ins::Extend(_) => "extend",
                Ins::Select => "select",
                Ins::Drop => "drop",
                Ins::Block(_, inner) => {
                    walk(inner, seen);
                    "block"
                }
                Ins::Loop(bt, inner) => {
                    walk(inner, seen);
                    if !bt.params.is_empty() {
                        seen.insert("loop with params");
                    }
                    "loop"
                }
                Ins::If(bt, a, b) => {
                    walk(a, seen);
                    walk(b, seen);
                    if bt.results.len() > 1 {
                        seen.insert("multi-value if");
                    }
                    "if"
                }
                Ins::BrIf(_) => "br_if",
                Ins::Br(_) => "br",
            };
            seen.insert(kind);
        }
    }
    runner
        .run(&vec(any::<u32>(), 0..400), |choices| {
            let body = generate(&choices);
            walk(&body, &mut seen.borrow_mut());
            let wat = render(&body);
            Module::validate(engine(), wat::parse_str(&wat).unwrap())
                .unwrap_or_else(|e| panic!("invalid program {e}:\n{wat}"));
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    assert_eq!(seen.len(), 18, "{seen:?}");
}

fn run_wat<P: kestrel_interp::WasmTyList, R: kestrel_interp::WasmTyList>(wat: &str, args: P) -> R {
    let module = Module::new(engine(), wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(engine(), ());
    let instance = Linker::new(engine())
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_typed_func::<P, R>(&store, "f").unwrap();
    f.call(&mut store, args).unwrap()
}

/// Found by the properties above: after `drop` removes the result of the
/// last op, that op must not be retargeted by a `local.set`/`local.tee` of
/// the value below it, nor fused with a `br_if`/`if` testing that value.
#[test]
fn drop_leaves_no_stale_op_to_retarget_or_fuse() {
    // local.set: must store a + b, not a < b.
    let set = r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
        local.get 0
        local.get 1
        i32.add
        local.get 0
        local.get 1
        i32.lt_s
        drop
        local.set 2
        local.get 2))"#;
    assert_eq!(run_wat::<(i32, i32), i32>(set, (5, 7)), 12);
    // br_if: must test a - b (2, taken), not a < b (0, not taken).
    let br_if = r#"(module (func (export "f") (param i32 i32) (result i32)
        block
          local.get 0
          local.get 1
          i32.sub
          local.get 0
          local.get 1
          i32.lt_s
          drop
          br_if 0
          i32.const 7
          return
        end
        i32.const 1))"#;
    assert_eq!(run_wat::<(i32, i32), i32>(br_if, (5, 3)), 1);
    // if: the same with the branch taken on the other arm.
    let if_ = r#"(module (func (export "f") (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.sub
        local.get 0
        local.get 1
        i32.lt_s
        drop
        if (result i32)
          i32.const 1
        else
          i32.const 7
        end))"#;
    assert_eq!(run_wat::<(i32, i32), i32>(if_, (5, 3)), 1);
}
