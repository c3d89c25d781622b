;; Causal multi-head self-attention on the CPU in WebAssembly SIMD (128-bit, f32x4), the fast form of
;; causalAttention (src/math/attention.ts) once the new keys and values are in the cache:
;;   out[t, head h] = softmax_j(q_t,h · k_j,h · scale, j ≤ start + t) · V_h
;; qkv: (T, 3d) row-major, queries in columns 0..d; kc, vc: (≥ start+T, d) the cache rows; out: (T, d);
;; head h owns columns h·hd..(h+1)·hd−1; hd = d / nHead must be a multiple of 4 (the host checks and keeps
;; its JavaScript path otherwise). All f32, all byte addresses into the imported memory (the host,
;; src/math/wasm/attentionWasm.ts, copies operands in and out). Assembled by scripts/build-wasm.ts into
;; attention.wasm.ts; do not edit that file, edit this one.
;;
;; Blocking: queries are taken 4 at a time per head, so every key row and every value row is loaded once
;; for 4 queries (4 f32x4 accumulators, like gemm.wat's register tile). The block's scores — 4 rows of
;; at most start+T floats, 16 KiB at 1024 positions — sit in scratch `p` (row stride `cap` floats) and
;; stay in L1 between the three passes over them: scores (q·k, scaled), softmax in place (max, exp, sum,
;; normalise, masked entries set to exactly 0), then out = P·V, 4 output columns at a time with the
;; probabilities broadcast by v128.load32_splat. The exact two-pass softmax fits on a CPU because a
;; block's score rows fit in L1; the GPU kernel (shaders/attention_fused_flash.wgsl) uses the online form.
;;
;; exp: Cephes' expf scheme, x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n built in
;; the exponent bits; inputs are ≤ 0 (score − max) and clamped at −87 (2^−125.5, still a normal f32).
;; Relative error ≤ 2e-7 on that range. Accumulation is f32, in a different order from the reference's f64.
(module
  (import "env" "memory" (memory 1))

  ;; Four f32x4 accumulators → [Σa0, Σa1, Σa2, Σa3] (each Σ over the 4 lanes); the same transpose-add as
  ;; gemm.wat's reduce4 (modules cannot share functions without a table, so it is repeated).
  (func $reduce4 (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128) (result v128)
    (local $s01 v128)
    (local $s23 v128)
    (local.set $s01
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $s23
      (f32x4.add
        (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
        (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s01) (local.get $s23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s01) (local.get $s23))))

  ;; e^x lane-wise for x ≤ 0 (see the header).
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $z v128) (local $y v128)
    (local.set $x (f32x4.max (local.get $x) (f32x4.splat (f32.const -87.0))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    ;; r = x − n·ln2 in two steps (Cody–Waite: ln2 = 0.693359375 − 2.12194440e-4)
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 2.12194440e-4)))))
    (local.set $z (f32x4.mul (local.get $r) (local.get $r)))
    (local.set $y (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $y
      (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (local.get $z)) (local.get $r)) (f32x4.splat (f32.const 1.0))))
    ;; × 2^n: n + 127 in the exponent field (n ≥ −126 after the clamp, so the result stays normal)
    (f32x4.mul (local.get $y)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; Scaled dot products of 4 query slices with one key slice of hd floats: [q0·k, q1·k, q2·k, q3·k]·scale.
  (func $dot4 (param $q0 i32) (param $q1 i32) (param $q2 i32) (param $q3 i32) (param $k i32) (param $hd i32)
    (param $scale f32) (result v128)
    (local $end i32) (local $kv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $k) (i32.shl (local.get $hd) (i32.const 2))))
    (loop $c
      (local.set $kv (v128.load (local.get $k)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q0)) (local.get $kv))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (local.get $q1)) (local.get $kv))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (local.get $q2)) (local.get $kv))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (local.get $q3)) (local.get $kv))))
      (local.set $q0 (i32.add (local.get $q0) (i32.const 16)))
      (local.set $q1 (i32.add (local.get $q1) (i32.const 16)))
      (local.set $q2 (i32.add (local.get $q2) (i32.const 16)))
      (local.set $q3 (i32.add (local.get $q3) (i32.const 16)))
      (br_if $c (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $end))))
    (f32x4.mul (call $reduce4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))
      (f32x4.splat (local.get $scale))))

  ;; Softmax in place over one score row of `len` entries (byte address $row), then zeros from len up to
  ;; the multiple of 4 at or above `zeroTo` (the keys later queries of the block see and this one must not).
  (func $softmaxRow (param $row i32) (param $len i32) (param $zeroTo i32)
    (local $p i32) (local $end i32) (local $full i32) (local $m v128) (local $s v128) (local $e v128)
    (local $mx f32) (local $inv f32)
    ;; the partial last vector of the row: pad with −∞ so the vector max ignores it
    (local.set $full (i32.add (local.get $row) (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2))))
    (local.set $end (i32.add (local.get $row) (i32.shl (i32.and (i32.add (local.get $len) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (local.set $p (i32.add (local.get $row) (i32.shl (local.get $len) (i32.const 2))))
    (block $done
      (loop $pad
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $p) (f32.const -inf))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $pad)))
    ;; max
    (local.set $m (f32x4.splat (f32.const -inf)))
    (local.set $p (local.get $row))
    (loop $max
      (local.set $m (f32x4.max (local.get $m) (v128.load (local.get $p))))
      (br_if $max (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
    (local.set $mx
      (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
        (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (local.set $m (f32x4.splat (local.get $mx)))
    ;; exp and sum; the padding lanes (−∞ − max, clamped) give ~1e-38, set to 0 after
    (local.set $s (f32x4.splat (f32.const 0)))
    (local.set $p (local.get $row))
    (loop $exp
      (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $p)) (local.get $m))))
      (if (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (i32.add (local.get $row) (i32.shl (local.get $len) (i32.const 2))))
        (then
          ;; last, partial vector: keep lanes below len
          (local.set $e
            (v128.and (local.get $e)
              (i32x4.lt_s
                (i32x4.add (i32x4.splat (i32.shr_u (i32.sub (local.get $p) (local.get $row)) (i32.const 2)))
                  (v128.const i32x4 0 1 2 3))
                (i32x4.splat (local.get $len)))))))
      (v128.store (local.get $p) (local.get $e))
      (local.set $s (f32x4.add (local.get $s) (local.get $e)))
      (br_if $exp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
    (local.set $inv
      (f32.div (f32.const 1)
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
          (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s))))))
    (local.set $m (f32x4.splat (local.get $inv)))
    (local.set $p (local.get $row))
    (loop $norm
      (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $m)))
      (br_if $norm (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
    ;; zeros for the keys beyond this query (already 0 up to $end)
    (local.set $zeroTo
      (i32.add (local.get $row) (i32.shl (i32.and (i32.add (local.get $zeroTo) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (block $z
      (loop $zero
        (br_if $z (i32.ge_u (local.get $p) (local.get $zeroTo)))
        (v128.store (local.get $p) (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $zero))))

  ;; out rows (4 queries, byte addresses $o0..$o3, $nq of them real) = P (4 rows of $p, stride $capB bytes,
  ;; $len keys) · V_h ($v: the head's slice of value row 0, $rowB bytes per cache row), hd columns.
  (func $pv (param $p i32) (param $capB i32) (param $len i32) (param $v i32) (param $rowB i32) (param $hd i32)
    (param $o0 i32) (param $nq i32)
    (local $c i32) (local $j i32) (local $vp i32) (local $pp i32) (local $vv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $o i32) (local $outB i32)
    (loop $cols
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $vp (i32.add (local.get $v) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $pp (local.get $p))
      (local.set $j (i32.const 0))
      (loop $keys
        (local.set $vv (v128.load (local.get $vp)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $pp)) (local.get $vv))))
        (local.set $a1 (f32x4.add (local.get $a1)
          (f32x4.mul (v128.load32_splat (i32.add (local.get $pp) (local.get $capB))) (local.get $vv))))
        (local.set $a2 (f32x4.add (local.get $a2)
          (f32x4.mul (v128.load32_splat (i32.add (local.get $pp) (i32.shl (local.get $capB) (i32.const 1)))) (local.get $vv))))
        (local.set $a3 (f32x4.add (local.get $a3)
          (f32x4.mul (v128.load32_splat (i32.add (local.get $pp) (i32.mul (local.get $capB) (i32.const 3)))) (local.get $vv))))
        (local.set $vp (i32.add (local.get $vp) (local.get $rowB)))
        (local.set $pp (i32.add (local.get $pp) (i32.const 4)))
        (br_if $keys (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $len))))
      ;; out row stride is d floats = rowB bytes (the cache rows and the output rows are both d wide)
      (local.set $o (i32.add (local.get $o0) (i32.shl (local.get $c) (i32.const 2))))
      (v128.store (local.get $o) (local.get $a0))
      (if (i32.gt_u (local.get $nq) (i32.const 1))
        (then (v128.store (i32.add (local.get $o) (local.get $rowB)) (local.get $a1))))
      (if (i32.gt_u (local.get $nq) (i32.const 2))
        (then (v128.store (i32.add (local.get $o) (i32.shl (local.get $rowB) (i32.const 1))) (local.get $a2))))
      (if (i32.gt_u (local.get $nq) (i32.const 3))
        (then (v128.store (i32.add (local.get $o) (i32.mul (local.get $rowB) (i32.const 3))) (local.get $a3))))
      (br_if $cols (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $hd)))))

  ;; The whole layer's attention core (see the header). $p: scratch of 4 · $cap floats, $cap a multiple
  ;; of 4 with cap ≥ start + T.
  (func (export "attention")
    (param $qkv i32) (param $kc i32) (param $vc i32) (param $out i32) (param $p i32)
    (param $T i32) (param $start i32) (param $nHead i32) (param $d i32) (param $scale f32) (param $cap i32)
    (local $hd i32) (local $h i32) (local $t0 i32) (local $nq i32) (local $lenMax i32) (local $j i32)
    (local $qs i32) (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $rowB i32)
    (local $capB i32) (local $s v128) (local $k i32) (local $i i32) (local $hOff i32)
    (local.set $hd (i32.div_u (local.get $d) (local.get $nHead)))
    (local.set $rowB (i32.shl (local.get $d) (i32.const 2)))
    (local.set $qs (i32.mul (local.get $rowB) (i32.const 3)))
    (local.set $capB (i32.shl (local.get $cap) (i32.const 2)))
    (loop $heads
      (local.set $hOff (i32.shl (i32.mul (local.get $h) (local.get $hd)) (i32.const 2)))
      (local.set $t0 (i32.const 0))
      (loop $blocks
        (local.set $nq (select (i32.const 4) (i32.sub (local.get $T) (local.get $t0))
          (i32.ge_u (i32.sub (local.get $T) (local.get $t0)) (i32.const 4))))
        (local.set $lenMax (i32.add (i32.add (local.get $start) (local.get $t0)) (local.get $nq)))
        ;; query slices; the missing queries of a partial block repeat the last real one (scores unused)
        (local.set $q0 (i32.add (i32.add (local.get $qkv) (i32.mul (local.get $t0) (local.get $qs))) (local.get $hOff)))
        (local.set $q1 (i32.add (local.get $q0) (select (local.get $qs) (i32.const 0) (i32.gt_u (local.get $nq) (i32.const 1)))))
        (local.set $q2 (i32.add (local.get $q1) (select (local.get $qs) (i32.const 0) (i32.gt_u (local.get $nq) (i32.const 2)))))
        (local.set $q3 (i32.add (local.get $q2) (select (local.get $qs) (i32.const 0) (i32.gt_u (local.get $nq) (i32.const 3)))))
        ;; scores: 4 rows × lenMax
        (local.set $k (i32.add (local.get $kc) (local.get $hOff)))
        (local.set $j (i32.const 0))
        (loop $keys
          (local.set $s (call $dot4 (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3) (local.get $k)
            (local.get $hd) (local.get $scale)))
          (local.set $i (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
          (f32.store (local.get $i) (f32x4.extract_lane 0 (local.get $s)))
          (f32.store (i32.add (local.get $i) (local.get $capB)) (f32x4.extract_lane 1 (local.get $s)))
          (f32.store (i32.add (local.get $i) (i32.shl (local.get $capB) (i32.const 1))) (f32x4.extract_lane 2 (local.get $s)))
          (f32.store (i32.add (local.get $i) (i32.mul (local.get $capB) (i32.const 3))) (f32x4.extract_lane 3 (local.get $s)))
          (local.set $k (i32.add (local.get $k) (local.get $rowB)))
          (br_if $keys (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $lenMax))))
        ;; softmax of each real query's row over its own keys (a missing query's row is never stored)
        (local.set $i (i32.const 0))
        (loop $rows
          (call $softmaxRow (i32.add (local.get $p) (i32.mul (local.get $i) (local.get $capB)))
            (i32.add (i32.add (i32.add (local.get $start) (local.get $t0)) (local.get $i)) (i32.const 1))
            (local.get $lenMax))
          (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $nq))))
        (call $pv (local.get $p) (local.get $capB) (local.get $lenMax) (i32.add (local.get $vc) (local.get $hOff))
          (local.get $rowB) (local.get $hd)
          (i32.add (i32.add (local.get $out) (i32.mul (local.get $t0) (local.get $rowB))) (local.get $hOff))
          (local.get $nq))
        (br_if $blocks (i32.lt_u (local.tee $t0 (i32.add (local.get $t0) (i32.const 4))) (local.get $T))))
      (br_if $heads (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (local.get $nHead))))))
