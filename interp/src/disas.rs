//! A readable listing of a module's translated bytecode, for debugging the
//! translator and for choosing superinstructions.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use crate::Module;

impl Module {
    /// The register bytecode of the function named `name` in the module's
    /// name section (or exported as `name`), one op per line with its index,
    /// or `None` if there is no such defined function.
    #[doc(hidden)]
    pub fn disassemble(&self, name: &str) -> Option<String> {
        let info = self.info();
        let index = info
            .func_names
            .iter()
            .find(|(_, n)| &**n == name)
            .map(|(i, _)| *i)
            .or_else(|| {
                info.exports.iter().find_map(|e| match e.index {
                    kestrel_core::ExternIdx::Func(f) if &*e.name == name => Some(f),
                    _ => None,
                })
            })?;
        let func = self
            .funcs()
            .get(index.checked_sub(info.imported_funcs)? as usize)?;
        let mut out = format!(
            "func {index} {name}: params {} locals {} frame {}\n",
            func.params, func.locals, func.frame_size
        );
        for (pc, op) in func.ops.iter().enumerate() {
            let _ = writeln!(out, "{pc:5}  {op:?}");
        }
        Some(out)
    }
}
