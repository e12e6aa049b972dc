//! Extracting every encodable core module from a `.wast` script, as input
//! for decoder robustness tests.

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

/// One module binary found in a script.
#[derive(Debug, Clone)]
pub struct CorpusModule {
    /// Position among the modules of the file (0-based).
    pub index: usize,
    /// 1-based line of the directive containing the module.
    pub line: usize,
    /// The directive it came from, e.g. `assert_invalid`.
    pub origin: &'static str,
    /// The encoded binary.
    pub bytes: Vec<u8>,
}

/// Every core module of the script that encodes successfully: `module`
/// directives and the modules inside `assert_*` directives (binary, quoted or
/// text). Text that does not parse or encode (typical for
/// `assert_malformed`) and component-model modules are left out.
pub fn encoded_modules(text: &str) -> Result<Vec<CorpusModule>, String> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer).map_err(|e| e.to_string())?;
    let wast = parser::parse::<Wast<'_>>(&buffer).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    collect(text, wast.directives, &mut out);
    Ok(out)
}

fn collect(text: &str, directives: Vec<WastDirective<'_>>, out: &mut Vec<CorpusModule>) {
    for directive in directives {
        let line = directive.span().linecol_in(text).0 + 1;
        let (origin, bytes) = match directive {
            WastDirective::Module(mut m) => ("module", encode_quote(&mut m)),
            WastDirective::ModuleDefinition(mut m) => ("module definition", encode_quote(&mut m)),
            WastDirective::AssertMalformed { mut module, .. } => {
                ("assert_malformed", encode_quote(&mut module))
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                ("assert_invalid", encode_quote(&mut module))
            }
            WastDirective::AssertMalformedCustom { mut module, .. } => {
                ("assert_malformed_custom", encode_quote(&mut module))
            }
            WastDirective::AssertInvalidCustom { mut module, .. } => {
                ("assert_invalid_custom", encode_quote(&mut module))
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                ("assert_unlinkable", encode_wat(&mut module))
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(mut module),
                ..
            } => ("assert_trap", encode_wat(&mut module)),
            WastDirective::AssertReturn {
                exec: WastExecute::Wat(mut module),
                ..
            } => ("assert_return", encode_wat(&mut module)),
            WastDirective::Thread(thread) => {
                collect(text, thread.directives, out);
                continue;
            }
            _ => continue,
        };
        if let Some(bytes) = bytes {
            out.push(CorpusModule {
                index: out.len(),
                line,
                origin,
                bytes,
            });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_modules_in_directives() {
        let text = r#"
            (module (func (export "f")))
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_malformed (module quote "(func") "unexpected end")
            (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
        "#;
        let modules = encoded_modules(text).unwrap();
        let origins: Vec<_> = modules.iter().map(|m| m.origin).collect();
        assert_eq!(origins, ["module", "assert_invalid", "assert_malformed"]);
        assert_eq!(modules[2].bytes, b"\0asm\x02\0\0\0");
        assert_eq!(modules[1].line, 3);
    }
}
