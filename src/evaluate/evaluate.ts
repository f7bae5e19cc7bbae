import { InputError } from '../errors.js';
import { loadFrame, type Frame, type LoadedFrame } from '../frame/frame.js';
import type { TableInput } from '../io/table.js';
import { applyTable, fitTable, type JobContext } from '../pipeline/jobs.js';
import type { RunKeys } from '../pipeline/keys.js';
import type { ResolvedOperator } from '../pipeline/operators.js';
import { keyedPermutation } from '../pipeline/order.js';
import { frameSummary } from '../pipeline/report.js';
import type { Schema } from '../schema/schema.js';
import { evalColumns, type EvalColumns } from './columns.js';
import { FilteredTable } from './filtered_table.js';
import { loadRows, newDictionaries, type EvalDictionaries } from './loader.js';
import { checkPositive, LogisticTask, positiveValue } from './logistic_utility.js';
import { measureRelease, type EvaluationData, type ReleaseUnderTest, type StepProgress } from './measure.js';
import { ReleaseCollector } from './release_collector.js';
import type { EvaluationReport, SettingReport } from './report.js';
import { numericColumn, type EvalRows } from './rows.js';
import { KeyedSplit } from './split.js';
import { defaultMismatch, standardizer } from './space.js';
import { correlations, histogramBins, histogramShares } from './utility.js';

export const EVALUATOR_VERSION = '0.1.0';

export interface EvaluateOptions {
  /** Share of patients (or rows) held back as controls. */
  controlShare: number;
  /** Cap on the targets the distance attacks run on (a keyed sample); all when absent. */
  attackRows?: number;
  /** Rows the aware attacker simulates. */
  calibrationRows: number;
  /** Outcome of the logistic regression, and its positive value (default: the rarer of two). */
  target?: { column: string; positive?: string };
  /** Squared distance per categorical mismatch in the quasi-identifier space (default 1/C). */
  categoricalMismatch?: number;
}

export const DEFAULT_CALIBRATION_ROWS = 8000;

/** The numbers of numeric columns (d) and of rows (n) that operators are resolved for. */
export interface TableShape {
  d: number;
  rows: number;
}

/** One operator setting to evaluate; operators are resolved once the frame's shape is known. */
export interface SettingRequest {
  label: string;
  operators: (shape: TableShape) => ResolvedOperator[];
}

/** Reads the header of a table from its first record. */
export async function readHeader(table: TableInput): Promise<string[]> {
  const records = table.open(1).records()[Symbol.asyncIterator]();
  const first = await records.next();
  await records.return?.(undefined);
  if (first.done) throw new InputError('the table is empty', 'give a CSV file with a header line and rows', { file: table.name });
  return first.value.header;
}

