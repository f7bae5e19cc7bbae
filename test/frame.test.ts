import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { parseFrame } from '../src/frame/frame.js';
import { DEFAULT_FIT_OPTIONS } from '../src/frame/fit.js';
import { DEFAULT_LATENT_OPTIONS, tieAttenuation } from '../src/frame/latent.js';
import { fitMarginal, type Marginal } from '../src/frame/marginal.js';
import { QuantileSketch } from '../src/frame/quantiles.js';
import { packMarginals } from '../src/frame/tables.js';
import { cellInterval } from '../src/reference/marginal_lookup.js';
import { decimalsOf } from '../src/io/batch.js';
import { csvFileTable } from '../src/node/jobs.js';
import { fitTable } from '../src/pipeline/jobs.js';
import { truncatedMoments } from '../src/stats/normal.js';
import { DIABETES_SAMPLE, DIABETES_SCHEMA, fitFixture, loadSchema, quietContext, testKeys } from './helpers/fixtures.js';
import { SEED, writeSyntheticTable } from './helpers/synthetic.js';

function source(values: number[]): QuantileSketch {
  const q = new QuantileSketch();
  for (const v of values) q.add(v);
  return q;
}

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'geomask-frame-')), name);
  writeFileSync(path, text);
  return path;
}

describe('marginals', () => {
  it('merge rare tail values of a table into their neighbour', () => {
    const values = [...Array(3).fill(0), ...Array(200).fill(1), ...Array(300).fill(2), ...Array(9).fill(7)];
    const m = fitMarginal(source(values)) as Extract<Marginal, { kind: 'table' }>;
    expect(m.kind).toBe('table');
    expect(m.values).toEqual([1, 2]);
    expect(m.cumulative[0]).toBeCloseTo(203 / 512, 12);
    expect(m.cumulative[1]).toBe(1);
  });

  it('winsorize knots so observed extremes are not kept', () => {
    const values = Array.from({ length: 5000 }, (_, i) => i * 0.37 + (i === 4999 ? 1e6 : 0));
    const m = fitMarginal(source(values)) as Extract<Marginal, { kind: 'knots' }>;
    expect(m.kind).toBe('knots');
    expect(m.knots).toHaveLength(1025);
    expect(m.knots[0]).toBeGreaterThan(0);
    expect(m.knots[1024]).toBeLessThan(4998 * 0.37);
    for (let i = 1; i < m.knots.length; i++) expect(m.knots[i]).toBeGreaterThanOrEqual(m.knots[i - 1]);
    // τ = max(1/1000, 10/n) = 0.002 here, so the first knots repeat as a tie.
    expect(m.knots[0]).toBe(m.knots[2]);
  });

  it('read decimals from the input text', () => {
    expect(decimalsOf('12')).toBe(0);
    expect(decimalsOf('1.50')).toBe(2);
    expect(decimalsOf('2e-3')).toBe(3);
    expect(decimalsOf('1.25e1')).toBe(1);
    expect(decimalsOf('0.1234567891')).toBe(6);
  });

  it('attenuate tied columns as Σ p_b m_b²', () => {
    const table: Marginal = { kind: 'table', values: [0, 1, 2], cumulative: [0.5, 0.8, 1] };
    const bounds = [-Infinity, 0, 0.8416212335729143, Infinity];
    let expected = 0;
    [0.5, 0.3, 0.2].forEach((p, b) => (expected += p * truncatedMoments(bounds[b], bounds[b + 1]).mean ** 2));
    expect(tieAttenuation(table)).toBeCloseTo(expected, 6);
  });
});

describe('packed marginals', () => {
  const knots = [1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5];
  const marginal: Marginal = { kind: 'knots', knots, tail: 0.001 };
  const tables = packMarginals([marginal]);
  const size = knots.length;

  it('store the last index of each run of equal knots', () => {
    const runEnds = Array.from(tables.data.subarray(2 * size, 3 * size));
    expect(runEnds).toEqual([2, 2, 2, 3, 5, 5, 6, 10, 10, 10, 10]);
  });

  it('give a tied knot the scores of its whole run', () => {
    const score = (i: number): number => tables.data[size + i];
    const out = { lo: 0, hi: 0 };
    cellInterval(tables, 0, 3, out);
    expect(out.lo).toBe(score(4));
    expect(out.hi).toBe(score(5));
    cellInterval(tables, 0, 5, out);
    expect(out.lo).toBe(score(7));
    expect(out.hi).toBe(Infinity);
    cellInterval(tables, 0, 1, out);
    expect(out.lo).toBe(-Infinity);
    expect(out.hi).toBe(score(2));
  });
});

