import { cosBin, type AwareModel, type WhitenedRows } from './aware_model.js';
import { linkageResult, type LinkageResult } from './linkage.js';

/** Log-ratio given to evidence that rules a pair out (a kept value that differs). */
export const RULED_OUT = -50;

/**
 * Evidence of one categorical quasi-identifier about a pair. Under PRAM with keep p a
 * category c stays with probability p and is otherwise redrawn from the marginal π,
 * so a released c' = c has ratio p/π(c) + 1 − p against a random row, and c' ≠ c
 * has 1 − p. Without PRAM (p = 1), and for missing tokens that PRAM never changes, a
 * mismatch rules the pair out.
 */
export interface CategoricalEvidence {
  /** Per query: the code of the category PRAM would start from (rare ones merged into "other"). */
  targets: Int32Array;
  release: Int32Array;
  /** log ratio of a match, by code. */
  match: Float64Array;
  /** log ratio of a mismatch, by the target's code. */
  mismatch: Float64Array;
}

export interface AwareLinkage {
  /** Whitened values only (direction and radius). */
  numeric: LinkageResult;
  /** Plus the categorical quasi-identifiers. */
  withCategorical: LinkageResult;
  /** Plus the categorical quasi-identifiers and the missingness pattern. */
  withCategoricalAndMissingness: LinkageResult;
}

/**
 * Runs the algorithm-aware linkage: every released row is scored against each target by the
 * summed log-likelihood ratios of its evidence, and the target's own row is ranked
 * among all released rows (ties count as a random pick). This is not a nearest-neighbour
 * search, so it runs here rather than through the engine's kNN: O(targets × release × d).
 * `patterns.match` is the log ratio of an identical missingness pattern, by pattern id.
 */
export function awareLinkage(
  model: AwareModel,
  targets: WhitenedRows,
  release: WhitenedRows,
  categorical: CategoricalEvidence[],
  patterns: { targets: Int32Array; release: Int32Array; match: Float64Array },
  truth: Int32Array,
  progress?: (rows: number, final?: boolean) => void,
): AwareLinkage {
  const d = model.d;
  const n = release.count;
  const { slope, intercept, sd, nullMean, nullSd } = model.radius;
  // Per released row: −log N(s'; μ0, σ0) up to the constant shared with the same-row term.
  const nullTerm = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const e = (release.score[r] - nullMean) / nullSd;
    nullTerm[r] = 0.5 * e * e + Math.log(nullSd) - Math.log(sd);
  }
  const variants = 3;
  const results = Array.from({ length: variants }, () => ({ first: new Float64Array(truth.length), five: new Float64Array(truth.length) }));
  const codes = categorical.map((e) => e.release);
  const matches = categorical.map((e) => e.match);
  const mismatches = new Float64Array(categorical.length);
  const targetCodes = new Int32Array(categorical.length);
  const greater = new Float64Array(variants);
  const ties = new Float64Array(variants);
  const own = new Float64Array(variants);

  // Writes the three variants' scores of released row r for query q into `out`.
  const score = (q: number, r: number, mean: number, pattern: number, patternMatch: number, out: Float64Array): void => {
    let cos = 0;
    const base = q * d;
    const rb = r * d;
    for (let j = 0; j < d; j++) cos += targets.unit[base + j] * release.unit[rb + j];
    const e = (release.score[r] - mean) / sd;
    const numeric = model.cosLogRatio[cosBin(cos)] - 0.5 * e * e + nullTerm[r];
    let categoricalTerm = 0;
    for (let c = 0; c < codes.length; c++) {
      const code = codes[c][r];
      categoricalTerm += code === targetCodes[c] ? matches[c][code] : mismatches[c];
    }
    out[0] = numeric;
    out[1] = numeric + categoricalTerm;
    out[2] = out[1] + (patterns.release[r] === pattern ? patternMatch : RULED_OUT);
  };

  const current = new Float64Array(variants);
  // TODO: score on the GPU, because one CPU thread needs an estimated 10–15 minutes for 81k × 81k rows.
  for (let q = 0; q < truth.length; q++) {
    const mean = slope * targets.score[q] + intercept;
    categorical.forEach((evidence, c) => {
      targetCodes[c] = evidence.targets[q];
      mismatches[c] = evidence.mismatch[evidence.targets[q]];
    });
    const pattern = patterns.targets[q];
    const patternMatch = patterns.match[pattern];
    const mine = truth[q];
    score(q, mine, mean, pattern, patternMatch, own);
    greater.fill(0);
    ties.fill(0);
    for (let r = 0; r < n; r++) {
      if (r === mine) continue;
      score(q, r, mean, pattern, patternMatch, current);
      for (let v = 0; v < variants; v++) {
        if (current[v] > own[v]) greater[v]++;
        else if (current[v] === own[v]) ties[v]++;
      }
    }
    // With ties broken at random, the own row's rank is uniform over greater + 1 … greater + ties + 1.
    for (let v = 0; v < variants; v++) {
      results[v].first[q] = Math.min(1, Math.max(0, (1 - greater[v]) / (ties[v] + 1)));
      results[v].five[q] = Math.min(1, Math.max(0, (5 - greater[v]) / (ties[v] + 1)));
    }
    progress?.(q + 1);
  }
  progress?.(truth.length, true);
  const [numeric, withCategorical, withCategoricalAndMissingness] = results.map((r) => linkageResult(r.first, r.five, n));
  return { numeric, withCategorical, withCategoricalAndMissingness };
}
