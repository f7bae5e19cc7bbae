import * as arrow from 'apache-arrow';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalScoresWords } from '../kernels/normal_scores.js';
import { GpuEngine } from '../src/engine/gpu.js';
import { InputError } from '../src/errors.js';
import { loadFrame, parseFrame } from '../src/frame/frame.js';
import { parquetWasm } from '../src/io/parquet_wasm.js';
import { filesIn, geomask, tempFolder, type CliResult } from './helpers/cli.js';
import { testKeys } from './helpers/fixtures.js';
import { testGpu } from './helpers/gpu.js';
import { rng } from './helpers/synthetic.js';
import { TYPED_SCHEMA, typedTable, writeParquetFile, writeSchemaFile } from './helpers/typed_table.js';

// Fixed seeds: whether overwritten bytes make parquet-wasm trap depends on the data.
const TABLE_SEED = 7;
const NOISE_SEED = 11;
const ROWS = 3000;

/** Returns a copy of `bytes` with `count` pseudo-random bytes written over its middle. */
function overwriteMiddle(bytes: Uint8Array, count: number, seed: number): Uint8Array {
  const random = rng(seed);
  const copy = Uint8Array.from(bytes);
  const start = Math.floor(copy.length / 2 - count / 2);
  for (let i = 0; i < count; i++) copy[start + i] = Math.floor(random() * 256);
  return copy;
}

/** Writes a table as Snappy-compressed Parquet, as the release writer does, in row groups of `rowGroup` rows. */
async function writeSnappyParquet(table: arrow.Table, path: string, rowGroup: number): Promise<void> {
  const pw = await parquetWasm();
  const properties = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(rowGroup).build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties));
}

/** Encodes a table as an Arrow IPC stream or file with one record batch per `batchRows` rows. */
function ipcInBatches(table: arrow.Table, format: 'stream' | 'file', batchRows: number): Uint8Array {
  const batches: arrow.RecordBatch[] = [];
  for (let start = 0; start < table.numRows; start += batchRows) batches.push(...table.slice(start, start + batchRows).batches);
  return arrow.tableToIPC(new arrow.Table(batches), format);
}

