import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { csvText } from '../src/io/table.js';
import { csvFileTable } from '../src/node/jobs.js';
import { inferSchema } from '../src/pipeline/jobs.js';
import { validateSchema } from '../src/schema/schema.js';
import { DIABETES_SAMPLE, HEART_FAILURE } from './helpers/fixtures.js';

describe('schema inference', () => {
  it('finds the roles of the diabetes table', async () => {
    const { schema } = await inferSchema(csvFileTable(DIABETES_SAMPLE), 1000);
    const role = (name: string) => schema.columns.find((c) => c.name === name)?.role;
    expect(role('encounter_id')).toBe('identifier');
    expect(role('patient_nbr')).toBe('identifier');
    expect(schema.patient).toBe('patient_nbr');
    expect(role('admission_type_id')).toBe('categorical');
    expect(role('discharge_disposition_id')).toBe('categorical');
    expect(role('readmitted')).toBe('sensitive');
    expect(role('race')).toBe('categorical');
    const numeric = schema.columns.filter((c) => c.role === 'numeric').map((c) => c.name);
    expect(numeric).toEqual(['time_in_hospital', 'num_lab_procedures', 'num_procedures', 'num_medications', 'number_outpatient', 'number_emergency', 'number_inpatient', 'number_diagnoses']);
    expect(schema.columns.find((c) => c.name === 'gender')?.quasi_identifier).toBe(true);
  });

  it('treats 0/1 columns as flags and outcomes as sensitive', async () => {
    const { schema } = await inferSchema(csvFileTable(HEART_FAILURE), 1000);
    const role = (name: string) => schema.columns.find((c) => c.name === name)?.role;
    expect(role('anaemia')).toBe('categorical');
    expect(role('DEATH_EVENT')).toBe('sensitive');
    expect(role('serum_creatinine')).toBe('numeric');
  });

  it('warns about a typo in a numeric column', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${(12 + (i % 17) / 10).toFixed(1)},${i % 2 ? 'M' : 'F'}`);
    rows[39] = '39,abc,M';
    const table = csvText('lab.csv', `id,hb,sex\n${rows.join('\n')}\n`);
    const { schema, reasons, warnings } = await inferSchema(table, 16);
    expect(schema.columns[1].role).toBe('categorical');
    expect(reasons[1]).toMatch(/99 of 100 values are numbers: "abc" in row 40 \(line 41\) is not/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^column "hb": 99 of 100 values are numbers, but "abc" in row 40 \(line 41\) is not/);
    expect(warnings[0]).toMatch(/Correct the value .* set the column's role to "numeric"/);
  });

  it('does not warn about diagnosis codes', async () => {
    const { warnings } = await inferSchema(csvFileTable(DIABETES_SAMPLE), 1000);
    expect(warnings).toEqual([]);
  });
});

describe('schema validation', () => {
  const header = ['id', 'value'];
  const base = () => ({ format: 'ehr-geomask-schema', version: 1, columns: [{ name: 'id', role: 'identifier' }, { name: 'value', role: 'numeric' }] });

  it('accepts a complete schema', () => {
    expect(validateSchema(base(), 's.json', header).missing_tokens).toContain('?');
  });

  it('rejects an unknown column with the column named', () => {
    const schema = base();
    schema.columns.push({ name: 'weight', role: 'numeric' });
    expect(() => validateSchema(schema, 's.json', header)).toThrow(InputError);
    expect(() => validateSchema(schema, 's.json', header)).toThrow(/s\.json, column "weight": schema names a column that the input does not have/);
  });

  it('rejects min > max', () => {
    const schema = base();
    Object.assign(schema.columns[1], { min: 10, max: 1 });
    expect(() => validateSchema(schema, 's.json', header)).toThrow(/column "value": valid range has min 10 > max 1/);
  });

  it('rejects an unknown role', () => {
    const schema = base();
    schema.columns[1].role = 'secret';
    expect(() => validateSchema(schema, 's.json', header)).toThrow(/unknown role "secret"/);
  });

  it('rejects a header column missing from the schema', () => {
    expect(() => validateSchema(base(), 's.json', [...header, 'extra'])).toThrow(/no entry for input column\(s\): extra/);
  });
});
