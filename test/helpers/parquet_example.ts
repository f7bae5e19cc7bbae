import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { readTable } from './release.js';
import { writeParquetFile } from './typed_table.js';

const WHOLE_NUMBER = /^-?\d+$/;

/**
 * Converts a CSV table to Arrow the way a team would store it in Parquet. Columns whose
 * every cell is a whole number become int64. The others become text with their cells
 * unchanged, so a missing-value token such as "?" stays text.
 */
export function csvAsArrow(path: string): arrow.Table {
  const { header, rows } = readTable(path);
  const columns: Record<string, arrow.Vector> = {};
  header.forEach((name, c) => {
    const cells = rows.map((row) => row[c]);
    columns[name] = cells.every((cell) => WHOLE_NUMBER.test(cell)) ? arrow.makeVector(BigInt64Array.from(cells, BigInt)) : arrow.vectorFromArray(cells, new arrow.Utf8());
  });
  return new arrow.Table(columns);
}

/** Writes a CSV table as Parquet (see csvAsArrow) into `folder` and returns its path. */
export function writeCsvAsParquet(csvPath: string, folder: string, name: string): Promise<string> {
  return writeParquetFile(csvAsArrow(csvPath), folder, name);
}

/** Reads a Parquet file with DuckDB, an independent reader, as its header, column types and rows of text. Nulls read as empty cells. */
export async function readParquetAsText(path: string): Promise<{ header: string[]; rows: string[][]; types: Record<string, string> }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
  const header = reader.columnNames();
  const types = Object.fromEntries(header.map((name, c) => [name, reader.columnType(c).toString()]));
  const rows = (reader.getRows() as unknown[][]).map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
  connection.closeSync();
  return { header, rows, types };
}
