// Causal multi-head attention over the KV cache (common/attention_core.wgsl) without a sink.
// Host: AttentionKernel in src/gpu/kernels/attention.ts (sets WG and MAX_CTX).

// #include "common/attention_core.wgsl"

@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> kcache: array<f32>;
@group(0) @binding(2) var<storage, read> vcache: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  attend(wid.x, wid.y, lid, NO_SINK);
}
