import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu.js';
import type { Engine } from '../src/engine/engine.js';
import { GpuEngine } from '../src/engine/gpu.js';
import { loadFrame } from '../src/frame/frame.js';
import { findNeighbours } from '../src/neighbours/search.js';
import { knnReference } from '../src/reference/knn.js';
import type { Schema } from '../src/schema/schema.js';
import { DIABETES_FULL, DIABETES_SCHEMA, fitFixture, loadSchema, PHYSIONET, readWhole, testKeys } from './helpers/fixtures.js';
import { testGpu } from './helpers/gpu.js';
import { physionet29Schema } from './helpers/physionet.js';
import { gaussian, rng, SEED } from './helpers/synthetic.js';

const key = testKeys().stage('neighbours', 0);

/** Whitened rows (row-major) of a table under its fitted frame. */
async function whitenedRows(engine: Engine, path: string, schema: Schema): Promise<{ points: Float32Array; n: number; d: number }> {
  const frame = loadFrame(await fitFixture(path, schema, engine));
  const batch = await readWhole(path, schema);
  const pipeline = await engine.createPipeline({ frame, latentKey: testKeys().stage('normal_scores', 0), sweeps: 3, stages: [], to: 'whitened' }, batch.rows);
  const w = await pipeline.run(batch.numeric, { rows: batch.rows, rowBase: 0, rowStride: 1 });
  pipeline.dispose();
  const { d } = frame;
  const n = batch.rows;
  const points = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) points[r * d + j] = w[j * n + r];
  return { points, n, d };
}

describe('neighbour search', () => {
  it('is exact below the limit (recall 1.0 against brute force)', async () => {
    const random = rng(SEED);
    const n = 1500;
    const d = 6;
    const points = Float32Array.from({ length: n * d }, () => gaussian(random));
    const { result, report } = await findNeighbours(new CpuEngine(), points, n, d, { k: 5, exactLimit: 10_000, blockSize: 256, recallTarget: 0.9, maxPartitions: 4, recallSample: 200, key });
    const truth = knnReference({ queries: points, queryCount: n, candidates: points, candidateCount: n, d, k: 5, excludeDuplicates: true });
    expect(report.mode).toBe('exact');
    expect(report.recall).toBe(1);
    expect(result.indices).toEqual(truth.indices);
  });

  it('reaches the recall target with blocks on synthetic data', async () => {
    const random = rng(SEED + 1);
    const n = 6000;
    const d = 10;
    const points = Float32Array.from({ length: n * d }, () => gaussian(random));
    const { result, report } = await findNeighbours(new CpuEngine(), points, n, d, { k: 5, exactLimit: 0, blockSize: 512, recallTarget: 0.9, maxPartitions: 8, recallSample: 300, key, forceBlocked: true });
    expect(report.mode).toBe('blocked');
    expect(report.recall, JSON.stringify(report)).toBeGreaterThanOrEqual(0.9);
    expect(report.blocks.maxRows).toBeLessThanOrEqual(512);
    // The reported recall is measured, not assumed: recompute it on other rows.
    const rows = Array.from({ length: 200 }, (_, i) => i * 29 + 1);
    const truth = knnReference({ queries: Float32Array.from(rows.flatMap((r) => Array.from(points.subarray(r * d, r * d + d)))), queryCount: rows.length, candidates: points, candidateCount: n, d, k: 5, excludeDuplicates: true });
    let found = 0;
    rows.forEach((r, i) => {
      const mine = new Set(result.indices.subarray(r * 5, r * 5 + 5));
      for (let j = 0; j < 5; j++) if (mine.has(truth.indices[i * 5 + j])) found++;
    });
    expect(found / (rows.length * 5)).toBeGreaterThan(0.85);
  });

  describe.skipIf(!existsSync(PHYSIONET))('on the reference tables (blocked path forced)', () => {
    it('PhysioNet 29 columns, B = 1024: recall ≥ 0.9 for kNN = 5', async () => {
      const gpu = await testGpu();
      const engine = gpu ? new GpuEngine(gpu, 8192) : new CpuEngine();
      const header = readFileSync(PHYSIONET, 'utf8').split('\n')[0].split(',');
      const { points, n, d } = await whitenedRows(engine, PHYSIONET, physionet29Schema(header));
      expect(d).toBe(29);
      const { report } = await findNeighbours(engine, points, n, d, { k: 5, exactLimit: 0, blockSize: 1024, recallTarget: 0.9, maxPartitions: 8, recallSample: 2000, key, forceBlocked: true });
      expect(report.recall, JSON.stringify(report)).toBeGreaterThanOrEqual(0.9);
    });

    it.skipIf(!existsSync(DIABETES_FULL))('diabetes encounters, B = 4096: recall ≥ 0.9 for kNN = 5', async () => {
      const gpu = await testGpu();
      const engine = gpu ? new GpuEngine(gpu, 1 << 17) : new CpuEngine();
      const { points, n, d } = await whitenedRows(engine, DIABETES_FULL, await loadSchema(DIABETES_SCHEMA));
      const { report } = await findNeighbours(engine, points, n, d, { k: 5, exactLimit: 0, blockSize: 4096, recallTarget: 0.9, maxPartitions: 8, recallSample: 2000, key, forceBlocked: true });
      expect(report.blocks.maxRows).toBeLessThanOrEqual(4096);
      expect(report.recall, JSON.stringify(report)).toBeGreaterThanOrEqual(0.9);
    }, 600_000);
  });
});
