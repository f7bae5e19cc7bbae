import type * as arrow from 'apache-arrow';
import { InputError } from '../errors.js';
import { readNumbers, readTexts } from './arrow_cells.js';
import { MAX_DECIMALS, toBatch, type Batch, type ColumnPlan } from './batch.js';
import { columnTypeOf, type ColumnType } from './column_types.js';
import { RowIdSet } from './row_id_set.js';
import type { RecordBatch } from './csv_reader.js';
import type { TablePass } from './table.js';

/** Record batches of an Arrow or Parquet input, with the share read so far. */
export interface ArrowSource {
  batches: AsyncIterable<arrow.RecordBatch | arrow.Table>;
  fractionRead: () => number | undefined;
  /** Rows of the whole input, once known; see TablePass.totalRows. */
  totalRows?: () => number | undefined;
}

/** Column names and storage types of an Arrow schema; bad names are InputErrors. */
export function schemaColumns(schema: arrow.Schema, file: string): { header: string[]; types: ColumnType[] } {
  const header = schema.fields.map((f) => f.name);
  const seen = new Set<string>();
  for (const name of header) {
    if (name.trim() === '') throw new InputError('table has a column with an empty name', 'name every column', { file });
    if (seen.has(name)) throw new InputError(`table names column "${name}" twice`, 'give every column a unique name', { file });
    seen.add(name);
  }
  return { header, types: schema.fields.map((f) => columnTypeOf(f.type)) };
}

/**
 * Digits after the decimal point that a number needs, at least `from` and at most
 * MAX_DECIMALS: the fewest p with round(v · 10^p) / 10^p == v, compared in float32 for
 * float32 columns. It matches what the shortest round-trip text of v shows.
 */
export function decimalsNeeded(v: number, from: number, float32: boolean): number {
  for (let p = from; p < MAX_DECIMALS; p++) {
    const scale = 10 ** p;
    const rounded = Math.round(v * scale) / scale;
    if ((float32 ? Math.fround(rounded) : rounded) === v) return p;
  }
  return MAX_DECIMALS;
}

/** A slice of an input table and where its rows sit in the whole input. */
interface Slice {
  header: string[];
  types: ColumnType[];
  table: arrow.RecordBatch | arrow.Table;
  firstRow: number;
  rowStride: number;
}

/**
 * Splits a table whose rows carry global indices into runs of evenly spaced indices
 * (firstRow + r · rowStride), the form in which batches carry their rows. Rows numbered
 * 0, 1, 2, … or i, i + n, i + 2n, … form one run; arbitrary indices form many short runs.
 */
function* rowIdRuns(table: arrow.RecordBatch | arrow.Table, ids: Float64Array, batchRows: number): Generator<{ table: arrow.RecordBatch | arrow.Table; firstRow: number; rowStride: number }> {
  let start = 0;
  while (start < ids.length) {
    const stride = start + 1 < ids.length ? ids[start + 1] - ids[start] : 1;
    let end = start + 1;
    if (stride >= 1) while (end < ids.length && end - start < batchRows && ids[end] - ids[end - 1] === stride) end++;
    yield { table: table.slice(start, end), firstRow: ids[start], rowStride: stride >= 1 ? stride : 1 };
    start = end;
  }
}

/** Reads a row-id column as global row indices; they must be whole numbers ≥ 0. */
function readRowIds(vector: arrow.Vector, type: ColumnType, name: string, column: string, firstRow: number): Float64Array {
  const ids = new Float64Array(vector.length);
  if (!readNumbers(vector, type, ids, 0)) {
    throw new InputError(`row-id column has type ${type.kind}, not an integer type`, 'give the global row index of each row as an integer column', { file: name, column });
  }
  for (let r = 0; r < ids.length; r++) {
    if (!Number.isSafeInteger(ids[r]) || ids[r] < 0) {
      throw new InputError(`row id ${ids[r]} is not a whole number ≥ 0`, 'give the global row index of each row, starting at 0, with no nulls', { file: name, row: firstRow + r + 1, column });
    }
  }
  return ids;
}

/**
 * Adds a batch's row ids to the ids seen so far in the pass and raises an InputError at
 * the first id that an earlier row already has, because two rows with one id would get
 * the same draws. Ids are checked within one pass (one partition) only.
 */
