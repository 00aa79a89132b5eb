;; Memory growth until the engine refuses (memory.grow returns -1), then a trap; an endless loop.
(module
  (memory (export "memory") 1)
  (func (export "grow_until_refused") (result i32)
    (local $pages i32)
    (block $refused
      (loop $again
        (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $pages (i32.add (local.get $pages) (i32.const 1)))
        (br $again)))
    unreachable)
  (func (export "loop_forever") (loop $l (br $l))))
