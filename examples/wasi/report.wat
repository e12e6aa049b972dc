;; report: reads /data/readings.txt (one integer per line) and prints how many
;; readings there are, their total and their integer mean.
;;
;;   cargo run -p kestrel-cli -- run --dir examples/wasi/data::/data examples/wasi/report.wat
;;
;; A hand-written WASI preview1 command, to show what a guest does under the
;; hood: it finds the preopened directory named /data, opens a file relative to
;; it, reads it in chunks, parses as it goes, and writes the report to stdout.
;; Errors go to stderr with exit status 1.
;;
;; Memory layout (one 64 KiB page):
;;      0  iovec for fd_read/fd_write: buf pointer, length
;;      8  bytes read or written (the result of fd_read/fd_write)
;;     12  the descriptor path_open returns
;;     16  prestat from fd_prestat_get: tag (u8), then name length (u32) at 20
;;     32  itoa digits, written backwards from 64
;;     64  a preopen's name from fd_prestat_dir_name (at most 64 bytes)
;;    256  constant strings, NUL-terminated
;;   1024  the read buffer, $chunk bytes
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param $fd i32) (param $prestat i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param $fd i32) (param $path i32) (param $len i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open
      (param $dirfd i32) (param $dirflags i32) (param $path i32) (param $path_len i32)
      (param $oflags i32) (param $rights_base i64) (param $rights_inheriting i64)
      (param $fdflags i32) (param $opened i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nread i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param $fd i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param $code i32)))

  ;; WASI reads and writes the guest's memory through this export.
  (memory (export "memory") 1)

  (global $stdout i32 (i32.const 1))
  (global $stderr i32 (i32.const 2))
  (global $buffer i32 (i32.const 1024))
  (global $chunk i32 (i32.const 4096))

  (data (i32.const 256) "/data\00")
  (data (i32.const 272) "readings.txt\00")
  (data (i32.const 288) "readings: \00")
  (data (i32.const 304) "total: \00")
  (data (i32.const 320) "mean: \00")
  (data (i32.const 336) "n/a\00")
  (data (i32.const 344) "\n\00")
  (data (i32.const 352) "report: no preopened directory /data (run with --dir HOST_DIR::/data)\n\00")
  (data (i32.const 432) "report: cannot open /data/readings.txt: errno \00")
  (data (i32.const 480) "report: cannot read /data/readings.txt: errno \00")

  ;; The parser's state, kept across chunks: a line may span two reads.
  (global $count (mut i64) (i64.const 0))    ;; lines with a number so far
  (global $total (mut i64) (i64.const 0))    ;; their sum
  (global $value (mut i64) (i64.const 0))    ;; the current line's digits so far
  (global $negative (mut i32) (i32.const 0)) ;; the current line has a '-'
  (global $digits (mut i32) (i32.const 0))   ;; the current line has a digit

  ;; ---------------------------------------------------------------- strings

  ;; The length of the NUL-terminated string at $s.
  (func $strlen (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $s)))

  ;; 1 if the $len bytes at $a and $b are equal, else 0.
  (func $memeq (param $a i32) (param $b i32) (param $len i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; ----------------------------------------------------------------- output

  ;; Writes $len bytes at $ptr to $fd. fd_write may write less than asked,
  ;; so it loops until everything is out; on an error there is nobody left
  ;; to tell, so it gives up.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (br_if $done (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.load (i32.const 8))))
        (local.set $len (i32.sub (local.get $len) (i32.load (i32.const 8))))
        (br $more))))

  ;; Writes the NUL-terminated string at $s to $fd.
  (func $print (param $fd i32) (param $s i32)
    (call $write (local.get $fd) (local.get $s) (call $strlen (local.get $s))))

  ;; Writes $n in decimal to $fd (itoa). Digits come out least significant
  ;; first, so they are stored backwards from the end of the buffer at 32..64.
  ;; The magnitude is divided unsigned, so that -2^63 works too.
  (func $print_i64 (param $fd i32) (param $n i64)
    (local $pos i32)
    (local $magnitude i64)
    (local.set $pos (i32.const 64))
    (local.set $magnitude
      (select (i64.sub (i64.const 0) (local.get $n)) (local.get $n)
              (i64.lt_s (local.get $n) (i64.const 0))))
    (loop $digit
      (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
      (i32.store8 (local.get $pos)
        (i32.add (i32.const 48 (; '0' ;))
                 (i32.wrap_i64 (i64.rem_u (local.get $magnitude) (i64.const 10)))))
      (local.set $magnitude (i64.div_u (local.get $magnitude) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $magnitude) (i64.const 0))))
    (if (i64.lt_s (local.get $n) (i64.const 0))
      (then
        (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
        (i32.store8 (local.get $pos) (i32.const 45 (; '-' ;)))))
    (call $write (local.get $fd) (local.get $pos) (i32.sub (i32.const 64) (local.get $pos))))

  ;; Prints the message at $msg and the errno to stderr, and exits with 1.
  (func $fail (param $msg i32) (param $errno i32)
    (call $print (global.get $stderr) (local.get $msg))
    (call $print_i64 (global.get $stderr) (i64.extend_i32_u (local.get $errno)))
    (call $print (global.get $stderr) (i32.const 344 (; "\n" ;)))
    (call $proc_exit (i32.const 1)))

  ;; ---------------------------------------------------------------- parsing

  ;; Ends a line: if it held a number, counts it and adds it to the total.
  (func $end_line
    (if (global.get $digits)
      (then
        (global.set $count (i64.add (global.get $count) (i64.const 1)))
        (global.set $total
          (i64.add (global.get $total)
            (select (i64.sub (i64.const 0) (global.get $value)) (global.get $value)
                    (global.get $negative))))))
    (global.set $value (i64.const 0))
    (global.set $negative (i32.const 0))
    (global.set $digits (i32.const 0)))

  ;; Parses the bytes from $p up to $end: digits accumulate into the line's
  ;; value, '-' makes it negative, '\n' ends the line, anything else (spaces,
  ;; the '\r' of a CRLF file) is skipped. Blank lines count for nothing.
  (func $scan (param $p i32) (param $end i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.eq (local.get $c) (i32.const 10 (; '\n' ;)))
          (then (call $end_line) (br $next)))
        (if (i32.eq (local.get $c) (i32.const 45 (; '-' ;)))
          (then (global.set $negative (i32.const 1)) (br $next)))
        ;; A digit (c - '0' < 10, unsigned): value = value * 10 + digit.
        (if (i32.lt_u (i32.sub (local.get $c) (i32.const 48 (; '0' ;))) (i32.const 10))
          (then
            (global.set $value
              (i64.add (i64.mul (global.get $value) (i64.const 10))
                       (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
            (global.set $digits (i32.const 1))))
        (br $next))))

  ;; -------------------------------------------------------------------- WASI

  ;; The descriptor of the preopened directory named by the NUL-terminated
  ;; string at $name, or -1. Preopens are numbered from 3; fd_prestat_get
  ;; fails on the first descriptor past them. This is what a C or Rust
  ;; program's libc does before main to resolve absolute paths.
  (func $find_preopen (param $name i32) (result i32)
    (local $fd i32)
    (local $len i32)
    (local.set $len (call $strlen (local.get $name)))
    (local.set $fd (i32.const 3))
    (loop $next
      (if (call $fd_prestat_get (local.get $fd) (i32.const 16))
        (then (return (i32.const -1))))
      ;; Tag 0 is a directory; its name must have the same length, fit the
      ;; buffer, and be the same bytes.
      (if (i32.and
            (i32.eqz (i32.load8_u (i32.const 16)))
            (i32.and (i32.eq (i32.load (i32.const 20)) (local.get $len))
                     (i32.le_u (local.get $len) (i32.const 64))))
        (then
          (if (i32.eqz (call $fd_prestat_dir_name (local.get $fd) (i32.const 64) (local.get $len)))
            (then
              (if (call $memeq (i32.const 64) (local.get $name) (local.get $len))
                (then (return (local.get $fd))))))))
      (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
      (br $next))
    (unreachable))

  (func $main (export "_start")
    (local $dir i32)
    (local $fd i32)
    (local $errno i32)
    (local $n i32)
    (local.set $dir (call $find_preopen (i32.const 256 (; "/data" ;))))
    (if (i32.lt_s (local.get $dir) (i32.const 0))
      (then
        (call $print (global.get $stderr) (i32.const 352))
        (call $proc_exit (i32.const 1))))

    ;; Open readings.txt relative to the directory, for reading only.
    (local.set $errno
      (call $path_open
        (local.get $dir)
        (i32.const 1)                            ;; dirflags: follow symlinks
        (i32.const 272) (call $strlen (i32.const 272)) ;; "readings.txt"
        (i32.const 0)                            ;; oflags: open an existing file
        (i64.const 2)                            ;; rights: fd_read
        (i64.const 0)                            ;; rights inherited: none
        (i32.const 0)                            ;; fdflags: none
        (i32.const 12)))                         ;; where the new fd goes
    (if (local.get $errno)
      (then (call $fail (i32.const 432) (local.get $errno))))
    (local.set $fd (i32.load (i32.const 12)))

    ;; Read and parse chunk by chunk until end of file (a read of 0 bytes).
    (block $eof
      (loop $read
        (i32.store (i32.const 0) (global.get $buffer))
        (i32.store (i32.const 4) (global.get $chunk))
        (local.set $errno (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (if (local.get $errno)
          (then (call $fail (i32.const 480) (local.get $errno))))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $eof (i32.eqz (local.get $n)))
        (call $scan (global.get $buffer) (i32.add (global.get $buffer) (local.get $n)))
        (br $read)))
    ;; The last line may have no newline.
    (call $end_line)
    (drop (call $fd_close (local.get $fd)))

    ;; readings: N / total: T / mean: T div N (or n/a without readings).
    (call $print (global.get $stdout) (i32.const 288))
    (call $print_i64 (global.get $stdout) (global.get $count))
    (call $print (global.get $stdout) (i32.const 344))
    (call $print (global.get $stdout) (i32.const 304))
    (call $print_i64 (global.get $stdout) (global.get $total))
    (call $print (global.get $stdout) (i32.const 344))
    (call $print (global.get $stdout) (i32.const 320))
    (if (i64.eqz (global.get $count))
      (then (call $print (global.get $stdout) (i32.const 336)))
      (else (call $print_i64 (global.get $stdout)
              (i64.div_s (global.get $total) (global.get $count)))))
    (call $print (global.get $stdout) (i32.const 344))
    (call $proc_exit (i32.const 0)))
)
