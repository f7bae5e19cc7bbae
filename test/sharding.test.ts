import * as arrow from 'apache-arrow';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../src/schema/schema.js';
import { geomask, tempFolder, type CliResult } from './helpers/cli.js';
import { parquetWasm } from '../src/io/parquet_wasm.js';
import { pipeThrough, ROW_ID, runStreamPartitions, sortedRows } from './helpers/stream_driver.js';
import { SEED } from './helpers/synthetic.js';
import { TYPED_SCHEMA, typedTable, writeParquetFile, writeSchemaFile } from './helpers/typed_table.js';

const ROWS = 4000;
const SHARDS = 4;

/** Data lines of CSV files, sorted. */
function csvRows(paths: string[]): string[] {
  return paths.flatMap((path) => readFileSync(path, 'utf8').trim().split('\n').slice(1)).sort();
}

/** Prepends a row-id column with the given ids to a table. */
function withRowIds(table: arrow.Table, ids: number[]): arrow.Table {
  return new arrow.Table({ [ROW_ID]: arrow.makeVector(BigInt64Array.from(ids, BigInt)) }).assign(table);
}

/** Column names and Arrow types of a release file, as text. */
async function releaseSchema(path: string): Promise<string[]> {
  let table: arrow.Table;
  if (path.endsWith('.parquet')) {
    const pw = await parquetWasm();
    table = arrow.tableFromIPC(pw.readParquet(readFileSync(path)).intoIPCStream());
  } else {
    table = arrow.tableFromIPC(readFileSync(path));
  }
  return table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
}

function frameWithoutTime(path: string): unknown {
  const frame = JSON.parse(readFileSync(path, 'utf8'));
  delete frame.createdAt;
  return frame;
}

