import { AtomicFile } from '../io/atomic_file.js';
import type { Shard } from '../io/shard.js';
import { CsvTable } from '../io/table.js';
import { releaseColumnTypes } from '../pipeline/output_types.js';
import { createTableWriter, formatOf, openTableFile, type TableFormat } from './formats.js';
import type { LoadedFrame } from '../frame/frame.js';
import type { ApplySummary } from '../pipeline/apply.js';
import { applyTable, type JobContext } from '../pipeline/jobs.js';
import type { RunKeys } from '../pipeline/keys.js';
import type { ResolvedOperator } from '../pipeline/operators.js';
import { csvFile } from './files.js';

/** Opens a CSV file as a table that each pass reads from disk again. */
export function csvFileTable(path: string): CsvTable {
  csvFile(path); // Fails early, with the path, when the file does not exist.
  return new CsvTable(path, () => {
    const file = csvFile(path);
    return { chunks: file.chunks, fractionRead: () => file.bytesRead() / Math.max(1, file.bytes) };
  });
}

export interface ApplyFiles {
  input: string;
  output: string;
  /** Formats of the input and the release (default: by file extension, else CSV). */
  inputFormat?: TableFormat;
  outputFormat?: TableFormat;
  /** Optional file that maps output rows to input rows (1-based); it re-links the release. */
  rowMap?: string;
  totalRows?: number;
  /** Transform only the rows of this shard of the input. */
  shard?: Shard;
}

/** The apply pass from a CSV file to a CSV file, both written atomically. */
export async function applyCsvFile(context: JobContext, files: ApplyFiles, frame: LoadedFrame, operators: ResolvedOperator[], keys: RunKeys): Promise<ApplySummary> {
  return applyFile(context, { ...files, inputFormat: 'csv', outputFormat: 'csv' }, frame, operators, keys);
}

/**
 * Runs the apply pass from a table file to a release file in any format, written
 * atomically. An Arrow or Parquet release keeps the input's column types where it can.
 */
export async function applyFile(context: JobContext, files: ApplyFiles, frame: LoadedFrame, operators: ResolvedOperator[], keys: RunKeys): Promise<ApplySummary> {
  const table = openTableFile(files.input, files.inputFormat ?? formatOf(files.input));
  const writer = createTableWriter(files.output, files.outputFormat ?? formatOf(files.output), (names) => releaseColumnTypes(frame, operators, table.columnTypes)(names));
  const rowMapFile = files.rowMap ? new AtomicFile(files.rowMap) : undefined;
  let outputRow = 0;
  try {
    await rowMapFile?.write('output_row,source_row\n');
    const summary = await applyTable(context, table, frame, operators, keys, {
      writer,
      totalRows: files.totalRows,
      shard: files.shard,
      rowMap: rowMapFile
        ? async (sourceRows) => {
            const lines: string[] = [];
            for (const row of sourceRows) lines.push(`${++outputRow},${row + 1}`);
            await rowMapFile.write(`${lines.join('\n')}\n`);
          }
        : undefined,
    });
    await rowMapFile?.commit();
    return summary;
  } catch (error) {
    await rowMapFile?.abort();
    throw error;
  }
}
