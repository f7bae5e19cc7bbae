import type { Engine } from '../../engine/engine.js';
import { wilsonInterval, type Interval } from '../intervals.js';
import { nearestNeighbours } from '../neighbours.js';

export interface LinkageResult {
  /** Targets attacked. */
  queries: number;
  /** Released rows each target is linked against. */
  candidates: number;
  /** Share of targets whose own released row ranks first. */
  accuracy: number;
  /** 95% Wilson interval of the accuracy. */
  interval: Interval;
  /** Share of targets whose own released row is among the first five. */
  top5: number;
  /** Accuracy of a random guess, 1 / candidates. */
  chance: number;
}

/** Builds a LinkageResult from per-target success probabilities (1/0, or a share for ties). */
export function linkageResult(first: Float64Array, firstFive: Float64Array, candidates: number): LinkageResult {
  const n = first.length;
  let hits = 0;
  let hits5 = 0;
  for (let q = 0; q < n; q++) {
    hits += first[q];
    hits5 += firstFive[q];
  }
  return { queries: n, candidates, accuracy: n > 0 ? hits / n : NaN, interval: wilsonInterval(hits, n), top5: n > 0 ? hits5 / n : NaN, chance: 1 / candidates };
}

/**
 * Links each target's true values (`queries`, embedded) to the nearest released rows
 * (`candidates`) by exact kNN through the engine. `truth[q]` is the released row of
 * query q. Ties are broken by candidate index, and the release is in keyed random order,
 * so a tie is a random pick.
 */
export async function recordLinkage(
  engine: Engine,
  queries: Float32Array,
  candidates: Float32Array,
  d: number,
  truth: Int32Array,
  progress?: (rows: number, final?: boolean) => void,
): Promise<LinkageResult> {
  const queryCount = truth.length;
  const candidateCount = candidates.length / d;
  const { k, indices } = await nearestNeighbours(engine, { queries, queryCount, candidates, candidateCount, d, k: 5 }, progress);
  const first = new Float64Array(queryCount);
  const firstFive = new Float64Array(queryCount);
  for (let q = 0; q < queryCount; q++) {
    if (indices[q * k] === truth[q]) first[q] = 1;
    for (let i = 0; i < k; i++) if (indices[q * k + i] === truth[q]) firstFive[q] = 1;
  }
  return linkageResult(first, firstFive, candidateCount);
}
