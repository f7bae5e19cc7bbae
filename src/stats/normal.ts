/**
 * Standard normal distribution in float64: density, tail probabilities, quantiles
 * and truncated draws. The WGSL twin (shaders/normal.wgsl) follows the same
 * algorithms in float32, so both backends take the same branches.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Above this argument, log Q(x) comes from the Mills-ratio continued fraction. */
export const TAIL_SWITCH = 5;

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

// Mills ratio R(x) = Q(x) / φ(x) tabulated on a grid of step 0.5 over [0, 40] and
// expanded as a Taylor series around the nearest grid point. R is entire and its
// derivatives follow R' = xR − 1, R^(n+1) = x R^(n) + n R^(n−1), so a few terms give
// full double precision with no cancellation in the upper tail.
const GRID_STEP = 0.5;
const GRID_MAX = 40;
const millsGrid = buildMillsGrid();

function buildMillsGrid(): Float64Array {
  const grid = new Float64Array(GRID_MAX / GRID_STEP + 1);
  for (let k = 0; k < grid.length; k++) {
    const a = k * GRID_STEP;
    grid[k] = a <= 3 ? upperTailBySeries(a) / normalPdf(a) : millsByContinuedFraction(a, 400);
  }
  return grid;
}

/** Q(a) = 0.5 − φ(a) Σ a^(2n+1) / (2n+1)!!, a series of positive terms; accurate for small a. */
function upperTailBySeries(a: number): number {
  let term = a;
  let sum = a;
  for (let n = 1; n < 500; n++) {
    term *= (a * a) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return 0.5 - normalPdf(a) * sum;
}

/** Mills ratio by the continued fraction 1/(x + 1/(x + 2/(x + 3/(x + …)))), evaluated backwards. */
function millsByContinuedFraction(x: number, terms: number): number {
  let tail = x;
  for (let n = terms; n >= 1; n--) tail = x + n / tail;
  return 1 / tail;
}

/** Mills ratio R(x) = Q(x)/φ(x) for x ≥ 0. */
export function millsRatio(x: number): number {
  if (x >= GRID_MAX) return millsByContinuedFraction(x, 20);
  const k = Math.round(x / GRID_STEP);
  const a = k * GRID_STEP;
  const h = x - a;
  let previous = millsGrid[k];
  let current = a * previous - 1;
  let sum = previous + current * h;
  let power = h;
  for (let n = 1; n < 60; n++) {
    const next = a * current + n * previous;
    power *= h / (n + 1);
    const term = next * power;
    sum += term;
    previous = current;
    current = next;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** Upper tail Q(x) = P(Z > x) = Φ(−x), accurate in relative terms for large x. */
export function normalTail(x: number): number {
  if (x >= 0) return millsRatio(x) * normalPdf(x);
  return 1 - millsRatio(-x) * normalPdf(x);
}

/** Φ(x). */
export function normalCdf(x: number): number {
  return normalTail(-x);
}

/** log Q(x), finite far into the upper tail where Q(x) underflows. */
export function logNormalTail(x: number): number {
  if (x < 0) return Math.log1p(-normalTail(-x));
  if (x < TAIL_SWITCH) return Math.log(normalTail(x));
  return -0.5 * x * x - LOG_SQRT_2PI + Math.log(millsRatio(x));
}

// Acklam's rational approximation to Φ⁻¹ (relative error about 1e-9), refined below by
// one Halley step against the accurate Φ.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  return -acklam(1 - p);
}

/** Φ⁻¹(p) for p in (0, 1); ±Infinity at the ends. */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p > 0.5) return -lowerQuantile(1 - p);
  return lowerQuantile(p);
}

/** Φ⁻¹(p) for p ≤ 0.5, refined by one Halley step on the lower tail. */
function lowerQuantile(p: number): number {
  const x = acklam(p);
  const error = normalTail(-x) - p;
  const u = (error / normalPdf(x));
  return x - u / (1 + 0.5 * x * u);
}

/** Inverse of logNormalTail: the x with log Q(x) = logQ. */
export function inverseLogNormalTail(logQ: number): number {
  const switchLog = logNormalTail(TAIL_SWITCH);
  if (logQ >= switchLog) return -normalQuantile(Math.exp(logQ));

  // Deep tail: start from the asymptotic inverse and take Newton steps on log Q, whose
  // derivative is −1/R(x).
  let x = Math.sqrt(-2 * logQ - 2 * LOG_SQRT_2PI);
  x = Math.sqrt(Math.max(TAIL_SWITCH * TAIL_SWITCH, -2 * logQ - 2 * LOG_SQRT_2PI - 2 * Math.log(x)));
  for (let i = 0; i < 4; i++) x += (logNormalTail(x) - logQ) * millsRatio(x);
  return x;
}

