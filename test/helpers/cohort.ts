import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Schema } from '../../src/schema/schema.js';
import { gaussian, rng } from './synthetic.js';

/**
 * Writes a synthetic cohort for the evaluator, with one to three rows per patient. Its
 * numeric columns are two correlated labs, an age, a count with ties at 0 and a blood
 * pressure missing in about 10% of rows. Sex is a categorical quasi-identifier; the
 * outcome (more likely with a high first lab) and the length of stay are sensitive.
 */
export function writeCohortTable(rows: number, seed: number): { path: string; schema: Schema } {
  const random = rng(seed);
  const lines = ['patient,lab1,lab2,age,visits,bp,sex,outcome,stay'];
  let patient = 0;
  let left = 0;
  for (let r = 0; r < rows; r++) {
    if (left === 0) {
      patient++;
      left = 1 + Math.floor(random() * 3);
    }
    left--;
    const a = gaussian(random);
    const b = 0.7 * a + Math.sqrt(1 - 0.49) * gaussian(random);
    const lab1 = Math.exp(1 + 0.4 * a).toFixed(2);
    const lab2 = (50 + 12 * b).toFixed(1);
    const age = String(Math.round(55 + 15 * gaussian(random)));
    const visits = String(Math.max(0, Math.floor(1.5 * gaussian(random))));
    const bp = random() < 0.1 ? '' : (120 + 15 * (0.5 * a + 0.87 * gaussian(random))).toFixed(0);
    const sex = random() < 0.5 ? 'F' : 'M';
    const outcome = a + gaussian(random) > 1 ? 'yes' : 'no';
    const stay = (3 + 2 * Math.exp(0.5 * gaussian(random))).toFixed(1);
    lines.push(`P${patient},${lab1},${lab2},${age},${visits},${bp},${sex},${outcome},${stay}`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'geomask-cohort-'));
  const path = join(folder, 'cohort.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const schema: Schema = {
    format: 'ehr-geomask-schema',
    version: 1,
    missing_tokens: [''],
    patient: 'patient',
    columns: [
      { name: 'patient', role: 'identifier' },
      { name: 'lab1', role: 'numeric', unit: 'mmol/L', bands: [{ name: 'low', max: 2 }, { name: 'normal', min: 2, max: 4 }, { name: 'high', min: 4 }] },
      { name: 'lab2', role: 'numeric' },
      { name: 'age', role: 'numeric', min: 0, max: 120 },
      { name: 'visits', role: 'numeric', min: 0 },
      { name: 'bp', role: 'numeric' },
      { name: 'sex', role: 'categorical', quasi_identifier: true },
      { name: 'outcome', role: 'sensitive' },
      { name: 'stay', role: 'sensitive' },
    ],
  };
  return { path, schema };
}
