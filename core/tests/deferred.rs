//! `ModuleInfo::decode_deferred`: the bodies come back for validation later.

use kestrel_core::{Deferred, ModuleInfo, PendingBody};

/// Two functions `() -> ()`: an empty body, then one that leaves an `i32`
/// on the stack (invalid).
fn module() -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type () -> ()
    m.extend_from_slice(&[3, 3, 2, 0, 0]); // two functions of type 0
    m.extend_from_slice(&[10, 9, 2, 2, 0, 0x0b, 4, 0, 0x41, 0, 0x0b]);
    m
}

fn validate(body: PendingBody<'_>) -> Result<(), kestrel_core::Error> {
    let mut validator = body.func.into_validator(Default::default());
    validator.validate(&body.body).map_err(Into::into)
}

#[test]
fn bodies_are_returned_in_order_and_send() {
    fn send<T: Send>(_: &T) {}
    let bytes = module();
    let Deferred {
        module,
        bodies,
        error,
    } = ModuleInfo::decode_deferred(&bytes, kestrel_core::features());
    assert!(error.is_none());
    assert_eq!(module.bodies.len(), 2);
    assert_eq!(bodies.len(), 2);
    send(&bodies);
    let mut bodies = bodies.into_iter();
    let first = bodies.next().expect("two bodies");
    assert_eq!(
        first.body.range().start as usize,
        module.bodies[0].range.start
    );
    assert!(validate(first).is_ok());
    // The invalid body fails as `decode` reports it.
    let expected = ModuleInfo::decode(&bytes).expect_err("invalid");
    assert_eq!(validate(bodies.next().expect("two bodies")), Err(expected));
}

#[test]
fn a_later_error_keeps_the_bodies_before_it() {
    let mut bytes = module();
    bytes.extend_from_slice(&[11, 1, 0x80]); // data section, count cut short
    let deferred = ModuleInfo::decode_deferred(&bytes, kestrel_core::features());
    assert!(deferred.error.is_some());
    assert_eq!(deferred.bodies.len(), 2);
    assert_eq!(deferred.module.funcs.len(), 2);
}