/** Runs `geomask ARGS` with `input` on standard input and collects its output. */
function geomaskWithInput(args: string[], input: Uint8Array): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/geomask.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // The process may stop reading before the end of a bad input.
    child.stdin.on('error', () => {});
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('failed runs', () => {
  let folder: string;
  let source: arrow.Table;
  let common: string[];

  beforeAll(async () => {
    folder = tempFolder();
    source = typedTable(ROWS, TABLE_SEED);
    const input = await writeParquetFile(source, folder, 'typed.parquet');
    const schema = writeSchemaFile(TYPED_SCHEMA, folder);
    const frame = join(folder, 'frame.json');
    const key = join(folder, 'k.key');
    const fit = await geomask(['fit', input, '--schema', schema, '--out', frame, '--key-file', key, '--label', 'typed', '--backend', 'cpu', '--quiet']);
    expect(fit.code, fit.stderr).toBe(0);
    common = ['--frame', frame, '--key-file', key, '--label', 'typed', '--ops', 'rotate', '--backend', 'cpu', '--quiet'];
  });

  it('rejects a corrupt page of a release Parquet file', async () => {
    // The file and its frame come from the tool itself: a release and a fit on it.
    const work = tempFolder();
    const release = join(work, 'release.parquet');
    const applied = await geomask(['apply', join(folder, 'typed.parquet'), '--out', release, ...common]);
    expect(applied.code, applied.stderr).toBe(0);
    const frame = join(work, 'release.frame.json');
    const fit = await geomask(['fit', release, '--out', frame, '--key-file', join(work, 'k.key'), '--backend', 'cpu', '--quiet']);
    expect(fit.code, fit.stderr).toBe(0);
    const corrupt = join(work, 'corrupt.parquet');
    writeFileSync(corrupt, overwriteMiddle(readFileSync(release), 400, NOISE_SEED));
    const out = tempFolder();

    const run = await geomask(['apply', corrupt, '--frame', frame, '--ops', 'rotate', '--key-file', join(work, 'k.key'), '--out', join(out, 't.parquet'), '--backend', 'cpu', '--quiet']);

    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/geomask: error: \S*corrupt\.parquet: cannot decode row group 0 \(/);
    expect(run.stderr).toMatch(/fix: /);
    expect(run.stderr).not.toMatch(/RuntimeError|wasm:\/\//);
    expect(filesIn(out)).toEqual([]);
  });

  it('rejects a corrupt later row group', async () => {
    // Five row groups: the first groups decode and reach the Parquet writer before the
    // corrupt one traps, so the run aborts a writer that has started.
    const corrupt = join(folder, 'groups.parquet');
    await writeSnappyParquet(source, corrupt, 700);
    writeFileSync(corrupt, overwriteMiddle(readFileSync(corrupt), 400, NOISE_SEED));
    const out = tempFolder();
    for (const release of ['t.parquet', 't.csv']) {
      const run = await geomask(['apply', corrupt, '--out', join(out, release), '--batch-rows', '300', ...common]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/groups\.parquet: cannot decode row group [1-4] \(/);
      expect(filesIn(out)).toEqual([]);
    }
  });

  it('still names a truncated Parquet footer', async () => {
    const truncated = join(folder, 'truncated.parquet');
    const whole = readFileSync(join(folder, 'typed.parquet'));
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = tempFolder();
    const run = await geomask(['apply', truncated, '--out', join(out, 't.parquet'), ...common]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/truncated\.parquet: cannot read the file as Parquet \(.*Corrupt footer/);
    expect(filesIn(out)).toEqual([]);
  });

  it('rejects a truncated Arrow IPC stream file', async () => {
    const bytes = ipcInBatches(source, 'stream', 1000);
    const truncated = join(folder, 'truncated.arrows');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const out = tempFolder();
    const run = await geomask(['apply', truncated, '--out', join(out, 't.csv'), ...common]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/truncated\.arrows, row 2001: Arrow IPC stream is truncated or corrupt: record batch 3 cannot be read/);
    expect(run.stderr).toMatch(/fix: /);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(filesIn(out)).toEqual([]);
  });

  it('rejects a truncated Arrow IPC file', async () => {
    const bytes = ipcInBatches(source, 'file', 1000);
    const truncated = join(folder, 'truncated.arrow');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const out = tempFolder();
    const run = await geomask(['apply', truncated, '--out', join(out, 't.csv'), ...common]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/truncated\.arrow: Arrow IPC file is truncated or corrupt: its footer cannot be read/);
    expect(run.stderr).toMatch(/fix: /);
    expect(filesIn(out)).toEqual([]);
  });

  it('rejects a truncated stream on standard input', async () => {
    const withIds = source.assign(new arrow.Table({ row_id: arrow.makeVector(BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i))) }));
    const bytes = ipcInBatches(withIds, 'stream', 1000);
    const run = await geomaskWithInput(['stream', '--row-id', 'row_id', ...common], bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/standard input, row 1001: Arrow IPC stream is truncated or corrupt: record batch 2 cannot be read/);
    expect(run.stderr).not.toMatch(/internal error|this is a bug/);
  });

  it('stops quietly when standard output closes', async () => {
    // Far more release than a pipe buffers, so writes go on after the reader has gone.
    const rows = 20000;
    const table = typedTable(rows, TABLE_SEED);
    const withIds = table.assign(new arrow.Table({ row_id: arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i))) }));
    const child = spawn(process.execPath, ['bin/geomask.js', 'stream', '--row-id', 'row_id', ...common], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.on('error', () => {});
    // Reads the first bytes of the release, then closes the pipe, as `head -c 100` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(ipcInBatches(withIds, 'stream', 1000));
    const code = await closed;

    expect(code, stderr).toBe(141);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|internal error|\n\s+at /);
    expect(stderr.trim().split('\n').filter((line) => !line.startsWith('geomask: warning: '))).toEqual([]);
  });

  it('rejects --batch-rows above the maximum', async () => {
    for (const batchRows of ['100000000000', '16777217']) {
      const out = tempFolder();
      const run = await geomask(['apply', join(folder, 'typed.parquet'), '--out', join(out, 't.csv'), '--batch-rows', batchRows, ...common]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`geomask: error: --batch-rows ${batchRows} is above the maximum of 16777216 rows per batch`);
      expect(run.stderr).toMatch(/fix: lower --batch-rows to 16777216 or fewer/);
      expect(filesIn(out)).toEqual([]);
    }
  });

  it('rejects a batch the GPU cannot bind', async () => {
    const gpu = await testGpu();
    if (!gpu) return;
    const path = join(folder, 'frame.json');
    const frame = loadFrame(parseFrame(readFileSync(path, 'utf8'), path));
    const sweeps = 3;
    const bytesPerRow = 4 * normalScoresWords(frame.d, sweeps);
    // One row more than the stream words' buffer can hold on this device.
    const maxRows = Math.floor(gpu.device.limits.maxStorageBufferBindingSize / bytesPerRow);
    const engine = new GpuEngine(gpu, maxRows + 1);
    const plan = { frame, latentKey: testKeys().stage('normal_scores', 0), sweeps, stages: [] };

    const failure = await engine.createPipeline(plan).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(InputError);
    expect((failure as InputError).fix).toBe(`lower --batch-rows to ${maxRows} or fewer`);
  });
});
