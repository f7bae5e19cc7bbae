import { InputError } from '../errors.js';

/** A table format the page reads: files whose names end in one of `extensions`. */
export interface InputFormat {
  /** The format's name in run reports, as the CLI's --format names it. */
  id: 'csv' | 'parquet' | 'arrow' | 'arrows';
  label: string;
  /** Lowercase file name endings with their dot, such as ".csv". */
  extensions: readonly string[];
  /** Media types for the file picker's `accept` attribute. */
  mediaTypes: readonly string[];
}

/** A table format the page writes releases in. */
export interface OutputFormat {
  id: 'csv' | 'parquet' | 'arrow';
  label: string;
  extension: string;
  mediaType: string;
}

// The readers and writers behind these entries are in format_io.ts, which only the
// worker loads, so the page's own script stays small.
export const INPUT_FORMATS: readonly InputFormat[] = [
  { id: 'csv', label: 'CSV (comma-separated, UTF-8)', extensions: ['.csv'], mediaTypes: ['text/csv'] },
  { id: 'parquet', label: 'Parquet', extensions: ['.parquet', '.pq'], mediaTypes: ['application/vnd.apache.parquet'] },
  // The Arrow reader tells the IPC file and stream formats apart by their first bytes.
  // Two entries keep the CLI's names for them in run reports.
  { id: 'arrow', label: 'Arrow IPC file (.arrow, .feather)', extensions: ['.arrow', '.feather', '.ipc'], mediaTypes: ['application/vnd.apache.arrow.file'] },
  { id: 'arrows', label: 'Arrow IPC stream (.arrows)', extensions: ['.arrows'], mediaTypes: ['application/vnd.apache.arrow.stream'] },
];

export const OUTPUT_FORMATS: readonly OutputFormat[] = [
  { id: 'csv', label: 'CSV', extension: '.csv', mediaType: 'text/csv' },
  { id: 'parquet', label: 'Parquet', extension: '.parquet', mediaType: 'application/vnd.apache.parquet' },
  { id: 'arrow', label: 'Arrow IPC file', extension: '.arrow', mediaType: 'application/vnd.apache.arrow.file' },
];

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
