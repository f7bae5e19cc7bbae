import { loadFrame, type Frame } from '../frame/frame.js';
import { applyTable, fitTable, type JobContext } from '../pipeline/jobs.js';
import { describeOperator, parseOperators, profileOperators, resolveOperators, type OperatorSpec } from '../pipeline/operators.js';
import { releaseColumnTypes } from '../pipeline/output_types.js';
import { buildRunReport, operatorWarnings } from '../pipeline/run_report.js';
import { validateSchema } from '../schema/schema.js';
import { createReleaseWriter, type PageTable } from './format_io.js';
import type { OutputFormat } from './formats.js';
import { OPERATOR_FIELD, type OperatorChoice, type RunOutputs, type TransformSettings } from './protocol.js';
import { pageRunKeys } from './run_keys.js';

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
  if (choice.kind === 'list') return parseOperators(choice.text, OPERATOR_FIELD);
  return profileOperators(choice.profile, frame.columns.length, frame.rows);
}

export interface PageTransform extends Omit<TransformSettings, 'outputFormat' | 'backend'> {
  table: PageTable;
  /** The input's format, as the run report names it: csv, parquet, arrow or arrows. */
  inputFormat: string;
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
  if (job.operators.kind === 'list') parseOperators(job.operators.text, OPERATOR_FIELD);

  const { keys, report: keyReport } = pageRunKeys(key, 'run', context.log);

  const fit = await fitTable(context, table, schema, keys);
  const specs = operatorSpecs(job.operators, fit.frame);
  const warnings = operatorWarnings(specs);
  for (const warning of warnings) context.log(`warning: ${warning}`);
  const operators = resolveOperators(specs, fit.frame.columns.length);
  context.log(`operators: ${operators.map(describeOperator).join(', ')}`);

  const names = outputNames(table.name, job.format);
  const frame = loadFrame(fit.frame);
  // The fit pass has read the input's column types; a Parquet or Arrow release keeps them where it can.
  const release = createReleaseWriter(job.format, (columns) => releaseColumnTypes(frame, operators, table.columnTypes)(columns));
  const summary = await applyTable(context, table, frame, operators, keys, { writer: release.writer, totalRows: fit.frame.rows });
  const report = buildRunReport({
    command: 'transform',
    input: table.name,
    output: names.release,
    frameFile: names.frame,
    key: keyReport,
    engine: context.engine,
    batchRows: context.batchRows,
    formats: { input: job.inputFormat, output: job.format.id },
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
