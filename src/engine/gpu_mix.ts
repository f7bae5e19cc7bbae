import { mixKernel } from '../../kernels/mix.js';
import { dispatchGrid, readBack, storageBuffer, type KernelRunner } from '../gpu/runner.js';
import * as d from 'typegpu/data';
import { MixParams } from '../gpu/schemas.js';
import { groupCentroids, type MixRequest } from '../neighbours/mix.js';

/** Rows of a row-major matrix padded to whole vec4s (⌈columns/4⌉ · 4 floats per row). */
function padQuads(matrix: Float64Array, rows: number, columns: number): Float32Array {
  const stride = Math.ceil(columns / 4) * 4;
  const out = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[r * stride + c] = matrix[r * columns + c];
  return out;
}

function transpose(matrix: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) out[c * size + r] = matrix[r * size + c];
  return out;
}

/**
 * Runs the mix kernel over all rows of a mixing request. The host puts rows in grouped
 * order (members of a group contiguous) and columnar, with each group's centroid, and
 * puts the results back in row order. Returns row-major n × d rows.
 */
export interface MixTimings {
  /** Host work before the kernel: grouped copies, centroids, uploads (ms). */
  prepare: number;
  /** The kernel on the device (ms). */
  kernel: number;
  /** Read-back and the host copy into row order (ms). */
  readBack: number;
}

export async function gpuMix(runner: KernelRunner, request: MixRequest, timings?: MixTimings): Promise<Float32Array> {
  const { n, groups } = request;
  const dims = request.d;
  const device = runner.device;
  const root = runner.context.root;
  const kernel = mixKernel(dims, request.alpha, request.k, request.poolFactor);
  const pipeline = await runner.pipeline(kernel);

  const started = performance.now();
  const groupCount = groups.offsets.length - 1;
  const grouped = new Float32Array(n * dims);
  const rowIds = new Uint32Array(2 * n);
  // Blocks of 64 positions keep both the row reads and the column writes cache-friendly.
  for (let block = 0; block < n; block += 64) {
    const end = Math.min(n, block + 64);
    for (let p = block; p < end; p++) {
      const row = groups.order[p];
      // The released row at position p draws from the stream of the row it replaces.
      rowIds[2 * p] = request.rowIds[row] >>> 0;
      rowIds[2 * p + 1] = Math.floor(request.rowIds[row] / 4294967296) >>> 0;
    }
    for (let j = 0; j < dims; j++) {
      const column = j * n;
      for (let p = block; p < end; p++) grouped[column + p] = request.points[groups.order[p] * dims + j];
    }
  }
  const upload = (label: string, data: Float32Array | Uint32Array): GPUBuffer => {
    const buffer = storageBuffer(device, label, data.byteLength);
    device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return buffer;
  };
  const buffers = {
    grouped: upload('mix rows', grouped),
    offsets: upload('mix offsets', groups.offsets),
    centroids: upload('mix centroids', padQuads(groupCentroids(request.points, dims, groups), groupCount, dims)),
    row_ids: upload('mix row ids', rowIds),
    pool_factor_t: upload('mix pool factor', padQuads(transpose(request.poolFactor, dims), dims, dims)),
    mixed: storageBuffer(device, 'mix output', n * dims * 4),
  };
  const staging = device.createBuffer({ label: 'mix staging', size: Math.max(16, n * dims * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const params = root.createBuffer(MixParams).$usage('uniform');
  try {
    const key = request.key;
    params.write({ groups: groupCount, rows: n, padding0: 0, padding1: 0, key0: d.vec4u(key[0], key[1], key[2], key[3]), key1: d.vec4u(key[4], key[5], key[6], key[7]) });
    const bindGroup = runner.bindGroup(kernel, { mixing: root.unwrap(params), ...buffers });
    const encoder = device.createCommandEncoder({ label: 'mix' });
    const pass = encoder.beginComputePass();
    // One workgroup per group, two-dimensional past 65535 groups.
    const x = Math.min(groupCount, 65535);
    dispatchGrid(pass, pipeline, bindGroup, x, Math.ceil(groupCount / x));
    pass.end();
    encoder.copyBufferToBuffer(buffers.mixed, 0, staging, 0, n * dims * 4);
    const submitted = performance.now();
    device.queue.submit([encoder.finish()]);
    if (timings) await device.queue.onSubmittedWorkDone();
    const finished = performance.now();
    const mixed = new Float32Array(await readBack(device, staging, n * dims * 4), 0, n * dims);
    const out = new Float32Array(n * dims);
    for (let block = 0; block < n; block += 64) {
      const end = Math.min(n, block + 64);
      for (let j = 0; j < dims; j++) {
        const column = j * n;
        for (let p = block; p < end; p++) out[groups.order[p] * dims + j] = mixed[column + p];
      }
    }
    if (timings) {
      timings.prepare = submitted - started;
      timings.kernel = finished - submitted;
      timings.readBack = performance.now() - finished;
    }
    return out;
  } finally {
    for (const buffer of [...Object.values(buffers), staging]) buffer.destroy();
    params.destroy();
  }
}
