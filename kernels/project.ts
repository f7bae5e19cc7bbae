import tgpu from 'typegpu';
import chachaSource from '../shaders/chacha20.wgsl';
import projectSource from '../shaders/project.wgsl';
import rowsSource from '../shaders/rows.wgsl';
import { F32Array, StageParams } from '../src/gpu/schemas.js';
import { specialize } from '../src/gpu/wgsl.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { projectReflections, type ProjectParams } from '../src/reference/project.js';

export const projectLayout = tgpu.bindGroupLayout({
  params: { uniform: StageParams },
  w: { storage: F32Array, access: 'mutable' },
});

/** Subspace resampling (k of d dimensions kept per row), in place on whitened rows. */
export function projectKernel(params: ProjectParams, d: number): KernelDefinition {
  const m = projectReflections(d, params.k);
  return {
    name: 'project',
    key: `project:${d}:${params.k}`,
    layout: projectLayout,
    code: () =>
      [
        chachaSource,
        rowsSource,
        specialize(projectSource, { D: d, WORKGROUP_SIZE, K: params.k, M: m, KEEP_LEADING: params.k <= d - params.k }),
      ].join('\n'),
  };
}
