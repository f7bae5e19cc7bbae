import type { OutputTypes } from '../io/arrow_output.js';
import { ArrowTable } from '../io/arrow_table.js';
import { ArrowBatchWriter } from '../io/arrow_writer.js';
import type { ColumnType } from '../io/column_types.js';
import { CsvBatchWriter } from '../io/csv_writer.js';
import type { BatchWriter } from '../io/output.js';
import { ParquetTable } from '../io/parquet_table.js';
import { ParquetBatchWriter } from '../io/parquet_writer.js';
import type { TableInput } from '../io/table.js';
import { BlobSink } from './blob_sink.js';
import { blobCsvTable } from './blob_table.js';
import type { InputFormat, OutputFormat } from './formats.js';
import { loadParquetModule } from './parquet_module.js';

/**
 * A table the page reads. Parquet and Arrow tables learn their columns' storage types on
 * their first pass, so that a Parquet or Arrow release can keep them.
 */
export type PageTable = TableInput & { readonly columnTypes?: ReadonlyMap<string, ColumnType> };

/** A release writer whose output becomes a Blob once the writer is committed. */
export interface BlobBatchWriter {
  writer: BatchWriter;
  result(): Blob;
}

/** Returns whether a format needs a module loaded with `loadFormat` first (Parquet's WebAssembly). */
export function needsLoading(format: InputFormat | OutputFormat): boolean {
  return format.id === 'parquet';
}

/**
 * Loads what a format needs in a browser before `openTable` or `createReleaseWriter`:
 * parquet-wasm for Parquet. In Node, parquet-wasm loads its Node build by itself.
 */
export async function loadFormat(format: InputFormat | OutputFormat): Promise<void> {
  if (needsLoading(format)) await loadParquetModule();
}

/** Opens a dropped file (or a release Blob) as a table; every pass reads the Blob again. */
export function openTable(format: InputFormat, name: string, file: Blob): PageTable {
  switch (format.id) {
    case 'csv':
      return blobCsvTable(name, file);
    case 'parquet':
      // ParquetFile reads row groups through Blob.slice, so a dropped File is read in parts.
      return new ParquetTable(name, async () => file);
    case 'arrow':
    case 'arrows':
      return new ArrowTable(name, async () => file.stream());
  }
}

/** Creates a release writer; `types` keeps a Parquet or Arrow input's column types where the release allows. */
export function createReleaseWriter(format: OutputFormat, types?: OutputTypes): BlobBatchWriter {
  const sink = new BlobSink(format.mediaType);
  let writer: BatchWriter;
  switch (format.id) {
    case 'csv':
      writer = new CsvBatchWriter(sink);
      break;
    case 'parquet':
      writer = new ParquetBatchWriter(sink, types);
      break;
    case 'arrow':
      writer = new ArrowBatchWriter(sink, 'file', types);
      break;
  }
  return { writer, result: () => sink.result() };
}
