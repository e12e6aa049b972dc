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
/// grow the code by about half its length at most. `branches` is a buffer
/// kept between functions.
///
/// Only the threading where the translator is built for size
/// ([`crate::TAIL_COPIES`] is false: `kestrel_compact_translate`), which
/// takes a tenth of the code: the copies' 1.2 KiB would take a Cortex-M
/// build over its flash budget.
#[inline(never)]
pub(super) fn shorten_jumps(ops: &mut Vec<Op>, branches: &mut Vec<u32>) {
    branches.clear();
    if !crate::TAIL_COPIES {
        thread_jumps::<false>(ops, branches);
        return;
    }
    if thread_jumps::<true>(ops, branches) {
        copy_tails(ops, branches);
    }
}

/// In [`thread_jumps`]'s list of branches: a `br` that a tail copy may
/// replace (not a `br_table` entry, which stays one op).
const REPLACEABLE: u32 = 1 << 31;

/// Retargets branches past `br`s and turns a `br` to a return into that
/// return. If `LIST` (for the tail copies), lists the index of every op
/// left with a target in `branches`, and says whether any of them is
/// [`REPLACEABLE`].
fn thread_jumps<const LIST: bool>(ops: &mut [Op], branches: &mut Vec<u32>) -> bool {
    let mut any_br = false;
    // The entries of a `br_table` are one op each, whatever they jump to.
    let mut entry_until = 0;
    for at in 0..ops.len() {
        let mut op = ops[at];
        if !op.has_target() {
            if let Op::BrTable { len, .. } = op {
                entry_until = at + 2 + len as usize;
            }
            continue;
        }
        let Some(target) = op.target_mut() else {
            continue;
        };
        let end = final_target(ops, *target);
        *target = end;
        let mut listed = at as u32;
        if matches!(op, Op::Br { .. }) {
            match ops.get(end as usize) {
                Some(&ret @ (Op::Return | Op::ReturnMany { .. })) => {
                    ops[at] = ret;
                    continue;
                }
                _ if at >= entry_until => {
                    listed |= REPLACEABLE;
                    any_br = true;
                }
                _ => {}
            }
        }
        ops[at] = op;
        if LIST {
            branches.push(listed);
        }
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
    ) && !op.has_target()
}

/// Appends to `copy` the tail at `start`, its branches' targets still old
/// indices, and says whether it may replace the `br` at `from`: it must be
/// short, end in a transfer and not contain that `br`. On `false`, `copy`
/// is as it was.
fn tail(ops: &[Op], start: u32, from: usize, copy: &mut Vec<Op>) -> bool {
    let base = copy.len();
    let mut at = start as usize;
    let mut hops = 0;
    let ok = loop {
        let len = copy.len() - base;
        let Some(&op) = ops.get(at).filter(|_| at != from && len < TAIL_OPS) else {
            break false;
        };
        match op {
            Op::Br { target } => {
                // Followed, not copied.
                hops += 1;
                if hops > HOPS {
                    break false;
                }
                at = target as usize;
            }
            Op::Return | Op::ReturnMany { .. } | Op::BrCopy { .. } => {
                copy.push(op);
                break true;
            }
            _ if plain(&op) => {
                copy.push(op);
                at += 1;
            }
            // A conditional branch: worth copying only as a back edge, which
            // a loop takes on all but its last iteration; then what followed
            // it.
            mut branch => match branch.target_mut() {
                Some(&mut target) if target as usize <= at && len + 2 <= TAIL_OPS => {
                    copy.push(branch);
                    let after = final_target(ops, at as u32 + 1);
                    copy.push(match ops.get(after as usize) {
                        Some(&ret @ (Op::Return | Op::ReturnMany { .. })) => ret,
                        _ => Op::Br { target: after },
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

/// Replaces each [`REPLACEABLE`] `br` to a short tail (see [`tail`]) with a
/// copy of it, in place, and moves every target in `branches` (the
/// function's branches, by old index) and in the copies to the ops' new
/// places.
fn copy_tails(ops: &mut Vec<Op>, branches: &[u32]) {
    // The copies one after another, and for each replaced `br` its index and
    // where its copy ends in `copies`.
    let mut copies = Vec::new();
    let mut plan: Vec<(u32, u32)> = Vec::new();
    let budget = ops.len() / 2 + TAIL_OPS;
    for &listed in branches {
        let at = (listed & !REPLACEABLE) as usize;
        if listed & REPLACEABLE != 0
            && copies.len() < budget
            && let Some(&Op::Br { target }) = ops.get(at)
            && tail(ops, target, at, &mut copies)
        {
            plan.push((at as u32, copies.len() as u32));
        }
    }
    if plan.is_empty() {
        return;
    }
    // An old index's new place: the ops the copies before it added.
    let place = |old: u32| {
        let before = plan.partition_point(|&(at, _)| at < old);
        let added = before
            .checked_sub(1)
            .map_or(0, |k| plan[k].1 as usize - before);
        old + added as u32
    };
    // Each copy takes its `br`'s place and adds `len - 1` ops. Moving the
    // runs between replaced `br`s from the last one back leaves every op
    // not yet moved where it was.
    let old_len = ops.len();
    let added = copies.len() - plan.len();
    ops.resize(old_len + added, Op::Unreachable);
    let (mut end, mut shift) = (old_len, added);
    for (k, &(at, copy_end)) in plan.iter().enumerate().rev() {
        let at = at as usize;
        let copy = &copies[k.checked_sub(1).map_or(0, |k| plan[k].1) as usize..copy_end as usize];
        ops.copy_within(at + 1..end, at + 1 + shift);
        shift -= copy.len() - 1;
        for (slot, &op) in ops[at + shift..].iter_mut().zip(copy) {
            *slot = op;
            if let Some(target) = slot.target_mut() {
                *target = place(*target);
            }
        }
        end = at;
    }
    let mut replaced = plan.iter().map(|&(at, _)| at).peekable();
    for &listed in branches {
        let old = listed & !REPLACEABLE;
        if replaced.next_if_eq(&old).is_some() {
            continue;
        }
        if let Some(target) = ops.get_mut(place(old) as usize).and_then(Op::target_mut) {
            *target = place(*target);
        }
    }
}
