/**
 * Exact kNN throughput in distance evaluations per second: a set of queries against
 * 1M candidates × 32 columns, the knn_tile + topk kernels against the TypeScript
 * reference on the same machine, in one run.
 * Run: npm run bench -- knn   (options: --candidates N --columns D --queries Q --cpu-queries Q --k K)
 */
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { gpuKnn } from '../src/engine/gpu_knn.js';
import { acquireGpu } from '../src/gpu/device.js';
import { KernelRunner } from '../src/gpu/runner.js';
import { knnReference, type KnnRequest } from '../src/reference/knn.js';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '1000000' },
    columns: { type: 'string', default: '32' },
    queries: { type: 'string', default: '4096' },
    'cpu-queries': { type: 'string', default: '256' },
    k: { type: 'string', default: '5' },
  },
});
const n = Number(values.candidates);
const d = Number(values.columns);
const k = Number(values.k);
const points = new Float32Array(n * d);
for (let i = 0; i < points.length; i++) points[i] = Math.random() * 2 - 1;

function request(queries: number): KnnRequest {
  return { queries: points.subarray(0, queries * d), queryCount: queries, candidates: points, candidateCount: n, d, k, selfOffset: 0 };
}

const rows: { name: string; queries: number; seconds: number }[] = [];
const gpuQueries = Number(values.queries);
const cpuQueries = Number(values['cpu-queries']);
const { context, reason } = await acquireGpu();
if (context) {
  const runner = new KernelRunner(context);
  await gpuKnn(runner, request(64)); // compiles the kernels
  const bench = new Bench({ iterations: 3, warmupIterations: 0, time: 0 });
  bench.add(`knn wgsl (${context.adapter})`, () => gpuKnn(runner, request(gpuQueries)).then(() => undefined));
  await bench.run();
  const result = bench.tasks[0].result;
  rows.push({ name: bench.tasks[0].name, queries: gpuQueries, seconds: (result && 'latency' in result ? result.latency.mean : NaN) / 1000 });
} else {
  process.stderr.write(`no WebGPU adapter (${reason}); timing the TypeScript reference only\n`);
}
const started = performance.now();
knnReference(request(cpuQueries));
rows.push({ name: 'knn typescript reference', queries: cpuQueries, seconds: (performance.now() - started) / 1000 });

console.log(`\nexact kNN, ${n.toLocaleString('en-US')} candidates × ${d} columns, k = ${k}\n`);
console.log('| task | queries | mean time | distance evaluations/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.name} | ${r.queries.toLocaleString('en-US')} | ${r.seconds.toFixed(3)} s | ${((r.queries * n) / r.seconds).toExponential(3)} |`);
if (rows.length === 2) {
  const ratio = ((rows[0].queries / rows[0].seconds) / (rows[1].queries / rows[1].seconds)).toFixed(1);
  console.log(`\nWGSL is ${ratio}x the TypeScript reference in distance evaluations per second`);
}
process.exit(0);
