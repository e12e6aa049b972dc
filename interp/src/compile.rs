//! From bytes to a module's translated functions: decoding, validation,
//! translation and verification.
//!
//! Two paths give the same functions and the same first error. The one-pass
//! path validates and translates each body while decoding reads the module,
//! so each body's code is read once. With `std`, a module large enough to pay
//! for threads is decoded first and its bodies are then translated on
//! several threads ([`parallel`]).

use alloc::vec::Vec;

use kestrel_core::ModuleInfo;

use crate::code::CompiledFunc;
use crate::translate::{self, TranslateError};
use crate::{Engine, Error, ErrorKind};

#[cfg(feature = "std")]
mod parallel;

/// Decodes, validates and translates `bytes`, then verifies every function.
pub(crate) fn compile(
    engine: &Engine,
    bytes: &[u8],
) -> Result<(ModuleInfo, Vec<CompiledFunc>), Error> {
    #[cfg(feature = "std")]
    if engine.config().parallel_translation && parallel::worth_trying(bytes) {
        return parallel::compile(engine, bytes);
    }
    one_pass(engine, bytes)
}

/// Each operator is validated, then translated, while decoding reads the
/// module; the first error in the order of the bytes ends it.
fn one_pass(engine: &Engine, bytes: &[u8]) -> Result<(ModuleInfo, Vec<CompiledFunc>), Error> {
    let metering = engine.config().consume_fuel;
    let mut funcs = Vec::new();
    let mut scratch = translate::Scratch::default();
    let info = ModuleInfo::decode_with_bodies(
        bytes,
        engine.config().features(),
        |info, i, body, validator| -> Result<(), Error> {
            let func = translate::translate_validating_in(
                info,
                i,
                &body,
                validator,
                metering,
                &mut scratch,
            )
            .map_err(|e| translate_error(info, i, e))?;
            funcs.push(func);
            Ok(())
        },
    )?;
    // After decoding: the data segments, which ops may name, follow the code.
    for (i, func) in funcs.iter().enumerate() {
        verify(&info, func, i, metering)?;
    }
    Ok((info, funcs))
}

/// The error for defined function `defined`, which failed translation.
fn translate_error(info: &ModuleInfo, defined: usize, error: TranslateError) -> Error {
    match error {
        // The validator's verdict: an invalid module.
        TranslateError::Malformed(e) => Error::from(e),
        error => Error::from(ErrorKind::Translate {
            func: info.imported_funcs + defined as u32,
            error,
        }),
    }
}

/// The executor skips bounds checks on the strength of the verifier, so
/// translated code is verified like an image's, in every build: a translator
/// bug is an error, not UB. `info` must be the whole module.
fn verify(
    info: &ModuleInfo,
    func: &CompiledFunc,
    defined: usize,
    metering: bool,
) -> Result<(), Error> {
    crate::verify::verify(info, func, defined, metering).map_err(|r| {
        Error::from(ErrorKind::Translate {
            func: info.imported_funcs + defined as u32,
            error: TranslateError::Unverified {
                at: r.at,
                reason: r.reason,
            },
        })
    })
}
