import { mixKernel } from '../../kernels/mix.js';
import { readBack, storageBuffer, type KernelRunner } from '../gpu/runner.js';
import { StageParams, stageParams } from '../gpu/schemas.js';
import { groupCentroids, type MixRequest } from '../neighbours/mix.js';

/**
 * Runs the mix kernel over all rows of a mixing request. The host puts rows in grouped
 * order (members of a group contiguous) and columnar, with each group's centroid, and
 * puts the results back in row order. Returns row-major n × d rows.
 */
export async function gpuMix(runner: KernelRunner, request: MixRequest): Promise<Float32Array> {
  const { n, d, groups } = request;
  const device = runner.device;
  const root = runner.context.root;
  const kernel = mixKernel(d, request.alpha, request.k);
  const pipeline = await runner.pipeline(kernel);

  const grouped = new Float32Array(n * d);
  const groupOf = new Uint32Array(n);
  const rowIds = new Uint32Array(2 * n);
  for (let g = 0; g + 1 < groups.offsets.length; g++) groupOf.fill(g, groups.offsets[g], groups.offsets[g + 1]);
  for (let p = 0; p < n; p++) {
    const row = groups.order[p];
    for (let j = 0; j < d; j++) grouped[j * n + p] = request.points[row * d + j];
    rowIds[2 * p] = request.rowIds[row] >>> 0;
    rowIds[2 * p + 1] = Math.floor(request.rowIds[row] / 4294967296) >>> 0;
  }
  const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer => {
    const buffer = storageBuffer(device, label, data.byteLength);
    device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return buffer;
  };
  const buffers = {
    grouped: upload('mix rows', grouped),
    group_of: upload('mix groups', groupOf),
    offsets: upload('mix offsets', groups.offsets),
    centroids: upload('mix centroids', Float32Array.from(groupCentroids(request.points, d, groups))),
    row_ids: upload('mix row ids', rowIds),
    pool_factor: upload('mix pool factor', Float32Array.from(request.poolFactor)),
    mixed: storageBuffer(device, 'mix output', n * d * 4),
  };
  const staging = device.createBuffer({ label: 'mix staging', size: Math.max(16, n * d * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const params = root.createBuffer(StageParams).$usage('uniform');
  try {
    params.write(stageParams(n, 0, 1, request.key));
    const bindGroup = runner.bindGroup(kernel, { params: root.unwrap(params), ...buffers });
    const encoder = device.createCommandEncoder({ label: 'mix' });
    const pass = encoder.beginComputePass();
    runner.dispatch(pass, pipeline, bindGroup, n);
    pass.end();
    encoder.copyBufferToBuffer(buffers.mixed, 0, staging, 0, n * d * 4);
    device.queue.submit([encoder.finish()]);
    const mixed = new Float32Array(await readBack(device, staging, n * d * 4), 0, n * d);
    const out = new Float32Array(n * d);
    for (let p = 0; p < n; p++) {
      const row = groups.order[p];
      for (let j = 0; j < d; j++) out[row * d + j] = mixed[j * n + p];
    }
    return out;
  } finally {
    for (const buffer of [...Object.values(buffers), staging]) buffer.destroy();
    params.destroy();
  }
}
