import type { BackendChoice } from '../engine/select.js';
import type { InputLocation } from '../errors.js';
import type { EvaluationReport } from '../evaluate/report.js';
import type { Profile } from '../pipeline/operators.js';
import type { Schema } from '../schema/schema.js';
import type { MarginalComparison } from './marginal_summary.js';

/** The name of the page's operator list in messages; the CLI's messages use --ops. */
export const OPERATOR_FIELD = 'operator list';

/** The operators of a run: a named profile, or a list written as for `--ops`. */
export type OperatorChoice = { kind: 'profile'; profile: Profile } | { kind: 'list'; text: string };

/** The key of a run: a fresh secret made in the worker, or one read from a key file. */
export type KeyChoice = { mode: 'ephemeral'; label: string } | { mode: 'key-file'; file: string; secret: Uint8Array; label: string };

export interface TransformSettings {
  schema: Schema;
  operators: OperatorChoice;
  key: KeyChoice;
  backend: BackendChoice;
  batchRows: number;
  outputFormat: string;
}

/** Settings of an evaluation: those of a transform, less the release format, and how the input is split and attacked. */
export interface EvaluateSettings extends Omit<TransformSettings, 'outputFormat'> {
  /** Share of patients (or rows) held back as controls, in (0, 1). */
  controlShare: number;
  /** Targets the distance attacks run on (a keyed sample); all targets when absent. */
  attackRows?: number;
}

/** Messages from the page to the worker. */
export type WorkerRequest =
  | { type: 'infer'; file: File; batchRows: number }
  | ({ type: 'transform'; file: File } & TransformSettings)
  | ({ type: 'evaluate'; file: File } & EvaluateSettings);

/** Named outputs of a finished run, ready to download. */
export interface RunOutputs {
  release: { name: string; blob: Blob };
  frame: { name: string; text: string };
  schema: { name: string; text: string };
  report: { name: string; text: string };
}

/** Named outputs of a finished evaluation: the evaluator's report as JSON and as HTML. */
export interface EvaluationOutputs {
  json: { name: string; text: string };
  html: { name: string; text: string };
}

/** Messages from the worker to the page. */
export type WorkerReply =
  | { type: 'log'; line: string }
  | { type: 'backend'; kind: 'gpu' | 'cpu'; device: string }
  | { type: 'progress'; stage: string; rows: number; total?: number; fraction?: number; final: boolean }
  | { type: 'schema'; schema: Schema; reasons: string[]; header: string[]; rows: number }
  | { type: 'done'; outputs: RunOutputs; comparison: MarginalComparison }
  // The report object travels beside its JSON text because a structured clone keeps NaN (a measure that could not run), which JSON turns into null.
  | { type: 'evaluated'; outputs: EvaluationOutputs; report: EvaluationReport }
  | { type: 'error'; message: string; input?: { problem: string; fix: string; location: InputLocation } };
