/**
 * ROC measures of a score that should be higher for positives. rocAuc is the area under
 * the curve: the Mann–Whitney probability that a positive outscores a negative, with
 * ties counted one half.
 */
export function rocAuc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const np = positive.length;
  const nn = negative.length;
  if (np === 0 || nn === 0) return NaN;
  const all = new Float64Array(np + nn);
  all.set(Array.from(positive));
  all.set(Array.from(negative), np);
  const order = Array.from(all.keys()).sort((a, b) => all[a] - all[b]);
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && all[order[end]] === all[order[start]]) end++;
    const rank = (start + end + 1) / 2;
    for (let i = start; i < end; i++) if (order[i] < np) rankSum += rank;
    start = end;
  }
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

/**
 * Share of positives scored strictly above the threshold that flags at most `fpr` of
 * the negatives (negatives tied with the threshold are not flagged).
 */
export function tprAtFpr(positive: ArrayLike<number>, negative: ArrayLike<number>, fpr: number): number {
  if (positive.length === 0 || negative.length === 0) return NaN;
  const sorted = Float64Array.from(negative).sort().reverse();
  const allowed = Math.floor(fpr * sorted.length);
  const threshold = allowed < sorted.length ? sorted[allowed] : -Infinity;
  let hits = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i] > threshold) hits++;
  return hits / positive.length;
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
}

/** Computes the ROC curve at every distinct score, thinned to about `maxPoints` points for plots. */
export function rocCurve(positive: ArrayLike<number>, negative: ArrayLike<number>, maxPoints = 200): RocCurve {
  const np = positive.length;
  const nn = negative.length;
  const scores = [...Array.from(positive, (s) => ({ s, p: 1 })), ...Array.from(negative, (s) => ({ s, p: 0 }))].sort((a, b) => b.s - a.s);
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < scores.length; ) {
    const s = scores[i].s;
    while (i < scores.length && scores[i].s === s) {
      if (scores[i].p) tp++;
      else fp++;
      i++;
    }
    fpr.push(nn > 0 ? fp / nn : 0);
    tpr.push(np > 0 ? tp / np : 0);
  }
  if (fpr.length <= maxPoints) return { fpr, tpr };
  const step = (fpr.length - 1) / (maxPoints - 1);
  const keep = Array.from({ length: maxPoints }, (_, i) => Math.round(i * step));
  return { fpr: keep.map((i) => fpr[i]), tpr: keep.map((i) => tpr[i]) };
}
