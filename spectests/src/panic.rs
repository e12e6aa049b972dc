//! Turning engine panics into ordinary test failures.
//!
//! The harness must never abort because the engine panicked, and the default
//! panic hook would print a full report to stderr for every one of possibly
//! thousands of failing directives. [`catch_panic`] catches the unwind and
//! returns the message; [`install_quiet_panic_hook`] makes panics inside
//! `catch_panic` silent (their location is folded into the returned message)
//! while leaving all other panics reported as usual.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// True while this thread runs inside [`catch_panic`].
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// Location of the last panic captured on this thread, set by the hook.
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that stays quiet for panics caught
/// by [`catch_panic`] and delegates every other panic to the previous hook.
///
/// Set `KESTREL_SPEC_VERBOSE` to also print caught panics in full (useful
/// together with `RUST_BACKTRACE=1`).
pub fn install_quiet_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        let verbose = std::env::var_os("KESTREL_SPEC_VERBOSE").is_some();
        std::panic::set_hook(Box::new(move |info| {
            // `try_with`: the hook may run while thread-locals are torn down.
            if CAPTURING.try_with(Cell::get).unwrap_or(false) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                let _ = LAST_LOCATION.try_with(|slot| *slot.borrow_mut() = location);
                if verbose {
                    previous(info);
                }
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, converting a panic into `Err(message)`.
///
/// The message includes the panic location when [`install_quiet_panic_hook`]
/// was installed. `f` is wrapped in `AssertUnwindSafe`: after a caught panic
/// the caller keeps using its state (e.g. the store) and any corruption simply
/// shows up as further failures, which is what a test report wants.
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was_capturing = CAPTURING.with(|c| c.replace(true));
    LAST_LOCATION.with(|slot| slot.borrow_mut().take());
    let result = catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(was_capturing));
    result.map_err(|payload| {
        let message = payload_message(payload.as_ref());
        // Dropping a panic payload can itself panic; leak it instead.
        std::mem::forget(payload);
        match LAST_LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(location) => format!("panicked at {location}: {message}"),
            None => format!("panicked: {message}"),
        }
    })
}

pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_and_reports_message() {
        install_quiet_panic_hook();
        let err = catch_panic(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.contains("boom 7"), "{err}");
        assert!(err.contains("panic.rs"), "location missing: {err}");
        assert_eq!(catch_panic(|| 5), Ok(5));
    }
}
