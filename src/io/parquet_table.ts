import * as arrow from 'apache-arrow';
import { InputError } from '../errors.js';
import { arrowPass, type ArrowPassOptions } from './arrow_input.js';
import type { ColumnType } from './column_types.js';
import { guardParquetWasm, parquetWasm, ParquetWasmTrap } from './parquet_wasm.js';
import type { TableInput, TablePass } from './table.js';

/**
 * A Parquet table read from a Blob (a browser File, or Node's fs.openAsBlob) one row
 * group at a time, so memory is bounded by the largest row group, not the file. Row
 * groups are decoded by parquet-wasm and handed over as Arrow record batches.
 */
export class ParquetTable implements TableInput {
  columnTypes: Map<string, ColumnType> | undefined;

  constructor(
    readonly name: string,
    private readonly blob: () => Promise<Blob>,
    private readonly passOptions: Pick<ArrowPassOptions, 'rowIdColumn' | 'keepRowIdColumn' | 'allowEmpty'> = {},
  ) {}

  open(batchRows: number): TablePass {
    const name = this.name;
    const blob = this.blob;
    let rowsRead = 0;
    let totalRows = 0;
    async function* batches(): AsyncGenerator<arrow.Table> {
      const pw = await parquetWasm();
      const bytes = await blob();
      if (bytes.size === 0) throw new InputError('file is empty', 'give a Parquet file with columns and data rows', { file: name });
      let file: Awaited<ReturnType<typeof pw.ParquetFile.fromFile>>;
      try {
        file = await guardParquetWasm(() => pw.ParquetFile.fromFile(bytes));
      } catch (error) {
        throw new InputError(`cannot read the file as Parquet (${describe(error)})`, 'give a Parquet file, or name the format with --format', { file: name });
      }
      // After a trap the file stays borrowed by the trapped call, and free() would throw.
      let trapped = false;
      try {
        const metadata = file.metadata();
        const groups = metadata.numRowGroups();
        totalRows = Number(metadata.fileMetadata().numRows());
        // TODO: decode row groups in a worker thread, so that decoding overlaps the transform where a GPU takes the kernels off the CPU.
        for (let group = 0; group < groups; group++) {
          let table: arrow.Table;
          try {
            const decoded = await guardParquetWasm(() => file.read({ rowGroups: [group], batchSize: batchRows }));
            table = arrow.tableFromIPC(decoded.intoIPCStream());
          } catch (error) {
            trapped = error instanceof ParquetWasmTrap || error instanceof WebAssembly.RuntimeError;
            throw new InputError(`cannot decode row group ${group} (${describe(error)})`, 'check that the file is complete; rewrite it with the tool that made it', { file: name });
          }
          rowsRead += table.numRows;
          yield table;
        }
      } finally {
        if (!trapped) file.free();
      }
    }
    return arrowPass(name, () => ({ batches: batches(), fractionRead: () => (totalRows > 0 ? rowsRead / totalRows : undefined), totalRows: () => (totalRows > 0 ? totalRows : undefined) }), batchRows, {
      ...this.passOptions,
      onSchema: (header, types) => {
        this.columnTypes = new Map(header.map((column, i) => [column, types[i]]));
      },
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
