import { describe, expect, it } from 'vitest';
import { gpuKnn } from '../src/engine/gpu_knn.js';
import { KernelRunner } from '../src/gpu/runner.js';
import { knnReference, NO_NEIGHBOUR, type KnnRequest } from '../src/reference/knn.js';
import { DIABETES_SAMPLE, DIABETES_SCHEMA, loadSchema, readWhole } from './helpers/fixtures.js';
import { testGpu } from './helpers/gpu.js';
import { gaussian, rng, SEED } from './helpers/synthetic.js';

function randomPoints(n: number, d: number, seed: number, discrete = false): Float32Array {
  const random = rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = discrete ? Math.floor(random() * 4) : gaussian(random);
  return out;
}

/** The k nearest by a full sort of every candidate: the definition, with no shortcuts. */
function bruteForce(request: KnnRequest, q: number): number[] {
  const order: { c: number; distance: number }[] = [];
  for (let c = 0; c < request.candidateCount; c++) {
    if (request.selfOffset !== undefined && c === q + request.selfOffset) continue;
    let distance = 0;
    for (let j = 0; j < request.d; j++) distance = Math.fround(distance + Math.fround(Math.fround(request.queries[q * request.d + j] - request.candidates[c * request.d + j]) ** 2));
    if (request.excludeDuplicates && distance === 0) continue;
    order.push({ c, distance });
  }
  order.sort((a, b) => a.distance - b.distance || a.c - b.c);
  return order.slice(0, request.k).map((e) => e.c);
}

describe('kNN reference', () => {
  it('returns the brute-force neighbours (recall 1.0)', () => {
    const points = randomPoints(300, 5, SEED);
    const request: KnnRequest = { queries: points, queryCount: 300, candidates: points, candidateCount: 300, d: 5, k: 7, selfOffset: 0 };
    const result = knnReference(request);
    for (let q = 0; q < 300; q++) expect(Array.from(result.indices.subarray(q * 7, q * 7 + 7)), `query ${q}`).toEqual(bruteForce(request, q));
  });

  it('breaks ties by index and skips duplicates on request', () => {
    const points = randomPoints(200, 3, SEED + 1, true);
    const request: KnnRequest = { queries: points, queryCount: 200, candidates: points, candidateCount: 200, d: 3, k: 5, excludeDuplicates: true };
    const result = knnReference(request);
    for (let q = 0; q < 200; q++) {
      expect(Array.from(result.indices.subarray(q * 5, q * 5 + 5)), `query ${q}`).toEqual(bruteForce(request, q));
      for (let i = 0; i < 5; i++) expect(result.distances[q * 5 + i]).toBeGreaterThan(0);
    }
  });

  it('pads with NO_NEIGHBOUR when fewer than k candidates exist', () => {
    const points = randomPoints(3, 2, SEED + 2);
    const result = knnReference({ queries: points, queryCount: 3, candidates: points, candidateCount: 3, d: 2, k: 4, selfOffset: 0 });
    expect(result.indices[3]).toBe(NO_NEIGHBOUR);
    expect(result.distances[3]).toBe(Infinity);
  });
});

describe('kNN kernels against the reference', () => {
  const cases: [string, () => Promise<KnnRequest>][] = [
    ['gaussian, self-excluded', async () => {
      const points = randomPoints(1000, 13, SEED + 3);
      return { queries: points, queryCount: 1000, candidates: points, candidateCount: 1000, d: 13, k: 10, selfOffset: 0 };
    }],
    ['discrete ties, duplicates excluded', async () => {
      const points = randomPoints(700, 4, SEED + 4, true);
      return { queries: points, queryCount: 700, candidates: points, candidateCount: 700, d: 4, k: 6, excludeDuplicates: true };
    }],
    ['queries against another set, 33 dimensions', async () => ({
      queries: randomPoints(333, 33, SEED + 5), queryCount: 333, candidates: randomPoints(900, 33, SEED + 6), candidateCount: 900, d: 33, k: 5,
    })],
    ['diabetes sample counts', async () => {
      const batch = await readWhole(DIABETES_SAMPLE, await loadSchema(DIABETES_SCHEMA));
      const d = 8;
      const points = new Float32Array(batch.rows * d);
      for (let r = 0; r < batch.rows; r++) for (let j = 0; j < d; j++) points[r * d + j] = batch.numeric[j * batch.rows + r] / 10;
      return { queries: points.subarray(0, 1500 * d), queryCount: 1500, candidates: points, candidateCount: batch.rows, d, k: 5, selfOffset: 0 };
    }],
  ];

  it.each(cases)('%s: same indices and distances bit for bit', async (_, make) => {
    const gpu = await testGpu();
    if (!gpu) return;
    const request = await make();
    const expected = knnReference(request);
    // Small tiles so that several query and candidate tiles are merged.
    const actual = await gpuKnn(new KernelRunner(gpu), request, { queries: 256, candidates: 320 });
    expect(Buffer.from(actual.indices.buffer).equals(Buffer.from(expected.indices.buffer)), `seed ${SEED}`).toBe(true);
    expect(Buffer.from(actual.distances.buffer).equals(Buffer.from(expected.distances.buffer)), `seed ${SEED}`).toBe(true);
  });
});
