import { describe, expect, it } from 'vitest';
import { missingnessLinkage, PatternIds, uniqueness } from '../src/evaluate/attacks/missingness.js';
import { recordLinkage } from '../src/evaluate/attacks/linkage.js';
import { FilteredTable } from '../src/evaluate/filtered_table.js';
import { attributeRisk, wilsonInterval } from '../src/evaluate/intervals.js';
import { RidgeFit, predict } from '../src/evaluate/least_squares.js';
import { fitLogistic, logisticScores } from '../src/evaluate/logistic.js';
import { nearestNeighbours, QUERY_TILE_ROWS } from '../src/evaluate/neighbours.js';
import { rocAuc, rocCurve, tprAtFpr } from '../src/evaluate/roc.js';
import type { EvalRows } from '../src/evaluate/rows.js';
import { embed, standardizer } from '../src/evaluate/space.js';
import { KeyedSplit } from '../src/evaluate/split.js';
import { histogramBins, histogramShares, matrixDifference } from '../src/evaluate/utility.js';
import { CpuEngine } from '../src/engine/cpu.js';
import { csvText } from '../src/io/table.js';
import { knnReference } from '../src/reference/knn.js';
import { gaussian, rng, SEED } from './helpers/synthetic.js';

const random = rng(SEED);

/** AUC by comparing every pair, ties counted one half. */
function bruteAuc(positive: number[], negative: number[]): number {
  let wins = 0;
  for (const p of positive) {
    for (const n of negative) {
      if (p > n) wins += 1;
      else if (p === n) wins += 0.5;
    }
  }
  return wins / (positive.length * negative.length);
}

function rows(numeric: number[][], text: number[][] = []): EvalRows {
  const d = numeric[0].length;
  return { count: numeric.length, d, numeric: Float64Array.from(numeric.flat()), text: text.map((t) => Int32Array.from(t)) };
}

describe(`ROC measures (seed ${SEED})`, () => {
  it('AUC matches pairwise counting with ties', () => {
    const positive = Array.from({ length: 200 }, () => Math.round(gaussian(random) * 3 + 1));
    const negative = Array.from({ length: 150 }, () => Math.round(gaussian(random) * 3));
    expect(rocAuc(positive, negative)).toBeCloseTo(bruteAuc(positive, negative), 12);
  });

  it('AUC is 1, 0.5 and 0 at the extremes', () => {
    expect(rocAuc([2, 3], [0, 1])).toBe(1);
    expect(rocAuc([1, 1], [1, 1])).toBe(0.5);
    expect(rocAuc([0], [1, 2])).toBe(0);
  });

  it('TPR at 1% FPR flags no more than 1% of negatives', () => {
    const negative = Array.from({ length: 1000 }, (_, i) => i);
    const positive = [995, 990.5, 989, 500];
    // The threshold is the 11th highest negative (989); only scores above it count.
    expect(tprAtFpr(positive, negative, 0.01)).toBe(0.5);
  });

  it('ROC curve runs from (0, 0) to (1, 1) and rises', () => {
    const curve = rocCurve([3, 2, 2, 1], [2, 1, 0]);
    expect(curve.fpr[0]).toBe(0);
    expect(curve.tpr[0]).toBe(0);
    expect(curve.fpr.at(-1)).toBe(1);
    expect(curve.tpr.at(-1)).toBe(1);
    for (let i = 1; i < curve.fpr.length; i++) expect(curve.fpr[i]).toBeGreaterThanOrEqual(curve.fpr[i - 1]);
  });
});

