/**
 * Exact k-nearest-neighbour search by squared Euclidean distance, the CPU twin of the
 * knn_tile and topk kernels. Points are row-major (point i occupies [i·d, i·d + d)).
 * Results are sorted by distance, ties broken by the smaller candidate index, so both
 * backends return the same indices.
 */
export interface KnnRequest {
  queries: Float32Array;
  queryCount: number;
  candidates: Float32Array;
  candidateCount: number;
  d: number;
  k: number;
  /**
   * When set, query q is candidate q + selfOffset and is skipped (a search of a set
   * against itself uses 0).
   */
  selfOffset?: number;
  /** Skip candidates at distance 0 from the query (exact duplicates). */
  excludeDuplicates?: boolean;
}

export interface KnnResult {
  k: number;
  /** queryCount × k candidate indices, row-major; 0xffffffff where fewer than k exist. */
  indices: Uint32Array;
  /** Squared distances matching `indices`; Infinity where fewer than k exist. */
  distances: Float32Array;
}

export const NO_NEIGHBOUR = 0xffffffff;

/** Whether (distance a, index ia) sorts before (distance b, index ib). */
export function before(a: number, ia: number, b: number, ib: number): boolean {
  return a < b || (a === b && ia < ib);
}

export function knnReference(request: KnnRequest): KnnResult {
  const { queries, candidates, d, k, queryCount, candidateCount } = request;
  const indices = new Uint32Array(queryCount * k).fill(NO_NEIGHBOUR);
  const distances = new Float32Array(queryCount * k).fill(Infinity);
  const bestD = new Float64Array(k);
  const bestI = new Float64Array(k);

  for (let q = 0; q < queryCount; q++) {
    bestD.fill(Infinity);
    bestI.fill(NO_NEIGHBOUR);
    const qBase = q * d;
    const self = request.selfOffset === undefined ? -1 : q + request.selfOffset;
    for (let c = 0; c < candidateCount; c++) {
      if (c === self) continue;
      const cBase = c * d;
      // Float32 arithmetic in dimension order, as the knn_tile kernel computes it, so that
      // both backends rank near-ties the same way.
      let distance = 0;
      for (let j = 0; j < d; j++) {
        const diff = Math.fround(queries[qBase + j] - candidates[cBase + j]);
        distance = Math.fround(distance + Math.fround(diff * diff));
      }
      if (request.excludeDuplicates && distance === 0) continue;
      if (!before(distance, c, bestD[k - 1], bestI[k - 1])) continue;
      let at = k - 1;
      while (at > 0 && before(distance, c, bestD[at - 1], bestI[at - 1])) {
        bestD[at] = bestD[at - 1];
        bestI[at] = bestI[at - 1];
        at--;
      }
      bestD[at] = distance;
      bestI[at] = c;
    }
    for (let i = 0; i < k; i++) {
      indices[q * k + i] = bestI[i];
      distances[q * k + i] = bestD[i];
    }
  }
  return { k, indices, distances };
}
