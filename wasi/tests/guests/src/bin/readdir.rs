//! fd_readdir: "." and "..", entry types and inodes, cookie continuation,
//! exact buffer filling with truncation of the last entry, and std's
//! read_dir over it.

use kestrel_wasi_guests::errno::*;
use kestrel_wasi_guests::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    next: u64,
    ino: u64,
    kind: u8,
    name: String,
}

const HEADER: usize = 24;

/// Reads from `cookie` into a buffer of `len` bytes (with a guard pattern
/// after it); returns the bytes the call reported as used.
fn readdir(fd: u32, len: usize, cookie: u64) -> Result<Vec<u8>, u16> {
    let mut buf = vec![0xA5u8; len + 32];
    let mut used = 0xFFFF_FFFFu32;
    let r = unsafe {
        raw::fd_readdir(
            fd as i32,
            mut_ptr(&mut buf[..]),
            len as i32,
            cookie as i64,
            mut_ptr(&mut used),
        )
    };
    if r != 0 {
        return Err(r as u16);
    }
    check(
        used as usize <= len,
        format_args!("bufused {used} <= buf_len {len}"),
    );
    check(
        buf[len..].iter().all(|b| *b == 0xA5),
        format_args!("nothing written past buf_len {len}"),
    );
    buf.truncate((used as usize).min(len));
    Ok(buf)
}

/// The complete entries in `buf`.
fn parse(buf: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + HEADER <= buf.len() {
        let h = &buf[at..at + HEADER];
        let namlen = u32::from_le_bytes(h[16..20].try_into().unwrap()) as usize;
        if at + HEADER + namlen > buf.len() {
            break;
        }
        let name = &buf[at + HEADER..at + HEADER + namlen];
        check(!name.contains(&0), "no NUL in entry names");
        out.push(Entry {
            next: u64::from_le_bytes(h[0..8].try_into().unwrap()),
            ino: u64::from_le_bytes(h[8..16].try_into().unwrap()),
            kind: h[20],
            name: String::from_utf8_lossy(name).into_owned(),
        });
        at += HEADER + namlen;
    }
    out
}

