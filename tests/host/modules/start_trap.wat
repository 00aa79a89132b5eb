;; A module whose start function traps during instantiation.
(module (func $start unreachable) (start $start))
