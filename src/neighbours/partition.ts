import { RowStream } from '../prf/stream.js';

/**
 * Recursive principal-axis median split of a set of points (row-major, d columns).
 * Each block's rows are split at the median of their projection on the block's
 * principal axis, which power iteration on the block's covariance finds from a keyed
 * start. Ties in the projection are broken by row index, and splitting goes on until
 * blocks are small enough. The result is deterministic for a given set of points, key
 * and variant.
 */
export interface Partition {
  /** Row indices, block after block. */
  order: Uint32Array;
  /** Start of each block in `order`, with a final entry equal to the number of rows. */
  offsets: Uint32Array;
  /** For each block, the range in `order` of its parent block (the block and its sibling). */
  parents: Uint32Array;
}

export interface PartitionOptions {
  /** Split while a block holds more than this many rows. */
  maxBlock: number;
  /** Key of the power-iteration starts and the axis tilts. */
  key: Uint32Array;
  /**
   * Variant number. Variant 0 splits on the principal axis itself; variant v > 0 tilts
   * each axis by a keyed random direction (weight `tilt`), so that several partitions
   * put their borders in different places.
   */
  variant: number;
  tilt?: number;
  /** Rows used by the power iteration of a large block (an even sample). */
  sampleRows?: number;
  iterations?: number;
}

const DEFAULT_TILT = 0.7;

/** Key-derived direction for (variant, depth-first block number). */
function keyedDirection(stream: RowStream, variant: number, block: number, d: number, out: Float64Array): void {
  stream.seek(variant * 2 ** 26 + block);
  let norm = 0;
  for (let j = 0; j < d; j++) {
    out[j] = stream.normal(j);
    norm += out[j] * out[j];
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < d; j++) out[j] /= norm;
}

/** Principal axis of the rows order[start, end) by power iteration from `start` vector. */
function principalAxis(points: Float32Array, d: number, rows: Uint32Array, start: number, end: number, axis: Float64Array, sampleRows: number, iterations: number): void {
  const size = end - start;
  const step = Math.max(1, Math.floor(size / sampleRows));
  const mean = new Float64Array(d);
  let count = 0;
  for (let i = start; i < end; i += step) {
    const base = rows[i] * d;
    for (let j = 0; j < d; j++) mean[j] += points[base + j];
    count++;
  }
  for (let j = 0; j < d; j++) mean[j] /= count;

  const next = new Float64Array(d);
  const centred = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    next.fill(0);
    for (let i = start; i < end; i += step) {
      const base = rows[i] * d;
      let dot = 0;
      for (let j = 0; j < d; j++) {
        centred[j] = points[base + j] - mean[j];
        dot += centred[j] * axis[j];
      }
      for (let j = 0; j < d; j++) next[j] += dot * centred[j];
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += next[j] * next[j];
    norm = Math.sqrt(norm);
    if (norm === 0) return;
    let change = 0;
    for (let j = 0; j < d; j++) {
      const value = next[j] / norm;
      change = Math.max(change, Math.abs(value - axis[j]));
      axis[j] = value;
    }
    if (change < 1e-4) return;
  }
}

/**
 * Rearranges rows[start, end) so that the `half` rows with the smallest (key, row)
 * come first (quickselect with a deterministic median-of-three pivot).
 */
function selectLower(rows: Uint32Array, keys: Float64Array, start: number, end: number, half: number): void {
  const less = (a: number, b: number): boolean => keys[a] < keys[b] || (keys[a] === keys[b] && rows[a] < rows[b]);
  const swap = (a: number, b: number): void => {
    const r = rows[a];
    rows[a] = rows[b];
    rows[b] = r;
    const k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
  };
  let lo = start;
  let hi = end - 1;
  const target = start + half;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (less(mid, lo)) swap(mid, lo);
    if (less(hi, lo)) swap(hi, lo);
    if (less(hi, mid)) swap(hi, mid);
    swap(mid, hi);
    let store = lo;
    for (let i = lo; i < hi; i++) {
      if (less(i, hi)) swap(i, store++);
    }
    swap(store, hi);
    if (store === target) return;
    if (store < target) lo = store + 1;
    else hi = store - 1;
  }
}

export function partition(points: Float32Array, d: number, rowCount: number, options: PartitionOptions): Partition {
  const rows = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) rows[i] = i;
  const keys = new Float64Array(rowCount);
  const offsets: number[] = [];
  const parents: number[] = [];
  const stream = new RowStream(options.key);
  const axis = new Float64Array(d);
  const tilt = new Float64Array(d);
  const tiltWeight = options.variant === 0 ? 0 : (options.tilt ?? DEFAULT_TILT);
  const sampleRows = options.sampleRows ?? 2048;
  const iterations = options.iterations ?? 8;
  let blockNumber = 0;

  // Depth-first with an explicit stack of [start, end, parentStart, parentEnd].
  const stack: number[][] = [[0, rowCount, 0, rowCount]];
  while (stack.length > 0) {
    const [start, end, parentStart, parentEnd] = stack.pop()!;
    const size = end - start;
    if (size <= options.maxBlock) {
      offsets.push(start);
      parents.push(parentStart, parentEnd);
      continue;
    }
    keyedDirection(stream, 0, blockNumber, d, axis);
    // Small blocks are many and only need a good split direction, not the exact axis.
    principalAxis(points, d, rows, start, end, axis, sampleRows, size > sampleRows ? iterations : Math.min(iterations, 2));
    if (tiltWeight > 0) {
      keyedDirection(stream, options.variant, blockNumber, d, tilt);
      let norm = 0;
      for (let j = 0; j < d; j++) {
        axis[j] += tiltWeight * tilt[j];
        norm += axis[j] * axis[j];
      }
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < d; j++) axis[j] /= norm;
    }
    blockNumber++;

    for (let i = start; i < end; i++) {
      const base = rows[i] * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += points[base + j] * axis[j];
      keys[i] = dot;
    }
    const half = size >> 1;
    selectLower(rows, keys, start, end, half);
    // Right half first on the stack, so blocks come out left to right.
    stack.push([start + half, end, start, end], [start, start + half, start, end]);
  }

  const order = rows;
  const blockOffsets = new Uint32Array(offsets.length + 1);
  blockOffsets.set(offsets);
  blockOffsets[offsets.length] = rowCount;
  return { order, offsets: blockOffsets, parents: Uint32Array.from(parents) };
}
