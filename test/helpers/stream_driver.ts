import * as arrow from 'apache-arrow';
import { spawn } from 'node:child_process';

/** The way the driver gives each process the global indices of its rows. */
export type Placement = 'row-id' | 'first-row';

export const ROW_ID = 'row_id';

/**
 * Runs a local stand-in for a cluster engine that pipes partitions through a process,
 * as Spark's mapInArrow or Ray Data's map_batches over a subprocess do. It splits a
 * table into partitions and starts one `geomask stream` per partition at once. Each
 * process gets its partition as an Arrow IPC stream on standard input, and the
 * partitions' releases are read from standard output and returned.
 *
 * With 'row-id' the rows are dealt round-robin (row i to partition i mod p) and carry
 * their global index in a `row_id` column, the table's own when it has one. With
 * 'first-row' each partition is a contiguous slice, and the process gets the index of
 * its first row.
 */
export async function runStreamPartitions(table: arrow.Table, partitions: number, placement: Placement, args: string[]): Promise<arrow.Table[]> {
  const jobs: Promise<arrow.Table>[] = [];
  const size = Math.ceil(table.numRows / partitions);
  for (let p = 0; p < partitions; p++) {
    let part: arrow.Table;
    let placementArgs: string[];
    if (placement === 'row-id') {
      const rows = Array.from({ length: Math.ceil((table.numRows - p) / partitions) }, (_, i) => p + i * partitions);
      part = takeRows(table, rows);
      if (!table.schema.fields.some((f) => f.name === ROW_ID)) {
        part = part.assign(new arrow.Table({ [ROW_ID]: arrow.vectorFromArray(BigInt64Array.from(rows, BigInt)) }));
      }
      placementArgs = ['--row-id', ROW_ID];
    } else {
      part = table.slice(p * size, Math.min(table.numRows, (p + 1) * size));
      placementArgs = ['--first-row', String(p * size)];
    }
    jobs.push(pipeThrough(arrow.tableToIPC(part, 'stream'), [...args, ...placementArgs]));
  }
  return Promise.all(jobs);
}

/** Copies the rows at the given indices into a new table with the same schema. */
function takeRows(table: arrow.Table, rows: number[]): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  for (const field of table.schema.fields) {
    const source = table.getChild(field.name)!;
    columns[field.name] = arrow.vectorFromArray(
      rows.map((r) => source.get(r)),
      field.type,
    );
  }
  return new arrow.Table(columns);
}

/** Runs one `geomask stream` with `input` on its standard input and reads its release. */
export function pipeThrough(input: Uint8Array, args: string[]): Promise<arrow.Table> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/geomask.js', 'stream', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`geomask stream exited with ${code}: ${stderr}`));
      else resolve(arrow.tableFromIPC(Buffer.concat(chunks)));
    });
    child.stdin.end(input);
  });
}

/** Returns every row of the tables as one text line, sorted, so equal multisets of rows give equal lists. */
export function sortedRows(tables: arrow.Table[]): string[] {
  const lines: string[] = [];
  for (const table of tables) {
    const names = table.schema.fields.map((f) => f.name);
    for (let r = 0; r < table.numRows; r++) {
      lines.push(names.map((name) => String(table.getChild(name)!.get(r))).join('\u0001'));
    }
  }
  return lines.sort();
}
