//! Precompiled bytecode images: a module loaded from its image behaves as
//! the module it was made from, and an image that is corrupt, truncated,
//! built for another instruction set or configuration, or forged to break
//! an invariant of the executor is an error, never a panic.

use kestrel_interp::image::{self, AlignedImage, ImageError, VerifyError, forge};
use kestrel_interp::isa::Op;
use kestrel_interp::{
    Config, Engine, Error, ErrorKind, Global, GlobalType, Linker, Module, Mutability, Store, Val,
    ValType,
};

/// Calls, host imports, memory and data segments, tables and element
/// segments, globals, a start function, `br_table`, multiple results,
/// recursion and traps in named functions.
const DEMO: &str = r#"
(module $demo
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (import "host" "base" (global $base i32))
  (memory (export "mem") 1)
  (data (i32.const 16) "hello")
  (data $passive "world")
  (table $t 4 funcref)
  (elem (i32.const 0) $double $triple)
  (elem $later funcref (ref.func $triple) (ref.null func))
  (global $counter (mut i32) (global.get $base))
  (global $k (export "k") i64 (i64.const -5))
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $start (global.set $counter (i32.add (global.get $counter) (i32.const 100))))
  (start $start)
  (func (export "counter") (result i32) (global.get $counter))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 1) (local.get 0)))
  (func (export "host") (param i32) (result i32)
    (call $host_add (local.get 0) (i32.const 1)))
  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "init") (param i32)
    (memory.init $passive (local.get 0) (i32.const 0) (i32.const 5)))
  (func (export "table_init")
    (table.init $t $later (i32.const 2) (i32.const 0) (i32.const 2)))
  (func $fib (export "fib") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "sum") (param i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32.add (local.get $acc) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func $boom (unreachable))
  (func $middle (call $boom))
  (func (export "trap") (call $middle))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
"#;

/// The calls made on every loaded copy of `DEMO`, in order.
fn demo_calls() -> Vec<(&'static str, Vec<Val>)> {
    use Val::{I32, I64};
    vec![
        ("counter", vec![]),
        ("indirect", vec![I32(0), I32(21)]),
        ("indirect", vec![I32(1), I32(7)]),
        ("indirect", vec![I32(3), I32(1)]),
        ("indirect", vec![I32(9), I32(1)]),
        ("host", vec![I32(41)]),
        ("switch", vec![I32(0)]),
        ("switch", vec![I32(1)]),
        ("switch", vec![I32(2)]),
        ("switch", vec![I32(3)]),
        ("switch", vec![I32(100)]),
        ("load", vec![I32(16)]),
        ("load", vec![I32(20)]),
        ("init", vec![I32(200)]),
        ("load", vec![I32(202)]),
        ("init", vec![I32(65534)]),
        ("table_init", vec![]),
        ("indirect", vec![I32(2), I32(5)]),
        ("indirect", vec![I32(3), I32(5)]),
        ("fib", vec![I64(20)]),
        ("swap", vec![I32(1), I64(-2)]),
        ("sum", vec![I32(100)]),
        ("trap", vec![]),
        ("div", vec![I32(7), I32(2)]),
        ("div", vec![I32(1), I32(0)]),
        ("grow", vec![I32(1)]),
        ("load", vec![I32(65536 + 16)]),
        ("load", vec![I32(2 * 65536)]),
    ]
}

/// Instantiates `module` with the host imports `DEMO` needs, runs `calls`
/// and describes every outcome: results, or the error with the trap's
/// backtrace.
fn observe(module: &Module, calls: &[(&str, Vec<Val>)]) -> Vec<String> {
    let engine = module.engine();
    let mut store = Store::new(engine, ());
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("host", "add", |a: i32, b: i32| a.wrapping_add(b))
        .unwrap();
    let base = Global::new(
        &mut store,
        GlobalType::new(ValType::I32, Mutability::Const),
        Val::I32(5),
    )
    .unwrap();
    linker.define(&store, "host", "base", base).unwrap();
    let instance = linker.instantiate(&mut store, module).unwrap();
    calls
        .iter()
        .map(|(name, args)| {
            let func = instance.get_func(&store, name).unwrap();
            let ty = func.ty(&store);
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            match func.call(&mut store, args, &mut results) {
                Ok(()) => format!("{name}: {results:?}"),
                Err(e) => match e.as_trap() {
                    Some(trap) => format!("{name}: {trap:#}"),
                    None => format!("{name}: error {e}"),
                },
            }
        })
        .collect()
}

