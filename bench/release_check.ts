import { DuckDBInstance } from '@duckdb/node-api';
import type { Frame } from '../src/frame/frame.js';

/** Result of reading a release with DuckDB and comparing it with the input and the frame. */
export interface ReleaseCheck {
  rows: number;
  inputRows: number;
  /** Columns whose type, null count or value range is off, with the reason. */
  problems: string[];
}

/**
 * Checks a Parquet release with DuckDB, an independent reader. The release must have the
 * input's row count and every frame column as DOUBLE or an integer type. Each column must
 * have the input's null count (missing cells stay missing) and values inside its valid range.
 */
export async function checkRelease(input: string, release: string, frame: Frame): Promise<ReleaseCheck> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  const aggregates = (path: string): string =>
    `SELECT count(*) AS n, ${frame.columns.map((c, j) => `count(${quote(c.name)}) AS c${j}, min(${quote(c.name)}) AS lo${j}, max(${quote(c.name)}) AS hi${j}`).join(', ')} FROM read_parquet('${path}')`;
  const read = async (path: string): Promise<Record<string, unknown>> => (await connection.runAndReadAll(aggregates(path))).getRowObjects()[0];
  const source = await read(input);
  const output = await read(release);
  const types = Object.fromEntries((await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${release}')`)).getRows().map((row) => [String(row[0]), String(row[1])]));
  const problems: string[] = [];
  frame.columns.forEach((column, j) => {
    const type = types[column.name];
    if (!type || !/^(DOUBLE|FLOAT|BIGINT|INTEGER|SMALLINT|TINYINT)$/.test(type)) problems.push(`${column.name}: type ${type ?? 'missing'}`);
    if (Number(output[`c${j}`]) !== Number(source[`c${j}`])) problems.push(`${column.name}: ${output[`c${j}`]} values where the input has ${source[`c${j}`]}`);
    const low = Number(output[`lo${j}`]);
    const high = Number(output[`hi${j}`]);
    if (low < column.min - 1e-9 || high > column.max + 1e-9) problems.push(`${column.name}: values ${low}..${high} outside ${column.min}..${column.max}`);
  });
  return { rows: Number(output.n), inputRows: Number(source.n), problems };
}
