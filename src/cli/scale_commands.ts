import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { CpuEngine } from '../engine/cpu.js';
import { selectEngine } from '../engine/select.js';
import { InputError, OutputClosedError } from '../errors.js';
import { FitAccumulator } from '../frame/fit.js';
import { decodeFitState, encodeFitState } from '../frame/fit_state.js';
import { loadFrame, parseFrame, type Frame } from '../frame/frame.js';
import { ArrowTable } from '../io/arrow_table.js';
import { ArrowBatchWriter } from '../io/arrow_writer.js';
import { AtomicFile, writeFileAtomic } from '../io/atomic_file.js';
import { planColumns } from '../io/batch.js';
import type { ByteSink } from '../io/output.js';
import { readJsonFile } from '../node/files.js';
import { formatOf, openTableFile } from '../node/formats.js';
import { accumulateFit, applyTable, finishTables, fitKeysOf } from '../pipeline/jobs.js';
import { describeOperator, resolveOperators, type Profile } from '../pipeline/operators.js';
import { releaseColumnTypes } from '../pipeline/output_types.js';
import { findSchemaDifference, formatSchemaValue } from '../schema/compare.js';
import { validateSchema, type Schema } from '../schema/schema.js';
import { addCommon, addOperators, checkOutput, jobContext, keysFor, loadSchemaFile, log, parseFirstRow, operatorsFor, type CommonOptions } from './main.js';

/** Partial fits and the stream mode need the same keys in every process. */
function requireKeyFile(options: CommonOptions, command: string): void {
  if (!options.keyFile || options.label === undefined) {
    throw new InputError(
      `${command} needs --key-file and --label`,
      'give every process of a sharded run the same --key-file and --label, so that their draws agree',
    );
  }
}

/**
 * `geomask fit --partial`: the map step of a sharded fit. It reads the inputs (parts of
 * one table whose first row has global index --first-row) and writes their
 * accumulated statistics (sketches, sample, counts) for `geomask merge`.
 */
