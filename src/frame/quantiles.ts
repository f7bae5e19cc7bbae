import type { QuantileSource } from './marginal.js';

export interface SketchOptions {
  /** Values kept exactly (weight 1) before the first compaction: E. */
  exactCapacity: number;
  /** Items a level of weight 2^h (h ≥ 1) holds before it is compacted: k. */
  levelCapacity: number;
  /** Distinct values counted exactly for value tables; more makes the column continuous. */
  distinctLimit: number;
}

/** E = 2^20 (exact up to 1,048,576 values), k = 2^16, value tables up to 1,024 entries. */
export const DEFAULT_SKETCH_OPTIONS: SketchOptions = { exactCapacity: 1 << 20, levelCapacity: 1 << 16, distinctLimit: 1024 };

/**
 * A priori bound on the normalized rank error of `quantile` after n values: 0 while
 * n ≤ E, else (2^c − 1)/E + (max(0, ⌊log2(n/k)⌋ − c + 1) + 2)/k, where c = log2(E/k) + 1
 * is the number of halvings that take a full exact buffer down to k/2 items. The first
 * term covers those halvings (at most n/E of them, each off by at most 2^c − 1 ranks),
 * the second the halvings of levels c and up (at most n/(k·2^h) at level h, each off by
 * at most 2^h) plus the weight of one item (at most 2n/k). With the defaults:
 * 1.1e-4 at n = 10^7 and 2.0e-4 at n = 10^9, a fifth of the knot spacing 1/1024 or less.
 */
export function rankErrorBound(n: number, options: SketchOptions = DEFAULT_SKETCH_OPTIONS): number {
  if (n <= options.exactCapacity) return 0;
  const halvings = Math.log2(options.exactCapacity / options.levelCapacity) + 1;
  const levels = Math.max(0, Math.floor(Math.log2(n / options.levelCapacity)) - halvings + 1);
  return (2 ** halvings - 1) / options.exactCapacity + (levels + 2) / options.levelCapacity;
}

/** Serializable contents of a sketch (see QuantileSketch.toState). */
export interface SketchState {
  count: number;
  errorWeight: number;
  /** Distinct values and their exact counts, or null once there are more than the limit. */
  distinct: { values: Float64Array; counts: Float64Array } | null;
  /** Which half the next halving of each level keeps (0 or 1), by level. */
  parities: number[];
  /** Items of each level: level h holds items of weight 2^h. */
  levels: { level: number; items: Float64Array }[];
}

/**
 * Mergeable quantile sketch of one numeric column. It keeps every value exactly until
 * it holds E of them; then the sorted buffer is halved repeatedly (every other item
 * kept, each kept item counting twice) down to k/2 items of weight 2^c, and levels of
 * higher weight are halved whenever they reach k items (compactors, as in the KLL and
 * Manku–Rajagopalan–Lindsay sketches, with a fixed capacity per level).
 *
 * Halving a sorted buffer of items of weight w moves the estimated rank of any value by
 * at most w, so the sum of w over all halvings is a deterministic bound on the rank
 * error of every query; `errorWeight` keeps that sum and `rankErrorBound` bounds it in
 * advance. Which half is kept alternates per level, so the result depends on the
 * values and their order only, never on a random source. Exact counts of up to
 * `distinctLimit` distinct values are kept beside the compactors for value tables.
 */
export class QuantileSketch implements QuantileSource {
  private exact = new Float64Array(1024);
  private exactSize = 0;
  /** Levels h ≥ 1, indexed by h; undefined where no item of weight 2^h exists. */
  private readonly levels: { items: Float64Array; size: number }[] = [];
  private parities: number[] = [];
  private total = 0;
  private error = 0;
  private distinct: Map<number, number> | undefined = new Map();
  private sortedCache: { values: Float64Array; ranks: Float64Array } | undefined;

  constructor(readonly options: SketchOptions = DEFAULT_SKETCH_OPTIONS) {}

  /** Number of values added (exact, whatever was compacted). */
  get count(): number {
    return this.total;
  }

  /** Sum of the weights of every halving: no estimated rank is off by more. */
  get errorWeight(): number {
    return this.error;
  }

  /**
   * Normalized rank error that `quantile` can have now: the error weight plus the weight
   * of the heaviest item, over the count; 0 while the sketch is exact.
   */
  get quantileRankError(): number {
    if (this.isExact) return 0;
    let heaviest = 1;
    this.levels.forEach((entry, level) => {
      if (entry && entry.size > 0) heaviest = 2 ** level;
    });
    return (this.error + heaviest) / this.total;
  }

