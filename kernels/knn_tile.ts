import tgpu from 'typegpu';
import knnTileSource from '../shaders/knn_tile.wgsl';
import { F32Array, KnnParams } from '../src/gpu/schemas.js';
import type { KernelDefinition } from '../src/gpu/runner.js';
import { specialize } from '../src/gpu/wgsl.js';

/** Points per side of the tile one workgroup covers (16 × 16 invocations × 4 × 4 points). */
export const KNN_TILE = 64;

export const knnTileLayout = tgpu.bindGroupLayout({
  knn: { uniform: KnnParams },
  queries: { storage: F32Array },
  candidates: { storage: F32Array },
  distances: { storage: F32Array, access: 'mutable' },
});

/** Squared distances between a query tile and a candidate tile of d-dimensional points. */
export function knnTileKernel(d: number): KernelDefinition {
  return {
    name: 'knn_tile',
    key: `knn_tile:${d}`,
    layout: knnTileLayout,
    code: () => specialize(knnTileSource, { D: d }),
  };
}
