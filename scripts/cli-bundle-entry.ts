// Entry of the bundled CLI (scripts/bundle-cli.ts): what bin/sparsescope.mjs does, without tsx or the
// `?raw` hooks (the bundle has the shaders inlined), for machines that carry the CLI without node_modules.
import { main } from '../src/cli/main';

process.exitCode = await main(process.argv.slice(2));
