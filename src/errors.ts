/**
 * Errors with an exit status. `InputError` is the user's to fix (bad file, schema or
 * option; exit 2) and carries where the problem is and what to do about it.
 */
export interface InputLocation {
  file?: string;
  /** 1-based data row (the header is not counted). */
  row?: number;
  /** 1-based physical line in the file, when it differs from row + 1. */
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

export function formatInputError(problem: string, fix: string, where: InputLocation): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.row !== undefined) {
    const lineDiffers = where.line !== undefined && where.line !== where.row + 1;
    parts.push(lineDiffers ? `row ${where.row} (line ${where.line})` : `row ${where.row}`);
  } else if (where.line !== undefined) {
    parts.push(`line ${where.line}`);
  }
  if (where.column !== undefined) parts.push(`column "${where.column}"`);
  const prefix = parts.length > 0 ? `${parts.join(', ')}: ` : '';
  return `${prefix}${problem}\n  fix: ${fix}`;
}
