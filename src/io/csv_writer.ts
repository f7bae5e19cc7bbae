import type { BatchWriter, OutputBatch } from './output.js';

/** Quotes a CSV field when it holds a comma, quote, line break or edge spaces (RFC 4180). */
export function csvField(text: string): string {
  if (/[",\r\n]/.test(text) || text !== text.trim()) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** Something that takes text, such as an AtomicFile or a browser Blob builder. */
export interface TextSink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Writes released batches as CSV: the header first, numbers with their column's decimals. */
export class CsvBatchWriter implements BatchWriter {
  private wroteHeader = false;

  constructor(private readonly sink: TextSink) {}

  async write(batch: OutputBatch): Promise<void> {
    const parts: string[] = [];
    if (!this.wroteHeader) {
      parts.push(batch.columns.map((c) => csvField(c.name)).join(','), '\n');
      this.wroteHeader = true;
    }
    const cells: string[][] = batch.columns.map((column) => {
      const out: string[] = new Array(batch.rows);
      if (column.kind === 'text') {
        for (let r = 0; r < batch.rows; r++) out[r] = csvField(column.values[r]);
      } else {
        for (let r = 0; r < batch.rows; r++) {
          const v = column.values[r];
          out[r] = Number.isNaN(v) ? csvField(column.missingText.get(r) ?? '') : v.toFixed(column.decimals);
        }
      }
      return out;
    });
    for (let r = 0; r < batch.rows; r++) {
      for (let c = 0; c < cells.length; c++) {
        if (c > 0) parts.push(',');
        parts.push(cells[c][r]);
      }
      parts.push('\n');
    }
    await this.sink.write(parts.join(''));
  }

  commit(): Promise<void> {
    return this.sink.commit();
  }

  abort(): Promise<void> {
    return this.sink.abort();
  }
}
