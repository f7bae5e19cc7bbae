import { InputError } from '../errors.js';
import type { ColumnSchema, Role, Schema } from '../schema/schema.js';
import type { RecordBatch } from './csv_reader.js';

/** Decimals are read from the input text up to this cap. */
export const MAX_DECIMALS = 6;

export interface NumericColumn {
  name: string;
  /** Position in the input header. */
  source: number;
  sentinels: ReadonlySet<number>;
  schema: ColumnSchema;
}

export interface OutputColumn {
  name: string;
  source: number;
  role: Role;
  /** Index among the numeric columns, for role "numeric". */
  numeric?: number;
  pseudonymize: boolean;
}

/** How the columns of one input map onto numeric buffers and output fields. */
export interface ColumnPlan {
  file: string;
  header: string[];
  numeric: NumericColumn[];
  output: OutputColumn[];
  missingTokens: ReadonlySet<string>;
  /** Header position of the patient column, if the schema names one. */
  patient?: number;
  /** Schema entry of the column at a header position. */
  schemaOf(source: number): ColumnSchema;
}

export function planColumns(schema: Schema, header: string[], file: string): ColumnPlan {
  const index = new Map(header.map((name, i) => [name, i]));
  const numeric: NumericColumn[] = [];
  const output: OutputColumn[] = [];
  for (const name of header) {
    const column = schema.columns.find((c) => c.name === name);
    if (!column) {
      throw new InputError(`input column "${name}" is not in the schema`, 'add it to the schema (role "drop" removes it)', { file, column: name });
    }
  }
  for (const column of schema.columns) {
    const source = index.get(column.name);
    if (source === undefined) {
      throw new InputError('schema names a column that the input does not have', `remove it from the schema or fix its name; the input has: ${header.join(', ')}`, { file, column: column.name });
    }
  }
  for (let source = 0; source < header.length; source++) {
    const column = schema.columns.find((c) => c.name === header[source])!;
    let numericIndex: number | undefined;
    if (column.role === 'numeric') {
      numericIndex = numeric.length;
      numeric.push({ name: column.name, source, sentinels: new Set(column.sentinels ?? []), schema: column });
    }
    const emitted = column.role !== 'drop' && (column.role !== 'identifier' || column.pseudonymize === true);
    if (emitted) output.push({ name: column.name, source, role: column.role, numeric: numericIndex, pseudonymize: column.pseudonymize === true });
  }
  const patient = schema.patient === undefined ? undefined : index.get(schema.patient);
  const bySource = header.map((name) => schema.columns.find((c) => c.name === name)!);
  return { file, header, numeric, output, missingTokens: new Set(schema.missing_tokens), patient, schemaOf: (source) => bySource[source] };
}

/**
 * One batch of rows in columnar form: numeric values as float64 and float32 (NaN =
 * missing). Row r is global row firstRow + r · rowStride of the whole input (stride 1
 * unless the batch contains one shard's rows), or rowIds[r] when the rows carry their
 * own ids.
 */
export interface Batch {
  firstRow: number;
  rowStride?: number;
  rows: number;
  records: string[][];
  /** Line of each row in a CSV file; absent for Parquet and Arrow input. */
  lines?: Int32Array;
  /** Columnar d × rows: column j of row r at j * rows + r. */
  numeric64: Float64Array;
  numeric: Float32Array;
  /** Global index of each row, when rows are not firstRow, firstRow + 1, … */
  rowIds?: Float64Array;
}

/** Global index of row r of a batch. */
export function batchRow(batch: Pick<Batch, 'firstRow' | 'rowStride' | 'rowIds'>, r: number): number {
  if (batch.rowIds) return batch.rowIds[r];
  return batch.firstRow + r * (batch.rowStride ?? 1);
}

/** Digits after the decimal point written in a numeric text ("1.50" → 2, "2e-3" → 3). */
export function decimalsOf(text: string): number {
  const t = text.trim();
  const exponentAt = t.search(/[eE]/);
  const mantissa = exponentAt === -1 ? t : t.slice(0, exponentAt);
  const exponent = exponentAt === -1 ? 0 : Number(t.slice(exponentAt + 1));
  const point = mantissa.indexOf('.');
  const fraction = point === -1 ? 0 : mantissa.length - point - 1;
  return Math.max(0, Math.min(MAX_DECIMALS, fraction - exponent));
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Converts a record batch to columnar numeric buffers. A value that is neither a
 * number nor a missing token raises an InputError naming the row and column.
 * `decimals`, when given, is raised to the most decimals seen in each column.
 */
export function toBatch(plan: ColumnPlan, raw: RecordBatch, decimals?: Int32Array): Batch {
  const rows = raw.records.length;
  const d = plan.numeric.length;
  const numeric64 = new Float64Array(d * rows);
  for (let j = 0; j < d; j++) {
    const column = plan.numeric[j];
    const base = j * rows;
    let most = decimals ? decimals[j] : 0;
    for (let r = 0; r < rows; r++) {
      const text = raw.records[r][column.source];
      if (plan.missingTokens.has(text) || plan.missingTokens.has(text.trim())) {
        numeric64[base + r] = NaN;
        continue;
      }
      const trimmed = text.trim();
      if (!NUMBER_PATTERN.test(trimmed)) {
        throw new InputError(
          `"${text}" is not a number`,
          `correct the value, list it in the schema's "missing_tokens" if it means missing, or set the column's role to "categorical"`,
          { file: plan.file, row: raw.firstRow + r + 1, line: raw.lines?.[r], column: column.name },
        );
      }
      const value = Number(trimmed);
      if (column.sentinels.has(value)) {
        numeric64[base + r] = NaN;
        continue;
      }
      numeric64[base + r] = value;
      if (decimals && most < MAX_DECIMALS && trimmed.length > 1) {
        const places = decimalsOf(trimmed);
        if (places > most) most = places;
      }
    }
    if (decimals) decimals[j] = most;
  }
  return { firstRow: raw.firstRow, rows, records: raw.records, lines: raw.lines, numeric64, numeric: new Float32Array(numeric64) };
}
