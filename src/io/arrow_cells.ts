import type * as arrow from 'apache-arrow';
import { UNITS_PER_SECOND, type ColumnType } from './column_types.js';

const DAY_MS = 86_400_000;
const TIME_PATTERN = /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?/;

/** Whether element i of a chunk is valid (not null). */
function isValid(data: arrow.Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const bit = data.offset + i;
  return ((data.nullBitmap[bit >> 3] >> (bit & 7)) & 1) === 1;
}

/** Writes NaN into out[at + i] for every null element i of a chunk. */
function markNulls(data: arrow.Data, out: Float64Array, at: number): void {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const bit = data.offset + i;
    if (((bitmap[bit >> 3] >> (bit & 7)) & 1) === 0) out[at + i] = NaN;
  }
}

/**
 * Copies a number column into `out` from `at` on: floats and integers as float64 (64-bit
 * integers through Number, exact below 2^53), null as NaN. Returns false, copying
 * nothing, for a column that does not hold numbers.
 */
export function readNumbers(vector: arrow.Vector, type: ColumnType, out: Float64Array, at: number): boolean {
  if (type.kind !== 'float' && type.kind !== 'int') return false;
  let o = at;
  for (const data of vector.data) {
    const values = data.values as ArrayLike<number | bigint>;
    const n = data.length;
    const allValid = data.nullCount === 0;
    if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array || values instanceof Uint32Array || values instanceof Uint16Array || values instanceof Uint8Array) {
      // Copy every value, then blank the nulls from the validity bitmap: a per-cell
      // validity check was the costliest step of reading a Parquet batch.
      out.set(values.subarray(0, n), o);
      if (!allValid) markNulls(data, out, o);
    } else {
      for (let i = 0; i < n; i++) out[o + i] = allValid || isValid(data, i) ? Number(values[i]) : NaN;
    }
    o += n;
  }
  return true;
}

/** Formats days since 1970-01-01 as YYYY-MM-DD. */
export function formatDay(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Formats a timestamp in `unit` as YYYY-MM-DDTHH:MM:SS with the unit's fraction digits
 * (none, 3, 6 or 9), in UTC; the column's time zone stays in its type.
 */
export function formatTimestamp(value: bigint, unit: keyof typeof UNITS_PER_SECOND): string {
  const perSecond = BigInt(UNITS_PER_SECOND[unit]);
  const perDay = perSecond * 86_400n;
  let days = value / perDay;
  let rest = value % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  const seconds = Number(rest / perSecond);
  const fraction = rest % perSecond;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  const digits = String(perSecond).length - 1;
  const tail = digits > 0 ? `.${String(fraction).padStart(digits, '0')}` : '';
  return `${formatDay(Number(days))}T${hh}:${mm}:${ss}${tail}`;
}

/** Parses the text that formatDay or formatTimestamp wrote (after a date shift) back to a value in `unit`. */
export function parseTimestamp(text: string, unit: keyof typeof UNITS_PER_SECOND | 'day'): bigint | undefined {
  const match = TIME_PATTERN.exec(text);
  if (!match) return undefined;
  const days = BigInt(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS);
  if (unit === 'day') return days;
  const perSecond = BigInt(UNITS_PER_SECOND[unit]);
  const seconds = BigInt(Number(match[4] ?? 0) * 3600 + Number(match[5] ?? 0) * 60 + Number(match[6] ?? 0));
  const digits = String(perSecond).length - 1;
  const fraction = digits > 0 ? BigInt((match[7] ?? '').padEnd(digits, '0').slice(0, digits)) : 0n;
  return days * 86_400n * perSecond + seconds * perSecond + fraction;
}

/**
 * The text of every cell of a column, as CSV would hold it: numbers in their shortest
 * round-trip form, booleans as true/false, dates as YYYY-MM-DD, timestamps as ISO
 * text, null as the empty string.
 */
export function readTexts(vector: arrow.Vector, type: ColumnType): string[] {
  const out: string[] = new Array(vector.length);
  let o = 0;
  for (const data of vector.data) {
    const n = data.length;
    const values = data.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) {
      if (!isValid(data, i)) {
        out[o++] = '';
        continue;
      }
      switch (type.kind) {
        case 'float':
        case 'int':
          out[o++] = String(values[i]);
          break;
        case 'date':
          out[o++] = type.unit === 'day' ? formatDay(Number(values[i])) : formatDay(Math.floor(Number(values[i]) / DAY_MS));
          break;
        case 'timestamp':
          out[o++] = formatTimestamp(BigInt(values[i]), type.unit);
          break;
        default: {
          // Strings (dictionary-encoded too), booleans and other types through Arrow's accessor.
          const value: unknown = vector.get(o);
          out[o++] = value === null || value === undefined ? '' : String(value);
        }
      }
    }
  }
  return out;
}
