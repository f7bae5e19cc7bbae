import tgpu from 'typegpu';
import topkSource from '../shaders/topk.wgsl';
import { F32Array, KnnParams, U32Array } from '../src/gpu/schemas.js';
import { WORKGROUP_SIZE, type KernelDefinition } from '../src/gpu/runner.js';
import { specialize } from '../src/gpu/wgsl.js';

export const topkLayout = tgpu.bindGroupLayout({
  knn: { uniform: KnnParams },
  distances: { storage: F32Array },
  best_distances: { storage: F32Array, access: 'mutable' },
  best_indices: { storage: U32Array, access: 'mutable' },
});

/** Merges a distance tile into each query's running k-nearest list. */
export function topkKernel(k: number): KernelDefinition {
  return {
    name: 'topk',
    key: `topk:${k}`,
    layout: topkLayout,
    code: () => specialize(topkSource, { K: k, WORKGROUP_SIZE }),
  };
}
