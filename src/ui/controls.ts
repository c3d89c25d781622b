// The control panel (lil-gui): model, prompt and token, density, backend, neurons shown per layer,
// edge brightness, overlay toggles and view buttons. Holds the values; the app reacts to changes.

import GUI, { type Controller } from 'lil-gui';
import type { BackendKind } from '../contracts';
import { fractionLabel } from '../model/graph';
import type { FrameTarget } from '../scene/sceneView';

export const DENSITIES: Record<string, number> = {
  '1/4': 1 / 4,
  '1/16': 1 / 16,
  '1/64': 1 / 64,
  '1/256': 1 / 256,
};

/** The density value meaning "the zeros the checkpoint stores" (see src/model/storedSparsity.ts). */
export const STORED_DENSITY = 'stored';

/** The density a panel choice names (own entries only: "constructor" is not a density); 1/64 otherwise. */
export function densityOf(name: string): number {
  return Object.hasOwn(DENSITIES, name) ? DENSITIES[name] : 1 / 64;
}

export interface ControlValues {
  model: string;
  prompt: string;
  token: number;
  density: string;
  backend: BackendKind;
  perLayer: number;
  brightness: number;
  timings: boolean;
  labels: boolean;
}

export interface ControlHandlers {
  /** Needs a new model: model or density. */
  onModelChange(values: ControlValues): void;
  /** Needs a new forward pass only. */
  onPromptChange(values: ControlValues): void;
  onBackendChange(values: ControlValues): void;
  /** Open local files (a checkpoint, or Matrix Market layers). */
  onOpenFiles(files: File[]): void;
  /** Only the picture changes: neurons per layer, brightness, token, overlays. */
  onViewChange(values: ControlValues): void;
  /** Only the node colours change. */
  onTokenChange(values: ControlValues): void;
  onFrame(target: FrameTarget): void;
  onHelp(): void;
}

export class Controls {
  readonly gui: GUI;
  private readonly tokenController: Controller;
  private readonly perLayerController: Controller;
  private modelController: Controller;
  private densityController: Controller;
  private readonly promptController: Controller;

  /** `models`: label → id. */
  constructor(
    parent: HTMLElement,
    readonly values: ControlValues,
    models: Record<string, string>,
    handlers: ControlHandlers,
  ) {
    this.gui = new GUI({ container: parent, title: 'Sparsescope' });
    const model = () => handlers.onModelChange(this.values);
    const view = () => handlers.onViewChange(this.values);
    const g = this.gui;
    this.modelController = g.add(values, 'model', models).name('model').onChange(model);
    this.modelHandler = model;
    const picker = document.createElement('input');
    picker.type = 'file';
    picker.multiple = true;
    picker.accept = '.safetensors,.pt,.pth,.json,.bpe,.mtx';
    picker.hidden = true;
    picker.addEventListener('change', () => {
      if (picker.files?.length) handlers.onOpenFiles([...picker.files]);
      picker.value = '';
    });
    parent.append(picker);
    g.add({ open: () => picker.click() }, 'open').name('open files… (.safetensors / .pt / .mtx)');
    this.promptController = g
      .add(values, 'prompt')
      .name('prompt')
      .onFinishChange(() => handlers.onPromptChange(this.values));
    this.tokenController = g
      .add(values, 'token', 0, 0, 1)
      .name('token')
      .onChange(() => handlers.onTokenChange(this.values));
    this.densityController = g.add(values, 'density', Object.keys(DENSITIES)).name('density').onChange(model);
    g.add(values, 'backend', ['webgpu', 'cpu'])
      .name('backend')
      .onChange(() => handlers.onBackendChange(this.values));
    this.perLayerController = g
      .add(values, 'perLayer', 8, 256, 8)
      .name('neurons / layer')
      .onFinishChange(view);
    g.add(values, 'brightness', 0.2, 4, 0.1).name('edge brightness').onFinishChange(view);
    g.add(values, 'timings').name('timing overlays').onChange(view);
    g.add(values, 'labels').name('layer labels').onChange(view);
    const buttons = {
      both: () => handlers.onFrame('both'),
      sparse: () => handlers.onFrame('sparse'),
      dense: () => handlers.onFrame('dense'),
      help: () => handlers.onHelp(),
    };
    const views = g.addFolder('view');
    views.add(buttons, 'both').name('frame both (3, r)');
    views.add(buttons, 'sparse').name('frame sparse (1)');
    views.add(buttons, 'dense').name('frame dense (2)');
    views.add(buttons, 'help').name('shortcuts (?)');
    views.close(); // keyboard 1/2/3 and r do the same; the room goes to the timing list below the panel
    if (window.innerWidth <= 700) g.close(); // on a phone the panel is a drawer behind its title bar
  }

  /** The model list (label → id), e.g. after the user opened a file. */
  setModels(models: Record<string, string>): void {
    // lil-gui replaces an option controller rather than updating it.
    this.modelController = this.modelController
      .options(models)
      .name('model')
      .onChange(() => this.modelHandler?.());
    this.modelController.updateDisplay();
  }
  private modelHandler: (() => void) | null = null;

  /**
   * Density applies to pruned models only; trained or loaded sparse models have theirs (shown in the
   * sparse network's title), so the control is hidden rather than showing a density they do not have.
   */
  setDensityEnabled(enabled: boolean): void {
    this.densityController.show(enabled);
  }

  /**
   * A checkpoint that stores its own zeros: the control offers 'stored 1/16' (its own sparsity) and only
   * lower densities; `current` says whether the twin is the stored one. Null: the usual densities.
   */
  showStoredDensity(stored: number | null, current: boolean): void {
    const options: Record<string, string> = {};
    if (stored !== null) options[`stored ${fractionLabel(stored)}`] = STORED_DENSITY;
    for (const [label, d] of Object.entries(DENSITIES))
      if (stored === null || d < stored) options[label] = label;
    if (stored !== null && current) this.values.density = STORED_DENSITY;
    if (!Object.values(options).includes(this.values.density)) this.values.density = '1/64';
    this.densityController = this.densityController
      .options(options)
      .name('density')
      .onChange(() => this.modelHandler?.());
    this.densityController.updateDisplay();
  }

  setPromptLabel(label: string): void {
    this.promptController.name(label);
  }

  /** The token slider's range follows the prompt's length. */
  setTokenCount(count: number): void {
    this.tokenController.max(Math.max(0, count - 1));
    if (this.values.token > count - 1) this.values.token = Math.max(0, count - 1);
    this.tokenController.updateDisplay();
  }

  /** After a keyboard shortcut changed a value. */
  refresh(): void {
    for (const c of this.gui.controllersRecursive()) c.updateDisplay();
    this.perLayerController.updateDisplay();
  }
}
