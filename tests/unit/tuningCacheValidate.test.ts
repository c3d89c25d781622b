// A cached choice loads only when it is one of today's candidates for its shape on this adapter: an
// unknown variant, a tile too big for the adapter, or constants the candidates never had are dropped
// with one warning; the rest load (with today's full constants).
import { describe, expect, it } from 'vitest';
import { type AdapterCaps, csrCandidates, denseCandidates } from '../../src/gpu/autotune/candidates';
import { KernelChooser, type TuningTable } from '../../src/gpu/autotune/table';
import { keepCurrentChoices } from '../../src/gpu/autotune/validate';
import { DEFAULT_CSR_TUNING } from '../../src/gpu/kernels/spmmCsr';

const caps: AdapterCaps = {
  fallbackAdapter: true,
  subgroups: false,
  maxInvocations: 256,
  maxWorkgroupStorage: 16384,
};

describe('cached choices are validated on load', () => {
  it('drops an unknown variant, an oversized tile and a mismatched batch; keeps real candidates', () => {
    const dense = denseCandidates({ batch: 64, n: 768, k: 768 }, caps);
    const csr = csrCandidates({ batch: 1, n: 96, k: 64, nnzPerRow: 12 }, caps, DEFAULT_CSR_TUNING);
    const oversized = {
      ...dense[1],
      tuning: { ...dense[1].tuning, tiled: { TX: 64, TY: 64, RM: 2, RN: 2, BK: 64 } },
    };
    const table = {
      'dense 768x768 b64': { batch: 64, how: 'tuned', choice: oversized },
      'dense 768x3072 b64': {
        batch: 64,
        how: 'tuned',
        choice: { family: 'dense', variant: 'bogus', tuning: {} },
      },
      'dense 768x768 b8': { batch: 16, how: 'tuned', choice: dense[1] },
      'dense 768x768 b65': {
        batch: 65,
        how: 'tuned',
        choice: denseCandidates({ batch: 65, n: 768, k: 768 }, caps)[1],
      },
      'csr 96x64 r16 b1': { batch: 1, how: 'tuned', choice: csr[csr.length - 1] },
      'not a shape b3': { batch: 3, how: 'tuned', choice: dense[0] },
    } as unknown as TuningTable;
    const warnings: string[] = [];
    const kept = keepCurrentChoices(table, caps, DEFAULT_CSR_TUNING, (m) => warnings.push(m));
    expect(Object.keys(kept).sort()).toEqual(['csr 96x64 r16 b1', 'dense 768x768 b65']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('4 cached choices');
    const chooser = new KernelChooser(kept, new Set(), caps, DEFAULT_CSR_TUNING);
    // The dropped 768x3072 entry no longer answers: today's default does.
    expect(chooser.dense({ batch: 64, n: 768, k: 3072 }).how).toBe('default');
    expect(chooser.dense({ batch: 64, n: 768, k: 768 }).how).toBe('cached');
  });

  it('keeps a whole valid table without a warning', () => {
    const shape = { batch: 12, n: 70, k: 44 };
    const table: TuningTable = {
      'dense 70x44 b12': { batch: 12, how: 'default', choice: denseCandidates(shape, caps)[0] },
    };
    const warnings: string[] = [];
    expect(keepCurrentChoices(table, caps, DEFAULT_CSR_TUNING, (m) => warnings.push(m))).toEqual(table);
    expect(warnings).toEqual([]);
  });
});
