//! Running the directives of one `.wast` file.

use std::collections::HashMap;

use kestrel_interp::{Config, Engine, Error, Instance, Linker, Module, Store, Trap, Val};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::{Id, Span};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use crate::panic::catch_panic;
use crate::report::{Failure, FileReport};
use crate::skips;
use crate::spectest_host::define_spectest;
use crate::values::{arg_to_val, fmt_rets, fmt_vals, ret_matches};

/// Runs every directive of the `.wast` script `text`, unless `name` is in
/// [`crate::SKIPS`], in which case every directive is counted as skipped.
///
/// `name` is used for the report and the skip-list lookup; drivers pass the
/// path relative to the testsuite data dir (e.g. `wasm-v2/br_table.wast`).
pub fn run_wast(name: &str, text: &str) -> FileReport {
    run_wast_with(name, text, &Config::default())
}

/// [`run_wast`] under engine configuration `config`.
pub fn run_wast_with(name: &str, text: &str, config: &Config) -> FileReport {
    match skips::find(name) {
        Some(skip) => skipped_report(name, text, skip.reason),
        None => run_wast_ignoring_skips_with(name, text, config),
    }
}

/// Like [`run_wast`] but runs the file even if it is in the skip list (to
/// check whether a skip entry can be removed).
pub fn run_wast_ignoring_skips(name: &str, text: &str) -> FileReport {
    run_wast_ignoring_skips_with(name, text, &Config::default())
}

