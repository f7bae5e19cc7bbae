/** Two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of a proportion with `successes` out of `n` trials. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: NaN, high: NaN };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface RiskEstimate {
  risk: number;
  interval: Interval;
}

/**
 * Attribute-inference risk r = (t − c) / (1 − c) from the success rates of targets (t)
 * and controls (c), with a 95% interval: each rate's standard error is its Wilson
 * interval's width / (2 · 1.96), propagated by the delta method with
 * ∂r/∂t = 1 / (1 − c) and ∂r/∂c = (t − 1) / (1 − c)².
 */
export function attributeRisk(targetSuccesses: number, targets: number, controlSuccesses: number, controls: number): RiskEstimate {
  const t = targetSuccesses / targets;
  const c = controlSuccesses / controls;
  if (!(targets > 0 && controls > 0) || c >= 1) return { risk: NaN, interval: { low: NaN, high: NaN } };
  const risk = (t - c) / (1 - c);
  const wt = wilsonInterval(targetSuccesses, targets);
  const wc = wilsonInterval(controlSuccesses, controls);
  const seT = (wt.high - wt.low) / (2 * Z95);
  const seC = (wc.high - wc.low) / (2 * Z95);
  const dT = 1 / (1 - c);
  const dC = (t - 1) / ((1 - c) * (1 - c));
  const se = Math.sqrt(dT * dT * seT * seT + dC * dC * seC * seC);
  return { risk, interval: { low: risk - Z95 * se, high: risk + Z95 * se } };
}
