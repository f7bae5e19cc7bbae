import { RowStream } from '../prf/stream.js';
import { chiNormalScore, chiRadiusFromScore } from '../stats/chi.js';
import { globalRow, type BatchRows } from './batch.js';

export interface RotateParams {
  /** Angle band in radians, θ ~ U(thetaMin, thetaMax). */
  thetaMin: number;
  thetaMax: number;
  /** Correlation between the radius's normal score before and after (1 keeps it). */
  rho: number;
}

/** Draw layout of a row's stream: θ uniform, the ε normal pair, then g. */
export const ROTATE_DRAW_THETA = 0;
export const ROTATE_DRAW_EPSILON = 2;
export const ROTATE_DRAW_DIRECTION = 4;

/**
 * Geodesic rotation in whitened space, in place: each row turns by a keyed angle θ
 * towards a keyed random direction orthogonal to it, and its radius is jittered on
 * the chi quantile scale. A row with w = 0 passes through.
 */
export function rotate(w: Float32Array, batch: BatchRows, d: number, params: RotateParams, key: Uint32Array): void {
  const n = batch.rows;
  const stream = new RowStream(key);
  const u = new Float64Array(d);
  const g = new Float64Array(d);
  const keepRadius = params.rho === 1;
  const jitter = Math.sqrt(Math.max(0, 1 - params.rho * params.rho));

  for (let r = 0; r < n; r++) {
    let radiusSquared = 0;
    for (let j = 0; j < d; j++) {
      u[j] = w[j * n + r];
      radiusSquared += u[j] * u[j];
    }
    if (radiusSquared === 0) continue;
    const radius = Math.sqrt(radiusSquared);
    for (let j = 0; j < d; j++) u[j] /= radius;

    stream.seek(globalRow(batch, r));
    const theta = params.thetaMin + (params.thetaMax - params.thetaMin) * stream.uniform(ROTATE_DRAW_THETA);

    // v: the component of a keyed normal vector orthogonal to u, normalized.
    let along = 0;
    for (let j = 0; j < d; j++) {
      g[j] = stream.normal(ROTATE_DRAW_DIRECTION + j);
      along += g[j] * u[j];
    }
    let normSquared = 0;
    for (let j = 0; j < d; j++) {
      g[j] -= along * u[j];
      normSquared += g[j] * g[j];
    }
    if (normSquared === 0) continue;
    const norm = Math.sqrt(normSquared);

    let newRadius = radius;
    if (!keepRadius) {
      const score = chiNormalScore(radius, d);
      const epsilon = stream.normal(ROTATE_DRAW_EPSILON);
      newRadius = chiRadiusFromScore(params.rho * score + jitter * epsilon, d);
    }

    const a = newRadius * Math.cos(theta);
    const b = (newRadius * Math.sin(theta)) / norm;
    for (let j = 0; j < d; j++) w[j * n + r] = a * u[j] + b * g[j];
  }
}
