// The dev/preview datasets middleware answers hostile URLs with short messages: 400 for a malformed URL,
// 404 that names the data set and the file asked for, never a folder of the server.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsPlugin } from '../../scripts/datasetsPlugin';

type Handler = (req: { url?: string; method?: string }, res: FakeResponse, next: () => void) => void;

class FakeResponse {
  statusCode = 200;
  body = '';
  headers = new Map<string, string>();
  setHeader(name: string, value: string) {
    this.headers.set(name, value);
  }
  end(body = '') {
    this.body = body;
  }
}

function mount(data: string, datasets: string[]): Map<string, Handler> {
  const old = process.env.SPARSESCOPE_DATA;
  process.env.SPARSESCOPE_DATA = data;
  const plugin = datasetsPlugin({ repoRoot: '/nowhere', datasets });
  process.env.SPARSESCOPE_DATA = old;
  const handlers = new Map<string, Handler>();
  const server = { middlewares: { use: (path: string, handler: Handler) => handlers.set(path, handler) } };
  (plugin.configureServer as unknown as (s: typeof server) => void)(server);
  return handlers;
}

describe('datasets middleware', () => {
  const data = mkdtempSync(join(tmpdir(), 'sparsescope-data-'));
  mkdirSync(join(data, 'graph-challenge-dnn'));
  writeFileSync(join(data, 'graph-challenge-dnn', 'n1024-l1.mtx'), 'x');
  const handlers = mount(data, ['graph-challenge-dnn', 'missing-set']);
  const get = (set: string, url: string) => {
    const res = new FakeResponse();
    handlers.get(`/datasets/${set}`)!({ url, method: 'GET' }, res, () => {
      res.statusCode = -1;
    });
    return res;
  };

  it('malformed URL: 400, short, no stack trace', () => {
    const res = get('graph-challenge-dnn', '/%');
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/malformed URL/);
    expect(res.body).not.toMatch(/URIError|at .*\(/);
  });

  it('404s name the file and the data set, not a path of the server', () => {
    for (const [set, url] of [
      ['graph-challenge-dnn', '/nope.mtx'],
      ['graph-challenge-dnn', '/..%2F..%2Fetc%2Fpasswd'],
      ['missing-set', '/a.mtx'],
    ]) {
      const res = get(set, url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain(data);
      expect(res.body, url).not.toContain('/nowhere');
      expect(res.body.length, url).toBeLessThan(300);
    }
  });

  it('serves a file that is there', () => {
    const res = new FakeResponse();
    let piped = false;
    handlers.get('/datasets/graph-challenge-dnn')!({ url: '/n1024-l1.mtx', method: 'HEAD' }, res, () => {
      piped = true;
    });
    expect(piped).toBe(false);
    expect(res.statusCode).toBe(200);
    expect(res.headers.get('Content-Length')).toBe('1');
  });
});
