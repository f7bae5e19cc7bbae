import * as arrow from 'apache-arrow';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu.js';
import { InputError } from '../src/errors.js';
import type { Frame } from '../src/frame/frame.js';
import { csvText } from '../src/io/table.js';
import { formatKeyText, parseKeyText } from '../src/pipeline/key_text.js';
import { validateSchema } from '../src/schema/schema.js';
import { BlobSink } from '../src/web/blob_sink.js';
import { blobCsvTable } from '../src/web/blob_table.js';
import { evaluationNames, runPageEvaluation } from '../src/web/evaluate_job.js';
import { openTable } from '../src/web/format_io.js';
import { inputFormatFor, outputFormatById } from '../src/web/formats.js';
import { compareMarginals } from '../src/web/marginal_summary.js';
import { observeReads } from '../src/web/observed_table.js';
import { outputNames, runPageTransform } from '../src/web/transform_job.js';
import { geomask, tempFolder } from './helpers/cli.js';
import { DIABETES_SAMPLE, DIABETES_SCHEMA, quietContext } from './helpers/fixtures.js';
import { csvAsArrow, readParquetAsText, writeCsvAsParquet } from './helpers/parquet_example.js';

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256);

function exampleFile(): Blob {
  return new Blob([readFileSync(DIABETES_SAMPLE)], { type: 'text/csv' });
}