fn main() {
    let d = open_dir(ROOT, "dir").expect("open dir");
    let full = readdir(d, 4096, 0).expect("fd_readdir");
    let entries = parse(&full);
    let total: usize = entries.iter().map(|e| HEADER + e.name.len()).sum();
    check_eq("the entries fill exactly bufused", total, full.len());
    println!(
        "fd_readdir into 4096 bytes: {} entries, {} bytes",
        entries.len(),
        full.len()
    );
    let mut sorted = entries.clone();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for e in &sorted {
        println!("  {:?} {}", e.name, filetype_name(e.kind));
    }
    let names: Vec<&str> = sorted.iter().map(|e| e.name.as_str()).collect();
    check_eq("names", names, vec![".", "..", "a", "bb", "link", "sub"]);
    let kinds: Vec<u8> = sorted.iter().map(|e| e.kind).collect();
    check_eq("types", kinds, vec![3, 3, 4, 4, 7, 3]);

    // Inodes agree with filestat.
    for e in &sorted {
        let ino = match e.name.as_str() {
            "." => filestat(d).map(|s| s.ino),
            ".." => continue,
            name => path_filestat(d, name, false).map(|s| s.ino),
        };
        check_eq(&format!("d_ino of {:?}", e.name), Ok(e.ino), ino);
    }
    println!("d_ino matches filestat for every entry but ..");

    // Continuing from each entry's cookie gives the rest, in the same order.
    let mut cookie = 0;
    for (i, e) in entries.iter().enumerate() {
        let rest = parse(&readdir(d, 4096, cookie).expect("fd_readdir from a cookie"));
        check_eq(
            &format!("entries from the cookie before entry {i}"),
            rest,
            entries[i..].to_vec(),
        );
        cookie = e.next;
    }
    let after = readdir(d, 4096, cookie).expect("fd_readdir from the last cookie");
    check_eq("nothing after the last entry's cookie", after.len(), 0);
    println!("cookie continuation: every suffix matches, 0 bytes after the last cookie");
    // Reading one entry at a time with the smallest buffer that holds it.
    let mut cookie = 0;
    let mut one_by_one = Vec::new();
    loop {
        let got = parse(&readdir(d, 4096, cookie).expect("fd_readdir"));
        let Some(first) = got.first() else { break };
        let exact = readdir(d, HEADER + first.name.len(), cookie).expect("fd_readdir one entry");
        check_eq("one exact entry", parse(&exact), vec![first.clone()]);
        one_by_one.push(first.name.clone());
        cookie = first.next;
        if one_by_one.len() > 100 {
            fail("the listing does not end");
            break;
        }
    }
    println!("one entry per call: {} calls", one_by_one.len());
    check_eq("one entry per call", one_by_one.len(), entries.len());

    // Every buffer length: the buffer is filled exactly, the last entry
    // truncated, and the bytes are the start of the full listing.
    let mut ok = true;
    for len in 0..=full.len() + 8 {
        let got = readdir(d, len, 0).expect("fd_readdir");
        let want = &full[..len.min(full.len())];
        if got != want {
            ok = false;
            fail(format_args!(
                "buf_len {len}: got {} bytes, expected the first {}",
                got.len(),
                want.len()
            ));
        }
    }
    println!(
        "every buf_len 0..={}: bufused = min(buf_len, {}) and the bytes match: {ok}",
        full.len() + 8,
        full.len()
    );
    // At an entry boundary bufused == buf_len, which says "maybe more".
    let first_two = HEADER + entries[0].name.len() + HEADER + entries[1].name.len();
    let got = readdir(d, first_two, 0).expect("fd_readdir");
    check_eq("two entries fill the buffer", got.len(), first_two);
    let got = readdir(d, first_two + 10, 0).expect("fd_readdir");
    check_eq(
        "a third entry is truncated into the rest",
        got.len(),
        first_two + 10,
    );
    check_eq("only two complete entries", parse(&got).len(), 2);
    println!("two entries + 10 bytes: 2 complete entries and 10 bytes of the third");

    // An empty directory has "." and "..".
    let sub = open_dir(d, "sub").expect("open sub");
    let mut names: Vec<String> = parse(&readdir(sub, 4096, 0).expect("readdir"))
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    println!("empty directory: {names:?}");
    check_eq(
        "empty directory",
        names,
        vec![".".to_string(), "..".to_string()],
    );
    unsafe { wasi::fd_close(sub) }.expect("close");

    // New entries show up in a fresh listing.
    let f = open(d, "new", wasi::OFLAGS_CREAT).expect("create");
    unsafe { wasi::fd_close(f) }.expect("close");
    let mut names: Vec<String> = parse(&readdir(d, 4096, 0).expect("readdir"))
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    println!("after creating new: {names:?}");

    // std::fs::read_dir leaves out "." and "..".
    let mut listed: Vec<(String, bool, bool, bool)> = std::fs::read_dir("/dir")
        .expect("read_dir")
        .map(|e| {
            let e = e.expect("entry");
            let t = e.file_type().expect("file_type");
            (
                e.file_name().into_string().unwrap(),
                t.is_file(),
                t.is_dir(),
                t.is_symlink(),
            )
        })
        .collect();
    listed.sort();
    for (name, file, dir, link) in &listed {
        println!("  std {name}: file={file} dir={dir} symlink={link}");
    }

    // Errors.
    expect(
        "fd_readdir on a closed fd",
        unsafe { wasi::fd_close(d) }.and_then(|_| readdir_raw(d)),
        BADF,
    );
    let f = open_with(ROOT, 0, "file.txt", 0, wasi::RIGHTS_FD_READ, 0).expect("open");
    expect_any(
        "fd_readdir on a regular file",
        readdir_raw(f),
        &[NOTDIR, BADF, NOTCAPABLE],
        "refused",
    );
    finish();
}

fn readdir_raw(fd: u32) -> Result<usize, wasi::Errno> {
    let mut buf = [0u8; 256];
    unsafe { wasi::fd_readdir(fd, buf.as_mut_ptr(), buf.len(), 0) }
}
