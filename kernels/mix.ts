import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import mixSource from '../shaders/mix.wgsl';
import { F32Array, MixParams, U32Array, Vec4fArray } from '../src/gpu/schemas.js';
import type { KernelDefinition } from '../src/gpu/runner.js';
import { f32Literal, specialize } from '../src/gpu/wgsl.js';
import { mixEtaDraw } from '../src/neighbours/mix.js';
import { fingerprint, normalDrawsFunction, UNROLL_MAX_D } from './codegen.js';

export const mixLayout = tgpu.bindGroupLayout({
  mixing: { uniform: MixParams },
  grouped: { storage: F32Array },
  offsets: { storage: U32Array },
  centroids: { storage: Vec4fArray },
  row_ids: { storage: U32Array },
  pool_factor_t: { storage: Vec4fArray },
  mixed: { storage: F32Array, access: 'mutable' },
});

/**
 * Invocations per group: the smallest power of two ≥ k, at most 64. Groups hold k to
 * 2k − 1 rows, so the few larger ones take a second pass instead of leaving most lanes
 * idle in every group.
 */
export function mixGroupThreads(k: number): number {
  let threads = 1;
  while (threads < k && threads < 64) threads *= 2;
  return threads;
}

/** `fn pool_noise(q, eta) -> vec4f`: quad q of L η, with L's entries as literals when d is small. */
function poolNoiseFunction(poolFactor: Float64Array, d: number): string {
  const header = 'fn pool_noise(q: u32, eta: array<f32, D>) -> vec4f {';
  if (d > UNROLL_MAX_D) {
    return `${header}\n  var s = vec4f(0.0);\n  for (var l = 0u; l < D; l++) {\n    s += eta[l] * pool_factor_t[l * QUADS + q];\n  }\n  return s;\n}`;
  }
  const quads = Math.ceil(d / 4);
  const cases: string[] = [];
  for (let q = 0; q < quads; q++) {
    const lanes = [0, 1, 2, 3].map((c) => {
      const j = 4 * q + c;
      if (j >= d) return '0.0';
      const terms: string[] = [];
      for (let l = 0; l <= j; l++) if (poolFactor[j * d + l] !== 0) terms.push(`${f32Literal(poolFactor[j * d + l])} * eta[${l}]`);
      return terms.length > 0 ? terms.join(' + ') : '0.0';
    });
    cases.push(`    case ${q}u: { return vec4f(${lanes.join(',\n      ')}); }`);
  }
  return `${header}\n  switch (q) {\n${cases.join('\n')}\n    default: { return vec4f(0.0); }\n  }\n}`;
}

/** k-record Gaussian mixing of grouped whitened rows (groups of k to 2k − 1) with noise share alpha. */
export function mixKernel(d: number, alpha: number, k: number, poolFactor: Float64Array): KernelDefinition {
  return {
    name: 'mix',
    key: `mix:${d}:${alpha}:${k}:${fingerprint(poolFactor)}`,
    layout: mixLayout,
    code: () =>
      [
        chachaSource,
        specialize(mixSource, {
          D: d,
          QUADS: Math.ceil(d / 4),
          GROUP_THREADS: mixGroupThreads(k),
          ALPHA: f32Literal(alpha),
          MAX_MEMBERS: 2 * k - 1,
          ETA_DRAW: mixEtaDraw(k),
          MEMBER_QUADS: (2 * k - 1) * Math.ceil(d / 4),
          NORMAL_DRAWS: [normalDrawsFunction('xi_normals', 0, 2 * k - 1), normalDrawsFunction('eta_normals', mixEtaDraw(k), d)].join('\n'),
          POOL_NOISE: poolNoiseFunction(poolFactor, d),
        }),
      ].join('\n'),
  };
}
