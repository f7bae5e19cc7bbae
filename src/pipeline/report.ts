import type { Frame } from '../frame/frame.js';

/** Aggregate description of a frame for reports: never a row, never a key. */
export function frameSummary(frame: Frame): object {
  return {
    rows: frame.rows,
    numericColumns: frame.columns.length,
    columns: frame.columns.map((c) => ({
      name: c.name,
      marginal: c.marginal.kind === 'table' ? `value table, ${c.marginal.values.length} entries` : `${c.marginal.knots.length} quantile knots, tail ${c.marginal.tail}`,
      decimals: c.decimals,
      validRange: [c.min, c.max],
      missingShare: Number(c.missingShare.toFixed(6)),
      rankError: c.rankError,
    })),
    categoricalQuasiIdentifiers: frame.categorical.map((c) => ({ name: c.name, categories: c.categories.length })),
    latent: {
      shrinkage: frame.latent.shrinkage,
      rounds: frame.latent.rounds,
      lastChange: Number(frame.latent.lastChange.toFixed(6)),
      sweeps: frame.latent.sweeps,
      sampleRows: frame.latent.sampleRows,
    },
  };
}
