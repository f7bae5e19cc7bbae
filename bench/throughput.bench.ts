/**
 * Throughput from Parquet to Parquet: `geomask apply` with rotate at 29 columns against
 * DuckDB (@duckdb/node-api) reading and rewriting the same file, in one run, both
 * limited to 2 cores (taskset where the machine has more). geomask's time is the whole
 * command (start, WebGPU device, kernel compilation, read, transform, write); DuckDB's
 * is its COPY statement. The ratio geomask / DuckDB is the figure; the target is 3.
 * Run: npm run bench -- throughput   (options: --input PATH --backend gpu|cpu --ops LIST)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRelease } from './release_check.js';

const { values } = parseArgs({
  options: {
    input: { type: 'string', default: 'bench/data/means_1m.parquet' },
    frame: { type: 'string', default: 'bench/physionet_means.frame.json' },
    backend: { type: 'string', default: 'gpu' },
    // θ from arccos(min(0.71, 2.7/√29)) = π/3 to π/2, the band the threat model requires at d = 29.
    ops: { type: 'string', default: 'rotate(theta=pi/3..pi/2,rho=0.5)' },
  },
});
const input = values.input!;
if (!existsSync(input)) {
  console.error(`throughput: ${input} is missing; make it with: npm run bench -- generate --rows 1000000 --out ${input}`);
  process.exit(2);
}
const folder = mkdtempSync(join(tmpdir(), 'geomask-throughput-'));
const cores = availableParallelism() > 2 && existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0,1'] : [];

function timed(command: string[]): { seconds: number; stdout: string; stderr: string } {
  const started = performance.now();
  const run = spawnSync(command[0], command.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return { seconds, stdout: run.stdout, stderr: run.stderr };
}

// DuckDB: read every row group and write the same rows again, 2 threads.
const duckOut = join(folder, 'duckdb.parquet');
const duckScript = `
import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
const started = performance.now();
await connection.run("COPY (SELECT * FROM read_parquet('${input}')) TO '${duckOut}' (FORMAT parquet)");
console.log((performance.now() - started) / 1000);
`;
const duck = timed([...cores, process.execPath, '--input-type=module', '-e', duckScript]);
const duckSeconds = Number(duck.stdout.trim());

const out = join(folder, 'release.parquet');
const geomaskCommand = [...cores, process.execPath, 'bin/geomask.js', 'apply', input, '--frame', values.frame!, '--ops', values.ops!, '--backend', values.backend!, '--key-file', join(folder, 'k.key'), '--out', out, '--quiet'];
const run = timed(geomaskCommand);
const report = JSON.parse(readFileSync(join(folder, 'release.report.json'), 'utf8'));
const frame = JSON.parse(readFileSync(values.frame!, 'utf8'));
const check = await checkRelease(input, out, frame);

console.log(`command: ${geomaskCommand.join(' ')}`);
console.log(`\n| task | rows | columns | time | rows/s |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| DuckDB ${'COPY'} read and rewrite, 2 threads | ${report.rows.toLocaleString('en-US')} | ${frame.columns.length} | ${duckSeconds.toFixed(2)} s | ${Math.round(report.rows / duckSeconds).toLocaleString('en-US')} |`);
console.log(`| geomask apply ${values.ops} on ${report.backend.device}, whole command | ${report.rows.toLocaleString('en-US')} | ${frame.columns.length} | ${run.seconds.toFixed(2)} s | ${Math.round(report.rows / run.seconds).toLocaleString('en-US')} |`);
console.log(`| geomask apply pass alone (from the run report) | ${report.rows.toLocaleString('en-US')} | ${frame.columns.length} | ${report.seconds.apply.toFixed(2)} s | ${report.rowsPerSecond.toLocaleString('en-US')} |`);
console.log(`\nratio geomask / DuckDB: ${(run.seconds / duckSeconds).toFixed(1)} (whole command), ${(report.seconds.apply / duckSeconds).toFixed(1)} (apply pass); target at most 3`);
console.log(`stage milliseconds: ${JSON.stringify(report.stageMilliseconds)}`);
console.log(`release check (DuckDB): ${check.rows} rows of ${check.inputRows}; ${check.problems.length === 0 ? 'types, null counts and ranges as expected' : check.problems.join('; ')}`);
process.exit(check.problems.length === 0 ? 0 : 1);
