import { beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable, type SettingReport } from '../src/evaluate/report.js';
import type { LinkageResult } from '../src/evaluate/attacks/linkage.js';
import { TableEvaluation } from '../src/evaluate/evaluate.js';
import { sampleFromFrame } from '../src/evaluate/resample.js';
import { selectRows, type EvalRows } from '../src/evaluate/rows.js';
import { loadFrame } from '../src/frame/frame.js';
import { csvFileTable } from '../src/node/jobs.js';
import { keyedPermutation } from '../src/pipeline/order.js';
import { lowProfileThetaMin } from '../src/pipeline/operators.js';
import { RowStream } from '../src/prf/stream.js';
import { writeCohortTable } from './helpers/cohort.js';
import { quietContext, testKeys } from './helpers/fixtures.js';
import { SEED } from './helpers/synthetic.js';

function linked(result: LinkageResult | { unavailable: string }): LinkageResult {
  if (isUnavailable(result)) throw new Error(result.unavailable);
  return result;
}

/** Builds the release that keeps every row exactly, in a keyed random order. */
function identityRelease(targets: EvalRows): { release: EvalRows; sourceRows: Int32Array } {
  const order = Int32Array.from(keyedPermutation(targets.count, 0, Uint32Array.of(1, 2, 3, 4, 5, 6, 7, SEED)));
  return { release: selectRows(targets, order), sourceRows: order };
}

/**
 * Draws a release from the frame with no row information: values from the copula,
 * missing cells and categories drawn independently of everything else. Row i is paired
 * with target i only nominally.
 */
function independentResample(evaluation: TableEvaluation): { release: EvalRows; sourceRows: Int32Array } {
  const frame = loadFrame(evaluation.frame);
  const { targets } = evaluation.data;
  const n = targets.count;
  const numeric = sampleFromFrame(frame, n, Uint32Array.of(9, 8, 7, 6, 5, 4, 3, SEED));
  const stream = new RowStream(Uint32Array.of(3, 1, 4, 1, 5, 9, 2, SEED));
  for (let i = 0; i < n; i++) {
    stream.seek(i);
    frame.frame.columns.forEach((column, j) => {
      if (stream.uniform(j) < column.missingShare) numeric[i * frame.d + j] = NaN;
    });
  }
  const text = targets.text.map((codes, k) => {
    const order = keyedPermutation(n, 0, Uint32Array.of(k, 7, 7, 7, 7, 7, 7, SEED));
    return Int32Array.from(order, (i) => codes[i]);
  });
  return { release: { count: n, d: frame.d, numeric, text }, sourceRows: Int32Array.from({ length: n }, (_, i) => i) };
}

