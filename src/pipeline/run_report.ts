import type { Engine } from '../engine/engine.js';
import type { Frame } from '../frame/frame.js';
import { VERSION } from '../version.js';
import type { ApplySummary } from './apply.js';
import { describeOperator, type OperatorSpec, type ResolvedOperator } from './operators.js';
import { frameSummary } from './report.js';

/** What a transform or apply run reports, whichever host (CLI or browser page) ran it. */
export interface RunReportInput {
  command: 'transform' | 'apply';
  /** Input, release, frame and row-map names: paths in the CLI, file names in the page. */
  input: string;
  output: string;
  frameFile?: string;
  rowMap?: string;
  /** Key mode and label; never the secret. */
  key: object;
  engine: Engine;
  batchRows: number;
  /** Input and output formats (csv, parquet, arrow), when the host chooses them. */
  formats?: { input: string; output: string };
  /** Shard written as i/n, when the run transformed one shard. */
  shard?: string;
  profile?: string;
  operators: ResolvedOperator[];
  summary: ApplySummary;
  fitSeconds: number;
  totalSeconds: number;
  frame: Frame;
  warnings: string[];
}

/** Builds the run report (`<out>.report.json`): parameters, frame summary, adapter, rows, times. */
export function buildRunReport(run: RunReportInput): object {
  const { summary } = run;
  return {
    tool: 'ehr-geomask',
    version: VERSION,
    command: run.command,
    finishedAt: new Date().toISOString(),
    input: run.input,
    output: run.output,
    frame: run.frameFile,
    rowMap: run.rowMap,
    key: run.key,
    backend: { kind: run.engine.kind, device: run.engine.device, batchRows: run.batchRows },
    formats: run.formats,
    shard: run.shard,
    profile: run.profile,
    operators: run.operators.map(describeOperator),
    rows: summary.rows,
    batches: summary.batches,
    seconds: { fit: Number(run.fitSeconds.toFixed(3)), apply: Number(summary.seconds.toFixed(3)), total: Number(run.totalSeconds.toFixed(3)) },
    rowsPerSecond: Math.round(summary.rows / summary.seconds),
    coincidences: summary.coincidences,
    neighbourStages: summary.neighbourStages,
    stageMilliseconds: Object.fromEntries(Object.entries(summary.times).map(([k, v]) => [k, Math.round(v)])),
    frameSummary: frameSummary(run.frame),
    warnings: run.warnings,
  };
}

/** Warnings about an operator list that runs but protects less than its user may think. */
export function operatorWarnings(specs: readonly OperatorSpec[]): string[] {
  const warnings: string[] = [];
  const ops = new Set(specs.map((s) => s.op));
  if (ops.has('interpolate') && !ops.has('rotate') && !ops.has('project') && !ops.has('mix')) {
    warnings.push('interpolate alone is not private: each output lies between two real patients and linkage succeeded for 19-74% of rows in reference runs; compose it after rotate or project');
  }
  return warnings;
}
