// Normal score of a chi-distributed radius and its inverse (the twin of src/stats/chi.ts):
// Wilson–Hilferty's cube-root approximation for D ≥ 4; for D ≤ 3 the exact chi
// distribution through the log of its smaller tail. Requires the constant D and
// normal.wgsl.

const LOG_SQRT_2_OVER_PI: f32 = -0.22579135264472743;
const LN2: f32 = 0.69314718055994531;

// Mills ratio R(r) = Q(r) / φ(r), for r ≥ 0.
fn mills_ratio(r: f32) -> f32 {
  return exp(log_normal_tail(r) + 0.5 * r * r + LOG_SQRT_2PI);
}

fn chi_log_constant() -> f32 {
  if (D == 2u) {
    return 0.0;
  }
  return LOG_SQRT_2_OVER_PI;
}

// log P(χ_D > r) for D ≤ 3.
fn log_chi_tail(r: f32) -> f32 {
  if (D == 1u) {
    return LN2 + log_normal_tail(r);
  }
  if (D == 2u) {
    return -0.5 * r * r;
  }
  return LN2 + log_normal_tail(r) + log(1.0 + r / mills_ratio(r));
}

// log P(χ_D ≤ r) for D ≤ 3: a series below r = 1, 1 − the tail above.
fn log_chi_cdf(r: f32) -> f32 {
  if (r >= 1.0) {
    return log_one_minus(exp(log_chi_tail(r)));
  }
  let d = f32(D);
  var sum = 0.0;
  var term = 1.0;
  let r2 = r * r;
  for (var n = 0; n < 10; n++) {
    sum += term / (2.0 * f32(n) + d);
    term *= -r2 / (2.0 * f32(n + 1));
  }
  return chi_log_constant() + d * log(r) + log(sum);
}

fn log_chi_density(r: f32) -> f32 {
  return chi_log_constant() + (f32(D) - 1.0) * log(r) - 0.5 * r * r;
}

fn wilson_hilferty_radius(s: f32, d: f32) -> f32 {
  let c = 2.0 / (9.0 * d);
  let base = 1.0 - c + s * sqrt(c);
  if (base <= 0.0) {
    return 0.0;
  }
  return sqrt(d * base * base * base);
}

fn chi_normal_score(r: f32) -> f32 {
  if (D >= 4u) {
    let d = f32(D);
    let c = 2.0 / (9.0 * d);
    return (pow(r * r / d, 1.0 / 3.0) - 1.0 + c) / sqrt(c);
  }
  let log_cdf = log_chi_cdf(r);
  let log_tail = log_chi_tail(r);
  if (log_cdf < log_tail) {
    return -inverse_log_normal_tail(log_cdf);
  }
  return inverse_log_normal_tail(log_tail);
}

fn chi_radius_from_score(s: f32) -> f32 {
  if (D >= 4u) {
    return wilson_hilferty_radius(s, f32(D));
  }
  if (s < 0.0) {
    let goal = log_normal_tail(-s);
    var r = min(1.5, exp((log(f32(D)) + goal - chi_log_constant()) / f32(D)));
    for (var i = 0; i < 30; i++) {
      let log_cdf = log_chi_cdf(r);
      let step = -(log_cdf - goal) * exp(log_cdf - log_chi_density(r));
      r = min(2.0 * r, max(0.5 * r, r + step));
    }
    return r;
  }
  let log_tail = log_normal_tail(s);
  if (D == 1u) {
    return inverse_log_normal_tail(log_tail - LN2);
  }
  if (D == 2u) {
    return sqrt(-2.0 * log_tail);
  }
  var r = max(1.0, wilson_hilferty_radius(s, 3.0));
  for (var i = 0; i < 30; i++) {
    let step = (log_chi_tail(r) - log_tail) * (mills_ratio(r) + r) / (r * r);
    r = max(0.5 * r, r + step);
  }
  return r;
}
