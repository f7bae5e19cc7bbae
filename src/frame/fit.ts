import { InputError } from '../errors.js';
import type { Batch, ColumnPlan } from '../io/batch.js';
import { CategoryCounter } from '../pipeline/pram.js';
import type { Schema } from '../schema/schema.js';
import type { Frame, FrameColumn } from './frame.js';
import { FRAME_FORMAT } from './frame.js';
import { DEFAULT_LATENT_OPTIONS, findNearCopies, fitLatentCorrelation, type LatentOptions, type LatentScorer } from './latent.js';
import { toNested } from './linalg.js';
import { DEFAULT_MARGINAL_OPTIONS, fitMarginal, marginalRange, type MarginalOptions } from './marginal.js';
import { ExactQuantiles } from './quantiles.js';
import { BottomKSample } from './sample.js';
import { packMarginals } from './tables.js';

export interface FitOptions {
  marginal: MarginalOptions;
  latent: LatentOptions;
  /** Rows kept (keyed bottom-k sample) for the latent correlation. */
  sampleRows: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  marginal: DEFAULT_MARGINAL_OPTIONS,
  latent: DEFAULT_LATENT_OPTIONS,
  sampleRows: 1_000_000,
};

/** Keys of the fit's random draws: the row sample and each latent round. */
export interface FitKeys {
  sample: Uint32Array;
  round: (round: number) => Uint32Array;
}

/** Two columns whose latent correlation is above this are rejected as copies. */
export const COPY_LIMIT = 0.9999;

/**
 * Accumulates the fit pass over batches: exact marginal values per column, the decimals
 * written in the text, missing counts and the keyed sample for the latent correlation.
 */
export class FitAccumulator {
  readonly quantiles: ExactQuantiles[];
  readonly decimals: Int32Array;
  readonly missing: Float64Array;
  readonly sample: BottomKSample;
  /** Category counts of the categorical quasi-identifier columns, by header position. */
  readonly categories: Map<number, CategoryCounter>;
  rows = 0;

  constructor(readonly plan: ColumnPlan, keys: FitKeys, options: FitOptions = DEFAULT_FIT_OPTIONS) {
    const d = plan.numeric.length;
    this.quantiles = plan.numeric.map(() => new ExactQuantiles());
    this.decimals = new Int32Array(d);
    this.missing = new Float64Array(d);
    this.sample = new BottomKSample(options.sampleRows, d, keys.sample);
    this.categories = new Map();
    for (const column of plan.output) {
      const schema = plan.schemaOf(column.source);
      if (column.role === 'categorical' && schema.quasi_identifier) this.categories.set(column.source, new CategoryCounter());
    }
  }

  add(batch: Batch): void {
    const d = this.plan.numeric.length;
    const n = batch.rows;
    for (let j = 0; j < d; j++) {
      const source = this.quantiles[j];
      const base = j * n;
      for (let r = 0; r < n; r++) {
        const value = batch.numeric64[base + r];
        if (Number.isNaN(value)) this.missing[j]++;
        else source.add(value);
      }
    }
    for (let r = 0; r < n; r++) this.sample.offer(batch.numeric, n, r, batch.firstRow + r);
    for (const [source, counter] of this.categories) {
      for (let r = 0; r < n; r++) {
        const text = batch.records[r][source];
        if (!this.plan.missingTokens.has(text)) counter.add(text);
      }
    }
    this.rows += n;
  }
}

/** Minimum rows for a fit with d numeric columns. */
export function minimumFitRows(d: number): number {
  return Math.max(50, 2 * d);
}

/**
 * Builds the frame from an accumulated fit pass: marginals, decimals, valid ranges and
 * the latent correlation (scored by `scorer`, GPU or CPU).
 */
export async function finishFit(
  accumulator: FitAccumulator,
  schema: Schema,
  scorer: LatentScorer,
  keys: FitKeys,
  options: FitOptions = DEFAULT_FIT_OPTIONS,
  log: (message: string) => void = () => {},
): Promise<Frame> {
  const plan = accumulator.plan;
  const d = plan.numeric.length;
  const n = accumulator.rows;
  if (d === 0) {
    throw new InputError('the schema has no numeric column', 'set role "numeric" on at least two measurement columns', { file: plan.file });
  }
  const needed = minimumFitRows(d);
  if (n < needed) {
    throw new InputError(
      `fit needs at least max(50, 2d) = ${needed} rows for d = ${d} numeric columns, but the input has ${n}`,
      'give more rows, or set fewer columns to role "numeric"',
      { file: plan.file },
    );
  }

  const columns: FrameColumn[] = [];
  for (let j = 0; j < d; j++) {
    const column = plan.numeric[j];
    const source = accumulator.quantiles[j];
    if (source.count === 0) {
      throw new InputError('numeric column has no values (every cell is missing)', 'set its role to "drop"', { file: plan.file, column: column.name });
    }
    const marginal = fitMarginal(source, options.marginal);
    const [low, high] = marginalRange(marginal);
    columns.push({
      name: column.name,
      unit: column.schema.unit,
      decimals: column.schema.decimals ?? accumulator.decimals[j],
      min: column.schema.min ?? low,
      max: column.schema.max ?? high,
      missingShare: accumulator.missing[j] / n,
      marginal,
    });
  }

  const tables = packMarginals(columns.map((c) => c.marginal));
  const sample = { x: accumulator.sample.columns(), rows: accumulator.sample.rows };
  const latent = await fitLatentCorrelation(sample, tables, columns.map((c) => c.marginal), scorer, keys.round, options.latent, log);

  const copies = findNearCopies(latent.unshrunk, d, COPY_LIMIT);
  if (copies) {
    const [a, b] = copies;
    throw new InputError(
      `numeric columns "${columns[a].name}" and "${columns[b].name}" are copies of each other (latent correlation ${latent.unshrunk[a * d + b].toFixed(5)})`,
      `set the role of one of them to "drop"`,
      { file: plan.file },
    );
  }

  return {
    format: FRAME_FORMAT,
    version: 1,
    createdAt: new Date().toISOString(),
    rows: n,
    schema,
    columns,
    categorical: [...accumulator.categories].map(([source, counter]) => counter.marginal(plan.header[source])),
    latent: {
      correlation: toNested(latent.correlation, d),
      cholesky: toNested(latent.cholesky, d),
      shrinkage: latent.shrinkage,
      rounds: latent.rounds,
      lastChange: latent.lastChange,
      sweeps: options.latent.sweeps,
      attenuation: latent.attenuation,
      sampleRows: sample.rows,
    },
  };
}
