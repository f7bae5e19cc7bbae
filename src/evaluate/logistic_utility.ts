import { InputError } from '../errors.js';
import type { EvalColumns } from './columns.js';
import type { EvalDictionaries } from './loader.js';
import { fitLogistic, logisticScores } from './logistic.js';
import type { LogisticUtility } from './report.js';
import { rocAuc } from './roc.js';
import type { EvalRows } from './rows.js';
import type { Standardizer } from './space.js';

interface Design {
  x: Float64Array;
  y: Uint8Array;
  p: number;
}

/**
 * Train-on-release, test-on-control logistic regression for one binary outcome
 * (`positive` against every other value of the target column). Features: the numeric
 * columns standardized with the input's mean and SD (missing at the mean, 0) and a
 * one-hot block per categorical quasi-identifier other than the target. Rows whose
 * label is a missing token are left out.
 */
export class LogisticTask {
  private readonly target: number;
  private readonly positive: number;
  private baseline: { layout: string; real: number; frameOnly?: number; trainRows: number } | undefined;

  constructor(
    private readonly columns: EvalColumns,
    private readonly dictionaries: EvalDictionaries,
    private readonly scale: Standardizer,
    positive: string,
    private readonly targets: EvalRows,
    private readonly controls: EvalRows,
    private readonly frameOnly?: EvalRows,
  ) {
    this.target = columns.target!;
    this.positive = checkPositive(columns, dictionaries, positive);
  }

  get positiveText(): string {
    return this.dictionaries.text[this.target].values[this.positive];
  }

  private layout(): { blocks: { column: number; size: number }[]; p: number; key: string } {
    const blocks = this.columns.categoricalQi.filter((k) => k !== this.target).map((column) => ({ column, size: this.dictionaries.text[column].size }));
    const p = this.columns.numeric.length + blocks.reduce((s, b) => s + b.size, 0);
    return { blocks, p, key: blocks.map((b) => b.size).join(',') };
  }

  private design(rows: EvalRows): Design {
    const { blocks, p } = this.layout();
    const d = rows.d;
    const labels = rows.text[this.target];
    const missing = this.dictionaries.text[this.target].values.map((t) => this.columns.missingTokens.has(t));
    const keep: number[] = [];
    for (let i = 0; i < rows.count; i++) if (!missing[labels[i]]) keep.push(i);
    const x = new Float64Array(keep.length * p);
    const y = new Uint8Array(keep.length);
    keep.forEach((i, r) => {
      const base = r * p;
      for (let j = 0; j < d; j++) {
        const v = rows.numeric[i * d + j];
        x[base + j] = Number.isNaN(v) || !Number.isFinite(this.scale.sd[j]) ? 0 : (v - this.scale.mean[j]) / this.scale.sd[j];
      }
      let offset = base + d;
      for (const { column, size } of blocks) {
        const code = rows.text[column][i];
        if (code >= 0 && code < size) x[offset + code] = 1;
        offset += size;
      }
      y[r] = labels[i] === this.positive ? 1 : 0;
    });
    return { x, y, p };
  }

  private testAuc(train: Design, test: Design): number {
    const beta = fitLogistic(train.x, train.y, train.p);
    const scores = logisticScores(beta, test.x, test.p);
    const positives: number[] = [];
    const negatives: number[] = [];
    scores.forEach((s, i) => (test.y[i] ? positives : negatives).push(s));
    return rocAuc(positives, negatives);
  }

  /** ROC AUC on the controls of models trained on the input, the frame-only release and `release`. */
  measure(release: EvalRows): LogisticUtility {
    const layout = this.layout();
    const test = this.design(this.controls);
    if (this.baseline?.layout !== layout.key) {
      const real = this.design(this.targets);
      this.baseline = {
        layout: layout.key,
        real: this.testAuc(real, test),
        frameOnly: this.frameOnly ? this.testAuc(this.design(this.frameOnly), test) : undefined,
        trainRows: real.y.length,
      };
    }
    const train = this.design(release);
    return {
      target: this.columns.text[this.target],
      positive: this.positiveText,
      trainRows: train.y.length,
      testRows: test.y.length,
      features: layout.p,
      realAuc: this.baseline.real,
      releaseAuc: this.testAuc(train, test),
      frameOnlyAuc: this.baseline.frameOnly,
    };
  }
}

/** Returns the code of the positive value, or raises an InputError when the target column does not contain it. */
export function checkPositive(columns: EvalColumns, dictionaries: EvalDictionaries, positive: string): number {
  const k = columns.target!;
  const code = dictionaries.text[k].find(positive);
  if (code === -1) {
    throw new InputError(
      `the target column "${columns.text[k]}" does not contain the value "${positive}"`,
      `name one of its values: ${dictionaries.text[k].values.slice(0, 12).join(', ')}`,
      { file: columns.file, column: columns.text[k] },
    );
  }
  return code;
}

/** Returns the positive value of a target column: the one named, else the rarer of exactly two values. */
export function positiveValue(columns: EvalColumns, dictionaries: EvalDictionaries, targets: EvalRows, named?: string): string {
  if (named !== undefined) return named;
  const k = columns.target!;
  const counts = new Map<number, number>();
  for (const code of targets.text[k]) {
    if (!columns.missingTokens.has(dictionaries.text[k].values[code])) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  if (counts.size !== 2) {
    throw new InputError(
      `the target column "${columns.text[k]}" has ${counts.size} values, so the positive class is ambiguous`,
      `name it as COLUMN=VALUE, for example --target ${columns.text[k]}=${dictionaries.text[k].values[[...counts.keys()][0] ?? 0] ?? 'VALUE'}`,
      { file: columns.file, column: columns.text[k] },
    );
  }
  const [[a, ca], [b, cb]] = [...counts.entries()];
  return dictionaries.text[k].values[ca <= cb ? a : b];
}
