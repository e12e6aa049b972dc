//! The threaded backend against the portable loop, on code that makes the
//! accumulator carry values between every kind of producer and consumer.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt::Write;

use super::*;
use crate::{Engine, Linker, Module, Store, Val};

std::thread_local! {
    /// Runs calls on this thread in the portable loop instead.
    pub(crate) static PORTABLE: Cell<bool> = const { Cell::new(false) };
}

#[test]
fn handlers_follow_op_order() {
    for (i, (name, _)) in Op::SHAPE.iter().enumerate() {
        assert_eq!(HANDLER_NAMES[i], *name, "handler {i}");
    }
}

const INT_UNARY: &[&str] = &["clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
const INT_BINARY: &[&str] = &[
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr",
];
const INT_COMPARE: &[&str] = &[
    "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];
const FLOAT_UNARY: &[&str] = &["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];
const FLOAT_BINARY: &[&str] = &["add", "sub", "mul", "div", "min", "max", "copysign"];
const FLOAT_COMPARE: &[&str] = &["eq", "ne", "lt", "gt", "le", "ge"];

/// Conversions, as (operator, from, to).
const CONVERT: &[(&str, &str, &str)] = &[
    ("i32.wrap_i64", "i64", "i32"),
    ("i64.extend_i32_s", "i32", "i64"),
    ("i64.extend_i32_u", "i32", "i64"),
    ("i32.trunc_f32_s", "f32", "i32"),
    ("i32.trunc_f64_u", "f64", "i32"),
    ("i64.trunc_f64_s", "f64", "i64"),
    ("i32.trunc_sat_f32_u", "f32", "i32"),
    ("i64.trunc_sat_f64_s", "f64", "i64"),
    ("f32.convert_i32_s", "i32", "f32"),
    ("f64.convert_i64_u", "i64", "f64"),
    ("f32.demote_f64", "f64", "f32"),
    ("f64.promote_f32", "f32", "f64"),
    ("i32.reinterpret_f32", "f32", "i32"),
    ("f64.reinterpret_i64", "i64", "f64"),
];

/// A function `(param t t) (result r)` with `body`.
fn func(wat: &mut String, n: &mut usize, t: &str, r: &str, body: &str) {
    writeln!(
        wat,
        "(func (export \"f{n}\") (param {t} {t}) (result {r}) {body})"
    )
    .unwrap();
    *n += 1;
}

/// The test module: in each function an op's operand is the result of the
/// op before it, in every position an operand can take.
fn module_text() -> (String, Vec<&'static str>) {
    let mut wat = String::from(
        "(module (memory 1)\n\
         (global $i32 (mut i32) (i32.const 0)) (global $i64 (mut i64) (i64.const 0))\n\
         (global $f32 (mut f32) (f32.const 0)) (global $f64 (mut f64) (f64.const 0))\n\
         (type $un (func (param i32) (result i32)))\n\
         (table 4 funcref) (elem (i32.const 0) $inc $dbl $neg)\n\
         (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)\n\
         (func $dbl (param i32) (result i32) local.get 0 i32.const 1 i32.shl)\n\
         (func $neg (param i32) (result i32) i32.const 0 local.get 0 i32.sub)\n",
    );
    let mut types = Vec::new();
    let mut n = 0;
    for t in ["i32", "i64", "f32", "f64"] {
        let int = t.starts_with('i');
        // A producer of the first operand, and one of the second.
        let (p0, p1) = match int {
            true => (
                format!("{t}.const 0x5a5 {t}.xor"),
                format!("{t}.const 3 {t}.add"),
            ),
            false => (format!("{t}.neg"), format!("{t}.const 0.5 {t}.mul")),
        };
        let (unary, binary, compare) = match int {
            true => (INT_UNARY, INT_BINARY, INT_COMPARE),
            false => (FLOAT_UNARY, FLOAT_BINARY, FLOAT_COMPARE),
        };
        let mut add = |r: &'static str, body: String| {
            func(&mut wat, &mut n, t, r, &body);
            types.push(t);
        };
        // A global set from the op before, and read into the op after.
        add(
            t,
            format!("local.get 0 {p0} global.set ${t} global.get ${t} local.get 1 {t}.sub"),
        );
        // Two copies as one op (`Copy2`), the first from the op before, the
        // second into the op after.
        add(
            t,
            format!(
                "(local {t} {t}) local.get 0 {p0} local.set 2 local.get 2 local.set 3 \
                 local.get 1 local.set 2 local.get 3 local.get 2 {t}.sub"
            ),
        );
        for op in unary {
            add(t, format!("local.get 0 {p0} {t}.{op}"));
            // As the producer.
            add(t, format!("local.get 0 {t}.{op} local.get 1 {t}.add"));
        }
        for op in binary {
            add(t, format!("local.get 0 {p0} local.get 1 {t}.{op}"));
            add(t, format!("local.get 0 local.get 1 {p1} {t}.{op}"));
            add(t, format!("local.get 0 {p0} {t}.const 5 {t}.{op}"));
            add(
                t,
                format!("local.get 0 local.get 1 {t}.{op} local.get 1 {t}.sub"),
            );
        }
        for op in compare {
            add("i32", format!("local.get 0 {p0} local.get 1 {t}.{op}"));
            add("i32", format!("local.get 0 local.get 1 {p1} {t}.{op}"));
            add("i32", format!("local.get 0 {p0} {t}.const 5 {t}.{op}"));
            // Fused with a branch.
            for (a, b) in [(&p0, ""), (&String::new(), p1.as_str())] {
                add(
                    "i32",
                    format!(
                        "local.get 0 {a} local.get 1 {b} {t}.{op} \
                         if (result i32) i32.const 11 else i32.const 22 end"
                    ),
                );
            }
            add(
                "i32",
                format!(
                    "local.get 0 {p0} {t}.const 5 {t}.{op} \
                     if (result i32) i32.const 11 else i32.const 22 end"
                ),
            );
            // As the producer of a select's condition and of a `br_if`'s.
            add(
                t,
                format!("local.get 0 local.get 1 local.get 0 local.get 1 {t}.{op} select"),
            );
            add(
                "i32",
                format!(
                    "block (result i32) i32.const 7 local.get 0 local.get 1 {t}.{op} \
                     br_if 0 drop i32.const 8 end"
                ),
            );
        }
        if int {
            add("i32", format!("local.get 0 {p0} {t}.eqz"));
            if t == "i32" {
                // Flag tests of the value the op before computed, taken
                // when some bits are set (`br_if`) and when none are (`if`).
                add(
                    "i32",
                    format!(
                        "block (result i32) block local.get 0 {p0} i32.const 6 i32.and br_if 0 \
                         i32.const 8 br 1 end i32.const 7 end"
                    ),
                );
                add(
                    "i32",
                    format!(
                        "local.get 0 {p0} i32.const 0x80000001 i32.and \
                         if (result i32) i32.const 11 else i32.const 22 end"
                    ),
                );
                // A select on a flag test of that value.
                add(
                    "i32",
                    format!(
                        "local.get 1 local.get 0 local.get 0 {p0} i32.const 0x104 i32.and select"
                    ),
                );
            }
            // The address from the first parameter.
            let a0 = match t {
                "i64" => "local.get 0 i32.wrap_i64",
                _ => "local.get 0",
            };
            // A value carried past ops that compute nothing: a store, a
            // `br_if` and a compare-and-branch that fall through.
            add(
                t,
                format!(
                    "(local {t} i32) {a0} i32.const 0xff00 i32.and local.set 3 \
                     local.get 0 {p0} local.set 2 \
                     local.get 3 local.get 1 {t}.store offset=32 \
                     block local.get 3 br_if 0 local.get 3 i32.const 77 i32.eq br_if 0 \
                     local.get 2 local.get 1 {t}.sub local.get 3 {t}.load offset=32 {t}.add \
                     return end local.get 2"
                ),
            );
            // A load at a scaled index (`…LoadShl`), its index from the op
            // before, then its base.
            add(
                t,
                format!(
                    "{a0} i32.const 0xff00 i32.and {a0} i32.const 0xff i32.and \
                     i32.const 2 i32.shl i32.add {t}.load offset=4"
                ),
            );
            add(
                t,
                format!(
                    "(local i32) {a0} i32.const 0xff i32.and local.set 2 \
                     {a0} i32.const 0xff00 i32.and local.get 2 i32.const 3 i32.shl i32.add \
                     {t}.load8_u offset=2"
                ),
            );
            // A copy in memory (`Move…`), its source address from the op
            // before, then its destination address.
            add(
                t,
                format!(
                    "{a0} i32.const 0xff00 i32.and {a0} i32.const 0xf00 i32.and \
                     {t}.load offset=16 {t}.store offset=8 \
                     {a0} i32.const 0xff00 i32.and {t}.load offset=8"
                ),
            );
            add(
                t,
                format!(
                    "(local i32) {a0} i32.const 0xf00 i32.and local.set 2 \
                     {a0} i32.const 0xff00 i32.and local.get 2 {t}.load offset=16 \
                     {t}.store offset=8 {a0} i32.const 0xff00 i32.and {t}.load offset=8"
                ),
            );
            if t == "i32" {
                // Two steps in place as one op (`I32AddImm2`), the first
                // from the op before, the second into the op after.
                add(
                    t,
                    "local.get 0 i32.const 0x5a5 i32.xor local.set 0 \
                     local.get 0 i32.const 3 i32.add local.set 0 \
                     local.get 1 i32.const 5 i32.add local.set 1 \
                     local.get 0 local.get 1 i32.sub"
                        .into(),
                );
                // ... but not past a `StepBr…` that steps it: the register
                // then holds a newer value than the accumulator.
                add(
                    t,
                    "(local i32) local.get 0 i32.const 0x5a5 i32.xor local.set 2 \
                     block local.get 2 i32.const 1 i32.add local.tee 2 local.get 1 \
                     i32.lt_s br_if 0 local.get 2 local.get 1 i32.sub return end \
                     i32.const -1"
                        .into(),
                );
            }
            for (load, store) in [
                ("load", "store"),
                ("load8_u", "store8"),
                ("load16_s", "store16"),
            ] {
                // A computed address and a computed value.
                add(
                    t,
                    format!(
                        "{a0} i32.const 0xff00 i32.and local.get 1 {p1} {t}.{store} offset=16 \
                         {a0} i32.const 0xff00 i32.and {t}.{load} offset=16"
                    ),
                );
                // A computed base plus index.
                add(
                    t,
                    format!(
                        "{a0} i32.const 0xf00 i32.and local.get 1 {t}.{store} offset=8 \
                         {a0} i32.const 0xf00 i32.and i32.const 8 i32.add {t}.{load}"
                    ),
                );
                // A computed address and a constant value (`…StoreImm`).
                add(
                    t,
                    format!(
                        "{a0} i32.const 0xff00 i32.and {t}.const -3 {t}.{store} offset=24 \
                         {a0} i32.const 0xff00 i32.and {t}.{load} offset=24"
                    ),
                );
                // A computed base plus index and a constant value
                // (`…StoreIdxImm`).
                add(
                    t,
                    format!(
                        "{a0} i32.const 0xf00 i32.and {a0} i32.const 0xf0 i32.and i32.add \
                         {t}.const 1234 {t}.{store} offset=8 \
                         {a0} i32.const 0xf00 i32.and {a0} i32.const 0xf0 i32.and i32.add \
                         {t}.{load} offset=8"
                    ),
                );
            }
        }
    }
    // A computed `br_table` index and `call_indirect` index (`x % 5` on
    // the samples reaches the table's three functions and its null entry).
    func(
        &mut wat,
        &mut n,
        "i32",
        "i32",
        "block block block block local.get 0 i32.const 3 i32.and br_table 0 1 2 3 \
         end i32.const 10 return end i32.const 20 return end i32.const 30 return end \
         local.get 1",
    );
    types.push("i32");
    func(
        &mut wat,
        &mut n,
        "i32",
        "i32",
        "local.get 1 local.get 0 i32.const 5 i32.rem_u call_indirect (type $un)",
    );
    types.push("i32");
    for (op, from, to) in CONVERT {
        let p = match from.starts_with('i') {
            true => format!("{from}.const 0x5a5 {from}.xor"),
            false => format!("{from}.neg"),
        };
        // A consumer of the previous op, then a producer for the next.
        let next = match to.starts_with('i') {
            true => format!("{to}.const 1 {to}.add"),
            false => format!("{to}.const 1 {to}.mul"),
        };
        let mut wat2 = String::new();
        func(
            &mut wat2,
            &mut n,
            from,
            to,
            &format!("local.get 0 {p} {op} {next}"),
        );
        wat.push_str(&wat2);
        types.push(from);
    }
    wat.push(')');
    (wat, types)
}

fn samples(t: &str) -> Vec<Val> {
    match t {
        "i32" => [0, 1, -1, 7, 0x5a5, i32::MIN, i32::MAX, 0x1234_5678]
            .map(Val::I32)
            .to_vec(),
        "i64" => [
            0,
            1,
            -1,
            7,
            0x5a5,
            i64::MIN,
            i64::MAX,
            0x1234_5678_9abc_def0,
        ]
        .map(Val::I64)
        .to_vec(),
        "f32" => [
            0.0f32,
            -0.0,
            1.5,
            -2.25,
            f32::NAN,
            f32::INFINITY,
            3e9,
            -7.0e-3,
        ]
        .map(|v| Val::F32(v.to_bits()))
        .to_vec(),
        _ => [
            0.0f64,
            -0.0,
            1.5,
            -2.25,
            f64::NAN,
            f64::INFINITY,
            3e19,
            -7.0e-3,
        ]
        .map(|v| Val::F64(v.to_bits()))
        .to_vec(),
    }
}

/// The result, or the error text, of calling `f` on the chosen backend.
fn run(store: &mut Store<()>, f: crate::Func, args: &[Val], portable: bool) -> String {
    PORTABLE.set(portable);
    let mut out = [Val::I32(0)];
    let r = f.call(&mut *store, args, &mut out);
    PORTABLE.set(false);
    match r {
        Ok(()) => format!("{:?}", without_nan_sign(out[0])),
        Err(e) => format!("error: {e}"),
    }
}

/// `v` with the sign of a NaN cleared, payload kept: Wasm leaves that sign
/// open (4.3.3), and it follows the operand order LLVM picks for a
/// commutative operation, which may differ between the backends' handlers.
fn without_nan_sign(v: Val) -> Val {
    match v {
        Val::F32(b) if f32::from_bits(b).is_nan() => Val::F32(b & !(1 << 31)),
        Val::F64(b) if f64::from_bits(b).is_nan() => Val::F64(b & !(1 << 63)),
        v => v,
    }
}

#[test]
fn accumulator_forms_agree_with_the_portable_loop() {
    let (wat, types) = module_text();
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(&wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let mut checked = 0;
    for (i, t) in types.iter().enumerate() {
        let f = instance.get_func(&store, &format!("f{i}")).unwrap();
        let values = samples(t);
        for a in &values {
            for b in &values {
                let args = [*a, *b];
                let threaded = run(&mut store, f, &args, false);
                let portable = run(&mut store, f, &args, true);
                assert_eq!(threaded, portable, "f{i} ({t}) on {args:?}");
                checked += 1;
            }
        }
    }
    // The check means something only if the accumulator forms ran: count
    // the ops that got one, and how many different handlers those were.
    let mut forms = Vec::new();
    let mut names = Vec::new();
    let mut uses = 0;
    // Ops that took the value of an op before the one before them.
    let mut carried = 0;
    for func in module.funcs() {
        let code = func.threaded.0.get().expect("every function ran");
        for (i, top) in code.iter().enumerate() {
            let plain = HANDLERS[top.op.tag() as usize];
            if top.handler as usize != plain as usize {
                uses += 1;
                if i > 0 && produces(&code[i - 1].op).is_none() {
                    carried += 1;
                }
                names.push(HANDLER_NAMES[top.op.tag() as usize]);
                if !forms.contains(&(top.handler as usize)) {
                    forms.push(top.handler as usize);
                }
            }
        }
    }
    assert!(checked > 30_000, "{checked} calls");
    assert!(carried >= 2, "{carried} ops took a value past an op");
    for kind in [
        "StoreImm",
        "StoreIdxImm",
        "LoadIdx",
        "LoadImm",
        "LoadShl",
        "Load8UShl",
        "Move32",
        "Move64",
        "Copy2",
        "I32AddImm2",
        "BrIfAndNez",
        "BrIfAndEqz",
        "SelectAnd",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(kind)),
            "no {kind} op took an operand from the accumulator"
        );
    }
    assert!(
        uses > 500,
        "{uses} ops took an operand from the accumulator"
    );
    assert!(
        forms.len() > 300,
        "{} accumulator handlers ran",
        forms.len()
    );
}
