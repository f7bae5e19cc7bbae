import type { MarginalTables } from '../frame/tables.js';
import { RowStream } from '../prf/stream.js';
import { truncatedStandardNormal } from '../stats/normal.js';
import { globalRow, type BatchRows } from './batch.js';
import { cellInterval, type ScoreInterval } from './marginal_lookup.js';

/**
 * Latent Gaussian-copula model of the numeric columns: the marginals and the precision
 * matrix Q = R⁻¹ of the latent correlation, with the number of Gibbs sweeps to run.
 */
export interface LatentModel {
  tables: MarginalTables;
  /** Row-major d × d precision matrix. */
  precision: Float64Array;
  sweeps: number;
}

/** Gibbs conditional of coordinate j: mean Σ_k coef[j][k] z_k (coef[j][j] = 0), sd. */
export interface GibbsConditionals {
  coef: Float64Array;
  sd: Float64Array;
}

export function gibbsConditionals(precision: Float64Array, d: number): GibbsConditionals {
  const coef = new Float64Array(d * d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const qjj = precision[j * d + j];
    sd[j] = 1 / Math.sqrt(qjj);
    for (let k = 0; k < d; k++) coef[j * d + k] = k === j ? 0 : -precision[j * d + k] / qjj;
  }
  return { coef, sd };
}

/**
 * Draw index of the Gibbs update of column j in sweep s (draws 0 .. d−1 are the
 * randomized-PIT uniforms of each column).
 */
export function gibbsDraw(d: number, sweep: number, j: number): number {
  return d + sweep * d + j;
}

/**
 * Normal scores of a batch (columnar x, NaN = missing) under the latent model:
 * tied values get a randomized PIT draw inside their score interval, missing values
 * start at 0, then `sweeps` Gibbs sweeps redraw every tied or missing coordinate from
 * its conditional given the others (truncated to the tie interval). Output z is columnar.
 */
export function normalScores(
  x: Float32Array,
  batch: BatchRows,
  model: LatentModel,
  key: Uint32Array,
  z: Float32Array,
): void {
  const d = model.tables.d;
  const n = batch.rows;
  const { coef, sd } = gibbsConditionals(model.precision, d);
  const stream = new RowStream(key);
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  const latent = new Uint8Array(d);
  const row = new Float64Array(d);
  const interval: ScoreInterval = { lo: 0, hi: 0 };

  for (let r = 0; r < n; r++) {
    stream.seek(globalRow(batch, r));

    for (let j = 0; j < d; j++) {
      const value = x[j * n + r];
      if (Number.isNaN(value)) {
        lo[j] = -Infinity;
        hi[j] = Infinity;
        latent[j] = 1;
        row[j] = 0;
        continue;
      }
      cellInterval(model.tables, j, value, interval);
      lo[j] = interval.lo;
      hi[j] = interval.hi;
      latent[j] = interval.lo === interval.hi ? 0 : 1;
      row[j] = latent[j] ? truncatedStandardNormal(interval.lo, interval.hi, stream.uniform(j)) : interval.lo;
    }

    for (let s = 0; s < model.sweeps; s++) {
      for (let j = 0; j < d; j++) {
        if (!latent[j]) continue;
        let mean = 0;
        for (let k = 0; k < d; k++) mean += coef[j * d + k] * row[k];
        const sigma = sd[j];
        const v = stream.uniform(gibbsDraw(d, s, j));
        row[j] = mean + sigma * truncatedStandardNormal((lo[j] - mean) / sigma, (hi[j] - mean) / sigma, v);
      }
    }

    for (let j = 0; j < d; j++) z[j * n + r] = row[j];
  }
}
