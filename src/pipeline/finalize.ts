import type { FrameColumn } from '../frame/frame.js';

/**
 * Turns back-mapping positions into output text for one numeric column, in float64:
 * a table position is an entry index, a knot position t gives q_i + (t − i)(q_{i+1} − q_i).
 * The value is clipped to the valid range (moved inward to the nearest value on the
 * column's decimal grid) and formatted with exactly the column's decimals, so no value
 * is ever printed from float32.
 */
export class ColumnFormatter {
  private readonly scale: number;
  private readonly low: number;
  private readonly high: number;

  constructor(readonly column: FrameColumn) {
    this.scale = 10 ** column.decimals;
    const low = Math.ceil(column.min * this.scale - 1e-9) / this.scale;
    const high = Math.floor(column.max * this.scale + 1e-9) / this.scale;
    // A range narrower than one step keeps its rounded lower end.
    this.low = low <= high ? low : Math.round(column.min * this.scale) / this.scale;
    this.high = low <= high ? high : this.low;
  }

  value(position: number): number {
    const marginal = this.column.marginal;
    if (marginal.kind === 'table') {
      const index = Math.min(marginal.values.length - 1, Math.max(0, Math.round(position)));
      return marginal.values[index];
    }
    const knots = marginal.knots;
    const K = knots.length - 1;
    const t = Math.min(K, Math.max(0, position));
    const i = Math.min(K - 1, Math.floor(t));
    return knots[i] + (t - i) * (knots[i + 1] - knots[i]);
  }

  /**
   * Writes snap(value(p)) of positions[from, from + n) into out[0, n), in order. It is the
   * arithmetic of `value` and `snap` with the column's tables in locals, because the
   * release calls it for every numeric cell: per-cell method calls made finalize the
   * largest host stage of a Parquet run.
   */
  snapPositions(positions: Float32Array, from: number, n: number, out: Float64Array): void {
    const scale = this.scale;
    const low = this.low;
    const high = this.high;
    const marginal = this.column.marginal;

    if (marginal.kind === 'table') {
      const entries = marginal.values;
      const last = entries.length - 1;
      for (let i = 0; i < n; i++) {
        const index = Math.min(last, Math.max(0, Math.round(positions[from + i])));
        const rounded = Math.round(entries[index] * scale) / scale;
        out[i] = Math.min(high, Math.max(low, rounded));
      }
      return;
    }

    const knots = marginal.knots;
    const K = knots.length - 1;
    for (let i = 0; i < n; i++) {
      const t = Math.min(K, Math.max(0, positions[from + i]));
      const k = Math.min(K - 1, Math.floor(t));
      const value = knots[k] + (t - k) * (knots[k + 1] - knots[k]);
      const rounded = Math.round(value * scale) / scale;
      out[i] = Math.min(high, Math.max(low, rounded));
    }
  }

  /** Rounds and clips a value onto the column's output grid. */
  snap(value: number): number {
    const rounded = Math.round(value * this.scale) / this.scale;
    return Math.min(this.high, Math.max(this.low, rounded));
  }

  format(position: number): string {
    return this.snap(this.value(position)).toFixed(this.column.decimals);
  }
}
