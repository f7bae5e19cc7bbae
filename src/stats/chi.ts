import { inverseLogNormalTail, logNormalTail, millsRatio, normalCdf } from './normal.js';

/**
 * Normal score of a chi-distributed radius and its inverse, used by `rotate` to jitter
 * a row's Mahalanobis radius on its own quantile scale: s = Φ⁻¹(F_χd(r)).
 * For d ≥ 4 the Wilson–Hilferty cube-root approximation is used (closed form in both
 * directions). For d ≤ 3 the exact chi distribution is used through the log of the
 * smaller of its two tails, so that extreme radii keep their precision in float32 too.
 * The WGSL twin is in shaders/chi.wgsl and takes the same branches.
 */
const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

/** log P(χ_d > r) for d ≤ 3: 2Q(r), exp(−r²/2) and 2Q(r) + 2rφ(r). */
function logChiTail(r: number, d: number): number {
  if (d === 1) return Math.LN2 + logNormalTail(r);
  if (d === 2) return -0.5 * r * r;
  return Math.LN2 + logNormalTail(r) + Math.log1p(r / millsRatio(r));
}

/**
 * log P(χ_d ≤ r) for d ≤ 3. Below r = 1 it uses the series of
 * ∫₀^r t^(d−1) e^(−t²/2) dt = Σ (−1/2)^n / n! · r^(2n+d) / (2n + d), which keeps
 * full relative precision where the CDF is tiny; above, 1 − the tail.
 */
function logChiCdf(r: number, d: number): number {
  if (r >= 1) return Math.log1p(-Math.exp(logChiTail(r, d)));
  if (r <= 0) return -Infinity;
  let sum = 0;
  let term = 1;
  const r2 = r * r;
  for (let n = 0; n < 10; n++) {
    sum += term / (2 * n + d);
    term *= -r2 / (2 * (n + 1));
  }
  // Normalizing constants 1 / (2^(d/2 − 1) Γ(d/2)): √(2/π) for d = 1 and 3, 1 for d = 2.
  const logConstant = d === 2 ? 0 : LOG_SQRT_2_OVER_PI;
  return logConstant + d * Math.log(r) + Math.log(sum);
}

/** log of the chi density for d ≤ 3. */
function logChiDensity(r: number, d: number): number {
  const logConstant = d === 2 ? 0 : LOG_SQRT_2_OVER_PI;
  return logConstant + (d - 1) * Math.log(r) - 0.5 * r * r;
}

export function chiNormalScore(r: number, d: number): number {
  if (d >= 4) {
    const c = 2 / (9 * d);
    return (Math.cbrt((r * r) / d) - 1 + c) / Math.sqrt(c);
  }
  const logCdf = logChiCdf(r, d);
  const logTail = logChiTail(r, d);
  if (logCdf < logTail) return -inverseLogNormalTail(logCdf);
  return inverseLogNormalTail(logTail);
}

/** Inverse of chiNormalScore: the radius whose chi quantile has normal score s. */
export function chiRadiusFromScore(s: number, d: number): number {
  if (d >= 4) return wilsonHilfertyRadius(s, d);

  if (s < 0) {
    // Lower half: Newton on log F(r) = log Φ(s), from the small-r start F ≈ c r^d / d.
    const target = logNormalTail(-s);
    const logConstant = d === 2 ? 0 : LOG_SQRT_2_OVER_PI;
    let r = Math.min(1.5, Math.exp((Math.log(d) + target - logConstant) / d));
    for (let i = 0; i < 30; i++) {
      const logCdf = logChiCdf(r, d);
      const step = -(logCdf - target) * Math.exp(logCdf - logChiDensity(r, d));
      r = Math.min(2 * r, Math.max(0.5 * r, r + step));
      if (Math.abs(step) < 1e-14 * r) break;
    }
    return r;
  }

  const logTail = logNormalTail(s);
  if (d === 1) return inverseLogNormalTail(logTail - Math.LN2);
  if (d === 2) return Math.sqrt(-2 * logTail);
  // d = 3, upper half: Newton on log P(χ3 > r); tail / density = (R(r) + r) / r².
  let r = Math.max(1, wilsonHilfertyRadius(s, 3));
  for (let i = 0; i < 30; i++) {
    const step = ((logChiTail(r, 3) - logTail) * (millsRatio(r) + r)) / (r * r);
    r = Math.max(0.5 * r, r + step);
    if (Math.abs(step) < 1e-14 * r) break;
  }
  return r;
}

function wilsonHilfertyRadius(s: number, d: number): number {
  const c = 2 / (9 * d);
  const base = 1 - c + s * Math.sqrt(c);
  // The cube goes negative for s below about −2.67 (d-dependent): clamp r² at 0.
  return base <= 0 ? 0 : Math.sqrt(d * base * base * base);
}

/** The chi CDF via the normal score (exact for d ≤ 3); used in tests. */
export function chiCdf(r: number, d: number): number {
  return normalCdf(chiNormalScore(r, d));
}
