;; compute: two exported workloads whose results the firmware checks against
;; the same algorithms written in Rust (common/src/native.rs).
;;
;; Both generate their input from a seed with the LCG of Numerical Recipes,
;; x' = 1664525 x + 1013904223 (mod 2^32), so nothing but the seed and a
;; length crosses the boundary.
(module $compute
  ;; 4 KiB of linear memory, in one-byte pages:
  ;;   0..1024     the CRC-32 table (256 x u32)
  ;;   1024..3072  the bytes the CRC runs over (at most 2048)
  ;;   3072..4096  the values to sort (at most 256 x i32)
  (memory (export "memory") 4096 (pagesize 1))

  (func $next (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))

  ;; The table of the reflected CRC-32 (IEEE 802.3, polynomial 0xEDB88320).
  (func $make_table
    (local $i i32) (local $c i32) (local $k i32)
    (loop $entries
      (local.set $c (local.get $i))
      (local.set $k (i32.const 8))
      (loop $bits
        (local.set $c
          (if (result i32) (i32.and (local.get $c) (i32.const 1))
            (then (i32.xor (i32.shr_u (local.get $c) (i32.const 1)) (i32.const 0xEDB88320)))
            (else (i32.shr_u (local.get $c) (i32.const 1)))))
        (br_if $bits (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $c))
      (br_if $entries
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 256)))))

  ;; crc32(seed, len): fills `len` bytes with the top byte of successive LCG
  ;; states and returns their CRC-32.
  (func (export "crc32") (param $seed i32) (param $len i32) (result i32)
    (local $i i32) (local $x i32) (local $crc i32)
    (if (i32.gt_u (local.get $len) (i32.const 2048)) (then unreachable))
    (call $make_table)
    (local.set $x (local.get $seed))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $x (call $next (local.get $x)))
        (i32.store8 offset=1024 (local.get $i) (i32.shr_u (local.get $x) (i32.const 24)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $crc (i32.const -1))
    (local.set $i (i32.const 0))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $crc
          (i32.xor
            (i32.load
              (i32.shl
                (i32.and
                  (i32.xor (local.get $crc) (i32.load8_u offset=1024 (local.get $i)))
                  (i32.const 0xff))
                (i32.const 2)))
            (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i32.xor (local.get $crc) (i32.const -1)))

  ;; sort(seed, n): fills `n` values with successive LCG states (as signed
  ;; i32), sorts them ascending by insertion, and returns the checksum
  ;; sum of a[i] * (i + 1) (wrapping), or -1 if the result is not sorted.
  (func (export "sort") (param $seed i32) (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $x i32) (local $v i32) (local $sum i32)
    (if (i32.gt_u (local.get $n) (i32.const 256)) (then unreachable))
    (local.set $x (local.get $seed))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $next (local.get $x)))
        (i32.store offset=3072 (i32.shl (local.get $i) (i32.const 2)) (local.get $x))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $i (i32.const 1))
    (block $sorted
      (loop $outer
        (br_if $sorted (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i32.load offset=3072 (i32.shl (local.get $i) (i32.const 2))))
        (local.set $j (local.get $i))
        (block $placed
          (loop $shift
            (br_if $placed (i32.eqz (local.get $j)))
            (br_if $placed
              (i32.le_s
                (i32.load offset=3068 (i32.shl (local.get $j) (i32.const 2)))
                (local.get $v)))
            (i32.store offset=3072 (i32.shl (local.get $j) (i32.const 2))
              (i32.load offset=3068 (i32.shl (local.get $j) (i32.const 2))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $shift)))
        (i32.store offset=3072 (i32.shl (local.get $j) (i32.const 2)) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 0))
    (block $checked
      (loop $check
        (br_if $checked (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v (i32.load offset=3072 (i32.shl (local.get $i) (i32.const 2))))
        (if (i32.and
              (i32.ne (local.get $i) (i32.const 0))
              (i32.gt_s (i32.load offset=3068 (i32.shl (local.get $i) (i32.const 2)))
                        (local.get $v)))
          (then (return (i32.const -1))))
        (local.set $sum
          (i32.add (local.get $sum)
            (i32.mul (local.get $v) (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $check)))
    (local.get $sum)))
