//! Dynamic op counts (feature `op-profile`): how often each op runs, which
//! op follows which, and where, the data superinstructions are chosen by.
//! The hook in the dispatch loop compiles to nothing without the feature.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use std::collections::HashMap;
use std::thread_local;

use crate::Module;
use crate::isa::Op;

#[derive(Default)]
struct Counts {
    prev: Option<Op>,
    /// Per tag.
    ops: Vec<u64>,
    /// Per (previous tag, tag): executions, and how many of them read the
    /// register the previous op wrote.
    pairs: Vec<[u64; 2]>,
    /// Per op address.
    sites: HashMap<usize, u64>,
}

thread_local! {
    static COUNTS: RefCell<Option<Counts>> = const { RefCell::new(None) };
}

/// The register `op` writes, if it writes exactly one.
fn written(op: &Op) -> Option<u16> {
    let mut op = *op;
    match op {
        Op::Copy { dst, .. } => Some(dst),
        _ => op.pure_dst_mut().map(|d| *d),
    }
}

/// Whether `op` reads register `r` (any 16-bit field but its own `dst`;
/// `count`-like fields make this an over-estimate, which is fine here).
fn reads(op: &Op, r: u16) -> bool {
    let skip = written(op).is_some();
    let mut first = true;
    let mut found = false;
    op.for_each_field(|size, _, value| {
        found |= size == 2 && !(first && skip) && value == r as u64;
        first = false;
    });
    found
}

#[inline(never)]
pub(super) fn record(op: &Op) {
    COUNTS.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.get_or_insert_with(Counts::default);
        let n = Op::SHAPE.len();
        if c.ops.is_empty() {
            c.ops = alloc::vec![0; n];
            c.pairs = alloc::vec![[0; 2]; n * n];
        }
        let tag = op.tag() as usize;
        c.ops[tag] += 1;
        *c.sites.entry(op as *const Op as usize).or_default() += 1;
        if let Some(prev) = c.prev {
            let flow = written(&prev).is_some_and(|r| reads(op, r));
            let pair = &mut c.pairs[prev.tag() as usize * n + tag];
            pair[0] += 1;
            pair[1] += flow as u64;
        }
        c.prev = Some(*op);
    });
}

/// What ran on this thread since the last call (which reset the counts).
#[doc(hidden)]
#[derive(Default)]
pub struct Profile {
    /// `(op, executions)` for each op that ran.
    pub ops: Vec<(&'static str, u64)>,
    /// `(op, next op, executions, of which the next op read the register
    /// the first wrote)` for each adjacent pair.
    pub pairs: Vec<(&'static str, &'static str, u64, u64)>,
    /// `(function index, its locals, pc, executions, op)` for each op of
    /// `module` that ran.
    pub sites: Vec<(u32, u16, usize, u64, String)>,
}

/// Takes the counts so far; sites are located in `module`'s functions.
#[doc(hidden)]
pub fn take(module: &Module) -> Profile {
    let Some(c) = COUNTS.with(|c| c.borrow_mut().take()) else {
        return Profile::default();
    };
    let n = Op::SHAPE.len();
    let name = |tag: usize| Op::SHAPE[tag].0;
    let mut sites = Vec::new();
    let imported = module.info().imported_funcs;
    for (f, func) in module.funcs().iter().enumerate() {
        for (pc, op) in func.ops.iter().enumerate() {
            if let Some(&k) = c.sites.get(&(op as *const Op as usize)) {
                let name = alloc::format!("{op:?}");
                sites.push((imported + f as u32, func.locals, pc, k, name));
            }
        }
    }
    Profile {
        ops: (c.ops.iter().enumerate())
            .filter(|&(_, &k)| k > 0)
            .map(|(t, &k)| (name(t), k))
            .collect(),
        pairs: (c.pairs.iter().enumerate())
            .filter(|(_, k)| k[0] > 0)
            .map(|(i, k)| (name(i / n), name(i % n), k[0], k[1]))
            .collect(),
        sites,
    }
}
