import { describe, expect, it } from 'vitest';
import { RowIdSet } from '../src/io/row_id_set.js';

describe('RowIdSet', () => {
  it('finds repeats after growing', () => {
    const set = new RowIdSet();
    const ids: number[] = [];
    for (let i = 0; i < 50_000; i++) ids.push(3 + 7 * i);
    for (let i = 0; i < 1000; i++) ids.push(2 ** 52 + 4 * i, 2 ** 32 + i);
    const added = ids.filter((id) => set.add(id));
    expect(added).toHaveLength(ids.length);
    expect(set.size).toBe(ids.length);
    const addedAgain = ids.filter((id) => set.add(id));
    expect(addedAgain).toEqual([]);
    expect(set.size).toBe(ids.length);
  });

  it('tells ids that share their low 32 bits apart', () => {
    const set = new RowIdSet();
    expect(set.add(5)).toBe(true);
    expect(set.add(5 + 2 ** 32)).toBe(true);
    expect(set.add(5 + 2 ** 33)).toBe(true);
    expect(set.add(5 + 2 ** 32)).toBe(false);
    expect(set.add(0)).toBe(true);
    expect(set.add(0)).toBe(false);
  });
});
