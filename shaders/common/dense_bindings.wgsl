// Bindings of every dense matmul kernel (DenseMatmul's layout in src/gpu/kernels/matmul.ts):
//   0 x: B·K f32   1 w: N·K f32 (out×in)   2 bias: N f32 (a 4-byte dummy when HAS_BIAS is false)
//   3 y: B·N f32   4 shape: uniform, 16 bytes = 4 × u32 (batch, n, k, pad)
// x and w are declared twice on the same binding: a vec4 entry point reads x4/w4 (K % 4 == 0), a scalar
// one x/w; each entry point uses only one view.

struct Shape {
  batch: u32,
  n: u32,
  k: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> w4: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> shape: Shape;

override HAS_BIAS: bool;