describe(`evaluator attacks on a synthetic cohort (seed ${SEED})`, () => {
  let evaluation: TableEvaluation;
  let identity: SettingReport;
  let frameOnly: SettingReport;
  let resample: SettingReport;
  let rotated: SettingReport;

  beforeAll(async () => {
    const { path, schema } = writeCohortTable(2000, SEED);
    evaluation = await TableEvaluation.prepare(quietContext(), csvFileTable(path), schema, testKeys('cohort'), { controlShare: 0.2, calibrationRows: 3000, target: { column: 'outcome', positive: 'yes' } });
    identity = await evaluation.measure({ label: 'identity', operators: [], ...identityRelease(evaluation.data.targets) });
    frameOnly = await evaluation.measure({ label: 'frame only', operators: [], ...(await evaluation.release([])) });
    resample = await evaluation.measure({ label: 'resample', operators: [], ...independentResample(evaluation) });
    const d = evaluation.frame.columns.length;
    const operators = [{ op: 'rotate' as const, thetaMin: lowProfileThetaMin(d), thetaMax: Math.PI / 2, rho: 0.5 }];
    rotated = await evaluation.measure({ label: 'rotate', operators, ...(await evaluation.release(operators)) });
  });

  it('splits by patient with about a fifth held back', () => {
    const { targets, controls } = evaluation.data;
    const targetPatients = new Set(targets.patient);
    expect(controls.patient!.every((p) => !targetPatients.has(p))).toBe(true);
    expect(controls.count / (targets.count + controls.count)).toBeGreaterThan(0.15);
    expect(controls.count / (targets.count + controls.count)).toBeLessThan(0.25);
  });

  it('links nearly every row of the identity release', () => {
    expect(linked(identity.privacy.linkage.numeric).accuracy).toBeGreaterThanOrEqual(0.95);
    expect(linked(identity.privacy.linkage.quasiIdentifiers).accuracy).toBeGreaterThanOrEqual(0.95);
    const aware = identity.privacy.linkage.aware;
    if (isUnavailable(aware)) throw new Error(aware.unavailable);
    expect(aware.numeric.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(aware.withCategoricalAndMissingness.accuracy).toBeGreaterThanOrEqual(aware.numeric.accuracy);
  });

  it('tells members of the identity release apart', () => {
    expect(identity.privacy.membership.unit).toBe('patient');
    expect(identity.privacy.membership.auc).toBeGreaterThanOrEqual(0.9);
    expect(identity.privacy.membership.tprAt1PercentFpr).toBeGreaterThan(0.5);
  });

  it('infers the outcome of identity targets, not of controls', () => {
    const outcome = identity.privacy.attribute.find((a) => a.column === 'outcome')!;
    expect(outcome.kind).toBe('categorical');
    expect(outcome.neighbours[0].targets.rate).toBe(1);
    expect(outcome.neighbours[0].risk).toBeGreaterThanOrEqual(0.95);
    const stay = identity.privacy.attribute.find((a) => a.column === 'stay')!;
    expect(stay.kind).toBe('numeric');
    expect(stay.neighbours[0].targets.rate).toBe(1);
  });

  it('reconstructs the identity release exactly', () => {
    const r = identity.privacy.reconstruction;
    if (isUnavailable(r)) throw new Error(r.unavailable);
    expect(r.naive.meanRmseOverSd).toBeLessThan(1e-9);
    expect(r.naive.meanWithin01Sd).toBe(1);
    expect(r.bestLinear.meanRmseOverSd).toBeLessThan(0.05);
  });

  it('links the frame-only release like the identity', () => {
    expect(linked(frameOnly.privacy.linkage.numeric).accuracy).toBeGreaterThanOrEqual(0.9);
    expect(frameOnly.privacy.membership.auc).toBeGreaterThanOrEqual(0.9);
  });

  it('links the independent resample at chance', () => {
    for (const result of [resample.privacy.linkage.numeric, resample.privacy.linkage.quasiIdentifiers]) {
      const linkage = linked(result);
      expect(linkage.accuracy).toBeLessThanOrEqual(10 * linkage.chance);
      expect(linkage.top5).toBeLessThanOrEqual(30 * linkage.chance);
    }
    const aware = resample.privacy.linkage.aware;
    if (isUnavailable(aware)) throw new Error(aware.unavailable);
    expect(aware.numeric.accuracy).toBeLessThanOrEqual(10 * aware.numeric.chance);
  });

  it('finds no members in the independent resample', () => {
    const { auc, targets, controls } = resample.privacy.membership;
    // About 4 standard errors of an AUC of 0.5 with these group sizes.
    const bound = 4 * Math.sqrt((1 / 12) * (1 / targets + 1 / controls));
    expect(Math.abs(auc - 0.5)).toBeLessThanOrEqual(bound);
  });

  it('finds no attribute risk in the independent resample', () => {
    for (const attribute of resample.privacy.attribute) {
      for (const n of attribute.neighbours) {
        const se = (n.interval.high - n.interval.low) / (2 * 1.96);
        expect(Math.abs(n.risk), `${attribute.column}, ${n.k} neighbours`).toBeLessThanOrEqual(4 * se);
      }
    }
  });

  it('cannot reconstruct the resample', () => {
    const r = resample.privacy.reconstruction;
    if (isUnavailable(r)) throw new Error(r.unavailable);
    expect(r.naive.meanRmseOverSd).toBeGreaterThan(1.2);
    expect(r.bestLinear.meanRmseOverSd).toBeGreaterThan(0.9);
  });

  it('rotation breaks linkage and membership', () => {
    expect(linked(rotated.privacy.linkage.numeric).accuracy).toBeLessThan(0.05);
    expect(rotated.privacy.membership.auc).toBeLessThan(0.6);
    const r = rotated.privacy.reconstruction;
    if (isUnavailable(r)) throw new Error(r.unavailable);
    expect(r.naive.meanRmseOverSd).toBeGreaterThan(0.8);
  });

  it('keeps marginals and reports utility for every release', () => {
    for (const setting of [frameOnly, rotated]) {
      for (const column of setting.utility.columns) expect(column.ks, `${setting.label} ${column.column}`).toBeLessThan(0.1);
      expect(setting.utility.correlation.spearman.vsInput.max).toBeLessThan(0.15);
      expect(setting.utility.bands.map((b) => b.column)).toEqual(['lab1']);
      const logistic = setting.utility.logistic;
      if (!logistic || isUnavailable(logistic)) throw new Error('logistic regression missing');
      expect(logistic.realAuc).toBeGreaterThan(0.7);
      expect(logistic.releaseAuc).toBeGreaterThan(0.6);
    }
  });
});
