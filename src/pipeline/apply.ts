import type { NumericPipeline, RowStage, StageTimes } from '../engine/engine.js';
import type { Engine } from '../engine/engine.js';
import type { LoadedFrame } from '../frame/frame.js';
import type { Batch, ColumnPlan } from '../io/batch.js';
import type { BatchWriter } from '../io/output.js';
import { hasNeighbourOperator, runNeighbourApply, type NeighbourStageReport } from './apply_neighbours.js';
import { CoincidenceGuard } from './coincidence.js';
import type { RunKeys } from './keys.js';
import type { ResolvedOperator } from './operators.js';
import { ReleaseBuilder } from './release.js';

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
  /** Neighbour operators: search mode, blocks, recall, groups and time of each. */
  neighbourStages?: NeighbourStageReport[];
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
  if (hasNeighbourOperator(job.operators)) return runNeighbourApply(job);
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

