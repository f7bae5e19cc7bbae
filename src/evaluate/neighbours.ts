import type { Engine } from '../engine/engine.js';
import type { KnnRequest, KnnResult } from '../reference/knn.js';

/** Queries sent to the engine per call; results for all queries are O(queries · k). */
export const QUERY_TILE_ROWS = 4096;

/** A search of every query against all candidates; self and duplicate exclusion are not used here. */
export type NeighbourSearch = Omit<KnnRequest, 'selfOffset' | 'excludeDuplicates'>;

/**
 * Exact k nearest candidates of every query through `engine.knn`, one tile of queries
 * per call against all candidates, so each call's memory is bounded by the tile.
 * `progress` receives the queries done.
 */
export async function nearestNeighbours(engine: Engine, search: NeighbourSearch, progress?: (rows: number, final?: boolean) => void): Promise<KnnResult> {
  const { d, queryCount } = search;
  const k = Math.min(search.k, search.candidateCount);
  const indices = new Uint32Array(queryCount * k);
  const distances = new Float32Array(queryCount * k);
  for (let start = 0; start < queryCount; start += QUERY_TILE_ROWS) {
    const rows = Math.min(QUERY_TILE_ROWS, queryCount - start);
    const result = await engine.knn({
      queries: search.queries.subarray(start * d, (start + rows) * d),
      queryCount: rows,
      candidates: search.candidates,
      candidateCount: search.candidateCount,
      d,
      k,
    });
    indices.set(result.indices, start * k);
    distances.set(result.distances, start * k);
    progress?.(start + rows);
  }
  progress?.(queryCount, true);
  return { k, indices, distances };
}

/**
 * Searches the k nearest released rows of targets and controls (both embedded, row-major)
 * in one pass; queries 0 … targets − 1 are the targets, the rest the controls.
 */
export function neighboursOfTargetsAndControls(
  engine: Engine,
  release: Float32Array,
  targets: Float32Array,
  controls: Float32Array,
  d: number,
  k: number,
  progress?: (rows: number, final?: boolean) => void,
): Promise<KnnResult> {
  const queries = new Float32Array(targets.length + controls.length);
  queries.set(targets);
  queries.set(controls, targets.length);
  return nearestNeighbours(engine, { queries, queryCount: queries.length / d, candidates: release, candidateCount: release.length / d, d, k }, progress);
}
