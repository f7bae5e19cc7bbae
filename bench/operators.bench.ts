/**
 * Throughput of the rotate and project operators on 1M whitened rows × 32 columns, WGSL
 * kernel against the TypeScript reference on the same machine, in one run.
 * Run: npm run bench -- operators   (options: --rows N --columns D --cpu-rows N)
 */
import { Bench } from 'tinybench';
import { parseArgs } from 'node:util';
import { projectKernel } from '../kernels/project.js';
import { rotateKernel } from '../kernels/rotate.js';
import { acquireGpu } from '../src/gpu/device.js';
import { KernelRunner, storageBuffer, type KernelDefinition } from '../src/gpu/runner.js';
import { StageParams, stageParams } from '../src/gpu/schemas.js';
import { project } from '../src/reference/project.js';
import { rotate } from '../src/reference/rotate.js';
import { printTable, standardNormals, type BenchRow } from './report.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, columns: { type: 'string', default: '32' }, 'cpu-rows': { type: 'string' } } });
const rows = Number(values.rows);
const d = Number(values.columns);
// --cpu-rows times the reference on a slice, for quick runs; by default it gets all rows.
const cpuRows = Math.min(rows, Number(values['cpu-rows'] ?? rows));

const w = standardNormals(d * rows);
const key = Uint32Array.from({ length: 8 }, (_, i) => 0x9e3779b9 * (i + 1));
const operators: { name: string; kernel: KernelDefinition; cpu: (x: Float32Array, n: number) => void }[] = [
  {
    name: 'rotate',
    kernel: rotateKernel({ thetaMin: Math.PI / 6, thetaMax: Math.PI / 3, rho: 0.5 }, d),
    cpu: (x, n) => rotate(x, { rows: n, rowBase: 0, rowStride: 1 }, d, { thetaMin: Math.PI / 6, thetaMax: Math.PI / 3, rho: 0.5 }, key),
  },
  {
    name: 'project',
    kernel: projectKernel({ k: d / 2 }, d),
    cpu: (x, n) => project(x, { rows: n, rowBase: 0, rowStride: 1 }, d, { k: d / 2 }, key),
  },
];

const { context, reason } = await acquireGpu();
const results: BenchRow[] = [];
// The kernels are timed over several runs after a warm-up (the first run includes
// lavapipe's shader compilation); the reference, which takes tens of seconds, once.
const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
const referenceBench = new Bench({ iterations: 1, warmupIterations: 0, time: 0 });

if (context) {
  const runner = new KernelRunner(context);
  const device = context.device;
  const buffer = storageBuffer(device, 'w', w.byteLength);
  device.queue.writeBuffer(buffer, 0, w);
  for (const op of operators) {
    const pipeline = await runner.pipeline(op.kernel);
    const params = context.root.createBuffer(StageParams).$usage('uniform');
    params.write(stageParams(rows, 0, 1, key));
    const bindGroup = runner.bindGroup(op.kernel, { params: context.root.unwrap(params), w: buffer });
    bench.add(`${op.name} wgsl (${context.adapter})`, async () => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      runner.dispatch(pass, pipeline, bindGroup, rows);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    });
  }
} else {
  process.stderr.write(`no WebGPU adapter (${reason}); timing the TypeScript reference only\n`);
}
for (const op of operators) {
  const slice = w.slice(0, d * cpuRows);
  referenceBench.add(`${op.name} typescript reference`, () => op.cpu(slice, cpuRows));
}

await bench.run();
await referenceBench.run();
for (const task of [...bench.tasks, ...referenceBench.tasks]) {
  const result = task.result;
  const mean = result && 'latency' in result ? result.latency.mean : NaN;
  const taskRows = task.name.includes('typescript') ? cpuRows : rows;
  results.push({ name: task.name, rows: taskRows, columns: d, milliseconds: mean, rowsPerSecond: (taskRows / mean) * 1000 });
}
printTable(`operators, ${d} columns`, results);
for (const op of operators) {
  const gpuRow = results.find((r) => r.name.startsWith(`${op.name} wgsl`));
  const cpuRow = results.find((r) => r.name === `${op.name} typescript reference`);
  if (gpuRow && cpuRow) console.log(`${op.name}: WGSL is ${(gpuRow.rowsPerSecond / cpuRow.rowsPerSecond).toFixed(1)}x the TypeScript reference in rows/s`);
}
process.exit(0);
