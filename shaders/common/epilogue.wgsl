// Fused epilogue of the dense and CSR matmul kernels, applied after the bias.
// Host side: activationConstants in src/gpu/kernels/dispatch.ts; CPU reference: src/math/activations.ts.
override ACTIVATION: u32;   // 0 none, 1 GELU (tanh), 2 ReLU clamped to [0, CLAMP_MAX]
override CLAMP_MAX: f32;
fn epilogue(v: f32) -> f32 {
  if (ACTIVATION == 1u) {
    // tanh of a large argument is NaN on some drivers: clamp it first.
    let t = clamp(0.7978845608 * (v + 0.044715 * v * v * v), -15.0, 15.0);
    return 0.5 * v * (1.0 + tanh(t));
  }
  if (ACTIVATION == 2u) { return clamp(v, 0.0, CLAMP_MAX); }
  return v;
}
