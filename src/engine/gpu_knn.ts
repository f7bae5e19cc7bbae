import { KNN_TILE, knnTileKernel } from '../../kernels/knn_tile.js';
import { topkKernel } from '../../kernels/topk.js';
import { dispatchGrid, readBack, storageBuffer, type KernelRunner } from '../gpu/runner.js';
import { FAR, KnnParams } from '../gpu/schemas.js';
import { NO_NEIGHBOUR, type KnnRequest, type KnnResult } from '../reference/knn.js';

/** Largest k the topk kernel keeps per query (its list lives in private memory). */
export const MAX_GPU_K = 64;

export interface KnnTiling {
  /** Queries per tile (rows of the running top-k lists on the device). */
  queries: number;
  /** Candidates per tile; the distance tile holds queries × candidates floats. */
  candidates: number;
}

export const DEFAULT_KNN_TILING: KnnTiling = { queries: 4096, candidates: 4096 };

/**
 * Device buffers of the kNN kernels for one (d, k), reused across calls: Dawn clears
 * every new buffer, and the blocked neighbour search makes hundreds of small calls.
 */
export class KnnWorkspace {
  private readonly buffers: GPUBuffer[] = [];
  readonly queries: GPUBuffer;
  readonly candidates: GPUBuffer;
  readonly distances: GPUBuffer;
  readonly bestDistances: GPUBuffer;
  readonly bestIndices: GPUBuffer;
  readonly staging: GPUBuffer;
  readonly params;
  readonly tileGroup: GPUBindGroup;
  readonly selectGroup: GPUBindGroup;
  readonly emptyDistances: Float32Array<ArrayBuffer>;
  readonly emptyIndices: Uint32Array<ArrayBuffer>;

  constructor(
    readonly runner: KernelRunner,
    readonly d: number,
    readonly k: number,
    readonly queryTile: number,
    readonly candidateTile: number,
  ) {
    const device = runner.device;
    const root = runner.context.root;
    const keep = (buffer: GPUBuffer): GPUBuffer => {
      this.buffers.push(buffer);
      return buffer;
    };
    this.queries = keep(storageBuffer(device, 'knn queries', queryTile * d * 4));
    this.candidates = keep(storageBuffer(device, 'knn candidates', candidateTile * d * 4));
    this.distances = keep(storageBuffer(device, 'knn distances', queryTile * candidateTile * 4));
    this.bestDistances = keep(storageBuffer(device, 'knn best distances', queryTile * k * 4));
    this.bestIndices = keep(storageBuffer(device, 'knn best indices', queryTile * k * 4));
    this.staging = keep(device.createBuffer({ label: 'knn staging', size: queryTile * k * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
    this.params = root.createBuffer(KnnParams).$usage('uniform');
    this.tileGroup = runner.bindGroup(knnTileKernel(d), { knn: root.unwrap(this.params), queries: this.queries, candidates: this.candidates, distances: this.distances });
    this.selectGroup = runner.bindGroup(topkKernel(k), {
      knn: root.unwrap(this.params),
      distances: this.distances,
      best_distances: this.bestDistances,
      best_indices: this.bestIndices,
    });
    this.emptyDistances = new Float32Array(queryTile * k).fill(FAR);
    this.emptyIndices = new Uint32Array(queryTile * k).fill(NO_NEIGHBOUR);
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.params.destroy();
  }
}

/**
 * Exact kNN on the GPU: for each tile of queries, candidate tiles are streamed through
 * the knn_tile kernel (a distance tile) and the topk kernel (merged into running lists),
 * so device memory is O(tile² + tile · k) whatever the number of points. A workspace
 * from an earlier call with the same d, k and tiling is reused.
 */
export async function gpuKnn(runner: KernelRunner, request: KnnRequest, tiling: KnnTiling = DEFAULT_KNN_TILING, workspaces?: Map<string, KnnWorkspace>): Promise<KnnResult> {
  const { d, k, queryCount, candidateCount } = request;
  if (k > MAX_GPU_K) throw new Error(`kNN on the GPU keeps at most k = ${MAX_GPU_K} neighbours, ${k} were requested`);
  const device = runner.device;
  const [tilePipeline, selectPipeline] = await Promise.all([runner.pipeline(knnTileKernel(d)), runner.pipeline(topkKernel(k))]);

  const cacheKey = `${d}:${k}:${tiling.queries}:${tiling.candidates}`;
  let workspace = workspaces?.get(cacheKey);
  if (!workspace) {
    workspace = new KnnWorkspace(runner, d, k, tiling.queries, tiling.candidates);
    workspaces?.set(cacheKey, workspace);
  }
  const w = workspace;

  const indices = new Uint32Array(queryCount * k);
  const result = new Float32Array(queryCount * k);
  try {
    for (let qs = 0; qs < queryCount; qs += w.queryTile) {
      const qn = Math.min(w.queryTile, queryCount - qs);
      device.queue.writeBuffer(w.queries, 0, request.queries.buffer as ArrayBuffer, request.queries.byteOffset + qs * d * 4, qn * d * 4);
      device.queue.writeBuffer(w.bestDistances, 0, w.emptyDistances, 0, qn * k);
      device.queue.writeBuffer(w.bestIndices, 0, w.emptyIndices, 0, qn * k);

      for (let cs = 0; cs < candidateCount; cs += w.candidateTile) {
        const cn = Math.min(w.candidateTile, candidateCount - cs);
        // Queue writes and submissions run in order, so reusing the buffers is safe.
        device.queue.writeBuffer(w.candidates, 0, request.candidates.buffer as ArrayBuffer, request.candidates.byteOffset + cs * d * 4, cn * d * 4);
        w.params.write({
          queryCount: qn,
          candidateCount: cn,
          queryStart: qs,
          candidateStart: cs,
          selfOffset: (request.selfOffset ?? 0) >>> 0,
          excludeSelf: request.selfOffset === undefined ? 0 : 1,
          excludeDuplicates: request.excludeDuplicates ? 1 : 0,
          padding: 0,
        });
        const encoder = device.createCommandEncoder({ label: 'knn tile' });
        const pass = encoder.beginComputePass();
        dispatchGrid(pass, tilePipeline, w.tileGroup, Math.ceil(qn / KNN_TILE), Math.ceil(cn / KNN_TILE));
        runner.dispatch(pass, selectPipeline, w.selectGroup, qn);
        pass.end();
        device.queue.submit([encoder.finish()]);
      }

      const encoder = device.createCommandEncoder({ label: 'knn read-back' });
      encoder.copyBufferToBuffer(w.bestDistances, 0, w.staging, 0, qn * k * 4);
      encoder.copyBufferToBuffer(w.bestIndices, 0, w.staging, qn * k * 4, qn * k * 4);
      device.queue.submit([encoder.finish()]);
      const bytes = await readBack(device, w.staging, qn * k * 8);
      const tileDistances = new Float32Array(bytes, 0, qn * k);
      for (let i = 0; i < qn * k; i++) result[qs * k + i] = tileDistances[i] >= FAR ? Infinity : tileDistances[i];
      indices.set(new Uint32Array(bytes, qn * k * 4, qn * k), qs * k);
    }
  } finally {
    if (!workspaces) w.destroy();
  }
  return { k, indices, distances: result };
}
