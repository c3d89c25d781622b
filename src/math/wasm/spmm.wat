;; CSR sparse × dense on the CPU in WebAssembly SIMD (128-bit, f32x4):
;;   y (B×N) = act(x (B×K) · Wᵀ + bias), W (N×K) out×in as CSR over output rows.
;; Byte addresses into the memory shared with gemm.wat (imported; src/math/wasm/heap.ts owns it):
;;   x: (B, K) row-major; xT: (K, Bp), x transposed and zero-padded to Bp = B rounded up to 4;
;;   rowPtr: u32 (N+1), colIdx: u32 (nnz), values: f32 (nnz), bias: f32 (N);
;;   yT: (N, Bp) the product before the epilogue; y: (B, N) row-major, the result.
;; Assembled by scripts/build-wasm.ts into spmm.wasm.ts; do not edit that file, edit this one.
;;
;; Formulation: vectorise over the batch, not over K. For one output neuron n and a tile of batch rows
;; b0..b0+T−1, every nonzero (c, v) of row n adds v · xT[c, b0..b0+T−1], a contiguous run of T floats:
;; one splat, T/4 loads, T/4 mul + T/4 add. Cost ∝ nnz·B as for the JS kernel, but 4 lanes at a time and
;; each (c, v) pair loaded once per tile. Tiles of 32 rows (8 accumulators) while they fit, then single
;; vectors of 4. A tile's slice of xT (K × 128 bytes at T = 32) stays in L2 while all N rows pass.
;; The sums land in yT[n, b0..] with contiguous vector stores. Writing y[b, n] directly would touch 32
;; rows of y per neuron, N·4 bytes apart: at N = 3072 that is a multiple of 4 KiB, every row maps to
;; the same L1 set and the stores thrash (measured 5× slower at density 1/256). So the host runs three
;; steps: $transpose x → xT, $spmm → yT, $transpose yT → y with bias and relu-clamp fused, the
;; transposes by 4×4 register blocks. The host pads x to Bp rows with zeros and gives y Bp rows, so the
;; padded lanes compute zeros and are never copied out. GELU: the host runs gemm.wat's "gelu" over y
;; in place. Accumulation is f32
;; in CSR order, then bias.
;; i8x16.shuffle picks bytes of two f32x4 operands a, b: lane L of a is bytes 4L..4L+3, of b 16+4L…
(module
  (import "env" "memory" (memory 1))

  ;; dst[c, r] = min(max(src[r, c] + bias[r], lo), hi) for src (R, C) and dst (C, R), both row-major;
  ;; the bias term only when $hasBias. lo = −∞, hi = +∞ make it a plain transpose (NaN passes through);
  ;; lo = 0, hi = clampMax is relu-clamp. 4×4 register blocks, then the R mod 4 and C mod 4 edges scalar.
  ;; $srcSequential picks the loop order: 1 walks along 4 src rows at a time (the dst stores stride down
  ;; 4 columns), 0 along 4 dst rows (the src loads stride). The host makes the strided side the one
  ;; whose rows are Bp·4 bytes: rows K·4 or N·4 bytes apart are often a multiple of 4 KiB (3072 · 4),
  ;; all in one L1 set, and striding down them thrashed (measured 2–4× slower).
  (func (export "transpose")
    (param $src i32) (param $R i32) (param $C i32) (param $dst i32) (param $bias i32) (param $hasBias i32)
    (param $lo f32) (param $hi f32) (param $srcSequential i32)
    (local $srcRow i32) (local $dstRow i32) (local $R4 i32) (local $C4 i32) (local $r i32)
    (local $p i32) (local $q i32) (local $loV v128) (local $hiV v128) (local $biasV v128)
    (local $outer i32) (local $outerEnd i32) (local $inner i32) (local $innerEnd i32)
    (local $pOuter i32) (local $qOuter i32) (local $rOuter i32) (local $pInner i32) (local $qInner i32)
    (local $rInner i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $srcRow (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dstRow (i32.shl (local.get $R) (i32.const 2)))
    (local.set $R4 (i32.and (local.get $R) (i32.const -4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $loV (f32x4.splat (local.get $lo)))
    (local.set $hiV (f32x4.splat (local.get $hi)))
    ;; Per 4×4 block, src[r, c] moves by (pInner, bytes), dst[c, r] by qInner, r by rInner; per outer
    ;; step by pOuter, qOuter, rOuter. Blocks: C4/4 × R4/4.
    (if (local.get $srcSequential)
      (then
        (local.set $outerEnd (i32.shr_u (local.get $R4) (i32.const 2)))
        (local.set $innerEnd (i32.shr_u (local.get $C4) (i32.const 2)))
        (local.set $pOuter (i32.shl (local.get $srcRow) (i32.const 2)))
        (local.set $qOuter (i32.const 16))
        (local.set $rOuter (i32.const 4))
        (local.set $pInner (i32.const 16))
        (local.set $qInner (i32.shl (local.get $dstRow) (i32.const 2))))
      (else
        (local.set $outerEnd (i32.shr_u (local.get $C4) (i32.const 2)))
        (local.set $innerEnd (i32.shr_u (local.get $R4) (i32.const 2)))
        (local.set $pOuter (i32.const 16))
        (local.set $qOuter (i32.shl (local.get $dstRow) (i32.const 2)))
        (local.set $pInner (i32.shl (local.get $srcRow) (i32.const 2)))
        (local.set $qInner (i32.const 16))
        (local.set $rInner (i32.const 4))))
    (block $outerDone
      (loop $outerLoop
        (br_if $outerDone (i32.ge_u (local.get $outer) (local.get $outerEnd)))
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $outer) (local.get $pOuter))))
        (local.set $q (i32.add (local.get $dst) (i32.mul (local.get $outer) (local.get $qOuter))))
        (local.set $r (i32.mul (local.get $outer) (local.get $rOuter)))
        (local.set $inner (i32.const 0))
        (block $innerDone
          (loop $innerLoop
            (br_if $innerDone (i32.ge_u (local.get $inner) (local.get $innerEnd)))
            (local.set $biasV
              (if (result v128) (local.get $hasBias)
                (then (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2)))))
                (else (v128.const i32x4 0 0 0 0))))
            (local.set $r0 (v128.load (local.get $p)))
            (local.set $r1 (v128.load (i32.add (local.get $p) (local.get $srcRow))))
            (local.set $r2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $srcRow) (i32.const 1)))))
            (local.set $r3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $srcRow) (i32.const 3)))))
            ;; t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r0.2 r1.2 r0.3 r1.3], t2, t3 likewise for r2, r3
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
            ;; column j of the block = [r0.j r1.j r2.j r3.j] → dst row c + j, columns r..r+3
            (v128.store (local.get $q)
              (f32x4.min (f32x4.max (f32x4.add (local.get $biasV)
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (local.get $loV)) (local.get $hiV)))
            (v128.store (i32.add (local.get $q) (local.get $dstRow))
              (f32x4.min (f32x4.max (f32x4.add (local.get $biasV)
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (local.get $loV)) (local.get $hiV)))
            (v128.store (i32.add (local.get $q) (i32.shl (local.get $dstRow) (i32.const 1)))
              (f32x4.min (f32x4.max (f32x4.add (local.get $biasV)
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (local.get $loV)) (local.get $hiV)))
            (v128.store (i32.add (local.get $q) (i32.mul (local.get $dstRow) (i32.const 3)))
              (f32x4.min (f32x4.max (f32x4.add (local.get $biasV)
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.get $loV)) (local.get $hiV)))
            (local.set $p (i32.add (local.get $p) (local.get $pInner)))
            (local.set $q (i32.add (local.get $q) (local.get $qInner)))
            (local.set $r (i32.add (local.get $r) (local.get $rInner)))
            (local.set $inner (i32.add (local.get $inner) (i32.const 1)))
            (br $innerLoop)))
        (local.set $outer (i32.add (local.get $outer) (i32.const 1)))
        (br $outerLoop)))
    ;; Edges: columns C4..C of rows 0..R4, then rows R4..R entirely.
    (call $transposeScalar (local.get $src) (local.get $C) (local.get $dst) (local.get $R) (i32.const 0)
      (local.get $R4) (local.get $C4) (local.get $C) (local.get $bias) (local.get $hasBias) (local.get $lo) (local.get $hi))
    (call $transposeScalar (local.get $src) (local.get $C) (local.get $dst) (local.get $R) (local.get $R4)
      (local.get $R) (i32.const 0) (local.get $C) (local.get $bias) (local.get $hasBias) (local.get $lo) (local.get $hi)))

  ;; The scalar form of $transpose over rows r0..r1, columns c0..c1 of src (R·C, leading dims C and R).
  (func $transposeScalar
    (param $src i32) (param $C i32) (param $dst i32) (param $R i32) (param $r0 i32) (param $r1 i32)
    (param $c0 i32) (param $c1 i32) (param $bias i32) (param $hasBias i32) (param $lo f32) (param $hi f32)
    (local $r i32) (local $c i32) (local $b f32)
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $b
          (if (result f32) (local.get $hasBias)
            (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2)))))
            (else (f32.const 0))))
        (local.set $c (local.get $c0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $c1)))
            (f32.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2)))
              (f32.min
                (f32.max
                  (f32.add (local.get $b)
                    (f32.load
                      (i32.add (local.get $src)
                        (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))))
                  (local.get $lo))
                (local.get $hi)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; yT[n, b0..b0+31] for every output neuron: 8 accumulators of 4 batch rows each.
  (func $tile32
    (param $xT i32) (param $Bp i32) (param $b0 i32) (param $rowPtr i32) (param $colIdx i32) (param $values i32)
    (param $N i32) (param $yT i32)
    (local $n i32) (local $i i32) (local $end i32) (local $p i32) (local $q i32) (local $v v128)
    (local $rowBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $rowBytes (i32.shl (local.get $Bp) (i32.const 2)))
    ;; both xT and yT rows start at column b0 of the tile
    (local.set $xT (i32.add (local.get $xT) (i32.shl (local.get $b0) (i32.const 2))))
    (local.set $yT (i32.add (local.get $yT) (i32.shl (local.get $b0) (i32.const 2))))
    (local.set $i (i32.load (local.get $rowPtr)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $end (i32.load offset=4 (i32.add (local.get $rowPtr) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (local.get $a0)) (local.set $a2 (local.get $a0)) (local.set $a3 (local.get $a0))
        (local.set $a4 (local.get $a0)) (local.set $a5 (local.get $a0)) (local.set $a6 (local.get $a0))
        (local.set $a7 (local.get $a0))
        (block $nnzDone
          (loop $nnz
            (br_if $nnzDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $q (i32.shl (local.get $i) (i32.const 2)))
            (local.set $v (v128.load32_splat (i32.add (local.get $values) (local.get $q))))
            (local.set $p
              (i32.add (local.get $xT)
                (i32.mul (i32.load (i32.add (local.get $colIdx) (local.get $q))) (local.get $rowBytes))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load offset=0 (local.get $p)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (v128.load offset=16 (local.get $p)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v) (v128.load offset=32 (local.get $p)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v) (v128.load offset=48 (local.get $p)))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $v) (v128.load offset=64 (local.get $p)))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $v) (v128.load offset=80 (local.get $p)))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $v) (v128.load offset=96 (local.get $p)))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $v) (v128.load offset=112 (local.get $p)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $nnz)))
        (local.set $p (i32.add (local.get $yT) (i32.mul (local.get $n) (local.get $rowBytes))))
        (v128.store offset=0 (local.get $p) (local.get $a0))
        (v128.store offset=16 (local.get $p) (local.get $a1))
        (v128.store offset=32 (local.get $p) (local.get $a2))
        (v128.store offset=48 (local.get $p) (local.get $a3))
        (v128.store offset=64 (local.get $p) (local.get $a4))
        (v128.store offset=80 (local.get $p) (local.get $a5))
        (v128.store offset=96 (local.get $p) (local.get $a6))
        (v128.store offset=112 (local.get $p) (local.get $a7))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; yT[n, b0..b0+3] for every output neuron: one accumulator.
  (func $tile4
    (param $xT i32) (param $Bp i32) (param $b0 i32) (param $rowPtr i32) (param $colIdx i32) (param $values i32)
    (param $N i32) (param $yT i32)
    (local $n i32) (local $i i32) (local $end i32) (local $q i32) (local $a v128) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $Bp) (i32.const 2)))
    (local.set $xT (i32.add (local.get $xT) (i32.shl (local.get $b0) (i32.const 2))))
    (local.set $yT (i32.add (local.get $yT) (i32.shl (local.get $b0) (i32.const 2))))
    (local.set $i (i32.load (local.get $rowPtr)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $end (i32.load offset=4 (i32.add (local.get $rowPtr) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (block $nnzDone
          (loop $nnz
            (br_if $nnzDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $q (i32.shl (local.get $i) (i32.const 2)))
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load32_splat (i32.add (local.get $values) (local.get $q)))
                  (v128.load
                    (i32.add (local.get $xT)
                      (i32.mul (i32.load (i32.add (local.get $colIdx) (local.get $q))) (local.get $rowBytes)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $nnz)))
        (v128.store (i32.add (local.get $yT) (i32.mul (local.get $n) (local.get $rowBytes))) (local.get $a))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $rows))))

  ;; yT (N, Bp) = W · xT over all Bp columns (padded ones included: they are zeros); tiles of 32, then 4.
  (func (export "spmm")
    (param $xT i32) (param $Bp i32) (param $rowPtr i32) (param $colIdx i32) (param $values i32) (param $N i32)
    (param $yT i32)
    (local $b0 i32)
    (block $wideDone
      (loop $wide
        (br_if $wideDone (i32.gt_u (i32.add (local.get $b0) (i32.const 32)) (local.get $Bp)))
        (call $tile32 (local.get $xT) (local.get $Bp) (local.get $b0) (local.get $rowPtr) (local.get $colIdx)
          (local.get $values) (local.get $N) (local.get $yT))
        (local.set $b0 (i32.add (local.get $b0) (i32.const 32)))
        (br $wide)))
    (block $narrowDone
      (loop $narrow
        (br_if $narrowDone (i32.ge_u (local.get $b0) (local.get $Bp)))
        (call $tile4 (local.get $xT) (local.get $Bp) (local.get $b0) (local.get $rowPtr) (local.get $colIdx)
          (local.get $values) (local.get $N) (local.get $yT))
        (local.set $b0 (i32.add (local.get $b0) (i32.const 4)))
        (br $narrow))))
)