describe('page transform against the CLI', () => {
  let folder: string;
  let cli: { release: string; frame: Frame; report: Record<string, unknown> };
  let page: Awaited<ReturnType<typeof runPageTransform>>;

  beforeAll(async () => {
    folder = tempFolder();
    writeFileSync(join(folder, 'k.key'), formatKeyText(SECRET));
    const out = join(folder, 'release.csv');
    const result = await geomask(['transform', DIABETES_SAMPLE, '--schema', DIABETES_SCHEMA, '--out', out, '--profile', 'moderate', '--key-file', join(folder, 'k.key'), '--label', 'ward-7', '--backend', 'cpu', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    cli = {
      release: readFileSync(out, 'utf8'),
      frame: JSON.parse(readFileSync(join(folder, 'release.frame.json'), 'utf8')),
      report: JSON.parse(readFileSync(join(folder, 'release.report.json'), 'utf8')),
    };

    const schema = validateSchema(JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8')), DIABETES_SCHEMA);
    page = await runPageTransform({
      table: blobCsvTable('diabetes_sample.csv', exampleFile()),
      inputFormat: 'csv',
      format: outputFormatById('csv'),
      context: quietContext(new CpuEngine()),
      schema,
      operators: { kind: 'profile', profile: 'moderate' },
      key: { mode: 'key-file', file: 'k.key', secret: SECRET, label: 'ward-7' },
      batchRows: 65536,
    });
  });

  it('writes the same release byte for byte', async () => {
    const release = await page.outputs.release.blob.text();
    expect(release.length).toBeGreaterThan(100_000);
    expect(release).toBe(cli.release);
  });

  it('fits the same frame', () => {
    const pageFrame = JSON.parse(page.outputs.frame.text) as Frame;
    expect({ ...pageFrame, createdAt: undefined }).toEqual({ ...cli.frame, createdAt: undefined });
  });

  it('reports the same fields and parameters', () => {
    const report = JSON.parse(page.outputs.report.text) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(Object.keys(cli.report));
    for (const key of ['tool', 'version', 'command', 'profile', 'operators', 'rows', 'batches', 'coincidences', 'frameSummary', 'warnings', 'backend']) {
      expect(report[key], key).toEqual(cli.report[key]);
    }
    expect(report.key).toEqual({ mode: 'key-file', file: 'k.key', label: 'ward-7' });
    expect(report.output).toBe('diabetes_sample_release.csv');
    expect(page.outputs.report.text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('names outputs as the CLI does beside --out', () => {
    expect(outputNames('diabetes_sample.csv', outputFormatById('csv'))).toEqual({
      release: 'diabetes_sample_release.csv',
      frame: 'diabetes_sample_release.frame.json',
      schema: 'diabetes_sample_release.schema.json',
      report: 'diabetes_sample_release.report.json',
    });
    expect(outputNames('notes', outputFormatById('csv')).release).toBe('notes_release.csv');
  });

  it('compares release and input marginals', async () => {
    const comparison = await compareMarginals(blobCsvTable('in.csv', exampleFile()), blobCsvTable('out.csv', page.outputs.release.blob), page.frame, 1000);
    expect(comparison.inputRows).toBe(5000);
    expect(comparison.releaseRows).toBe(5000);
    expect(comparison.inputColumns).toBe(50);
    expect(comparison.releaseColumns).toBe(48);
    expect(comparison.ksStep).toBe(1);
    expect(comparison.columns.map((c) => c.name)).toEqual(page.frame.columns.map((c) => c.name));
    for (const column of comparison.columns) {
      expect(column.ks, column.name).toBeLessThanOrEqual(0.05);
      expect(column.ks, column.name).toBeGreaterThan(0);
      expect(Math.abs(column.release.mean - column.input.mean), column.name).toBeLessThan(0.1 * column.input.sd);
    }
  });
});

describe('page transform with bad input', () => {
  it('rejects an operator list before reading the data', async () => {
    const sink = outputFormatById('csv');
    let reads = 0;
    const table = observeReads(csvText('d.csv', 'a,b\n1,2\n'), () => reads++);
    const run = runPageTransform({
      table,
      inputFormat: 'csv',
      format: sink,
      context: quietContext(),
      schema: validateSchema({ columns: [{ name: 'a', role: 'numeric' }, { name: 'b', role: 'numeric' }] }, 's'),
      operators: { kind: 'list', text: 'spin(x=1)' },
      key: { mode: 'ephemeral', label: 'd.csv' },
      batchRows: 100,
    });
    await expect(run).rejects.toThrow(/unknown operator "spin"/);
    expect(reads).toBe(0);
  });

  it('names the row and column of a bad cell', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `${i % 13},${(i * 7) % 29}.5`);
    rows.splice(40, 0, '4,abc');
    const run = runPageTransform({
      table: blobCsvTable('d.csv', new Blob([`a,b\n${rows.join('\n')}\n`])),
      inputFormat: 'csv',
      format: outputFormatById('csv'),
      context: quietContext(),
      schema: validateSchema({ columns: [{ name: 'a', role: 'numeric' }, { name: 'b', role: 'numeric' }] }, 's'),
      operators: { kind: 'profile', profile: 'moderate' },
      key: { mode: 'ephemeral', label: 'd.csv' },
      batchRows: 16,
    });
    await expect(run).rejects.toThrow(/d\.csv, row 41 \(line 42\), column "b": "abc" is not a number/);
  });
});

describe('blob sink', () => {
  it('offers the text only after commit', async () => {
    const sink = new BlobSink('text/csv');
    await sink.write('a,b\n');
    expect(() => sink.result()).toThrow(/not committed/);
    await sink.write('1,2\n');
    await sink.commit();
    expect(await sink.result().text()).toBe('a,b\n1,2\n');
    expect(sink.result().type).toBe('text/csv');
  });

  it('keeps nothing after abort', async () => {
    const sink = new BlobSink('text/csv');
    await sink.write('a,b\n');
    await sink.abort();
    expect(() => sink.result()).toThrow(/not committed/);
    await expect(sink.write('1,2\n')).rejects.toThrow(/after commit or abort/);
  });
});

describe('blob sink with bytes', () => {
  it('keeps binary chunks unchanged', async () => {
    const sink = new BlobSink('application/vnd.apache.parquet');
    await sink.write(Uint8Array.from([80, 65, 82, 49, 0, 255]));
    await sink.write(Uint8Array.from([1, 2]));
    await sink.commit();
    expect(new Uint8Array(await sink.result().arrayBuffer())).toEqual(Uint8Array.from([80, 65, 82, 49, 0, 255, 1, 2]));
  });
});

describe('blob table', () => {
  it('reads a blob in small chunks on every pass', async () => {
    const text = `x,y\n${Array.from({ length: 500 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`;
    const table = blobCsvTable('t.csv', new Blob([text]));
    for (let pass = 0; pass < 2; pass++) {
      const opened = table.open(64);
      let rows = 0;
      for await (const { batch } of opened.records()) rows += batch.records.length;
      expect(rows).toBe(500);
      expect(opened.fractionRead()).toBe(1);
    }
  });
});

describe('format registry', () => {
  it('finds CSV by extension in any case', () => {
    expect(inputFormatFor('ward.csv').id).toBe('csv');
    expect(inputFormatFor('WARD.CSV').id).toBe('csv');
  });

  it('finds Parquet and Arrow IPC by extension', () => {
    expect(inputFormatFor('ward.parquet').id).toBe('parquet');
    expect(inputFormatFor('ward.PQ').id).toBe('parquet');
    expect(inputFormatFor('ward.feather').id).toBe('arrow');
    expect(inputFormatFor('ward.arrows').id).toBe('arrows');
    expect(outputFormatById('parquet').extension).toBe('.parquet');
  });

  it('names the file and the readable types for others', () => {
    expect(() => inputFormatFor('ward.xlsx')).toThrow(InputError);
    expect(() => inputFormatFor('ward.xlsx')).toThrow(/ward\.xlsx: file type is not supported\n {2}fix: choose a file whose name ends in \.csv, \.parquet, \.pq, \.arrow/);
    expect(() => outputFormatById('xlsx')).toThrow(/release format "xlsx" is not supported/);
  });
});

describe('key text', () => {
  it('reads what it writes', () => {
    const text = formatKeyText(SECRET);
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(parseKeyText(`  ${text.toUpperCase()}  `, 'k.key')).toEqual(SECRET);
  });

  it('rejects a short key and names the file', () => {
    expect(() => parseKeyText('abcd', 'k.key', 'choose another')).toThrow(/k\.key: key file must contain exactly 64 hexadecimal characters\n {2}fix: choose another/);
    expect(() => parseKeyText('z'.repeat(64), 'k.key')).toThrow(InputError);
  });
});

describe('marginal comparison', () => {
  const schema = validateSchema({ missing_tokens: ['', '?'], columns: [{ name: 'v', role: 'numeric', sentinels: [-1] }, { name: 'id', role: 'identifier' }] }, 's');
  const frame = { rows: 6, schema, columns: [{ name: 'v', unit: 'mg' }] } as unknown as Frame;

  it('measures means, spreads, missing shares and KS', async () => {
    const input = csvText('in.csv', 'v,id\n1,a\n2,b\n3,c\n4,d\n?,e\n-1,f\n');
    const release = csvText('out.csv', 'v\n2\n3\n4\n5\n?\n-1\n');
    const comparison = await compareMarginals(input, release, frame, 2);
    const [v] = comparison.columns;
    expect(v.unit).toBe('mg');
    expect(v.input).toEqual({ count: 4, missingShare: 2 / 6, mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(v.release.mean).toBe(3.5);
    expect(v.release.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    // Empirical CDFs of {1,2,3,4} and {2,3,4,5} differ by 1/4 at every point.
    expect(v.ks).toBe(0.25);
    expect(comparison.inputColumns).toBe(2);
    expect(comparison.releaseColumns).toBe(1);
  });
});

describe('page transform of Parquet and Arrow input', () => {
  const key = { mode: 'key-file' as const, file: 'k.key', secret: SECRET, label: 'ward-7' };
  let folder: string;
  let parquet: string;
  let schema: ReturnType<typeof validateSchema>;

  /** Runs the page's transform of the diabetes example in `inputFormat`, released as `output`. */
  function pageRun(name: string, bytes: Uint8Array, output: 'csv' | 'parquet') {
    return runPageTransform({
      table: openTable(inputFormatFor(name), name, new Blob([bytes as BlobPart])),
      inputFormat: inputFormatFor(name).id,
      format: outputFormatById(output),
      context: quietContext(new CpuEngine()),
      schema,
      operators: { kind: 'profile', profile: 'moderate' },
      key,
      batchRows: 65536,
    });
  }

  beforeAll(async () => {
    folder = tempFolder();
    writeFileSync(join(folder, 'k.key'), formatKeyText(SECRET));
    parquet = await writeCsvAsParquet(DIABETES_SAMPLE, folder, 'diabetes_sample.parquet');
    schema = validateSchema(JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8')), DIABETES_SCHEMA);
  });

  it('writes the CLI release of a Parquet file byte for byte', async () => {
    const out = join(folder, 'cli.parquet');
    const cli = await geomask(['transform', parquet, '--schema', DIABETES_SCHEMA, '--out', out, '--profile', 'moderate', '--key-file', join(folder, 'k.key'), '--label', 'ward-7', '--backend', 'cpu', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const page = await pageRun('diabetes_sample.parquet', readFileSync(parquet), 'parquet');
    const bytes = new Uint8Array(await page.outputs.release.blob.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(Buffer.from(bytes).equals(readFileSync(out))).toBe(true);

    writeFileSync(join(folder, 'page.parquet'), bytes);
    const release = await readParquetAsText(join(folder, 'page.parquet'));
    expect(release.rows).toHaveLength(5000);
    expect(release.types.num_medications).toBe('BIGINT');
    const report = JSON.parse(page.outputs.report.text);
    expect(report.formats).toEqual({ input: 'parquet', output: 'parquet' });
    expect(page.outputs.release.name).toBe('diabetes_sample_release.parquet');
  });

  it('reads Arrow IPC files and streams as it reads Parquet', async () => {
    const fromParquet = await (await pageRun('diabetes_sample.parquet', readFileSync(parquet), 'csv')).outputs.release.blob.text();
    // Rows leave in a keyed order within each batch, and batches follow the Parquet file's
    // row groups of 1,000 rows, so the Arrow tables carry record batches of 1,000 rows too.
    const whole = csvAsArrow(DIABETES_SAMPLE);
    const table = new arrow.Table(Array.from({ length: 5 }, (_, i) => whole.slice(i * 1000, (i + 1) * 1000).batches).flat());
    for (const [name, format] of [['diabetes_sample.arrow', 'file'], ['diabetes_sample.arrows', 'stream']] as const) {
      const page = await pageRun(name, arrow.tableToIPC(table, format), 'csv');
      expect(await page.outputs.release.blob.text(), name).toBe(fromParquet);
      expect(JSON.parse(page.outputs.report.text).formats.input, name).toBe(format === 'file' ? 'arrow' : 'arrows');
    }
  });

  it('names a file that is not Parquet', async () => {
    const run = pageRun('notes.parquet', new TextEncoder().encode('a,b\n1,2\n'), 'csv');
    await expect(run).rejects.toThrow(/notes\.parquet: cannot read the file as Parquet/);
  });
});

describe('page evaluation against the CLI', () => {
  const key = { mode: 'key-file' as const, file: 'k.key', secret: SECRET, label: 'ward-7' };
  let folder: string;
  let input: string;

  beforeAll(() => {
    folder = tempFolder();
    writeFileSync(join(folder, 'k.key'), formatKeyText(SECRET));
    // The first 1,500 rows keep the CLI run short.
    input = join(folder, 'diabetes_1500.csv');
    writeFileSync(input, `${readFileSync(DIABETES_SAMPLE, 'utf8').split('\n').slice(0, 1501).join('\n')}\n`);
  });

  it('measures the same figures as geomask evaluate', async () => {
    const out = join(folder, 'cli.json');
    const cli = await geomask(['evaluate', input, '--schema', DIABETES_SCHEMA, '--out', out, '--profile', 'moderate', '--attack-rows', '600', '--key-file', join(folder, 'k.key'), '--label', 'ward-7', '--backend', 'cpu', '--quiet']);
    expect(cli.code, cli.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(out, 'utf8'));

    const page = await runPageEvaluation({
      table: blobCsvTable('diabetes_1500.csv', new Blob([readFileSync(input)])),
      context: quietContext(new CpuEngine()),
      schema: validateSchema(JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8')), DIABETES_SCHEMA),
      operators: { kind: 'profile', profile: 'moderate' },
      key,
      batchRows: 65536,
      controlShare: 0.2,
      attackRows: 600,
    });
    const report = JSON.parse(page.outputs.json.text);
    expect(page.outputs.json.name).toBe('diabetes_1500_evaluation.json');
    expect(page.outputs.html.name).toBe('diabetes_1500_evaluation.html');
    expect({ ...report.input, file: undefined }).toEqual({ ...expected.input, file: undefined });
    expect(report.columns).toEqual(expected.columns);
    expect(report.inputPlots).toEqual(expected.inputPlots);
    const [setting] = report.settings;
    const [cliSetting] = expected.settings;
    expect(setting.label).toBe('moderate');
    expect(setting.operators).toEqual(cliSetting.operators);
    expect(setting.privacy).toEqual(cliSetting.privacy);
    expect(setting.utility).toEqual(cliSetting.utility);
    expect(setting.marginals).toEqual(cliSetting.marginals);
    expect(setting.privacy.attacked.targets).toBe(600);

    // The HTML differs from the CLI's only in the input's name and the time it was written.
    const normalize = (html: string) => html.replace(/<code>[^<]*diabetes_1500\.csv<\/code>/, '<code>INPUT</code>').replace(/evaluation: [^<]*<\/title>/, '</title>').replace(/Written [^.]*\.\d+Z\./, 'Written.');
    expect(normalize(page.outputs.html.text)).toBe(normalize(readFileSync(join(folder, 'cli.html'), 'utf8')));
  });

  it('rejects bad options before reading the data', async () => {
    let reads = 0;
    const table = observeReads(csvText('d.csv', 'a,b\n1,2\n'), () => reads++);
    const job = {
      table,
      context: quietContext(),
      schema: validateSchema({ columns: [{ name: 'a', role: 'numeric' }, { name: 'b', role: 'numeric' }] }, 's'),
      operators: { kind: 'profile' as const, profile: 'low' as const },
      key: { mode: 'ephemeral' as const, label: 'd.csv' },
      batchRows: 100,
    };
    await expect(runPageEvaluation({ ...job, controlShare: 1 })).rejects.toThrow(/share held back as controls "1" is not between 0 and 1/);
    await expect(runPageEvaluation({ ...job, controlShare: 0.2, attackRows: 2.5 })).rejects.toThrow(/targets to attack "2.5" is not a whole number ≥ 1/);
    await expect(runPageEvaluation({ ...job, controlShare: 0.2, operators: { kind: 'list', text: 'spin(x=1)' } })).rejects.toThrow(/unknown operator "spin"/);
    expect(reads).toBe(0);
  });

  it('escapes column names in the HTML report', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const rows = Array.from({ length: 400 }, (_, i) => `${(i * 37) % 101},${(i * 53) % 89},${(i * 11) % 7}`);
    const page = await runPageEvaluation({
      table: csvText('odd.csv', `"${name}",b,c\n${rows.join('\n')}\n`),
      context: quietContext(),
      schema: validateSchema({ columns: [name, 'b', 'c'].map((n) => ({ name: n, role: 'numeric' })) }, 's'),
      operators: { kind: 'profile', profile: 'low' },
      key: { mode: 'ephemeral', label: 'odd.csv' },
      batchRows: 100,
      controlShare: 0.25,
    });
    expect(page.outputs.html.text).not.toContain('<img');
    expect(page.outputs.html.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(evaluationNames('odd.csv')).toEqual({ json: 'odd_evaluation.json', html: 'odd_evaluation.html' });
  });
});
