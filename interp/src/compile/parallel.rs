//! Translation on several threads, as wasmtime compiles in parallel.
//!
//! The module is decoded and validated without its function bodies
//! ([`ModuleInfo::decode_deferred`]); the bodies are then handed out in
//! contiguous runs to one thread per core, and each thread validates,
//! translates and verifies the runs it takes. Bodies are independent once
//! the sections before the code are known, so the functions are the same as
//! the one-pass path's.
//!
//! Runs are taken from a shared queue in index order, each a share of the
//! code still left, so they shrink towards the end and the threads finish
//! together even though equal bytes of code need unequal time, or a core is
//! busy with another process. (Splitting the code into one equal run per
//! thread left one thread 8% behind the other on a 1.4 MB module: 10.9 ms
//! against 10.3 ms on two cores.)
//!
//! The first error is also the same: the one-pass path stops at the first
//! error in the order of the bytes, so a failing body wins over an error in
//! a later section, and verification (which needs the whole module) comes
//! last. Here, all bodies before a decoding error are translated, the
//! lowest-indexed failure among them is reported first, then the decoding
//! error, then the lowest-indexed verification failure.

use alloc::vec::Vec;
use core::iter::{Enumerate, Peekable};
use std::sync::{Mutex, PoisonError};
use std::thread;

use kestrel_core::wasmparser::FuncValidatorAllocations;
use kestrel_core::{Deferred, ModuleInfo, PendingBody};

use crate::code::CompiledFunc;
use crate::{Engine, Error, translate};

/// Bytes of function bodies each thread must have to translate. Another
/// thread costs about 80 µs (starting and joining it, asking for the number
/// of cores, and the first allocations in a new thread), the time to
/// translate 4 KiB of code at ~50 MB/s; measured, two threads break even at
/// 10 to 15 KiB of code in all and save 20% at 40 KiB.
const MIN_CODE_PER_THREAD: u64 = 16 * 1024;

/// The smallest run handed out, so that taking one costs nothing next to
/// translating it.
const MIN_RUN: u64 = 4 * 1024;

/// Whether `bytes` could hold enough code for two threads. Smaller modules
/// keep the one-pass path, which reads each body only once.
pub(super) fn worth_trying(bytes: &[u8]) -> bool {
    bytes.len() as u64 >= 2 * MIN_CODE_PER_THREAD
}

/// How a run of functions failed.
enum Failure {
    /// A body is invalid or cannot be translated.
    Translate(Error),
    /// Translated code failed verification.
    Verify(Error),
}

/// A run's outcome, with the defined index of its first function.
type Outcome = (usize, Result<Vec<CompiledFunc>, Failure>);

/// As [`super::one_pass`], with the bodies translated on up to
/// [`thread::available_parallelism`] threads.
pub(super) fn compile(
    engine: &Engine,
    bytes: &[u8],
) -> Result<(ModuleInfo, Vec<CompiledFunc>), Error> {
    let metering = engine.config().consume_fuel;
    let Deferred {
        module: info,
        bodies,
        error,
    } = ModuleInfo::decode_deferred(bytes, engine.config().features());
    let count = bodies.len();
    // Verification needs the data segments, which follow the code.
    let verify = error.is_none();
    let queue = Queue::new(bodies);
    let threads = queue.threads;
    let queue = Mutex::new(queue);
    let work = || {
        let mut outcomes = Vec::new();
        let mut allocs = FuncValidatorAllocations::default();
        let mut scratch = translate::Scratch::default();
        loop {
            // Held only to take a run. (Poisoning cannot happen: nothing
            // panics while it is held.)
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((start, run)) = next else {
                return outcomes;
            };
            let outcome = translate_run(
                &info,
                start,
                run,
                &mut allocs,
                &mut scratch,
                metering,
                verify,
            );
            outcomes.push((start, outcome));
        }
    };
    let mut outcomes: Vec<Outcome> = thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut outcomes = work();
        for handle in others {
            // A panic in a thread is the caller's, as on the one-pass path.
            outcomes.extend(
                handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        outcomes
    });
    outcomes.sort_unstable_by_key(|(start, _)| *start);
    let mut funcs = Vec::with_capacity(count);
    let mut unverified = None;
    for (_, outcome) in outcomes {
        match outcome {
            Ok(run) => funcs.extend(run),
            Err(Failure::Translate(e)) => return Err(e),
            Err(Failure::Verify(e)) => {
                unverified.get_or_insert(e);
            }
        }
    }
    if let Some(e) = error {
        return Err(e.into());
    }
    match unverified {
        Some(e) => Err(e),
        None => Ok((info, funcs)),
    }
}

/// The bodies still to be translated, handed out in contiguous runs.
struct Queue<'a> {
    bodies: Peekable<Enumerate<alloc::vec::IntoIter<PendingBody<'a>>>>,
    /// Bytes of code in `bodies`.
    left: u64,
    /// As many threads as the code is worth, at most one per core.
    threads: usize,
}

/// Bytes of code in a body, the measure of the work it takes.
fn code_size(body: &PendingBody<'_>) -> u64 {
    let range = body.body.range();
    range.end - range.start
}

impl<'a> Queue<'a> {
    fn new(bodies: Vec<PendingBody<'a>>) -> Self {
        let left: u64 = bodies.iter().map(code_size).sum();
        let threads = if left >= 2 * MIN_CODE_PER_THREAD {
            let cores = thread::available_parallelism().map_or(1, |n| n.get());
            cores.min((left / MIN_CODE_PER_THREAD) as usize)
        } else {
            1
        };
        Queue {
            bodies: bodies.into_iter().enumerate().peekable(),
            left,
            threads,
        }
    }
}

impl<'a> Iterator for Queue<'a> {
    /// The defined index of the run's first body, and the run.
    type Item = (usize, Vec<PendingBody<'a>>);

    /// The next run: half of a thread's share of the code left.
    fn next(&mut self) -> Option<Self::Item> {
        let &(start, _) = self.bodies.peek()?;
        let target = (self.left / (2 * self.threads as u64)).max(MIN_RUN);
        let (mut run, mut size) = (Vec::new(), 0);
        while size < target {
            let Some((_, body)) = self.bodies.next() else {
                break;
            };
            size += code_size(&body);
            run.push(body);
        }
        self.left = self.left.saturating_sub(size);
        Some((start, run))
    }
}

/// Validates and translates `run`, whose first body is defined function
/// `start`, stopping at the first failure; then, if `verify`, verifies it.
/// `allocs` and `scratch` are the thread's validator allocations and
/// translator buffers, reused from run to run.
fn translate_run(
    info: &ModuleInfo,
    start: usize,
    run: Vec<PendingBody<'_>>,
    allocs: &mut FuncValidatorAllocations,
    scratch: &mut translate::Scratch,
    metering: bool,
    verify: bool,
) -> Result<Vec<CompiledFunc>, Failure> {
    let mut funcs = Vec::with_capacity(run.len());
    for (i, pending) in (start..).zip(run) {
        let mut validator = pending.func.into_validator(core::mem::take(allocs));
        let func = translate::translate_validating_in(
            info,
            i,
            &pending.body,
            &mut validator,
            metering,
            scratch,
        )
        .map_err(|e| Failure::Translate(super::translate_error(info, i, e)))?;
        *allocs = validator.into_allocations();
        funcs.push(func);
    }
    if verify {
        for (i, func) in (start..).zip(&funcs) {
            super::verify(info, func, i, metering).map_err(Failure::Verify)?;
        }
    }
    Ok(funcs)
}
