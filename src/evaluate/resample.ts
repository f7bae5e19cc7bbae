import type { LoadedFrame } from '../frame/frame.js';
import { ColumnFormatter } from '../pipeline/finalize.js';
import { RowStream } from '../prf/stream.js';
import { backMap } from '../reference/back_map.js';

/**
 * Rows drawn from the frame alone, with no input row behind them: w ~ N(0, I) keyed
 * per row, back-mapped (z = L w, then each column's marginal), clipped and rounded as
 * `apply` does. Returns values row-major (count × d), none missing.
 */
export function sampleFromFrame(frame: LoadedFrame, count: number, key: Uint32Array): Float64Array {
  const d = frame.d;
  const w = new Float32Array(d * count);
  const stream = new RowStream(key);
  for (let i = 0; i < count; i++) {
    stream.seek(i);
    for (let j = 0; j < d; j++) w[j * count + i] = stream.normal(j);
  }
  const positions = new Float32Array(d * count);
  backMap(w, count, frame.tables, frame.cholesky, positions);
  return positionsToValues(frame, positions, count);
}

/** Values (row-major) of back-mapping positions (columnar d × count), as `apply` formats them. */
export function positionsToValues(frame: LoadedFrame, positions: Float32Array, count: number, missing?: (i: number, j: number) => boolean): Float64Array {
  const d = frame.d;
  const formatters = frame.frame.columns.map((c) => new ColumnFormatter(c));
  const values = new Float64Array(count * d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) {
      values[i * d + j] = missing?.(i, j) ? NaN : formatters[j].snap(formatters[j].value(positions[j * count + i]));
    }
  }
  return values;
}
