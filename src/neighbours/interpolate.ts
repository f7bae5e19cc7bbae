import { RowStream } from '../prf/stream.js';
import { NO_NEIGHBOUR, type KnnResult } from '../reference/knn.js';
import { chiNormalScore, chiRadiusFromScore } from '../stats/chi.js';

export interface InterpolateParams {
  /** Neighbours to choose from. */
  knn: number;
  lambdaMin: number;
  lambdaMax: number;
  /** Correlation of the radius's normal score before and after, as in rotate. */
  rho: number;
}

/** Draw layout of a row's stream: neighbour pick, λ, then the ε normal pair. */
export const INTERPOLATE_DRAW_PICK = 0;
export const INTERPOLATE_DRAW_LAMBDA = 1;
export const INTERPOLATE_DRAW_EPSILON = 2;

/**
 * Neighbour interpolation in whitened space: row i moves towards a keyed uniform pick j
 * among its k nearest rows, w' = w + λ(w_j − w) with λ ~ U(λmin, λmax), and is then
 * rescaled to the row's own radius jittered on the chi quantile scale (as rotate does),
 * because scaling to the partner's norm shrinks the variance and the exact own norm is
 * a fingerprint. A row without neighbours, or with w' = 0, passes through.
 * Points are row-major n × d; returns new rows.
 */
export function interpolateRows(points: Float32Array, n: number, d: number, neighbours: KnnResult, params: InterpolateParams, key: Uint32Array, rowIds: Float64Array): Float32Array {
  const out = new Float32Array(points.length);
  const stream = new RowStream(key);
  const jitter = Math.sqrt(Math.max(0, 1 - params.rho * params.rho));
  const k = neighbours.k;
  const moved = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let available = 0;
    while (available < Math.min(k, params.knn) && neighbours.indices[i * k + available] !== NO_NEIGHBOUR) available++;
    if (available === 0) {
      out.set(points.subarray(base, base + d), base);
      continue;
    }
    stream.seek(rowIds[i]);
    const pick = neighbours.indices[i * k + Math.min(available - 1, Math.floor(stream.uniform(INTERPOLATE_DRAW_PICK) * available))];
    const lambda = params.lambdaMin + (params.lambdaMax - params.lambdaMin) * stream.uniform(INTERPOLATE_DRAW_LAMBDA);

    let radiusSquared = 0;
    let movedSquared = 0;
    const partner = pick * d;
    for (let j = 0; j < d; j++) {
      const w = points[base + j];
      radiusSquared += w * w;
      moved[j] = w + lambda * (points[partner + j] - w);
      movedSquared += moved[j] * moved[j];
    }
    if (movedSquared === 0) {
      out.set(points.subarray(base, base + d), base);
      continue;
    }
    const radius = Math.sqrt(radiusSquared);
    const newRadius = params.rho === 1 ? radius : chiRadiusFromScore(params.rho * chiNormalScore(radius, d) + jitter * stream.normal(INTERPOLATE_DRAW_EPSILON), d);
    const scale = newRadius / Math.sqrt(movedSquared);
    for (let j = 0; j < d; j++) out[base + j] = moved[j] * scale;
  }
  return out;
}
