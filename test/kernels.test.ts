import { beforeAll, describe, expect, it } from 'vitest';
import { backMapKernel } from '../kernels/back_map.js';
import { gibbsBuffer, normalScoresKernel, normalScoresWords } from '../kernels/normal_scores.js';
import { projectKernel } from '../kernels/project.js';
import { rotateKernel } from '../kernels/rotate.js';
import { whitenKernel } from '../kernels/whiten.js';
import { CpuEngine } from '../src/engine/cpu.js';
import { GpuEngine } from '../src/engine/gpu.js';
import { loadFrame, type LoadedFrame } from '../src/frame/frame.js';
import { inverseFromCholesky } from '../src/frame/linalg.js';
import type { GpuContext } from '../src/gpu/device.js';
import type { Batch } from '../src/io/batch.js';
import { ColumnFormatter } from '../src/pipeline/finalize.js';
import { backMap } from '../src/reference/back_map.js';
import { normalScores } from '../src/reference/normal_scores.js';
import { streamWords } from '../src/reference/stream_words.js';
import { project } from '../src/reference/project.js';
import { rotate } from '../src/reference/rotate.js';
import { whiten } from '../src/reference/whiten.js';
import { DIABETES_SAMPLE, DIABETES_SCHEMA, fitFixture, loadSchema, readWhole, testKeys } from './helpers/fixtures.js';
import { testGpu } from './helpers/gpu.js';
import { maxRelativeError, runKernel } from './helpers/kernels.js';
import { SEED, writeSyntheticTable } from './helpers/synthetic.js';

/** Tolerance of float results in whitened space, relative to max(1, |value|). */
const WHITENED_TOLERANCE = 1e-4;

interface Case {
  name: string;
  frame: LoadedFrame;
  batch: Batch;
}

const cases: Case[] = [];
let gpu: GpuContext | undefined;

beforeAll(async () => {
  gpu = await testGpu();
  const schema = await loadSchema(DIABETES_SCHEMA);
  cases.push({ name: 'diabetes sample', frame: loadFrame(await fitFixture(DIABETES_SAMPLE, schema)), batch: await readWhole(DIABETES_SAMPLE, schema) });
  const synthetic = writeSyntheticTable(4000, SEED);
  cases.push({ name: `synthetic (seed ${SEED})`, frame: loadFrame(await fitFixture(synthetic.path, synthetic.schema)), batch: await readWhole(synthetic.path, synthetic.schema) });
});

const key = testKeys().stage('kernel_test', 0);
const ROW_BASE = 4294967000; // crosses 2^32 inside the batch

function cpuScores(c: Case): Float32Array {
  const { frame, batch } = c;
  const z = new Float32Array(frame.d * batch.rows);
  normalScores(batch.numeric, { rows: batch.rows, rowBase: ROW_BASE, rowStride: 1 }, { tables: frame.tables, precision: inverseFromCholesky(frame.cholesky, frame.d), sweeps: 3 }, key, z);
  return z;
}

function cpuWhitened(c: Case): Float32Array {
  const w = new Float32Array(c.frame.d * c.batch.rows);
  whiten(cpuScores(c), c.batch.rows, c.frame.d, c.frame.cholesky, w);
  return w;
}