export async function fitPartial(inputs: string[], options: CommonOptions & { partial: string; schema?: string; firstRow: number }): Promise<void> {
  requireKeyFile(options, 'fit --partial');
  if (!options.schema) throw new InputError('fit --partial needs --schema', 'write one schema with `geomask schema` and give it to every part, so that all parts agree');
  for (const input of inputs) checkOutput(options.partial, input);
  const schema = await loadSchemaFile(options.schema);
  const { keys } = await keysFor(options, inputs[0], 'fit --partial', {
    problem: 'key file not found: every partial fit and the merge must use the same key file, so fit --partial does not create one',
    fix: 'pass the key file of the run with --key-file on every machine; to start a run, create it once (for example `openssl rand -hex 32 > run.key`, then `chmod 600 run.key`) and copy it to each machine',
  });
  // The map step only reads and counts, so it needs no GPU.
  const context = jobContext(new CpuEngine(), options);
  const started = performance.now();
  const tables = inputs.map((path) => openTableFile(path, formatOf(path, options.format)));
  const accumulator = await accumulateFit(context, tables, schema, keys, undefined, options.firstRow);
  const file = new AtomicFile(options.partial);
  try {
    await file.write(encodeFitState(accumulator.toState(schema)));
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
  const [start, end] = [accumulator.ranges[0][0], accumulator.ranges[accumulator.ranges.length - 1][1]];
  log(`partial fit of rows ${start}..${end - 1} (${accumulator.rows} rows) written to ${options.partial} in ${((performance.now() - started) / 1000).toFixed(1)} s; merge the parts with \`geomask merge\``);
}

/**
 * Returns whether the frame's schema lists the row-id column, as it does for a table
 * fitted with that column. The column then stays an input column with its role, so the
 * release is the one `apply` writes for the same table. Roles other than identifier and
 * drop raise an InputError, because they would write the row index out or fit it as data.
 */
function rowIdInFrame(frame: Frame, rowId: string, framePath: string): boolean {
  const entry = frame.schema.columns.find((c) => c.name === rowId);
  if (!entry) return false;
  if (entry.role === 'identifier' || entry.role === 'drop') return true;
  throw new InputError(
    `the frame's schema gives the row-id column the role "${entry.role}", but --row-id makes it the row index, which is not data to mask`,
    `set the column's role to "identifier" or "drop" in the schema and fit the frame again, or name another column with --row-id`,
    { file: framePath, column: rowId },
  );
}

/**
 * Rejects a partial fit made with a schema other than the first part's, naming the
 * first field that differs. Parts of one table must share the schema, or the merged
 * frame would silently take the first part's roles, ranges and decimals.
 */
function rejectOtherSchema(first: Schema, firstPart: string, schema: Schema, part: string): void {
  const difference = findSchemaDifference(first, schema);
  if (!difference) return;
  const field = difference.field.startsWith('name of column') ? difference.field : `"${difference.field}"`;
  throw new InputError(
    `partial fit was made with another schema than ${firstPart}: ${field} is ${formatSchemaValue(difference.second)} here but ${formatSchemaValue(difference.first)} in ${firstPart}`,
    'make every partial fit with the same --schema file, then merge them again',
    { file: part, column: difference.column },
  );
}

/**
 * Rejects merged parts that leave global rows out: the rows before the first part and
 * between parts. A frame fitted without them would differ from the frame of the whole
 * table, so a part that was forgotten or failed must not go unnoticed.
 */
function rejectMissingRows(ranges: readonly [number, number][]): void {
  const missing: [number, number][] = [];
  let next = 0;
  for (const [start, end] of ranges) {
    if (start > next) missing.push([next, start]);
    next = end;
  }
  if (missing.length === 0) return;
  const list = (spans: readonly [number, number][]): string => spans.map(([a, b]) => `${a}..${b - 1}`).join(', ');
  throw new InputError(
    `the parts cover global rows ${list(ranges)}, so rows ${list(missing)} are missing`,
    `merge every part of the table: pass the partial fit of the missing rows too, or make it with \`geomask fit --partial --first-row ${missing[0][0]}\``,
  );
}

/**
 * Standard output as a byte sink; what was written cannot be taken back on failure. A
 * write waits until Node has passed its chunk on, and rejects with OutputClosedError
 * once the reader has closed the pipe.
 */
function stdoutSink(): ByteSink {
  let failure: Error | undefined;
  const fail = (error: Error): Error => {
    failure ??= (error as NodeJS.ErrnoException).code === 'EPIPE' ? new OutputClosedError() : error;
    return failure;
  };
  // Without a listener, Node throws the stream's 'error' event (EPIPE) as an uncaught exception.
  process.stdout.on('error', fail);
  const write = (chunk: Uint8Array): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      process.stdout.write(chunk, (error) => (error ? reject(fail(error)) : resolve()));
    });
  return {
    write,
    commit: () => write(new Uint8Array(0)),
    abort: async () => {},
  };
}

