// `sparsescope info`: backend, adapter, features and limits as JSON.
import { choiceFlag, type ParsedArgs } from './args';
import { openBackend } from './gpu';

export async function infoCommand(args: ParsedArgs): Promise<number> {
  const backend = await openBackend(choiceFlag(args, 'backend', ['webgpu', 'cpu'] as const, 'webgpu'));
  if (backend.kind === 'cpu') {
    console.log(JSON.stringify({ backend: 'cpu', reason: backend.reason }, null, 2));
    return 0;
  }
  const { ctx } = backend;
  const report = {
    backend: 'webgpu',
    adapter: ctx.info,
    features: [...ctx.device.features].sort(),
    limits: ctx.limitsRecord(),
  };
  console.log(JSON.stringify(report, null, 2));
  ctx.dispose();
  return 0;
}
