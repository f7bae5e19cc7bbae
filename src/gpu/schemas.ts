import * as d from 'typegpu/data';

/**
 * Uniform block of every per-row kernel: the batch size, where the batch sits in the
 * whole input (global row = rowBase + r · rowStride, 64-bit as two words) and the
 * stage's ChaCha20 key. Declared once here; tgpu.resolve writes the WGSL struct.
 */
export const StageParams = d
  .struct({
    rows: d.u32,
    rowBaseLow: d.u32,
    rowBaseHigh: d.u32,
    rowStride: d.u32,
    key0: d.vec4u,
    key1: d.vec4u,
  })
  .$name('StageParams');

export const F32Array = d.arrayOf(d.f32);
export const U32Array = d.arrayOf(d.u32);
export const Vec4fArray = d.arrayOf(d.vec4f);

/** Builds the StageParams value for a batch and key. */
export function stageParams(rows: number, rowBase: number, rowStride: number, key: Uint32Array): d.Infer<typeof StageParams> {
  return {
    rows,
    rowBaseLow: rowBase >>> 0,
    rowBaseHigh: Math.floor(rowBase / 4294967296) >>> 0,
    rowStride,
    key0: d.vec4u(key[0], key[1], key[2], key[3]),
    key1: d.vec4u(key[4], key[5], key[6], key[7]),
  };
}

/**
 * Uniform block of the kNN kernels: the sizes of the current query and candidate tiles,
 * their first global indices, and the exclusions. Query q is candidate q + selfOffset
 * when excludeSelf is 1, and distance-0 candidates are skipped when excludeDuplicates is 1.
 */
export const KnnParams = d
  .struct({
    queryCount: d.u32,
    candidateCount: d.u32,
    queryStart: d.u32,
    candidateStart: d.u32,
    selfOffset: d.u32,
    excludeSelf: d.u32,
    excludeDuplicates: d.u32,
    padding: d.u32,
  })
  .$name('KnnParams');

/** Distance that marks an empty slot of a running top-k list (read back as +∞). */
export const FAR = 3e38;

/** Uniform block of the mix kernel: number of groups and rows, and the stage key. */
export const MixParams = d
  .struct({
    groups: d.u32,
    rows: d.u32,
    padding0: d.u32,
    padding1: d.u32,
    key0: d.vec4u,
    key1: d.vec4u,
  })
  .$name('MixParams');
