// Compaction of the DNN's live images after a layer (dnn_live_layer.wgsl), one workgroup:
// slots r < live with alive[r] = 1 are kept in order; sel[i] = r for the i-th kept slot (the next layer
// reads its input there), ids[i] = ids[r] (in place: i ≤ r, and each chunk is read before it is written),
// alive[r] cleared, state[0] = the number kept, and the next layer's indirect grid written: the folded
// linear grid (linearGrid in src/gpu/kernels/dispatch.ts) of ⌈kept / IMAGES⌉ · N_next threads.
// Each thread owns PER consecutive slots of a chunk of WG · PER: a serial count over its own slots, one
// prefix sum of WG counts (Hillis–Steele), then each thread writes its kept slots. Fewer, shorter barriers
// than a scan over every slot (barriers are what a one-workgroup pass pays for, on any adapter).

@group(0) @binding(0) var<storage, read_write> alive: array<u32>;
@group(0) @binding(1) var<storage, read_write> sel: array<u32>;
@group(0) @binding(2) var<storage, read_write> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>; // [live]
@group(0) @binding(4) var<storage, read_write> indirect: array<u32>; // 3 u32
// x: N of the next layer, y: the layer's workgroup size, z: images per layer thread, w: the grid's x limit
@group(0) @binding(5) var<uniform> next: vec4u;

override WG: u32;
const PER: u32 = 4u; // slots per thread and chunk

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
  for (var start = 0u; start < live; start = start + WG * PER) {
    let r0 = start + lid * PER;
    var flags = vec4u(0u);
    var id = vec4u(0u);
    for (var j = 0u; j < PER; j = j + 1u) {
      if (r0 + j < live) {
        flags[j] = alive[r0 + j];
        id[j] = ids[r0 + j];
        alive[r0 + j] = 0u;
      }
    }
    let mine = flags.x + flags.y + flags.z + flags.w;
    scan[lid] = mine;
    // Every thread's reads of ids/alive above happen before any thread's writes of ids below (in place:
    // a write may land on a slot another thread read). workgroupBarrier orders workgroup memory only;
    // storageBarrier orders these storage accesses on every backend (Metal, D3D, Vulkan).
    storageBarrier();
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
    var at = kept + scan[lid] - mine; // exclusive prefix
    for (var j = 0u; j < PER; j = j + 1u) {
      if (flags[j] == 1u) {
        sel[at] = r0 + j;
        ids[at] = id[j];
        at = at + 1u;
      }
    }
    kept = kept + scan[WG - 1u];
    workgroupBarrier(); // scan[WG − 1] read by all before the next chunk overwrites it
  }
  if (lid == 0u) {
    state[0] = kept;
    let threads = (kept + next.z - 1u) / next.z * next.x;
    let groups = max(1u, (threads + next.y - 1u) / next.y);
    if (groups <= next.w) {
      indirect[0] = groups;
      indirect[1] = 1u;
    } else {
      indirect[0] = next.w;
      indirect[1] = (groups + next.w - 1u) / next.w;
    }
    indirect[2] = 1u;
  }
}
