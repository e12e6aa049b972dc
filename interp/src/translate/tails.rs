//! Jumps to jumps, and jumps to short tails, once a function's ops are
//! final.
//!
//! Compiled code branches to shared code a lot: every arm of a `match` in a
//! loop ends with `br` to the loop's tail (the step of a program counter, the
//! loop's condition), and nested blocks end in a `br` to a `br`. Each such
//! `br` is one op of dispatch that computes nothing. Two rewrites remove it:
//!
//! - **Threading**: a branch to a `br` goes straight to that `br`'s target,
//!   and a `br` to a return is that return. Ops keep their places.
//! - **Tail copies**: a `br` to a short straight-line tail that ends in a
//!   transfer (a `br`, a return, or a loop's back edge) is replaced by a
//!   copy of that tail. The tail's own `br`s are followed while the copy
//!   stays short, so a chain of tails becomes one run of ops. Where the tail
//!   ends in a conditional back edge, the copy ends with a `br` to what
//!   followed it, which runs only when the loop ends.
//!
//! Not with fuel metering, where each label starts a run charged on entry
//! and a copy would move ops between runs; and the copies not where the
//! translator is built for size (see [`shorten_jumps`]).

use alloc::vec::Vec;

use crate::isa::Op;

/// Most ops a tail copy may hold.
const TAIL_OPS: usize = 6;

/// Most `br`s a walk follows: bounds the work on a cycle of jumps.
const HOPS: usize = 8;

/// Applies both rewrites to `ops`, a finished function's code. The copies
/// grow the code by about half its length at most.
///
/// Where the translator is built for size (`kestrel_compact_translate`:
/// bare-metal targets, opt-level `s` or `z`), only the threading, which
/// takes a tenth of the code: the copies' 1.2 KiB would take a Cortex-M
/// build over its flash budget.
#[inline(never)]
pub(super) fn shorten_jumps(ops: &mut Vec<Op>) {
    if !thread_jumps(ops) || cfg!(kestrel_compact_translate) {
        return;
    }
    copy_tails(ops);
}

/// Retargets branches past `br`s and turns a `br` to a return into that
/// return. Says whether any `br` is left to consider for a tail copy.
fn thread_jumps(ops: &mut [Op]) -> bool {
    let mut any_br = false;
    for at in 0..ops.len() {
        let mut op = ops[at];
        let Some(target) = op.target_mut() else {
            continue;
        };
        let end = final_target(ops, *target);
        *target = end;
        if matches!(op, Op::Br { .. }) {
            match ops.get(end as usize) {
                Some(&ret @ (Op::Return | Op::ReturnMany { .. })) => op = ret,
                _ => any_br = true,
            }
        }
        ops[at] = op;
    }
    any_br
}

/// Where a jump to `target` ends up after the `br`s there.
fn final_target(ops: &[Op], mut target: u32) -> u32 {
    for _ in 0..HOPS {
        match ops.get(target as usize) {
            Some(&Op::Br { target: next }) if next != target => target = next,
            _ => break,
        }
    }
    target
}

/// An op a tail copy may hold before its end: one that continues with the
/// next op and whose meaning does not depend on where it is.
fn plain(op: &Op) -> bool {
    !matches!(
        op,
        Op::BrTable { .. }
            | Op::Return
            | Op::ReturnMany { .. }
            | Op::Unreachable
            | Op::ConsumeFuel { .. }
    ) && { *op }.target_mut().is_none()
}

/// An entry of a tail copy: the old index of an op to copy (its target, if
/// any, moved to the target's new place), or with this bit set, a `br` to
/// the old index in the other bits.
const JUMP: u32 = 1 << 31;

/// Appends to `copy` the tail at `start` (see [`JUMP`]) and says whether it
/// may replace the `br` at `from`: it must be short, end in a transfer and
/// not contain that `br`. On `false`, `copy` is as it was.
fn tail(ops: &[Op], start: u32, from: usize, copy: &mut Vec<u32>) -> bool {
    let base = copy.len();
    let mut at = start as usize;
    let mut hops = 0;
    let ok = loop {
        let len = copy.len() - base;
        let Some(op) = ops.get(at).filter(|_| at != from && len < TAIL_OPS) else {
            break false;
        };
        copy.push(at as u32);
        match op {
            Op::Br { target } => {
                // Followed, not copied.
                copy.pop();
                hops += 1;
                if hops > HOPS {
                    break false;
                }
                at = *target as usize;
            }
            Op::Return | Op::ReturnMany { .. } | Op::BrCopy { .. } => break true,
            _ if plain(op) => at += 1,
            // A conditional branch: worth copying only as a back edge, which
            // a loop takes on all but its last iteration; then what followed
            // it.
            _ => match { *op }.target_mut() {
                Some(&mut target) if target as usize <= at && len + 2 <= TAIL_OPS => {
                    let after = final_target(ops, at as u32 + 1);
                    copy.push(match ops.get(after as usize) {
                        Some(Op::Return | Op::ReturnMany { .. }) => after,
                        _ => after | JUMP,
                    });
                    break true;
                }
                _ => break false,
            },
        }
    };
    if !ok {
        copy.truncate(base);
    }
    ok
}

/// Replaces each `br` to a short tail (see [`tail`]) with a copy of it,
/// moving every target to the ops' new places.
fn copy_tails(ops: &mut Vec<Op>) {
    // The copies one after another, and for each replaced `br` its index and
    // where its copy ends in `copies`.
    let mut copies = Vec::new();
    let mut plan: Vec<(usize, usize)> = Vec::new();
    // The entries of a `br_table` are one op each, whatever they jump to.
    let mut entry_until = 0;
    let budget = ops.len() / 2 + TAIL_OPS;
    for (at, op) in ops.iter().enumerate() {
        match *op {
            Op::BrTable { len, .. } => entry_until = at + 2 + len as usize,
            Op::Br { target }
                if at >= entry_until
                    && copies.len() < budget
                    && tail(ops, target, at, &mut copies) =>
            {
                plan.push((at, copies.len()));
            }
            _ => {}
        }
    }
    if plan.is_empty() {
        return;
    }
    // Each old op's new index, then the ops in their new places.
    let mut place = Vec::with_capacity(ops.len());
    let mut out = Vec::new();
    for pass in 0..2 {
        let (mut next, mut copied, mut replaced) = (0, 0, plan.iter().peekable());
        for at in 0..ops.len() {
            let own = [at as u32];
            let entries = match replaced.next_if(|&&(p, _)| p == at) {
                Some(&(_, end)) => &copies[core::mem::replace(&mut copied, end)..end],
                None => &own[..],
            };
            if pass == 0 {
                place.push(next);
                next += entries.len() as u32;
                continue;
            }
            for &entry in entries {
                let (mut op, old) = match entry & JUMP {
                    0 => (ops[entry as usize], None),
                    _ => (Op::Br { target: 0 }, Some(entry & !JUMP)),
                };
                if let Some(target) = op.target_mut() {
                    *target = place[old.unwrap_or(*target) as usize];
                }
                out.push(op);
            }
        }
    }
    *ops = out;
}
