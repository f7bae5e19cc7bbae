import { describe, expect, it } from 'vitest';
import { gpuMix } from '../src/engine/gpu_mix.js';
import { InputError } from '../src/errors.js';
import { KernelRunner } from '../src/gpu/runner.js';
import { interpolateRows } from '../src/neighbours/interpolate.js';
import { formGroups, groupPermutation, mixReference, pooledCovariance, type MixRequest } from '../src/neighbours/mix.js';
import { partition } from '../src/neighbours/partition.js';
import { knnReference } from '../src/reference/knn.js';
import { testKeys } from './helpers/fixtures.js';
import { testGpu } from './helpers/gpu.js';
import { maxRelativeError } from './helpers/kernels.js';
import { gaussian, rng, SEED } from './helpers/synthetic.js';

const keys = testKeys();

/** n correlated Gaussian rows (row-major), like whitened data with some structure. */
function points(n: number, d: number, seed: number): Float32Array {
  const random = rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const shared = gaussian(random);
    for (let j = 0; j < d; j++) out[i * d + j] = 0.6 * shared + 0.8 * gaussian(random);
  }
  return out;
}

function ids(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i);
}

function meanAndCovariance(x: Float32Array, n: number, d: number): { mean: number[]; covariance: number[][] } {
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j];
    return s / n;
  });
  const covariance = Array.from({ length: d }, (_, j) =>
    Array.from({ length: d }, (_, l) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (x[i * d + j] - mean[j]) * (x[i * d + l] - mean[l]);
      return s / (n - 1);
    }),
  );
  return { mean, covariance };
}