  /** Whether every value is still held with weight 1. */
  get isExact(): boolean {
    return this.error === 0;
  }

  add(value: number): void {
    this.total++;
    this.sortedCache = undefined;
    this.countDistinct(value, 1);
    if (this.exactSize === this.exact.length) this.growExact();
    this.exact[this.exactSize++] = value;
  }

  /** Adds every value of another sketch; the error weights add up. */
  merge(other: QuantileSketch): void {
    this.mergeState(other.toState());
  }

  mergeState(state: SketchState): void {
    this.sortedCache = undefined;
    this.total += state.count;
    this.error += state.errorWeight;
    if (state.distinct === null) {
      this.distinct = undefined;
    } else if (this.distinct) {
      for (let i = 0; i < state.distinct.values.length && this.distinct; i++) this.countDistinct(state.distinct.values[i], state.distinct.counts[i]);
    }
    for (const { level, items } of state.levels) this.append(level, items);
    this.compactLevels();
  }

  toState(): SketchState {
    const levels: SketchState['levels'] = [{ level: 0, items: this.exact.slice(0, this.exactSize) }];
    this.levels.forEach((entry, level) => {
      if (entry && entry.size > 0) levels.push({ level, items: entry.items.slice(0, entry.size) });
    });
    let distinct: SketchState['distinct'] = null;
    if (this.distinct) {
      const values = Float64Array.from(this.distinct.keys());
      distinct = { values, counts: Float64Array.from(values, (v) => this.distinct!.get(v)!) };
    }
    return { count: this.total, errorWeight: this.error, distinct, parities: this.parities.slice(), levels };
  }

  static fromState(state: SketchState, options: SketchOptions = DEFAULT_SKETCH_OPTIONS): QuantileSketch {
    const sketch = new QuantileSketch(options);
    sketch.parities = state.parities.slice();
    sketch.mergeState(state);
    return sketch;
  }

  distinctCounts(limit: number): { values: number[]; counts: number[] } | undefined {
    if (limit > this.options.distinctLimit) throw new Error(`distinct values are counted up to ${this.options.distinctLimit}, not ${limit}`);
    if (!this.distinct || this.distinct.size > limit) return undefined;
    const values = [...this.distinct.keys()].sort((a, b) => a - b);
    return { values, counts: values.map((v) => this.distinct!.get(v)!) };
  }

  /**
   * Type-7 quantile: linear interpolation between the order statistics at ranks ⌊h⌋ and
   * ⌊h⌋ + 1, h = (n − 1)p. Exact while no halving has happened; else each order
   * statistic is the item whose weight covers that rank.
   */
  quantile(p: number): number {
    const { values, ranks } = this.sorted();
    const h = (this.total - 1) * p;
    const lo = Math.floor(h);
    const low = this.orderStatistic(values, ranks, lo);
    const high = this.orderStatistic(values, ranks, Math.min(this.total - 1, lo + 1));
    return low + (h - lo) * (high - low);
  }

