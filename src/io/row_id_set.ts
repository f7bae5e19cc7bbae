const EMPTY = -1;
const INITIAL_CAPACITY = 1024;

/**
 * A set of row ids (safe integers ≥ 0) in an open-addressing hash table over a
 * Float64Array, kept at most half full, so n ids take 16 to 32 bytes each (48 while the
 * table doubles). A JavaScript Set costs more per entry and is limited to 2^24 entries
 * in Node 20, which one partition may exceed.
 */
export class RowIdSet {
  private slots = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds an id; returns false when the set already contains it. */
  add(id: number): boolean {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    for (let slot = hashRowId(id) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot];
      if (stored === id) return false;
      if (stored === EMPTY) {
        this.slots[slot] = id;
        this.count++;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(EMPTY);
    const mask = this.slots.length - 1;
    for (const id of old) {
      if (id === EMPTY) continue;
      let slot = hashRowId(id) & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    }
  }
}

/**
 * Mixes both 32-bit halves of an id with the MurmurHash3 finalizer, so that evenly
 * spaced ids (i, i + n, i + 2n, …) spread over the table.
 */
function hashRowId(id: number): number {
  let h = (id >>> 0) ^ Math.imul(Math.floor(id / 4294967296), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
