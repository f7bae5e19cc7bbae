import { describe, expect, it } from 'vitest';
import { formatDay, formatTimestamp, parseTimestamp } from '../src/io/arrow_cells.js';
import { decimalsNeeded } from '../src/io/arrow_input.js';
import { batchRow, type Batch } from '../src/io/batch.js';
import { parseShard, selectShard } from '../src/io/shard.js';
import { InputError } from '../src/errors.js';
import { rng, SEED } from './helpers/synthetic.js';

describe(`Arrow cell text (seed ${SEED})`, () => {
  it('formats days and timestamps in UTC', () => {
    expect(formatDay(0)).toBe('1970-01-01');
    expect(formatDay(-1)).toBe('1969-12-31');
    expect(formatTimestamp(1_700_000_000_123n, 'millisecond')).toBe('2023-11-14T22:13:20.123');
    expect(formatTimestamp(-1n, 'second')).toBe('1969-12-31T23:59:59');
    expect(formatTimestamp(1_000_001n, 'microsecond')).toBe('1970-01-01T00:00:01.000001');
  });

  it('parses what it formats in every unit', () => {
    const random = rng(SEED);
    for (const unit of ['second', 'millisecond', 'microsecond', 'nanosecond'] as const) {
      const perSecond = { second: 1, millisecond: 1e3, microsecond: 1e6, nanosecond: 1e9 }[unit];
      for (let i = 0; i < 200; i++) {
        const seconds = Math.floor((random() - 0.3) * 4e9);
        const value = BigInt(seconds) * BigInt(perSecond) + BigInt(Math.floor(random() * perSecond));
        expect(parseTimestamp(formatTimestamp(value, unit), unit)).toBe(value);
      }
    }
    expect(parseTimestamp('2024-02-29', 'day')).toBe(19782n);
    expect(parseTimestamp('not a date', 'day')).toBeUndefined();
  });

  it('reads decimals as the shortest text shows them', () => {
    expect(decimalsNeeded(12, 0, false)).toBe(0);
    expect(decimalsNeeded(1.15, 0, false)).toBe(2);
    expect(decimalsNeeded(0.1 + 0.2, 0, false)).toBe(6);
    expect(decimalsNeeded(Math.fround(0.1), 0, true)).toBe(1);
    expect(decimalsNeeded(Math.fround(0.1), 0, false)).toBe(6);
    expect(decimalsNeeded(3.5, 2, false)).toBe(2);
  });
});

describe('shards', () => {
  function batchOf(firstRow: number, rows: number, d: number): Batch {
    const numeric64 = Float64Array.from({ length: d * rows }, (_, i) => i);
    return {
      firstRow,
      rows,
      records: Array.from({ length: rows }, (_, r) => [`row ${firstRow + r}`]),
      lines: Int32Array.from({ length: rows }, (_, r) => firstRow + r + 2),
      numeric64,
      numeric: Float32Array.from(numeric64),
    };
  }

  it('select the rows of index i mod n with their global indices', () => {
    for (const [firstRow, rows, index, count] of [[0, 10, 1, 4], [7, 13, 0, 3], [1000, 1, 2, 5], [5, 64, 4, 5]]) {
      const batch = batchOf(firstRow, rows, 3);
      const shard = selectShard(batch, { index, count });
      const expected = Array.from({ length: rows }, (_, r) => firstRow + r).filter((row) => row % count === index);
      if (expected.length === 0) {
        expect(shard).toBeUndefined();
        continue;
      }
      expect(shard!.rows).toBe(expected.length);
      expect(Array.from({ length: shard!.rows }, (_, r) => batchRow(shard!, r))).toEqual(expected);
      for (let r = 0; r < shard!.rows; r++) {
        const source = expected[r] - firstRow;
        expect(shard!.records[r]).toEqual([`row ${expected[r]}`]);
        for (let j = 0; j < 3; j++) expect(shard!.numeric64[j * shard!.rows + r]).toBe(batch.numeric64[j * rows + source]);
      }
    }
  });

  it('parse i/n and reject the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const text of ['4/4', '1/0', '-1/3', 'a/b', '1']) expect(() => parseShard(text)).toThrow(InputError);
    expect(() => parseShard('4/4')).toThrow(/--shard "4\/4": the index 4 must be below n = 4\n {2}fix: shards are numbered from 0, so give 0\/4 to 3\/4/);
  });
});
