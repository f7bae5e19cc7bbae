import { toBatch, type ColumnPlan } from '../io/batch.js';
import type { RecordBatch } from '../io/csv_reader.js';
import type { TableInput, TablePass } from '../io/table.js';

/** Decides from the header and a record (with its 0-based row in the source) whether to keep it. */
export type RowFilter = (header: string[]) => (record: string[], row: number) => boolean;

/**
 * The rows of another table that a filter keeps, numbered 0, 1, … in their order, so
 * the kept rows act as a table of their own: its row indices select the PRF streams of
 * fit and apply. Every pass reads the source table again, so memory stays bounded by
 * a batch.
 */
export class FilteredTable implements TableInput {
  constructor(
    readonly name: string,
    private readonly source: TableInput,
    private readonly filter: RowFilter,
  ) {}

  open(batchRows: number): TablePass {
    const pass = this.source.open(batchRows);
    const filter = this.filter;
    async function* records(): AsyncGenerator<{ header: string[]; batch: RecordBatch }> {
      let keep: ((record: string[], row: number) => boolean) | undefined;
      let kept = 0;
      for await (const { header, batch } of pass.records()) {
        keep ??= filter(header);
        const rows: string[][] = [];
        const lines: number[] = [];
        batch.records.forEach((record, r) => {
          if (!keep!(record, batch.firstRow + r)) return;
          rows.push(record);
          if (batch.lines) lines.push(batch.lines[r]);
        });
        if (rows.length === 0) continue;
        yield { header, batch: { firstRow: kept, records: rows, lines: batch.lines ? Int32Array.from(lines) : undefined } };
        kept += rows.length;
      }
    }
    return {
      records,
      fractionRead: () => pass.fractionRead(),
      async *batches(makePlan: (header: string[]) => ColumnPlan, decimals?: (plan: ColumnPlan) => Int32Array) {
        let plan: ColumnPlan | undefined;
        for await (const { header, batch } of records()) {
          plan ??= makePlan(header);
          yield { plan, batch: toBatch(plan, batch, decimals?.(plan)) };
        }
      },
    };
  }
}
