import type { Band } from '../schema/schema.js';
import { correlationMatrix, ksDistance, maxAbsDifference, sortedFinite } from '../stats/compare.js';
import { numericColumn, type EvalRows } from './rows.js';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

export interface ColumnSummary {
  mean: number;
  sd: number;
  /** Values at QUANTILES (linear interpolation between order statistics). */
  quantiles: number[];
  missingShare: number;
}

export interface ColumnUtility {
  column: string;
  input: ColumnSummary;
  release: ColumnSummary;
  /** Kolmogorov–Smirnov distance between the input's and the release's values. */
  ks: number;
}

function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const at = p * (sorted.length - 1);
  const i = Math.floor(at);
  return i + 1 < sorted.length ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

export function summarize(values: Float64Array): ColumnSummary {
  const sorted = sortedFinite(values);
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) * (v - mean);
  return {
    mean,
    sd: n > 1 ? Math.sqrt(squares / (n - 1)) : NaN,
    quantiles: QUANTILES.map((p) => quantile(sorted, p)),
    missingShare: values.length > 0 ? 1 - n / values.length : NaN,
  };
}

export function columnUtility(names: string[], input: EvalRows, release: EvalRows): ColumnUtility[] {
  return names.map((column, j) => {
    const a = numericColumn(input, j);
    const b = numericColumn(release, j);
    return { column, input: summarize(a), release: summarize(b), ks: ksDistance(a, b) };
  });
}

export interface MatrixDifference {
  /** Largest absolute entry-wise difference. */
  max: number;
  /** Frobenius norm of the difference (both triangles, NaN entries skipped). */
  frobenius: number;
}

export function matrixDifference(a: number[][], b: number[][]): MatrixDifference {
  let squares = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a.length; j++) {
      const diff = a[i][j] - b[i][j];
      if (!Number.isNaN(diff)) squares += diff * diff;
    }
  }
  return { max: maxAbsDifference(a, b), frobenius: Math.sqrt(squares) };
}

export function correlations(rows: EvalRows, method: 'pearson' | 'spearman'): number[][] {
  const columns = Array.from({ length: rows.d }, (_, j) => numericColumn(rows, j));
  return correlationMatrix(columns, method);
}

export interface CorrelationUtility {
  method: 'pearson' | 'spearman';
  release: number[][];
  /** Release against the input. */
  vsInput: MatrixDifference;
  /** Release against the frame-only release (no operator), which isolates the operators' effect. */
  vsFrameOnly?: MatrixDifference;
}

export interface BandShare {
  name: string;
  min?: number;
  max?: number;
  input: number;
  release: number;
}

function bandShare(values: Float64Array, band: Band): number {
  let present = 0;
  let inside = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    present++;
    if ((band.min === undefined || v >= band.min) && (band.max === undefined || v < band.max)) inside++;
  }
  return present > 0 ? inside / present : NaN;
}

/** Share of present values in each clinical band [min, max) of the columns that have bands. */
export function bandShares(names: string[], bands: (Band[] | undefined)[], input: EvalRows, release: EvalRows): { column: string; bands: BandShare[] }[] {
  const out: { column: string; bands: BandShare[] }[] = [];
  names.forEach((column, j) => {
    const list = bands[j];
    if (!list || list.length === 0) return;
    const a = numericColumn(input, j);
    const b = numericColumn(release, j);
    out.push({ column, bands: list.map((band) => ({ name: band.name, min: band.min, max: band.max, input: bandShare(a, band), release: bandShare(b, band) })) });
  });
  return out;
}

/** Bins of one column's marginal plot, fixed by the input so that every release shares them. */
export interface HistogramBins {
  column: string;
  /** Bin edges: bin i is [edges[i], edges[i + 1]); one bin per value for discrete columns. */
  edges: number[];
  discrete: boolean;
}

/** At most this many distinct values make a column discrete in plots. */
const DISCRETE_LIMIT = 40;
const BINS = 40;

export function histogramBins(names: string[], input: EvalRows): HistogramBins[] {
  return names.map((column, j) => {
    const sorted = sortedFinite(numericColumn(input, j));
    const distinct: number[] = [];
    for (const v of sorted) {
      if (distinct.length > DISCRETE_LIMIT) break;
      if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
    }
    if (distinct.length <= DISCRETE_LIMIT) return { column, edges: [...distinct, Infinity], discrete: true };
    const low = quantile(sorted, 0.005);
    const high = quantile(sorted, 0.995);
    const edges = Array.from({ length: BINS + 1 }, (_, i) => low + ((high - low) * i) / BINS);
    return { column, edges, discrete: false };
  });
}

/** Share of present values in each bin; values outside the edges count in the end bins. */
export function histogramShares(bins: HistogramBins, values: Float64Array): number[] {
  const counts = new Array<number>(bins.edges.length - 1).fill(0);
  let present = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    present++;
    let lo = 0;
    let hi = counts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bins.edges[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[lo]++;
  }
  return counts.map((c) => (present > 0 ? c / present : 0));
}
