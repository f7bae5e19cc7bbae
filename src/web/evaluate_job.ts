import { DEFAULT_CALIBRATION_ROWS, evaluateTable } from '../evaluate/evaluate.js';
import type { EvaluationReport } from '../evaluate/report.js';
import { renderReportHtml } from '../evaluate/report_html.js';
import { parseSetting } from '../evaluate/settings.js';
import type { JobContext } from '../pipeline/jobs.js';
import { validateSchema } from '../schema/schema.js';
import type { PageTable } from './format_io.js';
import { checkEvaluationOptions } from './evaluation_options.js';
import type { EvaluateSettings, EvaluationOutputs } from './protocol.js';
import { pageRunKeys } from './run_keys.js';

/** Report names for an input file: "diabetes.csv" gives "diabetes_evaluation.json" and "diabetes_evaluation.html". */
export function evaluationNames(inputName: string): { json: string; html: string } {
  const dot = inputName.lastIndexOf('.');
  const stem = `${dot > 0 ? inputName.slice(0, dot) : inputName}_evaluation`;
  return { json: `${stem}.json`, html: `${stem}.html` };
}

export interface PageEvaluation extends Omit<EvaluateSettings, 'backend'> {
  table: PageTable;
  context: JobContext;
}

/**
 * Runs the CLI's `evaluate` with one setting (`--profile` or `--ops`) on a table held by
 * the page. It splits the table with the key into targets and controls, fits the frame
 * on the targets, releases them in memory, runs the attacks and utility measures, and
 * renders the HTML report with its plots. The same key file, label, schema, setting and
 * options give the same figures as `geomask evaluate`. The targets' release stays in the worker.
 */
export async function runPageEvaluation(job: PageEvaluation): Promise<{ report: EvaluationReport; outputs: EvaluationOutputs }> {
  const { table, context } = job;
  const schema = validateSchema(job.schema, 'schema');
  checkEvaluationOptions(job);
  // An operator list is parsed here, so a typo fails before the data is read.
  const setting = parseSetting(job.operators.kind === 'profile' ? job.operators.profile : job.operators.text);
  const { keys } = pageRunKeys(job.key, 'evaluation', context.log);

  const report = await evaluateTable(context, table, schema, keys, [setting], {
    controlShare: job.controlShare,
    attackRows: job.attackRows,
    calibrationRows: DEFAULT_CALIBRATION_ROWS,
  });
  context.log(`evaluated ${setting.label} on ${report.input.targets} targets and ${report.input.controls} controls in ${report.seconds.toFixed(1)} s`);

  const plotting = context.progress('report', undefined, () => undefined);
  plotting(0);
  const html = await renderReportHtml(report);
  plotting(report.settings.length, true);

  const names = evaluationNames(table.name);
  return {
    report,
    // The CLI writes the same JSON layout to --out and the HTML beside it.
    outputs: { json: { name: names.json, text: `${JSON.stringify(report, null, 1)}\n` }, html: { name: names.html, text: html } },
  };
}