/// An image in flash: `image` in an aligned buffer that lives for 'static.
/// `N` bounds the image's size; each call leaks one buffer.
fn flash<const N: usize>(image: &[u8]) -> &'static [u8] {
    let buffer: &'static mut AlignedImage<N> = Box::leak(Box::new(AlignedImage([0; N])));
    buffer.0[..image.len()].copy_from_slice(image);
    &buffer.0[..image.len()]
}

fn compile(engine: &Engine, wat: &str) -> Module {
    Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
}

/// The image error of a failed load.
fn image_error(result: Result<Module, Error>) -> ImageError {
    match result {
        Ok(_) => panic!("the image loaded"),
        Err(e) => match e.kind() {
            ErrorKind::Image(e) => e.clone(),
            other => panic!("not an image error: {other:?}"),
        },
    }
}

/// Both loaders' verdict on `image`, which must be the same error.
fn rejected(engine: &Engine, image: &[u8]) -> ImageError {
    let copied = image_error(Module::from_image_copied(engine, image));
    let in_place = image_error(Module::from_image(engine, flash::<16384>(image)));
    assert_eq!(copied, in_place);
    copied
}

#[test]
fn demo_behaves_the_same_from_its_image() {
    let engine = Engine::default();
    let module = compile(&engine, DEMO);
    let expected = observe(&module, &demo_calls());
    // The observations are what the module does, not all errors.
    assert!(
        expected.contains(&"fib: [I64(6765)]".to_string()),
        "{expected:#?}"
    );
    assert!(
        expected
            .iter()
            .any(|o| o.starts_with("trap: unreachable\nwasm backtrace:"))
    );
    assert!(
        expected.iter().any(|o| o.contains("demo!boom")),
        "{expected:#?}"
    );

    let image = module.serialize();
    let copied = Module::from_image_copied(&engine, &image).unwrap();
    assert_eq!(observe(&copied, &demo_calls()), expected);
    let in_place = Module::from_image(&engine, flash::<16384>(&image)).unwrap();
    assert_eq!(observe(&in_place, &demo_calls()), expected);

    // The description survives too.
    assert_eq!(in_place.name(), Some("demo"));
    let names = |m: &Module| {
        m.exports()
            .map(|e| e.name().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&in_place), names(&module));
    let imports = |m: &Module| {
        m.imports()
            .map(|i| format!("{}.{}: {:?}", i.module(), i.name(), i.ty()))
            .collect::<Vec<_>>()
    };
    assert_eq!(imports(&in_place), imports(&module));
    // Serializing a loaded module gives the same image.
    assert_eq!(in_place.serialize(), image);
    assert_eq!(copied.serialize(), image);
}

#[test]
fn fuel_is_charged_the_same_from_an_image() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = compile(&engine, DEMO);
    let image = module.serialize();
    let loaded = Module::from_image(&engine, flash::<16384>(&image)).unwrap();
    let spent = |module: &Module| {
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "add", |a: i32, b: i32| a + b)
            .unwrap();
        let base = Global::new(
            &mut store,
            GlobalType::new(ValType::I32, Mutability::Const),
            Val::I32(0),
        )
        .unwrap();
        linker.define(&store, "host", "base", base).unwrap();
        store.set_fuel(1_000_000).unwrap();
        let instance = linker.instantiate(&mut store, module).unwrap();
        let sum = instance.get_typed_func::<i32, i32>(&store, "sum").unwrap();
        assert_eq!(sum.call(&mut store, 10).unwrap(), 55);
        1_000_000 - store.get_fuel().unwrap()
    };
    assert_eq!(spent(&loaded), spent(&module));
    assert!(spent(&module) > 50);
}

#[test]
fn modules_without_imports_memory_or_code() {
    let engine = Engine::default();
    for wat in [
        "(module)",
        "(module $named)",
        r#"(module (func (export "f")))"#,
        r#"(module (table (export "t") 1 externref) (global (export "g") (mut f64) (f64.const 1.5)))"#,
        r#"(module (memory 0) (func (export "size") (result i32) memory.size))"#,
    ] {
        let module = compile(&engine, wat);
        let image = module.serialize();
        let loaded = Module::from_image(&engine, flash::<4096>(&image)).unwrap();
        assert_eq!(loaded.exports().count(), module.exports().count(), "{wat}");
        assert_eq!(loaded.serialize(), image, "{wat}");
    }
}

