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

describe('quiet runs', () => {
  it('print only warnings with --quiet', async () => {
    const folder = tempFolder();
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--key-file', join(folder, 'k.key'), '--backend', 'cpu', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^geomask: warning: whoever holds this key file can invert rotate/);
  });

  it('keep operator warnings with --quiet', async () => {
    const folder = tempFolder();
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--ops', 'interpolate(knn=5)', '--backend', 'cpu', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^geomask: warning: interpolate alone is not private/);
    expect(result.stderr).not.toMatch(/backend:|ephemeral key|operators:|wrote \d+ rows/);
  });
});

describe('neighbour operators from the command line', () => {
  it('warns that interpolate alone is not private and reports the search', async () => {
    const folder = tempFolder();
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--ops', 'interpolate(knn=5,lambda=0.25..0.75)', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: interpolate alone is not private/);
    const report = JSON.parse(readFileSync(join(folder, 'r.report.json'), 'utf8'));
    expect(report.warnings[0]).toMatch(/interpolate alone is not private/);
    expect(report.neighbourStages[0].search).toMatchObject({ mode: 'exact', k: 5, recall: 1 });
  });

  it('does not warn when interpolate follows rotate', async () => {
    const folder = tempFolder();
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--ops', 'rotate(theta=pi/3..pi/2),interpolate(knn=5)', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/not private/);
  });

  it('rejects mix with k < 2 and mix with more k than rows', async () => {
    const folder = tempFolder();
    const low = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--ops', 'mix(k=1)']);
    expect(low.code).toBe(2);
    expect(low.stderr).toMatch(/mix\(k\): 1 is not a whole number ≥ 2/);
    const high = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'r.csv'), '--ops', 'mix(k=6000)']);
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(/needs at least 6000 rows/);
    expect(filesIn(folder)).toEqual([]);
  });
});

describe('reproducibility', () => {
  /** Runs apply with a fixed key; returns the release's rows in input order (via the row map). */
  async function releaseInInputOrder(folder: string, name: string, ops: string, extra: string[]): Promise<{ header: string[]; rows: string[][] }> {
    const out = join(folder, `${name}.csv`);
    const map = join(folder, `${name}.map.csv`);
    const result = await geomask(['apply', DIABETES_SAMPLE, '--frame', join(folder, 'f.json'), '--out', out, '--row-map', map, '--key-file', join(folder, 'k.key'), '--ops', ops, '--quiet', ...extra]);
    expect(result.code, result.stderr).toBe(0);
    const table = readTable(out);
    const sorted: string[][] = [];
    readRowMap(map).forEach((source, o) => (sorted[source] = table.rows[o]));
    return { header: table.header, rows: sorted };
  }

  /**
   * GPU and CPU agree up to one step in at most 0.1% of the numeric cells, and text cells
   * agree. `movedShare` allows that share of rows to differ entirely: mix and interpolate
   * choose groups and neighbours from whitened rows, so a row within float32 rounding of
   * a split or a distance tie can join another group on the other backend.
   */
  function expectBackendsAgree(cpu: { header: string[]; rows: string[][] }, gpu: { header: string[]; rows: string[][] }, movedShare = 0): void {
    const indices = numeric.map((name) => cpu.header.indexOf(name));
    const moved = (row: string[], r: number): boolean =>
      row.some((cell, c) => (indices.includes(c) ? Math.abs(Number(cell) - Number(gpu.rows[r][c])) > 1 : cell !== gpu.rows[r][c]));
    let movedRows = 0;
    let differing = 0;
    cpu.rows.forEach((row, r) => {
      if (movedShare > 0 && moved(row, r)) {
        movedRows++;
        return;
      }
      row.forEach((cell, c) => {
        if (!indices.includes(c)) {
          expect(cell).toBe(gpu.rows[r][c]);
          return;
        }
        const gap = Math.abs(Number(cell) - Number(gpu.rows[r][c]));
        expect(gap).toBeLessThanOrEqual(1);
        if (gap > 0) differing++;
      });
    });
    expect(movedRows).toBeLessThanOrEqual(movedShare * cpu.rows.length);
    expect(differing).toBeLessThanOrEqual(0.001 * cpu.rows.length * indices.length);
  }

  it('gives the same release for the same key whatever the batch size and backend', async () => {
    const folder = tempFolder();
    expect((await geomask(['fit', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'f.json'), '--key-file', join(folder, 'k.key'), '--quiet'])).code).toBe(0);
    const ops = 'rotate(theta=0.52..1.05),project(k=0.5)';
    const big = await releaseInInputOrder(folder, 'gpu-big', ops, ['--backend', 'gpu', '--batch-rows', '65536']);
    const small = await releaseInInputOrder(folder, 'gpu-small', ops, ['--backend', 'gpu', '--batch-rows', '777']);
    expect(small.rows).toEqual(big.rows);
    expectBackendsAgree(await releaseInInputOrder(folder, 'cpu', ops, ['--backend', 'cpu', '--batch-rows', '2048']), big);
  });

  it('gives the same mix and interpolate release on both backends', async () => {
    const folder = tempFolder();
    // A fixed key: for about 1 key in 10, a row within float32 rounding of a group split
    // moves groups on the other backend and takes others with it (see the README's limits).
    writeFileSync(join(folder, 'k.key'), `${'3c'.repeat(32)}\n`);
    expect((await geomask(['fit', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'f.json'), '--key-file', join(folder, 'k.key'), '--quiet'])).code).toBe(0);
    for (const ops of ['mix(k=5,alpha=0.5),pram(keep=0.8)', 'rotate(theta=pi/3..pi/2),interpolate(knn=5)']) {
      const gpu = await releaseInInputOrder(folder, 'gpu', ops, ['--backend', 'gpu']);
      const cpu = await releaseInInputOrder(folder, 'cpu', ops, ['--backend', 'cpu']);
      expectBackendsAgree(cpu, gpu, 0.005);
    }
  });
});

