/**
 * GPU time of each stage of the numeric pipeline on N rows of a generated table, from
 * timestamp queries: normal scores with 0 and with the frame's Gibbs sweeps, whitening,
 * rotate, project and back-mapping, each dispatched alone over rows already on the
 * device (mean of 3 runs after a warm-up). It shows which kernel bounds throughput.
 * Run: npm run bench -- stages --input bench/data/means_1m.parquet
 *      (options: --frame PATH --rows N --only TEXT, which runs only the stages whose name contains TEXT)
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { backMapKernel } from '../kernels/back_map.js';
import { gibbsBuffer, normalScoresKernel, normalScoresWords } from '../kernels/normal_scores.js';
import { streamWordsInvocations, streamWordsKernel } from '../kernels/stream_words.js';
import { projectKernel } from '../kernels/project.js';
import { rotateKernel } from '../kernels/rotate.js';
import { whitenKernel } from '../kernels/whiten.js';
import { loadFrame, parseFrame } from '../src/frame/frame.js';
import { inverseFromCholesky } from '../src/frame/linalg.js';
import { acquireGpu } from '../src/gpu/device.js';
import { KernelRunner, storageBuffer, type KernelDefinition } from '../src/gpu/runner.js';
import { StageParams, stageParams } from '../src/gpu/schemas.js';
import { PassTimer } from '../src/gpu/timing.js';
import { planColumns } from '../src/io/batch.js';
import { openTableFile, formatOf } from '../src/node/formats.js';
import { printTable, type BenchRow } from './report.js';

const { values } = parseArgs({
  options: {
    input: { type: 'string', default: 'bench/data/means_1m.parquet' },
    frame: { type: 'string', default: 'bench/physionet_means.frame.json' },
    rows: { type: 'string', default: '1000000' },
    only: { type: 'string', default: '' },
  },
});
const loaded = loadFrame(parseFrame(readFileSync(values.frame!, 'utf8'), values.frame!));
const d = loaded.d;
const wanted = Number(values.rows);

// The first N rows of the input, columnar.
const x = new Float32Array(d * wanted);
let rows = 0;
const table = openTableFile(values.input!, formatOf(values.input!));
for await (const { batch } of table.open(65536).batches((header) => planColumns(loaded.frame.schema, header, values.input!))) {
  const take = Math.min(batch.rows, wanted - rows);
  for (let j = 0; j < d; j++) x.set(batch.numeric.subarray(j * batch.rows, j * batch.rows + take), j * wanted + rows);
  rows += take;
  if (rows === wanted) break;
}
if (rows < wanted) throw new Error(`${values.input} has ${rows} rows, fewer than --rows ${wanted}`);

const { context, reason } = await acquireGpu();
if (!context?.timestamps) {
  console.error(`stages: needs a WebGPU adapter with timestamp queries (${reason ?? 'no timestamp-query feature'})`);
  process.exit(2);
}
const device = context.device;
const runner = new KernelRunner(context);
const key = Uint32Array.from({ length: 8 }, (_, i) => 0x9e3779b9 * (i + 1));
const bytes = d * rows * 4;
const buffers = {
  x: storageBuffer(device, 'x', bytes),
  a: storageBuffer(device, 'a', bytes),
  b: storageBuffer(device, 'b', bytes),
  tables: storageBuffer(device, 'tables', loaded.tables.data.byteLength),
  cholesky: storageBuffer(device, 'cholesky', d * d * 4),
  gibbs: storageBuffer(device, 'gibbs', (d * d + d) * 4),
};

const sweeps = loaded.frame.latent.sweeps;
const words = normalScoresWords(d, sweeps);
const wordsBuffer = storageBuffer(device, 'words', words * rows * 4);
device.queue.writeBuffer(buffers.x, 0, x);
device.queue.writeBuffer(buffers.tables, 0, loaded.tables.data as Float32Array<ArrayBuffer>);
device.queue.writeBuffer(buffers.cholesky, 0, Float32Array.from(loaded.cholesky));
device.queue.writeBuffer(buffers.gibbs, 0, gibbsBuffer(inverseFromCholesky(loaded.cholesky, d), d));

const latent = { x: buffers.x, tables: buffers.tables, gibbs: buffers.gibbs, words: wordsBuffer, scores: buffers.a };
const stages: { name: string; kernel: KernelDefinition; bind: Record<string, GPUBuffer>; invocations?: number }[] = [
  { name: `stream_words (${words} per row)`, kernel: streamWordsKernel(words), bind: { words: wordsBuffer }, invocations: streamWordsInvocations(words, rows) },
  { name: 'normal_scores, 0 sweeps', kernel: normalScoresKernel({ tables: loaded.tables, sweeps: 0 }), bind: latent },
  { name: `normal_scores, ${sweeps} sweeps`, kernel: normalScoresKernel({ tables: loaded.tables, sweeps }), bind: latent },
  { name: 'whiten', kernel: whitenKernel(loaded.cholesky, d), bind: { z: buffers.a, cholesky: buffers.cholesky, w: buffers.b } },
  { name: 'rotate', kernel: rotateKernel({ thetaMin: Math.PI / 3, thetaMax: Math.PI / 2, rho: 0.5 }, d), bind: { w: buffers.b } },
  { name: 'project', kernel: projectKernel({ k: Math.round(d / 2) }, d), bind: { w: buffers.b } },
  { name: 'back_map', kernel: backMapKernel(loaded.tables, loaded.cholesky), bind: { w: buffers.b, tables: buffers.tables, cholesky: buffers.cholesky, positions: buffers.a } },
];
const params = context.root.createBuffer(StageParams).$usage('uniform');
params.write(stageParams(rows, 0, 1, key));
const timer = new PassTimer(device, 1, 'stage');
const results: BenchRow[] = [];
for (const stage of stages.filter((s) => s.name.includes(values.only!))) {
  const pipeline = await runner.pipeline(stage.kernel);
  const bindGroup = runner.bindGroup(stage.kernel, { params: context.root.unwrap(params), ...stage.bind });
  const times: number[] = [];
  for (let run = 0; run < 4; run++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass(timer.pass(0));
    runner.dispatch(pass, pipeline, bindGroup, stage.invocations ?? rows);
    pass.end();
    timer.resolve(encoder);
    device.queue.submit([encoder.finish()]);
    const [ms] = await timer.read();
    if (run > 0) times.push(ms);
  }
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  results.push({ name: `${stage.name} (${context.adapter})`, rows, columns: d, milliseconds: mean, rowsPerSecond: (rows / mean) * 1000 });
}
printTable(`pipeline stages on ${values.input}, GPU time from timestamp queries`, results);
process.exit(0);