/**
 * Widest interval, and largest |midpoint × width|, that narrowIntervalDraw serves. Tie
 * intervals of columns with many distinct values fall inside. Their exact draws took
 * about half of the normal-score kernel's time on lavapipe (bench/stages.bench.ts).
 * Within these bounds the series is off by at most 5e-7, near float32 rounding. That
 * matters at the bounds, where float32 on the GPU and float64 on the CPU can take
 * different branches (with bounds of 0.3 the series erred by up to 6e-6).
 */
export const NARROW_WIDTH = 0.1;
export const NARROW_TILT = 0.25;

export function isNarrowInterval(lo: number, hi: number): boolean {
  const width = hi - lo;
  return width <= NARROW_WIDTH && Math.abs(0.5 * (lo + hi) * width) <= NARROW_TILT;
}

/**
 * Draws from N(0, 1) truncated to a narrow [lo, hi] without evaluating Φ or Φ⁻¹. With m
 * the midpoint, w the width and u = s − 1/2 the position s ∈ [0, 1] across the
 * interval, the density is exactly proportional to exp(−ε u − κ u²), ε = m w and
 * κ = w²/2. The inverse CDF s(v), expanded in ε and κ, is kept to second order plus the
 * ε³ term. Against the exact inversion the draw is off by at most 5e-7 inside the
 * bounds above (a grid over lo in [−9, 9]; test/normal.test.ts checks it). It rises with
 * v on both sides of 0.
 */
export function narrowIntervalDraw(lo: number, hi: number, v: number): number {
  const width = hi - lo;
  const e = 0.5 * (lo + hi) * width;
  const k = 0.5 * width * width;
  const a = v * (v - 1);
  const b = 2 * v - 1;
  const v2 = v * v;
  const first = (3 * e + k * b) / 6;
  const second = (10 * e * e * b + 5 * e * k * (7 * v2 - 7 * v + 1) + k * k * (14 * v2 * v - 21 * v2 + 9 * v - 1)) / 60;
  const third = (e * e * e * (6 * v2 - 6 * v + 1)) / 24;
  const s = v + a * (first + second + third);
  return Math.min(hi, Math.max(lo, lo + width * s));
}

/**
 * Draws from N(0, 1) truncated to [lo, hi] by inverting the CDF at `v` in (0, 1).
 * Narrow intervals take the local expansion of narrowIntervalDraw. Wider ones work in
 * log tail space when the interval lies on one side of 0, so they stay exact far into
 * the tails; lo === hi returns that point.
 */
export function truncatedStandardNormal(lo: number, hi: number, v: number): number {
  if (lo === hi) return lo;
  if (isNarrowInterval(lo, hi)) return narrowIntervalDraw(lo, hi, v);
  if (lo >= 0) return upperSideDraw(lo, hi, v);
  if (hi <= 0) return -upperSideDraw(-hi, -lo, v);

  const pLo = normalTail(-lo);
  const pHi = normalTail(-hi);
  const t = pLo + v * (pHi - pLo);
  const x = normalQuantile(t);
  return Math.min(hi, Math.max(lo, x));
}

function upperSideDraw(lo: number, hi: number, v: number): number {
  const logLo = logNormalTail(lo);
  const logHi = hi === Infinity ? -Infinity : logNormalTail(hi);
  const logT = logLo + Math.log1p(-v * -Math.expm1(logHi - logLo));
  const x = inverseLogNormalTail(logT);
  return Math.min(hi, Math.max(lo, x));
}

/** Mean and variance of N(0, 1) truncated to [lo, hi] (either end may be infinite). */
export function truncatedMoments(lo: number, hi: number): { mean: number; variance: number } {
  if (lo === hi) return { mean: lo, variance: 0 };
  if (lo >= 0 || hi <= 0) {
    // Ratios of densities to the tail mass, from the log tails to avoid underflow.
    const flip = hi <= 0 && lo < 0;
    const a = flip ? -hi : lo;
    const b = flip ? -lo : hi;
    const logMass = logNormalTail(a) + Math.log1p(b === Infinity ? 0 : -Math.exp(logNormalTail(b) - logNormalTail(a)));
    const logPdfA = -0.5 * a * a - LOG_SQRT_2PI;
    const ra = Math.exp(logPdfA - logMass);
    const rb = b === Infinity ? 0 : Math.exp(-0.5 * b * b - LOG_SQRT_2PI - logMass);
    const mean = ra - rb;
    const bTerm = b === Infinity ? 0 : b * rb;
    const variance = Math.max(0, 1 + a * ra - bTerm - mean * mean);
    return { mean: flip ? -mean : mean, variance };
  }
  const mass = normalTail(lo) - normalTail(hi);
  const pa = normalPdf(lo);
  const pb = normalPdf(hi);
  const mean = (pa - pb) / mass;
  const aTerm = lo === -Infinity ? 0 : lo * pa;
  const bTerm = hi === Infinity ? 0 : hi * pb;
  const variance = Math.max(0, 1 + (aTerm - bTerm) / mass - mean * mean);
  return { mean, variance };
}