#[test]
fn custom_page_sizes_need_the_engine_setting() {
    let mut config = Config::new();
    config.wasm_custom_page_sizes(true);
    let small = Engine::new(&config);
    let wat = r#"(module (memory (export "m") 3 (pagesize 1))
        (func (export "size") (result i32) memory.size))"#;
    let image = compile(&small, wat).serialize();
    let loaded = Module::from_image(&small, flash::<4096>(&image)).unwrap();
    let mut store = Store::new(&small, ());
    let instance = Linker::new(&small)
        .instantiate(&mut store, &loaded)
        .unwrap();
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    assert_eq!(size.call(&mut store, ()).unwrap(), 3);
    assert_eq!(
        rejected(&Engine::default(), &image),
        ImageError::ConfigMismatch {
            setting: "Config::wasm_custom_page_sizes",
            image: true,
            engine: false
        }
    );
}

#[test]
fn include_image_aligns_what_it_embeds() {
    let bytes: &'static [u8] = kestrel_interp::include_image!("miri_smoke/calls.wasm");
    assert_eq!(bytes, include_bytes!("miri_smoke/calls.wasm"));
    assert_eq!(bytes.as_ptr() as usize % image::IMAGE_ALIGN, 0);
    // Not an image: a Wasm binary.
    assert!(!image::is_image(bytes));
    assert_eq!(rejected(&Engine::default(), bytes), ImageError::BadMagic);
}

#[test]
fn misaligned_images_are_refused_in_place_but_load_copied() {
    let engine = Engine::default();
    let image = compile(&engine, DEMO).serialize();
    let mut shifted = vec![0u8; 1];
    shifted.extend_from_slice(&image);
    let flash = flash::<16384>(&shifted);
    assert_eq!(
        image_error(Module::from_image(&engine, &flash[1..])),
        ImageError::Misaligned {
            align: core::mem::align_of::<Op>()
        }
    );
    let message = Module::from_image(&engine, &flash[1..])
        .unwrap_err()
        .to_string();
    assert!(message.contains("AlignedImage"), "{message}");
    assert!(Module::from_image_copied(&engine, &flash[1..]).is_ok());
}

/// A small image, for the exhaustive corruption loops.
fn small_image(engine: &Engine) -> Vec<u8> {
    let image = compile(
        engine,
        r#"(module $m (memory 1) (data (i32.const 0) "hi")
             (global (mut i32) (i32.const 7))
             (func $f (export "f") (param i32) (result i32)
               (block (br_table 0 0 (local.get 0))) (i32.add (local.get 0) (global.get 0))))"#,
    )
    .serialize();
    assert!(image.len() < 1024, "{} bytes", image.len());
    image
}

#[test]
fn every_truncation_is_an_error() {
    let engine = Engine::default();
    let image = small_image(&engine);
    for len in 0..image.len() {
        let cut = &image[..len];
        let error = image_error(Module::from_image_copied(&engine, cut));
        assert!(
            matches!(error, ImageError::Truncated { .. }),
            "{len}: {error}"
        );
        assert_eq!(
            image_error(Module::from_image(&engine, flash::<1024>(cut))),
            error
        );
    }
    // Bytes after the image are ignored (a flash partition is larger).
    let mut padded = image.clone();
    padded.extend_from_slice(&[0xff; 13]);
    assert!(Module::from_image(&engine, flash::<1024>(&padded)).is_ok());
}

#[test]
fn every_bit_flip_is_an_error() {
    let engine = Engine::default();
    let image = small_image(&engine);
    for at in 0..image.len() {
        for bit in 0..8 {
            let mut flipped = image.clone();
            flipped[at] ^= 1 << bit;
            let error = image_error(Module::from_image_copied(&engine, &flipped));
            if bit == 0 {
                assert_eq!(
                    image_error(Module::from_image(&engine, flash::<1024>(&flipped))),
                    error
                );
            }
            // Past the fields checked before it, the checksum catches it.
            if at >= 8 {
                assert!(
                    matches!(
                        error,
                        ImageError::Checksum { .. } | ImageError::Truncated { .. }
                    ),
                    "byte {at}, bit {bit}: {error}"
                );
            }
        }
    }
}

