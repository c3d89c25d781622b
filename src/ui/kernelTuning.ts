// The kernel tuning the app does on load (src/gpu/autotune): its options (choices cached in localStorage
// per adapter and kernel version; off with ?tune=off or localStorage 'sparsescope.tuning.off' = '1'), and a
// status-bar control that shows the tuning's progress with a Skip button, then how the kernels were chosen
// with a Retune button.
import { localStorageStore } from '../gpu/autotune/cache';
import type { PreparedTuning, PrepareTuningOptions } from '../gpu/autotune/prepare';
import { el } from '../scene/overlays';

/** localStorage item that turns tuning off (the end-to-end tests set it; only the autotune spec tunes). */
const OFF_ITEM = 'sparsescope.tuning.off';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled: tune without a cache
  }
}

/** The page's tuning options: mode (off, or retune once asked), the localStorage cache. */
export function pageTuning(retune = false): PrepareTuningOptions {
  const store = storage();
  const off =
    new URLSearchParams(globalThis.location?.search ?? '').get('tune') === 'off' ||
    store?.getItem(OFF_ITEM) === '1';
  return {
    mode: off ? 'off' : retune ? 'retune' : 'auto',
    store: store ? localStorageStore(store) : undefined,
    warn: (m) => console.warn(`sparsescope: ${m}`),
  };
}

export class KernelTuningControl {
  readonly root = el('span', 'status-tuning');
  private readonly text = el('span', 'status-tuning-text');
  private readonly button = buttonEl('status-tuning-button');
  private abort: AbortController | null = null;
  private retuneNext = false;
  /** Retune was pressed: the caller reloads the model (which tunes again). */
  onRetune: () => void = () => {};

  constructor(parent: HTMLElement) {
    this.root.id = 'kernel-tuning';
    this.root.hidden = true;
    this.button.addEventListener('click', () => {
      if (this.abort) {
        this.abort.abort(); // Skip: the shapes not yet tuned keep today's defaults
        this.text.textContent = 'Skipping the rest of the tuning…';
        this.button.hidden = true;
      } else {
        this.retuneNext = true;
        this.onRetune();
      }
    });
    this.root.append(this.text, this.button);
    parent.append(this.root);
  }

  /** Options for the next load, with this control's progress and Skip wired in. */
  options(): PrepareTuningOptions & { batches: number[] } {
    const base = pageTuning(this.retuneNext);
    this.retuneNext = false;
    this.abort = new AbortController();
    return {
      ...base,
      batches: [64, 1], // a prompt's length first (64 serves 8–512 tokens), then decoding
      signal: this.abort.signal,
      onProgress: (p) => {
        if (p.current === 'done') return;
        this.root.hidden = false;
        this.root.dataset.state = 'tuning';
        this.text.textContent = `Tuning kernels for this GPU: shape ${p.done + 1} of ${p.total} (${(p.elapsedMs / 1000).toFixed(1)} s)`;
        this.button.textContent = 'Skip';
        this.button.title = "Stop tuning: the shapes left run today's default kernels";
        this.button.hidden = false;
      },
    };
  }

  /** After a load: how the kernels were chosen (hidden on the CPU). */
  show(tuned: PreparedTuning | null): void {
    this.abort = null;
    if (!tuned) {
      this.root.hidden = true;
      return;
    }
    const s = tuned.summary;
    // Short (it shares the status bar with the backend); the title says what each count means.
    const parts: string[] = [];
    if (tuned.report)
      parts.push(
        `tuned on this GPU in ${(tuned.report.elapsedMs / 1000).toFixed(1)} s, ${s.tunedNow} of ${s.shapes} faster`,
      );
    if (tuned.cached > 0) parts.push(`${s.tunedCached} faster, from the cache`);
    if (s.defaultKept > 0) parts.push(`${s.defaultKept} default kept`);
    if (s.notReached > 0) parts.push(`${s.notReached} not reached`);
    this.root.hidden = false;
    // 'tuned': this load ran the tuner (whatever it found); 'cached': every choice came from the cache.
    this.root.dataset.state = tuned.report ? 'tuned' : tuned.cached > 0 ? 'cached' : 'default';
    this.text.textContent =
      tuned.report || tuned.cached > 0 ? `Kernels: ${parts.join(' · ')}` : 'Kernels: defaults (tuning off)';
    this.text.title =
      `Of the ${s.shapes} layer shapes this model runs: ${s.tunedNow + s.tunedCached} run a kernel measured ` +
      `faster than today's default on this GPU (${s.tunedNow} tuned now, ${s.tunedCached} from the cache); ` +
      `${s.defaultKept} were tuned and the default won; ${s.notReached} were not reached by the tuning budget ` +
      'and run the default.';
    this.button.textContent = 'Retune';
    this.button.title =
      'Forget the cached choices and tune the kernels on this GPU again (reloads the model)';
    this.button.hidden = false;
  }
}

function buttonEl(className: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  return b;
}