describe('latent correlation rounds', () => {
  async function fitLog(maxRounds: number, tolerance: number): Promise<{ lines: string[]; rounds: number }> {
    const lines: string[] = [];
    const context = { ...quietContext(), log: (line: string) => lines.push(line) };
    const options = { ...DEFAULT_FIT_OPTIONS, latent: { ...DEFAULT_LATENT_OPTIONS, maxRounds, tolerance } };
    const { frame } = await fitTable(context, csvFileTable(DIABETES_SAMPLE), await loadSchema(DIABETES_SCHEMA), testKeys(), options);
    return { lines, rounds: frame.latent.rounds };
  }

  it('log when the round limit stops them', async () => {
    const { lines, rounds } = await fitLog(2, 0);
    expect(rounds).toBe(2);
    expect(lines.at(-1)).toMatch(/^latent correlation: stopped at the limit of 2 rounds with largest change 0\.\d{4}, above the tolerance 0$/);
  });

  it('stop without that line once settled', async () => {
    const { lines, rounds } = await fitLog(5, 1);
    expect(rounds).toBe(1);
    expect(lines.some((line) => line.includes('stopped at the limit'))).toBe(false);
  });
});

describe('frame fit', () => {
  it('recovers the latent correlation of tied, missing and continuous columns', async () => {
    const { path, schema } = writeSyntheticTable(20000, SEED, 0.6);
    const frame = await fitFixture(path, schema);
    const r = frame.latent.correlation;
    // Columns are lab, count, age, score, partial: neighbours have latent correlation 0.6.
    for (let j = 0; j < 4; j++) expect(Math.abs(r[j][j + 1] - 0.6), `columns ${j}, ${j + 1} (seed ${SEED})`).toBeLessThan(0.05);
    expect(Math.abs(r[0][2] - 0.36), `columns 0, 2 (seed ${SEED})`).toBeLessThan(0.05);
  });

  it('keeps no observed minimum or maximum of a continuous column', async () => {
    const { path, schema } = writeSyntheticTable(3000, SEED + 1);
    const frame = await fitFixture(path, schema);
    const text = JSON.stringify(frame);
    const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
    const lab = lines.map((l) => Number(l.split(',')[1]));
    const min = Math.min(...lab);
    const max = Math.max(...lab);
    const column = frame.columns.find((c) => c.name === 'lab')!;
    expect(column.min).toBeGreaterThan(min);
    expect(column.max).toBeLessThan(max);
    expect(text).not.toMatch(new RegExp(`[\\[,:]${max.toFixed(2)}[,\\]]`));
  });

  it('round-trips through JSON', async () => {
    const frame = await fitFixture(DIABETES_SAMPLE, await loadSchema(DIABETES_SCHEMA));
    const parsed = parseFrame(JSON.stringify(frame), 'frame.json');
    expect(parsed.columns.map((c) => c.name)).toEqual(frame.columns.map((c) => c.name));
    expect(parsed.latent.cholesky).toEqual(frame.latent.cholesky);
    expect(frame.columns.map((c) => c.decimals)).toEqual(Array(8).fill(0));
    expect(frame.columns.find((c) => c.name === 'time_in_hospital')).toMatchObject({ min: 1, max: 14, unit: 'days' });
  });

  it('rejects columns that are copies of each other', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${(i * 7919) % 1000 / 10},${(i * 7919) % 1000 / 10},${i % 17}`);
    const path = writeTemp('copies.csv', `a,b,c\n${rows.join('\n')}\n`);
    const schema = { format: 'ehr-geomask-schema' as const, version: 1 as const, missing_tokens: [''], columns: ['a', 'b', 'c'].map((name) => ({ name, role: 'numeric' as const })) };
    await expect(fitFixture(path, schema)).rejects.toThrow(/"a" and "b" are copies/);
  });

  it('rejects fewer than max(50, 2d) rows', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i * 13) % 7}`);
    const path = writeTemp('few.csv', `a,b\n${rows.join('\n')}\n`);
    const schema = { format: 'ehr-geomask-schema' as const, version: 1 as const, missing_tokens: [''], columns: ['a', 'b'].map((name) => ({ name, role: 'numeric' as const })) };
    const failure = fitFixture(path, schema);
    await expect(failure).rejects.toBeInstanceOf(InputError);
    await expect(failure).rejects.toThrow(/at least max\(50, 2d\) = 50 rows .* has 40/);
  });
});
