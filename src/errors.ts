/**
 * Errors with an exit status. `InputError` is the user's to fix (bad file, schema or
 * option; exit 2) and carries where the problem is and what to do about it.
 */
export interface InputLocation {
  file?: string;
  /** 1-based data row (the header is not counted). */
  row?: number;
  /** 1-based physical line of a text file (CSV), where the header is line 1. */
  line?: number;
  column?: string;
}

export class InputError extends Error {
  readonly exitCode = 2;

  constructor(
    readonly problem: string,
    readonly fix: string,
    readonly location: InputLocation = {},
  ) {
    super(formatInputError(problem, fix, location));
    this.name = 'InputError';
  }
}

/**
 * The reader of standard output closed it (EPIPE) before the run ended, as `head` does.
 * The CLI stops with one log line and no error message, and exits 141, the status that
 * shells give a process stopped by SIGPIPE.
 */
export class OutputClosedError extends Error {
  readonly exitCode = 141;

  constructor() {
    super('standard output was closed by its reader (EPIPE)');
    this.name = 'OutputClosedError';
  }
}

/**
 * Formats a data row for messages: "row 40 (line 41)" when the line in the file is
 * known (CSV), else "row 40" (Parquet and Arrow, whose rows have no lines).
 */
export function formatRow(row: number, line?: number): string {
  return line === undefined ? `row ${row}` : `row ${row} (line ${line})`;
}

export function formatInputError(problem: string, fix: string, where: InputLocation): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.row !== undefined) {
    parts.push(formatRow(where.row, where.line));
  } else if (where.line !== undefined) {
    parts.push(`line ${where.line}`);
  }
  if (where.column !== undefined) parts.push(`column "${where.column}"`);
  const prefix = parts.length > 0 ? `${parts.join(', ')}: ` : '';
  return `${prefix}${problem}\n  fix: ${fix}`;
}
