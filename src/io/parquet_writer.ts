import * as arrow from 'apache-arrow';
import type { OutputTypes } from './arrow_output.js';
import { toRecordBatch } from './arrow_output.js';
import type { BatchWriter, ByteSink, OutputBatch } from './output.js';
import { parquetWasm, type ParquetWasm } from './parquet_wasm.js';

/** Rows per Parquet row group of a release (about 30 MB of float64 at 29 columns). */
export const ROW_GROUP_ROWS = 131_072;

type WasmRecordBatch = import('parquet-wasm/node').RecordBatch;

/**
 * Writes released batches as one Parquet file with parquet-wasm's streaming writer:
 * Snappy pages, row groups of ROW_GROUP_ROWS rows, dictionary pages for text columns
 * only (measured slower and no smaller on masked numeric columns). Each batch travels
 * to WebAssembly as an Arrow IPC message; the encoded bytes go to the sink as row
 * groups complete, so memory keeps about one row group.
 */
export class ParquetBatchWriter implements BatchWriter {
  private queue: WasmRecordBatch[] = [];
  /** Wakes the encoder's pull when a batch arrives or the writer closes. */
  private wake: (() => void) | undefined;
  /** Wakes a waiting write when the encoder takes a batch or fails. */
  private taken: (() => void) | undefined;
  private closed = false;
  private started: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly sink: ByteSink,
    private readonly types: OutputTypes = (names) => names.map(() => undefined),
  ) {}

  async write(batch: OutputBatch): Promise<void> {
    const record = toRecordBatch(batch, this.types(batch.columns.map((c) => c.name)));
    const pw = await parquetWasm();
    const ipc = arrow.tableToIPC(new arrow.Table([record]), 'stream');
    const table = pw.Table.fromIPCStream(ipc);
    this.queue.push(table.recordBatch(0)!);
    table.free();
    this.started ??= this.start(pw, record.schema).catch((error: unknown) => {
      this.failure = error;
      this.taken?.();
    });
    this.wake?.();
    // Waits while the encoder is a batch behind, so at most two batches are queued.
    while (this.queue.length > 1 && this.failure === undefined) await new Promise<void>((resolve) => (this.taken = resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private async start(pw: ParquetWasm, schema: arrow.Schema): Promise<void> {
    let builder = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setDictionaryEnabled(false)
      .setMaxRowGroupSize(ROW_GROUP_ROWS)
      .setCreatedBy('ehr-geomask');
    for (const field of schema.fields) {
      if (arrow.DataType.isUtf8(field.type)) builder = builder.setColumnDictionaryEnabled(field.name, true);
    }
    const input = new ReadableStream<WasmRecordBatch>({
      pull: async (controller) => {
        while (this.queue.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
        const next = this.queue.shift();
        this.taken?.();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    }, { highWaterMark: 0 });
    const output = (await pw.transformParquetStream(input, builder.build())) as ReadableStream<Uint8Array>;
    for await (const chunk of output as unknown as AsyncIterable<Uint8Array>) await this.sink.write(chunk);
  }

  async commit(): Promise<void> {
    this.closed = true;
    this.wake?.();
    if (!this.started) {
      await this.sink.abort();
      throw new Error('no batch was written, so there is no schema for the Parquet file');
    }
    await this.started;
    if (this.failure !== undefined) throw this.failure;
    await this.sink.commit();
  }

  async abort(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.started?.catch(() => {});
    for (const batch of this.queue) batch.free();
    this.queue = [];
    await this.sink.abort();
  }
}