fn run_wast_ignoring_skips_with(name: &str, text: &str, config: &Config) -> FileReport {
    let mut report = FileReport::new(name);
    let buffer = match parse_buffer(text) {
        Ok(buffer) => buffer,
        Err(e) => {
            report.fail(parse_failure(text, e));
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buffer) {
        Ok(wast) => wast,
        Err(e) => {
            report.fail(parse_failure(text, e));
            return report;
        }
    };

    let mut runner = match catch_panic(|| WastRunner::new(config)) {
        Ok(Ok(runner)) => runner,
        Ok(Err(e)) => {
            report.fail(Failure {
                kind: "setup",
                line: 0,
                col: 0,
                message: format!("spectest host setup failed: {e}"),
            });
            return report;
        }
        Err(panic) => {
            report.fail(Failure {
                kind: "setup",
                line: 0,
                col: 0,
                message: format!("engine {panic}"),
            });
            return report;
        }
    };

    for directive in wast.directives {
        let kind = directive_kind(&directive);
        let (line, col) = linecol(text, directive.span());
        let outcome = catch_panic(|| runner.run(directive))
            .unwrap_or_else(|panic| Err(format!("engine {panic}")));
        match outcome {
            Ok(()) => report.passed += 1,
            Err(message) => report.fail(Failure {
                kind,
                line,
                col,
                message,
            }),
        }
    }
    report
}

/// Counts the directives of a skipped file (1 if it does not even parse).
fn skipped_report(name: &str, text: &str, reason: &'static str) -> FileReport {
    let directives = parse_buffer(text)
        .ok()
        .and_then(|buffer| {
            parser::parse::<Wast<'_>>(&buffer)
                .ok()
                .map(|w| w.directives.len())
        })
        .unwrap_or(1);
    FileReport {
        skipped: directives,
        skip_reason: Some(reason),
        ..FileReport::new(name)
    }
}

fn parse_buffer(text: &str) -> Result<ParseBuffer<'_>, wast::Error> {
    // The testsuite deliberately contains bidi/confusable characters in
    // strings (names.wast), which the lexer rejects by default.
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

fn parse_failure(text: &str, mut e: wast::Error) -> Failure {
    let (line, col) = linecol(text, e.span());
    e.set_text(text);
    Failure {
        kind: "parse",
        line,
        col,
        message: format!("failed to parse script: {e}"),
    }
}

/// 1-based line and column of `span`.
fn linecol(text: &str, span: Span) -> (usize, usize) {
    let (line, col) = span.linecol_in(text);
    (line + 1, col + 1)
}

/// The directive's keyword, for failure messages.
fn directive_kind(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        // A trapping module instantiation is what older scripts call
        // `assert_uninstantiable`.
        WastDirective::AssertTrap {
            exec: WastExecute::Wat(_),
            ..
        } => "assert_trap (module)",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// Why executing an `invoke` / `get` / module did not produce values.
enum ExecError {
    /// The script could not be carried out (unknown module or export,
    /// unsupported argument, encoding failure...). Always a test failure.
    Harness(String),
    /// The engine returned an error (trap, link error, ...).
    Engine(Error),
}

impl From<String> for ExecError {
    fn from(message: String) -> Self {
        ExecError::Harness(message)
    }
}

/// Per-file state: one engine, store and linker, and the named instances.
struct WastRunner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// Instance targeted by `invoke`/`get`/`register` without a module id.
    current: Option<Instance>,
    /// Instances by module id (`$name` without the `$`).
    instances: HashMap<String, Instance>,
    /// `(module definition $name ...)` modules, compiled but not instantiated.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
}

impl WastRunner {
    fn new(config: &Config) -> Result<Self, Error> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        // Metering must not change results: give it all the fuel there is
        // (an error only means fuel is off in this configuration).
        let _ = store.set_fuel(u64::MAX);
        let mut linker = Linker::new(&engine);
        define_spectest(&mut linker, &mut store)?;
        Ok(Self {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
        })
    }

    /// Executes one directive; `Err` carries the failure message.
    fn run(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                // A module that fails must not leave the previous one as the
                // target of later invokes (their failures would be misleading).
                self.current = None;
                if let Some(name) = &name {
                    self.instances.remove(name);
                }
                let module = self.compile_quote(&mut module)?;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.set_current(name, instance);
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let module = self.compile_quote(&mut module)?;
                if let Some(name) = name {
                    self.definitions.insert(name, module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                }
                .ok_or_else(|| format!("unknown module definition {}", id_or_last(module)))?;
                let name = instance.map(|id| id.name().to_string());
                self.current = None;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &definition)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.set_current(name, instance);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker
                    .instance(&mut self.store, name, instance)
                    .map_err(|e| format!("registering as {name:?} failed: {e}"))?;
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => Ok(()),
                Err(e) => Err(self.describe(e)),
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => {
                let outcome = self.execute(exec);
                self.expect_trap(outcome, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let outcome = self.invoke(&call);
                self.expect_trap(outcome, message)
            }
            WastDirective::AssertInvalid {
                module, message, ..
            }
            | WastDirective::AssertMalformed {
                module, message, ..
            } => self.expect_rejected(module, message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message),
            other => Err(format!(
                "unsupported directive `{}`",
                directive_kind(&other)
            )),
        }
    }

    fn set_current(&mut self, name: Option<String>, instance: Instance) {
        self.current = Some(instance);
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
    }

    /// The instance named `id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no current module instance (last module failed?)".to_string()),
        }
    }

    /// Encodes and compiles a module that is expected to be valid.
    fn compile_quote(&self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        if is_component(module) {
            return Err("unsupported directive: component model".to_string());
        }
        let bytes = module
            .encode()
            .map_err(|e| format!("failed to encode module: {}", e.message()))?;
        Module::new(&self.engine, &bytes).map_err(|e| format!("module failed to compile: {e}"))
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, ExecError> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function {:?}", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(|arg| arg_to_val(&mut self.store, arg))
            .collect::<Result<Vec<_>, _>>()?;
        let result_count = func.ty(&self.store).results().len();
        let mut results: Vec<Val> = (0..result_count).map(|_| Val::I32(0)).collect();
        func.call(&mut self.store, &args, &mut results)
            .map_err(ExecError::Engine)?;
        Ok(results)
    }

    /// Runs the action of `assert_return` / `assert_trap`. A module action
    /// instantiates an anonymous module that does not become current.
    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, ExecError> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let global = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no exported global {global:?}"))?;
                Ok(vec![global.get(&self.store)])
            }
            WastExecute::Wat(mut wat) => {
                let module = self.compile_wat(&mut wat).map_err(ExecError::Harness)?;
                self.linker
                    .instantiate(&mut self.store, &module)
                    .map_err(ExecError::Engine)?;
                Ok(Vec::new())
            }
        }
    }

    fn compile_wat(&self, wat: &mut Wat<'_>) -> Result<Module, String> {
        if matches!(wat, Wat::Component(_)) {
            return Err("unsupported directive: component model".to_string());
        }
        let bytes = wat
            .encode()
            .map_err(|e| format!("failed to encode module: {}", e.message()))?;
        Module::new(&self.engine, &bytes).map_err(|e| format!("module failed to compile: {e}"))
    }

    fn assert_return(
        &mut self,
        exec: WastExecute<'_>,
        expected: &[WastRet<'_>],
    ) -> Result<(), String> {
        let actual = match self.execute(exec) {
            Ok(actual) => actual,
            Err(e) => {
                return Err(format!(
                    "expected {}, got {}",
                    fmt_rets(expected),
                    self.describe(e)
                ));
            }
        };
        let all_match = actual.len() == expected.len()
            && expected
                .iter()
                .zip(&actual)
                .all(|(e, a)| ret_matches(&self.store, e, a));
        if all_match {
            Ok(())
        } else {
            Err(format!(
                "expected {}, got {}",
                fmt_rets(expected),
                fmt_vals(&self.store, &actual)
            ))
        }
    }

    fn expect_trap(
        &self,
        outcome: Result<Vec<Val>, ExecError>,
        expected: &str,
    ) -> Result<(), String> {
        match outcome {
            Ok(values) => Err(format!(
                "expected trap {expected:?}, got {}",
                fmt_vals(&self.store, &values)
            )),
            Err(ExecError::Harness(message)) => Err(message),
            Err(ExecError::Engine(e)) => match e.as_trap() {
                Some(trap) if trap_matches(expected, trap) => Ok(()),
                Some(trap) => Err(format!(
                    "expected trap {expected:?}, got trap {:?}",
                    trap_message(trap)
                )),
                None => Err(format!(
                    "expected trap {expected:?}, got non-trap error: {e}"
                )),
            },
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must not compile.
    /// Text that `wast` cannot parse or encode counts as rejected, as does a
    /// binary that `Module::new` refuses.
    fn expect_rejected(&self, mut module: QuoteWat<'_>, expected: &str) -> Result<(), String> {
        if is_component(&module) {
            return Err("unsupported directive: component model".to_string());
        }
        let Ok(bytes) = module.encode() else {
            return Ok(());
        };
        match Module::new(&self.engine, &bytes) {
            Err(_) => Ok(()),
            Ok(_) => Err(format!(
                "module compiled, but should have been rejected with {expected:?}"
            )),
        }
    }

    /// The module must compile but fail to instantiate with a non-trap
    /// (link) error.
    fn assert_unlinkable(&mut self, mut module: Wat<'_>, expected: &str) -> Result<(), String> {
        let module = self.compile_wat(&mut module)?;
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(_) => Err(format!(
                "module instantiated, but should have failed to link with {expected:?}"
            )),
            Err(e) => match e.as_trap() {
                Some(trap) => Err(format!(
                    "expected link error {expected:?}, got trap {:?}",
                    trap_message(trap)
                )),
                None => Ok(()),
            },
        }
    }

    fn describe(&self, e: ExecError) -> String {
        match e {
            ExecError::Harness(message) => message,
            ExecError::Engine(e) => match e.as_trap() {
                Some(trap) => format!("trap {:?}", trap_message(trap)),
                None => format!("error: {e}"),
            },
        }
    }
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

fn id_or_last(id: Option<Id<'_>>) -> String {
    id.map_or_else(
        || "(last defined)".to_string(),
        |id| format!("${}", id.name()),
    )
}

/// The spec wording of a trap (`TrapCode::message()`).
fn trap_message(trap: &Trap) -> &'static str {
    trap.code().message()
}

/// Spec scripts give the expected trap text; the reference interpreter
/// accepts an actual message that starts with it, and some scripts append
/// detail (`"uninitialized element 2"`), so accept the expected text inside
/// the code's message or the trap's `Display`, or the message being a prefix
/// of the expected text.
fn trap_matches(expected: &str, trap: &Trap) -> bool {
    let code = trap_message(trap);
    let shown = trap.to_string();
    [code, shown.as_str()].iter().any(|actual| {
        !actual.is_empty() && (actual.contains(expected) || expected.starts_with(actual))
    })
}
