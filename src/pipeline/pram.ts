import { RowStream } from '../prf/stream.js';

/** Categories held by fewer rows are merged into OTHER before PRAM. */
export const PRAM_MIN_COUNT = 10;
export const OTHER = 'other';

/** Marginal of one categorical column as the frame keeps it: no category below the minimum count. */
export interface CategoricalMarginal {
  name: string;
  categories: string[];
  counts: number[];
}

/** Counts category texts of one column during the fit pass (missing tokens excluded). */
export class CategoryCounter {
  readonly counts = new Map<string, number>();

  add(value: string): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }

  /** Merges categories with fewer than `minCount` rows into OTHER; sorted by category. */
  marginal(name: string, minCount = PRAM_MIN_COUNT): CategoricalMarginal {
    const kept = new Map<string, number>();
    let other = 0;
    for (const [value, count] of this.counts) {
      if (count >= minCount && value !== OTHER) kept.set(value, count);
      else other += count;
    }
    if (other > 0) kept.set(OTHER, other);
    const categories = [...kept.keys()].sort();
    return { name, categories, counts: categories.map((c) => kept.get(c)!) };
  }
}

/**
 * Invariant PRAM on one column: a value (rare ones first become OTHER) is kept with
 * probability `keep`, otherwise replaced by a keyed draw from the column's marginal,
 * so each category's expected share is unchanged. Column c of a row uses draws 2c
 * (keep or replace) and 2c + 1 (replacement) of the row's stream.
 */
export class PramColumn {
  private readonly known: Set<string>;
  private readonly cumulative: Float64Array;

  constructor(readonly marginal: CategoricalMarginal, readonly keep: number, readonly slot: number) {
    this.known = new Set(marginal.categories);
    const total = marginal.counts.reduce((a, b) => a + b, 0);
    this.cumulative = new Float64Array(marginal.counts.length);
    let running = 0;
    marginal.counts.forEach((count, i) => {
      running += count;
      this.cumulative[i] = running / total;
    });
  }

  /** The released category of `value` for the row whose stream is `stream`. */
  apply(value: string, stream: RowStream): string {
    const merged = this.known.has(value) ? value : OTHER;
    if (stream.uniform(2 * this.slot) < this.keep || this.cumulative.length === 0) return merged;
    const u = stream.uniform(2 * this.slot + 1);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.marginal.categories[lo];
  }
}
