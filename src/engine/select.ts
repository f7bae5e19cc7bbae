import { InputError } from '../errors.js';
import { acquireGpu } from '../gpu/device.js';
import { CpuEngine } from './cpu.js';
import type { Engine } from './engine.js';
import { GpuEngine } from './gpu.js';

export type BackendChoice = 'auto' | 'gpu' | 'cpu';

/**
 * Picks the engine: the GPU when an adapter exists (or when forced), else the CPU
 * reference with one log line that says why. Forcing the GPU without an adapter is an
 * input error, because the user asked for something this machine cannot do.
 */
export async function selectEngine(choice: BackendChoice, batchRows: number, log: (line: string) => void): Promise<Engine> {
  if (choice === 'cpu') {
    log('backend: cpu (forced with --backend cpu); stages run in the TypeScript reference');
    return new CpuEngine();
  }
  const { context, reason } = await acquireGpu();
  if (context) {
    log(`backend: gpu, adapter "${context.adapter}"${context.isFallbackAdapter ? ' (software fallback adapter)' : ''}, batch ${batchRows} rows`);
    return new GpuEngine(context, batchRows);
  }
  if (choice === 'gpu') {
    throw new InputError(`--backend gpu was requested but ${reason}`, 'install a WebGPU-capable driver (Mesa lavapipe on CPU-only Linux) or use --backend cpu');
  }
  log(`backend: cpu, because ${reason}; stages run in the TypeScript reference`);
  return new CpuEngine();
}
