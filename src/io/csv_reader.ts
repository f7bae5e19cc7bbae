import Papa from 'papaparse';
import { InputError } from '../errors.js';

/** Raw CSV records of one batch, with where each came from for error messages. */
export interface RecordBatch {
  /** 0-based index of the first record among the data rows of the whole file. */
  firstRow: number;
  records: string[][];
  /**
   * Physical line on which each record starts (1-based; the header is line 1). Absent
   * for Parquet and Arrow input, whose rows have no lines.
   */
  lines?: Int32Array;
}

export interface CsvSource {
  /** Name used in messages, usually the path. */
  name: string;
  chunks: AsyncIterable<Uint8Array | string>;
}

/** Binary table formats recognised by their first bytes, for the hint on a CSV error. */
const BINARY_FORMATS = [
  { magic: 'PAR1', name: 'Parquet', format: 'parquet', extension: '.parquet' },
  { magic: 'ARROW1', name: 'an Arrow IPC file', format: 'arrow', extension: '.arrow' },
];

/**
 * Streams a CSV file as its header plus batches of at most `batchRows` records.
 * Parsing is PapaParse's (RFC 4180 quoting), run incrementally over text chunks: each
 * call parses whole rows and keeps the unfinished tail for the next chunk.
 * Malformed rows (a field count that differs from the header, a broken quote) raise an
 * InputError with row and line, as do an empty file and a bad header. When the file
 * starts with the magic bytes of Parquet or an Arrow IPC file, the error names that
 * format and how to read the file in it.
 */
export async function* readCsvBatches(source: CsvSource, batchRows: number): AsyncGenerator<{ header: string[]; batch: RecordBatch }> {
  let start = '';
  async function* chunks(): AsyncGenerator<Uint8Array | string> {
    for await (const chunk of source.chunks) {
      if (start.length < 8) start += typeof chunk === 'string' ? chunk.slice(0, 8) : String.fromCharCode(...chunk.subarray(0, 8));
      yield chunk;
    }
  }
  try {
    yield* parseCsvBatches({ name: source.name, chunks: chunks() }, batchRows);
  } catch (error) {
    const binary = BINARY_FORMATS.find(({ magic }) => start.startsWith(magic));
    if (!(error instanceof InputError) || !binary) throw error;
    // The CSV error quotes binary bytes and names a meaningless row, so only the file is named.
    throw new InputError(
      `file starts with "${binary.magic}", so it is ${binary.name}, but it was read as CSV and is not valid CSV`,
      `read it as ${binary.name}: pass --format ${binary.format}, or rename the file to end in ${binary.extension}`,
      { file: source.name },
    );
  }
}

async function* parseCsvBatches(source: CsvSource, batchRows: number): AsyncGenerator<{ header: string[]; batch: RecordBatch }> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let header: string[] | undefined;
  let newline: '\n' | '\r\n' | undefined;
  let rowsSeen = 0;
  let nextLine = 1;
  let records: string[][] = [];
  let lines: number[] = [];
  let firstRow = 0;

  const take = (text: string, final: boolean): RecordBatch[] => {
    newline ??= text.includes('\r\n') ? '\r\n' : '\n';
    const parser = new Papa.Parser({ delimiter: ',', newline });
    const result = parser.parse(text, 0, !final);
    const consumed = final ? text.length : result.meta.cursor;
    const quoteError = result.errors.find((e: Papa.ParseError) => e.type === 'Quotes');
    if (quoteError) {
      // Without a header yet, record 0 of this text is the header line and record r is data row r.
      const row = rowsSeen + (header ? quoteError.row + 1 : quoteError.row);
      const problem = `malformed CSV${row === 0 ? ' in the header line' : ''}: ${quoteError.message.toLowerCase()}`;
      throw new InputError(problem, 'close the quote; a field that contains a quote must be wrapped in quotes and its quotes doubled', row === 0 ? { file: source.name } : { file: source.name, row });
    }

    const data = result.data as string[][];
    const breaks = countNewlines(text, consumed);
    const rowLines = lineNumbers(data, nextLine, breaks);
    nextLine += breaks;

    const finished: RecordBatch[] = [];
    for (let i = 0; i < data.length; i++) {
      const record = data[i];
      if (isBlankRecord(record)) continue;
      if (!header) {
        header = record.map((name, c) => (c === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
        checkHeader(header, source.name);
        continue;
      }
      if (record.length !== header.length) {
        throw new InputError(
          `malformed row: ${record.length} field${record.length === 1 ? '' : 's'} where the header has ${header.length}`,
          'give every row as many comma-separated fields as the header (quote fields that contain commas)',
          { file: source.name, row: rowsSeen + 1, line: rowLines[i] },
        );
      }
      records.push(record);
      lines.push(rowLines[i]);
      rowsSeen++;
      if (records.length === batchRows) {
        finished.push({ firstRow, records, lines: Int32Array.from(lines) });
        firstRow = rowsSeen;
        records = [];
        lines = [];
      }
    }
    pending = text.slice(consumed);
    return finished;
  };

  try {
    for await (const chunk of source.chunks) {
      const text = pending + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      for (const batch of take(text, false)) yield { header: header!, batch };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`cannot read the file: ${message}`, 'check that the path exists and is readable', { file: source.name });
  }
  const rest = pending + decoder.decode();
  if (rest.length > 0) for (const batch of take(rest, true)) yield { header: header!, batch };

  if (!header) throw new InputError('file is empty', 'give a CSV file with a header line and data rows', { file: source.name });
  if (rowsSeen === 0) throw new InputError('file has a header but no data rows', 'add data rows under the header line', { file: source.name });
  if (records.length > 0) yield { header, batch: { firstRow, records, lines: Int32Array.from(lines) } };
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Start line of each parsed record (blank lines are records too, so each record starts
 * on the line after the previous one ends). When the text holds exactly one line break
 * per record no field spans lines and the lines are consecutive; otherwise the fields
 * are scanned for embedded breaks.
 */
function lineNumbers(rows: string[][], firstLine: number, breaksInText: number): Int32Array {
  const out = new Int32Array(rows.length);
  if (breaksInText === rows.length || breaksInText === rows.length - 1) {
    for (let i = 0; i < rows.length; i++) out[i] = firstLine + i;
    return out;
  }
  let line = firstLine;
  for (let i = 0; i < rows.length; i++) {
    out[i] = line;
    line += 1;
    for (const field of rows[i]) if (field.includes('\n')) line += countNewlines(field, field.length);
  }
  return out;
}

/** A blank line; a row of empty fields (",,") is data with every value missing. */
function isBlankRecord(record: string[]): boolean {
  return record.length === 1 && record[0].trim() === '';
}

function checkHeader(header: string[], file: string): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new InputError('header has an empty column name', 'name every column in the first line', { file, line: 1 });
    if (seen.has(name)) throw new InputError(`header names column "${name}" twice`, 'give every column a unique name in the first line', { file, line: 1 });
    seen.add(name);
  }
}
