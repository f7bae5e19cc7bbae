import { RowStream } from '../prf/stream.js';

/** Serializable contents of a sample: per kept row its priority, global index and values. */
export interface SampleState {
  priorities: Float64Array;
  rows: Float64Array;
  /** Row-major: values of kept row i at i * d + j. */
  values: Float32Array;
}

/**
 * Keyed bottom-k sample of rows: each row gets a 53-bit PRF priority from its global
 * index and the k rows with the smallest priorities are kept. With n ≤ k every row is
 * kept; the sample of a union of shards is the bottom k of the shards' samples, so
 * sampling is mergeable and independent of batch boundaries. The kept rows are handed
 * out in global row order, so the same rows give the same sample however they arrived.
 */
export class BottomKSample {
  // Storage grows by doubling up to the capacity, so small tables stay small.
  private priorities: Float64Array;
  private globalRows: Float64Array;
  private values: Float32Array;
  private size = 0;
  private isHeap = false;
  private readonly stream: RowStream;

  constructor(readonly capacity: number, readonly d: number, key: Uint32Array) {
    const initial = Math.min(capacity, 4096);
    this.priorities = new Float64Array(initial);
    this.globalRows = new Float64Array(initial);
    this.values = new Float32Array(initial * d);
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
    const at = this.slotFor(this.priority(row));
    if (at === -1) return;
    this.globalRows[at] = row;
    for (let j = 0; j < this.d; j++) this.values[at * this.d + j] = numeric[j * rows + r];
    if (this.isHeap) this.siftDown(at);
  }

  /** Offers every kept row of another sample (same key, capacity and d). */
  mergeState(state: SampleState): void {
    const d = this.d;
    for (let i = 0; i < state.priorities.length; i++) {
      const at = this.slotFor(state.priorities[i]);
      if (at === -1) continue;
      this.globalRows[at] = state.rows[i];
      this.values.set(state.values.subarray(i * d, (i + 1) * d), at * d);
      if (this.isHeap) this.siftDown(at);
    }
  }

  toState(): SampleState {
    return {
      priorities: this.priorities.slice(0, this.size),
      rows: this.globalRows.slice(0, this.size),
      values: this.values.slice(0, this.size * this.d),
    };
  }

  /**
   * Where a row of priority p goes: a free slot while the sample is not full, else the
   * root of the max-heap when p is below the largest kept priority, else -1. The
   * caller stores the row there, then sifts it down once the sample is a heap.
   */
  private slotFor(p: number): number {
    if (this.size < this.capacity) {
      if (this.size === this.priorities.length) this.grow();
      this.priorities[this.size] = p;
      return this.size++;
    }
    // Rows are appended until the sample is full; only then is it ordered as a max-heap.
    if (!this.isHeap) {
      for (let at = (this.size >> 1) - 1; at >= 0; at--) this.siftDown(at);
      this.isHeap = true;
    }
    if (p >= this.priorities[0]) return -1;
    this.priorities[0] = p;
    return 0;
  }

  private grow(): void {
    const length = Math.min(this.capacity, this.priorities.length * 2);
    const priorities = new Float64Array(length);
    priorities.set(this.priorities);
    this.priorities = priorities;
    const globalRows = new Float64Array(length);
    globalRows.set(this.globalRows);
    this.globalRows = globalRows;
    const values = new Float32Array(length * this.d);
    values.set(this.values);
    this.values = values;
  }

  /** The kept rows in global row order as a columnar d × rows buffer (NaN = missing). */
  columns(): Float32Array {
    const n = this.size;
    const d = this.d;
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => this.globalRows[a] - this.globalRows[b]);
    const out = new Float32Array(d * n);
    for (let i = 0; i < n; i++) {
      const from = order[i] * d;
      for (let j = 0; j < d; j++) out[j * n + i] = this.values[from + j];
    }
    return out;
  }

  private swap(a: number, b: number): void {
    const p = this.priorities[a];
    this.priorities[a] = this.priorities[b];
    this.priorities[b] = p;
    const g = this.globalRows[a];
    this.globalRows[a] = this.globalRows[b];
    this.globalRows[b] = g;
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
