//! `--invoke`: command-line words to Wasm values by the function's parameter
//! types, and results back to text, as wasmtime prints them.

use kestrel_interp::{Val, ValType};

/// Parses `args` as the parameters `params` of the function `name`.
///
/// Returns the message for the user when the count or a value is wrong.
pub fn parse_args(name: &str, params: &[ValType], args: &[String]) -> Result<Vec<Val>, String> {
    if args.len() != params.len() {
        let types: Vec<String> = params.iter().map(ToString::to_string).collect();
        return Err(format!(
            "`{name}` takes {} ({}) but {} {} given",
            plural(params.len(), "argument"),
            types.join(", "),
            args.len(),
            if args.len() == 1 { "was" } else { "were" },
        ));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| {
            parse_val(*ty, arg).ok_or_else(|| {
                format!(
                    "invalid argument '{arg}' for parameter {} of `{name}`: expected {}",
                    i + 1,
                    expectation(*ty),
                )
            })
        })
        .collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn expectation(ty: ValType) -> String {
    match ty {
        ValType::I32 | ValType::I64 => format!("an {ty} (decimal, or hexadecimal with 0x)"),
        ValType::F32 | ValType::F64 => format!("an {ty} (like 1.5, -2e3, inf or nan)"),
        // References cannot be written on a command line.
        ValType::FuncRef | ValType::ExternRef => {
            format!("a value of a type the command line cannot give ({ty})")
        }
    }
}

/// One value of type `ty`, or `None` if `text` is not one.
///
/// Integers accept the signed and the unsigned range of their width (`-1`
/// and `4294967295` are the same `i32`), since a Wasm integer has no sign
/// of its own.
pub fn parse_val(ty: ValType, text: &str) -> Option<Val> {
    match ty {
        ValType::I32 => {
            let v = parse_int(text)?;
            (i128::from(i32::MIN)..=i128::from(u32::MAX))
                .contains(&v)
                .then_some(Val::I32(v as u32 as i32))
        }
        ValType::I64 => {
            let v = parse_int(text)?;
            (i128::from(i64::MIN)..=i128::from(u64::MAX))
                .contains(&v)
                .then_some(Val::I64(v as u64 as i64))
        }
        // Rust's float syntax: `1`, `-0.5`, `1e-3`, `inf`, `-infinity`,
        // `nan`, any case.
        ValType::F32 => text.parse::<f32>().ok().map(Val::from),
        ValType::F64 => text.parse::<f64>().ok().map(Val::from),
        ValType::FuncRef | ValType::ExternRef => None,
    }
}

/// A decimal or `0x` hexadecimal integer with an optional sign, widened so
/// the caller can check the range of its type.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // `i128::from_str_radix` would accept a second sign: only digits here.
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// A result as wasmtime prints it: integers signed, floats in Rust's
/// shortest form, references as placeholders.
pub fn format_val(val: &Val) -> String {
    match val {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::FuncRef(None) => "<null funcref>".to_string(),
        Val::FuncRef(Some(_)) => "<funcref>".to_string(),
        Val::ExternRef(None) => "<null externref>".to_string(),
        Val::ExternRef(Some(_)) => "<externref>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn integers() {
        assert_eq!(parse_val(ValType::I32, "42"), Some(Val::I32(42)));
        assert_eq!(parse_val(ValType::I32, "-7"), Some(Val::I32(-7)));
        assert_eq!(parse_val(ValType::I32, "+7"), Some(Val::I32(7)));
        assert_eq!(parse_val(ValType::I32, "0x10"), Some(Val::I32(16)));
        assert_eq!(parse_val(ValType::I32, "0XfF"), Some(Val::I32(255)));
        assert_eq!(parse_val(ValType::I32, "-0x10"), Some(Val::I32(-16)));
        assert_eq!(parse_val(ValType::I32, "4294967295"), Some(Val::I32(-1)));
        assert_eq!(parse_val(ValType::I32, "0xffffffff"), Some(Val::I32(-1)));
        assert_eq!(
            parse_val(ValType::I32, "-2147483648"),
            Some(Val::I32(i32::MIN))
        );
        for bad in [
            "4294967296",
            "-2147483649",
            "",
            "-",
            "0x",
            "1.5",
            "--1",
            "-+1",
            "12a",
            " 1",
        ] {
            assert_eq!(parse_val(ValType::I32, bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_val(ValType::I64, "-9223372036854775808"),
            Some(Val::I64(i64::MIN))
        );
        assert_eq!(
            parse_val(ValType::I64, "18446744073709551615"),
            Some(Val::I64(-1))
        );
        assert_eq!(
            parse_val(ValType::I64, "0x7fffffffffffffff"),
            Some(Val::I64(i64::MAX))
        );
        assert_eq!(parse_val(ValType::I64, "18446744073709551616"), None);
    }

    #[test]
    fn floats() {
        assert_eq!(parse_val(ValType::F32, "1.5"), Some(Val::from(1.5f32)));
        assert_eq!(parse_val(ValType::F32, "-2e3"), Some(Val::from(-2000f32)));
        assert_eq!(parse_val(ValType::F32, "3"), Some(Val::from(3f32)));
        assert_eq!(
            parse_val(ValType::F32, "inf"),
            Some(Val::from(f32::INFINITY))
        );
        assert_eq!(
            parse_val(ValType::F64, "-infinity"),
            Some(Val::from(f64::NEG_INFINITY))
        );
        assert!(
            parse_val(ValType::F64, "NaN")
                .and_then(|v| v.f64())
                .unwrap()
                .is_nan()
        );
        assert!(
            parse_val(ValType::F32, "nan")
                .and_then(|v| v.f32())
                .unwrap()
                .is_nan()
        );
        assert_eq!(parse_val(ValType::F64, "0.1"), Some(Val::from(0.1f64)));
        assert_eq!(parse_val(ValType::F64, "x"), None);
        assert_eq!(parse_val(ValType::F32, ""), None);
    }

    #[test]
    fn references_cannot_be_given() {
        assert_eq!(parse_val(ValType::FuncRef, "0"), None);
        assert_eq!(parse_val(ValType::ExternRef, "null"), None);
    }

    #[test]
    fn argument_lists() {
        let params = [ValType::I32, ValType::I64, ValType::F32];
        assert_eq!(
            parse_args("f", &params, &strings(&["1", "-2", "0.5"])),
            Ok(vec![Val::I32(1), Val::I64(-2), Val::from(0.5f32)])
        );
        assert_eq!(
            parse_args("f", &params, &strings(&["1"])),
            Err("`f` takes 3 arguments (i32, i64, f32) but 1 was given".to_string())
        );
        assert_eq!(
            parse_args("g", &[ValType::I32], &[]),
            Err("`g` takes 1 argument (i32) but 0 were given".to_string())
        );
        assert_eq!(
            parse_args("f", &params, &strings(&["1", "two", "0.5"])),
            Err(
                "invalid argument 'two' for parameter 2 of `f`: expected an i64 \
                 (decimal, or hexadecimal with 0x)"
                    .to_string()
            )
        );
        assert_eq!(parse_args("h", &[], &[]), Ok(vec![]));
    }

    #[test]
    fn results_print_like_wasmtime() {
        assert_eq!(format_val(&Val::I32(-1)), "-1");
        assert_eq!(format_val(&Val::I64(1 << 40)), "1099511627776");
        assert_eq!(format_val(&Val::from(3.0f32)), "3");
        assert_eq!(format_val(&Val::from(0.1f64)), "0.1");
        assert_eq!(format_val(&Val::from(f32::NEG_INFINITY)), "-inf");
        assert_eq!(format_val(&Val::from(f64::NAN)), "NaN");
        assert_eq!(format_val(&Val::FuncRef(None)), "<null funcref>");
        assert_eq!(format_val(&Val::ExternRef(None)), "<null externref>");
    }
}
