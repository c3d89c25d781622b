// Compaction of the DNN's live images after a layer (dnn_live_layer.wgsl), one workgroup:
// packed rows r < live with alive[r] = 1 are kept in order; sel[i] = r for the i-th kept row (the next
// layer reads its input there), ids[i] = ids[r] (in place: i ≤ r, and each chunk is read before it is
// written), alive[r] cleared, state[0] = the number kept, and the next layer's indirect grid written:
// indirect = (⌈N_next / WG_LAYER⌉, ⌈kept / RB⌉, 1). A prefix sum per chunk of WG rows (Hillis–Steele).

@group(0) @binding(0) var<storage, read_write> alive: array<u32>;
@group(0) @binding(1) var<storage, read_write> sel: array<u32>;
@group(0) @binding(2) var<storage, read_write> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>; // [live]
@group(0) @binding(4) var<storage, read_write> indirect: array<u32>; // 3 u32
@group(0) @binding(5) var<uniform> next: vec4u; // x: N of the next layer, y: its workgroup size, z: RB

override WG: u32 = 256u;

var<workgroup> scan: array<u32, WG>;
var<workgroup> total: u32;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    total = state[0];
  }
  // A value from a read_write buffer is not uniform to WGSL; this load (with its barrier) makes it so.
  let live = workgroupUniformLoad(&total);
  var kept = 0u;
  for (var start = 0u; start < live; start = start + WG) {
    let r = start + lid;
    var flag = 0u;
    var id = 0u;
    if (r < live) {
      flag = alive[r];
      id = ids[r];
      alive[r] = 0u;
    }
    scan[lid] = flag;
    workgroupBarrier();
    for (var offset = 1u; offset < WG; offset = offset * 2u) {
      var add = 0u;
      if (lid >= offset) {
        add = scan[lid - offset];
      }
      workgroupBarrier();
      scan[lid] = scan[lid] + add;
      workgroupBarrier();
    }
    if (flag == 1u) {
      let at = kept + scan[lid] - 1u; // inclusive scan
      sel[at] = r;
      ids[at] = id;
    }
    kept = kept + scan[WG - 1u];
    workgroupBarrier(); // scan[WG − 1] read by all before the next chunk overwrites it
  }
  if (lid == 0u) {
    state[0] = kept;
    indirect[0] = (next.x + next.y - 1u) / next.y;
    indirect[1] = (kept + next.z - 1u) / next.z;
    indirect[2] = 1u;
  }
}
