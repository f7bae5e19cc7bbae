import { InputError } from '../errors.js';

export const ROLES = ['identifier', 'numeric', 'categorical', 'sensitive', 'date', 'drop'] as const;
export type Role = (typeof ROLES)[number];

/** A clinical band of a numeric column (for example "normal" 3.5–5.0 mmol/L), [min, max). */
export interface Band {
  name: string;
  min?: number;
  max?: number;
}

export interface ColumnSchema {
  name: string;
  role: Role;
  /** Unit of a numeric column, kept for reports. */
  unit?: string;
  /** Valid range of a numeric column; output is clipped to it. */
  min?: number;
  max?: number;
  /** Digits after the decimal point in the output; read from the input when absent. */
  decimals?: number;
  /** Values an outsider could know; used by the linkage and attribute attacks. */
  quasi_identifier?: boolean;
  /** Identifier only: emit a keyed HMAC-SHA-256 pseudonym instead of dropping it. */
  pseudonymize?: boolean;
  /** Numeric codes that mean "missing" in this column, such as -1. */
  sentinels?: number[];
  /** Clinical bands, reported by the evaluator. */
  bands?: Band[];
}

export interface Schema {
  format: 'ehr-geomask-schema';
  version: 1;
  /** Cell texts read as missing in every column. */
  missing_tokens: string[];
  /** Column that names the patient of each row, when rows can share a patient. */
  patient?: string;
  /** Date shift bound in days (±) and whether shifts are whole weeks. */
  date_shift_days?: number;
  date_shift_weeks?: boolean;
  columns: ColumnSchema[];
}

export const DEFAULT_MISSING_TOKENS = ['', 'NA', 'NaN', '?', 'null'];

/** The file a schema was read from: a schema file, or the frame file that carries its schema. */
export interface SchemaOrigin {
  file: string;
  kind: 'schema' | 'frame';
}

// Schemas are plain JSON objects that are written back out, so their origin is kept
// beside them for messages instead of in a field.
const origins = new WeakMap<object, SchemaOrigin>();

/** Records the file a validated schema came from, so that header mismatches can name it. */
export function rememberSchemaOrigin(schema: Schema, origin: SchemaOrigin): void {
  origins.set(schema, origin);
}

/**
 * Raises an InputError for a frame whose columns differ from the input's, listing
 * every column missing on either side.
 */
function rejectFrameForHeader(frame: string, input: string, names: ReadonlySet<string>, header: readonly string[]): void {
  const absent = [...names].filter((name) => !header.includes(name));
  const extra = header.filter((name) => !names.has(name));
  if (absent.length === 0 && extra.length === 0) return;
  const differences: string[] = [];
  if (absent.length > 0) differences.push(`the input lacks column(s) ${absent.join(', ')}`);
  if (extra.length > 0) differences.push(`the input has column(s) ${extra.join(', ')} that the frame does not`);
  throw new InputError(
    `the frame ${frame} was fitted on a different table: ${differences.join(', and ')}`,
    'apply the frame to a table with the columns it was fitted on, or fit a frame on this table with `geomask fit` (or run `geomask transform`)',
    { file: input },
  );
}

/** Checks a parsed schema object and the columns it names against a file's header. */
export function validateSchema(value: unknown, source: string, header?: readonly string[]): Schema {
  const fail = (problem: string, fix: string, column?: string): never => {
    throw new InputError(problem, fix, { file: source, column });
  };
  const origin = typeof value === 'object' && value !== null ? origins.get(value) : undefined;
  // "the schema s.json" when the schema came from a file other than the input.
  const schemaName = origin?.kind === 'schema' ? `the schema ${origin.file}` : 'schema';
  const schemaPlace = origin?.kind === 'schema' ? origin.file : 'the schema';
  if (typeof value !== 'object' || value === null) fail('schema is not a JSON object', 'write a schema with `geomask schema DATA.csv` and edit it');
  const schema = value as Partial<Schema>;
  if (!Array.isArray(schema.columns)) fail('schema has no "columns" array', 'write a schema with `geomask schema DATA.csv` and edit it');

  const names = new Set<string>();
  for (const column of schema.columns as ColumnSchema[]) {
    if (typeof column?.name !== 'string') fail('a schema column has no "name"', 'give every column a "name" string');
    if (names.has(column.name)) fail('column is listed twice in the schema', 'keep one entry per column', column.name);
    names.add(column.name);
    if (!ROLES.includes(column.role)) {
      fail(`unknown role "${String(column.role)}"`, `set "role" to one of: ${ROLES.join(', ')}`, column.name);
    }
    if (header && !header.includes(column.name) && origin?.kind !== 'frame') {
      fail(`${schemaName} names a column that the input does not have`, `remove it from ${schemaPlace} or fix its name; the input has: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''}`, column.name);
    }
    if (column.min !== undefined && typeof column.min !== 'number') fail('"min" is not a number', 'write min as a JSON number', column.name);
    if (column.max !== undefined && typeof column.max !== 'number') fail('"max" is not a number', 'write max as a JSON number', column.name);
    if (column.min !== undefined && column.max !== undefined && column.min > column.max) {
      fail(`valid range has min ${column.min} > max ${column.max}`, 'swap or correct "min" and "max"', column.name);
    }
    if (column.decimals !== undefined && !(Number.isInteger(column.decimals) && column.decimals >= 0 && column.decimals <= 12)) {
      fail(`"decimals" is ${String(column.decimals)}`, 'set decimals to a whole number from 0 to 12', column.name);
    }
    if (column.sentinels !== undefined && !(Array.isArray(column.sentinels) && column.sentinels.every((s) => typeof s === 'number'))) {
      fail('"sentinels" is not a list of numbers', 'write sentinel codes as a JSON array of numbers, such as [-1]', column.name);
    }
  }
  if (header && origin?.kind === 'frame') rejectFrameForHeader(origin.file, source, names, header);
  if (header) {
    const missing = header.filter((name) => !names.has(name));
    if (missing.length > 0) {
      fail(`${schemaName} has no entry for input column(s): ${missing.join(', ')}`, `add them to ${schemaPlace} (role "drop" removes a column)`);
    }
  }
  if (schema.patient !== undefined && !names.has(schema.patient)) {
    fail(`"patient" names column "${schema.patient}", which the schema does not list`, 'set "patient" to an existing column or remove it');
  }
  if (schema.missing_tokens !== undefined && !(Array.isArray(schema.missing_tokens) && schema.missing_tokens.every((t) => typeof t === 'string'))) {
    fail('"missing_tokens" is not a list of strings', 'write it as a JSON array of strings, such as ["", "NA", "?"]');
  }
  const validated: Schema = {
    format: 'ehr-geomask-schema',
    version: 1,
    missing_tokens: schema.missing_tokens ?? DEFAULT_MISSING_TOKENS,
    patient: schema.patient,
    date_shift_days: schema.date_shift_days,
    date_shift_weeks: schema.date_shift_weeks,
    columns: schema.columns as ColumnSchema[],
  };
  if (origin) origins.set(validated, origin);
  return validated;
}

export function numericColumns(schema: Schema): ColumnSchema[] {
  return schema.columns.filter((c) => c.role === 'numeric');
}
