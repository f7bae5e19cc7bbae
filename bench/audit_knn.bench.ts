/**
 * Distance evaluations per second of the evaluator's exact kNN (engine.knn in tiles of
 * queries, as the linkage and membership attacks call it) against brute-force
 * scikit-learn and NumPy searches of the same size on the same points, in one run.
 * The default size is the diabetes audit: 81,000 targets against 81,000 released rows,
 * 8 numeric columns.
 * Run: npm run bench -- audit_knn   (options: --queries N --candidates N --columns D --k K
 *      --backend auto|gpu|cpu --python PATH); the Python side needs python3-sklearn.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { selectEngine, type BackendChoice } from '../src/engine/select.js';
import { nearestNeighbours } from '../src/evaluate/neighbours.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '81000' },
    candidates: { type: 'string', default: '81000' },
    columns: { type: 'string', default: '8' },
    k: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'auto' },
    // Debian's interpreter, which python3-sklearn installs into.
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const queryCount = Number(values.queries);
const candidateCount = Number(values.candidates);
const d = Number(values.columns);
const k = Number(values.k);

/** Standard normal points from a fixed seed (mulberry32 and Box–Muller), row-major. */
function gaussianPoints(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count * d);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

const queries = gaussianPoints(queryCount, 1);
const candidates = gaussianPoints(candidateCount, 2);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/knn_queries.f32', queries);
writeFileSync('bench/out/knn_candidates.f32', candidates);

const engine = await selectEngine(values.backend as BackendChoice, 65536, (line) => process.stderr.write(`${line}\n`));
let first = new Uint32Array(0);
const bench = new Bench({ iterations: 1, warmupIterations: 0, time: 0 });
bench.add(`engine.knn in tiles (${engine.device})`, async () => {
  const result = await nearestNeighbours(engine, { queries, queryCount, candidates, candidateCount, d, k });
  first = Uint32Array.from({ length: queryCount }, (_, q) => result.indices[q * result.k]);
});
await bench.run();
engine.destroy();
const latency = bench.tasks[0].result && 'latency' in bench.tasks[0].result ? bench.tasks[0].result.latency.mean : NaN;
const ours = latency / 1000;

const python = spawnSync(
  values.python!,
  ['bench/knn_brute.py', '--queries', 'bench/out/knn_queries.f32', '--candidates', 'bench/out/knn_candidates.f32', '--columns', String(d), '--k', String(k), '--first-out', 'bench/out/knn_first.i32'],
  { encoding: 'utf8' },
);
if (python.status !== 0) {
  process.stderr.write(`the Python baseline failed (install python3-sklearn): ${python.stderr}\n`);
  process.exit(1);
}
const baseline = JSON.parse(python.stdout.trim().split('\n').at(-1)!) as { sklearn: { seconds: number; version: string }; numpy: { seconds: number; version: string }; cpus: number };
const sklearnFirst = new Int32Array(readFileSync('bench/out/knn_first.i32').buffer.slice(0));
let agree = 0;
for (let q = 0; q < queryCount; q++) if (first[q] === sklearnFirst[q]) agree++;

const evaluations = queryCount * candidateCount;
const rate = (seconds: number) => (evaluations / seconds).toExponential(3);
console.log(`\nexact kNN, ${queryCount.toLocaleString('en-US')} queries × ${candidateCount.toLocaleString('en-US')} candidates × ${d} columns, k = ${k}\n`);
console.log('| search | time | distance evaluations/s |');
console.log('| --- | ---: | ---: |');
console.log(`| ${bench.tasks[0].name} | ${ours.toFixed(2)} s | ${rate(ours)} |`);
console.log(`| scikit-learn ${baseline.sklearn.version} NearestNeighbors(algorithm="brute") | ${baseline.sklearn.seconds.toFixed(2)} s | ${rate(baseline.sklearn.seconds)} |`);
console.log(`| NumPy ${baseline.numpy.version}, chunked dot-product expansion | ${baseline.numpy.seconds.toFixed(2)} s | ${rate(baseline.numpy.seconds)} |`);
console.log(`\nengine.knn runs at ${(baseline.sklearn.seconds / ours).toFixed(2)}× scikit-learn's rate and ${(baseline.numpy.seconds / ours).toFixed(2)}× NumPy's (${baseline.cpus} CPUs);`);
console.log(`first neighbours agree with scikit-learn for ${((100 * agree) / queryCount).toFixed(3)}% of queries (float32 ties and rounding explain the rest)`);
process.exit(0);
