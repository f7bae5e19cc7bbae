import { openAsBlob, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import { AtomicFile } from '../io/atomic_file.js';
import type { OutputTypes } from '../io/arrow_output.js';
import { ArrowTable } from '../io/arrow_table.js';
import { ArrowBatchWriter } from '../io/arrow_writer.js';
import { CsvBatchWriter } from '../io/csv_writer.js';
import type { BatchWriter } from '../io/output.js';
import { ParquetTable } from '../io/parquet_table.js';
import { ParquetBatchWriter } from '../io/parquet_writer.js';
import type { TableInput } from '../io/table.js';
import { csvFileTable } from './jobs.js';

/** Table formats: CSV, Parquet, Arrow IPC file (`arrow`) and Arrow IPC stream (`arrows`). */
export const TABLE_FORMATS = ['csv', 'parquet', 'arrow', 'arrows'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const EXTENSIONS: Record<string, TableFormat> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.arrows': 'arrows',
};

/** Returns the file extensions that name a format, such as [".parquet", ".pq"]. */
export function extensionsOf(format: TableFormat): string[] {
  return Object.keys(EXTENSIONS).filter((extension) => EXTENSIONS[extension] === format);
}

/** Returns the format that the file's extension names, or undefined for any other extension. */
export function formatOfExtension(path: string): TableFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** Returns the format named by --format, else the one the file extension names, else CSV. */
export function formatOf(path: string, explicit?: string): TableFormat {
  if (explicit !== undefined) {
    if (!(TABLE_FORMATS as readonly string[]).includes(explicit)) {
      throw new InputError(`format "${explicit}" is not known`, `give one of: ${TABLE_FORMATS.join(', ')}`);
    }
    return explicit as TableFormat;
  }
  return formatOfExtension(path) ?? 'csv';
}

function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InputError('file not found', 'check the path and spelling of the input file', { file: path });
  }
  if (!isFile) throw new InputError('path is not a file', 'give the path of a table file', { file: path });
}

/** Opens a table file in any supported format; every pass reads it from disk again. */
export function openTableFile(path: string, format: TableFormat): TableInput & { columnTypes?: ParquetTable['columnTypes'] } {
  checkFile(path);
  switch (format) {
    case 'csv':
      return csvFileTable(path);
    case 'parquet':
      return new ParquetTable(path, () => openAsBlob(path));
    default:
      // The reader tells the IPC file and stream formats apart by their first bytes.
      return new ArrowTable(path, () => open(path));
  }
}

/** Creates the writer of a release file, written under a temporary name until commit. */
export function createTableWriter(path: string, format: TableFormat, types?: OutputTypes): BatchWriter {
  const file = new AtomicFile(path);
  switch (format) {
    case 'csv':
      return new CsvBatchWriter(file);
    case 'parquet':
      return new ParquetBatchWriter(file, types);
    case 'arrow':
      return new ArrowBatchWriter(file, 'file', types);
    case 'arrows':
      return new ArrowBatchWriter(file, 'stream', types);
  }
}
