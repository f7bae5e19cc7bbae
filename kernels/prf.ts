import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import prfSource from '../shaders/prf.wgsl';
import { F32Array, StageParams, U32Array } from '../src/gpu/schemas.js';
import { specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';

export const prfLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  words: { storage: U32Array, access: 'mutable' },
  uniforms: { storage: F32Array, access: 'mutable' },
  normals: { storage: F32Array, access: 'mutable' },
});

/** Writes `draws` stream words, uniforms and normals per row, for PRF checks. */
export function prfKernel(draws: number): KernelDefinition {
  return {
    name: 'prf',
    key: `prf:${draws}`,
    layout: prfLayout,
    code: () => [chachaSource, rowsSource, specialize(prfSource, { DRAWS: draws, WORKGROUP_SIZE })].join('\n'),
  };
}
