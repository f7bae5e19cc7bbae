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
    private readonly passOptions: Pick<ArrowPassOptions, 'rowIdColumn' | 'keepRowIdColumn' | 'allowEmpty'> = {},
  ) {}

  open(batchRows: number): TablePass {
    const name = this.name;
    const openBytes = this.openBytes;
    const readFix = this.readFix;
    async function* batches(): AsyncGenerator<arrow.RecordBatch | arrow.Table> {
      let reader: arrow.RecordBatchReader;
      let fileMagic = false;
      try {
        const bytes = await openBytes();
        fileMagic = await startsWithFileMagic(bytes);
        reader = await arrow.RecordBatchReader.from(bytes as AsyncIterable<Uint8Array>);
        await reader.open();
      } catch (error) {
        if (error instanceof InputError) throw error;
        if (fileMagic) {
          throw new InputError(
            `Arrow IPC file is truncated or corrupt: its footer cannot be read (${describe(error)})`,
            'copy or write the file again completely; an Arrow IPC file ends with a footer that lists its record batches',
            { file: name },
          );
        }
        throw new InputError(`cannot read the input as Arrow IPC (${describe(error)})`, readFix, { file: name });
      }
      let batchesRead = 0;
      let rowsRead = 0;
      try {
        for await (const batch of reader) {
          batchesRead++;
          rowsRead += batch.numRows;
          yield batch;
        }
      } catch (error) {
        // Only the reader throws here: an error in the consumer's loop body ends this
        // generator through return(), not through the catch.
        if (error instanceof InputError) throw error;
        throw new InputError(
          `Arrow IPC ${reader.isFile() ? 'file' : 'stream'} is truncated or corrupt: record batch ${batchesRead + 1} cannot be read (${describe(error)})`,
          'write or copy the input again completely; a writer that stopped early or a cut-short copy or pipe leaves such an input',
          { file: name, row: rowsRead + 1 },
        );
      }
      // A stream of a schema and no batch still names its columns.
      if (batchesRead === 0 && reader.schema) yield new arrow.Table(reader.schema);
    }
    return arrowPass(name, () => ({ batches: batches(), fractionRead: () => undefined }), batchRows, {
      ...this.passOptions,
      onSchema: (header, types) => {
        this.columnTypes = new Map(header.map((column, i) => [column, types[i]]));
      },
    });
  }
}

/**
 * Checks whether a file handle's file starts with "ARROW1", the magic of the IPC file
 * format. Returns false for streams of bytes, which cannot be read ahead.
 */
async function startsWithFileMagic(bytes: ArrowBytes): Promise<boolean> {
  // The test that apache-arrow's RecordBatchReader.from applies to a Node FileHandle.
  const handle = bytes as Partial<import('node:fs/promises').FileHandle>;
  if (typeof handle.fd !== 'number' || typeof handle.stat !== 'function' || typeof handle.read !== 'function') return false;
  const head = new Uint8Array(6);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return bytesRead === head.length && new TextDecoder().decode(head) === 'ARROW1';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
