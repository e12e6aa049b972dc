;; recursion: a function that calls itself without end (and not in tail
;; position, so nothing could turn it into a loop). Kestrel must stop it with
;; the `call stack exhausted` trap when the engine's `max_call_depth` or
;; `max_stack_slots` is reached, whatever the size of the firmware's native
;; stack: Wasm calls are frames on Kestrel's own heap-allocated stack.
(module $recursion
  (func $down (export "down") (param $n i32) (result i32)
    (i32.add
      (call $down (i32.add (local.get $n) (i32.const 1)))
      (i32.const 1))))
