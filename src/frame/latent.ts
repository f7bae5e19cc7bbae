import type { BatchRows } from '../reference/batch.js';
import type { LatentModel } from '../reference/normal_scores.js';
import { truncatedMoments } from '../stats/normal.js';
import { CompleteCorrelation, PairwiseCorrelation } from './correlation.js';
import { cholesky, inverseFromCholesky, shrinkTowardIdentity } from './linalg.js';
import type { Marginal } from './marginal.js';
import { knotScores, tableScoreBounds } from './marginal.js';
import type { MarginalTables } from './tables.js';

/** Computes normal scores of a batch; the GPU kernel or the CPU reference. */
export type LatentScorer = (x: Float32Array, batch: BatchRows, model: LatentModel, key: Uint32Array) => Promise<Float32Array>;

/** The fit sample: numeric columns of up to a million rows, columnar, NaN = missing. */
export interface LatentSample {
  x: Float32Array;
  rows: number;
}

export interface LatentOptions {
  /** Gibbs sweeps per round (and in apply). */
  sweeps: number;
  /** Rounds of Monte Carlo EM, and the cap when the provisional matrix needed λ = 1. */
  maxRounds: number;
  maxRoundsFromIdentity: number;
  /** Stop once no entry moves by more than this between rounds. */
  tolerance: number;
  /** Pairs observed together in fewer rows start at correlation 0. */
  minPairRows: number;
  /** Rows scored per call of the scorer. */
  chunkRows: number;
}

export const DEFAULT_LATENT_OPTIONS: LatentOptions = {
  sweeps: 3,
  maxRounds: 5,
  maxRoundsFromIdentity: 10,
  tolerance: 0.005,
  minPairRows: 30,
  chunkRows: 65536,
};

/** Shrinkage weights tried, in order, until the provisional matrix has a Cholesky factor. */
export const SHRINKAGE_STEPS = [0, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.4, 1];
/** Shrinkage applied to each re-estimated matrix so that its Cholesky factor exists. */
export const ROUND_SHRINKAGE = 1e-4;

export interface LatentFit {
  correlation: Float64Array;
  cholesky: Float64Array;
  /** λ used on the provisional matrix. */
  shrinkage: number;
  rounds: number;
  /** Largest entry change in the last round. */
  lastChange: number;
  /** a_j: attenuation of each column's correlations by independent tie jitter. */
  attenuation: number[];
  /** The last round's estimate before shrinkage, for detecting copied columns. */
  unshrunk: Float64Array;
}

export interface LatentLog {
  (message: string): void;
}

/**
 * Attenuation a_j = 1 − Σ_b p_b Var(Z | Z in tie interval b): the factor by which
 * independent jitter inside tie intervals shrinks a column's correlations (1 for a
 * continuous column; Σ p_b m_b² for a fully tied one).
 */
export function tieAttenuation(m: Marginal): number {
  let lost = 0;
  if (m.kind === 'table') {
    const bounds = tableScoreBounds(m);
    for (let i = 0; i < bounds.length; i++) {
      const lo = i === 0 ? -Infinity : bounds[i - 1];
      const p = m.cumulative[i] - (i === 0 ? 0 : m.cumulative[i - 1]);
      lost += p * truncatedMoments(lo, bounds[i]).variance;
    }
    return 1 - lost;
  }
  const K = m.knots.length - 1;
  const scores = knotScores(m);
  let a = 0;
  while (a < K) {
    let b = a;
    while (b < K && m.knots[b + 1] === m.knots[a]) b++;
    const atLowEnd = a === 0;
    const atHighEnd = b === K;
    if (b > a || atLowEnd || atHighEnd) {
      const lo = atLowEnd ? -Infinity : scores[a];
      const hi = atHighEnd ? Infinity : scores[b];
      const pLo = atLowEnd ? 0 : a / K;
      const pHi = atHighEnd ? 1 : b / K;
      if (pHi > pLo) lost += (pHi - pLo) * truncatedMoments(lo, hi).variance;
    }
    a = b + 1;
  }
  return 1 - lost;
}

/** Finds two columns whose correlation magnitude exceeds `limit`, if any. */
export function findNearCopies(r: Float64Array, d: number, limit: number): [number, number] | undefined {
  for (let j = 0; j < d; j++) for (let k = j + 1; k < d; k++) if (Math.abs(r[j * d + k]) > limit) return [j, k];
  return undefined;
}