#[test]
fn specific_errors_for_foreign_images() {
    let engine = Engine::default();
    let image = small_image(&engine);

    let mut other = image.clone();
    other[..4].copy_from_slice(b"\0asm");
    assert_eq!(rejected(&engine, &other), ImageError::BadMagic);

    let mut newer = image.clone();
    newer[4..6].copy_from_slice(&(image::VERSION + 1).to_le_bytes());
    assert_eq!(
        rejected(&engine, &newer),
        ImageError::UnsupportedVersion {
            found: image::VERSION + 1,
            expected: image::VERSION
        }
    );

    let mut big_endian = image.clone();
    big_endian[6] = 2;
    assert_eq!(rejected(&engine, &big_endian), ImageError::ByteOrder);

    let mut corrupt = image.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0x80;
    assert!(matches!(
        rejected(&engine, &corrupt),
        ImageError::Checksum { .. }
    ));

    let mut foreign = image.clone();
    let fingerprint = image::ISA_FINGERPRINT ^ 1;
    foreign[16..24].copy_from_slice(&fingerprint.to_le_bytes());
    forge::reseal(&mut foreign);
    let error = rejected(&engine, &foreign);
    assert_eq!(
        error,
        ImageError::IsaMismatch {
            found: fingerprint,
            expected: image::ISA_FINGERPRINT
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("image was built for a different Kestrel instruction set")
    );
}

#[test]
fn fuel_metering_must_match_both_ways() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let fuel = Engine::new(&config);
    let plain = Engine::default();
    let metered = small_image(&fuel);
    let unmetered = small_image(&plain);
    assert_eq!(
        rejected(&plain, &metered),
        ImageError::ConfigMismatch {
            setting: "Config::consume_fuel",
            image: true,
            engine: false
        }
    );
    assert_eq!(
        rejected(&fuel, &unmetered),
        ImageError::ConfigMismatch {
            setting: "Config::consume_fuel",
            image: false,
            engine: true
        }
    );
    assert_eq!(
        rejected(&plain, &metered).to_string(),
        "image was compiled with `Config::consume_fuel` on, the engine has it off"
    );
}

// --- Forged images: each invariant of the verifier, broken on purpose. ---

/// A module whose defined functions are, in order: `0` a `br_table`, `1` a
/// call with arguments, `2` a copy of branch values, `3` a return of two
/// values, `4` table and global ops, `5` memory ops.
const FORGE: &str = r#"
(module
  (memory 1)
  (table $f 2 funcref)
  (table $e 2 externref)
  (global $const i32 (i32.const 1))
  (global $var (mut i32) (i32.const 1))
  (data $d "x")
  (elem $el funcref (ref.null func))
  (func (param i32) (result i32)
    (block (block (br_table 0 1 (local.get 0))) (return (i32.const 1)))
    (i32.const 2))
  (func (param i32 i32) (result i32)
    (i32.add (call 0 (local.get 1)) (local.get 0)))
  (func (param i32) (result i32)
    (block (result i32) (i32.const 1) (local.get 0) (br 0)))
  (func (result i32 i64) (i32.const 1) (i64.const 2))
  (func
    (global.set $var (global.get $const))
    (table.copy $f $f (i32.const 0) (i32.const 0) (i32.const 1))
    (table.fill $f (i32.const 0) (ref.null func) (i32.const 1)))
  (func (result i32)
    (i32.load (i32.const 0)))
)
"#;

fn forge_base() -> (Engine, Vec<u8>) {
    let engine = Engine::default();
    let image = compile(&engine, FORGE).serialize();
    assert!(Module::from_image_copied(&engine, &image).is_ok());
    (engine, image)
}

/// The index of the first op of defined function `func` that `pick` matches.
fn find(image: &[u8], func: usize, pick: impl Fn(&Op) -> bool) -> (usize, Op) {
    let ops = &forge::functions(image)[func];
    let at = ops
        .iter()
        .position(pick)
        .unwrap_or_else(|| panic!("no such op in {ops:?}"));
    (at, ops[at])
}

/// The verifier's verdict on `image` after `edit`.
fn verdict(edit: impl FnOnce(&mut Vec<u8>)) -> (Option<u32>, VerifyError) {
    let (engine, mut image) = forge_base();
    edit(&mut image);
    match rejected(&engine, &image) {
        ImageError::Verify { at, reason, .. } => (at, reason),
        other => panic!("not a verifier error: {other}"),
    }
}

