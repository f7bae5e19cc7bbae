import type { Engine } from '../engine/engine.js';
import { InputError } from '../errors.js';
import { finishFit, FitAccumulator, DEFAULT_FIT_OPTIONS, type FitOptions } from '../frame/fit.js';
import type { Frame, LoadedFrame } from '../frame/frame.js';
import { AtomicFile } from '../io/atomic_file.js';
import { planColumns, toBatch, type Batch, type ColumnPlan } from '../io/batch.js';
import { readCsvBatches, type CsvSource } from '../io/csv_reader.js';
import { CsvBatchWriter } from '../io/csv_writer.js';
import { runApply, type ApplySummary } from '../pipeline/apply.js';
import type { RunKeys } from '../pipeline/keys.js';
import type { ResolvedOperator } from '../pipeline/operators.js';
import { SchemaInference } from '../schema/infer.js';
import { validateSchema, type Schema } from '../schema/schema.js';
import { csvFile } from './files.js';

export interface JobContext {
  engine: Engine;
  batchRows: number;
  log: (line: string) => void;
  /** Progress callback factory: stage name, total rows if known, fraction of bytes read. */
  progress: (stage: string, total: number | undefined, fraction: () => number) => (rows: number, final?: boolean) => void;
}

/** Reads a whole CSV once and proposes a schema. */
export async function inferSchema(path: string, batchRows: number): Promise<{ schema: Schema; reasons: string[]; header: string[] }> {
  const inference = new SchemaInference();
  let header: string[] = [];
  for await (const { header: h, batch } of readCsvBatches(csvFile(path), batchRows)) {
    header = h;
    inference.add(h, batch);
  }
  return { ...inference.result(), header };
}

/** Batches of a CSV source converted with the plan built from its header. */
async function* batchesOf(source: CsvSource, batchRows: number, makePlan: (header: string[]) => ColumnPlan, decimals?: (plan: ColumnPlan) => Int32Array): AsyncGenerator<{ plan: ColumnPlan; batch: Batch }> {
  let plan: ColumnPlan | undefined;
  for await (const { header, batch } of readCsvBatches(source, batchRows)) {
    plan ??= makePlan(header);
    yield { plan, batch: toBatch(plan, batch, decimals?.(plan)) };
  }
}

/** The fit pass over a CSV file: one streaming read, then the latent correlation rounds. */
export async function fitCsv(context: JobContext, path: string, schema: Schema, keys: RunKeys, options: FitOptions = DEFAULT_FIT_OPTIONS): Promise<{ frame: Frame; rows: number; seconds: number }> {
  const started = performance.now();
  const source = csvFile(path);
  const progress = context.progress('fit', undefined, () => source.bytesRead() / Math.max(1, source.bytes));
  const fitKeys = { sample: keys.fitSample(), round: (round: number) => keys.fitRound(round) };
  let accumulator: FitAccumulator | undefined;

  const makePlan = (header: string[]): ColumnPlan => planColumns(validateSchema(schema, path, header), header, path);
  for await (const { plan, batch } of batchesOf(source, context.batchRows, makePlan, (plan) => (accumulator ??= new FitAccumulator(plan, fitKeys, options)).decimals)) {
    accumulator!.add(batch);
    progress(accumulator!.rows);
  }
  progress(accumulator!.rows, true);

  const frame = await finishFit(accumulator!, schema, context.engine.scoreLatent, fitKeys, options, context.log);
  return { frame, rows: accumulator!.rows, seconds: (performance.now() - started) / 1000 };
}

/** Checks that an input carries every numeric column of the frame, in the frame's order. */
function checkFrameColumns(plan: ColumnPlan, frame: Frame): void {
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

export interface ApplyFiles {
  input: string;
  output: string;
  /** Optional file that maps output rows to input rows (1-based); it re-links the release. */
  rowMap?: string;
  /** Total rows, when a fit pass has counted them, for progress. */
  totalRows?: number;
}

/** The apply pass: stream the input through the engine into the output, atomically. */
export async function applyCsv(context: JobContext, files: ApplyFiles, frame: LoadedFrame, operators: ResolvedOperator[], keys: RunKeys): Promise<ApplySummary> {
  const source = csvFile(files.input);
  const progress = context.progress('apply', files.totalRows, () => source.bytesRead() / Math.max(1, source.bytes));
  const output = new AtomicFile(files.output);
  const rowMap = files.rowMap ? new AtomicFile(files.rowMap) : undefined;
  const writer = new CsvBatchWriter(output);
  let plan: ColumnPlan | undefined;

  const makePlan = (header: string[]): ColumnPlan => {
    plan = planColumns(validateSchema(frame.frame.schema, files.input, header), header, files.input);
    checkFrameColumns(plan, frame.frame);
    return plan;
  };
  async function* batches(): AsyncGenerator<Batch> {
    for await (const { batch } of batchesOf(source, context.batchRows, makePlan)) yield batch;
  }

  try {
    await rowMap?.write('output_row,source_row\n');
    let outputRow = 0;
    // The plan is built from the header when the first batch is read, before runApply needs it.
    const iterator = batches()[Symbol.asyncIterator]();
    const first = await iterator.next();
    const all = (async function* () {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })();
    const summary = await runApply({
      plan: plan!,
      frame,
      operators,
      engine: context.engine,
      keys,
      batches: all,
      writer,
      depth: 2,
      rowMap: rowMap
        ? async (sourceRows) => {
            const lines: string[] = [];
            for (const row of sourceRows) lines.push(`${++outputRow},${row + 1}`);
            await rowMap.write(`${lines.join('\n')}\n`);
          }
        : undefined,
      progress: (rows) => progress(rows),
    });
    progress(summary.rows, true);
    await writer.commit();
    await rowMap?.commit();
    return summary;
  } catch (error) {
    await writer.abort();
    await rowMap?.abort();
    throw error;
  }
}
