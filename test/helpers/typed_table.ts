import * as arrow from 'apache-arrow';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWasm } from '../../src/io/parquet_wasm.js';
import type { Schema } from '../../src/schema/schema.js';
import { gaussian, rng } from './synthetic.js';

const DAY_MS = 86_400_000;

/**
 * A clinical table with the storage types Parquet and Arrow inputs bring: int64 ids, a
 * text patient column, a nullable float64 lab value with 2 decimals, an int32 count, an
 * int64 age, a nullable float32 score, a date32 admission date, a millisecond
 * timestamp, a text sex column and a boolean flag. Latent columns are correlated.
 */
export function typedTable(rows: number, seed: number): arrow.Table {
  const random = rng(seed);
  const id = new BigInt64Array(rows);
  const patient: string[] = [];
  const lab: (number | null)[] = [];
  const count = new Int32Array(rows);
  const age = new BigInt64Array(rows);
  const score: (number | null)[] = [];
  const admitted: (Date | null)[] = [];
  const seenAt: (number | null)[] = [];
  const sex: (string | null)[] = [];
  const flag: boolean[] = [];
  for (let r = 0; r < rows; r++) {
    const a = gaussian(random);
    const b = 0.6 * a + 0.8 * gaussian(random);
    const c = 0.5 * b + 0.87 * gaussian(random);
    id[r] = BigInt(100000 + r);
    patient.push(`P${Math.floor(r / 3)}`);
    lab.push(random() < 0.1 ? null : Math.round(Math.exp(1 + 0.4 * a) * 100) / 100);
    count[r] = Math.max(0, Math.floor(2 * b + 1));
    age[r] = BigInt(Math.round(60 + 12 * c));
    score.push(random() < 0.05 ? null : Math.fround(Math.round((5 + a + c) * 10) / 10));
    const day = 19000 + Math.floor(random() * 700);
    admitted.push(random() < 0.02 ? null : new Date(day * DAY_MS));
    seenAt.push(day * DAY_MS + Math.floor(random() * DAY_MS));
    sex.push(random() < 0.01 ? null : random() < 0.5 ? 'F' : 'M');
    flag.push(random() < 0.3);
  }
  return new arrow.Table({
    id: arrow.makeVector(id),
    patient: arrow.vectorFromArray(patient, new arrow.Utf8()),
    lab: arrow.vectorFromArray(lab, new arrow.Float64()),
    count: arrow.makeVector(count),
    age: arrow.makeVector(age),
    score: arrow.vectorFromArray(score, new arrow.Float32()),
    admitted: arrow.vectorFromArray(admitted, new arrow.DateDay()),
    seen_at: arrow.vectorFromArray(seenAt, new arrow.TimestampMillisecond()),
    sex: arrow.vectorFromArray(sex, new arrow.Utf8()),
    flag: arrow.vectorFromArray(flag, new arrow.Bool()),
  });
}

export const TYPED_SCHEMA: Schema = {
  format: 'ehr-geomask-schema',
  version: 1,
  missing_tokens: [''],
  patient: 'patient',
  columns: [
    { name: 'id', role: 'identifier' },
    { name: 'patient', role: 'identifier', pseudonymize: true },
    { name: 'lab', role: 'numeric', unit: 'mmol/L' },
    { name: 'count', role: 'numeric', min: 0 },
    { name: 'age', role: 'numeric', min: 0, max: 120 },
    { name: 'score', role: 'numeric' },
    { name: 'admitted', role: 'date' },
    { name: 'seen_at', role: 'date' },
    { name: 'sex', role: 'categorical', quasi_identifier: true },
    { name: 'flag', role: 'sensitive' },
  ],
};

/** Writes a table as Parquet with parquet-wasm's one-shot writer, in row groups of `rowGroup` rows. */
export async function writeParquetFile(table: arrow.Table, folder: string, name: string, rowGroup = 1000): Promise<string> {
  const pw = await parquetWasm();
  const path = join(folder, name);
  const properties = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(rowGroup).build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties));
  return path;
}

/** Writes the schema beside the data and returns its path. */
export function writeSchemaFile(schema: Schema, folder: string): string {
  const path = join(folder, 'schema.json');
  writeFileSync(path, JSON.stringify(schema));
  return path;
}
