import type { EvalRows } from '../rows.js';
import { linkageResult, type LinkageResult } from './linkage.js';

/** Ids of rows' missingness patterns (which numeric cells are missing), shared across sets. */
export class PatternIds {
  private readonly ids = new Map<string, number>();

  /** Patterns seen so far; ids run from 0 to size − 1. */
  get size(): number {
    return this.ids.size;
  }

  of(rows: EvalRows): Int32Array {
    const out = new Int32Array(rows.count);
    let key = '';
    for (let i = 0; i < rows.count; i++) {
      key = '';
      for (let j = 0; j < rows.d; j++) key += Number.isNaN(rows.numeric[i * rows.d + j]) ? '1' : '0';
      let id = this.ids.get(key);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(key, id);
      }
      out[i] = id;
    }
    return out;
  }
}

/** Counts how often each value occurs in `values`. */
export function countValues(values: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * Linkage on the missingness pattern alone: the attacker picks uniformly among the
 * released rows with the target's pattern. With g such rows, one of them its own, the
 * expected accuracy is 1/g and the chance of being among five picks min(1, 5/g). This
 * is the nearest-neighbour attack on pattern indicators with ties broken at random,
 * computed exactly by counting rather than by one arbitrary tie order.
 */
export function missingnessLinkage(targetPatterns: Int32Array, releasePatterns: Int32Array, truth: Int32Array, queries: ArrayLike<number>): LinkageResult {
  const counts = countValues(releasePatterns);
  const first = new Float64Array(queries.length);
  const firstFive = new Float64Array(queries.length);
  for (let q = 0; q < queries.length; q++) {
    const t = queries[q];
    const pattern = targetPatterns[t];
    if (releasePatterns[truth[q]] !== pattern) continue;
    const g = counts.get(pattern) ?? 1;
    first[q] = 1 / g;
    firstFive[q] = Math.min(1, 5 / g);
  }
  return linkageResult(first, firstFive, releasePatterns.length);
}

export interface Uniqueness {
  columns: string[];
  /** Share of rows whose tuple of categorical quasi-identifiers no other row has. */
  input: number;
  release: number;
  /** Distinct tuples in the input. */
  inputTuples: number;
}

function uniqueShare(rows: EvalRows, columns: number[]): { share: number; tuples: number } {
  const counts = new Map<string, number>();
  const keys: string[] = new Array(rows.count);
  for (let i = 0; i < rows.count; i++) {
    keys[i] = columns.map((k) => rows.text[k][i]).join(',');
    counts.set(keys[i], (counts.get(keys[i]) ?? 0) + 1);
  }
  let unique = 0;
  for (const key of keys) if (counts.get(key) === 1) unique++;
  return { share: rows.count > 0 ? unique / rows.count : NaN, tuples: counts.size };
}

/** Share of unique rows on the categorical quasi-identifiers, in the input and in the release. */
export function uniqueness(names: string[], targets: EvalRows, release: EvalRows, columns: number[]): Uniqueness {
  const input = uniqueShare(targets, columns);
  return { columns: names, input: input.share, release: uniqueShare(release, columns).share, inputTuples: input.tuples };
}
