import { normalQuantile } from '../stats/normal.js';

/**
 * Marginal distribution of one numeric column, fitted from aggregate statistics only.
 * - `table`: at most K distinct values, each with its cumulative probability. Tail
 *   values held by fewer than `minTailCount` rows are merged into their inner neighbour,
 *   so no single patient's extreme value is kept.
 * - `knots`: K + 1 quantile knots q_i = Q(clamp(i/K, τ, 1 − τ)), so the lowest and highest
 *   τ of the rows are winsorized and equal knots mark ties.
 */
export type Marginal = TableMarginal | KnotMarginal;

export interface TableMarginal {
  kind: 'table';
  /** Distinct values, ascending. */
  values: number[];
  /** Cumulative probability up to and including each value; the last is 1. */
  cumulative: number[];
}

export interface KnotMarginal {
  kind: 'knots';
  /** K + 1 non-decreasing knots at probabilities i / K. */
  knots: number[];
  /** Tail fraction τ that was winsorized at each end. */
  tail: number;
}

export interface MarginalOptions {
  /** Maximum table size and number of knot intervals (K). */
  resolution: number;
  /** Tail table entries with fewer rows merge into their neighbour. */
  minTailCount: number;
}

export const DEFAULT_MARGINAL_OPTIONS: MarginalOptions = { resolution: 1024, minTailCount: 10 };

/** Source of quantiles and value counts for one column (exact array or sketch). */
export interface QuantileSource {
  /** Number of non-missing values. */
  readonly count: number;
  /** Distinct values with counts, ascending, or undefined when there are more than `limit`. */
  distinctCounts(limit: number): { values: number[]; counts: number[] } | undefined;
  /** Quantile at probability p (linear interpolation between order statistics). */
  quantile(p: number): number;
}

export function fitMarginal(source: QuantileSource, options: MarginalOptions = DEFAULT_MARGINAL_OPTIONS): Marginal {
  const n = source.count;
  const distinct = source.distinctCounts(options.resolution);
  if (distinct) return fitTable(distinct.values, distinct.counts, n, options.minTailCount);

  const K = options.resolution;
  const tail = Math.max(1 / 1000, 10 / n, 1 / K);
  const knots: number[] = new Array(K + 1);
  for (let i = 0; i <= K; i++) {
    const p = Math.min(1 - tail, Math.max(tail, i / K));
    knots[i] = source.quantile(p);
  }
  for (let i = 1; i <= K; i++) if (knots[i] < knots[i - 1]) knots[i] = knots[i - 1];
  return { kind: 'knots', knots, tail };
}

function fitTable(values: number[], counts: number[], n: number, minTailCount: number): TableMarginal {
  const v = values.slice();
  const c = counts.slice();
  while (v.length > 1 && c[0] < minTailCount) {
    c[1] += c[0];
    v.shift();
    c.shift();
  }
  while (v.length > 1 && c[c.length - 1] < minTailCount) {
    c[c.length - 2] += c[c.length - 1];
    v.pop();
    c.pop();
  }
  const cumulative: number[] = new Array(v.length);
  let running = 0;
  for (let i = 0; i < v.length; i++) {
    running += c[i];
    cumulative[i] = running / n;
  }
  cumulative[v.length - 1] = 1;
  return { kind: 'table', values: v, cumulative };
}

/** Lowest and highest value a marginal can emit (the winsorized range). */
export function marginalRange(m: Marginal): [number, number] {
  if (m.kind === 'table') return [m.values[0], m.values[m.values.length - 1]];
  return [m.knots[0], m.knots[m.knots.length - 1]];
}

/** Normal-score bounds of each table entry's interval: z_i = Φ⁻¹(C_i). */
export function tableScoreBounds(m: TableMarginal): number[] {
  return m.cumulative.map((c) => normalQuantile(c));
}

/** Normal scores of the knot probabilities: z_i = Φ⁻¹(i / K). */
export function knotScores(m: KnotMarginal): number[] {
  const K = m.knots.length - 1;
  return m.knots.map((_, i) => normalQuantile(i / K));
}
