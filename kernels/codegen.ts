import { constArray, f32Literal } from '../src/gpu/wgsl.js';
import { KNOTS_KIND, type MarginalTables } from '../src/frame/tables.js';

/**
 * Code generation for matrix work baked into kernels. Up to UNROLL_MAX_D columns the
 * products are written out term by term with the matrix as literals, which ran about six
 * times faster on lavapipe than loops over a constant array (a 32 × 32 triangular
 * solve). Wider frames read the matrix from a storage buffer in loops.
 */
export const UNROLL_MAX_D = 64;

/** Sum of coefficient × variable terms, skipping zero coefficients. */
export function linearCombination(coefficients: ArrayLike<number>, variable: (k: number) => string, start: number, end: number): string {
  const terms: string[] = [];
  for (let k = start; k < end; k++) {
    const c = Math.fround(coefficients[k - start]);
    if (c !== 0) terms.push(`${f32Literal(c)} * ${variable(k)}`);
  }
  return terms.length > 0 ? terms.join(' + ') : '0.0';
}

/** Writes the column constants that marginal.wgsl needs. */
export function columnConstants(tables: MarginalTables): string {
  return [
    constArray('COLUMN_KIND', 'u32', tables.kinds),
    constArray('COLUMN_OFFSET', 'u32', tables.offsets),
    constArray('COLUMN_SIZE', 'u32', tables.sizes),
  ].join('\n');
}

/** Returns a short, stable fingerprint of numbers baked into a kernel, for pipeline cache keys. */
export function fingerprint(...arrays: ArrayLike<number>[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x12345678;
  const view = new DataView(new ArrayBuffer(4));
  for (const array of arrays) {
    h1 = Math.imul(h1 ^ array.length, 16777619);
    for (let i = 0; i < array.length; i++) {
      view.setFloat32(0, array[i]);
      const bits = view.getUint32(0);
      h1 = Math.imul(h1 ^ bits, 16777619);
      h2 = Math.imul(h2 ^ bits, 2246822519) ^ (h2 >>> 13);
    }
  }
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

export { KNOTS_KIND };

/**
 * A WGSL function that returns `count` normals of a row's stream starting at draw
 * `first`, computed from explicitly named ChaCha20 blocks and Box–Muller pairs with
 * constant indices. It gives the same values as calling stream_normal for each draw,
 * but keeps everything in registers: lavapipe runs the Stream struct of chacha20.wgsl
 * from memory when it is used inside loops whose trip count varies.
 */
export function normalDrawsFunction(name: string, first: number, count: number): string {
  const firstPair = first >> 1;
  const lastPair = (first + count - 1) >> 1;
  const blocks = new Set<number>();
  for (let pair = firstPair; pair <= lastPair; pair++) blocks.add((2 * pair) >> 4);
  const lines = [`fn ${name}(key0: vec4u, key1: vec4u, row_low: u32, row_high: u32) -> array<f32, ${count}> {`];
  for (const block of blocks) lines.push(`  let block${block} = chacha_block(key0, key1, ${block}u, row_low, row_high);`);
  lines.push(`  var out: array<f32, ${count}>;`);
  const word = (t: number): string => `block${t >> 4}[${(t & 15) >> 2}][${t & 3}]`;
  for (let pair = firstPair; pair <= lastPair; pair++) {
    const t = 2 * pair;
    lines.push('  {');
    lines.push(`    let radius = sqrt(-2.0 * log_uniform(${word(t)}));`);
    lines.push(`    let angle = 6.283185307179586 * word_to_uniform(${word(t + 1)});`);
    if (t >= first && t < first + count) lines.push(`    out[${t - first}] = radius * cos(angle);`);
    if (t + 1 >= first && t + 1 < first + count) lines.push(`    out[${t + 1 - first}] = radius * sin(angle);`);
    lines.push('  }');
  }
  lines.push('  return out;', '}');
  return lines.join('\n');
}
