import type { RowStage } from '../../engine/engine.js';
import type { Engine } from '../../engine/engine.js';
import type { LoadedFrame } from '../../frame/frame.js';
import { inverseFromCholesky } from '../../frame/linalg.js';
import type { RunKeys } from '../../pipeline/keys.js';
import type { ResolvedOperator } from '../../pipeline/operators.js';
import { RowStream } from '../../prf/stream.js';
import { cellInterval, type ScoreInterval } from '../../reference/marginal_lookup.js';
import { chiNormalScore } from '../../stats/chi.js';
import { truncatedMoments } from '../../stats/normal.js';
import { positionsToValues, sampleFromFrame } from '../resample.js';

/** Rows in the attacker's whitened space: unit direction (row-major) and radius score. */
export interface WhitenedRows {
  count: number;
  d: number;
  unit: Float32Array;
  /** Normal score of the radius on the chi_d scale, Φ⁻¹(F_χd(‖w‖)). */
  score: Float64Array;
}

/** Gauss–Seidel sweeps for the conditional mean of missing scores. */
const MISSING_SWEEPS = 20;

/**
 * The attacker's map from values to whitened space with the public frame and no key:
 * a value in a tie interval gets the interval's mean normal score (the apply stage drew
 * a keyed point inside it), a missing value its conditional mean given the row's other
 * scores under the latent correlation, then w = L⁻¹ z.
 */
export class AttackerWhitening {
  readonly d: number;
  private readonly precision: Float64Array;

  constructor(private readonly frame: LoadedFrame) {
    this.d = frame.d;
    this.precision = inverseFromCholesky(frame.cholesky, this.d);
  }

  /** Whitens rows `indices` (all when absent) of row-major values with NaN for missing. */
  whiten(values: Float64Array, indices?: ArrayLike<number>): WhitenedRows {
    const d = this.d;
    const count = indices ? indices.length : values.length / d;
    const unit = new Float32Array(count * d);
    const score = new Float64Array(count);
    const z = new Float64Array(d);
    const w = new Float64Array(d);
    const missing: number[] = [];
    const interval: ScoreInterval = { lo: 0, hi: 0 };
    const L = this.frame.cholesky;
    const Q = this.precision;

    for (let q = 0; q < count; q++) {
      const i = indices ? indices[q] : q;
      missing.length = 0;
      for (let j = 0; j < d; j++) {
        const v = values[i * d + j];
        if (Number.isNaN(v)) {
          missing.push(j);
          z[j] = 0;
          continue;
        }
        cellInterval(this.frame.tables, j, Math.fround(v), interval);
        z[j] = interval.lo === interval.hi ? interval.lo : truncatedMoments(interval.lo, interval.hi).mean;
      }
      for (let sweep = 0; sweep < MISSING_SWEEPS && missing.length > 0; sweep++) {
        for (const j of missing) {
          let s = 0;
          for (let k = 0; k < d; k++) if (k !== j) s += Q[j * d + k] * z[k];
          z[j] = -s / Q[j * d + j];
        }
      }
      let radiusSquared = 0;
      for (let j = 0; j < d; j++) {
        let s = z[j];
        for (let k = 0; k < j; k++) s -= L[j * d + k] * w[k];
        w[j] = s / L[j * d + j];
        radiusSquared += w[j] * w[j];
      }
      const radius = Math.sqrt(radiusSquared);
      for (let j = 0; j < d; j++) unit[q * d + j] = radius > 0 ? w[j] / radius : 0;
      score[q] = chiNormalScore(radius, d);
    }
    return { count, d, unit, score };
  }
}

/**
 * Log-likelihood ratios of the algorithm-aware attacker, learnt by simulation: "released
 * row y came from target x" against "y came from a random row". The cosine between x's
 * and y's whitened directions enters through a smoothed histogram ratio. The radius
 * score of y enters through a Gaussian regression on x's score, against y's marginal.
 */
export interface AwareModel {
  d: number;
  /** log p(cos | same row) − log p(cos | random row) in COS_BINS bins over [−1, 1]. */
  cosLogRatio: Float64Array;
  radius: { slope: number; intercept: number; sd: number; nullMean: number; nullSd: number };
  calibrationRows: number;
  /** Median cosine of simulated true pairs and SD of random pairs, for the report. */
  trueCosMedian: number;
  randomCosSd: number;
}

export const COS_BINS = 400;

export function cosBin(c: number): number {
  const b = Math.floor(((c + 1) / 2) * COS_BINS);
  return Math.min(COS_BINS - 1, Math.max(0, b));
}