describe('intervals', () => {
  it('Wilson interval matches a published value', () => {
    // 8 of 10: Wilson 95% interval (0.4902, 0.9433), Agresti and Coull (1998).
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 3);
    expect(high).toBeCloseTo(0.9433, 3);
  });

  it('attribute risk is (t − c)/(1 − c) with a delta-method interval', () => {
    const { risk, interval } = attributeRisk(600, 1000, 400, 1000);
    expect(risk).toBeCloseTo((0.6 - 0.4) / 0.6, 12);
    expect(interval.low).toBeLessThan(risk);
    expect(interval.high).toBeGreaterThan(risk);
    // Standard errors √(pq/n) = 0.0155 for both rates: √((0.0155/0.6)² + (0.0155 · 0.4/0.36)²) = 0.0310.
    expect((interval.high - interval.low) / (2 * 1.96)).toBeCloseTo(0.031, 3);
  });

  it('attribute risk is undefined when controls always succeed', () => {
    expect(attributeRisk(10, 10, 10, 10).risk).toBeNaN();
  });
});

describe('keyed split', () => {
  const key = Uint32Array.of(1, 2, 3, 4, 5, 6, 7, SEED);

  it('holds back about the share asked for', () => {
    const split = new KeyedSplit(key, 0.2);
    let controls = 0;
    for (let i = 0; i < 20000; i++) if (split.isControlPatient(`P${i}`)) controls++;
    expect(Math.abs(controls / 20000 - 0.2)).toBeLessThan(0.015);
  });

  it('puts every row of a patient on one side', () => {
    const split = new KeyedSplit(key, 0.5);
    const filter = split.filter('who', 'controls')(['who', 'x']);
    for (let i = 0; i < 100; i++) expect(filter([`P${i % 7}`, '1'], i)).toBe(split.isControlPatient(`P${i % 7}`));
  });

  it('changes with the key', () => {
    const a = new KeyedSplit(key, 0.5);
    const b = new KeyedSplit(Uint32Array.of(9, 2, 3, 4, 5, 6, 7, SEED), 0.5);
    let same = 0;
    for (let i = 0; i < 1000; i++) if (a.isControlRow(i) === b.isControlRow(i)) same++;
    expect(same).toBeGreaterThan(400);
    expect(same).toBeLessThan(600);
  });
});

describe('filtered table', () => {
  it('keeps the chosen rows, numbered from 0, with their lines', async () => {
    const text = 'id,x\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * 10}`).join('\n') + '\n';
    const table = new FilteredTable('t.csv', csvText('t.csv', text), () => (record) => Number(record[0]) % 3 === 0);
    const seen: { firstRow: number; records: string[][]; lines: number[] }[] = [];
    for await (const { batch } of table.open(4).records()) seen.push({ firstRow: batch.firstRow, records: batch.records, lines: Array.from(batch.lines ?? []) });
    expect(seen.flatMap((b) => b.records.map((r) => r[0]))).toEqual(['0', '3', '6', '9']);
    // Each source batch of 4 rows keeps 2, 1 and 1 of them.
    expect(seen.map((b) => b.firstRow)).toEqual([0, 2, 3]);
    expect(seen.flatMap((b) => b.lines)).toEqual([2, 5, 8, 11]);
  });
});

describe('distance space', () => {
  it('standardizes numbers, puts missing at the mean and counts mismatches as 1/C', () => {
    const data = rows([[1, 10], [3, NaN], [5, 30]], [[0, 1, 1], [2, 2, 0]]);
    const scale = standardizer(data);
    expect(scale.mean[1]).toBe(20);
    const spec = { numeric: [0, 1], categorical: [{ column: 0, size: 2 }, { column: 1, size: 3 }] };
    const x = embed(data, spec, scale);
    const dims = 2 + 5;
    expect(x[dims + 1]).toBe(0);
    const squared = (a: number, b: number) => {
      let s = 0;
      for (let j = 0; j < dims; j++) s += (x[a * dims + j] - x[b * dims + j]) ** 2;
      return s;
    };
    // Column 0 has SD 2 and column 1 SD 10√2, so neighbours differ by 1 and 1/√2 SD.
    // Rows 1 and 2 also differ in one of the C = 2 categorical columns (1/C = 0.5).
    expect(squared(1, 2)).toBeCloseTo(1 + 0.5 + 0.5, 5);
    // Rows 0 and 2 differ in both categorical columns (2/C = 1).
    expect(squared(0, 2)).toBeCloseTo(4 + 2 + 1, 5);
  });
});

