/** Dense row-major linear algebra for the small d × d matrices of the frame. */

/** Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix, or undefined. */
export function cholesky(a: Float64Array, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 1e-12)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  return l;
}

/** Inverse of A = L Lᵀ from its Cholesky factor. */
export function inverseFromCholesky(l: Float64Array, d: number): Float64Array {
  // Invert L by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
  const inv = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let k = col; k < i; k++) s -= l[i * d + k] * inv[k * d + col];
      inv[i * d + col] = s / l[i * d + i];
    }
  }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += inv[k * d + i] * inv[k * d + j];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
  return out;
}

/** (1 − λ)A + λI for a correlation matrix A. */
export function shrinkTowardIdentity(a: Float64Array, d: number, lambda: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = i === j ? 1 : (1 - lambda) * a[i * d + j];
  }
  return out;
}

export function toNested(a: Float64Array, d: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(a.subarray(i * d, i * d + d)));
  return rows;
}

export function fromNested(rows: number[][]): Float64Array {
  const d = rows.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = rows[i][j];
  return out;
}
