import * as arrow from 'apache-arrow';
import { parseTimestamp } from './arrow_cells.js';
import { arrowTypeOf, type ColumnType } from './column_types.js';
import type { OutputBatch, OutputColumnData } from './output.js';

/**
 * Types of the released columns, by name: what the input stored, adjusted for what
 * the release holds (see releaseColumnTypes); undefined for a CSV input.
 */
export type OutputTypes = (names: string[]) => (ColumnType | undefined)[];

/** Validity bitmap (bit set = present) of `rows` cells, and the null count. */
function bitmap(rows: number, present: (r: number) => boolean): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((rows + 7) >> 3);
  let nullCount = 0;
  for (let r = 0; r < rows; r++) {
    if (present(r)) nullBitmap[r >> 3] |= 1 << (r & 7);
    else nullCount++;
  }
  return { nullBitmap, nullCount };
}

/** Validity bitmap of a number column (NaN = null), a byte at a time without a callback. */
function numberBitmap(values: Float64Array): { nullBitmap: Uint8Array; nullCount: number } {
  const rows = values.length;
  const nullBitmap = new Uint8Array((rows + 7) >> 3);
  let present = 0;
  for (let r = 0; r < rows; r += 8) {
    let byte = 0;
    const end = Math.min(rows, r + 8);
    for (let i = r; i < end; i++) {
      const value = values[i];
      if (value === value) byte |= 1 << (i - r);
    }
    nullBitmap[r >> 3] = byte;
    present += BITS_SET[byte];
  }
  return { nullBitmap, nullCount: rows - present };
}

/** Number of set bits of each byte value. */
const BITS_SET = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let b = byte; b > 0; b >>= 1) count += b & 1;
  return count;
});

/** The default type of a released column that has no input type: float64 or utf8. */
export function defaultColumnType(column: OutputColumnData): ColumnType {
  return column.kind === 'number' ? { kind: 'float', bits: 64 } : { kind: 'utf8' };
}

function numberData(values: Float64Array, type: ColumnType): arrow.Data {
  const rows = values.length;
  const { nullBitmap, nullCount } = numberBitmap(values);
  const arrowType = arrowTypeOf(type);
  let data: ArrayLike<number> | BigInt64Array | BigUint64Array;
  if (type.kind === 'float') {
    data = type.bits === 64 ? values : Float32Array.from(values);
  } else if (type.kind === 'int' && type.bits === 64) {
    const big = type.signed ? new BigInt64Array(rows) : new BigUint64Array(rows);
    for (let r = 0; r < rows; r++) if (!Number.isNaN(values[r])) big[r] = BigInt(Math.round(values[r]));
    data = big;
  } else if (type.kind === 'int') {
    const Array = (arrowType as arrow.Int).ArrayType as unknown as { from(values: ArrayLike<number>): ArrayLike<number> };
    data = Array.from(Float64Array.from(values, (v) => (Number.isNaN(v) ? 0 : Math.round(v))));
  } else {
    throw new Error(`a number column cannot be written as ${type.kind}`);
  }
  return arrow.makeData({ type: arrowType as arrow.Float64, length: rows, nullCount, nullBitmap, data: data as Float64Array });
}

/** UTF-8 bytes and offsets of texts; the empty text is written as null. */
function utf8Data(values: string[]): arrow.Data {
  const rows = values.length;
  const encoder = new TextEncoder();
  const offsets = new Int32Array(rows + 1);
  let bytes = new Uint8Array(Math.max(64, rows * 8));
  let used = 0;
  for (let r = 0; r < rows; r++) {
    const text = values[r];
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (used + text.length * 3 > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, used + text.length * 3));
      grown.set(bytes.subarray(0, used));
      bytes = grown;
    }
    used += encoder.encodeInto(text, bytes.subarray(used)).written;
    offsets[r + 1] = used;
  }
  const { nullBitmap, nullCount } = bitmap(rows, (r) => values[r] !== '');
  return arrow.makeData({ type: new arrow.Utf8(), length: rows, nullCount, nullBitmap, valueOffsets: offsets, data: bytes.subarray(0, used) });
}

/** Texts of a column whose input type was not a string, parsed back to that type. */
function typedTextData(name: string, values: string[], type: ColumnType): arrow.Data {
  const rows = values.length;
  const fail = (text: string): never => {
    throw new Error(`released column "${name}" holds "${text}", which is not a valid ${type.kind} value`);
  };
  if (type.kind === 'float' || type.kind === 'int') {
    const numbers = Float64Array.from(values, (text) => {
      if (text === '') return NaN;
      const value = Number(text);
      return Number.isFinite(value) ? value : fail(text);
    });
    return numberData(numbers, type);
  }
  if (type.kind === 'bool') {
    const { nullBitmap, nullCount } = bitmap(rows, (r) => values[r] !== '');
    const data = new Uint8Array((rows + 7) >> 3);
    for (let r = 0; r < rows; r++) {
      const text = values[r];
      if (text === 'true') data[r >> 3] |= 1 << (r & 7);
      else if (text !== 'false' && text !== '') fail(text);
    }
    return arrow.makeData({ type: new arrow.Bool(), length: rows, nullCount, nullBitmap, data });
  }
  if (type.kind === 'date' || type.kind === 'timestamp') {
    const unit = type.kind === 'date' ? (type.unit === 'day' ? 'day' : 'millisecond') : type.unit;
    const { nullBitmap, nullCount } = bitmap(rows, (r) => values[r] !== '');
    const parse = (text: string): bigint => parseTimestamp(text, unit) ?? fail(text);
    const arrowType = arrowTypeOf(type);
    if (unit === 'day') {
      const days = Int32Array.from(values, (text) => (text === '' ? 0 : Number(parse(text))));
      return arrow.makeData({ type: arrowType as arrow.DateDay, length: rows, nullCount, nullBitmap, data: days });
    }
    const ticks = BigInt64Array.from(values, (text) => (text === '' ? 0n : parse(text)));
    return arrow.makeData({ type: arrowType as arrow.Timestamp, length: rows, nullCount, nullBitmap, data: ticks as unknown as Int32Array });
  }
  return utf8Data(values);
}

/** Builds the Arrow schema and record batch of a released batch. */
export function toRecordBatch(batch: OutputBatch, types: (ColumnType | undefined)[]): arrow.RecordBatch {
  const children: arrow.Data[] = [];
  const fields: arrow.Field[] = [];
  batch.columns.forEach((column, c) => {
    const type = types[c] ?? defaultColumnType(column);
    const data = column.kind === 'number' ? numberData(column.values, type.kind === 'float' || type.kind === 'int' ? type : { kind: 'float', bits: 64 }) : typedTextData(column.name, column.values, type);
    children.push(data);
    fields.push(new arrow.Field(column.name, data.type, true));
  });
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: batch.rows, nullCount: 0, children });
  return new arrow.RecordBatch(schema, struct);
}
