import { InputError } from '../errors.js';
import type { Batch } from './batch.js';

/** Shard i of n (numbered from 0): the rows whose global index mod n equals i. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (0 ≤ i < n) as given to --shard. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match) {
    throw new InputError(`--shard "${text}" is not of the form i/n with 0 ≤ i < n`, 'give the shard as i/n, such as 0/4 for the first of four shards');
  }
  if (count < 1) {
    throw new InputError(`--shard "${text}": the number of shards n must be at least 1`, 'give the shard as i/n with n ≥ 1, such as 0/4 for the first of four shards');
  }
  if (index >= count) {
    throw new InputError(`--shard "${text}": the index ${index} must be below n = ${count}`, `shards are numbered from 0, so give 0/${count} to ${count - 1}/${count}`);
  }
  return { index, count };
}

/** Counts the rows of a shard among `rows` consecutive rows whose first has global index `firstRow`. */
export function rowsInShard(shard: Shard, firstRow: number, rows: number): number {
  const first = (((shard.index - firstRow) % shard.count) + shard.count) % shard.count;
  return first >= rows ? 0 : Math.floor((rows - 1 - first) / shard.count) + 1;
}

/**
 * Selects the rows of a batch of consecutive rows that belong to a shard. They form a
 * batch with row stride n, so every row keeps its global index and its draws. Returns
 * undefined when no row belongs to the shard.
 */
export function selectShard(batch: Batch, shard: Shard): Batch | undefined {
  if ((batch.rowStride ?? 1) !== 1) throw new Error('a shard is selected from consecutive rows');
  if (shard.count === 1) return batch;
  const n = batch.rows;
  const first = (((shard.index - batch.firstRow) % shard.count) + shard.count) % shard.count;
  if (first >= n) return undefined;
  const rows = Math.floor((n - 1 - first) / shard.count) + 1;
  const d = batch.numeric64.length / Math.max(1, n);
  const numeric64 = new Float64Array(d * rows);
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < rows; r++) numeric64[j * rows + r] = batch.numeric64[j * n + first + r * shard.count];
  }
  const records: string[][] = new Array(rows);
  const lines = batch.lines ? new Int32Array(rows) : undefined;
  for (let r = 0; r < rows; r++) {
    records[r] = batch.records[first + r * shard.count];
    if (lines) lines[r] = batch.lines![first + r * shard.count];
  }
  return { firstRow: batch.firstRow + first, rowStride: shard.count, rows, records, lines, numeric64, numeric: new Float32Array(numeric64) };
}