  /** Item covering 0-based rank t: the first whose cumulative weight exceeds t. */
  private orderStatistic(values: Float64Array, ranks: Float64Array, t: number): number {
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranks[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  }

  /** Every item sorted by value, with the cumulative weight up to and including each. */
  private sorted(): { values: Float64Array; ranks: Float64Array } {
    if (this.sortedCache) return this.sortedCache;
    if (this.isExact) {
      const values = this.exact.subarray(0, this.exactSize).sort();
      const ranks = new Float64Array(values.length);
      for (let i = 0; i < ranks.length; i++) ranks[i] = i + 1;
      this.sortedCache = { values, ranks };
      return this.sortedCache;
    }
    // Each level is sorted on its own, then the runs are merged with their weights.
    let merged: WeightedRun = { values: this.exact.subarray(0, this.exactSize).sort(), weights: new Float64Array(this.exactSize).fill(1) };
    this.levels.forEach((entry, level) => {
      if (!entry || entry.size === 0) return;
      const values = entry.items.subarray(0, entry.size).sort();
      merged = mergeRuns(merged, { values, weights: new Float64Array(entry.size).fill(2 ** level) });
    });
    const ranks = new Float64Array(merged.values.length);
    let cumulative = 0;
    for (let i = 0; i < ranks.length; i++) {
      cumulative += merged.weights[i];
      ranks[i] = cumulative;
    }
    this.sortedCache = { values: merged.values, ranks };
    return this.sortedCache;
  }

  private countDistinct(value: number, count: number): void {
    if (!this.distinct) return;
    this.distinct.set(value, (this.distinct.get(value) ?? 0) + count);
    if (this.distinct.size > this.options.distinctLimit) this.distinct = undefined;
  }

  private growExact(): void {
    if (this.exact.length < this.options.exactCapacity) {
      const grown = new Float64Array(Math.min(this.options.exactCapacity, this.exact.length * 2));
      grown.set(this.exact.subarray(0, this.exactSize));
      this.exact = grown;
      return;
    }
    this.compactExact();
  }

  /**
   * Halves the full exact buffer until it holds k/2 items or fewer and appends them to
   * the level of their weight.
   */
  private compactExact(): void {
    let items: Float64Array = this.exact.subarray(0, this.exactSize).sort();
    let level = 0;
    const leftovers: { level: number; value: number }[] = [];
    while (items.length > this.options.levelCapacity / 2) {
      const { kept, leftover } = halve(items, this.nextParity(level));
      // An odd item out keeps its weight, in the level it came from.
      if (leftover !== undefined) leftovers.push({ level, value: leftover });
      this.error += 2 ** level;
      items = kept;
      level++;
    }
    this.exactSize = 0;
    this.append(level, items);
    for (const { level: at, value } of leftovers) this.append(at, Float64Array.of(value));
    this.compactLevels();
  }

  /** Which half the next halving at `level` keeps; it alternates so errors cancel. */
  private nextParity(level: number): number {
    const parity = this.parities[level] ?? 0;
    this.parities[level] = parity ^ 1;
    return parity;
  }

  private append(level: number, items: Float64Array): void {
    if (level === 0) {
      for (let i = 0; i < items.length; i++) {
        if (this.exactSize === this.exact.length) this.growExact();
        this.exact[this.exactSize++] = items[i];
      }
      return;
    }
    let entry = this.levels[level];
    if (!entry) {
      entry = { items: new Float64Array(Math.max(16, items.length)), size: 0 };
      this.levels[level] = entry;
    }
    if (entry.size + items.length > entry.items.length) {
      const grown = new Float64Array(Math.max(entry.size + items.length, entry.items.length * 2));
      grown.set(entry.items.subarray(0, entry.size));
      entry.items = grown;
    }
    entry.items.set(items, entry.size);
    entry.size += items.length;
  }

  /** Halves every level h ≥ 1 that holds k items or more, lowest first. */
  private compactLevels(): void {
    for (let level = 1; level < this.levels.length; level++) {
      const entry = this.levels[level];
      if (!entry || entry.size < this.options.levelCapacity) continue;
      const items = entry.items.subarray(0, entry.size).sort();
      const { kept, leftover } = halve(items, this.nextParity(level));
      entry.size = 0;
      if (leftover !== undefined) entry.items[entry.size++] = leftover;
      this.error += 2 ** level;
      this.append(level + 1, kept);
    }
  }
}

/**
 * Keeps every other item of a sorted buffer, starting at `parity` (0 or 1), over an
 * even count; an odd buffer leaves its largest item out.
 */
function halve(sorted: Float64Array, parity: number): { kept: Float64Array; leftover?: number } {
  const even = sorted.length & ~1;
  const kept = new Float64Array(even / 2);
  for (let i = 0; i < kept.length; i++) kept[i] = sorted[2 * i + parity];
  return { kept, leftover: even < sorted.length ? sorted[sorted.length - 1] : undefined };
}

interface WeightedRun {
  values: Float64Array;
  weights: Float64Array;
}

/** Merges two runs sorted by value, carrying each item's weight. */
function mergeRuns(a: WeightedRun, b: WeightedRun): WeightedRun {
  const size = a.values.length + b.values.length;
  const values = new Float64Array(size);
  const weights = new Float64Array(size);
  let i = 0;
  let j = 0;
  for (let at = 0; at < size; at++) {
    if (j >= b.values.length || (i < a.values.length && a.values[i] <= b.values[j])) {
      values[at] = a.values[i];
      weights[at] = a.weights[i++];
    } else {
      values[at] = b.values[j];
      weights[at] = b.weights[j++];
    }
  }
  return { values, weights };
}