#[test]
fn forged_frame_shape() {
    let (_, reason) = verdict(|image| {
        let (params, _, frame_size) = forge::frame(image, 1);
        forge::set_frame(image, 1, params, frame_size + 1, frame_size);
    });
    assert!(matches!(reason, VerifyError::FrameShape { .. }), "{reason}");
    let (at, reason) = verdict(|image| {
        let (_, locals, frame_size) = forge::frame(image, 1);
        forge::set_frame(image, 1, 1, locals, frame_size);
    });
    assert_eq!(at, None);
    assert!(
        matches!(
            reason,
            VerifyError::FrameShape {
                params: 1,
                type_params: 2,
                ..
            }
        ),
        "{reason}"
    );
}

#[test]
fn forged_register_out_of_the_frame() {
    // A single register.
    let (at, reason) = verdict(|image| {
        let (_, _, frame_size) = forge::frame(image, 1);
        let (at, _) = find(image, 1, |op| matches!(op, Op::I32Add { .. }));
        let op = Op::I32Add {
            dst: 0,
            lhs: 0,
            rhs: frame_size,
        };
        forge::set_op(image, 1, at, op);
    });
    assert!(at.is_some());
    assert!(
        matches!(reason, VerifyError::Register { count: 1, .. }),
        "{reason}"
    );
    // A call's arguments and results, past the frame's end.
    let (_, reason) = verdict(|image| {
        let (_, _, frame_size) = forge::frame(image, 1);
        let (at, op) = find(image, 1, |op| matches!(op, Op::CallInternal { .. }));
        let Op::CallInternal { func, .. } = op else {
            unreachable!()
        };
        let op = Op::CallInternal {
            func,
            base: frame_size,
        };
        forge::set_op(image, 1, at, op);
    });
    assert!(
        matches!(reason, VerifyError::Register { count: 1, .. }),
        "{reason}"
    );
    // A branch's copied values.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 2, |op| matches!(op, Op::BrCopy { .. }));
        let Op::BrCopy {
            dst, src, target, ..
        } = op
        else {
            unreachable!()
        };
        forge::set_op(
            image,
            2,
            at,
            Op::BrCopy {
                dst,
                src,
                count: 100,
                target,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::Register { count: 100, .. }),
        "{reason}"
    );
    // Returned values.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 3, |op| matches!(op, Op::ReturnMany { .. }));
        let Op::ReturnMany { count, .. } = op else {
            unreachable!()
        };
        forge::set_op(
            image,
            3,
            at,
            Op::ReturnMany {
                src: u16::MAX,
                count,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::Register { count: 2, .. }),
        "{reason}"
    );
    // The three operands of a bulk table op.
    let (_, reason) = verdict(|image| {
        let (_, _, frame_size) = forge::frame(image, 4);
        let (at, op) = find(image, 4, |op| matches!(op, Op::TableFill { .. }));
        let Op::TableFill { table, .. } = op else {
            unreachable!()
        };
        forge::set_op(
            image,
            4,
            at,
            Op::TableFill {
                args: frame_size - 2,
                table,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::Register { count: 3, .. }),
        "{reason}"
    );
}

#[test]
fn forged_branch_target() {
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 2, |op| matches!(op, Op::BrCopy { .. }));
        let Op::BrCopy {
            dst, src, count, ..
        } = op
        else {
            unreachable!()
        };
        let len = forge::functions(image)[2].len() as u32;
        forge::set_op(
            image,
            2,
            at,
            Op::BrCopy {
                dst,
                src,
                count,
                target: len,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::BranchTarget { .. }),
        "{reason}"
    );
}

/// The fused ops' registers and targets are checked like any other op's.
#[test]
fn forged_fused_ops() {
    let forged = |make: &dyn Fn(u16, u32) -> Op| {
        verdict(|image| {
            let (_, _, frame_size) = forge::frame(image, 1);
            let len = forge::functions(image)[1].len() as u32;
            let (at, _) = find(image, 1, |op| matches!(op, Op::I32Add { .. }));
            forge::set_op(image, 1, at, make(frame_size, len));
        })
        .1
    };
    let out_of_frame: [&dyn Fn(u16, u32) -> Op; 7] = [
        &|r, _| Op::I32AddShlImm {
            dst: 0,
            lhs: 1,
            rhs: r,
            imm: 3,
        },
        &|r, _| Op::I64RotlXorImm {
            dst: r,
            lhs: 0,
            rhs: 1,
            imm: 3,
        },
        &|r, _| Op::F64AddMul {
            dst: 0,
            acc: r,
            lhs: 0,
            rhs: 1,
        },
        &|r, _| Op::F64SubMul {
            dst: 0,
            acc: 0,
            lhs: 1,
            rhs: r,
        },
        &|r, _| Op::I32LoadImm {
            dst: 0,
            addr: r,
            imm: -1,
        },
        &|r, _| Op::StepBrI32LtU {
            lhs: 0,
            rhs: r,
            step: 1,
            target: 0,
        },
        &|r, _| Op::StepBrIfNez {
            cond: r,
            step: -1,
            target: 0,
        },
    ];
    for make in out_of_frame {
        let reason = forged(make);
        assert!(
            matches!(reason, VerifyError::Register { count: 1, .. }),
            "{reason}"
        );
    }
    let past_the_end: [&dyn Fn(u16, u32) -> Op; 3] = [
        &|_, len| Op::StepBrI32GeSImm {
            lhs: 0,
            step: 1,
            imm: 5,
            target: len,
        },
        &|_, len| Op::StepBrI32Ne {
            lhs: 0,
            rhs: 1,
            step: 1,
            target: len,
        },
        &|_, len| Op::StepBrIfEqz {
            cond: 0,
            step: 1,
            target: len,
        },
    ];
    for make in past_the_end {
        let reason = forged(make);
        assert!(
            matches!(reason, VerifyError::BranchTarget { .. }),
            "{reason}"
        );
    }
}

/// A module using every kind of fused op behaves the same from its image.
#[test]
fn fused_ops_survive_images() {
    let wat = r#"
        (module
          (memory 1)
          (data (i32.const 0) "\01\02\03\04\05\06\07\08")
          (func (export "f") (param i32 i32) (result i64)
            (local $acc i64) (local $x f64)
            (loop $l
              (local.set $acc
                (i64.rotl (i64.xor (local.get $acc) (i64.load8_u (i32.add (local.get 0) (i32.const 1))))
                          (i64.const 9)))
              (local.set $x (f64.add (local.get $x) (f64.mul (f64.convert_i32_u (local.get 0)) (f64.const 0.5))))
              (local.set $x (f64.sub (local.get $x) (f64.mul (local.get $x) (f64.const 0.25))))
              (local.set 1 (i32.xor (local.get 1) (i32.rotl (local.get 0) (i32.const 5))))
              (local.set 1 (i32.xor (local.get 1) (i32.shr_u (local.get 1) (i32.const 3))))
              (local.set 1 (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 2))))
              (local.set 0 (i32.add (local.get 0) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get 0) (i32.const 6))))
            (i64.add (local.get $acc)
              (i64.add (i64.extend_i32_u (local.get 1)) (i64.trunc_f64_s (f64.mul (local.get $x) (f64.const 1000)))))))
    "#;
    let engine = Engine::default();
    let module = compile(&engine, wat);
    let listing = module.disassemble("f").expect("listing");
    for op in [
        "StepBrI32LtUImm",
        "I64Load8UImm",
        "I64RotlXorImm",
        "F64AddMul",
        "F64SubMul",
        "I32XorRotlImm",
        "I32XorShrUImm",
        "I32AddShlImm",
    ] {
        assert!(listing.contains(op), "{op}:\n{listing}");
    }
    let copied = Module::from_image_copied(&engine, &module.serialize()).expect("image");
    let calls = [(0, 0), (1, 7), (3, -1), (5, 1 << 30)];
    let run = |module: &Module| {
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, module)
            .expect("instantiate");
        let f = instance
            .get_typed_func::<(i32, i32), i64>(&store, "f")
            .expect("export");
        calls.map(|args| f.call(&mut store, args).expect("call"))
    };
    assert_eq!(run(&module), run(&copied));
}

