import type { EvalRows } from './rows.js';

/** Per-column mean and standard deviation of the input, over present values. */
export interface Standardizer {
  mean: Float64Array;
  sd: Float64Array;
}

export function standardizer(rows: EvalRows): Standardizer {
  const d = rows.d;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < rows.count; i++) {
      const v = rows.numeric[i * d + j];
      if (Number.isNaN(v)) continue;
      n++;
      sum += v;
      squares += v * v;
    }
    mean[j] = n > 0 ? sum / n : 0;
    const variance = n > 1 ? (squares - n * mean[j] * mean[j]) / (n - 1) : 0;
    // A constant column contributes nothing to distances.
    sd[j] = variance > 0 ? Math.sqrt(variance) : Infinity;
  }
  return { mean, sd };
}

/** A distance space: which numeric columns it uses and which text columns it one-hot encodes. */
export interface SpaceSpec {
  numeric: number[];
  /** Text columns (positions in EvalRows.text) with their dictionary sizes. */
  categorical: { column: number; size: number }[];
  /** Squared distance that one categorical mismatch adds; 1/C when absent. */
  mismatch?: number;
}

/**
 * Squared distance per categorical mismatch by default: 1/C for C categorical columns,
 * so that the categorical part of a distance is √(mismatches) scaled by 1/√C.
 */
export function defaultMismatch(categoricalColumns: number): number {
  return categoricalColumns > 0 ? 1 / categoricalColumns : 0;
}

export function spaceDimensions(spec: SpaceSpec): number {
  return spec.numeric.length + spec.categorical.reduce((sum, c) => sum + c.size, 0);
}

/**
 * Embeds rows `indices` (all rows when absent) for squared Euclidean distance, as
 * row-major float32. Numeric values are standardized with the input's mean and SD, and
 * a missing value sits at the mean (0). Each categorical column adds a one-hot block with
 * entries √(mismatch / 2), so two rows that differ in m categorical columns are
 * m · mismatch apart in squared distance (m/C by default).
 */
export function embed(rows: EvalRows, spec: SpaceSpec, scale: Standardizer, indices?: ArrayLike<number>): Float32Array {
  const count = indices ? indices.length : rows.count;
  const dims = spaceDimensions(spec);
  const out = new Float32Array(count * dims);
  const weight = Math.sqrt((spec.mismatch ?? defaultMismatch(spec.categorical.length)) / 2);
  for (let q = 0; q < count; q++) {
    const i = indices ? indices[q] : q;
    const base = q * dims;
    spec.numeric.forEach((j, at) => {
      const v = rows.numeric[i * rows.d + j];
      out[base + at] = Number.isNaN(v) ? 0 : (v - scale.mean[j]) / scale.sd[j];
    });
    let offset = base + spec.numeric.length;
    for (const { column, size } of spec.categorical) {
      const code = rows.text[column][i];
      if (code >= 0 && code < size) out[offset + code] = weight;
      offset += size;
    }
  }
  return out;
}
