// The sweep form: layer shapes (GPT-2 small, this model's layers, or custom N×K), densities, batches,
// backend, samples. It validates as you type (the same parser the URL automation uses) and says how many
// points the sweep will measure.
import { sweepSize } from '../../bench/kernelSweep';
import { button, field, h } from './dom';
import {
  BACKENDS,
  type BackendChoice,
  type BenchSettings,
  formatDensity,
  type ModelLayers,
  toSweepConfig,
} from './params';

export interface FormCallbacks {
  onRun(settings: BenchSettings): void;
  onCancel(): void;
  onChange(settings: BenchSettings): void;
}

const BACKEND_LABELS: Record<BackendChoice, string> = {
  auto: 'auto (WebGPU, else CPU)',
  webgpu: 'WebGPU only',
  cpu: 'CPU (JavaScript)',
};

export class SweepForm {
  readonly root = h('form', 'bench-form');
  private readonly shapeKind = h('select', 'bench-input');
  private readonly custom = h('input', 'bench-input bench-mono');
  private readonly densities = h('input', 'bench-input bench-mono');
  private readonly batches = h('input', 'bench-input bench-mono');
  private readonly backend = h('select', 'bench-input');
  private readonly samples = h('input', 'bench-input bench-mono');
  private readonly naive = h('input');
  private readonly summary = h('div', 'bench-form-summary');
  private readonly run = button('Run benchmark', 'bench-btn bench-btn-primary', () => this.submit());
  private readonly cancel = button('Cancel', 'bench-btn', () => this.callbacks.onCancel());
  private readonly thisModel = button('Benchmark this model', 'bench-btn', () => this.benchModel());
  private seed = 1;

  constructor(
    settings: BenchSettings,
    private readonly callbacks: FormCallbacks,
    private readonly modelLayers: () => ModelLayers | null,
  ) {
    this.root.noValidate = true;
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.shapeKind.name = 'shapes';
    for (const [value, label] of [
      ['gpt2', 'GPT-2 small · its 4 layer shapes'],
      ['model', "This model's layers"],
      ['custom', 'Custom N×K (out×in)'],
    ]) {
      const option = h('option', '', label);
      option.value = value;
      this.shapeKind.append(option);
    }
    this.custom.placeholder = '768x768, 3072x768';
    this.custom.name = 'custom-shapes';
    this.densities.name = 'densities';
    this.batches.name = 'batches';
    for (const b of BACKENDS) {
      const option = h('option', '', BACKEND_LABELS[b]);
      option.value = b;
      this.backend.append(option);
    }
    this.backend.name = 'backend';
    this.samples.type = 'number';
    this.samples.min = '1';
    this.samples.max = '200';
    this.samples.name = 'samples';
    this.naive.type = 'checkbox';
    this.naive.name = 'naive';
    const naiveRow = h('label', 'bench-check');
    naiveRow.append(this.naive, h('span', '', 'also time the naive dense kernel'));
    this.cancel.hidden = true;
    const actions = h('div', 'bench-form-actions');
    actions.append(this.run, this.cancel);
    this.root.append(
      field('Layer shapes', this.shapeKind),
      field('Custom shapes', this.custom, 'N×K = out×in, comma-separated'),
      field('Densities', this.densities, 'fractions or decimals in (0, 1]'),
      field('Batch sizes', this.batches, 'rows of x; 1 = one token'),
      field('Backend', this.backend),
      field('Samples per point', this.samples, 'median, p10 and p90 of these'),
      naiveRow,
      this.summary,
      actions,
      this.thisModel,
    );
    this.root.addEventListener('input', () => this.changed());
    this.root.addEventListener('change', () => this.changed());
    this.set(settings);
  }

  set(s: BenchSettings): void {
    const kind = s.shapes === 'gpt2' || s.shapes === 'model' ? s.shapes : 'custom';
    this.shapeKind.value = kind;
    if (kind === 'custom') this.custom.value = s.shapes;
    this.densities.value = s.densities;
    this.batches.value = s.batches;
    this.backend.value = s.backend;
    this.samples.value = String(s.samples);
    this.naive.checked = s.naive;
    this.seed = s.seed;
    this.refresh();
  }

  get(): BenchSettings {
    const kind = this.shapeKind.value;
    return {
      shapes: kind === 'custom' ? this.custom.value : kind,
      densities: this.densities.value,
      batches: this.batches.value,
      backend: BACKENDS.find((b) => b === this.backend.value) ?? 'auto',
      samples: Number(this.samples.value),
      naive: this.naive.checked,
      seed: this.seed,
    };
  }

  setRunning(running: boolean): void {
    this.run.hidden = running;
    this.cancel.hidden = !running;
    this.thisModel.disabled = running || !this.modelLayers();
    for (const input of this.root.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      input.disabled = running;
    }
    if (!running) this.refresh();
  }

  /** Re-reads the model provider (the app may load a model after the panel mounted) and re-validates. */
  refresh(): void {
    const model = this.modelLayers();
    const modelOption = this.shapeKind.querySelector<HTMLOptionElement>('option[value="model"]');
    if (modelOption) {
      modelOption.disabled = !model;
      modelOption.textContent = model
        ? `This model's layers · ${model.name} (${model.shapes.length})`
        : "This model's layers (no model exposes them)";
    }
    this.thisModel.hidden = !model;
    this.thisModel.disabled = !model;
    const customRow = this.custom.closest('label');
    if (customRow) customRow.hidden = this.shapeKind.value !== 'custom';
    try {
      const config = toSweepConfig(this.get(), model);
      const points = sweepSize(config);
      this.summary.textContent = `${config.shapes.length} shape${config.shapes.length > 1 ? 's' : ''} × ${
        config.batches.length
      } batch${config.batches.length > 1 ? 'es' : ''} × (${config.densities.length} densities + dense) = ${points} points`;
      this.summary.classList.remove('bench-error-text');
      this.run.disabled = false;
    } catch (err) {
      this.summary.textContent = err instanceof Error ? err.message : String(err);
      this.summary.classList.add('bench-error-text');
      this.run.disabled = true;
    }
  }

  private changed(): void {
    this.refresh();
    this.callbacks.onChange(this.get());
  }

  private submit(): void {
    if (!this.run.disabled && !this.run.hidden) this.callbacks.onRun(this.get());
  }

  /** "Benchmark this model": its own layers at its own densities (plus dense), one click. */
  private benchModel(): void {
    const model = this.modelLayers();
    if (!model) return;
    const densities = model.densities?.length ? [1, ...model.densities] : undefined;
    this.set({
      ...this.get(),
      shapes: 'model',
      densities: densities ? [...new Set(densities)].map(formatDensity).join(', ') : this.densities.value,
    });
    this.callbacks.onChange(this.get());
    this.submit();
  }
}
