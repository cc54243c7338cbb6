;; CRC-32C (Castagnoli), slicing by 8, for leveldb-table-check.ts. The eight 256-entry tables are at
;; bytes 0 to 8191 of the memory (table k at 1024 * k), written there by the caller; the data anywhere
;; after them. crc32c(p, end, crc): the CRC of bytes [p, end), continuing crc (0 to start).
(module
  (memory (export "memory") 1)
  (func (export "crc32c") (param $p i32) (param $end i32) (param $crc i32) (result i32)
    (local $a i32)
    (local.set $crc (i32.xor (local.get $crc) (i32.const -1)))
    (block $done8
      (loop $eight
        (br_if $done8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $end)))
        (local.set $a (i32.xor (local.get $crc) (i32.load (local.get $p))))
        (local.set $crc
          (i32.xor
            (i32.xor
              (i32.xor
                (i32.load offset=7168 (i32.shl (i32.and (local.get $a) (i32.const 255)) (i32.const 2)))
                (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 8)) (i32.const 255)) (i32.const 2))))
              (i32.xor
                (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor
                (i32.load offset=3072 (i32.shl (i32.load8_u offset=4 (local.get $p)) (i32.const 2)))
                (i32.load offset=2048 (i32.shl (i32.load8_u offset=5 (local.get $p)) (i32.const 2))))
              (i32.xor
                (i32.load offset=1024 (i32.shl (i32.load8_u offset=6 (local.get $p)) (i32.const 2)))
                (i32.load (i32.shl (i32.load8_u offset=7 (local.get $p)) (i32.const 2)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $eight)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $crc
          (i32.xor
            (i32.shr_u (local.get $crc) (i32.const 8))
            (i32.load (i32.shl (i32.and (i32.xor (local.get $crc) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one)))
    (i32.xor (local.get $crc) (i32.const -1))))
