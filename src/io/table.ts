import type { Batch, ColumnPlan } from './batch.js';
import { toBatch } from './batch.js';
import { readCsvBatches, type CsvSource } from './csv_reader.js';

/**
 * A table that can be read several times (fit, then apply), in batches. Readers for
 * other formats implement the same interface; CSV is below.
 */
export interface TableInput {
  /** Name used in messages: a path, or a file name in the browser. */
  readonly name: string;
  /** Starts a fresh pass over the table. */
  open(batchRows: number): TablePass;
}

export interface TablePass {
  /**
   * Batches converted with the plan made from the table's header. When `decimals` is
   * given it returns the array to raise to the most decimals seen per numeric column.
   */
  batches(makePlan: (header: string[]) => ColumnPlan, decimals?: (plan: ColumnPlan) => Int32Array): AsyncIterable<{ plan: ColumnPlan; batch: Batch }>;
  /** Raw records with the header, for schema inference. */
  records(): AsyncIterable<{ header: string[]; batch: import('./csv_reader.js').RecordBatch }>;
  /** Share of the input read so far, in [0, 1], when the size is known. */
  fractionRead(): number | undefined;
  /**
   * Rows of the whole pass once the reader knows them (Parquet stores the count in its
   * metadata), else undefined. Readers that cannot know the count leave it out.
   */
  totalRows?(): number | undefined;
}

/** A CSV table whose bytes come from `openChunks` (a file, a Blob, a string). */
export class CsvTable implements TableInput {
  constructor(
    readonly name: string,
    private readonly openChunks: () => { chunks: AsyncIterable<Uint8Array | string>; fractionRead: () => number | undefined },
  ) {}

  open(batchRows: number): TablePass {
    const { chunks, fractionRead } = this.openChunks();
    const source: CsvSource = { name: this.name, chunks };
    let used = false;
    const records = () => {
      if (used) throw new Error('a table pass can be read once; open another pass');
      used = true;
      return readCsvBatches(source, batchRows);
    };
    return {
      records,
      fractionRead,
      async *batches(makePlan, decimals) {
        let plan: ColumnPlan | undefined;
        for await (const { header, batch } of records()) {
          plan ??= makePlan(header);
          yield { plan, batch: toBatch(plan, batch, decimals?.(plan)) };
        }
      },
    };
  }
}

/** A CSV table held in memory as text (tests, small browser inputs). */
export function csvText(name: string, text: string): CsvTable {
  return new CsvTable(name, () => ({
    chunks: (async function* () {
      yield text;
    })(),
    fractionRead: () => undefined,
  }));
}
