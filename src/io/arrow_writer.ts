import * as arrow from 'apache-arrow';
import type { OutputTypes } from './arrow_output.js';
import { toRecordBatch } from './arrow_output.js';
import type { BatchWriter, ByteSink, OutputBatch } from './output.js';

/**
 * Writes released batches as Arrow IPC, one record batch per released batch, in the
 * file format (random access, `.arrow`/`.feather`) or the stream format (`.arrows`,
 * and standard output in stream mode).
 */
export class ArrowBatchWriter implements BatchWriter {
  private writer: arrow.RecordBatchWriter | undefined;
  private pump: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly sink: ByteSink,
    private readonly format: 'file' | 'stream',
    private readonly types: OutputTypes = (names) => names.map(() => undefined),
  ) {}

  async write(batch: OutputBatch): Promise<void> {
    // A failed sink stops the run at the next batch, not after the whole input.
    if (this.failure !== undefined) throw this.failure;
    const record = toRecordBatch(batch, this.types(batch.columns.map((c) => c.name)));
    if (!this.writer) {
      const writer = this.format === 'file' ? new arrow.RecordBatchFileWriter() : new arrow.RecordBatchStreamWriter();
      this.writer = writer;
      this.pump = (async () => {
        for await (const chunk of writer) await this.sink.write(chunk);
      })();
      // A failed sink rejects here. The error surfaces in the next write or in commit.
      this.pump.catch((error: unknown) => {
        this.failure = error;
      });
    }
    this.writer.write(record);
  }

  async commit(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.writer) {
      this.writer.finish();
      await this.pump;
    }
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    // A pump that failed has closed the writer's queue, and abort() would throw on it.
    if (this.failure === undefined) this.writer?.abort();
    await this.pump?.catch(() => {});
    await this.sink.abort();
  }
}
