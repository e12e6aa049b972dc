//! args_get, args_sizes_get, environ_get, environ_sizes_get: through std and
//! raw, exact sizes and layout, and EFAULT on bad pointers.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

/// Reads a NUL-terminated string table the way `args_get`/`environ_get`
/// lay it out, checking that the pointers are packed in order in `buf` and
/// that nothing past `size` bytes was written.
fn table(
    what: &str,
    sizes: unsafe extern "C" fn(i32, i32) -> i32,
    get: unsafe extern "C" fn(i32, i32) -> i32,
) -> Vec<Vec<u8>> {
    let (mut count, mut size) = (0xAAAA_AAAAu32, 0xAAAA_AAAAu32);
    let r = unsafe { sizes(mut_ptr(&mut count), mut_ptr(&mut size)) };
    check_eq(what, r, 0);
    println!("{what}_sizes_get: count={count} size={size}");
    let mut ptrs = vec![0xAAAA_AAAAu32; count as usize + 1];
    let mut buf = vec![0xAAu8; size as usize + 8];
    let r = unsafe { get(mut_ptr(&mut ptrs[..]), mut_ptr(&mut buf[..])) };
    check_eq(what, r, 0);
    check_eq(
        "pointer past the table is untouched",
        ptrs[count as usize],
        0xAAAA_AAAA,
    );
    check(
        buf[size as usize..].iter().all(|b| *b == 0xAA),
        "bytes past size are untouched",
    );
    let base = buf.as_ptr() as u32;
    let mut at = base;
    let mut out = Vec::new();
    for p in &ptrs[..count as usize] {
        check_eq("strings are packed in order", *p, at);
        let off = (p - base) as usize;
        let len = buf[off..]
            .iter()
            .position(|b| *b == 0)
            .expect("NUL terminator");
        out.push(buf[off..off + len].to_vec());
        at += len as u32 + 1;
    }
    check_eq("size counts every byte and NUL", at - base, size);
    out
}

fn main() {
    // Through std.
    let args: Vec<String> = std::env::args().collect();
    println!("std args: {}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("  arg[{i}] = {a:?}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("std vars: {}", vars.len());
    for (k, v) in &vars {
        println!("  {k} = {v:?}");
    }
    println!("var FOO = {:?}", std::env::var("FOO").ok());
    println!("var MISSING = {:?}", std::env::var("MISSING").ok());

    // Raw, with the exact layout.
    let raw_args = table("args", raw::args_sizes_get, raw::args_get);
    check_eq(
        "raw args equal std args",
        raw_args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>(),
        args.clone(),
    );
    let raw_env = table("environ", raw::environ_sizes_get, raw::environ_get);
    let mut from_raw: Vec<(String, String)> = raw_env
        .iter()
        .map(|e| {
            let s = String::from_utf8_lossy(e).into_owned();
            let (k, v) = s.split_once('=').expect("KEY=value");
            (k.to_string(), v.to_string())
        })
        .collect();
    from_raw.sort();
    check_eq("raw environ equals std vars", from_raw, vars.clone());

    // Bad pointers.
    let mut n = 0u32;
    let r = unsafe { raw::args_sizes_get(BAD_PTR, mut_ptr(&mut n)) };
    expect("args_sizes_get argc out of bounds", r, FAULT);
    let r = unsafe { raw::args_sizes_get(mut_ptr(&mut n), BAD_PTR) };
    expect("args_sizes_get size out of bounds", r, FAULT);
    let r = unsafe { raw::args_sizes_get(straddle(4), mut_ptr(&mut n)) };
    expect("args_sizes_get argc straddling the end", r, FAULT);
    let r = unsafe { raw::environ_sizes_get(BAD_PTR, mut_ptr(&mut n)) };
    expect("environ_sizes_get count out of bounds", r, FAULT);
    let r = unsafe { raw::environ_sizes_get(mut_ptr(&mut n), straddle(4)) };
    expect("environ_sizes_get size straddling the end", r, FAULT);
    // Big enough for either table: an implementation may write some pointers
    // before it finds the bad buffer.
    let mut ptrs = vec![0u32; args.len().max(vars.len()) + 1];
    let mut buf = vec![0u8; 4096];
    if !args.is_empty() {
        let r = unsafe { raw::args_get(mut_ptr(&mut ptrs[..]), BAD_PTR) };
        expect("args_get buffer out of bounds", r, FAULT);
        let r = unsafe { raw::args_get(BAD_PTR, mut_ptr(&mut buf[..])) };
        expect("args_get pointers out of bounds", r, FAULT);
    }
    if !vars.is_empty() {
        let r = unsafe { raw::environ_get(mut_ptr(&mut ptrs[..]), BAD_PTR) };
        expect("environ_get buffer out of bounds", r, FAULT);
        let r = unsafe { raw::environ_get(BAD_PTR, mut_ptr(&mut buf[..])) };
        expect("environ_get pointers out of bounds", r, FAULT);
    }
    finish();
}
