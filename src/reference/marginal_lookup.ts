import { KNOTS_KIND, SCORE_BOUND, type MarginalTables } from '../frame/tables.js';
import { normalCdf, normalQuantile } from '../stats/normal.js';

/**
 * Normal-score interval of one cell: [lo, hi] with lo === hi for a value that maps to a
 * single score, ±Infinity for open ends. Mirrors `cell_interval` in shaders/marginal.wgsl.
 */
export interface ScoreInterval {
  lo: number;
  hi: number;
}

function bound(value: number): number {
  if (value <= -SCORE_BOUND) return -Infinity;
  if (value >= SCORE_BOUND) return Infinity;
  return value;
}

/** First index in data[start, start + size) whose value is ≥ x (size if none). */
function lowerBound(data: Float32Array, start: number, size: number, x: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (data[start + mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Writes the score interval of value x (a float32, not NaN) in column j into `out`. */
export function cellInterval(tables: MarginalTables, j: number, x: number, out: ScoreInterval): void {
  const data = tables.data;
  const start = tables.offsets[j];
  const size = tables.sizes[j];
  const scores = start + size;
  const runEnds = start + 2 * size;

  if (tables.kinds[j] !== KNOTS_KIND) {
    // Value table: the nearest entry (the lower one on an exact midpoint) owns x.
    let e = lowerBound(data, start, size, x);
    if (e === size) e = size - 1;
    else if (e > 0 && data[start + e] !== x && x - data[start + e - 1] <= data[start + e] - x) e -= 1;
    out.lo = e === 0 ? -Infinity : bound(data[scores + e - 1]);
    out.hi = bound(data[scores + e]);
    return;
  }

  const K = size - 1;
  const first = data[start];
  const last = data[start + K];
  if (x <= first) {
    // Winsorized lower tail: the whole run of knots equal to q_0 is one tie.
    const b = Math.max(1, data[runEnds]);
    out.lo = -Infinity;
    out.hi = bound(data[scores + b]);
    return;
  }
  if (x >= last) {
    const a = Math.min(K - 1, lowerBound(data, start, size, last));
    out.lo = bound(data[scores + a]);
    out.hi = Infinity;
    return;
  }

  const a = lowerBound(data, start, size, x);
  if (data[start + a] === x) {
    const b = data[runEnds + a];
    out.lo = bound(data[scores + a]);
    out.hi = bound(data[scores + b]);
    return;
  }
  const below = data[start + a - 1];
  const fraction = (x - below) / (data[start + a] - below);
  const z = normalQuantile((a - 1 + fraction) / K);
  out.lo = z;
  out.hi = z;
}

/**
 * Back-mapping position of normal score z in column j: for a value table the index of
 * the entry whose interval holds z; for knots t = Φ(z)·K in [0, K]. Mirrors
 * `score_position` in shaders/marginal.wgsl.
 */
export function scorePosition(tables: MarginalTables, j: number, z: number): number {
  const data = tables.data;
  const start = tables.offsets[j];
  const size = tables.sizes[j];
  if (tables.kinds[j] !== KNOTS_KIND) {
    const e = lowerBound(data, start + size, size, z);
    return Math.min(e, size - 1);
  }
  const K = size - 1;
  return Math.min(K, Math.max(0, normalCdf(z) * K));
}
