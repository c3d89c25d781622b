;; Dense linear layer on the CPU in WebAssembly SIMD (128-bit, f32x4):
;;   y (B×N) = act(x (B×K) · Wᵀ + bias)
;; x: (B, K) row-major, W: (N, K) out×in row-major, bias: (N), y: (B, N) row-major; all f32, all byte
;; addresses into the imported memory (the host, src/math/wasm/gemmWasm.ts, copies them in and out).
;; Assembled by scripts/build-wasm.ts into gemm.wasm.ts; do not edit that file, edit this one.
;;
;; Formulation: x and W are both contiguous along K, so every output is a dot product. A register tile
;; of 2 batch rows × 4 W rows keeps 8 f32x4 accumulators; each step over K loads 2 x vectors and 4 W
;; vectors (6 loads) for 8 mul + 8 add. A 4×4 tile would need 16 accumulators plus the loaded vectors,
;; more than the 15 xmm registers V8 allocates on x64, and spilling costs more than the extra loads.
;; WebAssembly SIMD has no fused multiply-add (that is relaxed-simd), so each term is f32x4.mul then
;; f32x4.add. At the end of K the 4 accumulators of a row are reduced horizontally by one 4×4 transpose
;; (reduce4), the K mod 4 tail is added scalar-by-lane, then bias and the activation, and one v128 store
;; writes 4 outputs. Rows of W past the last multiple of 4 take a 1×1 dot product; the odd batch row
;; takes a 1×4 tile.
;;
;; Cache blocking: batch rows are taken `rowsPerBlock` at a time (the host sizes the block so its slice
;; of x, rowsPerBlock × K × 4 bytes, stays in L2); inside a block, each group of 4 W rows (4 × K × 4
;; bytes: 12 KiB at K = 768) stays in L1 while every batch row of the block passes over it. So W is read
;; from memory once per block and x once per 4 output columns, from L2.
;;
;; Activation codes (`act`): 0 none, 1 relu-clamp: min(max(v, 0), clamp), 2 GELU (tanh form, GPT-2's),
;; with tanh as the odd 13/6 rational minimax approximation Eigen, XLA and ONNX Runtime's MLAS use
;; (input clamped to ±7.90531, where f32 tanh is ±1; a few ulp from tanh). Exported as "gelu" too, for
;; the CSR kernel's host to apply in place.
;; Accumulation is f32 in a different order from matmulRef's f64; the host documents the tolerance.
(module
  ;; The memory is created by the host (src/math/wasm/heap.ts) and shared with spmm.wat.
  (import "env" "memory" (memory 1))

  ;; Four f32x4 accumulators → [Σa0, Σa1, Σa2, Σa3] (each Σ over the 4 lanes), by a 4×4 transpose-add.
  (func $reduce4 (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128) (result v128)
    (local $s01 v128)
    (local $s23 v128)
    ;; s01 = [a0.0+a0.2, a1.0+a1.2, a0.1+a0.3, a1.1+a1.3], s23 likewise for a2, a3
    (local.set $s01
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $s23
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    ;; [s01.0, s01.1, s23.0, s23.1] + [s01.2, s01.3, s23.2, s23.3]
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s01) (local.get $s23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s01) (local.get $s23))))

  ;; Lanes j of 4 W rows at byte offset $i: [w0[i], w1[i], w2[i], w3[i]] (the K tail, at most 3 times).
  (func $column4 (param $w0 i32) (param $rowBytes i32) (param $i i32) (result v128)
    (local $p i32)
    (local.set $p (i32.add (local.get $w0) (local.get $i)))
    (f32x4.replace_lane 3
      (f32x4.replace_lane 2
        (f32x4.replace_lane 1
          (f32x4.splat (f32.load (local.get $p)))
          (f32.load (local.tee $p (i32.add (local.get $p) (local.get $rowBytes)))))
        (f32.load (local.tee $p (i32.add (local.get $p) (local.get $rowBytes)))))
      (f32.load (i32.add (local.get $p) (local.get $rowBytes)))))

  ;; tanh(v) ≈ v·P(v²)/Q(v²) on v clamped to ±7.90531 (Eigen's ptanh_float coefficients).
  (func $tanh4 (param $v v128) (result v128)
    (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $v
      (f32x4.min (f32x4.max (local.get $v) (f32x4.splat (f32.const -7.90531110763549805)))
        (f32x4.splat (f32.const 7.90531110763549805))))
    (local.set $x2 (f32x4.mul (local.get $v) (local.get $v)))
    (local.set $p (f32x4.splat (f32.const -2.76076847742355e-16)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 2.00018790482477e-13))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const -8.60467152213735e-11))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 5.12229709037114e-08))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 1.48572235717979e-05))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 6.37261928875436e-04))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (f32x4.splat (f32.const 4.89352455891786e-03))))
    (local.set $q (f32x4.splat (f32.const 1.19825839466702e-06)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 1.18534705686654e-04))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 2.26843463243900e-03))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (f32x4.splat (f32.const 4.89352518554385e-03))))
    (f32x4.div (f32x4.mul (local.get $v) (local.get $p)) (local.get $q)))

  ;; GELU(v) = 0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))), as src/math/activations.ts gelu.
  (func $gelu4 (param $v v128) (result v128)
    (local $half v128)
    (local.set $half (f32x4.mul (local.get $v) (f32x4.splat (f32.const 0.5))))
    (f32x4.add (local.get $half)
      (f32x4.mul (local.get $half)
        (call $tanh4
          (f32x4.mul (local.get $v)
            (f32x4.add (f32x4.splat (f32.const 0.7978845608028654))
              (f32x4.mul (f32x4.splat (f32.const 0.035677408136300125)) ;; √(2/π) · 0.044715
                (f32x4.mul (local.get $v) (local.get $v)))))))))

  ;; In place over $n floats at byte address $ptr.
  (func (export "gelu") (param $ptr i32) (param $n i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $ptr) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $vectors
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end4)))
        (v128.store (local.get $ptr) (call $gelu4 (v128.load (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $vectors)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $ptr) (local.get $end)))
        (f32.store (local.get $ptr)
          (f32x4.extract_lane 0 (call $gelu4 (f32x4.splat (f32.load (local.get $ptr))))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (br $tail))))

  ;; Bias (4 lanes from byte address $bias when $hasBias) then the activation.
  (func $epilogue4 (param $v v128) (param $bias i32) (param $hasBias i32) (param $act i32) (param $clamp f32)
    (result v128)
    (if (local.get $hasBias)
      (then (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $bias))))))
    (if (i32.eq (local.get $act) (i32.const 1))
      (then
        (local.set $v
          (f32x4.min (f32x4.max (local.get $v) (f32x4.splat (f32.const 0))) (f32x4.splat (local.get $clamp))))))
    (if (i32.eq (local.get $act) (i32.const 2)) (then (local.set $v (call $gelu4 (local.get $v)))))
    (local.get $v))

  (func $epilogue1 (param $v f32) (param $bias i32) (param $hasBias i32) (param $act i32) (param $clamp f32)
    (result f32)
    (if (local.get $hasBias)
      (then (local.set $v (f32.add (local.get $v) (f32.load (local.get $bias))))))
    (if (i32.eq (local.get $act) (i32.const 1))
      (then (local.set $v (f32.min (f32.max (local.get $v) (f32.const 0)) (local.get $clamp)))))
    (if (i32.eq (local.get $act) (i32.const 2))
      (then (local.set $v (f32x4.extract_lane 0 (call $gelu4 (f32x4.splat (local.get $v)))))))
    (local.get $v))

  ;; y[b..b+1, j..j+3]. $x0: address of x row b, $w0: address of W row j, $y0: address of y[b, j],
  ;; $bias: address of bias[j]. Row strides: x and W 4K bytes, y 4N bytes.
  (func $tile2x4
    (param $x0 i32) (param $w0 i32) (param $y0 i32) (param $bias i32) (param $K i32) (param $N i32)
    (param $hasBias i32) (param $act i32) (param $clamp f32)
    (local $rowBytes i32) (local $end4 i32) (local $i i32)
    (local $x1 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $p v128) (local $q v128) (local $v v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local $r0 v128) (local $r1 v128)
    (local.set $rowBytes (i32.shl (local.get $K) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (local.set $x1 (i32.add (local.get $x0) (local.get $rowBytes)))
    (local.set $w1 (i32.add (local.get $w0) (local.get $rowBytes)))
    (local.set $w2 (i32.add (local.get $w1) (local.get $rowBytes)))
    (local.set $w3 (i32.add (local.get $w2) (local.get $rowBytes)))
    (if (local.get $end4)
      (then
        (loop $k
          (local.set $p (v128.load (i32.add (local.get $x0) (local.get $i))))
          (local.set $q (v128.load (i32.add (local.get $x1) (local.get $i))))
          (local.set $v (v128.load (i32.add (local.get $w0) (local.get $i))))
          (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $p) (local.get $v))))
          (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $q) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $w1) (local.get $i))))
          (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $p) (local.get $v))))
          (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $q) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $w2) (local.get $i))))
          (local.set $a02 (f32x4.add (local.get $a02) (f32x4.mul (local.get $p) (local.get $v))))
          (local.set $a12 (f32x4.add (local.get $a12) (f32x4.mul (local.get $q) (local.get $v))))
          (local.set $v (v128.load (i32.add (local.get $w3) (local.get $i))))
          (local.set $a03 (f32x4.add (local.get $a03) (f32x4.mul (local.get $p) (local.get $v))))
          (local.set $a13 (f32x4.add (local.get $a13) (f32x4.mul (local.get $q) (local.get $v))))
          (br_if $k (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end4))))))
    (local.set $r0 (call $reduce4 (local.get $a00) (local.get $a01) (local.get $a02) (local.get $a03)))
    (local.set $r1 (call $reduce4 (local.get $a10) (local.get $a11) (local.get $a12) (local.get $a13)))
    ;; K mod 4 tail: r += x[b, i] · [w0[i], w1[i], w2[i], w3[i]]
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (local.set $v (call $column4 (local.get $w0) (local.get $rowBytes) (local.get $i)))
        (local.set $r0
          (f32x4.add (local.get $r0)
            (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $x0) (local.get $i)))) (local.get $v))))
        (local.set $r1
          (f32x4.add (local.get $r1)
            (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $x1) (local.get $i)))) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (v128.store (local.get $y0)
      (call $epilogue4 (local.get $r0) (local.get $bias) (local.get $hasBias) (local.get $act) (local.get $clamp)))
    (v128.store (i32.add (local.get $y0) (i32.shl (local.get $N) (i32.const 2)))
      (call $epilogue4 (local.get $r1) (local.get $bias) (local.get $hasBias) (local.get $act) (local.get $clamp))))

  ;; y[b, j..j+3]: the odd batch row of a block (and every row at batch 1). Arguments as $tile2x4.
  (func $tile1x4
    (param $x0 i32) (param $w0 i32) (param $y0 i32) (param $bias i32) (param $K i32)
    (param $hasBias i32) (param $act i32) (param $clamp f32)
    (local $rowBytes i32) (local $end4 i32) (local $i i32)
    (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $p v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $r v128)
    (local.set $rowBytes (i32.shl (local.get $K) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (local.set $w1 (i32.add (local.get $w0) (local.get $rowBytes)))
    (local.set $w2 (i32.add (local.get $w1) (local.get $rowBytes)))
    (local.set $w3 (i32.add (local.get $w2) (local.get $rowBytes)))
    (if (local.get $end4)
      (then
        (loop $k
          (local.set $p (v128.load (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0
            (f32x4.add (local.get $a0) (f32x4.mul (local.get $p) (v128.load (i32.add (local.get $w0) (local.get $i))))))
          (local.set $a1
            (f32x4.add (local.get $a1) (f32x4.mul (local.get $p) (v128.load (i32.add (local.get $w1) (local.get $i))))))
          (local.set $a2
            (f32x4.add (local.get $a2) (f32x4.mul (local.get $p) (v128.load (i32.add (local.get $w2) (local.get $i))))))
          (local.set $a3
            (f32x4.add (local.get $a3) (f32x4.mul (local.get $p) (v128.load (i32.add (local.get $w3) (local.get $i))))))
          (br_if $k (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end4))))))
    (local.set $r (call $reduce4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (local.set $r
          (f32x4.add (local.get $r)
            (f32x4.mul
              (f32x4.splat (f32.load (i32.add (local.get $x0) (local.get $i))))
              (call $column4 (local.get $w0) (local.get $rowBytes) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (v128.store (local.get $y0)
      (call $epilogue4 (local.get $r) (local.get $bias) (local.get $hasBias) (local.get $act) (local.get $clamp))))

  ;; y[b, j] alone: the last N mod 4 rows of W. Arguments as $tile1x4.
  (func $tile1x1
    (param $x0 i32) (param $w0 i32) (param $y0 i32) (param $bias i32) (param $K i32)
    (param $hasBias i32) (param $act i32) (param $clamp f32)
    (local $rowBytes i32) (local $end4 i32) (local $i i32)
    (local $a v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $K) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (if (local.get $end4)
      (then
        (loop $k
          (local.set $a
            (f32x4.add (local.get $a)
              (f32x4.mul
                (v128.load (i32.add (local.get $x0) (local.get $i)))
                (v128.load (i32.add (local.get $w0) (local.get $i))))))
          (br_if $k (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end4))))))
    ;; Same lane order as reduce4: (a.0 + a.2) + (a.1 + a.3).
    (local.set $s
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 2 (local.get $a)))
        (f32.add (f32x4.extract_lane 1 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (local.set $s
          (f32.add (local.get $s)
            (f32.mul
              (f32.load (i32.add (local.get $x0) (local.get $i)))
              (f32.load (i32.add (local.get $w0) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (f32.store (local.get $y0)
      (call $epilogue1 (local.get $s) (local.get $bias) (local.get $hasBias) (local.get $act) (local.get $clamp))))

  ;; The whole product. Addresses in bytes; $hasBias 0 means $bias is ignored; $rowsPerBlock ≥ 1.
  (func (export "gemm")
    (param $x i32) (param $w i32) (param $bias i32) (param $hasBias i32) (param $y i32)
    (param $B i32) (param $N i32) (param $K i32) (param $act i32) (param $clamp f32) (param $rowsPerBlock i32)
    (local $rowBytes i32) (local $n4 i32)
    (local $b0 i32) (local $b1 i32) (local $b i32) (local $j i32) (local $wj i32)
    (local.set $rowBytes (i32.shl (local.get $K) (i32.const 2)))
    (local.set $n4 (i32.and (local.get $N) (i32.const -4)))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $b0) (local.get $B)))
        (local.set $b1 (i32.add (local.get $b0) (local.get $rowsPerBlock)))
        (if (i32.gt_u (local.get $b1) (local.get $B)) (then (local.set $b1 (local.get $B))))
        ;; Groups of 4 W rows: 2×4 tiles down the block, then the odd row as 1×4.
        (local.set $j (i32.const 0))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $j) (local.get $n4)))
            (local.set $wj (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowBytes))))
            (local.set $b (local.get $b0))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.gt_u (i32.add (local.get $b) (i32.const 2)) (local.get $b1)))
                (call $tile2x4
                  (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes)))
                  (local.get $wj)
                  (i32.add (local.get $y)
                    (i32.shl (i32.add (i32.mul (local.get $b) (local.get $N)) (local.get $j)) (i32.const 2)))
                  (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))
                  (local.get $K) (local.get $N) (local.get $hasBias) (local.get $act) (local.get $clamp))
                (local.set $b (i32.add (local.get $b) (i32.const 2)))
                (br $pairs)))
            (if (i32.lt_u (local.get $b) (local.get $b1))
              (then
                (call $tile1x4
                  (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes)))
                  (local.get $wj)
                  (i32.add (local.get $y)
                    (i32.shl (i32.add (i32.mul (local.get $b) (local.get $N)) (local.get $j)) (i32.const 2)))
                  (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))
                  (local.get $K) (local.get $hasBias) (local.get $act) (local.get $clamp))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $groups)))
        ;; The last N mod 4 rows of W, one output at a time.
        (block $restDone
          (loop $rest
            (br_if $restDone (i32.ge_u (local.get $j) (local.get $N)))
            (local.set $wj (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $rowBytes))))
            (local.set $b (local.get $b0))
            (block $rowsDone
              (loop $rows
                (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $b1)))
                (call $tile1x1
                  (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes)))
                  (local.get $wj)
                  (i32.add (local.get $y)
                    (i32.shl (i32.add (i32.mul (local.get $b) (local.get $N)) (local.get $j)) (i32.const 2)))
                  (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))
                  (local.get $K) (local.get $hasBias) (local.get $act) (local.get $clamp))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $rows)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $rest)))
        (local.set $b0 (local.get $b1))
        (br $blocks))))
)
