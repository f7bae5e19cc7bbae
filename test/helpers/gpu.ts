import { acquireGpu, type GpuContext } from '../../src/gpu/device.js';

let shared: Promise<GpuContext | undefined> | undefined;

/**
 * The test process's WebGPU device (lavapipe on machines without a GPU), or undefined
 * when none exists. Tests that need it are skipped only when GEOMASK_ALLOW_NO_GPU=1;
 * otherwise a missing adapter fails them, because CI installs lavapipe.
 */
export function testGpu(): Promise<GpuContext | undefined> {
  shared ??= acquireGpu().then(({ context, reason }) => {
    if (!context && process.env.GEOMASK_ALLOW_NO_GPU !== '1') throw new Error(`no WebGPU adapter for the GPU tests: ${reason}`);
    return context;
  });
  return shared;
}
