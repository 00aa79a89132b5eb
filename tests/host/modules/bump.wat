;; The str/bytes convention with a bump allocator that counts live allocations, and a result
;; returned as two i32 (ptr, len) instead of a packed i64.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (func $alloc (export "alloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $ptr))
  (func (export "dealloc") (param i32 i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1))))
  (func (export "live") (result i32) (global.get $live))
  (func (export "length") (param i32 i32) (result i32) (local.get 1))
  ;; copy (ptr, len) into a fresh allocation, return it as two i32
  (func (export "echo") (param $ptr i32) (param $len i32) (result i32 i32)
    (local $out i32)
    (local.set $out (call $alloc (local.get $len)))
    (memory.copy (local.get $out) (local.get $ptr) (local.get $len))
    (local.get $out) (local.get $len)))
