import type { TextSink } from '../io/csv_writer.js';
import type { ByteSink } from '../io/output.js';

/**
 * A sink for text (CSV) or bytes (Parquet, Arrow IPC) that collects its writes into a
 * Blob. The Blob exists only after `commit`; `abort` drops everything, so a failed run
 * offers no partial download.
 */
export class BlobSink implements TextSink, ByteSink {
  private parts: Blob[] | undefined = [];
  private blob: Blob | undefined;

  constructor(private readonly mediaType: string) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    if (!this.parts) throw new Error('BlobSink: write after commit or abort');
    // One Blob per write lets the browser move large outputs out of the JavaScript heap.
    // A Blob copies its bytes, so the writer may reuse a chunk's memory afterwards.
    this.parts.push(new Blob([chunk as BlobPart]));
  }

  async commit(): Promise<void> {
    if (!this.parts) throw new Error('BlobSink: commit after commit or abort');
    this.blob = new Blob(this.parts, { type: this.mediaType });
    this.parts = undefined;
  }

  async abort(): Promise<void> {
    this.parts = undefined;
    this.blob = undefined;
  }

  /** The committed output; raises if the sink was not committed. */
  result(): Blob {
    if (!this.blob) throw new Error('BlobSink: the output was not committed');
    return this.blob;
  }
}