function slice(sample: LatentSample, d: number, start: number, rows: number): Float32Array {
  const out = new Float32Array(d * rows);
  for (let j = 0; j < d; j++) out.set(sample.x.subarray(j * sample.rows + start, j * sample.rows + start + rows), j * rows);
  return out;
}

/**
 * Fits the latent correlation of the Gaussian copula (randomized PIT, de-attenuated
 * pairwise correlation, then Monte Carlo EM rounds of Gibbs sweeps) and returns it
 * with its Cholesky factor. `keyForRound(0)` keys the provisional scores.
 */
export async function fitLatentCorrelation(
  sample: LatentSample,
  tables: MarginalTables,
  marginals: readonly Marginal[],
  scorer: LatentScorer,
  keyForRound: (round: number) => Uint32Array,
  options: LatentOptions = DEFAULT_LATENT_OPTIONS,
  log: LatentLog = () => {},
): Promise<LatentFit> {
  const d = tables.d;
  const identity = shrinkTowardIdentity(new Float64Array(d * d), d, 1);

  // Step 1 and 2: randomized-PIT scores, pairwise-complete correlation, de-attenuated.
  const pairwise = new PairwiseCorrelation(d);
  for (let start = 0; start < sample.rows; start += options.chunkRows) {
    const rows = Math.min(options.chunkRows, sample.rows - start);
    const x = slice(sample, d, start, rows);
    const z = await scorer(x, { rows, rowBase: start, rowStride: 1 }, { tables, precision: identity, sweeps: 0 }, keyForRound(0));
    const observed = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) observed[i] = Number.isNaN(x[i]) ? 0 : 1;
    pairwise.add(z, observed, rows);
  }
  const provisional = pairwise.result(options.minPairRows);
  const attenuation = marginals.map(tieAttenuation);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) {
      if (j === k) continue;
      // A constant column has attenuation 0 and carries no correlation.
      const scale = attenuation[j] * attenuation[k];
      provisional[j * d + k] = scale > 1e-9 ? provisional[j * d + k] / scale : 0;
    }
  }

  let shrinkage = 1;
  let current = identity;
  for (const lambda of SHRINKAGE_STEPS) {
    const candidate = shrinkTowardIdentity(provisional, d, lambda);
    if (cholesky(candidate, d)) {
      shrinkage = lambda;
      current = candidate;
      break;
    }
  }
  log(`latent correlation: provisional matrix shrunk toward I by lambda = ${shrinkage}`);

  // Steps 3 and 4: Gibbs sweeps under the current matrix, re-estimate, repeat.
  const maxRounds = shrinkage === 1 ? options.maxRoundsFromIdentity : options.maxRounds;
  let rounds = 0;
  let lastChange = Infinity;
  let unshrunk = current;
  while (rounds < maxRounds) {
    rounds++;
    const factor = cholesky(current, d);
    if (!factor) throw new Error('latent correlation lost positive definiteness between rounds');
    const model: LatentModel = { tables, precision: inverseFromCholesky(factor, d), sweeps: options.sweeps };

    const complete = new CompleteCorrelation(d);
    for (let start = 0; start < sample.rows; start += options.chunkRows) {
      const rows = Math.min(options.chunkRows, sample.rows - start);
      const z = await scorer(slice(sample, d, start, rows), { rows, rowBase: start, rowStride: 1 }, model, keyForRound(rounds));
      complete.add(z, rows);
    }
    unshrunk = complete.result();
    const next = shrinkTowardIdentity(unshrunk, d, ROUND_SHRINKAGE);

    lastChange = 0;
    for (let i = 0; i < d * d; i++) lastChange = Math.max(lastChange, Math.abs(next[i] - current[i]));
    current = next;
    log(`latent correlation: round ${rounds}, largest change ${lastChange.toFixed(4)}`);
    if (lastChange <= options.tolerance) break;
  }
  if (lastChange > options.tolerance) {
    // Expected on small samples, where the Monte Carlo noise of one round exceeds the tolerance.
    log(`latent correlation: stopped at the limit of ${maxRounds} rounds with largest change ${lastChange.toFixed(4)}, above the tolerance ${options.tolerance}`);
  }

  const factor = cholesky(current, d);
  if (!factor) throw new Error('final latent correlation is not positive definite');
  return { correlation: current, cholesky: factor, shrinkage, rounds, lastChange, attenuation, unshrunk };
}
