//! Idiomatic std::fs, as ordinary programs use WASI: create_dir_all, write,
//! read, append, set_len, sync, seek, rename, copy, hard and symbolic links,
//! remove_dir_all, read_dir, set_modified, and the error kinds.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::time::{Duration, SystemTime};

use kestrel_wasi_guests::{check, check_eq, errno_name, finish};

/// `ok`, or the WASI errno behind the error (std's error kinds for them
/// change between Rust versions).
fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => match e.raw_os_error() {
            Some(code) => errno_name(code as u16),
            None => format!("{:?} without an errno", e.kind()),
        },
    }
}

fn main() {
    fs::create_dir_all("/a/b/c").expect("create_dir_all");
    println!("create_dir_all /a/b/c: ok");
    fs::write("/a/b/c/hello.txt", "hello world\n").expect("write");
    let s = fs::read_to_string("/a/b/c/hello.txt").expect("read");
    println!("read back: {s:?}");
    check_eq("read back", s.as_str(), "hello world\n");
    let m = fs::metadata("/a/b/c/hello.txt").expect("metadata");
    println!(
        "metadata: file={} dir={} len={}",
        m.is_file(),
        m.is_dir(),
        m.len()
    );
    check_eq("len", m.len(), 12);
    check(
        fs::metadata("/a/b").expect("metadata").is_dir(),
        "a/b is a directory",
    );

    let mut f = OpenOptions::new()
        .append(true)
        .open("/a/b/c/hello.txt")
        .expect("append");
    f.write_all(b"more\n").expect("write");
    drop(f);
    println!(
        "after append: {:?}",
        fs::read_to_string("/a/b/c/hello.txt").ok()
    );

    let mut f = File::create("/a/trunc.txt").expect("create");
    f.write_all(b"0123456789").expect("write");
    f.set_len(4).expect("set_len");
    f.sync_all().expect("sync_all");
    f.sync_data().expect("sync_data");
    println!("set_len 4: len={}", f.metadata().expect("metadata").len());
    drop(f);

    let mut f = File::open("/a/b/c/hello.txt").expect("open");
    let pos = f.seek(SeekFrom::Start(6)).expect("seek");
    let mut rest = String::new();
    f.read_to_string(&mut rest).expect("read");
    println!(
        "seek to {pos}, read {rest:?}, now at {}",
        f.stream_position().expect("position")
    );
    let end = f.seek(SeekFrom::End(-5)).expect("seek");
    println!("seek to end-5: {end}");
    drop(f);

    fs::rename("/a/b/c/hello.txt", "/a/hello.txt").expect("rename");
    println!(
        "rename: old exists={} new exists={}",
        fs::exists("/a/b/c/hello.txt").unwrap(),
        fs::exists("/a/hello.txt").unwrap()
    );
    let n = fs::copy("/a/hello.txt", "/a/copy.txt").expect("copy");
    println!(
        "copy: {n} bytes, same contents={}",
        fs::read("/a/copy.txt").ok() == fs::read("/a/hello.txt").ok()
    );
    fs::hard_link("/a/hello.txt", "/a/hard.txt").expect("hard_link");
    println!("hard_link: {:?}", fs::read_to_string("/a/hard.txt").ok());
    // std's symlink for WASI is unstable: make it through the preopen "/".
    unsafe {
        kestrel_wasi_guests::wasi::path_symlink("hello.txt", kestrel_wasi_guests::ROOT, "a/sym")
    }
    .expect("symlink");
    println!("read_link /a/sym: {:?}", fs::read_link("/a/sym").ok());
    let lm = fs::symlink_metadata("/a/sym").expect("symlink_metadata");
    let fm = fs::metadata("/a/sym").expect("metadata");
    println!(
        "symlink_metadata is_symlink={} metadata is_file={}",
        lm.file_type().is_symlink(),
        fm.is_file()
    );

    fs::create_dir("/a/tmp").expect("create_dir");
    fs::create_dir("/a/tmp/x").expect("create_dir");
    fs::write("/a/tmp/x/1", "1").expect("write");
    fs::write("/a/tmp/2", "2").expect("write");
    fs::remove_dir_all("/a/tmp").expect("remove_dir_all");
    println!(
        "remove_dir_all /a/tmp: exists={}",
        fs::exists("/a/tmp").unwrap()
    );
    fs::remove_file("/a/copy.txt").expect("remove_file");
    println!(
        "remove_file /a/copy.txt: exists={}",
        fs::exists("/a/copy.txt").unwrap()
    );

    let mut names: Vec<String> = fs::read_dir("/a")
        .expect("read_dir")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("read_dir /a: {names:?}");

    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let f = File::options()
        .write(true)
        .open("/a/trunc.txt")
        .expect("open");
    f.set_modified(when).expect("set_modified");
    let modified = f
        .metadata()
        .expect("metadata")
        .modified()
        .expect("modified");
    println!("set_modified: {}", modified == when);
    check_eq("modified", modified, when);
    drop(f);

    println!(
        "read_to_string /missing: {}",
        kind(fs::read_to_string("/missing"))
    );
    println!("create_dir /a: {}", kind(fs::create_dir("/a")));
    println!("remove_dir /a: {}", kind(fs::remove_dir("/a")));
    println!("remove_file /a: {}", kind(fs::remove_file("/a")));
    println!(
        "read_dir /a/hello.txt: {}",
        kind(fs::read_dir("/a/hello.txt"))
    );
    println!("File::create /a/b: {}", kind(File::create("/a/b")));
    println!(
        "create_new /a/hello.txt: {}",
        kind(File::create_new("/a/hello.txt"))
    );
    let e = fs::read_to_string("/missing").unwrap_err();
    check_eq("NotFound", e.kind(), ErrorKind::NotFound);
    finish();
}
