// Tree reduction in workgroup memory over segments of `width` consecutive slots of the includer's
// `var<workgroup> partial: array<f32, …>`. The invocation owning slot `slot` is lane `lane` (0 ≤ lane < width)
// of its segment; `width` is a power of two. Each invocation may reduce `rows` values at once, the r-th at
// partial[r * row_stride + slot]. Afterwards the segment's first slot holds its sum (or its max with
// take_max), visible to that slot's own invocation; others must pass a workgroupBarrier first.
// Every invocation of the workgroup calls it with the same width (it has barriers), after writing its slots.
fn tree_reduce(slot: u32, lane: u32, width: u32, rows: u32, row_stride: u32, take_max: bool) {
  for (var stride = width / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      for (var r = 0u; r < rows; r++) {
        let i = r * row_stride + slot;
        let other = partial[i + stride];
        partial[i] = select(partial[i] + other, max(partial[i], other), take_max);
      }
    }
  }
}
