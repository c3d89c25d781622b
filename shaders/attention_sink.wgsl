// Causal multi-head attention over the KV cache (common/attention_core.wgsl) with a per-head attention
// sink (circuit_sparsity). A model without a sink binds sink logits of NO_SINK: plain attention.
// Host: AttentionSinkKernel in src/gpu/kernels/attentionSink.ts (sets WG and MAX_CTX).

// #include "common/attention_core.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> kcache: array<f32>;
@group(0) @binding(2) var<storage, read> vcache: array<f32>;
@group(0) @binding(3) var<storage, read> sink: array<f32>; // (n_head)
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;
@group(0) @binding(6) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  // The grid is (T, n_head): wid.y indexes the sink in bounds.
  attend(wid.x, wid.y, lid, sink[wid.y]);
}
