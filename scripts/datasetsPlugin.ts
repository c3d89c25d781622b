// Vite plugin: serves the app's built-in data sets, read from the shared data folder, at /datasets/<name>/…
// in dev and preview, and copies them into the build output so a built app works offline.
// Data folder: $SPARSESCOPE_DATA, else <repo>/../shared/data; each data set is a subfolder of it
// (graph-challenge-dnn/n1024-l1.mtx → /datasets/graph-challenge-dnn/n1024-l1.mtx).

import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';

/** Plain file names only: no folders, no dot files, nothing that could climb out of the data folder. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const CONTENT_TYPES: Record<string, string> = {
  mtx: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json',
};

export function dataRoot(repoRoot: string): string {
  return resolve(process.env.SPARSESCOPE_DATA ?? resolve(repoRoot, '..', 'shared', 'data'));
}

function answer(res: Parameters<Connect.NextHandleFunction>[1], status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(message);
}

/** Files of one data set folder that the app may fetch (plain files with safe names). */
function datasetFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => SAFE_NAME.test(name) && statSync(join(dir, name)).isFile());
}

export function datasetsPlugin(options: { repoRoot: string; datasets: string[] }): Plugin {
  const root = dataRoot(options.repoRoot);
  const missingDir = (dir: string) =>
    `Sparsescope: data folder ${dir} not found. Put the data set there, or set SPARSESCOPE_DATA to the ` +
    `folder that holds ${options.datasets.join(', ')} (default: <repo>/../shared/data).`;

  const warned = new Set<string>();
  // The server's own console may name the folder (the person running it needs it); responses do not.
  const warnOnce = (message: string) => {
    if (!warned.has(message)) console.warn(message);
    warned.add(message);
  };
  let outDir: string | null = null; // set for preview: a built copy there wins (it is what ships)
  const middleware =
    (name: string): Connect.NextHandleFunction =>
    (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const dir = join(root, name);
      let file: string;
      try {
        file = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
      } catch {
        return answer(res, 400, `Sparsescope: malformed URL under /datasets/${name}/`);
      }
      if (outDir && SAFE_NAME.test(file) && existsSync(join(outDir, 'datasets', name, file))) return next();
      // Messages name the data set and the file asked for, never a folder of this machine.
      if (!existsSync(dir)) {
        warnOnce(missingDir(dir));
        return answer(res, 404, `Sparsescope: the data set ${name} is not installed on this server`);
      }
      const shown = file.length > 100 ? `${file.slice(0, 100)}…` : file;
      if (!SAFE_NAME.test(file)) return answer(res, 404, `Sparsescope: "${shown}" is not a file of ${name}`);
      const path = join(dir, file);
      if (!existsSync(path) || !statSync(path).isFile()) {
        return answer(res, 404, `Sparsescope: ${shown} not found in the data set ${name}`);
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(statSync(path).size));
      if (req.method === 'HEAD') return res.end();
      createReadStream(path).pipe(res);
    };

  const mount = (server: { middlewares: Connect.Server }) => {
    for (const name of options.datasets) server.middlewares.use(`/datasets/${name}`, middleware(name));
  };

  return {
    name: 'sparsescope-datasets',
    configureServer: mount,
    configurePreviewServer(server) {
      outDir = resolve(server.config.root, server.config.build.outDir);
      mount(server);
    },
    generateBundle() {
      for (const name of options.datasets) {
        const dir = join(root, name);
        if (!existsSync(dir)) {
          this.warn(`${missingDir(dir)} The build will not contain /datasets/${name}/.`);
          continue;
        }
        for (const file of datasetFiles(dir)) {
          this.emitFile({
            type: 'asset',
            fileName: `datasets/${name}/${file}`,
            source: readFileSync(join(dir, file)),
          });
        }
      }
    },
  };
}
