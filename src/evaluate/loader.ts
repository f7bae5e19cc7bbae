import { InputError } from '../errors.js';
import { planColumns } from '../io/batch.js';
import type { TableInput } from '../io/table.js';
import type { Schema } from '../schema/schema.js';
import type { EvalColumns } from './columns.js';
import { Dictionary, RowsBuilder, type EvalRows } from './rows.js';

/** The code dictionaries of one evaluation, shared by every set so that codes compare. */
export interface EvalDictionaries {
  text: Dictionary[];
  patient: Dictionary;
}

export function newDictionaries(columns: EvalColumns): EvalDictionaries {
  return { text: columns.text.map(() => new Dictionary()), patient: new Dictionary() };
}

/** Picks the set (0, 1, …) of a record from its 0-based row, or -1 to skip it. */
export type SetAssigner = (header: string[]) => (record: string[], row: number) => number;

/**
 * Restricts the schema to the columns of `header`, because a release lacks the identifiers and
 * dropped columns of its input, and its patient column when that was dropped.
 */
export function schemaForHeader(schema: Schema, header: string[]): Schema {
  const columns = schema.columns.filter((c) => header.includes(c.name));
  const patient = schema.patient !== undefined && header.includes(schema.patient) ? schema.patient : undefined;
  return { ...schema, columns, patient };
}

/**
 * Reads a table once into `sets` EvalRows with the evaluator's columns. Values are
 * checked as `apply` checks them, with the row and line of the source file in errors.
 */
export async function loadRows(
  table: TableInput,
  schema: Schema,
  columns: EvalColumns,
  dictionaries: EvalDictionaries,
  batchRows: number,
  options: { sets?: number; assign?: SetAssigner; progress?: (rows: number, final?: boolean) => void } = {},
): Promise<EvalRows[]> {
  const sets = options.sets ?? 1;
  const builders = Array.from({ length: sets }, () => new RowsBuilder(columns.numeric.length, columns.text.length, columns.patient !== undefined));
  const pass = table.open(batchRows);
  let numericAt: number[] = [];
  let textAt: number[] = [];
  let patientAt = -1;
  let assign: ((record: string[], row: number) => number) | undefined;
  let read = 0;

  const makePlan = (header: string[]) => {
    const plan = planColumns(schemaForHeader(schema, header), header, table.name);
    const names = plan.numeric.map((c) => c.name);
    numericAt = columns.numeric.map((name) => names.indexOf(name));
    textAt = columns.text.map((name) => header.indexOf(name));
    const absent = [...columns.numeric.filter((_, j) => numericAt[j] === -1), ...columns.text.filter((_, k) => textAt[k] === -1)];
    if (absent.length > 0) {
      throw new InputError(`columns missing from the table: ${absent.join(', ')}`, 'give a table with the columns of the input that the release was made from', { file: table.name });
    }
    patientAt = columns.patient === undefined ? -1 : header.indexOf(columns.patient);
    assign = options.assign?.(header);
    return plan;
  };

  for await (const { batch } of pass.batches(makePlan)) {
    const n = batch.rows;
    for (let r = 0; r < n; r++) {
      const record = batch.records[r];
      const set = assign ? assign(record, batch.firstRow + r) : 0;
      if (set < 0) continue;
      builders[set].add(
        (j) => batch.numeric64[numericAt[j] * n + r],
        (k) => dictionaries.text[k].code(record[textAt[k]]),
        patientAt === -1 ? undefined : dictionaries.patient.code(record[patientAt]),
      );
    }
    read += n;
    options.progress?.(read);
  }
  options.progress?.(read, true);
  if (read === 0) throw new InputError('the table has no data rows', 'give a CSV file with a header line and rows', { file: table.name });
  return builders.map((b) => b.build());
}
