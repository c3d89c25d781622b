// Which WebAssembly kernels fell back to their JavaScript twins (out of wasm memory), so that whoever ran
// them can say so: the fast kernels return plain arrays, so the note travels beside them. One note per
// kernel until taken; the CPU backend's runner takes them after each call and sends them with its reply.

/** A kernel that fell back, and the sentence that says so (names the kernel, why, and what ran). */
export interface FallbackNote {
  kernel: string;
  text: string;
}

const notes = new Map<string, FallbackNote>();

/** Record that `kernel`'s WebAssembly version could not run (`err`, a WasmMemoryError) and JS ran instead. */
export function noteWasmFallback(kernel: string, err: Error): void {
  if (notes.has(kernel)) return;
  const why = err.message.replace(/^wasm kernels: /, '').slice(0, 160);
  notes.set(kernel, {
    kernel,
    text: `${kernel}: WebAssembly kernel out of memory (${why}); ran the JavaScript kernel instead`,
  });
}

/** The notes recorded since the last call, each kernel once; clears them. */
export function takeWasmFallbacks(): FallbackNote[] {
  const taken = [...notes.values()];
  notes.clear();
  return taken;
}
