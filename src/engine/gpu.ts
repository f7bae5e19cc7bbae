import type { TgpuBuffer } from 'typegpu';
import { backMapKernel } from '../../kernels/back_map.js';
import { gibbsBuffer, normalScoresKernel, normalScoresWords } from '../../kernels/normal_scores.js';
import { projectKernel } from '../../kernels/project.js';
import { rotateKernel } from '../../kernels/rotate.js';
import { streamWordsInvocations, streamWordsKernel } from '../../kernels/stream_words.js';
import { whitenKernel } from '../../kernels/whiten.js';
import { InputError } from '../errors.js';
import { inverseFromCholesky } from '../frame/linalg.js';
import type { GpuContext } from '../gpu/device.js';
import { releaseGpu } from '../gpu/device.js';
import { KernelRunner, readBack, storageBuffer, type KernelDefinition } from '../gpu/runner.js';
import { PassTimer } from '../gpu/timing.js';
import { StageParams, stageParams } from '../gpu/schemas.js';
import type { BatchRows } from '../reference/batch.js';
import type { LatentModel } from '../reference/normal_scores.js';
import type { KnnRequest, KnnResult } from '../reference/knn.js';
import type { MixRequest } from '../neighbours/mix.js';
import { DEFAULT_KNN_TILING, gpuKnn, type KnnWorkspace } from './gpu_knn.js';
import { gpuMix } from './gpu_mix.js';
import type { Engine, NumericPipeline, NumericPlan, StageTimes } from './engine.js';

type ParamsBuffer = TgpuBuffer<typeof StageParams> & { usableAsUniform: true };

/** One kernel of a batch's plan and the key its draws use. */
interface PlannedKernel {
  kernel: KernelDefinition;
  key: Uint32Array;
  /** Invocations for a batch of `rows` rows, where the kernel does not run one per row. */
  invocations?: (rows: number) => number;
}

/** One step of a batch: a compiled kernel, its uniform block and bind group. */
interface Step extends PlannedKernel {
  pipeline: GPUComputePipeline;
  params: ParamsBuffer;
  bindGroup: GPUBindGroup;
}

/**
 * Buffers of one batch in flight. Slots are reused round-robin; a slot is taken
 * only after its previous batch has been read back, so no buffer is created per batch.
 */
interface Slot {
  x: GPUBuffer;
  /** The normal scores' stream words (stream_words.wgsl). */
  words: GPUBuffer;
  a: GPUBuffer;
  b: GPUBuffer;
  staging: GPUBuffer;
  steps: Step[];
  /** Kernel timestamps, where the device records them. */
  timer?: PassTimer;
  busy: Promise<void>;
}

/** Buffers and bind group of the fit's latent scoring (see GpuEngine.scoreLatent). */
interface LatentBuffers {
  bytes: number;
  tableBytes: number;
  gibbsBytes: number;
  wordsBytes: number;
  x: GPUBuffer;
  words: GPUBuffer;
  tables: GPUBuffer;
  /** The table data last uploaded, so unchanged tables are not uploaded again. */
  tablesData?: Float32Array;
  gibbs: GPUBuffer;
  scores: GPUBuffer;
  staging: GPUBuffer;
  params: ParamsBuffer;
  bindGroup: GPUBindGroup;
  wordsBindGroup: GPUBindGroup;
}

function destroyLatent(buffers: LatentBuffers): void {
  for (const buffer of [buffers.x, buffers.words, buffers.tables, buffers.gibbs, buffers.scores, buffers.staging]) buffer.destroy();
  buffers.params.destroy();
}

/**
 * Throws an InputError where a batch's buffer of `bytesPerRow` bytes per row would exceed
 * what the device binds at once, with the largest --batch-rows that fits.
 */
function checkBindingSize(device: GPUDevice, buffer: string, bytesPerRow: number, rows: number): void {
  const limit = device.limits.maxStorageBufferBindingSize;
  const bytes = bytesPerRow * rows;
  if (bytes <= limit) return;
  throw new InputError(
    `a batch of ${rows.toLocaleString('en-US')} rows needs ${bytes.toLocaleString('en-US')} bytes for its ${buffer}, more than this device binds in one buffer (${limit.toLocaleString('en-US')})`,
    `lower --batch-rows to ${Math.floor(limit / bytesPerRow)} or fewer`,
  );
}

