//! Validation and translation driven by one decoding of each operator.
//!
//! wasmparser decodes an operator straight into a call of the matching
//! method of a `VisitOperator`. `visitor::Validating` is such a visitor: each
//! method first calls the same method of the function's validator, then
//! hands the operator to the translator. Decoding into an `Operator` and
//! validating it with `FuncValidator::op` dispatches on the operator
//! twice (once to build it, once to validate it) and moves it around; this
//! way the validator is called directly from the decoder's dispatch, and the
//! `Operator` built for the translator is a constant of each method.
//!
//! Builds optimised for size (`opt-level` `s` or `z`) and bare-metal builds
//! (`target_os = "none"`), where build.rs sets `kestrel_compact_translate`,
//! decode each operator into an `Operator` instead: there, every visitor
//! method becomes a function of its own with its share of the validator,
//! 43 to 50 KiB more code on Cortex-M at `s` and 115 KiB at opt-level 3,
//! where wasmparser's `FuncValidator::op` validates every operator in one
//! function. Both loops report the same errors, wasmparser's, in the same
//! order.

use kestrel_core::wasmparser::{BinaryReader, FuncValidator, ValidatorResources};

use super::{TranslateError, Translator};

/// Validates and translates the operators of a body from `reader` (just
/// after the locals), one by one, then checks that the body ends after its
/// final `end`.
#[cfg(not(kestrel_compact_translate))]
pub(super) fn validate_and_translate(
    mut reader: BinaryReader<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    t: &mut Translator<'_>,
) -> Result<(), TranslateError> {
    while !reader.eof() {
        let offset = reader.original_position();
        let mut visitor = visitor::Validating {
            validator: validator.visitor(offset),
            translator: &mut *t,
            offset: offset as usize,
            error: None,
        };
        let end = reader.visit_operator(&mut visitor)?;
        if let Some(e) = visitor.error {
            return Err(e);
        }
        if end {
            break;
        }
    }
    // Nothing may follow the function's final `end`; the validator's
    // control frames are the ones checked, as in wasmparser's own
    // `FuncValidator::validate`.
    reader
        .finish_expression(&validator.visitor(reader.original_position()))
        .map_err(|e| TranslateError::Malformed(e.into()))
}

/// As above, decoding each operator into an `Operator` for the validator
/// and the translator.
#[cfg(kestrel_compact_translate)]
pub(super) fn validate_and_translate(
    reader: BinaryReader<'_>,
    validator: &mut FuncValidator<ValidatorResources>,
    t: &mut Translator<'_>,
) -> Result<(), TranslateError> {
    let mut reader = kestrel_core::wasmparser::OperatorsReader::new(reader);
    while !reader.eof() {
        let offset = reader.original_position() as usize;
        let op = reader.read()?;
        validator
            .op(offset as u64, &op)
            .map_err(|e| TranslateError::Malformed(e.into()))?;
        if t.operator(&op, offset)? {
            break;
        }
    }
    // Nothing may follow the function's final `end`.
    reader
        .finish()
        .map_err(|e| TranslateError::Malformed(e.into()))
}

#[cfg(not(kestrel_compact_translate))]
mod visitor {
    // `Vec` names an argument type in `for_each_visit_operator!`.
    use alloc::vec::Vec;
    use core::mem::ManuallyDrop;
    use kestrel_core::wasmparser::{
        BinaryReaderError, FrameKind, FrameStack, Operator, VisitOperator, for_each_visit_operator,
    };

    use crate::translate::{TranslateError, Translator};

    /// The visitor for one operator at `offset`: `validator` is the function
    /// validator's visitor for that operator. Its output is whether the
    /// operator ended the body; if the operator is invalid or cannot be
    /// translated, the output is `false` and the error is left in `error`
    /// (returned by value, it would make every method's result large).
    pub(super) struct Validating<'t, 'm, V> {
        pub(super) validator: V,
        pub(super) translator: &'t mut Translator<'m>,
        pub(super) offset: usize,
        pub(super) error: Option<TranslateError>,
    }

    impl<V> Validating<'_, '_, V> {
        #[cold]
        #[inline(never)]
        fn fail(&mut self, error: TranslateError) -> bool {
            self.error = Some(error);
            false
        }

        #[cold]
        #[inline(never)]
        fn invalid(&mut self, error: BinaryReaderError) -> bool {
            self.fail(TranslateError::Malformed(error.into()))
        }
    }

    /// wasmparser checks `else` and the end of the body against the control
    /// frames; the validator's are the ones of the code read so far, as in
    /// wasmparser's own `FuncValidator::validate`.
    impl<V: FrameStack> FrameStack for Validating<'_, '_, V> {
        fn current_frame(&self) -> Option<FrameKind> {
            self.validator.current_frame()
        }
    }

    macro_rules! define_validating_visit {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
            $(
                #[inline]
                fn $visit(&mut self $($(, $arg: $argty)*)?) -> Self::Output {
                    // The arguments are `Copy` but for `br_table`'s targets and
                    // a few operators outside Wasm 2.0, which the validator
                    // rejects.
                    #[allow(clippy::clone_on_copy)]
                    if let Err(e) = self.validator.$visit($($($arg.clone()),*)?) {
                        return self.invalid(e);
                    }
                    // `operator` is inlined: with a constant operator, only its
                    // arm for this one is left. Dropping an `Operator` is a call
                    // of its (large) drop glue, even for a variant with nothing
                    // to drop: it is dropped only if its arguments need it.
                    let op = ManuallyDrop::new(Operator::$op $({ $($arg),* })?);
                    let result = self.translator.operator(&op, self.offset);
                    if false $($(|| core::mem::needs_drop::<$argty>())*)? {
                        drop(ManuallyDrop::into_inner(op));
                    }
                    match result {
                        Ok(end) => end,
                        Err(e) => self.fail(e),
                    }
                }
            )*
        };
    }

    impl<'a, V> VisitOperator<'a> for Validating<'_, '_, V>
    where
        V: VisitOperator<'a, Output = Result<(), BinaryReaderError>>,
    {
        type Output = bool;

        for_each_visit_operator!(define_validating_visit);
    }
}
