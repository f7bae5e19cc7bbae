import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DateShifter, isIsoDate } from '../src/pipeline/dates.js';
import { CategoryCounter, OTHER, PramColumn } from '../src/pipeline/pram.js';
import { RowStream } from '../src/prf/stream.js';
import { geomask, tempFolder } from './helpers/cli.js';
import { testKeys } from './helpers/fixtures.js';
import { column, readRowMap, readTable } from './helpers/release.js';
import { rng, SEED } from './helpers/synthetic.js';

describe('invariant PRAM', () => {
  const counter = new CategoryCounter();
  const shares: Record<string, number> = { A: 5000, B: 3000, C: 1990, rare1: 6, rare2: 4 };
  for (const [category, count] of Object.entries(shares)) for (let i = 0; i < count; i++) counter.add(category);
  const marginal = counter.marginal('colour');

  it('merges categories held by fewer than 10 rows into other', () => {
    expect(marginal.categories).toEqual(['A', 'B', 'C', OTHER]);
    expect(marginal.counts).toEqual([5000, 3000, 1990, 10]);
  });

  it('keeps the marginal and keeps a value with probability keep', () => {
    const pram = new PramColumn(marginal, 0.8, 0);
    const stream = new RowStream(testKeys().stage('pram', 0));
    const released = new Map<string, number>();
    let kept = 0;
    const n = 50000;
    const random = rng(SEED);
    for (let r = 0; r < n; r++) {
      stream.seek(r);
      const u = random() * 10000;
      const value = u < 5000 ? 'A' : u < 8000 ? 'B' : u < 9990 ? 'C' : 'rare1';
      const out = pram.apply(value, stream);
      released.set(out, (released.get(out) ?? 0) + 1);
      if (out === (value === 'rare1' ? OTHER : value)) kept++;
    }
    // Kept: 0.8 plus the replacements that land on the same category.
    const expectedKept = 0.8 + 0.2 * (0.5 ** 2 + 0.3 ** 2 + 0.199 ** 2 + 0.001 ** 2);
    expect(Math.abs(kept / n - expectedKept)).toBeLessThan(0.01);
    expect(Math.abs((released.get('A') ?? 0) / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs((released.get('B') ?? 0) / n - 0.3)).toBeLessThan(0.01);
    expect(released.has('rare1')).toBe(false);
  });
});

describe('per-patient date shifting', () => {
  const shifter = new DateShifter(new Uint8Array(32).fill(7), 182, false);

  it('moves all dates of a patient by the same whole days within ±182', () => {
    const offsets = new Set<number>();
    for (let p = 0; p < 200; p++) {
      const offset = shifter.offsetDays(`patient:${p}`);
      expect(Math.abs(offset)).toBeLessThanOrEqual(182);
      expect(shifter.offsetDays(`patient:${p}`)).toBe(offset);
      offsets.add(offset);
    }
    expect(offsets.size).toBeGreaterThan(100);
    const where = { file: 'x.csv' };
    expect(shifter.shift('2024-02-28', 2, where)).toBe('2024-03-01');
    expect(shifter.shift('2023-12-31 08:15', 1, where)).toBe('2024-01-01 08:15');
  });

  it('shifts by whole weeks when asked', () => {
    const weeks = new DateShifter(new Uint8Array(32).fill(9), 182, true);
    for (let p = 0; p < 50; p++) expect(Math.abs(weeks.offsetDays(`patient:${p}`) % 7)).toBe(0);
  });

  it('recognises ISO dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('03/01/2024')).toBe(false);
  });
});

describe('roles end to end', () => {
  it('keeps intervals within a patient, pseudonymizes ids and honours sentinels', async () => {
    const folder = tempFolder();
    const random = rng(SEED + 1);
    const lines = ['mrn,patient,admitted,discharged,lab,score,ward'];
    for (let r = 0; r < 400; r++) {
      const patient = `P${Math.floor(r / 4)}`;
      const day = 1 + Math.floor(random() * 20);
      const lab = r % 37 === 0 ? '-1' : (3 + random() * 4).toFixed(1);
      lines.push(`M${r},${patient},2024-03-${String(day).padStart(2, '0')},2024-04-${String(day).padStart(2, '0')},${lab},${Math.floor(random() * 9)},${['north', 'south'][r % 2]}`);
    }
    writeFileSync(join(folder, 'd.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(folder, 's.json'), JSON.stringify({
      format: 'ehr-geomask-schema',
      version: 1,
      missing_tokens: [''],
      patient: 'patient',
      columns: [
        { name: 'mrn', role: 'identifier', pseudonymize: true },
        { name: 'patient', role: 'identifier' },
        { name: 'admitted', role: 'date' },
        { name: 'discharged', role: 'date' },
        { name: 'lab', role: 'numeric', sentinels: [-1] },
        { name: 'score', role: 'numeric' },
        { name: 'ward', role: 'categorical' },
      ],
    }));
    const result = await geomask(['transform', join(folder, 'd.csv'), '--schema', join(folder, 's.json'), '--out', join(folder, 'r.csv'), '--row-map', join(folder, 'm.csv'), '--ops', 'rotate(theta=pi/3..pi/2)', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const input = readTable(join(folder, 'd.csv'));
    const output = readTable(join(folder, 'r.csv'));
    const map = readRowMap(join(folder, 'm.csv'));
    expect(output.header).toEqual(['mrn', 'admitted', 'discharged', 'lab', 'score', 'ward']);

    const day = (text: string) => Date.parse(text) / 86_400_000;
    const mrnIn = column(input, 'mrn');
    const mrnOut = column(output, 'mrn');
    const shiftOfPatient = new Map<string, number>();
    map.forEach((source, o) => {
      const patient = input.rows[source][1];
      const shift = day(column(output, 'admitted')[o]) - day(column(input, 'admitted')[source]);
      expect(Number.isInteger(shift)).toBe(true);
      if (shiftOfPatient.has(patient)) expect(shift).toBe(shiftOfPatient.get(patient));
      shiftOfPatient.set(patient, shift);
      // The stay's length is kept.
      expect(day(column(output, 'discharged')[o]) - day(column(output, 'admitted')[o])).toBe(day(column(input, 'discharged')[source]) - day(column(input, 'admitted')[source]));
      expect(mrnOut[o]).toMatch(/^[0-9a-f]{16}$/);
      expect(mrnOut[o]).not.toBe(mrnIn[source]);
      // A sentinel is missing: it stays as written; other cells are transformed values.
      if (column(input, 'lab')[source] === '-1') expect(column(output, 'lab')[o]).toBe('-1');
      else expect(column(output, 'lab')[o]).not.toBe('-1');
    });
    expect(new Set(shiftOfPatient.values()).size).toBeGreaterThan(10);
  });
});
