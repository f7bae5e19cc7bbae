import type { NumericPipeline, RowStage, StageTimes } from '../engine/engine.js';
import type { Engine } from '../engine/engine.js';
import { InputError } from '../errors.js';
import type { LoadedFrame } from '../frame/frame.js';
import { batchRow, type Batch, type ColumnPlan } from '../io/batch.js';
import type { BatchWriter, OutputBatch, OutputColumnData } from '../io/output.js';
import { pseudonym } from '../prf/keys.js';
import { RowStream } from '../prf/stream.js';
import { DateShifter } from './dates.js';
import { CoincidenceGuard } from './coincidence.js';
import { ColumnFormatter } from './finalize.js';
import type { RunKeys } from './keys.js';
import type { ResolvedOperator } from './operators.js';
import { keyedPermutation } from './order.js';
import { PramColumn } from './pram.js';

export interface ApplyJob {
  plan: ColumnPlan;
  frame: LoadedFrame;
  operators: ResolvedOperator[];
  engine: Engine;
  keys: RunKeys;
  batches: AsyncIterable<Batch>;
  writer: BatchWriter;
  /** Receives, per output row, the global index of its source row (audits only). */
  rowMap?: (sourceRows: Float64Array) => Promise<void>;
  /** Called after each batch is written with the rows done so far. */
  progress?: (rowsDone: number) => void;
  /** Batches submitted to the engine before the oldest is awaited. */
  depth?: number;
}

export interface ApplySummary {
  rows: number;
  batches: number;
  seconds: number;
  times: StageTimes;
  /** Rows transformed again because they equalled their source row, and those still equal. */
  coincidences: { retried: number; unresolved: number };
}

/** Suffix of the stage names whose keys drive retry `attempt` (none for the first try). */
function retrySuffix(attempt: number): string {
  return attempt === 0 ? '' : `#retry${attempt}`;
}

/** The row-wise operator stages with their keys. */
function rowStages(operators: readonly ResolvedOperator[], keys: RunKeys, attempt = 0): RowStage[] {
  const stages: RowStage[] = [];
  const suffix = retrySuffix(attempt);
  operators.forEach((op, position) => {
    if (op.op === 'rotate') stages.push({ op: 'rotate', params: op, key: keys.operator(`rotate${suffix}`, position) });
    else if (op.op === 'project') stages.push({ op: 'project', params: { k: op.k }, key: keys.operator(`project${suffix}`, position) });
    else if (op.op === 'interpolate' || op.op === 'mix') {
      throw new InputError(`${op.op} is not available in the streaming apply`, 'use rotate, project and pram');
    }
  });
  return stages;
}

/**
 * Streams batches through the numeric pipeline and writes the release: numeric
 * columns back-mapped and formatted, identifiers pseudonymized or dropped, PRAM on
 * categorical quasi-identifiers, dates shifted per patient, rows in a keyed order
 * within each batch. Up to `depth` batches are in flight on the engine while the
 * host parses the next and writes the previous one.
 */
export async function runApply(job: ApplyJob): Promise<ApplySummary> {
  const started = performance.now();
  const { plan, frame, keys } = job;
  const stages = rowStages(job.operators, keys);
  const pipeline = await job.engine.createPipeline({ frame, latentKey: keys.stage('normal_scores', 0), sweeps: frame.frame.latent.sweeps, stages });
  const release = new ReleaseBuilder(job);
  const guard = new CoincidenceGuard(
    job.engine,
    frame,
    (attempt) => ({ latentKey: keys.stage(`normal_scores${retrySuffix(attempt)}`, 0), stages: rowStages(job.operators, keys, attempt) }),
    release.formatters,
  );
  const depth = Math.max(1, job.depth ?? 2);
  const inFlight: { batch: Batch; positions: Promise<Float32Array> }[] = [];
  let rows = 0;
  let batches = 0;

  const finish = async (): Promise<void> => {
    const { batch, positions } = inFlight.shift()!;
    const values = await positions;
    if (stages.length > 0) await guard.fix(batch, values);
    const output = release.build(batch, values);
    await job.writer.write(output.batch);
    if (job.rowMap) await job.rowMap(output.sourceRows);
    rows += batch.rows;
    batches++;
    job.progress?.(rows);
  };

  try {
    for await (const batch of job.batches) {
      inFlight.push({ batch, positions: runNumeric(pipeline, batch) });
      if (inFlight.length >= depth) await finish();
    }
    while (inFlight.length > 0) await finish();
  } catch (error) {
    // Settle batches still on the engine before the caller tears it down.
    await Promise.allSettled(inFlight.map((f) => f.positions));
    throw error;
  } finally {
    pipeline.dispose();
    await guard.dispose();
  }
  return {
    rows,
    batches,
    seconds: (performance.now() - started) / 1000,
    times: { ...pipeline.times, ...release.times },
    coincidences: { retried: guard.retried, unresolved: guard.unresolved },
  };
}

function runNumeric(pipeline: NumericPipeline, batch: Batch): Promise<Float32Array> {
  const positions = pipeline.run(batch.numeric, { rows: batch.rows, rowBase: batch.firstRow, rowStride: batch.rowStride ?? 1 });
  // Avoid an unhandled rejection while the promise waits in the queue.
  positions.catch(() => {});
  return positions;
}

/** Builds the output columns of a batch from its records and numeric positions. */
class ReleaseBuilder {
  readonly times: StageTimes = { finalize: 0 };
  readonly formatters: ColumnFormatter[];
  private readonly pram = new Map<number, PramColumn>();
  private readonly pramKey: Uint32Array | undefined;
  private readonly orderKey: Uint32Array;
  private readonly pseudonymKey: Uint8Array;
  private readonly dates: DateShifter;

  constructor(private readonly job: ApplyJob) {
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
        const values = new Float64Array(n);
        const missingText = new Map<number, string>();
        for (let out = 0; out < n; out++) {
          const r = order[out];
          if (Number.isNaN(batch.numeric64[j * n + r])) {
            values[out] = NaN;
            // Writers read an absent entry as the empty text, so only other texts are kept.
            const text = batch.records[r][column.source];
            if (text !== '') missingText.set(out, text);
          } else {
            values[out] = formatter.snap(formatter.value(positions[j * n + r]));
          }
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
      line: batch.lines[r],
      column: plan.header[source],
    });
  }
}
