// App entry. (Placeholder until the scene lands: shows the adapter.)
import { GpuContext, GpuUnavailableError } from './gpu/context';

async function boot(): Promise<void> {
  const app = document.getElementById('app')!;
  const status = document.createElement('p');
  status.id = 'status';
  app.append(status);
  try {
    const ctx = await GpuContext.create(navigator.gpu);
    status.textContent = `WebGPU: ${ctx.adapterLabel}`;
  } catch (err) {
    status.textContent = `CPU: ${err instanceof GpuUnavailableError ? err.reason : String(err)}`;
  }
}

void boot();