describe('nearest neighbours in tiles', () => {
  it('returns what one reference call returns', async () => {
    const d = 3;
    const queryCount = QUERY_TILE_ROWS + 37;
    const candidateCount = 60;
    const queries = Float32Array.from({ length: queryCount * d }, () => gaussian(random));
    const candidates = Float32Array.from({ length: candidateCount * d }, () => Math.round(gaussian(random) * 2) / 2);
    const tiled = await nearestNeighbours(new CpuEngine(), { queries, queryCount, candidates, candidateCount, d, k: 5 });
    const whole = knnReference({ queries, queryCount, candidates, candidateCount, d, k: 5 });
    expect(Array.from(tiled.indices)).toEqual(Array.from(whole.indices));
  });

  it('links a row to itself when the release equals the input', async () => {
    const points = Float32Array.from([0, 0, 5, 5, 10, 0, 0, 10]);
    const result = await recordLinkage(new CpuEngine(), points, points, 2, Int32Array.of(0, 1, 2, 3));
    expect(result.accuracy).toBe(1);
    expect(result.chance).toBe(0.25);
  });
});

describe('missingness and uniqueness', () => {
  it('missingness linkage is 1/g for g rows sharing the pattern', () => {
    const targets = rows([[1, NaN], [2, 3], [4, 5], [NaN, NaN]]);
    const ids = new PatternIds();
    const tp = ids.of(targets);
    const rp = ids.of(targets);
    const result = missingnessLinkage(tp, rp, Int32Array.of(0, 1, 2, 3), [0, 1, 2, 3]);
    expect(result.accuracy).toBeCloseTo((1 + 0.5 + 0.5 + 1) / 4, 12);
    expect(result.top5).toBe(1);
  });

  it('uniqueness counts rows whose tuple occurs once', () => {
    const data = rows([[0], [0], [0], [0]], [[0, 0, 1, 2], [1, 1, 1, 1]]);
    const result = uniqueness(['a', 'b'], data, data, [0, 1]);
    expect(result.input).toBe(0.5);
    expect(result.inputTuples).toBe(3);
  });
});

describe('regressions', () => {
  it('ridge least squares recovers a linear map', () => {
    const fit = new RidgeFit(2);
    for (let i = 0; i < 200; i++) {
      const x = [gaussian(random), gaussian(random)];
      fit.add(x, 2 * x[0] - 3 * x[1] + 0.5);
    }
    const beta = fit.solve(1e-9);
    expect(predict(beta, [1, 1])).toBeCloseTo(-0.5, 6);
  });

  it('logistic regression recovers its coefficients', () => {
    const n = 20000;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = gaussian(random);
      x[2 * i + 1] = gaussian(random);
      const eta = 1.5 * x[2 * i] - 1 * x[2 * i + 1] - 0.5;
      y[i] = random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    const beta = fitLogistic(x, y, 2, 1e-6);
    expect(beta[0]).toBeCloseTo(1.5, 0);
    expect(beta[1]).toBeCloseTo(-1, 0);
    expect(beta[2]).toBeCloseTo(-0.5, 0);
    const scores = logisticScores(beta, x, 2);
    expect(scores[0]).toBeCloseTo(beta[0] * x[0] + beta[1] * x[1] + beta[2], 12);
  });
});

describe('utility helpers', () => {
  it('histogram shares sum to one and put one value per discrete bin', () => {
    const data = rows([[1], [2], [2], [3], [NaN]]);
    const [bins] = histogramBins(['x'], data);
    expect(bins.discrete).toBe(true);
    const shares = histogramShares(bins, Float64Array.of(1, 2, 2, 3, NaN));
    expect(shares).toEqual([0.25, 0.5, 0.25]);
  });

  it('matrix difference reports max and Frobenius norms', () => {
    const result = matrixDifference([[1, 0.5], [0.5, 1]], [[1, 0.2], [0.2, 1]]);
    expect(result.max).toBeCloseTo(0.3, 12);
    expect(result.frobenius).toBeCloseTo(Math.sqrt(2 * 0.09), 12);
  });
});
