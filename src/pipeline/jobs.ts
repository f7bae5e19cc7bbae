import type { Engine, StageTimes } from '../engine/engine.js';
import { InputError } from '../errors.js';
import { DEFAULT_FIT_OPTIONS, finishFit, FitAccumulator, type FitKeys, type FitOptions } from '../frame/fit.js';
import type { Frame, LoadedFrame } from '../frame/frame.js';
import { planColumns, type Batch, type ColumnPlan } from '../io/batch.js';
import type { BatchWriter } from '../io/output.js';
import { rowsInShard, selectShard, type Shard } from '../io/shard.js';
import type { TableInput, TablePass } from '../io/table.js';
import { SchemaInference } from '../schema/infer.js';
import { validateSchema, type Schema } from '../schema/schema.js';
import { runApply, type ApplySummary } from './apply.js';
import type { RunKeys } from './keys.js';
import type { ResolvedOperator } from './operators.js';
import { emptyRelease } from './release.js';

/**
 * The jobs of a run, independent of where tables come from and go to: the CLI passes
 * files, the browser passes Blobs. Progress and log lines go to the context.
 */
export interface JobContext {
  engine: Engine;
  batchRows: number;
  /** Receives log lines; lines that start with "warning: " are warnings. */
  log: (line: string) => void;
  /** Progress reporter for a stage: total rows if known, fraction of the input read. */
  progress: (stage: string, total: number | undefined, fraction: () => number | undefined) => (rows: number, final?: boolean) => void;
}

/**
 * Returns the progress fraction of a pass: `rowsDone()` out of `expected(total)` where
 * the reader knows the pass's total rows, else the share of the input read. Rows done
 * lag the rows read by up to a row group, so the share read can reach 100% early.
 */
function passFraction(pass: TablePass, rowsDone: () => number, expected: (total: number) => number = (total) => total): () => number | undefined {
  return () => {
    const total = pass.totalRows?.();
    const rows = total === undefined ? 0 : expected(total);
    return rows > 0 ? rowsDone() / rows : pass.fractionRead();
  };
}

/** Reads a whole table once and proposes a schema, with a reason per column and warnings. */
export async function inferSchema(table: TableInput, batchRows: number): Promise<{ schema: Schema; reasons: string[]; warnings: string[]; header: string[] }> {
  const inference = new SchemaInference();
  let header: string[] = [];
  for await (const { header: h, batch } of table.open(batchRows).records()) {
    header = h;
    inference.add(h, batch);
  }
  return { ...inference.result(), header };
}

/** Derives the keys of the fit's draws, with the fingerprint that partial fit files carry. */
export function fitKeysOf(keys: RunKeys): FitKeys {
  const check = keys.stage('fit_state_check', 0);
  return {
    sample: keys.fitSample(),
    round: (round: number) => keys.fitRound(round),
    check: Array.from(check.subarray(0, 4), (word) => word.toString(16).padStart(8, '0')).join(''),
  };
}

/**
 * Runs the fit pass over one or more tables that are consecutive parts of one input.
 * The rows of table t are numbered on from where table t − 1 ended, starting at
 * `firstRow`, so the keyed sample draws from the same global rows as a fit of the whole
 * input. Every table must have the same columns.
 */
export async function accumulateFit(context: JobContext, tables: readonly TableInput[], schema: Schema, keys: RunKeys, options: FitOptions = DEFAULT_FIT_OPTIONS, firstRow = 0): Promise<FitAccumulator> {
  const fitKeys = fitKeysOf(keys);
  let accumulator: FitAccumulator | undefined;
  let offset = firstRow;
  for (const table of tables) {
    const pass = table.open(context.batchRows);
    const stage = tables.length > 1 ? `fit ${table.name}` : 'fit';
    let rows = 0;
    const progress = context.progress(stage, undefined, passFraction(pass, () => rows));
    const makePlan = (header: string[]): ColumnPlan => {
      const plan = planColumns(validateSchema(schema, table.name, header), header, table.name);
      if (accumulator && plan.header.join('\u0000') !== accumulator.plan.header.join('\u0000')) {
        throw new InputError(`columns (${header.join(', ')}) differ from those of ${accumulator.plan.file}`, 'give parts of one table, with the same columns in the same order', { file: table.name });
      }
      return plan;
    };
    const decimals = (plan: ColumnPlan): Int32Array => (accumulator ??= new FitAccumulator(plan, fitKeys, options)).decimals;
    for await (const { batch } of pass.batches(makePlan, decimals)) {
      accumulator!.add(batch, offset);
      rows += batch.rows;
      progress(rows);
    }
    progress(rows, true);
    offset += rows;
  }
  if (!accumulator) throw new InputError('no input table was given', 'give at least one input file');
  return accumulator;
}

/** Builds the frame from an accumulated fit (the latent correlation rounds run here). */
export async function finishTables(context: JobContext, accumulator: FitAccumulator, schema: Schema, keys: RunKeys, options: FitOptions = DEFAULT_FIT_OPTIONS): Promise<Frame> {
  return finishFit(accumulator, schema, context.engine.scoreLatent, fitKeysOf(keys), options, context.log);
}