#[test]
fn forged_br_table() {
    // An entry that is not a branch.
    let (_, reason) = verdict(|image| {
        let (at, _) = find(image, 0, |op| matches!(op, Op::BrTable { .. }));
        forge::set_op(image, 0, at + 1, Op::Copy { dst: 0, src: 0 });
    });
    assert!(
        matches!(reason, VerifyError::BrTableEntry { .. }),
        "{reason}"
    );
    // More entries than the function has ops.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 0, |op| matches!(op, Op::BrTable { .. }));
        let Op::BrTable { index, .. } = op else {
            unreachable!()
        };
        forge::set_op(
            image,
            0,
            at,
            Op::BrTable {
                index,
                len: u32::MAX,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::BrTableEntry { .. }),
        "{reason}"
    );
}

#[test]
fn forged_fall_off_the_end() {
    let (at, reason) = verdict(|image| {
        let last = forge::functions(image)[3].len() - 1;
        forge::set_op(image, 3, last, Op::Copy { dst: 0, src: 0 });
    });
    assert_eq!(reason, VerifyError::FallsOffEnd);
    assert!(at.is_some());
}

#[test]
fn forged_indices() {
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 1, |op| matches!(op, Op::CallInternal { .. }));
        let Op::CallInternal { base, .. } = op else {
            unreachable!()
        };
        forge::set_op(image, 1, at, Op::CallInternal { func: 99, base });
    });
    assert_eq!(
        reason,
        VerifyError::Index {
            space: "function",
            index: 99,
            len: 6
        }
    );
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 4, |op| matches!(op, Op::GlobalGet { .. }));
        let Op::GlobalGet { dst, .. } = op else {
            unreachable!()
        };
        forge::set_op(image, 4, at, Op::GlobalGet { dst, global: 2 });
    });
    assert!(
        matches!(
            reason,
            VerifyError::Index {
                space: "global",
                ..
            }
        ),
        "{reason}"
    );
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 4, |op| matches!(op, Op::TableFill { .. }));
        let Op::TableFill { args, .. } = op else {
            unreachable!()
        };
        forge::set_op(image, 4, at, Op::TableFill { args, table: 2 });
    });
    assert!(
        matches!(reason, VerifyError::Index { space: "table", .. }),
        "{reason}"
    );
    let (_, reason) = verdict(|image| {
        forge::set_op(image, 4, 0, Op::DataDrop { data: 1 });
    });
    assert!(
        matches!(
            reason,
            VerifyError::Index {
                space: "data segment",
                ..
            }
        ),
        "{reason}"
    );
    let (_, reason) = verdict(|image| {
        forge::set_op(image, 4, 0, Op::ElemDrop { elem: 1 });
    });
    assert!(
        matches!(
            reason,
            VerifyError::Index {
                space: "element segment",
                ..
            }
        ),
        "{reason}"
    );
    let (_, reason) = verdict(|image| {
        forge::set_op(
            image,
            4,
            0,
            Op::CallIndirect {
                base: 0,
                index: 0,
                table: 0,
                ty: 1000,
            },
        );
    });
    assert!(
        matches!(reason, VerifyError::Index { space: "type", .. }),
        "{reason}"
    );
}

