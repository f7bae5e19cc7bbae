import type { KernelDefinition } from '../../src/gpu/runner.js';
import { KernelRunner, readBack, storageBuffer } from '../../src/gpu/runner.js';
import { StageParams, stageParams } from '../../src/gpu/schemas.js';
import type { GpuContext } from '../../src/gpu/device.js';

/**
 * Runs one kernel over `rows` rows (one invocation per row unless `invocations` gives
 * another count): uploads the given buffers, dispatches once and reads
 * back the named outputs. Buffers are created for the call and destroyed after it.
 */
export async function runKernel(
  gpu: GpuContext,
  kernel: KernelDefinition,
  rows: number,
  rowBase: number,
  key: Uint32Array,
  inputs: Record<string, ArrayBufferView>,
  outputs: Record<string, number>,
  invocations = rows,
): Promise<Record<string, ArrayBuffer>> {
  const runner = new KernelRunner(gpu);
  const device = gpu.device;
  const pipeline = await runner.pipeline(kernel);
  const params = gpu.root.createBuffer(StageParams).$usage('uniform');
  params.write(stageParams(rows, rowBase, 1, key));
  const buffers: Record<string, GPUBuffer> = {};
  for (const [name, data] of Object.entries(inputs)) {
    buffers[name] = storageBuffer(device, name, data.byteLength);
    device.queue.writeBuffer(buffers[name], 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }
  for (const [name, bytes] of Object.entries(outputs)) buffers[name] ??= storageBuffer(device, name, bytes);
  const bindGroup = runner.bindGroup(kernel, { params: gpu.root.unwrap(params), ...buffers });

  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  runner.dispatch(pass, pipeline, bindGroup, invocations);
  pass.end();
  const staging: Record<string, GPUBuffer> = {};
  for (const [name, bytes] of Object.entries(outputs)) {
    staging[name] = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffers[name], 0, staging[name], 0, Math.ceil(bytes / 4) * 4);
  }
  device.queue.submit([encoder.finish()]);

  const result: Record<string, ArrayBuffer> = {};
  for (const [name, bytes] of Object.entries(outputs)) result[name] = await readBack(device, staging[name], bytes);
  for (const buffer of [...Object.values(buffers), ...Object.values(staging)]) buffer.destroy();
  params.destroy();
  return result;
}

/** Largest |a − b| / max(1, |b|) over two arrays. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}
