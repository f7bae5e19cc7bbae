import type { Frame } from '../frame/frame.js';
import { planColumns } from '../io/batch.js';
import type { TableInput } from '../io/table.js';
import type { Schema } from '../schema/schema.js';
import { ksDistance } from '../stats/compare.js';

/** Rows per column kept for the Kolmogorov–Smirnov distance; larger tables are sampled. */
export const KS_SAMPLE_ROWS = 100_000;

/** Count, missing share, mean and sample standard deviation of one numeric column. */
export interface MarginalStats {
  count: number;
  missingShare: number;
  mean: number;
  sd: number;
}

export interface ColumnComparison {
  name: string;
  unit?: string;
  input: MarginalStats;
  release: MarginalStats;
  /** Kolmogorov–Smirnov distance between the input and release values. */
  ks: number;
}

/** Plain comparison of a release with its input, per numeric column of the frame. */
export interface MarginalComparison {
  inputRows: number;
  releaseRows: number;
  inputColumns: number;
  releaseColumns: number;
  /** Every `ksStep`-th row entered the KS distance (1: all rows). */
  ksStep: number;
  columns: ColumnComparison[];
}

/** Welford's running mean and variance, with a systematic sample for the KS distance. */
class ColumnAccumulator {
  count = 0;
  missing = 0;
  private mean = 0;
  private squares = 0;
  readonly sample: number[] = [];

  add(value: number, inSample: boolean): void {
    if (Number.isNaN(value)) {
      this.missing++;
      return;
    }
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.squares += delta * (value - this.mean);
    if (inSample) this.sample.push(value);
  }

  stats(): MarginalStats {
    const rows = this.count + this.missing;
    return {
      count: this.count,
      missingShare: rows > 0 ? this.missing / rows : 0,
      mean: this.count > 0 ? this.mean : NaN,
      sd: this.count > 1 ? Math.sqrt(this.squares / (this.count - 1)) : NaN,
    };
  }
}

/** A schema for reading the release: the frame's numeric columns, every other column as text. */
function releaseSchema(frame: Frame, header: string[]): Schema {
  const numeric = new Map(frame.schema.columns.filter((c) => c.role === 'numeric').map((c) => [c.name, c]));
  return {
    ...frame.schema,
    patient: undefined,
    columns: header.map((name) => {
      const column = numeric.get(name);
      return column ? { name, role: 'numeric', sentinels: column.sentinels } : { name, role: 'categorical' };
    }),
  };
}

/** Reads the numeric columns of one table into accumulators, one per frame column. */
async function accumulate(table: TableInput, schemaFor: (header: string[]) => Schema, frame: Frame, batchRows: number, step: number, onBatch: (rows: number) => void): Promise<{ columns: ColumnAccumulator[]; rows: number; width: number }> {
  const columns = frame.columns.map(() => new ColumnAccumulator());
  let rows = 0;
  let width = 0;
  for await (const { plan, batch } of table.open(batchRows).batches((header) => planColumns(schemaFor(header), header, table.name))) {
    width = plan.header.length;
    const slots = frame.columns.map((c) => plan.numeric.findIndex((n) => n.name === c.name));
    slots.forEach((slot, j) => {
      if (slot === -1) return;
      const base = slot * batch.rows;
      for (let r = 0; r < batch.rows; r++) columns[j].add(batch.numeric64[base + r], (batch.firstRow + r) % step === 0);
    });
    rows += batch.rows;
    onBatch(batch.rows);
  }
  return { columns, rows, width };
}

/**
 * Compares the release with its input column by column: count, missing share, mean,
 * standard deviation and the KS distance. Both tables are read once more, in batches.
 */
export async function compareMarginals(input: TableInput, release: TableInput, frame: Frame, batchRows: number, onBatch: (rows: number) => void = () => {}): Promise<MarginalComparison> {
  const step = Math.max(1, Math.ceil(frame.rows / KS_SAMPLE_ROWS));
  const before = await accumulate(input, () => frame.schema, frame, batchRows, step, onBatch);
  const after = await accumulate(release, (header) => releaseSchema(frame, header), frame, batchRows, step, onBatch);
  return {
    inputRows: before.rows,
    releaseRows: after.rows,
    inputColumns: before.width,
    releaseColumns: after.width,
    ksStep: step,
    columns: frame.columns.map((column, j) => ({
      name: column.name,
      unit: column.unit,
      input: before.columns[j].stats(),
      release: after.columns[j].stats(),
      ks: ksDistance(before.columns[j].sample, after.columns[j].sample),
    })),
  };
}
