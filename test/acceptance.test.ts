import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { correlationMatrix, ksDistance, maxAbsDifference } from '../src/stats/compare.js';
import { geomask, tempFolder } from './helpers/cli.js';
import { DIABETES_FULL, DIABETES_SCHEMA } from './helpers/fixtures.js';
import { column, decimalsIn, readRowMap, readTable } from './helpers/release.js';

const numeric = ['time_in_hospital', 'num_lab_procedures', 'num_procedures', 'num_medications', 'number_outpatient', 'number_emergency', 'number_inpatient', 'number_diagnoses'];

// The full diabetes table (101,766 rows) lives outside the repository, in ../shared/data.
describe.skipIf(!existsSync(DIABETES_FULL))('diabetes encounters, 101,766 rows', () => {
  let folder: string;
  let input: ReturnType<typeof readTable>;
  let inputColumns: number[][];

  beforeAll(async () => {
    folder = tempFolder();
    const fit = await geomask(['fit', DIABETES_FULL, '--schema', DIABETES_SCHEMA, '--out', join(folder, 'frame.json'), '--key-file', join(folder, 'k.key'), '--quiet']);
    expect(fit.code, fit.stderr).toBe(0);
    input = readTable(DIABETES_FULL);
    inputColumns = numeric.map((name) => column(input, name).map(Number));
  });

  it.each([['rotate(theta=0.52..1.05)'], ['project(k=0.5)']])('%s keeps marginals, ranks and meaning', async (ops) => {
    const out = join(folder, 'release.csv');
    const map = join(folder, 'map.csv');
    const result = await geomask(['apply', DIABETES_FULL, '--frame', join(folder, 'frame.json'), '--out', out, '--row-map', map, '--key-file', join(folder, 'k.key'), '--ops', ops, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const output = readTable(out);
    const rowMap = readRowMap(map);
    const schema = JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8'));
    const outputColumns = numeric.map((name) => column(output, name).map(Number));

    numeric.forEach((name, j) => {
      const spec = schema.columns.find((c: { name: string }) => c.name === name);
      const texts = column(output, name);
      expect(texts.every((t) => decimalsIn(t) === 0), `${name} decimals`).toBe(true);
      expect(Math.min(...outputColumns[j]), `${name} min`).toBeGreaterThanOrEqual(spec.min);
      expect(Math.max(...outputColumns[j]), `${name} max`).toBeLessThanOrEqual(spec.max);
      expect(ksDistance(inputColumns[j], outputColumns[j]), `${name} KS`).toBeLessThanOrEqual(0.05);
    });

    const change = maxAbsDifference(correlationMatrix(inputColumns, 'spearman'), correlationMatrix(outputColumns, 'spearman'));
    expect(change).toBeLessThanOrEqual(0.05);

    const equal = rowMap.filter((source, o) => numeric.every((_, j) => inputColumns[j][source] === outputColumns[j][o]));
    expect(equal).toHaveLength(0);

    // Categorical missing cells ("?") stay in place; here race and payer_code have them.
    for (const name of ['race', 'payer_code']) {
      const before = column(input, name);
      const after = column(output, name);
      expect(rowMap.every((source, o) => (before[source] === '?') === (after[o] === '?')), name).toBe(true);
    }
  });

  it('--profile high keeps ranges, decimals, missing cells and marginals', async () => {
    const out = join(folder, 'high.csv');
    const result = await geomask(['apply', DIABETES_FULL, '--frame', join(folder, 'frame.json'), '--out', out, '--key-file', join(folder, 'k.key'), '--profile', 'high', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(folder, 'high.report.json'), 'utf8'));
    expect(report.operators).toEqual(['mix(k=10,alpha=0.5)', 'pram(keep=0.8)']);
    const groups = report.neighbourStages[0].groups;
    expect(groups.minRows).toBeGreaterThanOrEqual(10);
    expect(groups.maxRows).toBeLessThanOrEqual(19);
    // Groups of near neighbours: most of the variance lies between groups, not inside.
    expect(groups.withinGroupVarianceShare).toBeLessThan(0.6);

    const output = readTable(out);
    const schema = JSON.parse(readFileSync(DIABETES_SCHEMA, 'utf8'));
    numeric.forEach((name, j) => {
      const spec = schema.columns.find((c: { name: string }) => c.name === name);
      const cells = column(output, name);
      const values = cells.map(Number);
      expect(cells.every((t) => decimalsIn(t) === 0), `${name} decimals`).toBe(true);
      expect(Math.min(...values), `${name} min`).toBeGreaterThanOrEqual(spec.min);
      expect(Math.max(...values), `${name} max`).toBeLessThanOrEqual(spec.max);
      expect(ksDistance(inputColumns[j], values), `${name} KS`).toBeLessThanOrEqual(0.08);
    });
    // mix hands missingness out with the categorical tuple, so the share of "?" is kept.
    for (const name of ['race', 'payer_code']) {
      const before = column(input, name).filter((t) => t === '?').length;
      const after = column(output, name).filter((t) => t === '?').length;
      expect(after, name).toBe(before);
    }
    // Sensitive values are permuted within groups: their counts are exactly kept.
    const count = (cells: string[]) => [...cells.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<string, number>())].sort();
    expect(count(column(output, 'readmitted'))).toEqual(count(column(input, 'readmitted')));
  });
});

