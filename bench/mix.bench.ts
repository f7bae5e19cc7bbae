/**
 * k-record mixing at 1M rows × 32 columns: grouping (principal-axis split, host), the
 * pooled covariance (host), and the mix step as the WGSL kernel against the TypeScript
 * reference, in one run.
 * Run: npm run bench -- mix   (options: --rows N --columns D --k K --alpha A)
 */
import { parseArgs } from 'node:util';
import { gpuMix, type MixTimings } from '../src/engine/gpu_mix.js';
import { acquireGpu } from '../src/gpu/device.js';
import { KernelRunner } from '../src/gpu/runner.js';
import { formGroups, mixReference, pooledCovariance, type MixRequest } from '../src/neighbours/mix.js';
import { standardNormals } from './report.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, columns: { type: 'string', default: '32' }, k: { type: 'string', default: '10' }, alpha: { type: 'string', default: '0.5' } } });
const n = Number(values.rows);
const d = Number(values.columns);
const k = Number(values.k);
const key = Uint32Array.from({ length: 8 }, (_, i) => 0x85ebca6b * (i + 3));

const points = standardNormals(n * d);

const time = async <T>(work: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
};

const [groups, groupSeconds] = await time(() => formGroups(points, n, d, k, key));
const [pool, poolSeconds] = await time(() => pooledCovariance(points, d, groups));
const request: MixRequest = { points, n, d, groups, poolFactor: pool.factor, alpha: Number(values.alpha), k, key, rowIds: Float64Array.from({ length: n }, (_, i) => i) };

const rows: [string, number][] = [
  ['grouping (principal-axis split, host)', groupSeconds],
  ['pooled covariance (host)', poolSeconds],
];
const { context, reason } = await acquireGpu();
if (context) {
  const runner = new KernelRunner(context);
  await gpuMix(runner, { ...request, n: 64, groups: formGroups(points.subarray(0, 64 * d), 64, d, k, key) }); // compiles the kernel
  const timings: MixTimings = { prepare: 0, kernel: 0, readBack: 0 };
  const [, seconds] = await time(() => gpuMix(runner, request, timings));
  rows.push([`mix, WGSL kernel on the device (${context.adapter})`, timings.kernel / 1000]);
  rows.push(['mix, WGSL path with host preparation, upload and read-back', seconds]);
} else {
  process.stderr.write(`no WebGPU adapter (${reason}); timing the TypeScript reference only\n`);
}
const [, referenceSeconds] = await time(() => mixReference(request));
rows.push(['mix, TypeScript reference', referenceSeconds]);

console.log(`\nmix(k=${k}, alpha=${values.alpha}), ${n.toLocaleString('en-US')} rows × ${d} columns, ${groups.offsets.length - 1} groups\n`);
console.log('| step | time | rows/s |');
console.log('| --- | ---: | ---: |');
for (const [name, seconds] of rows) console.log(`| ${name} | ${seconds.toFixed(3)} s | ${Math.round(n / seconds).toLocaleString('en-US')} |`);
if (context) {
  console.log(`\nthe mix kernel is ${(referenceSeconds / rows[2][1]).toFixed(1)}x the TypeScript reference; the whole WGSL path ${(referenceSeconds / rows[3][1]).toFixed(1)}x`);
}
process.exit(0);
