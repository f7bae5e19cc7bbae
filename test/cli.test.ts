import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIABETES_SAMPLE, DIABETES_SCHEMA } from './helpers/fixtures.js';
import { filesIn, geomask, tempFolder } from './helpers/cli.js';
import { column, decimalsIn, readRowMap, readTable } from './helpers/release.js';

const numeric = ['time_in_hospital', 'num_lab_procedures', 'num_procedures', 'num_medications', 'number_outpatient', 'number_emergency', 'number_inpatient', 'number_diagnoses'];

describe('transform on the bundled example', () => {
  let folder: string;
  let result: Awaited<ReturnType<typeof geomask>>;

  beforeAll(async () => {
    folder = tempFolder();
    result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'release.csv'), '--profile', 'moderate', '--key-file', join(folder, 'k.key'), '--row-map', join(folder, 'map.csv')]);
  });

  it('exits 0 and writes release, frame, report and row map', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(filesIn(folder)).toEqual(['k.key', 'map.csv', 'release.csv', 'release.frame.json', 'release.report.json']);
    expect(result.stderr).toMatch(/whoever holds this key file can invert rotate, interpolate and mix/);
  });

  it('reports parameters, adapter, rows and speed', () => {
    const report = JSON.parse(readFileSync(join(folder, 'release.report.json'), 'utf8'));
    expect(report.rows).toBe(5000);
    expect(report.operators).toEqual(['rotate(theta=0.5236..1.0472,rho=0.5)', 'project(k=4)', 'pram(keep=0.8)']);
    expect(report.backend.device).toMatch(/\w/);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
    expect(report.frameSummary.numericColumns).toBe(8);
    expect(JSON.stringify(report)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('keeps ranges, decimals and missing cells, and drops identifiers', () => {
    const input = readTable(DIABETES_SAMPLE);
    const output = readTable(join(folder, 'release.csv'));
    const map = readRowMap(join(folder, 'map.csv'));
    expect(output.header).not.toContain('encounter_id');
    expect(output.header).not.toContain('patient_nbr');
    const schema = JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8'));
    for (const name of numeric) {
      const spec = schema.columns.find((c: { name: string }) => c.name === name);
      for (const cell of column(output, name)) {
        expect(decimalsIn(cell)).toBe(0);
        expect(Number(cell)).toBeGreaterThanOrEqual(spec.min);
        expect(Number(cell)).toBeLessThanOrEqual(spec.max);
      }
    }
    // Missing categorical cells ("?") stay where they were.
    const weightIn = column(input, 'weight');
    const weightOut = column(output, 'weight');
    map.forEach((source, out) => expect(weightOut[out] === '?').toBe(weightIn[source] === '?'));
  });

  it('leaves no row equal to its source row on all numeric columns', () => {
    const input = readTable(DIABETES_SAMPLE);
    const output = readTable(join(folder, 'release.csv'));
    const map = readRowMap(join(folder, 'map.csv'));
    const inputColumns = numeric.map((name) => column(input, name));
    const outputColumns = numeric.map((name) => column(output, name));
    const equal = map.filter((source, out) => numeric.every((_, j) => Number(inputColumns[j][source]) === Number(outputColumns[j][out])));
    expect(equal).toHaveLength(0);
  });

  it('writes rows in a keyed order, not input order', () => {
    const map = readRowMap(join(folder, 'map.csv'));
    const inOrder = map.filter((source, out) => source === out).length;
    expect(inOrder).toBeLessThan(50);
  });
});

describe('reproducibility', () => {
  it('gives the same release for the same key whatever the batch size and backend', async () => {
    const folder = tempFolder();
    const key = join(folder, 'k.key');
    const frame = join(folder, 'f.json');
    expect((await geomask(['fit', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', frame, '--key-file', key, '--quiet'])).code).toBe(0);
    const runs: Record<string, string[][]> = {};
    for (const [name, extra] of [['gpu-big', ['--backend', 'gpu', '--batch-rows', '65536']], ['gpu-small', ['--backend', 'gpu', '--batch-rows', '777']], ['cpu', ['--backend', 'cpu', '--batch-rows', '2048']]] as const) {
      const out = join(folder, `${name}.csv`);
      const map = join(folder, `${name}.map.csv`);
      const result = await geomask(['apply', DIABETES_SAMPLE, '--frame', frame, '--out', out, '--row-map', map, '--key-file', key, '--ops', 'rotate(theta=0.52..1.05),project(k=0.5)', '--quiet', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      // Sort output rows back into input order with the row map.
      const rows = readTable(out).rows;
      const sorted: string[][] = [];
      readRowMap(map).forEach((source, o) => (sorted[source] = rows[o]));
      runs[name] = sorted;
    }
    expect(runs['gpu-small']).toEqual(runs['gpu-big']);

    // GPU and CPU agree up to one step in at most 0.1% of the numeric cells.
    const header = readTable(join(folder, 'cpu.csv')).header;
    const indices = numeric.map((name) => header.indexOf(name));
    let differing = 0;
    runs.cpu.forEach((row, r) => {
      for (const c of indices) {
        const gap = Math.abs(Number(row[c]) - Number(runs['gpu-big'][r][c]));
        expect(gap).toBeLessThanOrEqual(1);
        if (gap > 0) differing++;
      }
    });
    expect(differing).toBeLessThanOrEqual(0.001 * runs.cpu.length * indices.length);
  });
});

describe('bad input', () => {
  const schemaFor = (columns: string[], extra: object = {}) => JSON.stringify({ format: 'ehr-geomask-schema', version: 1, missing_tokens: ['', '?'], columns: columns.map((name) => ({ name, role: 'numeric', ...extra })) });

  async function expectRejected(files: Record<string, string>, args: (folder: string) => string[], message: RegExp): Promise<void> {
    const folder = tempFolder();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    const before = filesIn(folder);
    const result = await geomask(args(folder));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/fix: /);
    // Nothing partial is left: the folder holds exactly what it held before.
    expect(filesIn(folder)).toEqual(before);
  }

  const goodRows = Array.from({ length: 80 }, (_, i) => `${i % 13},${(i * 7) % 29}.5`).join('\n');

  it('names a missing file', async () => {
    await expectRejected({}, (f) => ['transform', join(f, 'nope.csv'), '--out', join(f, 'out.csv')], /nope\.csv: file not found/);
  });

  it('names the row of a malformed CSV row', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n1,2,3\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /d\.csv, row 81: malformed row: 3 fields where the header has 2/);
  });

  it('names row, column and value of a non-numeric cell', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n4,abc\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /d\.csv, row 81, column "b": "abc" is not a number/);
  });

  it('names a schema column the input lacks', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b', 'weight']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /column "weight": schema names a column that the input does not have/);
  });

  it('rejects a valid range with min > max', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b'], { min: 5, max: 1 }) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /column "a": valid range has min 5 > max 1/);
  });

  it('rejects fewer rows than the fit needs', async () => {
    const few = Array.from({ length: 30 }, (_, i) => `${i},${i % 7}`).join('\n');
    await expectRejected({ 'd.csv': `a,b\n${few}\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /fit needs at least max\(50, 2d\) = 50 rows .* but the input has 30/);
  });

  it('rejects an empty file', async () => {
    await expectRejected({ 'd.csv': '' }, (f) => ['transform', join(f, 'd.csv'), '--out', join(f, 'out.csv')], /d\.csv: file is empty/);
  });

  it('rejects an unknown operator and a bad option', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv'), '--ops', 'spin(x=1)'], /unknown operator "spin"/);
    const result = await geomask(['transform', 'x.csv', '--backend', 'tpu']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are auto, gpu, cpu/);
  });

  it('fails a late error without leaving the output behind', async () => {
    // The bad cell sits in the last of many batches, after earlier batches were written.
    const rows = Array.from({ length: 3000 }, (_, i) => `${i % 13},${(i * 7) % 29}.5`);
    rows.push('3,oops');
    const folder = tempFolder();
    writeFileSync(join(folder, 'd.csv'), `a,b\n${rows.join('\n')}\n`);
    writeFileSync(join(folder, 's.json'), schemaFor(['a', 'b']));
    writeFileSync(join(folder, 'f.json'), '');
    const fit = await geomask(['fit', join(folder, 'd.csv'), '--schema', join(folder, 's.json'), '--out', join(folder, 'frame.json')]);
    expect(fit.code).toBe(2);
    expect(existsSync(join(folder, 'frame.json'))).toBe(false);
  });
});
