// Dense linear layer, workgroup-tiled and register-blocked:
//   y (B×N) = epilogue(x (B×K) · Wᵀ + bias),  W stored out×in (N×K) row-major.
// A workgroup of TX×TY invocations computes a BM×BN tile of y, BM = 4·RM·TY batch rows and BN = 4·RN·TX
// output columns. Each invocation owns RM×RN blocks of 4×4 outputs: row quads ty + i·TY (i < RM) and
// column quads tx + j·TX (j < RN), strided so that neighbouring invocations read neighbouring vec4s of
// workgroup memory (no bank conflicts). K is walked in slices of BK: the x slice (BM×BK) and the W slice
// (BN×BK) are staged in workgroup memory, transposed to k-major vec4s, so each k costs RM + RN vec4
// loads for 16·RM·RN FMAs (RM = RN = 2: 4 loads per 64 FMAs).
// Entry points: `main_vec4` loads x and W as vec4 along K (needs K % 4 == 0), `main_scalar` loads one
// f32 at a time (any K). Both bounds-check every load and store, so B, N, K need not be tile multiples.

// #include "common/dense_bindings.wgsl"
// #include "common/epilogue.wgsl"

// Tuning: set by the host (DenseTuning.tiled in src/gpu/kernels/matmul.ts).
override TX: u32; // invocations along N
override TY: u32; // invocations along the batch
override RM: u32; // row quads per invocation: 1 or 2
override RN: u32; // column quads per invocation: 1 or 2
override BK: u32; // K slice staged per barrier pair; a multiple of 4
// The tile, BM = 4·RM·TY rows by BN = 4·RN·TX columns: set by the host from its one formula (tiledTile),
// which also sizes the grid.
override BM: u32;
override BN: u32;

// k-major tiles: xs[kk·BM/4 + p] holds x rows 4p..4p+3 of the tile at depth kk; ws likewise for W.
var<workgroup> xs: array<vec4f, BK * BM / 4u>;
var<workgroup> ws: array<vec4f, BK * BN / 4u>;

// Transpose one K-quad (depths 4q..4q+3) of tile row r into the k-major tile: consecutive r are
// consecutive f32 slots, so the stores of neighbouring invocations do not conflict.
fn stageX(r: u32, q: u32, v: vec4f) {
  let base = q * BM + r / 4u; // = (4q)·BM/4 + r/4
  let c = r % 4u;
  xs[base][c] = v.x;
  xs[base + BM / 4u][c] = v.y;
  xs[base + BM / 2u][c] = v.z;
  xs[base + 3u * BM / 4u][c] = v.w;
}

fn stageW(r: u32, q: u32, v: vec4f) {
  let base = q * BN + r / 4u;
  let c = r % 4u;
  ws[base][c] = v.x;
  ws[base + BN / 4u][c] = v.y;
  ws[base + BN / 2u][c] = v.z;
  ws[base + 3u * BN / 4u][c] = v.w;
}

// Scalar loads of the K-quad starting at depth k of a row; zeros past the matrix edge.
fn loadX(row: u32, k: u32) -> vec4f {
  var v = vec4f(0.0);
  if (row < shape.batch) {
    let base = row * shape.k;
    for (var c = 0u; c < 4u; c++) {
      if (k + c < shape.k) { v[c] = x[base + k + c]; }
    }
  }
  return v;
}

fn loadW(row: u32, k: u32) -> vec4f {
  var v = vec4f(0.0);
  if (row < shape.n) {
    let base = row * shape.k;
    for (var c = 0u; c < 4u; c++) {
      if (k + c < shape.k) { v[c] = w[base + k + c]; }
    }
  }
  return v;
}

// vec4 loads: requires K % 4 == 0 (checked on the host), so a quad is wholly inside or outside.
fn loadX4(row: u32, k: u32) -> vec4f {
  if (row < shape.batch && k < shape.k) { return x4[(row * shape.k + k) / 4u]; }
  return vec4f(0.0);
}

fn loadW4(row: u32, k: u32) -> vec4f {
  if (row < shape.n && k < shape.k) { return w4[(row * shape.k + k) / 4u]; }
  return vec4f(0.0);
}

// A 4×4 block of outputs: r0..r3 are rows, each a vec4 of 4 consecutive columns.
struct Block {
  r0: vec4f,
  r1: vec4f,
  r2: vec4f,
  r3: vec4f,
}

