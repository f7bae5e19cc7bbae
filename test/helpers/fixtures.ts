import { join } from 'node:path';
import { CpuEngine } from '../../src/engine/cpu.js';
import { GpuEngine } from '../../src/engine/gpu.js';
import { testGpu } from './gpu.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Frame } from '../../src/frame/frame.js';
import { planColumns, toBatch, type Batch } from '../../src/io/batch.js';
import { readCsvBatches } from '../../src/io/csv_reader.js';
import { csvFile, readJsonFile } from '../../src/node/files.js';
import { csvFileTable } from '../../src/node/jobs.js';
import { fitTable, type JobContext } from '../../src/pipeline/jobs.js';
import { RunKeys } from '../../src/pipeline/keys.js';
import { validateSchema, type Schema } from '../../src/schema/schema.js';

export const DIABETES_SAMPLE = 'examples/diabetes_sample.csv';
export const DIABETES_SCHEMA = 'examples/diabetes_sample.schema.json';
export const HEART_FAILURE = 'examples/heart_failure.csv';
/** Folder of the full clinical tables that some tests read: $GEOMASK_DATA, else ../shared/data. */
export const DATA_FOLDER = process.env.GEOMASK_DATA ?? '../shared/data';
export const DIABETES_FULL = join(DATA_FOLDER, 'diabetes130/diabetic_data.csv');
export const PHYSIONET = join(DATA_FOLDER, 'physionet2012/physionet2012_patients_wide.csv');

export function quietContext(engine: Engine = new CpuEngine(), batchRows = 65536): JobContext {
  return { engine, batchRows, log: () => {}, progress: () => () => {} };
}

/** The GPU engine on the test's WebGPU device, or the CPU reference without one. */
export async function fastestEngine(batchRows = 65536): Promise<Engine> {
  const gpu = await testGpu();
  return gpu ? new GpuEngine(gpu, batchRows) : new CpuEngine();
}

/** Fixed keys so that fixtures are reproducible. */
export function testKeys(label = 'test'): RunKeys {
  return new RunKeys(Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1), label);
}

export async function loadSchema(path: string): Promise<Schema> {
  return validateSchema(await readJsonFile(path, 'schema'), path);
}

/** Fits a frame on a CSV with the CPU reference. */
export async function fitFixture(path: string, schema: Schema, engine?: Engine): Promise<Frame> {
  return (await fitTable(quietContext(engine), csvFileTable(path), schema, testKeys())).frame;
}

/** Reads a whole CSV as one batch with the schema's plan. */
export async function readWhole(path: string, schema: Schema): Promise<Batch> {
  for await (const { header, batch } of readCsvBatches(csvFile(path), 1 << 30)) {
    return toBatch(planColumns(validateSchema(schema, path, header), header, path), batch);
  }
  throw new Error(`no rows in ${path}`);
}
