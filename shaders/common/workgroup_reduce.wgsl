// Sum or max of one value per invocation over the whole workgroup, returned to every invocation.
// Needs the includer's `override WG: u32` (the workgroup size, a power of two) and @workgroup_size(WG);
// call it from workgroup-uniform control flow.
// #include "tree_reduce.wgsl"

var<workgroup> partial: array<f32, WG>;

fn workgroup_reduce(lid: u32, value: f32, take_max: bool) -> f32 {
  partial[lid] = value;
  tree_reduce(lid, lid, WG, 1u, 0u, take_max);
  workgroupBarrier();
  let total = partial[0];
  workgroupBarrier(); // the next call overwrites partial
  return total;
}