describe(`sharded runs (seed ${SEED})`, () => {
  let folder: string;
  let input: string;
  let schema: string;
  let frame: string;
  let key: string;
  let source: arrow.Table;

  beforeAll(async () => {
    folder = tempFolder();
    source = typedTable(ROWS, SEED);
    input = await writeParquetFile(source, folder, 'typed.parquet', 1500);
    schema = writeSchemaFile(TYPED_SCHEMA, folder);
    key = join(folder, 'k.key');
    frame = join(folder, 'frame.json');
    const fit = await geomask(['fit', input, '--schema', schema, '--out', frame, '--key-file', key, '--label', 'typed', '--quiet']);
    expect(fit.code, fit.stderr).toBe(0);
  });

  for (const ops of ['rotate(theta=0.52..1.05,rho=0.5)', 'project(k=2)']) {
    it(`unions ${SHARDS} shards into the single release for ${ops.split('(')[0]}`, async () => {
      const common = ['--frame', frame, '--key-file', key, '--label', 'typed', '--ops', ops, '--batch-rows', '1000', '--quiet'];
      const name = ops.split('(')[0];
      const whole = await geomask(['apply', input, '--out', join(folder, `${name}.csv`), ...common]);
      expect(whole.code, whole.stderr).toBe(0);
      const parts = await Promise.all(
        Array.from({ length: SHARDS }, (_, i) => geomask(['apply', input, '--out', join(folder, `${name}.${i}.csv`), '--shard', `${i}/${SHARDS}`, ...common])),
      );
      for (const part of parts) expect(part.code, part.stderr).toBe(0);
      const shardRows = csvRows(Array.from({ length: SHARDS }, (_, i) => join(folder, `${name}.${i}.csv`)));
      const wholeRows = csvRows([join(folder, `${name}.csv`)]);
      expect(shardRows).toHaveLength(ROWS);
      expect(shardRows).toEqual(wholeRows);
    });
  }

  for (const placement of ['row-id', 'first-row'] as const) {
    it(`streams partitions placed by ${placement} into the single release`, async () => {
      const ops = 'rotate(theta=0.52..1.05,rho=0.5),project(k=3)';
      const common = ['--frame', frame, '--key-file', key, '--label', 'typed', '--ops', ops];
      const whole = await geomask(['apply', input, '--out', join(folder, `whole.arrows`), ...common, '--quiet']);
      expect(whole.code, whole.stderr).toBe(0);
      const released = await runStreamPartitions(source, 3, placement, common);
      expect(released.reduce((sum, t) => sum + t.numRows, 0)).toBe(ROWS);
      expect(released[0].schema.fields.map((f) => f.name)).not.toContain('row_id');
      expect(sortedRows(released)).toEqual(sortedRows([arrow.tableFromIPC(readFileSync(join(folder, 'whole.arrows')))]));
    });
  }

  it('streams an empty partition as an empty release with its columns', async () => {
    const released = await pipeThrough(arrow.tableToIPC(source.slice(0, 0), 'stream'), ['--frame', frame, '--key-file', key, '--label', 'typed', '--first-row', '0', '--quiet']);
    expect(released.numRows).toBe(0);
    expect(released.schema.fields.map((f) => f.name)).toEqual(['patient', 'lab', 'count', 'age', 'score', 'admitted', 'seen_at', 'sex', 'flag']);
  });

  describe('empty and small partitions', () => {
    const released = ['patient', 'lab', 'count', 'age', 'score', 'admitted', 'seen_at', 'sex', 'flag'];

    it('streams an empty partition through mix', async () => {
      const empty = withRowIds(source.slice(0, 0), []);
      const args = ['--frame', frame, '--key-file', key, '--label', 'typed', '--row-id', ROW_ID, '--profile', 'high', '--quiet'];
      const release = await pipeThrough(arrow.tableToIPC(empty, 'stream'), args);
      expect(release.numRows).toBe(0);
      expect(release.schema.fields.map((f) => f.name)).toEqual(released);
    });

    it('rejects a partition smaller than mix k', async () => {
      const small = withRowIds(source.slice(0, 3), [0, 1, 2]);
      const args = ['--frame', frame, '--key-file', key, '--label', 'typed', '--row-id', ROW_ID, '--ops', 'mix(k=10,alpha=0.5)', '--quiet'];
      const run = pipeThrough(arrow.tableToIPC(small, 'stream'), args);
      await expect(run).rejects.toThrow(/exited with 2/);
      await expect(run).rejects.toThrow(/needs at least 10 rows to form a group, but the input has 3/);
      await expect(run).rejects.toThrow(/Each shard or partition is mixed on its own, so each one needs at least 10 rows/);
      await expect(run).rejects.toThrow(/fix: give every shard or partition at least 10 rows/);
    });

    it('rejects standard input without a schema', async () => {
      const run = pipeThrough(new Uint8Array(0), ['--frame', frame, '--key-file', key, '--label', 'typed', '--first-row', '0', '--quiet']);
      await expect(run).rejects.toThrow(/exited with 2/);
      await expect(run).rejects.toThrow(/no Arrow IPC schema arrived/);
      await expect(run).rejects.toThrow(/fix: send the schema even for a partition without rows/);
    });

    for (const format of ['csv', 'parquet', 'arrow', 'arrows']) {
      it(`writes an empty shard as ${format} with the release's columns`, async () => {
        const three = join(folder, 'three.arrow');
        writeFileSync(three, arrow.tableToIPC(source.slice(0, 3), 'file'));
        const common = ['--frame', frame, '--key-file', key, '--label', 'typed', '--quiet'];
        const full = join(folder, `shard0.${format}`);
        const empty = join(folder, `shard3.${format}`);
        const first = await geomask(['apply', three, '--out', full, '--shard', '0/4', ...common]);
        expect(first.code, first.stderr).toBe(0);
        const last = await geomask(['apply', three, '--out', empty, '--shard', '3/4', ...common]);
        expect(last.code, last.stderr).toBe(0);
        if (format === 'csv') {
          expect(readFileSync(empty, 'utf8')).toBe(`${released.join(',')}\n`);
          expect(readFileSync(full, 'utf8').split('\n')[0]).toBe(released.join(','));
        } else {
          expect((await releaseSchema(empty)).map((field) => field.split(':')[0])).toEqual(released);
          expect(await releaseSchema(empty)).toEqual(await releaseSchema(full));
        }
      });
    }
  });

  describe('row ids', () => {
    const args = (): string[] => ['--frame', frame, '--key-file', key, '--label', 'typed', '--row-id', ROW_ID, '--ops', 'rotate(theta=0.52..1.05,rho=0.5)', '--quiet'];

    it('rejects a repeated id in one batch', async () => {
      const part = withRowIds(source.slice(0, 5), [0, 1, 5, 5, 5]);
      const run = pipeThrough(arrow.tableToIPC(part, 'stream'), args());
      await expect(run).rejects.toThrow(/exited with 2/);
      await expect(run).rejects.toThrow(/standard input, row 4, column "row_id": row id 5 is a duplicate of an earlier row's id/);
    });

    it('rejects a repeated id across batches', async () => {
      const part = withRowIds(source.slice(0, 4), [10, 11, 12, 13]).concat(withRowIds(source.slice(4, 6), [14, 11]));
      expect(part.batches).toHaveLength(2);
      const run = pipeThrough(arrow.tableToIPC(part, 'stream'), args());
      await expect(run).rejects.toThrow(/standard input, row 6, column "row_id": row id 11 is a duplicate of an earlier row's id/);
    });
  });

  describe('table stored with its row-id column', () => {
    const rows = 1500;
    let table: arrow.Table;
    let stored: string;
    let storedSchema: string;
    let storedFrame: string;

    beforeAll(async () => {
      table = withRowIds(typedTable(rows, SEED + 1), Array.from({ length: rows }, (_, i) => i));
      stored = await writeParquetFile(table, folder, 'stored.parquet', 500);
      storedSchema = join(folder, 'stored.schema.json');
      storedFrame = join(folder, 'stored.frame.json');
    });

    it('infers identifier for the row-id column', async () => {
      const run = await geomask(['schema', stored, '--out', storedSchema]);
      expect(run.code, run.stderr).toBe(0);
      const schema = JSON.parse(readFileSync(storedSchema, 'utf8'));
      expect(schema.columns[0]).toEqual({ name: ROW_ID, role: 'identifier', pseudonymize: false });
    });

    it('fits and streams the table without editing', async () => {
      const fit = await geomask(['fit', stored, '--schema', storedSchema, '--out', storedFrame, '--key-file', key, '--label', 'stored', '--quiet']);
      expect(fit.code, fit.stderr).toBe(0);
      const common = ['--frame', storedFrame, '--key-file', key, '--label', 'stored', '--ops', 'rotate(theta=0.52..1.05,rho=0.5),project(k=3)'];
      const whole = await geomask(['apply', stored, '--out', join(folder, 'stored.arrows'), ...common, '--quiet']);
      expect(whole.code, whole.stderr).toBe(0);
      const released = await runStreamPartitions(table, 3, 'row-id', common);
      expect(released.reduce((sum, t) => sum + t.numRows, 0)).toBe(rows);
      expect(released[0].schema.fields.map((f) => f.name)).not.toContain(ROW_ID);
      expect(sortedRows(released)).toEqual(sortedRows([arrow.tableFromIPC(readFileSync(join(folder, 'stored.arrows')))]));
    });

    it('streams a pseudonymized row-id column like apply', async () => {
      const schema = JSON.parse(readFileSync(storedSchema, 'utf8'));
      schema.columns[0] = { name: ROW_ID, role: 'identifier', pseudonymize: true };
      const pseudonymSchema = join(folder, 'pseudonym-id.schema.json');
      writeFileSync(pseudonymSchema, JSON.stringify(schema));
      const pseudonymFrame = join(folder, 'pseudonym-id.frame.json');
      const fit = await geomask(['fit', stored, '--schema', pseudonymSchema, '--out', pseudonymFrame, '--key-file', key, '--label', 'stored', '--quiet']);
      expect(fit.code, fit.stderr).toBe(0);
      const common = ['--frame', pseudonymFrame, '--key-file', key, '--label', 'stored', '--ops', 'project(k=3)'];
      const whole = await geomask(['apply', stored, '--out', join(folder, 'pseudonym-id.arrows'), ...common, '--quiet']);
      expect(whole.code, whole.stderr).toBe(0);
      const released = await pipeThrough(arrow.tableToIPC(table, 'stream'), [...common, '--row-id', ROW_ID, '--quiet']);
      expect(released.schema.fields[0].name).toBe(ROW_ID);
      expect(String(released.getChild(ROW_ID)!.get(0))).toMatch(/^[0-9a-f]{16}$/);
      expect(sortedRows([released])).toEqual(sortedRows([arrow.tableFromIPC(readFileSync(join(folder, 'pseudonym-id.arrows')))]));
    });

    it('rejects a row-id column fitted as numeric', async () => {
      const schema = JSON.parse(readFileSync(storedSchema, 'utf8'));
      schema.columns[0] = { name: ROW_ID, role: 'numeric' };
      const numericSchema = join(folder, 'numeric-id.schema.json');
      writeFileSync(numericSchema, JSON.stringify(schema));
      const numericFrame = join(folder, 'numeric-id.frame.json');
      const fit = await geomask(['fit', stored, '--schema', numericSchema, '--out', numericFrame, '--key-file', key, '--label', 'stored', '--quiet']);
      expect(fit.code, fit.stderr).toBe(0);
      const run = pipeThrough(arrow.tableToIPC(table.slice(0, 10), 'stream'), ['--frame', numericFrame, '--key-file', key, '--label', 'stored', '--row-id', ROW_ID, '--quiet']);
      await expect(run).rejects.toThrow(/exited with 2/);
      await expect(run).rejects.toThrow(/column "row_id": the frame's schema gives the row-id column the role "numeric"/);
      await expect(run).rejects.toThrow(/fix: set the column's role to "identifier" or "drop"/);
    });
  });

  it('rejects CSV on the standard input of stream', async () => {
    const csv = new TextEncoder().encode('patient,lab\nP1,4.2\n');
    const failure = await pipeThrough(csv, ['--frame', frame, '--key-file', key, '--label', 'typed', '--first-row', '0', '--backend', 'cpu']).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/standard input: cannot read the input as Arrow IPC/);
    expect(message).toMatch(/fix: write the partition to standard input as an Arrow IPC stream/);
    expect(message).not.toMatch(/--format/);
  });

  describe('missing key file', () => {
    /** Runs `args` with a --key-file path that does not exist. The run must fail and create no key file. */
    async function expectMissingKeyRejected(args: string[], message: RegExp): Promise<void> {
      const missing = join(folder, 'missing-on-worker.key');
      const run = await geomask([...args, '--key-file', missing, '--label', 'typed', '--backend', 'cpu']);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/missing-on-worker\.key: key file not found/);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/fix: .*--key-file/);
      expect(existsSync(missing)).toBe(false);
    }

    it('rejects apply --shard without the key', async () => {
      const out = join(folder, 'nokey.0.csv');
      await expectMissingKeyRejected(['apply', input, '--frame', frame, '--out', out, '--shard', '1/4'], /every shard of a sharded apply must use the key file/);
      expect(existsSync(out)).toBe(false);
    });

    it('rejects fit --partial without the key', async () => {
      const out = join(folder, 'nokey.fitstate');
      await expectMissingKeyRejected(['fit', input, '--schema', schema, '--partial', out, '--first-row', '0'], /every partial fit and the merge must use the same key file/);
      expect(existsSync(out)).toBe(false);
    });

    it('rejects stream without the key', async () => {
      await expectMissingKeyRejected(['stream', '--frame', frame, '--first-row', '0'], /every stream process must use the key file/);
    });

    it('rejects merge without the key and creates nothing', async () => {
      const partial = join(folder, 'keyed.fitstate');
      const fit = await geomask(['fit', input, '--schema', schema, '--partial', partial, '--key-file', key, '--label', 'typed', '--quiet']);
      expect(fit.code, fit.stderr).toBe(0);
      const before = readdirSync(folder).sort();
      await expectMissingKeyRejected(['merge', partial, '--out', join(folder, 'nokey.frame.json')], /merge must use the key file that the partial fits were made with/);
      expect(readdirSync(folder).sort()).toEqual(before);
    });

    it('creates the key in a plain apply', async () => {
      const created = join(folder, 'created.key');
      const run = await geomask(['apply', input, '--frame', frame, '--out', join(folder, 'plain.csv'), '--key-file', created, '--label', 'typed', '--ops', 'project(k=2)', '--backend', 'cpu']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/created key file/);
      expect(existsSync(created)).toBe(true);
    });
  });

  describe('fit of parts', () => {
    let parts: string[];
    const size = ROWS / SHARDS;

    beforeAll(async () => {
      parts = await Promise.all(Array.from({ length: SHARDS }, (_, i) => writeParquetFile(source.slice(i * size, (i + 1) * size), folder, `part${i}.parquet`, 700)));
    });

    it('equals the whole fit in one process', async () => {
      const out = join(folder, 'parts.frame.json');
      const run = await geomask(['fit', ...parts, '--schema', schema, '--out', out, '--key-file', key, '--label', 'typed', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      expect(frameWithoutTime(out)).toEqual(frameWithoutTime(frame));
    });

    it('equals the whole fit through merge', async () => {
      const partials = await Promise.all(
        parts.map((part, i) => geomask(['fit', part, '--schema', schema, '--partial', join(folder, `part${i}.fitstate`), '--first-row', String(i * size), '--key-file', key, '--label', 'typed', '--quiet'])),
      );
      for (const partial of partials) expect(partial.code, partial.stderr).toBe(0);
      const out = join(folder, 'merged.frame.json');
      // Merged in another order than the rows: the frame must not depend on it.
      const order = [2, 0, 3, 1].map((i) => join(folder, `part${i}.fitstate`));
      const merge = await geomask(['merge', ...order, '--out', out, '--key-file', key, '--label', 'typed']);
      expect(merge.code, merge.stderr).toBe(0);
      expect(merge.stderr).toMatch(/merged 4 parts \(4000 rows: 0\.\.3999\)/);
      expect(frameWithoutTime(out)).toEqual(frameWithoutTime(frame));
    });

    it('rejects overlapping parts and parts of another label', async () => {
      const again = join(folder, 'again.fitstate');
      const overlap = await geomask(['fit', parts[1], '--schema', schema, '--partial', again, '--first-row', '0', '--key-file', key, '--label', 'typed', '--quiet']);
      expect(overlap.code, overlap.stderr).toBe(0);
      const merged = await geomask(['merge', join(folder, 'part0.fitstate'), again, '--out', join(folder, 'x.json'), '--key-file', key, '--label', 'typed', '--quiet']);
      expect(merged.code).toBe(2);
      expect(merged.stderr).toMatch(/overlap rows 0\.\.999/);
      expect(merged.stderr).toMatch(/--first-row/);

      const other = join(folder, 'other.fitstate');
      const relabelled = await geomask(['fit', parts[1], '--schema', schema, '--partial', other, '--first-row', String(size), '--key-file', key, '--label', 'other', '--quiet']);
      expect(relabelled.code, relabelled.stderr).toBe(0);
      const mixed = await geomask(['merge', join(folder, 'part0.fitstate'), other, '--out', join(folder, 'y.json'), '--key-file', key, '--label', 'typed', '--quiet']);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toMatch(/another key or label/);
    });

    it('rejects parts that leave rows out', async () => {
      const cases = [
        { chosen: [0, 1, 3], missing: '2000\\.\\.2999', covered: '0\\.\\.1999, 3000\\.\\.3999' },
        { chosen: [1, 2, 3], missing: '0\\.\\.999', covered: '1000\\.\\.3999' },
      ];
      for (const { chosen, missing, covered } of cases) {
        const out = join(folder, 'gap.frame.json');
        const run = await geomask(['merge', ...chosen.map((i) => join(folder, `part${i}.fitstate`)), '--out', out, '--key-file', key, '--label', 'typed', '--quiet']);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`the parts cover global rows ${covered}, so rows ${missing} are missing`));
        expect(run.stderr).toMatch(/fix: merge every part of the table/);
        expect(existsSync(out)).toBe(false);
      }
    });

    /** Makes the partial fit of part 1 with TYPED_SCHEMA changed by `edit`, then merges it after part 0. */
    async function mergeWithEditedSchema(name: string, edit: (schema: Schema) => void): Promise<CliResult> {
      const edited = structuredClone(TYPED_SCHEMA);
      edit(edited);
      const schemaPath = join(folder, `${name}.schema.json`);
      writeFileSync(schemaPath, JSON.stringify(edited));
      const partial = join(folder, `${name}.fitstate`);
      const fit = await geomask(['fit', parts[1], '--schema', schemaPath, '--partial', partial, '--first-row', String(size), '--key-file', key, '--label', 'typed', '--quiet']);
      expect(fit.code, fit.stderr).toBe(0);
      return geomask(['merge', join(folder, 'part0.fitstate'), partial, '--out', join(folder, `${name}.frame.json`), '--key-file', key, '--label', 'typed', '--quiet']);
    }

    it('rejects parts whose max differs', async () => {
      const run = await mergeWithEditedSchema('max', (edited) => {
        edited.columns.find((c) => c.name === 'age')!.max = 110;
      });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/max\.fitstate, column "age": partial fit was made with another schema than \S*part0\.fitstate: "max" is 110 here but 120 in/);
      expect(run.stderr).toMatch(/fix: make every partial fit with the same --schema file/);
      expect(existsSync(join(folder, 'max.frame.json'))).toBe(false);
    });

    it('names the column whose role differs', async () => {
      const run = await mergeWithEditedSchema('role', (edited) => {
        edited.columns.find((c) => c.name === 'count')!.role = 'categorical';
      });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/role\.fitstate, column "count": partial fit was made with another schema than \S*part0\.fitstate: "role" is "categorical" here but "numeric" in/);
    });

    it('rejects a partial fit without a key file', async () => {
      const run = await geomask(['fit', parts[0], '--schema', schema, '--partial', join(folder, 'nokey.fitstate'), '--quiet']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/needs --key-file and --label/);
    });

    it('rejects a file that is no partial fit', async () => {
      const bogus = join(folder, 'bogus.fitstate');
      writeFileSync(bogus, '{"format":"something else"}');
      const run = await geomask(['merge', bogus, '--out', join(folder, 'z.json'), '--key-file', key, '--label', 'typed', '--quiet']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/not a partial fit/);
    });
  });
});
