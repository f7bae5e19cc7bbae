import type { Engine } from '../engine/engine.js';
import { loadFrame, type Frame } from '../frame/frame.js';
import type { TableInput } from '../io/table.js';
import { applyTable, fitTable, type JobContext } from '../pipeline/jobs.js';
import { RunKeys } from '../pipeline/keys.js';
import { describeOperator, parseOperators, profileOperators, resolveOperators, type OperatorSpec } from '../pipeline/operators.js';
import { buildRunReport, operatorWarnings } from '../pipeline/run_report.js';
import { randomSecret } from '../prf/keys.js';
import { validateSchema } from '../schema/schema.js';
import type { OutputFormat } from './formats.js';
import type { OperatorChoice, RunOutputs, TransformSettings } from './protocol.js';

/**
 * Output names for an input file, as the CLI names them beside `--out`:
 * "diabetes.csv" gives "diabetes_release.csv", "diabetes_release.frame.json" and so on.
 */
export function outputNames(inputName: string, format: OutputFormat): { release: string; frame: string; schema: string; report: string } {
  const dot = inputName.lastIndexOf('.');
  const stem = `${dot > 0 ? inputName.slice(0, dot) : inputName}_release`;
  return { release: `${stem}${format.extension}`, frame: `${stem}.frame.json`, schema: `${stem}.schema.json`, report: `${stem}.report.json` };
}

/** Operator specs of a choice; a profile is resolved against the fitted frame as in the CLI. */
export function operatorSpecs(choice: OperatorChoice, frame: Frame): OperatorSpec[] {
  if (choice.kind === 'list') return parseOperators(choice.text);
  return profileOperators(choice.profile, frame.columns.length, frame.rows);
}

export interface PageTransform extends Omit<TransformSettings, 'outputFormat' | 'backend'> {
  table: TableInput;
  format: OutputFormat;
  context: JobContext;
}

/**
 * The CLI's `transform` for a table held by the page: fit the frame, apply the
 * operators, build the same report. The same secret, label, schema, operators and
 * batch size give the same release as `geomask transform` on the same backend.
 */
export async function runPageTransform(job: PageTransform): Promise<{ outputs: RunOutputs; frame: Frame }> {
  const started = performance.now();
  const { table, context, key } = job;
  const schema = validateSchema(job.schema, 'schema');
  // A typo in an operator list fails before the first pass over the data.
  if (job.operators.kind === 'list') parseOperators(job.operators.text);

  if (key.mode === 'ephemeral') context.log('this run uses a fresh ephemeral key (never written anywhere); choose a key file to make it reproducible');
  const secret = key.mode === 'key-file' ? key.secret : randomSecret();
  const keys = new RunKeys(secret, key.label);
  const keyReport = key.mode === 'key-file' ? { mode: 'key-file', file: key.file, label: key.label } : { mode: 'ephemeral', label: key.label };

  const fit = await fitTable(context, table, schema, keys);
  const specs = operatorSpecs(job.operators, fit.frame);
  const warnings = operatorWarnings(specs);
  for (const warning of warnings) context.log(`warning: ${warning}`);
  const operators = resolveOperators(specs, fit.frame.columns.length);
  context.log(`operators: ${operators.map(describeOperator).join(', ')}`);

  const names = outputNames(table.name, job.format);
  const release = job.format.create();
  const summary = await applyTable(context, table, loadFrame(fit.frame), operators, keys, { writer: release.writer, totalRows: fit.frame.rows });
  const report = buildRunReport({
    command: 'transform',
    input: table.name,
    output: names.release,
    frameFile: names.frame,
    key: keyReport,
    engine: context.engine,
    batchRows: context.batchRows,
    // TODO: name the input's own format once the page reads Parquet and Arrow.
    formats: { input: 'csv', output: job.format.id },
    profile: job.operators.kind === 'profile' ? job.operators.profile : undefined,
    operators,
    summary,
    fitSeconds: fit.seconds,
    totalSeconds: (performance.now() - started) / 1000,
    frame: fit.frame,
    warnings,
  });
  return {
    frame: fit.frame,
    outputs: {
      release: { name: names.release, blob: release.result() },
      frame: { name: names.frame, text: `${JSON.stringify(fit.frame)}\n` },
      schema: { name: names.schema, text: `${JSON.stringify(schema, null, 2)}\n` },
      report: { name: names.report, text: `${JSON.stringify(report, null, 2)}\n` },
    },
  };
}
