import { cholesky } from '../frame/linalg.js';

/**
 * Normal equations of a ridge least-squares fit with an intercept, accumulated row by
 * row: p features plus the constant 1 as the last one.
 */
export class RidgeFit {
  readonly size: number;
  private readonly gram: Float64Array;
  private readonly moment: Float64Array;
  rows = 0;

  constructor(readonly features: number) {
    this.size = features + 1;
    this.gram = new Float64Array(this.size * this.size);
    this.moment = new Float64Array(this.size);
  }

  add(x: ArrayLike<number>, y: number): void {
    const p = this.size;
    for (let a = 0; a < p; a++) {
      const xa = a < this.features ? x[a] : 1;
      this.moment[a] += xa * y;
      for (let b = 0; b <= a; b++) this.gram[a * p + b] += xa * (b < this.features ? x[b] : 1);
    }
    this.rows++;
  }

  /**
   * Coefficients (intercept last) minimising squared error + ridge · |β|² (the intercept
   * is not penalised). The ridge grows tenfold until the system is positive definite.
   */
  solve(ridge = 1e-6): Float64Array {
    const p = this.size;
    const a = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) a[i * p + j] = a[j * p + i] = this.gram[i * p + j];
    for (let lambda = ridge; ; lambda *= 10) {
      const shifted = a.slice();
      for (let i = 0; i < this.features; i++) shifted[i * p + i] += lambda * Math.max(1, this.rows);
      shifted[(p - 1) * p + (p - 1)] += 1e-12;
      const l = cholesky(shifted, p);
      if (l) return solveCholesky(l, this.moment, p);
    }
  }
}

/** Solves L Lᵀ x = b. */
export function solveCholesky(l: Float64Array, b: ArrayLike<number>, p: number): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** β·x + intercept for coefficients from RidgeFit.solve. */
export function predict(beta: Float64Array, x: ArrayLike<number>): number {
  const p = beta.length - 1;
  let s = beta[p];
  for (let a = 0; a < p; a++) s += beta[a] * x[a];
  return s;
}
