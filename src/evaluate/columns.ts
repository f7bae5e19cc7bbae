import { InputError } from '../errors.js';
import { planColumns } from '../io/batch.js';
import type { Schema } from '../schema/schema.js';

/**
 * The columns the evaluator reads, by role: numeric columns (in the frame's order),
 * quasi-identifiers, sensitive columns and the target of the logistic regression.
 * Quasi-identifiers are every numeric column not flagged `quasi_identifier: false` plus
 * the categorical columns flagged `quasi_identifier: true`.
 */
export interface EvalColumns {
  file: string;
  numeric: string[];
  /** Per numeric column: whether the linkage and attribute attacks may use it. */
  numericQi: boolean[];
  /** Text columns the evaluator keeps, each with its own code dictionary. */
  text: string[];
  /** Positions in `text` of the categorical quasi-identifiers. */
  categoricalQi: number[];
  /** Positions in `text` of the sensitive columns. */
  sensitive: number[];
  /** Position in `text` of the logistic regression's target, when one is named. */
  target?: number;
  patient?: string;
  missingTokens: ReadonlySet<string>;
}

/** Reads the evaluator's columns from a schema and a header; `target` names the outcome column. */
export function evalColumns(schema: Schema, header: string[], file: string, target?: string): EvalColumns {
  const plan = planColumns(schema, header, file);
  const numeric = plan.numeric.map((c) => c.name);
  const numericQi = plan.numeric.map((c) => c.schema.quasi_identifier !== false);
  const text: string[] = [];
  const categoricalQi: number[] = [];
  const sensitive: number[] = [];
  for (const name of header) {
    const column = schema.columns.find((c) => c.name === name)!;
    if (column.role === 'categorical' && column.quasi_identifier === true) categoricalQi.push(text.push(name) - 1);
    else if (column.role === 'sensitive') sensitive.push(text.push(name) - 1);
  }

  let targetAt: number | undefined;
  if (target !== undefined) {
    const column = schema.columns.find((c) => c.name === target);
    if (!column) throw new InputError(`target column "${target}" not found in the schema`, `name one of: ${header.join(', ')}`, { file });
    if (column.role !== 'categorical' && column.role !== 'sensitive') {
      throw new InputError(`target column "${target}" has role "${column.role}"`, 'name a categorical or sensitive column as the target of the logistic regression', { file, column: target });
    }
    targetAt = text.indexOf(target);
    if (targetAt === -1) targetAt = text.push(target) - 1;
  }
  return { file, numeric, numericQi, text, categoricalQi, sensitive, target: targetAt, patient: schema.patient, missingTokens: plan.missingTokens };
}
