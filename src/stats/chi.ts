import { normalCdf, normalPdf, normalQuantile, normalTail } from './normal.js';

/**
 * Normal score of a chi-distributed radius and its inverse, used by `rotate` to jitter
 * a row's Mahalanobis radius on its own quantile scale: s = Φ⁻¹(F_χd(r)).
 * For d ≥ 4 the Wilson–Hilferty cube-root approximation is used (closed form in both
 * directions); for d ≤ 3 the exact chi CDF. The WGSL twin is in shaders/chi.wgsl.
 */
export function chiNormalScore(r: number, d: number): number {
  if (d >= 4) {
    const c = 2 / (9 * d);
    return (Math.cbrt((r * r) / d) - 1 + c) / Math.sqrt(c);
  }
  if (d === 1) return -normalQuantile(2 * normalTail(r));
  if (d === 2) return -normalQuantile(Math.exp(-0.5 * r * r));
  return -normalQuantile(chi3Tail(r));
}

/** Inverse of chiNormalScore: the radius whose chi quantile has normal score s. */
export function chiRadiusFromScore(s: number, d: number): number {
  if (d >= 4) {
    const c = 2 / (9 * d);
    const base = 1 - c + s * Math.sqrt(c);
    // The cube goes negative for s below about −2.67 (d-dependent): clamp r² at 0.
    return base <= 0 ? 0 : Math.sqrt(d * base * base * base);
  }
  const tail = normalTail(s);
  if (d === 1) return -normalQuantile(0.5 * tail);
  if (d === 2) return Math.sqrt(-2 * Math.log(tail));
  return chi3RadiusForTail(tail, s);
}

/** P(χ3 > r) = 2Q(r) + 2rφ(r). */
function chi3Tail(r: number): number {
  return 2 * normalTail(r) + 2 * r * normalPdf(r);
}

/** Solves chi3Tail(r) = tail by Newton steps from the Wilson–Hilferty start. */
function chi3RadiusForTail(tail: number, s: number): number {
  let r = chiRadiusFromScore(s, 4) * Math.sqrt(3 / 4);
  if (r <= 0) r = 1e-3;
  for (let i = 0; i < 12; i++) {
    const density = 2 * r * r * normalPdf(r);
    if (density <= 0) break;
    const step = (chi3Tail(r) - tail) / density;
    r = Math.max(r * 0.5, r + step);
    if (Math.abs(step) < 1e-14 * r) break;
  }
  return r;
}

/** Φ of a chi radius's normal score: the chi CDF itself (exact for d ≤ 3). Used in tests. */
export function chiCdf(r: number, d: number): number {
  return normalCdf(chiNormalScore(r, d));
}
