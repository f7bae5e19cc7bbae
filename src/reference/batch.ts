/**
 * Where a batch sits in the whole input: row r of the batch is global row
 * rowBase + r * rowStride, and that global index selects its PRF streams, so a row's
 * draws do not depend on how the input was split into batches or shards.
 */
export interface BatchRows {
  rows: number;
  rowBase: number;
  rowStride: number;
}

export function globalRow(batch: BatchRows, r: number): number {
  return batch.rowBase + r * batch.rowStride;
}
