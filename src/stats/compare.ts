/** Two-sample comparisons used by the tests and the evaluator's utility measures. */

/** Non-missing values, sorted ascending. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[k++] = values[i];
  return out.sort();
}

/**
 * Kolmogorov–Smirnov distance sup |F_a − F_b| between two samples (missing values
 * ignored), evaluated after each distinct value so ties are handled exactly.
 */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 0 : 1;
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < x.length || j < y.length) {
    const v = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    best = Math.max(best, Math.abs(i / x.length - j / y.length));
  }
  return best;
}

/** Ranks with ties given their average rank; NaN stays NaN. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const index: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i])) index.push(i);
  index.sort((p, q) => values[p] - values[q]);
  const ranks = new Float64Array(n).fill(NaN);
  for (let start = 0; start < index.length; ) {
    let end = start + 1;
    while (end < index.length && values[index[end]] === values[index[start]]) end++;
    const rank = (start + end + 1) / 2;
    for (let k = start; k < end; k++) ranks[index[k]] = rank;
    start = end;
  }
  return ranks;
}

/** Pearson correlation over rows where both are present. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    n++;
    sa += a[i];
    sb += b[i];
  }
  if (n < 2) return NaN;
  const ma = sa / n;
  const mb = sb / n;
  let cab = 0, caa = 0, cbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    const da = a[i] - ma;
    const db = b[i] - mb;
    cab += da * db;
    caa += da * da;
    cbb += db * db;
  }
  return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : NaN;
}

/** Correlation matrix of columns (Pearson, or Spearman on average ranks). */
export function correlationMatrix(columns: ArrayLike<number>[], method: 'pearson' | 'spearman'): number[][] {
  const data = method === 'spearman' ? columns.map((c) => averageRanks(c)) : columns;
  const d = columns.length;
  const out: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(1));
  for (let j = 0; j < d; j++) {
    for (let k = j + 1; k < d; k++) {
      const r = pearson(data[j], data[k]);
      out[j][k] = r;
      out[k][j] = r;
    }
  }
  return out;
}

/** Largest absolute entry-wise difference of two matrices, ignoring NaN entries. */
export function maxAbsDifference(a: number[][], b: number[][]): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a.length; j++) {
      const diff = Math.abs(a[i][j] - b[i][j]);
      if (!Number.isNaN(diff)) best = Math.max(best, diff);
    }
  }
  return best;
}
