/** Whitening w = L⁻¹ z by forward substitution (L row-major lower triangular), per row. */
export function whiten(z: Float32Array, rows: number, d: number, cholesky: Float64Array, w: Float32Array): void {
  const v = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      let s = z[j * rows + r];
      for (let k = 0; k < j; k++) s -= cholesky[j * d + k] * v[k];
      v[j] = s / cholesky[j * d + j];
    }
    for (let j = 0; j < d; j++) w[j * rows + r] = v[j];
  }
}

/** Un-whitening z = L w, per row; the first step of back-mapping. */
export function unwhitenRow(w: Float64Array, d: number, cholesky: Float64Array, z: Float64Array): void {
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k <= j; k++) s += cholesky[j * d + k] * w[k];
    z[j] = s;
  }
}
