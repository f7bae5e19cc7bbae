import tgpu from 'typegpu';
import { describe, expect, it } from 'vitest';
import chiSource from '../shaders/chi.wgsl';
import chachaSource from '../shaders/chacha20.wgsl';
import normalSource from '../shaders/normal.wgsl';
import { F32Array, StageParams } from '../src/gpu/schemas.js';
import type { KernelDefinition } from '../src/gpu/runner.js';
import { chiCdf, chiNormalScore, chiRadiusFromScore } from '../src/stats/chi.js';
import {
  inverseLogNormalTail,
  isNarrowInterval,
  logNormalTail,
  narrowIntervalDraw,
  normalCdf,
  normalQuantile,
  truncatedMoments,
  truncatedStandardNormal,
} from '../src/stats/normal.js';
import { testGpu } from './helpers/gpu.js';
import { runKernel } from './helpers/kernels.js';

// Φ(z) from Python's math.erfc (0.5 * erfc(-z / sqrt(2))), an independent implementation.
const PHI: [number, number][] = [
  [-38, 2.88542835e-316],
  [-20, 2.7536241186063314e-89],
  [-10, 7.619853024160593e-24],
  [-8, 6.220960574271819e-16],
  [-5, 2.866515718791946e-7],
  [-3, 0.0013498980316300957],
  [-2.5, 0.006209665325776139],
  [-1, 0.15865525393145707],
  [-0.3, 0.3820885778110474],
  [0, 0.5],
  [0.7, 0.758036347776927],
  [1.5, 0.9331927987311419],
  [2.2, 0.9860965524865014],
  [4, 0.9999683287581669],
  [6.5, 0.99999999995984],
];

describe('normal distribution (float64 reference)', () => {
  it('computes Φ to 1e-12 relative, tails included', () => {
    for (const [z, p] of PHI) expect(Math.abs(normalCdf(z) - p) / p).toBeLessThan(1e-12);
  });

  it('inverts Φ', () => {
    for (const p of [1e-300, 1e-20, 1e-8, 0.001, 0.02425, 0.3, 0.5, 0.77, 0.999, 1 - 1e-12]) {
      const x = normalQuantile(p);
      expect(Math.abs(normalCdf(x) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-9);
    }
  });

  it('inverts log Q deep in the tail', () => {
    for (const x of [5, 6, 10, 30, 100]) expect(inverseLogNormalTail(logNormalTail(x))).toBeCloseTo(x, 9);
  });

  it('draws truncated normals inside their bounds', () => {
    const cases: [number, number][] = [[-Infinity, Infinity], [0, Infinity], [-Infinity, -3], [2, 2.1], [20, Infinity], [-1, 1], [-40, -39.9]];
    for (const [lo, hi] of cases) {
      for (const v of [1e-7, 0.1, 0.5, 0.9, 1 - 1e-7]) {
        const x = truncatedStandardNormal(lo, hi, v);
        expect(x).toBeGreaterThanOrEqual(lo);
        expect(x).toBeLessThanOrEqual(hi);
      }
    }
    // The median of N(0, 1) truncated to [20, ∞) is about 20 + ln 2 / 20.
    expect(truncatedStandardNormal(20, Infinity, 0.5)).toBeCloseTo(20 + Math.log(2) / 20, 3);
  });

  it('draws narrow intervals as the exact inversion does', () => {
    let narrow = 0;
    for (let lo = -8; lo <= 8; lo += 0.0731) {
      for (const width of [1e-4, 1e-3, 0.01, 0.05, 0.1]) {
        const hi = lo + width;
        if (!isNarrowInterval(lo, hi)) continue;
        narrow++;
        // Above 0 the inversion runs on upper tails, which keep their digits in float64.
        const upper = lo >= 0;
        const pLo = upper ? normalCdf(-lo) : normalCdf(lo);
        const pHi = upper ? normalCdf(-hi) : normalCdf(hi);
        for (const v of [1e-6, 0.03, 0.31, 0.5, 0.77, 0.999]) {
          const p = pLo + v * (pHi - pLo);
          const exact = upper ? -normalQuantile(p) : normalQuantile(p);
          const draw = narrowIntervalDraw(lo, hi, v);
          expect(Math.abs(draw - exact), `lo=${lo} width=${width} v=${v}`).toBeLessThan(1e-6);
          expect(truncatedStandardNormal(lo, hi, v)).toBe(draw);
        }
      }
    }
    expect(narrow).toBeGreaterThan(500);
    expect(isNarrowInterval(-1, -0.6)).toBe(false);
    expect(isNarrowInterval(4, 4.1)).toBe(false);
  });

  it('gives truncated moments that match a quadrature', () => {
    for (const [lo, hi] of [[-1, 2], [0.5, Infinity], [-Infinity, -2], [3, 3.5]] as [number, number][]) {
      const a = Math.max(lo, -12);
      const b = Math.min(hi, 12);
      const steps = 200000;
      let mass = 0, first = 0, second = 0;
      for (let i = 0; i < steps; i++) {
        const x = a + ((i + 0.5) * (b - a)) / steps;
        const w = Math.exp(-0.5 * x * x);
        mass += w;
        first += w * x;
        second += w * x * x;
      }
      const mean = first / mass;
      const { mean: m, variance } = truncatedMoments(lo, hi);
      expect(m).toBeCloseTo(mean, 6);
      expect(variance).toBeCloseTo(second / mass - mean * mean, 6);
    }
  });

  it('maps chi radii to normal scores and back', () => {
    for (const d of [1, 2, 3, 4, 8, 29]) {
      for (const r of [0.3, 1, Math.sqrt(d), 2 * Math.sqrt(d) + 1]) {
        expect(chiRadiusFromScore(chiNormalScore(r, d), d)).toBeCloseTo(r, 6);
      }
    }
    // Exact chi CDF for d = 2: 1 − exp(−r²/2).
    expect(chiCdf(1.3, 2)).toBeCloseTo(1 - Math.exp(-0.5 * 1.69), 12);
  });
});

const mathLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  inputs: { storage: F32Array },
  outputs: { storage: F32Array, access: 'mutable' },
});

