import { readFileSync } from 'node:fs';
import Papa from 'papaparse';

/** A CSV file as its header and rows of text. */
export function readTable(path: string): { header: string[]; rows: string[][] } {
  const data = Papa.parse<string[]>(readFileSync(path, 'utf8'), { skipEmptyLines: true }).data;
  return { header: data[0], rows: data.slice(1) };
}

export function column(table: { header: string[]; rows: string[][] }, name: string): string[] {
  const index = table.header.indexOf(name);
  if (index === -1) throw new Error(`no column ${name}`);
  return table.rows.map((row) => row[index]);
}

/** The source row (0-based) of each output row, from a --row-map file. */
export function readRowMap(path: string): number[] {
  return readTable(path).rows.map(([, source]) => Number(source) - 1);
}

export function decimalsIn(text: string): number {
  const point = text.indexOf('.');
  return point === -1 ? 0 : text.length - point - 1;
}
