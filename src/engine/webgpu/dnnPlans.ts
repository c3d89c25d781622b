// A layered network on the WebGPU backend: plans (weights uploaded, dispatches bound) kept per path for
// the last batch size, so re-running an image range of the same size uploads nothing.

import type { WeightPath } from '../../contracts';
import type { GpuContext } from '../../gpu/context';
import type { CsrMatrix } from '../../math/csr';
import { dnnTimings } from '../../model/graphDnn';
import type { DnnModel, DnnRun } from '../backend';
import { DnnGpuPlan } from '../dnnGpu';

export class DnnPlans {
  private readonly plans = new Map<WeightPath, DnnGpuPlan>();

  constructor(
    private readonly ctx: GpuContext,
    private readonly model: DnnModel,
  ) {}

  async run(images: CsrMatrix, path: WeightPath): Promise<DnnRun> {
    let plan = this.plans.get(path);
    if (!plan || plan.batch !== images.rows) {
      plan?.dispose();
      this.plans.delete(path);
      const { dnn, dense, between } = this.model;
      plan = await DnnGpuPlan.create(this.ctx, dnn, path, images.rows, { dense, between });
      this.plans.set(path, plan);
    }
    const r = await plan.run(images);
    return {
      categories: r.categories,
      layerMs: r.layerMs,
      seconds: r.seconds,
      timings: dnnTimings(r.layerMs, path, r.timerSource),
    };
  }

  dispose(): void {
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
  }
}
