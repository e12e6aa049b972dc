(module
  (func (export "countdown") (param i32) (result i32)
    (loop $l
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 0))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "calls") (param i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (call $inc (local.get $i)))
      (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
    (local.get $i))
)
