// What a plan, a model upload or a sweep must free when it goes, in one list: WebGPU objects end with
// destroy() (the API's verb), this project's own objects with dispose() (its one lifecycle verb).

type Releasable = { destroy(): void } | { dispose(): void };

function release(r: Releasable): void {
  if ('dispose' in r) r.dispose();
  else r.destroy();
}

export class OwnedResources {
  private readonly items = new Set<Releasable>();

  /** Track `r` until release(r) or dispose(); returns it. */
  add<T extends Releasable>(r: T): T {
    this.items.add(r);
    return r;
  }

  /** Free one tracked resource now. */
  release(r: Releasable): void {
    if (this.items.delete(r)) release(r);
  }

  /** Free everything still tracked, the latest first; the list can be used again afterwards. */
  dispose(): void {
    for (const r of [...this.items].reverse()) release(r);
    this.items.clear();
  }
}
