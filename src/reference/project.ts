import { RowStream } from '../prf/stream.js';
import { globalRow, type BatchRows } from './batch.js';

export interface ProjectParams {
  /** Dimension of the kept subspace, 1 ≤ k ≤ d − 1. */
  k: number;
}

/**
 * Number of Householder reflections that define a row's subspace: the subspace (or,
 * when k > d/2, its complement) is spanned by the first m columns of H_1 ⋯ H_m.
 */
export function projectReflections(d: number, k: number): number {
  return Math.min(k, d - k);
}

/** First draw of reflection j (which uses d − j normals). */
export function reflectionDraw(d: number, j: number): number {
  return j * d - (j * (j - 1)) / 2;
}

/**
 * Applies reflection j of a row's stream to y in place: H_j = I − 2vvᵀ/‖v‖² on
 * coordinates j .. d−1, with v = x + sign(x_0)‖x‖e_0 and x a keyed normal vector.
 */
function reflect(stream: RowStream, d: number, j: number, y: Float64Array, v: Float64Array): void {
  const first = reflectionDraw(d, j);
  const size = d - j;
  let normSquared = 0;
  for (let i = 0; i < size; i++) {
    v[i] = stream.normal(first + i);
    normSquared += v[i] * v[i];
  }
  const norm = Math.sqrt(normSquared);
  const head = v[0];
  v[0] = head + (head >= 0 ? norm : -norm);
  const vNormSquared = normSquared - head * head + v[0] * v[0];
  if (vNormSquared === 0) return;

  let dot = 0;
  for (let i = 0; i < size; i++) dot += v[i] * y[j + i];
  const scale = (2 * dot) / vNormSquared;
  for (let i = 0; i < size; i++) y[j + i] -= scale * v[i];
}

/**
 * Subspace resampling in whitened space, in place: w' = PPᵀw + (I − PPᵀ)g with P a
 * keyed uniformly random k-dimensional subspace per row and g keyed normals.
 *
 * P comes from m = min(k, d − k) Householder reflections H = H_1 ⋯ H_m (Stewart's
 * construction of a Haar orthogonal matrix, truncated): its first m columns span a
 * uniformly random m-dimensional subspace. In the coordinates a = Hᵀw the kept
 * subspace is the first k (or last k) coordinates; the others are replaced by fresh
 * normals, which is (I − PPᵀ)g in distribution because Hᵀg ~ N(0, I). Memory per row
 * stays O(d) because reflections are regenerated from the PRF instead of stored.
 */
export function project(w: Float32Array, batch: BatchRows, d: number, params: ProjectParams, key: Uint32Array): void {
  const n = batch.rows;
  const k = params.k;
  const m = projectReflections(d, k);
  const keepLeading = k <= d - k;
  const fresh = reflectionDraw(d, m);
  const stream = new RowStream(key);
  const y = new Float64Array(d);
  const v = new Float64Array(d);

  for (let r = 0; r < n; r++) {
    stream.seek(globalRow(batch, r));
    for (let j = 0; j < d; j++) y[j] = w[j * n + r];

    for (let j = 0; j < m; j++) reflect(stream, d, j, y, v);

    // Coordinates outside the kept subspace get fresh normals.
    if (keepLeading) {
      for (let i = k; i < d; i++) y[i] = stream.normal(fresh + i - k);
    } else {
      for (let i = 0; i < d - k; i++) y[i] = stream.normal(fresh + i);
    }

    for (let j = m - 1; j >= 0; j--) reflect(stream, d, j, y, v);
    for (let j = 0; j < d; j++) w[j * n + r] = y[j];
  }
}
