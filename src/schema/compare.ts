import type { Schema } from './schema.js';

/**
 * A difference between two schemas: the column it is in (absent for a top-level field
 * such as "missing_tokens"), the field, and the value in each schema (undefined where
 * the field is not set).
 */
export interface SchemaDifference {
  column?: string;
  field: string;
  first: unknown;
  second: unknown;
}

/** Compares two JSON values by content, ignoring the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, i) => sameJson(value, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Returns the field names of two objects, in the first one's order, then the second's. */
function fieldsOf(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

/**
 * Finds the first difference between two schemas: a top-level field, then the column
 * list (names in order), then the fields of each column. Returns undefined when they
 * are equal.
 */
export function findSchemaDifference(first: Schema, second: Schema): SchemaDifference | undefined {
  const firstFields = first as unknown as Record<string, unknown>;
  const secondFields = second as unknown as Record<string, unknown>;
  for (const field of fieldsOf(first, second)) {
    if (field === 'columns') continue;
    if (!sameJson(firstFields[field], secondFields[field])) return { field, first: firstFields[field], second: secondFields[field] };
  }

  const count = Math.max(first.columns.length, second.columns.length);
  for (let i = 0; i < count; i++) {
    const [a, b] = [first.columns[i], second.columns[i]];
    if (a?.name !== b?.name) return { field: `name of column ${i + 1}`, first: a?.name, second: b?.name };
  }

  for (let i = 0; i < count; i++) {
    const a = first.columns[i] as unknown as Record<string, unknown>;
    const b = second.columns[i] as unknown as Record<string, unknown>;
    for (const field of fieldsOf(a, b)) {
      if (!sameJson(a[field], b[field])) return { column: first.columns[i].name, field, first: a[field], second: b[field] };
    }
  }
  return undefined;
}

/** Formats a schema value for a message: JSON text, or "absent" for a field that is not set. */
export function formatSchemaValue(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}
