//! The name section: function names are kept only from a well-formed map.

use kestrel_core::ModuleInfo;

/// A module with two functions `() -> ()` and a name section whose function
/// map lists `entries` in the order given.
fn module_with_names(entries: &[(u8, &str)]) -> Vec<u8> {
    let mut names = vec![entries.len() as u8];
    for (index, name) in entries {
        names.push(*index);
        names.push(name.len() as u8);
        names.extend_from_slice(name.as_bytes());
    }
    let mut subsection = vec![1, names.len() as u8];
    subsection.extend(names);
    let mut custom = vec![4];
    custom.extend_from_slice(b"name");
    custom.extend(subsection);
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type () -> ()
    m.extend_from_slice(&[3, 3, 2, 0, 0]); // two functions of type 0
    m.extend_from_slice(&[10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b]); // two empty bodies
    m.push(0);
    m.push(custom.len() as u8);
    m.extend(custom);
    m
}

#[test]
fn increasing_function_names_are_kept() {
    let info = ModuleInfo::decode(&module_with_names(&[(0, "a"), (1, "b")])).expect("valid");
    assert_eq!(info.func_name(0), Some("a"));
    assert_eq!(info.func_name(1), Some("b"));
}

#[test]
fn out_of_order_or_repeated_names_are_ignored() {
    for entries in [&[(1, "b"), (0, "a")][..], &[(0, "a"), (0, "b")][..]] {
        let info = ModuleInfo::decode(&module_with_names(entries)).expect("valid");
        assert_eq!(info.func_name(0), None, "{entries:?}");
        assert_eq!(info.func_name(1), None, "{entries:?}");
    }
}
