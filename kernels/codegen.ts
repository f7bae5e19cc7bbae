import { constArray, f32Literal } from '../src/gpu/wgsl.js';
import { KNOTS_KIND, type MarginalTables } from '../src/frame/tables.js';

/**
 * Code generation for matrix work baked into kernels. Up to UNROLL_MAX_D columns the
 * products are written out term by term with the matrix as literals (on lavapipe about
 * six times faster than loops over a constant array, measured for a 32 × 32 triangular
 * solve); wider frames use loops over a module-scope constant array.
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

/** The column constants that marginal.wgsl needs. */
export function columnConstants(tables: MarginalTables): string {
  return [
    constArray('COLUMN_KIND', 'u32', tables.kinds),
    constArray('COLUMN_OFFSET', 'u32', tables.offsets),
    constArray('COLUMN_SIZE', 'u32', tables.sizes),
  ].join('\n');
}

/** A stable short fingerprint of numbers baked into a kernel, for pipeline cache keys. */
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