function checkUniqueRowIds(ids: Float64Array, seen: RowIdSet, name: string, column: string, firstRow: number): void {
  for (let r = 0; r < ids.length; r++) {
    if (seen.add(ids[r])) continue;
    throw new InputError(
      `row id ${ids[r]} is a duplicate of an earlier row's id in this input`,
      'give every row of the whole table a unique global index, such as its 0-based position in the table, because rows with equal ids get the same draws',
      { file: name, row: firstRow + r + 1, column },
    );
  }
}

/** Options of an Arrow or Parquet pass. */
export interface ArrowPassOptions {
  /** Receives the input's column names and types before the first batch. */
  onSchema?: (header: string[], types: ColumnType[]) => void;
  /**
   * Column with each row's global index. Its values place the rows, so their draws do
   * not depend on how the input was split. It is taken out of the table unless
   * `keepRowIdColumn` is set. Two rows with the same id raise an InputError.
   */
  rowIdColumn?: string;
  /**
   * Whether the row-id column also stays in the table as an input column, for a frame
   * whose schema lists it (a table fitted with its row-id column).
   */
  keepRowIdColumn?: boolean;
  /**
   * Whether a table with columns and no row gives one empty batch (so a release with
   * the right columns can be written) instead of an InputError.
   */
  allowEmpty?: boolean;
}

/**
 * Reads one pass over an Arrow or Parquet input as batches of at most `batchRows` rows.
 * Numeric columns stored as numbers are copied straight into the numeric buffers. The
 * other columns become text records, as a CSV reader would give them, and numeric
 * columns stored as text are parsed as CSV cells are.
 */
export function arrowPass(name: string, open: () => ArrowSource, batchRows: number, options: ArrowPassOptions = {}): TablePass {
  let used = false;
  let source: ArrowSource | undefined;
  const start = (): ArrowSource => {
    if (used) throw new Error('a table pass can be read once; open another pass');
    used = true;
    source = open();
    return source;
  };

  async function* slices(): AsyncGenerator<Slice> {
    const { batches } = start();
    let header: string[] | undefined;
    let types: ColumnType[] = [];
    let idAt = -1;
    let idType: ColumnType | undefined;
    // Positions of the input columns that the slices keep, when the row-id column is taken out.
    let keptColumns: number[] | undefined;
    const seenIds = new RowIdSet();
    let rowsRead = 0;
    let empty: arrow.RecordBatch | arrow.Table | undefined;
    for await (const whole of batches) {
      if (!header) {
        ({ header, types } = schemaColumns(whole.schema, name));
        if (options.rowIdColumn !== undefined) {
          idAt = header.indexOf(options.rowIdColumn);
          if (idAt === -1) throw new InputError(`row-id column "${options.rowIdColumn}" is not in the table`, `name one of: ${header.join(', ')}`, { file: name });
          idType = types[idAt];
          if (!options.keepRowIdColumn) {
            keptColumns = header.map((_, c) => c).filter((c) => c !== idAt);
            header = keptColumns.map((c) => header![c]);
            types = keptColumns.map((c) => types[c]);
          }
        }
        options.onSchema?.(header, types);
      }
      const selected = keptColumns ? whole.selectAt(keptColumns) : whole;
      if (whole.numRows === 0) empty ??= selected;
      if (idAt !== -1) {
        const ids = readRowIds(whole.getChildAt(idAt)!, idType!, name, options.rowIdColumn!, rowsRead);
        checkUniqueRowIds(ids, seenIds, name, options.rowIdColumn!, rowsRead);
        for (const run of rowIdRuns(selected, ids, batchRows)) yield { header, types, ...run };
      } else {
        for (let begin = 0; begin < whole.numRows; begin += batchRows) {
          const table = begin === 0 && whole.numRows <= batchRows ? whole : whole.slice(begin, Math.min(whole.numRows, begin + batchRows));
          yield { header, types, table, firstRow: rowsRead + begin, rowStride: 1 };
        }
      }
      rowsRead += whole.numRows;
    }
    if (!header && options.allowEmpty) {
      // The frame does not record the input's storage types, so the release's types
      // cannot be known without the schema.
      throw new InputError(
        'input is empty: no Arrow IPC schema arrived, so the release\'s column types are unknown',
        'send the schema even for a partition without rows, by creating the Arrow IPC stream writer with the partition\'s schema before the first batch (docs/scale.md shows how). A schema and no batch give an empty release',
        { file: name },
      );
    }
    if (!header) throw new InputError('table is empty (no schema and no rows)', 'give a table with a header and data rows', { file: name });
    if (rowsRead === 0 && !options.allowEmpty) throw new InputError('table has columns but no data rows', 'give a table with data rows', { file: name });
    if (rowsRead === 0 && empty) yield { header, types, table: empty, firstRow: 0, rowStride: 1 };
  }

  return {
    fractionRead: () => source?.fractionRead(),
    totalRows: () => source?.totalRows?.(),
    async *records() {
      for await (const { header, types, table, firstRow } of slices()) {
        yield { header, batch: textRecords(table, types, firstRow) };
      }
    },
    async *batches(makePlan, decimals) {
      let plan: ColumnPlan | undefined;
      for await (const { header, types, table, firstRow, rowStride } of slices()) {
        plan ??= makePlan(header);
        const batch = toArrowBatch(plan, types, table, firstRow, decimals?.(plan));
        yield { plan, batch: rowStride === 1 ? batch : { ...batch, rowStride } };
      }
    },
  };
}

