// Entry point of the benchmark panel: mountBenchPanel() adds the "Benchmark" toggle and its overlay to
// the page and handles the URL automation itself:
//   ?bench=auto&shapes=768x768&densities=1,1/64&batches=1,8&samples=3&backend=webgpu   runs on load
//   ?bench=open&…                                                                     opens, prefilled
// On completion window.sparsescope.bench holds the report and 'sparsescope:bench-done' fires on window;
// on failure window.sparsescope.benchError holds the message and 'sparsescope:bench-error' fires
// (detail: { message }).
import './bench.css';
import { appSettled } from './automation';
import { BenchPanel, type BenchPanelOptions } from './panel';
import { settingsFromParams } from './params';

export type { BenchPanel, BenchPanelOptions };

let mounted: BenchPanel | null = null;

/** Idempotent: a second call returns the same panel (and takes a newly given model provider). */
export function mountBenchPanel(
  host: HTMLElement = document.body,
  options: BenchPanelOptions = {},
): BenchPanel {
  if (mounted) {
    if (options.modelLayers) mounted.setModelLayers(options.modelLayers);
    return mounted;
  }
  const panel = new BenchPanel(host, options);
  mounted = panel;
  const params = new URLSearchParams(location.search);
  const mode = params.get('bench');
  if (mode === 'auto' || mode === 'open') {
    panel.open();
    try {
      const settings = settingsFromParams(params, panel.settings);
      if (mode === 'auto') void appSettled().then(() => panel.run(settings));
      else panel.prefill(settings);
    } catch (err) {
      panel.fail(`URL parameters: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return panel;
}
