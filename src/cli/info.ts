// `sparsescope info`: backend, adapter, features and limits as JSON.
import { choiceFlag, type ParsedArgs } from './args';
import { type FlagTable, flag, strictFlags } from './flags';
import { openBackend } from './gpu';

const INFO_FLAGS = { backend: flag.backend() } satisfies FlagTable;

export async function infoCommand(rawArgs: ParsedArgs): Promise<number> {
  const args = strictFlags(rawArgs, INFO_FLAGS);
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
