import type { TableInput } from '../io/table.js';

/**
 * Wraps a table so that every batch of raw records (the schema inference's reads) is
 * reported with the share of the input read so far, for a job that takes no reporter.
 */
export function observeReads(table: TableInput, onBatch: (rows: number, fraction: number | undefined) => void): TableInput {
  return {
    name: table.name,
    open(batchRows) {
      const pass = table.open(batchRows);
      return {
        ...pass,
        async *records() {
          for await (const item of pass.records()) {
            onBatch(item.batch.records.length, pass.fractionRead());
            yield item;
          }
        },
      };
    },
  };
}
