import { describe, expect, it } from 'vitest';
import { project } from '../src/reference/project.js';
import { rotate } from '../src/reference/rotate.js';
import { chiCdf, chiRadiusFromScore } from '../src/stats/chi.js';
import { normalCdf } from '../src/stats/normal.js';
import { testKeys } from './helpers/fixtures.js';
import { gaussian, rng, SEED } from './helpers/synthetic.js';

const n = 20000;
const key = testKeys().stage('operator_test', 0);
const batch = { rows: n, rowBase: 0, rowStride: 1 };

/** n rows of d independent standard normals, columnar. */
function gaussianRows(d: number, seed: number): Float32Array {
  const random = rng(seed);
  const w = new Float32Array(d * n);
  for (let i = 0; i < w.length; i++) w[i] = gaussian(random);
  return w;
}

function radius(w: Float32Array, d: number, r: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += w[j * n + r] ** 2;
  return Math.sqrt(s);
}

/** Largest |cov(w)_jk − I_jk| over all entries. */
function covarianceGap(w: Float32Array, d: number): number {
  let worst = 0;
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += w[j * n + r];
    return s / n;
  });
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += (w[j * n + r] - mean[j]) * (w[k * n + r] - mean[k]);
      worst = Math.max(worst, Math.abs(s / n - (j === k ? 1 : 0)));
    }
  }
  return worst;
}

/** Average over columns of corr(w'_j, w_j). */
function selfCorrelation(before: Float32Array, after: Float32Array, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let sab = 0, saa = 0, sbb = 0;
    for (let r = 0; r < n; r++) {
      const a = before[j * n + r];
      const b = after[j * n + r];
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
    total += sab / Math.sqrt(saa * sbb);
  }
  return total / d;
}

// A variance estimate has standard error √2/√n (covariances 1/√n): five of those bound
// every entry of the matrix.
const COVARIANCE_TOLERANCE = (5 * Math.SQRT2) / Math.sqrt(n);

describe('rotate', () => {
  const d = 8;
  const band = { thetaMin: Math.PI / 6, thetaMax: Math.PI / 3 };

  it('keeps every radius exactly with rho = 1', () => {
    const w = gaussianRows(d, SEED);
    const before = w.slice();
    rotate(w, batch, d, { ...band, rho: 1 }, key);
    for (let r = 0; r < n; r++) expect(Math.abs(radius(w, d, r) - radius(before, d, r))).toBeLessThan(1e-5 * radius(before, d, r));
  });

  it('turns every row by an angle inside the band', () => {
    const w = gaussianRows(d, SEED + 1);
    const before = w.slice();
    rotate(w, batch, d, { ...band, rho: 1 }, key);
    for (let r = 0; r < n; r++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += w[j * n + r] * before[j * n + r];
      const cos = dot / (radius(w, d, r) * radius(before, d, r));
      expect(cos).toBeLessThanOrEqual(Math.cos(band.thetaMin) + 1e-5);
      expect(cos).toBeGreaterThanOrEqual(Math.cos(band.thetaMax) - 1e-5);
    }
  });

  it('gives chi-distributed radii with rho < 1', () => {
    const w = gaussianRows(d, SEED + 2);
    rotate(w, batch, d, { ...band, rho: 0.5 }, key);
    const radii = Array.from({ length: n }, (_, r) => radius(w, d, r));
    const grid = Array.from({ length: 400 }, (_, i) => (i + 0.5) * 0.02);
    const worst = Math.max(...grid.map((x) => Math.abs(radii.filter((v) => v <= x).length / n - chiCdf(x, d))));
    // KS critical value at the 0.1% level is 1.95/√n.
    expect(worst).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('preserves the covariance of Gaussian rows', () => {
    for (const rho of [1, 0.5]) {
      const w = gaussianRows(d, SEED + 3);
      rotate(w, batch, d, { ...band, rho }, key);
      expect(covarianceGap(w, d), `rho ${rho}`).toBeLessThan(COVARIANCE_TOLERANCE);
    }
  });

  it('matches the predicted corr(w\', w) = E[cos θ] E[r r\'] / d', () => {
    const rho = 0.5;
    const w = gaussianRows(d, SEED + 4);
    const before = w.slice();
    rotate(w, batch, d, { ...band, rho }, key);

    // E[r r'] by Monte Carlo over the radius model alone, independent of rotate's code.
    const random = rng(SEED + 5);
    let product = 0;
    const draws = 200000;
    for (let i = 0; i < draws; i++) {
      const s = gaussian(random);
      product += chiRadiusFromScore(s, d) * chiRadiusFromScore(rho * s + Math.sqrt(1 - rho * rho) * gaussian(random), d);
    }
    const meanCos = (Math.sin(band.thetaMax) - Math.sin(band.thetaMin)) / (band.thetaMax - band.thetaMin);
    const predicted = (meanCos * (product / draws)) / d;
    expect(Math.abs(selfCorrelation(before, w, d) - predicted)).toBeLessThan(0.02);
  });

  it('passes a zero row through', () => {
    const w = new Float32Array(d * n);
    rotate(w, batch, d, { ...band, rho: 0.5 }, key);
    expect(w.every((v) => v === 0)).toBe(true);
  });
});

describe('project', () => {
  const d = 10;

  it('preserves the covariance of Gaussian rows', () => {
    for (const k of [1, 5, 9]) {
      const w = gaussianRows(d, SEED + 10 + k);
      project(w, batch, d, { k }, key);
      expect(covarianceGap(w, d), `k ${k}`).toBeLessThan(COVARIANCE_TOLERANCE);
    }
  });

  it('keeps corr(w\', w) near k/d', () => {
    for (const k of [2, 5, 8]) {
      const w = gaussianRows(d, SEED + 20 + k);
      const before = w.slice();
      project(w, batch, d, { k }, key);
      expect(Math.abs(selfCorrelation(before, w, d) - k / d), `k ${k}`).toBeLessThan(0.02);
    }
  });

  it('leaves a reconstruction error of at least √(1 − k/d) to the key holder', () => {
    // Whoever holds the key knows each row's subspace: the best estimate of w is then
    // its projection PPᵀw', whose error has variance 1 − k/d per coordinate.
    const k = 4;
    const w = gaussianRows(d, SEED + 30);
    const before = w.slice();
    project(w, batch, d, { k }, key);
    let squared = 0;
    for (let i = 0; i < w.length; i++) squared += (w[i] - before[i]) ** 2;
    // E‖w' − w‖² = d − k + (d − k) = 2(d − k): the kept part is exact, the rest is fresh.
    expect(Math.abs(squared / n - 2 * (d - k))).toBeLessThan(0.1 * (d - k));
  });

  it('keeps the marginal of each coordinate standard normal', () => {
    const w = gaussianRows(d, SEED + 40);
    project(w, batch, d, { k: 3 }, key);
    for (let j = 0; j < d; j++) {
      // One-sample KS distance to Φ; 2.47/√n is the critical value at the 1e-5 level,
      // small enough for ten columns per run.
      const sorted = Float64Array.from(w.subarray(j * n, (j + 1) * n)).sort();
      let distance = 0;
      sorted.forEach((x, i) => {
        const cdf = normalCdf(x);
        distance = Math.max(distance, Math.abs((i + 1) / n - cdf), Math.abs(i / n - cdf));
      });
      expect(distance, `column ${j}`).toBeLessThan(2.47 / Math.sqrt(n));
    }
  });
});
