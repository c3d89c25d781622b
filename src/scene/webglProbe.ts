// What WebGL2 renderer this browser gives the scene, and whether it is a software one (SwiftShader,
// llvmpipe): the scene lowers its edge budget there, and the benchmark panel reports it.

export function probeWebGl(): { renderer: string; software: boolean } {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { renderer: 'no WebGL2', software: false };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { renderer, software: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer) };
}
