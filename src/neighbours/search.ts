import type { Engine } from '../engine/engine.js';
import { before, NO_NEIGHBOUR, type KnnResult } from '../reference/knn.js';
import { partition } from './partition.js';

export interface NeighbourOptions {
  k: number;
  /** Up to this many rows, search exactly over all rows. */
  exactLimit: number;
  /** Largest block of the blocked search. */
  blockSize: number;
  /** Keep adding partitions until the sampled recall reaches this. */
  recallTarget: number;
  maxPartitions: number;
  /** Rows whose neighbours are checked against exact global kNN for the recall. */
  recallSample: number;
  key: Uint32Array;
  /** Force the blocked path whatever the row count (tests, benchmarks). */
  forceBlocked?: boolean;
}

export const DEFAULT_NEIGHBOUR_OPTIONS: Omit<NeighbourOptions, 'key' | 'k'> = {
  exactLimit: 100_000,
  blockSize: 4096,
  recallTarget: 0.95,
  maxPartitions: 8,
  recallSample: 2000,
};

/** Report of one neighbour search: mode, blocks, recall and time. */
export interface NeighbourReport {
  mode: 'exact' | 'blocked';
  k: number;
  rows: number;
  partitions: number;
  blocks: { count: number; minRows: number; maxRows: number };
  /** Share of true k nearest found, on a sample of rows (1 for the exact path). */
  recall: number;
  recallSampleRows: number;
  seconds: number;
}

/** Rows [order[from], …, order[to−1]] of a row-major point set, gathered contiguously. */
function gather(points: Float32Array, d: number, order: Uint32Array, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * d);
  for (let i = from; i < to; i++) out.set(points.subarray(order[i] * d, order[i] * d + d), (i - from) * d);
  return out;
}

/** Merges candidate (distance, row) pairs into row q's sorted list of k. */
function mergeInto(result: KnnResult, q: number, distance: number, row: number): void {
  const k = result.k;
  const base = q * k;
  if (!before(distance, row, result.distances[base + k - 1], result.indices[base + k - 1])) return;
  for (let i = 0; i < k; i++) if (result.indices[base + i] === row) return;
  let at = k - 1;
  while (at > 0 && before(distance, row, result.distances[base + at - 1], result.indices[base + at - 1])) {
    result.distances[base + at] = result.distances[base + at - 1];
    result.indices[base + at] = result.indices[base + at - 1];
    at--;
  }
  result.distances[base + at] = distance;
  result.indices[base + at] = row;
}

/** Evenly spaced sample rows for the recall check. */
function sampleRows(n: number, count: number): Uint32Array {
  const size = Math.min(n, count);
  return Uint32Array.from({ length: size }, (_, i) => Math.floor((i * n) / size));
}

/**
 * Finds the k nearest other rows of every row (Euclidean, exact duplicates excluded).
 * Up to `exactLimit` rows the search is exact over all rows. Beyond that, each block of
 * a principal-axis partition is searched against its parent block (the block and its
 * sibling). Differently tilted partitions are added until the recall, measured against
 * exact global kNN on a sample, reaches the target.
 */
export async function findNeighbours(engine: Engine, points: Float32Array, n: number, d: number, options: NeighbourOptions): Promise<{ result: KnnResult; report: NeighbourReport }> {
  const started = performance.now();
  const k = options.k;
  if (n <= options.exactLimit && !options.forceBlocked) {
    const result = await engine.knn({ queries: points, queryCount: n, candidates: points, candidateCount: n, d, k, excludeDuplicates: true });
    return {
      result,
      report: { mode: 'exact', k, rows: n, partitions: 0, blocks: { count: 1, minRows: n, maxRows: n }, recall: 1, recallSampleRows: 0, seconds: (performance.now() - started) / 1000 },
    };
  }

  const result: KnnResult = { k, indices: new Uint32Array(n * k).fill(NO_NEIGHBOUR), distances: new Float32Array(n * k).fill(Infinity) };
  const sample = sampleRows(n, options.recallSample);
  const truth = await engine.knn({ queries: gather(points, d, sample, 0, sample.length), queryCount: sample.length, candidates: points, candidateCount: n, d, k, excludeDuplicates: true });
  let recall = 0;
  let partitions = 0;
  let blockCount = 0;
  let minRows = Infinity;
  let maxRows = 0;

  while (partitions < options.maxPartitions) {
    const tree = partition(points, d, n, { maxBlock: options.blockSize, key: options.key, variant: partitions });
    partitions++;
    const blocks = tree.offsets.length - 1;
    blockCount = blocks;
    for (let b = 0; b < blocks; b++) {
      const start = tree.offsets[b];
      const end = tree.offsets[b + 1];
      minRows = Math.min(minRows, end - start);
      maxRows = Math.max(maxRows, end - start);
      const parentStart = tree.parents[2 * b];
      const parentEnd = tree.parents[2 * b + 1];
      const local = await engine.knn({
        queries: gather(points, d, tree.order, start, end),
        queryCount: end - start,
        candidates: gather(points, d, tree.order, parentStart, parentEnd),
        candidateCount: parentEnd - parentStart,
        d,
        k,
        excludeDuplicates: true,
      });
      for (let i = 0; i < end - start; i++) {
        const row = tree.order[start + i];
        for (let j = 0; j < k; j++) {
          const c = local.indices[i * k + j];
          if (c === NO_NEIGHBOUR) break;
          mergeInto(result, row, local.distances[i * k + j], tree.order[parentStart + c]);
        }
      }
    }

    let found = 0;
    let wanted = 0;
    sample.forEach((row, s) => {
      const mine = new Set(result.indices.subarray(row * k, row * k + k));
      for (let j = 0; j < k; j++) {
        const t = truth.indices[s * k + j];
        if (t === NO_NEIGHBOUR) continue;
        wanted++;
        if (mine.has(t)) found++;
      }
    });
    recall = wanted === 0 ? 1 : found / wanted;
    if (recall >= options.recallTarget) break;
  }

  return {
    result,
    report: { mode: 'blocked', k, rows: n, partitions, blocks: { count: blockCount, minRows, maxRows }, recall, recallSampleRows: sample.length, seconds: (performance.now() - started) / 1000 },
  };
}
