/** One column of a released batch, in output row order. */
export type OutputColumnData =
  | {
      name: string;
      kind: 'number';
      /** NaN where the cell is missing. */
      values: Float64Array;
      decimals: number;
      /** The input's own text for missing cells (such as "?"), by output row. */
      missingText: Map<number, string>;
    }
  | { name: string; kind: 'text'; values: string[] };

export interface OutputBatch {
  rows: number;
  columns: OutputColumnData[];
}

/**
 * Destination of released batches. Nothing is visible at the destination until
 * `commit`; `abort` removes what was written.
 */
export interface BatchWriter {
  write(batch: OutputBatch): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Something that takes bytes, such as an AtomicFile, standard output or a Blob builder. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
