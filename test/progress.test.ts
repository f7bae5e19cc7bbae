import { openAsBlob } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu.js';
import { loadFrame, type Frame } from '../src/frame/frame.js';
import type { BatchWriter } from '../src/io/output.js';
import { ParquetTable } from '../src/io/parquet_table.js';
import { rowsInShard } from '../src/io/shard.js';
import { accumulateFit, applyTable, fitTables, type JobContext } from '../src/pipeline/jobs.js';
import { parseOperators, resolveOperators } from '../src/pipeline/operators.js';
import { tempFolder } from './helpers/cli.js';
import { quietContext, testKeys } from './helpers/fixtures.js';
import { SEED } from './helpers/synthetic.js';
import { TYPED_SCHEMA, typedTable, writeParquetFile } from './helpers/typed_table.js';

const ROWS = 4000;
const BATCH_ROWS = 500;

interface ProgressCall {
  rows: number;
  fraction: number | undefined;
}

/** Returns a CPU job context that records each progress update with the fraction it would show. */
function recordingContext(calls: ProgressCall[]): JobContext {
  return {
    engine: new CpuEngine(),
    batchRows: BATCH_ROWS,
    log: () => {},
    progress: (_stage, _total, fraction) => (rows) => calls.push({ rows, fraction: fraction() }),
  };
}

const discard: BatchWriter = { write: async () => {}, commit: async () => {}, abort: async () => {} };

describe(`progress of a Parquet file with one row group (seed ${SEED})`, () => {
  let table: ParquetTable;
  let frame: Frame;

  beforeAll(async () => {
    // One row group of all rows: the reader has read every row after the first batch.
    const path = await writeParquetFile(typedTable(ROWS, SEED), tempFolder(), 'one-group.parquet', ROWS);
    table = new ParquetTable(path, () => openAsBlob(path));
    frame = (await fitTables(quietContext(new CpuEngine(), BATCH_ROWS), [table], TYPED_SCHEMA, testKeys())).frame;
  });

  it('follows rows fitted in the fit pass', async () => {
    const calls: ProgressCall[] = [];
    await accumulateFit(recordingContext(calls), [table], TYPED_SCHEMA, testKeys());
    expect(calls.length).toBeGreaterThan(2);
    for (const { rows, fraction } of calls) expect(fraction).toBeCloseTo(rows / ROWS, 12);
  });

  it('follows rows written in apply', async () => {
    const calls: ProgressCall[] = [];
    const operators = resolveOperators(parseOperators('rotate(theta=0.5..1)'), frame.columns.length);
    await applyTable(recordingContext(calls), table, loadFrame(frame), operators, testKeys(), { writer: discard });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls[0].fraction).toBeLessThan(1);
    for (const { rows, fraction } of calls) expect(fraction).toBeCloseTo(rows / ROWS, 12);
  });

  it('follows the rows of the shard', async () => {
    const calls: ProgressCall[] = [];
    const shard = { index: 1, count: 3 };
    const operators = resolveOperators(parseOperators('rotate(theta=0.5..1)'), frame.columns.length);
    await applyTable(recordingContext(calls), table, loadFrame(frame), operators, testKeys(), { writer: discard, shard });
    const shardRows = rowsInShard(shard, 0, ROWS);
    expect(shardRows).toBe(1333);
    for (const { rows, fraction } of calls) expect(fraction).toBeCloseTo(rows / shardRows, 12);
    expect(calls.at(-1)!.fraction).toBe(1);
  });
});

describe('rows in a shard', () => {
  it('counts by global index', () => {
    const cases = [
      { shard: { index: 0, count: 4 }, firstRow: 0, rows: 10, expected: 3 },
      { shard: { index: 3, count: 4 }, firstRow: 0, rows: 10, expected: 2 },
      { shard: { index: 3, count: 4 }, firstRow: 5, rows: 2, expected: 0 },
      { shard: { index: 1, count: 4 }, firstRow: 5, rows: 1, expected: 1 },
      { shard: { index: 0, count: 1 }, firstRow: 7, rows: 9, expected: 9 },
    ];
    for (const { shard, firstRow, rows, expected } of cases) {
      const selected = Array.from({ length: rows }, (_, r) => firstRow + r).filter((g) => g % shard.count === shard.index).length;
      expect(selected).toBe(expected);
      expect(rowsInShard(shard, firstRow, rows)).toBe(expected);
    }
  });
});