/** A test kernel that evaluates the WGSL normal and chi functions on given arguments. */
function mathKernel(d: number): KernelDefinition {
  const stage = `
const D: u32 = ${d}u;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= params.rows) { return; }
  let lo = inputs[3u * i];
  let hi = inputs[3u * i + 1u];
  let v = inputs[3u * i + 2u];
  outputs[6u * i] = normal_tail(lo);
  outputs[6u * i + 1u] = log_normal_tail(lo);
  outputs[6u * i + 2u] = normal_quantile(v);
  outputs[6u * i + 3u] = truncated_standard_normal(lo, hi, v);
  outputs[6u * i + 4u] = chi_normal_score(abs(hi));
  outputs[6u * i + 5u] = chi_radius_from_score(lo);
}`;
  return { name: 'math_check', key: `math_check:${d}`, layout: mathLayout, code: () => [chachaSource, normalSource, chiSource, stage].join('\n') };
}

describe('WGSL normal and chi functions', () => {
  it('agree with the float64 reference', async () => {
    const gpu = await testGpu();
    if (!gpu) return;
    const cases: [number, number, number][] = [];
    const bounds = [-30, -8, -5.5, -3, -1, -0.2, 0, 0.4, 1.5, 3, 4.9, 5.1, 9, 25];
    for (const lo of bounds) {
      for (const width of [0, 0.01, 0.5, 3, Infinity]) {
        for (const v of [0.001, 0.3, 0.5, 0.97]) cases.push([lo, width === Infinity ? 1e30 : lo + width, v]);
      }
    }
    for (const hi of [-6, -1, 0.5]) for (const v of [0.01, 0.5, 0.99]) cases.push([-1e30, hi, v]);
    const inputs = new Float32Array(cases.flat());
    for (const d of [2, 3, 8, 29]) {
      const out = new Float32Array((await runKernel(gpu, mathKernel(d), cases.length, 0, new Uint32Array(8), { inputs }, { outputs: cases.length * 24 })).outputs);
      cases.forEach(([lo32, hi32, v32], i) => {
        const lo = Math.fround(lo32) <= -1e29 ? -Infinity : Math.fround(lo32);
        const hi = Math.fround(hi32) >= 1e29 ? Infinity : Math.fround(hi32);
        const v = Math.fround(v32);
        const where = `case lo=${lo} hi=${hi} v=${v} d=${d}`;
        if (Number.isFinite(lo) && lo > -9 && lo < 9) {
          const tail = normalCdf(-lo);
          expect(Math.abs(out[6 * i] - tail) / tail, where).toBeLessThan(2e-6);
        }
        if (Number.isFinite(lo)) expect(Math.abs(out[6 * i + 1] - logNormalTail(lo)) / Math.max(1, Math.abs(logNormalTail(lo))), where).toBeLessThan(2e-6);
        expect(Math.abs(out[6 * i + 2] - normalQuantile(v)), where).toBeLessThan(2e-5);
        const draw = truncatedStandardNormal(lo, hi, v);
        expect(Math.abs(out[6 * i + 3] - draw) / Math.max(1, Math.abs(draw)), where).toBeLessThan(1e-4);
        if (Number.isFinite(hi) && hi !== 0) {
          const score = chiNormalScore(Math.abs(hi), d);
          expect(Math.abs(out[6 * i + 4] - score) / Math.max(1, Math.abs(score)), where).toBeLessThan(1e-4);
        }
        if (Number.isFinite(lo) && Math.abs(lo) < 8) {
          const radius = chiRadiusFromScore(lo, d);
          expect(Math.abs(out[6 * i + 5] - radius) / Math.max(1, radius), where).toBeLessThan(1e-4);
        }
      });
    }
  });
});
