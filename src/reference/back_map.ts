import type { MarginalTables } from '../frame/tables.js';
import { scorePosition } from './marginal_lookup.js';
import { unwhitenRow } from './whiten.js';

/**
 * Back-mapping up to marginal positions: z' = L w', then for each column the table
 * entry index or knot position t = Φ(z')·K (see scorePosition). The host turns
 * positions into values in float64, clips and rounds them (src/pipeline/finalize.ts).
 */
export function backMap(w: Float32Array, rows: number, tables: MarginalTables, cholesky: Float64Array, positions: Float32Array): void {
  const d = tables.d;
  const row = new Float64Array(d);
  const z = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) row[j] = w[j * rows + r];
    unwhitenRow(row, d, cholesky, z);
    for (let j = 0; j < d; j++) positions[j * rows + r] = scorePosition(tables, j, z[j]);
  }
}