describe('schema command', () => {
  it('warns about a typo in a numeric column', async () => {
    const folder = tempFolder();
    const rows = Array.from({ length: 100 }, (_, i) => `${(12 + (i % 17) / 10).toFixed(1)},${i % 2 ? 'M' : 'F'}`);
    rows[39] = 'abc,M';
    writeFileSync(join(folder, 'lab.csv'), `hb,sex\n${rows.join('\n')}\n`);
    const result = await geomask(['schema', join(folder, 'lab.csv'), '--out', join(folder, 'lab.schema.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/geomask: warning: column "hb": 99 of 100 values are numbers, but "abc" in row 40 \(line 41\) is not/);
  });
});

describe('release format', () => {
  it('warns that an unknown extension gets CSV', async () => {
    const folder = tempFolder();
    const out = join(folder, 'r.xlsx');
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', out, '--backend', 'cpu', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/geomask: warning: --out \S*r\.xlsx: the extension "\.xlsx" names no table format, so the release is written as CSV/);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^race,gender,age,/);
  });
});

describe('release format and extension', () => {
  it('warns when --out-format disagrees with the extension', async () => {
    const folder = tempFolder();
    const out = join(folder, 't4.csv');
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', out, '--out-format', 'parquet', '--backend', 'cpu', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/geomask: warning: --out \S*t4\.csv: the extension "\.csv" names the csv format, but --out-format writes the release as parquet\. Name the file \.parquet, or drop --out-format/);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('PAR1');
  });

  it('names Parquet read as CSV', async () => {
    const folder = tempFolder();
    const parquet = join(folder, 'r.parquet');
    const transformed = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', parquet, '--backend', 'cpu', '--quiet']);
    expect(transformed.code, transformed.stderr).toBe(0);
    const dat = join(folder, 'r.dat');
    writeFileSync(dat, readFileSync(parquet));
    const result = await geomask(['schema', dat, '--out', join(folder, 'r.schema.json')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/r\.dat: file starts with "PAR1", so it is Parquet, but it was read as CSV and is not valid CSV\n/);
    expect(result.stderr).toMatch(/fix: read it as Parquet: pass --format parquet, or rename the file to end in \.parquet/);
    expect(existsSync(join(folder, 'r.schema.json'))).toBe(false);
  });

  it('reports a broken quote in the header without a row', async () => {
    const folder = tempFolder();
    writeFileSync(join(folder, 'q.csv'), 'a,"b\n1,2\n');
    const result = await geomask(['schema', join(folder, 'q.csv'), '--out', join(folder, 'q.schema.json')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/q\.csv: malformed CSV in the header line: quoted field unterminated/);
    expect(result.stderr).not.toMatch(/row 0/);
  });
});

describe('option help and values', () => {
  it('lists every table extension', async () => {
    for (const command of ['schema', 'fit', 'apply', 'transform']) {
      const help = await geomask([command, '--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout.replace(/\s+/g, ' ')).toContain('.parquet/.pq, .arrow/.feather/.ipc, .arrows, else CSV');
    }
  });

  it('says where row map rows count from', async () => {
    for (const command of ['apply', 'transform']) {
      const help = (await geomask([command, '--help'])).stdout.replace(/\s+/g, ' ');
      expect(help).toContain('as a CSV of output_row and source_row, both counted from 1 (source_row s is the row with global index s − 1)');
    }
  });

  it('marks --label required where it is', async () => {
    for (const command of ['stream', 'merge']) {
      const help = (await geomask([command, '--help'])).stdout.replace(/\s+/g, ' ');
      expect(help).toMatch(/--label <text> dataset label mixed into every key \(required\)/);
      expect(help).not.toMatch(/default: the input file name/);
    }
  });

  it('rejects fit options that would be ignored', async () => {
    const partial = await geomask(['fit', 'd.csv', '--partial', 'p.fitstate', '--out', 'f.json']);
    expect(partial.code, partial.stderr).toBe(2);
    expect(partial.stderr).toMatch(/fit --partial writes a partial fit, not a frame, so it has no use for --out\n {2}fix: drop --out/);
    const plain = await geomask(['fit', 'd.csv', '--out', 'f.json', '--first-row', '100']);
    expect(plain.code, plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(/--first-row applies only with --partial: a plain fit numbers the rows of its inputs from 0\n {2}fix: drop --first-row, or add --partial/);
  });

  it('names --first-row in its errors', async () => {
    const cases = [
      { value: '-5', message: /--first-row "-5" is not a whole number ≥ 0/ },
      { value: '1.5', message: /--first-row "1\.5" is not a whole number ≥ 0/ },
      { value: String(2 ** 53), message: /--first-row "9007199254740992" is above the largest supported row index \(2\^53 − 1\)/ },
    ];
    for (const { value, message } of cases) {
      for (const command of [['fit', 'd.csv', '--partial', 'p.fitstate'], ['stream', '--frame', 'f.json']]) {
        const result = await geomask([...command, `--first-row=${value}`]);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(/fix: give the global index of the first row/);
      }
    }
  });
});

describe('inferred schema beside the output', () => {
  it('rejects replacing an edited schema file', async () => {
    const folder = tempFolder();
    const schemaFile = join(folder, 'rel.schema.json');
    expect((await geomask(['schema', DIABETES_SAMPLE, '--out', schemaFile])).code).toBe(0);
    const edited = JSON.parse(readFileSync(schemaFile, 'utf8'));
    edited.columns.find((c: { name: string }) => c.name === 'num_procedures').role = 'categorical';
    const editedText = `${JSON.stringify(edited, null, 2)}\n`;
    writeFileSync(schemaFile, editedText);
    for (const args of [['transform', DIABETES_SAMPLE], ['fit', DIABETES_SAMPLE], ['evaluate', DIABETES_SAMPLE]]) {
      const out = join(folder, args[0] === 'transform' ? 'rel.csv' : 'rel.json');
      const result = await geomask([...args, '--out', out, '--key-file', join(folder, 'k.key'), '--backend', 'cpu', '--quiet']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/rel\.schema\.json: schema file already exists and differs from the schema inferred from/);
      expect(result.stderr).toMatch(/fix: pass --schema \S*rel\.schema\.json to use it, or remove it/);
      expect(filesIn(folder)).toEqual(['rel.schema.json']);
      expect(readFileSync(schemaFile, 'utf8')).toBe(editedText);
    }
  });

  it('reruns when the inferred schema is unchanged', async () => {
    const folder = tempFolder();
    const args = ['transform', DIABETES_SAMPLE, '--out', join(folder, 'rel.csv'), '--backend', 'cpu', '--quiet'];
    const first = await geomask(args);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(folder, 'rel.schema.json'))).toBe(true);
    const second = await geomask(args);
    expect(second.code, second.stderr).toBe(0);
  });
});

describe('bad input', () => {
  const schemaFor = (columns: string[], extra: object = {}) => JSON.stringify({ format: 'ehr-geomask-schema', version: 1, missing_tokens: ['', '?'], columns: columns.map((name) => ({ name, role: 'numeric', ...extra })) });

  /** Runs `setup` (if given), then `args`, which must fail with `message` and leave no new file. */
  async function expectRejected(files: Record<string, string>, args: (folder: string) => string[], message: RegExp, setup?: (folder: string) => string[]): Promise<void> {
    const folder = tempFolder();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    if (setup) expect((await geomask(setup(folder))).code).toBe(0);
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
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n1,2,3\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /d\.csv, row 81 \(line 82\): malformed row: 3 fields where the header has 2/);
  });

  it('names row, column and value of a non-numeric cell', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n4,abc\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /d\.csv, row 81 \(line 82\), column "b": "abc" is not a number/);
  });

  it('names a schema column the input lacks', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b', 'weight']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv')], /d\.csv, column "weight": the schema \S*s\.json names a column that the input does not have\n {2}fix: remove it from \S*s\.json/);
  });

  it('rejects a frame fitted on another table', async () => {
    const other = goodRows.replace(/^(\d+),/gm, '$1,1,');
    await expectRejected(
      { 'd.csv': `a,b\n${goodRows}\n`, 'e.csv': `a,c,b2\n${other}\n`, 's.json': schemaFor(['a', 'b']) },
      (f) => ['apply', join(f, 'e.csv'), '--frame', join(f, 'f.json'), '--out', join(f, 'out.csv'), '--ops', 'rotate(theta=0.5..1)'],
      /e\.csv: the frame \S*f\.json was fitted on a different table: the input lacks column\(s\) b, and the input has column\(s\) c, b2 that the frame does not/,
      (f) => ['fit', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'f.json'), '--quiet'],
    );
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
    expect(result.stderr).toMatch(/fix: run `geomask transform --help`/);
    expect(result.stderr).not.toMatch(/Usage:/);
  });

  it('rejects operators separated by semicolons', async () => {
    await expectRejected(
      { 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b']) },
      (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv'), '--ops', 'rotate(theta=pi/6..pi/3);project(k=0.5)'],
      /contains ";", but operators are separated by commas\n {2}fix: write it as "rotate\(theta=pi\/6\.\.pi\/3\),project\(k=0\.5\)"/,
    );
  });

  it('rejects an empty operator list', async () => {
    await expectRejected({ 'd.csv': `a,b\n${goodRows}\n`, 's.json': schemaFor(['a', 'b']) }, (f) => ['transform', join(f, 'd.csv'), '--schema', join(f, 's.json'), '--out', join(f, 'out.csv'), '--ops', ''], /error: --ops is empty/);
  });

  it('rejects a shard count of 0', async () => {
    await expectRejected(
      { 'd.csv': `a,b\n${goodRows}\n`, 'f.json': '{}' },
      (f) => ['apply', join(f, 'd.csv'), '--frame', join(f, 'f.json'), '--out', join(f, 'out.csv'), '--shard', '0/0'],
      /--shard "0\/0": the number of shards n must be at least 1\n {2}fix: give the shard as i\/n with n ≥ 1/,
    );
  });

  it('lists the profiles for an unknown one', async () => {
    const folder = tempFolder();
    const result = await geomask(['transform', join(folder, 'd.csv'), '--out', join(folder, 'out.csv'), '--profile', 'medium']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^geomask: error: --profile "medium" is not a profile\n {2}fix: give one of low, moderate, high, or an operator list/);
    expect(result.stderr).not.toMatch(/Usage:/);
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
