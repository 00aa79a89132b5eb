;; A module whose initial memory is 64 pages (4 MiB).
(module (memory (export "memory") 64))
