import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import mixSource from '../shaders/mix.wgsl';
import { F32Array, MixParams, U32Array, Vec4fArray } from '../src/gpu/schemas.js';
import type { KernelDefinition } from '../src/gpu/runner.js';
import { f32Literal, specialize } from '../src/gpu/wgsl.js';
import { mixEtaDraw } from '../src/neighbours/mix.js';
import { normalDrawsFunction } from './codegen.js';

export const mixLayout = tgpu.bindGroupLayout({
  mixing: { uniform: MixParams },
  grouped: { storage: F32Array },
  offsets: { storage: U32Array },
  centroids: { storage: Vec4fArray },
  row_ids: { storage: U32Array },
  pool_factor_t: { storage: Vec4fArray },
  mixed: { storage: F32Array, access: 'mutable' },
});

/** Invocations per group: the smallest power of two ≥ 2k − 1, at most 64 (larger groups loop). */
export function mixGroupThreads(k: number): number {
  let threads = 1;
  while (threads < 2 * k - 1 && threads < 64) threads *= 2;
  return threads;
}

/** k-record Gaussian mixing of grouped whitened rows (groups of k to 2k − 1) with noise share alpha. */
export function mixKernel(d: number, alpha: number, k: number): KernelDefinition {
  return {
    name: 'mix',
    key: `mix:${d}:${alpha}:${k}`,
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
        }),
      ].join('\n'),
  };
}