function attackedRows(count: number, cap: number | undefined, key: Uint32Array): Int32Array {
  if (cap === undefined || cap >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return Int32Array.from(keyedPermutation(count, 0, key).subarray(0, cap)).sort();
}

function stepProgress(context: JobContext): StepProgress {
  return (stage, total) => context.progress(stage, total, () => undefined);
}

interface Prepared {
  columns: EvalColumns;
  dictionaries: EvalDictionaries;
  schema: Schema;
  targets: EvalRows;
  controls: EvalRows;
  frame?: LoadedFrame;
  frameOnly?: EvalRows;
}

/** Returns the positive class of the logistic regression's target, checked right after the first pass over the data. */
function positiveClass(prepared: Prepared, options: EvaluateOptions): string | undefined {
  if (!options.target) return undefined;
  const positive = positiveValue(prepared.columns, prepared.dictionaries, prepared.targets, options.target.positive);
  checkPositive(prepared.columns, prepared.dictionaries, positive);
  return positive;
}

function prepareData(prepared: Prepared, keys: RunKeys, options: EvaluateOptions, positive: string | undefined): EvaluationData {
  const { columns, dictionaries, targets, controls } = prepared;
  const scale = standardizer(targets);
  const cap = options.attackRows;
  const query = {
    targets: attackedRows(targets.count, cap, keys.stage('evaluate_attacked_targets', 0)),
    controls: attackedRows(controls.count, cap === undefined ? undefined : Math.round((cap * controls.count) / Math.max(1, targets.count)), keys.stage('evaluate_attacked_controls', 0)),
  };
  const logistic = positive === undefined ? undefined : new LogisticTask(columns, dictionaries, scale, positive, targets, controls, prepared.frameOnly);
  const categoricalMismatch = options.categoricalMismatch ?? defaultMismatch(columns.categoricalQi.length);
  return { ...prepared, scale, bins: histogramBins(columns.numeric, targets), query, logistic, calibrationRows: options.calibrationRows, categoricalMismatch };
}

function reportShell(data: EvaluationData, context: JobContext, input: EvaluationReport['input'], started: number, settings: SettingReport[], frame?: Frame): EvaluationReport {
  const { columns } = data;
  return {
    tool: 'ehr-geomask',
    kind: 'evaluation',
    version: EVALUATOR_VERSION,
    createdAt: new Date().toISOString(),
    input,
    backend: { kind: context.engine.kind, device: context.engine.device },
    columns: {
      numeric: columns.numeric,
      categoricalQuasiIdentifiers: columns.categoricalQi.map((k) => columns.text[k]),
      sensitive: columns.sensitive.map((k) => columns.text[k]),
      target: columns.target === undefined ? undefined : columns.text[columns.target],
    },
    inputPlots: {
      bins: data.bins,
      marginals: data.bins.map((bins, j) => histogramShares(bins, numericColumn(data.targets, j))),
      pearson: correlations(data.targets, 'pearson'),
      spearman: correlations(data.targets, 'spearman'),
    },
    frameSummary: frame ? frameSummary(frame) : undefined,
    settings,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
}

/** Applies `operators` to the targets and keeps the evaluator's columns of the release. */
async function releaseTargets(context: JobContext, targetTable: TableInput, prepared: Prepared, frame: LoadedFrame, operators: ResolvedOperator[], keys: RunKeys): Promise<{ release: EvalRows; sourceRows: Int32Array }> {
  const collector = new ReleaseCollector(prepared.columns, prepared.dictionaries);
  await applyTable(context, targetTable, frame, operators, keys, collector.target(prepared.targets.count));
  return collector.result();
}

/**
 * One evaluation of a table: the keyed split into targets and controls, the frame
 * fitted on the targets and the frame-only release, ready to release the targets under
 * operator settings and measure each release. The controls are never released.
 */
export class TableEvaluation {
  private constructor(
    private readonly context: JobContext,
    private readonly keys: RunKeys,
    private readonly targetTable: TableInput,
    private readonly prepared: Prepared,
    readonly data: EvaluationData,
    readonly frame: Frame,
    private readonly input: EvaluationReport['input'],
    private readonly started: number,
  ) {}

  static async prepare(context: JobContext, table: TableInput, schema: Schema, keys: RunKeys, options: EvaluateOptions): Promise<TableEvaluation> {
    const started = performance.now();
    const header = await readHeader(table);
    const columns = evalColumns(schema, header, table.name, options.target?.column);
    const dictionaries = newDictionaries(columns);
    const split = new KeyedSplit(keys.stage('evaluate_split', 0), options.controlShare);
    const patientColumn = columns.patient;
    const [targets, controls] = await loadRows(table, schema, columns, dictionaries, context.batchRows, {
      sets: 2,
      assign: (h) => {
        const control = split.filter(patientColumn, 'controls')(h);
        return (record, row) => (control(record, row) ? 1 : 0);
      },
      progress: context.progress('read', undefined, () => undefined),
    });
    if (controls.count === 0) throw new InputError('the control set is empty', 'raise --control-share or give more rows (or patients)', { file: table.name });

    const prepared: Prepared = { columns, dictionaries, schema, targets, controls };
    const positive = positiveClass(prepared, options);

    const targetTable = new FilteredTable(table.name, table, split.filter(patientColumn, 'targets'));
    const fit = await fitTable(context, targetTable, schema, keys);
    const frame = loadFrame(fit.frame);
    prepared.frame = frame;
    prepared.frameOnly = (await releaseTargets(context, targetTable, prepared, frame, [], keys)).release;
    const patients = (rows: EvalRows) => (rows.patient ? new Set(rows.patient).size : undefined);
    const input: EvaluationReport['input'] = {
      file: table.name,
      rows: targets.count + controls.count,
      targets: targets.count,
      controls: controls.count,
      split: { by: patientColumn === undefined ? 'row' : 'patient', controlShare: options.controlShare, targetPatients: patients(targets), controlPatients: patients(controls) },
    };
    return new TableEvaluation(context, keys, targetTable, prepared, prepareData(prepared, keys, options, positive), fit.frame, input, started);
  }

  /** Releases the targets under `operators` and returns the release with each output row's source target. */
  release(operators: ResolvedOperator[]): Promise<{ release: EvalRows; sourceRows: Int32Array }> {
    return releaseTargets(this.context, this.targetTable, this.prepared, this.prepared.frame!, operators, this.keys);
  }

  measure(test: ReleaseUnderTest): Promise<SettingReport> {
    return measureRelease(this.context.engine, this.data, test, this.keys, stepProgress(this.context));
  }

  /** Releases the targets under one setting and measures the release. */
  async run(setting: SettingRequest): Promise<SettingReport> {
    const operators = setting.operators({ d: this.frame.columns.length, rows: this.frame.rows });
    const applyStarted = performance.now();
    const { release, sourceRows } = await this.release(operators);
    const applySeconds = (performance.now() - applyStarted) / 1000;
    this.context.log(`evaluating ${setting.label}: ${release.count} released rows`);
    const report = await this.measure({ label: setting.label, operators, release, sourceRows });
    report.seconds = { apply: Number(applySeconds.toFixed(3)), ...report.seconds };
    return report;
  }

  report(settings: SettingReport[]): EvaluationReport {
    return reportShell(this.data, this.context, this.input, this.started, settings, this.frame);
  }
}

/** Evaluates operator settings on a table; see TableEvaluation. */
export async function evaluateTable(context: JobContext, table: TableInput, schema: Schema, keys: RunKeys, settings: SettingRequest[], options: EvaluateOptions): Promise<EvaluationReport> {
  const evaluation = await TableEvaluation.prepare(context, table, schema, keys, options);
  const reports: SettingReport[] = [];
  for (const setting of settings) reports.push(await evaluation.run(setting));
  return evaluation.report(reports);
}

/** An existing release to audit: the input it was made from, the release, the held-back controls. */
export interface AuditInput {
  input: TableInput;
  release: TableInput;
  control: TableInput;
  /** Per output row, the 0-based input row it came from (the --row-map file); linkage needs it. */
  sourceRows?: Int32Array;
  /** The frame the release was made with; the aware attack and the frame-only comparison need it. */
  frame?: Frame;
  operators: ResolvedOperator[];
  label: string;
}

/** Audits a release that `transform` or `apply` wrote, against a control file never released. */
export async function auditRelease(context: JobContext, audit: AuditInput, schema: Schema, keys: RunKeys, options: EvaluateOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const header = await readHeader(audit.input);
  const columns = evalColumns(schema, header, audit.input.name, options.target?.column);
  const dictionaries = newDictionaries(columns);
  const load = (table: TableInput, stage: string) => loadRows(table, schema, columns, dictionaries, context.batchRows, { progress: context.progress(stage, undefined, () => undefined) });
  const [targets] = await load(audit.input, 'read input');
  const [release] = await load(audit.release, 'read release');
  const [controls] = await load(audit.control, 'read controls');
  if (audit.sourceRows) {
    if (audit.sourceRows.length !== release.count) {
      throw new InputError(`the row map has ${audit.sourceRows.length} rows but the release has ${release.count}`, 'give the row map written with this release', { file: audit.release.name });
    }
    const outside = audit.sourceRows.findIndex((s) => !(s >= 0 && s < targets.count));
    if (outside !== -1) {
      throw new InputError(`row map row ${outside + 1} names input row ${audit.sourceRows[outside] + 1}, which does not exist`, 'give the row map written with this release and its input', { file: audit.release.name });
    }
  }

  const prepared: Prepared = { columns, dictionaries, schema, targets, controls };
  const positive = positiveClass(prepared, options);
  if (audit.frame) {
    prepared.frame = loadFrame(audit.frame);
    const { release: frameOnly } = await releaseTargets(context, audit.input, prepared, prepared.frame, [], keys);
    prepared.frameOnly = frameOnly;
  }
  const data = prepareData(prepared, keys, options, positive);
  const report = await measureRelease(context.engine, data, { label: audit.label, operators: audit.operators, release, sourceRows: audit.sourceRows }, keys, stepProgress(context));
  return reportShell(
    data,
    context,
    { file: audit.input.name, rows: targets.count, targets: targets.count, controls: controls.count, split: { by: 'files', release: audit.release.name, control: audit.control.name } },
    started,
    [report],
    audit.frame,
  );
}
