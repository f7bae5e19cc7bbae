// Normal score of a chi-distributed radius and its inverse (the twin of src/stats/chi.ts):
// Wilson–Hilferty's cube-root approximation for D ≥ 4, the exact chi CDF for D ≤ 3.
// Requires the constant D (the dimension) and normal.wgsl.

fn normal_pdf(x: f32) -> f32 {
  return exp(-0.5 * x * x - LOG_SQRT_2PI);
}

fn chi3_tail(r: f32) -> f32 {
  return 2.0 * normal_tail(r) + 2.0 * r * normal_pdf(r);
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
  let d = f32(D);
  if (D >= 4u) {
    let c = 2.0 / (9.0 * d);
    return (pow(r * r / d, 1.0 / 3.0) - 1.0 + c) / sqrt(c);
  }
  if (D == 1u) {
    return -normal_quantile(2.0 * normal_tail(r));
  }
  if (D == 2u) {
    return -normal_quantile(exp(-0.5 * r * r));
  }
  return -normal_quantile(chi3_tail(r));
}

fn chi_radius_from_score(s: f32) -> f32 {
  let d = f32(D);
  if (D >= 4u) {
    return wilson_hilferty_radius(s, d);
  }
  let tail = normal_tail(s);
  if (D == 1u) {
    return -normal_quantile(0.5 * tail);
  }
  if (D == 2u) {
    return sqrt(-2.0 * log(tail));
  }
  var r = max(wilson_hilferty_radius(s, 4.0) * sqrt(0.75), 1e-3);
  for (var i = 0; i < 12; i++) {
    let density = 2.0 * r * r * normal_pdf(r);
    if (density <= 0.0) {
      break;
    }
    let step = (chi3_tail(r) - tail) / density;
    r = max(r * 0.5, r + step);
  }
  return r;
}