/** Row-wise operator stages for a simulation under the attacker's own keys, or why there are none. */
export function simulationStages(operators: readonly ResolvedOperator[], keys: RunKeys): RowStage[] | string {
  const stages: RowStage[] = [];
  for (const [position, op] of operators.entries()) {
    if (op.op === 'rotate') stages.push({ op: 'rotate', params: op, key: keys.operator('rotate', position) });
    else if (op.op === 'project') stages.push({ op: 'project', params: { k: op.k }, key: keys.operator('project', position) });
    else if (op.op !== 'pram') return `${op.op} is not a row-wise operator, so the attacker cannot simulate it row by row`;
  }
  return stages;
}

/** Histogram of values in COS_BINS bins, smoothed by a Gaussian of `width` bins, as log shares. */
function logDensity(values: Float64Array, width = 2): Float64Array {
  const counts = new Float64Array(COS_BINS);
  for (const v of values) counts[cosBin(v)]++;
  const smooth = new Float64Array(COS_BINS);
  const reach = Math.ceil(3 * width);
  for (let b = 0; b < COS_BINS; b++) {
    if (counts[b] === 0) continue;
    for (let o = -reach; o <= reach; o++) {
      const t = b + o;
      if (t >= 0 && t < COS_BINS) smooth[t] += counts[b] * Math.exp(-(o * o) / (2 * width * width));
    }
  }
  const total = smooth.reduce((a, b) => a + b, 0);
  const prior = 0.5;
  return smooth.map((s) => Math.log((s + prior) / (total + prior * COS_BINS)));
}

function dot(a: Float32Array, i: number, b: Float32Array, k: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[i * d + j] * b[k * d + j];
  return s;
}

/**
 * Learns the aware attacker's likelihood ratios from rows it simulates itself: draws
 * from the frame, missing cells copied from randomly picked released rows, transformed
 * by the same operators and public parameters under the attacker's own keys.
 */
export async function calibrateAwareModel(
  engine: Engine,
  frame: LoadedFrame,
  stages: RowStage[],
  releaseValues: Float64Array,
  keys: RunKeys,
  rows: number,
): Promise<AwareModel> {
  const d = frame.d;
  const source = sampleFromFrame(frame, rows, keys.stage('aware_sample', 0));
  const releaseRows = releaseValues.length / d;
  const pick = new RowStream(keys.stage('aware_missing', 0));
  for (let i = 0; i < rows; i++) {
    const from = Math.min(releaseRows - 1, Math.floor(pick.seek(i).uniform(0) * releaseRows));
    for (let j = 0; j < d; j++) if (Number.isNaN(releaseValues[from * d + j])) source[i * d + j] = NaN;
  }

  const x = new Float32Array(d * rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) x[j * rows + i] = source[i * d + j];
  const pipeline = await engine.createPipeline({ frame, latentKey: keys.stage('normal_scores', 0), sweeps: frame.frame.latent.sweeps, stages }, rows);
  let positions: Float32Array;
  try {
    positions = await pipeline.run(x, { rows, rowBase: 0, rowStride: 1 });
  } finally {
    pipeline.dispose();
  }
  const output = positionsToValues(frame, positions, rows, (i, j) => Number.isNaN(source[i * d + j]));

  const whitening = new AttackerWhitening(frame);
  const before = whitening.whiten(source);
  const after = whitening.whiten(output);
  const trueCos = new Float64Array(rows);
  for (let i = 0; i < rows; i++) trueCos[i] = dot(before.unit, i, after.unit, i, d);
  const shifts = [1, 2, 3, 4].map((s) => Math.max(1, Math.floor((s * rows) / 5)));
  const randomCos = new Float64Array(rows * shifts.length);
  shifts.forEach((shift, s) => {
    for (let i = 0; i < rows; i++) randomCos[s * rows + i] = dot(before.unit, i, after.unit, (i + shift) % rows, d);
  });
  const p1 = logDensity(trueCos);
  const p0 = logDensity(randomCos);

  // Radius: after = slope · before + intercept + N(0, sd²) for the same row.
  let sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < rows; i++) {
    const a = before.score[i];
    const b = after.score[i];
    sx += a;
    sy += b;
    sxx += a * a;
    sxy += a * b;
    syy += b * b;
  }
  const mx = sx / rows;
  const my = sy / rows;
  const vx = sxx / rows - mx * mx;
  const vy = syy / rows - my * my;
  const cxy = sxy / rows - mx * my;
  const slope = vx > 0 ? cxy / vx : 0;
  const residual = Math.max(0, vy - slope * cxy);
  const sortedTrue = Float64Array.from(trueCos).sort();
  let randomSquares = 0;
  for (const c of randomCos) randomSquares += c * c;

  return {
    d,
    cosLogRatio: p1.map((v, b) => v - p0[b]),
    radius: { slope, intercept: my - slope * mx, sd: Math.max(0.02, Math.sqrt(residual)), nullMean: my, nullSd: Math.max(0.02, Math.sqrt(vy)) },
    calibrationRows: rows,
    trueCosMedian: sortedTrue[rows >> 1],
    randomCosSd: Math.sqrt(randomSquares / randomCos.length),
  };
}
