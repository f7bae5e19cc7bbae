/// <reference lib="webworker" />
import type { Engine } from '../engine/engine.js';
import { selectEngine, type BackendChoice } from '../engine/select.js';
import { InputError } from '../errors.js';
import type { JobContext } from '../pipeline/jobs.js';
import { inferSchema } from '../pipeline/jobs.js';
import { runPageEvaluation } from './evaluate_job.js';
import { loadFormat, needsLoading, openTable, type PageTable } from './format_io.js';
import { inputFormatFor, outputFormatById, type InputFormat, type OutputFormat } from './formats.js';
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

/** Makes a reporter for one stage that posts at most one message per interval, and always the final one. */
function progressReporter(stage: string, total: number | undefined, fraction: () => number | undefined): (rows: number, final?: boolean) => void {
  let last = 0;
  return (rows, final = false) => {
    const now = performance.now();
    if (!final && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    reply({ type: 'progress', stage, rows, total, fraction: fraction(), final });
  };
}

/** Formats whose modules have loaded in this worker. */
const loaded = new Set<string>();

/** Loads what the formats need (Parquet's WebAssembly module) once per worker, with a log line. */
async function loadFormats(formats: (InputFormat | OutputFormat)[], log: (line: string) => void): Promise<void> {
  for (const format of formats) {
    if (!needsLoading(format) || loaded.has(format.id)) continue;
    log(`loading the ${format.label} reader and writer (WebAssembly, bundled with the page)`);
    await loadFormat(format);
    loaded.add(format.id);
  }
}

/** Opens the dropped file in the format its name gives, once that format has loaded. */
async function openInput(file: File, log: (line: string) => void): Promise<{ table: PageTable; format: InputFormat }> {
  const format = inputFormatFor(file.name);
  await loadFormats([format], log);
  return { table: openTable(format, file.name, file), format };
}

const log = (line: string): void => reply({ type: 'log', line });

async function infer(request: Extract<WorkerRequest, { type: 'infer' }>): Promise<void> {
  const { table } = await openInput(request.file, log);
  let rows = 0;
  let fractionRead: number | undefined;
  const progress = progressReporter('schema', undefined, () => fractionRead);
  const observed = observeReads(table, (batchRows, fraction) => {
    rows += batchRows;
    fractionRead = fraction;
    progress(rows);
  });
  const { schema, reasons, warnings, header } = await inferSchema(observed, request.batchRows);
  for (const warning of warnings) log(`warning: ${warning}`);
  progress(rows, true);
  reply({ type: 'schema', schema, reasons, header, rows });
}

/** Selects the engine as the CLI does, with the page's wording when WebGPU was forced but is absent. */
async function pageEngine(backend: BackendChoice, batchRows: number, log: (line: string) => void): Promise<Engine> {
  try {
    return await selectEngine(backend, batchRows, log);
  } catch (error) {
    if (!(error instanceof InputError) || backend !== 'gpu') throw error;
    log(error.message);
    throw new InputError('the gpu backend was chosen, but this browser offers no WebGPU adapter', 'choose the auto or cpu backend, or open the page in a browser with WebGPU enabled');
  }
}

async function transform(request: Extract<WorkerRequest, { type: 'transform' }>): Promise<void> {
  const format = outputFormatById(request.outputFormat);
  const input = await openInput(request.file, log);
  await loadFormats([format], log);
  const engine = await pageEngine(request.backend, request.batchRows, log);
  reply({ type: 'backend', kind: engine.kind, device: engine.device });
  try {
    const context: JobContext = { engine, batchRows: request.batchRows, log, progress: progressReporter };
    const { outputs, frame } = await runPageTransform({ ...request, table: input.table, inputFormat: input.format.id, format, context });
    // The release is read back in its own format, which has loaded above.
    const release = openTable(inputFormatFor(outputs.release.name), outputs.release.name, outputs.release.blob);
    const compareProgress = progressReporter('compare', 2 * frame.rows, () => undefined);
    let compared = 0;
    const comparison = await compareMarginals(input.table, release, frame, request.batchRows, (rows) => compareProgress((compared += rows)));
    compareProgress(compared, true);
    reply({ type: 'done', outputs, comparison });
  } finally {
    engine.destroy();
  }
}

async function evaluate(request: Extract<WorkerRequest, { type: 'evaluate' }>): Promise<void> {
  const { table } = await openInput(request.file, log);
  const engine = await pageEngine(request.backend, request.batchRows, log);
  reply({ type: 'backend', kind: engine.kind, device: engine.device });
  try {
    const context: JobContext = { engine, batchRows: request.batchRows, log, progress: progressReporter };
    const { outputs, report } = await runPageEvaluation({ ...request, table, context });
    reply({ type: 'evaluated', outputs, report });
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
  let work: Promise<void>;
  if (request.type === 'infer') work = infer(request);
  else if (request.type === 'transform') work = transform(request);
  else work = evaluate(request);
  work.catch(replyError);
};
