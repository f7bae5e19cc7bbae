import { RowStream } from '../prf/stream.js';

/**
 * Keyed random order of a batch's rows (Fisher–Yates). The stream is selected by the
 * batch's first global row, so each batch gets its own permutation.
 */
export function keyedPermutation(rows: number, firstRow: number, key: Uint32Array): Uint32Array {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const stream = new RowStream(key).seek(firstRow);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(stream.uniform(rows - 1 - i) * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
