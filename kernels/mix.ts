import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import mixSource from '../shaders/mix.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import { F32Array, StageParams, U32Array } from '../src/gpu/schemas.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { f32Literal, specialize } from '../src/gpu/wgsl.js';
import { mixEtaDraw } from '../src/neighbours/mix.js';

export const mixLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  grouped: { storage: F32Array },
  group_of: { storage: U32Array },
  offsets: { storage: U32Array },
  centroids: { storage: F32Array },
  row_ids: { storage: U32Array },
  pool_factor: { storage: F32Array },
  mixed: { storage: F32Array, access: 'mutable' },
});

/** k-record Gaussian mixing of grouped whitened rows (groups of k to 2k − 1) with noise share alpha. */
export function mixKernel(d: number, alpha: number, k: number): KernelDefinition {
  return {
    name: 'mix',
    key: `mix:${d}:${alpha}:${k}`,
    layout: mixLayout,
    code: () =>
      [chachaSource, rowsSource, specialize(mixSource, { D: d, WORKGROUP_SIZE, ALPHA: f32Literal(alpha), MAX_MEMBERS: 2 * k - 1, ETA_DRAW: mixEtaDraw(k) })].join('\n'),
  };
}
