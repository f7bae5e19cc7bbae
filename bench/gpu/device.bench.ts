/**
 * The device benchmark, run by bench/gpu/run.sh on a machine lent with a GPU: it
 * generates tables of 1M and 10M rows × 29 columns from the PhysioNet frame, runs
 * `geomask apply` (rotate; the moderate profile) and `geomask transform` from Parquet
 * to Parquet on the GPU, and prints one table with wall time, rows per second and
 * where the time went (kernel times from timestamp queries, host stages). Steps that
 * would not fit the remaining time budget are skipped and listed.
 * Run (on the device): node device.mjs --cli cli.mjs --work /tmp/w --out $OUT
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFrame, parseFrame } from '../../src/frame/frame.js';
import { acquireGpu } from '../../src/gpu/device.js';
import { writeSampledTable } from '../sample_table.js';

const { values } = parseArgs({
  options: {
    cli: { type: 'string' },
    frame: { type: 'string', default: 'bench/physionet_means.frame.json' },
    schema: { type: 'string', default: 'bench/means.schema.json' },
    work: { type: 'string', default: '/tmp/geomask-device-work' },
    out: { type: 'string', default: '.' },
    sizes: { type: 'string', default: '1000000,10000000' },
    'budget-s': { type: 'string', default: '480' },
    // For trying the script on a machine without a GPU (lavapipe); figures from it are not GPU figures.
    'allow-software': { type: 'boolean', default: false },
  },
});
const started = performance.now();
const budget = Number(values['budget-s']);
const elapsed = (): number => (performance.now() - started) / 1000;
const log = (line: string): void => void process.stderr.write(`device: ${line} (${elapsed().toFixed(0)} s)\n`);
mkdirSync(values.work!, { recursive: true });
mkdirSync(values.out!, { recursive: true });

const { context, reason } = await acquireGpu();
if (!context) {
  console.log(`no WebGPU adapter: ${reason}`);
  process.exit(3);
}
const adapter = `${context.adapter}${context.isFallbackAdapter ? ' (software fallback)' : ''}`;
log(`adapter ${adapter}; timestamp queries ${context.timestamps ? 'on' : 'off'}`);
context.device.destroy();
if (context.isFallbackAdapter && !values['allow-software']) {
  console.log(`the adapter is a software fallback (${adapter}); the Vulkan driver of the GPU was not found`);
  process.exit(3);
}

const frame = loadFrame(parseFrame(readFileSync(values.frame!, 'utf8'), values.frame!));
const sizes = values.sizes!.split(',').map(Number);
interface Row {
  task: string;
  rows: number;
  wall: number;
  report?: { seconds: { fit: number; apply: number }; rowsPerSecond: number; stageMilliseconds: Record<string, number> };
}
const rows: Row[] = [];
const skipped: string[] = [];
const kernelNames = ['stream_words', 'normal_scores', 'whiten', 'rotate', 'project', 'back_map'];

/** Writes the table of the runs so far, so a run stopped by its time limit still leaves figures. */
function writeResults(): string {
  const lines = [
    `Adapter: ${adapter}. Kernel columns: GPU time from timestamp queries, summed over batches; host columns: wall time of the main thread.`,
    '',
    `| task | rows | wall time | fit | apply pass | rows/s (apply) | ${kernelNames.map((k) => `kernel ${k}`).join(' | ')} | parse | gpu wait | finalize | write |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ${kernelNames.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`,
  ];
  const ms = (value: number | undefined): string => (value === undefined ? '' : `${(value / 1000).toFixed(2)} s`);
  for (const row of rows) {
    const stages = row.report?.stageMilliseconds ?? {};
    lines.push(
      `| ${row.task} | ${row.rows.toLocaleString('en-US')} | ${row.wall.toFixed(1)} s | ${row.report ? `${row.report.seconds.fit.toFixed(1)} s` : ''} | ${row.report ? `${row.report.seconds.apply.toFixed(1)} s` : ''} | ${row.report?.rowsPerSecond.toLocaleString('en-US') ?? ''} | ${kernelNames.map((k) => ms(stages[`kernel_${k}`])).join(' | ')} | ${ms(stages.parse)} | ${ms(stages.gpu_wait)} | ${ms(stages.finalize)} | ${ms(stages.write)} |`,
    );
  }
  if (skipped.length > 0) lines.push('', `Skipped for time: ${skipped.join('; ')}.`);
  const text = lines.join('\n');
  writeFileSync(join(values.out!, 'device-results.md'), `${text}\n`);
  writeFileSync(join(values.out!, 'device-results.json'), `${JSON.stringify({ adapter, rows, skipped }, null, 2)}\n`);
  return text;
}

/** Runs one CLI command on the GPU unless `estimate` seconds would overrun the budget; returns its wall time. */
function run(task: string, n: number, args: string[], estimate: number): number | undefined {
  if (elapsed() + estimate > budget) {
    skipped.push(`${task} at ${n} rows (estimated ${estimate.toFixed(0)} s, ${(budget - elapsed()).toFixed(0)} s left)`);
    return undefined;
  }
  const out = join(values.work!, `${task.replace(/\W+/g, '_')}_${n}.parquet`);
  const begin = performance.now();
  const result = spawnSync(process.execPath, [values.cli!, ...args, '--out', out, '--backend', 'gpu', '--key-file', join(values.work!, 'k.key'), '--quiet'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - begin) / 1000;
  if (result.status !== 0) {
    log(`${task} at ${n} rows failed: ${result.stderr}`);
    rows.push({ task: `${task} (failed, exit ${result.status})`, rows: n, wall });
  } else {
    rows.push({ task, rows: n, wall, report: JSON.parse(readFileSync(out.replace(/\.parquet$/, '.report.json'), 'utf8')) });
    log(`${task} at ${n} rows: ${wall.toFixed(1)} s`);
  }
  writeResults();
  return wall;
}

const tasks: { task: string; args: (input: string) => string[] }[] = [
  { task: 'apply rotate', args: (input) => ['apply', input, '--frame', values.frame!, '--ops', 'rotate(theta=pi/3..pi/2,rho=0.5)'] },
  { task: 'apply moderate', args: (input) => ['apply', input, '--frame', values.frame!, '--profile', 'moderate'] },
  { task: 'transform moderate', args: (input) => ['transform', input, '--schema', values.schema!, '--profile', 'moderate'] },
];
// Seconds per million rows of each task, from the smallest size run; before that a guess.
const perMillion = new Map<string, number>(tasks.map(({ task }) => [task, task.startsWith('transform') ? 40 : 20]));
let generationPerMillion = 17;
for (const n of sizes) {
  const input = join(values.work!, `means_${n}.parquet`);
  const millions = n / 1_000_000;
  if (elapsed() + generationPerMillion * millions > budget) {
    skipped.push(`everything at ${n} rows (generating it would take about ${(generationPerMillion * millions).toFixed(0)} s)`);
    continue;
  }
  const begin = performance.now();
  await writeSampledTable(frame, n, input, 20121, 65536, false);
  const generation = (performance.now() - begin) / 1000;
  generationPerMillion = (generation / millions) * 1.2;
  log(`generated ${n} rows in ${generation.toFixed(0)} s`);
  for (const { task, args } of tasks) {
    const wall = run(task, n, args(input), perMillion.get(task)! * millions * 1.2 + 5);
    if (wall !== undefined) perMillion.set(task, wall / millions);
  }
}
console.log(writeResults());
process.exit(0);
