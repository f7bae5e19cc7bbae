import { keyedPermutation } from '../../pipeline/order.js';
import { predict, RidgeFit } from '../least_squares.js';
import type { EvalRows } from '../rows.js';
import type { Standardizer } from '../space.js';

export interface ColumnError {
  column: string;
  /** Root mean squared error over the column's SD (1 is as bad as guessing the mean). */
  rmseOverSd: number;
  /** Share of reconstructed values within 0.1 SD of the truth. */
  within01Sd: number;
  values: number;
}

export interface ReconstructionResult {
  /** Known (input, release) pairs the attacker fitted on; 0 for the naive attack. */
  pairs: number;
  /** Rows the errors were measured on. */
  evaluated: number;
  columns: ColumnError[];
  meanRmseOverSd: number;
  meanWithin01Sd: number;
}

export interface Reconstructions {
  /** x̂ = the released row in the same position (the order is known). */
  naive: ReconstructionResult;
  /** Least squares x ≈ A y + b fitted on m = 2d known pairs. */
  knownPairs: ReconstructionResult;
  /** The same fitted on half of all pairs and measured on the other half. */
  bestLinear: ReconstructionResult;
}

function standardized(rows: EvalRows, i: number, scale: Standardizer, out: Float64Array): void {
  for (let j = 0; j < rows.d; j++) {
    const v = rows.numeric[i * rows.d + j];
    out[j] = Number.isNaN(v) || !Number.isFinite(scale.sd[j]) ? 0 : (v - scale.mean[j]) / scale.sd[j];
  }
}

/** Per-column errors of estimates `estimate(i, j)` (standardized, NaN for none) over rows `rows`. */
function measure(names: string[], targets: EvalRows, scale: Standardizer, rows: ArrayLike<number>, pairs: number, estimate: (i: number, j: number) => number): ReconstructionResult {
  const d = targets.d;
  const columns: ColumnError[] = [];
  for (let j = 0; j < d; j++) {
    let n = 0;
    let squares = 0;
    let close = 0;
    for (let q = 0; q < rows.length; q++) {
      const i = rows[q];
      const truth = targets.numeric[i * d + j];
      const guess = estimate(i, j);
      if (Number.isNaN(truth) || Number.isNaN(guess) || !Number.isFinite(scale.sd[j])) continue;
      const error = (truth - scale.mean[j]) / scale.sd[j] - guess;
      n++;
      squares += error * error;
      if (Math.abs(error) <= 0.1) close++;
    }
    columns.push({ column: names[j], rmseOverSd: n > 0 ? Math.sqrt(squares / n) : NaN, within01Sd: n > 0 ? close / n : NaN, values: n });
  }
  const measured = columns.filter((c) => c.values > 0);
  const mean = (pick: (c: ColumnError) => number) => measured.reduce((s, c) => s + pick(c), 0) / Math.max(1, measured.length);
  return { pairs, evaluated: rows.length, columns, meanRmseOverSd: mean((c) => c.rmseOverSd), meanWithin01Sd: mean((c) => c.within01Sd) };
}

/** Fits x_j ≈ a_j · y + b_j on rows `fitRows` (y the released row, standardized, missing at 0). */
function fitLinear(targets: EvalRows, release: EvalRows, releaseOf: Int32Array, scale: Standardizer, fitRows: ArrayLike<number>): Float64Array[] {
  const d = targets.d;
  const fits = Array.from({ length: d }, () => new RidgeFit(d));
  const x = new Float64Array(d);
  const y = new Float64Array(d);
  for (let q = 0; q < fitRows.length; q++) {
    const i = fitRows[q];
    standardized(targets, i, scale, x);
    standardized(release, releaseOf[i], scale, y);
    for (let j = 0; j < d; j++) if (!Number.isNaN(targets.numeric[i * d + j])) fits[j].add(y, x[j]);
  }
  return fits.map((f) => f.solve(1e-6));
}

function linearAttack(names: string[], targets: EvalRows, release: EvalRows, releaseOf: Int32Array, scale: Standardizer, fitRows: Uint32Array, testRows: Uint32Array): ReconstructionResult {
  const beta = fitLinear(targets, release, releaseOf, scale, fitRows);
  const y = new Float64Array(targets.d);
  let cached = -1;
  return measure(names, targets, scale, testRows, fitRows.length, (i, j) => {
    if (cached !== i) {
      standardized(release, releaseOf[i], scale, y);
      cached = i;
    }
    return predict(beta[j], y);
  });
}

/**
 * Runs the three reconstruction attacks of an attacker who has the release and the
 * released row of each target (`releaseOf`). The known pairs are a keyed random choice
 * of targets.
 */
export function reconstructionAttacks(names: string[], targets: EvalRows, release: EvalRows, releaseOf: Int32Array, scale: Standardizer, key: Uint32Array): Reconstructions {
  const d = targets.d;
  const all = new Uint32Array(targets.count);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const naive = measure(names, targets, scale, all, 0, (i, j) => {
    const v = release.numeric[releaseOf[i] * d + j];
    return Number.isNaN(v) || !Number.isFinite(scale.sd[j]) ? NaN : (v - scale.mean[j]) / scale.sd[j];
  });

  const order = keyedPermutation(targets.count, 0, key);
  const m = Math.min(2 * d, Math.floor(targets.count / 2));
  const knownPairs = linearAttack(names, targets, release, releaseOf, scale, order.subarray(0, m), order.subarray(m));
  const half = Math.floor(targets.count / 2);
  const bestLinear = linearAttack(names, targets, release, releaseOf, scale, order.subarray(0, half), order.subarray(half));
  return { naive, knownPairs, bestLinear };
}
