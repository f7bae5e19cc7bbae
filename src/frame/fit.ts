import { InputError } from '../errors.js';
import type { Batch, ColumnPlan } from '../io/batch.js';
import { CategoryCounter } from '../pipeline/pram.js';
import type { Schema } from '../schema/schema.js';
import type { Frame, FrameColumn } from './frame.js';
import { FRAME_FORMAT } from './frame.js';
import { DEFAULT_LATENT_OPTIONS, findNearCopies, fitLatentCorrelation, type LatentOptions, type LatentScorer } from './latent.js';
import { toNested } from './linalg.js';
import { DEFAULT_MARGINAL_OPTIONS, fitMarginal, marginalRange, type MarginalOptions } from './marginal.js';
import { DEFAULT_SKETCH_OPTIONS, QuantileSketch, type SketchState } from './quantiles.js';
import { BottomKSample, type SampleState } from './sample.js';
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
  /**
   * Hex fingerprint of a key derived for this purpose alone, stored in partial fit
   * states so that merging states made under different keys or labels is rejected.
   */
  check?: string;
}

/**
 * Everything a fit pass has accumulated, without any file structure: partial fits of
 * shards are saved as this and merged into one frame (see fit_state.ts for the file).
 */
export interface FitState {
  schema: Schema;
  header: string[];
  /** Global row ranges [start, end) read into this state, ascending and disjoint. */
  ranges: [number, number][];
  keyCheck?: string;
  decimals: number[];
  missing: number[];
  sketches: SketchState[];
  sample: SampleState;
  /** Category counts per categorical quasi-identifier, by column name. */
  categories: { name: string; values: string[]; counts: number[] }[];
}

/** Two columns whose latent correlation is above this are rejected as copies. */
export const COPY_LIMIT = 0.9999;

/**
 * Accumulates the fit pass over batches: a quantile sketch per column (exact up to
 * 2^20 values), the decimals written in the text, missing counts, category counts and
 * the keyed sample for the latent correlation. Every part merges, so shards can be
 * accumulated apart and combined before `finishFit`.
 */
export class FitAccumulator {
  readonly quantiles: QuantileSketch[];
  readonly decimals: Int32Array;
  readonly missing: Float64Array;
  readonly sample: BottomKSample;
  /** Category counts of the categorical quasi-identifier columns, by header position. */
  readonly categories: Map<number, CategoryCounter>;
  rows = 0;
  /** Global row ranges [start, end) added so far, ascending and disjoint. */
  readonly ranges: [number, number][] = [];
  private readonly keyCheck: string | undefined;

  constructor(readonly plan: ColumnPlan, keys: FitKeys, options: FitOptions = DEFAULT_FIT_OPTIONS) {
    const d = plan.numeric.length;
    const sketchOptions = { ...DEFAULT_SKETCH_OPTIONS, distinctLimit: options.marginal.resolution };
    this.quantiles = plan.numeric.map(() => new QuantileSketch(sketchOptions));
    this.keyCheck = keys.check;
    this.decimals = new Int32Array(d);
    this.missing = new Float64Array(d);
    this.sample = new BottomKSample(options.sampleRows, d, keys.sample);
    this.categories = new Map();
    for (const column of plan.output) {
      const schema = plan.schemaOf(column.source);
      if (column.role === 'categorical' && schema.quasi_identifier) this.categories.set(column.source, new CategoryCounter());
    }
  }

  /** Adds a batch of consecutive rows whose row r is global row `rowOffset` + batch.firstRow + r. */
  add(batch: Batch, rowOffset = 0): void {
    if ((batch.rowStride ?? 1) !== 1) throw new Error('the fit pass reads consecutive rows; a batch with a row stride cannot be added');
    const d = this.plan.numeric.length;
    const n = batch.rows;
    const first = rowOffset + batch.firstRow;
    for (let j = 0; j < d; j++) {
      const source = this.quantiles[j];
      const base = j * n;
      for (let r = 0; r < n; r++) {
        const value = batch.numeric64[base + r];
        if (Number.isNaN(value)) this.missing[j]++;
        else source.add(value);
      }
    }
    for (let r = 0; r < n; r++) this.sample.offer(batch.numeric, n, r, first + r);
    for (const [source, counter] of this.categories) {
      for (let r = 0; r < n; r++) {
        const text = batch.records[r][source];
        if (!this.plan.missingTokens.has(text)) counter.add(text);
      }
    }
    this.rows += n;
    this.addRange(first, first + n);
  }

  /** The accumulated statistics, for a partial fit file. */
  toState(schema: Schema): FitState {
    return {
      schema,
      header: this.plan.header,
      ranges: this.ranges.map(([a, b]) => [a, b]),
      keyCheck: this.keyCheck,
      decimals: [...this.decimals],
      missing: [...this.missing],
      sketches: this.quantiles.map((q) => q.toState()),
      sample: this.sample.toState(),
      categories: [...this.categories].map(([source, counter]) => ({
        name: this.plan.header[source],
        values: [...counter.counts.keys()],
        counts: [...counter.counts.values()],
      })),
    };
  }

  /**
   * Adds a partial fit of other rows of the same table: the same numeric columns, the
   * same key and label, and no global row in common (shards that overlap would count
   * rows twice).
   */
  merge(state: FitState, source: string): void {
    const names = this.plan.numeric.map((c) => c.name);
    const header = state.header.join('\u0000');
    if (header !== this.plan.header.join('\u0000') || state.sketches.length !== names.length) {
      throw new InputError(`partial fit has columns (${state.header.join(', ')}) that differ from the first one's (${this.plan.header.join(', ')})`, 'merge partial fits of one table, made with the same schema', { file: source });
    }
    if (state.keyCheck !== this.keyCheck) {
      throw new InputError('partial fit was made with another key or label', 'make every partial fit with the same --key-file and --label', { file: source });
    }
    for (const [start, end] of state.ranges) {
      const overlap = this.ranges.find(([a, b]) => start < b && a < end);
      if (overlap) {
        throw new InputError(
          `partial fit covers global rows ${start}..${end - 1}, which overlap rows ${overlap[0]}..${overlap[1] - 1} of another part`,
          'give each shard its own --first-row (the global index of its first row), so that parts do not overlap',
          { file: source },
        );
      }
    }
    for (let j = 0; j < names.length; j++) {
      this.decimals[j] = Math.max(this.decimals[j], state.decimals[j]);
      this.missing[j] += state.missing[j];
      this.quantiles[j].mergeState(state.sketches[j]);
    }
    this.sample.mergeState(state.sample);
    for (const { name, values, counts } of state.categories) {
      const counter = this.categories.get(this.plan.header.indexOf(name));
      if (!counter) continue;
      for (let i = 0; i < values.length; i++) counter.counts.set(values[i], (counter.counts.get(values[i]) ?? 0) + counts[i]);
    }
    for (const [start, end] of state.ranges) {
      this.rows += end - start;
      this.addRange(start, end);
    }
  }

  private addRange(start: number, end: number): void {
    this.ranges.push([start, end]);
    this.ranges.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (let i = 1; i < this.ranges.length; i++) {
      if (this.ranges[i][0] <= this.ranges[at][1]) this.ranges[at][1] = Math.max(this.ranges[at][1], this.ranges[i][1]);
      else this.ranges[++at] = this.ranges[i];
    }
    this.ranges.length = at + 1;
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
      rankError: source.quantileRankError,
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
