import * as arrow from 'apache-arrow';
import { InputError } from '../errors.js';
import { arrowPass, type ArrowPassOptions } from './arrow_input.js';
import type { ColumnType } from './column_types.js';
import type { TableInput, TablePass } from './table.js';

/**
 * Input of apache-arrow's RecordBatchReader: chunks of bytes (a Node stream such as
 * standard input), a web ReadableStream (Blob.stream() in a browser), or a Node file
 * handle, which lets it read the file format's footer first.
 */
export type ArrowBytes = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | import('node:fs/promises').FileHandle;

/**
 * An Arrow IPC table in the file format or the stream format (the reader detects
 * which), read one record batch at a time. `openBytes` starts a fresh read for each
 * pass; a stream that can be read once (standard input) serves one pass only.
 */
export class ArrowTable implements TableInput {
  columnTypes: Map<string, ColumnType> | undefined;
  /** Fix line of the InputError raised when the bytes are not Arrow IPC. */
  readFix = 'give an Arrow IPC file or stream, or name the format with --format';

  constructor(
    readonly name: string,
    private readonly openBytes: () => Promise<ArrowBytes>,
    private readonly passOptions: Pick<ArrowPassOptions, 'rowIdColumn' | 'allowEmpty'> = {},
  ) {}

  open(batchRows: number): TablePass {
    const name = this.name;
    const openBytes = this.openBytes;
    const readFix = this.readFix;
    async function* batches(): AsyncGenerator<arrow.RecordBatch | arrow.Table> {
      let reader: arrow.RecordBatchReader;
      try {
        reader = await arrow.RecordBatchReader.from((await openBytes()) as AsyncIterable<Uint8Array>);
        await reader.open();
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`cannot read the input as Arrow IPC (${error instanceof Error ? error.message : String(error)})`, readFix, { file: name });
      }
      let any = false;
      for await (const batch of reader) {
        any = true;
        yield batch;
      }
      // A stream of a schema and no batch still names its columns.
      if (!any && reader.schema) yield new arrow.Table(reader.schema);
    }
    return arrowPass(name, () => ({ batches: batches(), fractionRead: () => undefined }), batchRows, {
      ...this.passOptions,
      onSchema: (header, types) => {
        this.columnTypes = new Map(header.map((column, i) => [column, types[i]]));
      },
    });
  }
}
