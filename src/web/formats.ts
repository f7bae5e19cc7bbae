import { InputError } from '../errors.js';
import { CsvBatchWriter } from '../io/csv_writer.js';
import type { BatchWriter } from '../io/output.js';
import type { TableInput } from '../io/table.js';
import { BlobSink } from './blob_sink.js';
import { blobCsvTable } from './blob_table.js';

/** A table format the page reads: files whose names end in one of `extensions`. */
export interface InputFormat {
  id: string;
  label: string;
  /** Lowercase file name endings with their dot, such as ".csv". */
  extensions: readonly string[];
  /** Media types for the file picker's `accept` attribute. */
  mediaTypes: readonly string[];
  open(name: string, file: Blob): TableInput;
}

/** A release writer whose output becomes a Blob once the writer is committed. */
export interface BlobBatchWriter {
  writer: BatchWriter;
  result(): Blob;
}

/** A table format the page writes releases in. */
export interface OutputFormat {
  id: string;
  label: string;
  extension: string;
  mediaType: string;
  create(): BlobBatchWriter;
}

const csvInput: InputFormat = {
  id: 'csv',
  label: 'CSV (comma-separated, UTF-8)',
  extensions: ['.csv'],
  mediaTypes: ['text/csv'],
  open: (name, file) => blobCsvTable(name, file),
};

const csvOutput: OutputFormat = {
  id: 'csv',
  label: 'CSV',
  extension: '.csv',
  mediaType: 'text/csv',
  create() {
    const sink = new BlobSink('text/csv');
    return { writer: new CsvBatchWriter(sink), result: () => sink.result() };
  },
};

// TODO: add Parquet here once its TableInput and BatchWriter exist: one entry in each list.
export const INPUT_FORMATS: readonly InputFormat[] = [csvInput];
export const OUTPUT_FORMATS: readonly OutputFormat[] = [csvOutput];

/** The input format for a file name, by its extension; an unknown one is an InputError. */
export function inputFormatFor(name: string): InputFormat {
  const lower = name.toLowerCase();
  const format = INPUT_FORMATS.find((f) => f.extensions.some((e) => lower.endsWith(e)));
  if (!format) {
    const known = INPUT_FORMATS.flatMap((f) => f.extensions).join(', ');
    throw new InputError('file type is not supported', `choose a file whose name ends in ${known}`, { file: name });
  }
  return format;
}

export function outputFormatById(id: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f.id === id);
  if (!format) throw new InputError(`release format "${id}" is not supported`, `choose one of: ${OUTPUT_FORMATS.map((f) => f.id).join(', ')}`);
  return format;
}

/** The file picker's `accept` attribute: every extension and media type the page reads. */
export function acceptedInputTypes(): string {
  return INPUT_FORMATS.flatMap((f) => [...f.extensions, ...f.mediaTypes]).join(',');
}
