import { cholesky } from '../frame/linalg.js';
import { solveCholesky } from './least_squares.js';

/**
 * L2-penalised logistic regression fitted by Newton's method (iteratively reweighted
 * least squares). X is row-major n × p; the intercept is added as the last coefficient
 * and is not penalised.
 */
export function fitLogistic(x: Float64Array, y: Uint8Array, p: number, ridge = 1, maxIterations = 30): Float64Array {
  const n = y.length;
  const size = p + 1;
  const beta = new Float64Array(size);
  const hessian = new Float64Array(size * size);
  const gradient = new Float64Array(size);
  const row = new Float64Array(size);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < p; a++) row[a] = x[i * p + a];
      row[p] = 1;
      let eta = 0;
      for (let a = 0; a < size; a++) eta += beta[a] * row[a];
      const mu = 1 / (1 + Math.exp(-eta));
      const weight = Math.max(mu * (1 - mu), 1e-10);
      const residual = y[i] - mu;
      for (let a = 0; a < size; a++) {
        const ra = row[a];
        if (ra === 0) continue;
        gradient[a] += ra * residual;
        const wa = weight * ra;
        for (let b = 0; b <= a; b++) hessian[a * size + b] += wa * row[b];
      }
    }
    for (let a = 0; a < size; a++) for (let b = 0; b < a; b++) hessian[b * size + a] = hessian[a * size + b];
    for (let a = 0; a < p; a++) {
      hessian[a * size + a] += ridge;
      gradient[a] -= ridge * beta[a];
    }
    hessian[p * size + p] += 1e-9;
    const l = cholesky(hessian, size);
    if (!l) break;
    const step = solveCholesky(l, gradient, size);
    let largest = 0;
    for (let a = 0; a < size; a++) {
      beta[a] += step[a];
      largest = Math.max(largest, Math.abs(step[a]));
    }
    if (largest < 1e-6) break;
  }
  return beta;
}

/** Linear predictors β·x + intercept of the rows of X (a monotone score for ROC AUC). */
export function logisticScores(beta: Float64Array, x: Float64Array, p: number): Float64Array {
  const n = x.length / p;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = beta[p];
    for (let a = 0; a < p; a++) s += beta[a] * x[i * p + a];
    out[i] = s;
  }
  return out;
}