/** Runs the fit pass over one or more consecutive parts of one input, then the latent rounds. */
export async function fitTables(context: JobContext, tables: readonly TableInput[], schema: Schema, keys: RunKeys, options: FitOptions = DEFAULT_FIT_OPTIONS): Promise<{ frame: Frame; rows: number; seconds: number }> {
  const started = performance.now();
  const accumulator = await accumulateFit(context, tables, schema, keys, options);
  const frame = await finishTables(context, accumulator, schema, keys, options);
  return { frame, rows: accumulator.rows, seconds: (performance.now() - started) / 1000 };
}

/** Runs the fit pass: one streaming read, then the latent correlation rounds. */
export async function fitTable(context: JobContext, table: TableInput, schema: Schema, keys: RunKeys, options: FitOptions = DEFAULT_FIT_OPTIONS): Promise<{ frame: Frame; rows: number; seconds: number }> {
  return fitTables(context, [table], schema, keys, options);
}

/** Checks that an input carries every numeric column of the frame, in the frame's order. */
export function checkFrameColumns(plan: ColumnPlan, frame: Frame): void {
  const names = plan.numeric.map((c) => c.name);
  const expected = frame.columns.map((c) => c.name);
  if (names.join('\u0000') !== expected.join('\u0000')) {
    throw new InputError(
      `numeric columns (${names.join(', ')}) differ from the frame's (${expected.join(', ')})`,
      'apply a frame fitted on data with the same numeric columns, or fit a new frame',
      { file: plan.file },
    );
  }
}

export interface ApplyTarget {
  writer: BatchWriter;
  /** Receives the source row (0-based, global) of every output row, in output order. */
  rowMap?: (sourceRows: Float64Array) => Promise<void>;
  /** Total rows, when a fit pass has counted them, for progress. */
  totalRows?: number;
  /** Only the rows of this shard are transformed and written. */
  shard?: Shard;
  /** Global index of the table's first row, when the table is a part of a larger input. */
  firstRow?: number;
}

/**
 * Moves the batches of a pass to their global rows and restricts them to a shard. The
 * time spent reading and decoding them is added to `times.parse`.
 */
async function* placeBatches(batches: AsyncIterable<{ batch: Batch }>, target: ApplyTarget, times: StageTimes): AsyncGenerator<Batch> {
  const iterator = batches[Symbol.asyncIterator]();
  for (;;) {
    const started = performance.now();
    const next = await iterator.next();
    if (next.done) break;
    const batch = next.value.batch;
    const placed = target.firstRow ? { ...batch, firstRow: batch.firstRow + target.firstRow } : batch;
    const selected = target.shard ? selectShard(placed, target.shard) : placed;
    times.parse += performance.now() - started;
    // A batch with no row (an empty input, or no row of the shard) goes no further, and
    // the release of no rows is written after the pass.
    if (selected && selected.rows > 0) yield selected;
  }
}

/** Wraps a writer so that the time spent in `write` (encoding and writing) adds to `times.write`. */
function timedWriter(writer: BatchWriter, times: StageTimes): BatchWriter {
  return {
    write: async (batch) => {
      const started = performance.now();
      await writer.write(batch);
      times.write += performance.now() - started;
    },
    commit: () => writer.commit(),
    abort: () => writer.abort(),
  };
}

/**
 * The apply pass: streams the table through the engine into the writer. The writer is
 * committed on success and aborted on failure, so nothing partial remains.
 */
export async function applyTable(context: JobContext, table: TableInput, frame: LoadedFrame, operators: ResolvedOperator[], keys: RunKeys, target: ApplyTarget): Promise<ApplySummary> {
  const pass = table.open(context.batchRows);
  // Rows written, out of the input's rows that belong to the shard (all of them without one).
  let rowsWritten = 0;
  const shard = target.shard;
  const expected = shard ? (total: number) => rowsInShard(shard, target.firstRow ?? 0, total) : undefined;
  const progress = context.progress('apply', target.totalRows, passFraction(pass, () => rowsWritten, expected));
  const ioTimes: StageTimes = { parse: 0, write: 0 };
  let plan: ColumnPlan | undefined;
  const makePlan = (header: string[]): ColumnPlan => {
    plan = planColumns(validateSchema(frame.frame.schema, table.name, header), header, table.name);
    checkFrameColumns(plan, frame.frame);
    return plan;
  };

  try {
    // The plan comes from the header, so the first batch is read before runApply starts.
    const iterator = placeBatches(pass.batches(makePlan), target, ioTimes)[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (!plan) throw new InputError('table has no data rows', 'give a table with data rows', { file: table.name });
    const batches = (async function* (): AsyncGenerator<Batch> {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })();
    const summary = await runApply({
      plan: plan!,
      frame,
      operators,
      engine: context.engine,
      keys,
      batches,
      writer: timedWriter(target.writer, ioTimes),
      depth: 2,
      rowMap: target.rowMap,
      progress: (rows) => {
        rowsWritten = rows;
        progress(rows);
      },
    });
    if (summary.batches === 0) {
      // An empty input or shard still gets the release's columns: a CSV header, or an
      // Arrow or Parquet schema.
      await timedWriter(target.writer, ioTimes).write(emptyRelease({ plan, frame, keys, operators }));
    }
    progress(summary.rows, true);
    const committing = performance.now();
    await target.writer.commit();
    ioTimes.write += performance.now() - committing;
    return { ...summary, times: { parse: ioTimes.parse, ...summary.times, write: ioTimes.write } };
  } catch (error) {
    await target.writer.abort();
    throw error;
  }
}
