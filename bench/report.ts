/** One measured line of a benchmark table. */
export interface BenchRow {
  name: string;
  rows: number;
  columns: number;
  milliseconds: number;
  rowsPerSecond: number;
}

/** Prints a benchmark table in Markdown, ready for bench/RESULTS.md. */
export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}\n`);
  console.log('| task | rows | columns | mean time | rows/s |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.rows.toLocaleString('en-US')} | ${r.columns} | ${(r.milliseconds / 1000).toFixed(3)} s | ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} |`);
  }
}
