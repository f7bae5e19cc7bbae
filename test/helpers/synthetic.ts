import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Schema } from '../../src/schema/schema.js';

/** Seed of this test run's random data: GEOMASK_TEST_SEED, else fresh; printed in failures. */
export const SEED = Number(process.env.GEOMASK_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator for reproducible test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Writes a synthetic clinical table from a Gaussian copula with correlation rho between
 * neighbouring latent columns: a continuous lab value (2 decimals, lognormal), a count
 * (many ties at 0), an age in whole years, a score with 5 levels, a value with 15%
 * missing cells, and a categorical column. Returns its path and schema.
 */
export function writeSyntheticTable(rows: number, seed: number, rho = 0.6): { path: string; schema: Schema; latent: number[][] } {
  const random = rng(seed);
  const d = 5;
  const latent: number[][] = Array.from({ length: d }, () => new Array<number>(rows));
  const lines = ['id,lab,count,age,score,partial,sex'];
  for (let r = 0; r < rows; r++) {
    let previous = gaussian(random);
    for (let j = 0; j < d; j++) {
      const z = j === 0 ? previous : rho * previous + Math.sqrt(1 - rho * rho) * gaussian(random);
      latent[j][r] = z;
      previous = z;
    }
    const [a, b, c, e, f] = latent.map((column) => column[r]);
    const lab = Math.exp(1 + 0.5 * a).toFixed(2);
    const count = String(Math.max(0, Math.floor(2 * b)));
    const age = String(Math.round(60 + 15 * c));
    const score = String(Math.min(4, Math.max(0, Math.round(2 + e))));
    const partial = random() < 0.15 ? '' : (100 + 10 * f).toFixed(1);
    const sex = random() < 0.5 ? 'F' : 'M';
    lines.push(`P${r},${lab},${count},${age},${score},${partial},${sex}`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'geomask-synthetic-'));
  const path = join(folder, 'synthetic.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const schema: Schema = {
    format: 'ehr-geomask-schema',
    version: 1,
    missing_tokens: [''],
    columns: [
      { name: 'id', role: 'identifier' },
      { name: 'lab', role: 'numeric', unit: 'mmol/L' },
      { name: 'count', role: 'numeric', min: 0 },
      { name: 'age', role: 'numeric', min: 0, max: 120 },
      { name: 'score', role: 'numeric' },
      { name: 'partial', role: 'numeric' },
      { name: 'sex', role: 'categorical', quasi_identifier: true },
    ],
  };
  return { path, schema, latent };
}
