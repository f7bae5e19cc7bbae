import type { Marginal } from './marginal.js';
import { knotScores, tableScoreBounds } from './marginal.js';

/** Stand-in for an infinite normal-score bound: WGSL has no portable infinity. */
export const SCORE_BOUND = 1e30;

export const TABLE_KIND = 0;
export const KNOTS_KIND = 1;

/**
 * The marginals of all numeric columns packed for the normal_scores and back_map
 * stages, identical for the WGSL kernels and the CPU reference. Column j occupies
 * data[offsets[j] .. offsets[j] + 3 * sizes[j]): first its table values or knots,
 * then the normal-score bound of each entry (Φ⁻¹ of its cumulative probability), with
 * ±SCORE_BOUND in place of ±∞, then for each entry the index of the last entry equal
 * to it. That run end saves a tied value its second binary search.
 */
export interface MarginalTables {
  d: number;
  kinds: Uint32Array;
  offsets: Uint32Array;
  sizes: Uint32Array;
  data: Float32Array;
}

export function packMarginals(marginals: readonly Marginal[]): MarginalTables {
  const d = marginals.length;
  const kinds = new Uint32Array(d);
  const offsets = new Uint32Array(d);
  const sizes = new Uint32Array(d);
  let total = 0;
  for (let j = 0; j < d; j++) {
    const m = marginals[j];
    sizes[j] = m.kind === 'table' ? m.values.length : m.knots.length;
    kinds[j] = m.kind === 'table' ? TABLE_KIND : KNOTS_KIND;
    offsets[j] = total;
    total += 3 * sizes[j];
  }

  const data = new Float32Array(total);
  for (let j = 0; j < d; j++) {
    const m = marginals[j];
    const points = m.kind === 'table' ? m.values : m.knots;
    const bounds = m.kind === 'table' ? tableScoreBounds(m) : knotScores(m);
    const base = offsets[j];
    const size = sizes[j];
    for (let i = 0; i < size; i++) {
      data[base + i] = points[i];
      data[base + size + i] = Math.max(-SCORE_BOUND, Math.min(SCORE_BOUND, bounds[i]));
    }
    // Run ends compare the float32 values, as the lookups do.
    for (let i = size - 1; i >= 0; i--) {
      const last = i + 1 < size && data[base + i + 1] === data[base + i] ? data[base + 2 * size + i + 1] : i;
      data[base + 2 * size + i] = last;
    }
  }
  return { d, kinds, offsets, sizes, data };
}
