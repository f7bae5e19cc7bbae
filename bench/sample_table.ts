import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Progress } from '../src/cli/progress.js';
import type { LoadedFrame } from '../src/frame/frame.js';
import type { OutputColumnData } from '../src/io/output.js';
import { createTableWriter, formatOf } from '../src/node/formats.js';
import { ColumnFormatter } from '../src/pipeline/finalize.js';
import { normalCdf } from '../src/stats/normal.js';

/** xorshift128 with 32-bit state words: fast and reproducible, not cryptographic. */
function generator(seed: number): () => number {
  let a = seed >>> 0 || 1;
  let b = Math.imul(seed, 0x9e3779b9) >>> 0 || 2;
  let c = 0x6d2b79f5;
  let e = 0x1b873593;
  return () => {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = e;
    e = (e ^ (e >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return (e + 0.5) / 4294967296;
  };
}

/** Back-mapping position of probability u under a marginal: a table index or u · K. */
function position(marginal: LoadedFrame['frame']['columns'][number]['marginal'], u: number): number {
  if (marginal.kind === 'knots') return u * (marginal.knots.length - 1);
  const cumulative = marginal.cumulative;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] >= u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Writes `rows` rows sampled from a frame to `out` (format by extension): latent rows
 * z = L g with g standard normal, each column mapped through its marginal,
 * x = F⁻¹(Φ(z)), rounded to its decimals, and left missing with the column's missing
 * share (independently). Batches are written as they are drawn, so memory stays flat.
 */
export async function writeSampledTable(frame: LoadedFrame, rows: number, out: string, seed: number, batchRows = 65536, showProgress = true): Promise<void> {
  const d = frame.d;
  const columns = frame.frame.columns;
  const formatters = columns.map((c) => new ColumnFormatter(c));
  const uniform = generator(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  mkdirSync(dirname(out), { recursive: true });
  const writer = createTableWriter(out, formatOf(out));
  const progress = new Progress('generate', () => rows, undefined, showProgress);
  const g = new Float64Array(d);
  try {
    for (let first = 0; first < rows; first += batchRows) {
      const n = Math.min(batchRows, rows - first);
      const data = columns.map(() => new Float64Array(n));
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < d; k++) g[k] = normal();
        for (let j = 0; j < d; j++) {
          if (uniform() < columns[j].missingShare) {
            data[j][r] = NaN;
            continue;
          }
          let z = 0;
          for (let k = 0; k <= j; k++) z += frame.cholesky[j * d + k] * g[k];
          data[j][r] = formatters[j].snap(formatters[j].value(position(columns[j].marginal, normalCdf(z))));
        }
      }
      const batch: OutputColumnData[] = columns.map((c, j) => ({ name: c.name, kind: 'number', values: data[j], decimals: c.decimals, missingText: new Map() }));
      await writer.write({ rows: n, columns: batch });
      progress.update(first + n);
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  progress.update(rows, true);
}
