//! The size of a module and of its code section, read from the section
//! headers.

/// How big a module is.
#[derive(Clone, Copy, Debug)]
pub struct ModuleSummary {
    /// The whole binary.
    pub bytes: usize,
    /// The code section (function bodies).
    pub code_bytes: usize,
    /// The data section (initial memory contents).
    pub data_bytes: usize,
    /// Custom sections (names, producers).
    pub custom_bytes: usize,
    /// Defined functions.
    pub functions: u32,
}

fn leb128(bytes: &[u8], at: &mut usize) -> Result<u32, String> {
    let mut result = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at).ok_or("truncated module")?;
        *at += 1;
        result |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err("malformed LEB128".to_string())
}

/// Reads the section headers of `wasm`.
pub fn summary(wasm: &[u8]) -> Result<ModuleSummary, String> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0") {
        return Err("not a Wasm 1.0 module".to_string());
    }
    let mut summary = ModuleSummary {
        bytes: wasm.len(),
        code_bytes: 0,
        data_bytes: 0,
        custom_bytes: 0,
        functions: 0,
    };
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb128(wasm, &mut at)? as usize;
        match id {
            0 => summary.custom_bytes += size,
            10 => {
                summary.code_bytes = size;
                summary.functions = leb128(wasm, &mut at.clone())?;
            }
            11 => summary.data_bytes = size,
            _ => {}
        }
        at += size;
    }
    Ok(summary)
}

/// The initial size in pages of the module's first memory, if it defines
/// one.
pub fn initial_pages(wasm: &[u8]) -> Option<u32> {
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb128(wasm, &mut at).ok()? as usize;
        if id == 5 {
            let mut p = at;
            if leb128(wasm, &mut p).ok()? == 0 {
                return None;
            }
            p += 1; // limits flags
            return leb128(wasm, &mut p).ok();
        }
        at += size;
    }
    None
}
