import * as arrow from 'apache-arrow';

export type TimeUnitName = 'second' | 'millisecond' | 'microsecond' | 'nanosecond';

/**
 * Storage type of a column in an Arrow or Parquet table, kept from the input so that
 * the release is written with the same types: integers stay integers, dates stay
 * dates. CSV inputs have none; their releases use float64 and utf8.
 */
export type ColumnType =
  | { kind: 'float'; bits: 32 | 64 }
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean }
  | { kind: 'bool' }
  | { kind: 'date'; unit: 'day' | 'millisecond' }
  | { kind: 'timestamp'; unit: TimeUnitName; timezone: string | null }
  | { kind: 'utf8' }
  /** Any other Arrow type (binary, decimal, lists, …): read as text, written as utf8. */
  | { kind: 'other'; name: string };

const UNIT_NAMES: Record<number, TimeUnitName> = {
  [arrow.TimeUnit.SECOND]: 'second',
  [arrow.TimeUnit.MILLISECOND]: 'millisecond',
  [arrow.TimeUnit.MICROSECOND]: 'microsecond',
  [arrow.TimeUnit.NANOSECOND]: 'nanosecond',
};

/** Units of a timestamp per second. */
export const UNITS_PER_SECOND: Record<TimeUnitName, number> = { second: 1, millisecond: 1e3, microsecond: 1e6, nanosecond: 1e9 };

export function columnTypeOf(type: arrow.DataType): ColumnType {
  if (arrow.DataType.isFloat(type)) {
    if (type.precision === arrow.Precision.HALF) return { kind: 'other', name: 'float16' };
    return { kind: 'float', bits: type.precision === arrow.Precision.SINGLE ? 32 : 64 };
  }
  if (arrow.DataType.isInt(type)) return { kind: 'int', bits: type.bitWidth, signed: type.isSigned };
  if (arrow.DataType.isBool(type)) return { kind: 'bool' };
  if (arrow.DataType.isDate(type)) return { kind: 'date', unit: type.unit === arrow.DateUnit.DAY ? 'day' : 'millisecond' };
  if (arrow.DataType.isTimestamp(type)) return { kind: 'timestamp', unit: UNIT_NAMES[type.unit], timezone: type.timezone ?? null };
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return { kind: 'utf8' };
  if (arrow.DataType.isDictionary(type) && (arrow.DataType.isUtf8(type.dictionary) || arrow.DataType.isLargeUtf8(type.dictionary))) return { kind: 'utf8' };
  return { kind: 'other', name: String(type) };
}

/** The Arrow type a released column of this type is written as. */
export function arrowTypeOf(type: ColumnType): arrow.DataType {
  switch (type.kind) {
    case 'float':
      return type.bits === 32 ? new arrow.Float32() : new arrow.Float64();
    case 'int':
      return new arrow.Int(type.signed, type.bits);
    case 'bool':
      return new arrow.Bool();
    case 'date':
      return type.unit === 'day' ? new arrow.DateDay() : new arrow.DateMillisecond();
    case 'timestamp': {
      const unit = Number(Object.entries(UNIT_NAMES).find(([, name]) => name === type.unit)![0]) as arrow.TimeUnit;
      return new arrow.Timestamp(unit, type.timezone);
    }
    default:
      return new arrow.Utf8();
  }
}

/** Whether values of this type are numbers that a numeric column can take directly. */
export function isNumberType(type: ColumnType): type is Extract<ColumnType, { kind: 'float' | 'int' }> {
  return type.kind === 'float' || type.kind === 'int';
}
