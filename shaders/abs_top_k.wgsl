// AbsTopK in place: in each row, on the `width` values at column `offset` of a row of `stride` values, keep
// the k largest |x| and zero the rest; ties at the k-th magnitude are kept lowest index first.
// CPU reference: absTopK in src/math/cspOps.ts. One workgroup per row:
// 1. radix select of the k-th largest |x| on its f32 bit pattern (monotone for non-negative floats): four
//    8-bit passes, each a 256-bin workgroup histogram of the keys that match the prefix found so far;
// 2. ties: each thread owns a contiguous chunk, counts its keys equal to the threshold, and keeps the
//    first (k − #above) of them in index order via an exclusive prefix over the chunks.

struct Params {
  rows: u32,
  width: u32,
  stride: u32,
  offset: u32,
  k: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

// Set by the host (AbsTopKKernel in src/gpu/kernels/absTopK.ts).
override WG: u32;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> chunk_ties: array<u32, WG>;
var<workgroup> found: array<u32, 2>; // prefix so far, ranks still to place

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x;
  if (row >= p.rows || p.k >= p.width) {
    return; // uniform per workgroup: nothing to drop
  }
  let base = row * p.stride + p.offset;
  if (p.k == 0u) {
    for (var i = lid; i < p.width; i = i + WG) {
      x[base + i] = 0.0;
    }
    return;
  }
  var prefix = 0u;
  var mask = 0u;
  var remaining = p.k;
  for (var pass_index = 0u; pass_index < 4u; pass_index = pass_index + 1u) {
    let shift = 24u - 8u * pass_index;
    for (var b = lid; b < 256u; b = b + WG) {
      atomicStore(&hist[b], 0u);
    }
    workgroupBarrier();
    for (var i = lid; i < p.width; i = i + WG) {
      let key = bitcast<u32>(abs(x[base + i]));
      if ((key & mask) == prefix) {
        atomicAdd(&hist[(key >> shift) & 255u], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      var rem = remaining;
      var bin = 255u;
      loop {
        let c = atomicLoad(&hist[bin]);
        if (c >= rem || bin == 0u) {
          break;
        }
        rem = rem - c;
        bin = bin - 1u;
      }
      found[0] = prefix | (bin << shift);
      found[1] = rem;
    }
    workgroupBarrier();
    prefix = found[0];
    remaining = found[1];
    mask = mask | (255u << shift);
    workgroupBarrier(); // every thread has read `found` before the next pass writes it
  }
  let threshold = prefix; // bit pattern of the k-th largest |x|
  let chunk = (p.width + WG - 1u) / WG;
  let lo = min(lid * chunk, p.width);
  let hi = min(lo + chunk, p.width);
  var ties = 0u;
  for (var i = lo; i < hi; i = i + 1u) {
    ties = ties + select(0u, 1u, bitcast<u32>(abs(x[base + i])) == threshold);
  }
  chunk_ties[lid] = ties;
  workgroupBarrier();
  var rank = 0u;
  for (var j = 0u; j < lid; j = j + 1u) {
    rank = rank + chunk_ties[j];
  }
  for (var i = lo; i < hi; i = i + 1u) {
    let key = bitcast<u32>(abs(x[base + i]));
    if (key == threshold) {
      if (rank >= remaining) {
        x[base + i] = 0.0;
      }
      rank = rank + 1u;
    } else if (key < threshold) {
      x[base + i] = 0.0;
    }
  }
}