/** Runs every stage as a WGSL kernel on a WebGPU device (Dawn in Node, or a browser's). */
export class GpuEngine implements Engine {
  readonly kind = 'gpu';
  readonly device: string;
  readonly runner: KernelRunner;

  constructor(readonly context: GpuContext, private readonly capacityRows = 65536) {
    this.device = context.adapter;
    this.runner = new KernelRunner(context);
  }

  private params(): ParamsBuffer {
    return this.context.root.createBuffer(StageParams).$usage('uniform') as ParamsBuffer;
  }

  async createPipeline(plan: NumericPlan, capacityRows = this.capacityRows, slotCount = 2): Promise<NumericPipeline> {
    const { frame } = plan;
    const dims = frame.d;
    const runner = this.runner;
    const device = this.context.device;
    const capacity = capacityRows;
    const fromValues = plan.from !== 'whitened';
    const toPositions = plan.to !== 'whitened';
    const words = normalScoresWords(dims, plan.sweeps);
    // Checked before any buffer exists, so that a rejected batch size leaks none. The
    // stream words (dims · (1 + sweeps) per row) are the largest buffer per row, so x, a
    // and b (dims per row) fit when they do. Whitened input has no words to check.
    if (fromValues) checkBindingSize(device, 'stream words', words * 4, capacity);
    else checkBindingSize(device, 'columns', dims * 4, capacity);
    const tables = storageBuffer(device, 'tables', frame.tables.data.byteLength);
    device.queue.writeBuffer(tables, 0, frame.tables.data as Float32Array<ArrayBuffer>);

    const choleskyData = Float32Array.from(frame.cholesky);
    const cholesky = storageBuffer(device, 'cholesky', choleskyData.byteLength);
    device.queue.writeBuffer(cholesky, 0, choleskyData);
    const gibbsData = gibbsBuffer(inverseFromCholesky(frame.cholesky, dims), dims);
    const gibbs = storageBuffer(device, 'gibbs', gibbsData.byteLength);
    device.queue.writeBuffer(gibbs, 0, gibbsData);
    const kernels: PlannedKernel[] = [
      ...(fromValues
        ? [
            { kernel: streamWordsKernel(words), key: plan.latentKey, invocations: (rows: number) => streamWordsInvocations(words, rows) },
            { kernel: normalScoresKernel({ tables: frame.tables, sweeps: plan.sweeps }), key: plan.latentKey },
            { kernel: whitenKernel(frame.cholesky, dims), key: plan.latentKey },
          ]
        : []),
      ...plan.stages.map((stage) => ({
        kernel: stage.op === 'rotate' ? rotateKernel(stage.params, dims) : projectKernel(stage.params, dims),
        key: stage.key,
      })),
      ...(toPositions ? [{ kernel: backMapKernel(frame.tables, frame.cholesky), key: plan.latentKey }] : []),
    ];
    const pipelines = await Promise.all(kernels.map((k) => runner.pipeline(k.kernel)));

    const bytes = dims * capacity * 4;
    const wordsBytes = fromValues ? words * capacity * 4 : 4;
    const slots: Slot[] = [];
    for (let s = 0; s < slotCount; s++) {
      const x = storageBuffer(device, `x${s}`, bytes);
      const wordsBuffer = storageBuffer(device, `words${s}`, wordsBytes);
      const a = storageBuffer(device, `a${s}`, bytes);
      const b = storageBuffer(device, `b${s}`, bytes);
      const staging = device.createBuffer({ label: `staging${s}`, size: Math.max(16, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      // words and x → a (scores) → b (whitened, operators in place) → a (positions).
      const buffersOf = (name: string): Record<string, GPUBuffer> => {
        switch (name) {
          case 'stream_words':
            return { words: wordsBuffer };
          case 'normal_scores':
            return { x, tables, gibbs, words: wordsBuffer, scores: a };
          case 'whiten':
            return { z: a, cholesky, w: b };
          case 'back_map':
            return { w: b, tables, cholesky, positions: a };
          default:
            return { w: b };
        }
      };
      const steps = kernels.map((planned, i): Step => {
        const params = this.params();
        const bindGroup = runner.bindGroup(planned.kernel, { params: this.context.root.unwrap(params), ...buffersOf(planned.kernel.name) });
        return { ...planned, pipeline: pipelines[i], params, bindGroup };
      });
      const timer = this.context.timestamps ? new PassTimer(device, steps.length, `kernels${s}`) : undefined;
      slots.push({ x, words: wordsBuffer, a, b, staging, steps, timer, busy: Promise.resolve() });
    }

    // upload: host time to queue the batch; gpu_wait: from submit until the results
    // are mapped (all kernels when no timestamps exist); read_back: copying them out;
    // kernel_<name>: GPU time of each kernel from timestamp queries.
    const times: StageTimes = { upload: 0, gpu_wait: 0, read_back: 0 };
    for (const { kernel } of kernels) if (this.context.timestamps) times[`kernel_${kernel.name}`] = 0;
    let next = 0;

    const runBatch = async (slot: Slot, x: Float32Array, batch: BatchRows): Promise<Float32Array> => {
      if (batch.rows > capacity) throw new Error(`batch of ${batch.rows} rows exceeds the GPU slot capacity of ${capacity}`);
      const started = performance.now();
      // Whitened input goes straight into b, where the operators work in place.
      device.queue.writeBuffer(fromValues ? slot.x : slot.b, 0, x.buffer, x.byteOffset, x.byteLength);
      for (const step of slot.steps) step.params.write(stageParams(batch.rows, batch.rowBase, batch.rowStride, step.key));
      const uploaded = performance.now();

      // One compute pass per kernel, so that each can carry its own timestamps.
      const encoder = device.createCommandEncoder({ label: 'batch' });
      slot.steps.forEach((step, i) => {
        const pass = encoder.beginComputePass(slot.timer?.pass(i));
        runner.dispatch(pass, step.pipeline, step.bindGroup, step.invocations?.(batch.rows) ?? batch.rows);
        pass.end();
      });
      // A plan with no stage at all (whitened in, whitened out) copies b back unchanged.
      const size = dims * batch.rows * 4;
      encoder.copyBufferToBuffer(toPositions ? slot.a : slot.b, 0, slot.staging, 0, Math.ceil(size / 4) * 4);
      slot.timer?.resolve(encoder);
      device.queue.submit([encoder.finish()]);

      const kernelTimes = slot.timer?.read();
      await slot.staging.mapAsync(GPUMapMode.READ, 0, Math.ceil(size / 4) * 4);
      const mapped = performance.now();
      const positions = new Float32Array(slot.staging.getMappedRange(0, Math.ceil(size / 4) * 4).slice(0), 0, dims * batch.rows);
      slot.staging.unmap();
      if (kernelTimes) (await kernelTimes).forEach((ms, i) => (times[`kernel_${slot.steps[i].kernel.name}`] += ms));

      times.upload += uploaded - started;
      times.gpu_wait += mapped - uploaded;
      times.read_back += performance.now() - mapped;
      return positions;
    };

    return {
      times,
      run(x: Float32Array, batch: BatchRows): Promise<Float32Array> {
        // An empty batch (an empty partition in stream mode) has nothing to map back.
        if (batch.rows === 0) return Promise.resolve(new Float32Array(0));
        const slot = slots[next];
        next = (next + 1) % slots.length;
        const result = slot.busy.then(() => runBatch(slot, x, batch));
        slot.busy = result.then(
          () => undefined,
          () => undefined,
        );
        return result;
      },
      dispose() {
        for (const slot of slots) {
          slot.x.destroy();
          slot.words.destroy();
          slot.a.destroy();
          slot.b.destroy();
          slot.staging.destroy();
          slot.timer?.destroy();
          for (const step of slot.steps) step.params.destroy();
        }
        tables.destroy();
        gibbs.destroy();
        cholesky.destroy();
      },
    };
  }

  /** Buffers of the fit's latent scoring, kept from call to call and grown when a call needs more. */
  private latent: LatentBuffers | undefined;

  readonly scoreLatent = async (x: Float32Array, batch: BatchRows, model: LatentModel, key: Uint32Array): Promise<Float32Array> => {
    const device = this.context.device;
    const dims = model.tables.d;
    const kernel = normalScoresKernel(model);
    const words = normalScoresWords(dims, model.sweeps);
    const wordsKernel = streamWordsKernel(words);
    const [pipeline, wordsPipeline] = await Promise.all([this.runner.pipeline(kernel), this.runner.pipeline(wordsKernel)]);
    const gibbsData = gibbsBuffer(model.precision, dims);
    const bytes = dims * batch.rows * 4;
    checkBindingSize(device, 'stream words', words * 4, batch.rows);
    const buffers = this.latentBuffers(kernel, wordsKernel, bytes, words * batch.rows * 4, model.tables.data.byteLength, gibbsData.byteLength);
    device.queue.writeBuffer(buffers.x, 0, x.buffer, x.byteOffset, x.byteLength);
    if (buffers.tablesData !== model.tables.data) {
      device.queue.writeBuffer(buffers.tables, 0, model.tables.data as Float32Array<ArrayBuffer>);
      buffers.tablesData = model.tables.data;
    }
    device.queue.writeBuffer(buffers.gibbs, 0, gibbsData);
    buffers.params.write(stageParams(batch.rows, batch.rowBase, batch.rowStride, key));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.runner.dispatch(pass, wordsPipeline, buffers.wordsBindGroup, streamWordsInvocations(words, batch.rows));
    this.runner.dispatch(pass, pipeline, buffers.bindGroup, batch.rows);
    pass.end();
    encoder.copyBufferToBuffer(buffers.scores, 0, buffers.staging, 0, Math.ceil(bytes / 4) * 4);
    device.queue.submit([encoder.finish()]);
    return new Float32Array(await readBack(device, buffers.staging, bytes), 0, dims * batch.rows);
  };

  private latentBuffers(kernel: KernelDefinition, wordsKernel: KernelDefinition, bytes: number, wordsBytes: number, tableBytes: number, gibbsBytes: number): LatentBuffers {
    const current = this.latent;
    if (current && current.bytes >= bytes && current.wordsBytes >= wordsBytes && current.tableBytes === tableBytes && current.gibbsBytes === gibbsBytes) return current;
    if (current) destroyLatent(current);
    const device = this.context.device;
    const x = storageBuffer(device, 'latent x', bytes);
    const words = storageBuffer(device, 'latent words', wordsBytes);
    const tables = storageBuffer(device, 'latent tables', tableBytes);
    const gibbs = storageBuffer(device, 'latent gibbs', gibbsBytes);
    const scores = storageBuffer(device, 'latent scores', bytes);
    const staging = device.createBuffer({ label: 'latent staging', size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const params = this.params();
    // Every normal_scores kernel shares one layout, so the bind group serves every round.
    const bindGroup = this.runner.bindGroup(kernel, { params: this.context.root.unwrap(params), x, tables, gibbs, words, scores });
    // The stream_words kernels of 0 and of the fit's sweeps share one layout too.
    const wordsBindGroup = this.runner.bindGroup(wordsKernel, { params: this.context.root.unwrap(params), words });
    this.latent = { bytes, wordsBytes, tableBytes, gibbsBytes, x, words, tables, gibbs, scores, staging, params, bindGroup, wordsBindGroup };
    return this.latent;
  }

  private readonly knnWorkspaces = new Map<string, KnnWorkspace>();

  knn(request: KnnRequest): Promise<KnnResult> {
    return gpuKnn(this.runner, request, DEFAULT_KNN_TILING, this.knnWorkspaces);
  }

  mix(request: MixRequest): Promise<Float32Array> {
    return gpuMix(this.runner, request);
  }

  destroy(): void {
    for (const workspace of this.knnWorkspaces.values()) workspace.destroy();
    if (this.latent) destroyLatent(this.latent);
    this.latent = undefined;
    releaseGpu(this.context);
  }
}

