/**
 * Streaming Pearson correlation accumulators over columnar batches.
 * `PairwiseCorrelation` uses, for each pair, only the rows where both columns are
 * observed (mask); `CompleteCorrelation` assumes no missing values.
 */
export class PairwiseCorrelation {
  readonly count: Float64Array;
  private readonly sumA: Float64Array;
  private readonly sumB: Float64Array;
  private readonly sumAA: Float64Array;
  private readonly sumBB: Float64Array;
  private readonly sumAB: Float64Array;

  constructor(readonly d: number) {
    const size = d * d;
    this.count = new Float64Array(size);
    this.sumA = new Float64Array(size);
    this.sumB = new Float64Array(size);
    this.sumAA = new Float64Array(size);
    this.sumBB = new Float64Array(size);
    this.sumAB = new Float64Array(size);
  }

  /** Adds a batch of scores z (columnar); observed[j * rows + r] is 0 where x was missing. */
  add(z: Float32Array, observed: Uint8Array, rows: number): void {
    const d = this.d;
    const values = new Float64Array(d);
    const present = new Uint8Array(d);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        present[j] = observed[j * rows + r];
        values[j] = z[j * rows + r];
      }
      for (let j = 0; j < d; j++) {
        if (!present[j]) continue;
        const a = values[j];
        for (let k = j + 1; k < d; k++) {
          if (!present[k]) continue;
          const b = values[k];
          const at = j * d + k;
          this.count[at] += 1;
          this.sumA[at] += a;
          this.sumB[at] += b;
          this.sumAA[at] += a * a;
          this.sumBB[at] += b * b;
          this.sumAB[at] += a * b;
        }
      }
    }
  }

  /** Correlation matrix; pairs seen together in fewer than minPairs rows get 0. */
  result(minPairs: number): Float64Array {
    const d = this.d;
    const out = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      out[j * d + j] = 1;
      for (let k = j + 1; k < d; k++) {
        const at = j * d + k;
        const n = this.count[at];
        let r = 0;
        if (n >= minPairs) {
          const cov = this.sumAB[at] / n - (this.sumA[at] / n) * (this.sumB[at] / n);
          const varA = this.sumAA[at] / n - (this.sumA[at] / n) ** 2;
          const varB = this.sumBB[at] / n - (this.sumB[at] / n) ** 2;
          r = varA > 0 && varB > 0 ? cov / Math.sqrt(varA * varB) : 0;
        }
        out[at] = r;
        out[k * d + j] = r;
      }
    }
    return out;
  }
}

export class CompleteCorrelation {
  private rows = 0;
  private readonly sum: Float64Array;
  private readonly cross: Float64Array;

  constructor(readonly d: number) {
    this.sum = new Float64Array(d);
    this.cross = new Float64Array(d * d);
  }

  add(z: Float32Array, rows: number): void {
    const d = this.d;
    const values = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        values[j] = z[j * rows + r];
        this.sum[j] += values[j];
      }
      for (let j = 0; j < d; j++) {
        const a = values[j];
        const base = j * d;
        for (let k = j; k < d; k++) this.cross[base + k] += a * values[k];
      }
    }
    this.rows += rows;
  }

  result(): Float64Array {
    const d = this.d;
    const n = this.rows;
    const cov = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) {
        const c = this.cross[j * d + k] / n - (this.sum[j] / n) * (this.sum[k] / n);
        cov[j * d + k] = c;
        cov[k * d + j] = c;
      }
    }
    const out = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        const denominator = Math.sqrt(cov[j * d + j] * cov[k * d + k]);
        out[j * d + k] = j === k ? 1 : denominator > 0 ? cov[j * d + k] / denominator : 0;
      }
    }
    return out;
  }
}