describe('principal-axis partition', () => {
  it('covers every row once, in blocks of at most B', () => {
    const n = 5000;
    const tree = partition(points(n, 6, SEED), 6, n, { maxBlock: 300, key: keys.stage('p', 0), variant: 0 });
    expect(Array.from(tree.order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let b = 0; b + 1 < tree.offsets.length; b++) {
      const size = tree.offsets[b + 1] - tree.offsets[b];
      expect(size).toBeLessThanOrEqual(300);
      expect(size).toBeGreaterThanOrEqual(150);
      expect(tree.parents[2 * b]).toBeLessThanOrEqual(tree.offsets[b]);
      expect(tree.parents[2 * b + 1]).toBeGreaterThanOrEqual(tree.offsets[b + 1]);
    }
  });

  it('is deterministic for a key and differs between variants', () => {
    const x = points(2000, 5, SEED + 1);
    const options = { maxBlock: 100, key: keys.stage('p', 0), variant: 0 };
    expect(partition(x, 5, 2000, options).order).toEqual(partition(x, 5, 2000, options).order);
    expect(partition(x, 5, 2000, { ...options, variant: 1 }).order).not.toEqual(partition(x, 5, 2000, options).order);
  });
});

describe('mix', () => {
  const d = 5;
  const n = 6000;
  const k = 10;
  const alpha = 0.5;

  function mixRequest(x: Float32Array, key = keys.stage('mix', 0), a = alpha): MixRequest {
    const groups = formGroups(x, n, d, k, keys.stage('groups', 0));
    return { points: x, n, d, groups, poolFactor: pooledCovariance(x, d, groups).factor, alpha: a, k, key, rowIds: ids(n) };
  }

  it('forms groups of k to 2k − 1 rows', () => {
    const { groups } = mixRequest(points(n, d, SEED));
    for (let g = 0; g + 1 < groups.offsets.length; g++) {
      const size = groups.offsets[g + 1] - groups.offsets[g];
      expect(size).toBeGreaterThanOrEqual(k);
      expect(size).toBeLessThanOrEqual(2 * k - 1);
    }
  });

  it('keeps one patient out of a group twice', () => {
    const x = points(n, d, SEED + 1);
    // 2000 patients with 3 rows each, placed next to each other in the data.
    const patients = Uint32Array.from({ length: n }, (_, i) => Math.floor(i / 3));
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = x[Math.floor(i / 3) * 3 * d + j] + 0.01 * j * (i % 3);
    const groups = formGroups(x, n, d, k, keys.stage('groups', 0), patients);
    for (let g = 0; g + 1 < groups.offsets.length; g++) {
      const members = Array.from(groups.order.subarray(groups.offsets[g], groups.offsets[g + 1]), (row) => patients[row]);
      expect(new Set(members).size, `group ${g}`).toBe(members.length);
    }
  });

  it('keeps the global mean and covariance within sampling error', () => {
    const x = points(n, d, SEED + 2);
    const before = meanAndCovariance(x, n, d);
    const after = meanAndCovariance(mixReference(mixRequest(x)), n, d);
    for (let j = 0; j < d; j++) {
      expect(Math.abs(after.mean[j] - before.mean[j])).toBeLessThan(4 * Math.sqrt(before.covariance[j][j] / n));
      for (let l = 0; l < d; l++) expect(Math.abs(after.covariance[j][l] - before.covariance[j][l]), `entry ${j},${l}`).toBeLessThan(5 * Math.SQRT2 / Math.sqrt(n) * Math.sqrt(before.covariance[j][j] * before.covariance[l][l]));
    }
  });

  it('gives a group the covariance (1 − α)(m − 1)/m S_G + α (m − 1)/m S_pool', () => {
    const x = points(n, d, SEED + 3);
    const request = mixRequest(x);
    const { groups } = request;
    const pool = pooledCovariance(x, d, groups).covariance;
    const g = 7;
    const start = groups.offsets[g];
    const m = groups.offsets[g + 1] - start;
    const members = Array.from(groups.order.subarray(start, start + m));
    const memberRows = new Float32Array(m * d);
    members.forEach((row, t) => memberRows.set(x.subarray(row * d, row * d + d), t * d));
    const sg = meanAndCovariance(memberRows, m, d).covariance;

    // Average the released rows' covariance about the centroid over many keys.
    const trials = 400;
    const sum = Array.from({ length: d }, () => new Float64Array(d));
    const centroid = meanAndCovariance(memberRows, m, d).mean;
    for (let trial = 0; trial < trials; trial++) {
      const out = mixReference({ ...request, key: keys.stage("mix_trial", trial) });
      for (const row of members) for (let j = 0; j < d; j++) for (let l = 0; l < d; l++) sum[j][l] += (out[row * d + j] - centroid[j]) * (out[row * d + l] - centroid[l]);
    }
    for (let j = 0; j < d; j++) {
      for (let l = 0; l < d; l++) {
        const expected = ((1 - alpha) * (m - 1)) / m * sg[j][l] + (alpha * (m - 1)) / m * pool[j * d + l];
        const observed = sum[j][l] / (trials * m);
        expect(Math.abs(observed - expected), `entry ${j},${l}`).toBeLessThan(0.15 * Math.sqrt(sg[j][j] * sg[l][l] + pool[j * d + j] * pool[l * d + l]));
      }
    }
  });

  it('moves rows out of the group affine hull when α > 0', () => {
    const x = points(n, 12, SEED + 4);
    const groups = formGroups(x, n, 12, 4, keys.stage('groups', 0));
    const request: MixRequest = { points: x, n, d: 12, groups, poolFactor: pooledCovariance(x, 12, groups).factor, alpha, k: 4, key: keys.stage("mix", 0), rowIds: ids(n) };
    const residual = (a: number): number => {
      const out = mixReference({ ...request, alpha: a });
      // Distance of each released row from the affine hull of its group's members.
      let worst = 0;
      for (let g = 0; g < 20; g++) {
        const start = groups.offsets[g];
        const members = Array.from(groups.order.subarray(start, groups.offsets[g + 1]));
        const base = members[0];
        const basis: number[][] = [];
        for (const row of members.slice(1)) {
          let v = Array.from({ length: 12 }, (_, j) => x[row * 12 + j] - x[base * 12 + j]);
          for (const b of basis) {
            const dot = v.reduce((s, vj, j) => s + vj * b[j], 0);
            v = v.map((vj, j) => vj - dot * b[j]);
          }
          const norm = Math.hypot(...v);
          if (norm > 1e-6) basis.push(v.map((vj) => vj / norm));
        }
        for (const row of members) {
          let v = Array.from({ length: 12 }, (_, j) => out[row * 12 + j] - x[base * 12 + j]);
          for (const b of basis) {
            const dot = v.reduce((s, vj, j) => s + vj * b[j], 0);
            v = v.map((vj, j) => vj - dot * b[j]);
          }
          worst = Math.max(worst, Math.hypot(...v));
        }
      }
      return worst;
    };
    expect(residual(0)).toBeLessThan(1e-4);
    expect(residual(alpha)).toBeGreaterThan(0.1);
  });

  it('permutes categorical and sensitive values within each group', () => {
    const x = points(n, d, SEED + 5);
    const { groups } = mixRequest(x);
    const categorical = groupPermutation(groups, n, keys.stage('cat', 0), ids(n));
    const sensitive = groupPermutation(groups, n, keys.stage('sens', 0), ids(n));
    let same = 0;
    for (let g = 0; g + 1 < groups.offsets.length; g++) {
      const members = Array.from(groups.order.subarray(groups.offsets[g], groups.offsets[g + 1])).sort((a, b) => a - b);
      expect(members.map((row) => categorical[row]).sort((a, b) => a - b)).toEqual(members);
      expect(members.map((row) => sensitive[row]).sort((a, b) => a - b)).toEqual(members);
      for (const row of members) if (categorical[row] === sensitive[row]) same++;
    }
    // Independent permutations agree on a row about once per group (chance 1/m).
    expect(same / n).toBeLessThan(0.2);
  });

  it('rejects k < 2 and fewer than k rows', () => {
    const x = points(8, 3, SEED);
    expect(() => formGroups(x, 8, 3, 1, keys.stage('g', 0))).toThrow(InputError);
    expect(() => formGroups(x, 8, 3, 10, keys.stage('g', 0))).toThrow(/needs at least 10 rows/);
  });

  it('kernel agrees with the reference', async () => {
    const gpu = await testGpu();
    if (!gpu) return;
    const x = points(n, d, SEED + 6);
    const request = mixRequest(x);
    request.rowIds = Float64Array.from({ length: n }, (_, i) => 2 ** 32 - 3000 + i);
    const expected = mixReference(request);
    const actual = await gpuMix(new KernelRunner(gpu), request);
    expect(maxRelativeError(actual, expected)).toBeLessThan(1e-4);
  });
});

describe('interpolate', () => {
  it('puts every output on the rescaled segment between a row and one of its neighbours', () => {
    const d = 6;
    const n = 800;
    const x = points(n, d, SEED + 7);
    const params = { knn: 5, lambdaMin: 0.25, lambdaMax: 0.75, rho: 0.5 };
    const neighbours = knnReference({ queries: x, queryCount: n, candidates: x, candidateCount: n, d, k: 5, excludeDuplicates: true });
    const out = interpolateRows(x, n, d, neighbours, params, keys.stage('interpolate', 0), ids(n));
    for (let i = 0; i < n; i++) {
      const w = x.subarray(i * d, i * d + d);
      const o = out.subarray(i * d, i * d + d);
      // o is parallel to w + λ(w_j − w) for some neighbour j and λ in the range.
      const matched = Array.from(neighbours.indices.subarray(i * 5, i * 5 + 5)).some((j) => {
        const partner = x.subarray(j * d, j * d + d);
        // Solve for λ along the segment by least squares on the direction o.
        const delta = Array.from(partner, (p, t) => p - w[t]);
        const norm = Math.hypot(...o);
        const unit = Array.from(o, (v) => v / norm);
        // Points w + λδ parallel to unit: minimise |(w + λδ) − ((w + λδ)·u)u|².
        const perp = (v: number[]) => { const dot = v.reduce((s, vj, t) => s + vj * unit[t], 0); return v.map((vj, t) => vj - dot * unit[t]); };
        const pw = perp(Array.from(w));
        const pd = perp(delta);
        const dd = pd.reduce((s, v) => s + v * v, 0);
        const lambda = dd === 0 ? 0 : -pw.reduce((s, v, t) => s + v * pd[t], 0) / dd;
        const residual = Math.hypot(...pw.map((v, t) => v + lambda * pd[t]));
        const along = Array.from(w, (v, t) => v + lambda * delta[t]).reduce((s, v, t) => s + v * unit[t], 0);
        return residual < 1e-4 * (1 + Math.hypot(...w)) && lambda >= 0.25 - 1e-4 && lambda <= 0.75 + 1e-4 && along > 0;
      });
      expect(matched, `row ${i}`).toBe(true);
    }
  });
});
