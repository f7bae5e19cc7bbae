import type { Schema } from '../../src/schema/schema.js';

/** Time-series parameters whose `_mean` columns are too sparse (mostly missing) or binary. */
const LEFT_OUT = new Set(['TroponinI', 'Cholesterol', 'TroponinT', 'Albumin', 'ALP', 'ALT', 'AST', 'Bilirubin', 'Lactate', 'MechVent']);

/**
 * Schema of the PhysioNet 2012 per-patient table restricted to 29 numeric columns: the
 * `_mean` of the 27 time-series parameters that are neither sparse nor binary, plus the
 * SAPS-I and SOFA scores (−1 means unknown). Age, Gender and ICUType are categorical
 * quasi-identifiers, the outcome is sensitive, everything else is dropped.
 */
export function physionet29Schema(header: readonly string[]): Schema {
  return {
    format: 'ehr-geomask-schema',
    version: 1,
    missing_tokens: [''],
    columns: header.map((name) => {
      if (name === 'RecordID') return { name, role: 'identifier' as const };
      if (name === 'Age' || name === 'Gender' || name === 'ICUType') return { name, role: 'categorical' as const, quasi_identifier: true };
      if (name === 'In-hospital_death') return { name, role: 'sensitive' as const };
      if (name === 'SAPS-I' || name === 'SOFA') return { name, role: 'numeric' as const, sentinels: [-1], quasi_identifier: true };
      const match = /^(.+)_mean$/.exec(name);
      if (match && !LEFT_OUT.has(match[1])) return { name, role: 'numeric' as const, quasi_identifier: true };
      return { name, role: 'drop' as const };
    }),
  };
}
