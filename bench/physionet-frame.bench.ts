/**
 * Fits the frame of the PhysioNet 2012 table's mean and score columns (the `_mean`
 * columns of the 27 time-series parameters that are missing in under half the stays,
 * plus SAPS-I and SOFA; bench/physionet_means.schema.json) and writes it to
 * bench/physionet_means.frame.json, the source of the generated benchmark tables. The
 * frame holds aggregates only, so it travels with the repository to machines that
 * lack the data. The schema of the generated tables goes to bench/means.schema.json.
 * Run: npm run bench -- physionet-frame   (reads the PhysioNet table from $GEOMASK_DATA, default ../shared/data)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { CpuEngine } from '../src/engine/cpu.js';
import { readJsonFile } from '../src/node/files.js';
import { openTableFile } from '../src/node/formats.js';
import { fitTables } from '../src/pipeline/jobs.js';
import { RunKeys } from '../src/pipeline/keys.js';
import { validateSchema } from '../src/schema/schema.js';

const DATA = `${process.env.GEOMASK_DATA ?? '../shared/data'}/physionet2012/physionet2012_patients_wide.csv`;
const SCHEMA = 'bench/physionet_means.schema.json';
const OUT = 'bench/physionet_means.frame.json';
/** Schema of the generated tables: the 29 numeric columns. */
const GENERATED_SCHEMA = 'bench/means.schema.json';

if (!existsSync(DATA)) {
  console.error(`physionet-frame: ${DATA} is missing; the committed ${OUT} serves the other benchmarks`);
  process.exit(2);
}
const schema = validateSchema(await readJsonFile(SCHEMA, 'schema'), SCHEMA);
// A fixed secret: the frame is a benchmark fixture, and reruns must give the same one.
const keys = new RunKeys(new Uint8Array(32).fill(7), 'physionet2012_means');
const context = { engine: new CpuEngine(), batchRows: 65536, log: (line: string) => console.error(line), progress: () => () => {} };
const { frame, rows } = await fitTables(context, [openTableFile(DATA, 'csv')], schema, keys);
// Generated tables hold the numeric columns alone, so the frame's schema lists only those.
frame.schema = { ...frame.schema, columns: frame.schema.columns.filter((c) => c.role === 'numeric') };
writeFileSync(OUT, `${JSON.stringify(frame)}\n`);
writeFileSync(GENERATED_SCHEMA, `${JSON.stringify(frame.schema, null, 2)}\n`);
console.log(`fitted ${frame.columns.length} columns on ${rows} rows; wrote ${OUT}`);
process.exit(0);
