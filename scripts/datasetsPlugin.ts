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

function notFound(res: Parameters<Connect.NextHandleFunction>[1], message: string): void {
  res.statusCode = 404;
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

  let outDir: string | null = null; // set for preview: a built copy there wins (it is what ships)
  const middleware =
    (name: string): Connect.NextHandleFunction =>
    (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const dir = join(root, name);
      const file = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
      if (outDir && SAFE_NAME.test(file) && existsSync(join(outDir, 'datasets', name, file))) return next();
      if (!existsSync(dir)) return notFound(res, missingDir(dir));
      if (!SAFE_NAME.test(file)) return notFound(res, `Sparsescope: "${file}" is not a file name of ${dir}`);
      const path = join(dir, file);
      if (!existsSync(path) || !statSync(path).isFile()) {
        return notFound(res, `Sparsescope: ${file} not found in the data folder ${dir}`);
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
