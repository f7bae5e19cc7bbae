import { InputError } from '../errors.js';
import { rememberSchemaOrigin, validateSchema, type Schema } from '../schema/schema.js';
import { fromNested } from './linalg.js';
import type { CategoricalMarginal } from '../pipeline/pram.js';
import type { Marginal } from './marginal.js';
import { packMarginals, type MarginalTables } from './tables.js';

export const FRAME_FORMAT = 'ehr-geomask-frame';

/** Aggregates the frame keeps of one numeric column, never a row. */
export interface FrameColumn {
  name: string;
  unit?: string;
  decimals: number;
  /** Valid range: from the schema, else the winsorized marginal range. */
  min: number;
  max: number;
  /** Share of rows where the column is missing. */
  missingShare: number;
  /**
   * Bound on the normalized rank error of the knots: 0 when every value was kept
   * (up to 2^20 values per column), else what the quantile sketch guarantees.
   */
  rankError?: number;
  marginal: Marginal;
}

export interface FrameLatent {
  /** Latent (copula) correlation R and its Cholesky factor L, R = L Lᵀ. */
  correlation: number[][];
  cholesky: number[][];
  shrinkage: number;
  rounds: number;
  lastChange: number;
  sweeps: number;
  attenuation: number[];
  /** Rows the correlation was estimated from. */
  sampleRows: number;
}

/**
 * The fitted frame: schema, marginals and latent correlation. It holds no input row,
 * so it can be shipped to the machines that run `apply` on other shards.
 */
export interface Frame {
  format: typeof FRAME_FORMAT;
  version: 1;
  createdAt: string;
  /** Rows read at fit time. */
  rows: number;
  schema: Schema;
  columns: FrameColumn[];
  /** Category counts of the categorical quasi-identifiers (categories below 10 rows merged). */
  categorical: CategoricalMarginal[];
  latent: FrameLatent;
}

/** A frame with its matrices and packed tables ready for the stages. */
export interface LoadedFrame {
  frame: Frame;
  d: number;
  tables: MarginalTables;
  correlation: Float64Array;
  cholesky: Float64Array;
}

export function loadFrame(frame: Frame): LoadedFrame {
  return {
    frame,
    d: frame.columns.length,
    tables: packMarginals(frame.columns.map((c) => c.marginal)),
    correlation: fromNested(frame.latent.correlation),
    cholesky: fromNested(frame.latent.cholesky),
  };
}

/** Parses and checks a frame file's JSON text. */
export function parseFrame(text: string, source: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`frame is not valid JSON (${(error as Error).message})`, 'give the frame file written by `geomask fit`', { file: source });
  }
  const frame = value as Partial<Frame>;
  if (frame?.format !== FRAME_FORMAT || frame.version !== 1) {
    throw new InputError('file is not an ehr-geomask frame (version 1)', 'give the frame file written by `geomask fit`', { file: source });
  }
  if (!Array.isArray(frame.columns) || !Array.isArray(frame.categorical) || !frame.latent || !frame.schema) {
    throw new InputError('frame is incomplete (columns, latent or schema missing)', 'fit the frame again with `geomask fit`', { file: source });
  }
  const d = frame.columns.length;
  const square = (m: unknown): boolean => Array.isArray(m) && m.length === d && m.every((row) => Array.isArray(row) && row.length === d);
  if (!square(frame.latent.correlation) || !square(frame.latent.cholesky)) {
    throw new InputError(`frame matrices are not ${d} × ${d}`, 'fit the frame again with `geomask fit`', { file: source });
  }
  frame.schema = validateSchema(frame.schema, source);
  rememberSchemaOrigin(frame.schema, { file: source, kind: 'frame' });
  return frame as Frame;
}
