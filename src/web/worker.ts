/// <reference lib="webworker" />
import { selectEngine } from '../engine/select.js';
import { InputError } from '../errors.js';
import type { JobContext } from '../pipeline/jobs.js';
import { inferSchema } from '../pipeline/jobs.js';
import { inputFormatFor, outputFormatById } from './formats.js';
import { compareMarginals } from './marginal_summary.js';
import { observeReads } from './observed_table.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { runPageTransform } from './transform_job.js';

/** Milliseconds between progress messages, so the page repaints without being flooded. */
const PROGRESS_INTERVAL_MS = 100;

const scope = self as unknown as DedicatedWorkerGlobalScope;

function reply(message: WorkerReply): void {
  scope.postMessage(message);
}

/** A reporter for one stage that posts at most one message per interval, and the last one. */
function progressReporter(stage: string, total: number | undefined, fraction: () => number | undefined): (rows: number, final?: boolean) => void {
  let last = 0;
  return (rows, final = false) => {
    const now = performance.now();
    if (!final && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    reply({ type: 'progress', stage, rows, total, fraction: fraction(), final });
  };
}

async function infer(request: Extract<WorkerRequest, { type: 'infer' }>): Promise<void> {
  const table = inputFormatFor(request.file.name).open(request.file.name, request.file);
  let rows = 0;
  let fractionRead: number | undefined;
  const progress = progressReporter('schema', undefined, () => fractionRead);
  const observed = observeReads(table, (batchRows, fraction) => {
    rows += batchRows;
    fractionRead = fraction;
    progress(rows);
  });
  const { schema, reasons, header } = await inferSchema(observed, request.batchRows);
  progress(rows, true);
  reply({ type: 'schema', schema, reasons, header, rows });
}

async function transform(request: Extract<WorkerRequest, { type: 'transform' }>): Promise<void> {
  const log = (line: string): void => reply({ type: 'log', line });
  const format = outputFormatById(request.outputFormat);
  const table = inputFormatFor(request.file.name).open(request.file.name, request.file);
  const engine = await selectEngine(request.backend, request.batchRows, log);
  reply({ type: 'backend', kind: engine.kind, device: engine.device });
  try {
    const context: JobContext = { engine, batchRows: request.batchRows, log, progress: progressReporter };
    const { outputs, frame } = await runPageTransform({ ...request, table, format, context });
    const release = inputFormatFor(outputs.release.name).open(outputs.release.name, outputs.release.blob);
    const compareProgress = progressReporter('compare', 2 * frame.rows, () => undefined);
    let compared = 0;
    const comparison = await compareMarginals(table, release, frame, request.batchRows, (rows) => compareProgress((compared += rows)));
    compareProgress(compared, true);
    reply({ type: 'done', outputs, comparison });
  } finally {
    engine.destroy();
  }
}

function replyError(error: unknown): void {
  if (error instanceof InputError) {
    reply({ type: 'error', message: error.message, input: { problem: error.problem, fix: error.fix, location: error.location } });
  } else {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    reply({ type: 'error', message });
  }
}

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const work = request.type === 'infer' ? infer(request) : transform(request);
  work.catch(replyError);
};
