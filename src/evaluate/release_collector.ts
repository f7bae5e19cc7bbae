import type { ApplyTarget } from '../pipeline/jobs.js';
import type { BatchWriter, OutputBatch } from '../io/output.js';
import type { EvalColumns } from './columns.js';
import type { EvalDictionaries } from './loader.js';
import { RowsBuilder, type EvalRows } from './rows.js';

/**
 * Keeps the evaluator's columns of a release in memory while `apply` writes it, with the
 * source row of every output row. Other columns are dropped batch by batch, so memory
 * grows with the kept columns only.
 */
export class ReleaseCollector implements BatchWriter {
  private readonly builder: RowsBuilder;
  private sources: number[] = [];

  constructor(
    private readonly columns: EvalColumns,
    private readonly dictionaries: EvalDictionaries,
  ) {
    this.builder = new RowsBuilder(columns.numeric.length, columns.text.length, false);
  }

  async write(batch: OutputBatch): Promise<void> {
    const byName = new Map(batch.columns.map((c) => [c.name, c]));
    const numeric = this.columns.numeric.map((name) => {
      const column = byName.get(name);
      return column?.kind === 'number' ? column.values : undefined;
    });
    const text = this.columns.text.map((name) => {
      const column = byName.get(name);
      return column?.kind === 'text' ? column.values : undefined;
    });
    for (let r = 0; r < batch.rows; r++) {
      this.builder.add(
        (j) => numeric[j]?.[r] ?? NaN,
        (k) => (text[k] ? this.dictionaries.text[k].code(text[k]![r]) : -1),
      );
    }
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {}

  /** Returns the target for `applyTable`: this writer and the row map it needs. */
  target(totalRows?: number): ApplyTarget {
    return {
      writer: this,
      totalRows,
      rowMap: async (sourceRows) => {
        for (const row of sourceRows) this.sources.push(row);
      },
    };
  }

  /** Returns the release rows in output order and, per output row, its source row. */
  result(): { release: EvalRows; sourceRows: Int32Array } {
    return { release: this.builder.build(), sourceRows: Int32Array.from(this.sources) };
  }
}