// An invocation's accumulators: block (i, j) covers row quad ty + i·TY and column quad tx + j·TX.
// Blocks with i ≥ RM or j ≥ RN are never touched. They are named fields, not an indexed array, and the
// RM/RN tests below are constant once the overrides are set: every compiler keeps them in registers
// (SwiftShader does not unroll loops, and a loop-indexed private array ran 9× slower there).
struct Acc {
  b00: Block,
  b01: Block,
  b10: Block,
  b11: Block,
}

fn fma4(blk: Block, a: vec4f, b: vec4f) -> Block {
  return Block(blk.r0 + a.x * b, blk.r1 + a.y * b, blk.r2 + a.z * b, blk.r3 + a.w * b);
}

// The k loop over one staged slice: RM + RN vec4 loads and 16·RM·RN FMAs per k.
fn accumulate(acc: ptr<function, Acc>, tx: u32, ty: u32) {
  for (var kk = 0u; kk < BK; kk++) {
    let a0 = xs[kk * (BM / 4u) + ty];
    let b0 = ws[kk * (BN / 4u) + tx];
    (*acc).b00 = fma4((*acc).b00, a0, b0);
    var b1 = vec4f(0.0);
    if (RN > 1u) {
      b1 = ws[kk * (BN / 4u) + tx + TX];
      (*acc).b01 = fma4((*acc).b01, a0, b1);
    }
    if (RM > 1u) {
      let a1 = xs[kk * (BM / 4u) + ty + TY];
      (*acc).b10 = fma4((*acc).b10, a1, b0);
      if (RN > 1u) {
        (*acc).b11 = fma4((*acc).b11, a1, b1);
      }
    }
  }
}

// Bias, epilogue and bounds-checked stores of one 4×4 block at rows row0.., columns col0...
fn storeBlock(blk: Block, row0: u32, col0: u32) {
  let rows = array<vec4f, 4>(blk.r0, blk.r1, blk.r2, blk.r3);
  for (var c = 0u; c < 4u; c++) {
    let row = row0 + c;
    if (row >= shape.batch) { return; }
    for (var d = 0u; d < 4u; d++) {
      let col = col0 + d;
      if (col < shape.n) {
        var v = rows[c][d];
        if (HAS_BIAS) { v += bias[col]; }
        y[row * shape.n + col] = epilogue(v);
      }
    }
  }
}

fn store(acc: Acc, m0: u32, n0: u32, tx: u32, ty: u32) {
  let row0 = m0 + 4u * ty;
  let row1 = m0 + 4u * (ty + TY);
  let col0 = n0 + 4u * tx;
  let col1 = n0 + 4u * (tx + TX);
  storeBlock(acc.b00, row0, col0);
  if (RN > 1u) { storeBlock(acc.b01, row0, col1); }
  if (RM > 1u) {
    storeBlock(acc.b10, row1, col0);
    if (RN > 1u) { storeBlock(acc.b11, row1, col1); }
  }
}

@compute @workgroup_size(TX, TY)
fn main_vec4(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let tid = lid.y * TX + lid.x;
  var acc: Acc;
  for (var k0 = 0u; k0 < shape.k; k0 += BK) {
    // Quad i of a slice: tile row r = i % BM (consecutive invocations take consecutive rows), K-quad q.
    for (var i = tid; i < BM * BK / 4u; i += TX * TY) {
      let r = i % BM;
      let q = i / BM;
      stageX(r, q, loadX4(m0 + r, k0 + 4u * q));
    }
    for (var i = tid; i < BN * BK / 4u; i += TX * TY) {
      let r = i % BN;
      let q = i / BN;
      stageW(r, q, loadW4(n0 + r, k0 + 4u * q));
    }
    workgroupBarrier();
    accumulate(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  store(acc, m0, n0, lid.x, lid.y);
}

@compute @workgroup_size(TX, TY)
fn main_scalar(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let tid = lid.y * TX + lid.x;
  var acc: Acc;
  for (var k0 = 0u; k0 < shape.k; k0 += BK) {
    for (var i = tid; i < BM * BK / 4u; i += TX * TY) {
      let r = i % BM;
      let q = i / BM;
      stageX(r, q, loadX(m0 + r, k0 + 4u * q));
    }
    for (var i = tid; i < BN * BK / 4u; i += TX * TY) {
      let r = i % BN;
      let q = i / BN;
      stageW(r, q, loadW(n0 + r, k0 + 4u * q));
    }
    workgroupBarrier();
    accumulate(&acc, lid.x, lid.y);
    workgroupBarrier();
  }
  store(acc, m0, n0, lid.x, lid.y);
}