/** Adds `merge` (the reduce step of a sharded fit) and `stream` (Arrow IPC through stdin and stdout). */
export function addScaleCommands(program: Command): void {
  addCommon(
    program
      .command('merge')
      .description('merge partial fits written by `geomask fit --partial` into one frame (the reduce step of a sharded fit)')
      .argument('<parts...>', 'partial fit files, one per shard')
      .requiredOption('--out <path>', 'frame file to write'),
    'dataset label mixed into every key (required): the label that every `geomask fit --partial` used',
  ).action(async (parts: string[], options: CommonOptions & { out: string }) => {
    requireKeyFile(options, 'merge');
    for (const part of parts) checkOutput(options.out, part);
    const engine = await selectEngine(options.backend, options.batchRows, log);
    try {
      const { keys } = await keysFor(options, parts[0], 'merge', {
        problem: 'key file not found: merge must use the key file that the partial fits were made with, so it does not create one',
        fix: 'pass the key file that every `geomask fit --partial` used with --key-file',
      });
      const started = performance.now();
      let accumulator: FitAccumulator | undefined;
      let schema: Schema | undefined;
      for (const part of parts) {
        let bytes: Uint8Array;
        try {
          bytes = await readFile(part);
        } catch {
          throw new InputError('partial fit file not found', 'check the path of each part', { file: part });
        }
        const state = decodeFitState(bytes, part);
        if (!accumulator) {
          schema = validateSchema(state.schema, part);
          accumulator = new FitAccumulator(planColumns(schema, state.header, part), fitKeysOf(keys));
        } else {
          rejectOtherSchema(schema!, parts[0], validateSchema(state.schema, part), part);
        }
        accumulator.merge(state, part);
      }
      rejectMissingRows(accumulator!.ranges);
      const context = jobContext(engine, options);
      const frame = await finishTables(context, accumulator!, schema!, keys);
      await writeFileAtomic(options.out, `${JSON.stringify(frame)}\n`);
      const covered = accumulator!.ranges.map(([a, b]) => `${a}..${b - 1}`).join(', ');
      log(`merged ${parts.length} parts (${accumulator!.rows} rows: ${covered}) in ${((performance.now() - started) / 1000).toFixed(1)} s; frame written to ${options.out}`);
    } finally {
      engine.destroy();
    }
  });

  addOperators(
    addCommon(
      program
        .command('stream')
        .description('transform an Arrow IPC stream from standard input to standard output with a fitted frame, for engines that pipe partitions through a process')
        .requiredOption('--frame <path>', 'frame file written by `geomask fit` or `geomask merge`')
        .option('--row-id <column>', 'integer column that holds each row\'s global index in the whole input; it is not written out (unless the frame\'s schema pseudonymizes it)')
        .option('--first-row <n>', 'global index of the first input row, when the input carries no row-id column', parseFirstRow),
      'dataset label mixed into every key (required): every partition of a run needs the same label',
    ),
  ).action(async (options: CommonOptions & { frame: string; rowId?: string; firstRow?: number; ops?: string; profile?: Profile }) => {
    requireKeyFile(options, 'stream');
    if (options.rowId !== undefined && options.firstRow !== undefined) throw new InputError('both --row-id and --first-row were given', 'choose one of them');
    if (options.rowId === undefined && options.firstRow === undefined) {
      throw new InputError('stream needs --row-id or --first-row', 'give the column of global row indices, or the global index of the partition\'s first row, so that draws do not depend on the partitioning');
    }
    const frame = parseFrame(JSON.stringify(await readJsonFile(options.frame, 'frame')), options.frame);
    const engine = await selectEngine(options.backend, options.batchRows, log);
    try {
      const { keys } = await keysFor(options, 'stdin', 'stream', {
        problem: 'key file not found: every stream process must use the key file that the other partitions use, so stream does not create one',
        fix: 'copy the key file of the run (the one the frame was fitted with) to this worker and pass its path with --key-file',
      });
      const context = jobContext(engine, { ...options, quiet: true });
      const { specs } = operatorsFor(options, frame);
      const operators = resolveOperators(specs, frame.columns.length);
      log(`operators: ${operators.map(describeOperator).join(', ')}`);
      // An empty partition gives an empty release with the release's columns.
      const keepRowIdColumn = options.rowId !== undefined && rowIdInFrame(frame, options.rowId, options.frame);
      const table = new ArrowTable('standard input', async () => process.stdin, { rowIdColumn: options.rowId, keepRowIdColumn, allowEmpty: true });
      table.readFix = 'write the partition to standard input as an Arrow IPC stream (for example with pyarrow.ipc.new_stream); stream reads no CSV or Parquet';
      const loaded = loadFrame(frame);
      const writer = new ArrowBatchWriter(stdoutSink(), 'stream', (names) => releaseColumnTypes(loaded, operators, table.columnTypes)(names));
      const summary = await applyTable(context, table, loaded, operators, keys, { writer, firstRow: options.firstRow });
      log(`wrote ${summary.rows} rows to standard output in ${summary.seconds.toFixed(1)} s`);
    } finally {
      engine.destroy();
    }
  });
}
