/**
 * Writes a benchmark table of N rows sampled from a frame (default: the PhysioNet mean
 * and score columns, bench/physionet_means.frame.json); see writeSampledTable.
 * Run: npm run bench -- generate --rows 10000000 --out bench/data/means_10m.parquet
 *      (options: --frame PATH --seed N --batch-rows N; the format follows --out)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFrame, parseFrame } from '../src/frame/frame.js';
import { writeSampledTable } from './sample_table.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    out: { type: 'string', default: 'bench/data/means_10m.parquet' },
    frame: { type: 'string', default: 'bench/physionet_means.frame.json' },
    seed: { type: 'string', default: '20121' },
    'batch-rows': { type: 'string', default: '65536' },
  },
});
const frame = loadFrame(parseFrame(readFileSync(values.frame!, 'utf8'), values.frame!));
await writeSampledTable(frame, Number(values.rows), values.out!, Number(values.seed), Number(values['batch-rows']));
console.log(`wrote ${values.rows} rows × ${frame.d} columns to ${values.out}`);
process.exit(0);