#[test]
fn forged_memory_op_without_memory() {
    let engine = Engine::default();
    let mut image = compile(&engine, r#"(module (func (result i32) (i32.const 0)))"#).serialize();
    let ops = &forge::functions(&image)[0];
    let (at, _) = ops
        .iter()
        .enumerate()
        .find(|(_, op)| matches!(op, Op::Const32 { .. }))
        .unwrap();
    forge::set_op(
        &mut image,
        0,
        at,
        Op::I32Load {
            dst: 0,
            addr: 0,
            offset: 0,
        },
    );
    let ImageError::Verify { reason, .. } = rejected(&engine, &image) else {
        panic!("not a verifier error");
    };
    assert_eq!(reason, VerifyError::NoMemory);
}

#[test]
fn forged_types() {
    // Writing an immutable global.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 4, |op| matches!(op, Op::GlobalSet { .. }));
        let Op::GlobalSet { src, .. } = op else {
            unreachable!()
        };
        forge::set_op(image, 4, at, Op::GlobalSet { src, global: 0 });
    });
    assert_eq!(reason, VerifyError::ImmutableGlobal { global: 0 });
    // Copying between a funcref and an externref table.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 4, |op| matches!(op, Op::TableCopy { .. }));
        let Op::TableCopy { args, .. } = op else {
            unreachable!()
        };
        forge::set_op(
            image,
            4,
            at,
            Op::TableCopy {
                args,
                dst_table: 0,
                src_table: 1,
            },
        );
    });
    assert_eq!(reason, VerifyError::ElementType);
    // Calling through an externref table.
    let (_, reason) = verdict(|image| {
        forge::set_op(
            image,
            4,
            0,
            Op::CallIndirect {
                base: 0,
                index: 0,
                table: 1,
                ty: 0,
            },
        );
    });
    assert_eq!(reason, VerifyError::ElementType);
    // Returning fewer values than the type has.
    let (_, reason) = verdict(|image| {
        let (at, op) = find(image, 3, |op| matches!(op, Op::ReturnMany { .. }));
        let Op::ReturnMany { src, .. } = op else {
            unreachable!()
        };
        forge::set_op(image, 3, at, Op::ReturnMany { src, count: 1 });
    });
    assert_eq!(
        reason,
        VerifyError::ReturnArity {
            count: 1,
            results: 2
        }
    );
}

