;; hello: a WASI command. It reads its arguments, prints a greeting that
;; names argv[1] (the firmware passes the board's name there), and exits with
;; status 42 through `proc_exit`. The firmware makes that status its own exit
;; status, so the QEMU exit code proves the whole path: WASI arguments,
;; `fd_write` to the board's console, and `proc_exit`.
;;
;; Any WASI error ends the program early with a status other than 42:
;; 2 if a call failed, 3 if the arguments are not what the firmware passes.
(module $hello
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  ;; 1 KiB of linear memory, in one-byte pages (custom-page-sizes proposal):
  ;;   0..24     three iovecs          24   nwritten
  ;;   28        argc                  32   argv buffer size
  ;;   64..128   argv pointers (16)    128..640  argv strings
  ;;   640, 672  the constant text
  (memory (export "memory") 1024 (pagesize 1))
  (data (i32.const 640) "Hello from a WASI guest on ")
  (data (i32.const 672) "!\n")

  (func $fail (param $status i32)
    (call $proc_exit (local.get $status))
    unreachable)

  (func (export "_start")
    (local $name i32) (local $len i32)
    (if (call $args_sizes_get (i32.const 28) (i32.const 32))
      (then (call $fail (i32.const 2))))
    (if (i32.or
          (i32.or (i32.lt_u (i32.load (i32.const 28)) (i32.const 2))
                  (i32.gt_u (i32.load (i32.const 28)) (i32.const 16)))
          (i32.gt_u (i32.load (i32.const 32)) (i32.const 512)))
      (then (call $fail (i32.const 3))))
    (if (call $args_get (i32.const 64) (i32.const 128))
      (then (call $fail (i32.const 2))))

    ;; argv[1] is NUL-terminated: find its length.
    (local.set $name (i32.load (i32.const 68)))
    (block $end
      (loop $scan
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $name) (local.get $len)))))
        (local.set $len (i32.add (local.get $len) (i32.const 1)))
        (br $scan)))

    ;; One gathered write: prefix, name, "!\n".
    (i32.store (i32.const 0) (i32.const 640))
    (i32.store (i32.const 4) (i32.const 27))
    (i32.store (i32.const 8) (local.get $name))
    (i32.store (i32.const 12) (local.get $len))
    (i32.store (i32.const 16) (i32.const 672))
    (i32.store (i32.const 20) (i32.const 2))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 3) (i32.const 24))
      (then (call $fail (i32.const 2))))
    (call $proc_exit (i32.const 42))))
