import type { LatentScorer } from '../frame/latent.js';
import type { LoadedFrame } from '../frame/frame.js';
import type { BatchRows } from '../reference/batch.js';
import type { MixRequest } from '../neighbours/mix.js';
import type { KnnRequest, KnnResult } from '../reference/knn.js';
import type { ProjectParams } from '../reference/project.js';
import type { RotateParams } from '../reference/rotate.js';

/** A row-wise operator stage with its derived key. */
export type RowStage =
  | { op: 'rotate'; params: RotateParams; key: Uint32Array }
  | { op: 'project'; params: ProjectParams; key: Uint32Array };

/** Everything the numeric part of `apply` needs for one run. */
export interface NumericPlan {
  frame: LoadedFrame;
  latentKey: Uint32Array;
  sweeps: number;
  stages: RowStage[];
  /**
   * Where a batch enters: raw values (normal scores and whitening first, the default)
   * or rows already whitened. Neighbour operators split a run into such segments.
   */
  from?: 'values' | 'whitened';
  /** What a batch returns: back-mapped marginal positions (default) or whitened rows. */
  to?: 'positions' | 'whitened';
}

/** Time spent per step, in milliseconds, summed over batches. */
export type StageTimes = Record<string, number>;

/**
 * The numeric pipeline of one run on one backend: normal scores and latent Gibbs
 * sweeps, whitening, the row-wise operators, un-whitening and back-mapping to
 * marginal positions. Input and output are columnar (d × rows); NumericPlan's `from`
 * and `to` cut the pipeline before or after the operators.
 */
export interface NumericPipeline {
  run(x: Float32Array, batch: BatchRows): Promise<Float32Array>;
  readonly times: StageTimes;
  dispose(): void;
}

export interface Engine {
  readonly kind: 'gpu' | 'cpu';
  /** Human-readable device: the adapter's description, or the CPU reference. */
  readonly device: string;
  /** Builds the pipeline; `capacityRows` bounds the rows of one batch (default: the engine's batch size). */
  createPipeline(plan: NumericPlan, capacityRows?: number): Promise<NumericPipeline>;
  /** Normal scores with Gibbs sweeps, used by the fit's latent rounds. */
  readonly scoreLatent: LatentScorer;
  /**
   * Exact k nearest neighbours by squared Euclidean distance, ties broken by index;
   * the same indices on every backend. Used by the neighbour operators and the evaluator.
   */
  knn(request: KnnRequest): Promise<KnnResult>;
  /** k-record Gaussian mixing of grouped whitened rows; returns row-major n × d rows. */
  mix(request: MixRequest): Promise<Float32Array>;
  destroy(): void;
}