/** Reads every column as text, row-major, for schema inference. */
function textRecords(table: arrow.RecordBatch | arrow.Table, types: ColumnType[], firstRow: number): RecordBatch {
  const rows = table.numRows;
  const columns = types.map((type, c) => readTexts(table.getChildAt(c)!, type));
  const records: string[][] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const record: string[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) record[c] = columns[c][r];
    records[r] = record;
  }
  return { firstRow, records };
}

/** Index of the first ±Infinity in values[from, from + n), or −1. */
function firstInfinite(values: Float64Array, from: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const value = values[from + i];
    if (value === Infinity || value === -Infinity) return i;
  }
  return -1;
}

/**
 * Converts one slice to a Batch with the plan. Number columns are copied directly, and
 * sentinels and non-finite values are handled as toBatch handles text. The other
 * columns become text records, which are empty for numeric columns, so their missing
 * cells read as empty.
 */
function toArrowBatch(plan: ColumnPlan, types: ColumnType[], table: arrow.RecordBatch | arrow.Table, firstRow: number, decimals: Int32Array | undefined): Batch {
  const rows = table.numRows;
  const numericSources = new Set(plan.numeric.map((c) => c.source));
  const textColumns = types.map((type, c) => (numericSources.has(c) ? undefined : readTexts(table.getChildAt(c)!, type)));
  const records: string[][] = new Array(rows);
  // Numeric columns stored as text go through the CSV path, which checks every cell.
  const textual = plan.numeric.filter((c) => types[c.source].kind !== 'float' && types[c.source].kind !== 'int');
  if (textual.length === 0 && textColumns.every((column) => column === undefined)) {
    // With numeric columns alone every row's record is empty, so rows share one.
    const empty = new Array<string>(types.length).fill('');
    records.fill(empty);
  } else {
    for (let r = 0; r < rows; r++) {
      const record: string[] = new Array(types.length);
      for (let c = 0; c < types.length; c++) record[c] = textColumns[c]?.[r] ?? '';
      records[r] = record;
    }
  }
  if (textual.length > 0) {
    for (const column of textual) {
      const texts = readTexts(table.getChildAt(column.source)!, types[column.source]);
      for (let r = 0; r < rows; r++) records[r][column.source] = texts[r];
    }
  }
  const batch = textual.length > 0 ? toBatch(plan, { firstRow, records }, decimals) : undefined;
  const numeric64 = batch?.numeric64 ?? new Float64Array(plan.numeric.length * rows);

  plan.numeric.forEach((column, j) => {
    const type = types[column.source];
    if (type.kind !== 'float' && type.kind !== 'int') return;
    readNumbers(table.getChildAt(column.source)!, type, numeric64, j * rows);
    const from = j * rows;
    const infinite = firstInfinite(numeric64, from, rows);
    if (infinite !== -1) {
      throw new InputError(`${numeric64[from + infinite]} is not a finite number`, 'replace infinite values with valid measurements or nulls', { file: plan.file, row: firstRow + infinite + 1, column: column.name });
    }
    if (column.sentinels.size > 0) {
      for (let r = from; r < from + rows; r++) if (column.sentinels.has(numeric64[r])) numeric64[r] = NaN;
    }
    if (!decimals || type.kind !== 'float') return;
    let maxDecimals = decimals[j];
    const float32 = type.bits === 32;
    for (let r = from; r < from + rows && maxDecimals < MAX_DECIMALS; r++) {
      const value = numeric64[r];
      if (value === value) maxDecimals = decimalsNeeded(value, maxDecimals, float32);
    }
    decimals[j] = maxDecimals;
  });
  return { firstRow, rows, records, numeric64, numeric: new Float32Array(numeric64) };
}
