;; One layer of the layered sparse DNN (src/math/dnn.ts) on the CPU in WebAssembly SIMD (128-bit, f32x4),
;; over the images still alive, 8 images at a time:
;;   y[n, i] = min(max(Σ_p w_p · x[k_p, i] + bias, 0), ymax)   for the nonzeros (k_p, w_p) of row n of W
;; (W: N × K, out×in CSR). Activations are interleaved in groups of 8 images: x is [group][neuron k][8
;; images] (32 bytes a neuron, K·32 bytes a group), y the same with N neurons, which is the next layer's
;; input as it stands. So each nonzero (k, w) of W's row n costs one splat of w and two 16-byte loads of
;; x[k] for 8 multiply-adds, and a group's whole input (K·32 bytes, 32 KiB at K = 1024) stays in L1 while
;; W streams past. W's nonzeros come as pairs (k·32 as u32: the byte offset within a group; w as f32).
;; Accumulation is f32: two partial sums (the row's even and odd nonzeros, so consecutive additions do not
;; wait for each other), added, then the bias (the JavaScript kernel sums in f64: results differ by
;; rounding). Measured on this machine (Zen 4, 2 cores): 16 images a group (64 KiB of input, past L1) and
;; a separate column and value array were no faster.
;; Byte addresses into the memory shared with the other kernels (imported; src/math/wasm/heap.ts owns
;; it); the host (src/math/wasm/dnnWasm.ts) decides which images live in which group and lane.
;; Assembled by scripts/build-wasm.ts into dnn.wasm.ts; do not edit that file, edit this one.
(module
  (import "env" "memory" (memory 1))

  ;; y = relu-clamp(W · x + bias) for `groups` groups; live[g] (8 f32, 32 bytes a group) gets each
  ;; image's largest output, so the host can tell which images died (all outputs 0). rowPtr: W's N + 1
  ;; row starts (u32, counted in nonzeros); pairs: per nonzero, in CSR order, k·32 (u32) then w (f32).
  (func (export "layer")
    (param $x i32) (param $y i32) (param $groups i32) (param $K i32) (param $N i32)
    (param $rowPtr i32) (param $pairs i32)
    (param $bias f32) (param $ymax f32) (param $live i32)
    (local $g i32) (local $xg i32) (local $yp i32) (local $rp i32) (local $rowEnd i32)
    (local $pp i32) (local $end i32) (local $end2 i32) (local $a i32) (local $w v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $m0 v128) (local $m1 v128)
    (local $biasV v128) (local $zero v128) (local $ymaxV v128)
    (local.set $biasV (f32x4.splat (local.get $bias)))
    (local.set $ymaxV (f32x4.splat (local.get $ymax)))
    (local.set $yp (local.get $y))
    (local.set $rowEnd (i32.add (local.get $rowPtr) (i32.shl (local.get $N) (i32.const 2))))
    (block $groupsDone
      (loop $groupLoop
        (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $xg (i32.add (local.get $x) (i32.mul (local.get $g) (i32.shl (local.get $K) (i32.const 5)))))
        (local.set $m0 (local.get $zero))
        (local.set $m1 (local.get $zero))
        (local.set $rp (local.get $rowPtr))
        (local.set $end (i32.add (local.get $pairs) (i32.shl (i32.load (local.get $rp)) (i32.const 3))))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $rp) (local.get $rowEnd)))
            ;; this row's pairs [pp, end), two a step
            (local.set $pp (local.get $end))
            (local.set $end (i32.add (local.get $pairs) (i32.shl (i32.load offset=4 (local.get $rp)) (i32.const 3))))
            (local.set $end2 (i32.sub (local.get $end) (i32.const 8)))
            (local.set $acc0 (local.get $zero))
            (local.set $acc1 (local.get $zero))
            (local.set $acc2 (local.get $zero))
            (local.set $acc3 (local.get $zero))
            (block $pairsDone
              (loop $pairLoop
                (br_if $pairsDone (i32.ge_u (local.get $pp) (local.get $end2)))
                (local.set $a (i32.add (local.get $xg) (i32.load (local.get $pp))))
                (local.set $w (v128.load32_splat offset=4 (local.get $pp)))
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $w) (v128.load (local.get $a)))))
                (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $w) (v128.load offset=16 (local.get $a)))))
                (local.set $a (i32.add (local.get $xg) (i32.load offset=8 (local.get $pp))))
                (local.set $w (v128.load32_splat offset=12 (local.get $pp)))
                (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $w) (v128.load (local.get $a)))))
                (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $w) (v128.load offset=16 (local.get $a)))))
                (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
                (br $pairLoop)))
            (if (i32.lt_u (local.get $pp) (local.get $end))
              (then
                (local.set $a (i32.add (local.get $xg) (i32.load (local.get $pp))))
                (local.set $w (v128.load32_splat offset=4 (local.get $pp)))
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $w) (v128.load (local.get $a)))))
                (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $w) (v128.load offset=16 (local.get $a)))))))
            (local.set $acc0 (f32x4.min (f32x4.max (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc2))
              (local.get $biasV)) (local.get $zero)) (local.get $ymaxV)))
            (local.set $acc1 (f32x4.min (f32x4.max (f32x4.add (f32x4.add (local.get $acc1) (local.get $acc3))
              (local.get $biasV)) (local.get $zero)) (local.get $ymaxV)))
            (v128.store (local.get $yp) (local.get $acc0))
            (v128.store offset=16 (local.get $yp) (local.get $acc1))
            (local.set $m0 (f32x4.max (local.get $m0) (local.get $acc0)))
            (local.set $m1 (f32x4.max (local.get $m1) (local.get $acc1)))
            (local.set $yp (i32.add (local.get $yp) (i32.const 32)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
            (br $rowLoop)))
        (v128.store (local.get $live) (local.get $m0))
        (v128.store offset=16 (local.get $live) (local.get $m1))
        (local.set $live (i32.add (local.get $live) (i32.const 32)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $groupLoop))))

  ;; Gather images into fresh groups: new slot s (0..count−1) takes old slot from[s] (u32: group·8 + lane)
  ;; of src; the lanes of the last group past `count` are zeroed. src and dst: [group][K][8] f32, distinct.
  (func (export "repack")
    (param $src i32) (param $dst i32) (param $K i32) (param $from i32) (param $count i32)
    (local $s i32) (local $old i32) (local $sp i32) (local $dp i32) (local $k i32) (local $groupBytes i32)
    (local $slots i32)
    (local.set $groupBytes (i32.shl (local.get $K) (i32.const 5)))
    (local.set $slots (i32.and (i32.add (local.get $count) (i32.const 7)) (i32.const -8)))
    (block $slotsDone
      (loop $slotLoop
        (br_if $slotsDone (i32.ge_u (local.get $s) (local.get $slots)))
        (local.set $dp (i32.add (local.get $dst)
          (i32.add (i32.mul (i32.shr_u (local.get $s) (i32.const 3)) (local.get $groupBytes))
            (i32.shl (i32.and (local.get $s) (i32.const 7)) (i32.const 2)))))
        (local.set $k (local.get $K))
        (if (i32.lt_u (local.get $s) (local.get $count))
          (then
            (local.set $old (i32.load (i32.add (local.get $from) (i32.shl (local.get $s) (i32.const 2)))))
            (local.set $sp (i32.add (local.get $src)
              (i32.add (i32.mul (i32.shr_u (local.get $old) (i32.const 3)) (local.get $groupBytes))
                (i32.shl (i32.and (local.get $old) (i32.const 7)) (i32.const 2)))))
            (block $copyDone
              (loop $copy
                (br_if $copyDone (i32.eqz (local.get $k)))
                (f32.store (local.get $dp) (f32.load (local.get $sp)))
                (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
                (local.set $dp (i32.add (local.get $dp) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $copy))))
          (else
            (block $zeroDone
              (loop $zero
                (br_if $zeroDone (i32.eqz (local.get $k)))
                (f32.store (local.get $dp) (f32.const 0))
                (local.set $dp (i32.add (local.get $dp) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $zero)))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $slotLoop))))
)
