import type { QuantileSource } from './marginal.js';

/**
 * Exact quantiles of one column: every non-missing value is kept (float64) and sorted
 * once. Merging two sources concatenates them, so shards can be fitted separately.
 */
export class ExactQuantiles implements QuantileSource {
  private values = new Float64Array(1024);
  private size = 0;
  private sorted = false;

  get count(): number {
    return this.size;
  }

  add(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
    this.sorted = false;
  }

  merge(other: ExactQuantiles): void {
    const view = other.view();
    for (let i = 0; i < view.length; i++) this.add(view[i]);
  }

  /** The values, sorted ascending. */
  view(): Float64Array {
    const view = this.values.subarray(0, this.size);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }

  distinctCounts(limit: number): { values: number[]; counts: number[] } | undefined {
    const view = this.view();
    const values: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < view.length; i++) {
      if (i > 0 && view[i] === view[i - 1]) {
        counts[counts.length - 1]++;
        continue;
      }
      if (values.length === limit) return undefined;
      values.push(view[i]);
      counts.push(1);
    }
    return { values, counts };
  }

  /** Type-7 quantile: linear interpolation between order statistics at h = (n − 1)p. */
  quantile(p: number): number {
    const view = this.view();
    const h = (view.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(view.length - 1, lo + 1);
    return view[lo] + (h - lo) * (view[hi] - view[lo]);
  }
}