describe.each([0, 1])('kernels against the CPU reference, case %i', (index) => {
  it('normal_scores', async () => {
    if (!gpu) return;
    const c = cases[index];
    const { frame, batch } = c;
    const bytes = frame.d * batch.rows * 4;
    const out = await runKernel(gpu, normalScoresKernel({ tables: frame.tables, sweeps: 3 }), batch.rows, ROW_BASE, key, {
      x: batch.numeric,
      tables: frame.tables.data,
      gibbs: gibbsBuffer(inverseFromCholesky(frame.cholesky, frame.d), frame.d),
      words: streamWords({ rows: batch.rows, rowBase: ROW_BASE, rowStride: 1 }, key, normalScoresWords(frame.d, 3)),
    }, { scores: bytes });
    expect(maxRelativeError(new Float32Array(out.scores), cpuScores(c)), c.name).toBeLessThan(WHITENED_TOLERANCE);
  });

  it('whiten', async () => {
    if (!gpu) return;
    const c = cases[index];
    const z = cpuScores(c);
    const out = await runKernel(gpu, whitenKernel(c.frame.cholesky, c.frame.d), c.batch.rows, ROW_BASE, key, { z, cholesky: Float32Array.from(c.frame.cholesky) }, { w: z.byteLength });
    expect(maxRelativeError(new Float32Array(out.w), cpuWhitened(c)), c.name).toBeLessThan(WHITENED_TOLERANCE);
  });

  it('rotate', async () => {
    if (!gpu) return;
    const c = cases[index];
    for (const params of [{ thetaMin: 0.52, thetaMax: 1.05, rho: 0.5 }, { thetaMin: Math.PI / 3, thetaMax: Math.PI / 2, rho: 1 }]) {
      const w = cpuWhitened(c);
      const out = await runKernel(gpu, rotateKernel(params, c.frame.d), c.batch.rows, ROW_BASE, key, { w }, { w: w.byteLength });
      rotate(w, { rows: c.batch.rows, rowBase: ROW_BASE, rowStride: 1 }, c.frame.d, params, key);
      expect(maxRelativeError(new Float32Array(out.w), w), `${c.name} rho ${params.rho}`).toBeLessThan(WHITENED_TOLERANCE);
    }
  });

  it('project', async () => {
    if (!gpu) return;
    const c = cases[index];
    const d = c.frame.d;
    for (const k of [1, Math.round(d / 2), d - 1]) {
      const w = cpuWhitened(c);
      const out = await runKernel(gpu, projectKernel({ k }, d), c.batch.rows, ROW_BASE, key, { w }, { w: w.byteLength });
      project(w, { rows: c.batch.rows, rowBase: ROW_BASE, rowStride: 1 }, d, { k }, key);
      expect(maxRelativeError(new Float32Array(out.w), w), `${c.name} k ${k}`).toBeLessThan(WHITENED_TOLERANCE);
    }
  });

  it('back_map', async () => {
    if (!gpu) return;
    const c = cases[index];
    const { frame, batch } = c;
    const w = cpuWhitened(c);
    const out = await runKernel(gpu, backMapKernel(frame.tables, frame.cholesky), batch.rows, ROW_BASE, key, { w, tables: frame.tables.data, cholesky: Float32Array.from(frame.cholesky) }, { positions: w.byteLength });
    const expected = new Float32Array(w.length);
    backMap(w, batch.rows, frame.tables, frame.cholesky, expected);
    expect(stepDifferences(frame, batch.rows, new Float32Array(out.positions), expected), c.name).toSatisfy(withinStepTolerance);
  });

  it('whole pipeline, engine against engine', async () => {
    if (!gpu) return;
    const c = cases[index];
    const { frame, batch } = c;
    const keys = testKeys();
    const plan = {
      frame,
      latentKey: keys.stage('normal_scores', 0),
      sweeps: 3,
      stages: [
        { op: 'rotate' as const, params: { thetaMin: 0.52, thetaMax: 1.05, rho: 0.5 }, key: keys.stage('rotate', 0) },
        { op: 'project' as const, params: { k: Math.max(1, Math.round(frame.d / 2)) }, key: keys.stage('project', 1) },
      ],
    };
    const rows = { rows: batch.rows, rowBase: ROW_BASE, rowStride: 1 };
    const onGpu = await (await new GpuEngine(gpu, batch.rows).createPipeline(plan)).run(batch.numeric, rows);
    const onCpu = await (await new CpuEngine().createPipeline(plan)).run(batch.numeric, rows);
    expect(stepDifferences(frame, batch.rows, onGpu, onCpu), c.name).toSatisfy(withinStepTolerance);
  });
});

interface StepDifferences {
  cells: number;
  differing: number;
  /** Largest difference in steps of the column's decimals (or table entries). */
  largestSteps: number;
}

/** Compares back-mapped values cell by cell after formatting, in output steps. */
function stepDifferences(frame: LoadedFrame, rows: number, a: Float32Array, b: Float32Array): StepDifferences {
  let differing = 0;
  let largestSteps = 0;
  frame.frame.columns.forEach((column, j) => {
    const formatter = new ColumnFormatter(column);
    const step = 10 ** -column.decimals;
    for (let r = 0; r < rows; r++) {
      const pa = a[j * rows + r];
      const pb = b[j * rows + r];
      if (column.marginal.kind === 'table') {
        const steps = Math.abs(Math.round(pa) - Math.round(pb));
        if (steps > 0) differing++;
        largestSteps = Math.max(largestSteps, steps);
      } else {
        const steps = Math.round(Math.abs(formatter.snap(formatter.value(pa)) - formatter.snap(formatter.value(pb))) / step);
        if (steps > 0) differing++;
        largestSteps = Math.max(largestSteps, steps);
      }
    }
  });
  return { cells: frame.d * rows, differing, largestSteps };
}

/** At most 0.1% of back-mapped cells differ, each by one step. */
function withinStepTolerance(s: StepDifferences): boolean {
  return s.differing <= 0.001 * s.cells && s.largestSteps <= 1;
}
