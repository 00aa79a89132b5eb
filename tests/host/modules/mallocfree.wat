;; The C spelling of the convention: malloc(size) and free(ptr), a packed i64 result.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 2048))
  (global $frees (mut i32) (i32.const 0))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $size)))
    (local.get $ptr))
  (func (export "free") (param i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func (export "frees") (result i32) (global.get $frees))
  ;; return a copy of (ptr, len) as (ptr << 32) | len
  (func (export "copy") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32)
    (local.set $out (call $malloc (local.get $len)))
    (memory.copy (local.get $out) (local.get $ptr) (local.get $len))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
      (i64.extend_i32_u (local.get $len)))))
