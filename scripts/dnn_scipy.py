#!/usr/bin/env python3
"""Graph Challenge sparse DNN inference with scipy.sparse: the peer number for docs/benchmarks.

Y_{l+1} = min(max(Y_l . W_l + b, 0), ymax), Y_0 = the images (pattern), W_l = n1024-l{l}.mtx (in x out).
Activations stay a scipy CSR matrix and explicit zeros are dropped every layer, so dead neurons and dead
images cost nothing (the same thing the CLI's CPU 'skip-zeros' kernel does). Loading and the conversion
to CSR are not timed; the layers are, each run, and the median run is reported.

usage: python3 scripts/dnn_scipy.py [--layers DIR] [--nlayers 30] [--bias -0.3] [--ymax 32] [--repeat 5]
prints JSON: {"seconds", "edgesPerSecond", "categories" (1-based), "layers" (ms, median run), ...}
--serve: load once, then run one inference per line read from stdin and print one JSON line each
({"seconds", "cpuSeconds", "categories"}): how scripts/bench-dnn.ts interleaves it with the other paths.
"""
import argparse
import json
import os
import re
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, '..', '..', 'shared', 'data', 'graph-challenge-dnn')


def layer_files(directory, nlayers):
    numbered = {}
    for name in os.listdir(directory):
        m = re.search(r'(?:^|[^a-z])l(?:ayer)?[-_]?(\d+)\.mtx$', name, re.IGNORECASE)
        if m:
            numbered[int(m.group(1))] = os.path.join(directory, name)
    missing = [n for n in range(1, nlayers + 1) if n not in numbered]
    if missing:
        sys.exit(f'dnn_scipy: {directory} lacks layers {missing}')
    return [numbered[n] for n in range(1, nlayers + 1)]


def infer(y0, weights, bias, ymax):
    y = y0
    layer_ms = []
    for w in weights:
        t0 = time.perf_counter()
        z = (y @ w).tocsr()
        z.data += bias  # bias only on the stored entries: with b <= 0 the others stay 0 after the ReLU
        np.clip(z.data, 0, ymax, out=z.data)
        z.eliminate_zeros()
        y = z
        layer_ms.append((time.perf_counter() - t0) * 1e3)
    return y, layer_ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--layers', default=DEFAULT_DIR)
    ap.add_argument('--input', default=None)
    ap.add_argument('--nlayers', type=int, default=30)
    ap.add_argument('--bias', type=float, default=-0.3)
    ap.add_argument('--ymax', type=float, default=32.0)
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--serve', action='store_true')
    args = ap.parse_args()
    if args.bias > 0:
        sys.exit('dnn_scipy: a positive bias lights every neuron; this sparse formulation assumes b <= 0')

    input_path = args.input or os.path.join(args.layers, 'sparse-images-1024_subset.mtx')
    # float32 like the TypeScript paths; mmread mirrors symmetric files (layer 6 is stored symmetric).
    weights = [sp.csr_matrix(scipy.io.mmread(f), dtype=np.float32) for f in layer_files(args.layers, args.nlayers)]
    y0 = sp.csr_matrix(scipy.io.mmread(input_path), dtype=np.float32)
    bias = np.float32(args.bias)

    if args.serve:
        for _ in sys.stdin:
            c0 = time.process_time()
            y, layer_ms = infer(y0, weights, bias, np.float32(args.ymax))
            cpu = time.process_time() - c0
            categories = sorted(int(i) + 1 for i in np.unique(y.nonzero()[0]))
            print(json.dumps({'seconds': sum(layer_ms) / 1e3, 'cpuSeconds': cpu, 'categories': categories}), flush=True)
        return

    runs = []
    for _ in range(max(1, args.repeat)):
        y, layer_ms = infer(y0, weights, bias, np.float32(args.ymax))
        runs.append((sum(layer_ms) / 1e3, layer_ms, y))
    runs.sort(key=lambda r: r[0])
    seconds, layer_ms, y = runs[len(runs) // 2]
    categories = sorted(int(i) + 1 for i in np.unique(y.nonzero()[0]))
    edges = y0.shape[0] * sum(w.nnz for w in weights)
    print(json.dumps({
        'tool': f'scipy {scipy.__version__} / numpy {np.__version__}',
        'nImages': y0.shape[0],
        'nLayers': len(weights),
        'edges': edges,
        'seconds': seconds,
        'edgesPerSecond': edges / seconds,
        'repeat': len(runs),
        'secondsAll': [r[0] for r in runs],
        'categories': categories,
        'layers': layer_ms,
    }))


if __name__ == '__main__':
    main()
