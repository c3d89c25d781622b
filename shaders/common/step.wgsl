// Per-call uniform shared by a forward plan's embed, KV-cache write and attention dispatches
// (ForwardPlan.step in src/engine/webgpu/plan.ts): 16 bytes = 4 × u32.
struct Step {
  pos0: u32, // position of the first token of this call (the KV cache length before it)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}
