import type { Engine } from '../engine/engine.js';
import type { KnnResult } from '../reference/knn.js';

/** Queries sent to the engine per call; results for all queries are O(queries · k). */
export const QUERY_TILE_ROWS = 4096;

export interface NeighbourSearch {
  queries: Float32Array;
  queryCount: number;
  candidates: Float32Array;
  candidateCount: number;
  d: number;
  k: number;
}

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