#[test]
fn forged_fuel_op_without_metering() {
    let (at, reason) = verdict(|image| {
        forge::set_op(image, 5, 0, Op::ConsumeFuel { amount: 1 });
    });
    assert_eq!((at, reason), (Some(0), VerifyError::Fuel));
}

#[test]
fn forged_op_tag() {
    let (engine, mut image) = forge_base();
    forge::set_tag(&mut image, 2, 1, u16::MAX);
    assert_eq!(
        rejected(&engine, &image),
        ImageError::InvalidOp {
            func: 2,
            at: 1,
            tag: u16::MAX
        }
    );
    let (engine, mut image) = forge_base();
    let count = Op::SHAPE.len() as u16;
    forge::set_tag(&mut image, 0, 0, count);
    assert!(matches!(
        rejected(&engine, &image),
        ImageError::InvalidOp { func: 0, at: 0, .. }
    ));
}

#[test]
fn loaded_images_run_forged_but_valid_edits() {
    // The verifier rejects only what breaks an invariant: retargeting a
    // function's result to another in-frame register is accepted (and
    // changes what it computes, as the image says).
    let (engine, mut image) = forge_base();
    let (at, op) = find(&image, 1, |op| matches!(op, Op::I32Add { .. }));
    let Op::I32Add { dst, lhs, .. } = op else {
        unreachable!()
    };
    forge::set_op(&mut image, 1, at, Op::I32Add { dst, lhs, rhs: lhs });
    let module = Module::from_image(&engine, flash::<16384>(&image)).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module);
    assert!(instance.is_ok());
}

/// Random edits of the operand bytes of `DEMO`'s ops (registers, indices,
/// immediates, offsets; branches are left alone, so that no edit makes a
/// loop that charges no fuel): whatever the verifier accepts runs without a
/// panic, which in debug builds includes the executor's own checks of the
/// register accesses it makes without bounds checks in release.
#[test]
fn accepted_edits_run_without_panicking() {
    let mut config = Config::new();
    config.consume_fuel(true).max_call_depth(200);
    let engine = Engine::new(&config);
    let image = compile(&engine, DEMO).serialize();
    let functions = forge::functions(&image);
    let ops_offset = u32::from_le_bytes(image[24..28].try_into().unwrap()) as usize;
    let op_size = core::mem::size_of::<Op>();
    let mut editable = Vec::new();
    let mut index = 0;
    for ops in &functions {
        for op in ops {
            if !format!("{op:?}").starts_with("Br") {
                editable.push(index);
            }
            index += 1;
        }
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..3000 {
        let mut edited = image.clone();
        let op = editable[random() as usize % editable.len()];
        // Not the tag: a changed tag is another op, covered by `forged_op_tag`.
        let byte = ops_offset + op * op_size + 2 + random() as usize % (op_size - 2);
        edited[byte] = random() as u8;
        forge::reseal(&mut edited);
        let Ok(module) = Module::from_image_copied(&engine, &edited) else {
            rejected += 1;
            continue;
        };
        accepted += 1;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut store = Store::new(&engine, ());
            store.set_fuel(100_000).unwrap();
            let mut linker = Linker::new(&engine);
            linker
                .func_wrap("host", "add", |a: i32, b: i32| a.wrapping_add(b))
                .unwrap();
            let base = Global::new(
                &mut store,
                GlobalType::new(ValType::I32, Mutability::Const),
                Val::I32(5),
            )
            .unwrap();
            linker.define(&store, "host", "base", base).unwrap();
            let Ok(instance) = linker.instantiate(&mut store, &module) else {
                return;
            };
            for (name, args) in demo_calls() {
                let func = instance.get_func(&store, name).unwrap();
                let ty = func.ty(&store);
                let mut results: Vec<Val> =
                    ty.results().iter().map(|t| Val::default_for(*t)).collect();
                let _ = func.call(&mut store, &args, &mut results);
                store.set_fuel(100_000).unwrap();
            }
        }));
        assert!(
            outcome.is_ok(),
            "op {op}, byte {byte} = {:#04x} was accepted and panicked",
            edited[byte]
        );
    }
    // Both outcomes happen: the test exercises the verifier both ways.
    assert!(
        accepted > 100 && rejected > 100,
        "{accepted} accepted, {rejected} rejected"
    );
}
