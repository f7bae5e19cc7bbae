import type { StageTimes } from '../engine/engine.js';
import { batchRow, type Batch } from '../io/batch.js';
import type { OutputBatch, OutputColumnData } from '../io/output.js';
import { pseudonym } from '../prf/keys.js';
import { RowStream } from '../prf/stream.js';
import type { ApplyJob } from './apply.js';
import { DateShifter } from './dates.js';
import { ColumnFormatter } from './finalize.js';
import type { ResolvedOperator } from './operators.js';
import { keyedPermutation } from './order.js';
import { PramColumn } from './pram.js';

/** Builds the output columns of a batch from its records and numeric positions. */
export class ReleaseBuilder {
  readonly times: StageTimes = { finalize: 0 };
  readonly formatters: ColumnFormatter[];
  private readonly pram = new Map<number, PramColumn>();
  private readonly pramKey: Uint32Array | undefined;
  private readonly orderKey: Uint32Array;
  private readonly pseudonymKey: Uint8Array;
  private readonly dates: DateShifter;

  constructor(private readonly job: Pick<ApplyJob, 'plan' | 'frame' | 'keys' | 'operators'>) {
    const { frame, keys, operators } = job;
    this.formatters = frame.frame.columns.map((c) => new ColumnFormatter(c));
    const pramAt = operators.findIndex((op) => op.op === 'pram');
    if (pramAt !== -1) {
      const pramOp = operators[pramAt] as Extract<ResolvedOperator, { op: 'pram' }>;
      this.pramKey = keys.operator('pram', pramAt);
      frame.frame.categorical.forEach((marginal, slot) => {
        const source = job.plan.header.indexOf(marginal.name);
        if (source !== -1) this.pram.set(source, new PramColumn(marginal, pramOp.keep, slot));
      });
    }
    this.orderKey = keys.order();
    this.pseudonymKey = keys.pseudonym();
    const schema = frame.frame.schema;
    this.dates = new DateShifter(keys.dateShift(), schema.date_shift_days ?? 182, schema.date_shift_weeks ?? false);
  }

  build(batch: Batch, positions: Float32Array): { batch: OutputBatch; sourceRows: Float64Array } {
    const started = performance.now();
    const { plan } = this.job;
    const n = batch.rows;
    const order = keyedPermutation(n, batch.firstRow, this.orderKey);
    const columns: OutputColumnData[] = [];

    for (const column of plan.output) {
      if (column.role === 'numeric') {
        const j = column.numeric!;
        const formatter = this.formatters[j];

        // Rows leave in keyed order: one gather, then the missing cells' texts.
        const values = new Float64Array(n);
        const missing = formatter.snapInOrder(positions, batch.numeric64, j * n, order, values);
        const missingText = new Map<number, string>();
        for (let out = 0; missing > 0 && out < n; out++) {
          if (!Number.isNaN(values[out])) continue;
          // Writers read an absent entry as the empty text, so only other texts are kept.
          const text = batch.records[order[out]][column.source];
          if (text !== '') missingText.set(out, text);
        }
        columns.push({ name: column.name, kind: 'number', values, decimals: formatter.column.decimals, missingText });
        continue;
      }

      const values: string[] = new Array(n);
      const pram = this.pram.get(column.source);
      const stream = pram ? new RowStream(this.pramKey!) : undefined;
      for (let out = 0; out < n; out++) {
        const r = order[out];
        const text = batch.records[r][column.source];
        if (column.role === 'identifier') {
          values[out] = plan.missingTokens.has(text) ? text : pseudonym(this.pseudonymKey, text);
        } else if (column.role === 'date') {
          values[out] = plan.missingTokens.has(text) ? text : this.shiftDate(batch, r, column.source, text);
        } else if (pram && !plan.missingTokens.has(text)) {
          stream!.seek(batchRow(batch, r));
          values[out] = pram.apply(text, stream!);
        } else {
          values[out] = text;
        }
      }
      columns.push({ name: column.name, kind: 'text', values });
    }

    const sourceRows = new Float64Array(n);
    for (let out = 0; out < n; out++) sourceRows[out] = batchRow(batch, order[out]);
    this.times.finalize += performance.now() - started;
    return { batch: { rows: n, columns }, sourceRows };
  }

  private shiftDate(batch: Batch, r: number, source: number, text: string): string {
    const { plan } = this.job;
    const who = plan.patient === undefined ? `row:${batchRow(batch, r)}` : `patient:${batch.records[r][plan.patient]}`;
    return this.dates.shift(text, this.dates.offsetDays(who), {
      file: plan.file,
      row: batchRow(batch, r) + 1,
      line: batch.lines?.[r],
      column: plan.header[source],
    });
  }
}

/**
 * Builds the release of no rows, with every released column, so that a writer of an
 * empty input or shard still writes the CSV header or the Arrow or Parquet schema.
 */
export function emptyRelease(job: Pick<ApplyJob, 'plan' | 'frame' | 'keys' | 'operators'>): OutputBatch {
  const empty: Batch = { firstRow: 0, rows: 0, records: [], numeric64: new Float64Array(0), numeric: new Float32Array(0) };
  return new ReleaseBuilder(job).build(empty, new Float32Array(0)).batch;
}
