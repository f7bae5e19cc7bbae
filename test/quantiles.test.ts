import { describe, expect, it } from 'vitest';
import { QuantileSketch, rankErrorBound, type SketchOptions } from '../src/frame/quantiles.js';
import { rng, SEED } from './helpers/synthetic.js';

/** Type-7 quantile of sorted values. */
function exactQuantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Distance in ranks, over n, between h and the ranks that value v takes in sorted data. */
function rankDistance(sorted: Float64Array, v: number, h: number): number {
  let below = 0;
  let hi = sorted.length;
  while (below < hi) {
    const mid = (below + hi) >> 1;
    if (sorted[mid] < v) below = mid + 1;
    else hi = mid;
  }
  let upTo = below;
  hi = sorted.length;
  while (upTo < hi) {
    const mid = (upTo + hi) >> 1;
    if (sorted[mid] <= v) upTo = mid + 1;
    else hi = mid;
  }
  // v occupies 0-based ranks below .. upTo − 1; between two items it sits at rank `below`.
  let distance = 0;
  if (h < below - 1) distance = below - 1 - h;
  else if (h > upTo) distance = h - upTo;
  return distance / sorted.length;
}

function skewed(n: number, seed: number): Float64Array {
  const random = rng(seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.round(1000 * random() ** 3 * 100) / 100;
  return values;
}

// Small capacities make compaction happen on test-sized inputs; the bound scales with them.
const SMALL: SketchOptions = { exactCapacity: 1 << 12, levelCapacity: 1 << 8, distinctLimit: 64 };

describe(`quantile sketch (seed ${SEED})`, () => {
  it('is exact while it holds every value', () => {
    const values = skewed(50_000, SEED);
    const sketch = new QuantileSketch();
    for (const v of values) sketch.add(v);
    const sorted = values.slice().sort();
    expect(sketch.isExact).toBe(true);
    expect(sketch.quantileRankError).toBe(0);
    for (let i = 0; i <= 200; i++) expect(sketch.quantile(i / 200)).toBe(exactQuantile(sorted, i / 200));
  });

  it('keeps quantiles within its tracked and a priori bounds', () => {
    const n = 300_000;
    const values = skewed(n, SEED + 1);
    const sketch = new QuantileSketch(SMALL);
    for (const v of values) sketch.add(v);
    const sorted = values.slice().sort();
    expect(sketch.isExact).toBe(false);
    expect(sketch.count).toBe(n);
    const tracked = sketch.quantileRankError;
    expect(tracked).toBeGreaterThan(0);
    expect(tracked).toBeLessThanOrEqual(rankErrorBound(n, SMALL));
    let worst = 0;
    for (let i = 0; i <= 1000; i++) worst = Math.max(worst, rankDistance(sorted, sketch.quantile(i / 1000), (n - 1) * (i / 1000)));
    expect(worst).toBeLessThanOrEqual(tracked);
  });

  it('merges parts within the bound', () => {
    const n = 200_000;
    const values = skewed(n, SEED + 2);
    const parts = [0, 1, 2, 3].map(() => new QuantileSketch(SMALL));
    values.forEach((v, i) => parts[i % 4].add(v));
    const merged = QuantileSketch.fromState(parts[0].toState(), SMALL);
    for (const part of parts.slice(1)) merged.mergeState(part.toState());
    const sorted = values.slice().sort();
    expect(merged.count).toBe(n);
    const tracked = merged.quantileRankError;
    // Each part can bring one partly filled exact buffer, whose halving costs up to 2^5 − 1 ranks.
    expect(tracked).toBeLessThanOrEqual(rankErrorBound(n, SMALL) + (4 * 31) / n);
    for (let i = 0; i <= 500; i++) expect(rankDistance(sorted, merged.quantile(i / 500), (n - 1) * (i / 500))).toBeLessThanOrEqual(tracked);
  });

  it('merges exact parts into the exact quantiles', () => {
    const values = skewed(20_000, SEED + 3);
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    values.forEach((v, i) => (i < 7_000 ? a : b).add(v));
    a.merge(b);
    const sorted = values.slice().sort();
    expect(a.isExact).toBe(true);
    for (let i = 0; i <= 100; i++) expect(a.quantile(i / 100)).toBe(exactQuantile(sorted, i / 100));
  });

  it('counts few distinct values exactly after compaction', () => {
    const sketch = new QuantileSketch(SMALL);
    const counts = new Map<number, number>();
    const random = rng(SEED + 4);
    for (let i = 0; i < 100_000; i++) {
      const v = Math.floor(random() * 30);
      counts.set(v, (counts.get(v) ?? 0) + 1);
      sketch.add(v);
    }
    const distinct = sketch.distinctCounts(64)!;
    expect(distinct.values).toEqual([...counts.keys()].sort((x, y) => x - y));
    expect(distinct.counts).toEqual(distinct.values.map((v) => counts.get(v)));
  });

  it('stops counting past the distinct limit', () => {
    const sketch = new QuantileSketch(SMALL);
    for (let i = 0; i < 65; i++) sketch.add(i);
    expect(sketch.distinctCounts(64)).toBeUndefined();
    const fewer = new QuantileSketch(SMALL);
    for (let i = 0; i < 64; i++) fewer.add(i);
    expect(fewer.distinctCounts(64)?.values).toHaveLength(64);
    expect(fewer.distinctCounts(10)).toBeUndefined();
  });

  it('states the default bound', () => {
    expect(rankErrorBound(1_000_000)).toBe(0);
    expect(rankErrorBound(1 << 20)).toBe(0);
    expect(rankErrorBound(10_000_000)).toBeLessThan(1.1e-4);
    expect(rankErrorBound(1e9)).toBeLessThan(2e-4);
  });
});
