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

/** `count` independent standard normals (Box–Muller on Math.random), as benchmark input. */
export function standardNormals(count: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(Math.random() || 1e-12));
    const angle = 2 * Math.PI * Math.random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
