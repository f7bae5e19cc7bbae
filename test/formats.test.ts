import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferSchema } from '../src/pipeline/jobs.js';
import { openTableFile } from '../src/node/formats.js';
import { filesIn, geomask, tempFolder } from './helpers/cli.js';
import { readRowMap } from './helpers/release.js';
import { SEED } from './helpers/synthetic.js';
import { TYPED_SCHEMA, typedTable, writeParquetFile, writeSchemaFile } from './helpers/typed_table.js';

const ROWS = 3000;
const DAY_MS = 86_400_000;

/** Rows of a Parquet file through DuckDB, an independent reader. */
async function duckRows(path: string, columns: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(`SELECT ${columns} FROM read_parquet('${path}')`);
  return reader.getRows() as unknown[][];
}

async function duckTypes(path: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  return Object.fromEntries(reader.getRows().map((row) => [String(row[0]), String(row[1])]));
}

describe(`Parquet input and release (seed ${SEED})`, () => {
  let folder: string;
  let input: string;
  let source: arrow.Table;
  let result: Awaited<ReturnType<typeof geomask>>;

  beforeAll(async () => {
    folder = tempFolder();
    source = typedTable(ROWS, SEED);
    input = await writeParquetFile(source, folder, 'typed.parquet', 700);
    const schema = writeSchemaFile(TYPED_SCHEMA, folder);
    result = await geomask(['transform', input, '--schema', schema, '--out', join(folder, 'release.parquet'), '--key-file', join(folder, 'k.key'), '--row-map', join(folder, 'map.csv'), '--backend', 'cpu']);
  });

  it('infers roles from Arrow types', async () => {
    const { schema } = await inferSchema(openTableFile(input, 'parquet'), 1000);
    const roles = Object.fromEntries(schema.columns.map((c) => [c.name, c.role]));
    expect(roles.id).toBe('identifier');
    expect(roles.patient).toBe('identifier');
    expect(schema.patient).toBe('patient');
    expect(roles.lab).toBe('numeric');
    expect(roles.age).toBe('numeric');
    expect(roles.admitted).toBe('date');
    expect(roles.seen_at).toBe('date');
    expect(roles.sex).toBe('categorical');
    expect(roles.flag).toBe('categorical');
  });

  it('writes a release that DuckDB reads with the input types', async () => {
    expect(result.code, result.stderr).toBe(0);
    const types = await duckTypes(join(folder, 'release.parquet'));
    expect(types).toEqual({
      patient: 'VARCHAR',
      lab: 'DOUBLE',
      count: 'INTEGER',
      age: 'BIGINT',
      score: 'FLOAT',
      admitted: 'DATE',
      seen_at: 'TIMESTAMP',
      sex: 'VARCHAR',
      flag: 'BOOLEAN',
    });
    const [[rows]] = await duckRows(join(folder, 'release.parquet'), 'count(*)');
    expect(Number(rows)).toBe(ROWS);
  });

  it('keeps nulls where they were and decimals as read', async () => {
    const release = await duckRows(join(folder, 'release.parquet'), 'lab, score, admitted, sex');
    const map = readRowMap(join(folder, 'map.csv'));
    const lab = source.getChild('lab')!;
    const score = source.getChild('score')!;
    const admitted = source.getChild('admitted')!;
    const sex = source.getChild('sex')!;
    let labValues = 0;
    release.forEach(([labOut, scoreOut, admittedOut, sexOut], out) => {
      const r = map[out];
      expect(labOut === null).toBe(lab.get(r) === null);
      expect(scoreOut === null).toBe(score.get(r) === null);
      expect(admittedOut === null).toBe(admitted.get(r) === null);
      expect(sexOut === null).toBe(sex.get(r) === null);
      if (labOut !== null) {
        labValues++;
        expect(Math.abs(Number(labOut) * 100 - Math.round(Number(labOut) * 100))).toBeLessThan(1e-6);
      }
    });
    expect(labValues).toBeGreaterThan(ROWS * 0.8);
    const frame = JSON.parse(readFileSync(join(folder, 'release.frame.json'), 'utf8'));
    const decimals = Object.fromEntries(frame.columns.map((c: { name: string; decimals: number }) => [c.name, c.decimals]));
    expect(decimals).toEqual({ lab: 2, count: 0, age: 0, score: 1 });
  });

  it('shifts both dates of a row by the same whole days per patient', async () => {
    const release = await duckRows(join(folder, 'release.parquet'), 'patient, epoch_ms(admitted::TIMESTAMP), epoch_ms(seen_at)');
    const map = readRowMap(join(folder, 'map.csv'));
    const admitted = source.getChild('admitted')!;
    const seenAt = source.getChild('seen_at')!;
    const shiftOf = new Map<string, number>();
    let shifted = 0;
    release.forEach(([patient, admittedOut, seenOut], out) => {
      const r = map[out];
      const seenShift = Number(seenOut) - Number(seenAt.get(r));
      expect(Math.abs(seenShift % DAY_MS)).toBe(0);
      if (admittedOut !== null) expect(Number(admittedOut) - Number(admitted.get(r))).toBe(seenShift);
      const known = shiftOf.get(String(patient));
      if (known !== undefined) expect(seenShift).toBe(known);
      shiftOf.set(String(patient), seenShift);
      if (seenShift !== 0) shifted++;
    });
    expect(shifted).toBeGreaterThan(ROWS * 0.9);
  });

  it('writes Arrow IPC files and streams that read back', async () => {
    const frame = join(folder, 'release.frame.json');
    const key = join(folder, 'k.key');
    for (const name of ['release.arrow', 'release.arrows']) {
      const run = await geomask(['apply', input, '--frame', frame, '--key-file', key, '--label', 'typed.parquet', '--out', join(folder, name), '--backend', 'cpu', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      const table = arrow.tableFromIPC(readFileSync(join(folder, name)));
      expect(table.numRows).toBe(ROWS);
      expect(String(table.schema.fields.find((f) => f.name === 'admitted')!.type)).toBe('Date32<DAY>');
      expect(String(table.schema.fields.find((f) => f.name === 'count')!.type)).toBe('Int32');
    }
    const bytes = readFileSync(join(folder, 'release.arrow'));
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe('ARROW1');
  });

  it('reads Arrow IPC input as it reads Parquet', async () => {
    const arrowInput = join(folder, 'typed.arrow');
    writeFileSync(arrowInput, arrow.tableToIPC(source, 'file'));
    const common = ['--frame', join(folder, 'release.frame.json'), '--key-file', join(folder, 'k.key'), '--label', 'same', '--ops', 'rotate(theta=0.52..1.05,rho=0.5)', '--backend', 'cpu', '--quiet'];
    const fromArrow = await geomask(['apply', arrowInput, '--out', join(folder, 'from_arrow.csv'), ...common]);
    const fromParquet = await geomask(['apply', input, '--out', join(folder, 'from_parquet.csv'), ...common]);
    expect(fromArrow.code, fromArrow.stderr).toBe(0);
    expect(fromParquet.code, fromParquet.stderr).toBe(0);
    // Batches follow the inputs' record batches and row groups, so only the order within them differs.
    const rows = (name: string): string[] => readFileSync(join(folder, name), 'utf8').trim().split('\n').sort();
    expect(rows('from_arrow.csv')).toEqual(rows('from_parquet.csv'));
  });

  it('rejects a file that is not Parquet and writes nothing', async () => {
    const bad = join(folder, 'bad.parquet');
    writeFileSync(bad, 'not,a,parquet\n1,2,3\n');
    const out = tempFolder();
    const run = await geomask(['apply', bad, '--frame', join(folder, 'release.frame.json'), '--out', join(out, 'x.parquet'), '--backend', 'cpu', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.parquet: cannot read the file as Parquet/);
    expect(run.stderr).toMatch(/fix:/);
    expect(filesIn(out)).toEqual([]);
    expect(existsSync(join(out, 'x.parquet'))).toBe(false);
  });
});

describe('bad cells in Arrow input', () => {
  it('names the row without a line', async () => {
    const values = Array.from({ length: 60 }, (_, i) => String((i * 7) % 23));
    values[39] = 'abc';
    const table = arrow.tableFromArrays({ a: Float64Array.from({ length: 60 }, (_, i) => i % 13), b: values });
    const folder = tempFolder();
    const input = join(folder, 'd.arrow');
    writeFileSync(input, arrow.tableToIPC(table, 'file'));
    const schema = { columns: [{ name: 'a', role: 'numeric' }, { name: 'b', role: 'numeric' }] };
    writeFileSync(join(folder, 's.json'), JSON.stringify(schema));
    const run = await geomask(['fit', input, '--schema', join(folder, 's.json'), '--out', join(folder, 'f.json'), '--backend', 'cpu', '--quiet']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/d\.arrow, row 40, column "b": "abc" is not a number/);
    expect(run.stderr).not.toMatch(/line \d/);
  });
});
