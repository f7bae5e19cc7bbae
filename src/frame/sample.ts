import { RowStream } from '../prf/stream.js';

/**
 * Keyed bottom-k sample of rows: each row gets a 53-bit PRF priority from its global
 * index and the k rows with the smallest priorities are kept. With n ≤ k every row is
 * kept; the sample of a union of shards is the bottom k of the shards' samples, so
 * sampling is mergeable and independent of batch boundaries.
 */
export class BottomKSample {
  private readonly priorities: Float64Array;
  private readonly values: Float32Array;
  private size = 0;
  private isHeap = false;
  private readonly stream: RowStream;

  constructor(readonly capacity: number, readonly d: number, key: Uint32Array) {
    this.priorities = new Float64Array(capacity);
    this.values = new Float32Array(capacity * d);
    this.stream = new RowStream(key);
  }

  get rows(): number {
    return this.size;
  }

  priority(row: number): number {
    this.stream.seek(row);
    return (this.stream.word(0) >>> 11) * 4294967296 + this.stream.word(1);
  }

  /** Offers row r of a columnar batch (values at j * rows + r) with global index `row`. */
  offer(numeric: Float32Array, rows: number, r: number, row: number): void {
    const p = this.priority(row);
    if (this.size < this.capacity) {
      this.store(this.size++, p, numeric, rows, r);
      return;
    }
    // Rows are appended until the sample is full; only then is it ordered as a max-heap.
    if (!this.isHeap) {
      for (let at = (this.size >> 1) - 1; at >= 0; at--) this.siftDown(at);
      this.isHeap = true;
    }
    if (p >= this.priorities[0]) return;
    this.store(0, p, numeric, rows, r);
    this.siftDown(0);
  }

  /** The kept rows as a columnar d × rows buffer (NaN = missing). */
  columns(): Float32Array {
    const n = this.size;
    const d = this.d;
    const out = new Float32Array(d * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j * n + i] = this.values[i * d + j];
    return out;
  }

  private store(at: number, p: number, numeric: Float32Array, rows: number, r: number): void {
    this.priorities[at] = p;
    for (let j = 0; j < this.d; j++) this.values[at * this.d + j] = numeric[j * rows + r];
  }

  private swap(a: number, b: number): void {
    const p = this.priorities[a];
    this.priorities[a] = this.priorities[b];
    this.priorities[b] = p;
    const d = this.d;
    for (let j = 0; j < d; j++) {
      const v = this.values[a * d + j];
      this.values[a * d + j] = this.values[b * d + j];
      this.values[b * d + j] = v;
    }
  }

  private siftDown(at: number): void {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let largest = at;
      if (left < this.size && this.priorities[left] > this.priorities[largest]) largest = left;
      if (right < this.size && this.priorities[right] > this.priorities[largest]) largest = right;
      if (largest === at) return;
      this.swap(at, largest);
      at = largest;
    }
  }
}
