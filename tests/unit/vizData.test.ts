// viz_data.pt (the release's precomputed circuits) read through the safe unpickler: a fixture written like
// torch.save following FORMATS.md, its node lists and losses; hostile variants give clear errors.
import { describe, expect, it } from 'vitest';
import { checkVizCircuit, parseVizLocation, readVizData } from '../../src/formats/vizData';
import { storedZip } from '../storedZip';
import { PyFloat, PyTensor, type PyValue, torchSave, VIZ_NODES, vizDataObject } from '../vizDataFixture';

const FIXTURE_A = { nLayer: 2, dModel: 32, dMlp: 128, attnWidth: 32 };
const circuitOf = (entries: [string, PyValue][]) => torchSave(vizDataObject(new Map(entries)));

describe('readVizData', () => {
  it('reads the node lists (sorted), halves the stored losses and counts the pairs', () => {
    const viz = readVizData(torchSave(vizDataObject()));
    expect([...viz.nodes.keys()]).toEqual(Object.keys(VIZ_NODES));
    for (const [loc, list] of Object.entries(VIZ_NODES))
      expect(viz.nodes.get(loc)).toEqual([...list].sort((a, b) => a - b));
    expect(viz.nodes.get('0.mlp.post_act')).toEqual([7, 64, 100]);
    expect(viz.nodeCount).toBe(Object.values(VIZ_NODES).flat().length);
    expect(viz.loss).toBe(0.25);
    expect(viz.circuitLoss).toBe(0.375);
    expect(viz.pairCount).toBe(1);
    expect(viz.totalNodes).toBe(2 * (5 * 32 + 128 + 2 * 32 + 32) + 32);
    expect(() => checkVizCircuit(viz, FIXTURE_A)).not.toThrow();
  });

  it('parses gpt.py hook names and nothing else', () => {
    expect(parseVizLocation('3.attn.q')).toEqual({ block: 3, kind: 'q', module: 'attn', space: 'attn' });
    expect(parseVizLocation('0.mlp.post_act')?.space).toBe('mlp');
    expect(parseVizLocation('final_resid')?.block).toBe(-1);
    expect(parseVizLocation('0.mlp.q')).toBeNull();
    expect(parseVizLocation('h.0.attn.q')).toBeNull();
  });

  it('refuses circuits that do not fit the model, naming the location', () => {
    const big = readVizData(circuitOf([['0.mlp.post_act', new PyTensor('I64', [1], [128])]]));
    expect(() => checkVizCircuit(big, FIXTURE_A)).toThrow(
      /'0\.mlp\.post_act' keeps channel 128.*128 channels/,
    );
    const layer = readVizData(circuitOf([['2.attn.v', new PyTensor('I64', [1], [0])]]));
    expect(() => checkVizCircuit(layer, FIXTURE_A)).toThrow(/names layer 2; the model has 2/);
    const unknown = readVizData(circuitOf([['0.attn.z', new PyTensor('I64', [1], [0])]]));
    expect(() => checkVizCircuit(unknown, FIXTURE_A)).toThrow(/unknown circuit location '0\.attn\.z'/);
  });

  it('refuses malformed node lists with a message', () => {
    const cases: [PyValue, RegExp][] = [
      [new PyTensor('F32', [2], [1, 2]), /F32 values; channel indices must be integers/],
      [new PyTensor('I64', [2], [4, 4]), /holds channel 4 twice/],
      [new PyTensor('I64', [1], [-1]), /is not a channel index/],
      [new PyTensor('I64', [1, 2], [1, 2]), /shape \[1,2\]; a 1-D index list/],
      [[1, 2], /is not a tensor/],
    ];
    for (const [value, message] of cases)
      expect(() => readVizData(circuitOf([['0.attn.q', value]]))).toThrow(message);
    const noCircuit = torchSave(new Map<string, PyValue>([['importances', new Map()]]));
    expect(() => readVizData(noCircuit)).toThrow(/no 'circuit_data' dict \(keys: importances\)/);
    const floatKey = torchSave(new Map([['circuit_data', new Map([[new PyFloat(0.5), null]])]]));
    expect(() => readVizData(floatKey)).toThrow(/circuit_data key 0\.5 is not a string/);
  });

  it('never calls anything but the tensor rebuild, and checks the archive', () => {
    const latin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    // {'circuit_data': os.system('ls')}
    const evil = latin('\x80\x02}(X\x0c\x00\x00\x00circuit_datacposix\nsystem\nX\x02\x00\x00\x00ls\x85Ru.');
    expect(() => readVizData(storedZip([['archive/data.pkl', evil]]))).toThrow(
      /refusing to load 'posix\.system'/,
    );
    const good = torchSave(vizDataObject());
    expect(() => readVizData(good.subarray(0, good.length - 40))).toThrow();
    expect(() => readVizData(latin('not a zip at all'))).toThrow(/not a PyTorch zip checkpoint/);
    // A storage shorter than the tensor declares.
    const short = torchSave(vizDataObject(new Map([['0.attn.q', new PyTensor('I64', [4], [1, 2])]])));
    expect(() => readVizData(short)).toThrow(/needs 4 elements; its storage has 2/);
  });
});
