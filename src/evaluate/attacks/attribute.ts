import type { Engine } from '../../engine/engine.js';
import { attributeRisk, type Interval } from '../intervals.js';
import { neighboursOfTargetsAndControls } from '../neighbours.js';

/** A sensitive column as codes, with its values as numbers when it is numeric. */
export interface SensitiveColumn {
  name: string;
  /** Numeric: success means within 5% relative error; categorical: the same category. */
  kind: 'categorical' | 'numeric';
  release: Int32Array;
  targets: Int32Array;
  controls: Int32Array;
  /** Number of each code (NaN for a missing or non-numeric text); used when numeric. */
  numberOf: Float64Array;
  /** Whether a code is a missing token; rows whose true value is missing are skipped. */
  missing: Uint8Array;
}

export interface SuccessRate {
  successes: number;
  rows: number;
  rate: number;
}

export interface AttributeByK {
  /** Neighbours that vote: 1 (nearest released row) or 5 (majority, or median for numbers). */
  k: number;
  targets: SuccessRate;
  controls: SuccessRate;
  /** (targets − controls) / (1 − controls): what being in the release adds. */
  risk: number;
  interval: Interval;
}

export interface AttributeResult {
  column: string;
  kind: 'categorical' | 'numeric';
  neighbours: AttributeByK[];
}

/** Relative error allowed for a numeric sensitive value to count as inferred. */
export const NUMERIC_TOLERANCE = 0.05;

function predictCategory(codes: number[]): number {
  const votes = new Map<number, number>();
  let best = codes[0];
  for (const code of codes) votes.set(code, (votes.get(code) ?? 0) + 1);
  // The nearest of the most-voted codes wins a tie.
  for (const code of codes) if (votes.get(code)! > votes.get(best)!) best = code;
  return best;
}

function median(values: number[]): number {
  const present = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (present.length === 0) return NaN;
  const mid = present.length >> 1;
  return present.length % 2 === 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
}

function succeeds(column: SensitiveColumn, truth: number, neighbourCodes: number[]): boolean {
  if (column.kind === 'categorical') return predictCategory(neighbourCodes) === truth;
  const value = column.numberOf[truth];
  const guess = median(neighbourCodes.map((c) => column.numberOf[c]));
  if (Number.isNaN(guess)) return false;
  return Math.abs(guess - value) <= NUMERIC_TOLERANCE * Math.abs(value);
}

function rate(successes: number, rows: number): SuccessRate {
  return { successes, rows, rate: rows > 0 ? successes / rows : NaN };
}

/**
 * Attribute inference: the 1 and 5 nearest released rows on the quasi-identifiers
 * (embedded, one kNN search through the engine for targets and controls together)
 * predict each sensitive column. Targets gain from their own released row; controls
 * measure what the population alone reveals.
 */
export async function attributeInference(
  engine: Engine,
  release: Float32Array,
  targets: Float32Array,
  controls: Float32Array,
  d: number,
  columns: SensitiveColumn[],
  progress?: (rows: number, final?: boolean) => void,
): Promise<AttributeResult[]> {
  const targetCount = targets.length / d;
  const controlCount = controls.length / d;
  const { k, indices } = await neighboursOfTargetsAndControls(engine, release, targets, controls, d, 5, progress);

  return columns.map((column) => {
    const neighbours = [1, Math.min(5, k)].map((votes) => {
      const tally = { targets: [0, 0], controls: [0, 0] };
      for (let q = 0; q < targetCount + controlCount; q++) {
        const isTarget = q < targetCount;
        const truth = isTarget ? column.targets[q] : column.controls[q - targetCount];
        if (column.missing[truth]) continue;
        const codes: number[] = [];
        for (let i = 0; i < votes; i++) codes.push(column.release[indices[q * k + i]]);
        const counts = isTarget ? tally.targets : tally.controls;
        counts[1]++;
        if (succeeds(column, truth, codes)) counts[0]++;
      }
      const [ts, tn] = tally.targets;
      const [cs, cn] = tally.controls;
      const { risk, interval } = attributeRisk(ts, tn, cs, cn);
      return { k: votes, targets: rate(ts, tn), controls: rate(cs, cn), risk, interval };
    });
    return { column: column.name, kind: column.kind, neighbours };
  });
}
