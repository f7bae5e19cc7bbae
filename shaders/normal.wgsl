// Standard normal distribution in float32, the twin of src/stats/normal.ts: tails,
// quantiles and truncated draws that take the same branches as the CPU reference.
// Infinite bounds arrive as ±SCORE_BOUND (1e30), since WGSL has no portable infinity.

const SCORE_BOUND: f32 = 1e30;
const LOG_SQRT_2PI: f32 = 0.91893853320467274;
const INV_SQRT2: f32 = 0.70710678118654752;
// The CPU reference switches to its asymptotic tail above this argument; so does this file.
const TAIL_SWITCH: f32 = 5.0;

fn is_infinite_bound(x: f32) -> bool {
  return abs(x) >= 1e29;
}

// Chebyshev fit to erfc(z) = t exp(−z² + P(t)), t = 1 / (1 + z/2), z ≥ 0, with fractional
// error below 1.2e-7 everywhere (Numerical Recipes, 2nd ed., section 6.2). Returns log erfc(z),
// finite far into the tail where erfc itself underflows.
fn log_erfc(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return log(t) - z * z + p;
}

// Q(x) = P(Z > x). Both signs share one erfc evaluation (as in the other functions
// here that select instead of branching), so lanes of a SIMD group that differ in sign
// do not run it twice.
fn normal_tail(x: f32) -> f32 {
  let half = 0.5 * exp(log_erfc(abs(x) * INV_SQRT2));
  return select(1.0 - half, half, x >= 0.0);
}

// log(1 − p), accurate for small p where 1 − p rounds to 1 in float32.
fn log_one_minus(p: f32) -> f32 {
  if (p < 1e-3) {
    return -p * (1.0 + p * (0.5 + p * (1.0 / 3.0)));
  }
  return log(1.0 - p);
}

// log Q(x).
fn log_normal_tail(x: f32) -> f32 {
  let log_e = log_erfc(abs(x) * INV_SQRT2);
  if (x >= 0.0) {
    return -0.69314718055994531 + log_e;
  }
  return log_one_minus(0.5 * exp(log_e));
}

// Acklam's rational approximation of Φ⁻¹(p) for 0 < p ≤ 0.5. Evaluated in float32 its
// polynomials lose up to 1e-4 to cancellation, so one Halley step against normal_tail
// follows, as in the CPU reference.
fn lower_quantile(p: f32) -> f32 {
  let x = acklam_lower(p);
  let error = normal_tail(-x) - p;
  let u = error * exp(0.5 * x * x + LOG_SQRT_2PI);
  return x - u / (1.0 + 0.5 * x * u);
}

fn acklam_lower(p: f32) -> f32 {
  if (p < 0.02425) {
    let q = sqrt(-2.0 * log(p));
    return (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783)
      / ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1.0);
  }
  let q = p - 0.5;
  let r = q * q;
  return (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q
    / (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1.0);
}

// Φ⁻¹(p), p in (0, 1).
fn normal_quantile(p: f32) -> f32 {
  let upper = p > 0.5;
  let x = lower_quantile(select(p, 1.0 - p, upper));
  return select(x, -x, upper);
}

// The x with log Q(x) = log_q. Beyond the tail switch: Newton steps on log Q, whose
// derivative is −1/R(x) with R the Mills ratio, from the asymptotic inverse.
fn inverse_log_normal_tail(log_q: f32) -> f32 {
  let switch_log = log_normal_tail(TAIL_SWITCH);
  if (log_q >= switch_log) {
    return -normal_quantile(exp(log_q));
  }
  var x = sqrt(-2.0 * log_q - 2.0 * LOG_SQRT_2PI);
  x = sqrt(max(TAIL_SWITCH * TAIL_SWITCH, -2.0 * log_q - 2.0 * LOG_SQRT_2PI - 2.0 * log(x)));
  for (var i = 0; i < 4; i++) {
    let log_tail = log_normal_tail(x);
    let mills = exp(log_tail + 0.5 * x * x + LOG_SQRT_2PI);
    x += (log_tail - log_q) * mills;
  }
  return x;
}

fn upper_side_draw(lo: f32, hi: f32, v: f32) -> f32 {
  let log_lo = log_normal_tail(lo);
  var ratio = 0.0;
  if (!is_infinite_bound(hi)) {
    ratio = exp(log_normal_tail(hi) - log_lo);
  }
  let log_t = log_lo + log(1.0 - v * (1.0 - ratio));
  let x = inverse_log_normal_tail(log_t);
  return clamp(x, lo, hi);
}

// Narrow intervals: the twin of narrowIntervalDraw in the CPU reference, a series for
// the inverse CDF of exp(−ε u − κ u²) across [lo, hi] that costs no transcendental
// function (ε = midpoint × width, κ = width² / 2).
const NARROW_WIDTH: f32 = 0.1;
const NARROW_TILT: f32 = 0.25;

fn narrow_interval_draw(lo: f32, hi: f32, v: f32) -> f32 {
  let width = hi - lo;
  let e = 0.5 * (lo + hi) * width;
  let k = 0.5 * width * width;
  let a = v * (v - 1.0);
  let b = 2.0 * v - 1.0;
  let v2 = v * v;
  let first = (3.0 * e + k * b) / 6.0;
  let second = (10.0 * e * e * b + 5.0 * e * k * (7.0 * v2 - 7.0 * v + 1.0) + k * k * (14.0 * v2 * v - 21.0 * v2 + 9.0 * v - 1.0)) / 60.0;
  let third = e * e * e * (6.0 * v2 - 6.0 * v + 1.0) / 24.0;
  let s = v + a * (first + second + third);
  return clamp(lo + width * s, lo, hi);
}

// N(0, 1) truncated to [lo, hi] by inverting the CDF at v in (0, 1); lo == hi is a point.
fn truncated_standard_normal(lo: f32, hi: f32, v: f32) -> f32 {
  if (lo == hi) {
    return lo;
  }
  let width = hi - lo;
  if (width <= NARROW_WIDTH && abs(0.5 * (lo + hi) * width) <= NARROW_TILT) {
    return narrow_interval_draw(lo, hi, v);
  }
  if (lo >= 0.0 || hi <= 0.0) {
    // Both one-sided cases share one call, mirrored below 0, so lanes of a SIMD group
    // that fall on different sides run the costly draw once, not twice.
    let mirrored = lo < 0.0;
    let x = upper_side_draw(select(lo, -hi, mirrored), select(hi, -lo, mirrored), v);
    return select(x, -x, mirrored);
  }
  var p_lo = 0.0;
  var p_hi = 1.0;
  if (!is_infinite_bound(lo)) {
    p_lo = normal_tail(-lo);
  }
  if (!is_infinite_bound(hi)) {
    p_hi = normal_tail(-hi);
  }
  let t = p_lo + v * (p_hi - p_lo);
  return clamp(normal_quantile(t), lo, hi);
}
