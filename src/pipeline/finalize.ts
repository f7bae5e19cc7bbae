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
  /** A value table's entries already snapped, so a table cell is one lookup. */
  private readonly entries?: Float64Array;
  private readonly knots: Float64Array;

  constructor(readonly column: FrameColumn) {
    this.scale = 10 ** column.decimals;
    const low = Math.ceil(column.min * this.scale - 1e-9) / this.scale;
    const high = Math.floor(column.max * this.scale + 1e-9) / this.scale;
    // A range narrower than one step keeps its rounded lower end.
    this.low = low <= high ? low : Math.round(column.min * this.scale) / this.scale;
    this.high = low <= high ? high : this.low;
    const marginal = column.marginal;
    if (marginal.kind === 'table') this.entries = Float64Array.from(marginal.values, (v) => this.snap(v));
    this.knots = Float64Array.from(marginal.kind === 'table' ? [] : marginal.knots);
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
   * Writes the release's column in keyed order: out[i] = snap(value(p)) with p =
   * positions[from + order[i]], or NaN where the source cell source[from + order[i]] is
   * missing. Returns the number of missing cells. It repeats the arithmetic of `value`
   * and `snap` with the column's tables in locals, fused with the gather, because the
   * release runs it on every numeric cell. Per-cell method calls and separate passes
   * made finalize the largest host stage of a Parquet run.
   */
  snapInOrder(positions: Float32Array, source: Float64Array, from: number, order: Uint32Array, out: Float64Array): number {
    const n = order.length;
    let missing = 0;

    if (this.entries) {
      const entries = this.entries;
      const last = entries.length - 1;
      for (let i = 0; i < n; i++) {
        const r = from + order[i];
        if (source[r] !== source[r]) {
          out[i] = NaN;
          missing++;
          continue;
        }
        out[i] = entries[Math.min(last, Math.max(0, Math.round(positions[r])))];
      }
      return missing;
    }

    const { knots, scale, low, high } = this;
    const K = knots.length - 1;
    for (let i = 0; i < n; i++) {
      const r = from + order[i];
      if (source[r] !== source[r]) {
        out[i] = NaN;
        missing++;
        continue;
      }
      const t = Math.min(K, Math.max(0, positions[r]));
      const k = Math.min(K - 1, Math.floor(t));
      const value = knots[k] + (t - k) * (knots[k + 1] - knots[k]);
      const rounded = Math.round(value * scale) / scale;
      out[i] = Math.min(high, Math.max(low, rounded));
    }
    return missing;
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
